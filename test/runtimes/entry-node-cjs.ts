// Node, CommonJS: bundled to CJS, the package imports become require() calls,
// which resolve each package's exports["."].require (dist/index.cjs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { PACKAGE_NAMES, VECTORS_FILE, apis } from './packages.js';
import { REPORT_MARKER, report } from './suite.js';

const files = JSON.parse(readFileSync(join(__dirname, VECTORS_FILE), 'utf8'));
const resolved = Object.fromEntries(PACKAGE_NAMES.map((name) => [name, require.resolve(name)]));
console.log(REPORT_MARKER + JSON.stringify(report('node-cjs', process.version, { ...apis, nodeZlib: zlib }, files, resolved)));
