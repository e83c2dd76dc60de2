// Error codes of HTTP/2 (RFC 9113 section 7) and HTTP/3 (RFC 9114 section
// 8.1) that the WebSocket bootstrap can produce, and the shapes in which they
// are reported. Only the codes this package emits are listed.

/** Which HTTP version carries the WebSocket: selects error codes and the SETTINGS encoding. */
export type HttpVersion = 'h2' | 'h3';

/** RFC 9113 7: "The endpoint detected an unspecific protocol error." */
export const PROTOCOL_ERROR = 0x1;
/** RFC 9113 7: "The endpoint received a frame with an invalid size." */
export const FRAME_SIZE_ERROR = 0x6;
/** RFC 9113 7: "Used by the endpoint to indicate that the stream is no longer needed." */
export const CANCEL = 0x8;

/** RFC 9114 8.1: "A frame was received that was not permitted in the current state or on the current stream." */
export const H3_FRAME_UNEXPECTED = 0x0105;
/** RFC 9114 8.1: "A frame that fails to satisfy layout requirements or with an invalid size was received." */
export const H3_FRAME_ERROR = 0x0106;
/** RFC 9114 8.1: "An endpoint detected an error in the payload of a SETTINGS frame." */
export const H3_SETTINGS_ERROR = 0x0109;
/** RFC 9114 8.1: "The request or its response (including pushed response) is cancelled." */
export const H3_REQUEST_CANCELLED = 0x010c;
/** RFC 9114 8.1: "An HTTP message was malformed and cannot be processed." */
export const H3_MESSAGE_ERROR = 0x010e;

export type H2ErrorName = 'PROTOCOL_ERROR' | 'FRAME_SIZE_ERROR' | 'CANCEL';
export type H3ErrorName = 'H3_FRAME_UNEXPECTED' | 'H3_FRAME_ERROR' | 'H3_SETTINGS_ERROR' | 'H3_REQUEST_CANCELLED' | 'H3_MESSAGE_ERROR';
export type ErrorName = H2ErrorName | H3ErrorName;

const CODES: Readonly<Record<ErrorName, number>> = {
  PROTOCOL_ERROR,
  FRAME_SIZE_ERROR,
  CANCEL,
  H3_FRAME_UNEXPECTED,
  H3_FRAME_ERROR,
  H3_SETTINGS_ERROR,
  H3_REQUEST_CANCELLED,
  H3_MESSAGE_ERROR,
};

/**
 * The whole connection must be closed: GOAWAY with `code` in HTTP/2
 * (RFC 9113 5.4.1), CONNECTION_CLOSE with `code` in HTTP/3 (RFC 9114 8).
 * `kind` names the rule that was broken; `reason` is free text for logs.
 */
export interface ConnectionError {
  readonly type: 'connection-error';
  readonly kind: string;
  readonly code: number;
  readonly name: ErrorName;
  readonly reason: string;
}

/** Send a FIN on the stream: END_STREAM in HTTP/2 (RFC 9113 6.1), the QUIC FIN bit in HTTP/3 (RFC 9114 4.4). */
export interface EndStream {
  readonly type: 'end-stream';
}

/** Reset the stream: RST_STREAM in HTTP/2 (RFC 9113 6.4), RESET_STREAM (and STOP_SENDING) in HTTP/3. */
export interface ResetStream {
  readonly type: 'reset-stream';
  readonly code: number;
  readonly name: ErrorName;
}

/** What to do with the stream, as data; the embedder's HTTP/2 or HTTP/3 stack does it. */
export type StreamAction = EndStream | ResetStream;

/** @internal */
export function checkVersion(version: unknown): asserts version is HttpVersion {
  if (version !== 'h2' && version !== 'h3') throw new TypeError(`bad version ${String(version)}`);
}

/** @internal */
export function resetStream(name: ErrorName): ResetStream {
  return { type: 'reset-stream', code: CODES[name], name };
}

/** @internal */
export function connectionError(name: ErrorName, kind: string, reason: string): ConnectionError {
  return { type: 'connection-error', kind, code: CODES[name], name, reason };
}
