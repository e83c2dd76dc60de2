// permessage-deflate with headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core) against hybi's echo server when the server
// imposes no context takeover both ways: Chromium offers
// `permessage-deflate; client_max_window_bits`, the server answers with
// server_no_context_takeover and client_no_context_takeover. The page sends
// messages above the compression threshold, small and large, some twice, and
// checks that every echo arrives intact; the server's side shows the echoes
// went compressed, each message on its own (a repeated message takes as many
// octets as the first). Each case with hybi on either backend. Loopback,
// ephemeral ports; the browser and its profile are removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeZlibBackend, pakoBackend, type DeflateBackend } from '@hybi/permessage-deflate';
import { startEchoServer } from './hybi-node.js';

// The page's WebSocket, typed here: the tests' type check has no DOM library.
interface PageWebSocket {
  binaryType: string;
  readonly extensions: string;
  onopen: (() => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
  onclose: ((event: { code: number; wasClean: boolean }) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number): void;
}
declare const WebSocket: new (url: string) => PageWebSocket;

let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  profile = mkdtempSync(join(tmpdir(), 'hybi-chromium-deflate-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** What the page sends, in order: [kind, octets, seed]. The same seed twice is the same message twice. */
const MESSAGES: readonly (readonly ['text' | 'binary', number, number])[] = [
  ['text', 1500, 1],
  ['text', 1500, 1],
  ['text', 100, 2], // below the threshold: echoed uncompressed
  ['binary', 5000, 3],
  ['binary', 5000, 3],
  ['text', 1 << 20, 4],
  ['text', 1 << 20, 4],
  ['binary', 4 << 20, 5], // echoed in 4 fragments (fragmentFrom), compressed fragment by fragment
];
const THRESHOLD = 1024;
const FRAGMENT_FROM = 60_000;

const backends: readonly DeflateBackend[] = [pakoBackend(), nodeZlibBackend(zlib)];

describe.each(backends)('Chromium <- hybi server ($name), no context takeover both ways', (backend) => {
  it('receives every compressed echo intact, small and large, each message compressed on its own', async () => {
    const server = await startEchoServer({ deflate: { serverNoContextTakeover: true, clientNoContextTakeover: true, backend }, fragmentFrom: FRAGMENT_FROM });
    const page = await context.newPage();
    try {
      const result = await page.evaluate(
        async ({ url, messages }) => {
          // JSON-like text (compressible, different for every seed), as UTF-8 of exactly `size` octets.
          const make = (kind: string, size: number, seed: number): string | Uint8Array => {
            let state = seed;
            const random = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
            const bytes = new Uint8Array(size);
            const encoder = new TextEncoder();
            let at = 0;
            while (at < size) {
              const part = encoder.encode(`{"id":${Math.floor(random() * 1e9)},"user":"u${Math.floor(random() * 1000)}","score":${Math.floor(random() * 1e6)}},`);
              bytes.set(part.subarray(0, size - at), at);
              at += part.length;
            }
            return kind === 'text' ? new TextDecoder().decode(bytes) : bytes;
          };
          const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
          const socket = new WebSocket(url);
          socket.binaryType = 'arraybuffer';
          await new Promise((resolve, reject) => {
            socket.onopen = () => resolve(undefined);
            socket.onerror = reject;
          });
          const closed = new Promise<{ code: number; wasClean: boolean }>((resolve) => {
            socket.onclose = (event) => resolve({ code: event.code, wasClean: event.wasClean });
          });
          const intact: boolean[] = [];
          for (const [kind, size, seed] of messages) {
            const sent = make(kind, size, seed);
            const echo = new Promise<string | ArrayBuffer>((resolve) => {
              socket.onmessage = (event) => resolve(event.data);
            });
            socket.send(sent);
            const data = await echo;
            intact.push(typeof sent === 'string' ? data === sent : data instanceof ArrayBuffer && sameBytes(new Uint8Array(data), sent));
          }
          socket.close(1000);
          return { intact, extensions: socket.extensions, close: await closed };
        },
        { url: `ws://127.0.0.1:${server.port}/`, messages: MESSAGES },
      );
      const response = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';
      expect(result).toEqual({ intact: MESSAGES.map(() => true), extensions: response, close: { code: 1000, wasClean: true } });

      const [connection] = server.connections;
      expect(connection).toMatchObject({ response, backend: backend.name, closeCode: 1000 });
      // Chromium compressed what it sent (under client_no_context_takeover, which hybi's inflater enforces by
      // forgetting its window after each message), and hybi compressed every echo from the threshold up.
      expect(connection!.stats.compressedIn).toBeGreaterThanOrEqual(MESSAGES.filter(([, size]) => size >= THRESHOLD).length);
      expect(connection!.stats.compressedOut).toBe(MESSAGES.filter(([, size]) => size >= THRESHOLD).length);
      // server_no_context_takeover: a message sent again compresses to the same octets as the first time, and
      // JSON-like text to well under its size.
      const octets = connection!.echoOctets;
      expect(octets).toHaveLength(MESSAGES.length);
      for (const i of [1, 4, 6]) expect(octets[i], `message ${i}`).toBe(octets[i - 1]);
      MESSAGES.forEach(([, size], i) => {
        if (size >= THRESHOLD) expect(octets[i]!, `message ${i}`).toBeLessThan(size / 2);
      });
    } finally {
      await page.close();
      await server.close();
    }
  }, 120_000);
});
