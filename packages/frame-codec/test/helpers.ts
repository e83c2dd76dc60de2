// Test helpers: a reference frame builder written from RFC 6455 5.2 (so tests
// do not check the encoder against itself), and ways to feed input.
import { expect } from 'vitest';
import type { Connection, ConnectionEvent } from '@hybi/frame-codec';

export interface FrameSpec {
  readonly fin?: boolean;
  readonly rsv?: number;
  /** A masking key: the frame is masked. */
  readonly key?: readonly number[];
  /** Force a length encoding: 7, 16 or 64 bits. */
  readonly lengthBits?: 7 | 16 | 64;
}

export const CLIENT_KEY = [0xa1, 0xb2, 0xc3, 0xd4];

/** A frame built byte by byte from RFC 6455 5.2. */
export function frame(opcode: number, payload: Uint8Array | string = new Uint8Array(0), spec: FrameSpec = {}): Uint8Array {
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const { fin = true, rsv = 0, key, lengthBits = data.length < 126 ? 7 : data.length < 65536 ? 16 : 64 } = spec;
  const bytes: number[] = [(fin ? 0x80 : 0) | rsv | opcode];
  const maskBit = key ? 0x80 : 0;
  if (lengthBits === 7) bytes.push(maskBit | data.length);
  else if (lengthBits === 16) bytes.push(maskBit | 126, data.length >> 8, data.length & 0xff);
  else {
    bytes.push(maskBit | 127);
    const high = Math.floor(data.length / 2 ** 32);
    for (const word of [high, data.length >>> 0]) bytes.push(word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
  }
  if (key) bytes.push(...key);
  const out = new Uint8Array(bytes.length + data.length);
  out.set(bytes);
  for (let i = 0; i < data.length; i++) out[bytes.length + i] = key ? data[i]! ^ key[i % 4]! : data[i]!;
  return out;
}

/** A frame as a client sends it: masked. */
export const clientFrame = (opcode: number, payload?: Uint8Array | string, spec: FrameSpec = {}) =>
  frame(opcode, payload, { key: CLIENT_KEY, ...spec });

export function concat(...pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

export const bytes = (...values: number[]) => Uint8Array.from(values);
export const text = (s: string) => new TextEncoder().encode(s);
export const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Events (iterated to the end) with byte fields turned into hex, for toEqual. */
export function plain(events: Iterable<ConnectionEvent>): unknown[] {
  return Array.from(events, (event) => {
    if (event.type === 'write') return { type: 'write', data: hex(concat(...event.data)) };
    if ('data' in event) return { ...event, data: hex(event.data) };
    return { ...event };
  });
}

/** The ways tests feed one input: whole, byte by byte, and a few fixed splits. */
export function splittings(input: Uint8Array): { label: string; chunks: Uint8Array[] }[] {
  const cut = (points: number[]) => {
    const chunks: Uint8Array[] = [];
    let start = 0;
    for (const p of points.filter((p) => p > 0 && p < input.length)) {
      chunks.push(input.slice(start, p));
      start = p;
    }
    chunks.push(input.slice(start));
    return chunks;
  };
  return [
    { label: 'whole', chunks: [input.slice()] },
    { label: 'bytewise', chunks: Array.from(input, (_, i) => input.slice(i, i + 1)) },
    { label: 'halves', chunks: cut([input.length >> 1]) },
    { label: 'thirds', chunks: cut([Math.floor(input.length / 3), Math.floor((2 * input.length) / 3)]) },
  ];
}

/** Feeds each splitting to a fresh connection and checks that all give the same events; returns them. */
export function receiveAll(make: () => Connection, input: Uint8Array, end = false): unknown[] {
  let reference: unknown[] | undefined;
  for (const { label, chunks } of splittings(input)) {
    const connection = make();
    const events: unknown[] = [];
    for (const chunk of chunks) events.push(...plain(connection.receive(chunk)));
    if (end) events.push(...plain(connection.receiveEnd()));
    const merged = mergeFragments(events);
    if (reference === undefined) reference = merged;
    else if (JSON.stringify(merged) !== JSON.stringify(reference)) {
      throw new Error(`${label} differs from whole:\n${JSON.stringify(merged)}\n${JSON.stringify(reference)}`);
    }
  }
  return reference!;
}

/** Merges fragment pieces of one frame (as the vectors do). */
export function mergeFragments(events: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const event of events as Record<string, unknown>[]) {
    const previous = out[out.length - 1] as Record<string, unknown> | undefined;
    if (event.type === 'fragment' && previous?.type === 'fragment' && previous.frameEnd === false) {
      out[out.length - 1] = { ...event, data: `${previous.data as string}${event.data as string}` };
    } else out.push(event);
  }
  return out;
}

/** The events that failing the connection produces on a server (unmasked Close). */
export function serverFails(code: number): unknown[] {
  return [
    { type: 'protocol-error', code, reason: expect.any(String) },
    { type: 'write', data: hex(bytes(0x88, 0x02, code >> 8, code & 0xff)) },
    { type: 'close', code: 1006, reason: '', initiator: 'local', clean: false },
    { type: 'close-transport', awaitPeer: false },
  ];
}
