#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The sensor device: frames transmitted on it are seen by a capture on it
# and, when it has a lower device, leave on that device byte for byte.
# A sensor link is transmit-only, and the host stays silent on a sensor.
#
#   box                                               collector
#   s0 (no lower)
#   s1 --- p1 ============== veth ==============  eth0 (tcpdump)
#   s2 --- p2 ============== veth ==============  eth2 10.2.0.1
#
#   quiet (IPv6 enabled): s6, and d6 a dummy device for comparison

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 tcpdump
load_dupto
ns_add box collector quiet

veth_pair "$box" p1 "$collector" eth0
veth_pair "$box" p2 "$collector" eth2
in_ns "$box" ip link add s0 type dupto-sensor
in_ns "$box" ip link add s1 link p1 type dupto-sensor
in_ns "$box" ip link add s2 link p2 type dupto-sensor
for dev in s0 s1 s2; do
	in_ns "$box" ip link set "$dev" up
done

check_eq "ip -d link names the kind" \
	"$(link_field "$box" s0 .linkinfo.info_kind)" dupto-sensor
check_eq "a sensor without a lower device stands alone" \
	"$(link_field "$box" s0 .link)" null
check_eq "a sensor with one is stacked on it" "$(link_field "$box" s1 .link)" p1
check_eq "and owns it" "$(link_field "$box" p1 .master)" s1
check_eq "a sensor without a lower device has carrier" \
	"$(ip netns exec "$box" cat /sys/class/net/s0/carrier)" 1

# the host's address on s2's lower device: it answers only once s2 is gone
in_ns "$box" ip addr add 10.2.0.2/24 dev p2
in_ns "$collector" ip addr add 10.2.0.1/24 dev eth2

tx() {
	ip -n "$box" -s -j link show dev "$1" | jq -r '.[0].stats64.tx | "\(.packets) \(.bytes)"'
}

# --- transmitting -----------------------------------------------------------
case_transmit() {
	read -r tx_p tx_b < <(tx s0)
	capture_start "$box" s0 "$lib_tmp/s0.pcap"
	send_frames "$box" s0 alone 5
	capture_stop "$lib_tmp/s0.pcap"
	check_eq "a capture on a sensor sees every frame sent on it" \
		"$(count_frames "$lib_tmp/s0.pcap" alone)" 5
	read -r tx_p2 tx_b2 < <(tx s0)
	check_eq "the sensor counts them as transmitted" \
		"$((tx_p2 - tx_p)) packets, $((tx_b2 - tx_b)) bytes" "5 packets, 320 bytes"

	capture_start "$collector" eth0 "$lib_tmp/eth0.pcap"
	send_frames "$box" s1 remote 5
	capture_stop "$lib_tmp/eth0.pcap"
	check_eq "frames sent on a sensor leave on its lower device" \
		"$(count_frames "$lib_tmp/eth0.pcap" remote)" 5
	check_eq "unchanged" \
		"$(python3 "$lib_dir/frames.py" first "$lib_tmp/eth0.pcap" remote)" \
		"$(python3 "$lib_dir/frames.py" hex remote 0)"
}

# --- receiving --------------------------------------------------------------
case_receive() {
	dropped() {
		link_field "$box" s1 .stats64.rx.dropped
	}
	before=$(dropped)
	capture_start "$box" s1 "$lib_tmp/s1.pcap"
	send_frames "$collector" eth0 inbound 3
	capture_stop "$lib_tmp/s1.pcap"
	check_eq "frames arriving on a sensor link are dropped and counted" \
		"$(($(dropped) - before))" 3
	check_eq "nothing reaches the sensor" "$(count_frames "$lib_tmp/s1.pcap" inbound)" 0

	check_fails "the host does not answer on a sensor link" \
		in_ns "$collector" ping -c 2 -i 0.3 -W 1 10.2.0.2
}

# --- silence ----------------------------------------------------------------
case_silence() {
	in_ns "$quiet" sysctl -q -w net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0
	in_ns "$quiet" ip link add d6 type dummy
	in_ns "$quiet" ip link add s6 type dupto-sensor
	in_ns "$quiet" ip link set d6 up
	in_ns "$quiet" ip link set s6 up
	has_ipv6() {
		[[ -n $(ip -n "$quiet" -6 -j addr show dev "$1" | jq -r '.[0].addr_info[]?.local') ]]
	}
	check "IPv6 is on in the namespace: a dummy device gets an address" \
		wait_for 10 has_ipv6 d6
	check_fails "the host configures no IPv6 on a sensor" has_ipv6 s6
}

# --- following the lower device ---------------------------------------------
case_lower() {
	in_ns "$collector" ip link set eth0 down
	check "a sensor loses carrier with its lower device" \
		wait_for 10 operstate_is "$box" s1 LOWERLAYERDOWN
	in_ns "$collector" ip link set eth0 up
	check "and gets it back with it" wait_for 10 operstate_is "$box" s1 UP

	in_ns "$box" ip link set p1 mtu 1400
	check_eq "a sensor follows its lower device's MTU" "$(link_field "$box" s1 .mtu)" 1400

	in_ns "$box" ip link del s2
	check_eq "deleting a sensor frees its lower device" \
		"$(link_field "$box" p2 .master)" null
	check "which then answers for the host again" \
		wait_for 10 in_ns "$collector" ping -c 1 -W 1 10.2.0.2

	in_ns "$box" ip link del p1
	check_fails "deleting the lower device deletes the sensor" dev_exists "$box" s1
}

run_cases transmit receive silence lower

end_test
