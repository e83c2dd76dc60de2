// Properties over arbitrary input (fast-check): round trips through both
// roles with any fragmentation and chunking, answers sent while iterating
// that precede the Close answer, chunking independence, peer input that
// never throws and always ends in a defined state, and memory that stays
// within the limits.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, FrameParser, seededRandom, type ConnectionEvent } from '@hybi/frame-codec';
import { concat, frame, mergeFragments, plain } from './helpers.js';

type Message = { kind: 'text'; text: string; cuts: number[] } | { kind: 'binary'; data: Uint8Array; cuts: number[] };

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), text: fc.string({ unit: 'grapheme', maxLength: 60 }), cuts: fc.array(fc.nat(300), { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('binary' as const), data: fc.uint8Array({ maxLength: 3000 }), cuts: fc.array(fc.nat(3000), { maxLength: 4 }) }),
);

/** Splits `input` at `cuts` (taken modulo its length). */
function split(input: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (input.length === 0 ? 0 : c % input.length)))].filter((p) => p > 0).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    out.push(input.subarray(start, p));
    start = p;
  }
  out.push(input.subarray(start));
  return out;
}

const payloadOf = (m: Message): Uint8Array => (m.kind === 'text' ? new TextEncoder().encode(m.text) : m.data);

/** Sends `m` whole (no cuts) or in fragments, as bytes; text fragments may split code points. */
function send(sender: Connection, m: Message): Uint8Array[] {
  const payload = m.kind === 'text' ? new TextEncoder().encode(m.text) : m.data;
  if (m.cuts.length === 0) return m.kind === 'text' ? sender.sendText(m.text) : sender.sendBinary(m.data);
  const [first, ...rest] = split(payload, m.cuts);
  const out = sender.startMessage(m.kind, first);
  rest.forEach((piece, i) => out.push(...(i === rest.length - 1 ? sender.finishMessage(piece) : sender.continueMessage(piece))));
  if (rest.length === 0) out.push(...sender.finishMessage());
  return out;
}

const roles = fc.constantFrom(['client', 'server'] as const, ['server', 'client'] as const);

describe('properties', () => {
  it('round trip: any messages, fragmentations and chunkings arrive intact, in both directions', () => {
    fc.assert(
      fc.property(roles, fc.array(message, { maxLength: 8 }), fc.array(fc.nat(50_000), { maxLength: 10 }), fc.boolean(), fc.integer(), ([from, to], messages, chunkCuts, streaming, seed) => {
        const sender = new Connection({ role: from, random: seededRandom(seed) });
        const receiver = new Connection({ role: to, streaming });
        const wire = concat(...messages.flatMap((m) => send(sender, m)));
        const events: ConnectionEvent[] = [];
        for (const chunk of split(wire, chunkCuts)) events.push(...receiver.receive(chunk.slice()));
        // Gather what arrived, message by message.
        const received: { kind: string; data: Uint8Array }[] = [];
        let pieces: Uint8Array[] = [];
        for (const event of events) {
          if (event.type === 'message') received.push({ kind: event.kind, data: event.data });
          else if (event.type === 'fragment') {
            pieces.push(event.data);
            if (event.messageEnd) {
              received.push({ kind: event.kind, data: concat(...pieces) });
              pieces = [];
            }
          } else throw new Error(`unexpected ${event.type}`);
        }
        expect(received).toEqual(messages.map((m) => ({ kind: m.kind, data: m.kind === 'text' ? new TextEncoder().encode(m.text) : m.data })));
        expect(receiver.bufferedBytes).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('RFC 6455 5.5.1: an application echoing every message while iterating answers all of them before the Close answer', () => {
    const traffic = fc.array(fc.oneof({ weight: 4, arbitrary: message.map((m) => ({ message: m })) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 125 }).map((ping) => ({ ping })) }), { maxLength: 8 });
    fc.assert(
      fc.property(roles, traffic, fc.constantFrom(1000, 1001, 3000), fc.array(fc.nat(50_000), { maxLength: 6 }), fc.boolean(), fc.integer(), ([from, to], items, code, cuts, whole, seed) => {
        const peer = new Connection({ role: from, random: seededRandom(seed) });
        const echoer = new Connection({ role: to, random: seededRandom(seed + 1) });
        // The traffic and the peer's Close, in one chunk (or cut anywhere).
        const wire = concat(...items.flatMap((item) => ('ping' in item ? peer.ping(item.ping) : send(peer, item.message))), ...peer.close(code));
        const written: Uint8Array[] = [];
        for (const chunk of whole ? [wire] : split(wire, cuts)) {
          for (const event of echoer.receive(chunk.slice())) {
            if (event.type === 'message') written.push(...(event.kind === 'text' ? echoer.sendText(event.data) : echoer.sendBinary(event.data)));
            else if (event.type === 'write') written.push(...event.data);
            else if (event.type !== 'ping' && event.type !== 'close' && event.type !== 'close-transport') throw new Error(`unexpected ${event.type}`);
          }
        }
        expect(echoer.state).toBe('closed');
        // On the wire: the echoes and Pongs in order, the Close answer last.
        const parser = new FrameParser({ role: from, maxFramePayload: Infinity });
        const opcodes = parser.push(concat(...written)).flatMap((e) => (e.type === 'frame-header' ? [e.opcode] : e.type === 'frame-error' ? [-1] : []));
        const expected = items.map((item) => ('ping' in item ? 10 : item.message.kind === 'text' ? 1 : 2));
        expect(opcodes).toEqual([...expected, 8]);
        // The peer receives every echo, then the Close answer: a clean close it started.
        const events = [...peer.receive(concat(...written))];
        const messages = events.filter((e) => e.type === 'message').map((e) => ({ kind: e.kind, data: [...e.data] }));
        expect(messages).toEqual(items.flatMap((item) => ('ping' in item ? [] : [{ kind: item.message.kind, data: [...payloadOf(item.message)] }])));
        expect(events.slice(-2)).toEqual([
          { type: 'close', code, reason: '', initiator: 'local', clean: true },
          { type: 'close-transport', awaitPeer: from === 'client' },
        ]);
      }),
      { numRuns: 200 },
    );
  });

  /** Frames that are mostly well formed, some not: every rule gets exercised. */
  const frameSpec = fc.record({
    opcode: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(0, 1, 2, 8, 9, 10) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
    fin: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    rsv: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(0x10, 0x20, 0x40) }),
    payload: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => new TextEncoder().encode(s)),
      fc.constantFrom(...[1000, 1001, 1005, 1011, 3000, 999, 4999].map((code) => Uint8Array.of(code >> 8, code & 0xff))),
    ),
    maskRight: fc.oneof({ weight: 15, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    key: fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }),
  });

  const peerInput = (role: 'client' | 'server') =>
    fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.array(frameSpec, { maxLength: 10 }).map((specs) =>
        concat(...specs.map((f) => frame(f.opcode, f.opcode >= 8 ? f.payload.subarray(0, 125) : f.payload, { fin: f.fin, rsv: f.rsv, ...((role === 'server') === f.maskRight && { key: f.key }) }))),
      ),
    );

  const options = fc.record({
    role: fc.constantFrom('client' as const, 'server' as const),
    streaming: fc.boolean(),
    autoPong: fc.boolean(),
    maxMessageSize: fc.oneof(fc.constant(undefined), fc.nat(300)),
  });

  it('peer input never throws, gives the same events however it is chunked, and ends in a defined state', () => {
    fc.assert(
      fc.property(
        options.chain((o) => fc.tuple(fc.constant(o), peerInput(o.role), fc.array(fc.nat(400), { maxLength: 8 }))),
        ([o, input, cuts]) => {
          const make = () => new Connection({ ...o, random: seededRandom(1), ...(o.maxMessageSize === undefined && { maxMessageSize: undefined }) });
          const whole = make();
          const wholeEvents = plain(whole.receive(input.slice()));
          const chunked = make();
          const chunkedEvents: unknown[] = [];
          for (const chunk of split(input, cuts)) chunkedEvents.push(...plain(chunked.receive(chunk.slice())));
          expect(mergeFragments(chunkedEvents)).toEqual(mergeFragments(wholeEvents));
          expect(chunked.state).toBe(whole.state);

          const types = (wholeEvents as { type: string; code?: number }[]).map((e) => e.type);
          const failure = types.indexOf('protocol-error');
          if (failure !== -1) {
            // A failure: a valid close code, then (Close,) close and close-transport, and nothing after.
            expect([1002, 1007, 1009]).toContain((wholeEvents[failure] as { code: number }).code);
            expect(types.slice(failure)).toEqual(['protocol-error', 'write', 'close', 'close-transport']);
            expect(whole.state).toBe('closed');
          } else if (whole.state === 'closed') {
            // The peer's Close: the handshake completed cleanly.
            expect(types.slice(-2)).toEqual(['close', 'close-transport']);
            expect((wholeEvents[wholeEvents.length - 2] as { clean: boolean }).clean).toBe(true);
          } else {
            // Otherwise the connection waits for more data, and only data and control events came out.
            expect(whole.state).toBe('open');
            for (const type of types) expect(['message', 'fragment', 'ping', 'pong', 'write']).toContain(type);
            const end = plain(whole.receiveEnd()) as { type: string; code?: number }[];
            expect(end.map((e) => [e.type, e.code])).toEqual([['close', 1006], ['close-transport', undefined]]);
          }
        },
      ),
      { numRuns: 600 },
    );
  });

  describe('memory', () => {
    const RealUint8Array = globalThis.Uint8Array;
    afterEach(() => {
      globalThis.Uint8Array = RealUint8Array;
    });

    it('stays within the limits: bufferedBytes and every allocation are bounded by maxMessageSize and maxBufferedBytes', () => {
      // Count every `new Uint8Array(length)` the connection makes.
      let largest = 0;
      const counting = new Proxy(RealUint8Array, {
        construct(target, args) {
          if (typeof args[0] === 'number') largest = Math.max(largest, args[0]);
          return Reflect.construct(target, args);
        },
      });
      fc.assert(
        fc.property(
          fc.record(
            {
              role: fc.constantFrom('client' as const, 'server' as const),
              streaming: fc.boolean(),
              maxMessageSize: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.constant(200_000)),
              maxBufferedBytes: fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.constant(100_000)),
            },
            { requiredKeys: ['role', 'streaming', 'maxMessageSize'] },
          ),
          fc.array(
            fc.record({
              opcode: fc.constantFrom(0, 1, 2, 9),
              fin: fc.boolean(),
              size: fc.oneof(fc.nat(3000), fc.nat(300_000), fc.constant(2 ** 40)),
              sent: fc.nat(3000),
            }),
            { maxLength: 12 },
          ),
          fc.array(fc.nat(40_000), { maxLength: 12 }),
          (o, specs, cuts) => {
            const connection = new Connection({ ...o, random: seededRandom(1) });
            // What the connection may hold of a message (nothing of it when streaming).
            const held = Math.min(o.maxMessageSize, o.maxBufferedBytes ?? Infinity);
            // Frames announce `size` bytes but may carry fewer (`sent`): the header alone must not allocate.
            const frames = specs.map((f) => {
              const size = f.opcode === 9 ? Math.min(f.size, 125) : f.size;
              const header = frame(f.opcode === 9 ? 9 : f.opcode, new RealUint8Array(Math.min(size, 125)), { fin: f.opcode === 9 || f.fin, ...(o.role === 'server' && { key: [1, 2, 3, 4] }) });
              if (size <= 125) return header;
              // Rewrite the length field for larger sizes.
              const masked = o.role === 'server';
              const long = size >= 65536;
              const head = new RealUint8Array(2 + (long ? 8 : 2) + (masked ? 4 : 0));
              head[0] = header[0]!;
              head[1] = (masked ? 0x80 : 0) | (long ? 127 : 126);
              if (long) new DataView(head.buffer).setUint32(2, Math.floor(size / 2 ** 32)), new DataView(head.buffer).setUint32(6, size >>> 0);
              else new DataView(head.buffer).setUint16(2, size);
              return concat(head, new RealUint8Array(Math.min(f.sent, size)));
            });
            const input = concat(...frames);
            largest = 0;
            let fed = 0;
            globalThis.Uint8Array = counting;
            try {
              for (const chunk of split(input, cuts)) {
                Array.from(connection.receive(chunk));
                fed += chunk.length;
                // What a header announces is not allocated before its bytes arrive (at most 128 times them).
                if (largest > Math.max(256, 128 * fed)) throw new Error(`allocated ${largest} bytes after receiving ${fed}`);
                const bound = o.streaming ? 139 : held + 139;
                if (connection.bufferedBytes > bound) throw new Error(`bufferedBytes ${connection.bufferedBytes} > ${bound}`);
              }
            } finally {
              globalThis.Uint8Array = RealUint8Array;
            }
            expect(largest).toBeLessThanOrEqual(Math.max(o.streaming ? o.maxMessageSize : held, 256));
          },
        ),
        { numRuns: 400 },
      );
    });
  });
});
