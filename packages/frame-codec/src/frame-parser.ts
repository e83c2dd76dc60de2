// RFC 6455 5.2: the frame layer's parser. It reads frame headers and hands out
// payload as it arrives, from chunks split anywhere, and checks every rule a
// single frame header can break on its own.
import { SIMD_THRESHOLD, maskBytes } from './mask.js';
import { MAX_CONTROL_PAYLOAD, isKnownOpcode } from './opcodes.js';

/** Which end of the connection this is. */
export type Role = 'client' | 'server';

/** What a `FrameParser` reports, in order: a header, its payload in pieces, or an error. */
export type FrameEvent = FrameHeaderEvent | FramePayloadEvent | FrameErrorEvent;

/** A complete frame header. Its payload follows as `frame-payload` events. */
export interface FrameHeaderEvent {
  readonly type: 'frame-header';
  readonly fin: boolean;
  /** The RSV1-3 bits at their place in the first byte (`RSV1` = 0x40, `RSV2` = 0x20, `RSV3` = 0x10). */
  readonly rsv: number;
  readonly opcode: number;
  readonly masked: boolean;
  /** The payload length announced by the header. */
  readonly length: number;
}

/**
 * A piece of payload, already unmasked. Data frames are handed out as their
 * bytes arrive (the parser never waits for a whole data frame); control
 * frames (at most 125 bytes) come whole. Every frame ends with exactly one
 * piece with `frameEnd: true`, empty only if the frame's payload is empty.
 */
export interface FramePayloadEvent {
  readonly type: 'frame-payload';
  readonly data: Uint8Array;
  readonly frameEnd: boolean;
}

/** The input broke RFC 6455: the connection must be failed with `code`. Later input is ignored. */
export interface FrameErrorEvent {
  readonly type: 'frame-error';
  readonly code: number;
  readonly reason: string;
}

export interface FrameParserOptions {
  /**
   * `'server'` reads a client's frames, which MUST be masked; `'client'`
   * reads a server's frames, which MUST NOT be (RFC 6455 5.1).
   */
  readonly role: Role;
  /**
   * The largest payload a data frame may announce; more fails with 1009 at
   * the header. Control frames are limited to 125 bytes by RFC 6455 anyway.
   * Default 1 MiB.
   */
  readonly maxFramePayload?: number;
}

/** @internal Results of `FrameParser.step()`. */
export const NEED_DATA = 0;
/** @internal */
export const HEADER = 1;
/** @internal */
export const PAYLOAD = 2;
/** @internal */
export const FAILED = 3;

/** @internal */
export const EMPTY = new Uint8Array(0);
const NO_FRAME_EVENTS: readonly FrameEvent[] = Object.freeze([]);

/** The default for `maxFramePayload` and `maxMessageSize`: 1 MiB. */
export const DEFAULT_MAX_PAYLOAD = 1 << 20;

const READING_HEADER = 0;
const READING_PAYLOAD = 1;
const READING_FAILED = 2;

/** Checks a size limit option: a non-negative integer or Infinity. */
export function limitOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || (value !== Infinity && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a non-negative integer or Infinity, got ${String(value)}`);
  }
  return value;
}

/**
 * An incremental parser for WebSocket frames (RFC 6455 5.2). Feed it chunks
 * of any size with `push()`. It checks each header as soon as the bytes that
 * decide a rule are in: the opcode is defined, control frames have FIN set
 * and at most 125 bytes, the payload length uses the minimal encoding and a
 * clear top bit, the mask bit matches the role, and the length is within
 * `maxFramePayload`. RSV bits and the order of frames are the connection's
 * business (`Connection`), and are only reported here.
 *
 * Masked payload is unmasked in place, in the chunk you pushed, and handed
 * out as a view of it: the chunk is the parser's to modify during the call.
 */
export class FrameParser {
  /** @internal Header of the current frame, set at a HEADER step. */
  fin = false;
  /** @internal */
  rsv = 0;
  /** @internal */
  opcode = 0;
  /** @internal */
  masked = false;
  /** @internal */
  length = 0;
  /** @internal The current payload piece, set at a PAYLOAD step. */
  payload: Uint8Array = EMPTY;
  /** @internal */
  frameEnd = false;
  /**
   * @internal True leaves a long piece of a data frame masked unless it ends a final frame (which may be a
   * whole message, handed out as a view): the connection unmasks what it keeps while copying it, and resets
   * `payloadMasked`.
   */
  deferUnmask = false;
  /** @internal Whether the current piece was left masked; `key` and `keyOffset` then say how to unmask it. */
  payloadMasked = false;
  /** @internal The current frame's masking key. */
  readonly key = new Uint8Array(4);
  /** @internal Which byte of the frame's payload the current piece starts at (for the key rotation). */
  keyOffset = 0;
  /** @internal The failure, set at the FAILED step. */
  errorCode = 0;
  /** @internal */
  errorReason = '';

  readonly #requireMask: boolean;
  readonly #maxFramePayload: number;
  #chunk: Uint8Array = EMPTY;
  #pos = 0;
  #reading = READING_HEADER;
  /** A header split across chunks, gathered here (at most 14 bytes). */
  readonly #head = new Uint8Array(14);
  #headLength = 0;
  /** Payload bytes of the current frame not handed out yet. */
  #remaining = 0;
  /** Payload bytes of the current frame handed out so far (for the key rotation). */
  #offset = 0;
  /** A control frame's payload split across chunks. */
  #control: Uint8Array | null = null;

  constructor(options: FrameParserOptions) {
    const role = options?.role;
    if (role !== 'client' && role !== 'server') throw new TypeError(`role must be 'client' or 'server', got ${String(role)}`);
    this.#requireMask = role === 'server';
    this.#maxFramePayload = limitOption(options.maxFramePayload, DEFAULT_MAX_PAYLOAD, 'maxFramePayload');
  }

  /**
   * Parses `chunk` and returns what it completes: headers, payload pieces and
   * at most one error, after which input is ignored.
   */
  push(chunk: Uint8Array): readonly FrameEvent[] {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('push() takes a Uint8Array');
    this.feed(chunk);
    let out: FrameEvent[] | null = null;
    for (;;) {
      const step = this.step();
      if (step === NEED_DATA) break;
      out ??= [];
      if (step === HEADER) {
        out.push({ type: 'frame-header', fin: this.fin, rsv: this.rsv, opcode: this.opcode, masked: this.masked, length: this.length });
      } else if (step === PAYLOAD) {
        out.push({ type: 'frame-payload', data: this.payload, frameEnd: this.frameEnd });
      } else {
        out.push({ type: 'frame-error', code: this.errorCode, reason: this.errorReason });
        break;
      }
    }
    return out ?? NO_FRAME_EVENTS;
  }

  /**
   * Where the parser stands: between frames, inside a header, inside a
   * payload, or failed.
   */
  get state(): 'idle' | 'header' | 'payload' | 'failed' {
    if (this.#reading === READING_PAYLOAD) return 'payload';
    if (this.#reading === READING_FAILED) return 'failed';
    return this.#headLength === 0 ? 'idle' : 'header';
  }

  /** Bytes held between calls: a split header and a split control frame's payload. */
  get bufferedBytes(): number {
    return this.#headLength + (this.#control === null ? 0 : this.#control.length);
  }

  /** @internal Bytes of the current chunk not parsed yet. */
  get available(): number {
    return this.#chunk.length - this.#pos;
  }

  /** @internal Sets the chunk that `step()` reads from. */
  feed(chunk: Uint8Array): void {
    this.#chunk = chunk;
    this.#pos = 0;
    this.payload = EMPTY;
  }

  /** @internal Advances by one header, payload piece or error; NEED_DATA when the chunk is used up. */
  step(): number {
    if (this.#reading === READING_PAYLOAD) return this.opcode < 8 ? this.readData() : this.readControl();
    if (this.#reading === READING_HEADER) return this.readHeader();
    return NEED_DATA;
  }

  private readHeader(): number {
    const chunk = this.#chunk;
    const pos = this.#pos;
    if (this.#headLength === 0 && chunk.length - pos >= 2) {
      // Fast path: the header starts in this chunk, read it by index.
      const b1 = chunk[pos + 1]!;
      if (!this.checkStart(chunk[pos]!, b1)) return FAILED;
      const len7 = b1 & 0x7f;
      const lengthEnd = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
      const end = b1 & 0x80 ? lengthEnd + 4 : lengthEnd;
      if (chunk.length - pos >= end) {
        if (!this.readLength(chunk, pos, len7)) return FAILED;
        if (end !== lengthEnd) {
          const key = this.key;
          key[0] = chunk[pos + lengthEnd]!;
          key[1] = chunk[pos + lengthEnd + 1]!;
          key[2] = chunk[pos + lengthEnd + 2]!;
          key[3] = chunk[pos + lengthEnd + 3]!;
        }
        this.#pos = pos + end;
        return this.beginPayload();
      }
    }
    return this.readSplitHeader();
  }

  /** A header split across chunks: gather it in `head`, checking each part once as it completes. */
  private readSplitHeader(): number {
    const chunk = this.#chunk;
    const head = this.#head;
    const before = this.#headLength;
    let pos = this.#pos;
    let n = before;
    while (n < 2 && pos < chunk.length) head[n++] = chunk[pos++]!;
    if (n < 2) return this.wait(n, pos);
    if (before < 2 && !this.checkStart(head[0]!, head[1]!)) return FAILED;
    const len7 = head[1]! & 0x7f;
    const lengthEnd = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
    while (n < lengthEnd && pos < chunk.length) head[n++] = chunk[pos++]!;
    if (n < lengthEnd) return this.wait(n, pos);
    if (before < lengthEnd && !this.readLength(head, 0, len7)) return FAILED;
    const end = this.masked ? lengthEnd + 4 : lengthEnd;
    while (n < end && pos < chunk.length) head[n++] = chunk[pos++]!;
    if (n < end) return this.wait(n, pos);
    if (this.masked) this.key.set(head.subarray(lengthEnd, end));
    this.#headLength = 0;
    this.#pos = pos;
    return this.beginPayload();
  }

  private wait(headLength: number, pos: number): number {
    this.#headLength = headLength;
    this.#pos = pos;
    return NEED_DATA;
  }

  /** The rules decided by the first two bytes. */
  private checkStart(b0: number, b1: number): boolean {
    const opcode = b0 & 0x0f;
    this.fin = (b0 & 0x80) !== 0;
    this.rsv = b0 & 0x70;
    this.opcode = opcode;
    this.masked = (b1 & 0x80) !== 0;
    // RFC 6455 5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
    if (!isKnownOpcode(opcode)) return this.fail(1002, `reserved opcode ${opcode}`);
    if (opcode >= 8) {
      // RFC 6455 5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
      if (!this.fin) return this.fail(1002, 'fragmented control frame');
      if ((b1 & 0x7f) > MAX_CONTROL_PAYLOAD) return this.fail(1002, 'control frame payload over 125 bytes');
    }
    // RFC 6455 5.1: "The server MUST close the connection upon receiving a frame that is not masked" and
    // "A client MUST close a connection if it detects a masked frame."
    if (this.masked !== this.#requireMask) return this.fail(1002, this.#requireMask ? 'unmasked frame from a client' : 'masked frame from a server');
    return true;
  }

  /** The rules decided by the payload length. */
  private readLength(bytes: Uint8Array, at: number, len7: number): boolean {
    let length = len7;
    if (len7 === 126) {
      length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
      // RFC 6455 5.2: "the minimal number of bytes MUST be used to encode the length"
      if (length < 126) return this.fail(1002, 'payload length not in minimal form');
    } else if (len7 === 127) {
      const high = ((bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!) >>> 0;
      const low = ((bytes[at + 6]! << 24) | (bytes[at + 7]! << 16) | (bytes[at + 8]! << 8) | bytes[at + 9]!) >>> 0;
      // RFC 6455 5.2: "the most significant bit MUST be 0"
      if (high >= 0x80000000) return this.fail(1002, '64-bit payload length with the most significant bit set');
      length = high * 0x100000000 + low;
      if (length < 65536) return this.fail(1002, 'payload length not in minimal form');
    }
    this.length = length;
    // Control frames are bounded by the 125-byte rule alone.
    if (this.opcode < 8 && (length > this.#maxFramePayload || length > Number.MAX_SAFE_INTEGER)) {
      return this.fail(1009, `frame payload of ${length} bytes is over the limit of ${this.#maxFramePayload}`);
    }
    return true;
  }

  private fail(code: number, reason: string): false {
    this.#reading = READING_FAILED;
    this.errorCode = code;
    this.errorReason = reason;
    this.#control = null;
    return false;
  }

  private beginPayload(): number {
    this.#remaining = this.length;
    this.#offset = 0;
    this.#reading = READING_PAYLOAD;
    return HEADER;
  }

  /** A piece of a data frame: whatever of it this chunk holds, unmasked in place unless `deferUnmask` says otherwise. */
  private readData(): number {
    const chunk = this.#chunk;
    const pos = this.#pos;
    const remaining = this.#remaining;
    let n = chunk.length - pos;
    if (n >= remaining) n = remaining;
    else if (n === 0) return NEED_DATA;
    const end = pos + n;
    const frameEnd = n === remaining;
    if (n === 0) this.payload = EMPTY;
    else {
      if (this.masked) {
        if (n >= SIMD_THRESHOLD && this.deferUnmask && !(frameEnd && this.fin)) {
          this.payloadMasked = true;
          this.keyOffset = this.#offset;
        } else maskBytes(chunk, this.key, this.#offset, pos, end);
      }
      this.payload = chunk.subarray(pos, end);
    }
    this.#pos = end;
    this.#offset += n;
    this.#remaining = remaining - n;
    this.frameEnd = frameEnd;
    if (frameEnd) this.#reading = READING_HEADER;
    return PAYLOAD;
  }

  /** A control frame comes whole: a view if it lies in this chunk, else gathered in a buffer of its own. */
  private readControl(): number {
    const chunk = this.#chunk;
    const pos = this.#pos;
    const length = this.length;
    let payload: Uint8Array;
    if (this.#control === null && chunk.length - pos >= length) {
      payload = length === 0 ? EMPTY : chunk.subarray(pos, pos + length);
      this.#pos = pos + length;
    } else {
      const control = (this.#control ??= new Uint8Array(length));
      const n = Math.min(this.#remaining, chunk.length - pos);
      control.set(chunk.subarray(pos, pos + n), length - this.#remaining);
      this.#pos = pos + n;
      this.#remaining -= n;
      if (this.#remaining !== 0) return NEED_DATA;
      payload = control;
      this.#control = null;
    }
    if (this.masked) maskBytes(payload, this.key, 0, 0, length);
    this.payload = payload;
    this.frameEnd = true;
    this.#reading = READING_HEADER;
    return PAYLOAD;
  }
}
