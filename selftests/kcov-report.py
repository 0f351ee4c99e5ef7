#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""How much of dupto a KCOV trace reached, file by file.

  kcov-report.py PCS MODULE OBJDIR TEXT

PCS: the PCs reached, one hex per line (kfuzz.py's $KFUZZ_PCS); MODULE:
dupto.ko as loaded; OBJDIR: the directory of its objects (kmod/**/*.o),
to tell which file each function comes from, named from OBJDIR (vm/vm.c); TEXT: the module's .text
address (/sys/module/dupto/sections/.text).

A site is a call to __sanitizer_cov_trace_pc in MODULE's .text (one per
basic block, as the compiler instruments); KCOV records its return
address. Prints one line per source file: "FILE hit/sites pct%", then
"total hit/sites pct%".
"""

import collections
import glob
import os
import re
import subprocess
import sys


def functions(path):
    """name -> (start, size) of the functions in .text."""
    out = subprocess.run(["objdump", "-t", path], capture_output=True,
                         text=True, check=True).stdout
    funcs = {}
    for line in out.splitlines():
        # address, seven flag characters ("l     F"), section, size, name
        m = re.match(r"^([0-9a-f]+) (.{7}) \.text\s+([0-9a-f]+) (\S+)$", line)
        if m and "F" in m.group(2):
            funcs[m.group(4)] = (int(m.group(1), 16), int(m.group(3), 16))
    return funcs


def sites(path):
    """the return addresses of the coverage calls in .text"""
    out = subprocess.run(["objdump", "-dr", "--section=.text", path],
                         capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        m = re.match(r"^\s+([0-9a-f]+): R_X86_64_(PLT32|PC32)\s+__sanitizer_cov_trace_pc-0x4$",
                     line)
        if m:
            found.append(int(m.group(1), 16) + 4)
    return found


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    pcs_path, module, objdir, text = argv
    base = int(text, 16)
    with open(pcs_path) as f:
        hit = {int(x, 16) - base for x in f if x.strip()}
    owner = {}
    for obj in glob.glob(os.path.join(objdir, "**", "*.o"), recursive=True):
        rel = os.path.relpath(obj, objdir)
        if obj.endswith(".mod.o") or rel == "dupto.o":
            continue
        for name in functions(obj):
            owner.setdefault(name, rel[:-2] + ".c")
    ranges = sorted((start, start + size, owner.get(name, "?"))
                    for name, (start, size) in functions(module).items())
    per = collections.defaultdict(lambda: [0, 0])
    for site in sites(module):
        where = next((f for s, e, f in ranges if s <= site - 5 < e), "?")
        per[where][1] += 1
        if site in hit:
            per[where][0] += 1
    total = [0, 0]
    for f in sorted(per):
        h, n = per[f]
        total[0] += h
        total[1] += n
        print(f"{f} {h}/{n} {100 * h // max(n, 1)}%")
    print(f"total {total[0]}/{total[1]} {100 * total[0] // max(total[1], 1)}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
