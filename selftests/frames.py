#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Test frames: send them on a device, find them in captures.

Every frame is a 64-byte Ethernet frame of the local experimental
EtherType 0x88b5 whose payload starts with a tag and a sequence number, so
a capture can be searched for exactly the frames a test sent.

  frames.py send DEV TAG COUNT   send COUNT tagged frames on DEV (AF_PACKET)
  frames.py hex TAG SEQ          the bytes of frame SEQ, in hex
  frames.py count PCAP TAG       how many frames in PCAP carry TAG
  frames.py first PCAP TAG       the first such frame, in hex
  frames.py same PCAP1 PCAP2 [SNAP]
                                 the two captures hold the same frames, byte
                                 for byte, as many times each (order aside);
                                 prints what differs and exits 1 if not;
                                 with SNAP, PCAP1's frames cut to SNAP bytes
  frames.py total PCAP           how many frames PCAP holds
  frames.py listen DEV TAG [STAMPS [fanout]]
                                 read DEV with a packet socket without a
                                 ring (each frame a recvmsg()) until
                                 SIGINT, then say what came with TAG: e.g.
                                 "40 frames on s2, outgoing, 0 altered";
                                 with STAMPS, write there each such
                                 frame's sequence number and its kernel
                                 timestamp (SO_TIMESTAMPNS), one a line;
                                 with fanout, the socket is the one member
                                 of a PACKET_FANOUT_HASH group, as
                                 Suricata's and Zeek's AF_PACKET readers
"""

import collections
import os
import signal
import socket
import struct
import sys

ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35             # also its control message's type
SOL_PACKET = 263
PACKET_FANOUT = 18
PACKET_FANOUT_HASH = 0
ETH_P_EXPERIMENTAL = 0x88B5
PKTTYPES = {0: "host", 1: "broadcast", 2: "multicast", 3: "otherhost",
            4: "outgoing", 5: "loopback"}
FRAME_LEN = 64


def frame(tag, seq):
    head = bytes.fromhex("020000000002" "020000000001") + \
        struct.pack("!H", ETH_P_EXPERIMENTAL)
    body = tag.encode() + struct.pack("!I", seq)
    return (head + body).ljust(FRAME_LEN, b"\xa5")


def send(dev, tag, count):
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((dev, 0))
        for seq in range(count):
            s.send(frame(tag, seq))


def stamp(ancdata):
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            sec, nsec = struct.unpack("qq", data[:16])
            return sec * 1000000000 + nsec
    return None


def listen(dev, tag, stamps=None, fanout=None):
    stop = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.append(sig))
    got = []
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                       socket.htons(ETH_P_ALL)) as s:
        s.bind((dev, ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        if fanout:
            s.setsockopt(SOL_PACKET, PACKET_FANOUT,
                         (os.getpid() & 0xffff) | PACKET_FANOUT_HASH << 16)
        s.settimeout(0.1)
        print(f"listening on {dev}", file=sys.stderr, flush=True)
        while not stop:
            try:
                data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(16))
            except TimeoutError:
                continue
            got.append((data, addr, stamp(anc)))
    mine = [(data, addr, ns) for data, addr, ns in got if carries(data, tag)]
    names = sorted({addr[0] for _, addr, _ in mine})
    kinds = sorted({PKTTYPES.get(addr[2], str(addr[2])) for _, addr, _ in mine})
    altered = sum(data != frame(tag, seq_of(data, tag)) for data, _, _ in mine)
    if stamps:
        with open(stamps, "w") as f:
            for data, _, ns in mine:
                f.write(f"{seq_of(data, tag)} {ns}\n")
    print(f"{len(mine)} frames on {','.join(names) or '-'}, "
          f"{','.join(kinds) or '-'}, {altered} altered")


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        sys.exit(f"{path}: not a pcap file")
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(order + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def carries(f, tag):
    return f[12:14] == struct.pack("!H", ETH_P_EXPERIMENTAL) and \
        f[14:14 + len(tag)] == tag.encode()


def seq_of(f, tag):
    return struct.unpack("!I", f[14 + len(tag):18 + len(tag)])[0]


def tagged(path, tag):
    return [f for f in read_pcap(path) if carries(f, tag)]


def same(path1, path2, snap=None):
    a = collections.Counter(f[:snap] for f in read_pcap(path1))
    b = collections.Counter(read_pcap(path2))
    if a == b:
        return 0
    # A summary first, then the first few frames of each side: a whole
    # transfer missing would drown the log.
    for this, other, path in ((a, b, path1), (b, a, path2)):
        only = this - other
        if not only:
            continue
        print(f"{sum(only.values())} of {sum(this.values())} frames "
              f"only in {path}")
        for frame, n in list(only.items())[:8]:
            print(f"  ({n}x) {frame[:64].hex()}")
    return 1


def main(argv):
    if argv[:1] == ["send"] and len(argv) == 4:
        send(argv[1], argv[2], int(argv[3]))
    elif argv[:1] == ["hex"] and len(argv) == 3:
        print(frame(argv[1], int(argv[2])).hex())
    elif argv[:1] == ["count"] and len(argv) == 3:
        print(len(tagged(argv[1], argv[2])))
    elif argv[:1] == ["same"] and len(argv) in (3, 4):
        sys.exit(same(argv[1], argv[2], int(argv[3]) if argv[3:] else None))
    elif argv[:1] == ["listen"] and len(argv) in (3, 4, 5) and argv[4:] in ([], ["fanout"]):
        listen(*argv[1:])
    elif argv[:1] == ["total"] and len(argv) == 2:
        print(sum(1 for _ in read_pcap(argv[1])))
    elif argv[:1] == ["first"] and len(argv) == 3:
        found = tagged(argv[1], argv[2])
        print(found[0].hex() if found else "none")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
