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


def chain_frames():
    """Header chains for "protochain": AH in IPv4 and IPv6, every IPv6
    extension libpcap steps over, no-next-header, headers it does not step
    over, and one chain cut at every byte."""
    a, b = "10.0.0.1", "10.0.0.2"
    a6, b6 = "2001:db8::1", "2001:db8::2"
    ah = lambda nh, ln=4: Raw(bytes([nh, ln]) + b"\x00" * (4 * (ln + 2) - 2))
    out = [
        IP(src=a, dst=b, proto=51) / ah(6) / TCP(sport=1024, dport=80),
        IP(src=a, dst=b, proto=51) / ah(51) / ah(17, 1) / UDP(sport=53, dport=53),
        IP(src=a, dst=b, proto=51, ihl=6, options=[IPOption_RR()]) / ah(6) / TCP(),
        IP(src=a, dst=b, proto=51) / ah(59) / Raw(b"\x06" * 16),
        IP(src=a, dst=b, proto=51) / ah(50) / Raw(b"\x00" * 16),
        IPv6(src=a6, dst=b6, nh=51) / ah(6) / TCP(),
        IPv6(src=a6, dst=b6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
        IPv6ExtHdrRouting() / IPv6ExtHdrFragment() / Raw(ah(6).load) / TCP(),
        IPv6(src=a6, dst=b6) / IPv6ExtHdrHopByHop(nh=59) / Raw(b"\x06" * 16),
        IPv6(src=a6, dst=b6, nh=135) / Raw(bytes([6, 0]) + b"\x00" * 6) / TCP(),
        IPv6(src=a6, dst=b6) / IPv6ExtHdrDestOpt(nh=60) / IPv6ExtHdrDestOpt(nh=17) / UDP(),
    ]
    for p in out:
        add(Ether(src=mac(), dst=mac()) / p)
    cut = Ether(src=mac(), dst=mac()) / out[6]
    for n in range(54, len(bytes(cut)) + 1, 3):
        add(cut, n)
    add(Ether(src=mac(), dst=mac()) / Dot1Q(vlan=5) / out[6])
def l2_frames():
    """The rest of libpcap's primitives on Ethernet (llc, stp, ipx,
    netbeui, the OSI family and IS-IS PDU types, DECnet hosts, AppleTalk,
    the DEC protocols, esp, ah, pim, vrrp, carp, igrp, ARP and RARP
    addresses, broadcasts of a /24): each in every framing that libpcap
    tells apart, and cut short where its tests read."""
    a, b = bytes.fromhex("010203040506"), bytes.fromhex("0a0b0c0d0e0f")

    def eth(et, body, dst=b, src=a, tag=None, caplen=None):
        hdr = dst + src
        if tag is not None:
            hdr += struct.pack(">HH", 0x8100, tag)
        data = hdr + struct.pack(">H", et) + body
        frames.append((data[:caplen] if caplen else data, len(data)))

    def dot3(body, **kw):
        eth(len(body), body, **kw)

    # LLC: I frames (control bit 0 clear), S (01) and U (11) of each kind,
    # poll/final bit set where libpcap's masks ignore it, and unknown kinds
    for ctrl in (0x00, 0x02, 0xfe, 0x01, 0x05, 0x09, 0x0d, 0x11, 0x15,
                 0x03, 0x13, 0x63, 0x73, 0x43, 0x0f, 0x1f, 0x6f, 0xe3,
                 0xaf, 0xbf, 0x87, 0x07, 0x23, 0xff):
        dot3(bytes([0x42, 0x42, ctrl]) + bytes(30))
        dot3(bytes([0xaa, 0xaa, ctrl]) + bytes(30), tag=5)
    dot3(bytes([0xff, 0xff, 0x03]) + bytes(30))
    dot3(bytes([0xff, 0xfe, 0x03]) + bytes(30))
    llc_i = bytes([0xf0, 0xf0, 0x02]) + bytes(30)
    for cut in (13, 14, 15, 16, 17):
        dot3(llc_i, caplen=cut)
    # a length of exactly 1500 and one above it
    eth(1500, bytes([0x42, 0x42, 0x03]) + bytes(40))
    eth(1501, bytes([0x42, 0x42, 0x03]) + bytes(40))

    # STP: configuration and RSTP BPDUs, tagged, and a DSAP alone
    stp = bytes([0x42, 0x42, 0x03, 0, 0, 0, 0]) + bytes(32)
    rstp = bytes([0x42, 0x42, 0x03, 0, 0, 2, 2, 0x3c]) + bytes(32)
    dot3(stp, dst=bytes.fromhex("0180c2000000"))
    dot3(rstp, dst=bytes.fromhex("0180c2000000"))
    dot3(stp, tag=100)
    dot3(bytes([0x42, 0x00, 0x03]) + bytes(30))

    # IPX: Ethernet II, raw 802.3, 802.2 and SNAP, tagged ones too
    ipx = b"\xff\xff\x00\x1e\x00\x04" + bytes(24)
    eth(0x8137, ipx)
    eth(0x8137, ipx, tag=5)
    dot3(ipx)
    dot3(bytes([0xe0, 0xe0, 0x03]) + ipx)
    dot3(bytes([0xe0, 0x42, 0x03]) + ipx)
    dot3(bytes([0xaa, 0xaa, 0x03, 0, 0, 0, 0x81, 0x37]) + ipx)
    dot3(bytes([0xaa, 0xaa, 0x03, 0, 0, 0, 0x81, 0x37]) + ipx, tag=5)
    # NetBEUI, and F0 with another SSAP (libpcap checks both)
    dot3(bytes([0xf0, 0xf0, 0x03]) + bytes(40))
    dot3(bytes([0xf0, 0xf1, 0x03]) + bytes(40))
    dot3(bytes([0xf0, 0xf0, 0x03]) + bytes(40), tag=5)

    # OSI: CLNP, ES-IS and IS-IS of every PDU type (and two unknown)
    osi = bytes([0xfe, 0xfe, 0x03])
    dot3(osi + bytes([0x81, 0x33, 0x01, 0x14, 0x1c]) + bytes(40))
    dot3(osi + bytes([0x82, 0x0a, 0x01, 0x00, 0x02]) + bytes(40))
    dot3(osi + bytes([0x00]) + bytes(40))
    dot3(osi + bytes([0x81]) + bytes(40), tag=5)
    for pdu in (15, 16, 17, 18, 20, 24, 25, 26, 27, 19, 1):
        isis = bytes([0x83, 0x1b, 0x01, 0x00, pdu, 0x01, 0x00, 0x00]) + bytes(40)
        dot3(osi + isis)
    dot3(osi + bytes([0x83, 0x1b, 0x01, 0x00, 18, 1, 0, 0]) + bytes(40), tag=5)
    dot3(bytes([0xfe, 0xfd, 0x03, 0x83, 0x1b, 0x01, 0x00, 18]) + bytes(40))
    dot3(bytes([0xfe, 0xfe, 0x03, 0x82, 0x1b, 0x01, 0x00, 18]) + bytes(40))
    for cut in (15, 16, 17, 18, 20, 21, 22):
        dot3(osi + bytes([0x83, 0x1b, 0x01, 0x00, 26, 1, 0, 0]) + bytes(40), caplen=cut)

    # DECnet routing headers: long and short, with and without a pad
    # byte, addresses AREA.NODE little-endian (area << 10 | node)
    def dn(area, node):
        return struct.pack("<H", area << 10 | node)

    hiord = bytes([0xaa, 0x00, 0x04, 0x00])
    pairs = (((10, 5), (1, 2)), ((1, 2), (10, 5)), ((63, 1023), (1, 1)),
             ((1, 1), (1, 1)))
    for (sa, da) in pairs:
        src, dst = dn(*sa), dn(*da)
        long_h = bytes([0x26, 0, 0]) + hiord + dst + bytes([0, 0]) + hiord + src + bytes(8)
        short_h = bytes([0x02]) + dst + src + bytes([0]) + bytes(8)
        for pad, h in ((b"", long_h), (b"\x81", long_h), (b"", short_h), (b"\x81", short_h)):
            body = h if not pad else pad + h
            eth(0x6003, struct.pack("<H", len(body)) + body)
    eth(0x6003, struct.pack("<H", 20) + b"\x81" + bytes([0x26, 0, 0]) + hiord + dn(1, 2) + bytes(20), tag=5)
    # other flag bits, and cut short before the source address
    eth(0x6003, b"\x10\x00" + bytes([0x0e]) + dn(1, 2) + dn(10, 5) + bytes(8))
    long_cut = b"\x20\x00" + bytes([0x26, 0, 0]) + hiord + dn(1, 2) + bytes([0, 0]) + hiord + dn(10, 5)
    for cut in (16, 17, 18, 24, 25, 32, 33):
        eth(0x6003, long_cut + bytes(8), caplen=cut)

    # AppleTalk and AARP, phases 1 and 2, tagged; the DEC protocols
    eth(0x809b, bytes(20), tag=5)
    eth(0x80f3, bytes(28), tag=5)
    dot3(bytes([0xaa, 0xaa, 0x03, 0x08, 0x00, 0x07, 0x80, 0x9b]) + bytes(20), tag=5)
    dot3(bytes([0xaa, 0xaa, 0x03, 0x08, 0x00, 0x07, 0x80, 0xf3]) + bytes(20))
    for et in (0x6001, 0x6002, 0x6004, 0x6007):
        eth(et, bytes(range(40)), tag=5)
        eth(et, bytes(range(40)), caplen=13)

    # IP protocols: ESP, AH, PIM, VRRP/CARP (112), IGRP (9), over v4 and
    # v6, after an IPv6 fragment header, in IPv4 fragments
    for proto in (50, 51, 103, 112, 9):
        add(Ether() / IP(src="10.0.0.1", dst="224.0.0.18", proto=proto) / Raw(bytes(range(24))))
        add(Ether() / IP(src="10.0.0.1", dst="224.0.0.18", proto=proto, frag=10) / Raw(bytes(24)))
        add(Ether() / IPv6(src="fe80::1", dst="ff02::12", nh=proto) / Raw(bytes(range(24))))
        add(Ether() / IPv6(src="fe80::1", dst="ff02::12") / IPv6ExtHdrFragment(offset=0, m=1, nh=proto) / Raw(bytes(24)))
        add(Ether() / Dot1Q(vlan=5) / IP(src="10.0.0.1", dst="224.0.0.18", proto=proto) / Raw(bytes(24)))
    add(Ether() / IP(src="10.0.0.1", dst="224.0.0.18", proto=112, options=[IPOption_RR(routers=["1.2.3.4"])]) / Raw(bytes(range(24))))

    # ARP and RARP between known addresses, requests and replies
    for op, et in ((1, 0x0806), (2, 0x0806), (3, 0x8035), (4, 0x8035)):
        for ps, pd in (("10.0.0.1", "10.1.2.3"), ("192.168.1.10", "10.0.0.1"), ("1.2.3.4", "10.0.0.2")):
            add(Ether(src="00:11:22:33:44:55", dst="ff:ff:ff:ff:ff:ff", type=et) /
                ARP(op=op, hwsrc="00:11:22:33:44:55", psrc=ps, pdst=pd))
    add(Ether(dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=5) / ARP(op=1, psrc="1.2.3.4", pdst="10.1.2.3"))

    # broadcasts of 192.168.1.0/24 and 10.0.0.0/24, and hosts beside them
    for d in ("192.168.1.255", "192.168.1.0", "192.168.1.5", "10.0.0.255",
              "10.0.0.0", "10.255.255.255", "192.168.2.255"):
        add(Ether() / IP(src="192.168.1.10", dst=d) / UDP(sport=137, dport=137))
    add(Ether() / Dot1Q(vlan=5) / IP(src="192.168.1.10", dst="192.168.1.255") / UDP())
    add(Ether() / IP(src="192.168.1.10", dst="192.168.1.255") / UDP(), 31)

    # frames to and from addresses written in each notation of the tests
    add(Ether(src="01:02:03:04:05:06", dst="0a:0b:0c:0d:0e:0f") / IP() / TCP())
    add(Ether(src="0a:0b:0c:0d:0e:0f", dst="01:02:03:04:05:06") / IPv6() / UDP())
    add(Ether(src="00:01:02:03:04:05", dst="aa:bb:cc:dd:ee:ff") / IP() / UDP())
def encap_frames():
    """Encapsulations that move libpcap's offsets: stacked MPLS (the
    bottom-of-stack bit right and wrong), PPPoE discovery and sessions with
    IPv4, IPv6 and other PPP protocols, GENEVE with options of several
    lengths and inner VLANs, VXLAN; VLAN tags outside; each cut short
    inside every header. Built from bytes where scapy would fix a field."""
    src, dst = "00:11:22:33:44:55", "00:aa:bb:cc:dd:ee"

    def mpls(label, bos, ttl=64):
        return struct.pack(">I", label << 12 | bos << 8 | ttl)

    v4 = IP(src="10.0.0.1", dst="10.1.2.3") / TCP(sport=1024, dport=80)
    v4u = IP(src="192.168.1.10", dst="10.0.0.1") / UDP(sport=53, dport=53) / Raw(b"\x01\x02")
    v6 = IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=53, dport=53)
    v6t = IPv6(src="2001:db8::2", dst="fe80::1") / TCP(sport=80, dport=1024)
    arp = ARP(op=1, psrc="10.0.0.1", pdst="10.1.2.3")
    out = []
    # MPLS: one to three labels, the last one's bottom-of-stack bit set or
    # not, IPv4, IPv6 or neither inside; tags outside; cut short
    for labels in ([100], [100, 200], [1048575, 16, 3], [0], [200, 100]):
        for inner in (v4, v6, v4u, v6t, arp):
            for bos in (1, 0):
                stack = b"".join(mpls(l, bos if i == len(labels) - 1 else 0)
                                 for i, l in enumerate(labels))
                out.append(bytes(Ether(src=src, dst=dst, type=0x8847)) + stack + bytes(inner))
    stack = mpls(100, 1, 1) + mpls(200, 1)	# a bottom of stack too early
    out.append(bytes(Ether(src=src, dst=dst, type=0x8847)) + stack + bytes(v4))
    out.append(bytes(Ether(src=src, dst=dst, type=0x8848)) + mpls(100, 1) + bytes(v4))
    out.append(bytes(Ether(src=src, dst=dst) / Dot1Q(vlan=5, type=0x8847)) + mpls(100, 1) + bytes(v4))
    out.append(bytes(Ether(src=src, dst=dst) / Dot1Q(vlan=100, type=0x8847)) + mpls(200, 0) + mpls(100, 1) + bytes(v6))
    out.append(bytes(Ether(src=src, dst=dst, type=0x88a8) / Dot1AD(vlan=9) / Dot1Q(vlan=5, type=0x8847)) + mpls(100, 1) + bytes(v4u))
    # PPPoE: discovery, sessions of IPv4, IPv6, LCP, MPLS and raw PPP
    for code in (0x09, 0x07, 0xa7):
        out.append(bytes(Ether(src=src, dst="ff:ff:ff:ff:ff:ff", type=0x8863)) +
                   struct.pack(">BBHH", 0x11, code, 0, 4) + b"\x01\x01\x00\x00")

    def pppoes(sess, proto, payload):
        return struct.pack(">BBHHH", 0x11, 0, sess, len(payload) + 2, proto) + payload

    for sess in (1, 0x1234, 0xffff):
        for proto, inner in ((0x0021, bytes(v4)), (0x0057, bytes(v6)), (0x0021, bytes(v4u)),
                             (0x0057, bytes(v6t)), (0xc021, b"\x01\x01\x00\x04"),
                             (0x0281, mpls(100, 1) + bytes(v4)), (0x0800, bytes(v4)),
                             (0x0806, bytes(arp)), (0x002b, b"\x00" * 30)):
            out.append(bytes(Ether(src=src, dst=dst, type=0x8864)) + pppoes(sess, proto, inner))
    out.append(bytes(Ether(src=src, dst=dst) / Dot1Q(vlan=5, type=0x8864)) + pppoes(7, 0x0021, bytes(v4)))
    out.append(bytes(Ether(src=src, dst=dst) / Dot1Q(vlan=5, type=0x8863)) + struct.pack(">BBHH", 0x11, 0x09, 0, 0))
    out.append(bytes(Ether(src=src, dst=dst, type=0x8864)) + pppoes(2, 0x8864, pppoes(3, 0x0021, bytes(v4))))
    out.append(bytes(Ether(src=src, dst=dst, type=0x8847)) + mpls(100, 1) + pppoes(2, 0x0021, bytes(v4)))

    # GENEVE (UDP 6081) and VXLAN (UDP 4789) over IPv4 (options: the
    # header moves) and IPv6; inner Ethernet with and without tags, or
    # an inner IP packet right after GENEVE's header
    def geneve(vni, proto, optwords, ver=0):
        return (struct.pack(">BBH", ver << 6 | optwords, 0, proto) +
                struct.pack(">I", vni << 8) + b"\x00\x01\x80\x01" * optwords)

    def vxlan(vni, flags=0x08):
        return struct.pack(">BBHI", flags, 0, 0, vni << 8)

    inner_eth = [Ether(src="02:00:00:00:00:01", dst=dst) / v4,
                 Ether(src=src, dst="02:00:00:00:00:01") / v6,
                 Ether(src=src, dst=dst) / Dot1Q(vlan=100) / v4u,
                 Ether(src=src, dst=dst) / Dot1Q(vlan=5) / Dot1Q(vlan=200) / v6t,
                 Ether(src=src, dst="ff:ff:ff:ff:ff:ff") / arp,
                 Ether(src=src, dst=dst, type=0x8847) / Raw(mpls(100, 1) + bytes(v4))]
    outer = [Ether(src=src, dst=dst) / IP(src="172.16.5.4", dst="10.0.0.2"),
             Ether(src=src, dst=dst) / IP(src="172.16.5.4", dst="10.0.0.2",
                                          options=[IPOption_RR(routers=["1.2.3.4"])]),
             Ether(src=src, dst=dst) / IPv6(src="2001:db8:1::5", dst="2001:db8::1"),
             Ether(src=src, dst=dst) / Dot1Q(vlan=5) / IP(src="172.16.5.4", dst="10.0.0.2")]
    for o in outer:
        for i, inner in enumerate(inner_eth):
            vni = (1, 100, 0xffffff)[i % 3]
            out.append(bytes(o / UDP(sport=40000, dport=6081) / Raw(geneve(vni, 0x6558, i % 4) + bytes(inner))))
            out.append(bytes(o / UDP(sport=40000, dport=4789) / Raw(vxlan(vni) + bytes(inner))))
        out.append(bytes(o / UDP(sport=40000, dport=6081) / Raw(geneve(100, 0x0800, 1) + bytes(v4))))
        out.append(bytes(o / UDP(sport=40000, dport=6081) / Raw(geneve(100, 0x86dd, 0) + bytes(v6))))
        out.append(bytes(o / UDP(sport=40000, dport=6081) / Raw(geneve(100, 0x6558, 2, ver=1) + bytes(inner_eth[0]))))
        out.append(bytes(o / UDP(sport=6081, dport=40000) / Raw(geneve(100, 0x6558, 0) + bytes(inner_eth[0]))))
        out.append(bytes(o / UDP(sport=40000, dport=4789) / Raw(vxlan(100, flags=0) + bytes(inner_eth[0]))))
        out.append(bytes(o / TCP(sport=40000, dport=4789) / Raw(vxlan(100) + bytes(inner_eth[0]))))
    # long options: 63 words, the most the length field holds
    out.append(bytes(outer[0] / UDP(sport=1, dport=6081) / Raw(geneve(7, 0x6558, 63) + bytes(inner_eth[0]))))
    # every frame above, and some cut short inside each of their headers
    for data in out:
        add(Raw(data))
    cuts = [out[0], out[10 * 2 + 1], out[-40], out[-30], out[-12], out[-11]]
    for data in cuts:
        for cut in range(12, min(len(data), 110), 3):
            add(Raw(data), cut)
    # GENEVE over IPv4 and over IPv6 (Ethernet, IPv4, TCP inside), and
    # VXLAN over IPv4, at every byte from the outer transport header on
    for data in (out[89], out[125], out[90]):
        for cut in range(34, len(data)):
            add(Raw(data), cut)
    # tunnels inside tunnels: GENEVE in GENEVE (over IPv4 in IPv6, the inner
    # one with options, Ethernet or IPv4 inside it), VXLAN in GENEVE, GENEVE
    # in VXLAN; and the first cut at every byte of its inner tunnel
    udp4 = UDP(sport=40000, dport=6081)
    nested = [
        bytes(outer[2] / udp4 / Raw(geneve(1, 0x6558, 1) + bytes(
            Ether(src=src, dst=dst) / IP(src="10.0.0.2", dst="172.16.5.4") / udp4 /
            Raw(geneve(2, 0x6558, 2) + bytes(inner_eth[0]))))),
        bytes(outer[0] / udp4 / Raw(geneve(1, 0x6558, 0) + bytes(
            Ether(src=src, dst=dst) / Dot1Q(vlan=5) / IPv6(src="2001:db8::1", dst="2001:db8::2") /
            udp4 / Raw(geneve(2, 0x0800, 0) + bytes(v4))))),
        bytes(outer[1] / udp4 / Raw(geneve(3, 0x0800, 1) + bytes(
            IP(src="10.0.0.2", dst="172.16.5.4") / udp4 / Raw(geneve(4, 0x6558, 0) + bytes(inner_eth[1]))))),
        bytes(outer[0] / udp4 / Raw(geneve(1, 0x6558, 0) + bytes(
            Ether(src=src, dst=dst) / IP(src="10.0.0.2", dst="172.16.5.4") /
            UDP(sport=1, dport=4789) / Raw(vxlan(9) + bytes(inner_eth[2]))))),
        bytes(outer[0] / UDP(sport=1, dport=4789) / Raw(vxlan(9) + bytes(
            Ether(src=src, dst=dst) / IP(src="10.0.0.2", dst="172.16.5.4") / udp4 /
            Raw(geneve(1, 0x6558, 1) + bytes(inner_eth[0]))))),
    ]
    for data in nested:
        add(Raw(data))
    for cut in range(100, len(nested[0])):
        add(Raw(nested[0]), cut)
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


def found_frames():
    """Frames the differential fuzzer found a disagreement on, kept so that
    the differential test would have found it too."""
    for h in (
        # GENEVE, a 4-byte option, a bare packet: "geneve and llc s" read
        # its LLC header two bytes early
        "00aabbccddee00112233445508004500005a000100004011bf7cac1005040a000002"
        "9c4017c100469baa010000000000e8e8e8e8e8e8e8e85de8e8e8e8e8e8e8e8e8e8e8"
        "e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8"
        "e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8002608",
        # GENEVE, an inner Ethernet frame: "geneve and byte 1 < 2" read the
        # inner IPv4 header's byte 1, not the inner Ethernet header's
        "00aabbccddee00112233445508004500005a000100004011bf7cac1005040a000002"
        "9c4017c100469baa000065580000010000aabbccddee020000000001080045000028"
        "000100",
    ):
        data = bytes.fromhex(h)
        frames.append((data, len(data)))


def main():
    out = sys.argv[1]
    for p in v4_packets():
        add(Ether(src=mac(), dst=mac()) / p)
    for p in v6_packets():
        add(Ether(src=mac(), dst=mac()) / p)
    chain_frames()
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
    l2_frames()
    # the encapsulations' frames, after the rest again
    encap_frames()
    for p in ext_frames():
        add(p)

    found_frames()
    write_pcap(out, frames)
    if len(sys.argv) > 2:
        cuts = []
        for p in cut_frames():
            data = bytes(p)
            cuts += [(data[:n], len(data)) for n in range(len(data) + 1)]
        write_pcap(sys.argv[2], cuts)


if __name__ == "__main__":
    main()
