#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile requests against the kernel's side of dupto, guided by coverage
# (kfuzz.py; KCOV, which only the debug kernels have), while frames of
# every shape cross the bridge and devices come and go:
#
#   h1 eth0 --- p0 -[br0]- p1 --- eth0 h2     box: sensors s0 s1, s2 on l2
#
#   - traffic: a ping flood, a TCP transfer (TSO and GRO: non-linear
#     frames) and mixframes.py (untagged, 802.1Q and QinQ; ARP, IPv4,
#     IPv6 with extension chains; each cut short at every length);
#   - churn: a sensor made and deleted, p1 detached and attached again in
#     either mode, l2 (a sensor's lower device) taken down and up;
#   - requests: every command, do and dump, from root for
#     $DUPTO_FUZZ_SECONDS (90 by default; "make fuzz-kernel SECONDS=N"),
#     seeded with images of real rulesets, one in ten a well-formed
#     request (such an image as it is, a port's or a sensor's settings, a
#     dump); then a third as long from root in a user namespace of its own
#     (the module loaded with userns_admin=1, so that requests get past
#     the permission check).
#
# Every refusal from dupto's own code must carry an extended ACK message;
# the bridge must still forward; the kernel log must stay clean and
# kmemleak quiet (the harness). The figures (requests, images, frames,
# coverage of each file) are printed as comments.

. "$(dirname "$0")/lib.sh"

require_cmd python3 objdump ping jq
[[ -e /sys/kernel/debug/kcov ]] ||
	skip "this kernel has no KCOV: a debug kernel does (make check-debug)"
load_dupto

seconds=${DUPTO_FUZZ_SECONDS:-90}
ko=$(modinfo -n dupto)
objdir=$DUPTO_TOP/build/kmod/$(uname -r)/kmod

ns_add h1 h2 box
bridge_hosts "$h1" "$h2" "$box" inplace
known_neighbours "$h1" 10.0.0.1 "$h2" 10.0.0.2
in_ns "$box" ip link add l2 type dummy
in_ns "$box" ip link set l2 up
in_ns "$box" "$DUPTO" sensor add s0
in_ns "$box" "$DUPTO" sensor add s1
in_ns "$box" "$DUPTO" sensor add s2 link l2
in_ns "$box" ethtool -K p1 gro on >/dev/null 2>&1

# Seeds: the images of rulesets the compiler wrote.
rulesets=(
	"rule tcp port 80 to s0"
	$'rule quick host 10.0.0.1 to s0\nrule else udp to s1, s2'
	"rule ip6 and tcp dst port 443 to s1"
	"rule net { 10.0.0.0/8, 192.168.0.0/16, fd00::/8, 10.1.2.3 } to s0"
	"rule tcp dst port { 22, 80, 443, 8000-8100 } or vlan 10 to s2"
	"rule out on p1 and icmp to s0"
	"rule on p0 and (ether[len - 1] = 0 or tcp[tcpflags] & tcp-syn != 0) to s1"
	$'group ids members s0, s1, s2\nrule ip to ids'
	$'rule ip6 protochain 6 or protochain 51 to s0\nrule outbound and vlan and ip protochain 17 to s1'
)
images=()
for i in "${!rulesets[@]}"; do
	if load_rules "$box" "${rulesets[$i]}" >"$lib_tmp/load.log" 2>&1 &&
	   in_ns "$box" python3 "$lib_dir/ruleset.py" save "$lib_tmp/seed$i.img" >/dev/null; then
		images+=("$lib_tmp/seed$i.img")
	else
		fail "seed ruleset $i loads"
		note "${rulesets[$i]}" "$(cat "$lib_tmp/load.log")"
	fi
done

# figures OUT: what kfuzz.py's run in OUT did, for a test point's text.
figures() {
	awk '$1 == "requests" { printf "%d requests, %d images of which %d loaded, %d edges", $2, $12, $14, $6 }' "$1"
}

# --- from root ---------------------------------------------------------
# With traffic and churn, for as long as the fuzzing.
case_root() {
	total=$((seconds + 10))
	bg "$h1" bash -c 'exec ping -f -q -w "$0" 10.0.0.2 >/dev/null' "$total"
	bg "$h1" bash -c 'exec python3 "$0" eth0 "$1" >"$2"' "$lib_dir/mixframes.py" "$total" \
		"$lib_tmp/mix.out"
	mix=$!
	tcp_serve "$h2" 10.0.0.2 5001
	bg "$h1" bash -c 'exec python3 "$0" send 10.0.0.2 5001 200000000 >/dev/null 2>&1' \
		"$lib_dir/tcp_xfer.py"
	churn() {
		local end=$((SECONDS + total)) i=0
		while ((SECONDS < end)); do
			i=$((i + 1))
			"$DUPTO" sensor add tmp >/dev/null 2>&1
			ip link del tmp >/dev/null 2>&1
			"$DUPTO" port del p1 >/dev/null 2>&1
			if ((i % 2)); then
				"$DUPTO" port add p1 device >/dev/null 2>&1
			else
				"$DUPTO" port add p1 >/dev/null 2>&1
			fi
			ip link set l2 down
			ip link set l2 up
			sleep 0.5
		done
	}
	bg "$box" bash -c "$(declare -f churn); total=$total DUPTO=$DUPTO; churn"

	text=$(cat /sys/module/dupto/sections/.text)
	# "ip netns exec" mounts a /sys of the namespace's own, without debugfs
	in_ns "$box" sh -c 'mount -t debugfs debugfs /sys/kernel/debug || exit 1
		pcs=$0 fuzzer=$1
		shift
		KFUZZ_PCS=$pcs exec python3 "$fuzzer" "$@"' \
		"$lib_tmp/root.pcs" "$lib_dir/kfuzz.py" "$seconds" "${images[@]}" \
		>"$lib_tmp/root.out" 2>&1
	grep -v '^finding' "$lib_tmp/root.out" | sed 's/^/# root: /'
	findings=$(sed -n 's/^findings //p' "$lib_tmp/root.out")
	check_eq "root: every refusal from dupto's code carries a message ($(figures "$lib_tmp/root.out"))" \
		"${findings:-none}" 0
	[[ $findings == 0 ]] || note "$(grep '^finding' "$lib_tmp/root.out" || cat "$lib_tmp/root.out")"
	# The seeds as they are must load (those naming a port the fuzzing
	# detached may not): else every request meets an empty ruleset, and the
	# paths that publish a ruleset go untested.
	read -r seeds seeds_loaded < <(awk '$1 == "requests" { print $16, $18 }' "$lib_tmp/root.out")
	check "root: the seed images load as they are ($seeds_loaded of $seeds)" \
		test "${seeds_loaded:-0}" -gt 0

	if [[ -s $lib_tmp/root.pcs ]]; then
		python3 "$lib_dir/kcov-report.py" "$lib_tmp/root.pcs" "$ko" "$objdir" "$text" \
			>"$lib_tmp/cover" 2>&1
		sed 's/^/# coverage: /' "$lib_tmp/cover"
		# A floor, so that a fuzzer that stops reaching the handlers (a broken
		# family lookup, a header every request fails on) fails the test.
		for f in netlink.c vm/vm_load.c vm/verifier.c; do
			pct=$(awk -v f="$f" '$1 == f { sub("%", "", $3); print $3 }' "$lib_tmp/cover")
			if ((${pct:-0} >= 30)); then
				pass "root: the requests reach $f (${pct}% of its blocks)"
			else
				fail "root: the requests reach $f"
				note "$(cat "$lib_tmp/cover")"
			fi
		done
	else
		fail "root: the fuzzer traced dupto's code"
		note "$(cat "$lib_tmp/root.out")"
	fi

	wait "$mix" 2>/dev/null
	check "the bridge forwards after the fuzzing and $(sed -n 's/^sent //p' "$lib_tmp/mix.out") crafted frames" \
		in_ns "$h1" ping -c 3 -W 2 10.0.0.2
}

# --- from a user namespace of its own ------------------------------------
case_userns() {
	lib_cleanup_namespaces
	if rmmod dupto && modprobe dupto userns_admin=1; then
		unshare -U -r -n bash -c '
			ip link set lo up
			ip link add a0 type veth peer name a1
			ip link add b0 type bridge
			ip link set a0 master b0
			for d in a0 a1 b0; do ip link set "$d" up; done
			exec python3 "$1/kfuzz.py" "$2" "${@:3}"' \
			_ "$lib_dir" "$((seconds / 3))" "${images[@]}" >"$lib_tmp/userns.out" 2>&1
		grep -v '^finding' "$lib_tmp/userns.out" | sed 's/^/# user namespace: /'
		findings=$(sed -n 's/^findings //p' "$lib_tmp/userns.out")
		check_eq "user namespace: every refusal from dupto's code carries a message ($(figures "$lib_tmp/userns.out"))" \
			"${findings:-none}" 0
		[[ $findings == 0 ]] || note "$(grep '^finding' "$lib_tmp/userns.out" || cat "$lib_tmp/userns.out")"
		rmmod dupto
		modprobe dupto
	else
		fail "dupto reloads with userns_admin=1"
	fi
}

run_cases root userns
end_test
