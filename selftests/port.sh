#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The port device is a transparent bridge port: traffic crosses a bridge of
# dupto ports as it would a bridge of the NICs themselves, and each port
# follows its lower device the way macvlan in passthru mode does.
#
#   h1                     box                          h2
#   eth0 10.0.0.1 --- p1 - dp1 -+        +- dp2 - p2 --- eth0 10.0.0.2
#                               +- br0 --+
#
#   h3
#   eth0 10.3.0.1 --- p3 - dp3 10.3.0.2   (not bridged: a monitor port)
#
# p1, p2, p3 are veths; dp1, dp2, dp3 are dupto ports stacked on them.

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 bridge
load_dupto
ns_add h1 h2 h3 box

veth_pair "$h1" eth0 "$box" p1
veth_pair "$h2" eth0 "$box" p2
veth_pair "$h3" eth0 "$box" p3
in_ns "$h1" ip addr add 10.0.0.1/24 dev eth0
in_ns "$h2" ip addr add 10.0.0.2/24 dev eth0
in_ns "$h3" ip addr add 10.3.0.1/24 dev eth0

for i in 1 2 3; do
	in_ns "$box" ip link add "dp$i" link "p$i" type dupto
done
in_ns "$box" ip link add br0 type bridge
in_ns "$box" ip link set dp1 master br0
in_ns "$box" ip link set dp2 master br0
in_ns "$box" ip addr add 10.3.0.2/24 dev dp3
for dev in dp1 dp2 dp3 br0; do
	in_ns "$box" ip link set "$dev" up
done

# packets and bytes each way: "RX-PACKETS RX-BYTES TX-PACKETS TX-BYTES"
stats() {
	ip -n "$box" -s -j link show dev "$1" |
		jq -r '.[0].stats64 | "\(.rx.packets) \(.rx.bytes) \(.tx.packets) \(.tx.bytes)"'
}

# --- what "ip link" shows --------------------------------------------------

case_show() {
	check_eq "ip -d link names the kind" \
		"$(link_field "$box" dp1 .linkinfo.info_kind)" dupto
	check_eq "the port is stacked on its lower device" \
		"$(link_field "$box" dp1 .link)" p1
	check_eq "the lower device's master is the port" \
		"$(link_field "$box" p1 .master)" dp1
	check_eq "the port has its lower device's MAC address" \
		"$(link_field "$box" dp1 .address)" "$(link_field "$box" p1 .address)"
}

# --- traffic across the bridge ---------------------------------------------

case_traffic() {
	check "ping across a bridge of two dupto ports" \
		in_ns "$h1" ping -c 3 -i 0.2 -W 2 10.0.0.2

	tcp_serve "$h2" 10.0.0.2 5001
	check "a 4 MiB TCP transfer arrives byte for byte" \
		in_ns "$h1" python3 "$lib_dir/tcp_xfer.py" send 10.0.0.2 5001 4194304

	# Everything p1 receives goes up through dp1 and everything dp1 sends
	# leaves on p1, so their counters move together, to the byte.
	read -r a_rxp a_rxb a_txp a_txb < <(stats dp1)
	read -r b_rxp b_rxb b_txp b_txb < <(stats p1)
	in_ns "$h1" ping -q -c 20 -i 0.05 -s 500 10.0.0.2 >/dev/null
	read -r a_rxp2 a_rxb2 a_txp2 a_txb2 < <(stats dp1)
	read -r b_rxp2 b_rxb2 b_txp2 b_txb2 < <(stats p1)
	check_eq "ip -s link: the port received what its lower device did" \
		"$((a_rxp2 - a_rxp)) packets, $((a_rxb2 - a_rxb)) bytes" \
		"$((b_rxp2 - b_rxp)) packets, $((b_rxb2 - b_rxb)) bytes"
	check_eq "ip -s link: the lower device sent what the port did" \
		"$((b_txp2 - b_txp)) packets, $((b_txb2 - b_txb)) bytes" \
		"$((a_txp2 - a_txp)) packets, $((a_txb2 - a_txb)) bytes"
	if ((a_rxp2 - a_rxp >= 20 && a_txp2 - a_txp >= 20)); then
		pass "ip -s link: the port counted the 20 pings each way"
	else
		fail "ip -s link: the port counted the 20 pings each way"
		note "rx $((a_rxp2 - a_rxp)), tx $((a_txp2 - a_txp)) packets"
	fi
}

# --- following the lower device --------------------------------------------

case_follow() {
	check_eq "the port reports its lower device's link speed" \
		"$(in_ns "$box" cat /sys/class/net/dp1/speed)" \
		"$(in_ns "$box" cat /sys/class/net/p1/speed)"
	# veths report 10 Gb/s, an STP path cost of 2; an unknown speed costs 100.
	check_eq "the bridge's STP path cost comes from that speed" \
		"$(in_ns "$box" cat /sys/class/net/dp1/brport/path_cost)" 2

	check_eq "an up port holds its lower device promiscuous" \
		"$(link_field "$box" p1 .promiscuity)" 1
	in_ns "$box" ip link set dp1 down
	check_eq "a down port releases promiscuous mode" \
		"$(link_field "$box" p1 .promiscuity)" 0
	in_ns "$box" ip link set dp1 up

	# "ip link" shows only the flags a user set; sysfs has the device's own.
	allmulti() {
		(($(in_ns "$1" cat "/sys/class/net/$2/flags") & 0x200))
	}
	check_fails "no all-multicast on the lower device unasked" allmulti "$box" p3
	in_ns "$box" ip link set dp3 allmulticast on
	check "all-multicast on the port reaches the lower device" allmulti "$box" p3
	in_ns "$box" ip link set dp3 allmulticast off
	check_fails "and leaves it with the port" allmulti "$box" p3

	in_ns "$box" ip maddr add 01:00:5e:01:02:03 dev dp3
	check "multicast addresses of the port reach the lower device" \
		in_ns "$box" sh -c 'ip maddr show dev p3 | grep -q 01:00:5e:01:02:03'
	in_ns "$box" ip maddr del 01:00:5e:01:02:03 dev dp3
	check_fails "and leave it with the port" \
		in_ns "$box" sh -c 'ip maddr show dev p3 | grep -q 01:00:5e:01:02:03'
	in_ns "$box" bridge fdb add 02:11:22:33:44:55 dev dp3 self permanent
	check "unicast addresses of the port reach the lower device" \
		in_ns "$box" sh -c 'bridge fdb show dev p3 | grep -q "^02:11:22:33:44:55 "'

	in_ns "$box" ip link set p1 mtu 1400
	check_eq "the port follows its lower device's MTU down" \
		"$(link_field "$box" dp1 .mtu)" 1400
	in_ns "$box" ip link set p1 mtu 9000
	check_eq "and up" "$(link_field "$box" dp1 .mtu)" 9000
	check_fails "the port's MTU cannot exceed its lower device's" \
		in_ns "$box" ip link set dp1 mtu 9001
	in_ns "$box" ip link set p1 mtu 1500

	in_ns "$box" ip link set p1 address 02:00:00:00:01:01
	check_eq "the port follows its lower device's MAC address" \
		"$(link_field "$box" dp1 .address)" 02:00:00:00:01:01
	in_ns "$box" ip link set dp1 address 02:00:00:00:01:02
	check_eq "and setting the port's address sets the lower device's" \
		"$(link_field "$box" p1 .address)" 02:00:00:00:01:02

	in_ns "$h1" ip link set eth0 down
	check "the port loses carrier with its lower device" \
		wait_for 10 operstate_is "$box" dp1 LOWERLAYERDOWN
	in_ns "$h1" ip link set eth0 up
	check "and gets it back with it" \
		wait_for 10 operstate_is "$box" dp1 UP

	in_ns "$box" ip link set p1 down
	check_eq "an administratively down lower device takes the port's carrier" \
		"$(in_ns "$box" cat /sys/class/net/dp1/carrier)" 0
	in_ns "$box" ip link set p1 up
	check "and gives it back when it comes up" \
		wait_for 10 operstate_is "$box" dp1 UP
	check "traffic crosses the bridge again" \
		wait_for 30 in_ns "$h1" ping -c 1 -W 1 10.0.0.2
}

# --- a port nothing enslaved is a monitor port ------------------------------

case_monitor() {
	read -r rx_before _ < <(stats dp3)
	check_fails "a monitor port's host stack never answers its feed" \
		in_ns "$h3" ping -c 3 -i 0.2 -W 1 10.3.0.2
	read -r rx_after _ < <(stats dp3)
	if ((rx_after > rx_before)); then
		pass "yet the monitor port counted the frames it received"
	else
		fail "yet the monitor port counted the frames it received"
		note "rx packets before $rx_before, after $rx_after"
	fi
}

# --- namespaces and teardown ------------------------------------------------

case_teardown() {
	check_fails "a port cannot move to another namespace" \
		in_ns "$box" ip link set dp1 netns "$h1"
	check "it stays where it was" dev_exists "$box" dp1

	in_ns "$box" ip link del p3
	check_fails "deleting the lower device deletes the port" dev_exists "$box" dp3

	in_ns "$box" ip link del dp2
	check_eq "deleting the port frees its lower device" \
		"$(link_field "$box" p2 .master)" null
	check_eq "and its promiscuity" "$(link_field "$box" p2 .promiscuity)" 0
	in_ns "$box" ip link set p2 master br0
	check "the lower device then works as a plain bridge port" \
		wait_for 30 in_ns "$h1" ping -c 1 -W 1 10.0.0.2
}

# --- converting a bridge port -----------------------------------------------

case_convert() {
	# "dupto port add NIC device" puts a port device in the NIC's place in its
	# bridge, and a new bridge port starts with the bridge's defaults: a port
	# with settings of its own is refused, each setting named, and left as it
	# was. The module names what the bridge's own netlink fillers show it; the
	# tool, before it asks the module, names what only rtnetlink's dumps show
	# (static MDB entries, per-VLAN options). In namespace conv, bridge cbr
	# (VLAN filtering) has ports c0 and c1; c2 is there to be a third.
	# SETTING | HOW | WHO REFUSES | WHAT IT SAYS WOULD BE LOST | WHAT SHOWS IT INTACT
	# (commands in conv, under "sh -e"; the message follows "bridge port
	# settings would be lost: "). brport.py makes and shows what iproute2 6.1
	# cannot, and exits 4 (skip) where the kernel lacks it: the row then says
	# SKIP.

	ns_add conv
	in_ns "$conv" ip link add c0 type veth peer name c0p
	in_ns "$conv" ip link add c1 type veth peer name c1p
	in_ns "$conv" ip link add c2 type veth peer name c2p
	export brport=$lib_dir/brport.py
	fresh_bridge() {
		in_ns "$conv" ip link del cbr 2>/dev/null
		in_ns "$conv" ip link add cbr type bridge vlan_filtering 1 &&
		in_ns "$conv" ip link set c0 master cbr &&
		in_ns "$conv" ip link set c1 master cbr &&
		in_ns "$conv" ip link set cbr up
	}
	while IFS='|' read -r setting how who lost intact; do
		[[ -z $setting || $setting == \#* ]] && continue
		fresh_bridge
		out=$(in_ns "$conv" sh -ec "$how" 2>&1)
		rc=$?
		if ((rc == KSFT_SKIP)); then
			skip_check "convert refused: $setting" "$(sed -n 's/^SKIP: //p' <<<"$out")"
			continue
		elif ((rc)); then
			fail "convert refused: $setting: the setting is made"
			note "command: $how" "$out"
			continue
		fi
		if [[ $who == kernel ]]; then
			said="dupto: kernel says: bridge port settings would be lost: $lost"
		else
			said="dupto: cannot attach \"c0\": bridge port settings would be lost: $lost"
		fi
		check_error "convert refused: $setting" "$said" \
			in_ns "$conv" "$DUPTO" port add c0 device
		check_eq "convert refused: $setting: c0 is still in the bridge" \
			"$(link_field "$conv" c0 .master)" cbr
		check "convert refused: $setting: with its setting" in_ns "$conv" sh -c "$intact"
		check_eq "convert refused: $setting: and no port device was made" \
			"$(dupto_devices "$conv")" ""
	done <<'EOF'
locked|bridge link set dev c0 locked on|kernel|locked|bridge -d link show dev c0 | grep -q "locked on"
isolated|bridge link set dev c0 isolated on|kernel|isolated|bridge -d link show dev c0 | grep -q "isolated on"
bpdu guard|bridge link set dev c0 guard on|kernel|guard|bridge -d link show dev c0 | grep -q "guard on"
flood off|bridge link set dev c0 flood off|kernel|flood off|bridge -d link show dev c0 | grep -q " flood off"
mcast flood off|bridge link set dev c0 mcast_flood off|kernel|mcast_flood off|bridge -d link show dev c0 | grep -q "mcast_flood off"
vlan 10|bridge vlan add vid 10 dev c0|kernel|vlan 10|bridge -j vlan show dev c0 | jq -e '.[0].vlans[] | select(.vlan == 10)'
pvid change|bridge vlan add vid 20 dev c0 pvid untagged|kernel|pvid 20, vlan 20|bridge -j vlan show dev c0 | jq -e '.[0].vlans[] | select(.vlan == 20 and (.flags | index("PVID")))'
static fdb entry|bridge fdb add 02:00:00:00:00:aa dev c0 master static|kernel|static fdb entries|bridge fdb show dev c0 | grep -q "^02:00:00:00:00:aa .*static"
backup port|bridge link set dev c0 backup_port c1|kernel|backup_port c1|bridge -d link show dev c0 | grep -q "backup_port c1"
backup of another port|bridge link set dev c1 backup_port c0|kernel|backup_port of c1|bridge -d link show dev c1 | grep -q "backup_port c0"
four at once|bridge link set dev c0 locked on isolated on guard on learning off|kernel|locked, isolated, guard and 1 more|bridge -d link show dev c0 | grep -q "learning off"
mst_enabled|ip link set c0 nomaster; ip link set c1 nomaster; python3 "$brport" set cbr mst_enabled 1; ip link set c0 master cbr; ip link set c1 master cbr|kernel|mst_enabled|[ "$(python3 "$brport" get cbr mst_enabled)" = 1 ]
mrp ring port|python3 "$brport" mrp add cbr 7 c0 c1|kernel|mrp ring 7|python3 "$brport" mrp show cbr | grep -q -x "ring 7 p c0 s c1 i -"
mrp interconnect port|ip link set c2 master cbr; python3 "$brport" mrp add cbr 7 c1 c2; python3 "$brport" mrp interconnect cbr 7 1 c0|kernel|mrp ring 7|python3 "$brport" mrp show cbr | grep -q -x "ring 7 p c1 s c2 i c0"
cfm mep|python3 "$brport" cfm add cbr 3 c0|kernel|cfm mep 3|python3 "$brport" cfm show cbr | grep -q -x "mep 3 c0"
mcast_max_groups|python3 "$brport" set c0 mcast_max_groups 5|kernel|mcast_max_groups|[ "$(python3 "$brport" get c0 mcast_max_groups)" = 5 ]
backup_nhid|python3 "$brport" set c0 backup_nhid 7|kernel|backup_nhid|[ "$(python3 "$brport" get c0 backup_nhid)" = 7 ]
static mdb entry|bridge mdb add dev cbr port c0 grp 239.1.1.1 permanent|tool|static mdb entries|bridge mdb show dev cbr | grep -q "port c0 grp 239.1.1.1 permanent"
vlan state|bridge vlan set dev c0 vid 1 state blocking|tool|vlan 1 state blocking|bridge -d -j vlan show dev c0 | jq -e '.[0].vlans[] | select(.vlan == 1 and .state == "blocking")'
EOF

	# "dupto load" makes the same checks before it changes anything, and
	# points at the port's line.
	fresh_bridge
	in_ns "$conv" bridge mdb add dev cbr port c0 grp 239.1.1.1 permanent
	printf 'port c0 device\n' >"$lib_tmp/conv.conf"
	check_error "load refuses a conversion that would lose settings" \
		"$lib_tmp/conv.conf:1:6: error: cannot attach 'c0': bridge port settings would be lost: static mdb entries" \
		in_ns "$conv" "$DUPTO" load "$lib_tmp/conv.conf"
	check_eq "load refused: c0 is still in the bridge" "$(link_field "$conv" c0 .master)" cbr
	check_eq "load refused: and no port device was made" "$(dupto_devices "$conv")" ""

	fresh_bridge
	check "a bridge port with the defaults converts" \
		in_ns "$conv" "$DUPTO" port add c0 device name dc0
	check_eq "the port device takes its place in the bridge" \
		"$(link_field "$conv" dc0 .master)" cbr
	check_eq "with the default VLAN, untagged PVID" \
		"$(in_ns "$conv" bridge -j vlan show dev dc0 | jq -c '.[0].vlans')" \
		'[{"vlan":1,"flags":["PVID","Egress Untagged"]}]'
	check "detaching gives c0 its place back" in_ns "$conv" "$DUPTO" port del c0
	check_eq "c0 is in the bridge again" "$(link_field "$conv" c0 .master)" cbr
}

run_cases show traffic follow monitor teardown convert
end_test
