// Full client/server conversations over an in-memory pipe, through the
// packages' public API only: the HTTP/1.1 Upgrade (ClientHandshake and
// ServerHandshake) and the RFC 8441 / RFC 9220 header-list path
// (h2-bootstrap), each followed by frame-codec on both ends: text and binary
// messages, a fragmented text whose multi-byte code points are split across
// fragments with a Ping between them, Ping/Pong both ways, and the close
// handshake started by either side, with a last message sent along with the
// Close that the peer echoes before its Close answer.
//
// Runtime-neutral (no Node APIs, no test framework): test/runtimes/suite.ts
// runs it in Node (ESM and CJS), Deno, Bun and Chromium against the built
// packages. This is the one module of the runtime suite that uses the
// packages' API beyond the vector replayers: adapt it here when the API moves.
import type * as FrameCodec from '@hybi/frame-codec';
import type * as H2Bootstrap from '@hybi/h2-bootstrap';
import type * as Handshake from '@hybi/handshake';

export interface ConversationApis {
  readonly frameCodec: typeof FrameCodec;
  readonly handshake: typeof Handshake;
  readonly h2Bootstrap: typeof H2Bootstrap;
}

/**
 * How the pipe hands written bytes to the reader: each write as one chunk,
 * one byte per chunk, or everything pending in a single chunk.
 */
export type Delivery = 'as-written' | 'bytewise' | 'coalesced';
export const DELIVERIES: readonly Delivery[] = ['as-written', 'bytewise', 'coalesced'];

export type Transport = 'http/1.1' | 'h2' | 'h3';
export type Side = 'client' | 'server';

export interface ConversationResult {
  readonly name: string;
  readonly ok: boolean;
  /** On failure, the step that failed and what was expected. */
  readonly details: readonly string[];
  /**
   * FNV-1a digest of every byte written, per direction. The bytes written do
   * not depend on how they were delivered, nor on the runtime: randomness is
   * seeded, so every run of a conversation writes exactly the same bytes.
   */
  readonly transcript: string;
}

class StepFailure extends Error {}

type Fields = Readonly<Record<string, unknown>>;

const encoder = new TextEncoder();
const utf8 = (text: string): Uint8Array => encoder.encode(text);

function hex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += bytes[i]!.toString(16).padStart(2, '0');
  return out;
}

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, piece) => n + piece.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function check(step: string, actual: unknown, expected: unknown): void {
  if (!same(actual, expected)) throw new StepFailure(`${step}: expected ${JSON.stringify(expected)}\n      got ${JSON.stringify(actual)}`);
}

function checkThrows(step: string, action: () => unknown, kind: new (...args: never[]) => Error): void {
  try {
    action();
  } catch (error) {
    if (error instanceof kind) return;
    throw new StepFailure(`${step}: expected a ${kind.name}, got ${String(error)}`);
  }
  throw new StepFailure(`${step}: expected a ${kind.name}, nothing was thrown`);
}

/** One direction of the pipe: copies what is written, hands it out per `delivery`. */
class Wire {
  #pending: Uint8Array[] = [];
  #hash = 0x811c9dc5;

  write(chunks: readonly Uint8Array[]): void {
    for (const chunk of chunks) {
      this.#pending.push(chunk.slice());
      for (let i = 0; i < chunk.length; i++) this.#hash = Math.imul(this.#hash ^ chunk[i]!, 0x01000193) >>> 0;
    }
  }

  take(delivery: Delivery): Uint8Array[] {
    const pending = this.#pending.filter((chunk) => chunk.length > 0);
    this.#pending = [];
    if (delivery === 'as-written') return pending;
    const all = concat(pending);
    if (delivery === 'coalesced') return all.length > 0 ? [all] : [];
    return Array.from(all, (_, i) => all.subarray(i, i + 1));
  }

  get digest(): string {
    return this.#hash.toString(16).padStart(8, '0');
  }
}

/** An event as compared in the steps below: text decoded, bytes as hex, a Pong's masked bytes only counted. */
function normalize(frameCodec: typeof FrameCodec, event: FrameCodec.ConnectionEvent): Fields {
  switch (event.type) {
    case 'message':
      return event.kind === 'text' ? { type: 'message', kind: 'text', text: frameCodec.decodeText(event.data) } : { type: 'message', kind: 'binary', hex: hex(event.data) };
    case 'ping':
    case 'pong':
      return { type: event.type, text: frameCodec.decodeText(event.data) };
    case 'write':
      return { type: 'write' };
    case 'close':
      return { type: 'close', code: event.code, reason: event.reason, initiator: event.initiator, clean: event.clean };
    case 'close-transport':
      return { type: 'close-transport', awaitPeer: event.awaitPeer };
    default:
      return { ...event };
  }
}

/** A frame-codec Connection at one end of the pipe; what it writes by itself goes out at once. */
class Endpoint {
  constructor(
    readonly side: Side,
    readonly connection: FrameCodec.Connection,
    readonly out: Wire,
    readonly incoming: Wire,
    readonly frameCodec: typeof FrameCodec,
  ) {}

  send(chunks: readonly Uint8Array[]): void {
    this.out.write(chunks);
  }

  /**
   * Feeds chunks to the connection; what it answers by itself (`write` events) goes out at once, and with
   * `echo`, each message is sent back as it is handed out (before what the connection produces after it).
   */
  feed(chunks: readonly Uint8Array[], echo = false): Fields[] {
    const events: Fields[] = [];
    for (const chunk of chunks) {
      for (const event of this.connection.receive(chunk)) {
        // Normalized at once: event data may be a view of the chunk.
        events.push(normalize(this.frameCodec, event));
        if (event.type === 'write') this.out.write(event.data);
        if (echo && event.type === 'message') this.out.write(event.kind === 'text' ? this.connection.sendText(event.data) : this.connection.sendBinary(event.data));
      }
    }
    return events;
  }

  /** Feeds whatever the pipe holds. */
  pump(delivery: Delivery, echo = false): Fields[] {
    return this.feed(this.incoming.take(delivery), echo);
  }

  end(): Fields[] {
    return Array.from(this.connection.receiveEnd(), (event) => normalize(this.frameCodec, event));
  }
}

/** Text whose 4-byte and 3-byte code points the fragments below split. */
const FRAGMENTED_TEXT = 'a\u{1F600}b\u20ACc';

/** The same WebSocket conversation over whichever transport opened it. */
function talk(client: Endpoint, server: Endpoint, closer: Side, delivery: Delivery): void {
  const { frameCodec } = client;
  const endpoints = { client, server };
  const other = (side: Side): Side => (side === 'client' ? 'server' : 'client');

  client.send(client.connection.sendText('hello'));
  check('server receives a text message', server.pump(delivery), [{ type: 'message', kind: 'text', text: 'hello' }]);
  server.send(server.connection.sendText('hello, client \u00E9'));
  check('client receives a text message', client.pump(delivery), [{ type: 'message', kind: 'text', text: 'hello, client \u00E9' }]);

  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
  client.send(client.connection.sendBinary(bytes));
  check('server receives a 300-byte binary message (16-bit length)', server.pump(delivery), [{ type: 'message', kind: 'binary', hex: hex(bytes) }]);
  server.send(server.connection.sendBinary(bytes.subarray(0, 5)));
  check('client receives a binary message', client.pump(delivery), [{ type: 'message', kind: 'binary', hex: hex(bytes.subarray(0, 5)) }]);

  // Fragments split inside U+1F600 (bytes 1-4) and inside U+20AC (bytes 6-8), a Ping in between.
  const text = utf8(FRAGMENTED_TEXT);
  for (const side of ['client', 'server'] as const) {
    const from = endpoints[side];
    const to = endpoints[other(side)];
    from.send(from.connection.startMessage('text', text.subarray(0, 3)));
    from.send(from.connection.continueMessage(text.subarray(3, 7)));
    from.send(from.connection.ping('between fragments'));
    from.send(from.connection.finishMessage(text.subarray(7)));
    check(`${to.side} receives a fragmented text with split code points and a Ping between fragments`, to.pump(delivery), [
      { type: 'ping', text: 'between fragments' },
      { type: 'write' },
      { type: 'message', kind: 'text', text: FRAGMENTED_TEXT },
    ]);
    check(`${from.side} receives the automatic Pong`, from.pump(delivery), [{ type: 'pong', text: 'between fragments' }]);
  }

  server.send(server.connection.ping('are you there?'));
  check('client answers a Ping', client.pump(delivery), [{ type: 'ping', text: 'are you there?' }, { type: 'write' }]);
  check('server receives the Pong', server.pump(delivery), [{ type: 'pong', text: 'are you there?' }]);
  client.send(client.connection.pong('unsolicited'));
  check('server receives an unsolicited Pong', server.pump(delivery), [{ type: 'pong', text: 'unsolicited' }]);

  // The close handshake (RFC 6455 7.1.2): the closer sends a last message and its Close in one write; the peer
  // echoes the message as it handles it, which goes out before its Close answering (RFC 6455 5.5.1).
  const from = endpoints[closer];
  const to = endpoints[other(closer)];
  from.send([...from.connection.sendText('last words'), ...from.connection.close(1000, 'bye')]);
  check(`${closer} is closing`, from.connection.state, 'closing');
  checkThrows(`${closer} may not send after its Close`, () => from.connection.sendText('too late'), Error);
  check(`${to.side} receives the message and the Close, echoes both`, to.pump(delivery, true), [
    { type: 'message', kind: 'text', text: 'last words' },
    { type: 'write' },
    { type: 'close', code: 1000, reason: 'bye', initiator: 'peer', clean: true },
    { type: 'close-transport', awaitPeer: to.side === 'client' },
  ]);
  check(`${closer} receives the message's echo, then the Close echo`, from.pump(delivery), [
    { type: 'message', kind: 'text', text: 'last words' },
    { type: 'close', code: 1000, reason: '', initiator: 'local', clean: true },
    { type: 'close-transport', awaitPeer: closer === 'client' },
  ]);
  for (const side of ['client', 'server'] as const) {
    check(`${side} is closed with 1000`, [endpoints[side].connection.state, endpoints[side].connection.closeCode], ['closed', 1000]);
  }
  // The server ends the transport first (RFC 6455 7.1.1); the client then sees the end of input.
  check('client sees the end of input after a clean close', client.end(), []);
  check('server sees the end of input after a clean close', server.end(), []);
  checkThrows('client may not send after the close', () => client.connection.sendText('too late'), Error);
  check('sending with the frame layer still works', hex(concat(frameCodec.encodeFrame(utf8('Hi'), { opcode: frameCodec.Opcode.Text }))), '81024869');
}

/** HTTP/1.1 Upgrade: ClientHandshake and ServerHandshake, then frame-codec on the same pipe. */
function http11(apis: ConversationApis, closer: Side, delivery: Delivery, c2s: Wire, s2c: Wire): void {
  const { frameCodec, handshake } = apis;
  const clientHandshake = new handshake.ClientHandshake({
    url: 'ws://example.test:8080/chat?room=1',
    protocols: ['superchat', 'chat'],
    origin: 'https://example.test',
    random: frameCodec.seededRandom(1),
  });
  check('the client parsed the URL', [clientHandshake.url.host, clientHandshake.url.target], ['example.test:8080', '/chat?room=1']);
  const serverHandshake = new handshake.ServerHandshake();
  c2s.write([clientHandshake.request]);

  const requests: Fields[] = [];
  for (const chunk of c2s.take(delivery)) {
    for (const event of serverHandshake.receive(chunk)) {
      requests.push(event.type === 'request' ? { type: event.type, method: event.method, path: event.path, query: event.query, host: event.host, origin: event.origin, protocols: event.protocols, extensions: event.extensions, key: event.key } : { type: event.type, code: event.code });
    }
  }
  check('server reads the request', requests, [
    { type: 'request', method: 'GET', path: '/chat', query: 'room=1', host: 'example.test:8080', origin: 'https://example.test', protocols: ['superchat', 'chat'], extensions: [], key: clientHandshake.key },
  ]);
  checkThrows('accept() refuses a subprotocol that was not offered', () => serverHandshake.accept({ protocol: 'other' }), TypeError);
  const { response, leftover: early } = serverHandshake.accept({ protocol: 'chat' });
  check('nothing followed the request', early.length, 0);
  const server = new Endpoint('server', new frameCodec.Connection({ role: 'server' }), s2c, c2s, frameCodec);
  check('the server connection gets the bytes after the request', server.feed([early]), []);
  // The 101 and the first frame in one write, as some stacks send them.
  s2c.write([concat([response, ...server.connection.sendText('welcome')])]);

  let client: Endpoint | null = null;
  const accepted: Fields[] = [];
  const received: Fields[] = [];
  for (const chunk of s2c.take(delivery)) {
    if (client !== null) {
      received.push(...client.feed([chunk]));
      continue;
    }
    for (const event of clientHandshake.receive(chunk)) {
      if (event.type !== 'accepted') {
        accepted.push({ type: event.type });
        continue;
      }
      accepted.push({ type: event.type, protocol: event.protocol, extensions: event.extensions, leftover: event.leftover.length > 0 });
      client = new Endpoint('client', new frameCodec.Connection({ role: 'client', random: frameCodec.seededRandom(2) }), c2s, s2c, frameCodec);
      received.push(...client.feed([event.leftover]));
    }
  }
  // Unless the pipe delivers byte by byte, the chunk that completes the 101 also carries the first frame.
  check('client accepts the 101', accepted, [{ type: 'accepted', protocol: 'chat', extensions: [], leftover: delivery !== 'bytewise' }]);
  check('client receives the frame that came with the 101', received, [{ type: 'message', kind: 'text', text: 'welcome' }]);
  talk(client!, server, closer, delivery);
}

/** RFC 8441 (h2) or RFC 9220 (h3): SETTINGS, the header lists both ways, then frame-codec over the stream's DATA. */
function extendedConnect(apis: ConversationApis, version: 'h2' | 'h3', closer: Side, delivery: Delivery, c2s: Wire, s2c: Wire): void {
  const { frameCodec, h2Bootstrap: h2 } = apis;
  const options = { version, scheme: 'https', authority: 'example.test', path: '/chat?room=1', origin: 'https://example.test', protocols: ['superchat', 'chat'] } as const;

  const peer = new h2.PeerSettings({ version });
  check('client waits for the SETTINGS', h2.buildRequest(options, peer.state), { type: 'extended-connect-unavailable', peerSetting: 'awaiting-settings' });
  const settings = h2.encodeSettings([{ id: h2.SETTINGS_ENABLE_CONNECT_PROTOCOL, value: 1 }], version);
  check('the setting encodes', hex(settings), version === 'h2' ? '000800000001' : '0801');
  const applied = peer.receivePayload(settings);
  check('client applies the server SETTINGS', [applied.type, applied.type === 'settings' && applied.connectProtocol, peer.state], ['settings', 'enabled', 'enabled']);

  const built = h2.buildRequest(options, peer.state);
  if (built.type !== 'request') throw new StepFailure(`client builds the request: got ${JSON.stringify(built)}`);
  const pseudo = built.headers.filter(([name]) => name.startsWith(':'));
  check('the request pseudo-headers', [...pseudo].sort(), [[':authority', 'example.test'], [':method', 'CONNECT'], [':path', '/chat?room=1'], [':protocol', 'websocket'], [':scheme', 'https']]);
  check('the request carries no key (RFC 8441 4)', built.headers.some(([name]) => name === 'sec-websocket-key'), false);

  check('a server without the setting finds :protocol malformed', h2.parseRequest(built.headers, { version, connectProtocolEnabled: false }).type, 'malformed');
  const request = h2.parseRequest(built.headers, { version, connectProtocolEnabled: true });
  if (request.type !== 'request') throw new StepFailure(`server validates the request: got ${JSON.stringify(request)}`);
  check('server reads the request', { path: request.path, query: request.query, authority: request.authority, origin: request.origin, protocols: request.protocols }, { path: '/chat', query: 'room=1', authority: 'example.test', origin: 'https://example.test', protocols: ['superchat', 'chat'] });
  const responseHeaders = h2.acceptRequest(request, { protocol: 'chat' });
  check('server accepts with 200', responseHeaders, [[':status', '200'], ['sec-websocket-protocol', 'chat']]);
  const accepted = h2.parseResponse(responseHeaders, options);
  check('client validates the response', [accepted.type, accepted.type === 'accepted' && accepted.protocol], ['accepted', 'chat']);
  check('a response with a subprotocol not offered fails', h2.parseResponse([[':status', '200'], ['sec-websocket-protocol', 'other']], options).type, 'failed');

  const client = new Endpoint('client', new frameCodec.Connection({ role: 'client', random: frameCodec.seededRandom(3) }), c2s, s2c, frameCodec);
  const server = new Endpoint('server', new frameCodec.Connection({ role: 'server' }), s2c, c2s, frameCodec);
  talk(client, server, closer, delivery);
  // close-transport on HTTP/2 and HTTP/3 is END_STREAM / FIN of one's own side.
  check('close-transport maps to END_STREAM', h2.END_STREAM, { type: 'end-stream' });
  check('an abort resets the stream', h2.abortStream(version), version === 'h2' ? { type: 'reset-stream', code: 0x8, name: 'CANCEL' } : { type: 'reset-stream', code: 0x010c, name: 'H3_REQUEST_CANCELLED' });
}

/** Every conversation, over every transport, closed by either side, under every delivery. Never throws. */
export function runConversations(apis: ConversationApis): ConversationResult[] {
  const results: ConversationResult[] = [];
  for (const transport of ['http/1.1', 'h2', 'h3'] as const) {
    for (const closer of ['client', 'server'] as const) {
      for (const delivery of DELIVERIES) {
        const name = `${transport}, closed by the ${closer}, delivered ${delivery}`;
        const c2s = new Wire();
        const s2c = new Wire();
        let details: string[] = [];
        try {
          if (transport === 'http/1.1') http11(apis, closer, delivery, c2s, s2c);
          else extendedConnect(apis, transport, closer, delivery, c2s, s2c);
        } catch (error) {
          details = [error instanceof StepFailure ? error.message : `threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
        }
        results.push({ name, ok: details.length === 0, details, transcript: `${c2s.digest}-${s2c.digest}` });
      }
    }
  }
  return results;
}
