// Client role: build the extended CONNECT request (RFC 8441 sections 4 and 5,
// RFC 9220 section 3) once the peer allowed it, and validate the response.
//
// Response validation order (the first rule broken decides the event):
//   1. each field line in order: name, value, pseudo-header rules (after a
//      regular field; not :status; repeated), connection-specific field
//                                                          -> 'malformed'
//   2. :status missing, not three digits from 100 to 599, or 101
//                                                          -> 'malformed'
//   3. other 1xx                                           -> 'informational' (wait for the final response)
//   4. not 2xx                                             -> 'rejected'
//   5. sec-websocket-protocol, then sec-websocket-extensions unparsable
//                                                          -> 'failed'
//   6. more than one subprotocol or an empty field; then a subprotocol not
//      offered; then an extension not offered              -> 'failed'
//      (5-6 are @hybi/handshake's readSelection)
//   7. otherwise                                           -> 'accepted'

import { type Extension, formatOffer, isValidAuthority, parseRequestTarget, readSelection, reasonPhrase, type SelectionProblem, setByHandshake } from '@hybi/handshake';
import { checkVersion, type HttpVersion, type ResetStream } from './errors.js';
import { checkLocalHeaders, type HeaderList, malformedMessage, type MalformedMessage, splitFieldSections } from './header-list.js';
import type { ConnectProtocolState } from './settings.js';
import { abortStream } from './stream-ends.js';

export interface ClientOptions {
  readonly version: HttpVersion;
  /** "https" for a wss URI, "http" for a ws URI (RFC 8441 5). */
  readonly scheme: 'http' | 'https';
  /** The authority of the URI: host, and port when not the default. */
  readonly authority: string;
  /** Path and query of the URI, starting with "/". */
  readonly path: string;
  readonly origin?: string;
  /** Subprotocols to offer, in order of preference. */
  readonly protocols?: readonly string[];
  /** Extension offers (e.g. from a permessage-deflate negotiator). */
  readonly extensions?: readonly Extension[];
  /** Extra request fields: lower-case, not pseudo-header, connection-specific, Origin or Sec-WebSocket-* fields. */
  readonly headers?: HeaderList;
}

/** The request header list, ready to send on a new stream (without END_STREAM). */
export interface ExtendedConnectRequest {
  readonly type: 'request';
  readonly headers: HeaderList;
}

/**
 * The peer has not enabled extended CONNECT: wait for its SETTINGS
 * (`awaiting-settings`) or use HTTP/1.1 Upgrade on another connection
 * (`disabled`, `failed`).
 */
export interface ExtendedConnectUnavailable {
  readonly type: 'extended-connect-unavailable';
  readonly peerSetting: Exclude<ConnectProtocolState, 'enabled'>;
}

/**
 * Builds the extended CONNECT request, or refuses while the peer's
 * SETTINGS_ENABLE_CONNECT_PROTOCOL is not 1 (RFC 8441 3: "Upon receipt of
 * SETTINGS_ENABLE_CONNECT_PROTOCOL with a value of 1, a client MAY use the
 * Extended CONNECT"). `peerSetting` is `PeerSettings.state`, or with Node's
 * http2 `remoteSettings.enableConnectProtocol ? 'enabled' : 'disabled'`.
 * Throws TypeError for invalid options.
 */
export function buildRequest(options: ClientOptions, peerSetting: ConnectProtocolState): ExtendedConnectRequest | ExtendedConnectUnavailable {
  const [[protocols, extensions], extra] = checkClientOptions(options);
  if (peerSetting !== 'enabled') {
    if (peerSetting !== 'awaiting-settings' && peerSetting !== 'disabled' && peerSetting !== 'failed') throw new TypeError(`bad peerSetting ${String(peerSetting)}`);
    return { type: 'extended-connect-unavailable', peerSetting };
  }
  // RFC 8441 4 and 5; pseudo-header fields first (RFC 9113 8.3). No
  // Connection, Upgrade or Sec-WebSocket-Key (RFC 8441 5).
  const headers: [string, string][] = [
    [':method', 'CONNECT'],
    [':protocol', 'websocket'],
    [':scheme', options.scheme],
    [':path', options.path],
    [':authority', options.authority],
    ['sec-websocket-version', '13'],
  ];
  if (options.origin !== undefined) headers.push(['origin', options.origin]);
  if (protocols !== null) headers.push(['sec-websocket-protocol', protocols]);
  if (extensions !== null) headers.push(['sec-websocket-extensions', extensions]);
  return { type: 'request', headers: [...headers, ...extra] };
}

// Host and Origin have their own fields; the Sec-WebSocket-* fields are the
// handshake's; a CONNECT request has no content (RFC 9110 9.3.6).
const refusedInRequest = setByHandshake(true, 'host', 'origin');

function check(what: string, value: unknown, valid: boolean): void {
  if (!valid) throw new TypeError(`bad ${what} ${String(value)}`);
}

/**
 * Checks the options of buildRequest and parseResponse; returns the offer's
 * values (@hybi/handshake's `formatOffer`) and the extra fields. Throws
 * TypeError.
 */
function checkClientOptions(options: ClientOptions): [offer: [protocols: string | null, extensions: string | null], extra: HeaderList] {
  checkVersion(options?.version);
  const { scheme, authority, path, origin } = options;
  check('scheme', scheme, scheme === 'http' || scheme === 'https');
  // What a server accepts (@hybi/handshake's grammar of Host and of an
  // origin-form target, as HTTP/1.1 has them), with a port that can be
  // connected to.
  const port = typeof authority === 'string' ? /:(\d*)$/.exec(authority) : null;
  check('authority', authority, isValidAuthority(authority) && (port === null || (+port[1]! > 0 && +port[1]! < 65536)));
  check('path', path, typeof path === 'string' && parseRequestTarget(path)?.authority === null);
  if (origin !== undefined) check('origin', origin, typeof origin === 'string' && /^[!-~]+$/.test(origin));
  return [formatOffer(options), checkLocalHeaders(options.headers, true, refusedInRequest)];
}

/** The server accepted: the stream's DATA now carries WebSocket frames. */
export interface Accepted {
  readonly type: 'accepted';
  readonly status: number;
  /** The subprotocol the server chose, or null. */
  readonly protocol: string | null;
  /** The extensions the server accepted, with its parameters, in order. */
  readonly extensions: readonly Extension[];
  /** Every regular field line, in order. */
  readonly headers: HeaderList;
}

/** An interim 1xx response (not 101); the final response is still to come. */
export interface Informational {
  readonly type: 'informational';
  readonly status: number;
  readonly headers: HeaderList;
}

/** The server declined with a non-2xx status; any body follows as DATA. */
export interface Rejected {
  readonly type: 'rejected';
  readonly status: number;
  /**
   * The status in words, as @hybi/handshake's `rejected` event has the
   * reason phrase (HTTP/2 and HTTP/3 send none, RFC 9113 8.3.2): its
   * `reasonPhrase`, e.g. "Forbidden", or "status 503" for a status it does
   * not name.
   */
  readonly reason: string;
  readonly headers: HeaderList;
}

export type FailedKind = 'invalid-subprotocol' | 'unexpected-subprotocol' | 'invalid-extension-list' | 'unexpected-extension';

/**
 * A 2xx response that RFC 6455 4.1 says to answer by failing the WebSocket
 * connection; `action` is the reset that aborts the stream (RFC 8441 5:
 * "RST exceptions are represented with the RST_STREAM frame ... with the
 * CANCEL error code").
 */
export interface Failed {
  readonly type: 'failed';
  readonly kind: FailedKind;
  readonly reason: string;
  readonly status: number;
  readonly action: ResetStream;
}

export type ClientEvent = Accepted | Informational | Rejected | Failed | MalformedMessage;

/**
 * Validates a response header list received on the stream of a request
 * built with the same `options`. Never throws for any array of pairs;
 * throws TypeError for options that buildRequest refuses.
 */
export function parseResponse(headers: HeaderList, options: ClientOptions): ClientEvent {
  checkClientOptions(options);
  const version = options.version;
  const sections = splitFieldSections(headers, false, version, false);
  if ('type' in sections) return sections;
  const { pseudo, regular } = sections;

  const statusText = pseudo.get(':status');
  // RFC 9113 8.3.2 / RFC 9114 4.3.2: ":status ... MUST be included in all
  // responses; otherwise, the response is malformed".
  if (statusText === undefined) return malformedMessage(version, 'missing-pseudo-header', ':status');
  // RFC 9110 15: "All valid status codes are within the range of 100 to 599, inclusive."
  if (!/^[1-5][0-9][0-9]$/.test(statusText)) return malformedMessage(version, 'invalid-pseudo-header', ':status');
  const status = Number(statusText);
  // RFC 9113 8.1: "HTTP/2 removes support for the 101 (Switching Protocols)
  // informational status code". RFC 9114 4.5: "HTTP/3 does not support ...
  // the 101 (Switching Protocols) informational status code".
  if (status === 101) return malformedMessage(version, 'invalid-pseudo-header', ':status 101');
  if (status < 200) return { type: 'informational', status, headers: regular };
  // RFC 9110 9.3.6 (CONNECT): "Any 2xx (Successful) response indicates that
  // the sender (and all inbound proxies) will switch to tunnel mode".
  if (status >= 300) return { type: 'rejected', status, reason: reasonPhrase(status) || `status ${status}`, headers: regular };

  // RFC 6455 4.1, read by @hybi/handshake's readSelection as for HTTP/1.1:
  // the lists parse, one subprotocol at most, each choice offered.
  const selection = readSelection(regular, { protocols: options.protocols ?? [], extensions: options.extensions ?? [] });
  if (typeof selection === 'string') return failed(version, status, FAILED_KINDS[selection], selection);
  return { type: 'accepted', status, protocol: selection.protocol, extensions: selection.extensions, headers: regular };
}

const FAILED_KINDS: Readonly<Record<SelectionProblem, FailedKind>> = {
  'invalid-protocol': 'invalid-subprotocol',
  'unoffered-protocol': 'unexpected-subprotocol',
  'invalid-extensions': 'invalid-extension-list',
  'unoffered-extension': 'unexpected-extension',
};

function failed(version: HttpVersion, status: number, kind: FailedKind, reason: string): Failed {
  return { type: 'failed', kind, reason, status, action: abortStream(version) };
}
