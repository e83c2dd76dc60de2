// Header value grammars shared by the HTTP/1.1 handshake and the RFC 8441 /
// RFC 9220 bootstrap: token lists (Sec-WebSocket-Protocol, Connection,
// Upgrade) and the extension list of RFC 6455 section 9.1.
//
// A header that occurs on several lines is one comma-separated list (RFC 9110
// section 5.3), so every parser takes all the field lines' values at once.

/** One parameter of an extension: `name` or `name=value` (value unquoted). */
export interface ExtensionParam {
  readonly name: string;
  /** The value with any quoted-string escaping removed; `null` when absent. */
  readonly value: string | null;
}

/** One element of a Sec-WebSocket-Extensions list. */
export interface Extension {
  readonly name: string;
  readonly params: readonly ExtensionParam[];
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

// RFC 9110 section 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+"
// / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
/** @internal The tchar character class, for building patterns. */
export const TCHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
const TOKEN = new RegExp(`^${TCHAR}+$`);
const TOKEN_RUN = new RegExp(`${TCHAR}*`, 'y');

/** True when `code` is the code of a tchar (RFC 9110 5.6.2); false for anything else, e.g. a string or 65.5. */
export function isTokenChar(code: number): boolean {
  return code === (code & 0x7f) && TOKEN.test(String.fromCharCode(code));
}

/** True when `value` is a string holding a non-empty RFC 9110 token; false for anything else, e.g. a number. */
export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

/** OWS characters, RFC 9110 5.6.3. */
export const isSpace = (code: number): boolean => code === 0x20 || code === 0x09;

/** The code at `i`, -1 past the end (reading past it would slow down every read in optimized code). */
const codeAt = (text: string, i: number): number => (i < text.length ? text.charCodeAt(i) : -1);

/** Where the run of OWS (SP / HTAB) from `i` ends. */
function skipSpace(text: string, i: number): number {
  while (isSpace(codeAt(text, i))) i++;
  return i;
}

/** `text` from `start` to `end` without the OWS around it. */
export function trim(text: string, start: number, end: number): string {
  start = skipSpace(text, start);
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Where the run of tchars from `i` ends (a pattern reads a sliced string faster than charCodeAt). */
function skipToken(text: string, i: number): number {
  TOKEN_RUN.lastIndex = i;
  TOKEN_RUN.test(text);
  return TOKEN_RUN.lastIndex;
}

/**
 * True when `name` is `lowerCase` ignoring ASCII case, as RFC 9110 compares
 * field names and these tokens. Only ASCII letters fold.
 */
export function sameName(name: string, lowerCase: string): boolean {
  if (name.length !== lowerCase.length) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code !== lowerCase.charCodeAt(i) && (code < 0x41 || code > 0x5a || code + 0x20 !== lowerCase.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * @internal Parses Sec-WebSocket-Extensions (RFC 6455 section 9.1), or a
 * `1#token` list (names only) when `withParams` is false; a malformed value
 * gives the error text instead (`parseExtensionList` and `parseTokenList`
 * wrap it in a result object).
 *
 *   extension-list  = 1#extension
 *   extension       = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 *
 * RFC 9110 5.6.1: recipients ignore empty elements ("a, , b"). OWS is SP /
 * HTAB (RFC 9110 5.6.3), allowed around ";", "=" and ",".
 */
export function parseList(values: readonly string[], withParams: true): Extension[] | string;
export function parseList(values: readonly string[], withParams: false): string[] | string;
export function parseList(values: readonly string[], withParams: boolean): Array<Extension | string> | string {
  const list: Array<Extension | string> = [];
  for (const text of values) {
    for (let i = 0; ; i++) {
      while (codeAt(text, i) === 0x2c || isSpace(codeAt(text, i))) i++;
      if (i === text.length) break;
      let end = skipToken(text, i);
      if (end === i) return malformed(text);
      const name = text.slice(i, end);
      const params: ExtensionParam[] = [];
      for (i = skipSpace(text, end); withParams && codeAt(text, i) === 0x3b; ) {
        const start = skipSpace(text, i + 1);
        end = skipToken(text, start);
        if (end === start) return malformed(text);
        let value: string | null = null;
        i = skipSpace(text, end);
        if (codeAt(text, i) === 0x3d) {
          i = skipSpace(text, i + 1);
          // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110
          // 5.6.4); RFC 6455 9.1: "When using the quoted-string syntax
          // variant, the value after quoted-string unescaping MUST conform
          // to the 'token' ABNF": so every character, escaped or not, is a tchar.
          if (codeAt(text, i) === 0x22) {
            value = '';
            for (i++; codeAt(text, i) !== 0x22; i++) {
              if (codeAt(text, i) === 0x5c) i++;
              if (!isTokenChar(codeAt(text, i))) return malformed(text);
              value += text[i];
            }
            i++;
          } else {
            value = text.slice(i, (i = skipToken(text, i)));
          }
          if (value === '') return malformed(text);
          i = skipSpace(text, i);
        }
        params.push({ name: text.slice(start, end), value });
      }
      list.push(withParams ? { name, params } : name);
      if (i === text.length) break;
      if (codeAt(text, i) !== 0x2c) return malformed(text);
    }
  }
  return list;
}

const malformed = (text: string): string => `malformed list ${JSON.stringify(text)}`;

const result = <T>(list: T[] | string): ParseResult<T[]> => (typeof list === 'string' ? { ok: false, error: list } : { ok: true, value: list });

/**
 * Parses `1#token` lists such as Sec-WebSocket-Protocol or Connection.
 * Returns the tokens in order, as written (no case folding).
 */
export function parseTokenList(values: readonly string[]): ParseResult<string[]> {
  return result(parseList(values, false));
}

/** Parses Sec-WebSocket-Extensions (RFC 6455 section 9.1) into names and parameters. */
export function parseExtensionList(values: readonly string[]): ParseResult<Extension[]> {
  return result(parseList(values, true));
}

/**
 * True when the comma lists in `values` contain `token`, compared
 * case-insensitively (Connection: keep-alive, Upgrade). Elements that are not
 * tokens are ignored rather than failing the whole header: a proxy's odd
 * Connection value must not hide the `upgrade` next to it.
 */
export function listContainsToken(values: readonly string[], token: string): boolean {
  const wanted = token.toLowerCase();
  for (const text of values) {
    for (let start = 0, end = 0; end < text.length; start = end + 1) {
      end = text.indexOf(',', start);
      if (end < 0) end = text.length;
      if (sameName(trim(text, start, end), wanted)) return true;
    }
  }
  return false;
}

/**
 * Formats extensions for a Sec-WebSocket-Extensions value. Names and values
 * must be tokens (values are then written bare, never quoted); anything else
 * throws a TypeError.
 */
export function formatExtensionList(extensions: readonly Extension[]): string {
  const token = (text: unknown): string => {
    if (!isToken(text)) throw new TypeError(`extension part ${JSON.stringify(text)} is not a token`);
    return text;
  };
  return extensions.map(({ name, params }) => token(name) + params.map((param) => `; ${token(param.name)}${param.value === null ? '' : `=${token(param.value)}`}`).join('')).join(', ');
}
