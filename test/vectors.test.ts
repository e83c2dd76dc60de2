// The envelope rules of test-vectors/README.md, checked on every vector file,
// so that a malformed vector fails here instead of being silently skipped.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(__dirname, '..', 'test-vectors');
const suites = ['frame-codec', 'handshake', 'h2-bootstrap', 'permessage-deflate'];
const files = suites.flatMap((suite) => {
  const suiteDir = join(dir, suite);
  try {
    if (!statSync(suiteDir).isDirectory()) return [];
  } catch {
    return [];
  }
  return readdirSync(suiteDir).filter((f) => f.endsWith('.json')).map((f) => ({ suite, path: join(suiteDir, f), file: `${suite}/${f}` }));
});

const envelopeKeys = new Set(['$schema', 'suite', 'description', 'references', 'vectors']);

describe('test-vectors envelope', () => {
  it('has vector files to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const { suite, path, file } of files) {
    it(file, () => {
      const doc = JSON.parse(readFileSync(path, 'utf8'));
      expect(Object.keys(doc).filter((k) => !envelopeKeys.has(k)), 'unknown top-level keys').toEqual([]);
      expect(doc.suite).toBe(suite);
      expect(typeof doc.description).toBe('string');
      expect(Array.isArray(doc.vectors) && doc.vectors.length > 0).toBe(true);
      const names = new Set<string>();
      for (const vector of doc.vectors) {
        expect(typeof vector.name, 'name').toBe('string');
        expect(names.has(vector.name), `duplicate name ${vector.name}`).toBe(false);
        names.add(vector.name);
        const inputs = ['inputHex', 'inputText', 'inputHeaders'].filter((k) => k in vector);
        expect(inputs.length, `${vector.name}: at most one input field`).toBeLessThanOrEqual(1);
        if ('inputHex' in vector) expect(vector.inputHex, vector.name).toMatch(/^(?:\s*[0-9a-f]{2})*\s*$/);
        expect(Array.isArray(vector.expect), `${vector.name}: expect`).toBe(true);
        for (const event of vector.expect) {
          expect(typeof event.type, `${vector.name}: event type`).toBe('string');
          for (const [key, value] of Object.entries(event)) {
            if (key.endsWith('Hex')) expect(value, `${vector.name}: ${key}`).toMatch(/^(?:\s*[0-9a-f]{2})*\s*$/);
          }
        }
      }
    });
  }
});
