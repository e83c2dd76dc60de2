"""RFC 8441 server (h2 + wsproto) for the echo client's --h2 mode, over h2c.
Prints "listening PORT", serves one WebSocket: sends messages, checks the
echoes, closes with 4003; exits 0 when every check passed."""
import os
import socket

from h2ws import CloseConnection, H2WebSocket, check, describe, exchange, h2

listener = socket.create_server(("127.0.0.1", 0))
print(f"listening {listener.getsockname()[1]}", flush=True)
connection, _ = listener.accept()
peer = H2WebSocket(connection, client=False)

peer.wait_for(lambda: any(isinstance(event, h2.events.RequestReceived) for event in peer.events))
request = next(event for event in peer.events if isinstance(event, h2.events.RequestReceived))
headers = dict(request.headers)
check(headers.get(":method") == "CONNECT" and headers.get(":protocol") == "websocket", f"not an extended CONNECT: {headers}")
check(headers.get(":scheme") == "http" and headers.get("sec-websocket-version") == "13", f"bad request: {headers}")
check("sec-websocket-key" not in headers and "upgrade" not in headers, f"HTTP/1.1 fields in an RFC 8441 request: {headers}")
print(f"OK extended CONNECT {headers[':path']}", flush=True)
peer.h2.send_headers(request.stream_id, [(":status", "200")])
peer.flush()

peer.open(request.stream_id)
exchange(peer, [
    ("text", "hello from h2, ünïcödé"),
    ("binary", bytes([255, 0])),
    ("binary", [b"\x01", b"\x02", b"\x03"]),
    ("text", "x" * (1 << 20)),
])
print("OK text, binary, fragmented and 1 MiB messages echoed with their type", flush=True)

peer.send(CloseConnection(code=4003, reason="bye"))
event = peer.next_event()
check(isinstance(event, CloseConnection) and event.code == 4003, f"expected the close echo, got {describe(event)}")
peer.wait_for(lambda: peer.stream_ended)  # the client ends its half (END_STREAM)
peer.end_stream()
print("OK close 4003 echoed, both halves of the stream ended", flush=True)
peer.h2.close_connection()
peer.flush()
connection.close()
