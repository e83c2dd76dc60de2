// Node, ESM: `import` resolves each package's exports["."].import (dist/index.js).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { PACKAGE_NAMES, VECTORS_FILE, apis } from './packages.js';
import { REPORT_MARKER, report } from './suite.js';

const files = JSON.parse(readFileSync(new URL(VECTORS_FILE, import.meta.url), 'utf8'));
const resolved = Object.fromEntries(PACKAGE_NAMES.map((name) => [name, fileURLToPath(import.meta.resolve(name))]));
console.log(REPORT_MARKER + JSON.stringify(report('node-esm', process.version, { ...apis, nodeZlib: zlib }, files, resolved)));
