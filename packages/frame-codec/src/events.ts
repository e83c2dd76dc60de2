// What a Connection reports. Every event is a plain readonly object with a
// `type`; byte fields are Uint8Array.

/** The kind of a data message. */
export type MessageKind = 'text' | 'binary';

/**
 * A complete message (non-streaming mode). Text is validated UTF-8, handed
 * out as bytes; `decodeText(event.data)` makes the string when you want it.
 */
export interface MessageEvent {
  readonly type: 'message';
  readonly kind: MessageKind;
  readonly data: Uint8Array;
}

/**
 * A piece of a message as it arrives (streaming mode). Pieces of one frame
 * arrive in order; the last piece of each frame has `frameEnd: true` (it is
 * empty only for an empty frame) and the last piece of the message also has
 * `messageEnd: true`. Text pieces may split a code point; everything handed
 * out has been validated, and an invalid byte stops the message with a
 * `protocol-error` (the pieces before it were valid).
 */
export interface FragmentEvent {
  readonly type: 'fragment';
  readonly kind: MessageKind;
  readonly data: Uint8Array;
  readonly frameEnd: boolean;
  readonly messageEnd: boolean;
}

/** A Ping arrived. With `autoPong` (the default) a `write` with the Pong follows. */
export interface PingEvent {
  readonly type: 'ping';
  readonly data: Uint8Array;
}

/** A Pong arrived (solicited or not: RFC 6455 5.5.3 allows unsolicited Pongs). */
export interface PongEvent {
  readonly type: 'pong';
  readonly data: Uint8Array;
}

/**
 * Bytes the connection produced by itself (a Pong answering a Ping, the Close
 * answering a Close, the Close sent when failing): write them to the
 * transport, in order with everything else you write.
 */
export interface WriteEvent {
  readonly type: 'write';
  readonly data: readonly Uint8Array[];
}

/**
 * The peer broke the protocol and the connection is being failed (RFC 6455
 * 7.1.7). `code` is the status code of the Close frame sent (1002 protocol
 * error, 1007 invalid data, 1009 too big, or an extension's code); `reason`
 * says what was wrong, for logs (it is not sent). A `write` with that Close
 * follows (unless a Close was already sent), then `close` and
 * `close-transport`.
 */
export interface ProtocolErrorEvent {
  readonly type: 'protocol-error';
  readonly code: number;
  readonly reason: string;
}

/**
 * The WebSocket connection is closed; it comes exactly once. `code` and
 * `reason` are _The WebSocket Connection Close Code_ and _Reason_ of RFC 6455
 * 7.1.5/7.1.6: those of the Close frame received, 1005 if it had no status
 * code, 1006 if no Close frame was received (the input ended, or this end
 * failed the connection). `initiator` is the side that started the closing:
 * `'local'` if this end sent Close first or failed the connection, `'peer'`
 * if the peer's Close came first or the input ended first. `clean` is true
 * when both Close frames were exchanged.
 */
export interface CloseEvent {
  readonly type: 'close';
  readonly code: number;
  readonly reason: string;
  readonly initiator: 'local' | 'peer';
  readonly clean: boolean;
}

/**
 * Close the transport (TCP connection, HTTP/2 or HTTP/3 stream), after writing
 * any `write` that came before. With `awaitPeer: false`, do it now. With
 * `awaitPeer: true` (a client after a clean close handshake) the server is
 * expected to close first (RFC 6455 7.1.1): wait for its end of stream (then
 * call `receiveEnd()`, which reports nothing more) and close it yourself only
 * if it has not come within a timeout of your choice.
 */
export interface CloseTransportEvent {
  readonly type: 'close-transport';
  readonly awaitPeer: boolean;
}

/** Everything `Connection.receive()` and `receiveEnd()` report. */
export type ConnectionEvent =
  | MessageEvent
  | FragmentEvent
  | PingEvent
  | PongEvent
  | WriteEvent
  | ProtocolErrorEvent
  | CloseEvent
  | CloseTransportEvent;

/**
 * The events of one `Connection.receive()` or `receiveEnd()` call, produced
 * as you iterate: each step parses the input only until at least one event
 * is ready, so what you send while handling an event is written before
 * anything the connection produces later from the same input (the Close
 * answering the peer's Close, a Pong), and a state you change (`close()`)
 * applies to the events after it. Iterate it to the end (`for...of`, spread,
 * `Array.from`) before the next `receive()` or `receiveEnd()`. It iterates
 * once: iterating it again goes on where the last loop stopped. `next()`
 * returns the same result object each time: read `value` before calling it
 * again.
 */
export type ConnectionEvents = IterableIterator<ConnectionEvent>;
