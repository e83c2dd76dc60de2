#!/usr/bin/env node
// min+gzip size of each package's ESM output against size-budget.json.
//   node scripts/size.mjs                  check and print the table
//   node scripts/size.mjs --update-readme  also rewrite the table in README.md
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const budget = JSON.parse(readFileSync(join(root, 'size-budget.json'), 'utf8'));
const results = [];

for (const [name, limit] of Object.entries(budget)) {
  if (name.startsWith('//')) continue;
  const dir = join(root, 'packages', name.replace('@hybi/', ''));
  const bundle = await build({
    entryPoints: [join(dir, 'dist/index.js')],
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    external: ['@hybi/*'],
    logLevel: 'silent',
  });
  const minified = bundle.outputFiles[0].contents;
  const gzipped = gzipSync(minified, { level: 9 }).length;
  results.push({ name, minified: minified.length, gzipped, limit, ok: gzipped <= limit });
}

const table = [
  '| package | minified | min+gzip | budget |',
  '|---|---:|---:|---:|',
  ...results.map((r) => `| \`${r.name}\` | ${r.minified} B | ${r.gzipped} B | ${r.limit} B |`),
].join('\n');
console.log(table);
for (const r of results) if (!r.ok) console.error(`${r.name}: ${r.gzipped} B min+gzip is over its budget of ${r.limit} B`);

if (process.argv.includes('--update-readme')) {
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const updated = readme.replace(/<!-- size-table -->[\s\S]*?<!-- \/size-table -->/, `<!-- size-table -->\n${table}\n<!-- /size-table -->`);
  writeFileSync(readmePath, updated);
}

const passed = results.filter((r) => r.ok).length;
if (process.env.HYBI_COUNTS_FILE) {
  writeFileSync(process.env.HYBI_COUNTS_FILE, JSON.stringify({ passed, failed: results.length - passed }));
}
process.exitCode = passed === results.length ? 0 : 1;
