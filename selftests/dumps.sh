#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A dump of the ruleset that outlives it: the image comes in batches, RTNL
# is let go between them, and a replacement may shrink or grow the image
# meanwhile. The dump must then stop, flagged NLM_F_DUMP_INTR, and send no
# byte more: offsets into the old image mean nothing in the new one (and
# past a smaller one's end they were heap). A dump nothing interrupted
# returns exactly the image it started on, and the tool, which starts
# again when flagged, reads a whole ruleset while another process flips
# it.
#
# No traffic: one namespace, two sensors.

. "$(dirname "$0")/lib.sh"

require_cmd python3
load_dupto

ns_add box
in_ns "$box" "$DUPTO" sensor add s1
in_ns "$box" "$DUPTO" sensor add s2

# big: about 100 KB, several batches; bigger: about 160 KB; small: a rule.
hosts() {
	python3 -c 'import sys; print(", ".join("10.%d.%d.%d" % (1 + i // 65536, i // 256 % 256, i % 256) for i in range(int(sys.argv[1]))))' "$1"
}
load_rules "$box" "rule host { $(hosts 5000) } to s1"
in_ns "$box" python3 "$lib_dir/ruleset.py" save "$lib_tmp/big.img"
load_rules "$box" "rule host { $(hosts 8000) } to s1, s2
rule tcp port 80 to s2"
in_ns "$box" python3 "$lib_dir/ruleset.py" save "$lib_tmp/bigger.img"
load_rules "$box" 'rule icmp to s2'
in_ns "$box" python3 "$lib_dir/ruleset.py" save "$lib_tmp/small.img"

# race A B: 20 dumps, each replaced under way, alternately by B and by A.
race() {
	in_ns "$box" python3 "$lib_dir/ruleset.py" race "$lib_tmp/$1.img" "$lib_tmp/$2.img" 20
}

# The rows: the two rulesets a dump alternates between, and what the
# dumps that start on the big one must see.
for row in "big small" "big bigger"; do
	read -r a b <<<"$row"
	out=$(race "$a" "$b")
	read -r _ spanned _ flagged _ after _ wrong <<<"$out"
	check_eq "$a and $b: every dump was under way when its ruleset was replaced" \
		"$spanned" 20
	# a dump of the small image is over in one batch, before the
	# replacement; the others must be flagged
	want=20
	[[ $b == small ]] && want=10
	check_eq "$a and $b: the kernel flagged each dump that outlived its ruleset" \
		"$flagged" "$want"
	check_eq "$a and $b: no image byte was sent after the replacement" "$after" 0
	check_eq "$a and $b: every dump not flagged returned its whole image" "$wrong" 0
done

# The tool reads the ruleset again when a dump is flagged: while another
# process flips between the big and the small image, every save is one of
# them, whole.
in_ns "$box" python3 "$lib_dir/ruleset.py" load "$lib_tmp/big.img" >/dev/null
bg "$box" python3 "$lib_dir/ruleset.py" flip "$lib_tmp/small.img" "$lib_tmp/big.img" 100000
flipper=$!
whole=0
for i in $(seq 20); do
	in_ns "$box" python3 "$lib_dir/ruleset.py" save "$lib_tmp/saved.img" 2>/dev/null || continue
	if cmp -s "$lib_tmp/saved.img" "$lib_tmp/big.img" ||
	   cmp -s "$lib_tmp/saved.img" "$lib_tmp/small.img"; then
		((whole++))
	fi
done
kill "$flipper" 2>/dev/null
check_eq "20 saves while the ruleset flips: each is one image, whole" "$whole" 20

end_test
