// An optional backend on the zlib that Node (and Deno and Bun, through their
// node:zlib) ship natively. No node:* import here: the embedder passes the
// module in, `nodeZlibBackend(zlib)` after `import zlib from 'node:zlib'`.
//
// node:zlib has no reusable synchronous stream: every call is one-shot. Context
// takeover is therefore rebuilt on each call with a preset dictionary holding
// the last window of plaintext, which is what the peer's inflater holds too.

import { DEFLATE_TAIL, NOT_AT_BOUNDARY, checkInteger, type Compressor, type Decompressor, type DeflateBackend, type DirectionParameters, type InflateStep } from './backend.js';
import type { PakoBackendOptions } from './pako-backend.js';

/** The parts of `node:zlib` this backend uses; `typeof import('node:zlib')` satisfies it. */
export interface NodeZlibModule {
  readonly constants: { readonly Z_SYNC_FLUSH: number; readonly Z_FINISH: number };
  deflateRawSync(input: Uint8Array, options?: object): Uint8Array;
  inflateRawSync(input: Uint8Array, options?: object): unknown;
}

/** Options of {@link nodeZlibBackend}: the same tuning as pako's. */
export type NodeZlibBackendOptions = PakoBackendOptions;

/** Output chunk size of node:zlib's one-shot calls: how far past the budget it may allocate. */
const CHUNK_SIZE = 16 * 1024;

/**
 * A final empty stored block (BFINAL=1, BTYPE=00, LEN=0, NLEN=0xffff). Appended
 * after the tail, it ends the stream exactly when the message ended on a block
 * boundary; otherwise zlib reports "unexpected end of file" or a data error.
 */
const FINAL_EMPTY_BLOCK = /* @__PURE__ */ Uint8Array.of(0x01, 0x00, 0x00, 0xff, 0xff);

/**
 * Context takeover is rebuilt from preset dictionaries, so they must work:
 * compress with one, and check that the output only inflates with it.
 */
function honoursDictionaries(zlib: NodeZlibModule): boolean {
  const encoder = new TextEncoder();
  const dictionary = encoder.encode('permessage-deflate context takeover ');
  const text = encoder.encode('permessage-deflate context takeover');
  try {
    const compressed = zlib.deflateRawSync(text, { dictionary });
    const inflated = zlib.inflateRawSync(compressed, { dictionary }) as Uint8Array;
    // A back-reference into the dictionary makes the output far shorter than the text.
    return compressed.length < text.length / 2 && inflated.length === text.length && inflated.every((byte, i) => byte === text[i]);
  } catch {
    return false;
  }
}

/**
 * A backend on `node:zlib` (Node and Bun; not Deno 2.9, whose node:zlib
 * ignores preset dictionaries: construction throws there), passed in by the
 * embedder:
 *
 * ```ts
 * import zlib from 'node:zlib';
 * const backend = nodeZlibBackend(zlib);
 * ```
 *
 * Faster than pako for large messages and without context takeover; slower
 * for small messages with context takeover (see the README's measurements).
 */
export function nodeZlibBackend(zlib: NodeZlibModule, options: NodeZlibBackendOptions = {}): DeflateBackend {
  if (typeof zlib?.deflateRawSync !== 'function' || typeof zlib.inflateRawSync !== 'function' || typeof zlib.constants !== 'object') {
    throw new TypeError('nodeZlibBackend(zlib): pass the node:zlib module');
  }
  const level = checkInteger(options.level, 'level', 0, 9, 6);
  const memLevel = checkInteger(options.memLevel, 'memLevel', 1, 9, 8);
  if (!honoursDictionaries(zlib)) {
    throw new Error('this node:zlib ignores preset dictionaries (Deno 2.9 does), which context takeover needs here: use pakoBackend()');
  }
  return {
    name: 'node:zlib',
    compressWindowBits: { min: 8, max: 15 },
    createCompressor: (params) => new NodeZlibCompressor(zlib, params, level, memLevel),
    createDecompressor: (params) => new NodeZlibDecompressor(zlib, params),
  };
}

/** The last `size` octets of a byte stream, kept contiguous for use as a zlib dictionary. */
class History {
  #buffer = new Uint8Array(0);
  #end = 0;
  constructor(readonly size: number) {}

  append(data: Uint8Array): void {
    const size = this.size;
    if (data.length >= size) {
      if (this.#buffer.length === 0) this.#buffer = new Uint8Array(2 * size);
      this.#buffer.set(data.subarray(data.length - size), 0);
      this.#end = size;
      return;
    }
    if (this.#end + data.length > this.#buffer.length) {
      if (this.#buffer.length === 0) this.#buffer = new Uint8Array(2 * size);
      const keep = Math.min(this.#end, size - data.length);
      this.#buffer.copyWithin(0, this.#end - keep, this.#end);
      this.#end = keep;
    }
    this.#buffer.set(data, this.#end);
    this.#end += data.length;
  }

  /** The dictionary: at most `size` octets, or undefined when empty. */
  view(): Uint8Array | undefined {
    return this.#end === 0 ? undefined : this.#buffer.subarray(Math.max(0, this.#end - this.size), this.#end);
  }

  clear(): void {
    this.#end = 0;
  }
}

function plain(buffer: Uint8Array, end = buffer.length): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, end);
}

class NodeZlibCompressor implements Compressor {
  readonly #zlib: NodeZlibModule;
  readonly #history: History;
  readonly #noContextTakeover: boolean;
  readonly #options: { level: number; memLevel: number; windowBits: number; finishFlush: number; dictionary?: Uint8Array };

  constructor(zlib: NodeZlibModule, params: DirectionParameters, level: number, memLevel: number) {
    this.#zlib = zlib;
    this.#history = new History(1 << params.windowBits);
    this.#noContextTakeover = params.noContextTakeover;
    // node:zlib raises a raw window of 8 to 9 itself (see DeflateBackend.compressWindowBits).
    this.#options = { level, memLevel, windowBits: Math.max(9, params.windowBits), finishFlush: zlib.constants.Z_SYNC_FLUSH };
  }

  write(piece: Uint8Array, fin: boolean): Uint8Array {
    const options = this.#options;
    const dictionary = this.#history.view();
    if (dictionary === undefined) delete options.dictionary;
    else options.dictionary = dictionary;
    // Every piece is sync-flushed: a message may consist of several DEFLATE
    // blocks (RFC 7692 7.2.3.5), and each piece's output must stand alone.
    const output = this.#zlib.deflateRawSync(piece, options);
    delete options.dictionary;
    this.#history.append(piece);
    if (!fin) return plain(output);
    if (this.#noContextTakeover) this.#history.clear();
    // RFC 7692 7.2.1 step 3: remove the trailing 00 00 ff ff.
    return plain(output, output.length - 4);
  }
}

class NodeZlibDecompressor implements Decompressor {
  readonly #zlib: NodeZlibModule;
  readonly #windowBits: number;
  readonly #history: History;
  readonly #noContextTakeover: boolean;
  /** The compressed pieces of the current message, copied: one-shot calls need them whole. */
  #pieces: Uint8Array[] = [];
  #pieceBytes = 0;
  #failed = false;

  constructor(zlib: NodeZlibModule, params: DirectionParameters) {
    this.#zlib = zlib;
    this.#windowBits = params.windowBits;
    this.#history = new History(1 << params.windowBits);
    this.#noContextTakeover = params.noContextTakeover;
  }

  write(piece: Uint8Array, fin: boolean, maxOutput: number, maxFinalBlocks: number): InflateStep {
    if (this.#failed) throw new Error('this decompressor already reported a failure; the connection must be closed');
    if (piece.length > 0) {
      this.#pieces.push(piece.slice());
      this.#pieceBytes += piece.length;
    }
    if (!fin) return { type: 'data', chunks: [] };
    // RFC 7692 7.2.2 step 1: append 00 00 ff ff; then the final empty block.
    const input = new Uint8Array(this.#pieceBytes + DEFLATE_TAIL.length + FINAL_EMPTY_BLOCK.length);
    let offset = 0;
    for (const p of this.#pieces) {
      input.set(p, offset);
      offset += p.length;
    }
    input.set(DEFLATE_TAIL, offset);
    input.set(FINAL_EMPTY_BLOCK, offset + DEFLATE_TAIL.length);
    this.#pieces = [];
    this.#pieceBytes = 0;
    const step = this.#inflate(input, maxOutput, maxFinalBlocks);
    if (step.type !== 'data') this.#failed = true;
    else if (this.#noContextTakeover) this.#history.clear();
    return step;
  }

  #inflate(input: Uint8Array, maxOutput: number, maxFinalBlocks: number): InflateStep {
    const chunks: Uint8Array[] = [];
    let produced = 0;
    let finalBlocks = 0;
    for (;;) {
      const options = {
        windowBits: this.#windowBits,
        finishFlush: this.#zlib.constants.Z_FINISH,
        chunkSize: CHUNK_SIZE,
        // Bounded: node:zlib stops within one chunk past this. It takes at
        // most its largest Buffer (2^31 - 1 is within it on every version),
        // so an unlimited message is limited there.
        maxOutputLength: Math.min(maxOutput - produced + 1, 0x7fffffff),
        dictionary: this.#history.view(),
        info: true,
      };
      let result: { buffer: Uint8Array; engine: { bytesWritten: number } };
      try {
        result = this.#zlib.inflateRawSync(input, options) as typeof result;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return { type: 'too-large' };
        return { type: 'corrupt', reason: this.#reason(input, options) };
      }
      const output = result.buffer;
      if (output.length > 0) {
        produced += output.length;
        if (produced > maxOutput) return { type: 'too-large' };
        chunks.push(plain(output));
        this.#history.append(output);
      }
      const consumed = result.engine.bytesWritten;
      if (consumed >= input.length) return { type: 'data', chunks };
      if (consumed === 0) return { type: 'corrupt', reason: 'inflate made no progress' };
      // RFC 7692 7.2.3.4: a block with BFINAL set ended the stream early, and
      // more blocks follow. Each costs one more call: bounded per message.
      if (++finalBlocks > maxFinalBlocks) return { type: 'too-many-final-blocks' };
      // Go on with the output so far as the dictionary.
      input = input.subarray(consumed);
    }
  }

  /**
   * Why the call failed, in the pako backend's words: zlib's message when the
   * message's data, tail included, is invalid; else only the final empty
   * block after the tail failed, so the data does not end on a block
   * boundary. Telling them apart costs one more call, on a failing connection.
   */
  #reason(input: Uint8Array, options: object): string {
    try {
      this.#zlib.inflateRawSync(input.subarray(0, -FINAL_EMPTY_BLOCK.length), { ...options, finishFlush: this.#zlib.constants.Z_SYNC_FLUSH });
    } catch (error) {
      return String((error as { message?: unknown }).message);
    }
    return NOT_AT_BOUNDARY;
  }
}
