import { describe, expect, it } from 'vitest';
import { ABNORMAL_CLOSURE, abortStream, END_STREAM, peerReset } from '../src/stream-ends.js';

describe('RFC 8441 5 / RFC 9220 3 stream closure', () => {
  it('"Orderly TCP-level closures are represented as END_STREAM flags" (HTTP/3: "a FIN bit")', () => {
    expect(END_STREAM).toEqual({ type: 'end-stream' });
    expect(Object.isFrozen(END_STREAM)).toBe(true);
  });
  it('"RST exceptions are represented with the RST_STREAM frame ... with the CANCEL error code"', () => {
    expect(abortStream('h2')).toEqual({ type: 'reset-stream', code: 0x8, name: 'CANCEL' });
  });
  it('HTTP/3: "a stream error ... of type H3_REQUEST_CANCELLED"', () => {
    expect(abortStream('h3')).toEqual({ type: 'reset-stream', code: 0x010c, name: 'H3_REQUEST_CANCELLED' });
  });
  it('throws a TypeError for a version other than h2 and h3 (local misuse)', () => {
    for (const version of ['h1', 'H3', undefined]) expect(() => abortStream(version as never), String(version)).toThrow(/bad version/);
  });
});

describe('RFC 6455 7.1.5 a reset from the peer', () => {
  it('gives the application close code 1006 whatever the error code', () => {
    expect(ABNORMAL_CLOSURE).toBe(1006);
    for (const code of [0, 0x8, 0x1, 0x010c, 0x0100, 0x21, 2 ** 62]) {
      expect(peerReset(code)).toEqual({ type: 'peer-reset', closeCode: 1006, errorCode: code });
    }
  });
});
