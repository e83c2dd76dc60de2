// The extension interface, proven with test-only extensions: a stateful XOR
// stream (claims RSV1) and a toy "inflater" whose output grows (claims RSV2).
import { describe, expect, it } from 'vitest';
import {
  Connection,
  FrameParser,
  RSV1,
  RSV2,
  RSV3,
  seededRandom,
  type MessageExtension,
  type ReceiveTransform,
  type SendTransform,
} from '@hybi/frame-codec';
import { bytes, clientFrame, concat, frame, hex, plain, receiveAll, serverFails, text } from './helpers.js';

/** XORs byte i of a message with (i + 1) & 0xff, in both directions; state carries across pieces. */
function xorStream(): { push(data: Uint8Array): Uint8Array } {
  let n = 0;
  return { push: (data) => data.map((b) => b ^ (++n & 0xff)) };
}

interface Log {
  calls: string[];
}

function xorExtension(log: Log = { calls: [] }, threshold = 0): MessageExtension {
  return {
    rsv: RSV1,
    receiveMessage(rsv, kind) {
      log.calls.push(`receive ${rsv} ${kind}`);
      if (rsv === 0) return null;
      const stream = xorStream();
      return {
        push: (data, limit) => (log.calls.push(`push ${data.length} ${limit}`), [stream.push(data)]),
        end: (limit) => (log.calls.push(`end ${limit}`), []),
      };
    },
    sendMessage(kind, length, requested) {
      log.calls.push(`send ${kind} ${length} ${requested}`);
      if (!requested && length !== undefined && length < threshold) return null;
      const stream = xorStream();
      return { push: (data, fin) => (log.calls.push(`out ${data.length} ${fin}`), [stream.push(data)]) };
    },
    dispose: () => log.calls.push('dispose'),
  };
}

/** Input byte n inflates to n bytes of 'a' (0 is corrupt data); the message ends with '!'. Respects its limit unless told not to. */
function expandExtension(log: Log = { calls: [] }, honest = true): MessageExtension {
  return {
    rsv: RSV2,
    receiveMessage(rsv): ReceiveTransform | null {
      if (rsv === 0) return null;
      return {
        push(data, limit) {
          log.calls.push(`push ${hex(data)} limit ${limit}`);
          let size = 0;
          for (const n of data) {
            if (n === 0) return { code: 1007, reason: 'corrupt' };
            size += n;
            if (honest && size > limit) return { code: 1009, reason: 'too big while inflating' };
          }
          return [new Uint8Array(size).fill(0x61)];
        },
        end(limit) {
          log.calls.push(`end limit ${limit}`);
          return limit < 1 ? { code: 1009, reason: 'no room for the tail' } : [text('!')];
        },
      };
    },
    sendMessage: () => null,
  };
}

const xor = (data: Uint8Array) => xorStream().push(data);

describe('MessageExtension (RFC 6455 9, RFC 7692 6 shape)', () => {
  describe('receiving', () => {
    it('transforms a message whose first frame has the claimed bit, whatever the chunking', () => {
      const wire = xor(text('Hello, extension'));
      const input = concat(clientFrame(1, wire.subarray(0, 5), { rsv: RSV1, fin: false }), clientFrame(9, 'p'), clientFrame(0, wire.subarray(5)));
      const make = () => new Connection({ role: 'server', extensions: [xorExtension()] });
      expect(receiveAll(make, input)).toEqual([
        { type: 'ping', data: '70' },
        { type: 'write', data: '8a0170' },
        { type: 'message', kind: 'text', data: hex(text('Hello, extension')) },
      ]);
    });

    it('asks the extension once per message and takes the payload unchanged when it declines', () => {
      const log = { calls: [] as string[] };
      const s = new Connection({ role: 'server', extensions: [xorExtension(log)] });
      const events = s.receive(concat(clientFrame(2, bytes(1, 2), { fin: false }), clientFrame(0, bytes(3)), clientFrame(2, bytes(4))));
      expect(plain(events)).toEqual([
        { type: 'message', kind: 'binary', data: '010203' },
        { type: 'message', kind: 'binary', data: '04' },
      ]);
      expect(log.calls).toEqual(['receive 0 binary', 'receive 0 binary']);
    });

    it('validates text after the transform', () => {
      // On the wire the bytes are not UTF-8; transformed, they are.
      const good = xor(text('€uro'));
      expect(plain(new Connection({ role: 'server', extensions: [xorExtension()] }).receive(clientFrame(1, good, { rsv: RSV1 })))).toEqual([
        { type: 'message', kind: 'text', data: hex(text('€uro')) },
      ]);
      // On the wire they are ASCII; transformed, they are not UTF-8.
      const bad = xor(bytes(0xff, 0x41));
      expect(plain(new Connection({ role: 'server', extensions: [xorExtension()] }).receive(clientFrame(1, bad, { rsv: RSV1 })))).toEqual(serverFails(1007));
    });

    it('fails with 1002 when a claimed bit is on a continuation or control frame, or a bit is unclaimed', () => {
      const make = () => new Connection({ role: 'server', extensions: [xorExtension()] });
      expect(receiveAll(make, concat(clientFrame(2, bytes(1), { fin: false }), clientFrame(0, bytes(2), { rsv: RSV1 })))).toEqual(serverFails(1002));
      expect(receiveAll(make, clientFrame(9, 'x', { rsv: RSV1 }))).toEqual(serverFails(1002));
      expect(receiveAll(make, clientFrame(2, bytes(1), { rsv: RSV2 }))).toEqual(serverFails(1002));
      expect(receiveAll(make, clientFrame(2, bytes(1), { rsv: RSV1 | RSV3 }))).toEqual(serverFails(1002));
    });

    it('counts transformed output against maxMessageSize while transforming, and passes the remaining budget', () => {
      const log = { calls: [] as string[] };
      const s = new Connection({ role: 'server', maxMessageSize: 100, extensions: [expandExtension(log)] });
      const input = concat(clientFrame(2, bytes(50), { rsv: RSV2, fin: false }), clientFrame(0, bytes(40, 20)));
      expect(plain(s.receive(input))).toEqual(serverFails(1009));
      expect(log.calls).toEqual(['push 32 limit 100', 'push 2814 limit 50']);
    });

    it('fails with 1009 when an extension overshoots the budget it was given', () => {
      const s = new Connection({ role: 'server', maxMessageSize: 10, extensions: [expandExtension(undefined, false)] });
      expect(plain(s.receive(clientFrame(2, bytes(11), { rsv: RSV2 })))).toEqual(serverFails(1009));
    });

    it('signals the end of the message, with the remaining budget, and appends its output', () => {
      const log = { calls: [] as string[] };
      const s = new Connection({ role: 'server', maxMessageSize: 10, extensions: [expandExtension(log)] });
      expect(plain(s.receive(clientFrame(1, bytes(3, 4), { rsv: RSV2 })))).toEqual([{ type: 'message', kind: 'text', data: hex(text('aaaaaaa!')) }]);
      expect(log.calls).toEqual(['push 0304 limit 10', 'end limit 3']);
      // Exactly at the limit, the tail does not fit.
      expect(plain(s.receive(clientFrame(1, bytes(10), { rsv: RSV2 })))).toEqual(serverFails(1009));
    });

    it('fails with the code the extension names; an unusable code becomes 1011', () => {
      expect(plain(new Connection({ role: 'server', extensions: [expandExtension()] }).receive(clientFrame(2, bytes(1, 0), { rsv: RSV2 })))).toEqual(serverFails(1007));
      const weird: MessageExtension = {
        rsv: RSV1,
        receiveMessage: () => ({ push: () => ({ code: 1005, reason: 'bad code' }), end: () => [] }),
        sendMessage: () => null,
      };
      expect(plain(new Connection({ role: 'server', extensions: [weird] }).receive(clientFrame(2, bytes(1), { rsv: RSV1 })))).toEqual(serverFails(1011));
    });

    it("keeps a transform's output as it is until the message ends: adjacent views become one piece, nothing is copied", () => {
      // Like an inflater: every push writes into one output buffer and returns a view of what it wrote.
      const output = new Uint8Array(300);
      let used = 0;
      const filling: MessageExtension = {
        rsv: RSV1,
        receiveMessage: () => ({
          push: (data) => {
            const start = used;
            for (const b of data) output[used++] = b ^ 0x20;
            return [output.subarray(start, used)];
          },
          end: () => [],
        }),
        sendMessage: () => null,
      };
      const s = new Connection({ role: 'server', extensions: [filling] });
      const payload = new Uint8Array(200).fill(0x41);
      const input = concat(clientFrame(2, payload.subarray(0, 120), { rsv: RSV1, fin: false }), clientFrame(0, payload.subarray(120)));
      const events = [];
      for (let i = 0; i < input.length; i++) {
        events.push(...s.receive(input.slice(i, i + 1)));
        if (i === 100) expect(s.bufferedBytes).toBeGreaterThan(0); // the output so far is held (and reported)
      }
      expect(events).toHaveLength(1);
      const message = events[0] as { type: string; data: Uint8Array };
      expect(message.type).toBe('message');
      expect(message.data.buffer).toBe(output.buffer); // handed out as the transform's own buffer
      expect(message.data.every((b) => b === 0x61)).toBe(true);
      expect(s.bufferedBytes).toBe(0);
    });

    it('copies output that is a view of the input chunk, which the caller may reuse after the call', () => {
      const passthrough: MessageExtension = {
        rsv: RSV1,
        receiveMessage: () => ({ push: (data) => [data], end: () => [] }),
        sendMessage: () => null,
      };
      for (const streaming of [false, true]) {
        const s = new Connection({ role: 'server', streaming, extensions: [passthrough] });
        const input = concat(clientFrame(2, bytes(1, 2, 3), { rsv: RSV1, fin: false }), clientFrame(0, bytes(4, 5)));
        const data: Uint8Array[] = [];
        const reused = new Uint8Array(4);
        for (let at = 0; at < input.length; at += 4) {
          const chunk = input.subarray(at, at + 4);
          reused.set(chunk);
          for (const event of s.receive(reused.subarray(0, chunk.length))) if ('data' in event && !Array.isArray(event.data)) data.push((event.data as Uint8Array).slice());
          reused.fill(0xee); // the read buffer is reused
        }
        expect(hex(concat(...data))).toBe('0102030405');
      }
    });

    it('assembles a transformed message from more than 64 separate output pieces', () => {
      const payload = new Uint8Array(300).map((_, i) => i & 0x7f);
      const input = clientFrame(2, xor(payload), { rsv: RSV1 });
      const s = new Connection({ role: 'server', extensions: [xorExtension()] });
      const events = [];
      for (let i = 0; i < input.length; i++) events.push(...plain(s.receive(input.slice(i, i + 1))));
      expect(events).toEqual([{ type: 'message', kind: 'binary', data: hex(payload) }]);
    });

    it('holds at most maxBufferedBytes of output between calls, however many pieces it comes in', () => {
      const payload = new Uint8Array(300).map((_, i) => i & 0x7f);
      const input = clientFrame(2, xor(payload), { rsv: RSV1 });
      for (const maxBufferedBytes of [300, 500]) {
        const s = new Connection({ role: 'server', maxBufferedBytes, extensions: [xorExtension()] });
        const events = [];
        for (let i = 0; i < input.length; i++) {
          events.push(...plain(s.receive(input.slice(i, i + 1))));
          expect(s.bufferedBytes).toBeLessThanOrEqual(maxBufferedBytes + 14); // and a split header
        }
        expect(events).toEqual([{ type: 'message', kind: 'binary', data: hex(payload) }]);
      }
      // Output past the limit fails while transforming (the header could not tell).
      const s = new Connection({ role: 'server', maxBufferedBytes: 299, extensions: [xorExtension()] });
      expect(plain(s.receive(input)).slice(0, 1)).toEqual([{ type: 'protocol-error', code: 1009, reason: 'message of more than 299 bytes' }]);
    });

    it('streams transformed output as fragments, marking frame and message ends', () => {
      const wire = xor(text('abcdef'));
      const input = concat(clientFrame(1, wire.subarray(0, 4), { rsv: RSV1, fin: false }), clientFrame(0, wire.subarray(4)));
      const make = () => new Connection({ role: 'server', streaming: true, extensions: [xorExtension()] });
      expect(receiveAll(make, input)).toEqual([
        { type: 'fragment', kind: 'text', data: hex(text('abcd')), frameEnd: true, messageEnd: false },
        { type: 'fragment', kind: 'text', data: hex(text('ef')), frameEnd: true, messageEnd: true },
      ]);
    });
  });

  describe('sending', () => {
    it('transforms a message and sets the claimed bit on its frame', () => {
      const log = { calls: [] as string[] };
      const s = new Connection({ role: 'server', extensions: [xorExtension(log)] });
      const [header, payload] = s.sendText('hey');
      expect(header![0]).toBe(0x80 | RSV1 | 1);
      expect(hex(payload!)).toBe(hex(xor(text('hey'))));
      expect(log.calls).toEqual(['send text 3 false', 'out 3 true']);
    });

    it('sets the bit on the first frame of a fragmented message only', () => {
      const log = { calls: [] as string[] };
      const c = new Connection({ role: 'client', random: seededRandom(3), extensions: [xorExtension(log)] });
      const written = [...c.startMessage('binary', bytes(1, 2)), ...c.ping('p'), ...c.continueMessage(bytes(3)), ...c.finishMessage(bytes(4))];
      const parser = new FrameParser({ role: 'server' });
      const headers = parser.push(concat(...written)).filter((e) => e.type === 'frame-header');
      expect(headers.map((h) => [h.opcode, h.rsv, h.fin])).toEqual([[2, RSV1, false], [9, 0, true], [0, 0, false], [0, 0, true]]);
      expect(log.calls).toEqual(['send binary undefined false', 'out 2 false', 'out 1 false', 'out 1 true']);
    });

    it('sends untransformed when asked ({ transform: false }), and tells the extension when the application asks for it', () => {
      const log = { calls: [] as string[] };
      const s = new Connection({ role: 'server', extensions: [xorExtension(log, 100)] });
      expect(hex(concat(...s.sendBinary(bytes(1), { transform: false })))).toBe('820101');
      expect(hex(concat(...s.sendBinary(bytes(1))))).toBe('820101'); // below the extension's threshold
      expect(concat(...s.sendBinary(bytes(1), { transform: true }))[0]).toBe(0x80 | RSV1 | 2);
      expect(log.calls).toEqual(['send binary 1 false', 'send binary 1 true', 'out 1 true']);
    });

    it('round-trips between two ends that negotiated it', () => {
      const c = new Connection({ role: 'client', random: seededRandom(8), extensions: [xorExtension()] });
      const s = new Connection({ role: 'server', extensions: [xorExtension()] });
      const wire = concat(...c.sendText('first'), ...c.startMessage('binary', bytes(9)), ...c.finishMessage(bytes(8, 7)), ...c.sendText('third'));
      expect(plain(s.receive(wire))).toEqual([
        { type: 'message', kind: 'text', data: hex(text('first')) },
        { type: 'message', kind: 'binary', data: '090807' },
        { type: 'message', kind: 'text', data: hex(text('third')) },
      ]);
    });
  });

  describe('several extensions', () => {
    it('apply in order when sending and in reverse when receiving', () => {
      const order: string[] = [];
      const tag = (name: string, rsv: number): MessageExtension => ({
        rsv,
        receiveMessage: (bits) =>
          bits === 0 ? null : { push: (data) => (order.push(`in ${name}`), [data.subarray(0, data.length - 1)]), end: () => [] },
        sendMessage: () => ({ push: (data): Uint8Array[] => (order.push(`out ${name}`), [concat(data, text(name))]) }),
      });
      const c = new Connection({ role: 'client', random: seededRandom(1), extensions: [tag('A', RSV1), tag('B', RSV2)] });
      const s = new Connection({ role: 'server', extensions: [tag('A', RSV1), tag('B', RSV2)] });
      const wire = concat(...c.sendText('x'));
      expect(wire[0]).toBe(0x80 | RSV1 | RSV2 | 1);
      expect(plain(s.receive(wire))).toEqual([{ type: 'message', kind: 'text', data: hex(text('x')) }]);
      expect(order).toEqual(['out A', 'out B', 'in B', 'in A']);
    });

    it('must claim distinct RSV bits', () => {
      expect(() => new Connection({ role: 'server', extensions: [xorExtension(), xorExtension()] })).toThrow(TypeError);
      expect(() => new Connection({ role: 'server', extensions: [{ ...xorExtension(), rsv: 0x80 }] })).toThrow(TypeError);
    });
  });

  it('is disposed once when the connection closes, in any way', () => {
    for (const finish of [
      (c: Connection) => [...c.receive(clientFrame(8))],
      (c: Connection) => [...c.receive(clientFrame(3))],
      (c: Connection) => [...c.receiveEnd()],
    ]) {
      const log = { calls: [] as string[] };
      const c = new Connection({ role: 'server', extensions: [xorExtension(log)] });
      finish(c);
      expect([...c.receiveEnd()]).toEqual([]);
      expect(log.calls.filter((call) => call === 'dispose')).toHaveLength(1);
    }
  });

  it('is not consulted for control frames', () => {
    const log = { calls: [] as string[] };
    const s = new Connection({ role: 'server', extensions: [xorExtension(log)] });
    expect([...s.receive(concat(clientFrame(9, 'x'), clientFrame(10, 'y')))].map((e) => e.type)).toEqual(['ping', 'write', 'pong']);
    s.ping('p');
    s.close(1000);
    expect(log.calls).toEqual([]);
  });

  it('frame helper sanity: RSV bits sit in the first byte', () => {
    expect(frame(1, '', { rsv: RSV1 | RSV2 | RSV3 })[0]).toBe(0xf1);
  });
});
