#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Replacing the ruleset is atomic and never disturbs the bridge: a ping
# flood crosses while the ruleset flips 1,000 times between A (ICMP to s1
# and s2) and B (ICMP to s3). No ping may be lost, and each ICMP frame must
# reach exactly s1 and s2, or exactly s3: never a mix of the two rulesets.
#
#   h1                          box                         h2
#   eth0 10.0.0.1 --- p0 -[port]-+- br0 -+-[port]- p1 --- eth0 10.0.0.2
#                     sensors s1, s2, s3 (no lower: captured on the box)

. "$(dirname "$0")/lib.sh"

require_cmd python3 tcpdump
load_dupto

# Which sensors got each ICMP frame, by (type, id, sequence).
cat >"$lib_tmp/verdict.py" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
import frames

def keys(path):
    out = set()
    for f in frames.read_pcap(path):
        if len(f) >= 42 and f[12:14] == b"\x08\x00" and f[23] == 1:
            ihl = (f[14] & 15) * 4
            t, _, _, ident, seq = struct.unpack("!BBHHH", f[14 + ihl:22 + ihl])
            out.add((t, ident, seq))
    return out

wire, s1, s2, s3 = (keys(p) for p in sys.argv[2:6])
mixed = [k for k in wire if (k in s1, k in s2, k in s3) not in
         ((True, True, False), (False, False, True))]
print(f"{len(wire)} ICMP frames crossed, {len(mixed)} not sent by exactly one ruleset")
for k in mixed[:10]:
    print("  type %d id %d seq %d:" % k, "s1" * (k in s1), "s2" * (k in s2), "s3" * (k in s3))
sys.exit(1 if mixed or len(wire) < 1000 else 0)
PY

# swaps MODE: the 1,000 swaps under the flood, with the box's ports in MODE.
swaps() {
	local mode=$1
	ns_add h1 h2 box
	bridge_hosts "$h1" "$h2" "$box" "$mode"
	for s in s1 s2 s3; do
		in_ns "$box" "$DUPTO" sensor add "$s"
	done
	in_ns "$h1" ping -c 1 -W 2 10.0.0.2 >/dev/null

	load_rules "$box" 'rule icmp to s2, s1'
	in_ns "$box" python3 "$lib_dir/ruleset.py" save "$lib_tmp/a.img"
	load_rules "$box" 'rule icmp to s3'
	in_ns "$box" python3 "$lib_dir/ruleset.py" save "$lib_tmp/b.img"

	capture_start "$h1" eth0 "$lib_tmp/wire.pcap"
	for s in s1 s2 s3; do
		capture_start "$box" "$s" "$lib_tmp/$s.pcap"
	done
	in_ns "$h1" ping -q -c 1500 -i 0.004 10.0.0.2 >"$lib_tmp/ping.out" &
	ping=$!
	check "$mode: the ruleset is replaced 1,000 times under traffic" \
		in_ns "$box" python3 "$lib_dir/ruleset.py" flip "$lib_tmp/a.img" "$lib_tmp/b.img" 1000
	wait "$ping"
	check "$mode: not one of 1,500 pings was lost" \
		grep -q "1500 packets transmitted, 1500 received" "$lib_tmp/ping.out"
	capture_stop "$lib_tmp"/{s1,s2,s3,wire}.pcap
	check "$mode: every mirrored frame went where the old or the new ruleset sent it" \
		python3 "$lib_tmp/verdict.py" "$lib_dir" "$lib_tmp/wire.pcap" \
		"$lib_tmp/s1.pcap" "$lib_tmp/s2.pcap" "$lib_tmp/s3.pcap"

	lib_cleanup_namespaces
}

# A large image is loaded (parsed, verified, its sets built) before RTNL is
# taken: while it loads, "ip link" commands elsewhere do not wait for it.
# The image holds 32768 ranges 0-65535 and 65536 addresses (1.4 MB); set
# bit by bit under RTNL, it held every "ip link" until it was loaded.

# ms an ip link add and del of a dummy device take
link_ms() {
	local t=$(date +%s%N)
	ip -n "$box" link add "d$1" type dummy && ip -n "$box" link del "d$1"
	echo $((($(date +%s%N) - t) / 1000000))
}

case_big() {
	ns_add box
	in_ns "$box" "$DUPTO" sensor add s0
	in_ns "$box" python3 "$lib_dir/ruleset.py" big "$lib_tmp/big.img" 32768 65536
	link_ms w >/dev/null	# loads the dummy module
	base=$(link_ms w)
	load_start=$(date +%s%N)
	bg "$box" python3 "$lib_dir/ruleset.py" load "$lib_tmp/big.img" >"$lib_tmp/big.out" 2>&1
	load=$!
	slowest=0 during=0 n=0
	# the loop ends when the load does (or after 600 commands)
	while kill -0 "$load" 2>/dev/null && ((n < 600)); do
		t=$(link_ms "$n")
		((t > slowest)) && slowest=$t
		kill -0 "$load" 2>/dev/null && during=$((during + 1))
		n=$((n + 1))
	done
	wait "$load"
	load_ms=$((($(date +%s%N) - load_start) / 1000000))
	check "a 1.4 MB image of 32768 port ranges and 65536 addresses loads" \
		grep -qx ok "$lib_tmp/big.out"
	# an emulated guest on a busy host is slow and uneven: a command may take
	# a few times as long as before the load, never the load's whole time
	limit=$((4 * base + 1000))
	if ((slowest <= limit)); then
		pass "while it loads, ip link add/del take at most ${limit} ms: slowest ${slowest} ms of $n"
	else
		fail "while it loads, ip link add/del take at most ${limit} ms: slowest ${slowest} ms of $n"
	fi
	note "the load took ${load_ms} ms; $during of $n ip link add/del ended while it went on;" \
		"one took ${base} ms before it"
	lib_cleanup_namespaces
}

case_inplace() { swaps inplace; }
case_device() { swaps device; }

run_cases inplace device big
end_test
