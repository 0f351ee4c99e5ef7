#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Ports that come back. A port the ruleset names goes away: its device is
# deleted and made again (by the same ifindex, or another), or it moves to
# another namespace and back. While it is away the port is shown as gone
# (dupto port show, dupto show, dupto monitor); its rules keep naming it.
# Attached again by name, in either mode, its frames are classified again:
# "in on" by the rule counters and the sensor fed, and "out on", whose
# classification must be started again on the new port.
#
#   h1                          box                          h2
#   eth0 10.0.0.1 --- p0 -[port]-+- br0 -+-[port]- p1 --- eth0 10.0.0.2
#                     sin, sout: sensors without lower devices
#   rule in on p0 and icmp to sin
#   rule out on p0 and icmp to sout
#
#   away: where p0 goes when it moves

. "$(dirname "$0")/lib.sh"

require_cmd jq
load_dupto

rules='rule in on p0 and icmp to sin
rule out on p0 and icmp to sout'

dupto() {
	"$DUPTO" -n "$box" "$@"
}

# The rules' frame counts, then what each sensor was sent.
counts() {
	echo "$(dupto -j rule show | jq -r '[.[].packets | tostring] | join(" ")') $(sensor_sent "$box" sin) $(sensor_sent "$box" sout)"
}

counts_are() {
	[[ $(counts) == "$1" ]]
}

# One ping from h1 to h2: the request comes in on p0, the reply leaves on
# it, and each is counted by its rule and mirrored to its sensor once.
one_ping() {
	dupto stats reset
	in_ns "$h1" ping -c 1 -W 2 10.0.0.2 >/dev/null &&
	wait_for 10 counts_are "1 1 1 1" || { echo "rules, sin, sout: $(counts)"; return 1; }
}

gone_said() {
	(($(jq -c 'select(.event == "port del" and .port.gone) | .port.ifname' "$1" |
	    grep -c '"p0"') == $2))
}

gone_ports() {
	dupto -j port show | jq -c '[.[] | select(.gone) | .ifname]'
}

# plug INDEX: a new p0 of that ifindex, cabled to a new eth0 of h1.
plug() {
	local index="index $1"
	ip -n "$h1" link del eth0 2>/dev/null
	log_cmd ip -n "$box" link add p0 $index type veth peer name eth0 netns "$h1"
	ip -n "$box" link set p0 up
	ip -n "$h1" link set eth0 up
	in_ns "$h1" ip addr add 10.0.0.1/24 dev eth0
}

attach() {
	in_ns "$box" ip link set p0 master br0 up
	attach_ports "$box" "$1" p0
}

ifindex() {
	link_field "$box" p0 .ifindex
}

# come_back MODE: all of the above, with the box's ports in MODE.
come_back() {
	local mode=$1
	ns_add h1 h2 box away
	bridge_hosts "$h1" "$h2" "$box" "$mode"
	dupto sensor add sin
	dupto sensor add sout
	load_rules "$box" "$rules"
	wait_for 30 in_ns "$h1" ping -c 1 -W 1 10.0.0.2 || fail "$mode: the box forwards"
	check "$mode: in on p0 and out on p0 are classified and mirrored" one_ping

	monitor_start "$box" "$lib_tmp/mon.$mode" -j

	# MODES | WAY | IFINDEX (same or new) | how p0 goes | how it comes back.
	# A port device's NIC moving to another namespace takes the port
	# device along as its lower, like every stacked driver: never gone.
	gone=0
	while IFS='|' read -r modes way index down up; do
		[[ -z $modes || $modes == \#* ]] && continue
		[[ $modes == both || $modes == "$mode" ]] || continue
		old=$(ifindex)
		eval "$down"
		((gone++))
		check_eq "$mode: $way: p0 is shown as gone" "$(gone_ports)" '["p0"]'
		check_eq "$mode: $way: by dupto show too" \
			"$(dupto -j show | jq -c '[.ports[] | select(.gone) | .ifname]')" '["p0"]'
		check_eq "$mode: $way: its rules still name it" \
			"$(dupto -j rule show | jq -r '[.[].text] | join(";")')" \
			"in on p0 and icmp to sin;out on p0 and icmp to sout"
		eval "$up"
		attach "$mode"
		check_eq "$mode: $way: p0 is back, by the $index ifindex" \
			"$(gone_ports) $([[ $(ifindex) == "$old" ]] && echo same || echo new)" \
			"[] $index"
		check "$mode: $way: in on p0 and out on p0 are classified and mirrored again" \
			one_ping
	done <<'EOF2'
both|deleted and made again|same|in_ns "$box" ip link del p0|plug "$old"
both|deleted and made again by a new ifindex|new|in_ns "$box" ip link del p0|plug 4000
inplace|moved to another namespace and back|same|in_ns "$box" ip link set p0 netns "$away"|in_ns "$away" ip link set p0 netns "$box"
EOF2
	check "$mode: dupto monitor said p0 was gone, each time" \
		wait_for 10 gone_said "$lib_tmp/mon.$mode" "$gone"
	check_eq "$mode: dupto port show says so, in words" \
		"$(in_ns "$box" ip link del p0; dupto port show | tail -1)" "p0: gone, named by the ruleset"
	lib_cleanup_namespaces
}

case_inplace() { come_back inplace; }
case_device() { come_back device; }

run_cases inplace device
end_test
