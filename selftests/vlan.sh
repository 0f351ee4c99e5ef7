#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A VLAN-filtering bridge of dupto ports filters as it would on the NICs:
# the port VLAN ID carries untagged frames, configured VLANs pass tagged,
# all others are dropped; the VLAN list can change under traffic.
#
#   h1                                   box                          h2
#   eth0    10.1.0.1 --- p1 - dp1 -+                   +- dp2 - p2 --- eth0    10.1.0.2
#   eth0.10 10.10.0.1              +- br0 (filtering) -+               eth0.10 10.10.0.2
#   eth0.20 10.20.0.1                                                  eth0.20 10.20.0.2
#
# dp1 and dp2: VLAN 1 untagged (the PVID), VLAN 10 tagged; VLAN 20 not.

. "$(dirname "$0")/lib.sh"

require_cmd jq bridge
load_dupto
ns_add h1 h2 box

for i in 1 2; do
	h=h$i
	veth_pair "${!h}" eth0 "$box" "p$i"
	in_ns "${!h}" ip addr add "10.1.0.$i/24" dev eth0
	for vid in 10 20; do
		in_ns "${!h}" ip link add link eth0 name "eth0.$vid" type vlan id $vid
		in_ns "${!h}" ip addr add "10.$vid.0.$i/24" dev "eth0.$vid"
		in_ns "${!h}" ip link set "eth0.$vid" up
	done
	in_ns "$box" ip link add "dp$i" link "p$i" type dupto
done
in_ns "$box" ip link add br0 type bridge vlan_filtering 1
for i in 1 2; do
	in_ns "$box" ip link set "dp$i" master br0 up
	in_ns "$box" bridge vlan add vid 10 dev "dp$i"
done
in_ns "$box" ip link set br0 up

vlans_of() {
	bridge -n "$box" -j vlan show dev "$1" | jq -r '.[0].vlans[].vlan' | sort -n | xargs
}
check_eq "the bridge keeps the VLAN list of a dupto port" "$(vlans_of dp1)" "1 10"

ping_ok() {
	in_ns "$h1" ping -c 1 -W 1 "$1"
}
check "untagged frames cross on the PVID" wait_for 30 ping_ok 10.1.0.2
check "a configured VLAN crosses tagged" wait_for 30 ping_ok 10.10.0.2
check_fails "a VLAN the ports lack is filtered" in_ns "$h1" ping -c 2 -i 0.3 -W 1 10.20.0.2

for i in 1 2; do
	in_ns "$box" bridge vlan add vid 20 dev "dp$i"
done
check "adding that VLAN to both ports lets it through" wait_for 30 ping_ok 10.20.0.2
in_ns "$box" bridge vlan del vid 10 dev dp2
check_fails "removing a VLAN from one port filters it again" \
	in_ns "$h1" ping -c 2 -i 0.3 -W 1 10.10.0.2
check "the other VLANs are untouched" ping_ok 10.20.0.2

end_test
