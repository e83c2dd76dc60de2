// permessage-deflate interop with ws 8 (perMessageDeflate on), both roles:
// hybi server <- ws client, hybi client -> ws server. Messages small and
// large (1 and 2 MiB), text and binary, compressible and not, whole and
// fragmented, with context takeover on and off both ways and windows below 15
// bits; each case with hybi on either backend (pako, node:zlib). Loopback,
// ephemeral ports; every socket and server is closed.
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import { nodeZlibBackend, pakoBackend, type ClientDeflateOptions, type DeflateBackend, type ServerDeflateOptions } from '@hybi/permessage-deflate';
import { connectClient, jsonText, noise, startEchoServer, type EchoServer, type HybiClient } from './hybi-node.js';

interface Sent {
  readonly kind: 'text' | 'binary';
  readonly data: Uint8Array;
  readonly fragments?: number;
  readonly transform?: boolean;
}

const MESSAGES: readonly Sent[] = [
  { kind: 'text', data: new TextEncoder().encode('Hello') }, // below ws's and hybi's threshold
  { kind: 'text', data: jsonText(5000) },
  { kind: 'binary', data: noise(3000) },
  { kind: 'binary', data: new Uint8Array(0) },
  { kind: 'text', data: jsonText(200_000, 4), fragments: 5 },
  { kind: 'binary', data: jsonText(70_000, 5), fragments: 3 },
  { kind: 'text', data: jsonText(1 << 20, 2) },
  { kind: 'binary', data: jsonText(2 << 20, 3) },
  { kind: 'binary', data: noise(1 << 20) },
];

const backends: readonly DeflateBackend[] = [pakoBackend(), nodeZlibBackend(zlib)];

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/**
 * How many of `messages` ws compresses: every one while it keeps its context (ws applies its threshold, 1024
 * octets of the first fragment, only without context takeover).
 */
function wsCompressed(messages: readonly Sent[], noContextTakeover: boolean): number {
  return noContextTakeover ? messages.filter((m) => m.data.length / (m.fragments ?? 1) >= 1024).length : messages.length;
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

function wsClient(port: number, perMessageDeflate: boolean | PerMessageDeflateOptions): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate, maxPayload: 16 << 20 });
  cleanup.push(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends through ws (whole, or in fragments with fin: false), resolves with the echo. */
function wsEcho(ws: WebSocket, message: Sent): Promise<{ data: Buffer; isBinary: boolean }> {
  const echoed = new Promise<{ data: Buffer; isBinary: boolean }>((resolve, reject) => {
    ws.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary }));
    ws.once('close', (code) => reject(new Error(`closed with ${code}`)));
  });
  const binary = message.kind === 'binary';
  const pieces = message.fragments ?? 1;
  const size = Math.ceil(message.data.length / pieces);
  for (let i = 0; i < pieces; i++) ws.send(message.data.subarray(i * size, (i + 1) * size), { binary, fin: i === pieces - 1 });
  return echoed;
}

const serverCases: { name: string; hybi: ServerDeflateOptions; ws: boolean | PerMessageDeflateOptions; response: string }[] = [
  { name: 'defaults (context takeover both ways, 15 bits)', hybi: {}, ws: true, response: 'permessage-deflate' },
  {
    name: 'the server imposes no context takeover both ways',
    hybi: { serverNoContextTakeover: true, clientNoContextTakeover: true },
    ws: true,
    response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
  },
  {
    name: 'the ws client asks for no context takeover and windows of 10 and 9 bits',
    hybi: {},
    ws: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 },
    response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9',
  },
  {
    name: 'the server limits windows to 9 bits (its own) and 8 bits (the client\'s)',
    hybi: { serverMaxWindowBits: 9, clientMaxWindowBits: 8 },
    ws: true,
    response: 'permessage-deflate; server_max_window_bits=9; client_max_window_bits=8',
  },
];

describe.each(backends)('hybi server ($name) <- ws client, permessage-deflate', (backend) => {
  for (const c of serverCases) {
    it(c.name, { timeout: 20_000 }, async () => {
      const server = await startEchoServer({ deflate: { ...c.hybi, backend }, fragmentFrom: 60_000 });
      cleanup.push(() => server.close());
      const ws = await wsClient(server.port, c.ws);
      expect(ws.extensions).toBe('permessage-deflate');
      expect(server.connections[0]!.response).toBe(c.response);
      expect(server.connections[0]!.backend).toBe(backend.name);
      for (const message of MESSAGES) {
        const echo = await wsEcho(ws, message);
        expect(echo.isBinary).toBe(message.kind === 'binary');
        expect(same(echo.data, message.data), `${message.kind} of ${message.data.length} octets`).toBe(true);
      }
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      ws.close(1000);
      expect(await closed).toBe(1000);
      const { stats } = server.connections[0]!;
      expect(stats.compressedIn).toBe(wsCompressed(MESSAGES, c.response.includes('client_no_context_takeover')));
      // hybi compresses from 1024 octets (its threshold), and the messages it echoes in fragments (all large here).
      expect(stats.compressedOut).toBe(MESSAGES.filter((m) => m.data.length >= 1024).length);
      expect(stats.uncompressedIn).toBe(MESSAGES.length - stats.compressedIn);
      expect(server.connections[0]!.closeCode).toBe(1000);
    });
  }
});

const clientCases: { name: string; hybi: ClientDeflateOptions; ws: boolean | PerMessageDeflateOptions; response: string }[] = [
  { name: 'defaults', hybi: {}, ws: true, response: 'permessage-deflate' },
  {
    name: 'the ws server imposes no context takeover both ways',
    hybi: {},
    ws: { serverNoContextTakeover: true, clientNoContextTakeover: true },
    response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
  },
  {
    name: 'hybi asks for server_no_context_takeover and an 8-bit server window, and compresses within 10 bits',
    hybi: { serverNoContextTakeover: true, serverMaxWindowBits: 8, clientMaxWindowBits: 10 },
    ws: true,
    response: 'permessage-deflate; server_no_context_takeover; server_max_window_bits=8; client_max_window_bits=10',
  },
  {
    name: 'hybi compresses without context takeover',
    hybi: { clientNoContextTakeover: true },
    ws: true,
    response: 'permessage-deflate; client_no_context_takeover',
  },
];

describe.each(backends)('hybi client ($name) -> ws server, permessage-deflate', (backend) => {
  const sent: readonly Sent[] = [
    ...MESSAGES,
    { kind: 'text', data: new TextEncoder().encode('tiny but compressed'), transform: true },
    { kind: 'binary', data: jsonText(300_000, 9), transform: false }, // the application opts out
  ];

  for (const c of clientCases) {
    it(c.name, { timeout: 20_000 }, async () => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: c.ws, maxPayload: 16 << 20 });
      cleanup.push(() => new Promise((resolve) => wss.close(resolve)));
      const rsv1: boolean[] = [];
      wss.on('connection', (ws) => {
        cleanup.push(() => ws.terminate());
        ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
      });
      // Which messages arrived compressed: ws's receiver reports RSV1 through its frame header, so count them from the wire.
      wss.on('connection', (_ws, request) => {
        request.socket.on('data', (chunk: Buffer) => rsv1.push((chunk[0]! & 0x40) !== 0));
      });
      await new Promise<void>((resolve) => wss.once('listening', resolve));
      const { port } = wss.address() as { port: number };
      const client: HybiClient = await connectClient(port, { deflate: { ...c.hybi, backend } });
      cleanup.push(() => client.destroy());
      expect(client.response).toBe(c.response);
      expect(client.backend).toBe(backend.name);
      for (const message of sent) {
        client.send(message.kind, message.data, { ...(message.fragments && { fragments: message.fragments }), ...(message.transform !== undefined && { transform: message.transform }) });
        const echo = await client.next();
        expect(echo.kind).toBe(message.kind);
        expect(same(echo.data, message.data), `${message.kind} of ${message.data.length} octets`).toBe(true);
      }
      expect(await client.close()).toBe(1000);
      // hybi compressed everything but the small, the empty and the opted-out messages, plus the one it was asked to.
      expect(client.stats.compressedOut).toBe(sent.filter((m) => m.transform ?? (m.data.length >= 1024 || (m.fragments ?? 1) > 1)).length);
      // ws compresses its echoes (whole messages), including the one hybi sent uncompressed.
      expect(client.stats.compressedIn).toBe(wsCompressed(sent.map((m) => ({ ...m, fragments: 1 })), c.response.includes('server_no_context_takeover')));
      // And the frames hybi sent arrived with RSV1 as counted.
      expect(rsv1.some(Boolean)).toBe(true);
    });
  }
});
