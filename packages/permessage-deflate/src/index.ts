export type { Compressor, Decompressor, DeflateBackend, DirectionParameters, InflateStep, WindowBits } from './backend.js';
export { EXTENSION_NAME, acceptServerResponse, createClientOffer, negotiateServer } from './negotiation.js';
export type {
  BackendCapabilities,
  ClientNegotiation,
  ClientNegotiationOptions,
  NegotiatedDeflate,
  NegotiationFailure,
  NegotiationProblem,
  ServerNegotiation,
  ServerNegotiationOptions,
} from './negotiation.js';
export { pakoBackend } from './pako-backend.js';
export type { PakoBackendOptions } from './pako-backend.js';
export { nodeZlibBackend } from './node-zlib-backend.js';
export type { NodeZlibBackendOptions, NodeZlibModule } from './node-zlib-backend.js';
export {
  CLOSE_INVALID_PAYLOAD,
  CLOSE_MESSAGE_TOO_BIG,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_THRESHOLD,
  MessageDeflater,
  MessageInflater,
  createPerMessageDeflate,
} from './message-codec.js';
export type { InflateResult, MessageDeflaterOptions, MessageInflaterOptions, PerMessageDeflateCodec, PerMessageDeflateOptions } from './message-codec.js';
export { PerMessageDeflate } from './extension.js';
export type { ClientDeflate, ClientDeflateOptions, ClientDeflateResult, PerMessageDeflateExtensionOptions, ServerDeflate, ServerDeflateOptions } from './extension.js';
// The extension-list syntax lives in @hybi/handshake; re-exported so that one
// import covers negotiating permessage-deflate from header values.
export { formatExtensionList, parseExtensionList } from '@hybi/handshake';
export type { Extension, ExtensionParam, ParseResult } from '@hybi/handshake';
