// The demo page's frame log. A browser's WebSocket API hides frames, so the
// server describes them: it runs a second FrameParser over a copy of the bytes
// of one connection, in each direction, and reports each frame header. Only
// connections that a demo page asked to observe pay for this.
import { FrameParser } from '@hybi/frame-codec';

const OPCODES = ['continuation', 'text', 'binary', , , , , , 'close', 'ping', 'pong'];

/** A tap for runWebSocket: `report` gets { direction, opcode, name, fin, compressed, length, masked } per frame. */
export function frameLog(report) {
  // The server reads masked client frames, and writes unmasked frames as a
  // client would read them.
  const received = new FrameParser({ role: 'server', maxFramePayload: Infinity });
  const sent = new FrameParser({ role: 'client', maxFramePayload: Infinity });
  const describe = (direction, parser, chunk) => {
    for (const event of parser.push(chunk)) {
      if (event.type !== 'frame-header') continue;
      const { opcode, fin, rsv, length, masked } = event;
      // RSV1 marks the first frame of a permessage-deflate compressed message (RFC 7692 6).
      report({ direction, opcode, name: OPCODES[opcode] ?? 'reserved', fin, compressed: (rsv & 0x40) !== 0, length, masked });
    }
  };
  return {
    // A copy: the parser unmasks in place, and the connection reads these bytes too.
    received: (chunk) => describe('received', received, new Uint8Array(chunk)),
    sent: (chunk) => describe('sent', sent, chunk),
  };
}
