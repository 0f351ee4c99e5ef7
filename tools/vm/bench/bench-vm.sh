#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-vm: count each classifier's instructions under callgrind, then
# check and time them natively and print the table (see bench.c).
#
#   bench-vm.sh BENCH OUTDIR EXPRESSIONS RULESET CAPTURE...
#
# OUTDIR gets the callgrind dumps, the counts and table.md. The exit code is
# bench's: 1 if a classifier disagrees with libpcap, 2 on other errors. A
# missed performance target is reported in the table, not in the exit code.
set -euo pipefail

bench=$1
out=$2
shift 2

rm -rf "$out"
mkdir -p "$out/callgrind"

# Collection is off until bench turns it on around each row's passes, and
# each row ends in a dump labelled "row N": only the classification loops
# are counted.
if ! valgrind --tool=callgrind --collect-atstart=no \
	--callgrind-out-file="$out/callgrind/out" \
	"$bench" --count "$@" >"$out/callgrind.log" 2>&1; then
	cat "$out/callgrind.log" >&2
	echo "bench-vm: the callgrind run failed" >&2
	exit 2
fi

# "N INSTRUCTIONS" for each dump: its label and its event total.
for f in "$out"/callgrind/out.*; do
	awk '/^desc: Trigger: Client Request: row / { row = $NF }
	     /^(summary|totals):/ { ir = $2 }
	     END { if (row != "") print row, ir }' "$f"
done | sort -n >"$out/counts"

"$bench" -k "$out/counts" "$@" | tee "$out/table.md"
