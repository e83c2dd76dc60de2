// The runtime suite: every vector of every suite in test-vectors/, replayed by
// the shared replayers, plus the conversations of ./conversation.ts, through
// the package namespaces the caller passes in. Runtime-neutral: the entry
// points next to this file (entry-*.ts) load the BUILT packages in Node (ESM
// and CJS), Deno, Bun and Chromium and call `runSuite`; scripts/runtimes.mjs
// bundles them with esbuild (`@hybi/*` left external) and runs them all.
//
// One result per vector per replay (permessage-deflate's backend vectors are
// replayed once per backend the runtime offers: scripts/runtimes.mjs expects
// node:zlib in Node and Bun) and one per conversation, and the number of
// vectors replayed per file and replay.
// Never throws: a replayer or a package that throws fails that result.
import type * as FrameCodec from '@hybi/frame-codec';
import type * as H2Bootstrap from '@hybi/h2-bootstrap';
import type * as Handshake from '@hybi/handshake';
import type * as PermessageDeflate from '@hybi/permessage-deflate';
import type { ReplayResult, Vector, VectorFile } from '../../test-vectors/replay/common.js';
import { replayVector as replayFrameCodec } from '../../test-vectors/replay/frame-codec.js';
import { replayVector as replayH2Bootstrap } from '../../test-vectors/replay/h2-bootstrap.js';
import { replayVector as replayHandshake } from '../../test-vectors/replay/handshake.js';
import { replayVector as replayPermessageDeflate, type ReplayOptions } from '../../test-vectors/replay/permessage-deflate.js';
import { runConversations } from './conversation.js';

export interface Apis {
  readonly frameCodec: typeof FrameCodec;
  readonly handshake: typeof Handshake;
  readonly h2Bootstrap: typeof H2Bootstrap;
  readonly permessageDeflate: typeof PermessageDeflate;
  /** The runtime's `node:zlib`, where it has one: permessage-deflate's backend vectors are then replayed with it too. */
  readonly nodeZlib?: PermessageDeflate.NodeZlibModule;
}

/** A vector file as the driver hands it over: its path under test-vectors/ and its JSON. */
export interface VectorFileEntry {
  readonly path: string;
  readonly data: VectorFile;
}

export interface TestResult {
  readonly name: string;
  readonly ok: boolean;
  /** On failure: each mismatch, naming the chunking (or the conversation step). */
  readonly details: readonly string[];
}

export interface SuiteReport {
  readonly results: readonly TestResult[];
  /** Conversation name to the digest of the bytes it wrote (see ConversationResult). */
  readonly transcripts: Readonly<Record<string, string>>;
  /** How many vectors were replayed, per file and replay: "<path><label>" (e.g. "permessage-deflate/inflate.json [node:zlib]") to a count; the driver compares it with test-vectors/. */
  readonly replayed: Readonly<Record<string, number>>;
  /** Where each bare `@hybi/*` specifier (and pako) resolved, as the entry point reports it. */
  readonly resolved: Readonly<Record<string, string>>;
  readonly runtime: string;
  readonly version: string;
  readonly milliseconds: number;
}

/** One way of replaying a vector: its label (a backend) and the call. */
type Replay = readonly [label: string, replay: (vector: Vector) => ReplayResult];

function replaysFor(apis: Apis, suite: string, data: VectorFile): readonly Replay[] {
  switch (suite) {
    case 'frame-codec':
      return [['', (vector) => replayFrameCodec(apis.frameCodec, vector)]];
    case 'handshake':
      return [['', (vector) => replayHandshake(apis.handshake, vector)]];
    case 'h2-bootstrap':
      return [['', (vector) => replayH2Bootstrap(apis.h2Bootstrap, vector)]];
    case 'permessage-deflate': {
      const pmd = apis.permessageDeflate;
      // frames.json replays compressed frames through a frame-codec Connection.
      const replay = (options: ReplayOptions) => (vector: Vector) => replayPermessageDeflate(pmd, vector, { frameCodec: apis.frameCodec, ...options });
      const usesBackend = data.vectors.some((vector) => ['inflate', 'deflate', 'receive'].includes(String(vector.setup?.operation)));
      const zlib = apis.nodeZlib;
      if (!usesBackend || zlib === undefined) return [['', replay({})]];
      return [
        [' [pako]', replay({})],
        [' [node:zlib]', replay({ backend: (tuning) => pmd.nodeZlibBackend(zlib, tuning) })],
      ];
    }
    default:
      return [];
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Replays every vector of every file and runs the conversations. */
export function runSuite(apis: Apis, files: readonly VectorFileEntry[]): Pick<SuiteReport, 'results' | 'transcripts' | 'replayed'> {
  const results: TestResult[] = [];
  const replayed: Record<string, number> = {};
  for (const { path, data } of files) {
    const suite = path.split('/')[0]!;
    const replays = replaysFor(apis, suite, data);
    if (replays.length === 0) {
      results.push({ name: `vectors ${path}`, ok: false, details: [`no replayer for suite "${suite}": add it to test/runtimes/suite.ts`] });
      continue;
    }
    for (const [label, replay] of replays) {
      let count = 0;
      for (const vector of data.vectors) {
        count++;
        const name = `vectors ${path}${label}: ${vector.name}`;
        try {
          const { mismatches } = replay(vector);
          results.push({ name, ok: mismatches.length === 0, details: mismatches });
        } catch (error) {
          results.push({ name, ok: false, details: [`replayer threw: ${describeError(error)}`] });
        }
      }
      replayed[`${path}${label}`] = count;
    }
  }
  const transcripts: Record<string, string> = {};
  try {
    for (const conversation of runConversations(apis)) {
      results.push({ name: `conversation ${conversation.name}`, ok: conversation.ok, details: conversation.details });
      // A failed conversation stopped early: its bytes say nothing more than its failure.
      if (conversation.ok) transcripts[conversation.name] = conversation.transcript;
    }
  } catch (error) {
    results.push({ name: 'conversations', ok: false, details: [`threw: ${describeError(error)}`] });
  }
  return { results, transcripts, replayed };
}

/** The line an entry point prints for the driver (Node, Deno, Bun): a marker, then the report as JSON. */
export const REPORT_MARKER = 'HYBI_RUNTIME_REPORT ';

/** Runs the suite and assembles the report; what every entry point calls. */
export function report(runtime: string, version: string, apis: Apis, files: readonly VectorFileEntry[], resolved: Record<string, string>): SuiteReport {
  const started = Date.now();
  const { results, transcripts, replayed } = runSuite(apis, files);
  return { runtime, version, resolved, results, transcripts, replayed, milliseconds: Date.now() - started };
}
