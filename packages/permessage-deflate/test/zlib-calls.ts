// Counts the node:zlib backend's work, for the tests that prove its bounds:
// every inflateRawSync call, with the input it was handed, the output room it
// allowed and the output it got.
import zlib from 'node:zlib';
import type { NodeZlibModule } from '../src/index.js';

export interface InflateCall {
  /** Octets of input handed to zlib. */
  readonly input: number;
  /** The `maxOutputLength` option (undefined: none). */
  readonly maxOutputLength: number | undefined;
  /** Octets of output zlib returned (0 when it threw). */
  output: number;
  /** Input octets zlib consumed (0 when it threw). */
  consumed: number;
}

/** Node's zlib, recording each inflateRawSync call in `calls` (clear it after building the backend). */
export function countingZlib(): { zlib: NodeZlibModule; calls: InflateCall[] } {
  const calls: InflateCall[] = [];
  return {
    calls,
    zlib: {
      constants: zlib.constants,
      deflateRawSync: (input, options) => zlib.deflateRawSync(input, options),
      inflateRawSync(input, options = {}) {
        const call: InflateCall = { input: input.length, maxOutputLength: (options as { maxOutputLength?: number }).maxOutputLength, output: 0, consumed: 0 };
        calls.push(call);
        const result = zlib.inflateRawSync(input, options) as Buffer | { buffer: Buffer; engine: { bytesWritten: number } };
        if ('engine' in result) {
          call.output = result.buffer.length;
          call.consumed = result.engine.bytesWritten;
        } else {
          call.output = result.length;
        }
        return result;
      },
    },
  };
}
