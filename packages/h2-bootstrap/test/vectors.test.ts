// Replays every file of test-vectors/h2-bootstrap through the sources, with
// the same pure replayer that the runtime suites use on the built package.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '@hybi/h2-bootstrap';
import type { VectorFile } from '../../../test-vectors/replay/common.js';
import { replayVector } from '../../../test-vectors/replay/h2-bootstrap.js';

const dir = join(__dirname, '..', '..', '..', 'test-vectors', 'h2-bootstrap');
const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();

describe('test-vectors/h2-bootstrap', () => {
  it('has vector files', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it('reports a vector whose expectation does not hold', () => {
    const vector = { name: 'wrong', setup: { version: 'h2' }, inputHex: '000800000001', expect: [{ type: 'settings', connectProtocol: 'disabled', settings: [{ id: 8, value: 1 }] }] };
    expect(replayVector(api, vector).mismatches).toHaveLength(1);
  });
  for (const name of files) {
    const file = JSON.parse(readFileSync(join(dir, name), 'utf8')) as VectorFile;
    describe(name, () => {
      for (const vector of file.vectors) {
        it(vector.name, () => {
          expect(replayVector(api, vector).mismatches).toEqual([]);
        });
      }
    });
  }
});
