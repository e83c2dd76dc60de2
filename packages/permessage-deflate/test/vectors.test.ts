// Every vector of test-vectors/permessage-deflate through the shared replayer,
// with the default pako backend and with node:zlib.
import zlib from 'node:zlib';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as frameCodec from '@hybi/frame-codec';
import * as api from '../src/index.js';
import { replayVector, type ReplayOptions } from '../../../test-vectors/replay/permessage-deflate.js';
import type { Vector, VectorFile } from '../../../test-vectors/replay/common.js';

const dir = join(__dirname, '..', '..', '..', 'test-vectors', 'permessage-deflate');
const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();

// frames.json runs through @hybi/frame-codec's Connection.
const backends: Record<string, ReplayOptions> = {
  pako: { frameCodec },
  'node:zlib': { frameCodec, backend: (tuning) => api.nodeZlibBackend(zlib, tuning) },
};

describe('test-vectors/permessage-deflate', () => {
  it('has the five vector files', () => {
    expect(files).toEqual(['deflate.json', 'frames.json', 'inflate.json', 'negotiation-client.json', 'negotiation-server.json']);
  });

  it('a receive vector without the frame codec namespace fails, saying why', () => {
    const doc = JSON.parse(readFileSync(join(dir, 'frames.json'), 'utf8')) as VectorFile<Vector>;
    expect(replayVector(api, doc.vectors[0]!).mismatches).toEqual([expect.stringContaining('options.frameCodec')]);
  });
  for (const file of files) {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as VectorFile<Vector>;
    const usesBackend = doc.vectors.some((v) => ['inflate', 'deflate', 'receive'].includes((v.setup as { operation?: string } | undefined)?.operation ?? ''));
    for (const [backendName, options] of Object.entries(usesBackend ? backends : { pako: {} })) {
      describe(usesBackend ? `${file} (${backendName})` : file, () => {
        for (const vector of doc.vectors) {
          it(vector.name, () => {
            const result = replayVector(api, vector, options);
            expect(result.mismatches, result.mismatches.join('\n')).toEqual([]);
          });
        }
      });
    }
  }
});
