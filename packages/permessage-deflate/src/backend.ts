// The seam between permessage-deflate and a DEFLATE implementation. Everything
// here is synchronous: a backend is driven from inside a sans-IO state machine
// that must return its events before the caller's push() returns.

/** Base-2 logarithm of an LZ77 sliding window, as RFC 7692 section 7.1.2 allows. */
export type WindowBits = 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15;

/**
 * The 4 octets that a DEFLATE sync flush ends with (an empty stored block's
 * LEN and NLEN). RFC 7692 7.2.1 step 3: the sender removes them; 7.2.2 step 1:
 * the receiver appends them again.
 */
export const DEFLATE_TAIL: Uint8Array = /* @__PURE__ */ Uint8Array.of(0x00, 0x00, 0xff, 0xff);

/** The reason of a message that does not end on a DEFLATE block boundary (RFC 7692 7.2.1 step 3). */
export const NOT_AT_BOUNDARY = 'the compressed message does not end on a DEFLATE block boundary';

/** What one direction of a permessage-deflate connection agreed to. */
export interface DirectionParameters {
  /**
   * The LZ77 window of this direction's messages: the compressor must keep
   * every back-reference within `2 ** windowBits` bytes; the decompressor
   * allocates a window of that size.
   */
  readonly windowBits: WindowBits;
  /** Every message starts from an empty window (no context takeover). */
  readonly noContextTakeover: boolean;
}

/**
 * A DEFLATE implementation. A backend must be synchronous and must not keep
 * references to input arrays after a call returns.
 */
export interface DeflateBackend {
  /** Short name for messages and benchmarks, e.g. `"pako"` or `"node:zlib"`. */
  readonly name: string;
  /**
   * The windows this backend's compressor can keep its output within.
   *
   * Negotiation never agrees to a window below `min` for messages this
   * endpoint compresses: a server declines an offer whose
   * `server_max_window_bits` is smaller, a client fails a response whose
   * `client_max_window_bits` is smaller (and does not offer the parameter at
   * all unless `min` is 8). Above `max` the compressor simply uses `max`:
   * a smaller window than agreed is always decodable.
   *
   * zlib-style backends report `min: 8` although zlib raises a raw window of
   * 8 to 9: zlib never emits a distance greater than the window size minus
   * 262 (`MAX_DIST`), so with 9 bits every distance is at most 250 and fits
   * the 256-byte window the peer allocates. The package's tests check this
   * with a strict 8-bit inflater.
   */
  readonly compressWindowBits: { readonly min: WindowBits; readonly max: WindowBits };
  /** A compressor for the messages one endpoint sends. */
  createCompressor(options: DirectionParameters): Compressor;
  /** A decompressor for the messages one endpoint receives. */
  createDecompressor(options: DirectionParameters): Decompressor;
}

/**
 * Compresses the messages of one direction, one message at a time.
 *
 * The caller never passes an empty message (it sends the single octet 0x00 of
 * RFC 7692 7.2.3.6 itself) and never passes an empty piece that is not the
 * last one.
 */
export interface Compressor {
  /**
   * Compresses the next piece of the current message and returns the
   * compressed octets produced so far (possibly none for a piece that is not
   * the last). With `fin` the message ends: the output is sync-flushed and the
   * trailing `00 00 ff ff` removed (RFC 7692 7.2.1). With
   * `noContextTakeover`, the next message then starts from an empty window.
   * The returned array belongs to the caller.
   */
  write(piece: Uint8Array, fin: boolean): Uint8Array;
}

/** The outcome of feeding a decompressor. */
export type InflateStep =
  /** Output produced by this call, in order (possibly none). The arrays belong to the caller. */
  | { readonly type: 'data'; readonly chunks: readonly Uint8Array[] }
  /** The message would inflate to more than `maxOutput` octets. */
  | { readonly type: 'too-large' }
  /** The message has more than `maxFinalBlocks` DEFLATE blocks with BFINAL set. */
  | { readonly type: 'too-many-final-blocks' }
  /** The compressed data is not valid DEFLATE, or does not end on a block boundary. */
  | { readonly type: 'corrupt'; readonly reason: string };

/**
 * Decompresses the messages of one direction, fed in pieces.
 *
 * Bounded: a call never produces more than `maxOutput` octets and allocates
 * at most a small fixed amount beyond them before reporting `too-large`.
 * After `too-large` or `corrupt` the decompressor is unusable: the
 * connection is failing.
 */
export interface Decompressor {
  /**
   * Inflates the next piece of the current message's compressed payload.
   * With `fin` (the last piece, possibly empty) the backend appends
   * `00 00 ff ff` (RFC 7692 7.2.2) and requires the data to end on a DEFLATE
   * block boundary; with `noContextTakeover` it then forgets the window.
   * `maxOutput` is how many more octets the current message may inflate to.
   *
   * After a block with BFINAL set the stream goes on with the next block,
   * window kept (RFC 7692 7.2.3.4). `maxFinalBlocks` is how many such blocks
   * the current message may contain in all: each costs a restart (a whole
   * one-shot call with `node:zlib`), so their number must be bounded for the
   * work to stay linear in the input.
   */
  write(piece: Uint8Array, fin: boolean, maxOutput: number, maxFinalBlocks: number): InflateStep;
}

/** Checks an integer option given by local code (`fallback` when undefined); throws RangeError otherwise. */
export function checkInteger(value: unknown, name: string, min: number, max: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Checks a window size given by local code; throws RangeError otherwise. */
export function checkWindowBits(value: unknown, what: string): WindowBits {
  return checkInteger(value, what, 8, 15) as WindowBits;
}
