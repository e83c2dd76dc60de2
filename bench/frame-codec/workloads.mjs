// The workloads of the frame-codec benchmark, built identically in every
// process from fixed seeds. Each parse workload is one byte stream cut into
// 16 KiB chunks; each encode workload is a list of payloads.

export const CHUNK = 16 * 1024;

/** mulberry32, as in test-vectors/replay/common.ts. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function randomBytes(length, seed) {
  const next = prng(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = next() & 0xff;
  return out;
}

/** Text of about `length` bytes, roughly 40 % of them in multibyte characters. */
function multibyteText(length, seed) {
  const words = ['hello ', 'wörld ', 'café ', '€uro ', '日本語 ', '😀 ', 'plain ascii text ', 'ñandú ', 'Ελληνικά ', 'data '];
  const next = prng(seed);
  let text = '';
  const encoder = new TextEncoder();
  while (encoder.encode(text).length < length) text += words[next() % words.length];
  // Trim to `length` bytes on a code point boundary.
  let bytes = encoder.encode(text);
  let end = length;
  while ((bytes[end] & 0xc0) === 0x80) end--;
  return bytes.slice(0, end);
}

/** One frame, masked with a key from `next` when `masked`. */
function frame(opcode, fin, payload, masked, next) {
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const header = 2 + lengthBytes + (masked ? 4 : 0);
  const out = new Uint8Array(header + n);
  out[0] = (fin ? 0x80 : 0) | opcode;
  out[1] = (masked ? 0x80 : 0) | (n < 126 ? n : n < 65536 ? 126 : 127);
  if (lengthBytes === 2) {
    out[2] = n >>> 8;
    out[3] = n & 0xff;
  } else if (lengthBytes === 8) {
    const view = new DataView(out.buffer);
    view.setUint32(2, Math.floor(n / 2 ** 32));
    view.setUint32(6, n >>> 0);
  }
  out.set(payload, header);
  if (masked) {
    const key = [next() & 0xff, next() & 0xff, next() & 0xff, next() & 0xff];
    out.set(key, header - 4);
    for (let i = 0; i < n; i++) out[header + i] ^= key[i & 3];
  }
  return out;
}

function concat(parts) {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A stream of `count` messages of `size` bytes, each in `fragments` frames. */
function stream({ size, count, masked, text = false, fragments = 1, seed }) {
  const next = prng(seed);
  const frames = [];
  for (let m = 0; m < count; m++) {
    const payload = text ? multibyteText(size, seed + m) : randomBytes(size, seed + m);
    const step = Math.ceil(payload.length / fragments);
    for (let f = 0; f < fragments; f++) {
      const piece = payload.subarray(f * step, Math.min(payload.length, (f + 1) * step));
      frames.push(frame(f === 0 ? (text ? 1 : 2) : 0, f === fragments - 1, piece, masked, next));
    }
  }
  return concat(frames);
}

const SIZES = [
  ['16 B', 16],
  ['125 B', 125],
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
  ['1 MiB', 1024 * 1024],
];

/** About this many bytes per stream, so every workload takes similar time per pass. */
const STREAM_BYTES = 4 * 1024 * 1024;

export function workloads() {
  const list = [];
  for (const masked of [true, false]) {
    for (const [label, size] of SIZES) {
      const count = Math.max(4, Math.floor(STREAM_BYTES / size));
      list.push({
        name: `parse ${masked ? 'masked client→server' : 'unmasked server→client'} ${label}`,
        kind: 'parse',
        role: masked ? 'server' : 'client',
        build: () => stream({ size, count, masked, seed: size + (masked ? 1 : 2) }),
        messages: count,
      });
    }
  }
  for (const [label, size] of [['1 KiB', 1024], ['64 KiB', 64 * 1024]]) {
    const count = Math.floor(STREAM_BYTES / size);
    list.push({
      name: `parse masked text ${label}, ~40 % multibyte`,
      kind: 'parse',
      role: 'server',
      build: () => stream({ size, count, masked: true, text: true, seed: 77 + size }),
      messages: count,
    });
  }
  list.push({
    name: 'parse masked 64 KiB message in 16 fragments',
    kind: 'parse',
    role: 'server',
    build: () => stream({ size: 64 * 1024, count: 64, masked: true, fragments: 16, seed: 99 }),
    messages: 64,
  });
  for (const masked of [true, false]) {
    for (const [label, size] of [['16 B', 16], ['1 KiB', 1024], ['64 KiB', 64 * 1024]]) {
      const count = Math.max(16, Math.floor(STREAM_BYTES / 4 / size));
      list.push({
        name: `encode ${masked ? 'masked' : 'unmasked'} ${label}`,
        kind: 'encode',
        masked,
        build: () => Array.from({ length: Math.min(count, 64) }, (_, i) => randomBytes(size, 1000 + i)),
        messages: count,
      });
    }
  }
  return list;
}

/** Splits a stream into 16 KiB chunks (as offsets). */
export function chunkOffsets(length) {
  const offsets = [];
  for (let at = 0; at < length; at += CHUNK) offsets.push([at, Math.min(length, at + CHUNK)]);
  return offsets;
}

/** FNV-1a over bytes, continuing from `hash`. */
export function fnv(hash, bytes) {
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 16777619) >>> 0;
  return hash;
}
