#!/usr/bin/env python3
"""Records redis-server 7.0's COMMAND INFO and COMMAND DOCS for every command embedis implements.

COMMAND INFO / DOCS must answer exactly what Redis does (redis-cli builds its hints from DOCS), and that
metadata (ACL categories, key specs, argument trees, tips) is Redis's own documentation data. This script copies
it, as raw RESP3 frames, into src/engine/redis-commands.resp; the server transcodes it per client protocol.
Run it after adding a command:  python3 scripts/gen-command-meta.py [redis-server port]
"""
import re, socket, subprocess, sys, time, os, glob

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def our_commands():
    names = set()
    for path in glob.glob(os.path.join(ROOT, "src/cmd/*.rs")):
        text = open(path).read()
        names |= set(re.findall(r'CommandSpec::(?:new|container)\(\s*"([a-z|\-_]+)"', text))
    return sorted(n for n in names if "|" not in n)


def frame_end(buf, i):
    """Index just past the RESP3 frame starting at i."""
    t = buf[i:i + 1]
    nl = buf.index(b"\r\n", i)
    head = buf[i + 1:nl]
    i = nl + 2
    if t in (b"+", b"-", b":", b"_", b",", b"#", b"("):
        return i
    if t in (b"$", b"=", b"!"):
        n = int(head)
        return i if n < 0 else i + n + 2
    if t in (b"*", b"~", b">", b"%", b"|"):
        n = int(head)
        if t in (b"%", b"|"):
            n *= 2
        for _ in range(max(n, 0)):
            i = frame_end(buf, i)
        return i
    raise ValueError(f"unexpected RESP3 type {t!r}")


def request(sock, *args):
    out = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
    sock.sendall(out)
    buf = b""
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise EOFError
        buf += chunk
        try:
            end = frame_end(buf, 0)
            return buf[:end]
        except (ValueError, IndexError):
            continue


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else None
    proc = None
    if port is None:
        port = 16399
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                                stdout=subprocess.DEVNULL)
        time.sleep(0.3)
    try:
        sock = socket.create_connection(("127.0.0.1", port))
        request(sock, b"HELLO", b"3")
        out = bytearray()
        for name in our_commands():
            info = request(sock, b"COMMAND", b"INFO", name.encode())
            # *1\r\n<info or null>
            info = info[info.index(b"\r\n") + 2:]
            if info.startswith(b"_"):
                continue
            docs = request(sock, b"COMMAND", b"DOCS", name.encode())
            # %1\r\n$len\r\nname\r\n<docs>
            docs_start = frame_end(docs, docs.index(b"\r\n") + 2)
            out += b"$%d\r\n%s\r\n" % (len(name), name.encode()) + info + docs[docs_start:]
        path = os.path.join(ROOT, "src/engine/redis-commands.resp")
        open(path, "wb").write(bytes(out))
        print(f"wrote {path}: {len(out)} bytes")
    finally:
        if proc:
            proc.terminate()


if __name__ == "__main__":
    main()
