// Frames built byte by byte from RFC 6455 5.2 (so the tests do not check the
// frame codec's encoder against itself), and helpers to run Connections.
import { expect } from 'vitest';
import type { Connection, ConnectionEvent } from '@hybi/frame-codec';

export const RSV1 = 0x40;
/** The masking key of RFC 6455 5.7's examples. */
export const KEY = [0x37, 0xfa, 0x21, 0x3d] as const;

export interface FrameSpec {
  readonly fin?: boolean;
  readonly rsv?: number;
  /** Mask with {@link KEY} (a client's frame). */
  readonly masked?: boolean;
}

export function frame(opcode: number, payload: Uint8Array | string = new Uint8Array(0), { fin = true, rsv = 0, masked = false }: FrameSpec = {}): Uint8Array {
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const head: number[] = [(fin ? 0x80 : 0) | rsv | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (data.length < 126) head.push(maskBit | data.length);
  else if (data.length < 65536) head.push(maskBit | 126, data.length >> 8, data.length & 0xff);
  else head.push(maskBit | 127, 0, 0, 0, 0, data.length >>> 24, (data.length >>> 16) & 0xff, (data.length >>> 8) & 0xff, data.length & 0xff);
  if (masked) head.push(...KEY);
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  for (let i = 0; i < data.length; i++) out[head.length + i] = masked ? data[i]! ^ KEY[i % 4]! : data[i]!;
  return out;
}

/** A client's (masked) frame. */
export const clientFrame = (opcode: number, payload?: Uint8Array | string, spec: FrameSpec = {}) => frame(opcode, payload, { ...spec, masked: true });

export function concat(...pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

export const fromHex = (hex: string) => Uint8Array.from(hex.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
export const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const text = (s: string) => new TextEncoder().encode(s);

/** Events (iterated to the end) with byte fields as hex, for toEqual (the data may be views of a chunk: converted at once). */
export function plain(events: Iterable<ConnectionEvent>): Record<string, unknown>[] {
  return Array.from(events, (event) => {
    if (event.type === 'write') return { type: 'write', data: hex(concat(...event.data)) };
    if ('data' in event) return { ...event, data: hex(event.data) };
    return { ...event };
  });
}

/** Merges the pieces of one frame in streaming mode, so that splitting does not show. */
export function mergeFragments(events: Record<string, unknown>[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const event of events) {
    const previous = out[out.length - 1];
    if (event.type === 'fragment' && previous?.type === 'fragment' && previous.frameEnd === false) {
      out[out.length - 1] = { ...event, data: `${previous.data as string}${event.data as string}` };
    } else out.push(event);
  }
  return out;
}

/** Splits `input` at the given offsets; chunks are copies (the connection unmasks in place). */
export function splitAt(input: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const points = [...new Set(offsets.filter((o) => o > 0 && o < input.length))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(input.slice(start, point));
    start = point;
  }
  chunks.push(input.slice(start));
  return chunks;
}

/** Whole, byte by byte, and a few fixed splits. */
export function splittings(input: Uint8Array): { label: string; chunks: Uint8Array[] }[] {
  return [
    { label: 'whole', chunks: [input.slice()] },
    { label: 'bytewise', chunks: Array.from(input, (_, i) => input.slice(i, i + 1)) },
    { label: 'halves', chunks: splitAt(input, [input.length >> 1]) },
    { label: 'thirds', chunks: splitAt(input, [Math.floor(input.length / 3), Math.floor((2 * input.length) / 3)]) },
    { label: 'primes', chunks: splitAt(input, Array.from({ length: 40 }, (_, i) => (i * 7919) % input.length)) },
  ];
}

/** Feeds `input` to a fresh connection per splitting; every splitting must give the same events, which are returned. */
export function receiveAll(make: () => Connection, input: Uint8Array): Record<string, unknown>[] {
  let reference: Record<string, unknown>[] | undefined;
  for (const { label, chunks } of splittings(input)) {
    const connection = make();
    const events: Record<string, unknown>[] = [];
    for (const chunk of chunks) events.push(...plain(connection.receive(chunk)));
    const merged = mergeFragments(events);
    if (reference === undefined) reference = merged;
    else if (JSON.stringify(merged) !== JSON.stringify(reference)) {
      throw new Error(`${label} differs from whole:\n${JSON.stringify(merged)}\n${JSON.stringify(reference)}`);
    }
  }
  return reference!;
}

/** The events of a connection failing with `code`: on a server (unmasked Close), or the first three fields only. */
export function fails(code: number, role: 'server' | 'client' = 'server'): unknown[] {
  return [
    { type: 'protocol-error', code, reason: expect.any(String) },
    role === 'server' ? { type: 'write', data: hex(Uint8Array.of(0x88, 0x02, code >> 8, code & 0xff)) } : { type: 'write', data: expect.any(String) },
    { type: 'close', code: 1006, reason: '', initiator: 'local', clean: false },
    { type: 'close-transport', awaitPeer: false },
  ];
}

/** Parses frames sent by `role` (masked when a client's) into their headers and unmasked payloads. */
export function parseFrames(bytes: Uint8Array): { fin: boolean; rsv: number; opcode: number; payload: Uint8Array }[] {
  const frames = [];
  let at = 0;
  while (at < bytes.length) {
    const b0 = bytes[at]!;
    const b1 = bytes[at + 1]!;
    let length = b1 & 0x7f;
    at += 2;
    if (length === 126) {
      length = (bytes[at]! << 8) | bytes[at + 1]!;
      at += 2;
    } else if (length === 127) {
      length = bytes[at + 4]! * 2 ** 24 + ((bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!);
      at += 8;
    }
    const key = b1 & 0x80 ? bytes.slice(at, at + 4) : null;
    if (key) at += 4;
    const payload = bytes.slice(at, at + length);
    if (key) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!;
    at += length;
    frames.push({ fin: (b0 & 0x80) !== 0, rsv: b0 & 0x70, opcode: b0 & 0x0f, payload });
  }
  return frames;
}
