#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The book's scenario (scenario-lib.sh has the diagram): web traffic to
# sensor1, all other TCP, UDP and ICMP to sensor2, with the box's ports
# attached in place and then as port devices. Each sensor must see exactly
# its share of what crossed the bridge, both directions, byte for byte, and
# the bridged traffic itself must arrive intact.

. "$(dirname "$0")/lib.sh"
. "$lib_dir/scenario-lib.sh"

require_cmd jq python3 tcpdump ethtool
load_dupto

# scenario MODE: the book's scenario, with ports in MODE.
scenario() {
	local mode=$1
	scenario_build "$mode"
	scenario_traffic

	check_eq "$mode: the page arrived byte for byte" \
		"$(cat "$lib_tmp/got.sha")" "$(sha256sum "$lib_tmp/page" | cut -d' ' -f1)"
	check_eq "$mode: the DNS query was answered" "$(cat "$lib_tmp/dns.out")" 192.0.2.1
	check "$mode: every ping was answered" \
		grep -q "3 packets transmitted, 3 received" "$lib_tmp/ping.out"
	check_eq "$mode: no IP address anywhere on the box" \
		"$(ip -n "$box" -j addr show | jq -r '.[] | select(.ifname != "lo") | .addr_info[].local')" ""

	scenario_expect "tcp port 80" "$lib_tmp/want1.pcap"
	scenario_expect "not (tcp port 80) and (tcp or udp or icmp)" "$lib_tmp/want2.pcap"
	n1=$(python3 "$lib_dir/frames.py" total "$lib_tmp/want1.pcap")
	n2=$(python3 "$lib_dir/frames.py" total "$lib_tmp/want2.pcap")
	if ((n1 > 20 && n2 >= 8)); then
		pass "$mode: the traffic crossed the bridge ($n1 web frames, $n2 others)"
	else
		fail "$mode: the traffic crossed the bridge ($n1 web frames, $n2 others)"
	fi
	same_frames "$mode: sensor1 saw exactly the web frames, both directions" \
		"$lib_tmp/want1.pcap" "$lib_tmp/sensor1.pcap"
	same_frames "$mode: sensor2 saw exactly the DNS and ICMP frames" \
		"$lib_tmp/want2.pcap" "$lib_tmp/sensor2.pcap"
	if ((ksft_rc)); then
		note "$(in_ns "$box" "$DUPTO" stats)"
	fi

	lib_cleanup_namespaces
}

case_inplace() { scenario inplace; }
case_device() { scenario device; }

run_cases inplace device
end_test
