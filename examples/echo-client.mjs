// A WebSocket client that echoes every message back until the server closes.
//
//   node examples/echo-client.mjs URL [--h2] [--insecure] [--protocol P] [--timeout S]
//   node examples/echo-client.mjs --autobahn ws://127.0.0.1:9001 [--agent NAME] [--h2]
//
// URL is ws:// or wss://. --h2 uses HTTP/2 extended CONNECT (RFC 8441; h2c
// with prior knowledge for ws://) and falls back to HTTP/1.1 if the server
// does not speak HTTP/2 or does not enable it. --timeout bounds the opening
// handshake (default 10 seconds). Exit code 0 after a clean close handshake,
// else 1.
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { Connection } from '@hybi/frame-codec';
import { buildRequest, parseResponse } from '@hybi/h2-bootstrap';
import { ClientHandshake } from '@hybi/handshake';
import { PerMessageDeflate } from '@hybi/permessage-deflate';
import { runWebSocket } from './lib/websocket-session.mjs';

const MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

// --- Extensions: permessage-deflate (RFC 7692), offered on every connection.

/** One per connection attempt: it remembers what it offered, to check the server's answer. */
function negotiateExtensions() {
  const deflate = PerMessageDeflate.client();
  return {
    offers: [deflate.offer],
    /** MessageExtensions for the Connection; throws on an invalid answer, which fails the connection (RFC 7692 7). */
    accept(accepted) {
      const result = deflate.accept(accepted);
      if (result.type === 'fail') throw new Error(`handshake failed: ${result.message}`);
      return result.type === 'accepted' ? [result.extension] : [];
    },
  };
}

// --- Opening: HTTP/1.1 Upgrade or HTTP/2 extended CONNECT.

/**
 * Resolves to { transport (paused), leftover, http, protocol, extensions };
 * rejects with the reason. A server that accepts the connection and never
 * answers fails it after options.timeout seconds: the timer is the
 * embedder's, as every other clock (hybi has none).
 */
function openWebSocket(url, options) {
  // The sockets and sessions of this attempt: destroyed when it takes too long, and so is any opened later
  // (a fallback to HTTP/1.1 under way).
  const opened = new Set();
  let expired = false;
  const track = (resource) => (expired ? resource.destroy() : opened.add(resource));
  const note = (message) => expired || console.error(`echo-client: ${message}`);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      for (const resource of opened) resource.destroy();
      reject(new Error(`no opening handshake within ${options.timeout} s`));
    }, options.timeout * 1000);
  });
  return Promise.race([attemptWebSocket(url, { ...options, track, note }), timeout]).finally(() => clearTimeout(timer));
}

async function attemptWebSocket(url, options) {
  if (options.h2) {
    const opened = await openHttp2(url, options);
    if (typeof opened !== 'string') return opened;
    options.note(`${opened}: using HTTP/1.1`); // why not HTTP/2
  }
  return openHttp1(url, options);
}

function connectSocket({ secure, hostname, port }, options, alpn) {
  const host = hostname.replace(/^\[|\]$/g, ''); // an IPv6 literal without its brackets
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: alpn, rejectUnauthorized: !options.insecure, noDelay: true }, () => resolve(socket))
      : net.connect({ host, port, noDelay: true }, () => resolve(socket));
    socket.once('error', (error) => reject(new Error(`connection failed: ${error.message}`))); // refused, untrusted certificate...
    options.track(socket);
  });
}

async function openHttp1(url, options, socket) {
  const handshake = new ClientHandshake({ url, protocols: options.protocols, extensions: options.extensions.offers });
  socket ??= await connectSocket(handshake.url, options, ['http/1.1']);
  socket.write(handshake.request);
  return new Promise((resolve, reject) => {
    const settle = (events) => {
      const event = events[0];
      if (!event) return;
      socket.removeListener('data', onData).removeListener('end', onEnd).removeListener('error', onError);
      socket.pause(); // the session reads on, after the leftover
      if (event.type === 'accepted') {
        resolve({ transport: socket, leftover: event.leftover, http: 'HTTP/1.1', protocol: event.protocol, extensions: event.extensions });
      } else {
        socket.destroy();
        reject(new Error(event.type === 'rejected' ? `handshake rejected: ${event.status} ${event.reason}` : `handshake failed: ${event.reason}`));
      }
    };
    const onData = (chunk) => settle(handshake.receive(chunk));
    const onEnd = () => settle(handshake.end());
    const onError = (error) => reject(new Error(`connection failed: ${error.message}`));
    socket.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/** Resolves to a reason, instead, when the server does not do WebSocket over HTTP/2: use HTTP/1.1. */
async function openHttp2(url, options) {
  const target = new URL(url);
  const secure = target.protocol === 'wss:';
  let socket;
  if (secure) {
    // Offer both: a server that does not speak HTTP/2 answers on this connection.
    socket = await connectSocket({ secure, hostname: target.hostname, port: Number(target.port || 443) }, options, ['h2', 'http/1.1']);
    if (socket.alpnProtocol !== 'h2') return openHttp1(url, options, socket);
  }
  const session = http2.connect(`${secure ? 'https' : 'http'}://${target.host}`, socket ? { createConnection: () => socket } : {});
  options.track(session);
  // Wait for the server's SETTINGS: at 'connect' Node still reads the setting as false.
  const settings = await new Promise((resolve, reject) => {
    let connected = false;
    session.once('connect', () => (connected = true));
    session.once('remoteSettings', resolve);
    // h2c with prior knowledge is a guess: a server without HTTP/2 answers the
    // preface as a bad HTTP/1.1 request, or just closes. Connected, and no
    // SETTINGS: it does not speak HTTP/2 on this port. (Over TLS, ALPN said h2.)
    const fail = (why) => (connected && !secure ? resolve(null) : reject(new Error(`HTTP/2 connection failed: ${why}`)));
    session.once('error', (error) => fail(error.message));
    session.once('close', () => fail('closed before its SETTINGS'));
  });
  session.on('error', () => {}); // the stream reports what matters
  if (settings === null) {
    session.destroy();
    return 'the server does not speak HTTP/2 with prior knowledge (h2c)';
  }
  const request = { version: 'h2', scheme: secure ? 'https' : 'http', authority: target.host, path: `${target.pathname}${target.search}`, protocols: options.protocols, extensions: options.extensions.offers };
  const built = buildRequest(request, settings.enableConnectProtocol ? 'enabled' : 'disabled');
  if (built.type !== 'request') {
    session.close();
    return 'the server does not enable extended CONNECT (RFC 8441)';
  }
  const stream = session.request(toNodeHeaders(built.headers), { endStream: false });
  stream.once('close', () => session.close()); // one WebSocket per connection here
  stream.on('error', () => {});
  const response = await new Promise((resolve, reject) => {
    stream.once('response', (_headers, _flags, rawHeaders) => resolve(parseResponse(pairs(rawHeaders), request)));
    stream.once('close', () => reject(new Error(`HTTP/2 stream closed before a response (RST_STREAM ${stream.rstCode})`)));
  });
  if (response.type !== 'accepted') {
    if ('action' in response) stream.close(response.action.code);
    else stream.close();
    throw new Error(response.type === 'rejected' ? `handshake rejected: ${response.status}` : `handshake failed: ${response.reason}`);
  }
  stream.pause();
  return { transport: stream, leftover: undefined, http: 'HTTP/2', protocol: response.protocol, extensions: response.extensions };
}

// Node gives raw headers as a flat [name, value, ...] list and wants an object; hybi uses pairs.
const pairs = (raw) => Array.from({ length: raw.length / 2 }, (_, i) => [raw[2 * i], raw[2 * i + 1]]);
function toNodeHeaders(list) {
  const headers = {};
  for (const [name, value] of list) headers[name] = name in headers ? [].concat(headers[name], value) : value;
  return headers;
}

// --- The echo.

/**
 * Opens `url`, echoes every message (or hands it to `onMessage`), and
 * resolves once the transport is closed to { opened, close, error }.
 */
async function runEcho(url, options, onMessage = (kind, data, session) => session.send(kind, data)) {
  const negotiation = negotiateExtensions();
  const opened = await openWebSocket(url, { ...options, extensions: negotiation });
  let extensions;
  try {
    extensions = negotiation.accept(opened.extensions);
  } catch (error) {
    opened.transport.destroy(); // a failed handshake: no Close frame, just drop the connection
    throw error;
  }
  const connection = new Connection({
    role: 'client',
    maxMessageSize: MAX_MESSAGE_SIZE,
    allocate: (size) => Buffer.allocUnsafe(size),
    extensions,
  });
  return new Promise((resolve) => {
    let result;
    runWebSocket(opened.transport, connection, {
      leftover: opened.leftover,
      http2: opened.http === 'HTTP/2',
      onMessage,
      onClose: (close, error) => (result = { opened, close, error }),
    });
    opened.transport.once('close', () => resolve(result));
  });
}

function describeClose({ close, error }) {
  const reason = close.reason ? ` "${close.reason}"` : '';
  if (error) return `failed the connection with ${error.code}: ${error.reason}`;
  return close.clean ? `closed ${close.code}${reason}` : `connection lost without a close handshake (${close.code})`;
}

async function echoOnce(url, options) {
  const result = await runEcho(url, options);
  const { http, protocol } = result.opened;
  console.log(`echoed over ${http}${protocol ? ` (subprotocol ${protocol})` : ''}; ${describeClose(result)}`);
  if (!result.close.clean) throw new Error(describeClose(result));
}

// --- Autobahn|Testsuite fuzzingserver agent protocol: read the case count,
// run every case (the server judges them), then have it write the reports.

async function autobahn(base, agent, options) {
  let count = '';
  await runEcho(`${base}/getCaseCount`, options, (_kind, data) => (count = Buffer.from(data).toString()));
  const cases = Number.parseInt(count, 10);
  if (!(cases >= 0)) throw new Error(`bad case count "${count}"`);
  for (let index = 1; index <= cases; index++) {
    const outcome = await runEcho(`${base}/runCase?case=${index}&agent=${encodeURIComponent(agent)}`, options).then(describeClose, (error) => error.message);
    console.log(`case ${index}/${cases}: ${outcome}`);
  }
  await runEcho(`${base}/updateReports?agent=${encodeURIComponent(agent)}`, options);
  console.log(`reports updated for agent ${agent}`);
}

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    h2: { type: 'boolean', default: false },
    insecure: { type: 'boolean', default: false },
    protocol: { type: 'string', multiple: true, default: [] },
    autobahn: { type: 'string' },
    agent: { type: 'string', default: 'hybi' },
    timeout: { type: 'string', default: '10' },
  },
});
const options = { h2: args.h2, insecure: args.insecure, protocols: args.protocol, timeout: Number(args.timeout) };

try {
  if (!(options.timeout > 0)) throw new Error(`--timeout takes a number of seconds, got "${args.timeout}"`);
  if (args.autobahn) await autobahn(args.autobahn.replace(/\/+$/, ''), args.agent, options);
  else if (positionals.length === 1) await echoOnce(positionals[0], options);
  else throw new Error('usage: echo-client.mjs URL [--h2] [--insecure] [--protocol P] [--timeout S] | --autobahn BASE_URL [--agent NAME]');
} catch (error) {
  console.error(`echo-client: ${error.message}`);
  process.exitCode = 1;
}
