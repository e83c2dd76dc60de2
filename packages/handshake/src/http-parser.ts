// An incremental parser for one HTTP/1.1 message head (RFC 9112 sections 2-5):
// the start line, the field lines and the empty line that ends them. Shared by
// both roles. It never reads content; it reports where the head ended so the
// caller can hand the following bytes on.
//
// Outcome rules, the same however the input is split:
// - A line must end (LF) within the limits; the byte that would cross a limit
//   fails the head at once, before it is buffered.
// - A complete line is then checked; its first fault fails the head.
// Strings are made once, when the head is complete: one decoding of the whole
// head, then slices. A head inside one chunk is parsed in place in one pass; a
// head split across chunks is gathered in a buffer bounded by the limits, and
// each line is scanned once its LF has arrived.

/** `[name, value]` pairs in the order received, names in their original case. */
export type HeaderList = ReadonlyArray<readonly [string, string]>;

export interface HeadLimits {
  /** Longest start line or field line, counting its CRLF. */
  readonly maxLineBytes: number;
  /** Largest header section: every field line with its CRLF, and the final CRLF. */
  readonly maxHeaderBytes: number;
  /** Most field lines. */
  readonly maxHeaders: number;
}

export type HeadErrorCode =
  | 'invalid-start-line'
  | 'invalid-header'
  | 'start-line-too-long'
  | 'header-line-too-long'
  | 'headers-too-large'
  | 'too-many-headers';

/** Reads a `max*` option: a positive safe integer, or the default. */
export function limitOption(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

const DEFAULT_LIMITS: HeadLimits = { maxLineBytes: 8192, maxHeaderBytes: 16384, maxHeaders: 100 };

/** The head limits from `max*` options, defaults filled in (8 KiB, 16 KiB, 100). */
export function headLimits(options: { readonly maxLineBytes?: number | undefined; readonly maxHeaderBytes?: number | undefined; readonly maxHeaders?: number | undefined }): HeadLimits {
  const { maxLineBytes, maxHeaderBytes, maxHeaders } = options;
  if (maxLineBytes === undefined && maxHeaderBytes === undefined && maxHeaders === undefined) return DEFAULT_LIMITS;
  return {
    maxLineBytes: limitOption(maxLineBytes, 'maxLineBytes', 8192),
    maxHeaderBytes: limitOption(maxHeaderBytes, 'maxHeaderBytes', 16384),
    maxHeaders: limitOption(maxHeaders, 'maxHeaders', 100),
  };
}

/**
 * The header names the handshake reads. The parser tags each header with its
 * index here plus one (0 for any other name), compared ASCII
 * case-insensitively, so the checks need no string comparison.
 */
export const KNOWN_HEADERS = [
  'host',
  'origin',
  'upgrade',
  'connection',
  'content-length',
  'transfer-encoding',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'sec-websocket-accept',
];

export const HOST = 1;
export const ORIGIN = 2;
export const UPGRADE = 3;
export const CONNECTION = 4;
export const CONTENT_LENGTH = 5;
export const TRANSFER_ENCODING = 6;
export const KEY = 7;
export const VERSION = 8;
export const PROTOCOL = 9;
export const EXTENSIONS = 10;
export const ACCEPT = 11;

/** The KNOWN_HEADERS tag of a header name: its index plus one, or 0. */
export function headerTag(name: string): number {
  return KNOWN_HEADERS.indexOf(name.toLowerCase()) + 1;
}

/** The values of the known headers, by tag, in order; undefined for absent ones. */
export function knownValues(headers: HeaderList, tags: readonly number[]): Array<string[] | undefined> {
  const values: Array<string[] | undefined> = new Array(12);
  for (let k = 0; k < headers.length; k++) {
    const tag = tags[k]!;
    if (tag > 0) (values[tag] ??= []).push(headers[k]![1]);
  }
  return values;
}

/** Candidate tag by name length (17 has two: told apart by the first letter). */
const TAG_BY_LENGTH: number[] = new Array(25).fill(0);
KNOWN_HEADERS.forEach((name, index) => (TAG_BY_LENGTH[name.length] ||= index + 1));
const KNOWN_BYTES = KNOWN_HEADERS.map((name) => new TextEncoder().encode(name));

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HTAB = 0x09;

/** `push` results besides the index where the head ended. */
export const NEED_MORE = -1;
export const FAILED = -2;

/** RFC 9110 5.6.2 tchar, by byte value. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN[c.charCodeAt(0)] = 1;

const ascii = new TextDecoder();

export class HeadParser {
  // The parsed head, valid once `push` returned where it ended.
  method = '';
  target = '';
  status = 0;
  reasonPhrase = '';
  versionMajor = 0;
  versionMinor = 0;
  headers: Array<[string, string]> = [];
  /** KNOWN_HEADERS tag of each header. */
  tags: number[] = [];
  /** Set when `push` returned FAILED. */
  errorCode: HeadErrorCode = 'invalid-start-line';
  errorReason = '';

  readonly #isRequest: boolean;
  readonly #limits: HeadLimits;
  // Offsets below are relative to the head's first byte.
  /** The head so far, when it spans chunks. */
  #buffer: Uint8Array | null = null;
  #buffered = 0;
  /** The current line has no LF before this offset. */
  #scanned = 0;
  #lineStart = 0;
  /** Where the header section began; -1 while reading the start line. */
  #headersStart = -1;
  /** [method start, method end, target start, target end] or [reason start, reason end]. */
  #startLine: number[] = [];
  /** Per field line: name start, name end (-1 for a folded continuation), value start, value end. */
  #fields: number[] = [];
  #nonAscii = false;
  #complete = false;

  constructor(isRequest: boolean, limits: HeadLimits) {
    this.#isRequest = isRequest;
    this.#limits = limits;
  }

  /** Forgets the previous head, to parse another one (after a 1xx response). */
  reset(): void {
    this.#buffered = this.#scanned = this.#lineStart = 0;
    this.#headersStart = -1;
    this.#fields = [];
    this.tags = [];
    this.#nonAscii = this.#complete = false;
  }

  /** The limit for the current line: [line limit, header section limit] as head offsets. */
  #limitsOfLine(): [number, number] {
    const { maxLineBytes, maxHeaderBytes } = this.#limits;
    const headersStart = this.#headersStart;
    // Empty lines before the start line count against its limit.
    const line = (headersStart < 0 ? 0 : this.#lineStart) + maxLineBytes;
    return [line, headersStart < 0 ? line : headersStart + maxHeaderBytes];
  }

  /**
   * Consumes `chunk` from `position`. Returns the index just past the head's
   * final CRLF, NEED_MORE when every byte was consumed without completing the
   * head, or FAILED (see `errorCode`, `errorReason`). Does not keep `chunk`.
   */
  push(chunk: Uint8Array, position: number): number {
    // Head offset h is chunk index h + shift.
    const shift = position - this.#buffered;
    if (this.#buffered === 0) {
      const end = this.#scan(chunk, shift, chunk.length - shift);
      if (end !== NEED_MORE) return end === FAILED ? FAILED : end + shift;
      if (this.#crossed(chunk.length - shift)) return FAILED;
      this.#append(chunk, position, chunk.length);
      this.#scanned = chunk.length - shift;
      return NEED_MORE;
    }
    // Split heads: gather up to the current line's limit, and scan a line
    // once its LF is here, so no byte is scanned for an LF twice.
    let taken = position;
    for (;;) {
      const limit = Math.min(...this.#limitsOfLine());
      const count = Math.min(chunk.length - taken, limit - this.#buffered);
      if (count > 0) this.#append(chunk, taken, (taken += count));
      const buffer = this.#buffer!;
      const lf = buffer.indexOf(LF, Math.max(this.#scanned, this.#lineStart));
      if (lf === -1 || lf >= Math.min(this.#buffered, limit)) {
        this.#scanned = this.#buffered;
        return this.#crossed(this.#buffered) ? FAILED : NEED_MORE;
      }
      const end = this.#scan(buffer, 0, lf + 1);
      if (end !== NEED_MORE) return end === FAILED ? FAILED : end + shift;
    }
  }

  /** True (and failed) when `reached` bytes leave the current line no room for its LF. */
  #crossed(reached: number): boolean {
    const [line, header] = this.#limitsOfLine();
    if (reached < line && reached < header) return false;
    if (this.#headersStart < 0) this.#fail('start-line-too-long', 'start line too long');
    else if (line <= header) this.#fail('header-line-too-long', 'header line too long');
    else this.#fail('headers-too-large', 'header section too large');
    return true;
  }

  /** Appends `chunk[start..end)` to the head buffer (bounded by the limits). */
  #append(chunk: Uint8Array, start: number, end: number): void {
    const needed = this.#buffered + end - start;
    let buffer = this.#buffer;
    if (buffer === null || buffer.length < needed) {
      const grown = new Uint8Array(Math.max(needed, 2 * (buffer?.length ?? 256)));
      if (buffer !== null) grown.set(buffer.subarray(0, this.#buffered));
      this.#buffer = buffer = grown;
    }
    buffer.set(chunk.subarray(start, end), this.#buffered);
    this.#buffered = needed;
  }

  #fail(code: HeadErrorCode, reason: string): number {
    this.errorCode = code;
    this.errorReason = reason;
    return FAILED;
  }

  /**
   * Scans lines from the current line on, bytes at `b[base + offset]`, up to
   * head offset `end` and within each line's limits. Returns the head's
   * length once its empty last line is scanned (the strings are then made),
   * NEED_MORE when a line has no LF before `end` or its limit, or FAILED.
   */
  #scan(b: Uint8Array, base: number, end: number): number {
    const { maxLineBytes, maxHeaderBytes } = this.#limits;
    for (;;) {
      const headersStart = this.#headersStart;
      // Empty lines before the start line count against its limit.
      const lineLimit = (headersStart < 0 ? 0 : this.#lineStart) + maxLineBytes;
      const limit = headersStart < 0 || lineLimit < headersStart + maxHeaderBytes ? lineLimit : headersStart + maxHeaderBytes;
      const next = this.#line(b, base, this.#lineStart, base + (end < limit ? end : limit));
      if (next < 0) return next;
      this.#lineStart = next;
      if (this.#complete) {
        this.#finish(b, base, next);
        return next;
      }
    }
  }

  /**
   * Scans the line at head offset `start` (bytes at `b[base + offset]`) up to
   * index `stop`. Returns the offset after its LF, NEED_MORE when no LF comes
   * before `stop`, or FAILED for a complete line with a fault.
   */
  #line(b: Uint8Array, base: number, start: number, stop: number): number {
    const isRequest = this.#isRequest;
    const inHeaders = this.#headersStart >= 0;
    const token = TOKEN;
    let i = base + start;
    let fault = '';
    let nameEnd = -1;
    if (b[i] === CR) {
      // An empty line, unless CR is not followed by LF (a fault below).
    } else if (inHeaders) {
      if (b[i] === SP || b[i] === HTAB) {
        // RFC 9112 5.2: "A server that receives an obs-fold in a request
        // message [...] MUST either reject the message by sending a 400
        // (Bad Request) [...] or replace each received obs-fold with one or
        // more SP octets"; this server rejects. "A user agent that receives
        // an obs-fold in a response message [...] MUST replace each received
        // obs-fold with one or more SP octets prior to interpreting the field
        // value." White space before the first field line is refused
        // (RFC 9112 2.2 allows that).
        if (isRequest || this.tags.length === 0) fault = 'obsolete line folding';
      } else {
        while (token[b[i]!] === 1) i++;
        // RFC 9112 5.1: "A server MUST reject, with a response status code
        // of 400 (Bad Request), any received request message that contains
        // whitespace between a header field name and colon."
        if (i === base + start || b[i] !== 0x3a) fault = 'malformed header name';
        nameEnd = i++;
      }
      while (b[i] === SP || b[i] === HTAB) i++;
    } else if (isRequest) {
      // RFC 9112 3: request-line = method SP request-target SP HTTP-version
      while (token[b[i]!] === 1) i++;
      const methodEnd = i;
      const targetStart = ++i;
      // Visible ASCII except "#" (RFC 9112 3.2: no fragment); the server
      // role checks the form of the target.
      while (b[i]! > SP && b[i]! < 0x7f && b[i] !== 0x23) i++;
      this.#startLine = [start, methodEnd - base, targetStart - base, i - base];
      if (methodEnd === base + start || b[methodEnd] !== SP || i === targetStart || b[i] !== SP || !this.#version(b, i + 1) || b[i + 9] !== CR) {
        fault = 'malformed request line';
      }
      i += 9;
    } else {
      // RFC 9112 4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
      // (the SP before an empty reason phrase is tolerated when missing).
      let status = 0;
      for (let k = i + 9; k < i + 12; k++) status = status * 10 + (b[k]! - 0x30 >>> 0 < 10 ? b[k]! - 0x30 : NaN);
      this.status = status;
      if (!this.#version(b, i) || b[i + 8] !== SP || !(status >= 100) || (b[i + 12] !== SP && b[i + 12] !== CR)) fault = 'malformed status line';
      i += b[i + 12] === SP ? 13 : 12;
    }
    const valueStart = i;
    // RFC 9110 5.5: field values (and reason phrases) are HTAB, SP, VCHAR
    // and obs-text; the first other byte must be the CR of the CRLF.
    let nonAscii = false;
    for (; i < stop; i++) {
      const byte = b[i]!;
      if (byte < SP || byte >= 0x7f) {
        if (byte >= 0x80) nonAscii = true;
        else if (byte !== HTAB) break;
      }
    }
    let lf = i + 1;
    if (lf >= stop || b[i] !== CR || b[lf] !== LF) {
      // RFC 9112 2.2: a bare CR "MUST" make the element invalid; a bare LF
      // is refused too. RFC 9110 5.5: "a recipient of CR, LF, or NUL within
      // a field value MUST either reject the message or replace each of
      // those characters with SP". Rejected, as other control characters.
      // The LF is searched from the line's start: a fixed-width field above
      // may have jumped over it.
      fault ||= 'control character in a line';
      lf = b.indexOf(LF, base + start);
      if (lf === -1 || lf >= stop) return NEED_MORE;
    }
    if (fault !== '') return this.#fail(inHeaders ? 'invalid-header' : 'invalid-start-line', fault);
    const next = lf + 1 - base;
    // An empty line: RFC 9112 2.2, "a server that is expecting to receive and
    // parse a request-line SHOULD ignore at least one empty line (CRLF)
    // received prior to the request-line." After the headers, the end.
    if (lf === base + start + 1) {
      this.#complete = inHeaders;
      return next;
    }
    if (nonAscii) this.#nonAscii = true;
    if (!inHeaders) {
      if (!isRequest) this.#startLine = [valueStart - base, i - base];
      this.#headersStart = next;
      return next;
    }
    let valueEnd = i;
    while (valueEnd > valueStart && (b[valueEnd - 1] === SP || b[valueEnd - 1] === HTAB)) valueEnd--;
    if (nameEnd >= 0) {
      if (this.tags.length === this.#limits.maxHeaders) return this.#fail('too-many-headers', 'too many header lines');
      // The length proposes a known name; the bytes confirm it.
      const length = nameEnd - base - start;
      let tag = length < 25 ? TAG_BY_LENGTH[length]! : 0;
      if (tag > 0) {
        if (length === 17 && (b[base + start]! | 0x20) === 0x73) tag = KEY;
        const known = KNOWN_BYTES[tag - 1]!;
        for (let k = 0; k < length; k++) if ((b[base + start + k]! | 0x20) !== known[k]) tag = 0;
      }
      this.tags.push(tag);
    }
    this.#fields.push(start, nameEnd - base, valueStart - base, valueEnd - base);
    return next;
  }

  // RFC 9112 2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT, HTTP-name case-sensitive.
  #version(b: Uint8Array, at: number): boolean {
    const major = b[at + 5]! - 0x30;
    const minor = b[at + 7]! - 0x30;
    this.versionMajor = major;
    this.versionMinor = minor;
    return b[at] === 0x48 && b[at + 1] === 0x54 && b[at + 2] === 0x54 && b[at + 3] === 0x50 && b[at + 4] === 0x2f && b[at + 6] === 0x2e && major >>> 0 < 10 && minor >>> 0 < 10;
  }

  /** Makes the strings: one decoding of the head, then slices. */
  #finish(b: Uint8Array, base: number, length: number): void {
    let text: string;
    if (this.#nonAscii) {
      // One character per byte ("latin1"): values are bytes, as in Node's http.
      text = '';
      for (let i = base; i < base + length; i++) text += String.fromCharCode(b[i]!);
    } else {
      text = ascii.decode(b.subarray(base, base + length));
    }
    const line = this.#startLine;
    if (this.#isRequest) {
      this.method = text.slice(line[0], line[1]);
      this.target = text.slice(line[2], line[3]);
    } else {
      this.reasonPhrase = text.slice(line[0], line[1]);
    }
    const fields = this.#fields;
    const headers: Array<[string, string]> = [];
    for (let k = 0; k < fields.length; k += 4) {
      const value = text.slice(fields[k + 2], fields[k + 3]);
      if (fields[k + 1]! >= 0) {
        headers.push([text.slice(fields[k], fields[k + 1]), value]);
      } else if (value !== '') {
        const last = headers[headers.length - 1]!;
        last[1] = last[1] === '' ? value : `${last[1]} ${value}`;
      }
    }
    this.headers = headers;
    this.#buffered = 0;
  }
}
