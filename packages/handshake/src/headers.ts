// Header lists given by the application: validation (no header injection) and
// serialisation into an HTTP/1.1 head.
import { isToken } from './header-values.js';
import type { HeaderList } from './http-parser.js';

/**
 * True when `value` can be sent as a field value: every character is HTAB,
 * SP, visible ASCII or U+0080-U+00FF (obs-text, sent as one byte each), so no
 * CR, LF, NUL or other control character (RFC 9110 section 5.5).
 */
export function isValidHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 ? code !== 0x09 : code === 0x7f || code > 0xff) return false;
  }
  return true;
}

/**
 * Checks headers supplied by the application: a list of `[name, value]`
 * pairs whose names are tokens and whose values pass `isValidHeaderValue`,
 * none of them named in `reserved` (lower-case names the caller sets itself).
 * Throws a TypeError naming the offending header; `context` says where it
 * came from (e.g. "accept() headers").
 */
export function validateHeaderList(headers: unknown, context: string, reserved: readonly string[] = []): HeaderList {
  if (!Array.isArray(headers)) throw new TypeError(`${context} must be an array of [name, value] pairs`);
  for (const pair of headers as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw new TypeError(`${context} must be an array of [name, value] string pairs`);
    }
    const [name, value] = pair as [string, string];
    if (!isToken(name)) throw new TypeError(`${context}: header name ${JSON.stringify(name)} is not a token`);
    if (!isValidHeaderValue(value)) {
      throw new TypeError(`${context}: the value of ${name} contains CR, LF, NUL, another control character or a character above U+00FF`);
    }
    if (reserved.includes(name.toLowerCase())) throw new TypeError(`${context}: ${name} is set by the handshake and cannot be given here`);
  }
  return headers as HeaderList;
}

/** Appends `name: value\r\n` for each header. */
export function formatHeaders(headers: HeaderList): string {
  let text = '';
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return text;
}

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

/** True when `name` is `lower` (lower-case) ignoring ASCII case, without allocating. */
export function isNamed(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if ((code >= 0x41 && code <= 0x5a ? code | 0x20 : code) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** One byte per character: the head strings are validated to be Latin-1. */
export function encodeLatin1(text: string, body?: Uint8Array): Uint8Array {
  const bytes = allocate(text.length + (body?.length ?? 0));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  if (body !== undefined) bytes.set(body, text.length);
  return bytes;
}
