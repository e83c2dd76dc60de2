#!/usr/bin/env node
// The README's two commands land here: `npm test` and `npm run demo`.
// Only Node built-ins may be used above the `pnpm install` step: on a fresh
// machine nothing else is installed yet.
//
//   node scripts/run.mjs setup   pnpm, system peers (tests only), dependencies, build
//   node scripts/run.mjs test    setup, then every check; ends with `N passed, N failed`
//   node scripts/run.mjs demo    setup, then the echo server and its demo page
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = rootPackage.packageManager.replace(/^pnpm@/, '');
const resultsDir = join(root, '.test-results');
// Where pnpm is installed when PATH has no pnpm of the packageManager version (gitignored).
const toolsDir = join(root, '.tools', `pnpm-${pnpmVersion}`);
const toolsBin = join(toolsDir, 'node_modules', '.bin');

// Debian packages that the interop tests (test/interop) and the browser run
// (scripts/runtimes.mjs) talk to; Debian's /usr/bin/python3 has the modules.
const systemPeers = [
  { apt: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { apt: 'python3-h2', present: () => pythonHas('h2') },
  { apt: 'python3-wsproto', present: () => pythonHas('wsproto') },
  { apt: 'python3-websockets', present: () => pythonHas('websockets') },
];

function pythonHas(module) {
  return run('/usr/bin/python3', ['-c', `import ${module}`], { quiet: true }).status === 0;
}

function run(command, args, { quiet = false, env = {} } = {}) {
  return spawnSync(command, args, {
    cwd: root,
    stdio: quiet ? 'ignore' : 'inherit',
    env: { ...process.env, ...env },
  });
}

function log(message) {
  console.log(`\n[hybi] ${message}`);
}

/** The version of the `pnpm` that PATH finds, or null. */
function pnpmOnPath() {
  const current = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  return current.status === 0 ? current.stdout.trim() : null;
}

// A pnpm of the packageManager version on PATH is used as it is. Otherwise
// that version is installed with npm into .tools/ inside the clone (no
// global install, so no root needed) and its bin directory goes first on
// PATH, for every command this script spawns and theirs (publint runs pnpm).
// Not corepack: this registry serves no signatures, so corepack refuses pnpm.
function ensurePnpm() {
  const found = pnpmOnPath();
  if (found === pnpmVersion) return;
  process.env.PATH = `${toolsBin}${delimiter}${process.env.PATH ?? ''}`;
  if (pnpmOnPath() === pnpmVersion) return; // installed by an earlier run
  log(`installing pnpm ${pnpmVersion} with npm into ${toolsDir.slice(root.length + 1)} (PATH has ${found ? `pnpm ${found}` : 'no pnpm'})`);
  mkdirSync(toolsDir, { recursive: true });
  // Its own package.json, so that npm installs here and not into the workspace above.
  writeFileSync(join(toolsDir, 'package.json'), `${JSON.stringify({ private: true, description: 'pnpm for scripts/run.mjs' }, null, 2)}\n`);
  const installed = spawnSync('npm', ['install', '--prefix', toolsDir, '--no-audit', '--no-fund', '--no-package-lock', `pnpm@${pnpmVersion}`], { cwd: toolsDir, stdio: 'inherit' });
  const version = pnpmOnPath();
  if (installed.status !== 0 || version !== pnpmVersion) {
    throw new Error(`could not install pnpm@${pnpmVersion} into ${toolsDir} (npm exited with ${installed.status}, pnpm --version says ${version})`);
  }
}

function ensureSystemPeers() {
  const missing = systemPeers.filter((peer) => !peer.present()).map((peer) => peer.apt);
  if (missing.length === 0) return;
  log(`installing interop peers from apt: ${missing.join(' ')}`);
  // CI runs as root; elsewhere sudo must work without a password prompt.
  const aptGet = (...args) => {
    const command = process.getuid?.() === 0 ? ['apt-get', ...args] : ['sudo', '-n', 'apt-get', ...args];
    return run(command[0], command.slice(1), { env: { DEBIAN_FRONTEND: 'noninteractive' } }).status;
  };
  if (aptGet('install', '-y', '-qq', ...missing) === 0) return;
  aptGet('update', '-qq');
  if (aptGet('install', '-y', '-qq', ...missing) !== 0) {
    throw new Error(`could not install ${missing.join(' ')} with apt-get (the interop tests need them)`);
  }
}

function setup({ peers }) {
  ensurePnpm();
  if (peers) ensureSystemPeers();
  log('pnpm install');
  if (run('pnpm', ['install', '--frozen-lockfile']).status !== 0) throw new Error('pnpm install failed');
  log('build');
  if (run('pnpm', ['run', 'build']).status !== 0) throw new Error('build failed');
}

// Each check is a command. A check may write {passed, failed, skipped} to
// $HYBI_COUNTS_FILE to report many results; otherwise its exit status counts once.
const checks = [
  { name: 'type check', command: 'pnpm', args: ['run', 'typecheck'] },
  { name: 'unit, property, vector and interop tests (vitest)', command: 'pnpm', args: ['exec', 'vitest', 'run'] },
  { name: 'bundle sizes against size-budget.json', command: 'node', args: ['scripts/size.mjs'] },
  { name: 'built packages in Node ESM and CJS, Deno, Bun and Chromium; README runtime snippets', command: 'node', args: ['scripts/runtimes.mjs'] },
  { name: 'package checks (publint, arethetypeswrong)', command: 'node', args: ['scripts/check-packages.mjs'] },
];

function test() {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const lines = [];
  try {
    setup({ peers: true });
    totals.passed++;
    lines.push(['setup and build', 'ok']);
  } catch (error) {
    console.error(`\n[hybi] ${error.message}`);
    totals.failed++;
    lines.push(['setup and build', 'FAILED']);
    return finish(totals, lines);
  }
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  checks.forEach((check, index) => {
    log(check.name);
    const countsFile = join(resultsDir, `${index}.json`);
    const { status } = run(check.command, check.args, { env: { HYBI_COUNTS_FILE: countsFile } });
    let counts = status === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
    if (existsSync(countsFile)) {
      counts = { skipped: 0, ...JSON.parse(readFileSync(countsFile, 'utf8')) };
      // A command that fails without a failing result (a crash after counting) still fails.
      if (status !== 0 && counts.failed === 0) counts.failed = 1;
    }
    totals.passed += counts.passed;
    totals.failed += counts.failed;
    totals.skipped += counts.skipped;
    lines.push([check.name, `${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`]);
  });
  return finish(totals, lines);
}

function finish(totals, lines) {
  console.log('\n[hybi] summary');
  for (const [name, result] of lines) console.log(`  ${name}: ${result}`);
  console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
  process.exitCode = totals.failed === 0 ? 0 : 1;
}

function demo() {
  setup({ peers: false });
  const script = join('examples', 'echo-server.mjs');
  log(`node ${script} ${process.argv.slice(3).join(' ')}`);
  process.exitCode = run('node', [script, ...process.argv.slice(3)]).status ?? 1;
}

const command = process.argv[2];
if (command === 'setup') {
  try {
    setup({ peers: process.argv.includes('--peers') });
  } catch (error) {
    console.error(`[hybi] ${error.message}`);
    process.exitCode = 1;
  }
} else if (command === 'test') test();
else if (command === 'demo') demo();
else {
  console.error('usage: node scripts/run.mjs setup|test|demo');
  process.exitCode = 2;
}
