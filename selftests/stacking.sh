#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every way of stacking devices that would break a port or a sensor is
# refused, with a message saying why. A port owns its lower device and a
# sensor is a dead end, so that no configuration can make mirroring loop
# or let frames bypass a port.
#
# box holds the devices below, created before the table runs; "far" is a
# second namespace. Each row runs its command in box and names the exact
# line "ip" must print; the extack messages come from dupto, those of
# "RTNETLINK answers" rows from the core or another driver refusing.
#
#   v0 - dp0 (port)      v1 in br0          v2 - s2 (sensor)   v3 in bond0
#   v4 - mv4 (macvlan)   v5 - v5.7 (VLAN)   v6 - ipv6 (ipvlan)
#   s0 (sensor, no lower)    v7, v8: free veths    vrf0, t0 (ipip)

. "$(dirname "$0")/lib.sh"

require_cmd jq
load_dupto
modprobe -q bonding || skip "the bonding module is missing"
modprobe -q vrf || skip "the vrf module is missing"
modprobe -q ipip || skip "the ipip module is missing"
ns_add box far

for i in 0 1 2 3 4 5 6 7 8; do
	veth_pair "$box" "v$i" "$far" "w$i"
done
in_ns "$box" ip link add dp0 link v0 type dupto
in_ns "$box" ip link add s0 type dupto-sensor
in_ns "$box" ip link add s2 link v2 type dupto-sensor
in_ns "$box" ip link add br0 type bridge
in_ns "$box" ip link set v1 master br0
in_ns "$box" ip link add bond0 type bond
in_ns "$box" ip link set v3 down
in_ns "$box" ip link set v3 master bond0
in_ns "$box" ip link add mv4 link v4 type macvlan
in_ns "$box" ip link add link v5 name v5.7 type vlan id 7
in_ns "$box" ip link add ipv6 link v6 type ipvlan
in_ns "$box" ip link add vrf0 type vrf table 10
in_ns "$box" ip link add t0 type ipip local 192.0.2.1 remote 192.0.2.2

# Errors without an extack message, named in the table by variable.
busy="RTNETLINK answers: Device or resource busy"
invalid="RTNETLINK answers: Invalid argument"
unsupported="RTNETLINK answers: Operation not supported"
# Ports and sensors stay in their namespace like loopback does, refused
# with whatever words this kernel has for it.
immovable=$(ip -n "$box" link set lo netns "$far" 2>&1)

while IFS='|' read -r desc cmd expected; do
	[[ -z $desc || $desc == \#* ]] && continue
	desc=${desc%"${desc##*[![:space:]]}"}
	if [[ $expected == \$* ]]; then
		expected=${expected#\$}
		expected=${!expected}
	fi
	check_error "$desc" "$expected" in_ns "$box" env FAR="$far" bash -c "$cmd"
done <<'TABLE'
# creating a port
a port without a lower device    |ip link add dpx type dupto                     |Error: a dupto port needs a lower device: ip link add NAME link DEV type dupto.
a port on loopback               |ip link add dpx link lo type dupto             |Error: lower device is a loopback device.
a port on a tunnel               |ip link add dpx link t0 type dupto             |Error: lower device is not an Ethernet device.
a port on a bridge               |ip link add dpx link br0 type dupto            |Error: lower device is a bridge: stack on one of its ports instead.
a port on a bridge port          |ip link add dpx link v1 type dupto             |Error: lower device is a bridge port: take it out of the bridge first.
a second port on one lower device|ip link add dpx link v0 type dupto             |Error: lower device already has a dupto port or sensor.
a port on a port                 |ip link add dpx link dp0 type dupto            |Error: lower device is a dupto device: dupto devices do not stack.
a port on a sensor               |ip link add dpx link s0 type dupto             |Error: lower device is a dupto device: dupto devices do not stack.
a port on a sensor's lower device|ip link add dpx link v2 type dupto             |Error: lower device already has a dupto port or sensor.
a port on a bond slave           |ip link add dpx link v3 type dupto             |Error: lower device is enslaved to another device (bond, team, VRF...).
a port on a macvlan's lower      |ip link add dpx link v4 type dupto             |Error: lower device's receive path is in use (macvlan, ipvlan...).
a port on a VLAN device's lower  |ip link add dpx link v5 type dupto             |Error: lower device has upper devices (VLAN, macvlan...): delete them first.
a port on an ipvlan device       |ip link add dpx link ipv6 type dupto           |Error: lower device cannot give up its receive path (ipvlan, VRF...).
a port on a VRF                  |ip link add dpx link vrf0 type dupto           |Error: lower device cannot give up its receive path (ipvlan, VRF...).
a port in another namespace      |ip link add dpx netns "$FAR" link v7 type dupto|Error: lower device is in another network namespace.
a port with a larger MTU         |ip link add dpx link v8 mtu 9000 type dupto    |Error: MTU is larger than the lower device's.
a port with its own MAC address  |ip link add dpx link v8 address 02:00:00:00:00:99 type dupto|Error: a dupto port has its lower device's MAC address.
# creating a sensor
a sensor on a port               |ip link add sx link dp0 type dupto-sensor      |Error: lower device is a dupto device: dupto devices do not stack.
a sensor on a sensor             |ip link add sx link s0 type dupto-sensor       |Error: lower device is a dupto device: dupto devices do not stack.
a sensor on a port's lower device|ip link add sx link v0 type dupto-sensor       |Error: lower device already has a dupto port or sensor.
a sensor on a bridge port        |ip link add sx link v1 type dupto-sensor       |Error: lower device is a bridge port: take it out of the bridge first.
a sensor on a bridge             |ip link add sx link br0 type dupto-sensor      |Error: lower device is a bridge: stack on one of its ports instead.
a sensor with a larger MTU       |ip link add sx link v8 mtu 9000 type dupto-sensor|Error: MTU is larger than the lower device's.
# stacking on what a port or sensor owns; the core will not take a device
# from its master (dupto) for another
bridging a port's lower device   |ip link set v0 master br0                      |$unsupported
bonding a port's lower device    |ip link set v0 down && ip link set v0 master bond0|$unsupported
a VRF taking a port's lower      |ip link set v0 master vrf0                     |$unsupported
releasing a port's lower device  |ip link set v0 nomaster                        |$unsupported
a VLAN on a port's lower device  |ip link add link v0 name v0.9 type vlan id 9   |Error: device belongs to a dupto port or sensor: stack on the dupto device instead.
a macvlan on a port's lower      |ip link add mvx link v0 type macvlan           |$busy
a VLAN on a sensor's lower device|ip link add link v2 name v2.9 type vlan id 9   |Error: device belongs to a dupto port or sensor: stack on the dupto device instead.
# enslaving a sensor or stacking on it
bridging a sensor                |ip link set s0 master br0                      |Error: Device does not allow enslaving to a bridge.
a VRF taking a sensor            |ip link set s0 master vrf0                     |Error: a dupto sensor cannot be enslaved or carry upper devices.
a VLAN on a sensor               |ip link add link s0 name s0.9 type vlan id 9   |Error: a dupto sensor cannot be enslaved or carry upper devices.
a macvlan on a sensor            |ip link add mvx link s0 type macvlan           |$invalid
moving a sensor                  |ip link set s0 netns "$FAR"                    |$immovable
moving a port                    |ip link set dp0 netns "$FAR"                   |$immovable
TABLE

# Refusals leave everything as it was.
check_eq "the port still owns its lower device" "$(link_field "$box" v0 .master)" dp0
check_eq "the sensor still owns its lower device" "$(link_field "$box" v2 .master)" s2
check_eq "no device was created by a refused command" \
	"$(dupto_devices "$box" | sort | xargs)" "dp0 s0 s2"
check_eq "and none left in the other namespace" "$(dupto_devices "$far")" ""
check "the port still forwards to the host stack's view of it" \
	dev_exists "$box" dp0

end_test
