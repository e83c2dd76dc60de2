#!/usr/bin/env node
// Opening handshakes per second, server side: request in, 101 response out.
//
//   pnpm build && node bench/handshake/run.mjs [--rounds 15] [--ms 300] [--workload chromium|minimal]
//
// Time is the CPU time of each implementation's process (process.cpuUsage),
// not wall-clock time: on a shared machine, time slices given to other jobs
// would otherwise count against whichever implementation was running.
//
// Implementations (each in its own process, kept warm; samples interleaved
// round by round; ratios taken per round; medians reported):
//   hybi         @hybi/handshake (built dist) from raw request bytes:
//                new ServerHandshake().receive(bytes) then accept() -> 101 bytes
//   hybi-parsed  @hybi/handshake validateUpgradeRequest() from an already-parsed
//                request (method, url, rawHeaders) then createAcceptResponse()
//   ws           ws WebSocketServer({ noServer: true }).handleUpgrade(req, socket, head, cb)
//                with a pre-parsed fake request and a stub socket (no HTTP parsing;
//                includes ws creating its WebSocket, Receiver and Sender)
//   driver       websocket-driver from raw bytes: websocket.server(), parse(bytes),
//                start() on 'connect' -> 101 bytes on driver.io
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const self = fileURLToPath(import.meta.url);
const IMPLEMENTATIONS = ['hybi', 'hybi-parsed', 'ws', 'driver'];
const EXPECTED_ACCEPT = 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

// Header lists in the order real clients send them (Chromium 156's, observed on loopback).
const WORKLOADS = {
  chromium: [
    ['Host', 'localhost:8080'],
    ['Connection', 'Upgrade'],
    ['Pragma', 'no-cache'],
    ['Cache-Control', 'no-cache'],
    ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'],
    ['Upgrade', 'websocket'],
    ['Origin', 'http://localhost:8080'],
    ['Sec-WebSocket-Version', '13'],
    ['Accept-Encoding', 'gzip, deflate, br, zstd'],
    ['Accept-Language', 'en-US,en;q=0.9'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits'],
  ],
  minimal: [
    ['Host', 'server.example.com'],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['Sec-WebSocket-Version', '13'],
  ],
};

function requestText(headers) {
  return `GET /chat HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}

async function setup(name, headers) {
  const raw = new TextEncoder().encode(requestText(headers));
  const rawHeaders = headers.flat();
  const lowerHeaders = Object.fromEntries(headers.map(([n, v]) => [n.toLowerCase(), v]));
  const decode = (bytes) => new TextDecoder().decode(bytes);
  switch (name) {
    case 'hybi': {
      const { ServerHandshake } = await import('../../packages/handshake/dist/index.js');
      return () => {
        const handshake = new ServerHandshake();
        const [event] = handshake.receive(raw);
        if (event.type !== 'request') throw new Error(`hybi rejected: ${event.reason}`);
        return handshake.accept().response;
      };
    }
    case 'hybi-parsed': {
      const { validateUpgradeRequest, createAcceptResponse } = await import('../../packages/handshake/dist/index.js');
      return () => {
        const event = validateUpgradeRequest({ method: 'GET', target: '/chat', httpVersion: '1.1', headers: rawHeaders });
        if (event.type !== 'request') throw new Error(`hybi rejected: ${event.reason}`);
        return createAcceptResponse(event);
      };
    }
    case 'ws': {
      const { WebSocketServer } = require('ws');
      const server = new WebSocketServer({ noServer: true, clientTracking: false });
      class StubSocket extends EventEmitter {
        readable = true;
        writable = true;
        written = null;
        write(data) {
          this.written = data;
          return true;
        }
        setTimeout() {}
        setNoDelay() {}
        unshift() {}
      }
      const head = Buffer.alloc(0);
      const done = () => {};
      // What Node's http parser hands to an 'upgrade' listener, parsed once:
      // ws reads it and does not change it.
      const req = { method: 'GET', url: '/chat', httpVersion: '1.1', headers: lowerHeaders, rawHeaders, socket: {} };
      return () => {
        const socket = new StubSocket();
        server.handleUpgrade(req, socket, head, done);
        return socket.written;
      };
    }
    case 'driver': {
      const websocket = require('websocket-driver');
      const chunk = Buffer.from(raw);
      return () => {
        const driver = websocket.server();
        let written = null;
        driver.io.on('data', (data) => {
          written = data;
        });
        driver.on('connect', () => {
          if (websocket.isWebSocket(driver)) driver.start();
        });
        driver.parse(chunk);
        return written;
      };
    }
  }
  throw new Error(`unknown implementation ${name}`);
}

async function child(name, workload) {
  const once = await setup(name, WORKLOADS[workload]);
  const first = once();
  const text = typeof first === 'string' ? first : new TextDecoder().decode(first);
  process.send({ verify: text });
  for (let i = 0; i < 20000; i++) once();
  process.on('message', ({ ms }) => {
    // Batches of 1000 until the process has used `ms` of CPU time (user and
    // system: time other jobs take from this shared machine does not count);
    // GC is amortised, not forced.
    let count = 0;
    const start = process.cpuUsage();
    const limit = ms * 1000;
    let elapsed = 0;
    while (elapsed < limit) {
      for (let i = 0; i < 1000; i++) once();
      count += 1000;
      const used = process.cpuUsage(start);
      elapsed = used.user + used.system;
    }
    process.send({ perSecond: (count * 1e6) / elapsed });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function ask(worker, message) {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.send(message);
  });
}

async function parent() {
  const option = (name, fallback) => {
    const index = process.argv.indexOf(`--${name}`);
    return index === -1 ? fallback : process.argv[index + 1];
  };
  const rounds = Number(option('rounds', 15));
  const ms = Number(option('ms', 300));
  const workloads = option('workload', 'chromium,minimal').split(',');
  console.log(`node ${process.version}, ${rounds} interleaved rounds of ${ms} ms per implementation\n`);
  for (const workload of workloads) {
    const workers = {};
    for (const name of IMPLEMENTATIONS) {
      const worker = fork(self, ['--child', name, workload], { stdio: 'inherit' });
      const { verify } = await new Promise((resolve) => worker.once('message', resolve));
      // Verification pass: every implementation must produce a valid 101.
      if (!verify.startsWith('HTTP/1.1 101 ') || !verify.includes(EXPECTED_ACCEPT)) {
        throw new Error(`${name} did not produce the expected 101:\n${verify}`);
      }
      workers[name] = worker;
    }
    const samples = Object.fromEntries(IMPLEMENTATIONS.map((name) => [name, []]));
    const ratios = { 'hybi/ws': [], 'hybi/driver': [], 'hybi-parsed/ws': [] };
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so no implementation always runs first.
      const order = IMPLEMENTATIONS.map((_, i) => IMPLEMENTATIONS[(i + round) % IMPLEMENTATIONS.length]);
      const result = {};
      for (const name of order) result[name] = (await ask(workers[name], { ms })).perSecond;
      for (const name of IMPLEMENTATIONS) samples[name].push(result[name]);
      ratios['hybi/ws'].push(result.hybi / result.ws);
      ratios['hybi/driver'].push(result.hybi / result.driver);
      ratios['hybi-parsed/ws'].push(result['hybi-parsed'] / result.ws);
    }
    for (const worker of Object.values(workers)) worker.kill();
    console.log(`workload: ${workload} request (${requestText(WORKLOADS[workload]).length} bytes)\n`);
    console.log('| implementation | handshakes/s (median) | min | max |');
    console.log('|---|---:|---:|---:|');
    for (const name of IMPLEMENTATIONS) {
      const k = (v) => `${(v / 1000).toFixed(0)} k`;
      console.log(`| ${name} | ${k(median(samples[name]))} | ${k(Math.min(...samples[name]))} | ${k(Math.max(...samples[name]))} |`);
    }
    console.log('\n| ratio (per round) | median | min | max |');
    console.log('|---|---:|---:|---:|');
    for (const [name, values] of Object.entries(ratios)) {
      console.log(`| ${name} | ${median(values).toFixed(2)} | ${Math.min(...values).toFixed(2)} | ${Math.max(...values).toFixed(2)} |`);
    }
    console.log('');
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await parent();
