// @hybi/frame-codec: RFC 6455 framing and the close handshake, sans-IO.

// Connection layer
export { Connection } from './connection.js';
export type { ConnectionOptions, SendOptions } from './connection.js';
export type {
  CloseEvent,
  CloseTransportEvent,
  ConnectionEvent,
  ConnectionEvents,
  FragmentEvent,
  MessageEvent,
  MessageKind,
  PingEvent,
  PongEvent,
  ProtocolErrorEvent,
  WriteEvent,
} from './events.js';
export type { MessageExtension, ReceiveTransform, SendTransform, TransformFailure } from './extension.js';

// Frame layer
export { FrameParser } from './frame-parser.js';
export type { FrameErrorEvent, FrameEvent, FrameHeaderEvent, FrameParserOptions, FramePayloadEvent, Role } from './frame-parser.js';
export { encodeFrame } from './frame-encoder.js';
export type { FrameFields } from './frame-encoder.js';
export { mask } from './mask.js';

// Wire constants and helpers
export { MAX_CONTROL_PAYLOAD, Opcode, RSV1, RSV2, RSV3, isControlOpcode, isKnownOpcode } from './opcodes.js';
export { CloseCode, MAX_CLOSE_REASON, isValidCloseCode } from './close-codes.js';
export { Utf8Validator, decodeText, isValidUtf8 } from './utf8.js';
export { cryptoRandom, seededRandom } from './random.js';
export type { RandomSource } from './random.js';
