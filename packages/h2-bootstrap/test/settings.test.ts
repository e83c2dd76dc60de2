import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSettings, decodeVarint, encodeSettings, encodeVarint, PeerSettings, SETTINGS_ENABLE_CONNECT_PROTOCOL } from '../src/settings.js';

const hex = (text: string) => Uint8Array.from(text.replace(/\s+/g, '').match(/../g) ?? [], (byte) => parseInt(byte, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

describe('RFC 9000 16 variable-length integers', () => {
  it('encodes each length at its boundaries, shortest form', () => {
    expect(toHex(encodeVarint(0))).toBe('00');
    expect(toHex(encodeVarint(63))).toBe('3f');
    expect(toHex(encodeVarint(64))).toBe('4040');
    expect(toHex(encodeVarint(16383))).toBe('7fff');
    expect(toHex(encodeVarint(16384))).toBe('80004000');
    expect(toHex(encodeVarint(2 ** 30 - 1))).toBe('bfffffff');
    expect(toHex(encodeVarint(2 ** 30))).toBe('c000000040000000');
    expect(toHex(encodeVarint(Number.MAX_SAFE_INTEGER))).toBe('c01fffffffffffff');
  });
  it('decodes the examples of RFC 9000 appendix A.1', () => {
    expect(decodeVarint(hex('c2197c5eff14e88c'), 0)).toEqual({ value: 151288809941952652, length: 8, exact: '35224670:4279560332' });
    expect(decodeVarint(hex('9d7f3e7d'), 0)).toMatchObject({ value: 494878333, length: 4 });
    expect(decodeVarint(hex('7bbd'), 0)).toMatchObject({ value: 15293, length: 2 });
    expect(decodeVarint(hex('25'), 0)).toMatchObject({ value: 37, length: 1 });
    expect(decodeVarint(hex('4025'), 0)).toMatchObject({ value: 37, length: 2 });
  });
  it('returns null when the input ends inside the integer', () => {
    expect(decodeVarint(hex(''), 0)).toBeNull();
    expect(decodeVarint(hex('40'), 0)).toBeNull();
    expect(decodeVarint(hex('c0 00 00 00 00 00 00'), 0)).toBeNull();
    expect(decodeVarint(hex('00 80 00 00'), 1)).toBeNull();
  });
  it('keeps distinct 62-bit values apart in `exact` even when the number rounds', () => {
    const a = decodeVarint(hex('d0 00 00 00 00 00 00 00'), 0)!;
    const b = decodeVarint(hex('d0 00 00 00 00 00 00 01'), 0)!;
    expect(a.value).toBe(b.value);
    expect(a.exact).not.toBe(b.exact);
  });
  it('refuses what it cannot encode exactly', () => {
    expect(() => encodeVarint(-1)).toThrow(RangeError);
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
    expect(() => encodeVarint(2 ** 53)).toThrow(RangeError);
  });
  it('round-trips every safe integer (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (value) => {
        const bytes = encodeVarint(value);
        expect(decodeVarint(bytes, 0)).toMatchObject({ value, length: bytes.length });
      }),
    );
  });
});

describe('RFC 9113 6.5 HTTP/2 SETTINGS payload', () => {
  it('encodes 16-bit identifiers and 32-bit values, 6 bytes each', () => {
    expect(toHex(encodeSettings([{ id: SETTINGS_ENABLE_CONNECT_PROTOCOL, value: 1 }], 'h2'))).toBe('000800000001');
    expect(toHex(encodeSettings([{ id: 0xffff, value: 0xffffffff }, { id: 3, value: 100 }], 'h2'))).toBe('ffffffffffff000300000064');
    expect(encodeSettings([], 'h2')).toEqual(new Uint8Array(0));
  });
  it('refuses values that do not fit', () => {
    for (const setting of [{ id: 0x10000, value: 0 }, { id: -1, value: 0 }, { id: 1, value: 2 ** 32 }, { id: 1, value: -1 }, { id: 1.5, value: 0 }, { id: 1, value: Number.NaN }]) {
      expect(() => encodeSettings([setting], 'h2'), JSON.stringify(setting)).toThrow(RangeError);
    }
  });
  it('decodes in wire order, duplicates included (RFC 9113 6.5.3)', () => {
    expect(decodeSettings(hex('0008 00000001 0008 00000000'), 'h2')).toEqual({ type: 'settings', settings: [{ id: 8, value: 1 }, { id: 8, value: 0 }] });
  });
  it('decodes a payload that is a view into a larger buffer', () => {
    const frame = hex('000006 04 00 00000000 0008 00000001');
    expect(decodeSettings(frame.subarray(9), 'h2')).toEqual({ type: 'settings', settings: [{ id: 8, value: 1 }] });
  });
  it('reports a length that is not a multiple of 6 as FRAME_SIZE_ERROR', () => {
    for (const length of [1, 5, 7, 11]) {
      expect(decodeSettings(new Uint8Array(length), 'h2')).toMatchObject({ type: 'connection-error', kind: 'invalid-settings-length', code: 0x6, name: 'FRAME_SIZE_ERROR' });
    }
  });
  it('round-trips (property)', () => {
    const setting = fc.record({ id: fc.integer({ min: 0, max: 0xffff }), value: fc.integer({ min: 0, max: 0xffffffff }) });
    fc.assert(
      fc.property(fc.array(setting, { maxLength: 20 }), (settings) => {
        expect(decodeSettings(encodeSettings(settings, 'h2'), 'h2')).toEqual({ type: 'settings', settings });
      }),
    );
  });
});

describe('RFC 9114 7.2.4 HTTP/3 SETTINGS payload', () => {
  it('encodes pairs of variable-length integers', () => {
    expect(toHex(encodeSettings([{ id: 8, value: 1 }, { id: 6, value: 65536 }, { id: 0x21, value: 0 }], 'h3'))).toBe('08010680010000' + '2100');
  });
  it('refuses reserved HTTP/2 identifiers and duplicates (RFC 9114 7.2.4.1: "MUST NOT be sent")', () => {
    for (const id of [0, 2, 3, 4, 5]) expect(() => encodeSettings([{ id, value: 0 }], 'h3'), String(id)).toThrow(RangeError);
    expect(() => encodeSettings([{ id: 8, value: 1 }, { id: 8, value: 1 }], 'h3')).toThrow(RangeError);
    expect(() => encodeSettings([{ id: 8, value: -1 }], 'h3')).toThrow(RangeError);
  });
  it('accepts 0x01, 0x06 and 0x07 (QPACK and MAX_FIELD_SECTION_SIZE sit between the reserved ones)', () => {
    expect(decodeSettings(hex('01 00 06 00 07 00'), 'h3')).toEqual({ type: 'settings', settings: [{ id: 1, value: 0 }, { id: 6, value: 0 }, { id: 7, value: 0 }] });
  });
  it('reports each reserved identifier as H3_SETTINGS_ERROR', () => {
    for (const id of ['00', '02', '03', '04', '05', '4002']) {
      expect(decodeSettings(hex(`${id} 00`), 'h3'), id).toMatchObject({ kind: 'reserved-setting', code: 0x109, name: 'H3_SETTINGS_ERROR' });
    }
  });
  it('reports a duplicate identifier as H3_SETTINGS_ERROR, whatever its encoding', () => {
    expect(decodeSettings(hex('21 00 21 01'), 'h3')).toMatchObject({ kind: 'duplicate-setting', name: 'H3_SETTINGS_ERROR' });
    expect(decodeSettings(hex('08 01 80 00 00 08 01'), 'h3')).toMatchObject({ kind: 'duplicate-setting' });
  });
  it('reports a payload that ends inside a setting as H3_FRAME_ERROR (RFC 9114 7.1)', () => {
    for (const payload of ['08', '40', '08 40', '08 01 c0 00', '08 c0 00 00 00 00 00 00']) {
      expect(decodeSettings(hex(payload), 'h3'), payload).toMatchObject({ kind: 'truncated-settings', code: 0x106, name: 'H3_FRAME_ERROR' });
    }
  });
  it('round-trips (property)', () => {
    const id = fc.maxSafeNat().filter((n) => n !== 0 && (n < 2 || n > 5));
    const settings = fc.uniqueArray(fc.record({ id, value: fc.maxSafeNat() }), { selector: (setting) => setting.id, maxLength: 20 });
    fc.assert(
      fc.property(settings, (list) => {
        expect(decodeSettings(encodeSettings(list, 'h3'), 'h3')).toEqual({ type: 'settings', settings: list });
      }),
    );
  });
});

describe('local misuse', () => {
  it('throws a TypeError for a version other than h2 and h3', () => {
    for (const version of ['h1', 'H2', undefined, 2]) {
      expect(() => encodeSettings([], version as never), String(version)).toThrow(/bad version/);
      expect(() => decodeSettings(new Uint8Array(0), version as never), String(version)).toThrow(/bad version/);
    }
  });
  it('throws a TypeError for a payload that is not a Uint8Array', () => {
    expect(() => decodeSettings([0, 8, 0, 0, 0, 1] as never, 'h2')).toThrow(/Uint8Array/);
    expect(() => decodeSettings(undefined as never, 'h3')).toThrow(/Uint8Array/);
  });
});

describe('decoding arbitrary bytes never throws (property)', () => {
  it('yields settings or a named connection error, for both versions', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('h2' as const, 'h3' as const), (bytes, version) => {
        const result = decodeSettings(bytes, version);
        if (result.type === 'connection-error') {
          expect(['invalid-settings-length', 'truncated-settings', 'reserved-setting', 'duplicate-setting']).toContain(result.kind);
        } else {
          expect(result.type).toBe('settings');
        }
        const event = new PeerSettings({ version }).receivePayload(bytes);
        expect(['settings', 'connection-error']).toContain(event.type);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('RFC 8441 3 SETTINGS_ENABLE_CONNECT_PROTOCOL tracker', () => {
  it('starts awaiting the peer SETTINGS', () => {
    expect(new PeerSettings({ version: 'h2' }).state).toBe('awaiting-settings');
  });
  it('"Upon receipt of SETTINGS_ENABLE_CONNECT_PROTOCOL with a value of 1, a client MAY use the Extended CONNECT"', () => {
    const peer = new PeerSettings({ version: 'h2' });
    expect(peer.receivePayload(hex('000800000001'))).toEqual({ type: 'settings', connectProtocol: 'enabled', settings: [{ id: 8, value: 1 }] });
    expect(peer.state).toBe('enabled');
  });
  it('a SETTINGS frame without the parameter means 0 at first and leaves 1 unchanged later (RFC 9113 6.5)', () => {
    const peer = new PeerSettings({ version: 'h2' });
    expect(peer.receive([{ id: 3, value: 100 }])).toMatchObject({ connectProtocol: 'disabled' });
    expect(peer.state).toBe('disabled');
    expect(peer.receive([{ id: 8, value: 1 }])).toMatchObject({ connectProtocol: 'enabled' });
    expect(peer.receive([])).toMatchObject({ connectProtocol: 'enabled' });
  });
  it('"The value of the parameter MUST be 0 or 1": PROTOCOL_ERROR / H3_SETTINGS_ERROR', () => {
    expect(new PeerSettings({ version: 'h2' }).receive([{ id: 8, value: 2 }])).toMatchObject({ type: 'connection-error', kind: 'invalid-connect-protocol-value', code: 0x1, name: 'PROTOCOL_ERROR' });
    expect(new PeerSettings({ version: 'h3' }).receive([{ id: 8, value: 2 }])).toMatchObject({ type: 'connection-error', kind: 'invalid-connect-protocol-value', code: 0x109, name: 'H3_SETTINGS_ERROR' });
  });
  it('"A sender MUST NOT send ... 0 after previously sending a value of 1"', () => {
    const peer = new PeerSettings({ version: 'h2' });
    peer.receive([{ id: 8, value: 1 }]);
    expect(peer.receive([{ id: 8, value: 0 }])).toMatchObject({ kind: 'connect-protocol-disabled-after-enabled', name: 'PROTOCOL_ERROR' });
    expect(peer.state).toBe('failed');
    const h3 = new PeerSettings({ version: 'h3' });
    expect(h3.receive([{ id: 8, value: 1 }, { id: 8, value: 0 }])).toMatchObject({ kind: 'connect-protocol-disabled-after-enabled', code: 0x109, name: 'H3_SETTINGS_ERROR' });
  });
  it('stays failed: the same error is returned for any later input', () => {
    const peer = new PeerSettings({ version: 'h2' });
    const error = peer.receivePayload(hex('0008 00'));
    expect(error).toMatchObject({ kind: 'invalid-settings-length' });
    expect(peer.state).toBe('failed');
    expect(peer.receivePayload(hex('000800000001'))).toBe(error);
    expect(peer.receive([{ id: 8, value: 1 }])).toBe(error);
  });
  it('RFC 9114 7.2.4: a second HTTP/3 SETTINGS frame is H3_FRAME_UNEXPECTED', () => {
    const peer = new PeerSettings({ version: 'h3' });
    expect(peer.receivePayload(hex('0801'))).toMatchObject({ type: 'settings' });
    expect(peer.receivePayload(hex(''))).toMatchObject({ kind: 'repeated-settings', code: 0x105, name: 'H3_FRAME_UNEXPECTED' });
  });
  it('refuses an unknown version', () => {
    expect(() => new PeerSettings({ version: 'h1' as never })).toThrow(TypeError);
  });
  it('throws a TypeError for input that is not a payload or a list of settings (local misuse)', () => {
    const peer = new PeerSettings({ version: 'h2' });
    for (const payload of [undefined, null, [0, 8, 0, 0, 0, 1], '\0\x08\0\0\0\x01', new Uint16Array(3).buffer]) {
      expect(() => peer.receivePayload(payload as never), String(payload)).toThrow(/Uint8Array/);
    }
    expect(() => peer.receive(undefined as never)).toThrow(/array/);
    expect(peer.state).toBe('awaiting-settings');
  });
  it('any sequence of HTTP/2 values: enabled exactly when the last 0x8 is 1, failed on 2+ or 1→0 (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.record({ id: fc.constantFrom(3, 8), value: fc.constantFrom(0, 1, 2) }), { maxLength: 4 }), { maxLength: 6 }), (frames) => {
        const peer = new PeerSettings({ version: 'h2' });
        let model: 'awaiting-settings' | 'enabled' | 'disabled' | 'failed' = 'awaiting-settings';
        for (const frame of frames) {
          peer.receivePayload(encodeSettings(frame, 'h2'));
          if (model === 'failed') continue;
          let enabled: boolean = model === 'enabled';
          for (const { id, value } of frame) {
            if (id !== 8 || model === 'failed') continue;
            if (value > 1 || (enabled && value === 0)) model = 'failed';
            else enabled = value === 1;
          }
          if (model !== 'failed') model = enabled ? 'enabled' : 'disabled';
          expect(peer.state).toBe(model);
        }
        expect(peer.state).toBe(model);
      }),
    );
  });
});
