import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mask } from '@hybi/frame-codec';
import { maskBytes, unmaskInto } from '../src/mask.js';

/** RFC 6455 5.3: "octet i of the transformed data is the XOR of octet i of the original data with octet at index i modulo 4 of the masking key". */
function reference(data: Uint8Array, key: Uint8Array, keyOffset: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ key[(keyOffset + i) % 4]!;
  return out;
}

describe('RFC 6455 5.3 masking', () => {
  it('matches the byte-wise definition for any length, alignment and key offset', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat(7),
        fc.nat(3),
        fc.nat(3),
        (data, key, keyOffset, lead, tail) => {
          // Place the data at an arbitrary alignment inside a larger buffer.
          const buffer = new Uint8Array(lead + data.length + tail).fill(0xee);
          buffer.set(data, lead);
          maskBytes(buffer, key, keyOffset, lead, lead + data.length);
          expect(buffer.subarray(lead, lead + data.length)).toEqual(reference(data, key, keyOffset));
          // Bytes outside the range are untouched.
          expect([...buffer.subarray(0, lead), ...buffer.subarray(lead + data.length)].every((b) => b === 0xee)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('masks a payload split at any points like the whole payload', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.array(fc.nat(200), { maxLength: 5 }), (data, cuts) => {
        const key = Uint8Array.of(1, 2, 3, 4);
        const whole = data.slice();
        maskBytes(whole, key, 0, 0, whole.length);
        const pieces = data.slice();
        const points = [...new Set(cuts.map((c) => c % data.length))].sort((a, b) => a - b);
        let start = 0;
        for (const point of [...points, data.length]) {
          maskBytes(pieces, key, start, start, point);
          start = point;
        }
        expect(pieces).toEqual(whole);
      }),
    );
  });

  it('is its own inverse (the 5.7 example: "Hello" with 37 fa 21 3d)', () => {
    const data = new TextEncoder().encode('Hello');
    mask(data, Uint8Array.of(0x37, 0xfa, 0x21, 0x3d));
    expect([...data]).toEqual([0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    mask(data, Uint8Array.of(0x37, 0xfa, 0x21, 0x3d));
    expect(new TextDecoder().decode(data)).toBe('Hello');
  });

  it('rejects a key that is not 4 bytes', () => {
    expect(() => mask(new Uint8Array(4), new Uint8Array(3))).toThrow(TypeError);
  });
});

describe('RFC 6455 5.3 masking of long runs (WebAssembly SIMD)', () => {
  const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

  it('matches the byte-wise definition across the SIMD threshold and the 64 KiB blocks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(511, 512, 513, 1000, 4096, 65535, 65536, 65537, 65536 + 63, 131072 + 5),
        fc.nat(7),
        fc.nat(7),
        fc.integer({ min: 1, max: 0xffffffff }),
        (length, lead, keyOffset, seed) => {
          const data = new Uint8Array(length);
          let state = seed;
          for (let i = 0; i < length; i++) data[i] = state = (Math.imul(state, 1103515245) + 12345) >>> 16;
          const buffer = new Uint8Array(lead + length + 8).fill(0xee);
          buffer.set(data, lead);
          maskBytes(buffer, key, keyOffset, lead, lead + length);
          expect(firstDifference(buffer.subarray(lead, lead + length), reference(data, key, keyOffset))).toBe(-1);
          expect([...buffer.subarray(0, lead), ...buffer.subarray(lead + length)].every((b) => b === 0xee)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('masks a long payload split at any points like the whole payload', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(140_000), { maxLength: 4 }), (cuts) => {
        const data = new Uint8Array(140_000).map((_, i) => i * 7);
        const whole = data.slice();
        maskBytes(whole, key, 0, 0, whole.length);
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        let start = 0;
        for (const point of [...points, data.length]) {
          maskBytes(data, key, start, start, point);
          start = point;
        }
        expect(firstDifference(data, whole)).toBe(-1);
      }),
      { numRuns: 30 },
    );
  });
});

describe('unmasking while copying (unmaskInto)', () => {
  const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

  it('writes the unmasked bytes at any place of the target, leaving the source and the rest alone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 5, 31, 32, 511, 512, 513, 4096, 65535, 65536, 65537, 131072 + 5),
        fc.nat(7),
        fc.nat(7),
        fc.nat(7),
        fc.integer({ min: 1, max: 0xffffffff }),
        (length, lead, at, keyOffset, seed) => {
          const source = new Uint8Array(lead + length);
          let state = seed;
          for (let i = 0; i < source.length; i++) source[i] = state = (Math.imul(state, 1103515245) + 12345) >>> 16;
          const before = source.slice();
          const data = source.subarray(lead);
          const target = new Uint8Array(at + length + 8).fill(0xee);
          unmaskInto(data, key, keyOffset, target, at);
          expect(firstDifference(target.subarray(at, at + length), reference(data, key, keyOffset))).toBe(-1);
          expect([...target.subarray(0, at), ...target.subarray(at + length)].every((b) => b === 0xee)).toBe(true);
          expect(firstDifference(source, before)).toBe(-1);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('masking without WebAssembly', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  async function freshMask(): Promise<typeof maskBytes> {
    vi.resetModules();
    return (await import('../src/mask.js')).maskBytes;
  }

  async function freshUnmaskInto(): Promise<typeof unmaskInto> {
    vi.resetModules();
    return (await import('../src/mask.js')).unmaskInto;
  }

  it('uses WebAssembly where the runtime has it (here, Node)', async () => {
    const compile = vi.spyOn(WebAssembly, 'Module');
    const fresh = await freshMask();
    const data = new Uint8Array(4096);
    fresh(data, key4, 0, 0, data.length);
    expect(compile).toHaveBeenCalledTimes(1);
    fresh(data, key4, 0, 0, data.length);
    expect(compile).toHaveBeenCalledTimes(1);
    compile.mockRestore();
    expect(data.every((b) => b === 0)).toBe(true);
  });

  for (const [name, stub] of [
    ['no WebAssembly global', undefined],
    ['compiling forbidden (a Content-Security-Policy without wasm-unsafe-eval)', { Module: function () { throw new Error('CompileError: refused'); } }],
  ] as const) {
    it(`falls back to 32-bit words: ${name}`, async () => {
      vi.stubGlobal('WebAssembly', stub);
      const fresh = await freshMask();
      const data = new Uint8Array(70_000).map((_, i) => i);
      const expected = reference(data, key4, 3);
      fresh(data, key4, 3, 0, data.length);
      expect(firstDifference(data, expected)).toBe(-1);
    });

    it(`unmasks while copying by 32-bit words: ${name}`, async () => {
      vi.stubGlobal('WebAssembly', stub);
      const unmask = await freshUnmaskInto();
      const data = new Uint8Array(70_001).map((_, i) => i * 3);
      const target = new Uint8Array(70_003);
      unmask(data, key4, 1, target, 2);
      expect(firstDifference(target.subarray(2), reference(data, key4, 1))).toBe(-1);
    });
  }
});

const key4 = Uint8Array.of(1, 2, 3, 4);

/** The index of the first byte that differs, or -1 (faster than a deep equality on long arrays). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
