export {
  CANCEL,
  FRAME_SIZE_ERROR,
  H3_FRAME_ERROR,
  H3_FRAME_UNEXPECTED,
  H3_MESSAGE_ERROR,
  H3_REQUEST_CANCELLED,
  H3_SETTINGS_ERROR,
  PROTOCOL_ERROR,
} from './errors.js';
export type { ConnectionError, EndStream, ErrorName, H2ErrorName, H3ErrorName, HttpVersion, ResetStream, StreamAction } from './errors.js';
export { decodeSettings, decodeVarint, encodeSettings, encodeVarint, PeerSettings, SETTINGS_ENABLE_CONNECT_PROTOCOL } from './settings.js';
export type { ConnectProtocolState, DecodedSettings, PeerSettingsEvent, PeerSettingsOptions, Setting, SettingsApplied } from './settings.js';
export type { HeaderList, MalformedKind, MalformedMessage } from './header-list.js';
export type { WebSocketRequest } from '@hybi/handshake';
export { acceptRequest, parseRequest, rejectRequest } from './server.js';
export type { AcceptOptions, BadRequest, BadRequestKind, NotExtendedConnect, RequestEvent, ServerEvent, ServerOptions, UnsupportedProtocol } from './server.js';
export { buildRequest, parseResponse } from './client.js';
export type { Accepted, ClientEvent, ClientOptions, ExtendedConnectRequest, ExtendedConnectUnavailable, Failed, FailedKind, Informational, Rejected } from './client.js';
export { ABNORMAL_CLOSURE, abortStream, END_STREAM, peerReset } from './stream-ends.js';
export type { PeerReset } from './stream-ends.js';
