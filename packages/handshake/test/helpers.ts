// Shared by the tests: byte helpers and the ways an input is split.
import fc from 'fast-check';

export const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
export const text = (data: Uint8Array): string => String.fromCharCode(...data);

/** Whole, byte by byte, and a few fixed splittings. */
export function splittings(input: Uint8Array): Array<{ label: string; chunks: Uint8Array[] }> {
  const at = (points: number[]) => {
    const chunks: Uint8Array[] = [];
    let start = 0;
    for (const point of points.filter((p) => p > 0 && p < input.length).sort((a, b) => a - b)) {
      chunks.push(input.slice(start, point));
      start = point;
    }
    chunks.push(input.slice(start));
    return chunks;
  };
  return [
    { label: 'whole', chunks: [input.slice()] },
    { label: 'bytewise', chunks: Array.from(input, (_, i) => input.slice(i, i + 1)) },
    { label: 'halves', chunks: at([input.length >> 1]) },
    { label: 'thirds', chunks: at([(input.length / 3) | 0, ((2 * input.length) / 3) | 0]) },
    { label: 'sevens', chunks: at(Array.from({ length: input.length / 7 }, (_, i) => i * 7)) },
  ];
}

/** Arbitrary split points of an input of `length` bytes. */
export const splitPoints = (length: number) => fc.array(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 6 });

export function splitAt(input: Uint8Array, points: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...new Set(points)].filter((p) => p > 0 && p < input.length).sort((a, b) => a - b)) {
    chunks.push(input.slice(start, point));
    start = point;
  }
  chunks.push(input.slice(start));
  return chunks;
}

export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/** The RFC 6455 section 1.3 request, with extra header lines. */
export function request(extra: string[] = [], target = '/chat'): string {
  return [`GET ${target} HTTP/1.1`, 'Host: server.example.com', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${KEY}`, 'Sec-WebSocket-Version: 13', ...extra, '', ''].join('\r\n');
}
