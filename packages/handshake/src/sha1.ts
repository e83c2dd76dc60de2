// SHA-1 (FIPS 180-4 section 6.1), synchronous and runtime-neutral. RFC 6455
// uses it only to show that a server read the client's key, not for
// security; WebCrypto's digest() is asynchronous, hence this implementation.
// No allocation per call: one message schedule and one state, reused.

/** The message schedule W of FIPS 180-4 6.1.2; words 0-15 are the block. */
export const schedule = new Int32Array(80);
/** The hash value H: five big-endian words. */
export const state = new Int32Array(5);

/** Sets `state` to the initial hash value of FIPS 180-4 5.3.1. */
export function startHash(): void {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89;
  state[2] = 0x98badcfe;
  state[3] = 0x10325476;
  state[4] = 0xc3d2e1f0;
}

/** Fills words 16-79 of a schedule from its block, words 0-15. */
export function expand(w: Int32Array): Int32Array {
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
    w[t] = (x << 1) | (x >>> 31);
  }
  return w;
}

/**
 * Hashes one block into `state`, given its expanded schedule. Module
 * bindings are copied to locals first: bundlers turn `const` into `var`,
 * whose every use in a hot loop costs a context load.
 */
export function compress(w: Int32Array): void {
  const h = state;
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  // One loop per f(t) and K(t) of FIPS 180-4 4.1.1 and 4.2.1: no branch per
  // round. Ch and Maj in forms with fewer operations; the sums of int32 values
  // stay exact in a double, so one `| 0` per round takes them modulo 2^32.
  let t = 0;
  for (; t < 20; t++) {
    const next = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + w[t]! + 0x5a827999) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  for (; t < 40; t++) {
    const next = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[t]! + 0x6ed9eba1) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  for (; t < 60; t++) {
    const next = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + w[t]! - 0x70e44324) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  for (; t < 80; t++) {
    const next = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[t]! - 0x359d3e2a) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
}

/** The big-endian word of Latin-1 text at `offset`: 4 characters, 0 past the end. */
export const wordAt = (text: string, offset: number): number =>
  ((text.charCodeAt(offset) & 0xff) << 24) | ((text.charCodeAt(offset + 1) & 0xff) << 16) | ((text.charCodeAt(offset + 2) & 0xff) << 8) | (text.charCodeAt(offset + 3) & 0xff);

// A last block of padding only (zeros, then the length) has the same
// schedule for every message of one length, such as the 60 bytes hashed for
// every Sec-WebSocket-Accept: it is expanded once per length.
const paddingBlock = new Int32Array(80);
let paddingLength = -1;

/** Hashes the last block of a `length`-byte message whose bytes and 0x80 all fit in the blocks before. */
export function compressPaddingBlock(length: number): void {
  if (paddingLength !== length) {
    paddingLength = length;
    paddingBlock[14] = length / 0x20000000;
    paddingBlock[15] = length * 8;
    expand(paddingBlock);
  }
  compress(paddingBlock);
}

/**
 * Hashes `message`, Latin-1 text (one byte per character); the digest is
 * left in `state`, returned, valid until the next call.
 */
export function sha1Words(message: string): Int32Array {
  const length = message.length;
  // FIPS 180-4 5.1.1: 0x80, zeros up to 56 bytes modulo 64, and the length
  // in bits as a 64-bit big-endian integer (written over the last two words).
  const text = `${message}\x80${'\0'.repeat(((55 - length) & 63) + 8)}`;
  startHash();
  for (let block = 0; block < text.length; block += 64) {
    for (let t = 0; t < 16; t++) schedule[t] = wordAt(text, block + t * 4);
    if (block + 64 === text.length) {
      schedule[14] = length / 0x20000000;
      schedule[15] = length * 8;
    }
    compress(expand(schedule));
  }
  return state;
}

const digest = new Uint8Array(20);

/** The 20 bytes of the digest in `words`, valid until the next call. */
export function digestBytes(words: Int32Array): Uint8Array {
  for (let i = 0; i < 20; i++) digest[i] = words[i >> 2]! >>> (24 - (i & 3) * 8);
  return digest;
}
