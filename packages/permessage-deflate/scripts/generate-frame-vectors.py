#!/usr/bin/env python3
"""Writes test-vectors/permessage-deflate/frames.json: compressed frames as a
Connection with permessage-deflate receives them (setup.operation "receive").

Frames are built here from RFC 6455 5.2 and the payloads of RFC 7692 7.2.3;
the expected events are written by hand from the RFCs, not computed by hybi.
Run: /usr/bin/python3 packages/permessage-deflate/scripts/generate-frame-vectors.py
"""
import json
import pathlib
import zlib

KEY = bytes.fromhex("37fa213d")  # RFC 6455 5.7's masking key, also the client's own key (maskKeyHex)
RSV1 = 0x40

# RFC 7692 7.2.3
HELLO = bytes.fromhex("f248cdc9c90700")  # 7.2.3.1
HELLO_AGAIN = bytes.fromhex("f200110000")  # 7.2.3.2, refers to the first
HELLO_STORED = bytes.fromhex("000500faff48656c6c6f00")  # 7.2.3.3
HELLO_BFINAL = bytes.fromhex("f348cdc9c9070000")  # 7.2.3.4
HELLO_TWO_BLOCKS = bytes.fromhex("f24805000000ffffcac9c90700")  # 7.2.3.5


def frame(opcode, payload=b"", fin=True, rsv=0, masked=False):
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    mask_bit = 0x80 if masked else 0
    n = len(payload)
    if n < 126:
        head += bytes([mask_bit | n])
    elif n < 65536:
        head += bytes([mask_bit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([mask_bit | 127]) + n.to_bytes(8, "big")
    if masked:
        head += KEY
        payload = bytes(b ^ KEY[i % 4] for i, b in enumerate(payload))
    return head + payload


def deflate(data, wbits=15):
    c = zlib.compressobj(6, zlib.DEFLATED, -wbits)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


def h(data):
    return " ".join(f"{b:02x}" for b in data)


def message(text=None, data=None, kind="text"):
    if text is not None:
        return {"type": "message", "kind": kind, "dataText": text}
    return {"type": "message", "kind": kind, "dataHex": h(data)}


def fails(code, role):
    # The Close that fails the connection: a server's unmasked, a client's masked with KEY.
    close = frame(8, code.to_bytes(2, "big"), masked=(role == "client"))
    return [
        {"type": "protocol-error", "code": code},
        {"type": "write", "dataHex": h(close)},
        {"type": "close", "code": 1006, "reason": "", "initiator": "local", "clean": False},
        {"type": "close-transport", "awaitPeer": False},
    ]


def setup(role, **extra):
    out = {"operation": "receive", "role": role}
    if role == "client":
        out["maskKeyHex"] = h(KEY).replace(" ", "")
    out.update(extra)
    return out


def peer(role):
    """Frames as the peer of `role` sends them: a client's are masked."""
    return lambda *args, **kw: frame(*args, masked=(role == "server"), **kw)


def streaming_vector(f):
    """Streaming mode: a compressed frame's output comes out as fragments. How much of it comes out before
    the frame ends depends on the backend (node:zlib inflates a message at its end), so the vector has one
    frame per message: its fragments merge into one, whatever the backend."""
    return {
        "name": "streaming mode hands out the inflated output as fragments",
        "reference": "RFC 7692 section 7.2.2",
        "setup": setup("client", streaming=True),
        "inputHex": h(f(1, HELLO, rsv=RSV1) + f(1, b"", rsv=RSV1)),
        "expect": [
            {"type": "fragment", "kind": "text", "dataText": "Hello", "frameEnd": True, "messageEnd": True},
            {"type": "fragment", "kind": "text", "dataHex": "", "frameEnd": True, "messageEnd": True},
        ],
    }


vectors = []
for role in ("client", "server"):
    f = peer(role)
    by = "to a client (unmasked)" if role == "client" else "to a server (masked)"
    vectors += [
        {
            "name": f'7.2.3.1 "Hello" in one frame with RSV1, {by}',
            "reference": "RFC 7692 section 7.2.3.1",
            "setup": setup(role),
            "inputHex": h(f(1, HELLO, rsv=RSV1)),
            "expect": [message("Hello")],
        },
        {
            "name": f'7.2.3.1 "Hello" in two fragments, RSV1 on the first only, {by}',
            "reference": "RFC 7692 section 7.2.3.1",
            "setup": setup(role),
            "inputHex": h(f(1, HELLO[:3], fin=False, rsv=RSV1) + f(0, HELLO[3:])),
            "expect": [message("Hello")],
        },
        {
            "name": f"RSV1 on a continuation frame fails with 1002, {by}",
            "reference": "RFC 7692 section 6.1",
            "setup": setup(role),
            "inputHex": h(f(1, HELLO[:3], fin=False, rsv=RSV1) + f(0, HELLO[3:], rsv=RSV1)),
            "expect": fails(1002, role),
        },
        {
            "name": f"RSV1 on a Ping fails with 1002, {by}",
            "reference": "RFC 7692 section 6.1",
            "setup": setup(role),
            "inputHex": h(f(9, b"", rsv=RSV1)),
            "expect": fails(1002, role),
        },
        {
            "name": f"RSV1 without permessage-deflate negotiated fails with 1002, {by}",
            "reference": "RFC 6455 section 5.2",
            "setup": setup(role, negotiated=False),
            "inputHex": h(f(1, HELLO, rsv=RSV1)),
            "expect": fails(1002, role),
        },
    ]

f = peer("client")
vectors += [
    {
        "name": "7.2.3.1 fragments with a Ping between them",
        "reference": "RFC 7692 section 7.2.3.1, RFC 6455 section 5.4",
        "setup": setup("client"),
        "inputHex": h(f(1, HELLO[:3], fin=False, rsv=RSV1) + f(9, b"p") + f(0, HELLO[3:])),
        "expect": [{"type": "ping", "dataHex": "70"}, {"type": "write", "dataHex": h(frame(10, b"p", masked=True))}, message("Hello")],
    },
    {
        "name": '7.2.3.2 the second "Hello" refers to the first (context takeover)',
        "reference": "RFC 7692 section 7.2.3.2",
        "setup": setup("client"),
        "inputHex": h(f(1, HELLO, rsv=RSV1) + f(1, HELLO_AGAIN, rsv=RSV1)),
        "expect": [message("Hello"), message("Hello")],
    },
    {
        "name": "7.2.3.2 a receiver without context takeover fails a reference into the previous message with 1007",
        "reference": "RFC 7692 section 7.2.2",
        "setup": setup("client", noContextTakeover=True),
        "inputHex": h(f(1, HELLO, rsv=RSV1) + f(1, HELLO_AGAIN, rsv=RSV1)),
        "expect": [message("Hello")] + fails(1007, "client"),
    },
    {
        "name": '7.2.3.2 without context takeover both "Hello" messages are alike',
        "reference": "RFC 7692 section 7.2.3.2",
        "setup": setup("client", noContextTakeover=True),
        "inputHex": h(f(1, HELLO, rsv=RSV1) + f(1, HELLO, rsv=RSV1)),
        "expect": [message("Hello"), message("Hello")],
    },
    {
        "name": "7.2.3.3 a DEFLATE block with no compression",
        "reference": "RFC 7692 section 7.2.3.3",
        "setup": setup("client"),
        "inputHex": h(f(1, HELLO_STORED, rsv=RSV1)),
        "expect": [message("Hello")],
    },
    {
        "name": "7.2.3.4 a DEFLATE block with BFINAL set, then a message after it",
        "reference": "RFC 7692 section 7.2.3.4",
        "setup": setup("client"),
        "inputHex": h(f(1, HELLO_BFINAL, rsv=RSV1) + f(1, HELLO_AGAIN, rsv=RSV1)),
        "expect": [message("Hello"), message("Hello")],
    },
    {
        "name": "7.2.3.5 two DEFLATE blocks in one message",
        "reference": "RFC 7692 section 7.2.3.5",
        "setup": setup("client"),
        "inputHex": h(f(1, HELLO_TWO_BLOCKS, rsv=RSV1)),
        "expect": [message("Hello")],
    },
    {
        "name": "7.2.3.6 the empty message: the single octet 00, and an RSV1 frame with no payload",
        "reference": "RFC 7692 section 7.2.3.6",
        "setup": setup("client"),
        "inputHex": h(f(1, b"\x00", rsv=RSV1) + f(2, b"", rsv=RSV1)),
        "expect": [message(""), message(data=b"", kind="binary")],
    },
    {
        "name": "a message with RSV1 clear is not compressed and leaves the window alone",
        "reference": "RFC 7692 section 6.1",
        "setup": setup("client"),
        "inputHex": h(f(1, HELLO, rsv=RSV1) + f(1, b"Hello") + f(1, HELLO_AGAIN, rsv=RSV1)),
        "expect": [message("Hello"), message("Hello"), message("Hello")],
    },
    {
        "name": "RSV2 fails with 1002: permessage-deflate claims RSV1 only",
        "reference": "RFC 6455 section 5.2",
        "setup": setup("client"),
        "inputHex": h(f(1, HELLO, rsv=0x20)),
        "expect": fails(1002, "client"),
    },
    {
        "name": "invalid UTF-8 in the inflated text fails with 1007",
        "reference": "RFC 6455 section 8.1",
        "setup": setup("client"),
        "inputHex": h(f(1, deflate(b"Hi\xc3\x28"), rsv=RSV1)),
        "expect": fails(1007, "client"),
    },
    {
        "name": "the same bytes in a binary message are fine",
        "reference": "RFC 6455 section 8.1",
        "setup": setup("client"),
        "inputHex": h(f(2, deflate(b"Hi\xc3\x28"), rsv=RSV1)),
        "expect": [message(data=b"Hi\xc3\x28", kind="binary")],
    },
    {
        "name": "data that is not DEFLATE fails with 1007",
        "reference": "RFC 6455 section 7.4.1",
        "setup": setup("client"),
        "inputHex": h(f(2, bytes.fromhex("ffffff"), rsv=RSV1)),
        "expect": fails(1007, "client"),
    },
    {
        "name": "a message that does not end on a block boundary fails with 1007",
        "reference": "RFC 7692 section 7.2.1",
        "setup": setup("client"),
        "inputHex": h(f(1, HELLO[:4], rsv=RSV1)),
        "expect": fails(1007, "client"),
    },
    {
        "name": "maxMessageSize counts the inflated size: 5 octets of Hello against 4 fail with 1009",
        "reference": "RFC 6455 section 7.4.1",
        "setup": setup("client", maxMessageSize=4),
        "inputHex": h(f(1, HELLO[:3], fin=False, rsv=RSV1) + f(0, HELLO[3:])),
        "expect": fails(1009, "client"),
    },
    {
        "name": "maxMessageSize counts the compressed size: a stored block larger than the limit fails with 1009",
        "reference": "RFC 6455 section 7.4.1",
        "setup": setup("client", maxMessageSize=10),
        "inputHex": h(f(1, HELLO_STORED, rsv=RSV1)),
        "expect": fails(1009, "client"),
    },
    {
        "name": "1 MiB of zeros compressed against a 64 KiB limit fails with 1009",
        "reference": "RFC 6455 section 7.4.1",
        "setup": setup("client", maxMessageSize=65536),
        "inputHex": h(f(2, deflate(bytes(1 << 20)), rsv=RSV1)),
        "chunking": {"splits": [[100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]]},
        "expect": fails(1009, "client"),
    },
    {
        "name": "17 empty blocks with BFINAL set in one message fail with 1008 (maxFinalBlocks, default 16)",
        "reference": "RFC 7692 section 7.2.3.4, RFC 6455 section 7.4.1",
        "setup": setup("client"),
        "inputHex": h(f(2, bytes.fromhex("0300") * 16 + b"\x00", rsv=RSV1) + f(2, bytes.fromhex("0300") * 17 + b"\x00", rsv=RSV1)),
        "expect": [message(data=b"", kind="binary")] + fails(1008, "client"),
    },
    {
        "name": "maxFinalBlocks 1: one empty block with BFINAL set per message, over three frames",
        "reference": "RFC 7692 section 7.2.3.4",
        "setup": setup("client", maxFinalBlocks=1),
        "inputHex": h(f(2, b"\x03", fin=False, rsv=RSV1) + f(0, b"\x00", fin=False) + f(0, b"\x00") + f(2, bytes.fromhex("030003") + b"\x00\x00", rsv=RSV1)),
        "expect": [message(data=b"", kind="binary")] + fails(1008, "client"),
    },
    streaming_vector(f),
    {
        "name": "window bits 8: a message whose distances stay within 256 octets",
        "reference": "RFC 7692 section 7.1.2",
        "setup": setup("client", windowBits=8),
        # zlib compresses raw window 8 as 9; it never emits a distance above 2^9 - 262 = 250.
        "inputHex": h(f(2, deflate(bytes(range(200)) * 3, wbits=9), rsv=RSV1)),
        "expect": [message(data=bytes(range(200)) * 3, kind="binary")],
    },
]

document = {
    "suite": "permessage-deflate",
    "description": "Compressed frames received by a Connection with permessage-deflate: RSV1 rules, the RFC 7692 7.2.3 examples as whole frames, context takeover, UTF-8 after inflating, corrupt data and the message limit",
    "references": ["RFC 7692 sections 6 and 7.2", "RFC 6455 sections 5.2, 7.4.1 and 8.1"],
    "vectors": vectors,
}
out = pathlib.Path(__file__).resolve().parents[3] / "test-vectors" / "permessage-deflate" / "frames.json"
out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
print(f"wrote {len(vectors)} vectors to {out}")
