#!/usr/bin/env node
// min+gzip size of each package's ESM output against size-budget.json.
// Other @hybi packages stay external, so they are not counted in a package's
// size (their own row has it); third-party dependencies (pako) are bundled and
// counted. The table's last columns name the @hybi packages left out and give
// the size with them bundled too (tree-shaken: what a bundle of the whole
// package costs). Budgets apply to the package's own size.
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

async function minGzip(entry, external) {
  const bundle = await build({ entryPoints: [entry], bundle: true, format: 'esm', minify: true, write: false, external, metafile: true, logLevel: 'silent' });
  const minified = bundle.outputFiles[0].contents;
  const imports = Object.values(bundle.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
  return { minified: minified.length, gzipped: gzipSync(minified, { level: 9 }).length, external: [...new Set(imports)].sort() };
}

for (const [name, limit] of Object.entries(budget)) {
  if (name.startsWith('//')) continue;
  const dir = join(root, 'packages', name.replace('@hybi/', ''));
  const own = await minGzip(join(dir, 'dist/index.js'), ['@hybi/*']);
  // The @hybi packages it imports, resolved as installed (their dist/index.js).
  const whole = own.external.length > 0 ? await minGzip(join(dir, 'dist/index.js'), []) : own;
  if (whole.external.length > 0) throw new Error(`${name}: ${whole.external.join(', ')} left external`);
  results.push({ name, minified: own.minified, gzipped: own.gzipped, limit, excluded: own.external, withImports: whole.gzipped, ok: own.gzipped <= limit });
}

const table = [
  '| package | minified | min+gzip | budget | @hybi imports, not counted | min+gzip with them |',
  '|---|---:|---:|---:|---|---:|',
  ...results.map((r) => `| \`${r.name}\` | ${r.minified} B | ${r.gzipped} B | ${r.limit} B | ${r.excluded.map((e) => `\`${e}\``).join(', ') || '-'} | ${r.excluded.length ? `${r.withImports} B` : '-'} |`),
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
