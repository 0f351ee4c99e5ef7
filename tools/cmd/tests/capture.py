#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# capture.py DUPTO: "dupto compile RULES -r CAPTURE" on captures written
# here byte by byte (pcap in both byte orders, with microseconds and
# nanoseconds, with an FCS in its link type; pcapng with two interfaces,
# with a second link type, with a first one that is not Ethernet; files cut
# short or corrupt), as a user sees it: a table of rows {name, arguments,
# standard output, standard error, exit status}, compared exactly. Where
# tcpdump is installed, every rule's count is also tcpdump's count of the
# frames its filter takes. One TAP line per check.

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

# ---- frames, built by hand (padded to Ethernet's 60 bytes) ----

MAC_A = bytes.fromhex('020000000001')
MAC_B = bytes.fromhex('020000000002')


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(proto, payload):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0, 64,
                      proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    return hdr + payload


def ether(ethertype, payload):
    frame = MAC_B + MAC_A + struct.pack('!H', ethertype) + payload
    return frame + b'\0' * (60 - len(frame)) if len(frame) < 60 else frame


TCP80 = ether(0x0800, ipv4(6, struct.pack('!HHIIBBHHH', 40000, 80, 1, 0, 0x50,
                                          0x02, 65535, 0, 0)))
UDP53 = ether(0x0800, ipv4(17, struct.pack('!HHHH', 40000, 53, 8, 0)))
ARP = ether(0x0806, struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, MAC_A,
                                bytes([10, 0, 0, 1]), b'\0' * 6,
                                bytes([10, 0, 0, 2])))
FRAMES = [TCP80, UDP53, ARP]


def with_fcs(frame):
    return frame + struct.pack('<I', zlib.crc32(frame))


# ---- capture files ----

def pcap(frames, linktype=1, nano=False, endian='<', snaplen=262144,
         records=None):
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    out = struct.pack(endian + 'IHHiIII', magic, 2, 4, 0, 0, snaplen,
                      linktype)
    for i, f in enumerate(frames):
        caplen, wirelen = (len(f), len(f)) if records is None else records[i]
        out += struct.pack(endian + 'IIII', 1700000000 + i,
                           123456789 if nano else 123456, caplen, wirelen) + f
    return out


def block(btype, body):
    body += b'\0' * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack('<II', btype, n) + body + struct.pack('<I', n)


def shb():
    return block(0x0a0d0d0a, struct.pack('<IHHq', 0x1a2b3c4d, 1, 0, -1))


def idb(linktype, snaplen=262144):
    return block(1, struct.pack('<HHI', linktype, 0, snaplen))


def epb(iface, frame, ts=0):
    return block(6, struct.pack('<IIIII', iface, 0, ts, len(frame),
                                len(frame)) + frame)


def spb(frame):
    return block(3, struct.pack('<I', len(frame)) + frame)


# a Name Resolution Block, which a reader of frames passes over
NRB = block(4, struct.pack('<HH4s', 1, 12, bytes([10, 0, 0, 1])) +
            b'host.test\0\0\0' + struct.pack('<HH', 0, 0))

# a frame of Linux's cooked capture (LINKTYPE_LINUX_SLL, 113)
SLL = struct.pack('!HHH8sH', 0, 1, 6, MAC_A + b'\0\0', 0x0800) + \
    ipv4(6, b'\0' * 20)


def files():
    """Name: contents, of every capture of the table."""
    plain = pcap(FRAMES)
    return {
        'plain.pcap': plain,
        'nano.pcap': pcap(FRAMES, nano=True),
        'big-endian.pcap': pcap(FRAMES, endian='>'),
        # LINKTYPE_ETHERNET, with "FCS len" 2 (16-bit units) and its P bit
        'fcs.pcap': pcap([with_fcs(f) for f in FRAMES],
                         linktype=0x24000001),
        'two.pcapng': shb() + idb(1) + idb(1) + epb(0, TCP80) + NRB +
        epb(1, UDP53, 1) + spb(ARP),
        'second-sll.pcapng': shb() + idb(1) + epb(0, TCP80) + idb(113) +
        epb(1, SLL),
        'sll.pcapng': shb() + idb(113) + epb(0, SLL),
        'raw.pcap': pcap([ipv4(6, b'\0' * 20)], linktype=101),
        'cut-in-frame.pcap': plain[:-30],
        'cut-in-header.pcap': plain[:10],
        'empty.pcap': b'',
        'not-a-capture.pcap': b'rule tcp to a\n' * 4,
        'huge-record.pcap': pcap(FRAMES, records=[(60, 60), (0x7fffffff, 60),
                                                  (60, 60)]),
        'bad-block.pcapng': shb() + idb(1) + epb(0, TCP80) +
        struct.pack('<II', 6, 8) + b'\0' * 24,
    }


RULES = '''rule tcp port 80 to web
rule udp to dns
rule len = 64 to fcs
'''

# what each of the three frames gives, and the rules' counts after them
OUT = '''1: web
2: dns
3: -
rule 1: tcp port 80 to web
\tpackets 1 bytes 60
rule 2: udp to dns
\tpackets 1 bytes 60
rule 3: len = 64 to fcs
\tpackets 0 bytes 0
'''

OUT_FCS = '''1: web fcs
2: dns fcs
3: fcs
rule 1: tcp port 80 to web
\tpackets 1 bytes 64
rule 2: udp to dns
\tpackets 1 bytes 64
rule 3: len = 64 to fcs
\tpackets 3 bytes 192
'''

# no frame read
OUT_NONE = '''rule 1: tcp port 80 to web
\tpackets 0 bytes 0
rule 2: udp to dns
\tpackets 0 bytes 0
rule 3: len = 64 to fcs
\tpackets 0 bytes 0
'''

OUT_FIRST = '''1: web
rule 1: tcp port 80 to web
\tpackets 1 bytes 60
rule 2: udp to dns
\tpackets 0 bytes 0
rule 3: len = 64 to fcs
\tpackets 0 bytes 0
'''

OUT_TWO = '''1: web
2: dns
rule 1: tcp port 80 to web
\tpackets 1 bytes 60
rule 2: udp to dns
\tpackets 1 bytes 60
rule 3: len = 64 to fcs
\tpackets 0 bytes 0
'''


def rule_json(index, text, target, packets, nbytes):
    return {'index': index, 'text': text, 'flags': [], 'targets': [target],
            'packets': packets, 'bytes': nbytes}


JSON = {
    'frames': [{'frame': 1, 'targets': ['web']},
               {'frame': 2, 'targets': ['dns']},
               {'frame': 3, 'targets': []}],
    'rules': [rule_json(1, 'tcp port 80 to web', 'web', 1, 60),
              rule_json(2, 'udp to dns', 'dns', 1, 60),
              rule_json(3, 'len = 64 to fcs', 'fcs', 0, 0)],
}

ONLY_ETHERNET = 'only Ethernet captures are read'

# name, arguments after "dupto" (R: the rules, F/...: a capture), stdin,
# standard output, standard error, exit status
ROWS = [
    ('a pcap file, microseconds', ['compile', 'R', '-r', 'F/plain.pcap'],
     None, OUT, '', 0),
    ('a pcap file, nanoseconds', ['compile', 'R', '-r', 'F/nano.pcap'],
     None, OUT, '', 0),
    ('a pcap file written big-endian',
     ['compile', 'R', '-r', 'F/big-endian.pcap'], None, OUT, '', 0),
    ('a pcap file whose link type says every frame ends with a 4-byte FCS: '
     'the rules see it, as libpcap\'s filters do',
     ['compile', 'R', '-r', 'F/fcs.pcap'], None, OUT_FCS,
     'dupto: warning: F/fcs.pcap: every frame ends with its 4-byte FCS, '
     'which rules see as libpcap\'s filters do (the kernel\'s frames have '
     'none)\n', 0),
    ('a pcapng file: two Ethernet interfaces, enhanced and simple packet '
     'blocks, a name block between them',
     ['compile', 'R', '-r', 'F/two.pcapng'], None, OUT, '', 0),
    ('a pcapng file whose second interface is not Ethernet: its frames '
     'before, the counts, the interface\'s link type named',
     ['compile', 'R', '-r', 'F/second-sll.pcapng'], None, OUT_FIRST,
     'dupto: F/second-sll.pcapng: frame 2: an interface has link type '
     'LINUX_SLL (Linux cooked v1): ' + ONLY_ETHERNET + '\n', 1),
    ('a pcapng file whose first interface is not Ethernet',
     ['compile', 'R', '-r', 'F/sll.pcapng'], None, '',
     'dupto: F/sll.pcapng: link type LINUX_SLL (Linux cooked v1) is not '
     'Ethernet: ' + ONLY_ETHERNET + '\n', 1),
    ('a pcap file of raw IP',
     ['compile', 'R', '-r', 'F/raw.pcap'], None, '',
     'dupto: F/raw.pcap: link type RAW (Raw IP) is not Ethernet: ' +
     ONLY_ETHERNET + '\n', 1),
    ('a pcap file cut inside its third frame: the two before, the counts, '
     'libpcap\'s words',
     ['compile', 'R', '-r', 'F/cut-in-frame.pcap'], None, OUT_TWO,
     'dupto: F/cut-in-frame.pcap: frame 3: truncated dump file; tried to '
     'read 60 captured bytes, only got 30\n', 1),
    # libpcap counts the bytes it got after the 4-byte magic number
    ('a pcap file cut inside its header',
     ['compile', 'R', '-r', 'F/cut-in-header.pcap'], None, '',
     'dupto: F/cut-in-header.pcap: truncated dump file; tried to read 24 '
     'file header bytes, only got 6\n', 1),
    ('an empty file',
     ['compile', 'R', '-r', 'F/empty.pcap'], None, '',
     'dupto: F/empty.pcap: truncated dump file; tried to read 4 file header '
     'bytes, only got 0\n', 1),
    ('a file that is no capture',
     ['compile', 'R', '-r', 'F/not-a-capture.pcap'], None, '',
     'dupto: F/not-a-capture.pcap: unknown file format\n', 1),
    ('a pcap record longer than any frame',
     ['compile', 'R', '-r', 'F/huge-record.pcap'], None, OUT_FIRST,
     'dupto: F/huge-record.pcap: frame 2: invalid packet capture length '
     '2147483647, bigger than snaplen of 262144\n', 1),
    ('a pcapng block shorter than a block',
     ['compile', 'R', '-r', 'F/bad-block.pcapng'], None, OUT_FIRST,
     'dupto: F/bad-block.pcapng: frame 2: block in pcapng dump file has a '
     'length of 8 < 12\n', 1),
    ('a capture that is not there',
     ['compile', 'R', '-r', 'F/missing.pcap'], None, '',
     'dupto: cannot read "F/missing.pcap": No such file or directory\n', 1),
    ('a capture on standard input',
     ['compile', 'R', '-r', '-'], 'plain.pcap', OUT, '', 0),
    ('the ruleset and the capture both on standard input',
     ['compile', '-', '-r', '-'], 'plain.pcap', '',
     'dupto: compile: the ruleset and the capture cannot both be standard '
     'input\n', 1),
    ('inbound: every frame read as arriving',
     ['compile', '-e', 'inbound', '-r', 'F/plain.pcap'], None,
     '1: match\n2: match\n3: match\nrule 1: inbound\n\tpackets 3 bytes 180\n', '', 0),
    ('outbound: none of them',
     ['compile', '-e', 'outbound', '-r', 'F/plain.pcap'], None,
     '1: -\n2: -\n3: -\nrule 1: outbound\n\tpackets 0 bytes 0\n', '', 0),
    ('outbound: every frame read as leaving',
     ['compile', '-e', 'outbound', '-r', 'F/plain.pcap', 'out'], None,
     '1: match\n2: match\n3: match\nrule 1: outbound\n\tpackets 3 bytes 180\n', '', 0),
    ('ifindex 1: the interface of index 1 here (lo), either way',
     ['compile', '-e', 'ifindex 1', '-r', 'F/plain.pcap', 'on', 'lo'], None,
     '1: match\n2: match\n3: match\nrule 1: ifindex 1\n\tpackets 3 bytes 180\n', '', 0),
    ('ifindex 1: not the frames of another port',
     ['compile', '-e', 'ifindex 1', '-r', 'F/plain.pcap', 'on', 'eth9'], None,
     '1: -\n2: -\n3: -\nrule 1: ifindex 1\n\tpackets 0 bytes 0\n',
     'dupto: warning: no rule names port "eth9"\n', 0),
    ('an expression: its one rule counted',
     ['compile', '-e', 'udp', '-r', 'F/plain.pcap'], None,
     '1: -\n2: match\n3: -\nrule 1: udp\n\tpackets 1 bytes 60\n', '', 0),
]


def run(dupto, row, rules, tmp):
    name, args, stdin, out, err, status = row
    argv = [dupto] + [rules if a == 'R' else
                      a.replace('F/', tmp + '/', 1) for a in args]
    data = None
    if stdin:
        with open(os.path.join(tmp, stdin), 'rb') as f:
            data = f.read()
    p = subprocess.run(argv, input=data, capture_output=True, check=False)
    got_out = p.stdout.decode(errors='replace')
    got_err = p.stderr.decode(errors='replace').replace(tmp + '/', 'F/')
    return got_out, got_err, p.returncode


def tcpdump_counts(path, exprs):
    """How many frames of the capture each filter takes, as tcpdump says."""
    counts = []
    for expr in exprs:
        p = subprocess.run(['tcpdump', '-nn', '-r', path, expr],
                           capture_output=True, text=True, check=False)
        if p.returncode:
            return None, p.stderr.strip()
        counts.append(len(p.stdout.splitlines()))
    return counts, None


def main():
    dupto = sys.argv[1]
    n = failed = 0

    def tap(ok, desc):
        nonlocal n, failed
        n += 1
        failed += not ok
        print('%sok %d - %s' % ('' if ok else 'not ', n, desc))

    tmp = tempfile.mkdtemp(prefix='dupto-capture.')
    try:
        for name, data in files().items():
            with open(os.path.join(tmp, name), 'wb') as f:
                f.write(data)
        rules = os.path.join(tmp, 'web.rules')
        with open(rules, 'w', encoding='utf-8') as f:
            f.write(RULES)
        for row in ROWS:
            name, _, _, out, err, status = row
            got = run(dupto, row, rules, tmp)
            ok = got == (out, err, status)
            tap(ok, 'compile -r: ' + name)
            if not ok:
                for what, want, have in zip(('stdout', 'stderr', 'status'),
                                            (out, err, status), got):
                    if want != have:
                        print('# %s: want %r' % (what, want))
                        print('# %s: got  %r' % (what, have))

        # -j: the frames as before, the rules as "dupto show -j" has them
        p = subprocess.run([dupto, '-j', 'compile', rules, '-r',
                            os.path.join(tmp, 'plain.pcap')],
                           capture_output=True, text=True, check=False)
        try:
            got = json.loads(p.stdout)
        except ValueError:
            got = p.stdout
        tap(got == JSON and not p.stderr and p.returncode == 0,
            'compile -r with -j: one JSON object, its frames and its rules '
            'with their counts')
        if got != JSON:
            print('# got %r' % (got,))

        # the counts are libpcap's: tcpdump's filters on the same files
        exprs = [line.split(' to ')[0][len('rule '):]
                 for line in RULES.splitlines()]
        for name in ('plain.pcap', 'nano.pcap', 'fcs.pcap', 'two.pcapng'):
            desc = 'compile -r counts %s as tcpdump filters it' % name
            if not shutil.which('tcpdump'):
                print('ok %d - %s # SKIP tcpdump is not installed'
                      % (n + 1, desc))
                n += 1
                continue
            path = os.path.join(tmp, name)
            want, why = tcpdump_counts(path, exprs)
            p = subprocess.run([dupto, '-j', 'compile', rules, '-r', path],
                               capture_output=True, text=True, check=False)
            try:
                got = [r['packets'] for r in json.loads(p.stdout)['rules']]
            except (ValueError, KeyError, TypeError):
                got = p.stdout + p.stderr
            tap(want is not None and got == want,
                '%s: %s' % (desc, want if want is not None else why))
            if got != want:
                print('# tcpdump %r, dupto %r' % (want, got))
    finally:
        shutil.rmtree(tmp)
    print('1..%d' % n)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
