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
const TCHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
const TOKEN = new RegExp(`^${TCHAR}+$`);

export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN.test(String.fromCharCode(code));
}

/** True when `value` is a non-empty RFC 9110 token. */
export function isToken(value: string): boolean {
  return typeof value === 'string' && TOKEN.test(value);
}

const SP = 0x20;
const HTAB = 0x09;

// Sticky patterns, each tried at a position in one field value. OWS is SP /
// HTAB (RFC 9110 5.6.3).
const OWS = '[ \\t]*';
const NAME = new RegExp(`${TCHAR}+`, 'y');
// extension-param = token [ "=" (token | quoted-string) ], RFC 9110 5.6.4:
// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
const PARAM = new RegExp(`${OWS};${OWS}(${TCHAR}+)(?:${OWS}=${OWS}(?:(${TCHAR}+)|"((?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*)"))?`, 'y');

function at(pattern: RegExp, text: string, position: number): RegExpExecArray | null {
  pattern.lastIndex = position;
  return pattern.exec(text);
}

/**
 * Splits the values of one or more field lines into list elements (RFC 9110
 * section 5.6.1), reading each non-empty one with `element`, which returns
 * the element and where it ends, or an error. Empty elements (`a, , b`) are
 * ignored, as recipients must.
 */
function parseList<T>(values: readonly string[], element: (text: string, position: number) => [T, number] | string): ParseResult<T[]> {
  const list: T[] = [];
  for (const text of values) {
    for (let position = 0; ; ) {
      // Separators and empty elements ("a, , b"), then an element.
      while (isListSpace(text.charCodeAt(position)) || text.charCodeAt(position) === COMMA) position++;
      if (position >= text.length) break;
      const result = element(text, position);
      if (typeof result === 'string') return { ok: false, error: result };
      list.push(result[0]);
      // OWS, then a comma or the end of the value.
      position = result[1];
      while (isListSpace(text.charCodeAt(position))) position++;
      if (position < text.length && text.charCodeAt(position++) !== COMMA) return { ok: false, error: unexpected(text, position - 1) };
    }
  }
  return { ok: true, value: list };
}

const COMMA = 0x2c;
const isListSpace = (code: number): boolean => code === SP || code === HTAB;

function unexpected(text: string, position: number): string {
  return `unexpected ${JSON.stringify(text[position])} at ${position} in ${JSON.stringify(text)}`;
}

/**
 * Parses `1#token` lists such as Sec-WebSocket-Protocol or Connection.
 * Returns the tokens in order, as written (no case folding).
 */
export function parseTokenList(values: readonly string[]): ParseResult<string[]> {
  return parseList(values, (text, position) => {
    const name = at(NAME, text, position);
    return name === null ? unexpected(text, position) : [name[0], NAME.lastIndex];
  });
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
    for (let start = 0; start <= text.length; ) {
      let end = text.indexOf(',', start);
      if (end === -1) end = text.length;
      const next = end + 1;
      // Only SP and HTAB are optional white space (RFC 9110 5.6.3).
      while (start < end && (text.charCodeAt(start) === SP || text.charCodeAt(start) === HTAB)) start++;
      while (end > start && (text.charCodeAt(end - 1) === SP || text.charCodeAt(end - 1) === HTAB)) end--;
      if (end - start === wanted.length && text.slice(start, end).toLowerCase() === wanted) return true;
      start = next;
    }
  }
  return false;
}

/**
 * Parses Sec-WebSocket-Extensions (RFC 6455 section 9.1):
 *
 *   extension-list  = 1#extension
 *   extension       = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 *
 * "When using the quoted-string syntax variant, the value after
 * quoted-string unescaping MUST conform to the 'token' ABNF."
 */
export function parseExtensionList(values: readonly string[]): ParseResult<Extension[]> {
  return parseList(values, (text, position) => {
    const name = at(NAME, text, position);
    if (name === null) return unexpected(text, position);
    position = NAME.lastIndex;
    const params: ExtensionParam[] = [];
    for (let param; (param = at(PARAM, text, position)) !== null; position = PARAM.lastIndex) {
      const quoted = param[3]?.replace(/\\(.)/g, '$1');
      if (quoted !== undefined && !isToken(quoted)) return `the quoted value of ${param[1]} is not a token (RFC 6455 section 9.1) in ${JSON.stringify(text)}`;
      params.push({ name: param[1]!, value: param[2] ?? quoted ?? null });
    }
    return [{ name: name[0], params }, position];
  });
}

/**
 * Formats extensions for a Sec-WebSocket-Extensions value. Names and values
 * must be tokens (values are then written bare, never quoted); anything else
 * is a local error.
 */
export function formatExtensionList(extensions: readonly Extension[]): string {
  const check = (text: string | null | undefined): string => {
    if (!isToken(text as string)) throw new TypeError(`extension name or value ${JSON.stringify(text)} is not a token`);
    return text!;
  };
  return extensions
    .map(({ name, params }) => check(name) + params.map((param) => `; ${check(param.name)}${param.value === null ? '' : `=${check(param.value)}`}`).join(''))
    .join(', ');
}
