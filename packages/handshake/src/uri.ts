// The request target and the authority (RFC 9112 3.2, RFC 9110 7.2, RFC
// 3986): what the server reads from the request line and Host, and what
// @hybi/h2-bootstrap reads from :path and :authority, with the same rules.

/** A request target split into its parts (`parseRequestTarget`). */
export interface RequestTarget {
  /** The authority of an absolute-form target; null for origin-form. */
  readonly authority: string | null;
  /** The path as sent, percent-encoding kept; "/" when an absolute-form target has none. */
  readonly path: string;
  /** What follows the first "?", as sent; null when there is no "?". */
  readonly query: string | null;
}

// RFC 9112 3: the request target is visible ASCII without "#" (RFC 9112
// 3.2: no fragment). RFC 9112 3.2: origin-form (`/path?query`) or
// absolute-form (`scheme://authority/path?query`), the scheme as RFC 3986
// 3.1 has it: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
const TARGET = /^(?=[\x21\x22\x24-\x7e]+$)(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?]*))?(\/[^?]*)?(?:\?(.*))?$/;

/**
 * Splits a request target in origin-form or absolute-form; null for
 * anything else: another form ("*", "example.com:443"), a character that is
 * not visible ASCII, "#", or an authority that fails `isValidAuthority`.
 */
export function parseRequestTarget(target: string): RequestTarget | null {
  const form = TARGET.exec(target);
  if (form === null || (form[1] === undefined ? form[2] === undefined : !isValidAuthority(form[1]))) return null;
  return { authority: form[1] ?? null, path: form[2] ?? '/', query: form[3] ?? null };
}

const AUTHORITY = /^(?:\[[\w:.~!$&'()*+,;=-]+\]|[\w.~!$&'()*+,;=%-]+)(?::\d*)?$/;

/**
 * True when `value` is a string holding an authority as Host carries it.
 * RFC 9110 7.2: Host = uri-host [ ":" port ], uri-host being an IP literal
 * in brackets or a reg-name (RFC 3986 3.2.2; IPv4 addresses are reg-names
 * syntactically), port = *DIGIT (RFC 3986 3.2.3). Userinfo is refused (RFC
 * 9110 4.2.4). Not empty: a WebSocket URI always has a host.
 */
export function isValidAuthority(value: unknown): value is string {
  return typeof value === 'string' && AUTHORITY.test(value);
}
