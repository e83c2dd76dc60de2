// The only globals hybi's packages may use: those that Node >= 20, Deno, Bun and
// browsers all provide. Everything else (Buffer, process, require, DOM, timers) is
// deliberately absent, so using it inside packages/*/src is a compile error.

interface TextEncoderEncodeIntoResult {
  read: number;
  written: number;
}

declare class TextEncoder {
  readonly encoding: string;
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): TextEncoderEncodeIntoResult;
}

interface TextDecoderOptions {
  fatal?: boolean;
  ignoreBOM?: boolean;
}

interface TextDecodeOptions {
  stream?: boolean;
}

declare class TextDecoder {
  constructor(label?: string, options?: TextDecoderOptions);
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  decode(input?: ArrayBufferView | ArrayBuffer, options?: TextDecodeOptions): string;
}

interface HybiWebCrypto {
  getRandomValues<T extends ArrayBufferView | null>(array: T): T;
}

declare var crypto: HybiWebCrypto;
