#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Taking things apart while traffic flows: deleting a port, its lower
# device, the bridge, the whole namespace, or unloading the module, leaves
# no warning (the harness scans the kernel log) and no device behind, and
# the lower devices work normally afterwards.
#
#   h1                          box                          h2
#   eth0 10.0.0.1 --- p1 - dp1 -+- br0 -+- dp2 - p2 --- eth0 10.0.0.2
#
# Each scenario builds this anew and starts a ping flood from h1 to h2
# before it strikes.

. "$(dirname "$0")/lib.sh"

require_cmd jq
load_dupto
ns_add h1 h2 box

build() {
	local i h
	in_ns "$box" ip link del br0 2>/dev/null
	for i in 1 2; do
		h=h$i
		ip -n "${!h}" link del eth0 2>/dev/null
		veth_pair "${!h}" eth0 "$box" "p$i"
		in_ns "${!h}" ip addr add "10.0.0.$i/24" dev eth0
		in_ns "$box" ip link add "dp$i" link "p$i" type dupto
	done
	in_ns "$box" ip link add br0 type bridge
	for i in 1 2; do
		in_ns "$box" ip link set "dp$i" master br0 up
	done
	in_ns "$box" ip link set br0 up
	wait_for 30 in_ns "$h1" ping -c 1 -W 1 10.0.0.2 || fail "$1: the topology forwards"
	flood_start "$h1" 10.0.0.2
}

# The lower devices, free again, work as plain ports of a new bridge.
lowers_work() {
	local i
	in_ns "$box" ip link del br0 2>/dev/null
	in_ns "$box" ip link add br0 type bridge
	for i in 1 2; do
		in_ns "$box" ip link set "p$i" master br0
	done
	in_ns "$box" ip link set br0 up
	wait_for 30 in_ns "$h1" ping -c 1 -W 1 10.0.0.2
}

free() {
	[[ $(link_field "$box" "$1" .master) == null &&
	   $(link_field "$box" "$1" .promiscuity) == 0 ]]
}

# --- the port ------------------------------------------------------------
case_port() {
	build "deleting a port"
	in_ns "$box" ip link del dp1
	check_fails "deleting a port under traffic removes it" dev_exists "$box" dp1
	check "and frees its lower device" free p1
	flood_stop
	in_ns "$box" ip link del dp2
	check "the freed lower devices work as plain bridge ports" lowers_work
}

# --- the lower device ----------------------------------------------------
case_lower() {
	build "deleting a lower device"
	in_ns "$box" ip link del p1
	check_fails "deleting a lower device under traffic removes its port" \
		dev_exists "$box" dp1
	flood_stop
	check_eq "the other port is untouched" "$(dupto_devices "$box")" dp2
	veth_pair "$h1" eth0 "$box" p1
	in_ns "$h1" ip addr add 10.0.0.1/24 dev eth0
	in_ns "$box" ip link add dp1 link p1 type dupto
	in_ns "$box" ip link set dp1 master br0 up
	check "a new port in its place forwards" \
		wait_for 30 in_ns "$h1" ping -c 1 -W 1 10.0.0.2
}

# --- the bridge ----------------------------------------------------------
case_bridge() {
	build "deleting the bridge"
	in_ns "$box" ip link del br0
	flood_stop
	check_eq "deleting the bridge under traffic leaves its dupto ports" \
		"$(dupto_devices "$box" | xargs)" "dp1 dp2"
	check_eq "as monitor ports, enslaved to nothing" \
		"$(link_field "$box" dp1 .master) $(link_field "$box" dp2 .master)" "null null"
	in_ns "$box" ip link add br0 type bridge
	in_ns "$box" ip link set dp1 master br0
	in_ns "$box" ip link set dp2 master br0
	in_ns "$box" ip link set br0 up
	check "a new bridge of the same ports forwards" \
		wait_for 30 in_ns "$h1" ping -c 1 -W 1 10.0.0.2
}

# --- a batch -------------------------------------------------------------
# Forty sensors that every frame is copied to, and twenty ports attached in
# place, go in one unregistration batch (ip link del group) while frames
# flow to the sensors: nothing is touched after it is freed (the debug
# kernels' KASAN watches), and the batch waits for the core's few grace
# periods, not for one per sensor and one per port. A kprobe counts the
# synchronize_net() calls the deleting command makes.
tracefs=/sys/kernel/tracing
kprobe_sync() {
	[[ -e $tracefs/kprobe_events ]] || mount -t tracefs nodev "$tracefs" 2>/dev/null
	[[ -e $tracefs/kprobe_events ]] &&
		echo 'p:dupto_test/sync synchronize_net' >>"$tracefs/kprobe_events" 2>/dev/null
}

case_batch() {
	local names=() rule syncs i
	build "deleting a batch"
	for ((i = 0; i < 40; i++)); do
		in_ns "$box" ip link add "s$i" group 7 type dupto-sensor
		in_ns "$box" ip link set "s$i" up
		names+=("s$i")
	done
	for ((i = 0; i < 20; i++)); do
		in_ns "$box" ip link add "d$i" group 7 type dummy
		"$DUPTO" -n "$box" port add "d$i"
	done
	rule=$(IFS=,; echo "to ${names[*]}")
	"$DUPTO" -n "$box" rule add "${rule//,/, }"
	check "the forty sensors get copies" sensor_gets "$box" s39 true
	if kprobe_sync; then
		echo 1 >"$tracefs/events/dupto_test/sync/enable"
		echo >"$tracefs/trace"
		log_cmd ip -n "$box" link del group 7
		echo 0 >"$tracefs/events/dupto_test/sync/enable"
		syncs=$(grep -c -E '^ *ip-[0-9]+ .* sync:' "$tracefs/trace")
		echo '-:dupto_test/sync' >>"$tracefs/kprobe_events"
		if ((syncs <= 8)); then
			pass "a batch of 60 devices waits for a few grace periods, not one each"
		else
			fail "a batch of 60 devices waits for a few grace periods, not one each"
			note "synchronize_net() was called $syncs times, more than 8"
		fi
	else
		log_cmd ip -n "$box" link del group 7
		skip_check "a batch of 60 devices waits for a few grace periods, not one each" \
			"no kprobe events in this kernel"
	fi
	check_eq "deleting the batch under traffic leaves none of it" \
		"$(in_ns "$box" ip -o link show group 7)" ""
	check_eq "and the ports' part of the configuration goes with them" \
		"$("$DUPTO" -n "$box" -j port show | jq -r '.[].ifname' | xargs)" "p1 p2"
	flood_stop
	"$DUPTO" -n "$box" rule del 1
}

# --- the module ----------------------------------------------------------
case_module() {
	build "unloading the module"
	check "unloading the module under traffic succeeds" rmmod dupto
	flood_stop
	check_eq "and removes every dupto device" "$(dupto_devices "$box")" ""
	check "freeing the lower devices" free p1
	check "both of them" free p2
	check "which then work as plain bridge ports" lowers_work
	load_dupto
}

# --- the namespace -------------------------------------------------------
gone() {
	! dev_exists "$h1" eth0 && ! dev_exists "$h2" eth0
}

case_namespace() {
	build "deleting the namespace"
	in_ns "$box" ip link add s1 type dupto-sensor
	log_cmd ip netns del "$box"
	check "deleting the namespace under traffic destroys its ports and their lowers" \
		wait_for 30 gone
	flood_stop
	check "after which the module unloads" rmmod dupto
}

run_cases port lower bridge batch module namespace

end_test
