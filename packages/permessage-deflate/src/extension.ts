// permessage-deflate as a @hybi/frame-codec extension (RFC 7692 6), and the
// two calls an embedder makes in the opening handshake: a server answers the
// client's offers, a client offers and checks the answer. The same calls
// serve the HTTP/1.1 Upgrade (@hybi/handshake) and the RFC 8441 / RFC 9220
// header lists (@hybi/h2-bootstrap): both hand over parsed
// Sec-WebSocket-Extensions elements and take response elements.
//
// Only types come from @hybi/frame-codec: the class satisfies its
// MessageExtension interface structurally, so nothing of the frame codec is
// imported at run time.

import type { MessageExtension, MessageKind, ReceiveTransform, SendTransform, TransformFailure } from '@hybi/frame-codec';
import type { Extension } from '@hybi/handshake';
import type { DeflateBackend } from './backend.js';
import { MessageDeflater, MessageInflater, type InflateResult, type MessageDeflaterOptions, type MessageInflaterOptions } from './message-codec.js';
import {
  acceptServerResponse,
  createClientOffer,
  negotiateServer,
  type ClientNegotiationOptions,
  type NegotiatedDeflate,
  type NegotiationFailure,
  type ServerNegotiationOptions,
} from './negotiation.js';
import { pakoBackend } from './pako-backend.js';

/** RFC 7692 6: "This extension uses the RSV1 bit of the WebSocket frame header". */
const RSV1 = 0x40;

/**
 * How the extension compresses and inflates: the backend, the threshold (see
 * {@link MessageDeflaterOptions}) and `maxFinalBlocks` (see
 * {@link MessageInflaterOptions}); the message limit is the connection's.
 */
export interface PerMessageDeflateExtensionOptions extends MessageDeflaterOptions, Pick<MessageInflaterOptions, 'maxFinalBlocks'> {}

/** A server's negotiation preferences and the extension's options. */
export interface ServerDeflateOptions extends Omit<ServerNegotiationOptions, 'backend'>, PerMessageDeflateExtensionOptions {}

/** A client's offer preferences and the extension's options. */
export interface ClientDeflateOptions extends Omit<ClientNegotiationOptions, 'backend'>, PerMessageDeflateExtensionOptions {}

/** What {@link PerMessageDeflate.server} returns when it accepts an offer. */
export interface ServerDeflate {
  /** The element for the response's Sec-WebSocket-Extensions (`accept({ extensions: [response] })`). */
  readonly response: Extension;
  /** The extension for `new Connection({ extensions: [extension] })`. */
  readonly extension: PerMessageDeflate;
}

/** The result of {@link ClientDeflate.accept}. */
export type ClientDeflateResult =
  /** The server accepted: pass `extension` to the Connection. */
  | { readonly type: 'accepted'; readonly extension: PerMessageDeflate }
  /** The response has no permessage-deflate element: the connection runs without compression. */
  | { readonly type: 'declined' }
  /**
   * RFC 7692 7: the client "MUST _Fail the WebSocket Connection_". The
   * handshake has not succeeded: close the transport (no Close frame).
   */
  | ({ readonly type: 'fail' } & NegotiationFailure);

/** A client's side of the negotiation, from {@link PerMessageDeflate.client}. */
export interface ClientDeflate {
  /** The element to offer: put it in the request's `extensions`. */
  readonly offer: Extension;
  /** Checks the response's extension elements (all of them, as the handshake reports them). */
  accept(response: readonly Extension[]): ClientDeflateResult;
}

/**
 * permessage-deflate on one connection: a `MessageExtension` for
 * `@hybi/frame-codec`'s `Connection`. It claims RSV1, inflates messages whose
 * first frame has it, within the connection's `maxMessageSize`, and
 * compresses the messages the connection sends, unless they are below the
 * threshold or sent with `{ transform: false }`.
 *
 * Build it with {@link PerMessageDeflate.server} or
 * {@link PerMessageDeflate.client}, or from a negotiation result of your own.
 * One instance per connection: it holds that connection's compression
 * contexts.
 */
export class PerMessageDeflate implements MessageExtension {
  /**
   * Server: answers the client's offers (`request.extensions`, from
   * `@hybi/handshake` or `@hybi/h2-bootstrap`). Returns the response element
   * and the extension, or null when no offer is acceptable (none made, or
   * each declined as RFC 7692 7 says): the connection then runs without
   * compression. `negotiateServer` gives the reasons, for logs.
   */
  static server(offers: readonly Extension[], options: ServerDeflateOptions = {}): ServerDeflate | null {
    const result = negotiateServer(offers, options);
    if (result.type !== 'accepted') return null;
    return { response: result.response, extension: new PerMessageDeflate(result.negotiated, options) };
  }

  /**
   * Client: the offer to send, and the check of the server's answer that
   * builds the extension. With no options the offer is
   * `permessage-deflate; client_max_window_bits`, as browsers send it.
   */
  static client(options: ClientDeflateOptions = {}): ClientDeflate {
    const offer = createClientOffer(options);
    return {
      offer,
      accept(response) {
        const result = acceptServerResponse(response, options);
        if (result.type !== 'accepted') return result;
        return { type: 'accepted', extension: new PerMessageDeflate(result.negotiated, options) };
      },
    };
  }

  /** RSV1, the bit RFC 7692 6 gives the extension. */
  readonly rsv = RSV1;
  /** The agreed parameters from this endpoint's view: what it compresses and what it inflates. */
  readonly negotiated: NegotiatedDeflate;
  /** The backend's name (`"pako"`, `"node:zlib"`, ...). */
  readonly backend: string;

  #deflater: MessageDeflater | null;
  #inflater: MessageInflater | null;
  /** The current received message has started inflating (its limit is known from the first call). */
  #inflating = false;
  readonly #receive: ReceiveTransform;
  readonly #send: SendTransform;

  /** From a negotiation result (`negotiateServer(...).negotiated` or `acceptServerResponse(...).negotiated`). */
  constructor(negotiated: NegotiatedDeflate, options: PerMessageDeflateExtensionOptions = {}) {
    const backend: DeflateBackend = options.backend ?? pakoBackend();
    this.negotiated = negotiated;
    this.backend = backend.name;
    this.#deflater = new MessageDeflater(negotiated.compress, { ...options, backend });
    this.#inflater = new MessageInflater(negotiated.decompress, { ...options, backend });
    this.#receive = {
      push: (data, limit) => this.#inflate(limit, (inflater) => inflater.write(data)),
      end: (limit) => {
        const result = this.#inflate(limit, (inflater) => inflater.end());
        this.#inflating = false;
        return result;
      },
    };
    this.#send = { push: (data, fin) => [this.#live(this.#deflater).compressFragment(data, fin)] };
  }

  /**
   * A text or binary message starts arriving. RFC 7692 6.1: RSV1 on its first
   * frame means "Per-Message Compressed"; without it the payload is taken as
   * it is. (The connection itself fails RSV1 on continuation and control
   * frames with 1002.)
   */
  receiveMessage(rsv: number, _kind: MessageKind): ReceiveTransform | null {
    this.#live(this.#inflater);
    if ((rsv & RSV1) === 0) return null;
    this.#inflating = false;
    return this.#receive;
  }

  /**
   * A message starts being sent. Compressed when the application asked for it
   * (`{ transform: true }`), or when it is sent whole and has at least
   * `threshold` octets, or when it is sent in fragments (its size is not
   * known; send it with `{ transform: false }` to keep it uncompressed).
   */
  sendMessage(_kind: MessageKind, length: number | undefined, requested: boolean): SendTransform | null {
    const deflater = this.#live(this.#deflater);
    return deflater.shouldCompress(length ?? Infinity, requested || undefined) ? this.#send : null;
  }

  /** The connection closed: drops both compression contexts. */
  dispose(): void {
    this.#deflater = null;
    this.#inflater = null;
  }

  #inflate(limit: number, step: (inflater: MessageInflater) => InflateResult): readonly Uint8Array[] | TransformFailure {
    const inflater = this.#live(this.#inflater);
    if (!this.#inflating) {
      // The connection's remaining budget at the message's first piece is its
      // whole maxMessageSize: the limit for both the compressed and the
      // inflated size.
      inflater.begin(limit);
      this.#inflating = true;
    }
    const result = step(inflater);
    if (result.type === 'data') return result.chunks;
    // 1009 (message-too-big), 1007 (invalid-compressed-data) or 1008 (too-many-final-blocks).
    return {
      code: result.closeCode,
      reason:
        result.type === 'message-too-big'
          ? `compressed message of more than ${result.maxMessageBytes} bytes, compressed or inflated`
          : result.type === 'too-many-final-blocks'
            ? `compressed message of more than ${result.maxFinalBlocks} DEFLATE blocks with BFINAL set`
            : result.reason,
    };
  }

  #live<T>(codec: T | null): T {
    if (codec === null) throw new Error('this PerMessageDeflate belongs to a closed connection: negotiate a new one for each connection');
    return codec;
  }
}
