// Workspace invariants from the issues: no runtime dependency outside hybi for
// the core packages (@hybi/h2-bootstrap builds on @hybi/handshake), builds that
// exist in both formats, no Node-only code in the output.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const corePackages = ['frame-codec', 'handshake', 'h2-bootstrap'];
const manifest = (name: string) => JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));

/** Every module specifier a built ESM or CJS file loads: static imports (with or without bindings), re-exports, import(), require(). */
function importedSpecifiers(esm: string, cjs: string): string[] {
  return [
    ...[...esm.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']|\bimport\s*["']([^"']+)["']/g)].map((m) => (m[1] ?? m[2] ?? m[3])!),
    ...[...cjs.matchAll(/\brequire\s*\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!),
  ];
}

describe('importedSpecifiers', () => {
  it('finds every form of import, including side-effect imports', () => {
    const esm = [
      'import { a } from "@hybi/handshake";',
      'import "node:fs";',
      "import 'fs';",
      'import"node:zlib";', // minified
      'export * from "pako";',
      'const m = await import("node:crypto");',
    ].join('\n');
    const cjs = 'var h = require("@hybi/handshake");\nrequire("buffer");';
    expect(importedSpecifiers(esm, cjs)).toEqual(['@hybi/handshake', 'node:fs', 'fs', 'node:zlib', 'pako', 'node:crypto', '@hybi/handshake', 'buffer']);
  });
});

describe('core packages', () => {
  for (const name of corePackages) {
    describe(`@hybi/${name}`, () => {
      it('has no runtime dependency outside the @hybi workspace', () => {
        const pkg = manifest(name);
        for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
          const outside = Object.keys(pkg[field] ?? {}).filter((dep) => !dep.startsWith('@hybi/'));
          expect(outside, `${field} of @hybi/${name}`).toEqual([]);
        }
      });

      it('imports nothing but other @hybi packages from its built ESM and CJS', () => {
        const dist = join(root, 'packages', name, 'dist');
        const esm = readFileSync(join(dist, 'index.js'), 'utf8');
        const cjs = readFileSync(join(dist, 'index.cjs'), 'utf8');
        expect(importedSpecifiers(esm, cjs).filter((specifier) => !specifier.startsWith('@hybi/'))).toEqual([]);
      });

    });
  }
});

describe('every package', () => {
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    it(`@hybi/${name} ships ESM, CJS and both declaration files`, () => {
      const files = readdirSync(join(root, 'packages', name, 'dist'));
      expect(files).toEqual(expect.arrayContaining(['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']));
    });
    it(`@hybi/${name} has a README and is side-effect free`, () => {
      const pkg = manifest(name);
      expect(pkg.sideEffects).toBe(false);
      expect(pkg.engines?.node).toBe('>=20');
      expect(readFileSync(join(root, 'packages', name, 'README.md'), 'utf8').length).toBeGreaterThan(500);
    });
  }
});
