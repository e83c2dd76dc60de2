#!/usr/bin/env node
// The runtime check: the BUILT packages (what users install) in Node ESM,
// Node CJS, Deno, Bun and Chromium. Each runtime replays every vector of
// test-vectors/ and runs the in-memory conversations (test/runtimes/suite.ts);
// then the README's runtime snippets run (test/runtimes/snippets.mjs), and the
// Deno and Bun ones are type-checked (deno check; tsc with bun-types).
//
//   node scripts/runtimes.mjs            after `pnpm build`; one result per vector per runtime
//   node scripts/runtimes.mjs --verbose  also list every failure's details in full
//
// A runtime that cannot start, crashes or times out is a failure, never a skip.
// Counts go to $HYBI_COUNTS_FILE for scripts/run.mjs.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { run } from '../test/runtimes/processes.mjs';
import { browserSnippet, echoSnippet, readmeShowsSnippets } from '../test/runtimes/snippets.mjs';
import { startStaticServer } from '../test/runtimes/static-server.mjs';

const root = realpathSync(join(dirname(fileURLToPath(import.meta.url)), '..'));
const out = join(root, '.test-results', 'runtimes');
const sourceDir = join(root, 'test', 'runtimes');
const verbose = process.argv.includes('--verbose');
const packageNames = ['frame-codec', 'handshake', 'h2-bootstrap', 'permessage-deflate'];
const REPORT_MARKER = 'HYBI_RUNTIME_REPORT ';
const RUNTIME_TIMEOUT_MS = 90_000;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Deno: resolve through the root package.json and the existing node_modules,
// fetch nothing, write no lock file, read only the bundles' directory.
const DENO_FLAGS = ['--node-modules-dir=manual', '--cached-only', '--no-remote', '--no-lock', '--no-prompt'];
const DENO_ENV = { DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1' };
const DENO_CHECK_FLAGS = ['--node-modules-dir=manual', '--cached-only', '--no-remote', '--no-lock'];
// Bun applies the nearest tsconfig.json's `paths` at run time, and the
// repository's map `@hybi/*` to the sources: give it an empty one instead.
const BUN_FLAGS = [`--tsconfig-override=${join(out, 'tsconfig.json')}`];
const BUN_ENV = { DO_NOT_TRACK: '1', NO_COLOR: '1' };

/** Every result, with the runtime it belongs to. */
const results = [];
const timings = [];
/** Runtime to its report's conversation transcripts. */
const transcriptsByRuntime = new Map();
const record = (runtime, result) => results.push({ runtime, ...result });

// ---------------------------------------------------------------------------
// Preparation: bundles of the entry points (`@hybi/*` external, so each
// runtime resolves the built packages itself), the vectors, the browser page.

let vectorFilesCache = null;
function vectorFiles() {
  vectorFilesCache ??= readVectorFiles();
  return vectorFilesCache;
}

function readVectorFiles() {
  const dir = join(root, 'test-vectors');
  const suites = readdirSync(dir).filter((name) => name !== 'replay' && statSync(join(dir, name)).isDirectory()).sort();
  return suites.flatMap((suite) =>
    readdirSync(join(dir, suite))
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => ({ path: `${suite}/${file}`, data: JSON.parse(readFileSync(join(dir, suite, file), 'utf8')) })),
  );
}

async function prepare() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const missing = packageNames.flatMap((name) => ['index.js', 'index.cjs'].map((file) => `packages/${name}/dist/${file}`)).filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0) throw new Error(`not built (run pnpm build): ${missing.join(', ')}`);
  const bundles = [
    ['entry-node-esm.ts', 'node-esm.mjs', 'esm', 'node'],
    ['entry-node-cjs.ts', 'node-cjs.cjs', 'cjs', 'node'],
    ['entry-deno.ts', 'deno.mjs', 'esm', 'neutral'],
    ['entry-bun.ts', 'bun.mjs', 'esm', 'neutral'],
    ['entry-browser.ts', 'browser.mjs', 'esm', 'browser'],
  ];
  for (const [entry, outfile, format, platform] of bundles) {
    await build({
      entryPoints: [join(sourceDir, entry)],
      outfile: join(out, outfile),
      bundle: true,
      format,
      platform,
      target: 'es2022',
      external: ['@hybi/*', 'node:*'],
      logLevel: 'warning',
    });
  }
  writeFileSync(join(out, 'vectors.json'), JSON.stringify(vectorFiles()));
  writeFileSync(join(out, 'tsconfig.json'), '{}\n');
  // pako, permessage-deflate's backend, as that package resolves it (its ESM build, no imports of its own).
  const pakoManifest = createRequire(join(root, 'packages', 'permessage-deflate', 'package.json')).resolve('pako/package.json');
  const pako = join(dirname(pakoManifest), JSON.parse(readFileSync(pakoManifest, 'utf8')).exports['.'].import);
  const imports = Object.fromEntries(packageNames.map((name) => [`@hybi/${name}`, `/packages/${name}/dist/index.js`]));
  imports.pako = `/${relative(root, realpathSync(pako))}`;
  writeFileSync(
    join(out, 'browser.html'),
    `<!doctype html>
<meta charset="utf-8">
<title>hybi runtime suite</title>
<script type="importmap">${JSON.stringify({ imports }, null, 2)}</script>
<script type="module">
  import('./browser.mjs').catch((error) => { globalThis.hybiError = String(error && error.stack || error); });
</script>
`,
  );
}

// ---------------------------------------------------------------------------
// Checking a report.

// The replays each vector file must get in a runtime, as test/runtimes/suite.ts
// makes them: one, except permessage-deflate's files with backend vectors
// (operation inflate, deflate or receive), replayed with pako and with node:zlib
// where the runtime's node:zlib can serve (Node and Bun; Deno's ignores preset
// dictionaries, browsers have none).
const NODE_ZLIB_RUNTIMES = new Set(['node-esm', 'node-cjs', 'bun']);

/** "<path><label>" to the number of vectors in the file, for every replay `runtime` must report. */
function expectedReplays(runtime) {
  const expected = new Map();
  for (const { path, data } of vectorFiles()) {
    const backend = path.startsWith('permessage-deflate/') && data.vectors.some((vector) => ['inflate', 'deflate', 'receive'].includes(String(vector.setup?.operation)));
    const labels = backend && NODE_ZLIB_RUNTIMES.has(runtime) ? [' [pako]', ' [node:zlib]'] : [''];
    for (const label of labels) expected.set(`${path}${label}`, data.vectors.length);
  }
  return expected;
}

/** A runtime must replay every vector of test-vectors/, each once per replay: fewer (or more) fails. */
function checkReplayed(runtime, report) {
  const expected = expectedReplays(runtime);
  const total = [...expected.values()].reduce((sum, count) => sum + count, 0);
  const details = [];
  if (!report.replayed || typeof report.replayed !== 'object') details.push('the report has no vector counts (replayed)');
  else {
    for (const [key, count] of expected) {
      const replayed = report.replayed[key];
      if (replayed === undefined) details.push(`${key}: not replayed (${count} vectors)`);
      else if (replayed !== count) details.push(`${key}: ${replayed} of ${count} vectors replayed`);
      const results = report.results.filter((result) => result.name.startsWith(`vectors ${key}: `)).length;
      if (results !== count) details.push(`${key}: ${results} results for ${count} vectors`);
    }
    for (const key of Object.keys(report.replayed)) if (!expected.has(key)) details.push(`${key}: replayed, but not expected in ${runtime}`);
  }
  record(runtime, { name: `replays every vector of test-vectors/ (${total} replays of ${vectorFiles().length} files)`, ok: details.length === 0, details });
}

/** Where each package must have been loaded from. */
function expectedModule(name, runtime) {
  return join(root, 'packages', name.replace('@hybi/', ''), 'dist', runtime === 'node-cjs' ? 'index.cjs' : 'index.js');
}

function resolvedPath(location, origin) {
  if (location.startsWith('file:')) return realpathSync(fileURLToPath(location));
  if (origin && location.startsWith(origin)) return realpathSync(join(root, decodeURIComponent(new URL(location).pathname)));
  return existsSync(location) ? realpathSync(location) : location;
}

function addReport(runtime, report, origin) {
  for (const result of report.results) record(runtime, result);
  checkReplayed(runtime, report);
  transcriptsByRuntime.set(runtime, report.transcripts);
  const wrong = Object.entries(report.resolved)
    .map(([name, location]) => [name, resolvedPath(location, origin)])
    .filter(([name, path]) => path !== expectedModule(name, runtime))
    .map(([name, path]) => `${name} resolved to ${path}, not ${expectedModule(name, runtime)}`);
  if (Object.keys(report.resolved).length !== packageNames.length) wrong.push(`resolutions reported: ${JSON.stringify(report.resolved)}`);
  record(runtime, { name: `loads the built packages (dist/${runtime === 'node-cjs' ? 'index.cjs' : 'index.js'})`, ok: wrong.length === 0, details: wrong });
  const passed = report.results.filter((r) => r.ok).length;
  const version = report.version.replace(/^.*HeadlessChrome\/(\S+).*$/, 'Chromium $1');
  timings.push({ runtime, version, passed, failed: report.results.length - passed, suiteMs: report.milliseconds });
}

function parseReport(runtime, outcome) {
  const line = outcome.stdout.split('\n').find((text) => text.startsWith(REPORT_MARKER));
  if (!line) {
    const why = outcome.error ? `could not start: ${outcome.error.message}` : outcome.timedOut ? `timed out after ${RUNTIME_TIMEOUT_MS} ms` : `exited with ${outcome.status ?? outcome.signal} without a report`;
    record(runtime, { name: 'starts and reports', ok: false, details: [why, outcome.stderr.trim().slice(-3000), outcome.stdout.trim().slice(-1000)].filter(Boolean) });
    return null;
  }
  const report = JSON.parse(line.slice(REPORT_MARKER.length));
  if (outcome.status !== 0) record(runtime, { name: 'exits cleanly', ok: false, details: [`exit status ${outcome.status ?? outcome.signal}`, outcome.stderr.trim().slice(-2000)] });
  return report;
}

// ---------------------------------------------------------------------------
// The runtimes.

async function runProcessRuntime(runtime, command, args, env = {}) {
  const outcome = await run(command, args, { cwd: root, env, timeoutMs: RUNTIME_TIMEOUT_MS });
  const report = parseReport(runtime, outcome);
  if (report) addReport(runtime, report);
  const timing = timings.find((t) => t.runtime === runtime);
  if (timing) timing.totalMs = outcome.milliseconds;
  else timings.push({ runtime, version: '-', passed: 0, failed: 0, totalMs: outcome.milliseconds });
}

async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/run.mjs installs the Debian chromium package (apt-get install chromium)`);
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'hybi-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

async function runChromium(server, browser) {
  const started = Date.now();
  const page = await browser.context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console error: ${message.text()}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => response.status() >= 400 && problems.push(`HTTP ${response.status()}: ${response.url()}`));
  let report = null;
  try {
    await page.goto(`${server.origin}/.test-results/runtimes/browser.html`);
    await page.waitForFunction(() => globalThis.hybiReport !== undefined || globalThis.hybiError !== undefined, null, { timeout: RUNTIME_TIMEOUT_MS, polling: 100 });
    const error = await page.evaluate(() => globalThis.hybiError);
    if (error) problems.unshift(`the suite did not load or threw: ${error}`);
    else report = await page.evaluate(() => globalThis.hybiReport);
  } catch (error) {
    problems.unshift(error.message);
  } finally {
    await page.close().catch(() => {});
  }
  if (report) addReport('chromium', report, server.origin);
  // Console errors during a passing run still fail it: a 404, a module that did not load.
  if (!report || problems.length > 0) record('chromium', { name: report ? 'no page or console errors' : 'starts and reports', ok: false, details: problems });
  const timing = timings.find((t) => t.runtime === 'chromium');
  if (timing) timing.totalMs = Date.now() - started;
  else timings.push({ runtime: 'chromium', version: '-', passed: 0, failed: 0, totalMs: Date.now() - started });
}

/** The conversations must write the same bytes whatever the runtime and the delivery (randomness is seeded). */
function checkTranscripts(reports) {
  const byConversation = new Map();
  for (const [runtime, transcripts] of reports) {
    for (const [name, digest] of Object.entries(transcripts)) {
      const key = name.replace(/, delivered .*$/, '');
      if (!byConversation.has(key)) byConversation.set(key, new Map());
      byConversation.get(key).set(`${runtime} (${name.slice(key.length + 2)})`, digest);
    }
  }
  const details = [];
  for (const [key, digests] of byConversation) {
    if (new Set(digests.values()).size > 1) details.push(`${key}: ${[...digests].map(([where, digest]) => `${where} ${digest}`).join(', ')}`);
  }
  const ok = details.length === 0 && reports.length > 0;
  record('together', { name: 'conversations write identical bytes in every runtime and delivery', ok, details: reports.length ? details : ['no runtime reported'] });
}

// ---------------------------------------------------------------------------

async function main() {
  const startedAll = Date.now();
  const packageJson = readFileSync(join(root, 'package.json'), 'utf8');
  try {
    await prepare();
  } catch (error) {
    record('together', { name: 'prepare the bundles', ok: false, details: [error.stack ?? error.message] });
    return finish(startedAll);
  }
  // Sequentially: this is a 2-core machine.
  const processRuntimes = [
    ['node-esm', process.execPath, [join(out, 'node-esm.mjs')], {}],
    ['node-cjs', process.execPath, [join(out, 'node-cjs.cjs')], {}],
    ['deno', bin('deno'), ['run', ...DENO_FLAGS, `--allow-read=${out}`, join(out, 'deno.mjs')], DENO_ENV],
    ['bun', bin('bun'), [...BUN_FLAGS, join(out, 'bun.mjs')], BUN_ENV],
  ];
  for (const [runtime, command, args, env] of processRuntimes) {
    log(`${runtime}: replaying the vectors and the conversations`);
    await runProcessRuntime(runtime, command, args, env);
  }

  let server = null;
  let browser = null;
  try {
    server = await startStaticServer(root);
    log('chromium: replaying the vectors and the conversations');
    browser = await launchChromium();
    await runChromium(server, browser);
  } catch (error) {
    record('chromium', { name: 'starts and reports', ok: false, details: [error.stack ?? error.message] });
  }

  log('README snippets');
  for (const result of readmeShowsSnippets(root)) record('readme', result);
  const deno = await echoSnippet('deno-echo.ts (Deno.listen)', bin('deno'), ['run', ...DENO_FLAGS, '--allow-net=127.0.0.1', join(root, 'examples', 'runtimes', 'deno-echo.ts'), '0'], { cwd: root, env: DENO_ENV });
  record('deno', deno);
  const denoCheck = await run(bin('deno'), ['check', ...DENO_CHECK_FLAGS, join(root, 'examples', 'runtimes', 'deno-echo.ts')], { cwd: root, env: DENO_ENV, timeoutMs: 60_000 });
  record('deno', { name: 'deno-echo.ts type-checks (deno check)', ok: denoCheck.status === 0, details: denoCheck.status === 0 ? [] : [denoCheck.error?.message, denoCheck.stderr.trim().slice(-3000)].filter(Boolean) });
  // Bun has no type checker of its own: tsc with bun-types (pinned to the bun package's version).
  const bunCheck = await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(sourceDir, 'tsconfig.bun-snippet.json')], { cwd: root, timeoutMs: 60_000 });
  record('bun', { name: 'bun-echo.ts type-checks (tsc with bun-types)', ok: bunCheck.status === 0, details: bunCheck.status === 0 ? [] : [bunCheck.error?.message, `${bunCheck.stdout}${bunCheck.stderr}`.trim().slice(-3000)].filter(Boolean) });
  const installedVersion = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  const [bunVersion, bunTypesVersion] = [installedVersion('bun'), installedVersion('bun-types')];
  record('bun', { name: 'bun-types is the version of bun', ok: bunVersion === bunTypesVersion, details: bunVersion === bunTypesVersion ? [] : [`bun ${bunVersion}, bun-types ${bunTypesVersion}: pin both to the same version in package.json`] });
  record('bun', await echoSnippet('bun-echo.ts (Bun.listen)', bin('bun'), [...BUN_FLAGS, join(root, 'examples', 'runtimes', 'bun-echo.ts'), '0'], { cwd: root, env: BUN_ENV }));
  if (browser) record('chromium', await browserSnippet(browser.context, server.origin));
  else record('chromium', { name: 'browser-decode.html decodes captured frames in Chromium', ok: false, details: ['Chromium did not start'] });
  await browser?.close();
  await server?.close();

  const packageJsonAfter = readFileSync(join(root, 'package.json'), 'utf8');
  record('deno', { name: 'leaves the root package.json unchanged', ok: packageJsonAfter === packageJson, details: packageJsonAfter === packageJson ? [] : ['package.json changed during the run (Deno rewrites it when an npm: import fails and there is no "workspaces" field)'] });
  return finish(startedAll);
}

function log(message) {
  console.log(`[runtimes] ${message}`);
}

function finish(startedAll) {
  checkTranscripts([...transcriptsByRuntime]);

  const failures = results.filter((r) => !r.ok);
  const shownPerRuntime = new Map();
  for (const failure of failures) {
    const shown = shownPerRuntime.get(failure.runtime) ?? 0;
    shownPerRuntime.set(failure.runtime, shown + 1);
    if (!verbose && shown >= 15) continue;
    console.log(`\nFAIL [${failure.runtime}] ${failure.name}`);
    const details = verbose ? failure.details : failure.details.slice(0, 3).map((d) => (d.length > 1200 ? `${d.slice(0, 1200)} ...` : d));
    for (const detail of details) console.log(`    ${detail.replace(/\n/g, '\n    ')}`);
  }
  for (const [runtime, count] of shownPerRuntime) if (!verbose && count > 15) console.log(`\n... and ${count - 15} more failures in ${runtime} (--verbose lists them all)`);

  console.log('\n[runtimes] per runtime (suite: vectors and conversations; total: process or page, start to end)');
  const runtimes = [...new Set(results.map((r) => r.runtime))];
  for (const runtime of runtimes) {
    const own = results.filter((r) => r.runtime === runtime);
    const passed = own.filter((r) => r.ok).length;
    const timing = timings.find((t) => t.runtime === runtime);
    const time = timing ? `  suite ${timing.suiteMs ?? '-'} ms, total ${timing.totalMs ?? '-'} ms  ${timing.version}` : '';
    console.log(`  ${runtime.padEnd(9)} ${String(passed).padStart(5)} passed, ${String(own.length - passed).padStart(4)} failed${time}`);
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`  (${((Date.now() - startedAll) / 1000).toFixed(1)} s in all)\n\n${passed} passed, ${failed} failed`);
  if (process.env.HYBI_COUNTS_FILE) writeFileSync(process.env.HYBI_COUNTS_FILE, JSON.stringify({ passed, failed }));
  process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
}

await main();
