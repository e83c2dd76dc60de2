import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameParser, Opcode, RSV1, encodeFrame } from '@hybi/frame-codec';
import { concat, frame, hex } from './helpers.js';

describe('encodeFrame (RFC 6455 5.2)', () => {
  it('writes the header as RFC 6455 5.2 lays it out, for 7-, 16- and 64-bit lengths', () => {
    for (const n of [0, 1, 125, 126, 65535, 65536]) {
      const payload = new Uint8Array(n).map((_, i) => i);
      expect(hex(concat(...encodeFrame(payload, { opcode: Opcode.Binary })))).toBe(hex(frame(2, payload)));
      const key = Uint8Array.of(1, 2, 3, 4);
      expect(hex(concat(...encodeFrame(payload, { opcode: Opcode.Text, fin: false, rsv: RSV1, maskKey: key })))).toBe(
        hex(frame(1, payload, { fin: false, rsv: RSV1, key: [...key] })),
      );
    }
  });

  it('returns [header, payload] unmasked, without copying the payload', () => {
    const payload = new Uint8Array(1000);
    const out = encodeFrame(payload, { opcode: Opcode.Binary });
    expect(out).toHaveLength(2);
    expect(out[1]).toBe(payload);
    expect(encodeFrame(new Uint8Array(0), { opcode: Opcode.Ping })).toHaveLength(1);
  });

  it('masks into a new array and leaves the payload alone', () => {
    const payload = new Uint8Array(100).fill(0x41);
    const out = encodeFrame(payload, { opcode: Opcode.Binary, maskKey: Uint8Array.of(9, 9, 9, 9) });
    expect(out).toHaveLength(1);
    expect(payload.every((b) => b === 0x41)).toBe(true);
  });

  it('masked frames cut from the shared slab never overlap', () => {
    const frames = Array.from({ length: 400 }, (_, i) =>
      encodeFrame(new Uint8Array(i * 7 % 1500).fill(i & 0xff), { opcode: Opcode.Binary, maskKey: Uint8Array.of(i, 1, 2, 3) })[0]!,
    );
    frames.forEach((wire, i) => {
      const events = new FrameParser({ role: 'server' }).push(wire.slice());
      expect(events[1], `frame ${i}`).toEqual({ type: 'frame-payload', data: new Uint8Array(i * 7 % 1500).fill(i & 0xff), frameEnd: true });
    });
  });

  it('round-trips through FrameParser', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70000 }), fc.boolean(), fc.uint8Array({ minLength: 4, maxLength: 4 }), (payload, masked, key) => {
        const wire = concat(...encodeFrame(payload, { opcode: Opcode.Binary, ...(masked && { maskKey: key }) }));
        const events = new FrameParser({ role: masked ? 'server' : 'client', maxFramePayload: Infinity }).push(wire);
        expect(events[0]).toEqual({ type: 'frame-header', fin: true, rsv: 0, opcode: 2, masked, length: payload.length });
        expect(events[1]).toEqual({ type: 'frame-payload', data: payload, frameEnd: true });
      }),
      { numRuns: 60 },
    );
  });

  it('rejects what RFC 6455 does not allow', () => {
    expect(() => encodeFrame(new Uint8Array(1), { opcode: 3 })).toThrow(RangeError);
    expect(() => encodeFrame(new Uint8Array(1), { opcode: 1, rsv: 0x80 })).toThrow(RangeError);
    expect(() => encodeFrame(new Uint8Array(126), { opcode: Opcode.Ping })).toThrow(RangeError);
    expect(() => encodeFrame(new Uint8Array(1), { opcode: Opcode.Close, fin: false })).toThrow(RangeError);
    expect(() => encodeFrame(new Uint8Array(1), { opcode: 1, maskKey: new Uint8Array(3) })).toThrow(TypeError);
    expect(() => encodeFrame('x' as unknown as Uint8Array, { opcode: 1 })).toThrow(TypeError);
  });
});
