#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one boot's bench/guest.sh output into bench/KERNEL.md (the tables and
the targets), bench/KERNEL.png (delta against rule count) and
bench/KERNEL-mix.png (delta by frame kind), with gnuplot.

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
# the mix: frame kinds (bench/guest.sh, frames()), 16 rules each
MIX = [("64", "64-byte UDP/IPv4"), ("576", "576-byte UDP/IPv4"),
       ("1500", "1500-byte UDP/IPv4"), ("v6", "80-byte UDP/IPv6"),
       ("vlan", "64-byte UDP/IPv4, 802.1Q tag"),
       ("tcp", "TCP over veth, GRO-built skbs (per 1,500 bytes)")]
# tc mirred's copy: cls_bpf's, whose classifier costs least of tc's
MIRRED = "bpf-jit"


def parse(path):
    fig, notes = {}, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            parts = line.split("\t")
            if len(parts) == 3 and parts[0].count(":") == 2:
                cls, rules, case = parts[0].split(":")
                fig[(cls, rules, case)] = None if parts[1] == "-" else int(parts[1])
            elif line.startswith(("# perf", "#   ", "# tcp:", "# bench:")):
                notes.append(line[2:])
    return fig, notes


def mix_plot(kernel, release, date, outdir, dat, peers, copy):
    """bench/KERNEL-mix.png: a copy's instructions by frame kind, per classifier."""
    kinds = [("v4", "60 B", 1)] + [(f, f if f != "v6" else "IPv6", 16) for f, _ in MIX]
    with open(dat, "w") as f:
        f.write("frames " + " ".join(f'"{lab}"' for _, lab in peers) + "\n")
        for k, klab, n in kinds:
            at = "" if k == "v4" else "@" + k
            vals = [copy(c + at, n) for c, _ in peers]
            f.write(f'"{klab}" ' + " ".join("?" if v is None else str(max(v, 1))
                                           for v in vals) + "\n")
    png = os.path.join(outdir, f"{kernel}-mix.png")
    plot = f"""
set terminal pngcairo size 1200,520 font ",10" noenhanced
set output "{png}"
set datafile missing "?"
set title "Instructions per copy (one match less no match), by frames, {kernel} ({release}), {date}; TCP: per 1,500 bytes of GRO-built skbs"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "instructions per copy"
set key top left
set grid ytics
plot for [i=2:{len(peers) + 1}] "{dat}" using i:xtic(1) title columnheader(i)
"""
    subprocess.run(["gnuplot"], input=plot, text=True, check=True)
    os.unlink(dat)


def main():
    raw, kernel, release, date, outdir = sys.argv[1:6]
    fig, notes = parse(raw)
    bases = [fig.get(("bridge", "", w)) for w in ("start", "middle", "end")]
    incomplete = [k for k, v in fig.items() if v is None] or \
        (["bridge baseline"] if None in bases else [])
    base = sum(b for b in bases if b) / max(1, len([b for b in bases if b]))
    # frame kinds of the mix this boot did not measure (BENCH_PARTS)
    unrun = [lab for f, lab in MIX if not any(k[0].endswith("@" + f) for k in fig)]
    incomplete += [f"{lab} (not run)" for lab in unrun]

    def mix_base(frames):
        bs = [fig.get(("bridge@" + frames, "", w)) for w in ("alone", "end")]
        bs = [b for b in bs if b is not None]
        return sum(bs) / len(bs) if bs else None

    def delta(cls, rules, case):
        v = fig.get((cls, str(rules), case))
        b = mix_base(cls.split("@")[1]) if "@" in cls else base
        return None if v is None or b is None else round(v - b)

    def copy(cls, rules, case="one"):
        """What a copy costs: a match, less the same rules matching nothing."""
        a, b = delta(cls, rules, case), delta(cls, rules, "none")
        return None if a is None or b is None else a - b

    def cell(d):
        return "-" if d is None else f"+{d:,}" if d >= 0 else f"{d:,}"

    out = []
    out.append(f"# make bench: {kernel} ({release}), {date}\n")
    out.append("Instructions per packet, as the difference from the bridge alone "
               "(pktgen, 60-byte UDP frames into a bridge port, one vCPU under "
               "`-icount shift=0,sleep=off`; every figure from the same boot). "
               "Rules are `src host 198.18.x.y` to four sensors in turn, and "
               "their equivalent for each peer; \"one match\" is the last rule. "
               "A listener (tcpdump, TPACKET_V3) reads every sensor, for "
               "dupto and the peers alike.\n")
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

    peers = [c for c in CLASSIFIERS if c[0] in PLOTTED]
    out.append("\n## The mix: other frames, 16 rules\n")
    out.append("Each frame kind against the bridge alone with the same frames "
               "(for TCP, its mean at the start and the end of the TCP rows). "
               "TCP: a stream between two namespaces over veth, MTU-sized "
               "segments made into large non-linear skbs by GRO on the bridge "
               "port; figures per 1,500 bytes carried, the median of three "
               "transfers (each transfer's figure, skbs and their mean size "
               "are under \"Notes and profiles\" below).\n")
    if unrun:
        out.append(f"Not run in this boot (BENCH_PARTS): {', '.join(unrun)}; "
                   f"`{kernel}-mix.png` is as the last run that measured the "
                   "mix left it.\n")
    out.append("| frames | bridge alone | " + " | ".join(
        f"{lab}: no match | one match" for _, lab in peers) + " |")
    out.append("|---|---:|" + "---:|---:|" * len(peers))
    for f, flab in MIX:
        b = mix_base(f)
        row = [cell(delta(f"{c}@{f}", 16, case)) for c, _ in peers
               for case in ("none", "one")]
        out.append(f"| {flab} | {'-' if b is None else f'{b:,.0f}'} | "
                   + " | ".join(row) + " |")

    out.append("\n## Copies\n")
    out.append("A copy's instructions: one match less the same rules matching "
               "nothing. Every peer copies with tc's mirred action but "
               f"nftables (`dup to`); the ratio is against {MIRRED}'s, tc's "
               "cheapest. The target is on the 60-byte frames; the listener's "
               "share of a copy grows with the frame's bytes for everyone "
               "alike, which brings the ratios of larger frames towards 1.\n")
    out.append("| frames | rules | " + " | ".join(lab for _, lab in peers)
               + " | dupto / tc mirred |")
    out.append("|---|---:|" + "---:|" * (len(peers) + 1))
    copy_rows = [("v4", "60-byte UDP/IPv4", 1, ""), ("v4", "60-byte UDP/IPv4", 16, "")]
    copy_rows += [(f, lab, 16, "@" + f) for f, lab in MIX]
    for f, flab, n, at in copy_rows:
        cs = {c: copy(c + at, n) for c, _ in peers}
        ratio = "-" if None in (cs["dupto"], cs[MIRRED]) or cs[MIRRED] <= 0 \
            else f"{cs['dupto'] / cs[MIRRED]:.2f}x"
        out.append(f"| {flab} | {n} | " + " | ".join(cell(cs[c]) for c, _ in peers)
                   + f" | {ratio} |")
    out.append("\nOne rule copying to four sensors, against one sensor (tc: four "
               "mirred actions; nftables: four `dup to`):\n")
    out.append("| classifier | one sensor | four sensors | ratio |")
    out.append("|---|---:|---:|---:|")
    for c in ("dupto", MIRRED, "nft"):
        one, four = copy(c, 1), copy(c, 1, "one4")
        r = "-" if None in (one, four) or one <= 0 else f"{four / one:.2f}x"
        out.append(f"| {dict(CLASSIFIERS)[c]} | {cell(one)} | {cell(four)} | {r} |")

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
        ("a copy, 60-byte frames, 1 rule: at most 0.75x tc mirred's",
         copy("dupto", 1), copy(MIRRED, 1), 0.75),
        ("a copy to four sensors: at most 3.5x one",
         copy("dupto", 1, "one4"), copy("dupto", 1), 3.5),
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
        out.append("\n## Notes and profiles\n")
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

    # the mix's plot stays as the last run that measured the mix left it
    if len(unrun) < len(MIX):
        mix_plot(kernel, release, date, outdir, dat, peers, copy)
    print("\n".join(out))
    if incomplete:
        print(f"report: no figure for {', '.join(map(str, incomplete))}", file=sys.stderr)
        return 2
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
