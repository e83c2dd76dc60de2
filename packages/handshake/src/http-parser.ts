// An incremental parser for one HTTP/1.1 message head (RFC 9112 sections 2-5):
// the start line, the field lines and the empty line that ends them. Shared by
// both roles. It never reads content; it reports where the head ended so the
// caller can hand the following bytes on.
//
// Outcome rules, the same however the input is split:
// - A line must end (LF) within the limits; the byte that would cross a limit
//   fails the head at once, before it is kept.
// - The lines are checked together, by one pattern, when the head ends, a
//   limit is crossed or the input runs out: the first faulty line fails the
//   head (a faulty start line at the latest when the push that completed it
//   returns), unless a limit was crossed before it.
// The head is kept as text, one character per byte (Latin-1, as in Node's
// http): ASCII through TextDecoder, which is fast, and input with bytes above
// 0x7F, which is rare, through String.fromCharCode. Text offsets are byte offsets.
import { TCHAR, isSpace, trim } from './header-values.js';
import { addKnown, headerTag, type KnownValues } from './headers.js';

export interface HeadLimits {
  /** Longest start line or field line, counting its CRLF. */
  readonly maxLineBytes: number;
  /** Largest header section: every field line with its CRLF, and the final CRLF; plus the heads before it (see `reset`). */
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

/** The head limits from `max*` options, defaults filled in (8 KiB, 16 KiB, 100). */
export function headLimits(options: { readonly maxLineBytes?: number | undefined; readonly maxHeaderBytes?: number | undefined; readonly maxHeaders?: number | undefined }): HeadLimits {
  return {
    maxLineBytes: limitOption(options.maxLineBytes, 'maxLineBytes', 8192),
    maxHeaderBytes: limitOption(options.maxHeaderBytes, 'maxHeaderBytes', 16384),
    maxHeaders: limitOption(options.maxHeaders, 'maxHeaders', 100),
  };
}

/** `push` results besides the index where the head ended (a const enum: the bundler writes the numbers in). */
export const enum Push {
  NEED_MORE = -1,
  FAILED = -2,
}

// RFC 9110 5.5: field values (and reason phrases) are HTAB, SP, VCHAR and
// obs-text, so RFC 9112 5's field-line = field-name ":" OWS field-value OWS
// is a name, a colon and any run of those. Anything else in a line fails it:
// RFC 9112 2.2, a bare CR "MUST" make the element invalid (a bare LF is
// refused too); RFC 9110 5.5, "a recipient of CR, LF, or NUL within a field
// value MUST either reject the message or replace each of those characters
// with SP": rejected, as other controls.
const FIELD_CHARS = '[\\t\\x20-\\x7e\\x80-\\xff]*';
// RFC 9112 3: request-line = method SP request-target SP HTTP-version, the
// target visible ASCII without "#" (RFC 9112 3.2: no fragment; its form is
// the server's business). RFC 9112 2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT.
const REQUEST_LINE = `${TCHAR}+ [\\x21\\x22\\x24-\\x7e]+ HTTP/\\d\\.\\d\\r\\n`;
// RFC 9112 4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
// (the SP before an empty reason phrase is tolerated when missing).
const STATUS_LINE = `HTTP/\\d\\.\\d [1-9]\\d\\d(?: ${FIELD_CHARS})?\\r\\n`;
// RFC 9112 5.1: "A server MUST reject, with a response status code of 400
// (Bad Request), any received request message that contains whitespace
// between a header field name and colon." RFC 9112 5.2: "A server that
// receives an obs-fold in a request message [...] MUST either reject the
// message by sending a 400 (Bad Request) [...] or replace each received
// obs-fold with one or more SP octets"; this server rejects. "A user agent
// that receives an obs-fold in a response message [...] MUST replace each
// received obs-fold with one or more SP octets prior to interpreting the
// field value": a response's line may continue on lines that start with
// white space. The patterns match the longest run of valid lines, from the
// start line when it is still unchecked.
const FIELD_LINES = `(?:(?:${TCHAR}+:|[ \\t])${FIELD_CHARS}\\r\\n)*`;
const REQUEST_HEAD = new RegExp(REQUEST_LINE + FIELD_LINES, 'y');
const STATUS_HEAD = new RegExp(STATUS_LINE + FIELD_LINES, 'y');
const FIELDS = new RegExp(FIELD_LINES, 'y');

const ascii = new TextDecoder();

/**
 * `bytes` decoded one character per byte: through TextDecoder when they are
 * ASCII (each byte above 0x7F would become U+FFFD or share a character),
 * else by String.fromCharCode on pieces of 4 KiB (few enough arguments for
 * any engine). Either way the work is linear in the length of `bytes`.
 */
function decodeLatin1(bytes: Uint8Array): string {
  let text = ascii.decode(bytes);
  if (text.length === bytes.length && !text.includes('\ufffd')) return text;
  text = '';
  for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  return text;
}

export class HeadParser {
  // The parsed head, valid once `push` returned where it ended.
  method = '';
  target = '';
  status = 0;
  reasonPhrase = '';
  versionMajor = 0;
  versionMinor = 0;
  headers: Array<[string, string]> = [];
  /** The values of the known headers (see `knownHeaderValues`), gathered line by line. */
  known: KnownValues = [];
  /** Set when `push` returned Push.FAILED. */
  errorCode: HeadErrorCode = 'invalid-start-line';

  readonly #isRequest: boolean;
  readonly #limits: HeadLimits;
  /** The head so far, one character per byte. */
  #text = '';
  #lineStart = 0;
  /** Where the header section began; -1 while reading the start line. */
  #headersStart = -1;
  /** The lines before this offset passed #checkLines; the start line's offset until it is checked. */
  #checked = 0;
  /** No LF from the current line's start to this offset. */
  #searched = 0;
  /**
   * Bytes of the heads before this one (1xx responses). They count against
   * maxHeaderBytes: an endless run of them fails instead of being read forever.
   */
  #earlier = 0;

  constructor(isRequest: boolean, limits: HeadLimits) {
    this.#isRequest = isRequest;
    this.#limits = limits;
  }

  /** Forgets the previous head but its length, to parse another one (after a 1xx response). */
  reset(): void {
    this.#earlier += this.#lineStart;
    this.#text = '';
    this.#lineStart = this.#checked = this.#searched = 0;
    this.#headersStart = -1;
    this.headers = [];
    this.known = [];
  }

  /**
   * Consumes `input` from `position`: bytes, or text of one character per
   * byte. Returns the index just past the head's final CRLF, Push.NEED_MORE when
   * every byte was consumed without completing the head, or Push.FAILED (see
   * `errorCode`). Does not keep `input`.
   */
  push(input: Uint8Array | string, position: number): number {
    const { maxLineBytes, maxHeaderBytes, maxHeaders } = this.#limits;
    const headers = this.headers;
    // Input index i is head offset i - shift.
    const shift = position - this.#text.length;
    for (let taken = position; ; ) {
      const text = this.#text;
      const start = this.#lineStart;
      const headersStart = this.#headersStart;
      // The current line must end (its LF included) before `limit`. Empty
      // lines before the start line count against its limit.
      const lineLimit = (headersStart < 0 ? 0 : start) + maxLineBytes;
      const sectionLimit = headersStart < 0 ? lineLimit : headersStart + maxHeaderBytes - this.#earlier;
      const limit = Math.min(lineLimit, sectionLimit);
      // The text is searched only when it holds something new (fed a byte at
      // a time, it is not searched again, nor made flat, for each byte). A
      // line's limit can be lower than an earlier one's: the text may hold
      // an LF past it.
      const lf = this.#searched < text.length ? text.indexOf('\n', start) : -1;
      if (lf < 0 || lf >= limit) {
        if (text.length >= limit) return this.#checkLines(start) ?? this.#fail(headersStart < 0 ? 'start-line-too-long' : lineLimit <= sectionLimit ? 'header-line-too-long' : 'headers-too-large');
        if (taken >= input.length) return this.#checkLines(start) ?? Push.NEED_MORE;
        // Only bytes that may still belong to the line are taken.
        const end = taken + limit - text.length;
        const piece = typeof input === 'string' ? input.slice(taken, end) : decodeLatin1(taken === 0 && end >= input.length ? input : input.subarray(taken, end));
        this.#text = text + piece;
        taken += piece.length;
        this.#searched = piece.includes('\n') ? text.length : this.#text.length;
        continue;
      }
      this.#lineStart = this.#searched = lf + 1;
      if (lf === start + 1 && text.charCodeAt(start) === 0x0d) {
        // An empty line: RFC 9112 2.2, "a server that is expecting to receive
        // and parse a request-line SHOULD ignore at least one empty line
        // (CRLF) received prior to the request-line." After the headers, the end.
        if (headersStart >= 0) {
          return this.#checkLines(start) ?? lf + 1 + shift;
        }
      } else if (headersStart < 0) {
        this.#checked = start;
        this.#headersStart = lf + 1;
      } else if (isSpace(text.charCodeAt(start))) {
        // An obs-fold continuation: one SP for the fold, in the value and
        // where it is filed. Refused in a request, and before the first field
        // line (RFC 9112 2.2 allows that).
        const last = headers[headers.length - 1];
        const value = trim(text, start, lf - 1);
        if (last === undefined || this.#isRequest) return this.#checkLines(start) ?? this.#fail('invalid-header');
        if (value === '') continue;
        last[1] = last[1] === '' ? value : `${last[1]} ${value}`;
        const known = this.known[headerTag(last[0])];
        if (known !== undefined) known[known.length - 1] = last[1];
      } else {
        if (headers.length === maxHeaders) return this.#checkLines(lf + 1) ?? this.#fail('too-many-headers');
        const colon = text.indexOf(':', start);
        const name = text.slice(start, colon);
        const value = trim(text, colon + 1, lf - 1);
        headers.push([name, value]);
        addKnown(this.known, name, value);
      }
    }
  }

  #fail(code: HeadErrorCode): number {
    this.errorCode = code;
    return Push.FAILED;
  }

  /**
   * Checks the complete lines not yet checked, up to `end`, with one
   * pattern: FAILED at the first faulty line, else null. A start line is
   * then split where the pattern put its parts.
   */
  #checkLines(end: number): number | null {
    const checked = this.#checked;
    const headersStart = this.#headersStart;
    const isRequest = this.#isRequest;
    if (headersStart < 0 || checked >= end) return null;
    const text = this.#text;
    const pattern = checked >= headersStart ? FIELDS : isRequest ? REQUEST_HEAD : STATUS_HEAD;
    pattern.lastIndex = checked;
    pattern.test(text);
    this.#checked = pattern.lastIndex;
    if (checked < headersStart) {
      if (this.#checked < headersStart) return this.#fail('invalid-start-line');
      // "HTTP/1.1" ends a request line (" HTTP/1.1\r\n"), starts a status line.
      const version = isRequest ? headersStart - 10 : checked;
      this.versionMajor = text.charCodeAt(version + 5) - 0x30;
      this.versionMinor = text.charCodeAt(version + 7) - 0x30;
      if (isRequest) {
        const space = text.indexOf(' ', checked);
        this.method = text.slice(checked, space);
        this.target = text.slice(space + 1, version - 1);
      } else {
        this.status = +text.slice(checked + 9, checked + 12);
        this.reasonPhrase = text.slice(checked + 13, headersStart - 2);
      }
    }
    return this.#checked < end ? this.#fail('invalid-header') : null;
  }
}
