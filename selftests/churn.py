#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Paced, numbered traffic, and dupto's ruleset churned under it.

  churn.py send DEV RATE STOP    send numbered UDP frames on DEV, RATE a
                                 second, until the file STOP exists; prints
                                 how many it sent
  churn.py check PCAP COUNT      the frames h1 sent in PCAP are frames 0 to
                                 COUNT - 1, each once, in order, byte for
                                 byte as sent; prints what differs and
                                 exits 1 if not
  churn.py swap N IMAGE...       load the IMAGEs in turn, N loads in all;
                                 ENOMEM (failslab) is counted, any other
                                 refusal fails
  churn.py dumps STOP IMAGE...   dump the ruleset until STOP exists: each
                                 dump either is flagged inconsistent
                                 (NLM_F_DUMP_INTR: a load came in its
                                 middle) or returns one of the IMAGEs whole

Frame N is a UDP datagram from 10.0.0.1 to 10.0.0.2, port 9, between the
fixed MAC addresses of h1 and h2, 60 to 1514 bytes long, its payload N and
then bytes drawn from a generator seeded with N: the receiver rebuilds
every frame from its number alone. The hosts have no addresses, so nothing
answers.
"""

import errno
import os
import random
import socket
import struct
import sys
import time

import frames
import genl
import ruleset

SRC = bytes.fromhex("020000000001")
DST = bytes.fromhex("020000000002")
ETH_P_IP = 0x0800


def ip_checksum(header):
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def frame(seq):
    rnd = random.Random(seq)
    length = rnd.randrange(60, 1515)
    payload = struct.pack("!I", seq) + rnd.randbytes(length - 14 - 20 - 8 - 4)
    udp = struct.pack("!HHHH", 9, 9, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xffff,
                     0, 64, 17, 0, socket.inet_aton("10.0.0.1"),
                     socket.inet_aton("10.0.0.2"))
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    return DST + SRC + struct.pack("!H", ETH_P_IP) + ip + udp


def send(dev, rate, stop):
    sent = 0
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((dev, 0))
        start = time.monotonic()
        while not os.path.exists(stop):
            due = start + sent / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            s.send(frame(sent))
            sent += 1
    print(sent)


def check(pcap, count):
    # h1's frames alone: the bridge itself may speak IPv4 (an IGMP report
    # once crossed, and read as frame 1)
    got = [f for f in frames.read_pcap(pcap)
           if len(f) >= 14 and f[6:12] == SRC and f[12:14] == b"\x08\x00"]
    seqs = [struct.unpack("!I", f[42:46])[0] if len(f) >= 46 else -1
            for f in got]
    bad = []
    for i, f in enumerate(got):
        if seqs[i] < 0 or seqs[i] >= count:
            bad.append(f"frame {i} of the capture is none that was sent")
        elif f != frame(seqs[i]):
            bad.append(f"frame {seqs[i]} arrived changed")
        elif i and seqs[i] <= seqs[i - 1]:
            bad.append(f"frame {seqs[i]} arrived after frame {seqs[i - 1]}")
    missing = sorted(set(range(count)) - set(seqs))
    if missing:
        bad.append(f"{len(missing)} of {count} frames never arrived, "
                   f"the first {missing[:10]}")
    twice = len(seqs) - len(set(seqs))
    if twice:
        bad.append(f"{twice} frames arrived more than once")
    print(f"{count} sent, {len(got)} arrived")
    for line in bad[:20]:
        print(line)
    return 1 if bad else 0


def read(path):
    with open(path, "rb") as f:
        return f.read()


def swap(n, paths):
    sock = genl.open_netlink()
    fam = genl.family_id(sock)
    images = [ruleset.pieces(read(p)) for p in paths]
    ruleset.sndbuf(sock, 2 * max(len(i) for i in images) + 65536)
    loaded = nomem = 0
    for i in range(n):
        try:
            genl.request(sock, fam, ruleset.DUPTO_CMD_RULESET_SET,
                         images[i % len(images)])
            loaded += 1
        except genl.Error as e:
            if e.err != errno.ENOMEM:
                print(f"load {i + 1} of {n}: {e}")
                return 1
            nomem += 1
    print(f"{n} loads: {loaded} loaded, {nomem} out of memory")
    return 0


def dumps(stop, paths):
    sock = genl.open_netlink()
    fam = genl.family_id(sock)
    images = [read(p) for p in paths]
    whole = intr = nomem = 0
    while not os.path.exists(stop):
        try:
            replies = genl.request(sock, fam, ruleset.DUPTO_CMD_RULESET_GET,
                                   flags=genl.NLM_F_DUMP)
        except genl.Error as e:
            if e.err != errno.ENOMEM:
                print(f"dump {whole + intr + nomem + 1}: {e}")
                return 1
            nomem += 1
            continue
        if genl.request.intr:
            intr += 1
            continue
        got = b"".join(v for r in replies for t, v in genl.attrs(r)
                       if t == ruleset.DUPTO_A_IMAGE)
        if got not in images:
            print(f"dump {whole + intr + 1}: {len(got)} bytes, none of the "
                  f"images loaded, and not flagged inconsistent")
            return 1
        whole += 1
    print(f"{whole + intr + nomem} dumps: {whole} whole, {intr} flagged "
          f"inconsistent, {nomem} out of memory")
    return 0


def main(argv):
    if argv[:1] == ["send"] and len(argv) == 4:
        send(argv[1], float(argv[2]), argv[3])
        return 0
    if argv[:1] == ["check"] and len(argv) == 3:
        return check(argv[1], int(argv[2]))
    if argv[:1] == ["swap"] and len(argv) >= 3:
        return swap(int(argv[1]), argv[2:])
    if argv[:1] == ["dumps"] and len(argv) >= 3:
        return dumps(argv[1], argv[2:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
