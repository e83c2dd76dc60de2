// Replays every test-vectors/handshake/*.json file through the package (by
// its sources) with the suite's pure replayer: one `it` per vector, each fed
// whole, byte by byte, at random split points and at the listed splits.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '@hybi/handshake';
import { replayVector } from '../../../test-vectors/replay/handshake.js';
import type { VectorFile } from '../../../test-vectors/replay/common.js';

const dir = join(__dirname, '..', '..', '..', 'test-vectors', 'handshake');
const files = readdirSync(dir).filter((file) => file.endsWith('.json'));

describe('test-vectors/handshake', () => {
  it('has vector files', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as VectorFile;
    describe(file, () => {
      for (const vector of doc.vectors) {
        it(vector.name, () => {
          const { mismatches } = replayVector(api, vector);
          expect(mismatches, mismatches.slice(0, 3).join('\n')).toEqual([]);
        });
      }
    });
  }
});
