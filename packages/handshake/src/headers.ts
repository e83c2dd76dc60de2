// Header lists given by the application: validation (no header injection) and
// serialisation into an HTTP/1.1 head.
import { isToken } from './header-values.js';
import type { HeaderList } from './http-parser.js';

/** Field values: HTAB, SP, VCHAR and obs-text (sent as one byte each), RFC 9110 5.5. */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** True when `value` can be sent as a field value: no CR, LF, NUL or other control character, nothing above U+00FF. */
export function isValidHeaderValue(value: unknown): boolean {
  return typeof value === 'string' && VALUE.test(value);
}

/**
 * Checks headers supplied by the application: `[name, value]` pairs whose
 * names are tokens and whose values pass `isValidHeaderValue` (no header
 * injection), none named in `reserved` (lower-case names the caller sets
 * itself). Throws a TypeError naming the offending pair; `context` says where
 * the headers came from (e.g. "accept() headers").
 */
export function validateHeaderList(headers: unknown, context: string, reserved: readonly string[] = []): HeaderList {
  if (!Array.isArray(headers)) throw new TypeError(`${context} must be an array of [name, value] pairs`);
  const bad = headers.find((pair) => !Array.isArray(pair) || pair.length !== 2 || !isToken(pair[0]) || !isValidHeaderValue(pair[1]) || reserved.includes(pair[0].toLowerCase()));
  if (bad !== undefined) {
    throw new TypeError(`${context}: bad header ${JSON.stringify(bad)}: token name (not ${reserved}), value without control characters or characters above U+00FF`);
  }
  return headers;
}

/** Appends `name: value\r\n` for each header. */
export function formatHeaders(headers: HeaderList): string {
  let text = '';
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return text;
}

/** The message of receive() called once the handshake succeeded. */
export const COMPLETE = 'handshake complete: give further bytes to the frame codec';

let slab = new Uint8Array(0);
let slabUsed = 0;

/**
 * A zero-filled byte array. Small ones are views into a shared 16 KiB slab,
 * as Node's Buffer pool does: creating a typed array with its own buffer
 * costs more than a whole handshake's parsing. Each view is handed out once.
 */
export function allocate(size: number): Uint8Array {
  if (size > 2048) return new Uint8Array(size);
  if (slabUsed + size > slab.length) {
    slab = new Uint8Array(16384);
    slabUsed = 0;
  }
  const view = slab.subarray(slabUsed, slabUsed + size);
  slabUsed += size;
  return view;
}

/** One byte per character: the head strings are validated to be Latin-1. */
export function encodeLatin1(text: string, body?: Uint8Array): Uint8Array {
  const bytes = allocate(text.length + (body?.length ?? 0));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  if (body !== undefined) bytes.set(body, text.length);
  return bytes;
}
