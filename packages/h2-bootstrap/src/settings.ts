// SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 section 3, RFC 9220 section 3):
// the SETTINGS payload formats of HTTP/2 (RFC 9113 6.5.1) and HTTP/3
// (RFC 9114 7.2.4, QUIC variable-length integers of RFC 9000 16), and the
// tracker of the peer's value. Decoding never throws: malformed payloads
// become a ConnectionError naming the code to close the connection with.

import { checkVersion, type ConnectionError, connectionError, type HttpVersion } from './errors.js';

/** RFC 8441 section 3 / RFC 9220 section 3: "The SETTINGS_ENABLE_CONNECT_PROTOCOL value is 0x08 (decimal 8), as in HTTP/2." */
export const SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8;

/** One setting. HTTP/2: 16-bit id, 32-bit value. HTTP/3: 62-bit integers (see {@link decodeVarint} on precision). */
export interface Setting {
  readonly id: number;
  readonly value: number;
}

/** A decoded SETTINGS payload, in wire order. */
export interface DecodedSettings {
  readonly type: 'settings';
  readonly settings: readonly Setting[];
}

const TWO_POW_32 = 0x1_0000_0000;

// RFC 9114 7.2.4.1: "Setting identifiers that were defined in [HTTP/2] where
// there is no corresponding HTTP/3 setting have also been reserved (Section
// 11.2.2). These reserved settings MUST NOT be sent, and their receipt MUST
// be treated as a connection error of type H3_SETTINGS_ERROR." Section 11.2.2
// lists 0x00 and 0x02 to 0x05 (0x01 is QPACK's, 0x06 MAX_FIELD_SECTION_SIZE).
function isReservedH3Setting(id: number): boolean {
  return id === 0x0 || (id >= 0x2 && id <= 0x5);
}

/**
 * Encodes `value` as a QUIC variable-length integer (RFC 9000 section 16),
 * in the shortest form. Throws RangeError unless `value` is a non-negative
 * safe integer (62-bit values above 2^53 - 1 are out of reach of a JS number).
 */
export function encodeVarint(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  return bytes.slice(0, writeVarint(bytes, 0, value));
}

// Writes `value` at `offset` in 1, 2, 4 or 8 bytes, the two top bits of the
// first byte giving the length (RFC 9000 16); returns the offset after it.
function writeVarint(bytes: Uint8Array, offset: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`bad integer ${value}`);
  const length = value < 0x40 ? 1 : value < 0x4000 ? 2 : value < 0x4000_0000 ? 4 : 8;
  for (let i = offset + length - 1, rest = value; i >= offset; i--, rest = Math.floor(rest / 256)) bytes[i] = rest % 256;
  bytes[offset]! |= (31 - Math.clz32(length)) << 6;
  return offset + length;
}

/**
 * Decodes one QUIC variable-length integer at `offset`, or returns `null`
 * when `bytes` ends inside it. Non-minimal encodings are accepted (RFC 9000
 * 16: "Values do not need to be encoded on the minimum number of bytes").
 * Values above 2^53 - 1 are rounded to the nearest JS number; `exact` is a
 * lossless string key for comparing values.
 */
export function decodeVarint(bytes: Uint8Array, offset: number): { readonly value: number; readonly length: number; readonly exact: string } | null {
  if (offset >= bytes.length) return null;
  const first = bytes[offset]!;
  const length = 1 << (first >> 6);
  if (offset + length > bytes.length) return null;
  let high = 0;
  let low = first & 0x3f;
  for (let i = 1; i < length; i++) {
    if (i === 4) {
      high = low;
      low = 0;
    }
    low = low * 256 + bytes[offset + i]!;
  }
  return { value: high * TWO_POW_32 + low, length, exact: `${high}:${low}` };
}

/**
 * Encodes settings as a SETTINGS frame payload: HTTP/2 (RFC 9113 6.5.1:
 * 16-bit identifier, 32-bit value) or HTTP/3 (RFC 9114 7.2.4: a pair of
 * variable-length integers). Only the payload: the frame header (HTTP/2) or
 * type and length (HTTP/3) belong to the stack. Throws RangeError for values
 * out of range, an HTTP/3 reserved identifier or an HTTP/3 duplicate, a
 * TypeError for a version other than 'h2' and 'h3'.
 */
export function encodeSettings(settings: readonly Setting[], version: HttpVersion): Uint8Array {
  checkVersion(version);
  const bytes = new Uint8Array(settings.length * 16);
  const view = new DataView(bytes.buffer);
  const seen = new Set<number>();
  let length = 0;
  for (const { id, value } of settings) {
    if (version === 'h2') {
      // Integers of 16 and 32 bits are exactly those these conversions keep.
      if ((id & 0xffff) !== id || value >>> 0 !== value) throw new RangeError(`bad setting ${id}=${value}`);
      view.setUint16(length, id);
      view.setUint32(length + 2, value);
      length += 6;
    } else {
      if (isReservedH3Setting(id) || seen.has(id)) throw new RangeError(`reserved or repeated setting ${id}`);
      seen.add(id);
      length = writeVarint(bytes, writeVarint(bytes, length, id), value);
    }
  }
  return bytes.slice(0, length);
}

/**
 * Decodes a SETTINGS frame payload from the peer. Never throws for the
 * peer's bytes: a truncated payload or a forbidden identifier yields a
 * ConnectionError. Throws a TypeError for a payload that is not a
 * Uint8Array or a version other than 'h2' and 'h3' (local misuse).
 */
export function decodeSettings(payload: Uint8Array, version: HttpVersion): DecodedSettings | ConnectionError {
  checkVersion(version);
  if (!(payload instanceof Uint8Array)) throw new TypeError('a SETTINGS payload is a Uint8Array');
  const settings: Setting[] = [];
  if (version === 'h2') {
    // RFC 9113 6.5: "A SETTINGS frame with a length other than a multiple of
    // 6 octets MUST be treated as a connection error (Section 5.4.1) of type
    // FRAME_SIZE_ERROR."
    if (payload.length % 6 !== 0) {
      return connectionError('FRAME_SIZE_ERROR', 'invalid-settings-length', `${payload.length} bytes`);
    }
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    for (let offset = 0; offset < payload.length; offset += 6) settings.push({ id: view.getUint16(offset), value: view.getUint32(offset + 2) });
    return { type: 'settings', settings };
  }
  const seen = new Set<string>();
  for (let offset = 0; offset < payload.length; ) {
    const id = decodeVarint(payload, offset);
    const value = id && decodeVarint(payload, offset + id.length);
    // RFC 9114 7.1: "a frame payload that terminates before the end of the
    // identified fields MUST be treated as a connection error of type
    // H3_FRAME_ERROR."
    if (!id || !value) return connectionError('H3_FRAME_ERROR', 'truncated-settings', `${payload.length} bytes`);
    // RFC 9114 7.2.4.1 (quoted above isReservedH3Setting).
    if (isReservedH3Setting(id.value)) return connectionError('H3_SETTINGS_ERROR', 'reserved-setting', `reserved setting ${id.value}`);
    // RFC 9114 7.2.4: "The same setting identifier MUST NOT occur more than
    // once in the SETTINGS frame. A receiver MAY treat the presence of
    // duplicate setting identifiers as a connection error of type
    // H3_SETTINGS_ERROR." We do: it also settles which of two values counts.
    if (seen.has(id.exact)) return connectionError('H3_SETTINGS_ERROR', 'duplicate-setting', `setting ${id.value} twice`);
    seen.add(id.exact);
    settings.push({ id: id.value, value: value.value });
    offset += id.length + value.length;
  }
  return { type: 'settings', settings };
}

/** What the peer said about extended CONNECT so far. */
export type ConnectProtocolState = 'awaiting-settings' | 'enabled' | 'disabled' | 'failed';

/** A SETTINGS payload was applied; `connectProtocol` is the peer's value after it. */
export interface SettingsApplied {
  readonly type: 'settings';
  readonly connectProtocol: 'enabled' | 'disabled';
  readonly settings: readonly Setting[];
}

export type PeerSettingsEvent = SettingsApplied | ConnectionError;

export interface PeerSettingsOptions {
  readonly version: HttpVersion;
}

/**
 * Tracks the peer's SETTINGS_ENABLE_CONNECT_PROTOCOL over a connection.
 *
 * States: `awaiting-settings` until the first SETTINGS, then `enabled` or
 * `disabled`; `failed` after a connection error, which is then returned again
 * for any further input (the connection is to be closed).
 */
export class PeerSettings {
  readonly version: HttpVersion;
  #state: ConnectProtocolState = 'awaiting-settings';
  #error: ConnectionError | null = null;

  constructor(options: PeerSettingsOptions) {
    checkVersion(options?.version);
    this.version = options.version;
  }

  get state(): ConnectProtocolState {
    return this.#state;
  }

  /**
   * Decodes and applies the payload of a SETTINGS frame received from the
   * peer (not a SETTINGS ACK). Throws a TypeError for a payload that is not
   * a Uint8Array.
   */
  receivePayload(payload: Uint8Array): PeerSettingsEvent {
    if (!(payload instanceof Uint8Array)) throw new TypeError('a SETTINGS payload is a Uint8Array');
    if (this.#error) return this.#error;
    const decoded = decodeSettings(payload, this.version);
    return decoded.type === 'settings' ? this.receive(decoded.settings) : this.#fail(decoded);
  }

  /**
   * Applies settings the stack has already decoded and checked, in wire
   * order (HTTP/2 stacks that expose a settings object: pass
   * `[{ id: 8, value }]`). Only SETTINGS_ENABLE_CONNECT_PROTOCOL is looked at.
   * Throws a TypeError for settings that are not an array.
   */
  receive(settings: readonly Setting[]): PeerSettingsEvent {
    if (!Array.isArray(settings)) throw new TypeError('settings must be an array of { id, value }');
    if (this.#error) return this.#error;
    const h3 = this.version === 'h3';
    if (h3 && this.#state !== 'awaiting-settings') {
      // RFC 9114 7.2.4: "If an endpoint receives a second SETTINGS frame on
      // the control stream, the endpoint MUST respond with a connection error
      // of type H3_FRAME_UNEXPECTED."
      return this.#fail(connectionError('H3_FRAME_UNEXPECTED', 'repeated-settings', 'SETTINGS'));
    }
    // RFC 9113 6.5.2: the initial value is 0, and a SETTINGS frame without the
    // parameter leaves it unchanged.
    let enabled = this.#state === 'enabled';
    for (const { id, value } of settings) {
      if (id !== SETTINGS_ENABLE_CONNECT_PROTOCOL) continue;
      // RFC 8441 3: "The value of the parameter MUST be 0 or 1." RFC 9113
      // 6.5: "A badly formed or incomplete SETTINGS frame MUST be treated as
      // a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
      // RFC 9114 8.1: H3_SETTINGS_ERROR is "an error in the payload of a
      // SETTINGS frame".
      if (value !== 0 && value !== 1) {
        return this.#fail(connectionError(h3 ? 'H3_SETTINGS_ERROR' : 'PROTOCOL_ERROR', 'invalid-connect-protocol-value', `value ${value}`));
      }
      // RFC 8441 3: "A sender MUST NOT send a SETTINGS_ENABLE_CONNECT_PROTOCOL
      // parameter with the value of 0 after previously sending a value of 1."
      // Parameters apply in the order they appear (RFC 9113 6.5.3), so this
      // also covers 1 then 0 inside one frame.
      if (enabled && value === 0) {
        return this.#fail(connectionError(h3 ? 'H3_SETTINGS_ERROR' : 'PROTOCOL_ERROR', 'connect-protocol-disabled-after-enabled', '1 then 0'));
      }
      enabled = value === 1;
    }
    this.#state = enabled ? 'enabled' : 'disabled';
    return { type: 'settings', connectProtocol: this.#state, settings };
  }

  #fail(error: ConnectionError): ConnectionError {
    this.#state = 'failed';
    this.#error = error;
    return error;
  }
}
