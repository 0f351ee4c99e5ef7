#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Many flows, both directions, and where each one landed.

Flow i (0 <= i < COUNT) is UDP between A = 10.1.(i // 200).(i % 200 + 1),
port 10000 + i, and B = 10.2.0.(i % 50 + 1), port 53, 80 or 443. Frames
are built by hand (no scapy: it takes seconds to import in an emulated
guest) and sent with AF_PACKET, so nothing needs addresses configured.

  flows.py send DEV fwd|rev COUNT [vlan VID] [every K] [size N]
        one frame per flow, A to B (fwd) or B to A (rev); with vlan, every
        K-th flow's frame (K = 1 by default) carries an 802.1Q tag; with
        size, frames are N bytes long (without the tag) at least
  flows.py frags DEV fwd|rev COUNT
        per flow, fwd: a UDP datagram in three IPv4 fragments (only the
        first has the ports); rev: one unfragmented datagram
  flows.py burst DEV COUNT SIZE [FLOWS]
        COUNT frames of SIZE bytes over FLOWS flows (1 by default), fwd
  flows.py where MAPFILE NAME=PCAP...
        which capture each flow's frames are in: writes {flow: name} to
        MAPFILE and prints a summary as JSON: flows seen, flows split over
        several captures, frames per flow (min, max), flows per name
  flows.py moved OLD NEW GONE
        flows whose member changed between two maps, as JSON: how many
        moved that were not on GONE, how many are still on GONE, how many
        of GONE's moved
  flows.py same OLD NEW   the two maps agree on every flow: exit 0 or 1
  flows.py lens PCAP      JSON: frames, and the distinct (caplen, len) pairs
  flows.py tags PCAP      JSON: the distinct VLAN tag stacks, outer first
                          ("101.7"; "" for an untagged frame)
  flows.py span PCAP      seconds from the first frame to the last
  flows.py gcra PCAP RATE BURST [bytes]
                          how many of PCAP's frames, at their timestamps, a
                          token bucket of RATE frames per second holding
                          BURST would let through (the kernel's algorithm);
                          with bytes, RATE bytes per second, each frame
                          costing its length and the bucket holding BURST
                          times 1514 bytes
  flows.py whole ALL PART JSON: flows in PART, and how many of them have
                          fewer frames there than in ALL
"""

import json
import socket
import struct
import sys

MAC_A = bytes.fromhex("020000000a01")
MAC_B = bytes.fromhex("020000000b02")


def csum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def addrs(i):
    a = bytes([10, 1, i // 200, i % 200 + 1])
    b = bytes([10, 2, 0, i % 50 + 1])
    return a, b, 10000 + i, (53, 80, 443)[i % 3]


def ipv4(src, dst, payload, ident=0, frag=0, proto=17):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                      frag, 64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ether(src, dst, payload, vid=None):
    tag = b"" if vid is None else struct.pack("!HH", 0x8100, vid)
    return dst + src + tag + b"\x08\x00" + payload


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def flow_frame(i, direction, vid=None, size=0):
    a, b, pa, pb = addrs(i)
    data = b"dupto-flow %d %s" % (i, direction.encode())
    data = data.ljust(max(size - 42, len(data)), b"\xa5")
    if direction == "fwd":
        return ether(MAC_A, MAC_B, ipv4(a, b, udp(pa, pb, data)), vid)
    return ether(MAC_B, MAC_A, ipv4(b, a, udp(pb, pa, data)), vid)


def frag_frames(i):
    a, b, pa, pb = addrs(i)
    data = udp(pa, pb, bytes(range(256)) * 2)[:480]
    # three fragments of 160 bytes (a multiple of 8), the ports in the first
    pieces = [data[k:k + 160] for k in range(0, len(data), 160)]
    frames = []
    for k, piece in enumerate(pieces):
        more = 0x2000 if k < len(pieces) - 1 else 0
        frames.append(ether(MAC_A, MAC_B,
                            ipv4(a, b, piece, ident=i + 1,
                                 frag=more | (k * 160 // 8))))
    return frames


def send(dev, frames):
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((dev, 0))
        for f in frames:
            s.send(f)


def read_records(path):
    """(seconds, caplen, len, bytes) of each frame"""
    with open(path, "rb") as f:
        data = f.read()
    order = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, wire = struct.unpack(order + "IIII", data[off:off + 16])
        yield (sec + frac / (1e9 if nano else 1e6), caplen, wire,
               data[off + 16:off + 16 + caplen])
        off += 16 + caplen


def read_pcap(path):
    for rec in read_records(path):
        yield rec[3]


def tag_stack(frame):
    tags = []
    off = 12
    while frame[off:off + 2] in (b"\x81\x00", b"\x88\xa8"):
        tags.append(str(struct.unpack("!H", frame[off + 2:off + 4])[0] & 0xfff))
        off += 4
    return ".".join(tags)


def per_flow(path):
    n = {}
    for f in read_pcap(path):
        flow = flow_of(f)
        if flow is not None:
            n[flow] = n.get(flow, 0) + 1
    return n


def flow_of(frame):
    """The flow a frame of ours belongs to, both directions alike."""
    off = 12
    while frame[off:off + 2] in (b"\x81\x00", b"\x88\xa8"):
        off += 4
    if frame[off:off + 2] != b"\x08\x00":
        return None
    ip = frame[off + 2:]
    a, b = ip[12:16], ip[16:20]
    if a[:2] == b"\x0a\x02":
        a, b = b, a
    if a[:2] != b"\x0a\x01":
        return None
    return "%d.%d" % (a[2], a[3])


def where(mapfile, specs):
    seen = {}
    frames = {}
    for spec in specs:
        name, path = spec.split("=", 1)
        for f in read_pcap(path):
            flow = flow_of(f)
            if flow is None:
                continue
            seen.setdefault(flow, set()).add(name)
            frames[flow] = frames.get(flow, 0) + 1
    mapping = {flow: sorted(names)[0] for flow, names in seen.items()}
    with open(mapfile, "w") as f:
        json.dump(mapping, f)
    per = {}
    for name in [s.split("=", 1)[0] for s in specs]:
        per[name] = sum(1 for v in mapping.values() if v == name)
    print(json.dumps({
        "flows": len(seen),
        "split": sum(1 for names in seen.values() if len(names) > 1),
        "min_frames": min(frames.values(), default=0),
        "max_frames": max(frames.values(), default=0),
        "per": per,
    }))


def moved(old, new, gone):
    with open(old) as f:
        a = json.load(f)
    with open(new) as f:
        b = json.load(f)
    print(json.dumps({
        "others_moved": sum(1 for k in a if a[k] != gone and b.get(k) != a[k]),
        "on_gone": sum(1 for k in b if b[k] == gone),
        "gone_moved": sum(1 for k in a if a[k] == gone and b.get(k) not in (None, gone)),
        "gone_had": sum(1 for k in a if a[k] == gone),
    }))


def main(argv):
    if argv[:1] == ["send"] and len(argv) in (4, 6, 8, 10):
        dev, direction, count = argv[1], argv[2], int(argv[3])
        opts = dict(zip(argv[4::2], argv[5::2]))
        vid = int(opts["vlan"]) if "vlan" in opts else None
        every = int(opts.get("every", 1))
        size = int(opts.get("size", 0))
        send(dev, [flow_frame(i, direction, vid if i % every == 0 else None, size)
                   for i in range(count)])
    elif argv[:1] == ["frags"] and len(argv) == 4:
        dev, direction, count = argv[1], argv[2], int(argv[3])
        if direction == "fwd":
            send(dev, [f for i in range(count) for f in frag_frames(i)])
        else:
            send(dev, [flow_frame(i, "rev") for i in range(count)])
    elif argv[:1] == ["burst"] and len(argv) in (4, 5):
        dev, count, size = argv[1], int(argv[2]), int(argv[3])
        nflows = int(argv[4]) if len(argv) == 5 else 1
        send(dev, [flow_frame(k % nflows, "fwd", size=size)
                   for k in range(count)])
    elif argv[:1] == ["where"] and len(argv) >= 3:
        where(argv[1], argv[2:])
    elif argv[:1] == ["moved"] and len(argv) == 4:
        moved(argv[1], argv[2], argv[3])
    elif argv[:1] == ["lens"] and len(argv) == 2:
        recs = list(read_records(argv[1]))
        print(json.dumps({"frames": len(recs),
                          "lens": sorted({(r[1], r[2]) for r in recs})}))
    elif argv[:1] == ["tags"] and len(argv) == 2:
        print(json.dumps(sorted({tag_stack(f) for f in read_pcap(argv[1])})))
    elif argv[:1] == ["span"] and len(argv) == 2:
        t = [r[0] for r in read_records(argv[1])]
        print("%.3f" % (max(t) - min(t) if t else 0))
    elif argv[:1] == ["gcra"] and len(argv) in (4, 5):
        rate, burst = int(argv[2]), int(argv[3])
        per_byte = argv[4:] == ["bytes"]
        if len(argv) == 5 and not per_byte:
            sys.exit(__doc__)
        tau = (burst - 1) * (1514 if per_byte else 1) / rate
        tat, n = 0.0, 0
        for t, _, wire, _ in sorted(read_records(argv[1])):
            t0 = max(tat, t)
            if t0 - t <= tau + 1e-9:
                tat = t0 + (wire if per_byte else 1) / rate
                n += 1
        print(n)
    elif argv[:1] == ["whole"] and len(argv) == 3:
        a, b = per_flow(argv[1]), per_flow(argv[2])
        print(json.dumps({"flows": len(b),
                          "partial": sum(1 for k in b if b[k] < a.get(k, 0))}))
    elif argv[:1] == ["same"] and len(argv) == 3:
        with open(argv[1]) as f:
            a = json.load(f)
        with open(argv[2]) as f:
            b = json.load(f)
        diff = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
        for k in diff[:10]:
            print("flow %s: %s, then %s" % (k, a.get(k), b.get(k)))
        sys.exit(1 if diff else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
