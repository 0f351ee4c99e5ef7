#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One sensor, one name in the ruleset. Every target of a ruleset holds a
# reference on its sensor, given back when the sensor is unregistered and
# before the sensor frees its counters. A sensor the ruleset named twice,
# by one name written twice in an image or as itself and by its altnames,
# would be bound once per name: deleting it would wait for the other
# references while frames still counted on it. The kernel refuses both
# images; deleting a sensor a ruleset names, under traffic, completes at
# once and leaves nothing waiting.
#
#   h1                          box                          h2
#   eth0 10.0.0.1 --- p0 -[port]-+- br0 -+-[port]- p1 --- eth0 10.0.0.2
#                     s1 -- l1 ==== eth0 c1
#                     x1 .. x11 (sensors, renamed in the images below)
#   rule in on p0 and icmp to s1
#   rule icmp to s1, x1, ..., x11

. "$(dirname "$0")/lib.sh"

require_cmd jq python3
load_dupto
ruleset_py=$lib_dir/ruleset.py
ns_add h1 h2 c1 box

forwards() {
	in_ns "$h1" ping -c 1 -W 2 10.0.0.2 >/dev/null
}

# mirroring SENSOR: a ping crosses, and SENSOR is sent copies of it.
mirroring() {
	sensor_gets "$box" "$1" forwards
}

bridge_hosts "$h1" "$h2" "$box" inplace
veth_pair "$c1" eth0 "$box" l1
in_ns "$box" "$DUPTO" sensor add s1 link l1
alts=(s1a s1b s1c s1d s1e s1f s1g s1h s1i s1j s1k) targets=s1
for i in $(seq 1 11); do
	in_ns "$box" ip link add "x$i" up type dupto-sensor
	targets+=", x$i"
done
in_ns "$box" ip link property add dev s1 $(printf 'altname %s ' "${alts[@]}")
load_rules "$box" "rule in on p0 and icmp to s1
rule icmp to $targets"
wait_for 30 forwards || fail "the box forwards"
flood_start "$h1" 10.0.0.2
check "the flood is mirrored" mirroring s1

# The images: x1 renamed s1, and x1..x11 renamed to s1's altnames. Loaded
# in this order, so that a kernel that took them both is left bound to s1
# twelve times.
in_ns "$box" python3 "$ruleset_py" save "$lib_tmp/names.img"
kv=$(python3 "$ruleset_py" rename "$lib_tmp/names.img" "$lib_tmp/twice.img" x1 s1)
check_error "a ruleset naming a sensor twice is refused" \
	"error EINVAL: record ${kv#n=}: target s1 named twice" \
	in_ns "$box" python3 "$ruleset_py" load "$lib_tmp/twice.img"
renames=()
for i in $(seq 1 11); do
	renames+=("x$i" "${alts[i - 1]}")
done
python3 "$ruleset_py" rename "$lib_tmp/names.img" "$lib_tmp/alt.img" "${renames[@]}" >/dev/null
check_error "so is one naming it by its name and by its altnames" \
	"error EINVAL: targets s1 and s1a are the same sensor s1: name it once" \
	in_ns "$box" python3 "$ruleset_py" load "$lib_tmp/alt.img"
# The images name x1 no more: only the ruleset loaded first still feeds it.
check "the ruleset that names it once stays, and mirrors to s1" mirroring s1
check "and to x1" mirroring x1

check "deleting the sensor under traffic completes at once" \
	in_ns "$box" timeout 5 ip link del s1
check_fails "and removes it" dev_exists "$box" s1
check "the bridge goes on forwarding" forwards
flood_stop
check_eq "nothing waited for the sensor to be free" \
	"$(dmesg | grep -c 'waiting for s1 to become free')" 0

end_test
