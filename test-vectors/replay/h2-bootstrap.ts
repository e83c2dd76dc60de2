// Replays test-vectors/h2-bootstrap/*.json through an @hybi/h2-bootstrap
// namespace passed in by the caller. Pure and runtime-neutral: no Node APIs,
// no test framework, no import of the package (so the same code replays the
// vectors against the sources in vitest and against the built package in
// Deno, Bun and a browser). The setup fields and event shapes are documented
// in test-vectors/README.md, "Suite: h2-bootstrap".

import { deepEqual, describeMismatch, fromHex, type ReplayResult, type Vector, type VectorFile } from './common.js';

type HeaderList = ReadonlyArray<readonly [string, string]>;
// Events are plain objects; the package's interfaces have no index signature.
type Event = object;
type Fields = Readonly<Record<string, unknown>>;

/** The part of the package's namespace the replayer uses. */
export interface H2BootstrapApi {
  PeerSettings: new (options: { version: 'h2' | 'h3' }) => { receivePayload(payload: Uint8Array): Event };
  parseRequest(headers: HeaderList, options: { version: 'h2' | 'h3'; connectProtocolEnabled: boolean }): Event;
  acceptRequest(request: never, options?: unknown): HeaderList;
  buildRequest(options: never, peerSetting: never): Event;
  parseResponse(headers: HeaderList, options: never): Event;
  END_STREAM: Event;
  abortStream(version: 'h2' | 'h3'): Event;
  peerReset(errorCode: number): Event;
}

interface Setup {
  readonly role?: 'client' | 'server';
  readonly version?: 'h2' | 'h3';
  readonly earlierPayloadsHex?: readonly string[];
  readonly connectProtocolEnabled?: boolean;
  readonly accept?: Readonly<Record<string, unknown>>;
  readonly peerSetting?: string;
  readonly signal?: 'close-handshake-complete' | 'abort' | 'peer-reset';
  readonly errorCode?: number;
  readonly [option: string]: unknown;
}

// `reason` is free text for logs; vectors do not pin it.
function withoutReason(event: Event): Fields {
  const { reason: _reason, ...rest } = event as Fields;
  return rest;
}

/** The events a vector produces, in the shape of its `expect` list. */
export function produce(api: H2BootstrapApi, vector: Vector): Fields[] {
  const setup = (vector.setup ?? {}) as Setup;
  const version = setup.version ?? 'h2';

  if (vector.inputHex !== undefined) {
    // SETTINGS payloads: earlier ones set the tracker's state, the input is the one under test.
    const tracker = new api.PeerSettings({ version });
    for (const hex of setup.earlierPayloadsHex ?? []) {
      const event = withoutReason(tracker.receivePayload(fromHex(hex)));
      if (event.type !== 'settings') return [{ type: 'unexpected-earlier-event', event }];
    }
    return [withoutReason(tracker.receivePayload(fromHex(vector.inputHex)))];
  }

  if (setup.signal !== undefined) {
    if (setup.signal === 'close-handshake-complete') return [api.END_STREAM as Fields];
    if (setup.signal === 'abort') return [api.abortStream(version) as Fields];
    return [api.peerReset(setup.errorCode ?? 0) as Fields];
  }

  const { role: _role, accept, peerSetting, connectProtocolEnabled, earlierPayloadsHex: _e, signal: _s, errorCode: _c, ...options } = setup;
  const clientOptions = { ...options, version } as never;

  if (setup.role === 'server') {
    if (vector.inputHeaders === undefined) throw new Error(`vector "${vector.name}": a server vector needs inputHeaders`);
    const event = withoutReason(api.parseRequest(vector.inputHeaders, { version, connectProtocolEnabled: connectProtocolEnabled ?? true }));
    const events = [event];
    if (accept !== undefined && event.type === 'request') events.push({ type: 'accept-response', headers: api.acceptRequest(event as never, accept) });
    return events;
  }

  if (vector.inputHeaders === undefined) return [withoutReason(api.buildRequest(clientOptions, (peerSetting ?? 'enabled') as never))];
  return [withoutReason(api.parseResponse(vector.inputHeaders, clientOptions))];
}

/** Replays one vector; header lists and SETTINGS payloads are fed whole (never chunked). */
export function replayVector(api: H2BootstrapApi, vector: Vector): ReplayResult {
  let actual: unknown;
  try {
    // JSON round trip: compare plain data, as the vector holds it.
    actual = JSON.parse(JSON.stringify(produce(api, vector)));
  } catch (error) {
    return { name: vector.name, mismatches: [`threw ${String(error)}`] };
  }
  return { name: vector.name, mismatches: deepEqual(vector.expect, actual) ? [] : [describeMismatch('whole', vector.expect, actual)] };
}

export function replayFile(api: H2BootstrapApi, file: VectorFile): ReplayResult[] {
  return file.vectors.map((vector) => replayVector(api, vector));
}
