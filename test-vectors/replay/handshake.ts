// Replays test-vectors/handshake/*.json through an implementation of the
// @hybi/handshake API passed in by the caller (the module namespace, source or
// built). Pure and runtime-neutral: no Node APIs, no test framework, and no
// import of the package itself. The event shapes are documented in
// test-vectors/README.md, section "Suite: handshake".
import { chunkings, deepEqual, describeMismatch, fromHex, toHex, type ReplayResult, type Vector, type VectorFile } from './common.js';

type Pairs = ReadonlyArray<readonly [string, string]>;
type Json = Readonly<Record<string, unknown>>;
interface Extension {
  readonly name: string;
  readonly params: ReadonlyArray<{ readonly name: string; readonly value: string | null }>;
}

type Event = { readonly type: string } & Json;
// Options come from JSON, so they are not checked against the package's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Options = any;

/** The part of the @hybi/handshake API the replayer drives. */
export interface HandshakeApi {
  readonly ServerHandshake: new (options?: Options) => {
    readonly state: string;
    receive(chunk: Uint8Array): ReadonlyArray<{ readonly type: string }>;
    accept(options?: Options): { readonly response: Uint8Array; readonly leftover: Uint8Array };
    reject(options: Options): Uint8Array;
  };
  readonly ClientHandshake: new (options: Options) => {
    readonly request: Uint8Array;
    receive(chunk: Uint8Array): ReadonlyArray<{ readonly type: string }>;
    end(): ReadonlyArray<{ readonly type: string }>;
  };
}

/** The RFC 6455 section 1.3 example nonce, used when a client vector names no key. */
export const DEFAULT_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const DEFAULT_URL = 'ws://server.example.com/chat';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `{ [name]Text }` when the bytes are UTF-8, else `{ [name]Hex }`. */
function bytesField(name: string, bytes: Uint8Array): Json {
  try {
    return { [`${name}Text`]: utf8.decode(bytes) };
  } catch {
    return { [`${name}Hex`]: toHex(bytes) };
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** The expected-event form of a server event (see the README). */
function serverEvent(event: Event): Json {
  if (event.type === 'request') {
    const { method, target, path, query, host, origin, protocols, extensions, headers, key } = event;
    return { type: 'request', method, target, path, query, host, origin, protocols, extensions, headers, key };
  }
  if (event.type === 'reject') {
    // Content-Type and Content-Length describe the implementation's own text.
    const headers = (event.headers as Pairs).filter(([name]) => !/^content-(type|length)$/i.test(name));
    return { type: 'reject', status: event.status, code: event.code, headers };
  }
  return { ...event };
}

function clientEvent(event: Event): Json {
  switch (event.type) {
    case 'accepted':
      return { type: 'accepted', protocol: event.protocol, extensions: event.extensions, headers: event.headers };
    case 'rejected':
      return { type: 'rejected', status: event.status, reason: event.reason, headers: event.headers, bodyHex: toHex(event.body as Uint8Array), chunked: event.chunked };
    case 'failed':
      return { type: 'failed', code: event.code };
  }
  return { ...event };
}

function localError(error: unknown): Json {
  return { type: 'local-error', error: error instanceof Error ? error.name : typeof error };
}

function replayServer(api: HandshakeApi, setup: Json, chunks: readonly Uint8Array[]): Json[] {
  const events: Json[] = [];
  let server;
  try {
    server = new api.ServerHandshake((setup.limits as Json) ?? {});
  } catch (error) {
    return [localError(error)];
  }
  // Early data comes in a receive() call of its own, after the request head.
  const early = setup.earlyDataHex === undefined ? [] : [fromHex(setup.earlyDataHex as string)];
  for (const chunk of [...chunks, ...early]) for (const event of server.receive(chunk)) events.push(serverEvent(event as Event));
  if (server.state !== 'awaiting-decision') return events;
  try {
    if (setup.reject !== undefined) {
      const { bodyText, ...options } = setup.reject as Json;
      events.push({ type: 'response', ...bytesField('response', server.reject({ ...options, body: bodyText })) });
    } else {
      const { response, leftover } = server.accept((setup.accept as Json) ?? {});
      events.push({ type: 'response', ...bytesField('response', response), leftoverHex: toHex(leftover) });
    }
  } catch (error) {
    events.push(localError(error));
  }
  return events;
}

function replayClient(api: HandshakeApi, setup: Json, chunks: readonly Uint8Array[]): Json[] {
  const key = fromBase64((setup.key as string) ?? DEFAULT_KEY);
  const { role: _role, key: _key, limits, end, ...options } = setup;
  let client;
  try {
    client = new api.ClientHandshake({ url: DEFAULT_URL, ...options, ...(limits as Json), random: (target: Uint8Array) => target.set(key) });
  } catch (error) {
    return [localError(error)];
  }
  const events: Json[] = [{ type: 'request', ...bytesField('request', client.request) }];
  // Bytes after an `accepted` event belong to the frame codec: gathered here.
  let accepted: Json | null = null;
  const leftover: Uint8Array[] = [];
  const take = (received: { readonly type: string }) => {
    const event = received as Event;
    const mapped = clientEvent(event);
    events.push(mapped);
    if (event.type === 'accepted') {
      accepted = mapped;
      leftover.push((event.leftover as Uint8Array).slice());
    }
  };
  for (const chunk of chunks) {
    if (accepted !== null) leftover.push(chunk);
    else client.receive(chunk).forEach(take);
  }
  if (end === true && accepted === null) client.end().forEach(take);
  if (accepted !== null) (accepted as Record<string, unknown>).leftoverHex = toHex(concat(leftover));
  return events;
}

/** Replays one vector in every chunking; no mismatches means it passed. */
export function replayVector(api: HandshakeApi, vector: Vector): ReplayResult {
  const setup = (vector.setup ?? {}) as Json;
  const mismatches: string[] = [];
  for (const { label, chunks } of chunkings(vector)) {
    let actual: Json[];
    try {
      actual = setup.role === 'client' ? replayClient(api, setup, chunks) : replayServer(api, setup, chunks);
    } catch (error) {
      mismatches.push(`${label}: threw ${String(error)}`);
      continue;
    }
    if (!deepEqual(actual, vector.expect)) mismatches.push(describeMismatch(label, vector.expect, actual));
  }
  return { name: vector.name, mismatches };
}

export function replayFile(api: HandshakeApi, file: VectorFile): ReplayResult[] {
  return file.vectors.map((vector) => replayVector(api, vector));
}

