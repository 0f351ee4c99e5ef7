#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The current ruleset's image, saved and loaded back, fast.

  ruleset.py save FILE            write the namespace's ruleset image to FILE,
                                  reading it again while a change interrupts
  ruleset.py flip FILE1 FILE2 N   load FILE1, FILE2, FILE1... N times in all
  ruleset.py load FILE            load FILE; "ok", or "error ERRNO: MESSAGE"
  ruleset.py race FILE1 FILE2 N   N dumps, each started on FILE1's ruleset
                                  (then FILE2's, FILE1's...) which the other
                                  file's replaces once the dump is under
                                  way; prints what the dumps returned
  ruleset.py big FILE RANGES ADDRS
                                  write a large image: one rule to sensor s0
                                  over a port set of RANGES ranges 0-65535
                                  and an IPv4 set of ADDRS addresses
  ruleset.py break IN OUT HOW     write IN, broken as HOW says, to OUT; print
                                  the instruction or record it broke
  ruleset.py rename IN OUT OLD NEW...
                                  write IN to OUT with each target or port
                                  named OLD named NEW; print the number of
                                  the first record renamed

For tests that replace a ruleset many times a second (one process and one
socket, where the tool would start once per replacement), and for images
the compiler would never write.
"""

import os
import random
import re
import socket
import struct
import sys

import genl

DUPTO_CMD_RULESET_SET, DUPTO_CMD_RULESET_GET = 6, 7
DUPTO_A_IMAGE = 6
SAVE_TRIES = 100
SO_SNDBUFFORCE = 32  # not in Python's socket module
PIECE = 60000
REC_HEADER, REC_INSNS, REC_TARGET, REC_PORT, REC_RULE = 1, 2, 3, 4, 5
REC_SET, REC_SET_ELEMS = 7, 8
SET_U16, SET_IP4 = 2, 4
INSN = struct.Struct("=BBHHHII")  # op regs off jt jf imm mask
OP_RET, OP_RULE, OP_JEQK, OP_JINX = 0, 1, 35, 69
OP_MATCH, OP_JIN = 2, 68   # enum dupto_vm_op

# The image version the module reads: the tree's.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kmod",
                       "uapi", "linux", "dupto_vm.h")) as f:
    VM_VERSION = int(re.search(r"#define DUPTO_VM_VERSION\s+(\d+)", f.read())[1])


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


def current(sock, fam):
    """The namespace's ruleset image, dumped again while a change
    interrupts the dump (NLM_F_DUMP_INTR); RuntimeError if every one of
    SAVE_TRIES dumps was."""
    for _ in range(SAVE_TRIES):
        replies = genl.request(sock, fam, DUPTO_CMD_RULESET_GET,
                               flags=genl.NLM_F_DUMP)
        if not genl.request.intr:
            return b"".join(v for r in replies for t, v in genl.attrs(r)
                            if t == DUPTO_A_IMAGE)
    raise RuntimeError(f"the ruleset changed during each of {SAVE_TRIES} dumps")


def pieces(data):
    return b"".join(genl.attr(DUPTO_A_IMAGE, data[i:i + PIECE])
                    for i in range(0, len(data), PIECE))


def race(fam, sock, images, n):
    """Dumps with a replacement between their batches.

    The kernel makes a dump's first batch when asked, and each next one as
    its reader takes the last: the replacement comes as the first batch is
    read, when the second is made already, so the third batch on tells
    whether the dump went on with offsets into an image no longer there.
    Prints a line of counts: dumps that spanned a replacement, how many of
    them the kernel flagged NLM_F_DUMP_INTR, the image bytes they sent
    after it, and the dumps that returned an image other than the one they
    started on without being flagged.
    """
    dump = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, genl.NETLINK_GENERIC)
    dump.settimeout(20)
    # a dump that sends more than this is reading past every image: stop it
    bound = 2 * max(len(im) for im in images)
    spanned = flagged = after = wrong = 0
    for i in range(n):
        first, second = images[i % 2], images[(i + 1) % 2]
        genl.request(sock, fam, DUPTO_CMD_RULESET_SET, pieces(first))
        body = struct.pack("=BBH", DUPTO_CMD_RULESET_GET, genl.ABI_VERSION, 0)
        dump.send(struct.pack("=IHHII", 16 + len(body), fam,
                              genl.NLM_F_REQUEST | genl.NLM_F_DUMP,
                              i + 1, 0) + body)
        got, intr, batch, replaced, done = b"", False, 0, False, False
        while not done and len(got) <= bound:
            data = dump.recv(16384)
            batch += 1
            if batch == 1:
                genl.request(sock, fam, DUPTO_CMD_RULESET_SET, pieces(second))
                replaced = True
                spanned += 1
            while len(data) >= 16:
                length, kind, mflags, _, _ = struct.unpack("=IHHII", data[:16])
                msg, data = data[16:length], data[(length + 3) & ~3:]
                intr |= bool(mflags & genl.NLM_F_DUMP_INTR)
                if kind in (genl.NLMSG_ERROR, genl.NLMSG_DONE):
                    done = True
                    break
                for t, v in genl.attrs(msg[4:]):
                    if t == DUPTO_A_IMAGE:
                        got += v
                        if batch >= 3:
                            after += len(v)
        if not done:
            print(f"dump {i + 1}: {len(got)} image bytes, more than twice "
                  f"the largest image, and no end", file=sys.stderr)
            dump.close()
            dump = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                 genl.NETLINK_GENERIC)
            dump.settimeout(20)
        flagged += replaced and intr
        if not intr and got != first:
            wrong += 1
    print(f"spanned {spanned} flagged {flagged} after {after} wrong {wrong}")
def big(nranges, naddrs):
    """RULE; JIN ports; JIN addresses -> MATCH; RET, to target s0."""
    code = [INSN.pack(OP_RULE, 0, 0, 3, 0, 0, 0),
            INSN.pack(OP_JIN, 0, 36, 0, 0, 0, 0),
            INSN.pack(OP_JIN, 0, 26, 0, 1, 1, 0),
            INSN.pack(OP_MATCH, 0, 0, 0, 0, 0, 0),
            INSN.pack(OP_RET, 0, 0, 0, 0, 0, 0)]
    recs = [[REC_HEADER, struct.pack("=6I", VM_VERSION, len(code), 1, 1, 0, 2)],
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


def sndbuf(sock, size):
    """Room for an image in one message: forced past the system's limit
    where we may (CAP_NET_ADMIN), as the tool does; a user without it
    still gets its request refused by the kernel, not by this script."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, size)
    except PermissionError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)


def main(argv):
    if argv[:1] == ["break"] and len(argv) == 4 and argv[3] in BREAKS:
        with open(argv[1], "rb") as f:
            recs = records(f.read())
        said = str(BREAKS[argv[3]](recs))
        print(said if "=" in said else f"n={said}")
        with open(argv[2], "wb") as f:
            f.write(image_of(recs))
        return 0
    if argv[:1] == ["rename"] and len(argv) >= 5 and len(argv) % 2 == 1:
        with open(argv[1], "rb") as f:
            recs = records(f.read())
        names = dict(zip(argv[3::2], argv[4::2]))
        renamed = [i + 1 for i, r in enumerate(recs)
                   if r[0] in (REC_TARGET, REC_PORT) and
                   r[1].rstrip(b"\0").decode() in names]
        for i in renamed:
            old = recs[i - 1][1].rstrip(b"\0").decode()
            recs[i - 1][1] = names[old].encode() + b"\0"
        print(f"n={renamed[0]}" if renamed else "n=none")
        with open(argv[2], "wb") as f:
            f.write(image_of(recs))
    if argv[:1] == ["big"] and len(argv) == 4:
        with open(argv[1], "wb") as f:
            f.write(big(int(argv[2]), int(argv[3])))
        return 0
    sock = genl.open_netlink()
    # an image goes in one message: room for the largest a test makes
    sndbuf(sock, 4 << 20)
    fam = genl.family_id(sock)
    if argv[:1] == ["save"] and len(argv) == 2:
        try:
            image = current(sock, fam)
        except RuntimeError as e:
            sys.exit(f"ruleset.py: {e}")
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
    elif argv[:1] == ["race"] and len(argv) == 4:
        images = []
        for path in argv[1:3]:
            with open(path, "rb") as f:
                images.append(f.read())
        race(fam, sock, images, int(argv[3]))
    elif argv[:1] == ["load"] and len(argv) == 2:
        with open(argv[1], "rb") as f:
            data = f.read()
        # a message of the whole image must fit the send buffer
        sndbuf(sock, 2 * len(data) + 65536)
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
