#!/usr/bin/env python3
"""The client side of tcp.sh: sends FILE over one loopback connection to PORT and
waits until OUT holds WANT bytes; prints the seconds from connecting until then.

One process does both, with `sendfile` (no copy through user space) and a `stat`
every 2 ms: on a small machine a `cat` plus a `stat` process every poll would take
CPU from the run being measured, which the file path's run does not pay.
"""
import os
import socket
import sys
import time


def main():
    port, path, out, want = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    limit = float(sys.argv[5]) if len(sys.argv) > 5 else 300.0
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as sock, open(path, "rb") as f:
        sock.sendfile(f)
    while True:
        try:
            if os.stat(out).st_size >= want:
                break
        except FileNotFoundError:
            pass
        if time.monotonic() - start > limit:
            sys.exit(f"timed out: {out} never held {want} bytes")
        time.sleep(0.002)
    print(f"{time.monotonic() - start:.4f}")


if __name__ == "__main__":
    main()
