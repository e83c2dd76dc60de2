// The opening handshake's negotiation fields, the same whatever carries the
// handshake. RFC 8441 section 5: "The Origin, Sec-WebSocket-Version,
// Sec-WebSocket-Protocol, and Sec-WebSocket-Extensions header fields are used
// in the CONNECT request and response-header fields as defined in [RFC6455]."
// Used by this package's HTTP/1.1 roles and by @hybi/h2-bootstrap.
import { formatExtensionList, isToken, parseList, type Extension } from './header-values.js';
import { NONE, Tag, knownHeaderValues, type HeaderList, type KnownValues } from './headers.js';

/** What a client offers: subprotocols and extensions, in order of preference. */
export interface Offer {
  readonly protocols: readonly string[];
  readonly extensions: readonly Extension[];
}

/** The negotiation fields of a valid opening request. */
export interface OfferFields extends Offer {
  /** The Origin field, or null when absent. */
  readonly origin: string | null;
}

/** The rule of `readOffer` that a request breaks. */
export type OfferProblem = 'unsupported-websocket-version' | 'invalid-origin' | 'invalid-protocols' | 'invalid-extensions';

/**
 * A server's reading of an opening request's Sec-WebSocket-Version, Origin,
 * Sec-WebSocket-Protocol and Sec-WebSocket-Extensions, checked in that
 * order: the fields, or the first rule broken.
 */
export function readOffer(headers: HeaderList): OfferFields | OfferProblem {
  return offerOf(knownHeaderValues(headers));
}

/** `readOffer` on the values of `knownHeaderValues`. */
export function offerOf(values: KnownValues): OfferFields | OfferProblem {
  // RFC 6455 4.2.1: "A |Sec-WebSocket-Version| header field, with a value of
  // 13." 4.2.2: "If this version does not match a version understood by the
  // server, the server MUST abort the WebSocket handshake [...] and instead
  // send an appropriate HTTP error code [...] and a |Sec-WebSocket-Version|
  // header field indicating the version(s) the server is capable of
  // understanding."
  const versions = values[Tag.VERSION] ?? NONE;
  const origins = values[Tag.ORIGIN] ?? NONE;
  if (versions.length !== 1 || versions[0] !== '13') return 'unsupported-websocket-version';
  // RFC 6454 7.3: "User agents MUST NOT include more than one Origin header field".
  if (origins.length > 1) return 'invalid-origin';
  const protocols = parseList(values[Tag.PROTOCOL] ?? NONE, false);
  // RFC 6455 4.1: subprotocol elements "MUST all be unique strings".
  if (typeof protocols === 'string' || (protocols.length > 1 && new Set(protocols).size !== protocols.length)) return 'invalid-protocols';
  const extensions = parseList(values[Tag.EXTENSIONS] ?? NONE, true);
  if (typeof extensions === 'string') return 'invalid-extensions';
  return { origin: origins[0] ?? null, protocols, extensions };
}

/** A server's choice: one of the offered subprotocols or null, and extension response elements. */
export interface Selection {
  readonly protocol: string | null;
  readonly extensions: readonly Extension[];
}

/** The rule of `readSelection` (and `unoffered`) that a response breaks. */
export type SelectionProblem = 'invalid-protocol' | 'invalid-extensions' | 'unoffered-protocol' | 'unoffered-extension';

/**
 * What in `selection` the client did not offer: the subprotocol (compared
 * exactly), then an extension (by name); null when all of it was offered.
 */
export function unoffered(offer: Offer, selection: Selection): 'unoffered-protocol' | 'unoffered-extension' | null {
  const { protocol, extensions } = selection;
  // RFC 6455 4.2.2: the subprotocol "MUST be derived from the client's handshake".
  if (protocol !== null && !offer.protocols.includes(protocol)) return 'unoffered-protocol';
  // RFC 6455 9.1: only extensions the client offered may be used.
  return extensions.some((extension) => !offer.extensions.some((offered) => offered.name === extension?.name)) ? 'unoffered-extension' : null;
}

/**
 * A client's reading of the server's Sec-WebSocket-Protocol and
 * Sec-WebSocket-Extensions (RFC 6455 4.1): the selection, or the first rule
 * broken. Syntax first (the subprotocol list, then the extension list), then
 * one subprotocol at most, then what was not offered.
 */
export function readSelection(headers: HeaderList, offer: Offer): Selection | SelectionProblem {
  const values = knownHeaderValues(headers);
  const protocolLines = values[Tag.PROTOCOL] ?? NONE;
  const protocols = parseList(protocolLines, false);
  if (typeof protocols === 'string') return 'invalid-protocol';
  const extensions = parseList(values[Tag.EXTENSIONS] ?? NONE, true);
  if (typeof extensions === 'string') return 'invalid-extensions';
  // RFC 6455 4.2.2: the server sends "Either a single value representing the
  // subprotocol the server is ready to use or null": one token on one line,
  // or no line.
  const [protocol = null, ...others] = protocols;
  if (others.length > 0 || protocolLines.length > (protocol === null ? 0 : 1)) return 'invalid-protocol';
  // RFC 6455 4.1: "If the response includes a |Sec-WebSocket-Protocol| header
  // field and this header field indicates the use of a subprotocol that was
  // not present in the client's handshake [...], the client MUST _Fail the
  // WebSocket Connection_", and the same for extensions.
  const selection = { protocol, extensions };
  return unoffered(offer, selection) ?? selection;
}

/**
 * The Sec-WebSocket-Protocol and Sec-WebSocket-Extensions values of a
 * client's offer, null when empty. Throws a TypeError for subprotocols that
 * are not distinct tokens or extensions that cannot be formatted.
 */
export function formatOffer(offer: { readonly protocols?: readonly string[] | undefined; readonly extensions?: readonly Extension[] | undefined }): [protocols: string | null, extensions: string | null] {
  const { protocols = [], extensions = [] } = offer;
  // RFC 6455 4.1: the elements "MUST be non-empty strings with characters in
  // the range U+0021 to U+007E not including separator characters [...] and
  // MUST all be unique strings."
  if (!Array.isArray(protocols) || !protocols.every(isToken) || new Set(protocols).size !== protocols.length) throw new TypeError('protocols must be distinct tokens');
  return [protocols.length > 0 ? protocols.join(', ') : null, extensions.length > 0 ? formatExtensionList(extensions) : null];
}
