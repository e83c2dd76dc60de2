#!/usr/bin/env node
// Runs every benchmark in turn. Not part of the test run.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const name of readdirSync(here).sort()) {
  const script = join(here, name, 'run.mjs');
  if (!existsSync(script)) continue;
  console.log(`\n## ${name}\n`);
  const { status } = spawnSync(process.execPath, [script, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
