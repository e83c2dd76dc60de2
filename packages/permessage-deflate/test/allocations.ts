// Counts typed-array allocations, for the tests that prove memory bounds.

const originals = { Uint8Array, Uint16Array, Int32Array };
type TypedArrayConstructor = Uint8ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor;

/**
 * Runs `fn` with the typed-array constructors that pako and the backends use
 * replaced by subclasses that add up every allocation by size. pako also
 * allocates short-lived scratch arrays of at most 32 octets (per inflate()
 * call a 4-octet header buffer and the 19-entry code-length order; per
 * Huffman table two 16-entry counters), dropped before it returns; those are
 * counted apart, as `scratch`.
 */
export function allocatedBytes(fn: () => void): { total: number; scratch: number } {
  let total = 0;
  let scratch = 0;
  const add = (bytes: number) => {
    if (bytes <= 32) scratch += bytes;
    else total += bytes;
  };
  const counting = <T extends TypedArrayConstructor>(Base: T): T => {
    const size = (Base as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return class extends (Base as any) {
      // Arrays made before the swap are still instances (the frame codec checks its input with instanceof).
      static [Symbol.hasInstance](value: unknown): boolean {
        return value instanceof Base;
      }
      constructor(...args: unknown[]) {
        super(...args);
        if (typeof args[0] === 'number') add(args[0] * size);
        else if (Array.isArray(args[0])) add(args[0].length * size);
      }
    } as unknown as T;
  };
  Object.assign(globalThis, { Uint8Array: counting(Uint8Array), Uint16Array: counting(Uint16Array), Int32Array: counting(Int32Array) });
  try {
    fn();
  } finally {
    Object.assign(globalThis, originals);
  }
  return { total, scratch };
}
