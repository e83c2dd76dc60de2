// The client's opening request (RFC 6455 4.1): the ws:// or wss:// URL and
// the request head built from it.
import type { Extension } from './header-values.js';
import { NONE, encodeLatin1, formatHeaders, isValidHeaderValue, setByHandshake, validateHeaderList, type HeaderList } from './headers.js';
import { formatOffer } from './negotiation.js';

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
 * used on these URIs"), port 0 (it cannot be connected to) or one above
 * 65535, characters that need percent-encoding (a WHATWG URL object's `href`
 * is already encoded) or a non-ASCII host (use its punycode form).
 */
export function parseWebSocketUrl(url: string): WebSocketUrl {
  const match = /^(wss?):\/\/(\[[\dA-Fa-f:.]+\]|[\w.~!$&'()*+,;=%-]+)(?::(\d{0,5}))?([/?][\x21\x22\x24-\x7e]*)?$/i.exec(url);
  const secure = match?.[1]!.length === 3;
  const port = match?.[3] ? +match[3] : secure ? 443 : 80;
  if (match === null || !port || port > 65535) throw new TypeError(`bad WebSocket URL ${JSON.stringify(url)}`);
  const hostname = match[2]!.toLowerCase();
  const path = match[4] ?? '/';
  return { secure, hostname, port, host: port === (secure ? 443 : 80) ? hostname : `${hostname}:${port}`, target: path[0] === '?' ? `/${path}` : path };
}

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

const refusedInRequest = setByHandshake(true, 'host', 'origin');

/**
 * The opening request head (RFC 6455 4.1). Throws a TypeError for an offer
 * that `formatOffer` refuses, an origin with control characters, or headers
 * that fail `validateHeaderList` or that the handshake sets itself (Host,
 * Origin, Upgrade, Sec-WebSocket-*, Connection, Content-Length,
 * Transfer-Encoding).
 */
export function createRequest(url: WebSocketUrl, key: string, options: RequestOptions): Uint8Array {
  const { origin, headers = NONE } = options;
  const [protocols, extensions] = formatOffer(options);
  let head = `GET ${url.target} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  if (origin !== undefined) {
    if (!isValidHeaderValue(origin)) throw new TypeError('bad origin');
    head += `Origin: ${origin}\r\n`;
  }
  if (protocols !== null) head += `Sec-WebSocket-Protocol: ${protocols}\r\n`;
  if (extensions !== null) head += `Sec-WebSocket-Extensions: ${extensions}\r\n`;
  return encodeLatin1(`${head}${formatHeaders(validateHeaderList(headers, 'client headers', refusedInRequest))}\r\n`);
}
