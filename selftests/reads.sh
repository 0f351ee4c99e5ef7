#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The classifier reads nothing outside the frame, whatever offset a rule
# computes: loads and compares at offsets from registers near 0, 2^31 and
# 2^32 - 1, on frames whose bytes are mostly in page fragments (TSO-built
# over veth, GRO-merged on the box) and on frames whose VLAN tag the kernel
# holds in metadata. A read outside the frame is "no match": those rules
# never match, the port counts the frames as errors, a rule reading the
# frame's last byte matches every frame, and the bridged transfers arrive
# intact. A read outside the frame in the kernel would oops the guest.
#
#   h1                              box                         h2
#   eth0 10.0.0.1 ------- p0 -[port]-+- br0 -+-[port]- p1 ------- eth0 10.0.0.2
#   eth0.10 10.0.10.1                 sensors s1, s2             eth0.10 10.0.10.2

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 tcpdump ethtool
load_dupto

# Rules that read outside every frame, one per way of computing an offset;
# they all send to s2, which must get nothing. (Offset arithmetic is 32-bit
# and wraps, as libpcap's does: tcp[0xfffffffe] is 18 bytes into the TCP
# header. Only the register plus the instruction's offset is not wrapped.)
outside=(
	'ether[0x80000000:4] = ether[0x80000000:4]'
	'ether[0x7ffffffe + ether[0]:2] = ether[0x7ffffffe + ether[0]:2]'
	'ether[0xffffffff] = ether[0xffffffff]'
	'ether[0xfffffffc:4] = ether[0xfffffffc:4]'
	'ether[len + 0x7fffffff:4] = ether[len + 0x7fffffff:4]'
	'ip[0xfffffffe:2] = ip[0xfffffffe:2]'
	'tcp[0x80000000:4] = tcp[0x80000000:4]'
	'tcp[tcp[12] + 0x7ffffff0:4] = tcp[tcp[12] + 0x7ffffff0:4]'
	'vlan and ether[0x80000000:4] = ether[0x80000000:4]'
	'vlan and tcp[0xffffff00:2] = tcp[0xffffff00:2]'
	'ether[len:1] = ether[len:1]'
)

# The wire length of the longest frame in a capture: the pcap record's
# original length, whatever the snapshot kept.
longest() {
	python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
o, m = 24, 0
while o + 16 <= len(d):
    _, _, incl, orig = struct.unpack_from("<IIII", d, o)
    m = max(m, orig)
    o += 16 + incl
print(m)' "$1"
}

port_field() {
	"$DUPTO" -n "$box" -j port show | jq -r ".[] | select(.ifname == \"$1\") | .stats.$2"
}

# reads MODE: the box above with its ports attached in MODE, the transfers
# across it, and what its sensors and counters show.
reads() {
	local mode=$1
	ns_add h1 h2 box
	bridge_hosts "$h1" "$h2" "$box" "$mode"
	# h1's veth hands the bridge whole TSO frames, up to 64 KB with the
	# payload in page fragments; GRO on p1 merges h2's replies.
	in_ns "$box" ethtool -K p1 gro on >/dev/null 2>&1
	for ns in "$h1" "$h2"; do
		in_ns "$ns" ip link add link eth0 name eth0.10 type vlan id 10
		in_ns "$ns" ip link set eth0.10 up
	done
	in_ns "$h1" ip addr add 10.0.10.1/24 dev eth0.10
	in_ns "$h2" ip addr add 10.0.10.2/24 dev eth0.10
	in_ns "$box" "$DUPTO" sensor add s1
	in_ns "$box" "$DUPTO" sensor add s2

	rules="rule ether[len - 1] = ether[len - 1] to s1"
	for r in "${outside[@]}"; do
		rules+=$'\n'"rule $r to s2"
	done
	load_rules "$box" "$rules"

	capture_start "$box" s1 "$lib_tmp/s1.pcap"
	capture_start "$box" s2 "$lib_tmp/s2.pcap"
	tcp_serve "$h2" 10.0.0.2 5001
	check "$mode: a 4 MB transfer crosses the bridge intact" \
		in_ns "$h1" python3 "$lib_dir/tcp_xfer.py" send 10.0.0.2 5001 4000000
	tcp_serve "$h2" 10.0.10.2 5001
	check "$mode: a 4 MB transfer over VLAN 10 crosses the bridge intact" \
		in_ns "$h1" python3 "$lib_dir/tcp_xfer.py" send 10.0.10.2 5001 4000000
	capture_stop "$lib_tmp/s1.pcap" "$lib_tmp/s2.pcap"

	len=$(longest "$lib_tmp/s1.pcap")
	if ((len > 1514)); then
		pass "$mode: frames longer than the MTU (non-linear) were classified"
	else
		fail "$mode: frames longer than the MTU (non-linear) were classified"
		note "the longest frame s1 got has $len bytes"
	fi
	check_eq "$mode: tagged frames were classified" \
		"$(tcpdump -r "$lib_tmp/s1.pcap" -nn vlan 10 2>/dev/null | wc -l | awk '{print ($1 > 0)}')" 1

	# The last frames of a transfer (its closing ACKs) may still be on
	# their way: the counters are read once they have stopped moving, so
	# that the ports' and the rules' are of the same frames.
	counters=
	for _ in $(seq 40); do
		last=$counters
		counters="$(port_field p0 seen) $(port_field p1 seen) $(port_field p0 errors) $(port_field p1 errors) $("$DUPTO" -n "$box" -j rule show | jq -r '[.[].packets] | join(" ")')"
		[[ $counters == "$last" ]] && break
		sleep 0.25
	done
	read -r s0 s1 e0 e1 rest <<<"$counters"
	seen=$((s0 + s1))
	errors=$((e0 + e1))
	read -r -a packets <<<"$rest"
	check_eq "$mode: the last byte of every frame was read: the rule matched each frame" \
		"${packets[0]}" "$seen"
	for i in "${!outside[@]}"; do
		check_eq "$mode: no match, nothing read: ${outside[i]}" \
			"${packets[i + 1]}" 0
	done
	check_eq "$mode: every frame counted as a read error on its port" \
		"$errors" "$seen"
	check_eq "$mode: s2 got no frame" \
		"$(tcpdump -r "$lib_tmp/s2.pcap" 2>/dev/null | wc -l)" 0
	lib_cleanup_namespaces
}

case_inplace() { reads inplace; }
case_device() { reads device; }

run_cases inplace device
end_test
