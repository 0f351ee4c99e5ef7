#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""One request to dupto with its Nth allocation made to fail.

  faults.py N port NIC inplace|device     attach NIC (DUPTO_CMD_PORT_NEW)
  faults.py N sensor NAME [LINK]          add a sensor (RTM_NEWLINK, the
                                          kind dupto-sensor, up)
  faults.py N ruleset FILE                load the image in FILE
                                          (DUPTO_CMD_RULESET_SET)

The request is sent from this thread with N written to its fail-nth
(/proc/thread-self/fail-nth, CONFIG_FAULT_INJECTION): the Nth allocation
the thread makes from then on that failslab's filters let through fails.
With failslab's stack trace filter on dupto's code, those are the
allocations dupto makes, or has made for it, while it serves the request;
the socket work around it does not count. Prints one line:

  injected ok | injected error ERRNO: MESSAGE
      the Nth allocation failed; what the request then returned
  untouched ok | untouched error ERRNO: MESSAGE
      the request made fewer than N such allocations
"""

import os
import socket
import struct
import sys

import genl

NETLINK_ROUTE = 0
RTM_NEWLINK = 16
NLM_F_CREATE, NLM_F_EXCL = 0x400, 0x200
IFF_UP = 0x1
IFLA_IFNAME, IFLA_LINK, IFLA_LINKINFO, IFLA_INFO_KIND = 3, 5, 18, 1
DUPTO_CMD_PORT_NEW, DUPTO_CMD_RULESET_SET = 2, 6
DUPTO_A_PORT, DUPTO_A_IMAGE = 4, 6
DUPTO_A_PORT_IFNAME, DUPTO_A_PORT_MODE = 2, 3
MODES = {"inplace": 0, "device": 1}
NLA_F_NESTED = 0x8000
PIECE = 60000
FAIL_NTH = "/proc/thread-self/fail-nth"


def prepare(argv):
    """The socket and the request, built before the fault is armed."""
    op = argv[0]
    if op == "port" and len(argv) == 3 and argv[2] in MODES:
        sock = genl.open_netlink()
        fam = genl.family_id(sock)
        nest = genl.attr(DUPTO_A_PORT_IFNAME, argv[1].encode() + b"\0") + \
            genl.attr(DUPTO_A_PORT_MODE, bytes([MODES[argv[2]]]))
        payload = genl.attr(DUPTO_A_PORT | NLA_F_NESTED, nest)
        return lambda: genl.request(sock, fam, DUPTO_CMD_PORT_NEW, payload)
    if op == "sensor" and len(argv) in (2, 3):
        sock = genl.open_netlink(NETLINK_ROUTE)
        ifi = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, IFF_UP, IFF_UP)
        attrs = genl.attr(IFLA_IFNAME, argv[1].encode() + b"\0")
        if len(argv) == 3:
            link = socket.if_nametoindex(argv[2])
            attrs += genl.attr(IFLA_LINK, struct.pack("=I", link))
        attrs += genl.attr(IFLA_LINKINFO | NLA_F_NESTED,
                           genl.attr(IFLA_INFO_KIND, b"dupto-sensor\0"))
        return lambda: genl.nl_request(sock, RTM_NEWLINK, ifi + attrs,
                                       NLM_F_CREATE | NLM_F_EXCL)
    if op == "ruleset" and len(argv) == 2:
        sock = genl.open_netlink()
        sock.setsockopt(socket.SOL_SOCKET, 32, 1 << 24)  # SO_SNDBUFFORCE
        fam = genl.family_id(sock)
        with open(argv[1], "rb") as f:
            data = f.read()
        payload = b"".join(genl.attr(DUPTO_A_IMAGE, data[i:i + PIECE])
                           for i in range(0, len(data), PIECE))
        return lambda: genl.request(sock, fam, DUPTO_CMD_RULESET_SET, payload)
    return None


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


def main(argv):
    send = prepare(argv[1:]) if len(argv) >= 3 else None
    if not send:
        print(__doc__, file=sys.stderr)
        return 2
    fail_nth(int(argv[0]))
    try:
        send()
        said = "ok"
    except genl.Error as e:
        said = f"error {e}"
    left = fail_nth()
    fail_nth(0)
    print(f"{'untouched' if left else 'injected'} {said}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
