// The interface through which a negotiated extension (permessage-deflate,
// RFC 7692) claims RSV bits and transforms message payloads.
import type { MessageKind } from './events.js';

/**
 * A negotiated per-message extension (the shape of RFC 7692): it claims RSV
 * bits, which may be set only on the first frame of a text or binary message,
 * and transforms whole message payloads, received and sent, as streams.
 *
 * A connection with `extensions` lists them in the order they apply to
 * outgoing data (the order of the negotiated `Sec-WebSocket-Extensions`);
 * received data goes through them in the reverse order. With no extension
 * the connection never calls into this interface.
 */
export interface MessageExtension {
  /**
   * The RSV bits this extension claims, at their place in the first header
   * byte (`RSV1` = 0x40, `RSV2` = 0x20, `RSV3` = 0x10); extensions must not
   * share a bit. A received frame with an RSV bit that no extension claims,
   * or with a claimed bit on a continuation or control frame, fails the
   * connection with 1002.
   */
  readonly rsv: number;

  /**
   * Called when a text or binary message starts arriving, with the bits of
   * `rsv` set on its first frame. Returns the transform for this message's
   * payload, or null to take the payload unchanged (what permessage-deflate
   * does when RSV1 is clear).
   */
  receiveMessage(rsv: number, kind: MessageKind): ReceiveTransform | null;

  /**
   * Called when a text or binary message starts being sent, unless the send
   * passed `{ transform: false }`. `length` is the payload size when the whole
   * message is sent at once, undefined for a fragmented send; `requested` is
   * true when the send passed `{ transform: true }` (the application asks for
   * the transform even where the extension would skip it, for example below a
   * compression threshold). Returns the transform for this message, whose use
   * sets this extension's `rsv` bits on the message's first frame, or null to
   * send the payload unchanged.
   */
  sendMessage(kind: MessageKind, length: number | undefined, requested: boolean): SendTransform | null;

  /** Called once when the connection closes, in any way, to release resources. */
  dispose?(): void;
}

/**
 * Transforms one received message. `push` gets the payload as it arrives,
 * across frames and chunks, unmasked; `data` is a view of the caller's chunk,
 * valid only during the call, so copy what you keep. Output pieces you return
 * become the connection's: do not reuse them. The connection keeps them as
 * they are until the message ends (adjacent views of one buffer are merged)
 * and copies a piece that is a view of `data`.
 *
 * `limit` is how many more output bytes the message may have under
 * `maxMessageSize` (the whole of it at a message's first piece): stop as soon
 * as the output would exceed it and return
 * `{ code: 1009, ... }`, so that a small input cannot inflate to a large
 * allocation. Output beyond the limit fails the connection with 1009 anyway.
 * Text output is validated as UTF-8 after the transform.
 */
export interface ReceiveTransform {
  push(data: Uint8Array, limit: number): readonly Uint8Array[] | TransformFailure;
  /** The message's last frame has ended (permessage-deflate appends 00 00 ff ff here). */
  end(limit: number): readonly Uint8Array[] | TransformFailure;
}

/** Fails the connection with `code` (for example 1007 for corrupt data, 1009 for too large). */
export interface TransformFailure {
  readonly code: number;
  readonly reason: string;
}

/**
 * Transforms one sent message, frame by frame: `push` is called once per
 * frame with the piece the application sends (the whole payload for a
 * message sent at once), `fin` true for the last, and returns that frame's
 * payload (possibly empty before the last). `data` belongs to the
 * application: do not modify it.
 */
export interface SendTransform {
  push(data: Uint8Array, fin: boolean): readonly Uint8Array[];
}

/** @internal Joins byte arrays (without copying when there is only one). */
export function concatBytes(all: readonly Uint8Array[]): Uint8Array {
  if (all.length === 1) return all[0]!;
  let total = 0;
  for (const piece of all) total += piece.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const piece of all) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** @internal Runs a received message through several transforms, `first` first. */
export function chainReceive(first: ReceiveTransform, second: ReceiveTransform): ReceiveTransform {
  const through = (result: readonly Uint8Array[] | TransformFailure, limit: number, last: boolean) => {
    if (!Array.isArray(result)) return result;
    const out: Uint8Array[] = [];
    for (const piece of result as readonly Uint8Array[]) {
      const next = second.push(piece, limit);
      if (!Array.isArray(next)) return next;
      out.push(...(next as readonly Uint8Array[]));
    }
    if (last) {
      const tail = second.end(limit);
      if (!Array.isArray(tail)) return tail;
      out.push(...(tail as readonly Uint8Array[]));
    }
    return out;
  };
  return {
    push: (data, limit) => through(first.push(data, limit), limit, false),
    end: (limit) => through(first.end(limit), limit, true),
  };
}

/** @internal Runs a sent message through several transforms, `first` first. */
export function chainSend(first: SendTransform, second: SendTransform): SendTransform {
  return {
    push: (data, fin) => {
      const pieces = first.push(data, fin);
      if (pieces.length === 0) return second.push(new Uint8Array(0), fin);
      return pieces.flatMap((piece, i) => second.push(piece, fin && i === pieces.length - 1));
    },
  };
}
