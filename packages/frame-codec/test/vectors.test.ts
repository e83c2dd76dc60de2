// Replays every file of test-vectors/frame-codec through the sources, with
// the same pure replayer that the runtime suites use on the built package.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '@hybi/frame-codec';
import type { VectorFile } from '../../../test-vectors/replay/common.js';
import { replayVector } from '../../../test-vectors/replay/frame-codec.js';

const dir = join(__dirname, '..', '..', '..', 'test-vectors', 'frame-codec');
const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();

describe('test-vectors/frame-codec', () => {
  it('has vector files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('reports a vector whose expectation does not hold', () => {
    const vector = { name: 'wrong', setup: { role: 'client' }, inputHex: '810548656c6c6f', expect: [{ type: 'message', kind: 'text', dataText: 'Hellp' }] };
    const result = replayVector(api, vector);
    // One mismatch per chunking: whole, byte by byte and the random splits.
    expect(result.mismatches.length).toBeGreaterThan(2);
  });

  it('reports a receiver whose output depends on the chunking', () => {
    // A fake Connection that reports each chunk it gets: only the whole-input feed matches.
    const fake = {
      Connection: class {
        receive(chunk: Uint8Array) {
          return [{ type: 'ping', data: chunk }];
        }
        receiveEnd() {
          return [];
        }
        close() {
          return [];
        }
      },
    };
    const vector = { name: 'split', setup: { role: 'server' }, inputHex: '0102', expect: [{ type: 'ping', dataHex: '0102' }] };
    const result = replayVector(fake, vector);
    expect(result.mismatches.some((m) => m.startsWith('bytewise'))).toBe(true);
    expect(result.mismatches.some((m) => m.startsWith('whole'))).toBe(false);
  });

  it('merges fragment pieces of one frame, and only those', () => {
    const vector = {
      name: 'streamed',
      setup: { role: 'client', streaming: true },
      inputHex: '0203010203 800104',
      expect: [
        { type: 'fragment', kind: 'binary', dataHex: '010203', frameEnd: true, messageEnd: false },
        { type: 'fragment', kind: 'binary', dataHex: '04', frameEnd: true, messageEnd: true },
      ],
    };
    expect(replayVector(api, vector).mismatches).toEqual([]);
    const merged = { ...vector, expect: [{ type: 'fragment', kind: 'binary', dataHex: '01020304', frameEnd: true, messageEnd: true }] };
    expect(replayVector(api, merged).mismatches).not.toEqual([]);
  });

  it('rejects unknown setup fields', () => {
    const vector = { name: 'typo', setup: { role: 'client', streamin: true }, inputHex: '', expect: [] };
    expect(replayVector(api, vector).mismatches).toEqual(['unknown setup fields: streamin']);
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
