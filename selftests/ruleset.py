#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The current ruleset's image, saved and loaded back, fast.

  ruleset.py save FILE            write the namespace's ruleset image to FILE
  ruleset.py flip FILE1 FILE2 N   load FILE1, FILE2, FILE1... N times in all

For tests that replace a ruleset many times a second: one process and one
socket, where the tool would start once per replacement.
"""

import socket
import struct
import sys

import genl

DUPTO_CMD_RULESET_SET, DUPTO_CMD_RULESET_GET = 6, 7
DUPTO_A_IMAGE = 6
PIECE = 60000


def family(sock):
    reply = genl.request(sock, genl.GENL_ID_CTRL, genl.CTRL_CMD_GETFAMILY,
                         genl.attr(genl.CTRL_ATTR_FAMILY_NAME, b"dupto\0"))
    return next(struct.unpack("=H", v[:2])[0] for t, v in genl.attrs(reply[0])
                if t == genl.CTRL_ATTR_FAMILY_ID)


def main(argv):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                         genl.NETLINK_GENERIC)
    sock.setsockopt(genl.SOL_NETLINK, genl.NETLINK_EXT_ACK, 1)
    sock.setsockopt(genl.SOL_NETLINK, genl.NETLINK_CAP_ACK, 1)
    fam = family(sock)
    if argv[:1] == ["save"] and len(argv) == 2:
        image = b"".join(v for r in genl.request(sock, fam, DUPTO_CMD_RULESET_GET,
                                                 flags=genl.NLM_F_DUMP)
                         for t, v in genl.attrs(r) if t == DUPTO_A_IMAGE)
        with open(argv[1], "wb") as f:
            f.write(image)
    elif argv[:1] == ["flip"] and len(argv) == 4:
        images = []
        for path in argv[1:3]:
            with open(path, "rb") as f:
                data = f.read()
            images.append(b"".join(genl.attr(DUPTO_A_IMAGE, data[i:i + PIECE])
                                   for i in range(0, len(data), PIECE)))
        for i in range(int(argv[3])):
            genl.request(sock, fam, DUPTO_CMD_RULESET_SET, images[i % 2])
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except genl.Error as e:
        sys.exit(f"ruleset.py: {e}")
