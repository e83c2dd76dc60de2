// Shared by the interop tests: the example scripts run as child processes,
// exactly as a person runs them, and a small WebSocket client over any Node
// duplex (TCP socket or http2 stream) built on @hybi/frame-codec.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import { Connection, type ConnectionEvent } from '@hybi/frame-codec';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const certFile = `${root}examples/certs/localhost.crt`;
export const keyFile = `${root}examples/certs/localhost.key`;

/** A running `node examples/echo-server.mjs --port 0 ...`. */
export interface EchoServer {
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves once its output matches. */
  waitFor(pattern: RegExp, timeout?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

/** Kills every child still running (for afterAll). */
export async function killChildren(): Promise<void> {
  await Promise.all([...children].map(async (child) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }));
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function watchOutput(child: ChildProcess) {
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const waitFor = (pattern: RegExp, timeout = 10_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = text.match(pattern);
        if (match === null) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${pattern}; output so far:\n${text}`));
      }, timeout);
      listeners.add(check);
      check();
    });
  return { output: () => text, waitFor };
}

export async function startEchoServer(args: string[] = []): Promise<EchoServer> {
  const child = track(spawn(process.execPath, ['examples/echo-server.mjs', '--port', '0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
  const { output, waitFor } = watchOutput(child);
  const [, port] = await waitFor(/listening on \w+:\/\/[^\s]+:(\d+) /);
  return {
    port: Number(port),
    child,
    output,
    waitFor,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end, with a time limit. */
export function runToEnd(command: string, args: string[], timeout = 30_000): Promise<ChildResult> {
  const child = track(spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function runEchoClient(args: string[], timeout?: number): Promise<ChildResult> {
  return runToEnd(process.execPath, ['examples/echo-client.mjs', ...args], timeout);
}

/** Starts a long-running child with its output watched (a Python peer). */
export function startChild(command: string, args: string[]) {
  const child = track(spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }));
  return { child, ...watchOutput(child), exited: once(child, 'close') as Promise<[number | null]> };
}

/**
 * A WebSocket endpoint for tests (a client unless told), over a duplex already
 * past its handshake: collects the connection's events and writes what it
 * must (Pongs, Close).
 */
export class TestPeer {
  readonly connection: Connection;
  readonly events: ConnectionEvent[] = [];
  readonly closed: Promise<Extract<ConnectionEvent, { type: 'close' }>>;
  #waiters = new Set<() => void>();

  constructor(readonly transport: Duplex, leftover?: Uint8Array, role: 'client' | 'server' = 'client') {
    this.connection = new Connection({ role, maxMessageSize: 128 * 1024 * 1024 });
    let resolveClosed: (event: Extract<ConnectionEvent, { type: 'close' }>) => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    const handle = (events: Iterable<ConnectionEvent>) => {
      for (const event of events) {
        this.events.push(event);
        if (event.type === 'write') this.write(event.data);
        if (event.type === 'close') resolveClosed(event);
        if (event.type === 'close-transport' && !transport.writableEnded) transport.end();
      }
      for (const waiter of this.#waiters) waiter();
    };
    transport.on('data', (chunk: Buffer) => handle(this.connection.receive(chunk)));
    transport.on('end', () => handle(this.connection.receiveEnd()));
    transport.on('close', () => handle(this.connection.receiveEnd()));
    transport.on('error', () => {});
    if (leftover && leftover.length > 0) handle(this.connection.receive(leftover));
  }

  write(chunks: readonly Uint8Array[]): void {
    if (!this.transport.writableEnded && !this.transport.destroyed) for (const chunk of chunks) this.transport.write(chunk);
  }

  sendText(text: string | Uint8Array): void {
    this.write(this.connection.sendText(text));
  }

  sendBinary(data: Uint8Array): void {
    this.write(this.connection.sendBinary(data));
  }

  close(code?: number, reason?: string): void {
    this.write(this.connection.close(code, reason));
  }

  /** Resolves with the n-th event (counting from 0) of `type`. */
  nth<T extends ConnectionEvent['type']>(type: T, n = 0, timeout = 10_000): Promise<Extract<ConnectionEvent, { type: T }>> {
    const found = () => this.events.filter((event) => event.type === type);
    return this.until(() => found().length > n, `${type} #${n}`, timeout).then(() => found()[n] as Extract<ConnectionEvent, { type: T }>);
  }

  /** Resolves once `done()` holds, checked after each batch of events (keep it cheap: it runs per chunk read). */
  until(done: () => boolean, what = 'the condition', timeout = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${what} within ${timeout} ms; ${this.events.length} events, the last: ${this.events.slice(-10).map((event) => event.type).join(', ')}`));
      }, timeout);
      this.#waiters.add(check);
      check();
    });
  }
}

export const text = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();

/** An HTTP/1.1 WebSocket connection to the echo server, opened with a raw socket; `headers` are extra request lines. */
export function openHttp1(port: number, path = '/', headers: string[] = []): Promise<TestPeer> {
  const socket = net.connect(port, '127.0.0.1');
  const key = randomBytes(16).toString('base64');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${headers.map((line) => `${line}\r\n`).join('')}\r\n`);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData).off('close', onClose);
      const response = head.subarray(0, end).toString('latin1');
      if (!response.startsWith('HTTP/1.1 101 ')) return reject(new Error(`handshake refused: ${response}`));
      resolve(new TestPeer(socket, head.subarray(end + 4)));
    };
    const onClose = () => reject(new Error('closed during the handshake'));
    socket.on('data', onData).on('close', onClose).on('error', () => {});
  });
}

/** A WebSocket opened over HTTP/2 by `connectWebSocket`. */
export interface Opened {
  readonly status: number;
  readonly headers: http2.IncomingHttpHeaders;
  readonly stream: http2.ClientHttp2Stream;
  readonly peer: TestPeer;
}

/** An HTTP/2 connection (h2c for http:, TLS trusting the test certificate for https:), once the server's SETTINGS came. */
export async function openSession(url: string): Promise<{ session: http2.ClientHttp2Session; settings: http2.Settings }> {
  const session = http2.connect(url, { ca: readFileSync(certFile) });
  session.on('error', () => {});
  // At 'connect' Node still reads the peer's setting as false: wait for its SETTINGS.
  const [settings] = (await once(session, 'remoteSettings')) as [http2.Settings];
  return { session, settings };
}

/** Opens a WebSocket on `session` with extended CONNECT, headers written by hand (not with @hybi/h2-bootstrap). */
export async function connectWebSocket(session: http2.ClientHttp2Session, path: string, extra: http2.OutgoingHttpHeaders = {}): Promise<Opened> {
  const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':path': path, 'sec-websocket-version': '13', ...extra }, { endStream: false });
  stream.on('error', () => {});
  const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
  return { status: Number(headers[':status']), headers, stream, peer: new TestPeer(stream) };
}

/**
 * Sends raw bytes on a new connection and reads until the server closes it,
 * or until `enough` says so (then the connection is dropped).
 */
export function exchange(port: number, request: string | Uint8Array, enough = (_received: Buffer) => false): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(request);
  let received = Buffer.alloc(0);
  socket.on('error', () => {}).on('data', (chunk) => {
    received = Buffer.concat([received, chunk]);
    if (enough(received)) socket.destroy();
  });
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}
