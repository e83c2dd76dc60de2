// Message-level permessage-deflate (RFC 7692 7.2): what a frame codec's
// extension hook calls for each data message. The frame layer decides RSV1
// and fragmentation; this layer turns payloads into compressed payloads and
// back, with the threshold, the per-message opt-out and bounded inflation.

import type { Compressor, Decompressor, DeflateBackend, DirectionParameters, InflateStep } from './backend.js';
import { pakoBackend } from './pako-backend.js';

/** Close codes the inflate side may ask for (RFC 6455 7.4.1). */
export const CLOSE_MESSAGE_TOO_BIG = 1009;
export const CLOSE_INVALID_PAYLOAD = 1007;
const CLOSE_POLICY_VIOLATION = 1008;

/** Default {@link MessageDeflaterOptions.threshold}: the same as `ws`. */
export const DEFAULT_THRESHOLD = 1024;
/** Default {@link MessageInflaterOptions.maxMessageBytes}: 1 MiB, as python-websockets. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Default {@link MessageInflaterOptions.maxFinalBlocks}. */
const DEFAULT_MAX_FINAL_BLOCKS = 16;

/** Checks a count given by local code; throws RangeError otherwise. */
function count(value: number, name: string, infinite = false): number {
  if (!(Number.isSafeInteger(value) || (infinite && value === Infinity)) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer${infinite ? ' or Infinity' : ''}, got ${String(value)}`);
  }
  return value;
}

/** RFC 7692 7.2.3.6: an empty message compresses to an empty stored block's header, with the tail removed. */
const EMPTY_MESSAGE = /* @__PURE__ */ Uint8Array.of(0x00);

// ---------------------------------------------------------------------------
// Deflate side

export interface MessageDeflaterOptions {
  /** The DEFLATE implementation (default: `pakoBackend()`). */
  readonly backend?: DeflateBackend;
  /**
   * Messages shorter than this many octets are sent uncompressed (default
   * 1024, as `ws`): below it DEFLATE costs more time than it saves bytes.
   */
  readonly threshold?: number;
}

/**
 * Compresses the messages one endpoint sends, under the agreed parameters of
 * that direction (`negotiated.compress`). The backend's compressor is created
 * on the first compressed message, so an endpoint that never compresses
 * holds no DEFLATE state.
 */
export class MessageDeflater {
  readonly params: DirectionParameters;
  readonly threshold: number;
  readonly #backend: DeflateBackend;
  #compressor: Compressor | null = null;
  /** A fragmented message is being compressed: `null` when none, else its size so far. */
  #messageBytes: number | null = null;

  constructor(params: DirectionParameters, options: MessageDeflaterOptions = {}) {
    this.params = params;
    this.#backend = options.backend ?? pakoBackend();
    this.threshold = count(options.threshold ?? DEFAULT_THRESHOLD, 'threshold');
  }

  /**
   * Whether to compress a message of `byteLength` octets: `request` true or
   * false forces the choice (the application's per-message wish), otherwise
   * messages from {@link threshold} octets up are compressed. A message sent
   * uncompressed goes out with RSV1 clear and does not touch the window.
   */
  shouldCompress(byteLength: number, request?: boolean): boolean {
    if (request !== undefined) return request;
    return byteLength >= this.threshold;
  }

  /**
   * Compresses a whole message (RFC 7692 7.2.1): the payload of its first
   * frame gets RSV1. The returned array belongs to the caller.
   */
  compress(payload: Uint8Array): Uint8Array {
    if (this.#messageBytes !== null) throw new Error('a fragmented message is being compressed: finish it with compressFragment(piece, true) first');
    if (payload.length === 0) return EMPTY_MESSAGE.slice();
    return this.#getCompressor().write(payload, true);
  }

  /**
   * Compresses a message sent in fragments, one piece at a time; `fin` on the
   * last one. Each call returns the compressed octets to send in the next
   * frame (possibly none before the last). Only the first frame of the
   * message carries RSV1.
   */
  compressFragment(piece: Uint8Array, fin: boolean): Uint8Array {
    const before = this.#messageBytes ?? 0;
    const total = before + piece.length;
    if (!fin) {
      this.#messageBytes = total;
      return piece.length === 0 ? new Uint8Array(0) : this.#getCompressor().write(piece, false);
    }
    this.#messageBytes = null;
    if (total === 0) return EMPTY_MESSAGE.slice();
    return this.#getCompressor().write(piece, true);
  }

  #getCompressor(): Compressor {
    return (this.#compressor ??= this.#backend.createCompressor(this.params));
  }
}

// ---------------------------------------------------------------------------
// Inflate side

export interface MessageInflaterOptions {
  /** The DEFLATE implementation (default: `pakoBackend()`). */
  readonly backend?: DeflateBackend;
  /**
   * The largest message, in octets, both as received (compressed) and once
   * inflated (default 1 MiB). The frame codec's message limit belongs here:
   * inflation stops as soon as the output would pass it.
   */
  readonly maxMessageBytes?: number;
  /**
   * The most DEFLATE blocks with BFINAL set one message may contain (default
   * 16; `Infinity` allowed). RFC 7692 7.2.3.4 lets a sender flush with them,
   * so one per message, or per frame, is legitimate. Each is a restart of
   * the inflater (with `node:zlib`, a whole one-shot call): without a bound
   * a message of empty ones (`03 00`, 2 octets each) costs far more than its
   * size.
   */
  readonly maxFinalBlocks?: number;
}

/** What feeding a compressed message produced. */
export type InflateResult =
  /** Inflated octets, in order (possibly none yet). The arrays belong to the caller. */
  | { readonly type: 'data'; readonly chunks: readonly Uint8Array[] }
  /** The message is larger than `maxMessageBytes`, compressed or inflated: close with 1009. */
  | { readonly type: 'message-too-big'; readonly closeCode: 1009; readonly maxMessageBytes: number }
  /** The compressed data is invalid: close with 1007. */
  | { readonly type: 'invalid-compressed-data'; readonly closeCode: 1007; readonly reason: string }
  /**
   * The message has more than `maxFinalBlocks` blocks with BFINAL set: close
   * with 1008, "a message that violates its policy" (RFC 6455 7.4.1). It is
   * valid DEFLATE and may be small, so neither 1007 nor 1009 fits.
   */
  | { readonly type: 'too-many-final-blocks'; readonly closeCode: 1008; readonly maxFinalBlocks: number };

const NO_DATA: InflateResult = { type: 'data', chunks: [] };
const TOO_LARGE: InflateStep = { type: 'too-large' };

/**
 * Inflates the compressed messages one endpoint receives, under the agreed
 * parameters of that direction (`negotiated.decompress`). Per message:
 * `begin()`, `write(piece)` for each piece of the payload as it arrives, then
 * `end()`. Messages that arrive with RSV1 clear are not compressed and never
 * come here. After a failure the inflater is unusable: the connection is
 * failing.
 */
export class MessageInflater {
  readonly params: DirectionParameters;
  readonly maxMessageBytes: number;
  readonly maxFinalBlocks: number;
  readonly #backend: DeflateBackend;
  #decompressor: Decompressor | null = null;
  #state: 'idle' | 'message' | 'failed' = 'idle';
  #compressedBytes = 0;
  #inflatedBytes = 0;
  /** The current message's limit. */
  #limit = 0;

  constructor(params: DirectionParameters, options: MessageInflaterOptions = {}) {
    this.params = params;
    this.#backend = options.backend ?? pakoBackend();
    this.maxMessageBytes = count(options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, 'maxMessageBytes');
    this.maxFinalBlocks = count(options.maxFinalBlocks ?? DEFAULT_MAX_FINAL_BLOCKS, 'maxFinalBlocks', true);
  }

  /**
   * Starts a compressed message (its first frame had RSV1 set). `maxBytes`
   * is this message's limit, compressed and inflated (default
   * {@link maxMessageBytes}; `Infinity` allowed): the frame-codec adapter
   * passes the connection's `maxMessageSize` here.
   */
  begin(maxBytes: number = this.maxMessageBytes): void {
    this.#expect('idle', 'begin()');
    if (typeof maxBytes !== 'number' || !(maxBytes >= 0)) throw new RangeError(`begin(maxBytes): a non-negative number, got ${String(maxBytes)}`);
    this.#state = 'message';
    this.#compressedBytes = 0;
    this.#inflatedBytes = 0;
    this.#limit = maxBytes;
  }

  /** Inflates the next piece of the message's payload, as it arrives. */
  write(piece: Uint8Array): InflateResult {
    this.#expect('message', 'write()');
    if (piece.length === 0) return NO_DATA;
    return this.#feed(piece, false);
  }

  /** Ends the message (its last frame arrived): the last output, or a failure. */
  end(): InflateResult {
    this.#expect('message', 'end()');
    // An empty payload with RSV1 set holds no DEFLATE data at all: read as the
    // empty message, without touching the window (appending the tail alone
    // would leave a stored block open and break the next message).
    if (this.#compressedBytes === 0) {
      this.#state = 'idle';
      return NO_DATA;
    }
    const result = this.#feed(new Uint8Array(0), true);
    if (this.#state !== 'failed') this.#state = 'idle';
    return result;
  }

  #feed(piece: Uint8Array, fin: boolean): InflateResult {
    this.#compressedBytes += piece.length;
    const step: InflateStep =
      this.#compressedBytes > this.#limit
        ? TOO_LARGE
        : (this.#decompressor ??= this.#backend.createDecompressor(this.params)).write(piece, fin, this.#limit - this.#inflatedBytes, this.maxFinalBlocks);
    if (step.type === 'data') {
      for (const chunk of step.chunks) this.#inflatedBytes += chunk.length;
      // A backend that breaks its contract must not break the bound.
      if (this.#inflatedBytes <= this.#limit) return step.chunks.length === 0 ? NO_DATA : step;
    }
    this.#state = 'failed';
    return step.type === 'corrupt'
      ? { type: 'invalid-compressed-data', closeCode: CLOSE_INVALID_PAYLOAD, reason: step.reason }
      : step.type === 'too-many-final-blocks'
        ? { type: 'too-many-final-blocks', closeCode: CLOSE_POLICY_VIOLATION, maxFinalBlocks: this.maxFinalBlocks }
        : { type: 'message-too-big', closeCode: CLOSE_MESSAGE_TOO_BIG, maxMessageBytes: this.#limit };
  }

  #expect(state: 'idle' | 'message', call: string): void {
    if (this.#state === state) return;
    if (this.#state === 'failed') throw new Error(`${call}: the inflater already reported a failure; the connection must be closed`);
    throw new Error(state === 'idle' ? `${call}: a message is in progress; end() it first` : `${call}: no message in progress; call begin() first`);
  }
}

// ---------------------------------------------------------------------------

export interface PerMessageDeflateOptions extends MessageDeflaterOptions, MessageInflaterOptions {}

/** Both halves of permessage-deflate for one connection, driven by hand (the frame-codec adapter is {@link PerMessageDeflate}). */
export interface PerMessageDeflateCodec {
  readonly deflater: MessageDeflater;
  readonly inflater: MessageInflater;
}

/**
 * The deflater and inflater of one connection, from the negotiation result
 * ({@link negotiateServer} or {@link acceptServerResponse}).
 */
export function createPerMessageDeflate(
  negotiated: { readonly compress: DirectionParameters; readonly decompress: DirectionParameters },
  options: PerMessageDeflateOptions = {},
): PerMessageDeflateCodec {
  const backend = options.backend ?? pakoBackend();
  return {
    deflater: new MessageDeflater(negotiated.compress, { ...options, backend }),
    inflater: new MessageInflater(negotiated.decompress, { ...options, backend }),
  };
}
