// The mapping between the end of a WebSocket connection and the end of its
// stream, as data. RFC 8441 section 5: "The HTTP/2 stream closure is also
// analogous to the TCP connection closure of [RFC6455]. Orderly TCP-level
// closures are represented as END_STREAM flags ([RFC7540], Section 6.1). RST
// exceptions are represented with the RST_STREAM frame ([RFC7540], Section
// 6.4) with the CANCEL error code ([RFC7540], Section 7)." RFC 9220 section 3
// says the same with "a FIN bit on the stream" and "a stream error ... of
// type H3_REQUEST_CANCELLED".

import { checkVersion, type EndStream, type HttpVersion, type ResetStream, resetStream } from './errors.js';

/**
 * The orderly end of the stream: what a TCP close is over HTTP/1.1. Do it
 * when the frame codec says the WebSocket close handshake is complete and the
 * transport may be closed.
 */
export const END_STREAM: EndStream = Object.freeze({ type: 'end-stream' });

/**
 * An abrupt end (the WebSocket connection is aborted without a close
 * handshake: the application gives up, a timeout, a failed handshake):
 * RST_STREAM(CANCEL) in HTTP/2, a reset with H3_REQUEST_CANCELLED in HTTP/3.
 * Throws a TypeError for a version other than 'h2' and 'h3'.
 */
export function abortStream(version: HttpVersion): ResetStream {
  checkVersion(version);
  return resetStream(version === 'h2' ? 'CANCEL' : 'H3_REQUEST_CANCELLED');
}

/** RFC 6455 7.4.1: 1006 "is used to indicate that the connection was closed abnormally". */
export const ABNORMAL_CLOSURE = 1006;

/** What a stream reset received from the peer means to the WebSocket application. */
export interface PeerReset {
  readonly type: 'peer-reset';
  /** Always 1006: the connection ended without a Close frame. Send nothing more on the stream. */
  readonly closeCode: typeof ABNORMAL_CLOSURE;
  /** The peer's reset code as received (any code: RFC 9114 9 says unknown ones mean H3_NO_ERROR). */
  readonly errorCode: number;
}

/**
 * Maps a reset received from the peer (RST_STREAM in HTTP/2, RESET_STREAM or
 * STOP_SENDING in HTTP/3) to close code 1006, whatever its error code.
 */
export function peerReset(errorCode: number): PeerReset {
  return { type: 'peer-reset', closeCode: ABNORMAL_CLOSURE, errorCode };
}
