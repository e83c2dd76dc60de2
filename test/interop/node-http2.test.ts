// Node's own http2 stack as the independent HTTP/2 peer: its client sends
// hand-built extended CONNECT requests (RFC 8441) to the echo server, over h2c
// and TLS; its servers (with and without the setting) face the echo client.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { certFile, connectWebSocket, type EchoServer, keyFile, killChildren, openSession, runEchoClient, startEchoServer, TestPeer, text } from './helpers.js';

afterAll(killChildren);

describe.each([
  ['h2c (prior knowledge)', [] as string[], 'http'],
  ['h2 over TLS (ALPN)', ['--tls'], 'https'],
])('Node http2 client -> echo server, %s', (_name, serverArgs, scheme) => {
  let server: EchoServer;
  let session: http2.ClientHttp2Session;
  let settings: http2.Settings;
  beforeAll(async () => {
    server = await startEchoServer(serverArgs);
    ({ session, settings } = await openSession(`${scheme}://localhost:${server.port}`));
  });
  afterAll(() => session?.close());

  it('advertises SETTINGS_ENABLE_CONNECT_PROTOCOL', () => {
    expect(settings.enableConnectProtocol).toBe(true);
  });

  it('accepts extended CONNECT, echoes, and closes with END_STREAM both ways', async () => {
    const { status, headers, stream, peer } = await connectWebSocket(session, '/chat?room=1', { 'sec-websocket-protocol': 'chat, superchat' });
    expect(status).toBe(200);
    expect(headers['sec-websocket-protocol']).toBe('chat');
    await server.waitFor(/\] open HTTP\/2 extended CONNECT \/chat \(chat\)/);
    const large = randomBytes(1024 * 1024);
    peer.sendText('über');
    peer.sendBinary(large);
    peer.write(peer.connection.startMessage('binary', Uint8Array.of(1)));
    peer.write(peer.connection.ping('p'));
    peer.write(peer.connection.finishMessage(Uint8Array.of(2)));
    const [first, second, third] = await Promise.all([peer.nth('message', 0), peer.nth('message', 1), peer.nth('message', 2)]);
    expect([first.kind, text(first.data)]).toEqual(['text', 'über']);
    expect(second.kind).toBe('binary');
    expect(Buffer.compare(second.data, large)).toBe(0);
    expect([third.kind, [...third.data]]).toEqual(['binary', [1, 2]]);
    expect(text((await peer.nth('pong')).data)).toBe('p');
    peer.close(1000, 'done');
    expect(await peer.closed).toMatchObject({ code: 1000, clean: true });
    await once(stream, 'close');
    expect(stream.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR); // both sides ended with END_STREAM, no reset
  });

  it('serves many WebSockets as concurrent streams of one connection', async () => {
    const opened = await Promise.all(Array.from({ length: 20 }, (_, i) => connectWebSocket(session, `/stream/${i}`)));
    opened.forEach(({ peer }, i) => peer.sendText(`message ${i}`));
    const echoes = await Promise.all(opened.map(({ peer }) => peer.nth('message')));
    expect(echoes.map((event) => text(event.data))).toEqual(opened.map((_, i) => `message ${i}`));
    for (const { peer } of opened) peer.close(1000);
    await Promise.all(opened.map(({ peer }) => peer.closed));
  });

  it('reports 1006 when the client resets the stream, and the connection goes on', async () => {
    const { stream } = await connectWebSocket(session, '/reset-me');
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await server.waitFor(/\[(\d+)\] open HTTP\/2 extended CONNECT \/reset-me\n(?:.*\n)*?\[\1\] closed 1006 not clean/);
    const { peer } = await connectWebSocket(session, '/after');
    peer.sendText('still here');
    expect(text((await peer.nth('message')).data)).toBe('still here');
  });

  it.each([
    ['another WebSocket version', 400, { 'sec-websocket-version': '12' }],
    ['another :protocol', 501, { ':protocol': 'webtransport' }],
  ])('answers %s with %i', async (_name, status, headers) => {
    const opened = await connectWebSocket(session, '/x', headers);
    expect(opened.status).toBe(status);
    if (status === 400) expect(opened.headers['sec-websocket-version']).toBe('13');
  });

  it('serves the demo page for GET / and 404 for other requests', async () => {
    const get = async (path: string) => {
      const stream = session.request({ ':path': path });
      const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
      let body = '';
      for await (const chunk of stream) body += chunk;
      return { status: headers[':status'], type: headers['content-type'], body };
    };
    expect(await get('/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', body: expect.stringContaining('<title>hybi echo</title>') });
    expect((await get('/nothing')).status).toBe(404);
  });

  it('opens new streams on a connection while a 16 MiB echo is pending on it', async () => {
    // Node refuses new streams (RST_STREAM(ENHANCE_YOUR_CALM)) while more than
    // maxSessionMemory is handed to a session's streams and not yet sent: the
    // server must give its echo to the stream in bounded pieces.
    const own = await openSession(`${scheme}://localhost:${server.port}`);
    const { stream, peer } = await connectWebSocket(own.session, '/large-echo');
    const message = randomBytes(16 * 1024 * 1024);
    peer.sendBinary(message);
    // Once the echo starts arriving the server holds all of it: from then on,
    // one GET / at a time, until the echo is complete. We read everything.
    let echoed = false;
    let getting = false;
    const statuses: (number | string)[] = [];
    stream.on('data', () => {
      if (echoed || getting) return;
      getting = true;
      const get = own.session.request({ ':path': '/' });
      get.on('error', () => {});
      get.once('response', (headers) => statuses.push(Number(headers[':status'])));
      get.once('close', () => {
        if (get.rstCode) statuses.push(`RST_STREAM ${get.rstCode}`);
        getting = false;
      });
      get.resume();
    });
    const echo = await Promise.race([
      peer.nth('message', 0, 30_000),
      peer.closed.then((close) => Promise.reject(new Error(`closed ${close.code} before the echo; GET / answers: ${statuses.join(', ')}`))),
    ]);
    echoed = true;
    expect(Buffer.compare(echo.data, message)).toBe(0);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    peer.close(1000);
    await peer.closed;
    own.session.close();
  }, 45_000);

  it('stops reading a stream whose echoes are not read (flow control closes the window)', async () => {
    const { stream, peer } = await connectWebSocket(session, '/flood');
    stream.pause();
    const messages = Array.from({ length: 16 }, () => randomBytes(4 * 1024 * 1024));
    for (const message of messages) peer.sendBinary(message);
    await sleep(1500);
    expect(stream.writableLength).toBeGreaterThan(48 * 1024 * 1024); // most of 64 MiB still waits on our side
    stream.resume();
    const last = await peer.nth('message', 15, 30_000);
    expect(Buffer.compare(last.data, messages[15]!)).toBe(0);
    peer.close(1000);
    await peer.closed;
  }, 45_000);
});

describe('echo client -> Node http2 servers', () => {
  const cert = readFileSync(certFile);
  const key = readFileSync(keyFile);

  it('over TLS with --h2: extended CONNECT when the server enables it', async () => {
    const server = http2.createSecureServer({ cert, key, settings: { enableConnectProtocol: true } });
    const received: string[] = [];
    server.on('stream', (stream, headers) => {
      expect(headers[':protocol']).toBe('websocket');
      stream.respond({ ':status': 200 });
      const peer = new TestPeer(stream, undefined, 'server');
      peer.sendText('one');
      peer.sendBinary(Uint8Array.of(2));
      void Promise.all([peer.nth('message', 0), peer.nth('message', 1)]).then((echoes) => {
        received.push(...echoes.map((event) => `${event.kind}:${[...event.data]}`));
        peer.close(4002, 'enough');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    const result = await runEchoClient([`wss://localhost:${port}/h2`, '--h2', '--insecure']);
    server.close();
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('echoed over HTTP/2; closed 4002 "enough"');
    expect(result.code).toBe(0);
    expect(received).toEqual(['text:111,110,101', 'binary:2']);
  });

  it('with --h2, exits 1 when the response selects a subprotocol it did not offer', async () => {
    const server = http2.createSecureServer({ cert, key, settings: { enableConnectProtocol: true } });
    const reset = new Promise<number>((resolve) => {
      server.on('stream', (stream) => {
        stream.on('error', () => {});
        stream.respond({ ':status': 200, 'sec-websocket-protocol': 'chat' }); // the client offered none
        stream.once('close', () => resolve(stream.rstCode));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    const result = await runEchoClient([`wss://localhost:${port}/`, '--h2', '--insecure']);
    server.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^echo-client: handshake failed: .*protocol/);
    expect(result.stdout).toBe('');
    expect(await reset).toBe(http2.constants.NGHTTP2_CANCEL); // the client dropped the stream
  });

  it('with --h2, falls back to HTTP/1.1 when the SETTINGS lack ENABLE_CONNECT_PROTOCOL', async () => {
    // One cleartext port: h2c without the setting, HTTP/1.1 Upgrade by ws.
    const h2 = http2.createServer();
    h2.on('stream', (stream) => stream.respond({ ':status': 500 }, { endStream: true }));
    const h1 = http.createServer();
    const wss = new WebSocketServer({ server: h1 });
    wss.on('connection', (ws) => {
      ws.send('over HTTP/1.1?');
      ws.on('message', () => ws.close(1000));
    });
    const preface = 'PRI * HTTP/2.0';
    const server = net.createServer((socket) => {
      socket.once('data', (chunk) => {
        socket.pause();
        socket.unshift(chunk);
        (chunk.toString('latin1').startsWith(preface) ? h2 : h1).emit('connection', socket);
        socket.resume();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    const result = await runEchoClient([`ws://127.0.0.1:${port}/`, '--h2']);
    server.close();
    expect(result.stderr).toContain('the server does not enable extended CONNECT (RFC 8441): using HTTP/1.1');
    expect(result.stdout).toContain('echoed over HTTP/1.1; closed 1000');
    expect(result.code).toBe(0);
  });
});
