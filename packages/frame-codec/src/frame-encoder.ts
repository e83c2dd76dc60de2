// RFC 6455 5.2: the frame layer's encoder.
import { maskBytes } from './mask.js';
import { MAX_CONTROL_PAYLOAD, isKnownOpcode } from './opcodes.js';

/** The header fields of a frame to encode. */
export interface FrameFields {
  readonly opcode: number;
  /** Default true. */
  readonly fin?: boolean;
  /** RSV bits at their place in the first byte (`RSV1` | `RSV2` | `RSV3`). Default 0. */
  readonly rsv?: number;
  /** A 4-byte masking key: the frame is masked with it. Absent: unmasked. */
  readonly maskKey?: Uint8Array;
}

const SLAB_SIZE = 64 * 1024;
const POOLED = 4096;
let slab = new Uint8Array(0);
let slabUsed = 0;

/**
 * @internal The default allocator of masked frames: frames up to 4 KiB are
 * cut from a shared 64 KiB slab (allocating a small array outside the heap
 * costs more than masking it), larger ones get their own array. Every byte of
 * a frame is written before it is handed out.
 */
export function allocateFrame(size: number): Uint8Array {
  if (size > POOLED) return new Uint8Array(size);
  if (slabUsed + size > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const frame = slab.subarray(slabUsed, slabUsed + size);
  // Keep every frame 8-byte aligned, so that masking by words starts aligned.
  slabUsed += (size + 7) & ~7;
  return frame;
}

/**
 * @internal Encodes a frame whose first header byte is `b0`. Unmasked, it
 * returns `[header, payload]` and never reads or copies the payload; masked,
 * it returns one new array holding the header and the masked copy.
 */
export function encodeWith(
  b0: number,
  payload: Uint8Array,
  key: Uint8Array | null,
  allocate: (size: number) => Uint8Array = allocateFrame,
): Uint8Array[] {
  const length = payload.length;
  const lengthEnd = length < 126 ? 2 : length < 65536 ? 4 : 10;
  if (key === null) {
    const header = new Uint8Array(lengthEnd);
    writeHeader(header, b0, 0, length);
    return length === 0 ? [header] : [header, payload];
  }
  const start = lengthEnd + 4;
  const frame = allocate(start + length);
  writeHeader(frame, b0, 0x80, length);
  frame[lengthEnd] = key[0]!;
  frame[lengthEnd + 1] = key[1]!;
  frame[lengthEnd + 2] = key[2]!;
  frame[lengthEnd + 3] = key[3]!;
  if (length >= 64) {
    frame.set(payload, start);
    maskBytes(frame, key, 0, start, start + length);
  } else {
    // Small payloads: mask while copying, cheaper than a copy call and a second pass.
    const k0 = key[0]!;
    const k1 = key[1]!;
    const k2 = key[2]!;
    const k3 = key[3]!;
    let i = 0;
    for (; i + 3 < length; i += 4) {
      frame[start + i] = payload[i]! ^ k0;
      frame[start + i + 1] = payload[i + 1]! ^ k1;
      frame[start + i + 2] = payload[i + 2]! ^ k2;
      frame[start + i + 3] = payload[i + 3]! ^ k3;
    }
    for (; i < length; i++) frame[start + i] = payload[i]! ^ key[i & 3]!;
  }
  return [frame];
}

function writeHeader(header: Uint8Array, b0: number, maskBit: number, length: number): void {
  header[0] = b0;
  if (length < 126) {
    header[1] = maskBit | length;
  } else if (length < 65536) {
    header[1] = maskBit | 126;
    header[2] = length >>> 8;
    header[3] = length & 0xff;
  } else {
    // RFC 6455 5.2: 64-bit lengths are big-endian with the most significant bit 0.
    header[1] = maskBit | 127;
    const high = Math.floor(length / 0x100000000);
    header[2] = high >>> 24;
    header[3] = (high >>> 16) & 0xff;
    header[4] = (high >>> 8) & 0xff;
    header[5] = high & 0xff;
    header[6] = length >>> 24;
    header[7] = (length >>> 16) & 0xff;
    header[8] = (length >>> 8) & 0xff;
    header[9] = length & 0xff;
  }
}

/**
 * Encodes one frame. Returns the byte arrays to write, in order: unmasked,
 * `[header, payload]` (`payload` itself, not a copy; just `[header]` when it
 * is empty); masked, one new array with the header and the masked payload
 * (`payload` is left untouched). Throws on a reserved opcode, RSV bits
 * outside 0x70, a control frame with FIN clear or more than 125 bytes, or a
 * key that is not 4 bytes.
 */
export function encodeFrame(payload: Uint8Array, fields: FrameFields): Uint8Array[] {
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
  const { opcode, fin = true, rsv = 0, maskKey } = fields;
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15 || !isKnownOpcode(opcode)) {
    throw new RangeError(`opcode ${String(opcode)} is not defined by RFC 6455`);
  }
  if (!Number.isInteger(rsv) || (rsv & ~0x70) !== 0) throw new RangeError('rsv must be a combination of RSV1 (0x40), RSV2 (0x20) and RSV3 (0x10)');
  if (opcode >= 8 && (!fin || payload.length > MAX_CONTROL_PAYLOAD)) {
    throw new RangeError('a control frame must have FIN set and at most 125 bytes of payload');
  }
  if (maskKey !== undefined && (!(maskKey instanceof Uint8Array) || maskKey.length !== 4)) {
    throw new TypeError('maskKey must be a Uint8Array of 4 bytes');
  }
  return encodeWith((fin ? 0x80 : 0) | rsv | opcode, payload, maskKey ?? null);
}
