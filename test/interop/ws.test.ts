// `ws` (npm) as the independent peer: its client against the echo server,
// and the echo client against its server.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { certFile, type EchoServer, keyFile, killChildren, runEchoClient, startEchoServer } from './helpers.js';

afterAll(killChildren);

interface Received {
  readonly data: Buffer;
  readonly binary: boolean;
}

/** Resolves with the next `count` messages of `ws`. */
function messages(ws: WebSocket, count: number): Promise<Received[]> {
  return new Promise((resolve) => {
    const received: Received[] = [];
    const onMessage = (data: Buffer, binary: boolean) => {
      received.push({ data, binary });
      if (received.length < count) return;
      ws.off('message', onMessage);
      resolve(received);
    };
    ws.on('message', onMessage);
  });
}

const closeOf = (ws: WebSocket) => once(ws, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));

describe.each([
  ['ws://', [] as string[]],
  ['wss:// (HTTP/1.1 over TLS)', ['--tls']],
])('ws client -> echo server over %s', (_name, serverArgs) => {
  let server: EchoServer;
  let url: string;
  const ca = readFileSync(certFile);
  beforeAll(async () => {
    server = await startEchoServer(serverArgs);
    url = `${serverArgs.length ? 'wss' : 'ws'}://localhost:${server.port}/ws-peer`;
  });
  const connect = async (options: WebSocket.ClientOptions = {}) => {
    const ws = new WebSocket(url, { ca, maxPayload: 128 * 1024 * 1024, ...options });
    await once(ws, 'open');
    return ws;
  };

  it('echoes text as text and binary as binary, and fragmented messages whole', async () => {
    const ws = await connect();
    const arriving = messages(ws, 3);
    ws.send('héllo');
    ws.send(Uint8Array.of(0, 1, 255));
    ws.send('frag', { fin: false });
    ws.send('men', { fin: false });
    ws.send('ted', { fin: true });
    const [first, second, third] = await arriving;
    expect([first!.binary, first!.data.toString()]).toEqual([false, 'héllo']);
    expect([second!.binary, [...second!.data]]).toEqual([true, [0, 1, 255]]);
    expect([third!.binary, third!.data.toString()]).toEqual([false, 'fragmented']);
    ws.close(1000);
    expect(await closeOf(ws)).toMatchObject({ code: 1000 });
  });

  it('echoes messages sent together with the Close, in order, before the Close answer', async () => {
    const ws = await connect();
    const arriving = messages(ws, 3);
    // Same tick: ws writes the three frames and the Close back to back.
    ws.send('one');
    ws.send(Uint8Array.of(2));
    ws.send('three');
    ws.close(1000, 'bye');
    const received = await arriving;
    expect(received.map(({ data, binary }) => (binary ? [...data] : data.toString()))).toEqual(['one', [2], 'three']);
    expect(await closeOf(ws)).toMatchObject({ code: 1000 });
  });

  it('echoes 16 MiB messages, binary and text', async () => {
    const ws = await connect();
    const binary = randomBytes(16 * 1024 * 1024);
    const textMessage = 'é'.repeat(8 * 1024 * 1024); // 16 MiB of UTF-8
    const arriving = messages(ws, 2);
    ws.send(binary);
    ws.send(textMessage);
    const [first, second] = await arriving;
    expect(first!.binary).toBe(true);
    expect(Buffer.compare(first!.data, binary)).toBe(0);
    expect(second!.binary).toBe(false);
    expect(second!.data.toString() === textMessage).toBe(true);
    ws.close(1000);
    await closeOf(ws);
  });

  it('echoes a 64 MiB message (the limit) and fails one byte more with 1009', async () => {
    const ws = await connect();
    const limit = Buffer.alloc(64 * 1024 * 1024, 0x61);
    const arriving = messages(ws, 1);
    ws.send(limit);
    const [echo] = await arriving;
    expect(echo!.data.length).toBe(limit.length);
    ws.send(Buffer.alloc(64 * 1024 * 1024 + 1));
    expect(await closeOf(ws)).toMatchObject({ code: 1009 });
  }, 30_000);

  it('answers pings', async () => {
    const ws = await connect();
    ws.ping('ping data');
    const [data] = await once(ws, 'pong');
    expect(String(data)).toBe('ping data');
    ws.close(1000);
    await closeOf(ws);
  });

  it.each([1000, 1001, 1003, 1011, 3000, 4999])('echoes close code %i', async (code) => {
    const ws = await connect();
    ws.close(code, 'reason');
    expect(await closeOf(ws)).toMatchObject({ code }); // the echo carries the code only (frame-codec README)
  });

  it('fails invalid UTF-8 with 1007', async () => {
    const ws = await connect();
    ws.send(Buffer.from([0x68, 0xc3, 0x28]), { binary: false }); // ws does not check what it sends
    expect(await closeOf(ws)).toMatchObject({ code: 1007 });
  });
});

describe('echo client -> ws server', () => {
  let wss: WebSocketServer;
  let port: number;
  let script: (ws: WebSocket) => void = () => {};
  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 128 * 1024 * 1024, handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false) });
    await once(wss, 'listening');
    port = (wss.address() as AddressInfo).port;
    wss.on('connection', (ws) => script(ws));
  });
  afterAll(() => wss.close());

  it('echoes text, binary, fragmented and 16 MiB messages, then answers the close with the code (exit 0)', async () => {
    const large = randomBytes(16 * 1024 * 1024);
    const done = new Promise<{ echoes: Received[]; close: { code: number; reason: string } }>((resolve) => {
      script = (ws) => {
        const echoes = messages(ws, 4);
        ws.send('hello');
        ws.send(Uint8Array.of(9, 8, 7));
        ws.send('frag', { fin: false });
        ws.send('ment', { fin: true });
        ws.send(large);
        void echoes.then(async (received) => {
          ws.close(4001, 'done');
          resolve({ echoes: received, close: await closeOf(ws) });
        });
      };
    });
    const result = await runEchoClient([`ws://127.0.0.1:${port}/`, '--protocol', 'chat']);
    const { echoes, close } = await done;
    expect(echoes.map(({ binary, data }) => [binary, data.length])).toEqual([[false, 5], [true, 3], [false, 8], [true, large.length]]);
    expect(echoes[2]!.data.toString()).toBe('fragment');
    expect(Buffer.compare(echoes[3]!.data, large)).toBe(0);
    expect(close.code).toBe(4001);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('echoed over HTTP/1.1 (subprotocol chat); closed 4001 "done"');
  });

  it('negotiates permessage-deflate with a ws server that enables it, and echoes compressed messages', async () => {
    const deflating = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 128 * 1024 * 1024, perMessageDeflate: { threshold: 0 } });
    await once(deflating, 'listening');
    const text = JSON.stringify(Array.from({ length: 20000 }, (_, i) => ({ id: i, name: `user${i}` })));
    const large = randomBytes(2 * 1024 * 1024);
    const done = new Promise<{ extensions: string; echoes: Received[] }>((resolve) => {
      deflating.on('connection', (ws) => {
        void messages(ws, 3).then((echoes) => {
          ws.close(1000);
          resolve({ extensions: (ws as unknown as { extensions: string }).extensions, echoes });
        });
        ws.send('small');
        ws.send(text);
        ws.send(large);
      });
    });
    const result = await runEchoClient([`ws://127.0.0.1:${(deflating.address() as AddressInfo).port}/`]);
    const { extensions, echoes } = await done;
    deflating.close();
    expect(extensions).toMatch(/^permessage-deflate/);
    expect(echoes.map(({ data }) => data.length)).toEqual([5, Buffer.byteLength(text), large.length]);
    expect(echoes[1]!.data.toString()).toBe(text);
    expect(Buffer.compare(echoes[2]!.data, large)).toBe(0);
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits 1 when the handshake is rejected', async () => {
    const rejecting = new WebSocketServer({ port: 0, host: '127.0.0.1', verifyClient: (_info, callback) => callback(false, 403, 'Forbidden') });
    await once(rejecting, 'listening');
    const result = await runEchoClient([`ws://127.0.0.1:${(rejecting.address() as AddressInfo).port}/`]);
    rejecting.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('handshake rejected: 403 Forbidden');
  });

  it.each([
    ['a wrong Sec-WebSocket-Accept', (headers: string[]) => headers.map((line) => line.replace(/^(Sec-WebSocket-Accept: ).*/, '$1s3pPLMBiTxaQ9kYGzzhZRbK+xOo=')), 'handshake failed: invalid accept'],
    ['a subprotocol it did not offer', (headers: string[]) => [...headers, 'Sec-WebSocket-Protocol: chat'], 'handshake failed: invalid protocol'],
  ])('exits 1 when the 101 response has %s', async (_name, edit, reason) => {
    const lying = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    lying.on('headers', (headers) => headers.splice(0, headers.length, ...edit(headers)));
    await once(lying, 'listening');
    const received: unknown[] = [];
    lying.on('connection', (ws) => ws.on('message', (data) => received.push(data)));
    const result = await runEchoClient([`ws://127.0.0.1:${(lying.address() as AddressInfo).port}/`]);
    lying.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`echo-client: ${reason}\n`);
    expect(received).toEqual([]); // no frame after a failed handshake
  });

  it('exits 1 over wss:// when the certificate is not trusted (no --insecure)', async () => {
    const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }); // self-signed
    const secure = new WebSocketServer({ server });
    let connected = false;
    secure.on('connection', () => (connected = true));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `wss://localhost:${(server.address() as AddressInfo).port}/`;
    const [plain, h2] = await Promise.all([runEchoClient([url]), runEchoClient([url, '--h2'])]);
    server.close();
    for (const result of [plain, h2]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^echo-client: connection failed: self[- ]signed certificate/);
    }
    expect(connected).toBe(false);
  });

  it('exits 1 and sends 1007 when the server sends invalid UTF-8', async () => {
    const closed = new Promise<{ code: number }>((resolve) => {
      script = (ws) => {
        ws.send(Buffer.from([0xff]), { binary: false });
        void closeOf(ws).then(resolve);
      };
    });
    const result = await runEchoClient([`ws://127.0.0.1:${port}/`]);
    expect((await closed).code).toBe(1007);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed the connection with 1007/);
  });

  it('exits 1 when the connection is lost without a close handshake', async () => {
    script = (ws) => {
      ws.send('bye');
      ws.once('message', () => ws.terminate());
    };
    const result = await runEchoClient([`ws://127.0.0.1:${port}/`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('connection lost without a close handshake (1006)');
  });

  it('exits 1 when the server accepts the connection and never answers the handshake (--timeout)', async () => {
    const silent = net.createServer(() => {}); // reads nothing, writes nothing
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const url = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    const [plain, h2] = await Promise.all([runEchoClient([url, '--timeout', '1']), runEchoClient([url, '--h2', '--timeout', '1'])]);
    silent.close();
    for (const result of [plain, h2]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('echo-client: no opening handshake within 1 s\n');
    }
  });

  it('exits 1 when nothing listens', async () => {
    const result = await runEchoClient(['ws://127.0.0.1:1/']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ECONNREFUSED');
    const h2 = await runEchoClient(['ws://127.0.0.1:1/', '--h2']); // no fallback: nothing to fall back to
    expect(h2.code).toBe(1);
    expect(h2.stderr).toContain('ECONNREFUSED');
    expect(h2.stderr).not.toContain('HTTP/1.1');
  });

  it('over ws:// with --h2 and a server without HTTP/2, says so and uses HTTP/1.1', async () => {
    // ws answers the h2c preface as a bad HTTP/1.1 request: no SETTINGS ever come.
    script = (ws) => {
      ws.send('h2c?');
      ws.once('message', () => ws.close(1000));
    };
    const result = await runEchoClient([`ws://127.0.0.1:${port}/`, '--h2']);
    expect(result.stderr).toMatch(/^echo-client: the server does not speak HTTP\/2 .*: using HTTP\/1\.1\n$/);
    expect(result.stdout).toContain('echoed over HTTP/1.1; closed 1000');
    expect(result.code).toBe(0);
  });

  it('over wss:// with --h2 and a server without HTTP/2, uses HTTP/1.1 on the same TLS connection', async () => {
    const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
    const secure = new WebSocketServer({ server });
    secure.on('connection', (ws) => {
      ws.send('tls');
      ws.once('message', () => ws.close(1000));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const result = await runEchoClient([`wss://localhost:${(server.address() as AddressInfo).port}/`, '--h2', '--insecure']);
    server.close();
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('echoed over HTTP/1.1; closed 1000');
  });
});
