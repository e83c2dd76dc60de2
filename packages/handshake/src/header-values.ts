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
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

export function isTokenChar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

/** True when `value` is a non-empty RFC 9110 token. */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    if (!isTokenChar(value.charCodeAt(i))) return false;
  }
  return true;
}

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A cursor over one field value; parsers below read it left to right. */
class Scanner {
  position = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  peek(): number {
    return this.text.charCodeAt(this.position);
  }

  skipWhitespace(): void {
    while (!this.done && (this.peek() === SP || this.peek() === HTAB)) this.position++;
  }

  token(): string {
    const start = this.position;
    while (!this.done && isTokenChar(this.peek())) this.position++;
    return this.text.slice(start, this.position);
  }

  /** RFC 9110 section 5.6.4 quoted-string, returned unescaped, or null if malformed. */
  quotedString(): string | null {
    this.position++; // opening DQUOTE
    let value = '';
    while (!this.done) {
      const code = this.peek();
      if (code === DQUOTE) {
        this.position++;
        return value;
      }
      if (code === BACKSLASH) {
        this.position++;
        if (this.done) return null;
        const escaped = this.peek();
        if (!isQuotedPairChar(escaped)) return null;
        value += this.text[this.position];
      } else if (isQdtextChar(code)) {
        value += this.text[this.position];
      } else {
        return null;
      }
      this.position++;
    }
    return null;
  }
}

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
function isQdtextChar(code: number): boolean {
  return code === HTAB || code === SP || code === 0x21 || (code >= 0x23 && code <= 0x5b) || (code >= 0x5d && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
}

// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
function isQuotedPairChar(code: number): boolean {
  return code === HTAB || code === SP || (code >= 0x21 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
}

/**
 * Splits the values of one or more field lines into list elements (RFC 9110
 * section 5.6.1) and calls `element` on each non-empty one. Empty elements
 * (`a, , b`) are ignored, as recipients must.
 */
function forEachElement(values: readonly string[], element: (scanner: Scanner) => string | null): string | null {
  for (const text of values) {
    const scanner = new Scanner(text);
    for (;;) {
      scanner.skipWhitespace();
      if (scanner.done) break;
      if (scanner.peek() === COMMA) {
        scanner.position++;
        continue;
      }
      const error = element(scanner);
      if (error !== null) return error;
      scanner.skipWhitespace();
      if (scanner.done) break;
      if (scanner.peek() !== COMMA) return `unexpected ${describe(scanner)} in "${text}"`;
      scanner.position++;
    }
  }
  return null;
}

function describe(scanner: Scanner): string {
  return `character ${JSON.stringify(scanner.text[scanner.position])} at ${scanner.position}`;
}

/**
 * Parses `1#token` lists such as Sec-WebSocket-Protocol or Connection.
 * Returns the tokens in order, as written (no case folding).
 */
export function parseTokenList(values: readonly string[]): ParseResult<string[]> {
  const tokens: string[] = [];
  const error = forEachElement(values, (scanner) => {
    const token = scanner.token();
    if (token === '') return `expected a token, found ${describe(scanner)} in "${scanner.text}"`;
    tokens.push(token);
    return null;
  });
  return error === null ? { ok: true, value: tokens } : { ok: false, error };
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
      if (end - start === wanted.length) {
        let i = 0;
        // ASCII case folding only: OR-ing 0x20 maps A-Z to a-z and leaves the
        // token characters of `wanted` that are not letters unchanged.
        while (i < wanted.length && (text.charCodeAt(start + i) | (isLetter(wanted.charCodeAt(i)) ? 0x20 : 0)) === wanted.charCodeAt(i)) i++;
        if (i === wanted.length) return true;
      }
      start = next;
    }
  }
  return false;
}

function isLetter(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
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
  const extensions: Extension[] = [];
  const error = forEachElement(values, (scanner) => {
    const name = scanner.token();
    if (name === '') return `expected an extension name, found ${describe(scanner)} in "${scanner.text}"`;
    const params: ExtensionParam[] = [];
    for (;;) {
      scanner.skipWhitespace();
      if (scanner.done || scanner.peek() !== SEMICOLON) break;
      scanner.position++;
      scanner.skipWhitespace();
      const paramName = scanner.token();
      if (paramName === '') return `expected a parameter name after ";" in "${scanner.text}"`;
      scanner.skipWhitespace();
      let value: string | null = null;
      if (!scanner.done && scanner.peek() === EQUALS) {
        scanner.position++;
        scanner.skipWhitespace();
        if (!scanner.done && scanner.peek() === DQUOTE) {
          value = scanner.quotedString();
          if (value === null) return `malformed quoted string in "${scanner.text}"`;
          if (!isToken(value)) return `quoted value of "${paramName}" is not a token (RFC 6455 section 9.1)`;
        } else {
          value = scanner.token();
          if (value === '') return `expected a value for "${paramName}" in "${scanner.text}"`;
        }
      }
      params.push({ name: paramName, value });
    }
    extensions.push({ name, params });
    return null;
  });
  return error === null ? { ok: true, value: extensions } : { ok: false, error };
}

/**
 * Formats extensions for a Sec-WebSocket-Extensions value. Names and values
 * must be tokens (values are then written bare, never quoted); anything else
 * is a local error.
 */
export function formatExtensionList(extensions: readonly Extension[]): string {
  return extensions
    .map((extension) => {
      if (!isToken(extension.name)) throw new TypeError(`extension name ${JSON.stringify(extension.name)} is not a token`);
      let text = extension.name;
      for (const param of extension.params) {
        if (!isToken(param.name)) throw new TypeError(`extension parameter name ${JSON.stringify(param.name)} is not a token`);
        text += `; ${param.name}`;
        if (param.value !== null) {
          if (!isToken(param.value)) throw new TypeError(`extension parameter value ${JSON.stringify(param.value)} is not a token`);
          text += `=${param.value}`;
        }
      }
      return text;
    })
    .join(', ');
}
