// Chromium: the page's import map points each bare name at the package's
// dist/index.js (and pako's ESM) served from loopback. No node:zlib here.
// The driver waits for globalThis.hybiReport (or hybiError, set by the page).
import { PACKAGE_NAMES, VECTORS_FILE, apis } from './packages.js';
import { report, type SuiteReport, type VectorFileEntry } from './suite.js';

declare const navigator: { readonly userAgent: string };

const files = (await (await fetch(new URL(VECTORS_FILE, import.meta.url))).json()) as VectorFileEntry[];
const resolved = Object.fromEntries(PACKAGE_NAMES.map((name) => [name, import.meta.resolve(name)]));
(globalThis as { hybiReport?: SuiteReport }).hybiReport = report('chromium', navigator.userAgent, apis, files, resolved);
