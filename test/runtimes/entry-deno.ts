// Deno: bare names resolve through the root package.json and node_modules
// (run with --node-modules-dir=manual --cached-only --no-remote: nothing is
// fetched). Deno's own API reads the vectors.
//
// permessage-deflate's nodeZlibBackend is not replayed here: Deno 2.9.6's
// node:zlib ignores the `dictionary` option of deflateRawSync/inflateRawSync
// (Node and Bun honour it), which that backend needs for context takeover.
// The backend detects this and refuses to start, which is checked below. The
// default pako backend is replayed as everywhere else.
import zlib from 'node:zlib';
import { PACKAGE_NAMES, VECTORS_FILE, apis } from './packages.js';
import { REPORT_MARKER, report, type TestResult } from './suite.js';

// The part of Deno's global namespace used here (@types/node does not know Deno).
declare const Deno: { readTextFileSync(path: URL): string; readonly version: { readonly deno: string } };

const files = JSON.parse(Deno.readTextFileSync(new URL(VECTORS_FILE, import.meta.url)));
const resolved = Object.fromEntries(PACKAGE_NAMES.map((name) => [name, import.meta.resolve(name)]));
const suite = report('deno', Deno.version.deno, apis, files, resolved);

function nodeZlibRefusal(): TestResult {
  const name = "permessage-deflate: nodeZlibBackend refuses Deno's node:zlib (no preset dictionaries)";
  try {
    apis.permessageDeflate.nodeZlibBackend(zlib);
    return { name, ok: false, details: ['nodeZlibBackend(zlib) started: if Deno now honours dictionaries, replay the node:zlib vectors here too'] };
  } catch (error) {
    const ok = error instanceof Error && /ignores preset dictionaries/.test(error.message);
    return { name, ok, details: ok ? [] : [String(error)] };
  }
}

console.log(REPORT_MARKER + JSON.stringify({ ...suite, results: [...suite.results, nodeZlibRefusal()] }));
