// Sec-WebSocket-Key and Sec-WebSocket-Accept (RFC 6455 sections 1.3, 4.1, 4.2.2).
import { base64Into, encodeBase64 } from './base64.js';
import { compress, compressPaddingBlock, digestBytes, expand, schedule, sha1Words, startHash, state, wordAt } from './sha1.js';

/** RFC 6455 section 1.3: the GUID appended to the key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Fills its argument with random bytes (at most 65536 per call). */
export type RandomSource = (target: Uint8Array) => void;

/** `globalThis.crypto.getRandomValues`, looked up when first needed. */
export const defaultRandom: RandomSource = (target) => {
  if (typeof crypto === 'undefined' || typeof crypto.getRandomValues !== 'function') {
    throw new Error('no crypto.getRandomValues: pass a random option');
  }
  crypto.getRandomValues(target);
};

/**
 * A fresh Sec-WebSocket-Key: RFC 6455 4.1, "a nonce consisting of a randomly
 * selected 16-byte value that has been base64-encoded".
 */
export function generateKey(random: RandomSource = defaultRandom): string {
  const nonce = new Uint8Array(16);
  random(nonce);
  return encodeBase64(nonce);
}

const KEY = /^[A-Za-z0-9+/]{22}==$/;

/**
 * True when `key` is a valid Sec-WebSocket-Key: RFC 6455 4.2.1, "a
 * base64-encoded value that, when decoded, is 16 bytes in length" (22
 * characters and "=="). Non-zero pad bits are accepted, as RFC 4648 3.5
 * allows: naive clients produce them.
 */
export function isValidKey(key: string): boolean {
  return KEY.test(key);
}

// A key of 24 characters (every valid one) and the GUID make 60 bytes: the
// first block is the key's 6 words, the GUID's 9 and the padding's 0x80; the
// second only padding.
const GUID_WORDS = Int32Array.from({ length: 10 }, (_, k) => wordAt(`${WEBSOCKET_GUID}\x80`, k * 4));

/**
 * Writes the 28 ASCII bytes of the Sec-WebSocket-Accept value for `key` into
 * `out` at `offset`: RFC 6455 4.2.2, base64 of the SHA-1 of the key (as sent,
 * without surrounding white space) concatenated with the GUID. `key` is read
 * as Latin-1 text and not validated here.
 */
export function acceptKeyInto(key: string, out: Uint8Array, offset: number): number {
  let words: Int32Array = state;
  if (key.length === 24) {
    for (let k = 0; k < 6; k++) schedule[k] = wordAt(key, k * 4);
    schedule.set(GUID_WORDS, 6);
    startHash();
    compress(expand(schedule));
    compressPaddingBlock(60);
  } else {
    words = sha1Words(key + WEBSOCKET_GUID);
  }
  return base64Into(digestBytes(words), out, offset);
}

/** The Sec-WebSocket-Accept value for `key` (see `acceptKeyInto`). */
export function computeAcceptKey(key: string): string {
  const out = new Uint8Array(28);
  acceptKeyInto(key, out, 0);
  return String.fromCharCode(...out);
}
