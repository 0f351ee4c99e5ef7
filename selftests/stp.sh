#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel STP keeps working on dupto ports. A bridge of dupto ports is joined
# to a second bridge by two links, a redundant topology; the second bridge
# has priority 0 and must become the root, and of the two dupto ports one
# must be the root port, forwarding, the other blocking.
#
# This is what breaks when a bridge port's rx_handler is swapped for
# another: the bridge recognises its ports by their rx_handler, so it stops
# hearing BPDUs, elects itself root and forwards on both links, a loop.
#
#   h1 eth0 10.9.0.1 --- p3 - dp3 -+                        +- q3 --- eth0 10.9.0.2 h2
#                                  |        box      peer   |
#                       p1 - dp1 --+- br0        br1 -------+- q1
#                       p2 - dp2 --+       (priority 0)     +- q2
#
#   p1-q1 and p2-q2 are the redundant links; p3-h1 and q3-h2 carry traffic.

. "$(dirname "$0")/lib.sh"

require_cmd jq
load_dupto
ns_add h1 h2 box peer

veth_pair "$box" p1 "$peer" q1
veth_pair "$box" p2 "$peer" q2
veth_pair "$box" p3 "$h1" eth0
veth_pair "$peer" q3 "$h2" eth0
in_ns "$h1" ip addr add 10.9.0.1/24 dev eth0
in_ns "$h2" ip addr add 10.9.0.2/24 dev eth0

# The shortest timers STP allows (centiseconds): 2 s forward delay.
stp_bridge() {
	in_ns "$1" ip link add br0 type bridge stp_state 1 priority "$2" \
		forward_delay 200 hello_time 100 max_age 600
}
stp_bridge "$box" 32768
stp_bridge "$peer" 0
for i in 1 2 3; do
	in_ns "$box" ip link add "dp$i" link "p$i" type dupto
	in_ns "$box" ip link set "dp$i" master br0 up
	in_ns "$peer" ip link set "q$i" master br0
done
in_ns "$box" ip link set br0 up
in_ns "$peer" ip link set br0 up

sysfs() {
	ip netns exec "$1" cat "/sys/class/net/$2"
}

# 3 forwarding, 4 blocking
converged() {
	local s1 s2
	s1=$(sysfs "$box" dp1/brport/state)
	s2=$(sysfs "$box" dp2/brport/state)
	[[ $(sysfs "$box" br0/bridge/root_id) == $(sysfs "$peer" br0/bridge/bridge_id) ]] &&
	[[ "$s1 $s2" == "3 4" || "$s1 $s2" == "4 3" ]]
}
wait_for 60 converged

check_eq "the bridge of dupto ports elects the other bridge as root" \
	"$(sysfs "$box" br0/bridge/root_id)" "$(sysfs "$peer" br0/bridge/bridge_id)"
states="$(sysfs "$box" dp1/brport/state) $(sysfs "$box" dp2/brport/state)"
if [[ $states == "3 4" || $states == "4 3" ]]; then
	pass "one redundant dupto port forwards, the other blocks"
else
	fail "one redundant dupto port forwards, the other blocks"
	note "states of dp1 and dp2: $states (3 forwarding, 4 blocking)"
fi
if [[ $states == "3 4" ]]; then
	root=dp1
else
	root=dp2
fi
check_eq "the forwarding one is the root port" \
	"$(sysfs "$box" br0/bridge/root_port)" "$(printf '%d' "$(sysfs "$box" "$root/brport/port_no")")"
check "traffic crosses the redundant topology" \
	wait_for 30 in_ns "$h1" ping -c 1 -W 1 10.9.0.2

# Losing the root port's link moves the root port to the blocked one.
in_ns "$box" ip link set "p${root#dp}" down
other=dp1
[[ $root == dp1 ]] && other=dp2
forwarding() {
	[[ $(sysfs "$box" "$1/brport/state") == 3 ]]
}
check "when the root port's link fails the blocked port takes over" \
	wait_for 60 forwarding "$other"
check "and traffic flows again" \
	wait_for 30 in_ns "$h1" ping -c 1 -W 1 10.9.0.2
end_test
