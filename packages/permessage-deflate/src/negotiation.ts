// RFC 7692 section 7.1: negotiating permessage-deflate, as pure functions on
// parsed Sec-WebSocket-Extensions elements (@hybi/handshake's
// parseExtensionList / formatExtensionList do the header syntax). The same
// elements travel in an HTTP/1.1 Upgrade and in an RFC 8441 / RFC 9220
// header list, so nothing here depends on the transport.

import type { Extension, ExtensionParam } from '@hybi/handshake';
import { checkWindowBits, type DeflateBackend, type DirectionParameters, type WindowBits } from './backend.js';

export const EXTENSION_NAME = 'permessage-deflate';

/**
 * The agreed parameters seen from one endpoint: what it compresses (the
 * messages it sends) and what it decompresses (the messages it receives).
 */
export interface NegotiatedDeflate {
  readonly compress: DirectionParameters;
  readonly decompress: DirectionParameters;
}

/** Why an offer was declined or a response failed. */
export type NegotiationProblem =
  /** RFC 7692 7: "an extension parameter not defined for use in an offer / a response". */
  | 'unknown-parameter'
  /** RFC 7692 7: "multiple extension parameters with the same name". */
  | 'duplicate-parameter'
  /** RFC 7692 7: "an extension parameter with an invalid value". */
  | 'invalid-value'
  /** The configuration, or the backend, cannot honour what the peer asks for. */
  | 'unsupported'
  /** Client: the response contains `client_max_window_bits` that the offer did not. */
  | 'not-offered'
  /** Client: the response does not accept a parameter the offer required. */
  | 'not-accepted'
  /** Client: the response contains more than one permessage-deflate element. */
  | 'multiple-responses';

/** One declined offer (server) or the reason to fail the connection (client). */
export interface NegotiationFailure {
  readonly problem: NegotiationProblem;
  /** The parameter concerned, when there is one. */
  readonly parameter: string | null;
  /** A sentence for logs and close reasons. */
  readonly message: string;
}

/** The capabilities negotiation needs from a backend. */
export type BackendCapabilities = Pick<DeflateBackend, 'compressWindowBits'>;

/** What the built-in backends can do (pako and node:zlib both compress within 8..15). */
const ZLIB_CAPABILITIES: BackendCapabilities = { compressWindowBits: { min: 8, max: 15 } };

// ---------------------------------------------------------------------------
// Parameters of one element

const SERVER_NO_CONTEXT_TAKEOVER = 'server_no_context_takeover';
const CLIENT_NO_CONTEXT_TAKEOVER = 'client_no_context_takeover';
const SERVER_MAX_WINDOW_BITS = 'server_max_window_bits';
const CLIENT_MAX_WINDOW_BITS = 'client_max_window_bits';

/** The four parameters of one element, validated. */
interface ElementParams {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: WindowBits | undefined;
  /** `null`: present without a value (offers only). */
  readonly clientMaxWindowBits: WindowBits | null | undefined;
}

type Parsed = { readonly ok: true; readonly params: ElementParams } | { readonly ok: false; readonly failure: NegotiationFailure };

function failure(problem: NegotiationProblem, parameter: string | null, message: string): NegotiationFailure {
  return { problem, parameter, message };
}

// RFC 7692 7.1.2.1 / 7.1.2.2: "a decimal integer value without leading zeroes
// between 8 to 15, inclusive".
function windowBitsValue(value: string): WindowBits | undefined {
  return /^(?:[89]|1[0-5])$/.test(value) ? (Number(value) as WindowBits) : undefined;
}

function parseElement(params: readonly ExtensionParam[], kind: 'offer' | 'response'): Parsed {
  let serverNoContextTakeover = false;
  let clientNoContextTakeover = false;
  let serverMaxWindowBits: WindowBits | undefined;
  let clientMaxWindowBits: WindowBits | null | undefined;
  const seen = new Set<string>();
  for (const { name, value } of params) {
    // RFC 7692 7: "The negotiation (offer/response) contains multiple extension
    // parameters with the same name."
    if (seen.has(name)) {
      return { ok: false, failure: failure('duplicate-parameter', name, `the ${kind} repeats ${name}`) };
    }
    seen.add(name);
    switch (name) {
      case SERVER_NO_CONTEXT_TAKEOVER:
      case CLIENT_NO_CONTEXT_TAKEOVER:
        // RFC 7692 7.1.1.1 / 7.1.1.2: "This extension parameter has no value."
        if (value !== null) {
          return { ok: false, failure: failure('invalid-value', name, `${name} takes no value, got "${value}"`) };
        }
        if (name === SERVER_NO_CONTEXT_TAKEOVER) serverNoContextTakeover = true;
        else clientNoContextTakeover = true;
        break;
      case SERVER_MAX_WINDOW_BITS: {
        // RFC 7692 7.1.2.1: the parameter "has a decimal integer value without
        // leading zeroes between 8 to 15, inclusive" in offers and responses.
        const bits = value === null ? undefined : windowBitsValue(value);
        if (bits === undefined) {
          return { ok: false, failure: failure('invalid-value', name, `${name} needs a value from 8 to 15 without leading zeroes, got ${value === null ? 'none' : `"${value}"`}`) };
        }
        serverMaxWindowBits = bits;
        break;
      }
      case CLIENT_MAX_WINDOW_BITS: {
        // RFC 7692 7.1.2.2: in an offer the parameter "has no value or a decimal
        // integer value without leading zeroes between 8 to 15 inclusive"; in a
        // response it "has a decimal integer value ...".
        if (value === null && kind === 'offer') {
          clientMaxWindowBits = null;
          break;
        }
        const bits = value === null ? undefined : windowBitsValue(value);
        if (bits === undefined) {
          return { ok: false, failure: failure('invalid-value', name, `${name} in a ${kind} needs a value from 8 to 15 without leading zeroes, got ${value === null ? 'none' : `"${value}"`}`) };
        }
        clientMaxWindowBits = bits;
        break;
      }
      default:
        // RFC 7692 7: "an extension parameter not defined for use in an offer"
        // (the server declines) / "in a response" (the client fails).
        return { ok: false, failure: failure('unknown-parameter', name, `${name} is not a permessage-deflate parameter`) };
    }
  }
  return { ok: true, params: { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits } };
}

function param(name: string, value: string | null = null): ExtensionParam {
  return { name, value };
}

function capabilitiesOf(backend: BackendCapabilities | undefined): BackendCapabilities {
  const capabilities = backend ?? ZLIB_CAPABILITIES;
  const { min, max } = capabilities.compressWindowBits;
  checkWindowBits(min, 'backend.compressWindowBits.min');
  checkWindowBits(max, 'backend.compressWindowBits.max');
  if (min > max) throw new RangeError(`backend.compressWindowBits.min (${min}) is above its max (${max})`);
  return capabilities;
}

function optionalBoolean(value: unknown, what: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${what} must be a boolean, got ${typeof value}`);
  return value;
}

// ---------------------------------------------------------------------------
// Server

/** How a server negotiates. Every option only ever lowers memory or adds a reset. */
export interface ServerNegotiationOptions {
  /**
   * The largest window the server compresses with (default 15). Below 15 it
   * is announced as `server_max_window_bits` even when the client did not
   * offer the parameter (RFC 7692 7.1.2.1 allows it).
   */
  readonly serverMaxWindowBits?: WindowBits;
  /**
   * The largest window the client may compress with, which is the server's
   * inflate memory (default 15). Below 15 it can only be imposed on a client
   * that offered `client_max_window_bits`; an offer without it is declined.
   */
  readonly clientMaxWindowBits?: WindowBits;
  /** Reset the server's compressor after every message (default false). */
  readonly serverNoContextTakeover?: boolean;
  /** Require the client to reset its compressor after every message (default false). */
  readonly clientNoContextTakeover?: boolean;
  /** The backend whose `compressWindowBits` limits what the server accepts (default: pako's). */
  readonly backend?: BackendCapabilities;
}

/** The result of {@link negotiateServer}. */
export type ServerNegotiation =
  | {
      readonly type: 'accepted';
      /** The element to put in the response's Sec-WebSocket-Extensions. */
      readonly response: Extension;
      /** The server's view of the agreed parameters. */
      readonly negotiated: NegotiatedDeflate;
      /** Index in `offers` of the accepted element. */
      readonly offerIndex: number;
    }
  | {
      readonly type: 'declined';
      /** Why each permessage-deflate offer was declined, in order (empty when none was offered). */
      readonly reasons: readonly (NegotiationFailure & { readonly offerIndex: number })[];
    };

/**
 * Server side of RFC 7692 7.1: picks the first acceptable permessage-deflate
 * element of the client's offers (RFC 7692 5: "The order of elements is
 * important as it specifies the client's preference") and builds the
 * response element. Elements of other extensions are skipped. Declining is
 * not an error: the connection then simply runs without compression.
 */
export function negotiateServer(offers: readonly Extension[], options: ServerNegotiationOptions = {}): ServerNegotiation {
  const capabilities = capabilitiesOf(options.backend);
  const { min: backendMin, max: backendMax } = capabilities.compressWindowBits;
  const serverLimit = options.serverMaxWindowBits === undefined ? 15 : checkWindowBits(options.serverMaxWindowBits, 'serverMaxWindowBits');
  const clientLimit = options.clientMaxWindowBits === undefined ? 15 : checkWindowBits(options.clientMaxWindowBits, 'clientMaxWindowBits');
  if (serverLimit < backendMin) {
    throw new RangeError(`serverMaxWindowBits ${serverLimit} is below what the backend can compress with (${backendMin})`);
  }
  const serverNoContextTakeover = optionalBoolean(options.serverNoContextTakeover, 'serverNoContextTakeover');
  const clientNoContextTakeover = optionalBoolean(options.clientNoContextTakeover, 'clientNoContextTakeover');

  const reasons: (NegotiationFailure & { readonly offerIndex: number })[] = [];
  const decline = (offerIndex: number, reason: NegotiationFailure) => reasons.push({ ...reason, offerIndex });

  for (let offerIndex = 0; offerIndex < offers.length; offerIndex++) {
    const offer = offers[offerIndex]!;
    if (offer.name !== EXTENSION_NAME) continue;
    // RFC 7692 7: "A server MUST decline an extension negotiation offer for
    // this extension if any of the following conditions are met: [unknown
    // parameter, invalid value, duplicate parameter] ... The server doesn't
    // support the offered configuration."
    const parsed = parseElement(offer.params, 'offer');
    if (!parsed.ok) {
      decline(offerIndex, parsed.failure);
      continue;
    }
    const offered = parsed.params;

    // RFC 7692 7.1.2.1: "A server declines an extension negotiation offer with
    // this parameter if the server doesn't support it." The server may answer
    // "the same or smaller value", so an offer below the backend's smallest
    // window cannot be accepted.
    if (offered.serverMaxWindowBits !== undefined && offered.serverMaxWindowBits < backendMin) {
      decline(
        offerIndex,
        failure('unsupported', SERVER_MAX_WINDOW_BITS, `the backend cannot compress within ${offered.serverMaxWindowBits} window bits (smallest: ${backendMin})`),
      );
      continue;
    }
    // RFC 7692 7.1.2.2: "If a received extension negotiation offer doesn't have
    // the client_max_window_bits extension parameter, the corresponding
    // extension negotiation response to the offer MUST NOT include the
    // client_max_window_bits extension parameter." Without it the server
    // cannot bound its inflate window below 32 KiB, so a server configured to
    // do so declines.
    if (clientLimit < 15 && offered.clientMaxWindowBits === undefined) {
      decline(
        offerIndex,
        failure('unsupported', CLIENT_MAX_WINDOW_BITS, `the offer lacks client_max_window_bits, so the client's window cannot be limited to ${clientLimit} bits`),
      );
      continue;
    }

    // RFC 7692 7.1.2.1: "A server accepts an extension negotiation offer with
    // this parameter by including the server_max_window_bits extension
    // parameter in the extension negotiation response to send back to the
    // client with the same or smaller value as the offer." And: "A server MAY
    // include the server_max_window_bits extension parameter in an extension
    // negotiation response even if the extension negotiation offer being
    // accepted by the response didn't include [it]."
    const serverWindowBits = Math.min(serverLimit, offered.serverMaxWindowBits ?? 15, backendMax) as WindowBits;
    const announceServerWindow = offered.serverMaxWindowBits !== undefined || serverWindowBits < 15;

    // RFC 7692 7.1.2.2: the server "may either ignore this value or use this
    // value to avoid allocating an unnecessarily big LZ77 sliding window by
    // including the client_max_window_bits extension parameter in the
    // corresponding extension negotiation response to the offer with a value
    // equal to or smaller than the received value." We use it.
    const clientWindowBits =
      offered.clientMaxWindowBits === undefined ? 15 : (Math.min(clientLimit, offered.clientMaxWindowBits ?? 15) as WindowBits);
    const announceClientWindow = offered.clientMaxWindowBits !== undefined && clientWindowBits < 15;

    // RFC 7692 7.1.1.1: "A server accepts an extension negotiation offer that
    // includes the server_no_context_takeover extension parameter by including
    // the server_no_context_takeover extension parameter in the corresponding
    // extension negotiation response"; it "MAY include [it] ... even if the
    // extension negotiation offer being accepted ... didn't include [it]".
    const serverReset = offered.serverNoContextTakeover || serverNoContextTakeover;
    // RFC 7692 7.1.1.2: with the client's hint the server may "use the parameter
    // to avoid taking over the LZ77 sliding window unnecessarily by including
    // the client_no_context_takeover extension parameter in the corresponding
    // extension negotiation response". We do: the server can then forget the
    // inflate window between messages.
    const clientReset = offered.clientNoContextTakeover || clientNoContextTakeover;

    const params: ExtensionParam[] = [];
    if (serverReset) params.push(param(SERVER_NO_CONTEXT_TAKEOVER));
    if (clientReset) params.push(param(CLIENT_NO_CONTEXT_TAKEOVER));
    if (announceServerWindow) params.push(param(SERVER_MAX_WINDOW_BITS, String(serverWindowBits)));
    if (announceClientWindow) params.push(param(CLIENT_MAX_WINDOW_BITS, String(clientWindowBits)));

    return {
      type: 'accepted',
      response: { name: EXTENSION_NAME, params },
      negotiated: {
        compress: { windowBits: serverWindowBits, noContextTakeover: serverReset },
        decompress: { windowBits: clientWindowBits, noContextTakeover: clientReset },
      },
      offerIndex,
    };
  }
  return { type: 'declined', reasons };
}

// ---------------------------------------------------------------------------
// Client

/** What a client offers. The defaults give the offer browsers send. */
export interface ClientNegotiationOptions {
  /**
   * Ask the server to compress within this window (`server_max_window_bits`),
   * which bounds the client's inflate memory. Default: not asked (15).
   */
  readonly serverMaxWindowBits?: WindowBits;
  /**
   * The largest window the client compresses with (default 15). The client
   * offers `client_max_window_bits` (with this value when below 15) so that
   * the server may lower it further, unless the backend cannot compress
   * within every window from 8 up.
   */
  readonly clientMaxWindowBits?: WindowBits;
  /** Ask the server to reset its compressor after every message (default false). */
  readonly serverNoContextTakeover?: boolean;
  /** Reset the client's compressor after every message, and tell the server (default false). */
  readonly clientNoContextTakeover?: boolean;
  /** The backend whose `compressWindowBits` limits what the client accepts (default: pako's). */
  readonly backend?: BackendCapabilities;
}

/** The result of {@link acceptServerResponse}. */
export type ClientNegotiation =
  /** The server accepted: compress and decompress with these parameters. */
  | { readonly type: 'accepted'; readonly negotiated: NegotiatedDeflate }
  /** The server's response has no permessage-deflate element: no compression. */
  | { readonly type: 'declined' }
  /** RFC 7692 7: the client "MUST _Fail the WebSocket Connection_". */
  | ({ readonly type: 'fail' } & NegotiationFailure);

interface ClientPlan {
  readonly serverMaxWindowBits: WindowBits | undefined;
  readonly clientMaxWindowBits: WindowBits;
  readonly offerClientMaxWindowBits: boolean;
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly backendMin: WindowBits;
}

function clientPlan(options: ClientNegotiationOptions): ClientPlan {
  const capabilities = capabilitiesOf(options.backend);
  const { min: backendMin, max: backendMax } = capabilities.compressWindowBits;
  const serverMaxWindowBits = options.serverMaxWindowBits === undefined ? undefined : checkWindowBits(options.serverMaxWindowBits, 'serverMaxWindowBits');
  const requested = options.clientMaxWindowBits === undefined ? 15 : checkWindowBits(options.clientMaxWindowBits, 'clientMaxWindowBits');
  if (requested < backendMin) {
    throw new RangeError(`clientMaxWindowBits ${requested} is below what the backend can compress with (${backendMin})`);
  }
  return {
    // 15 is what the absence of the parameter means: not worth sending.
    serverMaxWindowBits: serverMaxWindowBits === 15 ? undefined : serverMaxWindowBits,
    clientMaxWindowBits: Math.min(requested, backendMax) as WindowBits,
    // Offering client_max_window_bits lets the server pick any value from 8
    // up (RFC 7692 7.1.2.2), so only a backend that honours them all offers it.
    offerClientMaxWindowBits: backendMin === 8,
    serverNoContextTakeover: optionalBoolean(options.serverNoContextTakeover, 'serverNoContextTakeover'),
    clientNoContextTakeover: optionalBoolean(options.clientNoContextTakeover, 'clientNoContextTakeover'),
    backendMin,
  };
}

/**
 * Client side: the permessage-deflate element to offer. With no options it is
 * `permessage-deflate; client_max_window_bits`, what Chromium, Firefox and
 * `ws` send.
 */
export function createClientOffer(options: ClientNegotiationOptions = {}): Extension {
  const plan = clientPlan(options);
  const params: ExtensionParam[] = [];
  if (plan.serverNoContextTakeover) params.push(param(SERVER_NO_CONTEXT_TAKEOVER));
  if (plan.clientNoContextTakeover) params.push(param(CLIENT_NO_CONTEXT_TAKEOVER));
  if (plan.serverMaxWindowBits !== undefined) params.push(param(SERVER_MAX_WINDOW_BITS, String(plan.serverMaxWindowBits)));
  if (plan.offerClientMaxWindowBits) {
    params.push(param(CLIENT_MAX_WINDOW_BITS, plan.clientMaxWindowBits < 15 ? String(plan.clientMaxWindowBits) : null));
  }
  return { name: EXTENSION_NAME, params };
}

/**
 * Client side of RFC 7692 7.1: checks the server's Sec-WebSocket-Extensions
 * elements against the offer that {@link createClientOffer} built from the
 * same `options`. Elements of other extensions are ignored here (checking
 * that the server only answers with offered extensions is the handshake's
 * job).
 */
export function acceptServerResponse(response: readonly Extension[], options: ClientNegotiationOptions = {}): ClientNegotiation {
  const plan = clientPlan(options);
  const elements = response.filter((element) => element.name === EXTENSION_NAME);
  if (elements.length === 0) return { type: 'declined' };
  const fail = (reason: NegotiationFailure): ClientNegotiation => ({ type: 'fail', ...reason });
  if (elements.length > 1) {
    return fail(failure('multiple-responses', null, `the response accepts ${EXTENSION_NAME} ${elements.length} times for a single offer`));
  }
  // RFC 7692 7: "A client MUST _Fail the WebSocket Connection_ if the peer
  // server accepted an extension negotiation offer for this extension with an
  // extension negotiation response meeting any of the following conditions:
  // [unknown parameter, invalid value, duplicate parameter] ... The client
  // does not support the configuration that the response represents."
  const parsed = parseElement(elements[0]!.params, 'response');
  if (!parsed.ok) return fail(parsed.failure);
  const answered = parsed.params;

  // RFC 7692 7.1.2.2: "If a received extension negotiation offer doesn't have
  // the client_max_window_bits extension parameter, the corresponding
  // extension negotiation response to the offer MUST NOT include the
  // client_max_window_bits extension parameter."
  if (answered.clientMaxWindowBits != null) {
    if (!plan.offerClientMaxWindowBits) {
      return fail(failure('not-offered', CLIENT_MAX_WINDOW_BITS, 'the response contains client_max_window_bits, which the offer did not'));
    }
    if (answered.clientMaxWindowBits < plan.backendMin) {
      return fail(failure('unsupported', CLIENT_MAX_WINDOW_BITS, `the backend cannot compress within ${answered.clientMaxWindowBits} window bits`));
    }
  }
  // RFC 7692 7.1.2.1: the server "accepts an extension negotiation offer with
  // this parameter by including the server_max_window_bits extension
  // parameter in the extension negotiation response ... with the same or
  // smaller value as the offer".
  if (plan.serverMaxWindowBits !== undefined) {
    if (answered.serverMaxWindowBits === undefined) {
      return fail(failure('not-accepted', SERVER_MAX_WINDOW_BITS, `the offer asked for server_max_window_bits=${plan.serverMaxWindowBits} and the response does not include it`));
    }
    if (answered.serverMaxWindowBits > plan.serverMaxWindowBits) {
      return fail(
        failure('not-accepted', SERVER_MAX_WINDOW_BITS, `the response's server_max_window_bits=${answered.serverMaxWindowBits} is above the offered ${plan.serverMaxWindowBits}`),
      );
    }
  }
  // RFC 7692 7.1.1.1: "A server accepts an extension negotiation offer that
  // includes the server_no_context_takeover extension parameter by including
  // the server_no_context_takeover extension parameter in the corresponding
  // extension negotiation response".
  if (plan.serverNoContextTakeover && !answered.serverNoContextTakeover) {
    return fail(failure('not-accepted', SERVER_NO_CONTEXT_TAKEOVER, 'the offer asked for server_no_context_takeover and the response does not include it'));
  }

  return {
    type: 'accepted',
    negotiated: {
      // RFC 7692 7.1.1.2 and 7.1.2.2: the offer's client_no_context_takeover and
      // client_max_window_bits value are promises the client keeps even if the
      // response does not repeat them.
      compress: {
        windowBits: Math.min(plan.clientMaxWindowBits, answered.clientMaxWindowBits ?? 15) as WindowBits,
        noContextTakeover: plan.clientNoContextTakeover || answered.clientNoContextTakeover,
      },
      decompress: {
        windowBits: answered.serverMaxWindowBits ?? 15,
        noContextTakeover: answered.serverNoContextTakeover,
      },
    },
  };
}
