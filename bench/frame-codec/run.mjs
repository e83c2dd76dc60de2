#!/usr/bin/env node
// Compares @hybi/frame-codec (the BUILT package: run `pnpm build` first) with
// ws 8's Receiver and Sender, with and without bufferutil, on identical byte
// streams. Each codec runs in its own process; samples are interleaved round
// by round (the order rotates), ratios are taken per round, and medians are
// reported. A verification pass checks that every codec decodes the same
// messages before anything is timed. Time is each worker's CPU time (user +
// system), which a loaded machine disturbs far less than wall time.
//
//   node bench/frame-codec/run.mjs [--rounds 7] [--repeat 1] [--ms 150] [--filter text]
//
// --repeat N runs every workload in N fresh sets of processes and pools their rounds.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const rounds = Number(option('rounds', 7));
const targetMs = Number(option('ms', 150));
const filter = option('filter', '');
const repeat = Number(option('repeat', 1));

const dist = fileURLToPath(new URL('../../packages/frame-codec/dist/index.js', import.meta.url));
if (!existsSync(dist)) {
  console.error('packages/frame-codec/dist is missing: run `pnpm build` first');
  process.exit(1);
}

const workerPath = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const codecs = [
  { name: 'hybi', argv: ['hybi'], env: {} },
  { name: 'ws', argv: ['ws'], env: { WS_NO_BUFFER_UTIL: '1' } },
  { name: 'ws+bufferutil', argv: ['ws'], env: {} },
  { name: 'hybi, allocate: Buffer.allocUnsafe', argv: ['hybi'], env: { HYBI_ALLOCATE: 'unsafe' } },
];

function start(codec) {
  return new Promise((resolve, reject) => {
    const child = fork(workerPath, codec.argv, { env: { ...process.env, ...codec.env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let pending = null;
    child.on('message', (message) => {
      if (message.ready) return resolve(worker);
      const settle = pending;
      pending = null;
      if (message.ok) settle.resolve(message);
      else settle.reject(new Error(`${codec.name}: ${message.error}`));
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (pending) pending.reject(new Error(`${codec.name} exited with ${code}`));
    });
    const worker = {
      codec,
      ask: (request) =>
        new Promise((res, rej) => {
          pending = { resolve: res, reject: rej };
          child.send(request);
        }),
      stop: () => child.send({ cmd: 'exit' }),
    };
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function startAll() {
  const workers = [];
  for (const codec of codecs) workers.push(await start(codec));
  const infos = await Promise.all(workers.map((w) => w.ask({ cmd: 'info' })));
  if (!infos[2].native) throw new Error('bufferutil did not load in the ws+bufferutil process');
  if (infos[1].native) throw new Error('WS_NO_BUFFER_UTIL did not disable bufferutil');
  return { workers, infos };
}

const first = await startAll();
const names = first.infos[0].names;
for (const worker of first.workers) worker.stop();

console.log(`frame-codec benchmark: Node ${first.infos[0].node}, ${rounds} rounds x ${repeat} process sets, ~${targetMs} ms per sample, 16 KiB input chunks`);
const rows = [];
for (let index = 0; index < names.length; index++) {
  const name = names[index];
  if (filter && !name.includes(filter)) continue;
  const rates = codecs.map(() => []);
  const ratios = codecs.map(() => []);
  for (let set = 0; set < repeat; set++) {
    // Fresh processes for every workload (and every repeat): what earlier workloads did to a
    // process's heap and allocator must not favour one codec over another.
    const { workers } = await startAll();
    // Verification: every codec decodes the same messages from the same bytes.
    const digests = await Promise.all(workers.map((w) => w.ask({ cmd: 'verify', index })));
    const reference = JSON.stringify(digests[0].result);
    for (let i = 1; i < digests.length; i++) {
      if (JSON.stringify(digests[i].result) !== reference) {
        throw new Error(`${name}: ${workers[i].codec.name} decoded ${JSON.stringify(digests[i].result)}, hybi ${reference}`);
      }
    }
    // Calibration: passes per sample so that each sample takes about targetMs.
    const passes = [];
    for (const worker of workers) {
      let p = 1;
      for (;;) {
        const { result } = await worker.ask({ cmd: 'sample', index, passes: p });
        if (result.seconds * 1000 >= targetMs / 4 || p >= 4096) {
          passes.push(Math.max(1, Math.round((p * targetMs) / 1000 / result.seconds)));
          break;
        }
        p *= 4;
      }
    }
    for (let round = 0; round < rounds; round++) {
      const order = workers.map((_, i) => (i + round + set) % workers.length);
      const rate = [];
      for (const i of order) {
        const { result } = await workers[i].ask({ cmd: 'sample', index, passes: passes[i] });
        rate[i] = { msgs: result.messages / result.seconds, bytes: result.bytes / result.seconds };
        rates[i].push(rate[i]);
      }
      for (let i = 1; i < 3; i++) ratios[i].push(rate[0].msgs / rate[i].msgs);
      // The Node allocator variant, against ws with and without bufferutil.
      ratios[3].push([rate[3].msgs / rate[1].msgs, rate[3].msgs / rate[2].msgs]);
    }
    for (const worker of workers) worker.stop();
  }
  const row = {
    name,
    hybi: { msgs: median(rates[0].map((r) => r.msgs)), bytes: median(rates[0].map((r) => r.bytes)) },
    ws: { msgs: median(rates[1].map((r) => r.msgs)), bytes: median(rates[1].map((r) => r.bytes)) },
    wsbu: { msgs: median(rates[2].map((r) => r.msgs)), bytes: median(rates[2].map((r) => r.bytes)) },
    vsWs: median(ratios[1]),
    vsWsBu: median(ratios[2]),
    unsafeVsWs: median(ratios[3].map((r) => r[0])),
    unsafeVsWsBu: median(ratios[3].map((r) => r[1])),
  };
  rows.push(row);
  console.log(`  ${name}: ${row.vsWs.toFixed(2)}x ws, ${row.vsWsBu.toFixed(2)}x ws+bufferutil (allocUnsafe: ${row.unsafeVsWs.toFixed(2)}x, ${row.unsafeVsWsBu.toFixed(2)}x)`);
}

const fmt = (r) => {
  const msgs = r.msgs >= 1e6 ? `${(r.msgs / 1e6).toFixed(2)} M msg/s` : `${(r.msgs / 1e3).toFixed(1)} k msg/s`;
  return `${msgs}, ${(r.bytes / 1e9).toFixed(2)} GB/s`;
};
console.log('\n| workload | hybi | ws (no addon) | ws + bufferutil | hybi / ws | hybi / ws+bufferutil | with allocUnsafe: / ws | / ws+bufferutil |');
console.log('|---|---|---|---|---:|---:|---:|---:|');
for (const row of rows) {
  console.log(
    `| ${row.name} | ${fmt(row.hybi)} | ${fmt(row.ws)} | ${fmt(row.wsbu)} | ${row.vsWs.toFixed(2)}x | ${row.vsWsBu.toFixed(2)}x | ${row.unsafeVsWs.toFixed(2)}x | ${row.unsafeVsWsBu.toFixed(2)}x |`,
  );
}
console.log('\nRates are medians over rounds, per CPU second of the worker process; ratios are medians of per-round ratios of messages per second. GB/s counts payload bytes for encoding and stream bytes for parsing.');
