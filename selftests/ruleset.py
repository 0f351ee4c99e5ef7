#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The current ruleset's image, saved and loaded back, fast.

  ruleset.py save FILE            write the namespace's ruleset image to FILE
  ruleset.py flip FILE1 FILE2 N   load FILE1, FILE2, FILE1... N times in all
  ruleset.py load FILE            load FILE; "ok", or "error ERRNO: MESSAGE"
  ruleset.py big FILE RANGES ADDRS
                                  write a large image: one rule to sensor s0
                                  over a port set of RANGES ranges 0-65535
                                  and an IPv4 set of ADDRS addresses
  ruleset.py break IN OUT HOW     write IN, broken as HOW says, to OUT; print
                                  the instruction or record it broke

For tests that replace a ruleset many times a second (one process and one
socket, where the tool would start once per replacement), and for images
the compiler would never write.
"""

import random
import socket
import struct
import sys

import genl

DUPTO_CMD_RULESET_SET, DUPTO_CMD_RULESET_GET = 6, 7
DUPTO_A_IMAGE = 6
PIECE = 60000
SO_SNDBUFFORCE = 32
REC_HEADER, REC_INSNS, REC_TARGET, REC_RULE = 1, 2, 3, 5
REC_SET, REC_SET_ELEMS = 7, 8
SET_U16, SET_IP4 = 2, 4
INSN = struct.Struct("=BBHHHII")  # op regs off jt jf imm mask
OP_RET, OP_RULE, OP_JEQK, OP_JINX = 0, 1, 37, 74
OP_MATCH, OP_JIN = 2, 68   # enum dupto_vm_op


def records(image):
    """The image's records as [type, payload] lists."""
    out = []
    while image:
        length, kind = struct.unpack("=HH", image[:4])
        out.append([kind, image[4:length]])
        image = image[(length + 3) & ~3:]
    return out


def image_of(recs):
    return b"".join(genl.attr(kind, payload) for kind, payload in recs)


def insns(recs):
    """(record, offset) of every instruction, in order."""
    return [(r, off) for r in recs if r[0] == REC_INSNS
            for off in range(0, len(r[1]), INSN.size)]


def set_insn(where, **fields):
    rec, off = where
    names = ("op", "regs", "off", "jt", "jf", "imm", "mask")
    insn = dict(zip(names, INSN.unpack_from(rec[1], off)))
    insn.update(fields)
    rec[1] = rec[1][:off] + INSN.pack(*(insn[n] for n in names)) + \
        rec[1][off + INSN.size:]


def first(recs, pred):
    return next(i for i, (r, off) in enumerate(insns(recs))
                if pred(r[1][off]))


# Each way to break an image changes one thing and returns what the kernel's
# message will name: an instruction's or a record's number, or a value; as
# "n=N" or, for a plain number, N alone.
def brk_version(recs):
    recs[0][1] = struct.pack("=I", 99) + recs[0][1][4:]
    return 99


def brk_opcode(recs):
    set_insn(insns(recs)[1], op=200)
    return 1


def brk_jump(recs):
    n = first(recs, lambda op: OP_JEQK <= op <= OP_JINX)
    set_insn(insns(recs)[n], jt=0xffff)
    return f"n={n} to={n + 1 + 0xffff}"


def brk_order(recs):
    set_insn(insns(recs)[-1], op=OP_RULE)
    return len(insns(recs)) - 1


def brk_truncate(recs):
    del recs[2:]
    return 3


def brk_rule(recs):
    n = first(recs, lambda op: op == OP_RULE)
    set_insn(insns(recs)[n], imm=0x80)
    return n


def brk_target(recs):
    n = next(i for i, r in enumerate(recs) if r[0] == REC_RULE)
    rec = recs[n]
    rec[1] = rec[1][:8] + struct.pack("=H", 7) + rec[1][10:]
    return n + 1


def brk_sensor(recs):
    n = next(i for i, r in enumerate(recs) if r[0] == REC_TARGET)
    recs[n][1] = b"nosuch\0"
    return n + 1


def brk_name(recs):
    n = next(i for i, r in enumerate(recs) if r[0] == REC_TARGET)
    recs[n][1] = b"x" * 40 + b"\0"
    return n + 1


def brk_extra(recs):
    recs.append([99, b""])
    return len(recs)


BREAKS = {name[4:]: fn for name, fn in globals().items()
          if name.startswith("brk_")}


def big(nranges, naddrs):
    """RULE; JIN ports; JIN addresses -> MATCH; RET, to target s0."""
    code = [INSN.pack(OP_RULE, 0, 0, 3, 0, 0, 0),
            INSN.pack(OP_JIN, 0, 36, 0, 0, 0, 0),
            INSN.pack(OP_JIN, 0, 26, 0, 1, 1, 0),
            INSN.pack(OP_MATCH, 0, 0, 0, 0, 0, 0),
            INSN.pack(OP_RET, 0, 0, 0, 0, 0, 0)]
    recs = [[REC_HEADER, struct.pack("=6I", 1, len(code), 1, 1, 0, 2)],
            [REC_INSNS, b"".join(code)],
            [REC_TARGET, b"s0\0"],
            [REC_RULE, struct.pack("=IHHH", 0, 1, 0, 0)]]
    ranges = struct.pack("=HH", 0, 65535) * nranges
    rnd = random.Random(1)
    # struct dupto_vm_addr: 16 address bytes, prefix length 32, 3 zeros
    addrs = b"".join(rnd.getrandbits(32).to_bytes(4, "big") + bytes(12) +
                     b"\x20\0\0\0" for _ in range(naddrs))
    for kind, elems, size, n in ((SET_U16, ranges, 4, nranges),
                                 (SET_IP4, addrs, 20, naddrs)):
        recs.append([REC_SET, struct.pack("=HHI", kind, 0, n)])
        per = 65000 // size * size
        recs += [[REC_SET_ELEMS, elems[i:i + per]]
                 for i in range(0, len(elems), per)]
    return image_of(recs)


def family(sock):
    reply = genl.request(sock, genl.GENL_ID_CTRL, genl.CTRL_CMD_GETFAMILY,
                         genl.attr(genl.CTRL_ATTR_FAMILY_NAME, b"dupto\0"))
    return next(struct.unpack("=H", v[:2])[0] for t, v in genl.attrs(reply[0])
                if t == genl.CTRL_ATTR_FAMILY_ID)


def main(argv):
    if argv[:1] == ["break"] and len(argv) == 4 and argv[3] in BREAKS:
        with open(argv[1], "rb") as f:
            recs = records(f.read())
        said = str(BREAKS[argv[3]](recs))
        print(said if "=" in said else f"n={said}")
        with open(argv[2], "wb") as f:
            f.write(image_of(recs))
        return 0
    if argv[:1] == ["big"] and len(argv) == 4:
        with open(argv[1], "wb") as f:
            f.write(big(int(argv[2]), int(argv[3])))
        return 0
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
    elif argv[:1] == ["load"] and len(argv) == 2:
        with open(argv[1], "rb") as f:
            data = f.read()
        # a message of the whole image must fit the send buffer
        sock.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 2 * len(data) + 65536)
        try:
            genl.request(sock, fam, DUPTO_CMD_RULESET_SET,
                         b"".join(genl.attr(DUPTO_A_IMAGE, data[i:i + PIECE])
                                  for i in range(0, len(data), PIECE)))
        except genl.Error as e:
            print(f"error {e}")
            return 1
        print("ok")
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except genl.Error as e:
        sys.exit(f"ruleset.py: {e}")
