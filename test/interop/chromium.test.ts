// Headless Chromium (Debian's package, driven by playwright-core): the
// browser's own WebSocket against the echo server over HTTP/1.1 (ws://) and
// over HTTP/2 (wss://, RFC 8441), and the demo page driven as a person would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoServer, killChildren, startEchoServer } from './helpers.js';

// The page's WebSocket, typed here: the tests' type check has no DOM library.
interface PageWebSocket {
  binaryType: string;
  readonly protocol: string;
  readonly extensions: string;
  onopen: (() => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}
declare const WebSocket: new (url: string, protocol?: string) => PageWebSocket;

let context: BrowserContext;
let profile: string;
const servers: Record<'ws' | 'wss', EchoServer> = {} as never;

beforeAll(async () => {
  [servers.ws, servers.wss] = await Promise.all([startEchoServer(), startEchoServer(['--tls'])]);
  profile = mkdtempSync(join(tmpdir(), 'hybi-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true, // the self-signed examples/certs/localhost.crt
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await killChildren();
});

// Chromium uses RFC 8441 only on an HTTP/2 connection to the same origin that
// is already open: load the page from the server first.
const origins = {
  ws: () => `http://127.0.0.1:${servers.ws.port}`,
  wss: () => `https://localhost:${servers.wss.port}`,
};

async function openPage(scheme: 'ws' | 'wss'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origins[scheme]()}/`);
  return page;
}

describe.each([
  ['ws', 'HTTP/1.1', 'http/1.1', 'HTTP/1.1 Upgrade'],
  ['wss', 'HTTP/2', 'h2', 'HTTP/2 extended CONNECT'],
] as const)('Chromium over %s (%s)', (scheme, http, pageProtocol, serverSaw) => {
  it(`loads the page over ${pageProtocol}`, async () => {
    const page = await openPage(scheme);
    expect(await page.evaluate('performance.getEntriesByType("navigation")[0].nextHopProtocol')).toBe(pageProtocol);
    await page.close();
  });

  it('echoes text, binary and 16 MiB messages, and closes cleanly with its code', async () => {
    const page = await openPage(scheme);
    const result = await page.evaluate(async (url) => {
      const socket = new WebSocket(url);
      socket.binaryType = 'arraybuffer';
      const received: unknown[] = [];
      const big = new Uint8Array(16 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = i % 251;
      const same = (bytes: Uint8Array) => {
        for (let i = 0; i < bytes.length; i++) if (bytes[i] !== big[i]) return false;
        return true;
      };
      const closed = new Promise<{ code: number; wasClean: boolean }>((resolve) => {
        socket.onclose = (event) => resolve({ code: event.code, wasClean: event.wasClean });
      });
      await new Promise((resolve, reject) => {
        socket.onopen = () => resolve(undefined);
        socket.onerror = reject;
      });
      const all = new Promise<void>((resolve) => {
        socket.onmessage = (event) => {
          if (typeof event.data === 'string') received.push(event.data);
          else {
            const bytes = new Uint8Array(event.data as ArrayBuffer);
            received.push(bytes.length === big.length ? `big ok: ${same(bytes)}` : [...bytes]);
          }
          if (received.length === 3) resolve();
        };
      });
      socket.send('héllo from Chromium');
      socket.send(new Uint8Array([0, 1, 255]));
      socket.send(big);
      await all;
      socket.close(4000, 'done');
      return { received, close: await closed, protocol: socket.protocol, extensions: socket.extensions };
    }, `${scheme}://${new URL(origins[scheme]()).host}/api?case=messages`);
    expect(result.received).toEqual(['héllo from Chromium', [0, 1, 255], 'big ok: true']);
    expect(result.close).toEqual({ code: 4000, wasClean: true });
    // Chromium offers `permessage-deflate; client_max_window_bits`: the 16 MiB message went compressed both ways.
    expect(result.extensions).toBe('permessage-deflate');
    // The server's side: which handshake carried it.
    await servers[scheme].waitFor(/\[(\d+)\] open [^\n]* \/api\n(?:.*\n)*?\[\1\] closed 4000 "done" clean/);
    expect(servers[scheme].output()).toMatch(new RegExp(`open ${serverSaw} /api\\n`));
    await page.close();
  }, 60_000);

  it('echoes a message sent with send() then close() at once, before the Close answer (seen in the frame log)', async () => {
    const page = await openPage(scheme);
    const frames = await page.evaluate(async (url) => {
      // The demo's log socket reports the server's frames of the echo socket that names it.
      const log = new WebSocket(url, 'hybi-demo-log');
      const reported: { direction: string; name: string }[] = [];
      const id = await new Promise<string>((resolve) => {
        log.onmessage = (event) => {
          const message = JSON.parse(event.data as string);
          if (message.type === 'hello') resolve(message.id);
          if (message.type === 'frame') reported.push({ direction: message.direction, name: message.name });
        };
      });
      const socket = new WebSocket(`${url}?log=${id}`);
      await new Promise<void>((resolve) => (socket.onopen = resolve));
      const closed = new Promise<{ code: number; wasClean: boolean }>((resolve) => {
        socket.onclose = (event) => resolve({ code: event.code, wasClean: event.wasClean });
      });
      // A browser fires no message event once it is closing: the server's frame log shows the echo.
      socket.send('last words');
      socket.close(1000, 'bye');
      const close = await closed;
      while (!reported.some((frame) => frame.direction === 'sent' && frame.name === 'close')) await new Promise((resolve) => setTimeout(resolve, 20));
      log.close();
      return { close, reported };
    }, `${scheme}://${new URL(origins[scheme]()).host}/echo`);
    expect(frames.close).toEqual({ code: 1000, wasClean: true });
    // Whether the two frames came in one read or two depends on the browser; the echo precedes the Close either way.
    const names = (direction: string) => frames.reported.filter((frame) => frame.direction === direction).map((frame) => frame.name);
    expect(names('received')).toEqual(['text', 'close']);
    expect(names('sent')).toEqual(['text', 'close']);
    await page.close();
  }, 60_000);

  it('drives the demo page: connect, type, send, see the echo and the frame log', async () => {
    const page = await openPage(scheme);
    await page.click('#connect');
    await page.locator(`#status[data-http="${http}"]`).waitFor();
    expect(await page.textContent('#status')).toContain(`Open over ${serverSaw}, path /echo.`);
    await page.locator('#send:enabled').waitFor();
    await page.fill('#message', `typed in ${scheme}`);
    await page.click('#send');
    await page.locator('#messages li.echo', { hasText: `echo: typed in ${scheme}` }).waitFor();
    const length = String(`typed in ${scheme}`.length);
    // The frame log: the browser's masked text frame (Chromium compresses every message once
    // permessage-deflate is negotiated), and the server's unmasked echo (below the 1 KiB threshold).
    await page.locator('#frames tr', { hasText: 'sent' }).filter({ hasText: '1 (text)' }).waitFor();
    const rows = await page.$$eval('#frames tr', (trs) => trs.map((tr) => [...tr.cells].map((cell) => cell.textContent)));
    const received = rows.find((row) => row[0] === 'received' && row[1] === '1 (text)');
    expect(received).toEqual(['received', '1 (text)', '1', 'yes', expect.stringMatching(/^\d+$/), 'yes']);
    expect(rows).toContainEqual(['sent', '1 (text)', '1', 'no', length, 'no']);

    await page.click('#disconnect');
    await page.locator('#messages li.browser', { hasText: 'closed 1000' }).waitFor();
    await page.locator('#frames tr', { hasText: '8 (close)' }).filter({ hasText: 'sent' }).waitFor();
    const closeRows = await page.$$eval('#frames tr', (trs) => trs.map((tr) => tr.cells[0]!.textContent + ' ' + tr.cells[1]!.textContent));
    expect(closeRows).toEqual(expect.arrayContaining(['received 8 (close)', 'sent 8 (close)']));
    expect(await page.textContent('#messages')).toContain('browser: closed 1000 (clean)');
    // Both of the page's sockets (the log and the echo) went through the same handshake kind.
    const opened = servers[scheme].output().match(/open .* \/echo.*/g) ?? [];
    expect(opened.length).toBeGreaterThanOrEqual(2);
    expect(opened.every((line) => line.startsWith(`open ${serverSaw} /echo`))).toBe(true);
    await page.close();
  }, 60_000);
});

it('never used HTTP/1.1 Upgrade on the TLS server: the page and both WebSockets shared one HTTP/2 connection', () => {
  expect(servers.wss.output()).toContain('page GET / over HTTP/2');
  expect(servers.wss.output()).not.toMatch(/HTTP\/1\.1 Upgrade|over HTTP\/1\.1/);
});
