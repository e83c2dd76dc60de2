// A WebSocket echo server on one port: HTTP/1.1 Upgrade (RFC 6455) and
// HTTP/2 extended CONNECT (RFC 8441), cleartext or TLS, plus a demo page.
//
//   node examples/echo-server.mjs [--port 9001] [--host 127.0.0.1] [--tls] [--cert F --key F]
//
// Every message comes back with its type. GET / serves demo.html.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Connection } from '@hybi/frame-codec';
import { acceptRequest, parseRequest } from '@hybi/h2-bootstrap';
import { ServerHandshake } from '@hybi/handshake';
import { PerMessageDeflate } from '@hybi/permessage-deflate';
import { frameLog } from './lib/frame-log.mjs';
import { runWebSocket } from './lib/websocket-session.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '9001' },
    host: { type: 'string', default: '127.0.0.1' },
    tls: { type: 'boolean', default: false },
    // A self-signed certificate for localhost and 127.0.0.1, for tests only.
    cert: { type: 'string', default: fileURLToPath(new URL('certs/localhost.crt', import.meta.url)) },
    key: { type: 'string', default: fileURLToPath(new URL('certs/localhost.key', import.meta.url)) },
  },
});

const MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
const DEMO_PAGE = readFileSync(new URL('demo.html', import.meta.url));
// The demo page's second socket, which receives the frame log of its echo socket.
const DEMO_LOG_PROTOCOL = 'hybi-demo-log';
const LOG_BUFFER = 64 * 1024; // log bytes that may wait for a slow demo page; past that, frames go unreported
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'); // RFC 9113 3.4

const sessions = new Set(); // open WebSocket connections, closed with 1001 on shutdown
const handshaking = new Set(); // sockets still in their HTTP/1.1 handshake
const observers = new Map(); // demo log id -> the page's log session
let nextId = 1;

const log = (line) => console.log(line);

// --- What to answer a WebSocket request, whichever HTTP version carried it.

/**
 * Extensions for this connection: permessage-deflate (RFC 7692) when the
 * client offers it acceptably (browsers always do). Returns the response
 * elements for the handshake and the MessageExtensions for the Connection.
 */
function negotiateExtensions(request) {
  const deflate = PerMessageDeflate.server(request.extensions); // null: no acceptable offer, declined
  return deflate ? { response: [deflate.response], codec: [deflate.extension] } : { response: [], codec: [] };
}

/** `request` has path, query, protocols, extensions (an HTTP/1.1 or HTTP/2 request event). */
function answer(request) {
  const { response, codec } = negotiateExtensions(request);
  // An echo speaks every subprotocol: select the client's first offer.
  const demoLog = request.protocols.includes(DEMO_LOG_PROTOCOL);
  const protocol = demoLog ? DEMO_LOG_PROTOCOL : (request.protocols[0] ?? null);
  return { protocol, extensions: response, codec, demoLog };
}

/** Runs the echo (or a demo page's log) once the handshake response is on its way. */
function startWebSocket(transport, request, choice, http, leftover) {
  const id = nextId++;
  const connection = new Connection({
    role: 'server',
    maxMessageSize: MAX_MESSAGE_SIZE,
    allocate: (size) => Buffer.allocUnsafe(size), // every byte is written by the codec: no zero-fill needed
    extensions: choice.codec,
  });
  // A demo page names its log socket in the query (?log=ID): this connection's
  // frames are reported there. The echo itself is the same for everyone.
  const observer = observers.get(new URLSearchParams(request.query ?? '').get('log'));
  // The log has its own backpressure: this connection's only stops reading
  // when its own writes back up, not the log socket's. A page that does not
  // read its log would make the server buffer reports without limit, so while
  // more than LOG_BUFFER waits for the log socket's reader, frames are
  // counted instead of reported, and the page is told how many it missed.
  let unreported = 0;
  const report = (event) => {
    if (!observer) return;
    if (event.type === 'frame' && observer.bufferedAmount > LOG_BUFFER) return void unreported++;
    if (unreported > 0) observer.send('text', JSON.stringify({ type: 'unreported', frames: unreported }));
    unreported = 0;
    observer.send('text', JSON.stringify(event));
  };
  const how = http === 'HTTP/2' ? 'HTTP/2 extended CONNECT' : 'HTTP/1.1 Upgrade';
  log(`[${id}] open ${how} ${request.path}${choice.protocol ? ` (${choice.protocol})` : ''}`);
  report({ type: 'open', http: how, path: request.path });

  const session = runWebSocket(transport, connection, {
    leftover,
    http2: http === 'HTTP/2',
    tap: observer && frameLog((frame) => report({ type: 'frame', ...frame })),
    onMessage: choice.demoLog ? undefined : (kind, data, self) => self.send(kind, data), // the echo
    onClose: ({ code, reason, clean }, error) => {
      log(`[${id}] closed ${code}${reason ? ` "${reason}"` : ''} ${clean ? 'clean' : 'not clean'}${error ? `: failed with ${error.code} (${error.reason})` : ''}`);
      report({ type: 'close', code, reason, clean, error: error && `${error.code} ${error.reason}` });
    },
  });
  sessions.add(session);
  transport.once('close', () => sessions.delete(session));
  if (choice.demoLog) {
    const logId = randomUUID();
    observers.set(logId, session);
    transport.once('close', () => observers.delete(logId));
    session.send('text', JSON.stringify({ type: 'hello', id: logId }));
  }
}

// --- HTTP/1.1: the opening handshake on raw bytes, with @hybi/handshake.

function serveHttp1(socket) {
  const handshake = new ServerHandshake();
  handshaking.add(socket);
  socket.setTimeout(10_000, () => socket.destroy()); // no slow handshakes
  const onData = (chunk) => {
    const events = handshake.receive(chunk);
    if (events.length === 0) return;
    // Decided: later bytes are frames, read by the session (or nothing).
    socket.off('data', onData);
    socket.pause();
    socket.setTimeout(0);
    handshaking.delete(socket);
    const rejection = events.find((event) => event.type === 'reject');
    if (rejection) return rejectHttp1(socket, rejection);
    const request = events[0];
    const choice = answer(request);
    const { response, leftover } = handshake.accept({ protocol: choice.protocol, extensions: choice.extensions });
    socket.write(response);
    startWebSocket(socket, request, choice, 'HTTP/1.1', leftover);
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  socket.once('close', () => handshaking.delete(socket));
  socket.resume(); // paused by sniff()
}

function rejectHttp1(socket, rejection) {
  // A GET without Upgrade is no WebSocket request (the handshake's 426); for "/" it is the page.
  const { request } = rejection; // the head, when it was well-formed HTTP
  if (rejection.code === 'invalid-upgrade' && request.method === 'GET' && /^\/(?:\?|$)/.test(request.target)) {
    log('page GET / over HTTP/1.1');
    const head = `HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${DEMO_PAGE.length}\r\nConnection: close\r\n\r\n`;
    return socket.end(Buffer.concat([Buffer.from(head, 'latin1'), DEMO_PAGE]));
  }
  log(`rejected HTTP/1.1 request: ${rejection.status} ${rejection.code}`);
  socket.end(rejection.response); // the package's status and reason; it says Connection: close
}

// --- HTTP/2: every stream through the 'stream' event. No 'request' listener:
// with one, Node ends extended CONNECT streams itself (see README.md).

// maxSessionMemory is Node's default, said here because it shapes the
// writes: while a connection holds more than 10 MB that its streams were
// handed and have not sent, Node refuses new streams on it with
// RST_STREAM(ENHANCE_YOUR_CALM). lib/websocket-session.mjs hands a stream
// its echoes in pieces of 64 KiB, and no more while the stream is full.
const h2server = http2.createServer({
  settings: { enableConnectProtocol: true }, // RFC 8441 3
  maxSessionMemory: 10, // MB
});
const h2sessions = new Set();
h2server.on('session', (session) => {
  h2sessions.add(session);
  session.on('error', () => {}); // 'close' follows
  session.once('close', () => h2sessions.delete(session));
});
h2server.on('stream', (stream, headers, _flags, rawHeaders) => {
  stream.on('error', () => {});
  // Node's raw headers are a flat [name, value, ...] list; hybi uses pairs.
  const pairs = Array.from({ length: rawHeaders.length / 2 }, (_, i) => [rawHeaders[2 * i], rawHeaders[2 * i + 1]]);
  const event = parseRequest(pairs, { version: 'h2', connectProtocolEnabled: true });
  switch (event.type) {
    case 'request': {
      const choice = answer(event);
      stream.respond(toNodeHeaders(acceptRequest(event, { protocol: choice.protocol, extensions: choice.extensions })));
      stream.pause();
      startWebSocket(stream, event, choice, 'HTTP/2');
      break;
    }
    case 'not-extended-connect':
      if (headers[':method'] === 'GET' && /^\/(\?|$)/.test(headers[':path'])) {
        log('page GET / over HTTP/2');
        stream.respond({ ':status': 200, 'content-type': 'text/html; charset=utf-8' });
        stream.end(DEMO_PAGE);
      } else {
        stream.respond({ ':status': 404 }, { endStream: true });
      }
      break;
    case 'malformed': // a stream error: RST_STREAM(PROTOCOL_ERROR)
      log(`reset HTTP/2 stream: ${event.kind}`);
      stream.close(event.action.code);
      break;
    case 'bad-request': // 400
    case 'unsupported-protocol': // 501
      log(`rejected HTTP/2 request: ${event.status} ${event.type === 'bad-request' ? event.kind : event.protocol}`);
      stream.respond(toNodeHeaders(event.response), { endStream: true });
      break;
  }
});

/** Node wants an object; repeated names become arrays. */
function toNodeHeaders(list) {
  const headers = {};
  for (const [name, value] of list) headers[name] = name in headers ? [].concat(headers[name], value) : value;
  return headers;
}

// --- One port for both versions.

// Cleartext: h2c with prior knowledge starts with the HTTP/2 connection
// preface; anything else is HTTP/1.1. Peek, put the bytes back, hand over.
function sniff(socket) {
  let head = Buffer.alloc(0);
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const length = Math.min(head.length, PREFACE.length);
    const h2 = head.subarray(0, length).equals(PREFACE.subarray(0, length));
    if (h2 && head.length < PREFACE.length) return; // so far so h2: wait for the rest
    socket.off('data', onData);
    socket.pause();
    socket.setTimeout(0);
    socket.unshift(head);
    if (h2) h2server.emit('connection', socket);
    else serveHttp1(socket);
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  socket.setTimeout(10_000, () => socket.destroy()); // silent clients
}

// TLS: ALPN decides; a client that offers nothing gets HTTP/1.1.
function routeTls(socket) {
  socket.on('error', () => socket.destroy());
  if (socket.alpnProtocol === 'h2') h2server.emit('connection', socket);
  else serveHttp1(socket);
}

const server = args.tls
  ? tls.createServer({ cert: readFileSync(args.cert), key: readFileSync(args.key), ALPNProtocols: ['h2', 'http/1.1'], noDelay: true }, routeTls)
  : net.createServer({ noDelay: true }, sniff);
server.on('tlsClientError', () => {}); // a failed TLS handshake concerns that client only

server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  const host = args.host.includes(':') ? `[${args.host}]` : args.host;
  const [web, ws, versions] = args.tls ? ['https', 'wss', 'TLS, ALPN h2 and http/1.1'] : ['http', 'ws', 'cleartext, HTTP/1.1 and h2c'];
  log(`listening on ${ws}://${host}:${port} (${versions}); demo page: ${web}://${host}:${port}/`);
});

// --- Shutdown: Close 1001 ("going away") to every connection, then exit.

function shutdown(signal) {
  log(`${signal}: closing ${sessions.size} connection(s) with 1001`);
  server.close();
  for (const socket of handshaking) socket.destroy();
  for (const session of sessions) session.close(1001, 'server shutting down');
  for (const session of h2sessions) session.close(); // GOAWAY; ends once its streams have
  const deadline = Date.now() + 3000;
  const check = () => (sessions.size === 0 || Date.now() > deadline ? process.exit(0) : setTimeout(check, 20));
  check();
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
