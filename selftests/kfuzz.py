#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Coverage-guided fuzzing of dupto's generic netlink family, from inside
a guest whose kernel has KCOV (the debug kernels; only dupto's code is
instrumented, so every PC traced is dupto's).

  kfuzz.py SECONDS IMAGE...

Each request is a command (known or not) sent as a do or a dump, with a
header version, attributes generated from the protocol's attribute trees
(dupto.h) and then mutated: types, nesting, lengths, values near every
boundary, the names and indexes of the namespace's devices, and the
IMAGE files (ruleset images the compiler wrote) cut in pieces and mutated
byte by byte. A request whose trace reaches an edge (a pair of PCs in a
row) never reached before joins the corpus, to be mutated further; every
tenth request is a well-formed one on the namespace's own ports and
sensors (one of the IMAGE files loaded as it is, a port's or a sensor's
settings changed, a dump, the counters reset), so that requests also meet
a ruleset and the paths past parsing are reached every run.

Prints, last, one line of figures:

  requests N corpus N edges N pcs N errors N images N loaded N seeds N
  seeds_loaded N
(images: ruleset loads sent, and how many the verifier accepted; seeds:
the IMAGE files loaded as they are, and how many of those took)
then "findings N", and one line per finding: a request that dupto's code
handled (its trace is not empty) and refused without an extended ACK
message. Writes the PCs reached to $KFUZZ_PCS if set (one hex per line).
Exits 1 if there were findings.
"""

import ctypes
import errno
import fcntl
import mmap
import os
import random
import socket
import struct
import sys
import time

import genl

KCOV_PATH = "/sys/kernel/debug/kcov"
KCOV_INIT_TRACE = 0x80086301
KCOV_ENABLE, KCOV_DISABLE = 0x6364, 0x6365
KCOV_TRACE_PC = 0
COVER_WORDS = 1 << 16

NLA_F_NESTED = 0x8000
NLA_F_NET_BYTEORDER = 0x4000
NLM_F_DUMP = genl.NLM_F_DUMP
NCMDS = 13

# The attribute trees of dupto.h: type -> (kind, nested tree)
U8, U16, U32, U64, STR, FLAG, BIN, NEST = range(8)
PORT = {1: (U32, None), 2: (STR, None), 3: (U8, None), 4: (U32, None),
        5: (STR, None), 6: (FLAG, None), 7: (NEST, {}), 8: (U16, None),
        9: (FLAG, None)}
SENSOR = {1: (U32, None), 2: (STR, None), 3: (U32, None), 4: (NEST, {}),
          5: (U32, None), 6: (FLAG, None), 7: (U32, None), 8: (U32, None),
          9: (U32, None), 10: (U64, None), 11: (U32, None), 12: (BIN, None),
          13: (FLAG, None)}
RULE = {1: (BIN, None), 2: (U32, None), 3: (U64, None), 4: (U64, None)}
TOP = {1: (STR, None), 2: (U32, None), 3: (U64, None), 4: (NEST, PORT),
       5: (NEST, SENSOR), 6: (BIN, None), 7: (U32, None), 8: (NEST, RULE),
       9: (BIN, None)}
# what each command reads, most of the time (the rest: anything)
WANTS = {1: [], 2: [4], 3: [4], 4: [4], 5: [5], 6: [6, 7], 7: [], 8: [8],
         9: [], 10: [5], 11: [4], 12: [5], 13: [5]}

EDGE_INTS = [0, 1, 2, 3, 4, 14, 15, 16, 64, 0x7f, 0x80, 0xff, 0x100, 1500,
             4094, 4095, 4096, 0x7fff, 0x8000, 0xffff, 0x10000, 65535 * 8,
             0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff]


class Kcov:
    """This thread's trace of dupto's PCs. Python's mmap module refuses to
    map past a regular file's size, and debugfs files have none: libc's
    mmap, through ctypes."""

    def __init__(self):
        self.fd = os.open(KCOV_PATH, os.O_RDWR)
        fcntl.ioctl(self.fd, KCOV_INIT_TRACE, COVER_WORDS)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                              ctypes.c_int, ctypes.c_int, ctypes.c_long]
        addr = libc.mmap(None, COVER_WORDS * 8, mmap.PROT_READ | mmap.PROT_WRITE,
                         mmap.MAP_SHARED, self.fd, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap of kcov")
        self.buf = (ctypes.c_uint64 * COVER_WORDS).from_address(addr)
        fcntl.ioctl(self.fd, KCOV_ENABLE, KCOV_TRACE_PC)

    def reset(self):
        self.buf[0] = 0

    def pcs(self):
        n = min(self.buf[0], COVER_WORDS - 1)
        return self.buf[1:1 + n]


class Fuzzer:
    def __init__(self, images, rnd):
        self.rnd = rnd
        self.images = images
        self.sock = self.open()
        self.family = genl.family_id(self.sock)
        self.kcov = Kcov()
        self.edges, self.seen_pcs = set(), set()
        self.corpus = []
        self.requests = self.errors = 0
        self.images_sent = self.images_loaded = 0
        self.seeds_sent = self.seeds_loaded = 0
        self.findings = {}
        self.dump_start_says = self.probe_dump_start()

    def probe_dump_start(self):
        """Whether a dump refused by its start callback says why: 6.1
        does not pass the request's extended ACK to it (a bare errno),
        so there a silent dump refusal is the kernel's, not dupto's."""
        try:
            genl.request(self.sock, self.family, 7, flags=NLM_F_DUMP,
                         version=genl.ABI_VERSION + 1)
        except genl.Error as e:
            return bool(e.text)
        return True

    def open(self):
        sock = genl.open_netlink()
        try:	# room for a whole image, where we may (CAP_NET_ADMIN)
            sock.setsockopt(socket.SOL_SOCKET, 32, 1 << 23)  # SO_SNDBUFFORCE
        except PermissionError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 23)
        sock.settimeout(10)
        return sock

    # --- values ----------------------------------------------------------

    def devices(self):
        """this namespace's devices, (index, name), asked over netlink:
        /sys may be another namespace's"""
        return socket.if_nameindex() or [(1, "lo")]

    def integer(self, bits):
        r = self.rnd
        c = r.random()
        if c < 0.4:
            v = r.choice(EDGE_INTS)
        elif c < 0.6 and bits >= 32:
            v = r.choice(self.devices())[0]
        else:
            v = r.getrandbits(bits)
        return v & ((1 << bits) - 1)

    def string(self):
        r = self.rnd
        c = r.random()
        if c < 0.6:
            s = r.choice(self.devices())[1].encode()
        elif c < 0.7:
            s = b"x" * r.choice([15, 16, 17, 64, 300])
        else:
            s = bytes(r.getrandbits(8) for _ in range(r.randrange(0, 20)))
        return s + (b"\0" if r.random() < 0.9 else b"")

    def binary(self):
        r = self.rnd
        if self.images and r.random() < 0.8:
            img = self.mutate_bytes(r.choice(self.images))
            return img[:r.choice([len(img), len(img), r.randrange(0, len(img) + 1)])]
        return bytes(r.getrandbits(8) for _ in range(r.randrange(0, 64)))

    def payload(self, kind, tree, depth):
        r = self.rnd
        if kind == U8:
            return struct.pack("=B", self.integer(8))
        if kind == U16:
            return struct.pack("=H", self.integer(16))
        if kind == U32:
            return struct.pack("=I", self.integer(32))
        if kind == U64:
            return struct.pack("=Q", self.integer(64))
        if kind == STR:
            return self.string()
        if kind == FLAG:
            return b"" if r.random() < 0.9 else b"\1"
        if kind == BIN:
            return self.binary()
        return self.attrs(tree or {}, depth + 1)

    def attrs(self, tree, depth, wanted=None):
        r = self.rnd
        out = b""
        types = list(tree) if tree else []
        chosen = list(wanted) if wanted is not None else \
            r.sample(types, r.randrange(0, len(types) + 1)) if types else []
        if r.random() < 0.3 or not types:
            chosen += [r.randrange(0, 16) for _ in range(r.randrange(0, 3))]
        for t in chosen:
            kind, sub = tree.get(t, (r.choice([U8, U32, STR, BIN, NEST]), {}))
            if depth > 3:
                kind = BIN
            data = self.payload(kind, sub, depth)
            flags = NLA_F_NESTED if kind == NEST else 0
            if r.random() < 0.05:
                flags ^= NLA_F_NESTED
            if r.random() < 0.02:
                flags |= NLA_F_NET_BYTEORDER
            out += self.attr(t | flags, data)
        return out

    def attr(self, kind, data):
        r = self.rnd
        raw = genl.attr(kind, data)
        c = r.random()
        if c < 0.03:		# a length that overruns what follows
            raw = struct.pack("=H", r.choice([len(raw) + 4, 0xffff, 3])) + raw[2:]
        elif c < 0.05:		# a length short of the payload
            raw = struct.pack("=H", max(4, len(data) // 2 + 4)) + raw[2:]
        return raw

    def mutate_bytes(self, data):
        r = self.rnd
        b = bytearray(data)
        for _ in range(r.choice([0, 1, 1, 2, 4, 8])):
            if not b:
                break
            c = r.random()
            i = r.randrange(len(b))
            if c < 0.4:
                b[i] ^= 1 << r.randrange(8)
            elif c < 0.6:
                b[i] = r.choice([0, 1, 0x7f, 0x80, 0xff])
            elif c < 0.7 and i + 4 <= len(b):
                b[i:i + 4] = struct.pack("=I", r.choice(EDGE_INTS))
            elif c < 0.8:
                j = r.randrange(i, min(len(b), i + 64) + 1)
                b[i:i] = b[i:j]
            elif c < 0.9:
                del b[i:r.randrange(i, min(len(b), i + 64) + 1)]
            else:
                other = r.choice(self.images) if self.images else bytes(b)
                j = r.randrange(len(other) + 1)
                b = b[:i] + bytearray(other[j:])
        return bytes(b)

    # --- requests ----------------------------------------------------------

    def generate(self):
        r = self.rnd
        if self.corpus and r.random() < 0.5:
            cmd, flags, version, payload = r.choice(self.corpus)
            if r.random() < 0.5:
                payload = self.mutate_bytes(payload)
            else:
                payload += self.attrs(TOP, 0)
            if r.random() < 0.1:
                flags ^= NLM_F_DUMP
            return cmd, flags, version, payload
        cmd = r.randrange(1, NCMDS + 1) if r.random() < 0.95 else r.randrange(0, 256)
        flags = NLM_F_DUMP if r.random() < 0.3 else 0
        v = genl.ABI_VERSION
        version = v if r.random() < 0.95 else r.choice([0, v - 1, v + 1, 255])
        if cmd == 6 and self.images and r.random() < 0.7:
            payload = self.image_pieces(self.binary())
            if r.random() < 0.3:
                payload += self.attr(7, struct.pack("=I", self.integer(32)))
        else:
            payload = self.attrs(TOP, 0, WANTS.get(cmd) if r.random() < 0.8 else None)
        return cmd, flags, version, payload

    def image_pieces(self, image):
        r = self.rnd
        out, i = b"", 0
        while i < len(image):
            n = r.choice([60000, 60000, 1, 7, 4096, r.randrange(1, 60001)])
            out += genl.attr(6, image[i:i + n])
            i += n
        return out

    def send(self, cmd, flags, version, payload):
        """errno (0: accepted), the extack message, the trace."""
        self.kcov.reset()
        try:
            genl.request(self.sock, self.family, cmd, payload, flags,
                         version=version)
            err, msg = 0, ""
        except genl.Error as e:
            err, msg = e.err, e.text
        except (OSError, socket.timeout) as e:
            # the socket may be left mid-reply: start afresh
            err, msg = e.errno or -1, ""
            self.sock.close()
            self.sock = self.open()
        pcs = self.kcov.pcs()
        return err, msg, pcs

    def run_one(self, req):
        cmd, flags, version, payload = req
        err, msg, pcs = self.send(cmd, flags, version, payload)
        self.requests += 1
        if cmd == 6 and not flags & NLM_F_DUMP and version == genl.ABI_VERSION:
            self.images_sent += 1
            self.images_loaded += not err
        new = False
        prev = 0
        for pc in pcs:
            e = (prev, pc)
            if e not in self.edges:
                self.edges.add(e)
                new = True
            prev = pc
        self.seen_pcs.update(pcs)
        if new:
            self.corpus.append(req)
        if err:
            self.errors += 1
            dump = flags & NLM_F_DUMP == NLM_F_DUMP
            if len(pcs) and not msg and err not in (errno.EINTR, errno.ENOBUFS) \
                    and (self.dump_start_says or not dump):
                key = (cmd, bool(flags & NLM_F_DUMP), err)
                self.findings.setdefault(key, (pcs[-1], payload[:64].hex()))
        return err

    def names(self, cmd, nest):
        """the names of the ports (or sensors) a dump of @cmd lists"""
        try:
            replies = genl.request(self.sock, self.family, cmd, flags=NLM_F_DUMP)
        except (genl.Error, OSError):
            return []
        found = []
        for reply in replies:
            obj = genl.find(reply, nest)
            name = obj and genl.find(obj, 2)
            if name:
                found.append(name.rstrip(b"\0"))
        return found

    # Well-formed requests on the namespace's own ports and sensors, so
    # that the handlers' paths past parsing (a change made, published and
    # announced; dumps of real objects) are reached every run, and the
    # corpus grows from them.
    def valid_ruleset(self):
        img = self.rnd.choice(self.images)
        return 6, 0, self.image_pieces(img)

    def valid_port_set(self):
        r = self.rnd
        port = self.names(4, 4)
        name = r.choice(port) if port else b"lo"
        opt = genl.attr(8, struct.pack("=H", r.choice([0, 1, 2, 100, 4094])))
        return 11, 0, genl.attr(4 | NLA_F_NESTED, genl.attr(2, name + b"\0") + opt)

    def valid_sensor_set(self):
        r = self.rnd
        sensors = self.names(5, 5)
        name = r.choice(sensors) if sensors else b"lo"
        opts = [genl.attr(5, struct.pack("=I", r.choice([64, 128, 1514, 65535]))),
                genl.attr(6, b""),
                genl.attr(7, struct.pack("=I", r.choice([1, 2, 100]))),
                genl.attr(8, struct.pack("=I", r.choice([1, 3, 1000]))),
                genl.attr(9, struct.pack("=I", r.choice([1, 1000, 100000]))),
                genl.attr(10, struct.pack("=Q", r.choice([1, 125000, 1 << 40]))),
                genl.attr(11, struct.pack("=I", r.choice([1, 64, 1000])))]
        body = genl.attr(2, name + b"\0") + b"".join(r.sample(opts, r.randrange(0, 4)))
        return 10, 0, genl.attr(5 | NLA_F_NESTED, body)

    def valid_dump(self):
        return self.rnd.choice([4, 5, 7, 8]), NLM_F_DUMP, b""

    def valid_other(self):
        return self.rnd.choice([1, 9]), 0, b""

    VALID = [valid_ruleset, valid_port_set, valid_sensor_set, valid_dump,
             valid_other]

    def valid_change(self):
        """One well-formed request; the seed images, loaded as they are,
        are counted apart: the run must show they load."""
        make = self.rnd.choice(self.VALID[0 if self.images else 1:])
        cmd, flags, payload = make(self)
        err = self.run_one((cmd, flags, genl.ABI_VERSION, payload))
        if make is Fuzzer.valid_ruleset:
            self.seeds_sent += 1
            self.seeds_loaded += not err

def main(argv):
    if len(argv) < 1:
        print(__doc__, file=sys.stderr)
        return 2
    seconds = float(argv[0])
    images = []
    for path in argv[1:]:
        with open(path, "rb") as f:
            images.append(f.read())
    seed = int(os.environ.get("KFUZZ_SEED", "0")) or random.randrange(1 << 32)
    print(f"# seed {seed} (KFUZZ_SEED={seed} repeats this run's choices)")
    fz = Fuzzer(images, random.Random(seed))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if fz.requests % 10 == 9:
            fz.valid_change()
        else:
            fz.run_one(fz.generate())
    out = os.environ.get("KFUZZ_PCS")
    if out:
        with open(out, "w") as f:
            f.writelines(f"{pc:x}\n" for pc in sorted(fz.seen_pcs))
    print(f"requests {fz.requests} corpus {len(fz.corpus)} edges {len(fz.edges)} "
          f"pcs {len(fz.seen_pcs)} errors {fz.errors} images {fz.images_sent} "
          f"loaded {fz.images_loaded} seeds {fz.seeds_sent} "
          f"seeds_loaded {fz.seeds_loaded}")
    if not fz.dump_start_says:
        print("# this kernel drops a dump start's extended ACK: "
              "dumps refused without a message are not findings")
    print(f"findings {len(fz.findings)}")
    for (cmd, dump, err), (pc, head) in sorted(fz.findings.items()):
        print(f"finding: command {cmd} {'dump' if dump else 'do'} refused with "
              f"{errno.errorcode.get(err, err)} and no message (last pc {pc:x}, "
              f"request {head})")
    return 1 if fz.findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
