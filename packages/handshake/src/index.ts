// @hybi/handshake: the HTTP/1.1 opening handshake of RFC 6455 section 4,
// client and server, sans-IO.

// Server role.
export { ServerHandshake, validateUpgradeRequest } from './server.js';
export type { ServerOptions, ServerState, AcceptResult, ParsedRequest } from './server.js';
export { createAcceptResponse, createRejectResponse, reasonPhrase, validateAcceptOptions, validateRejectOptions } from './response.js';
export type { AcceptOptions, RejectOptions, AcceptChoice, RejectChoice } from './response.js';

// Client role.
export { ClientHandshake } from './client.js';
export type { ClientOptions, ClientState } from './client.js';
export type { WebSocketUrl, RequestOptions } from './request.js';

// Events.
export type {
  WebSocketRequest,
  RequestEvent,
  RejectEvent,
  HttpRequestHead,
  RejectCode,
  ServerEvent,
  AcceptedEvent,
  RejectedEvent,
  FailedEvent,
  FailureCode,
  ClientEvent,
} from './events.js';

// Negotiation fields, shared with @hybi/h2-bootstrap.
export { formatOffer, readOffer, readSelection } from './negotiation.js';
export type { Offer, OfferFields, OfferProblem, Selection, SelectionProblem } from './negotiation.js';

// The request target and the authority, as the HTTP/1.1 server reads them
// (request line, Host) and @hybi/h2-bootstrap reads :path and :authority.
export { isValidAuthority, parseRequestTarget } from './uri.js';
export type { RequestTarget } from './uri.js';

// Header lists, keys.
export type { HeadErrorCode } from './http-parser.js';
export { headerValues, isValidHeaderValue, setByHandshake, validateHeaderList } from './headers.js';
export type { HeaderFilter, HeaderList } from './headers.js';
export { computeAcceptKey } from './accept-key.js';
export type { RandomSource } from './accept-key.js';

// Header value grammars (shared with @hybi/h2-bootstrap).
export {
  formatExtensionList,
  isToken,
  isTokenChar,
  listContainsToken,
  parseExtensionList,
  parseTokenList,
} from './header-values.js';
export type { Extension, ExtensionParam, ParseResult } from './header-values.js';
