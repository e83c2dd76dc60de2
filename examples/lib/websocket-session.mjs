// Runs one WebSocket connection over a Node byte stream: a net.Socket, a
// tls.TLSSocket, or an http2 stream after extended CONNECT (RFC 8441 5: after
// the 2xx, the stream's DATA frames carry the WebSocket frames). The
// Connection from @hybi/frame-codec does the protocol; this module moves
// bytes, stops reading while writes back up, and turns close-transport into
// the end of the stream. The echo server and the echo client share it.
import { abortStream } from '@hybi/h2-bootstrap';

const PIECE = 64 * 1024; // the most handed to the transport in one write()

/**
 * @typedef {object} WebSocketSession
 * @property {import('@hybi/frame-codec').Connection} connection
 * @property {(kind: 'text' | 'binary', data: string | Uint8Array) => void} send sends unless closing or closed
 * @property {(code?: number, reason?: string) => void} close starts the close handshake
 * @property {number} bufferedAmount bytes sent and not yet taken by the transport's OS buffers
 */

/**
 * @param {import('node:stream').Duplex} transport the socket or stream, after the handshake, paused
 * @param {import('@hybi/frame-codec').Connection} connection
 * @param {object} [options]
 * @param {Uint8Array} [options.leftover] bytes read past the handshake: the first frames
 * @param {boolean} [options.http2] the transport is an http2 stream
 * @param {(kind: 'text' | 'binary', data: Uint8Array, session: WebSocketSession) => void} [options.onMessage]
 * @param {(close: import('@hybi/frame-codec').CloseEvent, error?: import('@hybi/frame-codec').ProtocolErrorEvent) => void} [options.onClose]
 * @param {number} [options.closeTimeout] ms to wait for the peer during closing (default 5000)
 * @param {{ received(chunk: Uint8Array): void, sent(chunk: Uint8Array): void }} [options.tap] sees every byte (the demo's frame log)
 * @returns {WebSocketSession}
 */
export function runWebSocket(transport, connection, options = {}) {
  const { onMessage = () => {}, onClose = () => {}, closeTimeout = 5000, tap } = options;
  // Dropping a connection: RST_STREAM(CANCEL) for a stream (RFC 8441 5), else destroy the socket.
  const abort = options.http2 ? () => transport.close(abortStream('h2').code) : () => transport.destroy();
  let protocolError;
  let waitingForDrain = false;
  let ending = false;
  let closeTimer;

  // Backpressure: write() returns false once the transport buffers more than
  // its high-water mark. Stop reading until it drains, so that a peer that
  // does not read its echoes cannot make us buffer them without limit. On an
  // http2 stream, not reading also keeps the peer's flow-control window shut.
  //
  // Large frames go to the transport in pieces of at most PIECE bytes, and
  // only while it has room: the rest waits here, in `queue`. On HTTP/2 this
  // matters beyond this stream: Node counts what a stream was handed and has
  // not sent yet against its session's maxSessionMemory, and while the
  // session is over that limit it refuses every new stream on the connection
  // (RST_STREAM(ENHANCE_YOUR_CALM)), a plain GET included. One 16 MiB echo
  // written at once would do that until the peer had read most of it.
  const queue = []; // bytes not yet handed to the transport, in order
  let queued = 0; // their length
  const flush = () => {
    if (transport.writableEnded || transport.destroyed) return void (queue.length = queued = 0);
    let room = true;
    transport.cork(); // a frame's header and its first piece leave in one write
    while (room && queue.length > 0) {
      let chunk = queue[0];
      if (chunk.length > PIECE) {
        queue[0] = chunk.subarray(PIECE);
        chunk = chunk.subarray(0, PIECE);
      } else {
        queue.shift();
      }
      queued -= chunk.length;
      room = transport.write(chunk);
    }
    transport.uncork();
    if (queue.length === 0 && ending) transport.end(); // after everything we wrote
    if (room || waitingForDrain) return;
    waitingForDrain = true;
    transport.pause();
    transport.once('drain', () => {
      waitingForDrain = false;
      flush();
      if (!waitingForDrain) transport.resume();
    });
  };
  const write = (chunks) => {
    if (transport.writableEnded || transport.destroyed) return;
    for (const chunk of chunks) {
      tap?.sent(chunk);
      queue.push(chunk);
      queued += chunk.length;
    }
    if (!waitingForDrain) flush();
  };

  // Our side ends with socket.end() (TCP FIN) or stream.end() (END_STREAM,
  // RFC 8441 5), once the queue is written. If the peer does not end its side
  // in time, drop it.
  const endTransport = () => {
    ending = true;
    if (!waitingForDrain) flush();
    closeTimer ??= setTimeout(abort, closeTimeout);
  };

  const session = {
    connection,
    send(kind, data) {
      // Dropped once our Close is sent (session.close() was called): nothing
      // may follow it (RFC 6455 5.5.1). A message that came in the same read as
      // the peer's Close is answered: the Connection reaches that Close, and
      // answers it, only when handle() iterates past the message.
      if (connection.state !== 'open') return;
      write(kind === 'text' ? connection.sendText(data) : connection.sendBinary(data));
    },
    close(code, reason) {
      if (connection.state !== 'open') return;
      write(connection.close(code, reason));
      closeTimer ??= setTimeout(abort, closeTimeout); // the peer's Close never comes: drop it
    },
    // What waits in this process for a peer that reads slowly (as in the browser's API).
    get bufferedAmount() {
      return queued + transport.writableLength;
    },
  };

  // The events are produced as this loop iterates: what it writes for one
  // event goes out before what the Connection produces after it.
  const handle = (events) => {
    for (const event of events) {
      switch (event.type) {
        case 'message':
          onMessage(event.kind, event.data, session);
          break;
        case 'write': // a Pong, the Close echo, or the Close that fails the connection
          write(event.data);
          break;
        case 'protocol-error':
          protocolError = event;
          break;
        case 'close':
          onClose(event, protocolError);
          break;
        case 'close-transport':
          // A client after a clean close waits for the server to close the TCP
          // connection (RFC 6455 7.1.1); the 'end' handler then ends ours. On
          // HTTP/2 each side ends its half of the stream at once.
          if (event.awaitPeer && !options.http2) closeTimer ??= setTimeout(abort, closeTimeout);
          else endTransport();
          break;
        // 'ping' and 'pong': autoPong answers each Ping with a 'write' event.
      }
    }
  };

  transport.on('data', (chunk) => {
    tap?.received(chunk);
    handle(connection.receive(chunk));
  });
  // The peer ended its side (TCP FIN, END_STREAM). Without a Close frame
  // before it, the connection closes with 1006.
  transport.on('end', () => {
    handle(connection.receiveEnd());
    endTransport();
  });
  // Destroyed, reset by the peer (RST_STREAM) or failed: nothing more will
  // arrive. receiveEnd() does nothing if the connection closed already.
  transport.on('close', () => {
    clearTimeout(closeTimer);
    handle(connection.receiveEnd());
  });
  transport.on('error', () => {}); // 'close' follows, and with it 1006

  // Frames that arrived with the handshake go first, then the transport's
  // later chunks (it was paused so that none got lost in between).
  if (options.leftover?.length) {
    tap?.received(options.leftover);
    handle(connection.receive(options.leftover));
  }
  if (!waitingForDrain) transport.resume();
  return session;
}
