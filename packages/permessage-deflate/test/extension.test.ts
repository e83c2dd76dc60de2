// PerMessageDeflate through @hybi/frame-codec's Connection: RSV1 rules,
// compressed fragmented messages, context takeover, threshold and opt-out,
// UTF-8 on the inflated output, corrupt data, the compression bomb, the
// handshakes, and chunking independence.
import { isUtf8 } from 'node:buffer';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection, seededRandom, type ConnectionEvent } from '@hybi/frame-codec';
import { ClientHandshake, ServerHandshake } from '@hybi/handshake';
import { acceptRequest, buildRequest, parseRequest, parseResponse } from '@hybi/h2-bootstrap';
import {
  PerMessageDeflate,
  formatExtensionList,
  nodeZlibBackend,
  pakoBackend,
  type ClientDeflateOptions,
  type DirectionParameters,
  type PerMessageDeflateExtensionOptions,
  type ServerDeflateOptions,
} from '../src/index.js';
import { allocatedBytes } from './allocations.js';
import { countingZlib } from './zlib-calls.js';
import { RSV1, clientFrame, concat, fails, frame, fromHex, hex, parseFrames, plain, receiveAll, splitAt, text } from './frames.js';

const takeover: DirectionParameters = { windowBits: 15, noContextTakeover: false };
const reset: DirectionParameters = { windowBits: 15, noContextTakeover: true };

// RFC 7692 7.2.3: the payloads of the examples.
const HELLO = fromHex('f2 48 cd c9 c9 07 00'); // 7.2.3.1
const HELLO_AGAIN = fromHex('f2 00 11 00 00'); // 7.2.3.2, referring to the first
const HELLO_STORED = fromHex('00 05 00 fa ff 48 65 6c 6c 6f 00'); // 7.2.3.3
const HELLO_BFINAL = fromHex('f3 48 cd c9 c9 07 00 00'); // 7.2.3.4
const HELLO_TWO_BLOCKS = fromHex('f2 48 05 00 00 00 ff ff ca c9 c9 07 00'); // 7.2.3.5

function extension(compress = takeover, decompress = takeover, options: PerMessageDeflateExtensionOptions = {}): PerMessageDeflate {
  return new PerMessageDeflate({ compress, decompress }, options);
}

function negotiate(serverOptions: ServerDeflateOptions = {}, clientOptions: ClientDeflateOptions = {}) {
  const client = PerMessageDeflate.client(clientOptions);
  const chosen = PerMessageDeflate.server([client.offer], serverOptions);
  if (chosen === null) throw new Error('declined');
  const accepted = client.accept([chosen.response]);
  if (accepted.type !== 'accepted') throw new Error(`client: ${accepted.type}`);
  return { server: chosen.extension, client: accepted.extension, response: formatExtensionList([chosen.response]), offer: formatExtensionList([client.offer]) };
}

function pair(serverOptions: ServerDeflateOptions = {}, clientOptions: ClientDeflateOptions = {}, common: { maxMessageSize?: number; streaming?: boolean } = {}) {
  const { server, client } = negotiate(serverOptions, clientOptions);
  return {
    server: new Connection({ role: 'server', extensions: [server], ...common }),
    client: new Connection({ role: 'client', random: seededRandom(7), extensions: [client], ...common }),
  };
}

const message = (kind: 'text' | 'binary', data: Uint8Array | string) => ({ type: 'message', kind, data: hex(typeof data === 'string' ? text(data) : data) });

const serverWith = (options: { maxMessageSize?: number; streaming?: boolean } = {}, decompress = takeover) => () =>
  new Connection({ role: 'server', extensions: [extension(takeover, decompress)], ...options });
const clientWith = (options: { maxMessageSize?: number; streaming?: boolean } = {}, decompress = takeover) => () =>
  new Connection({ role: 'client', random: seededRandom(1), extensions: [extension(takeover, decompress)], ...options });

describe('RFC 7692 6.1: RSV1 marks a compressed message', () => {
  it('7.2.3.1 "Hello" in one frame with RSV1, received by either role, fed whole, byte by byte and split', () => {
    expect(receiveAll(clientWith(), frame(1, HELLO, { rsv: RSV1 }))).toEqual([message('text', 'Hello')]);
    expect(receiveAll(serverWith(), clientFrame(1, HELLO, { rsv: RSV1 }))).toEqual([message('text', 'Hello')]);
    expect(hex(frame(1, HELLO, { rsv: RSV1 }))).toBe('c107f248cdc9c90700'); // the frame as RFC 7692 7.2.3.1 writes it
  });

  it('7.2.3.1 fragmented: RSV1 on the first frame only, a Ping between the fragments', () => {
    const input = concat(clientFrame(1, HELLO.subarray(0, 3), { rsv: RSV1, fin: false }), clientFrame(9, 'p'), clientFrame(0, HELLO.subarray(3)));
    expect(hex(frame(1, HELLO.subarray(0, 3), { rsv: RSV1, fin: false }))).toBe('4103f248cd');
    expect(hex(frame(0, HELLO.subarray(3)))).toBe('8004c9c90700');
    expect(receiveAll(serverWith(), input)).toEqual([{ type: 'ping', data: '70' }, { type: 'write', data: '8a0170' }, message('text', 'Hello')]);
  });

  it('RSV1 on a continuation frame fails with 1002', () => {
    const input = concat(clientFrame(2, HELLO.subarray(0, 3), { rsv: RSV1, fin: false }), clientFrame(0, HELLO.subarray(3), { rsv: RSV1 }));
    expect(receiveAll(serverWith(), input)).toEqual(fails(1002));
    // Also when the message's first frame was not compressed.
    expect(receiveAll(serverWith(), concat(clientFrame(2, 'ab', { fin: false }), clientFrame(0, HELLO, { rsv: RSV1 })))).toEqual(fails(1002));
  });

  it('RSV1 on a control frame fails with 1002 (Ping, Pong, Close; alone or inside a compressed message)', () => {
    for (const opcode of [8, 9, 10]) {
      expect(receiveAll(serverWith(), clientFrame(opcode, '', { rsv: RSV1 }))).toEqual(fails(1002));
      const inside = concat(clientFrame(1, HELLO.subarray(0, 3), { rsv: RSV1, fin: false }), clientFrame(opcode, '', { rsv: RSV1 }));
      expect(receiveAll(serverWith(), inside)).toEqual(fails(1002));
    }
  });

  it('RSV1 without the extension negotiated fails with 1002', () => {
    expect(receiveAll(() => new Connection({ role: 'server' }), clientFrame(1, HELLO, { rsv: RSV1 }))).toEqual(fails(1002));
    expect(receiveAll(() => new Connection({ role: 'client', random: seededRandom(1) }), frame(2, HELLO, { rsv: RSV1 }))).toEqual(fails(1002, 'client'));
  });

  it('RSV2 and RSV3 fail with 1002: permessage-deflate claims RSV1 only', () => {
    for (const rsv of [0x20, 0x10, RSV1 | 0x20]) expect(receiveAll(serverWith(), clientFrame(1, HELLO, { rsv }))).toEqual(fails(1002));
  });

  it('RSV1 clear: the message is not compressed and taken as it is', () => {
    expect(receiveAll(serverWith(), concat(clientFrame(1, 'Hello'), clientFrame(2, HELLO)))).toEqual([message('text', 'Hello'), message('binary', HELLO)]);
  });

  it('7.2.3.3 stored block, 7.2.3.4 BFINAL block, 7.2.3.5 two blocks, 7.2.3.6 empty message', () => {
    for (const payload of [HELLO_STORED, HELLO_BFINAL, HELLO_TWO_BLOCKS]) {
      expect(receiveAll(serverWith(), clientFrame(1, payload, { rsv: RSV1 }))).toEqual([message('text', 'Hello')]);
    }
    expect(receiveAll(serverWith(), concat(clientFrame(1, fromHex('00'), { rsv: RSV1 }), clientFrame(2, '', { rsv: RSV1 })))).toEqual([
      message('text', ''),
      message('binary', ''),
    ]);
  });

  it('streaming mode hands out the inflated output as fragments', () => {
    const input = concat(clientFrame(1, HELLO.subarray(0, 3), { rsv: RSV1, fin: false }), clientFrame(0, HELLO.subarray(3)));
    const events = receiveAll(serverWith({ streaming: true }), input);
    expect(events.every((e) => e.type === 'fragment')).toBe(true);
    expect(events.map((e) => Buffer.from(e.data as string, 'hex').toString()).join('')).toBe('Hello');
    expect(events.at(-1)).toMatchObject({ frameEnd: true, messageEnd: true });
  });
});

describe('RFC 7692 7.2.1: compressing what the Connection sends', () => {
  it('"Hello" with RSV1 as in 7.2.3.1, then 7.2.3.2 with context takeover', () => {
    const server = new Connection({ role: 'server', extensions: [extension()] });
    expect(hex(concat(...server.sendText('Hello', { transform: true })))).toBe('c107f248cdc9c90700');
    expect(hex(concat(...server.sendText('Hello', { transform: true })))).toBe('c105f200110000');
  });

  it('without context takeover every "Hello" is 7.2.3.1', () => {
    const server = new Connection({ role: 'server', extensions: [extension(reset)] });
    for (let i = 0; i < 3; i++) expect(hex(concat(...server.sendText('Hello', { transform: true })))).toBe('c107f248cdc9c90700');
  });

  it('a client masks the compressed payload', () => {
    const client = new Connection({ role: 'client', random: seededRandom(3), extensions: [extension()] });
    const [sent] = parseFrames(concat(...client.sendText('Hello', { transform: true })));
    expect(sent).toMatchObject({ fin: true, rsv: RSV1, opcode: 1 });
    expect(hex(sent!.payload)).toBe(hex(HELLO));
  });

  it('a message sent in fragments: RSV1 on the first frame only, control frames between, and the peer inflates it', () => {
    for (const role of ['client', 'server'] as const) {
      const sender = new Connection({ role, random: seededRandom(5), extensions: [extension()] });
      const receiver = new Connection({ role: role === 'client' ? 'server' : 'client', extensions: [extension()] });
      const body = text('{"id":1,"name":"fragmented"}'.repeat(100));
      const wire = concat(
        ...sender.startMessage('text', body.subarray(0, 1000)),
        ...sender.ping('between'),
        ...sender.continueMessage(body.subarray(1000, 1000)), // an empty fragment
        ...sender.continueMessage(body.subarray(1000, 2001)),
        ...sender.finishMessage(body.subarray(2001)),
      );
      const frames = parseFrames(wire);
      expect(frames.map((f) => [f.opcode, f.rsv, f.fin])).toEqual([
        [1, RSV1, false],
        [9, 0, true],
        [0, 0, false],
        [0, 0, false],
        [0, 0, true],
      ]);
      expect(frames.reduce((n, f) => n + f.payload.length, 0)).toBeLessThan(body.length / 4);
      const events = plain(receiver.receive(wire));
      expect(events.filter((e) => e.type === 'message')).toEqual([message('text', body)]);
    }
  });

  it('the threshold (default 1024) and the application\'s wish per message ({ transform })', () => {
    const sent = (frames: Uint8Array[]) => parseFrames(concat(...frames)).map((f) => f.rsv);
    const server = new Connection({ role: 'server', extensions: [extension()] });
    expect(sent(server.sendBinary(new Uint8Array(1023)))).toEqual([0]);
    expect(sent(server.sendBinary(new Uint8Array(1024)))).toEqual([RSV1]);
    expect(sent(server.sendBinary(new Uint8Array(5000), { transform: false }))).toEqual([0]);
    expect(sent(server.sendText('tiny', { transform: true }))).toEqual([RSV1]);
    // Fragmented: compressed by default (the size is unknown), unless { transform: false }.
    expect(sent([...server.startMessage('binary', new Uint8Array(3)), ...server.finishMessage(new Uint8Array(3))])).toEqual([RSV1, 0]);
    expect(sent([...server.startMessage('binary', new Uint8Array(3), { transform: false }), ...server.finishMessage()])).toEqual([0, 0]);
    // An uncompressed message is sent as it is.
    expect(hex(concat(...server.sendText('tiny')))).toBe(hex(frame(1, 'tiny')));
    // A threshold of one's own.
    const eager = new Connection({ role: 'server', extensions: [extension(takeover, takeover, { threshold: 10 })] });
    expect(sent([...eager.sendText('123456789'), ...eager.sendText('1234567890')])).toEqual([0, RSV1]);
    expect(() => extension(takeover, takeover, { threshold: -1 })).toThrow(RangeError);
  });

  it('the empty message, when asked for, is the single octet 00 (7.2.3.6)', () => {
    const server = new Connection({ role: 'server', extensions: [extension()] });
    expect(hex(concat(...server.sendBinary(new Uint8Array(0), { transform: true })))).toBe('c20100');
  });

  it('uncompressed messages in between leave the window alone', () => {
    const server = new Connection({ role: 'server', extensions: [extension()] });
    server.sendText('Hello', { transform: true });
    server.sendText('Hello');
    server.sendBinary(new Uint8Array(2000), { transform: false });
    expect(hex(concat(...server.sendText('Hello', { transform: true })))).toBe('c105f200110000');
    const client = new Connection({ role: 'client', extensions: [extension()] });
    const input = concat(frame(1, HELLO, { rsv: RSV1 }), frame(1, 'Hello'), frame(1, HELLO_AGAIN, { rsv: RSV1 }));
    expect(plain(client.receive(input))).toEqual([message('text', 'Hello'), message('text', 'Hello'), message('text', 'Hello')]);
  });
});

describe('RFC 7692 7.1.1 and 7.2.2: context takeover on and off, both directions', () => {
  const body = text(JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ user: `user${(i * 7919) % 1000}`, n: (i * 104729) % 99991, ok: i % 3 === 0 }))));

  for (const serverNoContextTakeover of [false, true]) {
    for (const clientNoContextTakeover of [false, true]) {
      it(`server_no_context_takeover ${serverNoContextTakeover}, client_no_context_takeover ${clientNoContextTakeover}`, () => {
        const { server, client } = pair({ serverNoContextTakeover }, { clientNoContextTakeover });
        const sizes = (sender: Connection, receiver: Connection) => {
          const out: number[] = [];
          for (let i = 0; i < 3; i++) {
            const wire = concat(...sender.sendBinary(body));
            out.push(parseFrames(wire)[0]!.payload.length);
            expect(plain(receiver.receive(wire))).toEqual([message('binary', body)]);
          }
          return out;
        };
        const down = sizes(server, client);
        const up = sizes(client, server);
        for (const [reset, [first, second, third]] of [
          [serverNoContextTakeover, down],
          [clientNoContextTakeover, up],
        ] as const) {
          if (reset) expect([second, third]).toEqual([first, first]);
          else expect(second!).toBeLessThan(first! / 4); // the whole message is found in the window
        }
      });
    }
  }

  it('a receiver without context takeover rejects a reference into the previous message with 1007', () => {
    const input = concat(clientFrame(1, HELLO, { rsv: RSV1 }), clientFrame(1, HELLO_AGAIN, { rsv: RSV1 }));
    expect(receiveAll(serverWith({}, reset), input)).toEqual([message('text', 'Hello'), ...fails(1007)]);
    expect(receiveAll(serverWith({}, takeover), input)).toEqual([message('text', 'Hello'), message('text', 'Hello')]);
  });

  it('window bits below 15 both ways, down to 8', () => {
    for (const bits of [8, 9, 10, 12] as const) {
      const { server, client } = pair({ serverMaxWindowBits: bits, clientMaxWindowBits: bits });
      const long = text(Array.from({ length: 3000 }, (_, i) => `item${i % 97}`).join(','));
      expect(plain(client.receive(concat(...server.sendText(long))))).toEqual([message('text', long)]);
      expect(plain(server.receive(concat(...client.sendText(long))))).toEqual([message('text', long)]);
    }
  });
});

describe('RFC 6455 8.1: UTF-8 is validated on the inflated text', () => {
  const deflate = (data: Uint8Array) => new Uint8Array(zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4));

  it('invalid UTF-8 inside compressed text fails with 1007; the same bytes as binary are fine', () => {
    const bad = deflate(Uint8Array.of(0x48, 0x69, 0xc3, 0x28));
    expect(receiveAll(serverWith(), clientFrame(1, bad, { rsv: RSV1 }))).toEqual(fails(1007));
    expect(receiveAll(serverWith(), clientFrame(2, bad, { rsv: RSV1 }))).toEqual([message('binary', Uint8Array.of(0x48, 0x69, 0xc3, 0x28))]);
  });

  it('text ending inside a code point fails with 1007; a code point split across inflate calls is fine', () => {
    expect(receiveAll(serverWith(), clientFrame(1, deflate(Uint8Array.of(0x41, 0xe2, 0x82)), { rsv: RSV1 }))).toEqual(fails(1007));
    const euros = text('€'.repeat(3000));
    expect(receiveAll(serverWith(), clientFrame(1, deflate(euros), { rsv: RSV1 }))).toEqual([message('text', euros)]);
  });

  it('streaming mode: the valid output comes out, then 1007', () => {
    const events = receiveAll(serverWith({ streaming: true }), clientFrame(1, deflate(text(`${'a'.repeat(100)}\u00ff`).map((b) => (b === 0xc3 ? 0xff : b))), { rsv: RSV1 }));
    expect(events.slice(-4)).toEqual(fails(1007));
    expect(events.slice(0, -4).map((e) => e.data).join('')).toBe(hex(text('a'.repeat(100))));
  });
});

describe('RFC 6455 7.4.1 1007: corrupt compressed data', () => {
  it('an invalid block type, a bad stored length, data that does not end on a block boundary', () => {
    const truncated = new Uint8Array(zlib.deflateRawSync(text('Hello, Hello, Hello'), { finishFlush: zlib.constants.Z_FULL_FLUSH })).subarray(0, 6);
    for (const payload of [fromHex('ff ff ff'), fromHex('00 05 00 00 00 48'), truncated]) {
      expect(receiveAll(serverWith(), clientFrame(2, payload, { rsv: RSV1 }))).toEqual(fails(1007));
    }
  });

  it('with the node:zlib backend too', () => {
    const make = () => new Connection({ role: 'server', extensions: [extension(takeover, takeover, { backend: nodeZlibBackend(zlib) })] });
    expect(receiveAll(make, clientFrame(2, fromHex('ff ff ff'), { rsv: RSV1 }))).toEqual(fails(1007));
    expect(receiveAll(make, clientFrame(1, HELLO, { rsv: RSV1 }))).toEqual([message('text', 'Hello')]);
  });
});

describe('RFC 6455 7.4.1 1009: a compression bomb stops at maxMessageSize', () => {
  const LIMIT = 64 * 1024;
  const bomb = new Uint8Array(zlib.deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4));
  const whole = clientFrame(2, bomb, { rsv: RSV1 });
  const quarter = Math.ceil(bomb.length / 4);
  const fragmented = concat(
    clientFrame(2, bomb.subarray(0, quarter), { rsv: RSV1, fin: false }),
    ...[1, 2, 3].map((i) => clientFrame(0, bomb.subarray(i * quarter, (i + 1) * quarter), { fin: i === 3 })),
  );

  it(`1 MiB of zeros compressed to ${bomb.length} octets`, () => {
    expect(bomb.length).toBeLessThan(2048);
  });

  for (const [label, input] of [
    ['one frame', whole],
    ['four frames', fragmented],
  ] as const) {
    for (const [split, size] of [
      ['whole', input.length],
      ['in 100-octet chunks', 100],
      ['octet by octet', 1],
    ] as const) {
      it(`${label}, ${split}: 1009, and nothing allocated beyond the limit, the inflate window and tables`, () => {
        const chunks = splitAt(
          input,
          Array.from({ length: Math.ceil(input.length / size) }, (_, i) => i * size),
        );
        const events: Record<string, unknown>[] = [];
        const allocated = allocatedBytes(() => {
          const connection = new Connection({ role: 'server', maxMessageSize: LIMIT, extensions: [extension()] });
          for (const chunk of chunks) events.push(...plain(connection.receive(chunk)));
        });
        expect(events).toEqual(fails(1009));
        // Output: at most LIMIT + 1 (the octet that shows the message is too big). The inflater: its 32 KiB
        // window and about 7 KiB of tables. The connection copies nothing: the message never completes.
        expect(allocated.total).toBeLessThanOrEqual(LIMIT + 1 + 32768 + 7 * 1024);
        expect(allocated.scratch).toBeLessThanOrEqual(64 * (chunks.length + 64));
      });
    }
  }

  it('streaming mode: at most the limit is handed out, then 1009', () => {
    for (const size of [fragmented.length, 100, 1]) {
      const connection = new Connection({ role: 'server', maxMessageSize: LIMIT, streaming: true, extensions: [extension()] });
      const events: ConnectionEvent[] = [];
      for (const chunk of splitAt(fragmented, Array.from({ length: Math.ceil(fragmented.length / size) }, (_, i) => i * size))) {
        events.push(...connection.receive(chunk));
      }
      const handedOut = events.reduce((n, e) => n + (e.type === 'fragment' ? e.data.length : 0), 0);
      expect(handedOut).toBeLessThanOrEqual(LIMIT);
      expect(plain(events.filter((e) => e.type !== 'fragment'))).toEqual(fails(1009));
    }
  });

  it('node:zlib backend: 1009 too', () => {
    const connection = new Connection({ role: 'server', maxMessageSize: LIMIT, extensions: [extension(takeover, takeover, { backend: nodeZlibBackend(zlib) })] });
    expect(plain(connection.receive(whole.slice()))).toEqual(fails(1009));
  });

  it("the limit is the Connection's maxMessageSize: exactly 1 MiB passes, one octet less fails, Infinity passes", () => {
    for (const backend of [pakoBackend(), nodeZlibBackend(zlib)]) {
      const make = (maxMessageSize: number) => new Connection({ role: 'server', maxMessageSize, extensions: [extension(takeover, takeover, { backend })] });
      const [event] = make(1 << 20).receive(fragmented.slice());
      expect(event).toMatchObject({ type: 'message', kind: 'binary' });
      expect((event as { data: Uint8Array }).data.length).toBe(1 << 20);
      expect(plain(make((1 << 20) - 1).receive(fragmented.slice()))).toEqual(fails(1009));
      expect(([...make(Infinity).receive(whole.slice())][0] as { data: Uint8Array }).data.length).toBe(1 << 20);
      expect(([...make(8 << 20).receive(whole.slice())][0] as { data: Uint8Array }).data.length).toBe(1 << 20);
    }
  });

  it('the compressed size counts too: empty stored blocks past the limit fail with 1009 though they inflate to nothing', () => {
    const emptyBlocks = new Uint8Array(5 * 300); // 300 × "00 00 00 ff ff"
    for (let i = 0; i < 300; i++) emptyBlocks.set([0, 0, 0, 0xff, 0xff], i * 5);
    // The message ends with the header octet of one more empty stored block, whose LEN and NLEN are the tail
    // the receiver appends (RFC 7692 7.2.2).
    const input = concat(
      ...Array.from({ length: 4 }, (_, i) => clientFrame(i === 0 ? 2 : 0, i === 3 ? concat(emptyBlocks, Uint8Array.of(0)) : emptyBlocks, { rsv: i === 0 ? RSV1 : 0, fin: i === 3 })),
    );
    expect(receiveAll(serverWith({ maxMessageSize: 6000 }), input)).toEqual(fails(1009)); // 6001 octets compressed
    expect(receiveAll(serverWith({ maxMessageSize: 6001 }), input)).toEqual([message('binary', '')]);
  });
});

describe('RFC 7692 7.2.3.4 blocks with BFINAL set: a flood of them fails with 1008', () => {
  // The audit's message: 524287 empty fixed-Huffman blocks with BFINAL set (03 00), then 00; valid, it inflates
  // to nothing and fits the default 1 MiB limit.
  const flood = new Uint8Array((1 << 20) - 1);
  for (let i = 0; i + 1 < flood.length; i += 2) flood[i] = 0x03;
  const input = clientFrame(2, flood, { rsv: RSV1 });
  const connection = (options: PerMessageDeflateExtensionOptions = {}) => new Connection({ role: 'server', maxMessageSize: 1 << 20, extensions: [extension(takeover, takeover, options)] });

  it('pako: 1008 after 17 restarts, allocating the inflater and one output buffer (was 2.9 GiB)', () => {
    const events: Record<string, unknown>[] = [];
    const allocated = allocatedBytes(() => {
      events.push(...plain(connection().receive(input.slice()))); // unmasked in place: a copy each time
    });
    expect(events).toEqual(fails(1008));
    expect(events[0]).toMatchObject({ reason: 'compressed message of more than 16 DEFLATE blocks with BFINAL set' });
    expect(allocated.total).toBeLessThanOrEqual(7 * 1024 + 64 * 1024);
    expect(allocated.scratch).toBeLessThanOrEqual(32 * (17 + 8));
  });

  it('node:zlib: 1008 after 17 inflateRawSync calls (was 524288)', () => {
    const { zlib: counted, calls } = countingZlib();
    const backend = nodeZlibBackend(counted);
    calls.length = 0;
    expect(plain(connection({ backend }).receive(input.slice()))).toEqual(fails(1008));
    expect(calls.length).toBe(17);
  });

  it('the maxFinalBlocks option of PerMessageDeflate raises the limit', () => {
    const few = clientFrame(2, flood.subarray(flood.length - 2 * 100 - 1), { rsv: RSV1 }); // 100 blocks
    for (const backend of [pakoBackend(), nodeZlibBackend(zlib)]) {
      expect(plain(connection({ backend }).receive(few.slice()))).toEqual(fails(1008));
      expect(plain(connection({ backend, maxFinalBlocks: 100 }).receive(few.slice()))).toEqual([message('binary', '')]);
    }
  });
});

describe('the handshakes: a few calls on each side', () => {
  const messages = [text('{"hello":"world"}'.repeat(200)), text('short')];

  /** Both Connections exchange compressed messages; returns the RSV bits seen on the wire. */
  function exchange(server: Connection, client: Connection): number[] {
    const rsv: number[] = [];
    for (const body of messages) {
      const up = concat(...client.sendText(body, { transform: true }));
      rsv.push(parseFrames(up)[0]!.rsv);
      expect(plain(server.receive(up))).toEqual([message('text', body)]);
      const down = concat(...server.sendText(body, { transform: true }));
      rsv.push(parseFrames(down)[0]!.rsv);
      expect(plain(client.receive(down))).toEqual([message('text', body)]);
    }
    return rsv;
  }

  it('HTTP/1.1 (@hybi/handshake): offer, answer, check, then compressed messages both ways', () => {
    const deflate = PerMessageDeflate.client();
    const handshake = new ClientHandshake({ url: 'ws://example.com/chat', extensions: [deflate.offer], random: seededRandom(2) });
    const requestText = new TextDecoder().decode(handshake.request);
    expect(requestText).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n');

    const serverHandshake = new ServerHandshake();
    const [request] = serverHandshake.receive(handshake.request);
    if (request?.type !== 'request') throw new Error(`no request: ${JSON.stringify(request)}`);
    const pmd = PerMessageDeflate.server(request.extensions, { serverMaxWindowBits: 12, clientMaxWindowBits: 11 });
    if (pmd === null) throw new Error('declined');
    const { response } = serverHandshake.accept({ extensions: [pmd.response] });
    const server = new Connection({ role: 'server', extensions: [pmd.extension] });
    expect(new TextDecoder().decode(response)).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=12; client_max_window_bits=11\r\n');

    const [accepted] = handshake.receive(response);
    if (accepted?.type !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(accepted)}`);
    const result = deflate.accept(accepted.extensions);
    if (result.type !== 'accepted') throw new Error(result.type);
    expect(result.extension.negotiated).toEqual({ compress: { windowBits: 11, noContextTakeover: false }, decompress: { windowBits: 12, noContextTakeover: false } });
    expect(pmd.extension.negotiated).toEqual({ compress: { windowBits: 12, noContextTakeover: false }, decompress: { windowBits: 11, noContextTakeover: false } });
    const client = new Connection({ role: 'client', random: seededRandom(4), extensions: [result.extension] });
    expect(exchange(server, client)).toEqual([RSV1, RSV1, RSV1, RSV1]);
  });

  it('RFC 8441 / RFC 9220 header lists (@hybi/h2-bootstrap): the same calls', () => {
    for (const version of ['h2', 'h3'] as const) {
      const deflate = PerMessageDeflate.client({ serverNoContextTakeover: true, clientNoContextTakeover: true });
      const options = { version, scheme: 'https', authority: 'example.com', path: '/chat', extensions: [deflate.offer] } as const;
      const built = buildRequest(options, 'enabled');
      if (built.type !== 'request') throw new Error(built.type);
      expect(built.headers).toContainEqual(['sec-websocket-extensions', 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits']);

      const request = parseRequest(built.headers, { version, connectProtocolEnabled: true });
      if (request.type !== 'request') throw new Error(request.type);
      const pmd = PerMessageDeflate.server(request.extensions);
      if (pmd === null) throw new Error('declined');
      const responseHeaders = acceptRequest(request, { extensions: [pmd.response] });
      expect(responseHeaders).toContainEqual(['sec-websocket-extensions', 'permessage-deflate; server_no_context_takeover; client_no_context_takeover']);
      const server = new Connection({ role: 'server', extensions: [pmd.extension] });

      const response = parseResponse(responseHeaders, options);
      if (response.type !== 'accepted') throw new Error(response.type);
      const result = deflate.accept(response.extensions);
      if (result.type !== 'accepted') throw new Error(result.type);
      const client = new Connection({ role: 'client', random: seededRandom(4), extensions: [result.extension] });
      expect(exchange(server, client)).toEqual([RSV1, RSV1, RSV1, RSV1]);
    }
  });

  it("Chromium's offer over HTTP/2 (test-vectors/README.md, observed peers) is accepted", () => {
    const request = parseRequest(
      [
        [':method', 'CONNECT'],
        [':authority', 'localhost:8443'],
        [':scheme', 'https'],
        [':path', '/echo'],
        [':protocol', 'websocket'],
        ['origin', 'https://localhost:8443'],
        ['sec-websocket-version', '13'],
        ['sec-websocket-extensions', 'permessage-deflate; client_max_window_bits'],
      ],
      { version: 'h2', connectProtocolEnabled: true },
    );
    if (request.type !== 'request') throw new Error(request.type);
    const pmd = PerMessageDeflate.server(request.extensions, { clientMaxWindowBits: 10 });
    expect(pmd && formatExtensionList([pmd.response])).toBe('permessage-deflate; client_max_window_bits=10');
  });

  it('declined: no offer, or an offer the server cannot accept; the connection runs uncompressed', () => {
    expect(PerMessageDeflate.server([])).toBeNull();
    expect(PerMessageDeflate.server([{ name: 'x-webkit-deflate-frame', params: [] }])).toBeNull();
    // The server bounds its inflate window, the offer has no client_max_window_bits (RFC 7692 7.1.2.2).
    expect(PerMessageDeflate.server([{ name: 'permessage-deflate', params: [] }], { clientMaxWindowBits: 10 })).toBeNull();
    // RFC 7692 7: unknown parameter, duplicate, bad value.
    for (const params of [[{ name: 'foo', value: null }], [{ name: 'server_no_context_takeover', value: null }, { name: 'server_no_context_takeover', value: null }], [{ name: 'server_max_window_bits', value: '16' }]]) {
      expect(PerMessageDeflate.server([{ name: 'permessage-deflate', params }])).toBeNull();
    }
    expect(PerMessageDeflate.client().accept([])).toEqual({ type: 'declined' });
  });

  it('a client fails the connection on an invalid response (RFC 7692 7)', () => {
    const deflate = PerMessageDeflate.client({ serverMaxWindowBits: 10 });
    expect(deflate.accept([{ name: 'permessage-deflate', params: [{ name: 'foo', value: null }] }])).toMatchObject({ type: 'fail', problem: 'unknown-parameter' });
    expect(deflate.accept([{ name: 'permessage-deflate', params: [] }])).toMatchObject({ type: 'fail', problem: 'not-accepted', parameter: 'server_max_window_bits' });
    expect(deflate.accept([{ name: 'permessage-deflate', params: [{ name: 'server_max_window_bits', value: '11' }] }])).toMatchObject({ type: 'fail', problem: 'not-accepted' });
    expect(deflate.accept([{ name: 'permessage-deflate', params: [{ name: 'server_max_window_bits', value: '9' }] }])).toMatchObject({ type: 'accepted' });
  });

  it('the backend option drives negotiation and compression alike', () => {
    const backend = { ...pakoBackend(), name: 'pako, 9 bits up', compressWindowBits: { min: 9, max: 15 } } as const;
    // It cannot promise window 8, so it does not offer client_max_window_bits ...
    expect(formatExtensionList([PerMessageDeflate.client({ backend }).offer])).toBe('permessage-deflate');
    // ... and a server with it declines an offer of server_max_window_bits=8.
    expect(PerMessageDeflate.server([{ name: 'permessage-deflate', params: [{ name: 'server_max_window_bits', value: '8' }] }], { backend })).toBeNull();
    const chosen = PerMessageDeflate.server([{ name: 'permessage-deflate', params: [] }], { backend: nodeZlibBackend(zlib), threshold: 0 });
    expect(chosen?.extension.backend).toBe('node:zlib');
    const server = new Connection({ role: 'server', extensions: [chosen!.extension] });
    expect(parseFrames(concat(...server.sendText('x')))[0]!.rsv).toBe(RSV1);
  });
});

describe('one extension per connection', () => {
  it('is disposed with its connection; using it afterwards throws', () => {
    const pmd = extension();
    const first = new Connection({ role: 'server', extensions: [pmd] });
    expect(plain(first.receive(clientFrame(1, HELLO, { rsv: RSV1 })))).toEqual([message('text', 'Hello')]);
    expect([...first.receiveEnd()].map((e) => e.type)).toEqual(['close', 'close-transport']);
    const second = new Connection({ role: 'server', extensions: [pmd] });
    expect(() => [...second.receive(clientFrame(1, HELLO, { rsv: RSV1 }))]).toThrow(/closed connection/);
    expect(() => second.sendText('x')).toThrow(/closed connection/);
  });
});

describe('properties: client ↔ server round trips with deflate on', () => {
  const textBody = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: fc.constantFrom('a', 'b', '{"k":', '1', '€', '\u{1f600}'), maxLength: 3000 }));
  const sent = fc.record({
    // Text as a string, or as UTF-8 bytes (which fragmented sends may split inside a code point).
    kind: fc.constantFrom('text' as const, 'binary' as const),
    body: fc.oneof(textBody, textBody.map(text), fc.uint8Array({ maxLength: 2000 })),
    // Pieces for a fragmented send (as byte offsets), or none for a whole one.
    cuts: fc.option(fc.array(fc.nat(), { maxLength: 4 }), { nil: undefined }),
    transform: fc.constantFrom(undefined, true, false),
  }).map((m) => (m.kind === 'text' && m.body instanceof Uint8Array && !isUtf8(m.body) ? { ...m, kind: 'binary' as const } : m));
  const settings = fc.record({
    serverNoContextTakeover: fc.boolean(),
    clientNoContextTakeover: fc.boolean(),
    serverMaxWindowBits: fc.integer({ min: 8, max: 15 }),
    clientMaxWindowBits: fc.integer({ min: 8, max: 15 }),
    threshold: fc.constantFrom(0, 64, 1024),
  });

  function send(connection: Connection, m: { kind: 'text' | 'binary'; body: string | Uint8Array; cuts: number[] | undefined; transform: boolean | undefined }): Uint8Array[] {
    const bytes = typeof m.body === 'string' ? text(m.body) : m.body;
    const options = m.transform === undefined ? undefined : { transform: m.transform };
    if (m.cuts === undefined) return m.kind === 'text' ? connection.sendText(bytes, options) : connection.sendBinary(bytes, options);
    const pieces = splitAt(bytes, m.cuts.map((c) => c % (bytes.length + 1)));
    const out = connection.startMessage(m.kind, pieces[0], options);
    for (const piece of pieces.slice(1, -1)) out.push(...connection.continueMessage(piece));
    out.push(...connection.finishMessage(pieces.length > 1 ? pieces.at(-1) : undefined));
    return out;
  }

  it('every message arrives as sent, whatever the settings, fragmentation and chunking', () => {
    fc.assert(
      fc.property(settings, fc.array(sent, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), ({ threshold, ...s }, messages, splits) => {
        const { server, client } = negotiate(
          { serverNoContextTakeover: s.serverNoContextTakeover, clientNoContextTakeover: s.clientNoContextTakeover, serverMaxWindowBits: s.serverMaxWindowBits as 8, threshold },
          { clientMaxWindowBits: s.clientMaxWindowBits as 8, threshold },
        );
        const clientConnection = new Connection({ role: 'client', random: seededRandom(9), extensions: [client] });
        const serverConnection = new Connection({ role: 'server', extensions: [server] });
        const expected = messages.map((m) => message(m.kind, typeof m.body === 'string' ? text(m.body) : m.body));
        // Client to server, the wire cut anywhere.
        const up = concat(...messages.flatMap((m) => send(clientConnection, m)));
        const received = splitAt(up, splits.map((p) => p % (up.length + 1))).flatMap((chunk) => plain(serverConnection.receive(chunk)));
        expect(received).toEqual(expected);
        // Server to client, byte by byte for short streams.
        const down = concat(...messages.flatMap((m) => send(serverConnection, m)));
        const chunks = down.length < 4000 ? splitAt(down, Array.from(down, (_, i) => i)) : splitAt(down, splits.map((p) => p % (down.length + 1)));
        expect(chunks.flatMap((chunk) => plain(clientConnection.receive(chunk)))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('a compressed stream gives the same events fed whole, byte by byte and at random splits (streaming mode too)', () => {
    fc.assert(
      fc.property(fc.array(sent, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), (messages, splits, streaming) => {
        const { server, client } = negotiate({}, {});
        const clientConnection = new Connection({ role: 'client', random: seededRandom(3), extensions: [client] });
        const wire = concat(...messages.flatMap((m) => send(clientConnection, m)));
        const run = (chunks: Uint8Array[], ext: PerMessageDeflate) => {
          const connection = new Connection({ role: 'server', streaming, extensions: [ext] });
          const events = chunks.flatMap((chunk) => plain(connection.receive(chunk)));
          // Streaming: merge the pieces of each message, whatever their number.
          if (!streaming) return events;
          const merged: Record<string, unknown>[] = [];
          let data = '';
          for (const e of events) {
            data += e.data as string;
            if (e.messageEnd) {
              merged.push({ kind: e.kind, data });
              data = '';
            }
          }
          return merged;
        };
        const reference = run([wire.slice()], server);
        const fresh = () => new PerMessageDeflate(server.negotiated);
        expect(run(splitAt(wire, Array.from(wire, (_, i) => i)), fresh())).toEqual(reference);
        expect(run(splitAt(wire, splits.map((p) => p % (wire.length + 1))), fresh())).toEqual(reference);
        expect(reference).toHaveLength(messages.length);
      }),
      { numRuns: 60 },
    );
  });
});
