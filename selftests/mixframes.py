#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Frames of every shape a classifier must survive, sent for a while.

  mixframes.py DEV SECONDS

Ethernet frames, untagged, 802.1Q-tagged and QinQ-tagged, carrying ARP,
IPv4 (TCP, UDP, ICMP, a later fragment, options), IPv6 (TCP, UDP, ICMPv6,
and chains of hop-by-hop, routing, fragment and destination options
headers), each whole and cut short at every length from 14 bytes on,
sent round after round on DEV (AF_PACKET) until SECONDS have passed.
Prints "sent N".
"""

import socket
import struct
import sys
import time

SRC = bytes.fromhex("020000000001")
DST = bytes.fromhex("020000000002")


def ipv4(proto, payload, frag=0, options=b""):
    ihl = 5 + len(options) // 4
    return struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 4 * ihl + len(payload),
                       1, frag, 64, proto, 0, bytes([10, 0, 0, 1]),
                       bytes([10, 0, 0, 2])) + options + payload


def ipv6(nxt, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nxt, 64,
                       bytes(15) + b"\1", bytes(15) + b"\2") + payload


def ext(nxt, body=b"\0" * 6):
    """an IPv6 extension header of the options kind"""
    return struct.pack("!BB", nxt, (len(body) + 2) // 8 - 1) + body


TCP = struct.pack("!HHIIBBHHH", 1234, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
UDP = struct.pack("!HHHH", 1234, 53, 12, 0) + b"dupt"
ICMP = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"ping"
ICMP6 = struct.pack("!BBHHH", 128, 0, 0, 1, 1) + b"ping"
ARP = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, SRC, bytes([10, 0, 0, 1]),
                  bytes(6), bytes([10, 0, 0, 2]))

L3 = [
    (0x0806, ARP),
    (0x0800, ipv4(6, TCP)),
    (0x0800, ipv4(17, UDP)),
    (0x0800, ipv4(1, ICMP)),
    (0x0800, ipv4(17, UDP, frag=0x2001)),		# a later fragment
    (0x0800, ipv4(6, TCP, options=b"\x01\x01\x01\x00")),
    (0x86DD, ipv6(6, TCP)),
    (0x86DD, ipv6(17, UDP)),
    (0x86DD, ipv6(58, ICMP6)),
    (0x86DD, ipv6(0, ext(43, b"\0" * 6) + struct.pack("!BBBB4x", 44, 0, 0, 0) +
                  struct.pack("!BBHI", 60, 0, 0, 1) + ext(17) + UDP)),
    (0x86DD, ipv6(0, ext(60) + ext(60) + ext(60) + ext(6) + TCP)),
    (0x86DD, ipv6(44, struct.pack("!BBHI", 6, 0, 8, 1) + TCP)),	# a later fragment
]
TAGS = [b"", struct.pack("!HH", 0x8100, 10),
        struct.pack("!HHHH", 0x88A8, 100, 0x8100, 10)]


def frames():
    for tags in TAGS:
        for ethertype, body in L3:
            whole = DST + SRC + tags + struct.pack("!H", ethertype) + body
            for n in range(14, len(whole) + 1):
                yield whole[:n]


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    dev, seconds = argv[0], float(argv[1])
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((dev, 0))
    every = list(frames())
    sent = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for f in every:
            try:
                sock.send(f)
                sent += 1
            except OSError:
                pass		# a full queue; the round goes on
        time.sleep(0.01)
    print(f"sent {sent}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
