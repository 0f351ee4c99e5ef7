#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A sensor that is down, or whose link has lost carrier, gets nothing: its
# copies are dropped and counted, the other sensors and the bridge go on
# as before.
#
#   h1                          box                         h2
#   eth0 10.0.0.1 --- p0 -[port]-+- br0 -+-[port]- p1 --- eth0 10.0.0.2
#                     s1 -- l1 ==== eth0 c1        s2 (no lower)
#   rule icmp to s1, s2

. "$(dirname "$0")/lib.sh"

require_cmd jq python3
load_dupto

# sensor_stat SENSOR COUNTER
sensor_stat() {
	"$DUPTO" -n "$box" -j sensor show | jq -r ".[] | select(.ifname == \"$1\") | .stats.$2"
}

pings() {
	in_ns "$h1" ping -c 4 -i 0.2 -W 2 10.0.0.2 >"$lib_tmp/ping.out" 2>&1
	grep -q "4 packets transmitted, 4 received" "$lib_tmp/ping.out"
}

# sensor_down MODE: all of the above, with the box's ports in MODE.
sensor_down() {
	local mode=$1
	ns_add h1 h2 box c1
	bridge_hosts "$h1" "$h2" "$box" "$mode"
	veth_pair "$c1" eth0 "$box" l1
	in_ns "$box" "$DUPTO" sensor add s1 link l1
	in_ns "$box" "$DUPTO" sensor add s2
	in_ns "$box" "$DUPTO" rule add icmp to s1, s2
	in_ns "$h1" ping -c 1 -W 2 10.0.0.2 >/dev/null

	check "$mode: with both sensors up, the pings cross" pings
	check_eq "$mode: and each sensor got all 8 ICMP frames, plus the first ping's" \
		"$(sensor_stat s1 sent) $(sensor_stat s2 sent)" "10 10"

	in_ns "$box" ip link set s1 down
	check "$mode: with a sensor down, the pings still cross" pings
	check_eq "$mode: its copies are dropped and counted as down" \
		"$(sensor_stat s1 sent) $(sensor_stat s1 down)" "10 8"
	check_eq "$mode: the other sensor still gets its copies" "$(sensor_stat s2 sent)" 18
	in_ns "$box" ip link set s1 up

	in_ns "$c1" ip link set eth0 down
	wait_for 10 operstate_is "$box" s1 LOWERLAYERDOWN
	check "$mode: with a sensor's link without carrier, the pings still cross" pings
	check_eq "$mode: its copies are dropped and counted as down" \
		"$(sensor_stat s1 sent) $(sensor_stat s1 down)" "10 16"
	in_ns "$c1" ip link set eth0 up
	wait_for 10 operstate_is "$box" s1 UP
	check "$mode: once the link is back, the sensor gets its copies again" pings
	check_eq "$mode: as counted" "$(sensor_stat s1 sent)" 18

	check "$mode: stats reset zeroes the counters" in_ns "$box" "$DUPTO" stats reset
	check_eq "$mode: all of them" "$(sensor_stat s1 sent) $(sensor_stat s1 down)" "0 0"

	lib_cleanup_namespaces
}

case_inplace() { sensor_down inplace; }
case_device() { sensor_down device; }

run_cases inplace device
end_test
