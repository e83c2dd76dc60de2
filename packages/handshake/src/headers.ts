// Header lists: reading values by name, checking lists the application
// supplies (no header injection), and writing them into an HTTP/1.1 head.
import { isToken, sameName } from './header-values.js';

/** `[name, value]` pairs in the order received, names in their original case. */
export type HeaderList = ReadonlyArray<readonly [string, string]>;

/** An empty list, shared. */
export const NONE: readonly never[] = Object.freeze([]);
export const NO_BYTES = new Uint8Array(0);
export const utf8 = new TextEncoder();

/** The values of every line named `name` (given in lower case), in order. */
export function headerValues(headers: HeaderList, name: string): string[] {
  return headers.filter(([fieldName]) => sameName(fieldName, name)).map(([, value]) => value);
}

/** The names the handshake reads, spelled as browsers send them: a name's index is its tag. */
const TITLE_CASE = ['Host', 'Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Accept', 'Sec-WebSocket-Version', 'Origin', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions', 'Transfer-Encoding', 'Content-Length'];
const LOWER_CASE = TITLE_CASE.map((name) => name.toLowerCase());
/** The tags of the known names, in order (a const enum: the bundler writes the numbers in). */
export const enum Tag {
  HOST,
  UPGRADE,
  CONNECTION,
  KEY,
  ACCEPT,
  VERSION,
  ORIGIN,
  PROTOCOL,
  EXTENSIONS,
  TRANSFER_ENCODING,
  CONTENT_LENGTH,
}

// Spelled as browsers send them, the known names are found by comparing
// whole strings; other spellings letter by letter. Names of other lengths
// are not compared at all.
const TAGS_BY_LENGTH: number[][] = [];
TITLE_CASE.forEach((name, tag) => (TAGS_BY_LENGTH[name.length] ??= []).push(tag));

/** The tag of a header name, compared ASCII case-insensitively, or -1. */
export function headerTag(name: string): number {
  const tags = TAGS_BY_LENGTH[name.length];
  if (tags !== undefined) {
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i]!;
      if (name === TITLE_CASE[tag] || sameName(name, LOWER_CASE[tag]!)) return tag;
    }
  }
  return -1;
}

/** The values of the known headers, in order, by tag; undefined for absent ones. */
export type KnownValues = Array<string[] | undefined>;

/** Adds `value` to `values` when `name` is a known header. */
export function addKnown(values: KnownValues, name: string, value: string): void {
  const tag = headerTag(name);
  if (tag < 0) return;
  const list = values[tag];
  if (list === undefined) values[tag] = [value];
  else list.push(value);
}

/** The values of the known headers in `headers`. */
export function knownHeaderValues(headers: HeaderList): KnownValues {
  const values: KnownValues = [];
  for (const [name, value] of headers) addKnown(values, name, value);
  return values;
}

/** Field values: HTAB, SP, VCHAR and obs-text (sent as one byte each), RFC 9110 5.5. */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** True when `value` is a string that can be sent as a field value: no CR, LF, NUL or other control character, nothing above U+00FF. */
export function isValidHeaderValue(value: unknown): value is string {
  return typeof value === 'string' && VALUE.test(value);
}

/**
 * Says whether a caller refuses one header an application supplies (a name
 * it sets itself, or a rule of its own), given the name and value as given.
 */
export type HeaderFilter = (name: string, value: string) => boolean;

/**
 * A filter of the header names a handshake sets itself, and so refuses from
 * the application, in any case: the message framing (Connection,
 * Content-Length, Transfer-Encoding), and with `handshake` also Upgrade and
 * every Sec-WebSocket-* field, and `others` (lower case).
 */
export function setByHandshake(handshake: boolean, ...others: string[]): HeaderFilter {
  const framing = ['connection', 'content-length', 'transfer-encoding', ...others];
  return (name) => {
    const lowerCase = name.toLowerCase();
    return framing.includes(lowerCase) || (handshake && (lowerCase === 'upgrade' || lowerCase.startsWith('sec-websocket-')));
  };
}

/**
 * Checks headers supplied by the application: an array of `[name, value]`
 * pairs whose names are tokens and whose values pass `isValidHeaderValue`
 * (no header injection), none of them `refused` by the caller. Throws a
 * TypeError naming the offending pair; `context` says where the headers came
 * from (e.g. "accept() headers").
 */
export function validateHeaderList(headers: unknown, context: string, refused?: HeaderFilter): HeaderList {
  const bad = Array.isArray(headers) ? headers.findIndex((pair) => !Array.isArray(pair) || pair.length !== 2 || !isToken(pair[0]) || !isValidHeaderValue(pair[1]) || refused?.(pair[0], pair[1])) : -2;
  if (bad !== -1) throw new TypeError(`${context}: bad or reserved header ${JSON.stringify(bad < 0 ? headers : (headers as unknown[])[bad])}`);
  return headers as HeaderList;
}

/** Appends `name: value\r\n` for each header. */
export function formatHeaders(headers: HeaderList): string {
  let text = '';
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return text;
}

/** The message of receive() called once the handshake succeeded. */
export const COMPLETE = 'handshake complete: bytes go to the frame codec';

let slab = NO_BYTES;
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
  const view = new Uint8Array(slab.buffer, slabUsed, size);
  slabUsed += size;
  return view;
}

/** One byte per character: the head strings are validated to be Latin-1. */
export function encodeLatin1(text: string, body: Uint8Array = NO_BYTES): Uint8Array {
  const bytes = allocate(text.length + body.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  bytes.set(body, text.length);
  return bytes;
}
