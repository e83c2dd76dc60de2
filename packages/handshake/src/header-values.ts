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

/** True when `code` is the code of a tchar (RFC 9110 5.6.2); false for anything else, e.g. a string or 65.5. */
export function isTokenChar(code: number): boolean {
  return code === (code & 0x7f) && TOKEN.test(String.fromCharCode(code));
}

/** True when `value` is a string holding a non-empty RFC 9110 token; false for anything else, e.g. a number. */
export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

/** @internal Runs a sticky `pattern` at `position` of `text`. */
export function matchAt(pattern: RegExp, text: string, position: number): RegExpExecArray | null {
  pattern.lastIndex = position;
  return pattern.exec(text);
}

/** OWS characters, RFC 9110 5.6.3. */
export const isSpace = (code: number): boolean => code === 0x20 || code === 0x09;

// Sticky patterns, each tried at a position in one field value. OWS is SP /
// HTAB (RFC 9110 5.6.3). Separators and empty elements ("a, , b") come
// before an element (RFC 9110 5.6.1: recipients ignore empty elements);
// after it, OWS and a comma or the end of the value.
const OWS = '[ \\t]*';
const ELEMENT_START = new RegExp(`[ \\t,]*(?:(${TCHAR}+)|$)`, 'y');
const ELEMENT_END = new RegExp(`${OWS}(?:,|$)`, 'y');
// extension-param = token [ "=" (token | quoted-string) ], RFC 9110 5.6.4:
// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
const PARAM = new RegExp(`${OWS};${OWS}(${TCHAR}+)(?:${OWS}=${OWS}(?:(${TCHAR}+)|"((?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*)"))?`, 'y');

/**
 * Parses Sec-WebSocket-Extensions (RFC 6455 section 9.1), or a token list
 * when `withParams` is false:
 *
 *   extension-list  = 1#extension
 *   extension       = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 */
function parseList(values: readonly string[], withParams: boolean): ParseResult<Extension[]> {
  const list: Extension[] = [];
  for (const text of values) {
    for (let position = 0; position < text.length; ) {
      const name = matchAt(ELEMENT_START, text, position);
      if (name === null) return malformed(text);
      position = ELEMENT_START.lastIndex;
      if (name[1] === undefined) break;
      const params: ExtensionParam[] = [];
      // A parameter is tried only where one can start: at OWS or ";".
      while (withParams && (text.charCodeAt(position) === 0x3b || isSpace(text.charCodeAt(position)))) {
        const param = matchAt(PARAM, text, position);
        if (param === null) break;
        position = PARAM.lastIndex;
        const quoted = param[3]?.replace(/\\(.)/g, '$1');
        // "When using the quoted-string syntax variant, the value after
        // quoted-string unescaping MUST conform to the 'token' ABNF."
        if (quoted !== undefined && !isToken(quoted)) return malformed(text);
        params.push({ name: param[1]!, value: param[2] ?? quoted ?? null });
      }
      list.push({ name: name[1], params });
      if (position < text.length) {
        if (matchAt(ELEMENT_END, text, position) === null) return malformed(text);
        position = ELEMENT_END.lastIndex;
      }
    }
  }
  return { ok: true, value: list };
}

const malformed = (text: string): ParseResult<never> => ({ ok: false, error: `malformed list ${JSON.stringify(text)}` });

/**
 * Parses `1#token` lists such as Sec-WebSocket-Protocol or Connection.
 * Returns the tokens in order, as written (no case folding).
 */
export function parseTokenList(values: readonly string[]): ParseResult<string[]> {
  const result = parseList(values, false);
  return result.ok ? { ok: true, value: result.value.map((element) => element.name) } : result;
}

/** Parses Sec-WebSocket-Extensions (RFC 6455 section 9.1) into names and parameters. */
export function parseExtensionList(values: readonly string[]): ParseResult<Extension[]> {
  return parseList(values, true);
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
      let last = end;
      while (isSpace(text.charCodeAt(start))) start++;
      while (last > start && isSpace(text.charCodeAt(last - 1))) last--;
      if (last - start === wanted.length && text.slice(start, last).toLowerCase() === wanted) return true;
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
