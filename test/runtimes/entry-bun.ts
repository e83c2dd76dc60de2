// Bun: bare names resolve through node_modules. Bun's own API reads the
// vectors; node:zlib is Bun's Node layer. Bun applies the `paths` of the
// nearest tsconfig.json at run time, and the repository's map `@hybi/*` to
// the sources: the driver runs Bun with --tsconfig-override (an empty one).
import zlib from 'node:zlib';
import { PACKAGE_NAMES, VECTORS_FILE, apis } from './packages.js';
import { REPORT_MARKER, report } from './suite.js';

// The part of Bun's global namespace used here (@types/node does not know Bun).
declare const Bun: { file(path: URL): { text(): Promise<string> }; readonly version: string };

const files = JSON.parse(await Bun.file(new URL(VECTORS_FILE, import.meta.url)).text());
const resolved = Object.fromEntries(PACKAGE_NAMES.map((name) => [name, import.meta.resolve(name)]));
console.log(REPORT_MARKER + JSON.stringify(report('bun', Bun.version, { ...apis, nodeZlib: zlib }, files, resolved)));
