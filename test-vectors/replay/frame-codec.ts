// Replays test-vectors/frame-codec/*.json through an @hybi/frame-codec
// namespace passed in by the caller. Pure and runtime-neutral: no Node APIs,
// no test framework, no import of the package (so the same code replays the
// vectors against the sources in vitest and against the built package in
// Deno, Bun and a browser). The setup fields and event shapes are documented
// in test-vectors/README.md, "Suite: frame-codec".

import {
  chunkings,
  deepEqual,
  describeMismatch,
  fromHex,
  inputBytes,
  toHex,
  type ReplayResult,
  type Vector,
  type VectorFile,
} from './common.js';

type Fields = Readonly<Record<string, unknown>>;

/** The part of the package's namespace the replayer uses. */
export interface FrameCodecApi {
  Connection: new (options: {
    role: 'client' | 'server';
    maxFramePayload?: number;
    maxMessageSize?: number;
    autoPong?: boolean;
    streaming?: boolean;
    random?: (target: Uint8Array) => void;
  }) => {
    /** Events produced as they are iterated (each vector iterates them to the end). */
    receive(chunk: Uint8Array): Iterable<object>;
    receiveEnd(): Iterable<object>;
    close(code?: number, reason?: string): Uint8Array[];
  };
}

/** The `setup` fields of a frame-codec vector. */
interface Setup {
  readonly role: 'client' | 'server';
  readonly maxFramePayload?: number;
  readonly maxMessageSize?: number;
  readonly autoPong?: boolean;
  readonly streaming?: boolean;
  /** The 4 bytes every frame this (client) connection sends is masked with. */
  readonly maskKeyHex?: string;
  /** Call `close(code, reason)` before feeding the input; its frame is not part of `expect`. */
  readonly localClose?: { readonly code?: number; readonly reason?: string };
  /** Call `receiveEnd()` after the input. */
  readonly end?: boolean;
}

const SETUP_KEYS = new Set(['role', 'maxFramePayload', 'maxMessageSize', 'autoPong', 'streaming', 'maskKeyHex', 'localClose', 'end']);

/** A random source that repeats `key`: every masking key drawn from it is `key`. */
export function fixedKey(key: Uint8Array): (target: Uint8Array) => void {
  return (target) => {
    for (let i = 0; i < target.length; i++) target[i] = key[i % key.length]!;
  };
}

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, piece) => n + piece.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** An event as the vectors write it: bytes as lower-case hex without spaces. */
export function normalize(event: object): Fields {
  const e = event as Fields;
  switch (e.type) {
    case 'message':
      return { type: 'message', kind: e.kind, dataHex: toHex(e.data as Uint8Array) };
    case 'fragment':
      return { type: 'fragment', kind: e.kind, dataHex: toHex(e.data as Uint8Array), frameEnd: e.frameEnd, messageEnd: e.messageEnd };
    case 'ping':
    case 'pong':
      return { type: e.type, dataHex: toHex(e.data as Uint8Array) };
    case 'write':
      return { type: 'write', dataHex: toHex(concat(e.data as readonly Uint8Array[])) };
    case 'protocol-error':
      return { type: 'protocol-error', code: e.code };
    case 'close':
      return { type: 'close', code: e.code, reason: e.reason, initiator: e.initiator, clean: e.clean };
    case 'close-transport':
      return { type: 'close-transport', awaitPeer: e.awaitPeer };
    default:
      return { ...e };
  }
}

/** Expected events with `dataText` turned into `dataHex` and hex written canonically. */
export function canonical(event: Fields): Fields {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'dataText') out.dataHex = toHex(new TextEncoder().encode(value as string));
    else if (key.endsWith('Hex')) out[key] = toHex(fromHex(value as string));
    else out[key] = value;
  }
  return out;
}

/**
 * Merges consecutive fragment events of the same frame (an event whose
 * `frameEnd` is false and the next fragment event), so that how the input
 * was split does not show.
 */
export function mergeFragments(events: readonly Fields[]): Fields[] {
  const out: Fields[] = [];
  for (const event of events) {
    const previous = out[out.length - 1];
    if (event.type === 'fragment' && previous?.type === 'fragment' && previous.frameEnd === false) {
      out[out.length - 1] = { ...event, dataHex: `${previous.dataHex as string}${event.dataHex as string}` };
    } else out.push(event);
  }
  return out;
}

/** Runs one vector through every chunking; the result lists what did not match. */
export function replayVector(api: FrameCodecApi, vector: Vector): ReplayResult {
  const mismatches: string[] = [];
  const setup = (vector.setup ?? {}) as unknown as Setup;
  const unknown = Object.keys(setup).filter((key) => !SETUP_KEYS.has(key));
  if (unknown.length > 0) return { name: vector.name, mismatches: [`unknown setup fields: ${unknown.join(', ')}`] };
  const expected = mergeFragments(vector.expect.map(canonical));
  const input = inputBytes(vector);
  for (const { label, chunks } of chunkings(vector, input)) {
    const connection = new api.Connection({
      role: setup.role,
      ...(setup.maxFramePayload !== undefined && { maxFramePayload: setup.maxFramePayload }),
      ...(setup.maxMessageSize !== undefined && { maxMessageSize: setup.maxMessageSize }),
      ...(setup.autoPong !== undefined && { autoPong: setup.autoPong }),
      ...(setup.streaming !== undefined && { streaming: setup.streaming }),
      ...(setup.maskKeyHex !== undefined && { random: fixedKey(fromHex(setup.maskKeyHex)) }),
    });
    const actual: Fields[] = [];
    try {
      if (setup.localClose) connection.close(setup.localClose.code, setup.localClose.reason);
      // Events are normalized as they come (iterated to the end): their bytes may be views of the chunk just fed.
      for (const chunk of chunks) for (const event of connection.receive(chunk)) actual.push(normalize(event));
      if (setup.end) for (const event of connection.receiveEnd()) actual.push(normalize(event));
    } catch (error) {
      mismatches.push(`${label}: threw ${String(error)}`);
      continue;
    }
    const merged = mergeFragments(actual);
    if (!deepEqual(merged, expected)) mismatches.push(describeMismatch(label, expected, merged));
  }
  return { name: vector.name, mismatches };
}

/** Replays every vector of a file. */
export function replayFile(api: FrameCodecApi, file: VectorFile): ReplayResult[] {
  return file.vectors.map((vector) => replayVector(api, vector));
}
