"""One WebSocket over one HTTP/2 stream (RFC 8441), with python-hyper's h2
for HTTP/2 and wsproto for the frames. Shared by h2_ws_client.py and
h2_ws_server.py, the independent RFC 8441 peers of the interop tests."""
import sys

import h2.config
import h2.connection
import h2.events
from h2.settings import SettingCodes, Settings
from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Message, Pong, TextMessage

ENABLE_CONNECT_PROTOCOL = SettingCodes.ENABLE_CONNECT_PROTOCOL


def fail(message):
    print(f"FAIL {message}", flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class H2WebSocket:
    def __init__(self, sock, client):
        sock.settimeout(20)
        self.sock = sock
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=client, header_encoding="utf-8"))
        if not client:
            # In the first SETTINGS frame: clients decide on the first one they get.
            self.h2.local_settings = Settings(client=False, initial_values={ENABLE_CONNECT_PROTOCOL: 1})
        self.h2.initiate_connection()
        self.flush()
        self.client = client
        self.ws = None
        self.stream_id = None
        self.events = []  # h2 events other than DATA
        self.ws_events = []
        self.stream_ended = False
        self.remote_settings = None

    def flush(self):
        data = self.h2.data_to_send()
        if data:
            self.sock.sendall(data)

    def pump(self):
        data = self.sock.recv(1 << 20)
        if not data:
            fail("connection closed by the peer")
        for event in self.h2.receive_data(data):
            if isinstance(event, h2.events.DataReceived):
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                self.ws.receive_data(event.data)
                self.ws_events.extend(self.ws.events())
            elif isinstance(event, h2.events.StreamEnded):
                self.stream_ended = True
            elif isinstance(event, h2.events.StreamReset):
                fail(f"stream reset with error code {event.error_code}")
            elif isinstance(event, h2.events.RemoteSettingsChanged) and self.remote_settings is None:
                self.remote_settings = {int(key): value.new_value for key, value in event.changed_settings.items()}
            else:
                self.events.append(event)
        self.flush()

    def wait_for(self, predicate):
        while not predicate():
            self.pump()

    def open(self, stream_id):
        self.stream_id = stream_id
        self.ws = Connection(ConnectionType.CLIENT if self.client else ConnectionType.SERVER)

    def send(self, event):
        """Sends a wsproto event on the stream, within HTTP/2 flow control."""
        data = self.ws.send(event)
        while data:
            size = min(len(data), self.h2.local_flow_control_window(self.stream_id), self.h2.max_outbound_frame_size)
            if size == 0:
                self.pump()  # wait for WINDOW_UPDATE
                continue
            self.h2.send_data(self.stream_id, data[:size])
            data = data[size:]
            self.flush()

    def end_stream(self):
        self.h2.end_stream(self.stream_id)
        self.flush()

    def next_event(self):
        """The next message (as ("text" | "binary", data), reassembled), Pong or CloseConnection."""
        parts = []
        while True:
            self.wait_for(lambda: self.ws_events)
            event = self.ws_events.pop(0)
            if isinstance(event, Message):
                parts.append(event.data)
                if event.message_finished:
                    if isinstance(event, TextMessage):
                        return ("text", "".join(parts))
                    return ("binary", b"".join(parts))
            else:
                return event


def exchange(peer, sent):
    """Sends `sent` ((kind, data) pairs; data a list means fragments) and checks the echoes."""
    for kind, data in sent:
        message = TextMessage if kind == "text" else BytesMessage
        pieces = data if isinstance(data, list) else [data]
        for index, piece in enumerate(pieces):
            peer.send(message(data=piece, message_finished=index == len(pieces) - 1))
    for kind, data in sent:
        expected = (kind, "".join(data) if kind == "text" else b"".join(data)) if isinstance(data, list) else (kind, data)
        echo = peer.next_event()
        check(echo == expected, f"expected the echo of a {kind} message of {len(expected[1])} units, got {describe(echo)}")


def describe(event):
    if isinstance(event, tuple):
        return f"{event[0]} message of {len(event[1])} units"
    if isinstance(event, CloseConnection):
        return f"close {event.code} {event.reason!r}"
    return repr(event)


__all__ = ["BytesMessage", "CloseConnection", "ENABLE_CONNECT_PROTOCOL", "H2WebSocket", "Pong", "TextMessage", "check", "describe", "exchange", "fail", "h2"]
