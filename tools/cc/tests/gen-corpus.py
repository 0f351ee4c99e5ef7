#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write the synthetic test corpus: a pcap of Ethernet frames chosen to hit
every corner of tcpdump's filter semantics (VLAN and QinQ, LLC, ARP, IPv4
options and fragments, IPv6 extension headers alone and chained, every
transport, truncated frames and runts). With CUTS.pcap, also a second
capture of a few representative frames (each encapsulation and header kind)
cut at every length from 0 to the whole frame: kept apart from OUT.pcap,
which the VM's benchmark measures on. Deterministic: the same files every
time, from a fixed seed and fixed timestamps.

Usage: gen-corpus.py OUT.pcap [CUTS.pcap]
"""

import random
import struct
import sys

from scapy.all import (ARP, ESP, GRE, ICMP, IP, LLC, SNAP, SCTP, STP, TCP,
                       UDP, Dot1AD, Dot1Q, Dot3, Ether, ICMPv6EchoReply,
                       ICMPv6EchoRequest, IPOption_RR, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw)
from scapy.contrib.geneve import GENEVE, GeneveOptions
from scapy.contrib.igmp import IGMP
from scapy.contrib.mpls import MPLS
from scapy.layers.ppp import PPP, PPPoE, PPPoED
from scapy.layers.vxlan import VXLAN
from scapy.layers.sctp import SCTPChunkData

rng = random.Random(20261122)

MACS = ["00:11:22:33:44:55", "02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff",
        "01:00:5e:00:00:01", "33:33:00:00:00:01", "00:00:00:00:00:00"]
V4 = ["10.0.0.1", "10.0.0.2", "10.1.2.3", "192.168.1.10", "192.168.1.255",
      "172.16.5.4", "8.8.8.8", "224.0.0.1", "239.255.255.250",
      "255.255.255.255", "0.0.0.0", "10.255.255.255"]
V6 = ["2001:db8::1", "2001:db8::2", "2001:db8:1::5", "fe80::1", "ff02::1",
      "ff05::1:3", "::1", "2001:db8:ffff::ffff"]
PORTS = [0, 1, 20, 22, 53, 67, 68, 80, 123, 443, 1024, 8080, 8085, 8090,
         65535]


def mac():
    return rng.choice(MACS)


def l4(v6=False):
    kind = rng.choice(["tcp", "udp", "sctp", "icmp"])
    sp, dp = rng.choice(PORTS), rng.choice(PORTS)
    if kind == "tcp":
        return TCP(sport=sp, dport=dp, flags=rng.choice(["S", "SA", "A", "F", "R", "PA", "SEC"]))
    if kind == "udp":
        return UDP(sport=sp, dport=dp) / Raw(b"\x01\x02\x03\x04")
    if kind == "sctp":
        return SCTP(sport=sp, dport=dp) / SCTPChunkData(data=b"x")
    return ICMPv6EchoRequest() if v6 else ICMP(type=rng.choice([0, 3, 8, 11]))


frames = []


def add(pkt, caplen=None):
    data = bytes(pkt)
    wire = len(data)
    if caplen is not None:
        data = data[:caplen]
    frames.append((data, wire))


def v4_packets():
    out = []
    for _ in range(70):
        ip = IP(src=rng.choice(V4), dst=rng.choice(V4), ttl=rng.choice([1, 64]))
        out.append(ip / l4())
    for proto in (IGMP(type=0x16, gaddr="224.0.0.1"), GRE() / IP(src="10.0.0.1", dst="10.0.0.2"),
                  ESP(spi=1, seq=1) / Raw(b"abcd")):
        out.append(IP(src=rng.choice(V4), dst=rng.choice(V4)) / proto)
    # options: IHL 6 and 7, the transport header moves
    out.append(IP(src="10.0.0.1", dst="10.0.0.2", options=[IPOption_RR(routers=["1.2.3.4"])]) / TCP(sport=80, dport=1024))
    out.append(IP(src="10.0.0.2", dst="10.0.0.1", options=[IPOption_RR(routers=["1.2.3.4", "5.6.7.8"])]) / UDP(sport=53, dport=53))
    # fragments: first (offset 0, MF) and later (offset != 0)
    out.append(IP(src="10.0.0.1", dst="10.0.0.2", flags="MF", frag=0, proto=6) / TCP(sport=80, dport=443))
    out.append(IP(src="10.0.0.1", dst="10.0.0.2", flags="MF", frag=0, proto=17) / UDP(sport=53, dport=53))
    out.append(IP(src="10.0.0.1", dst="10.0.0.2", frag=185, proto=6) / Raw(b"\x00\x50\x00\x50" + b"\x00" * 16))
    out.append(IP(src="10.0.0.1", dst="10.0.0.2", frag=3, flags="MF", proto=17) / Raw(b"\x00\x35\x00\x35" + b"\x00" * 4))
    # a bad IHL (< 5) and a header shorter than its IHL claims
    out.append(IP(src="10.0.0.1", dst="10.0.0.2", ihl=2) / TCP(sport=80, dport=80))
    out.append(IP(src="10.0.0.1", dst="10.0.0.2", ihl=15) / TCP(sport=80, dport=80))
    return out


def v6_packets():
    out = []
    for _ in range(40):
        out.append(IPv6(src=rng.choice(V6), dst=rng.choice(V6)) / l4(True))
    ext = [IPv6ExtHdrHopByHop(), IPv6ExtHdrRouting(), IPv6ExtHdrDestOpt()]
    for e in ext:
        out.append(IPv6(src="2001:db8::1", dst="2001:db8::2") / e / UDP(sport=53, dport=53))
        out.append(IPv6(src="2001:db8::2", dst="2001:db8::1") / e / TCP(sport=80, dport=1024))
    out.append(IPv6(src="2001:db8::1", dst="ff02::1") / IPv6ExtHdrFragment(offset=0, m=1) / UDP(sport=53, dport=53))
    out.append(IPv6(src="2001:db8::1", dst="ff02::1") / IPv6ExtHdrFragment(offset=0, m=1) / TCP(sport=80, dport=80))
    out.append(IPv6(src="2001:db8::1", dst="ff02::1") / IPv6ExtHdrFragment(offset=0, m=1) / ICMPv6EchoReply())
    out.append(IPv6(src="2001:db8::1", dst="2001:db8::2") / IPv6ExtHdrFragment(offset=100, m=0, nh=17) / Raw(b"\x00\x35\x00\x35" + b"\x00" * 12))
    out.append(IPv6(src="fe80::1", dst="ff02::1") / IPv6ExtHdrHopByHop() / IPv6ExtHdrFragment(offset=0, m=1) / UDP(sport=53, dport=53))
    return out


# IPv6 extension headers as bytes, so that any order, length and chain can
# be built (scapy's own classes fix some of the next-header fields).
HOPOPTS, ROUTING, FRAGMENT, ESP_, AH_, NONXT, DSTOPTS = 0, 43, 44, 50, 51, 59, 60
MOBILITY, HIP, SHIM6 = 135, 139, 140


def ext6(kind, nh, n=None, rtype=0, frag=0, more=0):
    """One extension header of protocol number kind, followed by protocol
    nh. n is its length field: 8-octet units past the first 8, AH's 4-octet
    units less 2 (its usual 24 bytes by default, HIP's fixed 40)."""
    if kind in (HOPOPTS, DSTOPTS):          # one PadN fills the options
        n = n or 0
        size = 8 * (n + 1)
        return bytes([nh, n, 1, size - 4]) + bytes(size - 4)
    if kind == ROUTING:                     # type, segments left, addresses
        n = 2 if n is None else n
        return bytes([nh, n, rtype, n // 2]) + bytes(8 * (n + 1) - 4)
    if kind == FRAGMENT:
        return struct.pack(">BBHI", nh, 0, frag << 3 | more, 0x1234)
    if kind == AH_:                         # SPI, sequence, then the ICV
        n = 4 if n is None else n
        return struct.pack(">BBHII", nh, n, 0, 0x100, 1) + bytes(4 * (n + 2) - 12)
    if kind in (MOBILITY, HIP, SHIM6):      # RFC 6564's common layout
        n = (4 if kind == HIP else 0) if n is None else n
        return bytes([nh, n, 5 if kind == MOBILITY else 0x81, 0]) + bytes(8 * (n + 1) - 4)
    raise ValueError(kind)


def upper(nh, sport, dport):
    """What follows the last extension header: a transport, ESP (nothing
    readable after its SPI and sequence), IPv4 or IPv6 in IPv6, or after
    "no next header" bytes that would read as ports sport and dport."""
    if nh == 6:
        return bytes(TCP(sport=sport, dport=dport, flags="S", chksum=0))
    if nh == 17:
        return bytes(UDP(sport=sport, dport=dport, chksum=0) / Raw(b"\x01\x02\x03\x04"))
    if nh == 58:
        return bytes(ICMPv6EchoRequest(cksum=0))
    if nh == 132:
        return bytes(SCTP(sport=sport, dport=dport, chksum=0) / SCTPChunkData(data=b"x"))
    if nh == ESP_:
        return struct.pack(">II", 0x200, 7) + bytes(range(6, 30))
    if nh == 4:
        return bytes(IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=sport, dport=dport))
    if nh == 41:
        return bytes(IPv6(src="2001:db8::1", dst="2001:db8::2") / TCP(sport=sport, dport=dport))
    return struct.pack(">HH", sport, dport) + bytes(16)


def chain6(hdrs, last, sport=80, dport=1024, tag=None):
    """Ethernet, [802.1Q tag,] IPv6, the extension headers hdrs (each a
    kind or (kind, {ext6's arguments})), then protocol last."""
    hdrs = [h if isinstance(h, tuple) else (h, {}) for h in hdrs]
    kinds = [k for k, _ in hdrs] + [last]
    body = b"".join(ext6(k, kinds[i + 1], **kw) for i, (k, kw) in enumerate(hdrs))
    ip6 = IPv6(src="2001:db8::1", dst="2001:db8::2", nh=kinds[0]) / Raw(body + upper(last, sport, dport))
    eth = Ether(src="00:11:22:33:44:55", dst="02:00:00:00:00:01")
    return eth / Dot1Q(vlan=tag) / ip6 if tag is not None else eth / ip6


def ah4(last, sport=80, dport=1024, n=4, options=None):
    """IPv4 [with options], AH, then protocol last."""
    ip = IP(src="10.0.0.1", dst="10.0.0.2", proto=AH_, options=options or [])
    return (Ether(src="00:11:22:33:44:55", dst="02:00:00:00:00:01") / ip /
            Raw(ext6(AH_, last, n) + upper(last, sport, dport)))


def ext_frames():
    """Every IPv6 extension header, alone and chained in several orders and
    lengths (up to 40 headers, past any small bound of a walk), the ones
    libpcap's protochain does not walk (mobility, HIP, shim6) and the ones
    that end it (ESP, no next header); and IPv4 with AH."""
    out = []
    frag1 = (FRAGMENT, {"more": 1})
    frag2 = (FRAGMENT, {"frag": 185})
    alone = [HOPOPTS, DSTOPTS, (ROUTING, {"rtype": 0}), (ROUTING, {"rtype": 2}),
             (ROUTING, {"rtype": 3, "n": 4}), (ROUTING, {"rtype": 4, "n": 6}),
             frag1, frag2, AH_, MOBILITY, HIP, SHIM6]
    for h in alone:
        out.append(chain6([h], 6, 80, 1024))
        out.append(chain6([h], 17, 53, 53))
    for h in (HOPOPTS, DSTOPTS, AH_, frag1):
        out.append(chain6([h], 58))
        out.append(chain6([h], 132, 22, 80))
    # lengths: the walk must use each header's own length field
    for h in ((HOPOPTS, {"n": 1}), (HOPOPTS, {"n": 5}), (DSTOPTS, {"n": 2}),
              (DSTOPTS, {"n": 31}), (ROUTING, {"n": 6}), (AH_, {"n": 1}),
              (AH_, {"n": 7}), (AH_, {"n": 10})):
        out.append(chain6([h, DSTOPTS], 6, 443, 80))
    # orders: RFC 8200's, reversed, and ones no sender should use
    for hs in ([HOPOPTS, DSTOPTS, ROUTING, frag1, AH_, DSTOPTS],
               [DSTOPTS, AH_, frag1, ROUTING, DSTOPTS, HOPOPTS],
               [frag1, HOPOPTS], [AH_, frag1], [frag2, AH_],
               [ROUTING, ROUTING, ROUTING], [DSTOPTS, DSTOPTS],
               [HOPOPTS, HOPOPTS, (AH_, {"n": 7}), (DSTOPTS, {"n": 3})]):
        out.append(chain6(hs, 6, 1024, 80))
        out.append(chain6(hs, 17, 53, 123))
    # what ends a walk, or is not walked by libpcap
    for hs in ([], [HOPOPTS], [HOPOPTS, DSTOPTS, AH_]):
        out.append(chain6(hs, ESP_))
    for hs in ([], [HOPOPTS], [frag1, DSTOPTS]):
        out.append(chain6(hs, NONXT, 80, 53))
    for h in (MOBILITY, HIP, SHIM6):
        out.append(chain6([HOPOPTS, h], 6, 80, 80))
        out.append(chain6([h, DSTOPTS], 17, 53, 53))
    out.append(chain6([HOPOPTS], 41, 80, 22))
    out.append(chain6([DSTOPTS, frag1], 4, 22, 80))
    out.append(chain6([HOPOPTS, frag1], 6, 80, 443, tag=5))
    # long chains: 10 and 40 headers, of every walkable kind or of one
    kinds = [HOPOPTS, DSTOPTS, ROUTING, frag1, AH_]
    for count in (10, 40):
        mixed = [HOPOPTS] + [kinds[1 + i % 4] for i in range(count - 1)]
        out.append(chain6(mixed, 6, 80, 1024))
        out.append(chain6(mixed, 17, 53, 53))
        out.append(chain6([DSTOPTS] * count, 6, 1024, 443))
    out.append(chain6([DSTOPTS] * 39 + [MOBILITY], 6, 80, 80))
    # IPv4 with AH, with options before it, and before ESP
    for last, sp, dp in ((6, 80, 1024), (17, 53, 53), (1, 0, 0), (132, 22, 80)):
        out.append(ah4(last, sp, dp))
    out.append(ah4(6, 1024, 443, n=1))
    out.append(ah4(17, 53, 123, options=[IPOption_RR(routers=["1.2.3.4"])]))
    out.append(ah4(ESP_))
    return out


def cut_frames():
    """One frame of each encapsulation and header kind, to be cut at every
    length: every read of every primitive then meets a frame that ends
    just before it, inside it and just after it."""
    src, dst = "00:11:22:33:44:55", "02:00:00:00:00:01"
    eth = Ether(src=src, dst=dst)
    inner = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:03")
    return [
        eth / Dot1Q(vlan=5) / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=80, dport=53),
        Ether(src=src, dst=dst, type=0x88a8) / Dot1AD(vlan=100) / Dot1Q(vlan=5) /
        IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=53, dport=80),
        eth / IP(src="10.0.0.1", dst="10.0.0.2", options=[IPOption_RR(routers=["1.2.3.4"])]) /
        TCP(sport=53, dport=80),
        eth / MPLS(label=16, s=0, ttl=64) / MPLS(label=17, s=0, ttl=64) /
        MPLS(label=18, s=1, ttl=64) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=53, dport=53),
        eth / MPLS(label=3, s=0, ttl=64) / MPLS(label=1000, s=1, ttl=64) /
        IPv6(src="2001:db8::1", dst="2001:db8::2") / TCP(sport=80, dport=443),
        eth / PPPoE(sessionid=0x11) / PPP(proto=0x21) / IP(src="10.0.0.1", dst="10.0.0.2") /
        TCP(sport=1024, dport=80),
        eth / PPPoE(sessionid=0x12) / PPP(proto=0x57) /
        IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=53, dport=53),
        Ether(src=src, dst="ff:ff:ff:ff:ff:ff") / PPPoED(code=0x09) / Raw(b"\x01\x01\x00\x00"),
        eth / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1234, dport=6081) /
        GENEVE(vni=0x1234, options=[GeneveOptions(classid=0x0102, type=0x80, data=b"\x00" * 4)]) /
        inner / Dot1Q(vlan=7) / IP(src="10.1.2.3", dst="10.0.0.2") / TCP(sport=22, dport=80),
        eth / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1234, dport=4789) / VXLAN(vni=42) /
        inner / IP(src="10.1.2.3", dst="10.0.0.2") / UDP(sport=53, dport=53),
        Dot3(src=src, dst=dst) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0800) /
        IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=53, dport=53),
        Dot3(src=src, dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3) / STP(),
        chain6([HOPOPTS, DSTOPTS, ROUTING, (FRAGMENT, {"more": 1}), AH_], 6, 80, 443),
        ah4(17, 53, 80),
        Ether(src=src, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc="10.0.0.1", pdst="10.0.0.2"),
    ]


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for i, (data, wire) in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(data), wire))
            f.write(data)


def main():
    out = sys.argv[1]
    for p in v4_packets():
        add(Ether(src=mac(), dst=mac()) / p)
    for p in v6_packets():
        add(Ether(src=mac(), dst=mac()) / p)
    # ARP and RARP
    for op in (1, 2):
        add(Ether(src=mac(), dst="ff:ff:ff:ff:ff:ff") / ARP(op=op, psrc=rng.choice(V4), pdst=rng.choice(V4)))
    add(Ether(src=mac(), dst=mac(), type=0x8035) / ARP(op=3, psrc="10.0.0.1", pdst="10.1.2.3"))
    # 802.3 / LLC, STP and SNAP
    add(Dot3(src=mac(), dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3) / STP())
    add(Dot3(src=mac(), dst=mac()) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0800) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP())
    add(Dot3(src=mac(), dst=mac()) / LLC(dsap=0x06, ssap=0x06, ctrl=3) / Raw(b"\x00" * 20))
    add(Dot3(src=mac(), dst=mac()) / LLC(dsap=0xfe, ssap=0xfe, ctrl=3) / Raw(b"\x00" * 20))
    add(Dot3(src=mac(), dst=mac()) / LLC(dsap=0xf0, ssap=0xf0, ctrl=3) / Raw(b"\x00" * 20))
    add(Dot3(src=mac(), dst=mac()) / LLC(dsap=0x64, ssap=0x64, ctrl=3) / Raw(b"\x00" * 20))
    # single tags, QinQ and odd TPIDs
    for vid in (1, 5, 100, 4095):
        add(Ether(src=mac(), dst=mac()) / Dot1Q(vlan=vid, prio=rng.randrange(8)) / IP(src=rng.choice(V4), dst=rng.choice(V4)) / l4())
        add(Ether(src=mac(), dst=mac()) / Dot1Q(vlan=vid) / IPv6(src=rng.choice(V6), dst=rng.choice(V6)) / l4(True))
    add(Ether(src=mac(), dst=mac()) / Dot1Q(vlan=5) / ARP(op=1, psrc="10.0.0.1", pdst="10.0.0.2"))
    for outer in (100, 5):
        add(Ether(src=mac(), dst=mac(), type=0x88a8) / Dot1AD(vlan=outer) / Dot1Q(vlan=5) / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=80, dport=1024))
        add(Ether(src=mac(), dst=mac()) / Dot1Q(vlan=outer) / Dot1Q(vlan=200) / IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=53, dport=53))
    add(Ether(src=mac(), dst=mac(), type=0x9100) / Dot1Q(vlan=7) / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=22, dport=22))
    add(Ether(src=mac(), dst=mac(), type=0x88a8) / Dot1AD(vlan=9) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=53, dport=53))
    # truncated captures (caplen < wire length) and runts
    base4 = Ether(src=mac(), dst=mac()) / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=80, dport=443)
    for cut in (13, 14, 20, 24, 27, 30, 33, 34, 36, 38, 40, 48):
        add(base4, cut)
    base6 = Ether(src=mac(), dst=mac()) / IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=53, dport=53)
    for cut in (21, 26, 30, 38, 42, 45, 54, 56, 57, 60):
        add(base6, cut)
    tagged = Ether(src=mac(), dst=mac()) / Dot1Q(vlan=5) / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=80, dport=80)
    for cut in (15, 16, 17, 18, 30, 40):
        add(tagged, cut)
    for n in (0, 1, 5, 11, 12):
        frames.append((bytes(rng.randrange(256) for _ in range(n)), n))
    # random bytes behind interesting EtherTypes
    for et in (0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8):
        for _ in range(6):
            n = rng.randrange(14, 90)
            body = bytes(rng.randrange(256) for _ in range(n - 14))
            frames.append((bytes(Ether(src=mac(), dst=mac(), type=et)) + body, n))
    # what names reach (after the rest, so the frames above stay as they were):
    # AppleTalk and AARP in both phases, IPX in its four framings, SNAP cut
    # short between the two words libpcap compares, DEC EtherTypes, and the
    # loopback host with the ports of common services
    src, dst = "00:11:22:33:44:55", "00:aa:bb:cc:dd:ee"
    add(Ether(src=src, dst=dst, type=0x809b) / Raw(b"\x00" * 20))
    add(Ether(src=src, dst=dst, type=0x80f3) / Raw(b"\x00" * 20))
    add(Dot3(src=src, dst=dst) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0x080007, code=0x809b) / Raw(b"\x00" * 20))
    add(Dot3(src=src, dst=dst) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x80f3) / Raw(b"\x00" * 20))
    add(Dot3(src=src, dst=dst) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x809b) / Raw(b"\x00" * 20))
    add(Ether(src=src, dst=dst, type=0x8137) / Raw(b"\xff\xff" + b"\x00" * 28))
    add(Dot3(src=src, dst=dst) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x8137) / Raw(b"\x00" * 20))
    add(Dot3(src=src, dst=dst) / LLC(dsap=0xe0, ssap=0xe0, ctrl=3) / Raw(b"\x00" * 20))
    add(Dot3(src=src, dst=dst) / Raw(b"\xff\xff" + b"\x00" * 28))
    snap = Dot3(src=src, dst=dst) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0x080007, code=0x809b) / Raw(b"\x00" * 20)
    for cut in (15, 17, 18, 20, 21):
        add(snap, cut)
    for et in (0x6001, 0x6002, 0x6003, 0x6004, 0x6007, 0x9000):
        add(Ether(src=src, dst=dst, type=et) / Raw(b"\x00" * 30))
    for sp, dp in ((25, 1024), (1024, 53), (80, 40000), (123, 123), (137, 137), (443, 5000)):
        add(Ether(src=src, dst=dst) / IP(src="127.0.0.1", dst="10.0.0.2") / TCP(sport=sp, dport=dp))
        add(Ether(src=src, dst=dst) / IP(src="10.0.0.2", dst="127.0.0.1") / UDP(sport=sp, dport=dp))
        add(Ether(src=src, dst=dst) / IPv6(src="::1", dst="2001:db8::2") / TCP(sport=sp, dport=dp))
        add(Ether(src=src, dst=dst) / IPv6(src="2001:db8::2", dst="::1") / UDP(sport=sp, dport=dp))
    add(Ether(src=src, dst=dst) / IP(src="127.0.0.0", dst="169.254.0.0") / GRE())
    add(Ether(src=src, dst=dst) / IPv6(src="::1", dst="::2", nh=47) / GRE())
    for p in ext_frames():
        add(p)

    write_pcap(out, frames)
    if len(sys.argv) > 2:
        cuts = []
        for p in cut_frames():
            data = bytes(p)
            cuts += [(data[:n], len(data)) for n in range(len(data) + 1)]
        write_pcap(sys.argv[2], cuts)


if __name__ == "__main__":
    main()
