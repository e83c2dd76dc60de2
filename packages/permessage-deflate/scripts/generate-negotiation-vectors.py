# Regenerates test-vectors/permessage-deflate/negotiation-*.json: python3 scripts/generate-negotiation-vectors.py
# The expected results are written out by hand below, from RFC 7692 section 7.1.
import json, os
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'test-vectors', 'permessage-deflate')
H = lambda *vals: [["sec-websocket-extensions", v] for v in vals]
def d(cw, cn, dw, dn): return {"compress": {"windowBits": cw, "noContextTakeover": cn}, "decompress": {"windowBits": dw, "noContextTakeover": dn}}
def acc(i, resp, dirs): return [dict({"type": "accepted", "offerIndex": i, "response": resp}, **dirs)]
def dec(*reasons): return [{"type": "declined", "reasons": [{"offerIndex": i, "problem": p, "parameter": par} for (i, p, par) in reasons]}]
S = "RFC 7692 section 7"
server = []
def sv(name, ref, headers, expect, options=None, backend=None, description=None):
    setup = {"operation": "server"}
    if options: setup["options"] = options
    if backend: setup["compressWindowBits"] = backend
    v = {"name": name, "reference": ref}
    if description: v["description"] = description
    v.update({"setup": setup, "inputHeaders": headers, "expect": expect})
    server.append(v)

sv("browser offer, default server", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits"),
   acc(0, "permessage-deflate", d(15, False, 15, False)),
   description="Chromium and Firefox offer exactly this. A server limited to 15 bits says nothing back.")
sv("plain offer, default server", "RFC 7692 section 7", H("permessage-deflate"), acc(0, "permessage-deflate", d(15, False, 15, False)))
sv("server limits the client's window when offered client_max_window_bits", "RFC 7692 section 7.1.2.2",
   H("permessage-deflate; client_max_window_bits"), acc(0, "permessage-deflate; client_max_window_bits=10", d(15, False, 10, False)),
   options={"clientMaxWindowBits": 10})
sv("server declines an offer without client_max_window_bits when it must limit the client's window", "RFC 7692 section 7.1.2.2",
   H("permessage-deflate"), dec((0, "unsupported", "client_max_window_bits")), options={"clientMaxWindowBits": 10},
   description="The response MUST NOT include client_max_window_bits unless offered, so the inflate window could not be bounded below 32 KiB.")
sv("server announces its own smaller window without being asked", "RFC 7692 section 7.1.2.1",
   H("permessage-deflate; client_max_window_bits"), acc(0, "permessage-deflate; server_max_window_bits=12", d(12, False, 15, False)),
   options={"serverMaxWindowBits": 12})
sv("offered server_max_window_bits is echoed", "RFC 7692 section 7.1.2.1", H("permessage-deflate; server_max_window_bits=10"),
   acc(0, "permessage-deflate; server_max_window_bits=10", d(10, False, 15, False)))
sv("offered server_max_window_bits above the server's limit is answered with the smaller value", "RFC 7692 section 7.1.2.1",
   H("permessage-deflate; server_max_window_bits=14"), acc(0, "permessage-deflate; server_max_window_bits=11", d(11, False, 15, False)),
   options={"serverMaxWindowBits": 11})
sv("offered server_max_window_bits below the server's limit wins", "RFC 7692 section 7.1.2.1",
   H("permessage-deflate; server_max_window_bits=9"), acc(0, "permessage-deflate; server_max_window_bits=9", d(9, False, 15, False)),
   options={"serverMaxWindowBits": 11})
sv("server_max_window_bits=8 accepted by a zlib-style backend", "RFC 7692 section 7.1.2.1",
   H("permessage-deflate; server_max_window_bits=8"), acc(0, "permessage-deflate; server_max_window_bits=8", d(8, False, 15, False)),
   description="zlib compresses with a 9-bit window whose distances never exceed 250, within the 256 octets agreed.")
sv("server_max_window_bits=8 declined by a backend that cannot compress within 8 bits", "RFC 7692 section 7.1.2.1",
   H("permessage-deflate; server_max_window_bits=8"), dec((0, "unsupported", "server_max_window_bits")), backend={"min": 9, "max": 15})
sv("backend capability: the next offer in preference order is accepted", "RFC 7692 section 5",
   H("permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=9"),
   acc(1, "permessage-deflate; server_max_window_bits=9", d(9, False, 15, False)), backend={"min": 9, "max": 15})
sv("backend with a fixed 15-bit window declines any smaller server_max_window_bits", "RFC 7692 section 7.1.2.1",
   H("permessage-deflate; server_max_window_bits=14"), dec((0, "unsupported", "server_max_window_bits")), backend={"min": 15, "max": 15})
sv("backend with a largest window below 15 announces it", "RFC 7692 section 7.1.2.1",
   H("permessage-deflate"), acc(0, "permessage-deflate; server_max_window_bits=12", d(12, False, 15, False)), backend={"min": 9, "max": 12})
sv("server_no_context_takeover offered is accepted", "RFC 7692 section 7.1.1.1", H("permessage-deflate; server_no_context_takeover"),
   acc(0, "permessage-deflate; server_no_context_takeover", d(15, True, 15, False)))
sv("server resets its own compressor without being asked", "RFC 7692 section 7.1.1.1", H("permessage-deflate"),
   acc(0, "permessage-deflate; server_no_context_takeover", d(15, True, 15, False)), options={"serverNoContextTakeover": True})
sv("client_no_context_takeover hint is taken up", "RFC 7692 section 7.1.1.2", H("permessage-deflate; client_no_context_takeover"),
   acc(0, "permessage-deflate; client_no_context_takeover", d(15, False, 15, True)),
   description="libwebsockets' client offers this; the server confirms it and may forget its inflate window between messages.")
sv("server imposes client_no_context_takeover", "RFC 7692 section 7.1.1.2", H("permessage-deflate; client_max_window_bits"),
   acc(0, "permessage-deflate; client_no_context_takeover", d(15, False, 15, True)), options={"clientNoContextTakeover": True})
sv("client_max_window_bits value in the offer is used", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits=10"),
   acc(0, "permessage-deflate; client_max_window_bits=10", d(15, False, 10, False)))
sv("client_max_window_bits=15 offered needs no answer", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits=15"),
   acc(0, "permessage-deflate", d(15, False, 15, False)))
sv("client_max_window_bits: the smaller of offer and server limit", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits=12"),
   acc(0, "permessage-deflate; client_max_window_bits=9", d(15, False, 9, False)), options={"clientMaxWindowBits": 9})
sv("client_max_window_bits=8 offered", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits=8"),
   acc(0, "permessage-deflate; client_max_window_bits=8", d(15, False, 8, False)))
sv("all four parameters", "RFC 7692 section 7.1",
   H("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9"),
   acc(0, "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9", d(10, True, 9, True)))
sv("quoted-string values are unquoted", "RFC 6455 section 9.1", H('permessage-deflate; server_max_window_bits="10"; client_max_window_bits="11"'),
   acc(0, "permessage-deflate; server_max_window_bits=10; client_max_window_bits=11", d(10, False, 11, False)))
sv("parameters in any order", "RFC 7692 section 7.1", H("permessage-deflate; client_max_window_bits; server_max_window_bits=12; server_no_context_takeover"),
   acc(0, "permessage-deflate; server_no_context_takeover; server_max_window_bits=12", d(12, True, 15, False)))
# declines
sv("duplicate server_no_context_takeover", S, H("permessage-deflate; server_no_context_takeover; server_no_context_takeover"), dec((0, "duplicate-parameter", "server_no_context_takeover")))
sv("duplicate client_no_context_takeover", S, H("permessage-deflate; client_no_context_takeover; client_no_context_takeover"), dec((0, "duplicate-parameter", "client_no_context_takeover")))
sv("duplicate server_max_window_bits with equal values", S, H("permessage-deflate; server_max_window_bits=10; server_max_window_bits=10"), dec((0, "duplicate-parameter", "server_max_window_bits")))
sv("duplicate client_max_window_bits, with and without value", S, H("permessage-deflate; client_max_window_bits; client_max_window_bits=10"), dec((0, "duplicate-parameter", "client_max_window_bits")))
sv("unknown parameter", S, H("permessage-deflate; x_max_window_bits=10"), dec((0, "unknown-parameter", "x_max_window_bits")))
sv("parameter names are matched exactly", S, H("permessage-deflate; Server_No_Context_Takeover"), dec((0, "unknown-parameter", "Server_No_Context_Takeover")))
sv("server_max_window_bits without a value", "RFC 7692 section 7.1.2.1", H("permessage-deflate; server_max_window_bits"), dec((0, "invalid-value", "server_max_window_bits")))
for bad in ["7", "16", "0", "08", "010", "1e1", "abc", "-9"]:
    sv(f"server_max_window_bits={bad} is invalid", "RFC 7692 section 7.1.2.1", H(f"permessage-deflate; server_max_window_bits={bad}"), dec((0, "invalid-value", "server_max_window_bits")))
for bad in ["7", "16", "09", "15.0"]:
    sv(f"client_max_window_bits={bad} is invalid", "RFC 7692 section 7.1.2.2", H(f"permessage-deflate; client_max_window_bits={bad}"), dec((0, "invalid-value", "client_max_window_bits")))
sv("server_no_context_takeover with a value", "RFC 7692 section 7.1.1.1", H("permessage-deflate; server_no_context_takeover=1"), dec((0, "invalid-value", "server_no_context_takeover")))
sv("client_no_context_takeover with a value", "RFC 7692 section 7.1.1.2", H('permessage-deflate; client_no_context_takeover="true"'), dec((0, "invalid-value", "client_no_context_takeover")))
sv("first offer invalid, second accepted", "RFC 7692 section 5", H("permessage-deflate; server_max_window_bits=16, permessage-deflate"),
   acc(1, "permessage-deflate", d(15, False, 15, False)))
sv("offers over two header lines", "RFC 7692 section 5", H("permessage-deflate; client_max_window_bits=16", "permessage-deflate; client_max_window_bits=12"),
   acc(1, "permessage-deflate; client_max_window_bits=12", d(15, False, 12, False)))
sv("other extensions are skipped", "RFC 7692 section 5", H("x-webkit-deflate-frame, permessage-deflate; server_no_context_takeover"),
   acc(1, "permessage-deflate; server_no_context_takeover", d(15, True, 15, False)))
sv("every offer invalid", S, H("permessage-deflate; a, permessage-deflate; server_max_window_bits=99"),
   dec((0, "unknown-parameter", "a"), (1, "invalid-value", "server_max_window_bits")))
sv("no permessage-deflate offer", S, H("x-webkit-deflate-frame"), dec())
sv("no Sec-WebSocket-Extensions at all", S, [], dec())

client = []
def cv(name, ref, headers, expect_offer, result, options=None, backend=None, description=None):
    setup = {"operation": "client"}
    if options: setup["options"] = options
    if backend: setup["compressWindowBits"] = backend
    v = {"name": name, "reference": ref}
    if description: v["description"] = description
    v.update({"setup": setup, "inputHeaders": headers, "expect": [{"type": "offer", "offer": expect_offer}, result]})
    client.append(v)
def cacc(dirs): return dict({"type": "accepted"}, **dirs)
def cfail(p, par): return {"type": "fail", "problem": p, "parameter": par}
B = "permessage-deflate; client_max_window_bits"
cv("default offer, plain acceptance", "RFC 7692 section 7", H("permessage-deflate"), B, cacc(d(15, False, 15, False)),
   description="The default offer is the one browsers and ws send.")
cv("server limits the client's window", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits=10"), B, cacc(d(10, False, 15, False)))
cv("server limits the client's window to 8", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits=8"), B, cacc(d(8, False, 15, False)))
cv("server announces its window unasked", "RFC 7692 section 7.1.2.1", H("permessage-deflate; server_max_window_bits=10"), B, cacc(d(15, False, 10, False)))
cv("server resets its compressor unasked", "RFC 7692 section 7.1.1.1", H("permessage-deflate; server_no_context_takeover"), B, cacc(d(15, False, 15, True)))
cv("server requires client_no_context_takeover", "RFC 7692 section 7.1.1.2", H("permessage-deflate; client_no_context_takeover"), B, cacc(d(15, True, 15, False)))
cv("all four parameters in the response", "RFC 7692 section 7.1",
   H("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=11"), B, cacc(d(11, True, 9, True)))
cv("server declines: no element in the response", "RFC 7692 section 7", [], B, {"type": "declined"})
cv("response with only other extensions", "RFC 7692 section 7", H("x-other"), B, {"type": "declined"})
cv("other extensions in the response are left to the handshake", "RFC 7692 section 7", H("x-other, permessage-deflate"), B, cacc(d(15, False, 15, False)))
cv("unknown parameter in the response", S, H("permessage-deflate; foo"), B, cfail("unknown-parameter", "foo"))
cv("duplicate parameter in the response", S, H("permessage-deflate; server_max_window_bits=10; server_max_window_bits=10"), B, cfail("duplicate-parameter", "server_max_window_bits"))
cv("client_max_window_bits without a value in a response", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits"), B, cfail("invalid-value", "client_max_window_bits"))
cv("client_max_window_bits=16 in a response", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits=16"), B, cfail("invalid-value", "client_max_window_bits"))
cv("server_max_window_bits=07 in a response", "RFC 7692 section 7.1.2.1", H("permessage-deflate; server_max_window_bits=07"), B, cfail("invalid-value", "server_max_window_bits"))
cv("server_max_window_bits without a value in a response", "RFC 7692 section 7.1.2.1", H("permessage-deflate; server_max_window_bits"), B, cfail("invalid-value", "server_max_window_bits"))
cv("server_no_context_takeover with a value in a response", "RFC 7692 section 7.1.1.1", H("permessage-deflate; server_no_context_takeover=yes"), B, cfail("invalid-value", "server_no_context_takeover"))
cv("two permessage-deflate elements for one offer", "RFC 7692 section 7", H("permessage-deflate", "permessage-deflate"), B, cfail("multiple-responses", None))
cv("client_max_window_bits in a response to an offer without it", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits=9"),
   "permessage-deflate", cfail("not-offered", "client_max_window_bits"), backend={"min": 9, "max": 15},
   description="A backend that cannot compress within every window from 8 up does not offer client_max_window_bits, so the server must not answer it.")
cv("backend that cannot go below 9 still negotiates without client_max_window_bits", "RFC 7692 section 7.1.2.2", H("permessage-deflate"),
   "permessage-deflate", cacc(d(15, False, 15, False)), backend={"min": 9, "max": 15})
cv("client_no_context_takeover hint is kept even if not answered", "RFC 7692 section 7.1.1.2", H("permessage-deflate"),
   "permessage-deflate; client_no_context_takeover; client_max_window_bits", cacc(d(15, True, 15, False)), options={"clientNoContextTakeover": True})
cv("server_no_context_takeover requested and accepted", "RFC 7692 section 7.1.1.1", H("permessage-deflate; server_no_context_takeover"),
   "permessage-deflate; server_no_context_takeover; client_max_window_bits", cacc(d(15, False, 15, True)), options={"serverNoContextTakeover": True})
cv("server_no_context_takeover requested and not accepted", "RFC 7692 section 7.1.1.1", H("permessage-deflate"),
   "permessage-deflate; server_no_context_takeover; client_max_window_bits", cfail("not-accepted", "server_no_context_takeover"), options={"serverNoContextTakeover": True})
O = "permessage-deflate; server_max_window_bits=10; client_max_window_bits"
cv("server_max_window_bits requested and echoed", "RFC 7692 section 7.1.2.1", H("permessage-deflate; server_max_window_bits=10"), O, cacc(d(15, False, 10, False)), options={"serverMaxWindowBits": 10})
cv("server_max_window_bits requested, smaller answered", "RFC 7692 section 7.1.2.1", H("permessage-deflate; server_max_window_bits=8"), O, cacc(d(15, False, 8, False)), options={"serverMaxWindowBits": 10})
cv("server_max_window_bits requested, larger answered", "RFC 7692 section 7.1.2.1", H("permessage-deflate; server_max_window_bits=11"), O, cfail("not-accepted", "server_max_window_bits"), options={"serverMaxWindowBits": 10})
cv("server_max_window_bits requested, not answered", "RFC 7692 section 7.1.2.1", H("permessage-deflate"), O, cfail("not-accepted", "server_max_window_bits"), options={"serverMaxWindowBits": 10})
C = "permessage-deflate; client_max_window_bits=12"
cv("client_max_window_bits offered with a value, not answered: the client keeps to it", "RFC 7692 section 7.1.2.2", H("permessage-deflate"), C, cacc(d(12, False, 15, False)), options={"clientMaxWindowBits": 12})
cv("client_max_window_bits offered with a value, smaller answered", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits=9"), C, cacc(d(9, False, 15, False)), options={"clientMaxWindowBits": 12})
cv("client_max_window_bits offered with a value, larger answered: the client still keeps to its own", "RFC 7692 section 7.1.2.2", H("permessage-deflate; client_max_window_bits=14"), C, cacc(d(12, False, 15, False)), options={"clientMaxWindowBits": 12},
   description="The offer's value is a promise not to use a larger window; an answer above it does not release the client from it.")
cv("offer with every parameter", "RFC 7692 section 7.1", H("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=9"),
   "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10", cacc(d(9, True, 9, True)),
   options={"serverNoContextTakeover": True, "clientNoContextTakeover": True, "serverMaxWindowBits": 9, "clientMaxWindowBits": 10})

def write(name, desc, refs, vectors):
    doc = {"suite": "permessage-deflate", "description": desc, "references": refs, "vectors": vectors}
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False); f.write("\n")
write("negotiation-server.json", "Server-side negotiation of permessage-deflate: offers in, response element and agreed parameters or declines out (RFC 7692 sections 5 and 7.1)", ["RFC 7692 section 5", "RFC 7692 section 7.1"], server)
write("negotiation-client.json", "Client-side negotiation of permessage-deflate: the offer built from options, then the server's response checked against it (RFC 7692 section 7.1)", ["RFC 7692 section 7.1"], client)
print(len(server), len(client))
