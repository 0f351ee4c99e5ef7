#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A DNS responder and client small enough to read, for traffic in tests.

  dns.py serve ADDR              answer every A query on ADDR:53 with 192.0.2.1
  dns.py query SERVER NAME       ask SERVER for NAME's A record; print the
                                 address, exit 1 without an answer in 5 s
"""

import socket
import struct
import sys

ANSWER = bytes([192, 0, 2, 1])


def serve(addr):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((addr, 53))
        while True:
            query, peer = s.recvfrom(512)
            if len(query) < 12:
                continue
            qid, = struct.unpack("!H", query[:2])
            end = 12
            while end < len(query) and query[end]:
                end += 1 + query[end]
            question = query[12:end + 5]
            header = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
            answer = struct.pack("!HHHLH", 0xc00c, 1, 1, 60, 4) + ANSWER
            s.sendto(header + question + answer, peer)


def query(server, name):
    qname = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    packet = struct.pack("!HHHHHH", 0x1d2e, 0x0100, 1, 0, 0, 0) + \
        qname + b"\0" + struct.pack("!HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(packet, (server, 53))
        reply = s.recv(512)
    print(socket.inet_ntoa(reply[-4:]))
    return 0 if reply[-4:] == ANSWER else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"] and len(sys.argv) == 3:
        serve(sys.argv[2])
    elif sys.argv[1:2] == ["query"] and len(sys.argv) == 4:
        sys.exit(query(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
