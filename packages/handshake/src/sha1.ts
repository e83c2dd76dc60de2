// SHA-1 (FIPS 180-4 section 6.1), synchronous and runtime-neutral. RFC 6455
// uses it only to show that a server read the client's key, not for
// security; WebCrypto's digest() is asynchronous, hence this implementation.

const schedule = new Int32Array(80);
const state = new Int32Array(5);
const last = new Uint8Array(128);

/**
 * Compresses the 64-byte blocks of `m[0..length)` into `state`. Module
 * bindings are copied to locals first: bundlers turn `const` into `var`,
 * whose every use in a hot loop costs a context load.
 */
function blocks(m: Uint8Array, length: number): void {
  const w = schedule;
  const h = state;
  let h0 = h[0]!;
  let h1 = h[1]!;
  let h2 = h[2]!;
  let h3 = h[3]!;
  let h4 = h[4]!;
  for (let o = 0; o < length; o += 64) {
    for (let t = 0; t < 16; t++) w[t] = (m[o + t * 4]! << 24) | (m[o + t * 4 + 1]! << 16) | (m[o + t * 4 + 2]! << 8) | m[o + t * 4 + 3]!;
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    // One loop per f(t) and K(t) of FIPS 180-4 4.1.1 and 4.2.1: no branch per round.
    let t = 0;
    for (; t < 20; t++) {
      const next = ((((a << 5) | (a >>> 27)) + (((b & c) | (~b & d)) + 0x5a827999)) | 0) + ((e + w[t]!) | 0);
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = next | 0;
    }
    for (; t < 40; t++) {
      const next = ((((a << 5) | (a >>> 27)) + ((b ^ c ^ d) + 0x6ed9eba1)) | 0) + ((e + w[t]!) | 0);
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = next | 0;
    }
    for (; t < 60; t++) {
      const next = ((((a << 5) | (a >>> 27)) + (((b & c) | (b & d) | (c & d)) - 0x70e44324)) | 0) + ((e + w[t]!) | 0);
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = next | 0;
    }
    for (; t < 80; t++) {
      const next = ((((a << 5) | (a >>> 27)) + ((b ^ c ^ d) - 0x359d3e2a)) | 0) + ((e + w[t]!) | 0);
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = next | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
  h[3] = h3;
  h[4] = h4;
}

/**
 * Hashes `data`; the digest is left in the returned five big-endian words,
 * valid until the next call.
 */
export function sha1Words(data: Uint8Array): Int32Array {
  const length = data.length;
  const whole = length & ~63;
  const rest = length - whole;
  // The last bytes, 0x80, zeros, and the length in bits as a 64-bit
  // big-endian integer (the high word is 0 below 512 MiB), in one or two blocks.
  const padded = (rest + 72) & ~63;
  const tail = last;
  for (let i = 0; i < rest; i++) tail[i] = data[whole + i]!;
  tail[rest] = 0x80;
  tail.fill(0, rest + 1, padded);
  const high = Math.floor(length / 0x20000000);
  const low = length * 8;
  for (let i = 0; i < 4; i++) {
    tail[padded - 8 + i] = high >>> (24 - i * 8);
    tail[padded - 4 + i] = low >>> (24 - i * 8);
  }
  const h = state;
  h[0] = 0x67452301;
  h[1] = 0xefcdab89;
  h[2] = 0x98badcfe;
  h[3] = 0x10325476;
  h[4] = 0xc3d2e1f0;
  if (whole > 0) blocks(data, whole);
  blocks(tail, padded);
  return h;
}

/** The 20-byte SHA-1 digest of `data`. */
export function sha1(data: Uint8Array): Uint8Array {
  const h = sha1Words(data);
  const digest = new Uint8Array(20);
  for (let i = 0; i < 20; i++) digest[i] = h[i >> 2]! >>> (24 - (i & 3) * 8);
  return digest;
}
