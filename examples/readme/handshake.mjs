// @hybi/handshake: a client's request, the server's 101, the client's check of it.
import { ClientHandshake, ServerHandshake } from '@hybi/handshake';

const client = new ClientHandshake({ url: 'ws://example.com/chat?room=1', protocols: ['chat', 'superchat'] });
const server = new ServerHandshake();

const [request] = server.receive(client.request);
console.log(request.type, request.path, request.query, request.protocols.join(' ')); // request /chat room=1 chat superchat
const { response } = server.accept({ protocol: 'chat' });
console.log(new TextDecoder().decode(response).split('\r\n')[0]); // HTTP/1.1 101 Switching Protocols

// Bytes after the 101 (here a frame sent with it) are handed on, for the frame codec.
const [accepted] = client.receive(Uint8Array.of(...response, 0x81, 0x02, 0x68, 0x69));
console.log(accepted.type, accepted.protocol, accepted.leftover.length); // accepted chat 4

// Peer input never throws: a request without Upgrade gets its response to send.
const [rejected] = new ServerHandshake().receive(new TextEncoder().encode('GET /chat HTTP/1.1\r\nHost: example.com\r\n\r\n'));
console.log(rejected.type, rejected.status, rejected.code); // reject 426 invalid-upgrade
