// Server role: validate the extended CONNECT request header list
// (RFC 8441 sections 4 and 5, RFC 9220 section 3) and build the response.
//
// Validation order (the first rule broken decides the event):
//   1. each field line in order: name (uppercase, then token), value,
//      pseudo-header rules (after a regular field; :protocol without the
//      setting; not a request pseudo-header; repeated), connection-specific
//      field                                                -> 'malformed'
//   2. :method missing                                      -> 'malformed'
//   3. no :protocol                                         -> 'not-extended-connect'
//      (:protocol on a method other than CONNECT            -> 'malformed')
//   4. :scheme, :path, :authority missing, in that order    -> 'malformed'
//   5. :protocol (a token), :scheme, :path (origin-form), :authority (as
//      Host), in that order; then a Host field that differs
//      from :authority                                      -> 'malformed'
//   6. :protocol other than "websocket"                     -> 'unsupported-protocol' (501)
//   7. sec-websocket-version not exactly "13"               -> 'bad-request' (400)
//   8. origin on more than one line                         -> 'bad-request' (400)
//   9. sec-websocket-protocol not parsable or repeating a
//      subprotocol, then sec-websocket-extensions not
//      parsable                                             -> 'bad-request' (400)
//      (7-9 are @hybi/handshake's readOffer)
//  10. otherwise                                            -> 'request'

import { type Extension, headerValues, isToken, isValidAuthority, type OfferProblem, parseRequestTarget, readOffer, setByHandshake, validateAcceptOptions, validateRejectOptions, type WebSocketRequest } from '@hybi/handshake';
import type { HttpVersion } from './errors.js';
import { type HeaderList, headerListFilter, malformedMessage, type MalformedMessage, splitFieldSections } from './header-list.js';

export interface ServerOptions {
  readonly version: HttpVersion;
  /**
   * True when this endpoint sent SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 on the
   * connection. Without it, `:protocol` makes a request malformed (RFC 8441 3).
   */
  readonly connectProtocolEnabled: boolean;
}

/**
 * A valid WebSocket handshake request: @hybi/handshake's `WebSocketRequest`
 * (path, query, origin, protocols, extensions, headers, the same fields as an
 * HTTP/1.1 Upgrade request gives) with the target URI's scheme and authority.
 */
export interface RequestEvent extends WebSocketRequest {
  readonly type: 'request';
  /** `:scheme`: "https" for wss, "http" for ws (proxies such as HAProxy send "https" on cleartext). */
  readonly scheme: string;
  /** `:authority`: the Host of HTTP/1.1. */
  readonly authority: string;
}

/** A request that is not an extended CONNECT (a plain request or a classic CONNECT): not for this package. */
export interface NotExtendedConnect {
  readonly type: 'not-extended-connect';
  readonly method: string;
}

/**
 * An extended CONNECT for another protocol. RFC 9220 3: "the server SHOULD
 * respond to the request with a 501 (Not Implemented) status code";
 * `response` is that response, unless the embedder serves `protocol` itself.
 */
export interface UnsupportedProtocol {
  readonly type: 'unsupported-protocol';
  readonly protocol: string;
  readonly status: 501;
  readonly response: HeaderList;
}

export type BadRequestKind = 'unsupported-version' | 'duplicate-origin' | 'invalid-subprotocol-list' | 'invalid-extension-list';

/** A well-formed request that is not an acceptable WebSocket handshake: send `response`, then end the stream. */
export interface BadRequest {
  readonly type: 'bad-request';
  readonly kind: BadRequestKind;
  readonly reason: string;
  readonly status: 400;
  readonly response: HeaderList;
}

export type ServerEvent = RequestEvent | NotExtendedConnect | UnsupportedProtocol | BadRequest | MalformedMessage;

/**
 * Validates the header list of a request received on a new stream. Never
 * throws for any array of pairs (the peer's input); the event says what to do.
 */
export function parseRequest(headers: HeaderList, options: ServerOptions): ServerEvent {
  const version = options?.version;
  if (typeof options?.connectProtocolEnabled !== 'boolean') throw new TypeError('bad connectProtocolEnabled');
  const sections = splitFieldSections(headers, true, version, options.connectProtocolEnabled);
  if ('type' in sections) return sections;
  const { pseudo, regular } = sections;

  const method = pseudo.get(':method');
  // RFC 9113 8.3.1: "All HTTP/2 requests MUST include exactly one valid value
  // for the :method ... pseudo-header field".
  if (method === undefined) return malformedMessage(version, 'missing-pseudo-header', ':method');
  const protocol = pseudo.get(':protocol');
  if (protocol === undefined) return { type: 'not-extended-connect', method };
  // RFC 8441 4: ":protocol MAY be included on request HEADERS" of the
  // extended CONNECT; pseudo-header fields "are only valid in the context in
  // which they are defined" (RFC 9113 8.3).
  if (method !== 'CONNECT') return malformedMessage(version, 'invalid-pseudo-header', `:protocol on ${method}`);

  // RFC 8441 4: "On requests that contain the :protocol pseudo-header field,
  // the :scheme and :path pseudo-header fields of the target URI ... MUST
  // also be included", and :authority is that of the target URI as on any
  // request (RFC 9113 8.3.1), not CONNECT's host:port. RFC 9220 3: "The
  // semantics of the pseudo-header fields and setting are identical".
  for (const name of [':scheme', ':path', ':authority']) {
    if (!pseudo.has(name)) return malformedMessage(version, 'missing-pseudo-header', name);
  }
  const scheme = pseudo.get(':scheme')!;
  const target = parseRequestTarget(pseudo.get(':path')!);
  const authority = pseudo.get(':authority')!;
  // RFC 9113 8.3: "Endpoints MUST treat a request or response that contains
  // undefined or invalid pseudo-header fields as malformed."
  // RFC 8441 4: ":protocol ... contains a value from the 'Hypertext Transfer
  // Protocol (HTTP) Upgrade Token Registry'": a protocol-name, a token (RFC
  // 9110 7.8). Another token is a protocol this package does not serve (6).
  if (!isToken(protocol)) return malformedMessage(version, 'invalid-pseudo-header', ':protocol');
  // RFC 8441 5: "The scheme of the target URI ... MUST be 'https' for
  // 'wss'-schemed WebSockets and 'http' for 'ws'-schemed WebSockets."
  if (scheme !== 'https' && scheme !== 'http') return malformedMessage(version, 'invalid-pseudo-header', ':scheme');
  // RFC 9113 8.3.1: ":path ... contains the path and query parts of the
  // target URI (the absolute-path production and optionally a '?' character
  // followed by the query production)": an origin-form target, read by
  // @hybi/handshake as in an HTTP/1.1 request line.
  if (target === null || target.authority !== null) return malformedMessage(version, 'invalid-pseudo-header', ':path');
  // RFC 9113 8.3.1: "The authority MUST NOT include the deprecated userinfo
  // subcomponent for 'http' or 'https' schemed URIs." RFC 9114 4.3.1: "If
  // these fields are present, they MUST NOT be empty." Read by
  // @hybi/handshake as HTTP/1.1's Host (RFC 9110 7.2).
  if (!isValidAuthority(authority)) return malformedMessage(version, 'invalid-pseudo-header', ':authority');
  // RFC 9114 4.3.1: "If both fields are present, they MUST contain the same
  // value." RFC 9113 8.3.1: a server "SHOULD treat a request as malformed if
  // it contains a Host header field that identifies an entity that differs
  // from the entity in the :authority pseudo-header field". RFC 3986 3.2.2:
  // "The host subcomponent is case-insensitive" (the port is digits).
  const hosts = headerValues(regular, 'host');
  if (hosts.some((host) => host.toLowerCase() !== authority.toLowerCase())) return malformedMessage(version, 'host-mismatch', 'host');

  // RFC 8441 5: the :protocol value "MUST have a value of `websocket` to
  // initiate a WebSocket connection".
  if (protocol !== 'websocket') return { type: 'unsupported-protocol', protocol, status: 501, response: [[':status', '501']] };

  // RFC 8441 5: "The Origin, Sec-WebSocket-Version, Sec-WebSocket-Protocol,
  // and Sec-WebSocket-Extensions header fields are used in the CONNECT
  // request and response-header fields as defined in [RFC6455]": read by
  // @hybi/handshake's readOffer, as for HTTP/1.1. Sec-WebSocket-Key is not
  // processed ("superseded by the :protocol pseudo-header field"), so the one
  // HAProxy forwards is ignored.
  const offer = readOffer(regular);
  // RFC 6455 4.2.2: for another version the server sends "an appropriate
  // HTTP error code ... and a |Sec-WebSocket-Version| header field indicating
  // the version(s) the server is capable of understanding". 426 belongs to
  // HTTP/1.1 Upgrade, which HTTP/2 and HTTP/3 do not have.
  if (typeof offer === 'string') return badRequest(BAD_REQUEST_KINDS[offer], offer);

  return {
    type: 'request',
    scheme,
    authority,
    path: target.path,
    query: target.query,
    origin: offer.origin,
    protocols: offer.protocols,
    extensions: offer.extensions,
    headers: regular,
  };
}

const BAD_REQUEST_KINDS: Readonly<Record<OfferProblem, BadRequestKind>> = {
  'unsupported-websocket-version': 'unsupported-version',
  'invalid-origin': 'duplicate-origin',
  'invalid-protocols': 'invalid-subprotocol-list',
  'invalid-extensions': 'invalid-extension-list',
};

function badRequest(kind: BadRequestKind, reason: string): BadRequest {
  return { type: 'bad-request', kind, reason, status: 400, response: kind === 'unsupported-version' ? [[':status', '400'], ['sec-websocket-version', '13']] : [[':status', '400']] };
}

export interface AcceptOptions {
  /** The chosen subprotocol; must be one the client offered. Default: none. */
  readonly protocol?: string | null;
  /** Extension responses (e.g. from a permessage-deflate negotiator); each name must have been offered. Default: none. */
  readonly extensions?: readonly Extension[];
  /** Extra response fields, lower-case, not pseudo-header, connection-specific, Content-Length or Sec-WebSocket-* fields. */
  readonly headers?: HeaderList;
}

// RFC 9110 9.3.6: "A server MUST NOT send any Transfer-Encoding or
// Content-Length header field in a 2xx (Successful) response to CONNECT";
// the Sec-WebSocket-* fields are the handshake's.
const refusedInAccept = headerListFilter(false, setByHandshake(true));
const refusedInReject = headerListFilter(false);

/**
 * The response header list that accepts `request`: `:status 200` (RFC 8441
 * 5, as RFC 6455's 101), the chosen subprotocol and extensions, extra fields.
 * After sending it, the stream's DATA carries WebSocket frames. Throws
 * TypeError for a subprotocol or extension the client did not offer, or
 * fields that @hybi/handshake's `validateAcceptOptions` refuses with this
 * package's header-list rules.
 */
export function acceptRequest(request: WebSocketRequest, options: AcceptOptions = {}): HeaderList {
  const choice = validateAcceptOptions(request, options, refusedInAccept);
  const response: [string, string][] = [[':status', '200']];
  if (choice.protocol !== null) response.push(['sec-websocket-protocol', choice.protocol]);
  if (choice.extensionsValue !== null) response.push(['sec-websocket-extensions', choice.extensionsValue]);
  return [...response, ...choice.headers];
}

/**
 * A response header list that declines the handshake with `status`
 * (300-599, not 304, as @hybi/handshake's `validateRejectOptions`) and extra
 * fields. Send a body, if any, as DATA, then END_STREAM.
 */
export function rejectRequest(status: number, headers?: HeaderList): HeaderList {
  const choice = validateRejectOptions({ status, headers }, refusedInReject);
  return [[':status', String(choice.status)], ...choice.headers];
}
