// The server's responses: the 101 that accepts (RFC 6455 4.2.2) and the
// rejections, with the validation of what the application chooses. The
// option validation is shared with @hybi/h2-bootstrap, which answers the
// same choices with HTTP/2 or HTTP/3 header lists instead of bytes.
import { acceptKeyInto } from './accept-key.js';
import { formatExtensionList, type Extension } from './header-values.js';
import { NONE, NO_BYTES, allocate, encodeLatin1, formatHeaders, headerValues, setByHandshake, utf8, validateHeaderList, type HeaderFilter, type HeaderList } from './headers.js';
import { unoffered, type Offer, type Selection } from './negotiation.js';

/** What the application answers to an acceptable request. */
export interface AcceptOptions {
  /**
   * The subprotocol to use, one of the request's `protocols`, or null /
   * absent for none (RFC 6455 4.2.2: "The value chosen MUST be derived from
   * the client's handshake").
   */
  readonly protocol?: string | null | undefined;
  /**
   * The Sec-WebSocket-Extensions elements of the response, in the order the
   * extensions apply, each one offered by name in the request. An extension
   * package negotiates: it reads the request's `extensions` offers and
   * returns its response element.
   */
  readonly extensions?: readonly Extension[] | undefined;
  /** Extra response headers (e.g. Set-Cookie). */
  readonly headers?: HeaderList | undefined;
}

/** What the application answers to a request it refuses. */
export interface RejectOptions {
  /** 300-599, not 304. */
  readonly status: number;
  /** Extra headers (e.g. WWW-Authenticate, Location, Content-Type). */
  readonly headers?: HeaderList | undefined;
  /** The content; a string is sent as UTF-8 with a text/plain type unless headers give one. */
  readonly body?: Uint8Array | string | undefined;
}

/** Accept options after validation. */
export interface AcceptChoice extends Selection {
  /** `extensions` formatted as a Sec-WebSocket-Extensions value; null when empty. */
  readonly extensionsValue: string | null;
  readonly headers: HeaderList;
}

/** Reject options after validation, the body as bytes. */
export interface RejectChoice {
  readonly status: number;
  readonly headers: HeaderList;
  readonly body: Uint8Array;
}

const refusedInAccept = setByHandshake(true);
const refusedInReject = setByHandshake(false);

/**
 * Checks the application's accept options against what the client offered.
 * Throws a TypeError for a subprotocol or extension that was not offered, an
 * extension that cannot be formatted, or headers that fail
 * `validateHeaderList` with `refused` (by default: the ones a 101 sets,
 * Upgrade and Sec-WebSocket-*, and the framing, Connection, Content-Length
 * and Transfer-Encoding).
 */
export function validateAcceptOptions(offer: Offer, options: AcceptOptions = {}, refused: HeaderFilter = refusedInAccept): AcceptChoice {
  const { protocol = null, extensions = NONE, headers = NONE } = options;
  if (unoffered(offer, { protocol, extensions }) !== null) throw new TypeError('accept(): subprotocol or extension not offered');
  return { protocol, extensions, extensionsValue: extensions.length > 0 ? formatExtensionList(extensions) : null, headers: validateHeaderList(headers, 'accept() headers', refused) };
}

/**
 * Checks the application's reject options. Throws a RangeError for a status
 * outside 300-599 or 304, a TypeError for a bad body or headers that fail
 * `validateHeaderList` with `refused` (by default: the framing headers,
 * Connection, Content-Length and Transfer-Encoding). A string body gets a
 * text/plain type unless the headers give one.
 */
export function validateRejectOptions(options: RejectOptions, refused: HeaderFilter = refusedInReject): RejectChoice {
  const { status, body = NO_BYTES } = options;
  if (!Number.isInteger(status) || status < 300 || status > 599 || status === 304) throw new RangeError(`reject() status ${status} is not 300-599 (or is 304)`);
  const headers = validateHeaderList(options.headers ?? NONE, 'reject() headers', refused);
  if (typeof body === 'string') {
    return { status, headers: headerValues(headers, 'content-type').length > 0 ? headers : [...headers, ['Content-Type', 'text/plain; charset=utf-8']], body: utf8.encode(body) };
  }
  if (!(body instanceof Uint8Array)) throw new TypeError('reject() body must be bytes or a string');
  return { status, headers, body };
}

const ACCEPT_HEAD = encodeLatin1('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ');

/**
 * The 101 response that accepts `request` (RFC 6455 4.2.2), after
 * `validateAcceptOptions`. Throws like it.
 */
export function createAcceptResponse(request: Offer & { readonly key: string }, options?: AcceptOptions): Uint8Array {
  const choice = validateAcceptOptions(request, options);
  let rest = '\r\n';
  if (choice.protocol !== null) rest += `Sec-WebSocket-Protocol: ${choice.protocol}\r\n`;
  if (choice.extensionsValue !== null) rest += `Sec-WebSocket-Extensions: ${choice.extensionsValue}\r\n`;
  rest += `${formatHeaders(choice.headers)}\r\n`;
  const head = ACCEPT_HEAD;
  const response = allocate(head.length + 28 + rest.length);
  response.set(head);
  const offset = acceptKeyInto(request.key, response, head.length);
  for (let i = 0; i < rest.length; i++) response[offset + i] = rest.charCodeAt(i);
  return response;
}

/** A complete response refusing a request, after `validateRejectOptions`. Throws like it. */
export function createRejectResponse(options: RejectOptions): Uint8Array {
  const choice = validateRejectOptions(options);
  return rejectionResponse(choice.status, choice.headers, choice.body).response;
}

/**
 * Serialises a rejection: `Connection: close` (with `Upgrade` when the
 * headers carry Upgrade, RFC 9110 7.8), the headers, Content-Length, then the
 * body.
 */
export function rejectionResponse(status: number, headers: HeaderList, body: Uint8Array): { headers: HeaderList; response: Uint8Array } {
  const all: HeaderList = [['Connection', headerValues(headers, 'upgrade').length > 0 ? 'Upgrade, close' : 'close'], ...headers, ['Content-Length', `${body.length}`]];
  return { headers: all, response: encodeLatin1(`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n${formatHeaders(all)}\r\n`, body) };
}

/**
 * The reason phrase RFC 9110 15 gives `status`, for the statuses this
 * package sends and a few common ones; "" for others (RFC 9112 4:
 * reason-phrase is optional). @hybi/h2-bootstrap gives it to rejections,
 * which HTTP/2 and HTTP/3 send without one.
 */
export function reasonPhrase(status: number): string {
  return STATUS_TEXT[status] ?? '';
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  414: 'URI Too Long',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  505: 'HTTP Version Not Supported',
};
