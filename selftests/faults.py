#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""One request to dupto, failed at each of its allocations in turn.

  faults.py H1 H2 REQUEST...

REQUEST is one of

  port NIC inplace|device     attach NIC (DUPTO_CMD_PORT_NEW); undone by
                              DUPTO_CMD_PORT_DEL
  sensor NAME [LINK]          add a sensor (RTM_NEWLINK, the kind
                              dupto-sensor, up); undone by RTM_DELLINK
  ruleset FILE UNDO           load the image in FILE (DUPTO_CMD_RULESET_SET);
                              undone by loading the image in UNDO

run in the namespace of the inline box, whose bridge joins namespaces H1
(eth0 10.0.0.1) and H2 (eth0 10.0.0.2), which know each other's address.

For N = 1, 2... the request is sent from this thread with N written to its
fail-nth (/proc/thread-self/fail-nth, CONFIG_FAULT_INJECTION): the Nth
allocation the thread makes from then on that failslab's filters let
through fails. With failslab's stack trace filter on dupto's code, those
are the allocations dupto makes, or has made for it, while it serves the
request; the socket work around it does not count. After each, the request
must have failed with an error and changed nothing a user sees (ports, links with their masters and kinds, the
ruleset), or succeeded and be undone to that same state; and a datagram
must cross the bridge both ways. The sweep ends at the first N the request
makes fewer allocations than. One process does it all: under a debug
kernel, starting tools once per allocation took longer than CI has.

Prints a line per problem, then "N allocations, E errors"; exits 1 if
there was a problem. FAULTS_TRACE=1 prints each allocation's outcome to
stderr as it comes.
"""

import ctypes
import os
import select
import socket
import struct
import sys

import genl
import ruleset

NETLINK_ROUTE = 0
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
NLM_F_CREATE, NLM_F_EXCL = 0x400, 0x200
IFF_UP = 0x1
IFLA_IFNAME, IFLA_LINK, IFLA_MASTER, IFLA_LINKINFO = 3, 5, 10, 18
IFLA_INFO_KIND = 1
DUPTO_CMD_PORT_NEW, DUPTO_CMD_PORT_DEL, DUPTO_CMD_PORT_GET = 2, 3, 4
DUPTO_A_PORT = 4
DUPTO_A_PORT_IFNAME, DUPTO_A_PORT_MODE, DUPTO_A_PORT_GONE = 2, 3, 9
MODES = {"inplace": 0, "device": 1}
NLA_F_NESTED = 0x8000
FAIL_NTH = "/proc/thread-self/fail-nth"
CLONE_NEWNET = 0x40000000
MAX_ALLOCATIONS = 2000
PROBE_PORT = 9099
PROBE_WAIT = 2.0
# how long a request may go unanswered: a hang fails the sweep, not the run
ANSWER_WAIT = 30.0
TRACE = bool(os.environ.get("FAULTS_TRACE"))


def fail_nth(n=None):
    """Set this thread's fail-nth, or read it. The file cannot seek: each
    use opens it afresh."""
    fd = os.open(FAIL_NTH, os.O_RDONLY if n is None else os.O_WRONLY)
    try:
        if n is None:
            return int(os.read(fd, 32).strip() or 0)
        os.write(fd, str(n).encode())
        return n
    finally:
        os.close(fd)


class Box:
    """The box's netlink sockets, and what a user would see of it."""

    def __init__(self):
        self.genl = genl.open_netlink()
        ruleset.sndbuf(self.genl, 4 << 20)
        self.fam = genl.family_id(self.genl)
        self.rtnl = genl.open_netlink(NETLINK_ROUTE)
        for sock in self.genl, self.rtnl:
            sock.settimeout(ANSWER_WAIT)

    def dupto(self, cmd, payload=b"", flags=0):
        return genl.request(self.genl, self.fam, cmd, payload, flags)

    def links(self):
        ifi = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
        names, rows = {}, []
        for msg in genl.nl_request(self.rtnl, RTM_GETLINK, ifi,
                                   genl.NLM_F_DUMP):
            index = struct.unpack("=i", msg[4:8])[0]
            a = dict(genl.attrs(msg[16:]))
            info = dict(genl.attrs(a.get(IFLA_LINKINFO, b"")))
            master = a.get(IFLA_MASTER)
            names[index] = a[IFLA_IFNAME].rstrip(b"\0").decode()
            rows.append((index, master and struct.unpack("=I", master)[0],
                         info.get(IFLA_INFO_KIND, b"").rstrip(b"\0").decode()))
        return sorted((names[i], names.get(m, ""), kind)
                      for i, m, kind in rows)

    def ports(self):
        rows = []
        for reply in self.dupto(DUPTO_CMD_PORT_GET, flags=genl.NLM_F_DUMP):
            p = dict(genl.attrs(genl.find(reply, DUPTO_A_PORT) or b""))
            rows.append((p[DUPTO_A_PORT_IFNAME].rstrip(b"\0").decode(),
                         DUPTO_A_PORT_GONE in p))
        return sorted(rows)

    def state(self):
        return {"ports": self.ports(), "links": self.links(),
                "ruleset": ruleset.current(self.genl, self.fam)}


def requests(box, argv):
    """The request and its undoing, built before any fault is armed."""
    op = argv[0] if argv else None
    if op == "port" and len(argv) == 3 and argv[2] in MODES:
        nic = genl.attr(DUPTO_A_PORT_IFNAME, argv[1].encode() + b"\0")
        new = genl.attr(DUPTO_A_PORT | NLA_F_NESTED, nic +
                        genl.attr(DUPTO_A_PORT_MODE, bytes([MODES[argv[2]]])))
        gone = genl.attr(DUPTO_A_PORT | NLA_F_NESTED, nic)
        return (lambda: box.dupto(DUPTO_CMD_PORT_NEW, new),
                lambda: box.dupto(DUPTO_CMD_PORT_DEL, gone))
    if op == "sensor" and len(argv) in (2, 3):
        name = genl.attr(IFLA_IFNAME, argv[1].encode() + b"\0")
        ifi = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, IFF_UP, IFF_UP)
        attrs = name
        if len(argv) == 3:
            link = socket.if_nametoindex(argv[2])
            attrs += genl.attr(IFLA_LINK, struct.pack("=I", link))
        attrs += genl.attr(IFLA_LINKINFO | NLA_F_NESTED,
                           genl.attr(IFLA_INFO_KIND, b"dupto-sensor\0"))
        gone = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0) + name
        return (lambda: genl.nl_request(box.rtnl, RTM_NEWLINK, ifi + attrs,
                                        NLM_F_CREATE | NLM_F_EXCL),
                lambda: genl.nl_request(box.rtnl, RTM_DELLINK, gone))
    if op == "ruleset" and len(argv) == 3:
        images = []
        for path in argv[1:]:
            with open(path, "rb") as f:
                images.append(ruleset.pieces(f.read()))
        return (lambda: box.dupto(ruleset.DUPTO_CMD_RULESET_SET, images[0]),
                lambda: box.dupto(ruleset.DUPTO_CMD_RULESET_SET, images[1]))
    return None


def setns(fd):
    if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET):
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def udp_in(ns, addr):
    """A datagram socket bound to @addr in namespace @ns: a socket stays in
    the namespace it was made in."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        setns(there)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((addr, PROBE_PORT))
    finally:
        setns(home)
        os.close(there)
        os.close(home)
    return sock


def received(sock, token):
    """Whether @token reaches @sock within PROBE_WAIT; older probes' late
    datagrams are passed over."""
    while select.select([sock], [], [], PROBE_WAIT)[0]:
        if sock.recv(64) == token:
            return True
    return False


def forwards(h1, h2, n):
    token = f"probe {n}".encode()
    h1.sendto(token, ("10.0.0.2", PROBE_PORT))
    if not received(h2, token):
        return False
    h2.sendto(token, ("10.0.0.1", PROBE_PORT))
    return received(h1, token)


def sweep(box, send, undo, h1, h2):
    """Returns the number of allocations and of clean errors, and the
    problems seen."""
    before = box.state()
    errors, bad = 0, []
    for n in range(1, MAX_ALLOCATIONS + 1):
        fail_nth(n)
        try:
            send()
            err = None
        except genl.Error as e:
            err = e
        except OSError as e:
            fail_nth(0)
            # socket.timeout included: the kernel never answered
            bad.append(f"allocation {n}: the request got no answer: {e!r}")
            return n, errors, bad
        injected = fail_nth() == 0
        fail_nth(0)
        said = f"error {err}" if err else "ok"
        if TRACE:
            print(f"allocation {n}: {'injected' if injected else 'untouched'} "
                  f"{said}", file=sys.stderr, flush=True)
        if not injected:
            if err:
                bad.append(f"with no failure injected, the request said {said}")
            else:
                undo()
                if box.state() != before:
                    bad.append(f"undone, the request left {box.state()}")
            return n - 1, errors, bad
        if err:
            errors += 1
            after = box.state()
            if after != before:
                bad.append(f"allocation {n} failed ({said}), and the state "
                           f"changed: before {before}, after {after}")
        if not forwards(h1, h2, n):
            bad.append(f"allocation {n} ({said}): the bridge no longer forwards")
        if not err:
            undo()
            after = box.state()
            if after != before:
                bad.append(f"allocation {n}: undone, the request left {after}")
        if bad:
            return n, errors, bad
    bad.append(f"still allocating after {MAX_ALLOCATIONS} failures")
    return MAX_ALLOCATIONS, errors, bad


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    box = Box()
    todo = requests(box, argv[2:])
    if not todo:
        sys.exit(__doc__)
    h1 = udp_in(argv[0], "10.0.0.1")
    h2 = udp_in(argv[1], "10.0.0.2")
    if not forwards(h1, h2, 0):
        sys.exit("faults.py: no datagram crossed the bridge before any fault")
    n, errors, bad = sweep(box, *todo, h1, h2)
    for line in bad:
        print(line)
    print(f"{n} allocations, {errors} errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
