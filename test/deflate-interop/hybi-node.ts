// A minimal Node embedding of hybi with permessage-deflate, for the interop
// tests: node:net + @hybi/handshake + @hybi/frame-codec + PerMessageDeflate.
// A server that echoes every message, and a client that sends and waits.
// Not the reference embedding (examples/ is): only what the tests need,
// plus counters of compressed messages, taken by wrapping the extension.
import net from 'node:net';
import { Connection, type ConnectionEvent, type MessageExtension } from '@hybi/frame-codec';
import { ClientHandshake, ServerHandshake } from '@hybi/handshake';
import { PerMessageDeflate, formatExtensionList, type ClientDeflateOptions, type ServerDeflateOptions } from '@hybi/permessage-deflate';

/** Compressed messages seen by one end, counted through the extension. */
export interface DeflateStats {
  compressedIn: number;
  compressedOut: number;
  uncompressedIn: number;
}

function counted(extension: PerMessageDeflate, stats: DeflateStats): MessageExtension {
  return {
    rsv: extension.rsv,
    receiveMessage(rsv, kind) {
      if (rsv === 0) stats.uncompressedIn++;
      else stats.compressedIn++;
      return extension.receiveMessage(rsv, kind);
    },
    sendMessage(kind, length, requested) {
      const transform = extension.sendMessage(kind, length, requested);
      if (transform !== null) stats.compressedOut++;
      return transform;
    },
    dispose: () => extension.dispose(),
  };
}

const MAX_MESSAGE = 8 * 1024 * 1024;

export interface EchoServer {
  readonly port: number;
  /**
   * Per accepted connection: the Sec-WebSocket-Extensions answered (null: none), the backend's name (null: none),
   * its counters and the octets each echo took on the wire (frame headers included).
   */
  readonly connections: { response: string | null; backend: string | null; stats: DeflateStats; echoOctets: number[]; closeCode?: number }[];
  close(): Promise<void>;
}

export interface EchoServerOptions {
  /** Negotiation and compression options; false: no permessage-deflate. */
  readonly deflate?: ServerDeflateOptions | false;
  /** Messages from this size up are echoed in 4 fragments (to exercise fragmented compressed sends). */
  readonly fragmentFrom?: number;
}

/** An echo server on 127.0.0.1, on an ephemeral port. */
export function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  const connections: EchoServer['connections'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const handshake = new ServerHandshake();
    const record: EchoServer['connections'][number] = { response: null, backend: null, stats: { compressedIn: 0, compressedOut: 0, uncompressedIn: 0 }, echoOctets: [] };
    let connection: Connection | null = null;

    const write = (chunks: readonly Uint8Array[]) => {
      for (const chunk of chunks) socket.write(chunk);
      return chunks.reduce((n, chunk) => n + chunk.length, 0);
    };
    const handle = (events: Iterable<ConnectionEvent>) => {
      for (const event of events) {
        switch (event.type) {
          case 'message': {
            const c = connection!;
            let octets = 0;
            if (options.fragmentFrom !== undefined && event.data.length >= options.fragmentFrom) {
              const quarter = Math.ceil(event.data.length / 4);
              octets += write(c.startMessage(event.kind, event.data.subarray(0, quarter)));
              octets += write(c.continueMessage(event.data.subarray(quarter, 2 * quarter)));
              octets += write(c.continueMessage(event.data.subarray(2 * quarter, 3 * quarter)));
              octets += write(c.finishMessage(event.data.subarray(3 * quarter)));
            } else {
              octets += write(event.kind === 'text' ? c.sendText(event.data) : c.sendBinary(event.data));
            }
            record.echoOctets.push(octets);
            break;
          }
          case 'write':
            write(event.data);
            break;
          case 'close':
            record.closeCode = event.code;
            break;
          case 'close-transport':
            socket.end();
            break;
        }
      }
    };

    socket.on('data', (chunk: Buffer) => {
      if (connection !== null) return handle(connection.receive(chunk));
      for (const event of handshake.receive(chunk)) {
        if (event.type === 'reject') {
          socket.end(event.response);
          return;
        }
        const pmd = options.deflate === false ? null : PerMessageDeflate.server(event.extensions, options.deflate);
        const { response, leftover } = handshake.accept({ extensions: pmd ? [pmd.response] : [] });
        record.response = pmd ? formatExtensionList([pmd.response]) : null;
        record.backend = pmd ? pmd.extension.backend : null;
        connections.push(record);
        socket.write(response);
        connection = new Connection({ role: 'server', maxMessageSize: MAX_MESSAGE, extensions: pmd ? [counted(pmd.extension, record.stats)] : [] });
        if (leftover.length > 0) handle(connection.receive(leftover));
      }
    });
    socket.on('end', () => {
      if (connection !== null) handle(connection.receiveEnd());
      socket.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        port,
        connections,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface HybiClient {
  /** The server's Sec-WebSocket-Extensions as accepted (null: not compressed). */
  readonly response: string | null;
  /** The backend's name (`"pako"`, `"node:zlib"`), null when not compressed. */
  readonly backend: string | null;
  readonly stats: DeflateStats;
  /** Sends a message, whole or in `fragments` pieces; `transform` as frame-codec's send option. */
  send(kind: 'text' | 'binary', data: Uint8Array, options?: { fragments?: number; transform?: boolean }): void;
  /** The next message received. */
  next(): Promise<{ kind: 'text' | 'binary'; data: Uint8Array }>;
  /** Closes with 1000 and waits for the close handshake and the end of the TCP connection. */
  close(): Promise<number | undefined>;
  /** Destroys the socket (cleanup after a failure). */
  destroy(): void;
}

export interface HybiClientOptions {
  /** Offer and compression options; false: no offer. */
  readonly deflate?: ClientDeflateOptions | false;
  readonly path?: string;
}

/** Connects to ws://127.0.0.1:port; resolves once the handshake and the extension negotiation succeeded. */
export function connectClient(port: number, options: HybiClientOptions = {}): Promise<HybiClient> {
  const deflate = options.deflate === false ? null : PerMessageDeflate.client(options.deflate);
  const handshake = new ClientHandshake({ url: `ws://127.0.0.1:${port}${options.path ?? '/'}`, extensions: deflate ? [deflate.offer] : [] });
  const socket = net.connect(port, '127.0.0.1', () => socket.write(handshake.request));
  const stats: DeflateStats = { compressedIn: 0, compressedOut: 0, uncompressedIn: 0 };
  const messages: { kind: 'text' | 'binary'; data: Uint8Array }[] = [];
  const waiting: { resolve: (m: { kind: 'text' | 'binary'; data: Uint8Array }) => void; reject: (error: Error) => void }[] = [];
  let error: Error | null = null;
  let connection: Connection | null = null;
  let closed: (code: number | undefined) => void = () => {};
  const closedPromise = new Promise<number | undefined>((resolve) => (closed = resolve));
  // Before the handshake completes: reject the connect promise; afterwards: every pending and later next().
  let failHandshake: (error: Error) => void = () => {};
  const fail = (reason: Error) => {
    if (connection === null) return failHandshake(reason);
    error ??= reason;
    for (const waiter of waiting.splice(0)) waiter.reject(reason);
  };

  const write = (chunks: readonly Uint8Array[]) => {
    for (const chunk of chunks) socket.write(chunk);
  };
  const handle = (events: Iterable<ConnectionEvent>) => {
    for (const event of events) {
      if (event.type === 'message') {
        // The data may be a view of the socket's chunk: keep a copy.
        const message = { kind: event.kind, data: event.data.slice() };
        const waiter = waiting.shift();
        if (waiter) waiter.resolve(message);
        else messages.push(message);
      } else if (event.type === 'write') write(event.data);
      else if (event.type === 'protocol-error') fail(new Error(`protocol error ${event.code}: ${event.reason}`));
      else if (event.type === 'close') fail(new Error(`closed with ${event.code}`));
      else if (event.type === 'close-transport' && !event.awaitPeer) socket.end();
    }
  };

  return new Promise((resolve, reject) => {
    failHandshake = reject;
    socket.on('error', (reason) => {
      fail(reason);
      socket.destroy();
    });
    socket.on('close', () => closed(connection?.closeCode));
    socket.on('end', () => {
      if (connection !== null) handle(connection.receiveEnd());
      else for (const event of handshake.end()) reject(new Error(`handshake ${event.type}: ${JSON.stringify(event)}`));
      socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      if (connection !== null) return handle(connection.receive(chunk));
      for (const event of handshake.receive(chunk)) {
        if (event.type !== 'accepted') {
          socket.destroy();
          return reject(new Error(`handshake ${event.type}: ${JSON.stringify(event)}`));
        }
        const result = deflate ? deflate.accept(event.extensions) : ({ type: 'declined' } as const);
        if (result.type === 'fail') {
          // RFC 7692 7: fail the WebSocket connection; the handshake did not succeed, so no Close frame.
          socket.destroy();
          return reject(new Error(`permessage-deflate response refused: ${result.message}`));
        }
        const extension = result.type === 'accepted' ? result.extension : null;
        connection = new Connection({ role: 'client', maxMessageSize: MAX_MESSAGE, extensions: extension ? [counted(extension, stats)] : [] });
        const c = connection;
        const response = event.extensions.length > 0 ? formatExtensionList(event.extensions) : null;
        resolve({
          response,
          backend: extension ? extension.backend : null,
          stats,
          send(kind, data, { fragments = 1, transform } = {}) {
            const sendOptions = transform === undefined ? undefined : { transform };
            if (fragments <= 1) return write(kind === 'text' ? c.sendText(data, sendOptions) : c.sendBinary(data, sendOptions));
            const size = Math.ceil(data.length / fragments);
            write(c.startMessage(kind, data.subarray(0, size), sendOptions));
            for (let i = 1; i < fragments - 1; i++) write(c.continueMessage(data.subarray(i * size, (i + 1) * size)));
            write(c.finishMessage(data.subarray((fragments - 1) * size)));
          },
          next: () => {
            const message = messages.shift();
            if (message) return Promise.resolve(message);
            if (error) return Promise.reject(error);
            return new Promise((res, rej) => waiting.push({ resolve: res, reject: rej }));
          },
          close: () => {
            if (c.state === 'open') write(c.close(1000));
            return closedPromise;
          },
          destroy: () => socket.destroy(),
        });
        if (event.leftover.length > 0) handle(c.receive(event.leftover));
      }
    });
  });
}

/** Deterministic test payloads: JSON-like text (compressible) and noise (incompressible), of exact sizes. */
export function jsonText(size: number, seed = 1): Uint8Array {
  let state = seed >>> 0;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'ünïcødé', '日本語'];
  const parts = ['['];
  let length = 1;
  while (length < size) {
    const part = `{"id":${Math.floor(random() * 1e9)},"user":"${words[Math.floor(random() * words.length)]}.${Math.floor(random() * 1000)}","score":${Math.round(random() * 1e6) / 100}},`;
    parts.push(part);
    length += Buffer.byteLength(part);
  }
  // Cut at `size` octets without splitting a code point (pad with spaces).
  const bytes = Buffer.from(parts.join(''));
  let end = size;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  const out = new Uint8Array(size).fill(0x20);
  out.set(bytes.subarray(0, end));
  return out;
}

export function noise(size: number, seed = 7): Uint8Array {
  const out = new Uint8Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}
