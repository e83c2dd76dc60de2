import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameParser, type FrameEvent } from '@hybi/frame-codec';
import { CLIENT_KEY, bytes, clientFrame, concat, frame, hex, splittings, text } from './helpers.js';

/** Feeds every splitting; checks they agree after merging payload pieces; returns the events. */
function parse(role: 'client' | 'server', input: Uint8Array, maxFramePayload?: number): unknown[] {
  let reference: string | undefined;
  let result: unknown[] = [];
  for (const { label, chunks } of splittings(input)) {
    const parser = new FrameParser({ role, ...(maxFramePayload !== undefined && { maxFramePayload }) });
    const events: Record<string, unknown>[] = [];
    for (const chunk of chunks) {
      for (const event of parser.push(chunk)) {
        const e: Record<string, unknown> = event.type === 'frame-payload' ? { ...event, data: hex(event.data) } : { ...event };
        if (event.type === 'frame-error') delete e.reason;
        const previous = events[events.length - 1];
        if (e.type === 'frame-payload' && previous?.type === 'frame-payload' && previous.frameEnd === false) {
          events[events.length - 1] = { ...e, data: `${previous.data as string}${e.data as string}` };
        } else events.push(e);
      }
    }
    const json = JSON.stringify(events);
    if (reference === undefined) [reference, result] = [json, events];
    else expect(json, label).toBe(reference);
  }
  return result;
}

const header = (fin: boolean, opcode: number, length: number, masked: boolean, rsv = 0) => ({ type: 'frame-header', fin, rsv, opcode, masked, length });
const payload = (data: string, frameEnd = true) => ({ type: 'frame-payload', data, frameEnd });
const error = (code: number) => ({ type: 'frame-error', code });

describe('FrameParser', () => {
  describe('RFC 6455 5.2 base framing', () => {
    it('reads header fields and hands out unmasked payload', () => {
      expect(parse('client', frame(1, 'Hello'))).toEqual([header(true, 1, 5, false), payload(hex(text('Hello')))]);
      expect(parse('server', clientFrame(2, bytes(1, 2, 3), { fin: false }))).toEqual([header(false, 2, 3, true), payload('010203')]);
    });

    it('reports RSV bits without judging them', () => {
      expect(parse('client', frame(1, 'x', { rsv: 0x70 }))).toEqual([header(true, 1, 1, false, 0x70), payload('78')]);
    });

    it('reads 7-, 16- and 64-bit lengths', () => {
      for (const n of [0, 125, 126, 65535, 65536, 70000]) {
        const data = new Uint8Array(n).map((_, i) => i * 7);
        expect(parse('client', frame(2, data))).toEqual([header(true, 2, n, false), payload(hex(data))]);
      }
    });

    it('rejects lengths not in minimal form', () => {
      expect(parse('client', frame(2, new Uint8Array(125), { lengthBits: 16 }))).toEqual([error(1002)]);
      expect(parse('client', frame(2, new Uint8Array(65535), { lengthBits: 64 }))).toEqual([error(1002)]);
      expect(parse('client', frame(2, new Uint8Array(0), { lengthBits: 64 }))).toEqual([error(1002)]);
    });

    it('rejects a 64-bit length with the most significant bit set', () => {
      expect(parse('client', bytes(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1))).toEqual([error(1002)]);
    });

    it('rejects reserved opcodes at the header', () => {
      for (const opcode of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) expect(parse('client', frame(opcode, 'x').subarray(0, 2))).toEqual([error(1002)]);
    });

    it('ignores input after an error', () => {
      const parser = new FrameParser({ role: 'client' });
      expect(parser.push(bytes(0x83, 0)).map((e) => e.type)).toEqual(['frame-error']);
      expect(parser.push(frame(1, 'ok'))).toEqual([]);
      expect(parser.state).toBe('failed');
    });

    it('hands out data payload as it arrives and never waits for the whole frame', () => {
      const parser = new FrameParser({ role: 'server' });
      const input = clientFrame(2, new Uint8Array(100).fill(9));
      const first = parser.push(input.subarray(0, 10));
      expect(first).toEqual([header(true, 2, 100, true), { type: 'frame-payload', data: new Uint8Array(4).fill(9), frameEnd: false }]);
      expect(parser.state).toBe('payload');
      const second = parser.push(input.subarray(10));
      expect(second).toEqual([{ type: 'frame-payload', data: new Uint8Array(96).fill(9), frameEnd: true }]);
      expect(parser.state).toBe('idle');
    });

    it('carries a header split across chunks', () => {
      const parser = new FrameParser({ role: 'server' });
      const input = clientFrame(2, new Uint8Array(300));
      expect(parser.push(input.subarray(0, 3))).toEqual([]);
      expect(parser.state).toBe('header');
      expect(parser.bufferedBytes).toBe(3);
      expect(parser.push(input.subarray(3, 8)).map((e) => e.type)).toEqual(['frame-header']);
      expect(parser.bufferedBytes).toBe(0);
    });

    it('delivers a payload lying in one chunk as a view of it, unmasked in place', () => {
      const input = clientFrame(2, bytes(5, 6, 7));
      const [, piece] = new FrameParser({ role: 'server' }).push(input) as [FrameEvent, FrameEvent & { data: Uint8Array }];
      expect(piece.data.buffer).toBe(input.buffer);
      expect([...input.subarray(6)]).toEqual([5, 6, 7]);
    });

    it('gives the same events whatever the splitting of a stream of frames', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.constantFrom(0, 1, 2, 8, 9, 10), fc.uint8Array({ maxLength: 300 }), fc.boolean(), fc.uint8Array({ minLength: 4, maxLength: 4 })), { maxLength: 6 }),
          (specs) => {
            const frames = specs.map(([opcode, data, fin, key]) => frame(opcode, opcode >= 8 ? data.subarray(0, 125) : data, { fin: opcode >= 8 || fin, key: [...key] }));
            parse('server', concat(...frames));
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  describe('RFC 6455 5.1 masking by role', () => {
    it('a server rejects unmasked frames', () => {
      expect(parse('server', frame(1, 'x'))).toEqual([error(1002)]);
    });
    it('a client rejects masked frames', () => {
      expect(parse('client', clientFrame(1, 'x'))).toEqual([error(1002)]);
    });
  });

  describe('RFC 6455 5.5 control frames', () => {
    it('rejects FIN clear and payloads over 125 bytes', () => {
      expect(parse('client', frame(9, '', { fin: false }))).toEqual([error(1002)]);
      expect(parse('client', frame(10, new Uint8Array(126)).subarray(0, 2))).toEqual([error(1002)]);
    });

    it('hands out a control payload whole, even when split across chunks', () => {
      const parser = new FrameParser({ role: 'server' });
      const input = clientFrame(9, new Uint8Array(125).fill(3));
      const events = [...parser.push(input.subarray(0, 50)), ...parser.push(input.subarray(50, 51)), ...parser.push(input.subarray(51))];
      expect(events).toEqual([header(true, 9, 125, true), { type: 'frame-payload', data: new Uint8Array(125).fill(3), frameEnd: true }]);
    });

    it('is not limited by maxFramePayload', () => {
      expect(parse('client', frame(9, new Uint8Array(100)), 10)).toEqual([header(true, 9, 100, false), payload(hex(new Uint8Array(100)))]);
    });
  });

  describe('limits', () => {
    it('fails with 1009 as soon as a header announces more than maxFramePayload', () => {
      expect(parse('client', frame(2, new Uint8Array(11)).subarray(0, 2), 10)).toEqual([error(1009)]);
      expect(parse('server', clientFrame(2, new Uint8Array(70000)).subarray(0, 10), 65536)).toEqual([error(1009)]);
      expect(parse('client', bytes(0x82, 127, 0, 0x20, 0, 0, 0, 0, 0, 0))).toEqual([error(1009)]);
    });

    it('validates its options', () => {
      expect(() => new FrameParser({ role: 'peer' as 'client' })).toThrow(TypeError);
      expect(() => new FrameParser({ role: 'client', maxFramePayload: -1 })).toThrow(RangeError);
      expect(() => new FrameParser({ role: 'client', maxFramePayload: 1.5 })).toThrow(RangeError);
      expect(() => new FrameParser({ role: 'client', maxFramePayload: Infinity })).not.toThrow();
      expect(() => new FrameParser({ role: 'client' }).push('text' as unknown as Uint8Array)).toThrow(TypeError);
    });
  });

  it('uses the key of each frame', () => {
    const a = frame(2, bytes(1, 1, 1, 1, 1), { key: CLIENT_KEY, fin: false });
    const b = frame(0, bytes(2, 2, 2), { key: [9, 8, 7, 6] });
    expect(parse('server', concat(a, b))).toEqual([header(false, 2, 5, true), payload('0101010101'), header(true, 0, 3, true), payload('020202')]);
  });
});
