import { describe, expect, it } from 'vitest';
import { cryptoRandom, seededRandom } from '@hybi/frame-codec';
import { MaskKeyPool } from '../src/random.js';
import { prng } from '../../../test-vectors/replay/common.js';

describe('random sources', () => {
  it('seededRandom gives the same bytes for the same seed, however the target is sized', () => {
    const a = new Uint8Array(37);
    seededRandom(42)(a);
    const b = new Uint8Array(37);
    const source = seededRandom(42);
    source(b.subarray(0, 5));
    source(b.subarray(5, 6));
    source(b.subarray(6));
    expect(b).toEqual(a);
    const c = new Uint8Array(37);
    seededRandom(43)(c);
    expect(c).not.toEqual(a);
  });

  it('seededRandom is mulberry32 (as test-vectors/replay/common.ts), 4 bytes little-endian per step', () => {
    const next = prng(1234);
    const expected: number[] = [];
    for (let i = 0; i < 3; i++) {
      const word = next() * 2 ** 32;
      expected.push(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24);
    }
    const out = new Uint8Array(12);
    seededRandom(1234)(out);
    expect([...out]).toEqual(expected);
  });

  it('cryptoRandom fills targets larger than getRandomValues allows in one call', () => {
    const target = new Uint8Array(200_000);
    cryptoRandom(target);
    // The last 64 KiB are filled too (all zero has negligible probability).
    expect(target.subarray(190_000).some((b) => b !== 0)).toBe(true);
  });

  it('MaskKeyPool draws keys in order from bulk refills', () => {
    let calls = 0;
    const pool = new MaskKeyPool((target) => {
      calls++;
      seededRandom(7)(target);
    });
    const stream = new Uint8Array(1024);
    seededRandom(7)(stream);
    const key = new Uint8Array(4);
    for (let i = 0; i < 256; i++) {
      pool.take(key, 0);
      expect([...key]).toEqual([...stream.subarray(i * 4, i * 4 + 4)]);
    }
    expect(calls).toBe(1);
    pool.take(key, 0);
    expect(calls).toBe(2);
  });
});
