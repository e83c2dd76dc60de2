// A WebSocket echo server on Deno's raw TCP (Deno.listen): @hybi/handshake
// answers the opening handshake, @hybi/frame-codec does the rest.
//   deno run --allow-net=127.0.0.1 deno-echo.ts [port]
import { Connection, type ConnectionEvents } from '@hybi/frame-codec';
import { ServerHandshake } from '@hybi/handshake';

const listener = Deno.listen({ hostname: '127.0.0.1', port: Number(Deno.args[0] ?? 8080) });
console.log(`listening on ws://127.0.0.1:${listener.addr.port}/`);
for await (const conn of listener) {
  serve(conn).catch((error) => console.error(error)).finally(() => conn.close());
}

async function serve(conn: Deno.Conn): Promise<void> {
  const handshake = new ServerHandshake();
  let connection: Connection | undefined;
  const buffer = new Uint8Array(64 * 1024); // reused: the events are iterated to the end before the next read
  for (let n; (n = await conn.read(buffer)) !== null; ) {
    const chunk = buffer.subarray(0, n);
    if (connection) {
      if (await handle(conn, connection, connection.receive(chunk))) return;
      continue;
    }
    for (const event of handshake.receive(chunk)) {
      if (event.type === 'reject') return writeAll(conn, [event.response]); // 400, 426, 431...
    }
    if (handshake.state !== 'awaiting-decision') continue; // the request head is not complete yet
    const { response, leftover } = handshake.accept();
    await writeAll(conn, [response]);
    connection = new Connection({ role: 'server' });
    if (await handle(conn, connection, connection.receive(leftover))) return;
  }
  if (connection) await handle(conn, connection, connection.receiveEnd()); // the peer ended the TCP stream
}

/** Acts on the connection's events; true once the transport is to be closed. */
async function handle(conn: Deno.Conn, connection: Connection, events: ConnectionEvents): Promise<boolean> {
  for (const event of events) {
    switch (event.type) {
      case 'message': // text arrives as validated UTF-8 bytes
        // Sent before the Close answer if a Close follows in the same chunk: events come as they are iterated.
        await writeAll(conn, event.kind === 'text' ? connection.sendText(event.data) : connection.sendBinary(event.data));
        break;
      case 'write': // a Pong, the Close echo, or the Close that fails the connection
        await writeAll(conn, event.data);
        break;
      case 'close-transport':
        return true;
    }
  }
  return false;
}

async function writeAll(conn: Deno.Conn, chunks: readonly Uint8Array[]): Promise<void> {
  for (let chunk of chunks) while (chunk.length > 0) chunk = chunk.subarray(await conn.write(chunk));
}
