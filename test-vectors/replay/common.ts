// Shared by every suite's replayer. Pure and runtime-neutral: no Node APIs, no
// test framework, so the same code replays the vectors in Node, Deno, Bun and
// a browser page.

export interface VectorFile<V = Vector> {
  readonly suite: string;
  readonly description: string;
  readonly vectors: readonly V[];
}

export interface Vector {
  readonly name: string;
  readonly reference?: string;
  readonly description?: string;
  readonly setup?: Readonly<Record<string, unknown>>;
  readonly inputHex?: string;
  readonly inputText?: string;
  readonly inputHeaders?: ReadonlyArray<readonly [string, string]>;
  readonly chunking?: { readonly wholeOnly?: boolean; readonly splits?: readonly (readonly number[])[] };
  readonly expect: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** Parses hex digits, ignoring white space. */
export function fromHex(hex: string): Uint8Array {
  const digits = hex.replace(/\s+/g, '');
  if (digits.length % 2 !== 0 || /[^0-9a-fA-F]/.test(digits)) throw new Error(`bad hex: ${hex.slice(0, 40)}`);
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Lower-case hex without separators. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += bytes[i]!.toString(16).padStart(2, '0');
  return out;
}

/** The input bytes of a vector (`inputHex` or `inputText`). */
export function inputBytes(vector: Vector): Uint8Array {
  if (vector.inputHex !== undefined) return fromHex(vector.inputHex);
  if (vector.inputText !== undefined) return new TextEncoder().encode(vector.inputText);
  throw new Error(`vector "${vector.name}" has no byte input`);
}

/** A small deterministic PRNG (mulberry32) for reproducible splits. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Chunking {
  /** How the input was split, for failure messages: "whole", "bytewise", "random#3", "splits[0]". */
  readonly label: string;
  readonly chunks: readonly Uint8Array[];
}

export const RANDOM_SPLITTINGS = 20;

/** Splits `input` at the given offsets (sorted, deduplicated, clamped). */
export function splitAt(input: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const points = [...new Set(offsets.filter((o) => o > 0 && o < input.length))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(input.slice(start, point));
    start = point;
  }
  chunks.push(input.slice(start));
  return chunks;
}

/**
 * Every way test-vectors/README.md says a vector is fed: whole, byte by byte,
 * RANDOM_SPLITTINGS seeded random splittings, and each listed split. Chunks
 * are fresh copies, so a receiver that works in place cannot disturb the
 * next chunking.
 */
export function chunkings(vector: Vector, input: Uint8Array = inputBytes(vector)): Chunking[] {
  const result: Chunking[] = [{ label: 'whole', chunks: [input.slice()] }];
  if (vector.chunking?.wholeOnly) return result;
  result.push({ label: 'bytewise', chunks: Array.from(input, (_, i) => input.slice(i, i + 1)) });
  const random = prng(0x9e3779b9 ^ input.length);
  for (let n = 0; n < RANDOM_SPLITTINGS; n++) {
    const count = Math.floor(random() * Math.min(8, input.length));
    const offsets = Array.from({ length: count }, () => Math.floor(random() * input.length));
    result.push({ label: `random#${n}`, chunks: splitAt(input, offsets) });
  }
  vector.chunking?.splits?.forEach((offsets, i) => result.push({ label: `splits[${i}]`, chunks: splitAt(input, offsets) }));
  return result;
}

/** Structural equality on JSON-like values, for comparing event lists. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** One replay outcome: empty `mismatches` means the vector passed every chunking. */
export interface ReplayResult {
  readonly name: string;
  readonly mismatches: readonly string[];
}

/** Describes a mismatch between expected and actual events. */
export function describeMismatch(label: string, expected: unknown, actual: unknown): string {
  return `${label}: expected ${JSON.stringify(expected)}\n      got ${JSON.stringify(actual)}`;
}
