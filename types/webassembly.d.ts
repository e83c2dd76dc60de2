// WebAssembly, for SIMD masking (packages/frame-codec/src/mask.ts): the part
// it uses. Every target runtime has it, but a page's Content-Security-Policy
// can forbid compiling a module: the code that uses it falls back to
// TypeScript. A file of its own because @types/node, which the tests use
// instead of runtime-globals.d.ts, does not declare it.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
}
