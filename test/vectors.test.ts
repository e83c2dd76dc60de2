// The envelope rules of test-vectors/README.md, checked on every vector file,
// so that a malformed vector fails here instead of being silently skipped:
// test-vectors/schema.json (with ./json-schema.ts), then the rules a schema
// does not say (unique names, at most one input, whole bytes in hex).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from './json-schema.js';

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
const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'));

describe('test-vectors/schema.json', () => {
  const valid = {
    suite: 'frame-codec',
    description: 'a file',
    vectors: [{ name: 'a vector', inputHex: '81 00', inputHeaders: [['host', 'a']], chunking: { splits: [[1]] }, expect: [{ type: 'message' }] }],
  };
  const withVector = (change: Record<string, unknown>) => ({ ...valid, vectors: [{ ...valid.vectors[0], ...change }] });

  it('accepts a well-formed file', () => {
    expect(validate(schema, valid)).toEqual([]);
  });

  it.each([
    ['no vectors', { ...valid, vectors: [] }, '/vectors: fewer than 1 items'],
    ['an unknown suite', { ...valid, suite: 'frame' }, '/suite: "frame" is not one of'],
    ['an unknown top-level key', { ...valid, vector: [] }, '/vector: not allowed'],
    ['a vector without expect', withVector({ expect: undefined }), '/vectors/0: "expect" is required'],
    ['an empty name', withVector({ name: '' }), '/vectors/0/name: shorter than 1'],
    ['upper-case hex', withVector({ inputHex: '8A 00' }), '/vectors/0/inputHex: does not match'],
    ['a header line of three fields', withVector({ inputHeaders: [['host', 'a', 'b']] }), '/vectors/0/inputHeaders/0: more than 2 items'],
    ['a header value that is a number', withVector({ inputHeaders: [['content-length', 5]] }), '/vectors/0/inputHeaders/0/1: expected string, got integer'],
    ['a negative split', withVector({ chunking: { splits: [[-1]] } }), '/vectors/0/chunking/splits/0/0: less than 0'],
    ['an unknown chunking key', withVector({ chunking: { every: 1 } }), '/vectors/0/chunking/every: not allowed'],
    ['an event without a type', withVector({ expect: [{ code: 1000 }] }), '/vectors/0/expect/0: "type" is required'],
  ])('rejects %s', (_, doc, error) => {
    // JSON has no undefined: drop such members as JSON.parse would never produce them.
    const errors = validate(schema, JSON.parse(JSON.stringify(doc)));
    expect(errors.join('\n')).toContain(error);
  });

  it('refuses a keyword the validator does not implement', () => {
    expect(() => validate({ type: 'object', oneOf: [] }, {})).toThrow(/"oneOf" .* not supported/);
  });
});

describe('test-vectors envelope', () => {
  it('has vector files to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const { suite, path, file } of files) {
    it(file, () => {
      const doc = JSON.parse(readFileSync(path, 'utf8'));
      expect(validate(schema, doc), 'violations of test-vectors/schema.json').toEqual([]);
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
