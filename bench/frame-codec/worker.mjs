// One codec in its own process: `node worker.mjs hybi|ws`. The parent sends
// { cmd, index, passes } over IPC; the worker answers with a digest (verify)
// or a timing (sample). ws runs without bufferutil when WS_NO_BUFFER_UTIL=1.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chunkOffsets, fnv, workloads } from './workloads.mjs';

const codecName = process.argv[2];
const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(root + 'package.json');

const hybi = codecName === 'hybi' ? await import(new URL('../../packages/frame-codec/dist/index.js', import.meta.url).href) : null;
// ws exports only its entry point; its Receiver and Sender are loaded by path.
const wsDir = codecName === 'ws' ? require.resolve('ws/package.json').replace(/package\.json$/, '') : '';
const ws = codecName === 'ws'
  ? { Receiver: require(wsDir + 'lib/receiver.js'), Sender: require(wsDir + 'lib/sender.js'), bufferUtil: require(wsDir + 'lib/buffer-util.js') }
  : null;

const LIMIT = 64 * 1024 * 1024;
// HYBI_ALLOCATE=unsafe: what a Node embedder can pass, `allocate: Buffer.allocUnsafe` (no zero-fill, pooled small sizes).
const allocate = process.env.HYBI_ALLOCATE === 'unsafe' ? { allocate: (size) => Buffer.allocUnsafe(size) } : {};
const list = workloads();
const built = new Map();

function prepared(index) {
  if (!built.has(index)) built.set(index, list[index].build());
  return built.get(index);
}

/** A parser for `role` that reports each message to `onMessage(data)`. */
function makeParser(role, onMessage) {
  if (hybi) {
    const connection = new hybi.Connection({ role, maxMessageSize: LIMIT, ...allocate });
    return (chunk) => {
      for (const event of connection.receive(chunk)) {
        if (event.type === 'message') onMessage(event.data);
        else throw new Error(`unexpected ${event.type}`);
      }
    };
  }
  const receiver = new ws.Receiver({ isServer: role === 'server', maxPayload: LIMIT });
  receiver.on('message', (data) => onMessage(data));
  receiver.on('error', (error) => {
    throw error;
  });
  const done = () => {};
  return (chunk) => receiver._write(chunk, 'buffer', done);
}

/** A masked or unmasked encoder: payload in, list of byte arrays out. */
function makeEncoder(masked) {
  if (hybi) {
    const connection = new hybi.Connection({ role: masked ? 'client' : 'server', ...allocate });
    return (payload) => connection.sendBinary(payload);
  }
  const options = { fin: true, mask: masked, opcode: 2, readOnly: true, rsv1: false };
  return (payload) => ws.Sender.frame(payload, options);
}

/** Fresh copies of the stream (parsing unmasks in place), as Buffers cut in 16 KiB chunks. */
function copies(stream, passes) {
  const offsets = chunkOffsets(stream.length);
  const out = [];
  for (let p = 0; p < passes; p++) {
    const copy = Buffer.allocUnsafeSlow(stream.length);
    copy.set(stream);
    out.push(offsets.map(([start, end]) => copy.subarray(start, end)));
  }
  return out;
}

function verify(index) {
  const workload = list[index];
  const data = prepared(index);
  if (workload.kind === 'parse') {
    let messages = 0;
    let bytes = 0;
    let hash = 2166136261;
    const feed = makeParser(workload.role, (message) => {
      messages++;
      bytes += message.length;
      hash = fnv(hash, message);
    });
    for (const chunk of copies(data, 1)[0]) feed(chunk);
    return { messages, bytes, hash, input: fnv(2166136261, data) };
  }
  // Encoding: the frames must decode to the payloads (masks are random).
  const encode = makeEncoder(workload.masked);
  const parser = new (hybiParser())({ role: workload.masked ? 'server' : 'client', maxFramePayload: LIMIT });
  let messages = 0;
  let bytes = 0;
  let hash = 2166136261;
  for (let i = 0; i < workload.messages; i++) {
    for (const piece of encode(data[i % data.length])) {
      for (const event of parser.push(Uint8Array.from(piece))) {
        if (event.type === 'frame-error') throw new Error(event.reason);
        if (event.type === 'frame-payload') {
          bytes += event.data.length;
          hash = fnv(hash, event.data);
          if (event.frameEnd) messages++;
        }
      }
    }
  }
  return { messages, bytes, hash, input: 0 };
}

let referenceParser;
function hybiParser() {
  referenceParser ??= require(root + 'packages/frame-codec/dist/index.cjs').FrameParser;
  return referenceParser;
}

/**
 * CPU time (user + system) of this process since `start`: on a shared,
 * loaded machine it varies far less than wall time, and it still counts the
 * kernel's work (page faults) and the garbage collector's (which runs on
 * this process's threads).
 */
function cpuSeconds(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

let sink = 0;
function sample(index, passes) {
  const workload = list[index];
  const data = prepared(index);
  if (workload.kind === 'parse') {
    let messages = 0;
    const feed = makeParser(workload.role, (message) => {
      messages++;
      sink += message.length;
    });
    const inputs = copies(data, passes);
    const start = process.cpuUsage();
    for (const chunks of inputs) for (let i = 0; i < chunks.length; i++) feed(chunks[i]);
    const seconds = cpuSeconds(start);
    if (messages !== workload.messages * passes) throw new Error(`${messages} messages, expected ${workload.messages * passes}`);
    return { seconds, messages, bytes: data.length * passes };
  }
  const encode = makeEncoder(workload.masked);
  let bytes = 0;
  const count = workload.messages * passes;
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const pieces = encode(data[i % data.length]);
    for (let j = 0; j < pieces.length; j++) bytes += pieces[j].length;
  }
  const seconds = cpuSeconds(start);
  sink += bytes;
  return { seconds, messages: count, bytes: data[0].length * count };
}

process.on('message', ({ cmd, index, passes }) => {
  try {
    if (cmd === 'info') {
      const native = ws ? !/\^=|\^ mask/.test(ws.bufferUtil.unmask.toString()) : false;
      process.send({ ok: true, count: list.length, names: list.map((w) => w.name), native, node: process.version });
    } else if (cmd === 'verify') process.send({ ok: true, result: verify(index) });
    else if (cmd === 'sample') process.send({ ok: true, result: sample(index, passes) });
    else if (cmd === 'exit') process.exit(sink === -1 ? 1 : 0);
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
