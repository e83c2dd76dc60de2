// Header lists as HTTP/2 and HTTP/3 stacks deliver them: ordered
// [name, value] pairs, names lower-case, pseudo-header fields first. The
// checks here are those of RFC 9113 8.2 / 8.3 and RFC 9114 4.2 / 4.3 that
// make a message malformed; they are the same for requests and responses
// except for which pseudo-header fields are defined. Everything that is the
// same in HTTP/1.1 (tokens, field value characters, the WebSocket fields)
// comes from @hybi/handshake.

import { type HeaderFilter, type HeaderList, isToken, isValidHeaderValue, validateHeaderList } from '@hybi/handshake';
import { checkVersion, type HttpVersion, type ResetStream, resetStream } from './errors.js';

export type { HeaderList };

/** Names of the rules that make a header list malformed. */
export type MalformedKind =
  | 'invalid-field-name'
  | 'uppercase-field-name'
  | 'invalid-field-value'
  | 'pseudo-header-after-regular'
  | 'unknown-pseudo-header'
  | 'duplicate-pseudo-header'
  | 'connection-specific-header'
  | 'missing-pseudo-header'
  | 'invalid-pseudo-header'
  | 'extended-connect-not-enabled'
  | 'host-mismatch';

/** A header list split into its pseudo-header fields and regular field lines. */
export interface FieldSections {
  readonly pseudo: ReadonlyMap<string, string>;
  readonly regular: HeaderList;
}

const REQUEST_PSEUDO = new Set([':method', ':scheme', ':authority', ':path', ':protocol']);
const RESPONSE_PSEUDO = new Set([':status']);

// RFC 9113 8.2.2 / RFC 9114 4.2: "the Connection header field and those
// listed as having connection-specific semantics in Section 7.6.1 of [HTTP]
// (that is, Proxy-Connection, Keep-Alive, Transfer-Encoding, and Upgrade)".
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * Why a field name is not acceptable, or null. RFC 9113 8.2 / RFC 9114 4.2:
 * "A request or response containing uppercase characters in field names MUST
 * be treated as malformed"; RFC 9110 5.1 makes a name a token (which covers
 * RFC 9113 8.2.1's excluded ranges). A pseudo-header name is ":" and a token.
 */
export function fieldNameProblem(name: string): 'invalid-field-name' | 'uppercase-field-name' | null {
  if (/[A-Z]/.test(name)) return 'uppercase-field-name';
  return isToken(name.charCodeAt(0) === 0x3a ? name.slice(1) : name) ? null : 'invalid-field-name';
}

// HTTP/2 (RFC 9113 8.2.1): "A field value MUST NOT contain the zero value
// (ASCII NUL, 0x00), line feed (ASCII LF, 0x0a), or carriage return (ASCII
// CR, 0x0d) at any position" and "MUST NOT start or end with an ASCII
// whitespace character". HTTP/3 (RFC 9114 10.3): "Any request or response
// that contains a character not permitted in a field value MUST be treated as
// malformed. Valid characters are defined by the 'field-content' ABNF rule",
// which also excludes the other controls: @hybi/handshake's field value
// characters, without white space at either end. Characters above U+00FF
// cannot come from octets and are refused in both.
const H2_FIELD_VALUE = /^[^\0\n\r\u0100-\uffff]*$/;
const EDGE_SPACE = /^[\t ]|[\t ]$/;

/** True when `value` may appear in a field of an HTTP/2 or HTTP/3 message. */
export function isValidFieldValue(value: string, version: HttpVersion): boolean {
  return !EDGE_SPACE.test(value) && (version === 'h2' ? H2_FIELD_VALUE.test(value) : isValidHeaderValue(value));
}

/**
 * True for fields that RFC 9113 8.2.2 / RFC 9114 4.2 forbid: "The only
 * exception to this is the TE header field, which MAY be present in an
 * HTTP/2 request; when it is, it MUST NOT contain any value other than
 * 'trailers'." (`name` lower-case.) That value is RFC 9110 10.1.4's
 * t-codings = "trailers", an ABNF string: case-insensitive (RFC 5234 2.3).
 */
export function isConnectionSpecific(name: string, value: string, isRequest: boolean): boolean {
  return CONNECTION_SPECIFIC.has(name) || (name === 'te' && (!isRequest || value.toLowerCase() !== 'trailers'));
}

/**
 * Checks every field line in order and splits pseudo-header fields from
 * regular ones, or says why the list is malformed. The first offending line
 * decides; within a line the checks run name (uppercase, then token), value,
 * pseudo-header rules (after a regular field, `:protocol` without the
 * setting, undefined, repeated), connection-specific field.
 * `protocolAllowed` is whether `:protocol` is defined on this connection
 * (this endpoint sent SETTINGS_ENABLE_CONNECT_PROTOCOL = 1). Throws TypeError
 * only when `headers` is not an array or `version` is not 'h2' or 'h3'.
 */
export function splitFieldSections(headers: HeaderList, isRequest: boolean, version: HttpVersion, protocolAllowed: boolean): FieldSections | MalformedMessage {
  checkVersion(version);
  if (!Array.isArray(headers)) throw new TypeError('headers must be an array');
  const pseudo = new Map<string, string>();
  const regular: (readonly [string, string])[] = [];
  const defined = isRequest ? REQUEST_PSEUDO : RESPONSE_PSEUDO;
  for (let i = 0; i < headers.length; i++) {
    const line: unknown = headers[i];
    const [name, value] = Array.isArray(line) ? (line as unknown[]) : [];
    if (typeof name !== 'string' || typeof value !== 'string') return malformedMessage(version, 'invalid-field-name', `line ${i}`);
    const nameProblem = fieldNameProblem(name);
    if (nameProblem) return malformedMessage(version, nameProblem, JSON.stringify(name));
    if (!isValidFieldValue(value, version)) return malformedMessage(version, 'invalid-field-value', name);
    if (name.charCodeAt(0) === 0x3a) {
      // RFC 9113 8.3 / RFC 9114 4.3: "All pseudo-header fields MUST appear in
      // the header section before regular header fields."
      if (regular.length > 0) return malformedMessage(version, 'pseudo-header-after-regular', name);
      // RFC 8441 3: without the setting, ":protocol" is unknown to the
      // server and "a non-supporting peer would detect a malformed request".
      if (isRequest && name === ':protocol' && !protocolAllowed) {
        return malformedMessage(version, 'extended-connect-not-enabled', name);
      }
      // RFC 9113 8.3: "Endpoints MUST treat a request or response that
      // contains undefined or invalid pseudo-header fields as malformed."
      if (!defined.has(name)) return malformedMessage(version, 'unknown-pseudo-header', name);
      // RFC 9113 8.3: "The same pseudo-header field name MUST NOT appear more
      // than once in a field block."
      if (pseudo.has(name)) return malformedMessage(version, 'duplicate-pseudo-header', name);
      pseudo.set(name, value);
    } else {
      if (isConnectionSpecific(name, value, isRequest)) return malformedMessage(version, 'connection-specific-header', name);
      regular.push([name, value]);
    }
  }
  return { pseudo, regular };
}

/**
 * The header-list rules for fields an application adds to a message this
 * package builds, as a `HeaderFilter` for @hybi/handshake's
 * `validateHeaderList` (which checks the shape, token names and field value
 * characters): refuses upper-case names, pseudo-header fields, white space
 * at either end of a value, connection-specific fields, and what `reserved`
 * refuses.
 */
export function headerListFilter(isRequest: boolean, reserved?: HeaderFilter): HeaderFilter {
  return (name, value) => fieldNameProblem(name) !== null || name.charCodeAt(0) === 0x3a || !isValidFieldValue(value, 'h3') || isConnectionSpecific(name, value, isRequest) || reserved?.(name, value) === true;
}

/** Validates fields an application adds (see `headerListFilter`); throws TypeError. */
export function checkLocalHeaders(headers: HeaderList | undefined, isRequest: boolean, reserved?: HeaderFilter): HeaderList {
  return validateHeaderList(headers ?? [], 'headers', headerListFilter(isRequest, reserved));
}

/**
 * A malformed request or response (RFC 9113 8.1.1 / RFC 9114 4.1.2):
 * "Malformed requests or responses that are detected MUST be treated as a
 * stream error" of type PROTOCOL_ERROR / H3_MESSAGE_ERROR; `action` is that
 * reset.
 */
export interface MalformedMessage {
  readonly type: 'malformed';
  readonly kind: MalformedKind;
  readonly reason: string;
  readonly action: ResetStream;
}

/** @internal */
export function malformedMessage(version: HttpVersion, kind: MalformedKind, reason: string): MalformedMessage {
  return { type: 'malformed', kind, reason, action: resetStream(version === 'h2' ? 'PROTOCOL_ERROR' : 'H3_MESSAGE_ERROR') };
}
