#!/usr/bin/env node
// permessage-deflate end to end: compressed frames parsed and produced through
// @hybi/frame-codec's Connection with PerMessageDeflate (pako and node:zlib
// backends), against ws 8's Receiver and Sender with its PerMessageDeflate,
// on the same JSON-like payloads (1 KiB and 64 KiB), context takeover on and off.
//
//   pnpm build && node bench/permessage-deflate/end-to-end.mjs [--rounds 5] [--ms 400]
//
// - receive: a server reads a client's masked, compressed text frames, fed in
//   16 KiB chunks (one identical pre-built stream for every codec), until every
//   message has come out (ws's inflation is asynchronous: the next chunk is
//   written when ws asks for it).
// - send: a server compresses and frames the same messages (unmasked), until
//   the last frame is out (ws's Sender queues and compresses in the background).
//
// Method as run.mjs: a verification pass first (every codec's output decoded by
// the other side's parsers), each measurement in its own process, rounds
// interleaved, medians and per-round ratios against ws.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { DISTINCT, messages } from './messages.mjs';

const require = createRequire(import.meta.url);
const codecModule = await import(new URL('../../packages/frame-codec/dist/index.js', import.meta.url).href);
const deflateModule = await import(new URL('../../packages/permessage-deflate/dist/index.js', import.meta.url).href);
const { Connection, seededRandom } = codecModule;
const { PerMessageDeflate } = deflateModule;
const wsLib = join(dirname(require.resolve('ws/package.json')), 'lib');
const WsPerMessageDeflate = require(join(wsLib, 'permessage-deflate.js'));
const WsReceiver = require(join(wsLib, 'receiver.js'));
const WsSender = require(join(wsLib, 'sender.js'));

const SIZES = [1024, 65536];
const MODES = ['takeover', 'no-takeover'];
const OPERATIONS = ['receive', 'send'];
const CODECS = ['hybi-pako', 'hybi-node-zlib', 'ws'];
const CHUNK = 16 * 1024;
const LIMIT = 64 * 1024 * 1024;

const params = (mode) => ({ windowBits: 15, noContextTakeover: mode === 'no-takeover' });
const backendOf = (name) => (name === 'hybi-node-zlib' ? deflateModule.nodeZlibBackend(zlib) : deflateModule.pakoBackend());

/** The stream of messages one pass works through. */
function stream(size) {
  const input = messages(size);
  const repeat = Math.max(1, Math.ceil((size <= 1024 ? 4096 : 128) / DISTINCT));
  return Array.from({ length: repeat }, () => input).flat();
}

/** A client's masked, compressed frames for `items` (what every receiver parses), built by hybi. */
function clientStream(items, mode) {
  const extension = new PerMessageDeflate({ compress: params(mode), decompress: params(mode) });
  const client = new Connection({ role: 'client', random: seededRandom(1), extensions: [extension] });
  return Buffer.concat(items.flatMap((item) => client.sendText(item)));
}

function chunks(bytes) {
  const copy = Buffer.from(bytes); // parsers unmask in place: a fresh copy per pass
  const out = [];
  for (let at = 0; at < copy.length; at += CHUNK) out.push(copy.subarray(at, at + CHUNK));
  return out;
}

function wsDeflate(isServer, mode) {
  const noContextTakeover = mode === 'no-takeover';
  const pmd = new WsPerMessageDeflate({ isServer, maxPayload: LIMIT, serverNoContextTakeover: noContextTakeover, clientNoContextTakeover: noContextTakeover });
  // A server answers an offer without parameters from its options; a client takes the response's parameters.
  if (isServer) pmd.accept([{}]);
  else pmd.accept([noContextTakeover ? { server_no_context_takeover: [true], client_no_context_takeover: [true] } : {}]);
  return pmd;
}

// --- receivers: feed(bytes) resolves with the messages, in order ------------

function hybiReceiver(name, mode, role) {
  return (bytes, onMessage) => {
    const extension = new PerMessageDeflate({ compress: params(mode), decompress: params(mode) }, { backend: backendOf(name) });
    const connection = new Connection({ role, maxMessageSize: LIMIT, extensions: [extension] });
    for (const chunk of chunks(bytes)) {
      for (const event of connection.receive(chunk)) {
        if (event.type === 'message') onMessage(event.data);
        else throw new Error(`unexpected ${event.type}: ${event.reason ?? ''}`);
      }
    }
    return Promise.resolve();
  };
}

function wsReceiver(mode, isServer) {
  return (bytes, onMessage) =>
    new Promise((resolve, reject) => {
      const pmd = wsDeflate(isServer, mode);
      const receiver = new WsReceiver({ isServer, maxPayload: LIMIT, extensions: { 'permessage-deflate': pmd } });
      receiver.on('message', (data) => onMessage(data));
      receiver.on('error', reject);
      const list = chunks(bytes);
      let i = 0;
      const next = () => {
        if (i === list.length) {
          pmd.cleanup();
          return resolve();
        }
        receiver._write(list[i++], 'buffer', next);
      };
      next();
    });
}

// --- senders: send(items) resolves with the frames' byte arrays --------------

function hybiSender(name, mode) {
  return (items) => {
    const extension = new PerMessageDeflate({ compress: params(mode), decompress: params(mode) }, { backend: backendOf(name) });
    const server = new Connection({ role: 'server', extensions: [extension] });
    const out = [];
    for (const item of items) for (const piece of server.sendText(item)) out.push(piece);
    return Promise.resolve(out);
  };
}

function wsSender(mode) {
  return (items) =>
    new Promise((resolve) => {
      const pmd = wsDeflate(true, mode);
      const out = [];
      const socket = { write: (data, cb) => (out.push(data), cb && cb(), true), cork() {}, uncork() {} };
      const sender = new WsSender(socket, { 'permessage-deflate': pmd });
      const options = { binary: false, compress: true, fin: true, mask: false };
      items.forEach((item, i) =>
        sender.send(Buffer.from(item.buffer, item.byteOffset, item.length), options, i === items.length - 1 ? () => (pmd.cleanup(), resolve(out)) : undefined),
      );
    });
}

const receiverOf = (name, mode) => (name === 'ws' ? wsReceiver(mode, true) : hybiReceiver(name, mode, 'server'));
const senderOf = (name, mode) => (name === 'ws' ? wsSender(mode) : hybiSender(name, mode));

const equal = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

async function collect(receive, bytes) {
  const out = [];
  await receive(bytes, (data) => out.push(data));
  return out;
}

async function verify() {
  for (const size of SIZES) {
    const items = stream(size).slice(0, 80);
    for (const mode of MODES) {
      const input = clientStream(items, mode);
      for (const name of CODECS) {
        const received = await collect(receiverOf(name, mode), input);
        if (received.length !== items.length || !received.every((r, i) => equal(r, items[i]))) throw new Error(`verify receive: ${name}, ${size} B, ${mode}`);
        // What this codec sends, every client-side parser decodes.
        const sent = Buffer.concat(await senderOf(name, mode)(items));
        for (const parser of [wsReceiver(mode, false), hybiReceiver('hybi-pako', mode, 'client'), hybiReceiver('hybi-node-zlib', mode, 'client')]) {
          const decoded = await collect(parser, sent);
          if (decoded.length !== items.length || !decoded.every((r, i) => equal(r, items[i]))) throw new Error(`verify send: ${name}, ${size} B, ${mode}`);
        }
      }
    }
  }
}

async function child(operation, name, size, mode, ms) {
  const items = stream(size);
  let pass;
  if (operation === 'receive') {
    const input = clientStream(items, mode);
    const receive = receiverOf(name, mode);
    pass = async () => {
      let count = 0;
      await receive(input, () => count++);
      if (count !== items.length) throw new Error(`${count} of ${items.length} messages`);
    };
  } else {
    const send = senderOf(name, mode);
    pass = async () => {
      const out = await send(items);
      if (out.length === 0) throw new Error('nothing sent');
    };
  }
  await pass(); // warm up
  let passes = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await pass();
    passes++;
  }
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(JSON.stringify({ perSecond: (passes * items.length) / seconds }));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const args = process.argv.slice(2);
  const option = (flag, fallback) => {
    const i = args.indexOf(flag);
    return i === -1 ? fallback : Number(args[i + 1]);
  };
  if (args[0] === '--child') return child(args[1], args[2], Number(args[3]), args[4], Number(args[5]));
  const rounds = option('--rounds', 5);
  const ms = option('--ms', 400);
  await verify();
  console.log('verified: every codec parses the same client stream into the messages, and what each sends decodes with ws and hybi');
  const results = {};
  for (let round = 0; round < rounds; round++) {
    for (const operation of OPERATIONS) {
      for (const size of SIZES) {
        for (const mode of MODES) {
          // Rotate the order per round so no codec always runs first.
          const order = CODECS.map((_, i) => CODECS[(i + round) % CODECS.length]);
          for (const name of order) {
            const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', operation, name, String(size), mode, String(ms)], { encoding: 'utf8' });
            if (run.status !== 0) throw new Error(`${operation} ${name} ${size} ${mode}: ${run.stderr}`);
            ((results[`${operation}|${size}|${mode}`] ??= {})[name] ??= []).push(JSON.parse(run.stdout).perSecond);
          }
        }
      }
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  const lines = [
    `node ${process.versions.node}, zlib ${process.versions.zlib}, ${rounds} rounds of ${ms} ms; medians; x ws = per-round ratio against ws, median`,
    '',
    '| direction | message | context takeover | codec | msg/s | MB/s | x ws |',
    '|---|---|---|---|---:|---:|---:|',
  ];
  for (const operation of OPERATIONS) {
    for (const size of SIZES) {
      for (const mode of MODES) {
        const byCodec = results[`${operation}|${size}|${mode}`];
        for (const name of CODECS) {
          const samples = byCodec[name];
          const perSecond = median(samples);
          const ratio = median(samples.map((s, i) => s / byCodec.ws[i]));
          lines.push(
            `| ${operation === 'receive' ? 'receive (masked, parse + inflate)' : 'send (compress + frame)'} | ${size === 1024 ? '1 KiB' : '64 KiB'} | ${mode === 'takeover' ? 'on' : 'off'} | ${name} | ${Math.round(perSecond)} | ${((perSecond * size) / 1e6).toFixed(1)} | ${ratio.toFixed(2)} |`,
          );
        }
      }
    }
  }
  console.log(lines.join('\n'));
}

await main();
