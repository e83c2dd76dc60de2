// @hybi/permessage-deflate: negotiate, then compress through the frame codec.
import { Connection, decodeText } from '@hybi/frame-codec';
import { PerMessageDeflate } from '@hybi/permessage-deflate';

// The client's offer goes in its handshake request; the server answers it.
const deflate = PerMessageDeflate.client();
const server = PerMessageDeflate.server([deflate.offer]);
const result = deflate.accept([server.response]);
console.log(result.type); // accepted

const client = new Connection({ role: 'client', extensions: [result.extension] });
const receiver = new Connection({ role: 'server', extensions: [server.extension] });
const text = 'hello, '.repeat(1000);
const bytes = client.sendText(text);
console.log(text.length, '->', bytes.reduce((sum, chunk) => sum + chunk.length, 0)); // 7000 -> 44

const [message] = bytes.flatMap((chunk) => [...receiver.receive(chunk)]);
console.log(message.type, decodeText(message.data) === text); // message true
