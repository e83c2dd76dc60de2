// RFC 6455 5.2 and 11.8: the opcodes and header bits on the wire.

/** Frame opcodes (RFC 6455 5.2). 3-7 and 0xB-0xF are reserved. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

/** The reserved header bits, at their position in the first header byte. */
export const RSV1 = 0x40;
export const RSV2 = 0x20;
export const RSV3 = 0x10;

/** Whether `opcode` is one RFC 6455 defines (0-2, 8-10). */
export function isKnownOpcode(opcode: number): boolean {
  return opcode <= 2 || (opcode >= 8 && opcode <= 10);
}

/** Whether `opcode` is a control opcode (Close, Ping, Pong; RFC 6455 5.5). */
export function isControlOpcode(opcode: number): boolean {
  return opcode >= 8;
}

/** The largest payload a control frame may carry (RFC 6455 5.5). */
export const MAX_CONTROL_PAYLOAD = 125;
