// permessage-deflate interop with python3-websockets (Debian's /usr/bin/python3,
// deflate on by default: 12-bit windows, every message compressed, each
// fragment sync-flushed), both roles, through python_peer.py. Messages small
// and large (1 and 2 MiB), text and binary, fragmented, context takeover on
// and off both ways, windows from 8 to 12 bits; each case with hybi on either
// backend (pako, node:zlib). Loopback, ephemeral ports; every process and
// socket is ended.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeZlibBackend, pakoBackend, type ClientDeflateOptions, type DeflateBackend, type ServerDeflateOptions } from '@hybi/permessage-deflate';
import { connectClient, jsonText, noise, startEchoServer } from './hybi-node.js';

const PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('./python_peer.py', import.meta.url));

const backends: readonly DeflateBackend[] = [pakoBackend(), nodeZlibBackend(zlib)];

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function python(args: string[]): ChildProcess {
  const child = spawn(PYTHON, [PEER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  });
  return child;
}

/** The first line the process prints, as JSON (its stderr in the error if it exits first). */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`python peer printed nothing in ${timeoutMs} ms: ${err}`)), timeoutMs);
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end === -1) return;
      clearTimeout(timer);
      resolve(JSON.parse(out.slice(0, end)));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`python peer exited with ${code}: ${err}`));
    });
  });
}

describe('python3-websockets is there', () => {
  it('version 10 or later (scripts/run.mjs installs python3-websockets with apt)', () => {
    const result = spawnSync(PYTHON, ['-c', 'import websockets; print(websockets.__version__)'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(Number(result.stdout.split('.')[0])).toBeGreaterThanOrEqual(10);
  });
});

const serverCases: { name: string; hybi: ServerDeflateOptions; python: object; response: string }[] = [
  { name: "websockets' default offer, hybi's defaults", hybi: {}, python: { default: true }, response: 'permessage-deflate' },
  {
    name: 'hybi imposes no context takeover both ways and windows of 10 (its own) and 11 bits',
    hybi: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 11 },
    python: { default: true },
    response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11',
  },
  {
    name: 'websockets asks for an 8-bit server window and no client context takeover (hybi compresses within 8 bits)',
    hybi: {},
    python: { server_max_window_bits: 8, client_max_window_bits: 9, client_no_context_takeover: true },
    response: 'permessage-deflate; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=9',
  },
];

describe.each(backends)('hybi server ($name) <- python3-websockets client, permessage-deflate', (backend) => {
  for (const c of serverCases) {
    it(c.name, { timeout: 20_000 }, async () => {
      const server = await startEchoServer({ deflate: { ...c.hybi, backend }, fragmentFrom: 60_000 });
      cleanup.push(() => server.close());
      const report = await firstLine(python(['client', JSON.stringify(c.python), String(server.port)]), 15_000);
      expect(report).toMatchObject({ ok: true, failures: [], response: c.response, closeCode: 1000 });
      const { stats, response, closeCode } = server.connections[0]!;
      expect(response).toBe(c.response);
      expect(server.connections[0]!.backend).toBe(backend.name);
      expect(closeCode).toBe(1000);
      // websockets compresses every message, fragments included; hybi its echoes from 1024 octets.
      expect(stats).toEqual({ compressedIn: report.messages, uncompressedIn: 0, compressedOut: 7 });
    });
  }
});

const sent: { kind: 'text' | 'binary'; data: Uint8Array; fragments?: number; transform?: boolean }[] = [
  { kind: 'text', data: new TextEncoder().encode('Hello') },
  { kind: 'binary', data: new Uint8Array(0) },
  { kind: 'text', data: jsonText(3000) },
  { kind: 'binary', data: noise(3000) },
  { kind: 'text', data: jsonText(200_000, 4), fragments: 5 },
  { kind: 'binary', data: jsonText(70_000, 5), fragments: 3 },
  { kind: 'text', data: jsonText(1 << 20, 2) },
  { kind: 'binary', data: jsonText(2 << 20, 3) },
  { kind: 'binary', data: noise(1 << 20) },
  { kind: 'text', data: new TextEncoder().encode('tiny but compressed'), transform: true },
  { kind: 'binary', data: jsonText(300_000, 9), transform: false },
];

const clientCases: { name: string; hybi: ClientDeflateOptions; python: object; response: string }[] = [
  {
    name: "hybi's default offer, websockets' default server (12-bit windows both ways)",
    hybi: {},
    python: { default: true },
    response: 'permessage-deflate; server_max_window_bits=12; client_max_window_bits=12',
  },
  {
    name: 'websockets imposes no context takeover both ways',
    hybi: {},
    python: { server_no_context_takeover: true, client_no_context_takeover: true },
    response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
  },
  {
    name: 'hybi asks for a 9-bit server window and compresses within 8 bits without context takeover',
    hybi: { serverMaxWindowBits: 9, clientMaxWindowBits: 8, clientNoContextTakeover: true },
    python: { default: true },
    response: 'permessage-deflate; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8',
  },
];

describe.each(backends)('hybi client ($name) -> python3-websockets server, permessage-deflate', (backend) => {
  for (const c of clientCases) {
    it(c.name, { timeout: 20_000 }, async () => {
      const peer = python(['server', JSON.stringify(c.python)]);
      cleanup.push(() => peer.stdin!.end());
      const { port } = (await firstLine(peer, 15_000)) as { port: number };
      const client = await connectClient(port, { deflate: { ...c.hybi, backend } });
      cleanup.push(() => client.destroy());
      expect(client.response).toBe(c.response);
      expect(client.backend).toBe(backend.name);
      for (const message of sent) {
        client.send(message.kind, message.data, { ...(message.fragments && { fragments: message.fragments }), ...(message.transform !== undefined && { transform: message.transform }) });
        const echo = await client.next();
        expect(echo.kind).toBe(message.kind);
        expect(Buffer.compare(Buffer.from(echo.data), Buffer.from(message.data)), `${message.kind} of ${message.data.length} octets`).toBe(0);
      }
      expect(await client.close()).toBe(1000);
      expect(client.stats.compressedOut).toBe(sent.filter((m) => m.transform ?? (m.data.length >= 1024 || (m.fragments ?? 1) > 1)).length);
      // websockets compresses every echo (those of 60000 octets or more in 4 fragments).
      expect(client.stats).toMatchObject({ compressedIn: sent.length, uncompressedIn: 0 });
    });
  }
});
