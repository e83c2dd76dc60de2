// The client's opening request (RFC 6455 4.1): the ws:// or wss:// URL and
// the request head built from it.
import { formatExtensionList, isToken, type Extension } from './header-values.js';
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
  /** The request target: path ("/" when empty) and query. */
  readonly target: string;
}

/**
 * Parses a WebSocket URI (RFC 6455 section 3): ws or wss, a host (ASCII name,
 * IPv4 or [IPv6]), an optional port, path and query. Throws a TypeError for
 * anything else: another scheme, user information, a fragment ("MUST NOT be
 * used on these URIs"), a port above 65535, characters that need
 * percent-encoding (a WHATWG URL object's `href` is already encoded) or a
 * non-ASCII host (use its punycode form).
 */
export function parseWebSocketUrl(url: string): WebSocketUrl {
  const match = /^(wss?):\/\/(\[[\dA-Fa-f:.]+\]|[\w.~!$&'()*+,;=%-]+)(?::(\d{0,5}))?([/?][\x21\x22\x24-\x7e]*)?$/i.exec(url);
  const port = match === null ? 0 : match[3] ? +match[3] : match[1]!.length === 3 ? 443 : 80;
  if (match === null || port > 65535) throw new TypeError(`bad WebSocket URL ${JSON.stringify(url)}: ws:// or wss://, ASCII host, port <= 65535, percent-encoded path, no fragment or user info`);
  const secure = match[1]!.length === 3;
  const hostname = match[2]!.toLowerCase();
  const path = match[4] ?? '/';
  return { secure, hostname, port, host: port === (secure ? 443 : 80) ? hostname : `${hostname}:${port}`, target: path[0] === '?' ? `/${path}` : path };
}

const RESERVED = ['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'origin', 'content-length', 'transfer-encoding'];

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
 * formatted, an origin with control characters, or a header that fails
 * `validateHeaderList` or that the handshake sets itself.
 */
export function createRequest(url: WebSocketUrl, key: string, options: RequestOptions): Uint8Array {
  const { protocols = [], extensions = [], origin } = options;
  let head = `GET ${url.target} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  if (origin !== undefined) {
    if (!isValidHeaderValue(origin)) throw new TypeError('origin must be a string without control characters');
    head += `Origin: ${origin}\r\n`;
  }
  // RFC 6455 4.1: the elements "MUST be non-empty strings with characters in
  // the range U+0021 to U+007E not including separator characters [...] and
  // MUST all be unique strings."
  if (!protocols.every(isToken) || new Set(protocols).size !== protocols.length) throw new TypeError('protocols must be distinct tokens');
  if (protocols.length > 0) head += `Sec-WebSocket-Protocol: ${protocols.join(', ')}\r\n`;
  if (extensions.length > 0) head += `Sec-WebSocket-Extensions: ${formatExtensionList(extensions)}\r\n`;
  if (options.headers !== undefined) head += formatHeaders(validateHeaderList(options.headers, 'client headers', RESERVED));
  return encodeLatin1(`${head}\r\n`);
}
