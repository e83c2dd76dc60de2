// @hybi/h2-bootstrap: RFC 8441 extended CONNECT on header lists, both roles.
import { PeerSettings, SETTINGS_ENABLE_CONNECT_PROTOCOL, acceptRequest, buildRequest, encodeSettings, parseRequest, parseResponse } from '@hybi/h2-bootstrap';

// The client waits for the server's SETTINGS enabling extended CONNECT (RFC 8441 3).
const settings = encodeSettings([{ id: SETTINGS_ENABLE_CONNECT_PROTOCOL, value: 1 }], 'h2');
const peer = new PeerSettings({ version: 'h2' });
console.log(peer.receivePayload(settings).connectProtocol); // enabled

const options = { version: 'h2', scheme: 'https', authority: 'example.com', path: '/chat', protocols: ['chat'] };
const built = buildRequest(options, peer.state);
console.log(JSON.stringify(built.headers));
// [[":method","CONNECT"],[":protocol","websocket"],[":scheme","https"],[":path","/chat"],[":authority","example.com"],["sec-websocket-version","13"],["sec-websocket-protocol","chat"]]

const request = parseRequest(built.headers, { version: 'h2', connectProtocolEnabled: true });
console.log(request.type, request.authority, request.path, request.protocols.join(' ')); // request example.com /chat chat
const response = acceptRequest(request, { protocol: 'chat' });
console.log(JSON.stringify(response)); // [[":status","200"],["sec-websocket-protocol","chat"]]

const accepted = parseResponse(response, options);
console.log(accepted.type, accepted.protocol); // accepted chat
