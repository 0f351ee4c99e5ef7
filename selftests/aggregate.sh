#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Aggregation: a tap gives each direction of a link on a port of its own;
# two monitor ports (not bridged: classified, then discarded) feed one
# sensor, which must see the link's frames in both directions, exactly once.
#
#   h1                       wire                       h2
#   eth0 10.0.0.1 --- wa -+- brW -+- wb --- eth0 10.0.0.2
#                    mirred |       | mirred   (tc copies what each side sends)
#                          ta       tb
#                           |       |
#                          pa       pb   box: monitor ports, in place or devices
#                                        sensor s1 (no lower): rule to s1

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 tcpdump tc ethtool
load_dupto

# aggregate MODE: the taps' two directions merged, with ports in MODE.
aggregate() {
	local mode=$1
	ns_add h1 h2 wire box
	veth_pair "$h1" eth0 "$wire" wa
	veth_pair "$h2" eth0 "$wire" wb
	veth_pair "$wire" ta "$box" pa
	veth_pair "$wire" tb "$box" pb
	in_ns "$h1" ip addr add 10.0.0.1/24 dev eth0
	in_ns "$h2" ip addr add 10.0.0.2/24 dev eth0
	known_neighbours "$h1" 10.0.0.1 "$h2" 10.0.0.2
	for ns in "$h1" "$h2"; do
		in_ns "$ns" ethtool -K eth0 tso off gso off gro off tx off >/dev/null
	done
	in_ns "$wire" ip link add brW type bridge
	in_ns "$wire" ip link set wa master brW
	in_ns "$wire" ip link set wb master brW
	in_ns "$wire" ip link set brW up
	for pair in wa:ta wb:tb; do
		in_ns "$wire" tc qdisc add dev "${pair%:*}" clsact
		in_ns "$wire" tc filter add dev "${pair%:*}" ingress matchall \
			action mirred egress mirror dev "${pair#*:}"
	done

	attach_ports "$box" "$mode" pa pb
	in_ns "$box" "$DUPTO" sensor add s1
	in_ns "$box" "$DUPTO" rule add to s1

	capture_start "$h1" eth0 "$lib_tmp/wire.pcap"
	capture_start "$box" s1 "$lib_tmp/s1.pcap"
	in_ns "$h1" ping -c 5 -i 0.2 10.0.0.2 >/dev/null
	capture_stop "$lib_tmp/s1.pcap" "$lib_tmp/wire.pcap"

	n=$(python3 "$lib_dir/frames.py" total "$lib_tmp/wire.pcap")
	if ((n >= 10)); then
		pass "$mode: the link carried traffic both ways ($n frames)"
	else
		fail "$mode: the link carried traffic both ways ($n frames)"
	fi
	same_frames "$mode: one sensor saw both directions of the link, each frame once" \
		"$lib_tmp/wire.pcap" "$lib_tmp/s1.pcap"
	seen=$("$DUPTO" -n "$box" -j port show | jq '[.[].stats.seen] | add')
	check_eq "$mode: the monitor ports classified every frame the tap gave them" \
		"$seen" "$n"

	lib_cleanup_namespaces
}

case_inplace() { aggregate inplace; }
case_device() { aggregate device; }

run_cases inplace device
end_test
