#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one boot's bench/guest.sh output into bench/KERNEL.md (the table and
the targets) and bench/KERNEL.png (delta against rule count, gnuplot).

Usage: report.py RAW KERNEL RELEASE DATE OUTDIR
Exit status: 0 if every target is met, 1 if one is missed, 2 if the run
is incomplete (a variant gave no figure).
"""

import os
import subprocess
import sys

CLASSIFIERS = [
    # key, label in the table and the plot
    ("dupto", "dupto, attached in place"),
    ("dupto-set", "dupto, one rule naming a set of hosts"),
    ("dupto-device", "dupto, a port device"),
    ("dupto-2devices", "dupto, port devices on both bridge ports"),
    ("bpf-jit", "tc cls_bpf, JIT"),
    ("bpf-interp", "tc cls_bpf, interpreter"),
    ("flower-each", "tc flower, one filter per rule"),
    ("flower-mask", "tc flower, all rules under one mask"),
    ("nft", "nftables netdev, dup to"),
]
CASES = [("empty", "no ruleset"), ("none", "no match"), ("one", "one match"),
         ("one4", "one match, 4 sensors")]
PLOTTED = ["dupto", "bpf-jit", "bpf-interp", "flower-each", "flower-mask", "nft"]


def parse(path):
    fig, notes = {}, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            parts = line.split("\t")
            if len(parts) == 3 and parts[0].count(":") == 2:
                cls, rules, case = parts[0].split(":")
                fig[(cls, rules, case)] = None if parts[1] == "-" else int(parts[1])
            elif line.startswith("# perf") or line.startswith("#   "):
                notes.append(line[2:])
    return fig, notes


def main():
    raw, kernel, release, date, outdir = sys.argv[1:6]
    fig, notes = parse(raw)
    bases = [fig.get(("bridge", "", w)) for w in ("start", "middle", "end")]
    incomplete = [k for k, v in fig.items() if v is None] or \
        (["bridge baseline"] if None in bases else [])
    base = sum(b for b in bases if b) / max(1, len([b for b in bases if b]))

    def delta(cls, rules, case):
        v = fig.get((cls, str(rules), case))
        return None if v is None else round(v - base)

    def cell(d):
        return "-" if d is None else f"+{d:,}" if d >= 0 else f"{d:,}"

    out = []
    out.append(f"# make bench: {kernel} ({release}), {date}\n")
    out.append("Instructions per packet, as the difference from the bridge alone "
               "(pktgen, 60-byte UDP frames into a bridge port, one vCPU under "
               "`-icount shift=0,sleep=off`; every figure from the same boot). "
               "Rules are `src host 198.18.x.y` to four sensors in turn, and "
               "their equivalent for each peer; \"one match\" is the last rule.\n")
    out.append(f"Bridge alone: {bases[0]} at the start, {bases[1]} in the middle, "
               f"{bases[2]} at the end; the differences are from their mean, "
               f"{base:.0f}.\n")
    out.append("| classifier | rules | " + " | ".join(c[1] for c in CASES) + " |")
    out.append("|---|---:|" + "---:|" * len(CASES))
    for cls, label in CLASSIFIERS:
        counts = sorted({int(k[1]) for k in fig if k[0] == cls})
        for n in counts:
            row = [cell(delta(cls, n, c)) if (cls, str(n), c) in fig else ""
                   for c, _ in CASES]
            out.append(f"| {label} | {n:,} | " + " | ".join(row) + " |")

    d = delta
    targets = [
        ("16 rules, no match: at most half of tc flower under one mask",
         d("dupto", 16, "none"), d("flower-mask", 16, "none"), 0.5),
        ("16 rules, no match: at most a quarter of nftables",
         d("dupto", 16, "none"), d("nft", 16, "none"), 0.25),
        ("16 rules, one match: at most tc cls_bpf with JIT",
         d("dupto", 16, "one"), d("bpf-jit", 16, "one"), 1.0),
        ("a 1,000-host set, no match: at most 1.5x 16 rules",
         d("dupto-set", 1000, "none"), d("dupto", 16, "none"), 1.5),
        ("a 1,000-host set, one match: at most 1.5x 16 rules",
         d("dupto-set", 1000, "one"), d("dupto", 16, "one"), 1.5),
        ("a frame crossing two port devices: at most +550",
         d("dupto-2devices", 0, "empty"), 550, 1.0),
    ]
    if kernel == "6.1":
        targets.insert(5, ("an empty ruleset in place: at most +200 (6.1)",
                           d("dupto", 0, "empty"), 200, 1.0))
    out.append("\n## Targets\n")
    out.append("| target | dupto | limit | met |")
    out.append("|---|---:|---:|---|")
    missed = 0
    for text, ours, ref, factor in targets:
        if ours is None or ref is None:
            out.append(f"| {text} | {cell(ours)} | - | no figure |")
            missed += 1
            continue
        limit = ref * factor
        ok = ours <= limit
        missed += not ok
        out.append(f"| {text} | {cell(ours)} | {cell(round(limit))} | "
                   f"{'yes' if ok else '**no**'} |")
    out.append(f"\n{len(targets) - missed} of {len(targets)} targets met.")
    if notes:
        out.append("\n## Profiles\n")
        out.append("```")
        out.extend(notes)
        out.append("```")

    md = os.path.join(outdir, f"{kernel}.md")
    with open(md, "w") as f:
        f.write("\n".join(out) + "\n")

    # the plot: delta against the rule count, per classifier, both cases
    dat = os.path.join(outdir, f".{kernel}.dat")
    with open(dat, "w") as f:
        for cls in PLOTTED:
            f.write(f'"{dict(CLASSIFIERS)[cls]}"\n')
            for n in sorted({int(k[1]) for k in fig if k[0] == cls and int(k[1]) > 0}):
                a, b = d(cls, n, "none"), d(cls, n, "one")
                f.write(f"{n} {a if a is not None else '?'} {b if b is not None else '?'}\n")
            f.write("\n\n")
    png = os.path.join(outdir, f"{kernel}.png")
    plot = f"""
set terminal pngcairo size 1200,520 font ",10" noenhanced
set output "{png}"
set datafile missing "?"
set multiplot layout 1,2 title "Δ instructions per packet over the bridge alone, {kernel} ({release}), {date}"
set logscale xy
set xlabel "rules"
set ylabel "Δ instructions per packet"
set key top left
set grid
set xrange [0.8:1500]
set title "no match"
plot for [i=0:{len(PLOTTED) - 1}] "{dat}" index i using 1:2 with linespoints title columnheader(1)
set title "one match (the last rule)"
plot for [i=0:{len(PLOTTED) - 1}] "{dat}" index i using 1:3 with linespoints title columnheader(1)
unset multiplot
"""
    subprocess.run(["gnuplot"], input=plot, text=True, check=True)
    os.unlink(dat)
    print("\n".join(out))
    if incomplete:
        print(f"report: no figure for {', '.join(map(str, incomplete))}", file=sys.stderr)
        return 2
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
