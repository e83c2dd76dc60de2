// Base64 (RFC 4648 section 4, standard alphabet, padded): the encoding of
// Sec-WebSocket-Key and Sec-WebSocket-Accept.

/** The alphabet's codes: A-Z, a-z, 0-9, "+" and "/". */
const CODES = Uint8Array.from({ length: 64 }, (_, i) => (i < 26 ? 65 + i : i < 52 ? 71 + i : i < 62 ? i - 4 : i * 4 - 205));

/** Writes the base64 of `bytes` into `out` from `offset` as ASCII codes; returns the offset after them. */
export function base64Into(bytes: Uint8Array, out: Uint8Array, offset: number): number {
  const codes = CODES;
  const length = bytes.length;
  for (let i = 0; i < length; i += 3) {
    const n = (bytes[i]! << 16) | (i + 1 < length ? bytes[i + 1]! << 8 : 0) | (i + 2 < length ? bytes[i + 2]! : 0);
    out[offset++] = codes[n >>> 18]!;
    out[offset++] = codes[(n >>> 12) & 63]!;
    out[offset++] = i + 1 < length ? codes[(n >>> 6) & 63]! : 0x3d;
    out[offset++] = i + 2 < length ? codes[n & 63]! : 0x3d;
  }
  return offset;
}

/** Base64 text of `bytes` (short inputs: one argument per character), padded with `=`. */
export function encodeBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  base64Into(bytes, out, 0);
  return String.fromCharCode(...out);
}
