#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What rules send where, with the box's ports attached in place and then as
# port devices: every sensor must see exactly the frames its rules pick
# from what crossed the bridge, as libpcap (tcpdump) picks them.
#
#   h1                          box                         h2
#   eth0 10.0.0.1 --- p0 -[port]-+- br0 -+-[port]- p1 --- eth0 10.0.0.2
#                     sensors s1, s2, s3 (no lower: captured on the box)

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 tcpdump ethtool
load_dupto

# traffic: ARP, pings both ways, a TCP transfer; captured on h1 (the wire)
# and on each sensor.
traffic() {
	local s
	capture_start "$h1" eth0 "$lib_tmp/wire.pcap"
	for s in s1 s2 s3; do
		capture_start "$box" "$s" "$lib_tmp/$s.pcap"
	done
	tcp_serve "$h2" 10.0.0.2 5001
	in_ns "$h1" ip neigh flush dev eth0
	in_ns "$h1" ping -c 3 -i 0.2 10.0.0.2 >/dev/null
	in_ns "$h2" ping -c 2 -i 0.2 10.0.0.1 >/dev/null
	in_ns "$h1" python3 "$lib_dir/tcp_xfer.py" send 10.0.0.2 5001 100000
	capture_stop "$lib_tmp"/{s1,s2,s3,wire}.pcap
}

# sees SENSOR FILTER DESC: the sensor saw exactly the wire's FILTER frames.
sees() {
	wire_filter "$2" "$lib_tmp/want.pcap"
	same_frames "$mode: $3" "$lib_tmp/want.pcap" "$lib_tmp/$1.pcap"
}

out_ports() {
	"$DUPTO" -n "$box" -j port show | jq -r '[.[] | select(.out) | .ifname] | join(" ")'
}

# nf_hooks DEV ingress|egress: the netfilter hooks on DEV in the box, or
# "skip: WHY".
nf_hooks() {
	local out rc
	out=$(ip netns exec "$box" python3 "$lib_dir/nfhooks.py" "$@" 2>&1)
	rc=$?
	if ((rc == KSFT_SKIP)); then
		echo "skip: $out"
	else
		echo "$out"
	fi
}

# In place, p1's egress hook comes with the first rule out on p1 and stays
# until the port goes, whatever the rulesets after it say: each
# registration or removal of the last such hook patches kernel text on
# every CPU, which a ruleset swap must not cost.
egress_hook_kept() {
	local desc="inplace: a ruleset swap leaves p1's egress hooks as they were"
	if [[ $egress_hooks == skip:* ]]; then
		skip_check "$desc" "${egress_hooks#skip: }"
		return
	fi
	if [[ $egress_hooks != *"dupto_hook_egress dupto"* ]]; then
		fail "inplace: a rule out on p1 gives p1 an egress hook"
		note "$egress_hooks"
		return
	fi
	check_eq "$desc" "$(nf_hooks p1 egress)" "$egress_hooks"
	in_ns "$box" "$DUPTO" port del p1
	check_eq "inplace: port del takes p1's egress hook away" \
		"$(nf_hooks p1 egress | grep -c dupto)" 0
}

# --- the cases, each run in both modes: TESTS="quick set" runs those alone

# regeneration: everything to every sensor
case_regeneration() {
	local s
	load_rules "$box" 'rule to s1, s2, s3'
	traffic
	for s in s1 s2 s3; do
		sees "$s" "" "regeneration: $s saw every frame that crossed"
	done
}

case_quick() {
	load_rules "$box" 'rule quick icmp to s1
rule icmp or arp to s2
rule else to s3'
	traffic
	sees s1 "icmp" "quick: s1 saw the ICMP frames"
	sees s2 "arp" "quick: s2 saw the ARP frames, not the ICMP ones"
	sees s3 "not icmp and not arp" "else: s3 saw what no rule took"
}

# direction: in on, out on
case_direction() {
	load_rules "$box" 'rule in on p0 and icmp to s1
rule out on p1 and icmp to s2
rule icmp to s3'
	check_eq "$mode: a port some rule sends out on classifies its way out" \
		"$(out_ports)" p1
	[[ $mode == inplace ]] && egress_hooks=$(nf_hooks p1 egress)
	traffic
	sees s1 "icmp and src host 10.0.0.1" "in on p0: s1 saw the pings h1 sent"
	sees s2 "icmp and src host 10.0.0.1" "out on p1: s2 saw them leave for h2"
	sees s3 "icmp" "no direction: s3 saw each ICMP frame once"
}

# direction on every port: libpcap's inbound and outbound
case_bound() {
	load_rules "$box" 'rule inbound and icmp to s1
rule outbound and icmp to s2'
	check_eq "$mode: outbound classifies every port's way out" \
		"$(out_ports)" "p0 p1"
	traffic
	sees s1 "icmp" "inbound: s1 saw each ICMP frame once, as it arrived"
	sees s2 "icmp" "outbound: s2 saw each ICMP frame once, as it left"
}

# a set of 1,000 hosts, after a ruleset with a rule out on p1 (direction)
case_set() {
	local hosts packets
	hosts=$(python3 -c 'print(", ".join(["10.0.0.2"] + ["10.%d.%d.%d" % (1 + i // 65536, i // 256 % 256, i % 256) for i in range(999)]))')
	load_rules "$box" "rule host { $hosts } to s1
rule host { ${hosts#10.0.0.2, } } to s2"
	traffic
	sees s1 "host 10.0.0.2" "a 1,000-host set: s1 saw the frames of its host"
	sees s2 "host 10.255.255.255" "a set without it: s2 saw none"
	read -r packets < <("$DUPTO" -n "$box" -j rule show | jq -r '.[0].packets')
	wire_filter "host 10.0.0.2" "$lib_tmp/want.pcap"
	check_eq "$mode: the rule counted what it matched" \
		"$packets" "$(python3 "$lib_dir/frames.py" total "$lib_tmp/want.pcap")"
	check_eq "$mode: a ruleset with no rule out on p1 stops classifying its way out" \
		"$(out_ports)" ""
	[[ $mode == inplace && -n ${egress_hooks:-} ]] && egress_hook_kept
}

for mode in inplace device; do
	ns_add h1 h2 box
	bridge_hosts "$h1" "$h2" "$box" "$mode"
	for ns in "$h1" "$h2"; do
		in_ns "$ns" ethtool -K eth0 tso off gso off gro off tx off >/dev/null
	done
	for s in s1 s2 s3; do
		in_ns "$box" "$DUPTO" sensor add "$s"
	done
	egress_hooks=
	run_cases regeneration quick direction bound set
	lib_cleanup_namespaces
done

end_test
