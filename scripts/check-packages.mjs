#!/usr/bin/env node
// publint and arethetypeswrong on each package as it would be published.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
let passed = 0;
let failed = 0;

for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  for (const [label, command, args] of [
    ['publint', bin('publint'), ['--strict', dir]],
    // esm-only consumers under node10 resolution are not a target (Node >= 20).
    ['attw', bin('attw'), ['--pack', dir, '--profile', 'node16', '--format', 'table-flipped']],
  ]) {
    const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
    const ok = result.status === 0;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${label} @hybi/${name}`);
    if (!ok) console.log(result.stdout, result.stderr);
    if (ok) passed++;
    else failed++;
  }
}

if (process.env.HYBI_COUNTS_FILE) writeFileSync(process.env.HYBI_COUNTS_FILE, JSON.stringify({ passed, failed }));
process.exitCode = failed === 0 ? 0 : 1;
