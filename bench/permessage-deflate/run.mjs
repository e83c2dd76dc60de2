#!/usr/bin/env node
// permessage-deflate throughput: hybi (pako backend, node:zlib backend) against
// ws's PerMessageDeflate, on the same JSON-like messages (1 KiB and 64 KiB,
// every message different), with and without context takeover.
//
//   pnpm build && node bench/permessage-deflate/run.mjs [--rounds 5] [--ms 400]
//
// Method (as in bench/README.md): identical pre-built messages for every
// codec; a verification pass (each codec's output inflated by the others)
// before timing; each measurement in its own process; rounds interleaved
// between codecs; medians and per-round ratios against ws.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { DISTINCT, messages } from './messages.mjs';

const require = createRequire(import.meta.url);
const hybi = await import(new URL('../../packages/permessage-deflate/dist/index.js', import.meta.url).href);
// Not in ws's exports map: load the file itself.
const PerMessageDeflate = require(join(dirname(require.resolve('ws/package.json')), 'lib', 'permessage-deflate.js'));

const SIZES = [1024, 65536];
const MODES = ['takeover', 'no-takeover'];
const CODECS = ['hybi-pako', 'hybi-node-zlib', 'ws'];

// --- codecs: compress(message) and decompress(payload), sequential per connection ---

function hybiCodec(backend, noContextTakeover) {
  const params = { windowBits: 15, noContextTakeover };
  return () => {
    const deflater = new hybi.MessageDeflater(params, { backend, threshold: 0 });
    const inflater = new hybi.MessageInflater(params, { backend, maxMessageBytes: 1 << 20 });
    return {
      compress: (message, done) => done(deflater.compress(message)),
      decompress: (payload, done) => {
        inflater.begin();
        const first = inflater.write(payload);
        const last = inflater.end();
        if (first.type !== 'data' || last.type !== 'data') throw new Error(`inflate failed: ${JSON.stringify(last)}`);
        const chunks = [...first.chunks, ...last.chunks];
        done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      },
      close: () => {},
    };
  };
}

function wsCodec(noContextTakeover) {
  return () => {
    const server = new PerMessageDeflate({ isServer: true, serverNoContextTakeover: noContextTakeover, clientNoContextTakeover: noContextTakeover, threshold: 0 });
    server.accept([{}]);
    const client = new PerMessageDeflate({ isServer: false });
    client.accept([noContextTakeover ? { server_no_context_takeover: [true], client_no_context_takeover: [true] } : {}]);
    return {
      compress: (message, done) =>
        server.compress(Buffer.from(message.buffer, message.byteOffset, message.length), true, (error, data) => {
          if (error) throw error;
          done(data);
        }),
      decompress: (payload, done) =>
        client.decompress(payload, true, (error, data) => {
          if (error) throw error;
          done(data);
        }),
      // What ws does when a connection closes: frees the zlib streams.
      close: () => {
        server.cleanup();
        client.cleanup();
      },
    };
  };
}

function codec(name, mode) {
  const noContextTakeover = mode === 'no-takeover';
  if (name === 'hybi-pako') return hybiCodec(hybi.pakoBackend(), noContextTakeover);
  if (name === 'hybi-node-zlib') return hybiCodec(hybi.nodeZlibBackend(zlib), noContextTakeover);
  return wsCodec(noContextTakeover);
}

/** Runs `op` over `items` in order, one at a time (each waits for the previous). */
function sequence(items, op) {
  return new Promise((resolve) => {
    const results = new Array(items.length);
    let i = 0;
    const next = () => {
      if (i === items.length) return resolve(results);
      const index = i++;
      op(items[index], (value) => {
        results[index] = value;
        // Synchronous codecs call back at once: keep the stack flat.
        if (index % 256 === 255) setImmediate(next);
        else next();
      });
    };
    next();
  });
}

const equal = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

async function verify() {
  for (const size of SIZES) {
    const input = messages(size);
    for (const mode of MODES) {
      const compressed = {};
      for (const name of CODECS) {
        const connection = codec(name, mode)();
        compressed[name] = await sequence(input, connection.compress);
        connection.close();
      }
      for (const from of CODECS) {
        for (const to of CODECS) {
          const connection = codec(to, mode)();
          const output = await sequence(compressed[from], connection.decompress);
          connection.close();
          output.forEach((o, i) => {
            if (!equal(o, input[i])) throw new Error(`verification failed: ${from} -> ${to}, ${size} B, ${mode}, message ${i}`);
          });
        }
      }
    }
  }
}

async function child(name, size, mode, ms) {
  const input = messages(size);
  const make = codec(name, mode);
  const repeat = Math.max(1, Math.ceil((size <= 1024 ? 4096 : 128) / DISTINCT));
  const stream = Array.from({ length: repeat }, () => input).flat();
  // The compressed sequence this codec's decompressor will eat (in order: takeover).
  const first = make();
  const compressed = await sequence(stream, first.compress);
  first.close();
  const ratio = compressed.reduce((n, c) => n + c.length, 0) / (stream.length * size);
  const pass = async (phase, items) => {
    const connection = make();
    await sequence(items, connection[phase]);
    connection.close();
  };
  const time = async (phase, items) => {
    // Warm up, then whole passes with a fresh connection each until `ms` has passed.
    await pass(phase, items);
    let passes = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      await pass(phase, items);
      passes++;
    }
    const seconds = (performance.now() - start) / 1000;
    return (passes * items.length) / seconds;
  };
  const compressPerSecond = await time('compress', stream);
  const decompressPerSecond = await time('decompress', compressed);
  process.stdout.write(JSON.stringify({ compressPerSecond, decompressPerSecond, ratio }));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i === -1 ? fallback : Number(args[i + 1]);
  };
  if (args[0] === '--child') return child(args[1], Number(args[2]), args[3], Number(args[4]));
  const rounds = option('--rounds', 5);
  const ms = option('--ms', 400);
  await verify();
  console.log(`verified: every codec's output inflates to the input with every other codec (${SIZES.join(', ')} B; ${MODES.join(', ')})`);
  const results = {};
  for (let round = 0; round < rounds; round++) {
    for (const size of SIZES) {
      for (const mode of MODES) {
        for (const name of CODECS) {
          const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', name, String(size), mode, String(ms)], { encoding: 'utf8' });
          if (run.status !== 0) throw new Error(`${name} ${size} ${mode}: ${run.stderr}`);
          const key = `${size}|${mode}`;
          ((results[key] ??= {})[name] ??= []).push(JSON.parse(run.stdout));
        }
      }
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  const lines = [
    `node ${process.versions.node}, zlib ${process.versions.zlib}, ${rounds} rounds of ${ms} ms per phase; medians; x ws = per-round ratio against ws, median`,
    '',
    '| message | context takeover | codec | compress msg/s | compress MB/s | x ws | decompress msg/s | decompress MB/s | x ws | compressed size |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const size of SIZES) {
    for (const mode of MODES) {
      const byCodec = results[`${size}|${mode}`];
      for (const name of CODECS) {
        const samples = byCodec[name];
        const ratioTo = (field) => median(samples.map((s, i) => s[field] / byCodec.ws[i][field]));
        const c = median(samples.map((s) => s.compressPerSecond));
        const d = median(samples.map((s) => s.decompressPerSecond));
        const mb = (perSecond) => ((perSecond * size) / 1e6).toFixed(1);
        lines.push(
          `| ${size === 1024 ? '1 KiB' : '64 KiB'} | ${mode === 'takeover' ? 'on' : 'off'} | ${name} | ${Math.round(c)} | ${mb(c)} | ${ratioTo('compressPerSecond').toFixed(2)} | ${Math.round(d)} | ${mb(d)} | ${ratioTo('decompressPerSecond').toFixed(2)} | ${(100 * median(samples.map((s) => s.ratio))).toFixed(1)} % |`,
        );
      }
    }
  }
  console.log(lines.join('\n'));
}

await main();
