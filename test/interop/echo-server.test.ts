// examples/echo-server.mjs over HTTP/1.1, driven with raw bytes: handshake
// answers, leftovers, failures with the right close code, isolation between
// peers, backpressure, the demo log's bound, and shutdown (HTTP/2 streams
// too). Other files test it against real peers.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, type ConnectionEvent } from '@hybi/frame-codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWebSocket, type EchoServer, exchange, killChildren, openHttp1, openSession, startEchoServer, text } from './helpers.js';

let server: EchoServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(killChildren);

const upgrade = (lines: string[], method = 'GET', target = '/x', version = 'HTTP/1.1') =>
  `${method} ${target} ${version}\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n`;
const valid = (port: number) => [`Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'];

describe('HTTP/1.1 requests', () => {
  it('serves the demo page for GET / and nothing else without Upgrade', async () => {
    const page = (await exchange(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`)).toString('latin1');
    expect(page).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(page).toContain('Content-Type: text/html; charset=utf-8');
    expect(page.slice(page.indexOf('\r\n\r\n') + 4)).toBe(readFileSync(new URL('../../examples/demo.html', import.meta.url), 'latin1'));
    const other = (await exchange(server.port, `GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`)).toString('latin1');
    expect(other).toMatch(/^HTTP\/1\.1 426 /);
    expect(other).toContain('Upgrade: websocket\r\n');
  });

  it.each([
    ['a method other than GET', 405, (port: number) => upgrade(valid(port), 'POST'), 'Allow: GET'],
    ['another WebSocket version', 426, (port: number) => upgrade(valid(port).map((line) => line.replace('Version: 13', 'Version: 8'))), 'Sec-WebSocket-Version: 13'],
    ['a bad key', 400, (port: number) => upgrade(valid(port).map((line) => line.replace(/Key: .*/, 'Key: short'))), ''],
    ['no Host', 400, (port: number) => upgrade(valid(port).slice(1)), ''],
    ['HTTP/1.0', 400, (port: number) => upgrade(valid(port), 'GET', '/x', 'HTTP/1.0'), ''],
    ['a 20 KiB header line', 431, (port: number) => upgrade([...valid(port), `X-Big: ${'a'.repeat(20_000)}`]), ''],
    ['bytes that are not HTTP', 400, () => 'hello there\r\n\r\n', ''],
  ])('rejects %s with %i', async (_name, status, request, header) => {
    const response = (await exchange(server.port, request(server.port))).toString('latin1');
    expect(response).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(response).toMatch(/\r\nConnection: (?:Upgrade, )?close\r\n/);
    if (header) expect(response).toContain(`${header}\r\n`);
  });

  it('reads frames sent in the same write as the handshake (leftover bytes)', async () => {
    const framer = new Connection({ role: 'client' });
    const frames = Buffer.concat([...framer.sendText('early'), ...framer.sendBinary(Uint8Array.of(1, 2, 3))]);
    const echoes = [0x81, 5, ...Buffer.from('early'), 0x82, 3, 1, 2, 3];
    const afterHead = (received: Buffer) => received.subarray(received.indexOf('\r\n\r\n') + 4);
    const response = await exchange(server.port, Buffer.concat([Buffer.from(upgrade(valid(server.port))), frames]), (received) => received.includes('\r\n\r\n') && afterHead(received).length >= echoes.length);
    expect(response.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    expect([...afterHead(response)]).toEqual(echoes);
  });

  it('selects the first subprotocol offered', async () => {
    const response = await exchange(server.port, upgrade([...valid(server.port), 'Sec-WebSocket-Protocol: chat, superchat']), (received) => received.includes('\r\n\r\n'));
    expect(response.toString('latin1')).toContain('Sec-WebSocket-Protocol: chat\r\n');
  });
});

describe('messages and closing', () => {
  it('echoes text as text and binary as binary, fragmented messages whole, pings with pongs', async () => {
    const client = await openHttp1(server.port, '/any/path?x=1');
    client.sendText('héllo');
    client.sendBinary(Uint8Array.of(0, 255));
    client.write(client.connection.startMessage('text', 'frag'));
    client.write(client.connection.ping('are you there'));
    client.write(client.connection.continueMessage('men'));
    client.write(client.connection.finishMessage('ted'));
    const [first, second, third] = await Promise.all([client.nth('message', 0), client.nth('message', 1), client.nth('message', 2)]);
    expect([first.kind, text(first.data)]).toEqual(['text', 'héllo']);
    expect([second.kind, [...second.data]]).toEqual(['binary', [0, 255]]);
    expect([third.kind, text(third.data)]).toEqual(['text', 'fragmented']);
    expect(text((await client.nth('pong')).data)).toBe('are you there');
    client.close(4000, 'bye');
    expect(await client.closed).toMatchObject({ code: 4000, clean: true, initiator: 'local' });
  });

  it('echoes messages that came in the same segment as the Close, before answering it (RFC 6455 5.5.1)', async () => {
    const client = await openHttp1(server.port, '/last-words');
    const { connection } = client;
    // One write, so one segment on loopback: the server reads both messages and the Close in one chunk.
    const frames = [...connection.sendText('one'), ...connection.sendBinary(Uint8Array.of(2)), ...connection.close(1000, 'bye')];
    client.transport.write(Buffer.concat(frames));
    expect(await client.closed).toMatchObject({ code: 1000, clean: true, initiator: 'local' });
    const received = client.events.filter((event) => event.type === 'message' || event.type === 'close');
    expect(received.map((event) => (event.type === 'message' ? `${event.kind} ${[...event.data]}` : event.type))).toEqual([
      'text 111,110,101',
      'binary 2',
      'close',
    ]);
    await server.waitFor(/\[(\d+)\] open HTTP\/1\.1 Upgrade \/last-words\n(?:.*\n)*?\[\1\] closed 1000 "bye" clean/);
  });

  it.each([
    ['an unmasked frame', Buffer.from([0x81, 0x02, 0x68, 0x69]), 1002],
    ['invalid UTF-8 in a text message', Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28]), 1007],
    ['a frame announcing 64 MiB + 1', Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0x04, 0, 0, 1, 0, 0, 0, 0]), 1009],
    ['a reserved opcode', Buffer.from([0x83, 0x80, 0, 0, 0, 0]), 1002],
    // Close frames the server must not accept (RFC 6455 5.5.1, 7.4): masked with zeros, so the payload is as written.
    ['a Close with code 1005 (never sent)', Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xed]), 1002],
    ['a Close with code 999', Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe7]), 1002],
    ['a Close with code 5000', Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x13, 0x88]), 1002],
    ['a Close with a 1-byte payload', Buffer.from([0x88, 0x81, 0, 0, 0, 0, 0x03]), 1002],
    ['a Close whose reason is not UTF-8', Buffer.from([0x88, 0x84, 0, 0, 0, 0, 0x03, 0xe8, 0xc3, 0x28]), 1007],
  ])('fails %s with %i, and keeps serving others', async (_name, bytes, code) => {
    const bad = await openHttp1(server.port);
    const good = await openHttp1(server.port);
    bad.transport.write(bytes);
    expect(await bad.closed).toMatchObject({ code, clean: true });
    good.sendText('still here');
    expect(text((await good.nth('message')).data)).toBe('still here');
    good.close(1000);
    await good.closed;
  });

  it('reports 1006 when a peer vanishes, and keeps serving', async () => {
    const gone = await openHttp1(server.port, '/vanish');
    gone.transport.destroy();
    await server.waitFor(/\[(\d+)\] open HTTP\/1\.1 Upgrade \/vanish\n(?:.*\n)*?\[\1\] closed 1006 not clean/);
    const good = await openHttp1(server.port);
    good.sendText('ok');
    expect(text((await good.nth('message')).data)).toBe('ok');
  });
});

const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

describe('backpressure', () => {
  it('stops reading from a peer that does not read its echoes, then delivers them all', async () => {
    const flooder = await openHttp1(server.port, '/flood');
    flooder.transport.pause(); // never read: the server's writes back up
    const before = rss(server.child.pid!);
    const messages = Array.from({ length: 32 }, () => randomBytes(4 * 1024 * 1024)); // 128 MiB in all
    for (const message of messages) flooder.sendBinary(message);
    await sleep(1500);
    // The server read a few messages, then paused: most are still queued on our side...
    expect(flooder.transport.writableLength).toBeGreaterThan(96 * 1024 * 1024);
    // ...and it holds a few messages' worth, not 128 MiB of echoes.
    expect(rss(server.child.pid!) - before).toBeLessThan(48 * 1024 * 1024);

    // Meanwhile, it serves others.
    const other = await openHttp1(server.port);
    other.sendText('not blocked');
    expect(text((await other.nth('message')).data)).toBe('not blocked');

    flooder.transport.resume();
    const last = await flooder.nth('message', 31, 20_000);
    expect(Buffer.compare(last.data, messages[31]!)).toBe(0);
    const echoes = flooder.events.filter((event) => event.type === 'message');
    expect(echoes.every((event, i) => Buffer.compare(event.data, messages[i]!) === 0)).toBe(true);
    flooder.close(1000);
    await flooder.closed;
  }, 40_000);
});

describe('demo frame log', () => {
  it('reports every frame of the observed connection, or counts the ones it skipped for a log socket that is not read', async () => {
    const log = await openHttp1(server.port, '/log', ['Sec-WebSocket-Protocol: hybi-demo-log']);
    const { id } = JSON.parse(text((await log.nth('message', 0)).data)) as { id: string };
    log.transport.pause(); // the page stops reading its log
    const echo = await openHttp1(server.port, `/observed?log=${id}`);
    // 250,000 empty binary frames (masked with zeros), and we read their echoes.
    // Each makes two log lines of ~120 bytes: 60 MB, more than the kernel's
    // socket buffers hold, so the server has to keep them or skip them.
    const frames = 250_000;
    const before = rss(server.child.pid!);
    echo.transport.write(Buffer.alloc(frames * 6, Buffer.from([0x82, 0x80, 0, 0, 0, 0])));
    await echo.until(() => echo.events.length >= frames, `${frames} echoes`, 60_000); // only messages so far
    expect(echo.events.every((event) => event.type === 'message')).toBe(true);
    // Keeping every report would take 60 MB of lines (some 370 MB of RSS, as Buffers); skipping them, little.
    expect(rss(server.child.pid!) - before).toBeLessThan(160 * 1024 * 1024);
    echo.close(1000);
    await echo.closed;
    log.transport.resume();
    const isCloseReport = (event?: ConnectionEvent) => event?.type === 'message' && text(event.data).startsWith('{"type":"close"');
    await log.until(() => isCloseReport(log.events.at(-1)), 'the close report', 60_000); // the last the log gets
    const reports = log.events.flatMap((event) => (event.type === 'message' ? [JSON.parse(text(event.data)) as { type: string; frames?: number }] : []));
    const shown = reports.filter((report) => report.type === 'frame').length;
    const unreported = reports.reduce((sum, report) => sum + (report.type === 'unreported' ? report.frames! : 0), 0);
    // Each message and its echo, then the Close and its answer: all shown or counted.
    expect(shown + unreported).toBe(2 * frames + 2);
    expect(unreported).toBeGreaterThan(0);
    log.close(1000);
    await log.closed;
  }, 120_000);
});

describe('shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s, sends Close 1001 to every connection, HTTP/1.1 and HTTP/2, and exits 0', async (signal) => {
    const own = await startEchoServer();
    const { session } = await openSession(`http://127.0.0.1:${own.port}`);
    const streams = await Promise.all([connectWebSocket(session, '/h2-a'), connectWebSocket(session, '/h2-b')]);
    const clients = [...(await Promise.all([openHttp1(own.port), openHttp1(own.port)])), ...streams.map(({ peer }) => peer)];
    const exited = new Promise((resolve) => own.child.once('exit', (code) => resolve(code)));
    own.child.kill(signal);
    for (const client of clients) expect(await client.closed).toMatchObject({ code: 1001, clean: true, initiator: 'peer' });
    expect(await exited).toBe(0);
    expect(own.output()).toContain(`${signal}: closing 4 connection(s) with 1001`);
    session.destroy();
  });
});
