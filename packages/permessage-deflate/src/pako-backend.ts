// The default backend: pako 3, a port of zlib to JavaScript that runs in every
// target runtime. Its low-level zlib API lets the inflater be driven with an
// exact output budget (avail_out), which is what bounded inflation needs.

import {
  ZStream,
  Z_BUF_ERROR,
  Z_NO_FLUSH,
  Z_OK,
  Z_STREAM_END,
  Z_SYNC_FLUSH,
  zlibDeflate,
  zlibDeflateInit2,
  zlibDeflateReset,
  zlibInflate,
  zlibInflateInit2,
} from 'pako';
import { DEFLATE_TAIL, NOT_AT_BOUNDARY, checkInteger, type Compressor, type Decompressor, type DeflateBackend, type DirectionParameters, type InflateStep } from './backend.js';

/** Options of {@link pakoBackend}. */
export interface PakoBackendOptions {
  /** zlib compression level, 0 (stored) to 9 (default 6, as `ws` and zlib). */
  readonly level?: number;
  /**
   * zlib memLevel, 1 to 9 (default 8, as `ws` and zlib): compressor memory
   * and speed against ratio. See the README's memory table.
   */
  readonly memLevel?: number;
}

const Z_DEFLATED = 8;
const Z_DEFAULT_STRATEGY = 0;

/** Largest output chunk the inflater allocates at once. */
const MAX_CHUNK = 64 * 1024;
const MIN_CHUNK = 1024;

// pako's inflate modes (src/zlib/inflate.mjs of pako 3.0.3, pinned in
// package.json; the vector tests fail if they ever move). TYPE and TYPEDO:
// waiting for the next block header; DONE: after a block with BFINAL set.
const MODE_TYPE = 16191;
const MODE_TYPEDO = 16192;
const MODE_DONE = 16208;

/**
 * The default backend, built on pako 3's low-level zlib API. Runs wherever
 * JavaScript does (Node, Deno, Bun, browsers). Compresses within 8 to 15
 * window bits (8 runs zlib's 9-bit window, whose distances never exceed 250).
 */
export function pakoBackend(options: PakoBackendOptions = {}): DeflateBackend {
  const level = checkInteger(options.level, 'level', 0, 9, 6);
  const memLevel = checkInteger(options.memLevel, 'memLevel', 1, 9, 8);
  return {
    name: 'pako',
    compressWindowBits: { min: 8, max: 15 },
    createCompressor: (params) => new PakoCompressor(params, level, memLevel),
    createDecompressor: (params) => new PakoDecompressor(params),
  };
}

class PakoCompressor implements Compressor {
  readonly #strm = new ZStream();
  readonly #noContextTakeover: boolean;

  constructor(params: DirectionParameters, level: number, memLevel: number) {
    // zlib refuses a raw window of 8 and uses 9 (see DeflateBackend.compressWindowBits).
    const windowBits = Math.max(9, params.windowBits);
    // pako's default hash table has at least 2^15 entries whatever memLevel
    // says; zlib's own hash ("legacy") has 2^(memLevel + 7). They only differ
    // below memLevel 8, where a smaller memLevel must mean less memory.
    const zlibHash = memLevel < 8;
    const status = zlibDeflateInit2(this.#strm, level, Z_DEFLATED, -windowBits, memLevel, Z_DEFAULT_STRATEGY, zlibHash);
    if (status !== Z_OK) throw new Error(`pako deflateInit2 failed (${status})`);
    this.#noContextTakeover = params.noContextTakeover;
  }

  write(piece: Uint8Array, fin: boolean): Uint8Array {
    const strm = this.#strm;
    strm.input = piece;
    strm.next_in = 0;
    strm.avail_in = piece.length;
    // zlib's deflateBound for raw data, plus room for the sync flush's empty
    // stored block; anything buffered from earlier pieces grows the buffer.
    let output = new Uint8Array(piece.length + (piece.length >> 12) + (piece.length >> 14) + 32);
    let used = 0;
    for (;;) {
      strm.output = output;
      strm.next_out = used;
      strm.avail_out = output.length - used;
      const status = zlibDeflate(strm, fin ? Z_SYNC_FLUSH : Z_NO_FLUSH);
      used = strm.next_out;
      if (status !== Z_OK && status !== Z_BUF_ERROR) throw new Error(`pako deflate failed (${status}): ${strm.msg}`);
      // zlib: with avail_out == 0 "this function must be called again with the
      // same value of the flush parameter and more output space".
      if (strm.avail_out !== 0) break;
      const grown = new Uint8Array(output.length * 2);
      grown.set(output);
      output = grown;
    }
    strm.input = EMPTY;
    let end = used;
    if (fin) {
      // RFC 7692 7.2.1 step 3: "Remove 4 octets (that are 0x00 0x00 0xff 0xff)
      // from the tail end." A sync flush always ends with them.
      end -= 4;
      if (this.#noContextTakeover) zlibDeflateReset(strm);
    }
    // Hand out a right-sized copy when the estimate was generous, so a queued
    // message does not pin a buffer the size of its plaintext.
    return end * 2 < output.length ? output.slice(0, end) : output.subarray(0, end);
  }
}

const EMPTY = new Uint8Array(0) as Uint8Array<ArrayBuffer>;

class PakoDecompressor implements Decompressor {
  readonly #strm = new ZStream();
  readonly #noContextTakeover: boolean;
  /** The buffer being filled for the current message, shared by its output views. */
  #output: Uint8Array<ArrayBuffer> = EMPTY;
  #outputUsed = 0;
  /** Inflate returned Z_STREAM_END (a BFINAL block): restart before more input. */
  #streamEnded = false;
  /** Blocks with BFINAL set in the current message. */
  #finalBlocks = 0;
  #failed = false;
  /** Octets produced by the current write() call. */
  #produced = 0;

  constructor(params: DirectionParameters) {
    const status = zlibInflateInit2(this.#strm, -params.windowBits);
    if (status !== Z_OK) throw new Error(`pako inflateInit2 failed (${status})`);
    this.#noContextTakeover = params.noContextTakeover;
  }

  write(piece: Uint8Array, fin: boolean, maxOutput: number, maxFinalBlocks: number): InflateStep {
    if (this.#failed) throw new Error('this decompressor already reported a failure; the connection must be closed');
    const chunks: Uint8Array[] = [];
    this.#produced = 0;
    let step = piece.length === 0 ? null : this.#inflate(piece, chunks, maxOutput, maxFinalBlocks);
    if (step === null && fin) {
      // RFC 7692 7.2.2: "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end
      // of the payload of the message. Decompress the resulting data using
      // DEFLATE."
      step = this.#inflate(DEFLATE_TAIL, chunks, maxOutput, maxFinalBlocks);
      if (step === null) step = this.#endMessage();
    }
    if (step !== null) {
      this.#failed = true;
      this.#output = EMPTY;
      this.#strm.input = EMPTY;
      return step;
    }
    return { type: 'data', chunks };
  }

  /** Inflates `input` completely into `chunks`; a failure step, or null. */
  #inflate(input: Uint8Array, chunks: Uint8Array[], maxOutput: number, maxFinalBlocks: number): InflateStep | null {
    const strm = this.#strm;
    strm.input = input;
    strm.next_in = 0;
    strm.avail_in = input.length;
    for (;;) {
      if (this.#streamEnded) {
        if (strm.avail_in === 0) break;
        // RFC 7692 7.2.3.4: a message may be flushed with a block with BFINAL
        // set, followed by more blocks. Restart the inflater, keeping its window.
        restart(strm, true);
        this.#streamEnded = false;
      }
      if (this.#outputUsed === this.#output.length) {
        // Bounded inflation: never more room than one octet past the budget,
        // so exceeding it is seen without allocating beyond it.
        const room = maxOutput - this.#produced + 1;
        const wanted = this.#output.length === 0 ? Math.max(MIN_CHUNK, input.length * 8) : this.#output.length * 2;
        this.#output = new Uint8Array(Math.min(room, wanted, MAX_CHUNK));
        this.#outputUsed = 0;
      }
      const start = this.#outputUsed;
      strm.output = this.#output;
      strm.next_out = start;
      strm.avail_out = this.#output.length - start;
      const status = zlibInflate(strm, Z_SYNC_FLUSH);
      const written = strm.next_out - start;
      if (written > 0) {
        this.#outputUsed = strm.next_out;
        this.#produced += written;
        if (this.#produced > maxOutput) return { type: 'too-large' };
        chunks.push(this.#output.subarray(start, strm.next_out));
      }
      if (status === Z_STREAM_END) {
        this.#streamEnded = true;
        if (++this.#finalBlocks > maxFinalBlocks) return { type: 'too-many-final-blocks' };
        continue;
      }
      if (status !== Z_OK && status !== Z_BUF_ERROR) {
        return { type: 'corrupt', reason: strm.msg || `inflate failed (${status})` };
      }
      if (strm.avail_in === 0 && strm.avail_out !== 0) break;
    }
    strm.input = EMPTY;
    return null;
  }

  /** After the tail: checks the block boundary and prepares the next message. */
  #endMessage(): InflateStep | null {
    const state = this.#strm.state as { mode: number; bits: number };
    // RFC 7692 7.2.1 step 3: after the tail is removed "the last octet of the
    // compressed data contains (possibly part of) the DEFLATE header bits with
    // the BTYPE bits set to 00", so with the tail restored the data ends on a
    // block boundary. Anything else is a truncated or padded message.
    const atBoundary = this.#streamEnded || (state.bits === 0 && (state.mode === MODE_TYPEDO || state.mode === MODE_TYPE || state.mode === MODE_DONE));
    if (!atBoundary) return { type: 'corrupt', reason: NOT_AT_BOUNDARY };
    this.#output = EMPTY;
    this.#outputUsed = 0;
    this.#finalBlocks = 0;
    if (this.#noContextTakeover) {
      // RFC 7692 7.2.2: with no context takeover the receiver "MAY decompress
      // each new message with an empty LZ77 sliding window". We do, so a
      // reference into an earlier message is an error instead of a silent read.
      restart(this.#strm, false);
      this.#streamEnded = false;
    }
    return null;
  }
}

/**
 * zlib's inflateResetKeep (keepWindow) or inflateReset on a raw inflater.
 * pako's own allocate new code tables (5.8 KB) on every call, which a peer
 * could trigger once per 2 octets with empty BFINAL blocks; zlib reuses
 * them, and so does this. Both callers restart at a block boundary with no
 * bits left over (a stream that ended, or what #endMessage checks), so of
 * pako's fields only the mode and BFINAL need resetting: the totals and the
 * zlib-header fields are never read by raw inflation.
 */
function restart(strm: ZStream, keepWindow: boolean): void {
  const state = strm.state as { mode: number; last: number; wsize: number; whave: number; wnext: number };
  if (!keepWindow) state.wsize = state.whave = state.wnext = 0;
  state.mode = MODE_TYPEDO;
  state.last = 0;
}
