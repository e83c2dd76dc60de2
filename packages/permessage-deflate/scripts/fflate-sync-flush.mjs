// Reproduces the README's reason for not using fflate as the compressor: its
// sync flush (Deflate.flush(true)) produces streams that Node's zlib rejects.
// Not run by the tests; fflate is not a dependency. Run it with fflate 0.8.3
// somewhere on disk:
//
//   node packages/permessage-deflate/scripts/fflate-sync-flush.mjs path/to/fflate/esm/index.mjs
//
// 402 streams, deterministic: each of 1 to 3 JSON-like messages of 50 to 5000
// octets, every message followed by flush(true), as a permessage-deflate
// sender would do. Each stream is inflated by Node's zlib (the reference) and
// by fflate's own streaming inflater.
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';

const path = process.argv[2];
if (!path) {
  console.error('usage: node fflate-sync-flush.mjs path/to/fflate/esm/index.mjs');
  process.exit(2);
}
const fflate = await import(pathToFileURL(path).href);

let seed = 1;
const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
function json(size) {
  let text = '[';
  while (text.length < size) text += JSON.stringify({ id: Math.floor(random() * 1e6), user: words[Math.floor(random() * words.length)], ok: random() < 0.5 }) + ',';
  return Buffer.from(text.slice(0, size));
}

const STREAMS = 402;
let zlibRejects = 0;
let fflateAccepts = 0;
let fflateThrows = 0;
const errors = new Map();
for (let i = 0; i < STREAMS; i++) {
  const messages = Array.from({ length: 1 + Math.floor(random() * 3) }, () => json(50 + Math.floor(random() * 4951)));
  const chunks = [];
  const deflate = new fflate.Deflate((chunk) => chunks.push(chunk));
  for (const message of messages) {
    deflate.push(message);
    deflate.flush(true);
  }
  const stream = Buffer.concat(chunks);
  const expected = Buffer.concat(messages);
  let rejected = false;
  try {
    rejected = !zlib.inflateRawSync(stream, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).equals(expected);
  } catch (error) {
    rejected = true;
    errors.set(error.message, (errors.get(error.message) ?? 0) + 1);
  }
  if (!rejected) continue;
  zlibRejects++;
  const out = [];
  try {
    new fflate.Inflate((chunk) => out.push(chunk)).push(stream, false);
    if (Buffer.concat(out).equals(expected)) fflateAccepts++;
  } catch {
    fflateThrows++;
  }
}
console.log(`node:zlib rejects ${zlibRejects} of ${STREAMS} streams (${[...errors].map(([m, n]) => `${n}: ${m}`).join(', ')}); of those, fflate's own inflater decodes ${fflateAccepts} as sent, throws on ${fflateThrows} and gives other bytes for the rest`);
