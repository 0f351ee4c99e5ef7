#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": an inline box bridges an intranet and the internet through
# two dupto port devices, no IP address on the box, and traffic crosses as
# if the NICs themselves were bridged. Each step prints the commands it runs
# and what they print, as a terminal session would.
#
#   intranet                     box                       internet
#   eth0 10.0.0.1 --- eth0 - dp0 -+- br0 -+- dp1 - eth1 --- eth0 10.0.0.2
#
# (The mirroring issue turns this into the real demo: rules sending slices
# of this traffic to sensors.)

. "$(dirname "$0")/lib.sh"

require_cmd jq bridge
load_dupto
ns_add intranet internet box 2>/dev/null

say() {
	printf '\n== %s\n' "$*"
}

# show NS COMMAND...: print "NAME# COMMAND" and run it.
show() {
	local ns=$1
	shift
	printf '%s# %s\n' "${ns#dupto-$$-}" "$*"
	ip netns exec "$ns" "$@" 2>&1 | sed 's/^/    /'
}

say "The cables: intranet and internet are each wired to the box"
veth_pair "$intranet" eth0 "$box" eth0 2>/dev/null
veth_pair "$internet" eth0 "$box" eth1 2>/dev/null
ip -n "$intranet" addr add 10.0.0.1/24 dev eth0
ip -n "$internet" addr add 10.0.0.2/24 dev eth0
show "$box" ip -br link

say "A dupto port on each NIC; the ports, not the NICs, go into the bridge"
show "$box" ip link add dp0 link eth0 type dupto
show "$box" ip link add dp1 link eth1 type dupto
show "$box" ip link add br0 type bridge
show "$box" ip link set dp0 master br0 up
show "$box" ip link set dp1 master br0 up
show "$box" ip link set br0 up
show "$box" ip -d link show dp0
show "$box" bridge link show

say "No IP address anywhere on the box"
show "$box" ip -br addr

say "Traffic crosses the box as it would a plain bridge"
show "$intranet" ping -c 3 -i 0.2 10.0.0.2

say "And every frame went through the dupto ports"
show "$box" ip -s link show dp0
show "$box" ip -s link show dp1

say "The module and the tool"
show "$box" "$DUPTO" version
