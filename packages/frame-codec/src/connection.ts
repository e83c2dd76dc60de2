// RFC 6455 sections 5 and 7: the connection state machine. Bytes in, events
// out; messages in, bytes out. The whole state machine is this class:
//
//   OPEN ──close()──────────────▶ CLOSE_SENT ──peer's Close──▶ CLOSED (clean, initiator local)
//   OPEN ──peer's Close (echoed)──────────────────────────────▶ CLOSED (clean, initiator peer)
//   OPEN or CLOSE_SENT ──protocol error──▶ CLOSED (not clean, 1006; Close sent if not yet)
//   OPEN or CLOSE_SENT ──receiveEnd()────▶ CLOSED (not clean, 1006)
//
// Received data is processed in OPEN and CLOSE_SENT and ignored in CLOSED.
// Sending is allowed in OPEN only. Input is parsed as the application
// iterates the events, so what it sends while handling an event, and the
// state it changes (close()), come before what the connection does later
// with the same input.
import { CloseCode, MAX_CLOSE_REASON, isValidCloseCode } from './close-codes.js';
import type { CloseEvent, ConnectionEvent, ConnectionEvents, MessageKind } from './events.js';
import type { MessageExtension, ReceiveTransform, SendTransform, TransformFailure } from './extension.js';
import { chainReceive, chainSend, concatBytes } from './extension.js';
import { allocateFrame, encodeWith } from './frame-encoder.js';
import {
  DEFAULT_MAX_PAYLOAD,
  EMPTY,
  FrameParser,
  HEADER,
  NEED_DATA,
  PAYLOAD,
  limitOption,
  type Role,
} from './frame-parser.js';
import { MAX_CONTROL_PAYLOAD, Opcode } from './opcodes.js';
import { maskBytes, unmaskInto } from './mask.js';
import { MaskKeyPool, cryptoRandom, type RandomSource } from './random.js';
import { Utf8Validator, decodeText, isValidUtf8 } from './utf8.js';

export interface ConnectionOptions {
  /** `'client'` masks what it sends and rejects masked frames; `'server'` the reverse. */
  readonly role: Role;
  /**
   * The largest payload of one received data frame; a header announcing more
   * fails with 1009 at once (control frames are limited to 125 bytes by RFC
   * 6455). Default: `maxMessageSize`.
   */
  readonly maxFramePayload?: number;
  /**
   * The largest received message, in bytes after any extension's transform;
   * more fails with 1009 (at the header that announces it when the message is
   * not transformed, while transforming otherwise). Applies in streaming mode
   * too. Default 1 MiB (1048576).
   */
  readonly maxMessageSize?: number;
  /**
   * The most bytes of received message data the connection holds between
   * calls (the message so far, in non-streaming mode, counting the unfilled
   * room of its buffer). Checked before allocating: in non-streaming mode a
   * message that would need more fails with 1009 (at the header, like
   * `maxMessageSize`). Streaming mode holds no message data. Default:
   * `maxMessageSize`.
   */
  readonly maxBufferedBytes?: number;
  /** Answer each Ping with a Pong carrying the same payload (RFC 6455 5.5.2). Default true. */
  readonly autoPong?: boolean;
  /** Hand out message payload as `fragment` events as it arrives, instead of whole `message` events. Default false. */
  readonly streaming?: boolean;
  /** Negotiated extensions, in the order they apply to outgoing data. Default none. */
  readonly extensions?: readonly MessageExtension[];
  /** Where a client's masking keys come from. Default `crypto.getRandomValues`. */
  readonly random?: RandomSource;
  /**
   * Allocates the buffers the connection fills: reassembled messages and
   * masked frames. The connection writes every byte it hands out, so the
   * buffer need not be zeroed: in Node, `(size) => Buffer.allocUnsafe(size)`
   * skips the zero-fill, and messages become Buffers. Default: `new
   * Uint8Array(size)`, except that masked frames up to 4 KiB are cut from a
   * shared 64 KiB array (as Node pools small Buffers).
   */
  readonly allocate?: (size: number) => Uint8Array;
}

/** Options of one send. */
export interface SendOptions {
  /**
   * False sends this message without any extension's transform (for example
   * uncompressed); true asks the extensions to transform it even where they
   * would not by default (see `MessageExtension.sendMessage`). Default: the
   * extensions decide.
   */
  readonly transform?: boolean;
}

const OPEN = 0;
const CLOSE_SENT = 1;
const CLOSED = 2;

const TEXT = Opcode.Text;
const BINARY = Opcode.Binary;

/** Views of the current chunk are copied into the message buffer beyond this many pieces. */
const MAX_PIECES = 64;

/** What the connection owes once the application has seen the events before it. */
const NOTHING_DUE = 0;
/** The Pong answering a Ping, after the `ping` event: not sent if the application has called close() since. */
const PONG_DUE = 1;
/** Failing the connection, after the `fragment` with the valid bytes before an invalid one. */
const FAILURE_DUE = 2;

const encoder = new TextEncoder();

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The iterator `receive()` and `receiveEnd()` return; the connection does the work. `next()` returns the same
 * result object each time, with the next event in `value` (undefined once done, so that it holds no event):
 * a new object per event cost several percent on small messages, and `for...of`, spread, `Array.from` and
 * destructuring read `value` at once.
 */
class Events implements ConnectionEvents {
  readonly #result = { done: false as const, value: undefined as ConnectionEvent | undefined };

  constructor(private readonly connection: Connection) {}

  next(): IteratorResult<ConnectionEvent, undefined> {
    const event = this.connection.nextEvent(this);
    const result = this.#result;
    result.value = event;
    return event === undefined ? DONE : (result as IteratorYieldResult<ConnectionEvent>);
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** Returned when there is nothing to iterate: the connection is closed. */
const NO_EVENTS: ConnectionEvents = Object.freeze({
  next: (): IteratorResult<ConnectionEvent, undefined> => DONE,
  [Symbol.iterator]() {
    return NO_EVENTS;
  },
});

/**
 * One end of a WebSocket connection after the opening handshake: a sans-IO
 * state machine. Feed it what the transport reads with `receive()` (and
 * `receiveEnd()` at end of stream), iterate the events it returns and act on
 * each as it comes, and write the byte arrays that its send methods return
 * and that `write` events carry, in that order.
 *
 * Ownership: a chunk passed to `receive()` is the connection's, to read and
 * modify (masked payload that is handed out as a view is unmasked in place), until the last of its events
 * has been handed out (or the iteration has ended); from then on the
 * connection keeps no reference to it (what it needs later is copied), but
 * event data may be views of it. Byte arrays returned by send methods may
 * include your payload itself (unmasked frames): do not modify it until it
 * is written.
 */
export class Connection {
  /** Which end this is. */
  readonly role: Role;

  readonly #parser: FrameParser;
  readonly #maxBufferedBytes: number;
  /** The largest message this connection takes: `maxMessageSize`, and `maxBufferedBytes` unless streaming. */
  readonly #limit: number;
  readonly #autoPong: boolean;
  readonly #streaming: boolean;
  readonly #extensions: readonly MessageExtension[] | null;
  /** RSV bits claimed by the extensions. */
  readonly #claimedRsv: number;
  /** Masking keys (client), or null (server). */
  readonly #keys: MaskKeyPool | null;
  readonly #key = new Uint8Array(4);
  readonly #allocate: (size: number) => Uint8Array;
  readonly #allocateFrame: (size: number) => Uint8Array;

  #phase = OPEN;
  #inputEnded = false;
  #code: number | undefined;
  #reason: string | undefined;
  /** The events being iterated (of the last receive() or receiveEnd()), or null once they are all handed out. */
  #events: Events | null = null;
  /** The next event to hand out, then `queue[head]` to `queue[tail - 1]`. */
  #ready: ConnectionEvent | null = null;
  readonly #queue: (ConnectionEvent | undefined)[] = [];
  #head = 0;
  #tail = 0;
  #due = NOTHING_DUE;
  /** The Pong frame when PONG_DUE; the failure's code and reason when FAILURE_DUE. */
  #duePong: Uint8Array[] | null = null;
  #dueCode = 0;
  #dueReason = '';

  // The message being received.
  /** Opcode of the frame being read (0 for a continuation). */
  #frameOpcode = 0;
  /** TEXT or BINARY while a message is in progress, else 0. */
  #messageOpcode = 0;
  /** Bytes of the message so far (after the transform, if any). */
  #messageSize = 0;
  #transform: ReceiveTransform | null = null;
  private readonly utf8 = new Utf8Validator();
  /**
   * Pieces of the message not yet in `held`: views of the current chunk (copied into `held` before the call
   * returns), or a transform's output, which is the connection's already and stays here until the message ends.
   */
  #pieces: Uint8Array[] = [];
  #piecesSize = 0;
  /** The message's bytes from earlier calls, owned by the connection. */
  #held: Uint8Array = EMPTY;
  #heldSize = 0;
  /** The message's total size once its final frame's header has been read (untransformed messages), else -1. */
  #finalSize = -1;

  // The message being sent in fragments.
  /** TEXT or BINARY while a fragmented send is in progress, else 0. */
  #sendOpcode = 0;
  #sendTransform: SendTransform | null = null;
  #sendRsv = 0;
  private readonly sendUtf8 = new Utf8Validator();

  constructor(options: ConnectionOptions) {
    const role = options?.role;
    if (role !== 'client' && role !== 'server') throw new TypeError(`role must be 'client' or 'server', got ${String(role)}`);
    this.role = role;
    const maxMessageSize = limitOption(options.maxMessageSize, DEFAULT_MAX_PAYLOAD, 'maxMessageSize');
    const maxFramePayload = limitOption(options.maxFramePayload, maxMessageSize, 'maxFramePayload');
    this.#parser = new FrameParser({ role, maxFramePayload });
    this.#maxBufferedBytes = limitOption(options.maxBufferedBytes, maxMessageSize, 'maxBufferedBytes');
    this.#autoPong = options.autoPong ?? true;
    this.#streaming = options.streaming ?? false;
    this.#parser.deferUnmask = !this.#streaming;
    this.#limit = this.#streaming ? maxMessageSize : Math.min(maxMessageSize, this.#maxBufferedBytes);
    const extensions = options.extensions ?? [];
    let claimed = 0;
    for (const extension of extensions) {
      const rsv = extension?.rsv;
      if (typeof rsv !== 'number' || (rsv & ~0x70) !== 0 || (rsv & claimed) !== 0) {
        throw new TypeError('each extension must claim its own RSV bits (RSV1 0x40, RSV2 0x20, RSV3 0x10)');
      }
      claimed |= rsv;
    }
    this.#extensions = extensions.length === 0 ? null : [...extensions];
    this.#claimedRsv = claimed;
    const random = options.random ?? cryptoRandom;
    if (typeof random !== 'function') throw new TypeError('random must be a function that fills a Uint8Array');
    this.#keys = role === 'client' ? new MaskKeyPool(random) : null;
    const allocate = options.allocate;
    if (allocate !== undefined && typeof allocate !== 'function') throw new TypeError('allocate must be a function that returns a Uint8Array of the given size');
    this.#allocate = allocate ?? newBytes;
    this.#allocateFrame = allocate ?? allocateFrame;
  }

  /** `'open'`, `'closing'` (this end sent Close and awaits the peer's) or `'closed'`. */
  get state(): 'open' | 'closing' | 'closed' {
    return this.#phase === OPEN ? 'open' : this.#phase === CLOSE_SENT ? 'closing' : 'closed';
  }

  /** The close code reported by the `close` event; undefined until then. */
  get closeCode(): number | undefined {
    return this.#code;
  }

  /** The close reason reported by the `close` event; undefined until then. */
  get closeReason(): string | undefined {
    return this.#reason;
  }

  /**
   * Received bytes the connection holds between calls: the part of a message
   * received so far (non-streaming mode), a split header and a split control
   * frame. At most `maxBufferedBytes` + 139.
   */
  get bufferedBytes(): number {
    return this.#held.length + this.#piecesSize + this.#parser.bufferedBytes;
  }

  // ─── Receiving ────────────────────────────────────────────────────────────

  /**
   * Takes bytes read from the transport and returns their events, which are
   * produced as you iterate them: each step parses only until at least one
   * event is ready. So what you send while handling an event goes out before
   * anything the connection produces later from this chunk (the Close
   * answering a Close, a Pong), and a state you change (`close()`) applies to
   * the events after it. Iterate them to the end before the next
   * `receive()` or `receiveEnd()`, which throw otherwise (once the
   * connection is closed, what is left is ignored and they do not throw).
   * Never throws on peer input. After the connection is closed, input is
   * ignored.
   */
  receive(chunk: Uint8Array): ConnectionEvents {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('receive() takes a Uint8Array');
    if (this.#inputEnded) throw new Error('receive() was called after receiveEnd(): the input has ended');
    if (this.#phase === CLOSED) return NO_EVENTS;
    this.takeOver('receive');
    this.#parser.feed(chunk);
    return (this.#events = new Events(this));
  }

  /**
   * The transport's input ended (TCP FIN, HTTP/2 END_STREAM or a reset). If
   * the close handshake had not completed, the connection closes with 1006
   * (RFC 6455 7.1.5) at once; the events say so. Like `receive()`, it throws
   * if the events of the previous call were not all iterated (and the
   * connection is not closed). Calling it again does nothing.
   */
  receiveEnd(): ConnectionEvents {
    if (this.#inputEnded) return NO_EVENTS;
    if (this.#phase !== CLOSED) this.takeOver('receiveEnd');
    this.#inputEnded = true;
    if (this.#phase === CLOSED) return NO_EVENTS;
    this.closeWith(CloseCode.Abnormal, '', this.#phase === CLOSE_SENT ? 'local' : 'peer', false);
    return (this.#events = new Events(this));
  }

  /**
   * Ends the previous iteration before new input comes. One that left events or input is local misuse: the
   * connection holds one chunk at most, and the application sees every event.
   */
  private takeOver(method: string): void {
    if (this.#events === null) return;
    if (this.#ready !== null || this.#due !== NOTHING_DUE || this.#parser.available !== 0) {
      throw new Error(`${method}() was called before the events of the previous receive() were all handed out: iterate them to the end first (for...of)`);
    }
    this.endInput();
  }

  /** @internal The next event of `events`, parsing until one is ready; undefined once they are all handed out. */
  nextEvent(events: Events): ConnectionEvent | undefined {
    if (events !== this.#events) return undefined;
    const parser = this.#parser;
    for (;;) {
      const ready = this.#ready;
      if (ready !== null) {
        let head = this.#head;
        if (head === this.#tail) this.#ready = null;
        else {
          // More events of the same step wait in the queue.
          const queue = this.#queue;
          this.#ready = queue[head]!;
          queue[head] = undefined;
          if (++head !== this.#tail) this.#head = head;
          else this.#head = this.#tail = 0;
        }
        // Nothing left to parse (a step after the last event would need more bytes): done with the chunk.
        if (this.#ready === null && this.#due === NOTHING_DUE && parser.available === 0) this.endInput();
        return ready;
      }
      if (this.#due !== NOTHING_DUE) this.settleDue();
      else if (this.#phase === CLOSED) break;
      else {
        const step = parser.step();
        if (step === PAYLOAD) this.onPayload(parser.payload, parser.frameEnd);
        else if (step === HEADER) this.onHeader();
        else if (step === NEED_DATA) break;
        else this.fail(parser.errorCode, parser.errorReason);
      }
    }
    this.endInput();
    return undefined;
  }

  /** The chunk is done with: views of it that a message still needs are copied, and it is let go. */
  private endInput(): void {
    // A transform's output is kept as it is (copied once, when the message is complete), so inflating never
    // costs a growing buffer on top of its output.
    if (this.#pieces.length !== 0 && this.#transform === null && this.#phase !== CLOSED) this.keepPieces();
    this.#parser.feed(EMPTY);
    this.#events = null;
  }

  /** Does what was owed once the application had seen the events before it. */
  private settleDue(): void {
    const due = this.#due;
    this.#due = NOTHING_DUE;
    if (due === PONG_DUE) {
      const pong = this.#duePong!;
      this.#duePong = null;
      // Nothing is sent after our Close (RFC 6455 5.5.1: the Close is the last frame).
      if (this.#phase === OPEN) this.emit({ type: 'write', data: pong });
    } else this.fail(this.#dueCode, this.#dueReason);
  }

  private emit(event: ConnectionEvent): void {
    if (this.#ready === null) this.#ready = event;
    else this.#queue[this.#tail++] = event;
  }

  /** A header has been read: the frame-order rules (RFC 6455 5.2, 5.4) and the message size limit. */
  private onHeader(): void {
    const parser = this.#parser;
    const opcode = parser.opcode;
    const rsv = parser.rsv;
    // RFC 6455 5.2: RSV1-3 "MUST be 0 unless an extension is negotiated that defines meanings for non-zero
    // values"; RFC 7692 6.1: the per-message bit is set only on the first frame of a message.
    if (rsv !== 0 && (opcode === 0 || opcode >= 8 || (rsv & ~this.#claimedRsv) !== 0)) {
      return this.fail(CloseCode.ProtocolError, opcode === 0 || opcode >= 8 ? 'RSV bit set on a continuation or control frame' : 'RSV bit set that no negotiated extension defines');
    }
    this.#frameOpcode = opcode;
    if (opcode >= 8) return;
    if (opcode === 0) {
      // RFC 6455 5.4: a fragmented message is one frame with FIN clear and a non-zero opcode, then continuations.
      if (this.#messageOpcode === 0) return this.fail(CloseCode.ProtocolError, 'continuation frame without a message to continue');
    } else {
      // RFC 6455 5.4: "the fragments of one message MUST NOT be interleaved between the fragments of another message".
      if (this.#messageOpcode !== 0) return this.fail(CloseCode.ProtocolError, 'new message started inside a fragmented message');
      this.#messageOpcode = opcode;
      this.#messageSize = 0;
      this.#finalSize = -1;
      if (opcode === TEXT) this.utf8.reset();
      if (this.#extensions !== null) this.#transform = this.receiveTransform(rsv, opcode === TEXT ? 'text' : 'binary');
    }
    if (this.#transform === null) {
      const size = this.#messageSize + parser.length;
      if (size > this.#limit) {
        return this.fail(CloseCode.MessageTooBig, `message of more than ${this.#limit} bytes`);
      }
      this.#messageSize = size;
      // At the final frame the message's size is known: what must be kept is then copied once, into a
      // buffer of exactly that size.
      if (parser.fin) this.#finalSize = size;
    }
  }

  private receiveTransform(rsv: number, kind: MessageKind): ReceiveTransform | null {
    let transform: ReceiveTransform | null = null;
    const extensions = this.#extensions!;
    for (let i = extensions.length - 1; i >= 0; i--) {
      const extension = extensions[i]!;
      const next = extension.receiveMessage(rsv & extension.rsv, kind);
      if (next) transform = transform === null ? next : chainReceive(transform, next);
    }
    return transform;
  }

  /** A piece of payload: control frames come whole; data goes to the message. */
  private onPayload(data: Uint8Array, frameEnd: boolean): void {
    const opcode = this.#frameOpcode;
    if (opcode >= 8) return this.onControl(opcode, data);
    const parser = this.#parser;
    const messageEnd = frameEnd && parser.fin;
    if (parser.payloadMasked) {
      // What will be kept is unmasked while it is copied (the parser unmasks the rest in place).
      parser.payloadMasked = false;
      if (this.#transform === null) return this.deliver(this.keepUnmasked(data, parser.key, parser.keyOffset), frameEnd, messageEnd, true);
      maskBytes(data, parser.key, parser.keyOffset, 0, data.length);
    }
    if (this.#transform !== null) return this.transformPiece(data, frameEnd, messageEnd);
    this.deliver(data, frameEnd, messageEnd);
  }

  /** Runs received payload through the extensions' transform, counting its output against the limit. */
  private transformPiece(data: Uint8Array, frameEnd: boolean, messageEnd: boolean): void {
    const transform = this.#transform!;
    let output = transform.push(data, this.#limit - this.#messageSize);
    if (!this.count(output)) return;
    if (messageEnd) {
      const tail = transform.end(this.#limit - this.#messageSize);
      if (!this.count(tail)) return;
      output = (output as readonly Uint8Array[]).concat(tail as readonly Uint8Array[]);
    }
    const pieces = output as readonly Uint8Array[];
    const last = pieces.length - 1;
    if (last < 0) {
      if (frameEnd) this.deliver(EMPTY, true, messageEnd);
      return;
    }
    for (let i = 0; i <= last && this.#phase !== CLOSED && this.#due === NOTHING_DUE; i++) {
      const piece = pieces[i]!;
      // Output must outlive the call: a view of the input chunk is copied.
      this.deliver(piece.buffer === data.buffer ? piece.slice() : piece, frameEnd && i === last, messageEnd && i === last);
    }
  }

  private count(output: readonly Uint8Array[] | TransformFailure): boolean {
    if (!Array.isArray(output)) {
      const failure = output as TransformFailure;
      this.fail(isValidCloseCode(failure.code) ? failure.code : CloseCode.InternalError, String(failure.reason));
      return false;
    }
    for (const piece of output as readonly Uint8Array[]) this.#messageSize += piece.length;
    if (this.#messageSize > this.#limit) {
      this.fail(CloseCode.MessageTooBig, `message of more than ${this.#limit} bytes`);
      return false;
    }
    return true;
  }

  /** Message payload (transformed if need be): validate text, then hand it out or keep it. */
  private deliver(piece: Uint8Array, frameEnd: boolean, messageEnd: boolean, kept = false): void {
    const opcode = this.#messageOpcode;
    if (opcode === TEXT) {
      // RFC 6455 8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream
      // is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_."
      const invalid = this.utf8.check(piece, 0, piece.length);
      if (invalid !== -1) {
        if (this.#streaming && invalid > 0) this.fragment(piece.subarray(0, invalid), false, false);
        return this.fail(CloseCode.InvalidPayload, 'invalid UTF-8 in a text message');
      }
      if (messageEnd && this.utf8.pending) {
        if (this.#streaming) this.fragment(piece, frameEnd, false);
        return this.fail(CloseCode.InvalidPayload, 'text message ends inside a UTF-8 sequence');
      }
    }
    if (this.#streaming) {
      this.fragment(piece, frameEnd, messageEnd);
    } else if (messageEnd && this.#heldSize === 0 && this.#pieces.length === 0) {
      // The whole message is this piece: hand out the view.
      this.emit({ type: 'message', kind: opcode === TEXT ? 'text' : 'binary', data: piece });
    } else {
      if (piece.length !== 0 && !kept) {
        const pieces = this.#pieces;
        const n = pieces.length - 1;
        const previous = pieces[n];
        this.#piecesSize += piece.length;
        // A transform's successive outputs are often adjacent views of one buffer: one piece.
        if (previous !== undefined && previous.buffer === piece.buffer && previous.byteOffset + previous.length === piece.byteOffset && this.#transform !== null) {
          pieces[n] = new Uint8Array(piece.buffer, previous.byteOffset, previous.length + piece.length);
        } else if (pieces.push(piece) >= MAX_PIECES || this.#held.length + this.#piecesSize > this.#maxBufferedBytes) {
          // Many pieces, or a buffer with room to spare besides them: gathered into the buffer.
          this.keepPieces();
        }
      }
      if (messageEnd) this.emit({ type: 'message', kind: opcode === TEXT ? 'text' : 'binary', data: this.assemble() });
    }
    if (messageEnd) {
      this.#messageOpcode = 0;
      this.#transform = null;
    }
  }

  private fragment(data: Uint8Array, frameEnd: boolean, messageEnd: boolean): void {
    this.emit({ type: 'fragment', kind: this.#messageOpcode === TEXT ? 'text' : 'binary', data, frameEnd, messageEnd });
  }

  /** The complete message from `held` and `pieces`, with one copy of each byte at most. */
  private assemble(): Uint8Array {
    const pieces = this.#pieces;
    const total = this.#heldSize + this.#piecesSize;
    let data: Uint8Array;
    if (this.#heldSize === 0 && pieces.length === 1) data = pieces[0]!;
    else if (total === 0) data = EMPTY;
    else {
      this.keepPieces(true);
      const held = this.#held;
      if (held.length === total) data = held;
      else if (held.length > 2 * total) {
        // Much room left over: hand out an exact copy rather than pin the larger buffer.
        data = this.#allocate(total);
        data.set(held.subarray(0, total));
      } else {
        // Bytes past the message were never written: with a non-zeroing `allocate` they must not leak.
        if (this.#allocate !== newBytes) held.fill(0, total);
        data = held.subarray(0, total);
      }
    }
    this.#pieces = [];
    this.#piecesSize = 0;
    this.#held = EMPTY;
    this.#heldSize = 0;
    return data;
  }

  /** Unmasks masked payload into `held` after what is there; returns the view of it there. */
  private keepUnmasked(data: Uint8Array, key: Uint8Array, keyOffset: number): Uint8Array {
    const n = data.length;
    this.keepPieces(false, n);
    const held = this.#held;
    const at = this.#heldSize;
    unmaskInto(data, key, keyOffset, held, at);
    this.#heldSize = at + n;
    return new Uint8Array(held.buffer, held.byteOffset + at, n);
  }

  /**
   * Copies the pieces (views of the current chunk) into `held`, which the connection owns, with room for
   * `extra` more bytes after them.
   */
  private keepPieces(exact = false, extra = 0): void {
    const pieces = this.#pieces;
    const size = this.#heldSize + this.#piecesSize + extra;
    if (this.#held.length < size) {
      // One allocation of the message's exact size once it is known and at least 1/128 of it has arrived.
      // Otherwise start at 4 times what arrived and double, within the limit: a header announcing a large
      // frame followed by a trickle of bytes makes the connection allocate at most 128 times what it got.
      const final = this.#finalSize;
      const capacity = exact
        ? size
        : final >= size && size * 128 >= final
          ? final
          : Math.min(final >= size ? final : this.#limit, Math.max(this.#held.length === 0 ? size * 4 : size, this.#held.length * 2));
      const next = this.#allocate(capacity);
      if (this.#heldSize !== 0) next.set(this.#held.subarray(0, this.#heldSize));
      this.#held = next;
    }
    const held = this.#held;
    let at = this.#heldSize;
    for (const piece of pieces) {
      held.set(piece, at);
      at += piece.length;
    }
    this.#heldSize = at;
    pieces.length = 0;
    this.#piecesSize = 0;
  }

  /** A whole control frame (RFC 6455 5.5). */
  private onControl(opcode: number, data: Uint8Array): void {
    if (opcode === Opcode.Ping) {
      this.emit({ type: 'ping', data });
      // RFC 6455 5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response". It is
      // handed out after the ping event, unless the application has called close() meanwhile (RFC 6455 5.5.1:
      // nothing follows a Close). Framed now: the application may modify the ping event's data.
      if (this.#autoPong && this.#phase === OPEN) {
        this.#due = PONG_DUE;
        this.#duePong = this.frame(0x80 | Opcode.Pong, this.#keys === null ? data.slice() : data);
      }
    } else if (opcode === Opcode.Pong) {
      this.emit({ type: 'pong', data });
    } else {
      this.onClose(data);
    }
  }

  /** The peer's Close frame (RFC 6455 5.5.1, 7.1.5). */
  private onClose(data: Uint8Array): void {
    let code: number = CloseCode.NoStatus;
    let reason = '';
    if (data.length === 1) return this.fail(CloseCode.ProtocolError, 'Close frame with a 1-byte payload');
    if (data.length >= 2) {
      code = (data[0]! << 8) | data[1]!;
      // RFC 6455 7.4.1/7.4.2: only 1000-1003, 1007-1014 and 3000-4999 may be sent.
      if (!isValidCloseCode(code)) return this.fail(CloseCode.ProtocolError, `invalid close code ${code}`);
      const text = data.subarray(2);
      // RFC 6455 5.5.1: the reason is UTF-8 encoded.
      if (!isValidUtf8(text)) return this.fail(CloseCode.InvalidPayload, 'Close reason is not valid UTF-8');
      reason = decodeText(text);
    }
    if (this.#phase === OPEN) {
      // RFC 6455 5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame, the
      // endpoint MUST send a Close frame in response ... typically echoing the status code it received."
      this.emit({ type: 'write', data: this.frame(0x80 | Opcode.Close, closePayload(data.length >= 2 ? code : undefined, EMPTY)) });
      this.closeWith(code, reason, 'peer', true);
    } else {
      this.closeWith(code, reason, 'local', true);
    }
  }

  /**
   * Fails the connection (RFC 6455 7.1.7): Close with `code` unless sent already, then close. After events
   * of the same step (the valid part of a streamed text fragment), once the application has seen them.
   */
  private fail(code: number, reason: string): void {
    if (this.#ready !== null) {
      this.#due = FAILURE_DUE;
      this.#dueCode = code;
      this.#dueReason = reason;
      return;
    }
    this.emit({ type: 'protocol-error', code, reason });
    if (this.#phase === OPEN) this.emit({ type: 'write', data: this.frame(0x80 | Opcode.Close, closePayload(code, EMPTY)) });
    this.closeWith(CloseCode.Abnormal, '', 'local', false);
  }

  private closeWith(code: number, reason: string, initiator: CloseEvent['initiator'], clean: boolean): void {
    this.#phase = CLOSED;
    this.#code = code;
    this.#reason = reason;
    this.#pieces = [];
    this.#piecesSize = 0;
    this.#held = EMPTY;
    this.#heldSize = 0;
    this.#transform = null;
    this.#sendOpcode = 0;
    this.#sendTransform = null;
    this.#parser.feed(EMPTY); // what is left of the input is ignored
    if (this.#extensions !== null) for (const extension of this.#extensions) extension.dispose?.();
    this.emit({ type: 'close', code, reason, initiator, clean });
    // RFC 6455 7.1.1: "the underlying TCP connection, in most normal cases, SHOULD be closed first by the
    // server"; a client SHOULD wait for the server to close it. After a failure, either side closes now.
    this.emit({ type: 'close-transport', awaitPeer: clean && this.role === 'client' });
  }

  // ─── Sending ──────────────────────────────────────────────────────────────

  /**
   * A text message. A string is encoded as UTF-8; bytes must be valid UTF-8
   * (checked). Returns the byte arrays to write.
   */
  sendText(data: string | Uint8Array, options?: SendOptions): Uint8Array[] {
    this.checkMessageStart();
    return this.sendWhole(TEXT, 'text', textBytes(data), options);
  }

  /** A binary message. Returns the byte arrays to write (unmasked: `[header, data]`, `data` not copied). */
  sendBinary(data: Uint8Array, options?: SendOptions): Uint8Array[] {
    this.checkMessageStart();
    if (!(data instanceof Uint8Array)) throw new TypeError('sendBinary() takes a Uint8Array');
    return this.sendWhole(BINARY, 'binary', data, options);
  }

  private sendWhole(opcode: number, kind: MessageKind, payload: Uint8Array, options: SendOptions | undefined): Uint8Array[] {
    let b0 = 0x80 | opcode;
    if (this.#extensions !== null && options?.transform !== false) {
      const transform = this.startSendTransform(kind, payload.length, options?.transform === true);
      if (transform !== null) {
        payload = concatBytes(transform.push(payload, true));
        b0 |= this.#sendRsv;
      }
    }
    return this.frame(b0, payload);
  }

  /**
   * Starts a message sent in fragments: this frame, then `continueMessage()`
   * for more and `finishMessage()` for the last. Control frames (ping, pong,
   * close) may be sent in between; other messages may not. Text pieces given
   * as strings are encoded separately, so split strings between code points;
   * text given as bytes may split a code point anywhere.
   */
  startMessage(kind: MessageKind, data: string | Uint8Array = EMPTY, options?: SendOptions): Uint8Array[] {
    this.checkMessageStart();
    if (kind !== 'text' && kind !== 'binary') throw new TypeError(`kind must be 'text' or 'binary', got ${String(kind)}`);
    const opcode = kind === 'text' ? TEXT : BINARY;
    this.sendUtf8.reset();
    // Checked before anything changes: a fragment that throws leaves no message begun.
    const payload = this.fragmentPayload(opcode, data, false);
    let b0 = opcode;
    this.#sendTransform = null;
    if (this.#extensions !== null && options?.transform !== false) {
      this.#sendTransform = this.startSendTransform(kind, undefined, options?.transform === true);
      if (this.#sendTransform !== null) b0 |= this.#sendRsv;
    }
    this.#sendOpcode = opcode;
    return this.sendFragment(b0, payload, false);
  }

  /** The next fragment of the message begun with `startMessage()`. */
  continueMessage(data: string | Uint8Array): Uint8Array[] {
    this.checkFragment();
    return this.sendFragment(Opcode.Continuation, this.fragmentPayload(this.#sendOpcode, data, false), false);
  }

  /** The last fragment of the message begun with `startMessage()` (possibly empty). */
  finishMessage(data: string | Uint8Array = EMPTY): Uint8Array[] {
    this.checkFragment();
    const frames = this.sendFragment(0x80, this.fragmentPayload(this.#sendOpcode, data, true), true);
    this.#sendOpcode = 0;
    this.#sendTransform = null;
    return frames;
  }

  /**
   * A fragment's bytes, checked: text must continue valid UTF-8 (RFC 6455 5.6) and the last fragment must
   * end it. Throws without changing anything, so that the message can go on with valid data.
   */
  private fragmentPayload(opcode: number, data: string | Uint8Array, fin: boolean): Uint8Array {
    if (opcode !== TEXT) {
      if (!(data instanceof Uint8Array)) throw new TypeError('binary fragments are Uint8Array');
      return data;
    }
    const utf8 = this.sendUtf8;
    if (typeof data === 'string') {
      // A string holds whole code points: it cannot finish one that earlier bytes began.
      if (utf8.pending) throw new TypeError('a string cannot follow text bytes that end inside a UTF-8 sequence');
      return encoder.encode(data);
    }
    if (!(data instanceof Uint8Array)) throw new TypeError('text fragments are strings or Uint8Array');
    const before = utf8.save();
    if (utf8.check(data) !== -1) throw new TypeError('text fragment is not valid UTF-8');
    if (fin && utf8.pending) {
      utf8.restore(before);
      throw new TypeError('text message would end inside a UTF-8 sequence');
    }
    return data;
  }

  private sendFragment(b0: number, payload: Uint8Array, fin: boolean): Uint8Array[] {
    const transform = this.#sendTransform;
    if (transform !== null) payload = concatBytes(transform.push(payload, fin));
    return this.frame(b0, payload);
  }

  private startSendTransform(kind: MessageKind, length: number | undefined, requested: boolean): SendTransform | null {
    let transform: SendTransform | null = null;
    let rsv = 0;
    for (const extension of this.#extensions!) {
      const next = extension.sendMessage(kind, length, requested);
      if (!next) continue;
      transform = transform === null ? next : chainSend(transform, next);
      rsv |= extension.rsv;
    }
    this.#sendRsv = rsv;
    return transform;
  }

  /** A Ping (RFC 6455 5.5.2) with at most 125 bytes of payload. */
  ping(data: string | Uint8Array = EMPTY): Uint8Array[] {
    this.checkSend();
    return this.frame(0x80 | Opcode.Ping, controlBytes(data));
  }

  /** A Pong (RFC 6455 5.5.3), answering a Ping (with its payload) or unsolicited as a heartbeat. */
  pong(data: string | Uint8Array = EMPTY): Uint8Array[] {
    this.checkSend();
    return this.frame(0x80 | Opcode.Pong, controlBytes(data));
  }

  /**
   * Starts the close handshake: returns the Close frame to write. Without a
   * code the frame has no payload (the peer sees 1005). Codes 1000-1003,
   * 1007-1014 and 3000-4999 may be sent; the reason is at most 123 bytes of
   * UTF-8. Nothing can be sent afterwards; received data is still processed
   * until the peer's Close arrives.
   */
  close(code?: number, reason = ''): Uint8Array[] {
    this.checkSend();
    if (typeof reason !== 'string') throw new TypeError('the close reason is a string');
    if (code === undefined) {
      if (reason !== '') throw new TypeError('a close reason needs a close code');
    } else if (typeof code !== 'number' || !isValidCloseCode(code)) {
      throw new RangeError(`close code ${String(code)} cannot be sent: use 1000-1003, 1007-1014 or 3000-4999`);
    }
    const reasonBytes = encoder.encode(reason);
    if (reasonBytes.length > MAX_CLOSE_REASON) throw new RangeError(`the close reason is ${reasonBytes.length} bytes of UTF-8; at most ${MAX_CLOSE_REASON} fit`);
    this.#phase = CLOSE_SENT;
    this.#sendOpcode = 0;
    this.#sendTransform = null;
    return this.frame(0x80 | Opcode.Close, closePayload(code, reasonBytes));
  }

  private checkSend(): void {
    if (this.#phase === OPEN) return;
    throw new Error(
      this.#phase === CLOSE_SENT
        ? 'cannot send: close() was called, and nothing may follow a Close frame'
        : 'cannot send: the connection is closed',
    );
  }

  /** A new message may not start inside a fragmented one (RFC 6455 5.4); control frames may. */
  private checkMessageStart(): void {
    this.checkSend();
    if (this.#sendOpcode !== 0) throw new Error('a fragmented message is being sent: finish it with finishMessage() first');
  }

  private checkFragment(): void {
    this.checkSend();
    if (this.#sendOpcode === 0) throw new Error('no fragmented message in progress: call startMessage() first');
  }

  /** Frames a payload, masked with the next key for a client. */
  private frame(b0: number, payload: Uint8Array): Uint8Array[] {
    const keys = this.#keys;
    if (keys === null) return encodeWith(b0, payload, null);
    keys.take(this.#key, 0);
    return encodeWith(b0, payload, this.#key, this.#allocateFrame);
  }
}

function newBytes(size: number): Uint8Array {
  return new Uint8Array(size);
}

function textBytes(data: string | Uint8Array): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data);
  if (!(data instanceof Uint8Array)) throw new TypeError('sendText() takes a string or a Uint8Array');
  if (!isValidUtf8(data)) throw new TypeError('sendText() bytes are not valid UTF-8');
  return data;
}

function controlBytes(data: string | Uint8Array): Uint8Array {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  if (!(bytes instanceof Uint8Array)) throw new TypeError('a control payload is a string or a Uint8Array');
  if (bytes.length > MAX_CONTROL_PAYLOAD) throw new RangeError(`a control frame carries at most 125 bytes, got ${bytes.length}`);
  return bytes;
}

function closePayload(code: number | undefined, reason: Uint8Array): Uint8Array {
  if (code === undefined) return EMPTY;
  const payload = new Uint8Array(2 + reason.length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.set(reason, 2);
  return payload;
}
