// A WebSocket echo server on Bun's raw TCP (Bun.listen): @hybi/handshake
// answers the opening handshake, @hybi/frame-codec does the rest.
//   bun bun-echo.ts [port]
import { Connection, type ConnectionEvents } from '@hybi/frame-codec';
import { ServerHandshake } from '@hybi/handshake';

interface State {
  handshake: ServerHandshake;
  connection?: Connection;
  unsent: Uint8Array[]; // what write() did not take yet, sent on drain
  ending: boolean; // end the socket once everything is sent
}
interface Socket {
  data: State;
  write(bytes: Uint8Array): number;
  end(): void;
}

const server = Bun.listen<State>({
  hostname: '127.0.0.1',
  port: Number(Bun.argv[2] ?? 8080),
  socket: {
    open(socket) {
      socket.data = { handshake: new ServerHandshake(), unsent: [], ending: false };
    },
    data(socket, chunk) {
      const { handshake, connection } = socket.data;
      if (connection) return handle(socket, connection.receive(chunk));
      for (const event of handshake.receive(chunk)) {
        if (event.type === 'reject') return send(socket, [event.response], true); // 400, 426, 431...
      }
      if (handshake.state !== 'awaiting-decision') return; // the request head is not complete yet
      const { response, leftover } = handshake.accept();
      send(socket, [response]);
      socket.data.connection = new Connection({ role: 'server' });
      handle(socket, socket.data.connection.receive(leftover));
    },
    drain(socket) {
      send(socket, socket.data.unsent.splice(0), socket.data.ending);
    },
    end(socket) {
      // The peer ended the TCP stream.
      if (socket.data.connection) handle(socket, socket.data.connection.receiveEnd());
    },
  },
});
console.log(`listening on ws://127.0.0.1:${server.port}/`);

function handle(socket: Socket, events: ConnectionEvents): void {
  const connection = socket.data.connection!;
  for (const event of events) {
    switch (event.type) {
      case 'message': // text arrives as validated UTF-8 bytes
        // Sent before the Close answer if a Close follows in the same chunk: events come as they are iterated.
        send(socket, event.kind === 'text' ? connection.sendText(event.data) : connection.sendBinary(event.data));
        break;
      case 'write': // a Pong, the Close echo, or the Close that fails the connection
        send(socket, event.data);
        break;
      case 'close-transport':
        send(socket, [], true);
        break;
    }
  }
}

/** write() may take only part of the bytes: the rest waits for drain, in order. */
function send(socket: Socket, chunks: readonly Uint8Array[], end = false): void {
  const state = socket.data;
  for (const chunk of chunks) {
    const written = state.unsent.length === 0 ? Math.max(socket.write(chunk), 0) : 0;
    if (written < chunk.length) state.unsent.push(chunk.slice(written)); // a copy: the chunk may be reused
  }
  state.ending ||= end;
  if (state.ending && state.unsent.length === 0) socket.end();
}
