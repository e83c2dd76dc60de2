#!/usr/bin/python3
"""python3-websockets (Debian's, deflate on by default) as the peer of hybi in
test/deflate-interop/python-websockets.test.ts.

  python_peer.py server CONFIG        echo server on 127.0.0.1, ephemeral port:
                                      prints {"port": N}, serves until stdin closes
  python_peer.py client CONFIG PORT   sends MESSAGES to ws://127.0.0.1:PORT/,
                                      checks every echo, prints a JSON report

CONFIG is JSON: {"default": true} for websockets' own permessage-deflate
settings, else the arguments of its PerMessageDeflateFactory
(server_no_context_takeover, client_no_context_takeover,
server_max_window_bits, client_max_window_bits). The server echoes messages
of 60000 octets or more in 4 fragments (each one compressed and sync-flushed
by websockets).
"""
import asyncio
import json
import random
import sys

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory, ServerPerMessageDeflateFactory

MAX_SIZE = 16 * 1024 * 1024


def json_text(size, seed):
    rng = random.Random(seed)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "ünïcødé", "日本語"]
    parts, length = ["["], 1
    while length < size:
        part = '{"id":%d,"user":"%s.%d","score":%d},' % (rng.randrange(10**9), rng.choice(words), rng.randrange(1000), rng.randrange(10**6))
        parts.append(part)
        length += len(part.encode())
    return "".join(parts).encode()[:size].decode("utf-8", "ignore")


# (name, payload, fragmented)
MESSAGES = [
    ("small text", "Hello", False),
    ("empty text", "", False),
    ("empty binary", b"", False),
    ("json 3000", json_text(3000, 1), False),
    ("noise 3000", random.Random(2).randbytes(3000), False),
    ("text in 5 fragments", [json_text(40000, 3 + i) for i in range(5)], True),
    ("binary in 3 fragments", [json_text(25000, 9 + i).encode() for i in range(3)], True),
    ("json 1 MiB", json_text(1 << 20, 4), False),
    ("json binary 2 MiB", json_text(2 << 20, 5).encode(), False),
    ("noise 1 MiB", random.Random(6).randbytes(1 << 20), False),
]


def factory(kind, config):
    if config.get("default"):
        return None  # websockets' defaults (compression="deflate")
    cls = ServerPerMessageDeflateFactory if kind == "server" else ClientPerMessageDeflateFactory
    return [cls(**config)]


async def serve(config):
    async def echo(ws, path=None):
        async for message in ws:
            if len(message) >= 60000:
                quarter = -(-len(message) // 4)
                await ws.send([message[i : i + quarter] for i in range(0, len(message), quarter)])
            else:
                await ws.send(message)

    async with websockets.serve(echo, "127.0.0.1", 0, max_size=MAX_SIZE, ping_interval=None, extensions=factory("server", config)) as server:
        port = server.sockets[0].getsockname()[1]
        print(json.dumps({"port": port}), flush=True)
        # Serve until the test closes stdin.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def client(config, port):
    report = {"ok": True, "failures": [], "response": None}
    async with websockets.connect(f"ws://127.0.0.1:{port}/", max_size=MAX_SIZE, ping_interval=None, extensions=factory("client", config)) as ws:
        report["response"] = ws.response_headers.get("Sec-WebSocket-Extensions")
        for name, payload, fragmented in MESSAGES:
            await ws.send(payload)
            echo = await ws.recv()
            expected = ("".join(payload) if isinstance(payload[0], str) else b"".join(payload)) if fragmented else payload
            if echo != expected:
                report["ok"] = False
                report["failures"].append(name)
        await ws.close(1000)
        report["closeCode"] = ws.close_code
    report["messages"] = len(MESSAGES)
    print(json.dumps(report), flush=True)


def main():
    role, config = sys.argv[1], json.loads(sys.argv[2])
    if role == "server":
        asyncio.run(serve(config))
    else:
        asyncio.run(client(config, int(sys.argv[3])))


if __name__ == "__main__":
    main()
