"""RFC 8441 client (h2 + wsproto) against the echo server over h2c.
usage: h2_ws_client.py HOST PORT PATH; prints OK lines, exits 0 when every check passed."""
import os
import socket
import sys

from h2ws import ENABLE_CONNECT_PROTOCOL, CloseConnection, H2WebSocket, Pong, check, describe, exchange, h2
from wsproto.events import Ping

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
peer = H2WebSocket(socket.create_connection((host, port)), client=True)

# RFC 8441 3: the client may use extended CONNECT once the server's SETTINGS say so.
peer.wait_for(lambda: peer.remote_settings is not None)
check(peer.remote_settings.get(ENABLE_CONNECT_PROTOCOL) == 1, f"no SETTINGS_ENABLE_CONNECT_PROTOCOL in {peer.remote_settings}")
print("OK server sent SETTINGS_ENABLE_CONNECT_PROTOCOL = 1", flush=True)

stream_id = peer.h2.get_next_available_stream_id()
peer.h2.send_headers(stream_id, [
    (":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"), (":path", path),
    (":authority", f"{host}:{port}"), ("sec-websocket-version", "13"), ("sec-websocket-protocol", "chat"),
])
peer.flush()
peer.wait_for(lambda: any(isinstance(event, h2.events.ResponseReceived) for event in peer.events))
response = dict(next(event for event in peer.events if isinstance(event, h2.events.ResponseReceived)).headers)
check(response.get(":status") == "200", f"status {response.get(':status')}")
check(response.get("sec-websocket-protocol") == "chat", f"subprotocol {response.get('sec-websocket-protocol')}")
print("OK 200 with sec-websocket-protocol: chat", flush=True)

peer.open(stream_id)
exchange(peer, [
    ("text", "hello over h2, ünïcödé"),
    ("binary", bytes([0, 1, 254, 255])),
    ("text", ["frag", "men", "ted"]),
    ("binary", os.urandom(1 << 20)),
])
print("OK text, binary, fragmented and 1 MiB messages echoed with their type", flush=True)

peer.send(Ping(payload=b"are you there"))
event = peer.next_event()
check(isinstance(event, Pong) and event.payload == b"are you there", f"expected a pong, got {describe(event)}")
print("OK ping answered", flush=True)

peer.send(CloseConnection(code=4000, reason="done"))
event = peer.next_event()
check(isinstance(event, CloseConnection) and event.code == 4000, f"expected the close echo, got {describe(event)}")
peer.end_stream()
peer.wait_for(lambda: peer.stream_ended)  # RFC 8441 5: the server ends its half with END_STREAM
print("OK close 4000 echoed, both halves of the stream ended", flush=True)
peer.h2.close_connection()
peer.flush()
