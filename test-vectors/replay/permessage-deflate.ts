// Replays test-vectors/permessage-deflate/*.json through @hybi/permessage-deflate.
// Pure and runtime-neutral: the package namespace comes in as `api` (the type
// import below is erased), so the same code replays the vectors against the
// sources, the built ESM/CJS, Deno, Bun and a browser page.
// See the "Suite: permessage-deflate" section of test-vectors/README.md.

import type * as Api from '@hybi/permessage-deflate';
import { chunkings, deepEqual, describeMismatch, fromHex, inputBytes, toHex, type ReplayResult, type Vector, type VectorFile } from './common.js';
import { canonical, fixedKey, mergeFragments, normalize as normalizeConnectionEvent } from './frame-codec.js';

export type PermessageDeflateApi = typeof Api;
type DeflateBackend = Api.DeflateBackend;
type Extension = Api.Extension;

/** Tuning a vector may ask of the backend (`setup.level`, `setup.memLevel`). */
export interface BackendTuning {
  readonly level?: number;
  readonly memLevel?: number;
}

/** The part of `@hybi/frame-codec`'s namespace that `receive` vectors use. */
export interface FrameCodecApi {
  Connection: new (options: {
    role: 'client' | 'server';
    maxMessageSize?: number;
    streaming?: boolean;
    random?: (target: Uint8Array) => void;
    extensions?: readonly Api.PerMessageDeflate[];
  }) => { receive(chunk: Uint8Array): Iterable<object> };
}

export interface ReplayOptions {
  /** Builds the backend to replay with; default `api.pakoBackend(tuning)`. */
  readonly backend?: (tuning: BackendTuning) => DeflateBackend;
  /**
   * The `@hybi/frame-codec` namespace: `receive` vectors (frames.json) run
   * through its `Connection` with the extension. Without it they fail with a
   * mismatch saying so.
   */
  readonly frameCodec?: FrameCodecApi;
}

type Event = Readonly<Record<string, unknown>>;

interface Setup {
  readonly operation?: 'inflate' | 'deflate' | 'server' | 'client' | 'receive';
  readonly role?: 'client' | 'server';
  readonly negotiated?: boolean;
  readonly maxMessageSize?: number;
  readonly streaming?: boolean;
  readonly maskKeyHex?: string;
  readonly windowBits?: Api.WindowBits;
  readonly noContextTakeover?: boolean;
  readonly maxMessageBytes?: number;
  readonly maxFinalBlocks?: number;
  readonly level?: number;
  readonly memLevel?: number;
  readonly beforeHex?: readonly string[];
  readonly beforeText?: readonly string[];
  readonly options?: Readonly<Record<string, unknown>>;
  readonly compressWindowBits?: { readonly min: Api.WindowBits; readonly max: Api.WindowBits };
}

function setupOf(vector: Vector): Setup {
  return (vector.setup ?? {}) as Setup;
}

function tuningOf(setup: Setup): BackendTuning {
  const tuning: { level?: number; memLevel?: number } = {};
  if (setup.level !== undefined) tuning.level = setup.level;
  if (setup.memLevel !== undefined) tuning.memLevel = setup.memLevel;
  return tuning;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Expected events with `dataText` turned into `dataHex`, so both spellings compare alike. */
function normalize(events: readonly Event[]): Event[] {
  return events.map((event) => {
    if (typeof event.dataText !== 'string' && typeof event.dataHex !== 'string') return event;
    const { dataText, dataHex, ...rest } = event;
    const bytes = typeof dataText === 'string' ? new TextEncoder().encode(dataText) : fromHex(dataHex as string);
    return { ...rest, dataHex: toHex(bytes) };
  });
}

// --- inflate ---------------------------------------------------------------

function inflateMessage(inflater: Api.MessageInflater, chunks: readonly Uint8Array[]): Event {
  inflater.begin();
  const output: Uint8Array[] = [];
  for (const chunk of chunks) {
    const result = inflater.write(chunk);
    if (result.type !== 'data') return failureEvent(result);
    output.push(...result.chunks);
  }
  const result = inflater.end();
  if (result.type !== 'data') return failureEvent(result);
  output.push(...result.chunks);
  return { type: 'message', dataHex: toHex(concat(output)) };
}

function failureEvent(result: Exclude<Api.InflateResult, { type: 'data' }>): Event {
  return { type: result.type, closeCode: result.closeCode };
}

function replayInflate(api: PermessageDeflateApi, vector: Vector, backend: DeflateBackend): string[] {
  const setup = setupOf(vector);
  const expected = normalize(vector.expect);
  const mismatches: string[] = [];
  const params = { windowBits: setup.windowBits ?? 15, noContextTakeover: setup.noContextTakeover ?? false };
  for (const { label, chunks } of chunkings(vector)) {
    const inflater = new api.MessageInflater(params, {
      backend,
      ...(setup.maxMessageBytes !== undefined && { maxMessageBytes: setup.maxMessageBytes }),
      ...(setup.maxFinalBlocks !== undefined && { maxFinalBlocks: setup.maxFinalBlocks }),
    });
    const events: Event[] = [];
    let failed = false;
    for (const before of setup.beforeHex ?? []) {
      const event = inflateMessage(inflater, [fromHex(before)]);
      events.push(event);
      if (event.type !== 'message') {
        failed = true;
        break;
      }
    }
    if (!failed) events.push(inflateMessage(inflater, chunks));
    if (!deepEqual(events, expected)) mismatches.push(describeMismatch(label, expected, events));
  }
  return mismatches;
}

// --- deflate ---------------------------------------------------------------

function replayDeflate(api: PermessageDeflateApi, vector: Vector, backend: DeflateBackend): string[] {
  const setup = setupOf(vector);
  const expected = normalize(vector.expect);
  const params = { windowBits: setup.windowBits ?? 15, noContextTakeover: setup.noContextTakeover ?? false };
  const deflater = new api.MessageDeflater(params, { backend });
  const encoder = new TextEncoder();
  const messages = [...(setup.beforeText ?? []).map((text) => encoder.encode(text)), inputBytes(vector)];
  const events: Event[] = messages.map((message) => ({ type: 'compressed', dataHex: toHex(deflater.compress(message)) }));
  return deepEqual(events, expected) ? [] : [describeMismatch('whole', expected, events)];
}

// --- receive: frames through a Connection with the extension ---------------

function replayReceive(api: PermessageDeflateApi, vector: Vector, backend: DeflateBackend, frameCodec: FrameCodecApi | undefined): string[] {
  if (frameCodec === undefined) return ['a "receive" vector runs through a Connection: pass options.frameCodec (the @hybi/frame-codec namespace)'];
  const setup = setupOf(vector);
  if (setup.role !== 'client' && setup.role !== 'server') return [`setup.role must be "client" or "server", got ${JSON.stringify(setup.role)}`];
  const expected = mergeFragments(vector.expect.map(canonical));
  const decompress = { windowBits: setup.windowBits ?? 15, noContextTakeover: setup.noContextTakeover ?? false };
  const mismatches: string[] = [];
  for (const { label, chunks } of chunkings(vector)) {
    // The direction this end sends is not exercised: it only answers with control frames.
    const options = { backend, ...(setup.maxFinalBlocks !== undefined && { maxFinalBlocks: setup.maxFinalBlocks }) };
    const extensions = setup.negotiated === false ? [] : [new api.PerMessageDeflate({ compress: { windowBits: 15, noContextTakeover: false }, decompress }, options)];
    const connection = new frameCodec.Connection({
      role: setup.role,
      extensions,
      ...(setup.maxMessageSize !== undefined && { maxMessageSize: setup.maxMessageSize }),
      ...(setup.streaming !== undefined && { streaming: setup.streaming }),
      ...(setup.maskKeyHex !== undefined && { random: fixedKey(fromHex(setup.maskKeyHex)) }),
    });
    const actual: Event[] = [];
    // Events are normalized as they come (iterated to the end): their bytes may be views of the chunk just fed.
    for (const chunk of chunks) for (const event of connection.receive(chunk)) actual.push(normalizeConnectionEvent(event));
    const merged = mergeFragments(actual);
    if (!deepEqual(merged, expected)) mismatches.push(describeMismatch(label, expected, merged));
  }
  return mismatches;
}

// --- negotiation -----------------------------------------------------------

function headerValues(vector: Vector): string[] {
  return (vector.inputHeaders ?? []).filter(([name]) => name.toLowerCase() === 'sec-websocket-extensions').map(([, value]) => value);
}

function directions(negotiated: Api.NegotiatedDeflate): Event {
  return { compress: { ...negotiated.compress }, decompress: { ...negotiated.decompress } };
}

function negotiationOptions(setup: Setup): Record<string, unknown> {
  const options: Record<string, unknown> = { ...(setup.options ?? {}) };
  if (setup.compressWindowBits !== undefined) options.backend = { compressWindowBits: setup.compressWindowBits };
  return options;
}

function replayServer(api: PermessageDeflateApi, vector: Vector): string[] {
  const parsed = api.parseExtensionList(headerValues(vector));
  let events: Event[];
  if (!parsed.ok) {
    events = [{ type: 'header-syntax-error' }];
  } else {
    const result = api.negotiateServer(parsed.value, negotiationOptions(setupOf(vector)) as Api.ServerNegotiationOptions);
    events = [
      result.type === 'accepted'
        ? { type: 'accepted', offerIndex: result.offerIndex, response: api.formatExtensionList([result.response]), ...directions(result.negotiated) }
        : { type: 'declined', reasons: result.reasons.map(({ offerIndex, problem, parameter }) => ({ offerIndex, problem, parameter })) },
    ];
  }
  return deepEqual(events, vector.expect) ? [] : [describeMismatch('headers', vector.expect, events)];
}

function replayClient(api: PermessageDeflateApi, vector: Vector): string[] {
  const options = negotiationOptions(setupOf(vector)) as Api.ClientNegotiationOptions;
  const events: Event[] = [{ type: 'offer', offer: api.formatExtensionList([api.createClientOffer(options)]) }];
  const parsed = api.parseExtensionList(headerValues(vector));
  if (!parsed.ok) {
    events.push({ type: 'header-syntax-error' });
  } else {
    const result = api.acceptServerResponse(parsed.value as Extension[], options);
    if (result.type === 'accepted') events.push({ type: 'accepted', ...directions(result.negotiated) });
    else if (result.type === 'declined') events.push({ type: 'declined' });
    else events.push({ type: 'fail', problem: result.problem, parameter: result.parameter });
  }
  return deepEqual(events, vector.expect) ? [] : [describeMismatch('headers', vector.expect, events)];
}

// ---------------------------------------------------------------------------

/** Replays one vector; an empty `mismatches` list means it passed. */
export function replayVector(api: PermessageDeflateApi, vector: Vector, options: ReplayOptions = {}): ReplayResult {
  const setup = setupOf(vector);
  const backend = () => (options.backend ?? ((tuning: BackendTuning) => api.pakoBackend(tuning)))(tuningOf(setup));
  let mismatches: string[];
  try {
    switch (setup.operation) {
      case 'inflate':
        mismatches = replayInflate(api, vector, backend());
        break;
      case 'deflate':
        mismatches = replayDeflate(api, vector, backend());
        break;
      case 'server':
        mismatches = replayServer(api, vector);
        break;
      case 'client':
        mismatches = replayClient(api, vector);
        break;
      case 'receive':
        mismatches = replayReceive(api, vector, backend(), options.frameCodec);
        break;
      default:
        mismatches = [`unknown setup.operation ${JSON.stringify(setup.operation)}`];
    }
  } catch (error) {
    mismatches = [`threw: ${error instanceof Error ? error.stack ?? error.message : String(error)}`];
  }
  return { name: vector.name, mismatches };
}

/** Replays every vector of a file. */
export function replayFile(api: PermessageDeflateApi, file: VectorFile, options: ReplayOptions = {}): ReplayResult[] {
  return file.vectors.map((vector) => replayVector(api, vector, options));
}
