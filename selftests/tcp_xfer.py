#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""TCP transfer whose bytes are checked end to end.

  tcp_xfer.py serve ADDR PORT       accept one connection, read to EOF, then
                                    send back the SHA-256 of what arrived
  tcp_xfer.py send ADDR PORT BYTES  send BYTES pseudo-random bytes, compare
                                    the server's digest with our own; exit 0
                                    only if they match
"""

import hashlib
import os
import socket
import sys


def serve(addr, port):
    with socket.create_server((addr, port)) as srv:
        conn, _ = srv.accept()
        with conn:
            digest = hashlib.sha256()
            while chunk := conn.recv(65536):
                digest.update(chunk)
            conn.sendall(digest.hexdigest().encode())


def send(addr, port, size):
    data = os.urandom(size)
    with socket.create_connection((addr, port), timeout=60) as conn:
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := conn.recv(128):
            reply += chunk
    ours = hashlib.sha256(data).hexdigest()
    if reply.decode() != ours:
        print(f"sent {size} bytes with sha256 {ours}, "
              f"the server got {reply.decode() or 'nothing'}")
        return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"] and len(sys.argv) == 4:
        serve(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["send"] and len(sys.argv) == 5:
        sys.exit(send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    else:
        sys.exit(__doc__)
