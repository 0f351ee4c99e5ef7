#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What Documentation/troubleshooting.rst tells an administrator to look at
# says what the page says it does: a sensor's driver and qdisc as ethtool
# and tc show them, a monitor port as dupto port show lists it, a frame
# copied twice by rules "on" both ports it crosses and once by rules "in
# on" them, a copy dropped on the sensor's own transmit path counted as
# "queue", and one dropped by the sensor's lower device counted as sent by
# dupto and as TX dropped on the sensor.
#
#   h1                          box                          h2
#   eth0 10.0.0.1 --- p0 -[port]-+- br0 -+-[port]- p1 --- eth0 10.0.0.2
#                     s1 -- l1 ==== eth0 c1               s2 (no lower)
#                     tap0 (monitor port device) - p7 ==== eth0 tap

. "$(dirname "$0")/lib.sh"

require_cmd jq tc ethtool
load_dupto

ns_add h1 h2 box c1 tap
bridge_hosts "$h1" "$h2" "$box" inplace
veth_pair "$c1" eth0 "$box" l1
veth_pair "$tap" eth0 "$box" p7
in_ns "$box" "$DUPTO" sensor add s1 link l1
in_ns "$box" "$DUPTO" sensor add s2
in_ns "$h1" ping -c 1 -W 2 10.0.0.2 >/dev/null

# sensor_stat SENSOR COUNTER
sensor_stat() {
	"$DUPTO" -n "$box" -j sensor show "$1" | jq -r ".[0].stats.$2"
}

# rules RULES: the ruleset, and every counter from zero (a sensor's count
# from its creation, not from the ruleset's load).
rules() {
	load_rules "$box" "$1" && in_ns "$box" "$DUPTO" stats reset
}

# pings: 4 echo requests and their replies, 8 ICMP frames across br0.
pings() {
	in_ns "$h1" ping -c 4 -i 0.2 -W 2 10.0.0.2 >"$lib_tmp/ping.out" 2>&1
	grep -q "4 packets transmitted, 4 received" "$lib_tmp/ping.out"
}

# --- where to look ----------------------------------------------------------

case_look() {
	check_eq "ethtool -i names the sensor's driver" \
		"$(in_ns "$box" ethtool -i s2 | sed -n 's/^driver: //p')" dupto
	check_eq "a sensor has no qdisc of its own: noqueue" \
		"$(tc -n "$box" -j qdisc show dev s2 | jq -r '.[0].kind')" noqueue
	check "a monitor port device is made on a NIC in no bridge" \
		in_ns "$box" "$DUPTO" port add p7 device name tap0
	check_eq "dupto port show lists it as the troubleshooting page says" \
		"$("$DUPTO" -n "$box" port show p7 | head -n 1)" "p7: device tap0, classifying in"
	check_eq "ip -d link shows it as a dupto device on p7" \
		"$(link_field "$box" tap0 .linkinfo.info_kind) $(link_field "$box" tap0 .link)" "dupto p7"
	in_ns "$box" "$DUPTO" port del p7
}

# --- duplicates -------------------------------------------------------------

case_duplicates() {
	rules 'rule icmp and (on p0 or on p1) to s2'
	check "pings cross the bridge" pings
	check_eq "a rule on both ports copies each frame twice, in and out" \
		"$(sensor_stat s2 sent)" 16
	rules 'rule icmp and (in on p0 or in on p1) to s2'
	check "pings cross the bridge" pings
	check_eq "a rule in on both ports copies each frame once" \
		"$(sensor_stat s2 sent)" 8
}

# --- drops ------------------------------------------------------------------

# drop_egress DEV: a tc filter in the box that drops every frame DEV sends.
drop_egress() {
	in_ns "$box" tc qdisc add dev "$1" clsact &&
		in_ns "$box" tc filter add dev "$1" egress matchall action drop
}

case_queue() {
	rules 'rule icmp to s2'
	if ! drop_egress s2 2>"$lib_tmp/tc.err"; then
		skip_check "a copy dropped on the sensor's transmit path counts as queue" \
			"tc cannot drop on egress here: $(head -n 1 "$lib_tmp/tc.err")"
		return
	fi
	check "pings cross the bridge" pings
	check_eq "a copy a tc filter on the sensor drops counts as queue, not sent" \
		"$(sensor_stat s2 queue) $(sensor_stat s2 sent)" "8 0"
	in_ns "$box" tc qdisc del dev s2 clsact
}

case_lower() {
	local before
	rules 'rule icmp to s1'
	if ! drop_egress l1 2>"$lib_tmp/tc.err"; then
		skip_check "a copy the lower device drops is sent, and TX dropped on the sensor" \
			"tc cannot drop on egress here: $(head -n 1 "$lib_tmp/tc.err")"
		return
	fi
	before=$(link_field "$box" s1 .stats64.tx.dropped)
	check "pings cross the bridge" pings
	check_eq "a copy the lower device drops is sent for dupto, queue 0" \
		"$(sensor_stat s1 sent) $(sensor_stat s1 queue)" "8 0"
	check_eq "and TX dropped on the sensor (ip -s link)" \
		"$(($(link_field "$box" s1 .stats64.tx.dropped) - before))" 8
	in_ns "$box" tc qdisc del dev l1 clsact
}

run_cases look duplicates queue lower
end_test
