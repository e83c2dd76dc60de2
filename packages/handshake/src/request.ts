// The client's opening request (RFC 6455 4.1): the ws:// or wss:// URL and
// the request head built from it.
import { isToken, formatExtensionList, type Extension } from './header-values.js';
import { encodeLatin1, formatHeaders, isValidHeaderValue, validateHeaderList } from './headers.js';
import type { HeaderList } from './http-parser.js';

/** A ws:// or wss:// URL, split as the request needs it. */
export interface WebSocketUrl {
  /** True for wss:// (TLS is the embedder's business). */
  readonly secure: boolean;
  /** The host, lower-cased; IPv6 literals keep their brackets. */
  readonly hostname: string;
  /** The port to connect to: the URL's, else 80 (ws) or 443 (wss). */
  readonly port: number;
  /** The Host header value: the host, with ":port" when not the default. */
  readonly host: string;
  /** The request target: path and query, non-ASCII and spaces percent-encoded. */
  readonly target: string;
}

/**
 * Parses a WebSocket URI (RFC 6455 section 3). Throws a TypeError for another
 * scheme, a fragment ("MUST NOT be used on these URIs"), user information, a
 * non-ASCII host (convert it to punycode first) or a port above 65535.
 */
export function parseWebSocketUrl(url: string): WebSocketUrl {
  const match = /^(wss?):\/\/([^/?#]*)([^#]*)(#?)/i.exec(url);
  if (match === null) throw new TypeError(`not a ws:// or wss:// URL: ${JSON.stringify(url)}`);
  const secure = match[1]!.length === 4;
  const authority = match[2]!;
  if (match[4] !== '') throw new TypeError('a WebSocket URL has no fragment (RFC 6455 section 3)');
  const parts = /^(\[[0-9A-Za-z:.]+\]|[0-9A-Za-z._~!$&'()*+,;=%-]+)(?::([0-9]*))?$/.exec(authority);
  if (parts === null) throw new TypeError(`invalid host in ${JSON.stringify(url)}: only ASCII host names (punycode), IPv4 and [IPv6] are accepted, without user information`);
  const hostname = parts[1]!.toLowerCase();
  const defaultPort = secure ? 443 : 80;
  const port = parts[2] ? Number(parts[2]) : defaultPort;
  if (port > 65535) throw new TypeError(`port ${port} is out of range`);
  const host = port === defaultPort ? hostname : `${hostname}:${port}`;
  let target = match[3]!;
  if (target === '' || target.charCodeAt(0) === 0x3f) target = `/${target}`;
  return { secure, hostname, port, host, target: encodeTarget(target) };
}

const utf8 = new TextEncoder();

/** Percent-encodes what cannot appear in a request target: controls, space, non-ASCII (as UTF-8). */
function encodeTarget(target: string): string {
  let out = '';
  for (let i = 0; i < target.length; i++) {
    const code = target.charCodeAt(i);
    if (code > 0x20 && code < 0x7f) {
      out += target[i];
      continue;
    }
    const point = target.codePointAt(i)!;
    if (point > 0xffff) i++;
    for (const byte of utf8.encode(String.fromCodePoint(point))) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const RESERVED = [
  'host',
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'origin',
  'content-length',
  'transfer-encoding',
];

/** What the client puts in its request besides the URL. */
export interface RequestOptions {
  /** Subprotocols to offer, in order of preference: distinct tokens. */
  readonly protocols?: readonly string[] | undefined;
  /** Extensions to offer (RFC 6455 9.1), in order of preference. */
  readonly extensions?: readonly Extension[] | undefined;
  /** The Origin header, e.g. "https://example.com". None when absent. */
  readonly origin?: string | undefined;
  /** Extra headers (e.g. Authorization, User-Agent, Cookie). */
  readonly headers?: HeaderList | undefined;
}

/**
 * The opening request head (RFC 6455 4.1). Throws a TypeError for a
 * subprotocol that is not a token or is repeated, an extension that cannot be
 * formatted, or a header that fails `validateHeaderList` or that the
 * handshake sets itself.
 */
export function createRequest(url: WebSocketUrl, key: string, options: RequestOptions): Uint8Array {
  let head = `GET ${url.target} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  if (options.origin !== undefined) {
    if (typeof options.origin !== 'string' || !isValidHeaderValue(options.origin)) throw new TypeError('origin must be a string without control characters');
    head += `Origin: ${options.origin}\r\n`;
  }
  const protocols = options.protocols ?? [];
  if (protocols.length > 0) {
    // RFC 6455 4.1: the elements "MUST be non-empty strings with characters
    // in the range U+0021 to U+007E not including separator characters [...]
    // and MUST all be unique strings."
    for (const protocol of protocols) {
      if (typeof protocol !== 'string' || !isToken(protocol)) throw new TypeError(`subprotocol ${JSON.stringify(protocol)} is not a token`);
    }
    if (new Set(protocols).size !== protocols.length) throw new TypeError('subprotocols must be unique');
    head += `Sec-WebSocket-Protocol: ${protocols.join(', ')}\r\n`;
  }
  const extensions = options.extensions ?? [];
  if (extensions.length > 0) head += `Sec-WebSocket-Extensions: ${formatExtensionList(extensions)}\r\n`;
  if (options.headers !== undefined) head += formatHeaders(validateHeaderList(options.headers, 'client headers', RESERVED));
  return encodeLatin1(`${head}\r\n`);
}
