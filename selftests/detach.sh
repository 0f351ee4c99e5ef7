#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Taking a mirroring box apart while a ping flood crosses it and every
# frame is copied: deleting the sensor, a port's device, the namespace, or
# unloading the module leaves no warning (the harness scans the kernel log)
# and no reference behind; what remains goes on bridging, and a port
# attached in place is the user's device again, still in its bridge.
#
#   h1                          box                          h2
#   eth0 10.0.0.1 --- p0 -[port]-+- br0 -+-[port]- p1 --- eth0 10.0.0.2
#                     s1 -- l1 ==== eth0 c1
#   rule in on p0 and icmp to s1
#   rule icmp to s1

. "$(dirname "$0")/lib.sh"

require_cmd jq
load_dupto

build() {
	local mode=$1
	ns_add h1 h2 c1 box
	bridge_hosts "$h1" "$h2" "$box" "$mode"
	veth_pair "$c1" eth0 "$box" l1
	in_ns "$box" "$DUPTO" sensor add s1 link l1
	load_rules "$box" 'rule in on p0 and icmp to s1
rule icmp to s1'
	wait_for 30 in_ns "$h1" ping -c 1 -W 1 10.0.0.2 || fail "$mode: the box forwards"
	flood_start "$h1" 10.0.0.2
}

# A ping crosses, and s1 is sent copies of it.
mirroring() {
	sensor_gets "$box" s1 forwards
}

forwards() {
	in_ns "$h1" ping -c 1 -W 2 10.0.0.2 >/dev/null
}

gone() {
	! dev_exists "$h1" eth0 && ! dev_exists "$h2" eth0 && ! dev_exists "$c1" eth0
}

# The attached ports, then those the ruleset names that are gone.
ports() {
	"$DUPTO" -n "$box" -j port show |
		jq -r '([.[] | select(.gone | not) | .ifname] | join(" ")),
		       ([.[] | select(.gone) | .ifname] | join(" "))'
}

# take_apart MODE: the box, its ports in MODE, taken apart piece by piece.
take_apart() {
	local mode=$1
	# --- the sensor -------------------------------------------------------
	build "$mode"
	check "$mode: the flood is mirrored" mirroring
	check "$mode: deleting the sensor under traffic completes at once" \
		in_ns "$box" timeout 5 "$DUPTO" sensor del s1
	check_fails "$mode: and removes it" dev_exists "$box" s1
	check "$mode: the bridge goes on forwarding" forwards
	check_eq "$mode: the ports stay" "$(ports | xargs)" "p0 p1"
	flood_stop
	in_ns "$box" "$DUPTO" sensor add s1 link l1
	check "$mode: a new sensor of that name gets nothing until a ruleset is loaded" \
		test "$(sensor_sent "$box" s1)" -eq 0
	lib_cleanup_namespaces

	# --- a port's device --------------------------------------------------
	build "$mode"
	in_ns "$box" ip link del p0
	check_eq "$mode: deleting a port's device under traffic removes the port, gone: the rules name it" \
		"$(ports | paste -sd'|')" "p1|p0"
	flood_stop
	veth_pair "$h1" eth0 "$box" p0
	in_ns "$h1" ip addr add 10.0.0.1/24 dev eth0
	in_ns "$box" ip link set p0 master br0
	args=(port add p0)
	[[ $mode == device ]] && args+=(device)
	check "$mode: a new device of that name can be attached" \
		in_ns "$box" "$DUPTO" "${args[@]}"
	check "$mode: and forwards" wait_for 30 forwards
	check "$mode: and is mirrored, by the rules loaded before" mirroring
	lib_cleanup_namespaces

	# --- the module -------------------------------------------------------
	build "$mode"
	check "$mode: unloading the module under traffic succeeds" rmmod dupto
	check_eq "$mode: and removes every dupto device" "$(dupto_devices "$box")" ""
	if [[ $mode == inplace ]]; then
		check_eq "$mode: the ports attached in place stay in their bridge" \
			"$(link_field "$box" p0 .master) $(link_field "$box" p1 .master)" "br0 br0"
		check "$mode: which forwards" forwards
	fi
	flood_stop
	load_dupto
	check_eq "$mode: the module comes back with nothing configured" \
		"$("$DUPTO" -n "$box" -j show | jq -c '[(.ports | length), (.rules | length)]')" "[0,0]"
	lib_cleanup_namespaces

	# --- the namespace ----------------------------------------------------
	build "$mode"
	log_cmd ip netns del "$box"
	check "$mode: deleting the namespace under traffic destroys its devices" \
		wait_for 30 gone
	flood_stop
	check "$mode: after which the module unloads" rmmod dupto
	load_dupto
	lib_cleanup_namespaces
}

case_inplace() { take_apart inplace; }
case_device() { take_apart device; }

run_cases inplace device
end_test
