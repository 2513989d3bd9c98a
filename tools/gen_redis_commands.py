#!/usr/bin/env python3
"""Writes server/commands/redis_commands.json: what redis-server 7.0 says of its commands.

For every command and subcommand of the redis-server it asks (COMMAND INFO and COMMAND DOCS over
RESP3), by name ("get", "config|get"): its tips, its key specs and its documentation (summary,
since, group, complexity, history, arguments, ...; the subcommands are left out, as Strata lists
its own). Strata compiles the file in (server/commands/redis_docs.h) and replies from it to
COMMAND INFO and COMMAND DOCS, so that the data describing Redis's commands is Redis's own.

The JSON keeps Redis's key order. RESP3 types it cannot tell are implied by the key: "flags" and
"doc_flags" hold a set of simple strings, "history" a set of [version, text] arrays; other
arrays are arrays, strings bulk strings, numbers integers. The script checks that this holds.

Usage: tools/gen_redis_commands.py [--port N]   (default: starts redis-server on a free port)
Run it again after a redis-server upgrade and review the diff.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time

OUT = os.path.join(os.path.dirname(__file__), "..", "server", "commands", "redis_commands.json")


class Resp3:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rb")
        self.call("HELLO", "3")

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.read()

    # A reply as (type, value): type is the RESP3 prefix; maps are lists of (key, value).
    def read(self):
        line = self.file.readline()[:-2]
        kind, rest = chr(line[0]), line[1:].decode()
        if kind in "+-":
            return kind, rest
        if kind == ":":
            return kind, int(rest)
        if kind in "$=":  # "=": a verbatim string, "txt:" first
            text = self.file.read(int(rest) + 2)[:-2].decode()
            return "$", text[4:] if kind == "=" else text
        if kind in "*~":
            return kind, [self.read() for _ in range(int(rest))]
        if kind == "%":
            return kind, [(self.read(), self.read()) for _ in range(int(rest))]
        raise ValueError("unexpected reply type " + kind)


SETS_OF_SIMPLE = ("flags", "doc_flags")


def to_json(value, key):
    """A RESP3 value as JSON, checking that its types are the ones the key implies."""
    kind, v = value
    if kind == "%":
        return {k[1]: to_json(val, k[1]) for k, val in v}
    if kind in "*~":
        if key in SETS_OF_SIMPLE:
            assert kind == "~" and all(e[0] == "+" for e in v), (key, value)
            return [e[1] for e in v]
        assert kind == ("~" if key == "history" else "*"), (key, value)
        return [to_json(e, "") for e in v]
    assert kind in "$:", (key, value)
    return v


def collect(conn):
    out = {}
    docs = dict((k[1], v) for k, v in conn.call("COMMAND", "DOCS")[1])
    infos = conn.call("COMMAND", "INFO")[1]

    def add(info, doc):
        fields = info[1]
        name = fields[0][1]
        tips = fields[7]
        assert tips[0] == "~" and all(t[0] == "$" for t in tips[1]), tips
        specs = fields[8]
        assert specs[0] == "~", specs
        entry = {"tips": [t[1] for t in tips[1]],
                 "key_specs": [to_json(s, "") for s in specs[1]]}
        d = dict((k[1], v) for k, v in doc[1])
        entry["docs"] = {k: to_json(v, k) for k, v in d.items() if k != "subcommands"}
        out[name] = entry
        subdocs = dict((k[1], v) for k, v in d.get("subcommands", ("%", []))[1])
        for sub in fields[9][1]:
            add(sub, subdocs[sub[1][0][1]])

    for info in infos:
        add(info, docs[info[1][0][1]])
    return dict(sorted(out.items()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, help="ask the redis-server already on this port")
    args = parser.parse_args()
    server = None
    port = args.port
    if port is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "",
                                   "--appendonly", "no"], stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
    try:
        conn = Resp3(port)
        version = next(line for line in conn.call("INFO", "server")[1].splitlines()
                       if line.startswith("redis_version:"))
        data = {"_source": "redis-server " + version.split(":")[1], **collect(conn)}
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    with open(OUT, "w") as f:
        # One command a line: a diff after an upgrade shows which commands changed.
        f.write("{\n")
        items = list(data.items())
        for i, (name, entry) in enumerate(items):
            f.write(json.dumps(name) + ": " + json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
            f.write(",\n" if i + 1 < len(items) else "\n")
        f.write("}\n")
    print(f"wrote {len(data) - 1} commands to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
