// @hybi/frame-codec: a client and a server Connection, back to back in memory.
import { Connection, decodeText } from '@hybi/frame-codec';

const client = new Connection({ role: 'client' });
const server = new Connection({ role: 'server' });
// Sending returns the bytes to write; receiving returns the events they make.
const deliver = (chunks, to) => chunks.flatMap((chunk) => [...to.receive(chunk)]);

const [message] = deliver(client.sendText('héllo'), server);
console.log(message.type, message.kind, decodeText(message.data)); // message text héllo

// A Ping is answered by the connection: a `write` event carries the Pong.
const [ping, write] = deliver(client.ping('are you there'), server);
console.log(ping.type, write.type, deliver(write.data, client)[0].type); // ping write pong

// The close handshake: the server echoes the Close and closes the transport first.
const answer = deliver(client.close(1000, 'bye'), server);
console.log(answer.map((event) => event.type).join(', ')); // write, close, close-transport
const [closed] = deliver(answer[0].data, client);
console.log(closed.code, closed.initiator, closed.clean); // 1000 local true

// Peer input never throws: an unmasked frame to a server is an event saying what was wrong,
// then the Close 1002 to send (`write`), and the close of the connection.
const strict = new Connection({ role: 'server' });
const [error, ...rest] = deliver([Uint8Array.of(0x81, 0x02, 0x68, 0x69)], strict);
console.log(error.type, error.code, error.reason); // protocol-error 1002 unmasked frame from a client
console.log(rest.map((event) => event.type).join(', ')); // write, close, close-transport
