import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection, FrameParser, decodeText, seededRandom, type ConnectionEvent } from '@hybi/frame-codec';
import { bytes, clientFrame, concat, frame, hex, plain, receiveAll, serverFails, splittings, text } from './helpers.js';

const server = (options = {}) => new Connection({ role: 'server', ...options });
const client = (options = {}) => new Connection({ role: 'client', random: seededRandom(1), ...options });

/** Decodes what a connection wrote with a peer-side frame parser. */
function frames(role: 'client' | 'server', written: readonly Uint8Array[]) {
  const parser = new FrameParser({ role: role === 'client' ? 'server' : 'client', maxFramePayload: Infinity });
  const out: { opcode: number; fin: boolean; rsv: number; data: string }[] = [];
  for (const event of parser.push(concat(...written))) {
    if (event.type === 'frame-header') out.push({ opcode: event.opcode, fin: event.fin, rsv: event.rsv, data: '' });
    else if (event.type === 'frame-payload') out[out.length - 1]!.data += hex(event.data);
    else throw new Error(event.reason);
  }
  return out;
}

describe('Connection', () => {
  describe('RFC 6455 5.1 and 5.3: masking of what is sent', () => {
    it('a client masks every frame with a key from its random source, and the same seed gives the same bytes', () => {
      const a = client({ random: seededRandom(99) });
      const b = client({ random: seededRandom(99) });
      const sent = [a.sendText('hi'), a.ping(), a.sendBinary(bytes(1, 2)), a.close(1000)];
      expect(sent.map((f) => hex(concat(...f)))).toEqual([b.sendText('hi'), b.ping(), b.sendBinary(bytes(1, 2)), b.close(1000)].map((f) => hex(concat(...f))));
      const key = new Uint8Array(4);
      seededRandom(99)(key);
      expect(hex(concat(...sent[0]!))).toBe(hex(frame(1, 'hi', { key: [...key] })));
      expect(frames('client', sent.flat())).toEqual([
        { opcode: 1, fin: true, rsv: 0, data: hex(text('hi')) },
        { opcode: 9, fin: true, rsv: 0, data: '' },
        { opcode: 2, fin: true, rsv: 0, data: '0102' },
        { opcode: 8, fin: true, rsv: 0, data: '03e8' },
      ]);
    });

    it('draws keys from a pool: one call to the random source per 256 frames', () => {
      let calls = 0;
      const c = client({ random: (target: Uint8Array) => (calls++, seededRandom(calls)(target)) });
      for (let i = 0; i < 256; i++) c.sendBinary(bytes(i));
      expect(calls).toBe(1);
      c.sendBinary(bytes(0));
      expect(calls).toBe(2);
    });

    it('a server sends unmasked [header, payload] and does not copy the payload', () => {
      const payload = new Uint8Array(300).fill(7);
      const out = server().sendBinary(payload);
      expect(out).toHaveLength(2);
      expect(out[1]).toBe(payload);
      expect(hex(out[0]!)).toBe('827e012c');
    });

    it('a client leaves the payload it masks untouched', () => {
      const payload = new Uint8Array(300).fill(7);
      const out = client().sendBinary(payload);
      expect(out).toHaveLength(1);
      expect(payload.every((b) => b === 7)).toBe(true);
    });
  });

  describe('RFC 6455 5.4: fragmentation', () => {
    it('reassembles with control frames in between, whatever the chunking', () => {
      const input = concat(clientFrame(1, 'Hel', { fin: false }), clientFrame(9, 'p'), clientFrame(0, 'lo'));
      expect(receiveAll(server, input)).toEqual([
        { type: 'ping', data: hex(text('p')) },
        { type: 'write', data: '8a0170' },
        { type: 'message', kind: 'text', data: hex(text('Hello')) },
      ]);
    });

    it('streams pieces of a frame before the frame is complete', () => {
      const c = server({ streaming: true });
      const input = clientFrame(2, new Uint8Array(1000).fill(1));
      const first = [...c.receive(input.subarray(0, 500))];
      expect(first).toEqual([{ type: 'fragment', kind: 'binary', data: new Uint8Array(492).fill(1), frameEnd: false, messageEnd: false }]);
      expect([...c.receive(input.subarray(500))]).toEqual([{ type: 'fragment', kind: 'binary', data: new Uint8Array(508).fill(1), frameEnd: true, messageEnd: true }]);
      expect(c.bufferedBytes).toBe(0);
    });

    it('sends a message in fragments: start, continue, finish', () => {
      const s = server();
      const written = [...s.startMessage('text', 'a'), ...s.ping('x'), ...s.continueMessage(text('€').subarray(0, 1)), ...s.continueMessage(text('€').subarray(1)), ...s.finishMessage()];
      expect(frames('server', written)).toEqual([
        { opcode: 1, fin: false, rsv: 0, data: '61' },
        { opcode: 9, fin: true, rsv: 0, data: '78' },
        { opcode: 0, fin: false, rsv: 0, data: 'e2' },
        { opcode: 0, fin: false, rsv: 0, data: '82ac' },
        { opcode: 0, fin: true, rsv: 0, data: '' },
      ]);
      expect(() => s.continueMessage('more')).toThrow(/startMessage/);
    });

    it('refuses to start a message inside a fragmented one, and checks text fragments', () => {
      const s = server();
      s.startMessage('binary', bytes(1));
      expect(() => s.sendText('x')).toThrow(/finishMessage/);
      expect(() => s.sendBinary(bytes(1))).toThrow(/finishMessage/);
      expect(() => s.startMessage('text')).toThrow(/finishMessage/);
      expect(() => s.continueMessage('string' as unknown as Uint8Array)).toThrow(TypeError);
      s.finishMessage(bytes(2));
      s.startMessage('text', text('€').subarray(0, 2));
      expect(() => s.finishMessage()).toThrow(/inside a UTF-8 sequence/);
      const t = server();
      t.startMessage('text');
      expect(() => t.continueMessage(bytes(0xff))).toThrow(/not valid UTF-8/);
      expect(() => server().startMessage('json' as 'text')).toThrow(TypeError);
    });

    it('a first fragment that throws begins no message: nothing was sent, and any message can follow', () => {
      for (const [kind, data] of [['text', bytes(0xff)], ['binary', 'a string']] as const) {
        const s = server();
        expect(() => s.startMessage(kind, data as Uint8Array)).toThrow(TypeError);
        expect(() => s.continueMessage(bytes(1))).toThrow(/startMessage/);
        expect(() => s.finishMessage()).toThrow(/startMessage/);
        expect(frames('server', s.sendText('hi'))).toEqual([{ opcode: 1, fin: true, rsv: 0, data: '6869' }]);
      }
    });

    it('a fragment that throws changes nothing: the message goes on with valid data', () => {
      const s = server();
      const written = [...s.startMessage('text', text('€').subarray(0, 1))];
      expect(() => s.continueMessage(bytes(0x41))).toThrow(/not valid UTF-8/);
      // A string holds whole code points, so it cannot finish the one the bytes began (RFC 6455 5.6: text is UTF-8).
      expect(() => s.continueMessage('b')).toThrow(/inside a UTF-8 sequence/);
      expect(() => s.finishMessage(text('€').subarray(1, 2))).toThrow(/inside a UTF-8 sequence/);
      written.push(...s.continueMessage(text('€').subarray(1, 2)), ...s.finishMessage(text('€').subarray(2)));
      expect(frames('server', written).map((f) => f.data)).toEqual(['e2', '82', 'ac']);
      const [message] = server({ role: 'client' }).receive(concat(...written));
      expect(message).toMatchObject({ type: 'message', kind: 'text' });
      expect(decodeText((message as { data: Uint8Array }).data)).toBe('€');
    });
  });

  describe('RFC 6455 5.5.1: Close', () => {
    it('close() returns the Close frame and moves to closing; sending afterwards throws', () => {
      const s = server();
      expect(hex(concat(...s.close(1001, 'bye')))).toBe('880503e9627965');
      expect(s.state).toBe('closing');
      expect(() => s.sendText('x')).toThrow(/close\(\) was called/);
      expect(() => s.sendBinary(bytes(1))).toThrow(/close\(\) was called/);
      expect(() => s.ping()).toThrow(/close\(\) was called/);
      expect(() => s.pong()).toThrow(/close\(\) was called/);
      expect(() => s.close()).toThrow(/close\(\) was called/);
    });

    it('close() without a code sends an empty Close', () => {
      expect(hex(concat(...server().close()))).toBe('8800');
    });

    it('close() validates the code and the reason', () => {
      for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 1000.5]) expect(() => server().close(code), String(code)).toThrow(RangeError);
      expect(() => server().close(undefined, 'why')).toThrow(TypeError);
      expect(() => server().close(1000, 'é'.repeat(62))).toThrow(RangeError);
      expect(() => server().close(1000, 'é'.repeat(61) + 'x')).not.toThrow();
      expect(() => server().close(4999)).not.toThrow();
    });

    it('abandons a fragmented send: nothing can follow the Close', () => {
      const s = server();
      s.startMessage('binary', bytes(1));
      s.close(1000);
      expect(() => s.finishMessage()).toThrow(/close\(\) was called/);
    });
  });

  describe('RFC 6455 5.5.1: answering a message that came with the Close', () => {
    it('a message in the same chunk as the peer\'s Close can be answered while iterating; the Close answer comes after', () => {
      const client = new Connection({ role: 'client', random: seededRandom(1) });
      const server = new Connection({ role: 'server' });
      const chunk = concat(...[...client.sendText('hello'), ...client.close(1000)]);
      const written: Uint8Array[] = [];
      const seen: string[] = [];
      for (const event of server.receive(chunk)) {
        seen.push(`${event.type} (${server.state})`);
        if (event.type === 'message') written.push(...server.sendText(event.data)); // must not throw
        if (event.type === 'write') written.push(...event.data); // the Close answer comes after
      }
      expect(seen).toEqual(['message (open)', 'write (closed)', 'close (closed)', 'close-transport (closed)']);
      // The bytes written: the text frame 'hello', then the Close 1000 answer.
      expect(frames('server', written)).toEqual([
        { opcode: 1, fin: true, rsv: 0, data: hex(text('hello')) },
        { opcode: 8, fin: true, rsv: 0, data: '03e8' },
      ]);
      // The client reads both and closes cleanly.
      expect(plain(client.receive(concat(...written)))).toEqual([
        { type: 'message', kind: 'text', data: hex(text('hello')) },
        { type: 'close', code: 1000, reason: '', initiator: 'local', clean: true },
        { type: 'close-transport', awaitPeer: true },
      ]);
    });

    it('answers in order whatever the chunking: every echo before the Close answer', () => {
      const input = concat(clientFrame(1, 'one'), clientFrame(2, bytes(2)), clientFrame(9, 'p'), clientFrame(1, 'thr', { fin: false }), clientFrame(0, 'ee'), clientFrame(8, bytes(0x03, 0xe9)));
      for (const { label, chunks } of splittings(input)) {
        const s = server();
        const written: Uint8Array[] = [];
        for (const chunk of chunks) {
          for (const event of s.receive(chunk)) {
            if (event.type === 'message') written.push(...(event.kind === 'text' ? s.sendText(event.data) : s.sendBinary(event.data)));
            if (event.type === 'write') written.push(...event.data);
          }
        }
        expect(frames('server', written), label).toEqual([
          { opcode: 1, fin: true, rsv: 0, data: hex(text('one')) },
          { opcode: 2, fin: true, rsv: 0, data: '02' },
          { opcode: 10, fin: true, rsv: 0, data: hex(text('p')) },
          { opcode: 1, fin: true, rsv: 0, data: hex(text('three')) },
          { opcode: 8, fin: true, rsv: 0, data: '03e9' },
        ]);
      }
    });

    it('close() while handling a message applies to the events after it: the peer\'s Close then completes the handshake', () => {
      const s = server();
      const written: Uint8Array[] = [];
      const seen: unknown[] = [];
      for (const event of s.receive(concat(clientFrame(1, 'bye?'), clientFrame(8, bytes(0x03, 0xe8))))) {
        seen.push(event.type === 'close' ? [event.type, event.initiator, event.clean] : event.type);
        if (event.type === 'message') written.push(...s.close(1001));
        if (event.type === 'write') written.push(...event.data);
      }
      // No Close answer after our own Close (RFC 6455 5.5.1): the peer's Close completes the handshake.
      expect(seen).toEqual(['message', ['close', 'local', true], 'close-transport']);
      expect(frames('server', written)).toEqual([{ opcode: 8, fin: true, rsv: 0, data: '03e9' }]);
    });
  });

  describe('RFC 6455 5.5.2 and 5.5.3: Ping and Pong', () => {
    it('answers a Ping with a Pong of the same payload, by default', () => {
      expect(plain(server().receive(clientFrame(9, 'abc')))).toEqual([{ type: 'ping', data: '616263' }, { type: 'write', data: '8a03616263' }]);
    });

    it('the automatic Pong does not share memory with the Ping event', () => {
      const events = [...server().receive(clientFrame(9, 'abc'))];
      const ping = events[0] as { data: Uint8Array };
      const pong = events[1] as unknown as { data: Uint8Array[] };
      ping.data[0] = 0;
      expect(hex(concat(...pong.data))).toBe('8a03616263');
    });

    it('hands out the Pong after the ping event, and none if the application closes while handling the Ping', () => {
      const input = concat(clientFrame(9, 'p'), clientFrame(1, 'after the ping'));
      for (const { label, chunks } of splittings(input)) {
        const s = server();
        const written: Uint8Array[] = [];
        const seen: string[] = [];
        for (const chunk of chunks) {
          for (const event of s.receive(chunk)) {
            seen.push(`${event.type} (${s.state})`);
            if (event.type === 'ping') written.push(...s.close(1001));
            if (event.type === 'write') written.push(...event.data);
          }
        }
        // Nothing follows our Close (RFC 6455 5.5.1): no Pong; data after the Ping is still received.
        expect(seen, label).toEqual(['ping (open)', 'message (closing)']);
        expect(frames('server', written), label).toEqual([{ opcode: 8, fin: true, rsv: 0, data: '03e9' }]);
      }
    });

    it('a Pong the application sends while handling the Ping goes before the automatic one', () => {
      const s = server();
      const written: Uint8Array[] = [];
      for (const event of s.receive(clientFrame(9, 'p'))) {
        if (event.type === 'ping') written.push(...s.pong('mine'));
        if (event.type === 'write') written.push(...event.data);
      }
      expect(frames('server', written).map((f) => f.data)).toEqual([hex(text('mine')), hex(text('p'))]);
    });

    it('can leave Pongs to the application', () => {
      const s = server({ autoPong: false });
      expect(plain(s.receive(clientFrame(9, 'abc')))).toEqual([{ type: 'ping', data: '616263' }]);
      expect(hex(concat(...s.pong('abc')))).toBe('8a03616263');
    });

    it('ping() and pong() take at most 125 bytes', () => {
      expect(() => server().ping(new Uint8Array(126))).toThrow(RangeError);
      expect(() => server().pong('x'.repeat(126))).toThrow(RangeError);
      expect(hex(concat(...server().ping(new Uint8Array(125)))).slice(0, 4)).toBe('897d');
      expect(() => server().ping(42 as unknown as Uint8Array)).toThrow(TypeError);
    });
  });

  describe('RFC 6455 7.1: the close handshake, per role', () => {
    it('server, peer closes first: echo, close, close the transport now', () => {
      const s = server();
      expect(plain(s.receive(clientFrame(8, bytes(0x03, 0xe8, 0x6f, 0x6b))))).toEqual([
        { type: 'write', data: '880203e8' },
        { type: 'close', code: 1000, reason: 'ok', initiator: 'peer', clean: true },
        { type: 'close-transport', awaitPeer: false },
      ]);
      expect([s.state, s.closeCode, s.closeReason]).toEqual(['closed', 1000, 'ok']);
      expect([...s.receive(clientFrame(1, 'late'))]).toEqual([]);
      expect([...s.receiveEnd()]).toEqual([]);
      expect(() => s.sendText('x')).toThrow(/closed/);
    });

    it('client, peer closes first: echo (masked), close, and await the server closing the transport', () => {
      const c = client();
      const events = [...c.receive(frame(8, bytes(0x03, 0xe9)))];
      expect(events.map((e) => e.type)).toEqual(['write', 'close', 'close-transport']);
      expect(frames('client', (events[0] as unknown as { data: Uint8Array[] }).data)).toEqual([{ opcode: 8, fin: true, rsv: 0, data: '03e9' }]);
      expect(events[2]).toEqual({ type: 'close-transport', awaitPeer: true });
      // The server's TCP close then arrives: nothing more to report.
      expect([...c.receiveEnd()]).toEqual([]);
    });

    it('client closes first: the server\'s Close completes the handshake', () => {
      const c = client();
      c.close(1000);
      expect(c.state).toBe('closing');
      expect(plain(c.receive(concat(frame(1, 'still here'), frame(8, bytes(0x03, 0xe8)))))).toEqual([
        { type: 'message', kind: 'text', data: hex(text('still here')) },
        { type: 'close', code: 1000, reason: '', initiator: 'local', clean: true },
        { type: 'close-transport', awaitPeer: true },
      ]);
      expect(c.state).toBe('closed');
    });

    it('server closes first: the client\'s Close completes it and the server closes the transport', () => {
      const s = server();
      s.close(1001);
      expect(plain(s.receive(clientFrame(8, bytes(0x03, 0xe9))))).toEqual([
        { type: 'close', code: 1001, reason: '', initiator: 'local', clean: true },
        { type: 'close-transport', awaitPeer: false },
      ]);
    });

    it('end of input before the handshake completes gives 1006, once', () => {
      const s = server();
      expect(plain(s.receiveEnd())).toEqual([
        { type: 'close', code: 1006, reason: '', initiator: 'peer', clean: false },
        { type: 'close-transport', awaitPeer: false },
      ]);
      expect([...s.receiveEnd()]).toEqual([]);
      expect(() => s.receive(bytes(1))).toThrow(/receiveEnd/);
      const t = server();
      t.close(1000);
      expect(([...t.receiveEnd()][0] as { initiator: string }).initiator).toBe('local');
    });
  });

  describe('RFC 6455 7.1.7: failing the connection', () => {
    it('reports the error, sends Close with its code, closes, and ignores what follows', () => {
      const s = server();
      const events = [...s.receive(concat(clientFrame(1, 'ok'), clientFrame(3, 'bad'), clientFrame(1, 'ignored')))];
      expect(plain(events)).toEqual([{ type: 'message', kind: 'text', data: hex(text('ok')) }, ...serverFails(1002)]);
      expect((events[1] as { reason: string }).reason).toMatch(/reserved opcode 3/);
      expect([s.state, s.closeCode]).toEqual(['closed', 1006]);
      expect([...s.receive(clientFrame(1, 'more'))]).toEqual([]);
    });

    it('a client fails with a masked Close', () => {
      const events = [...client().receive(frame(1, bytes(0xff)))];
      expect(frames('client', (events[1] as unknown as { data: Uint8Array[] }).data)).toEqual([{ opcode: 8, fin: true, rsv: 0, data: '03ef' }]);
    });
  });

  describe('RFC 6455 8.1: text', () => {
    it('sendText takes a string or valid UTF-8 bytes', () => {
      expect(hex(concat(...server().sendText('é')))).toBe('8102c3a9');
      expect(hex(concat(...server().sendText(text('é'))))).toBe('8102c3a9');
      expect(() => server().sendText(bytes(0xc3))).toThrow(TypeError);
      expect(() => server().sendText(5 as unknown as string)).toThrow(TypeError);
      expect(() => server().sendBinary('x' as unknown as Uint8Array)).toThrow(TypeError);
    });

    it('hands out text as bytes; decodeText makes the string', () => {
      const [event] = server().receive(clientFrame(1, 'grüße'));
      expect(event!.type).toBe('message');
      expect(decodeText((event as { data: Uint8Array }).data)).toBe('grüße');
    });

    it('fails with 1007 on the first invalid byte, before the rest of the frame has arrived', () => {
      const s = server();
      const input = clientFrame(1, concat(text('valid'), bytes(0xff), new Uint8Array(1000).fill(0x61)));
      expect(plain(s.receive(input.subarray(0, 20)))).toEqual(serverFails(1007));
    });

    it('streaming: hands out the valid bytes before an invalid one while still open, and fails after', () => {
      const input = clientFrame(1, concat(text('valid'), bytes(0xff)));
      const streamed = () => server({ streaming: true });
      expect(receiveAll(streamed, input)).toEqual([{ type: 'fragment', kind: 'text', data: hex(text('valid')), frameEnd: false, messageEnd: false }, ...serverFails(1007)]);
      // The state at the fragment is open: a close() there applies to the failure (no second Close is sent).
      const s = streamed();
      const seen: unknown[] = [];
      for (const event of s.receive(input)) {
        seen.push([event.type, s.state]);
        if (event.type === 'fragment') s.close(1000);
      }
      expect(seen).toEqual([['fragment', 'open'], ['protocol-error', 'closed'], ['close', 'closed'], ['close-transport', 'closed']]);
    });
  });

  describe('events are produced as they are iterated', () => {
    const two = () => concat(clientFrame(1, 'a'), clientFrame(1, 'b'));

    it('parses only as far as the events handed out', () => {
      const s = server();
      const input = concat(clientFrame(1, 'a'), clientFrame(8, bytes(0x03, 0xe8)));
      const events = s.receive(input);
      expect(s.state).toBe('open');
      expect(events.next()).toMatchObject({ done: false, value: { type: 'message' } });
      expect(s.state).toBe('open'); // the Close is not read yet
      expect(events.next()).toMatchObject({ done: false, value: { type: 'write' } });
      expect(s.state).toBe('closed');
      expect([...events].map((e) => e.type)).toEqual(['close', 'close-transport']);
      expect(events.next()).toEqual({ done: true, value: undefined });
    });

    it('works with for...of, spread, Array.from and destructuring; the iterator is its own iterable', () => {
      const s = server();
      const events = s.receive(two());
      expect(events[Symbol.iterator]()).toBe(events);
      const [first] = events; // destructuring stops after one: the rest is still there
      expect(plain([first!])).toEqual([{ type: 'message', kind: 'text', data: hex(text('a')) }]);
      expect(Array.from(events, (e) => e.type)).toEqual(['message']);
      expect([...s.receive(clientFrame(1, 'c'))].map((e) => e.type)).toEqual(['message']);
      const seen: string[] = [];
      for (const event of s.receive(two())) seen.push(event.type);
      expect(seen).toEqual(['message', 'message']);
    });

    it('receive() or receiveEnd() before the previous events are all handed out throws; iterating them first works', () => {
      const s = server();
      const events = s.receive(two());
      events.next();
      expect(() => s.receive(clientFrame(1, 'c'))).toThrow(/receive\(\) was called before the events of the previous receive\(\) were all handed out: iterate them to the end first/);
      expect(() => s.receiveEnd()).toThrow(/receiveEnd\(\) was called before .* iterate them to the end first/);
      expect(s.state).toBe('open');
      expect(plain(events)).toEqual([{ type: 'message', kind: 'text', data: hex(text('b')) }]); // goes on where it stopped
      expect(plain(s.receive(clientFrame(1, 'c')))).toEqual([{ type: 'message', kind: 'text', data: hex(text('c')) }]);
      expect([...s.receiveEnd()].map((e) => e.type)).toEqual(['close', 'close-transport']);

      // Input never iterated, and a Pong still due, count too.
      const t = server();
      t.receive(clientFrame(1, 'never read'));
      expect(() => t.receive(clientFrame(1, 'c'))).toThrow(/iterate them to the end first/);
      const u = server();
      const pinged = u.receive(clientFrame(9, 'p'));
      expect(pinged.next().value).toMatchObject({ type: 'ping' });
      expect(() => u.receive(clientFrame(1, 'c'))).toThrow(/iterate them to the end first/);
      expect(plain(pinged)).toEqual([{ type: 'write', data: '8a0170' }]);
      expect(plain(u.receive(clientFrame(1, 'c')))).toHaveLength(1);
    });

    it('stopping once every byte is parsed is not misuse; an iterator whose turn is over reports done', () => {
      const s = server();
      const [only] = s.receive(clientFrame(1, 'x'));
      expect(only).toMatchObject({ type: 'message' });
      const previous = s.receive(clientFrame(1, 'y'));
      expect([...previous]).toHaveLength(1);
      const next = s.receive(two());
      expect(previous.next()).toEqual({ done: true, value: undefined }); // it cannot take the new chunk's events
      expect([...next]).toHaveLength(2);
      // A partial frame after the last event is input left to parse.
      const t = server();
      const [event] = t.receive(concat(clientFrame(1, 'x'), clientFrame(1, 'y').subarray(0, 3)));
      expect(event).toMatchObject({ type: 'message' });
      expect(() => t.receive(clientFrame(1, 'y').subarray(3))).toThrow(/iterate them to the end first/);
    });

    it('break: events left while open make the next receive() throw; after the close, what is left is ignored', () => {
      const s = server();
      for (const event of s.receive(concat(clientFrame(1, 'a'), clientFrame(8, bytes(0x03, 0xe8)), clientFrame(1, 'late')))) {
        if (event.type === 'close') break; // close-transport not taken
      }
      expect(s.state).toBe('closed');
      expect([...s.receive(clientFrame(1, 'more'))]).toEqual([]);
      expect([...s.receiveEnd()]).toEqual([]);

      const t = server();
      for (const event of t.receive(two())) if (event.type === 'message') break;
      expect(() => t.receive(clientFrame(1, 'c'))).toThrow(/iterate them to the end first/);
    });

    it('an exception thrown by the loop body leaves the connection as it was: the rest can still be iterated', () => {
      const s = server();
      const events = s.receive(concat(clientFrame(1, 'a'), clientFrame(1, 'b'), clientFrame(8, bytes(0x03, 0xe8))));
      expect(() => {
        for (const event of events) if (event.type === 'message') throw new Error('application bug');
      }).toThrow('application bug');
      expect(s.state).toBe('open');
      expect(() => s.receive(clientFrame(1, 'c'))).toThrow(/iterate them to the end first/);
      expect(plain(events)).toEqual([
        { type: 'message', kind: 'text', data: hex(text('b')) },
        { type: 'write', data: '880203e8' },
        { type: 'close', code: 1000, reason: '', initiator: 'peer', clean: true },
        { type: 'close-transport', awaitPeer: false },
      ]);
    });

    it('receiveEnd() closes at once; its events say so', () => {
      const s = server();
      const events = s.receiveEnd();
      expect(s.state).toBe('closed');
      expect(plain(events)).toEqual([
        { type: 'close', code: 1006, reason: '', initiator: 'peer', clean: false },
        { type: 'close-transport', awaitPeer: false },
      ]);
    });
  });

  describe('limits', () => {
    it('accepts a 1 MiB message and rejects one byte more by default', () => {
      const payload = new Uint8Array(1 << 20);
      expect([...server().receive(clientFrame(2, payload))].map((e) => e.type)).toEqual(['message']);
      const header = clientFrame(2, new Uint8Array((1 << 20) + 1)).subarray(0, 14);
      expect(plain(server().receive(header))).toEqual(serverFails(1009));
    });

    it('maxFramePayload follows maxMessageSize unless set', () => {
      const s = server({ maxMessageSize: 100, maxFramePayload: 10 });
      expect([...s.receive(clientFrame(2, new Uint8Array(10), { fin: false }))].map((e) => e.type)).toEqual([]);
      expect(plain(s.receive(clientFrame(0, new Uint8Array(11))))).toEqual(serverFails(1009));
    });

    it('validates the options', () => {
      expect(() => new Connection({ role: 'both' as 'client' })).toThrow(TypeError);
      expect(() => new Connection(undefined as unknown as { role: 'client' })).toThrow(TypeError);
      expect(() => server({ maxMessageSize: -5 })).toThrow(RangeError);
      expect(() => server({ maxFramePayload: NaN })).toThrow(RangeError);
      expect(() => client({ random: 'dice' })).toThrow(TypeError);
      expect(() => server({ maxBufferedBytes: 1.5 })).toThrow(RangeError);
    });

    it('maxBufferedBytes bounds what a message may make the connection hold, at the header', () => {
      const s = server({ maxBufferedBytes: 1000 });
      expect([...s.receive(clientFrame(2, new Uint8Array(600), { fin: false }))]).toEqual([]);
      expect(s.bufferedBytes).toBeLessThanOrEqual(1000);
      // The next header would make the message 1001 bytes: failed before its payload arrives.
      expect(plain(s.receive(clientFrame(0, new Uint8Array(401)).subarray(0, 8)))).toEqual(serverFails(1009));
      // The same whether or not the message lies in one chunk (then it would not be buffered at all).
      expect(plain(server({ maxBufferedBytes: 1000 }).receive(clientFrame(2, new Uint8Array(1001))))).toEqual(serverFails(1009));
      expect([...server({ maxBufferedBytes: 1000 }).receive(clientFrame(2, new Uint8Array(1000)))].map((e) => e.type)).toEqual(['message']);
    });

    it('maxBufferedBytes does not limit streamed messages, which are not held', () => {
      const s = server({ maxBufferedBytes: 10, streaming: true });
      const events = [...s.receive(clientFrame(2, new Uint8Array(5000)))];
      expect(events.map((e) => e.type)).toEqual(['fragment']);
      expect(s.bufferedBytes).toBe(0);
    });
  });

  describe('buffers', () => {
    it('hands out a message lying in one chunk as a view of that chunk', () => {
      const input = clientFrame(2, bytes(1, 2, 3));
      const [event] = server().receive(input);
      expect((event as { data: Uint8Array }).data.buffer).toBe(input.buffer);
    });

    it('copies what spans chunks once, and keeps no reference to a chunk after the call', () => {
      const s = server();
      const input = clientFrame(2, new Uint8Array(1000).fill(5), { fin: false });
      const chunk = input.slice(0, 600);
      expect([...s.receive(chunk)]).toEqual([]);
      expect(s.bufferedBytes).toBeGreaterThanOrEqual(592);
      chunk.fill(0); // the embedder reuses its read buffer
      const events = [...s.receive(concat(input.subarray(600), clientFrame(0, bytes(6))))];
      const data = (events[0] as { data: Uint8Array }).data;
      expect(data.length).toBe(1001);
      expect(data.subarray(0, 1000).every((b) => b === 5)).toBe(true);
      expect(s.bufferedBytes).toBe(0);
    });

    it('reads (and unmasks in place) the chunk as the events are iterated, not before', () => {
      const s = server();
      const second = clientFrame(2, bytes(4, 5, 6));
      const input = concat(clientFrame(2, bytes(1, 2, 3)), second);
      const events = s.receive(input);
      expect(hex(input.subarray(9))).toBe(hex(second)); // untouched so far
      const first = events.next().value as { data: Uint8Array };
      expect([...first.data]).toEqual([1, 2, 3]);
      expect(first.data.buffer).toBe(input.buffer); // a view, unmasked in place
      expect(hex(input.subarray(9))).toBe(hex(second)); // the second frame is not read yet
      expect([...(events.next().value as { data: Uint8Array }).data]).toEqual([4, 5, 6]);
    });

    it('keeps no reference to a chunk once its last event is handed out: an unfinished message is copied then', () => {
      const s = server();
      const chunk = concat(clientFrame(2, bytes(1, 2), { fin: false }), clientFrame(9, 'p'));
      const events = s.receive(chunk);
      expect(events.next().value).toMatchObject({ type: 'ping' });
      expect(events.next().value).toMatchObject({ type: 'write' }); // the Pong: the last event of the chunk
      chunk.fill(0); // reused without asking for more events
      expect(plain(s.receive(clientFrame(0, bytes(3))))).toEqual([{ type: 'message', kind: 'binary', data: '010203' }]);
    });

    it('keeps a final frame spanning chunks in one buffer of its exact size', () => {
      const s = server();
      const input = clientFrame(2, new Uint8Array(50_000).fill(3));
      expect([...s.receive(input.subarray(0, 1000))]).toEqual([]);
      expect(s.bufferedBytes).toBe(50_000);
      const [event] = s.receive(input.subarray(1000));
      const data = (event as { data: Uint8Array }).data;
      expect(data.length).toBe(50_000);
      expect(data.buffer.byteLength).toBe(50_000);
      expect(data.every((b) => b === 3)).toBe(true);
      expect(s.bufferedBytes).toBe(0);
    });

    it('does not allocate what a header announces before a fair part of it (1/128) has arrived', () => {
      const s = server();
      const input = clientFrame(2, new Uint8Array(1_000_000).fill(4));
      expect([...s.receive(input.subarray(0, 14 + 100))]).toEqual([]);
      expect(s.bufferedBytes).toBe(400); // 4 times what arrived
      expect([...s.receive(input.subarray(114, 5000))]).toEqual([]);
      expect(s.bufferedBytes).toBe(4986);
      expect([...s.receive(input.subarray(5000, 20_000))]).toEqual([]);
      expect(s.bufferedBytes).toBe(1_000_000);
      const [event] = s.receive(input.subarray(20_000));
      expect((event as { data: Uint8Array }).data.every((b) => b === 4)).toBe(true);
    });

    it('hands out an exact copy rather than pin a buffer more than twice the message', () => {
      const s = server();
      expect([...s.receive(clientFrame(2, new Uint8Array(100).fill(1), { fin: false }))]).toEqual([]);
      expect(s.bufferedBytes).toBe(400);
      const [event] = s.receive(clientFrame(0, new Uint8Array(0)));
      const data = (event as { data: Uint8Array }).data;
      expect(data.length).toBe(100);
      expect(data.buffer.byteLength).toBe(100);
    });

    it('unmasks what it keeps while copying it: any sizes, keys per frame, split points and UTF-8 boundaries', () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(0, 1, 3, 511, 512, 700, 4097, 65536, 70_001), { minLength: 1, maxLength: 3 }),
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.boolean(),
          fc.integer({ min: 1, max: 0xffffffff }),
          (sizes, cuts, asText, seed) => {
            // Text: one 4-byte character repeated, so that fragments and chunks split code points anywhere.
            const total = sizes.reduce((a: number, b) => a + b, 0);
            const message = asText ? text('😀'.repeat(Math.ceil(total / 4))).subarray(0, total - (total % 4)) : new Uint8Array(total);
            let state = seed;
            if (!asText) for (let i = 0; i < total; i++) message[i] = state = (Math.imul(state, 1103515245) + 12345) >>> 16;
            const frames: Uint8Array[] = [];
            let at = 0;
            sizes.forEach((size, i) => {
              const end = i === sizes.length - 1 ? message.length : Math.min(at + size, message.length);
              const key = [(seed + i) & 0xff, (seed >>> 8) & 0xff, i * 77 & 0xff, 0x5a];
              frames.push(frame(i === 0 ? (asText ? 1 : 2) : 0, message.subarray(at, end), { key, fin: i === sizes.length - 1 }));
              at = end;
            });
            const input = concat(...frames);
            const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
            const s = server({ maxMessageSize: Infinity });
            const events: ConnectionEvent[] = [];
            let start = 0;
            for (const point of [...points, input.length]) {
              events.push(...s.receive(input.slice(start, point)));
              start = point;
            }
            expect(events.map((e) => e.type)).toEqual(['message']);
            const data = (events[0] as { data: Uint8Array }).data;
            expect(data.length).toBe(message.length);
            expect(data.every((b, i) => b === message[i])).toBe(true);
          },
        ),
        { numRuns: 60 },
      );
    });

    it('fails with 1007 at an invalid byte in a masked text frame it keeps, wherever the chunks end', () => {
      const payload = text('é'.repeat(400));
      payload[601] = 0xff;
      const input = clientFrame(1, payload);
      for (const point of [10, 300, 600, 602, 700]) {
        const s = server();
        expect(plain(s.receive(input.slice(0, point)))).toEqual(point > 8 + 601 ? serverFails(1007) : []);
        if (point <= 8 + 601) expect(plain(s.receive(input.slice(point)))).toEqual(serverFails(1007));
      }
    });

    it('allocates reassembled messages and masked frames with `allocate`, and never exposes bytes it did not write', () => {
      const sizes: number[] = [];
      const dirty = (size: number) => (sizes.push(size), new Uint8Array(size).fill(0xee));
      const s = server({ allocate: dirty });
      // A fragmented message of unknown size grows by doubling: the delivered view's buffer has a tail.
      expect([...s.receive(clientFrame(2, new Uint8Array(3).fill(1), { fin: false }))]).toEqual([]);
      expect([...s.receive(clientFrame(0, new Uint8Array(2).fill(2), { fin: false }))]).toEqual([]);
      const [event] = s.receive(clientFrame(0, bytes(3)));
      const data = (event as { data: Uint8Array }).data;
      expect([...data]).toEqual([1, 1, 1, 2, 2, 3]);
      expect(new Uint8Array(data.buffer).every((b, i) => i < 6 || b === 0)).toBe(true);
      expect(sizes.length).toBeGreaterThan(0);
      const c = client({ allocate: dirty });
      sizes.length = 0;
      const [frame] = c.sendBinary(new Uint8Array(10));
      expect(sizes).toEqual([16]);
      expect(frame!.length).toBe(16);
      expect(() => server({ allocate: 5 })).toThrow(TypeError);
    });

  });

  it('reports events as readonly plain objects with a type', () => {
    const events: readonly ConnectionEvent[] = [...server().receive(clientFrame(1, 'x'))];
    expect(Object.getPrototypeOf(events[0])).toBe(Object.prototype);
  });
});
