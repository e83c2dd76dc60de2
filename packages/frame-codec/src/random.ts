// Masking keys (RFC 6455 5.3 and 10.3) from an injectable random source,
// drawn from a pool that is refilled in bulk.

/** Fills `target` with random bytes. `crypto.getRandomValues` is one. */
export type RandomSource = (target: Uint8Array) => void;

/** The default source: `globalThis.crypto.getRandomValues`, 64 KiB per call at most. */
export const cryptoRandom: RandomSource = (target) => {
  for (let offset = 0; offset < target.length; offset += 65536) {
    globalThis.crypto.getRandomValues(target.subarray(offset, offset + 65536));
  }
};

/**
 * A deterministic source for tests and reproducible traces, NOT for real
 * connections (RFC 6455 10.3 requires unpredictable masking keys). It is
 * mulberry32 seeded with `seed`: each step yields one 32-bit value, written as
 * 4 bytes little-endian, so the bytes are the same however `target` is sized.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  let word = 0;
  let left = 0;
  return (target) => {
    for (let i = 0; i < target.length; i++) {
      if (left === 0) {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        word = (t ^ (t >>> 14)) >>> 0;
        left = 4;
      }
      target[i] = word & 0xff;
      word >>>= 8;
      left--;
    }
  };
}

/** Keys per refill: one call to the source per 256 frames. */
const POOL_SIZE = 1024;

/** Hands out 4-byte masking keys from a pool refilled by one call to the source. */
export class MaskKeyPool {
  readonly #pool = new Uint8Array(POOL_SIZE);
  #next = POOL_SIZE;

  constructor(private readonly random: RandomSource) {}

  /** Writes the next key to `target[offset, offset + 4)`. */
  take(target: Uint8Array, offset: number): void {
    if (this.#next === POOL_SIZE) {
      this.random(this.#pool);
      this.#next = 0;
    }
    const pool = this.#pool;
    const i = this.#next;
    target[offset] = pool[i]!;
    target[offset + 1] = pool[i + 1]!;
    target[offset + 2] = pool[i + 2]!;
    target[offset + 3] = pool[i + 3]!;
    this.#next = i + 4;
  }
}
