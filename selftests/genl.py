#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink requests, to see how the kernel treats any request,
well-formed or not, exactly as sent.

  genl.py FAMILY CMD [--attr TYPE:HEX]... [--reserved N] [--dump]

TYPE may carry flags: 0x8004 is attribute 4 with NLA_F_NESTED.

Prints "ok", then one "attr TYPE HEX" line per attribute of each reply; or
"error ERRNO[: MESSAGE]" with the extended ACK's message, and exits 1.
"""

import argparse
import errno
import os
import re
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLM_F_ACK_TLVS = 0x200
NLM_F_DUMP_INTR = 0x10
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLMSGERR_ATTR_MSG = 1
# the kernel's names where Python's table has an alias
ERRNO_NAMES = {errno.EOPNOTSUPP: "EOPNOTSUPP"}

# The protocol version requests say they speak: the tree's.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kmod",
                       "uapi", "linux", "dupto.h")) as f:
    ABI_VERSION = int(re.search(r"#define DUPTO_ABI_VERSION\s+(\d+)", f.read())[1])


def attrs(data):
    while len(data) >= 4:
        length, kind = struct.unpack("=HH", data[:4])
        if length < 4:
            break
        yield kind & 0x3fff, data[4:length]
        data = data[(length + 3) & ~3:]


def find(data, kind):
    return next((v for t, v in attrs(data) if t == kind), None)


def attr(kind, payload):
    raw = struct.pack("=HH", 4 + len(payload), kind) + payload
    return raw.ljust((len(raw) + 3) & ~3, b"\0")


class Error(Exception):
    """A refusal: its errno and the extended ACK's message, if any."""

    def __init__(self, err, text=""):
        super().__init__(err, text)
        self.err, self.text = err, text

    def __str__(self):
        name = ERRNO_NAMES.get(self.err) or \
            errno.errorcode.get(self.err, str(self.err))
        return f"{name}: {self.text}" if self.text else name


def nl_request(sock, kind, payload, flags=0):
    """Send one netlink message of type @kind (any netlink protocol): the
    payloads of the replies to it, or Error. nl_request.intr says whether a
    dump was flagged inconsistent (NLM_F_DUMP_INTR)."""
    seq = nl_request.seq = getattr(nl_request, "seq", 0) + 1
    # NLM_F_DUMP is two bits, and one of them is NLM_F_EXCL of a new request
    dump = flags & NLM_F_DUMP == NLM_F_DUMP
    sock.send(struct.pack("=IHHII", 16 + len(payload), kind,
                          NLM_F_REQUEST | flags | (0 if dump else NLM_F_ACK),
                          seq, 0) + payload)
    replies = []
    nl_request.intr = False
    while True:
        data = sock.recv(1 << 17)
        while len(data) >= 16:
            length, mtype, mflags, mseq, _ = struct.unpack("=IHHII", data[:16])
            msg, data = data[16:length], data[(length + 3) & ~3:]
            if mseq != seq:
                continue
            nl_request.intr |= bool(mflags & NLM_F_DUMP_INTR)
            if mtype in (NLMSG_ERROR, NLMSG_DONE):
                err = -struct.unpack("=i", msg[:4])[0]
                if err:
                    text = ""
                    if mflags & NLM_F_ACK_TLVS:
                        v = find(msg[20:], NLMSGERR_ATTR_MSG)
                        # it may quote a name the request gave, any bytes
                        text = v.rstrip(b"\0").decode(
                            errors="backslashreplace") if v else ""
                    raise Error(err, text)
                return replies
            replies.append(msg)


def open_netlink(proto=NETLINK_GENERIC):
    """A netlink socket that gets extended ACKs, without the request echoed."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    return sock


def family_id(sock, name="dupto"):
    """The id of generic netlink family @name, or Error."""
    reply = request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                    attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
    return next(struct.unpack("=H", v[:2])[0] for t, v in attrs(reply[0])
                if t == CTRL_ATTR_FAMILY_ID)


def request(sock, family, cmd, payload=b"", flags=0, version=ABI_VERSION,
            reserved=0):
    """A generic netlink request: the replies' attributes (after the genl
    header), or Error; request.intr as nl_request.intr."""
    replies = nl_request(sock, family,
                         struct.pack("=BBH", cmd, version, reserved) + payload,
                         flags)
    request.intr = nl_request.intr
    return [r[4:] for r in replies]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("family")
    p.add_argument("cmd", type=int)
    p.add_argument("--attr", action="append", default=[])
    p.add_argument("--reserved", type=int, default=0)
    p.add_argument("--version", type=int, default=ABI_VERSION,
                   help="the protocol version in the request's header")
    p.add_argument("--dump", action="store_true")
    args = p.parse_args()

    sock = open_netlink()
    try:
        family = family_id(sock, args.family)
        payload = b"".join(attr(int(t, 0), bytes.fromhex(h)) for t, h in
                           (a.split(":", 1) for a in args.attr))
        replies = request(sock, family, args.cmd, payload,
                          NLM_F_DUMP if args.dump else 0,
                          version=args.version, reserved=args.reserved)
    except Error as e:
        print(f"error {e}")
        return 1
    print("ok")
    for r in replies:
        for t, v in attrs(r):
            print(f"attr {t} {v.hex()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
