#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What dupto refuses, and says why: every way to make a mirroring loop,
# ruleset images the compiler would never write and malformed requests
# (sent raw, as any program could), a user who is not the namespace's
# administrator. And what it leaves alone: one namespace's configuration
# is not another's.
#
#   h1                          box                          h2
#   eth0 10.0.0.1 --- p0 -[port]-+- br0 -+-[port]- p1 --- eth0 10.0.0.2
#                            p3 -+       (p3: a plain bridge port)
#                     s1 -- l1 ==== eth0 c1
#
#   box2: the same again, with a ruleset of its own

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 setpriv unshare tcpdump
load_dupto
ruleset_py=$lib_dir/ruleset.py
genl_py=$lib_dir/genl.py

# build NAME MODE: the box above in namespace $NAME, with hosts of its own
# in $NAMEh1, $NAMEh2, $NAMEc1 and $NAMEx; ports attached in MODE. (No
# local is called box: ns_add would set it instead of the global.)
build() {
	local name=$1 mode=$2 b h1 h2 c1 x
	ns_add "$name" "${name}h1" "${name}h2" "${name}c1" "${name}x"
	b=${!name}
	h1=${name}h1 h2=${name}h2 c1=${name}c1 x=${name}x
	h1=${!h1} h2=${!h2} c1=${!c1} x=${!x}
	bridge_hosts "$h1" "$h2" "$b" "$mode"
	veth_pair "$c1" eth0 "$b" l1
	veth_pair "$x" eth0 "$b" p3
	in_ns "$b" ip link set p3 master br0
	in_ns "$b" "$DUPTO" sensor add s1 link l1
	in_ns "$b" "$DUPTO" rule add icmp to s1
}

# shared_box: the box in place, built once for the cases from "images" on,
# which all start from its one rule (saved in good.img); the cases before
# them build and tear down boxes of their own.
shared_box=
use_shared_box() {
	[[ -n $shared_box ]] && return
	build box inplace
	in_ns "$box" python3 "$ruleset_py" save "$lib_tmp/good.img"
	shared_box=$box
}

# --- loops ------------------------------------------------------------------
# A copy sent where dupto classifies, or where a bridge forwards, comes back
# to be copied again. MODES | MESSAGE | COMMAND, the tool's, in the box;
# {port} is p0's port device in device mode, p0 itself in place.
case_loops() {
	for mode in inplace device; do
		build box "$mode"
		port=p0
		if [[ $mode == device ]]; then
			port=$("$DUPTO" -n "$box" -j port show p0 | jq -r '.[0].device')
		fi

		while IFS='|' read -r modes msg args; do
			[[ -z $modes || $modes == \#* ]] && continue
			[[ $modes == both || $modes == "$mode" ]] || continue
			read -r -a argv <<<"${args//\{port\}/$port}"
			check_error "$mode: refused:$args" "$msg" in_ns "$box" "$DUPTO" "${argv[@]}"
		done <<'EOF'
inplace|dupto: kernel says: lower device is a dupto port: detach it first| sensor add bad link {port}
device|dupto: kernel says: lower device is a dupto device: dupto devices do not stack| sensor add bad link {port}
device|dupto: kernel says: lower device already has a dupto port or sensor| sensor add bad link p0
both|dupto: kernel says: lower device is a bridge port: take it out of the bridge first| sensor add bad link p3
both|dupto: kernel says: lower device is a bridge: stack on one of its ports instead| sensor add bad link br0
both|dupto: kernel says: a dupto sensor cannot be a port| port add s1
both|dupto: kernel says: lower device is a dupto device: dupto devices do not stack| port add s1 device
both|dupto: kernel says: the device belongs to a dupto port or sensor| port add l1
both|dupto: kernel says: a bridge cannot be a port: attach its ports| port add br0
EOF
		# The bridge refuses a sensor itself (IFF_DONT_BRIDGE). For a
		# sensor's link, ip asks its master, the sensor, to let it go first:
		# there is no extack on that path (ndo_del_slave), only the errno.
		check_error "$mode: refused: a sensor in the bridge" \
			"Error: Device does not allow enslaving to a bridge." \
			in_ns "$box" ip link set s1 master br0
		check_error "$mode: refused: a sensor's link in the bridge" \
			"RTNETLINK answers: Operation not supported" \
			in_ns "$box" ip link set l1 master br0
		check_error "$mode: refused: a port stacked on a sensor" \
			"Error: lower device is a dupto device: dupto devices do not stack." \
			in_ns "$box" ip link add bad link s1 type dupto
		check_eq "$mode: nothing was made" "$(dupto_devices "$box" | grep -c bad)" 0
		check "$mode: and the box still bridges" in_ns "$boxh1" ping -c 1 -W 2 10.0.0.2
		check_eq "$mode: and mirrors: s1 saw the request and the reply" "$(sensor_sent "$box" s1)" 2

		lib_cleanup_namespaces
	done
}

# --- loops through a pair -----------------------------------------------------
# What a sensor sends on a veth arrives on its peer later, from the backlog,
# where the recursion guard cannot see it: a sensor's copies must not reach
# a port or a bridge that way, whichever of the two is configured first.
#
#   box                                     boxc1
#   s1 -- l1 ================================ eth0 (a host: that works)
#   va ==== vb   (vb made a bridge port or a port by each row, then not)
#   sv -- vs ==== vp   (vp, or a VLAN on it, made one afterwards)
#   vx ===================================== eth1 -- brx   boxx
case_pair() {
	build box inplace
	in_ns "$box" ip link add va type veth peer name vb
	in_ns "$box" ip link add vs type veth peer name vp
	for dev in va vb vs vp; do
		in_ns "$box" ip link set "$dev" up
	done
	check "a sensor on a veth whose peer is neither port nor bridge port" \
		in_ns "$box" "$DUPTO" sensor add sv link vs
	in_ns "$boxx" ip link add brx type bridge
	log_cmd ip -n "$box" link add vx type veth peer name eth1 netns "$boxx"
	in_ns "$boxx" ip link set eth1 master brx

	# SETUP | UNDO | MESSAGE | COMMAND, each run in the box by sh ("-": none);
	# {dupto} is the tool.
	while IFS='|' read -r setup undo msg args; do
		[[ -z $setup || $setup == \#* ]] && continue
		desc="${setup//\{dupto\}/dupto}; ${args//\{dupto\}/dupto}"
		[[ $setup == - ]] || in_ns "$box" sh -c "${setup//\{dupto\}/$DUPTO}"
		check_error "refused: ${desc#-; }" "$msg" \
			in_ns "$box" sh -c "${args//\{dupto\}/$DUPTO}"
		[[ $undo == - ]] || in_ns "$box" sh -c "${undo//\{dupto\}/$DUPTO}"
	done <<'EOF'
# a sensor whose lower device's peer is a bridge port or a port
ip link set vb master br0|ip link set vb nomaster|dupto: kernel says: copies would loop: peer vb is a bridge port|{dupto} sensor add bad link va
ip link set vb master br0|ip link set vb nomaster|Error: copies would loop: peer vb is a bridge port.|ip link add bad link va type dupto-sensor
ip link add link vb name vb.5 type vlan id 5 && ip link set vb.5 master br0|ip link del vb.5|dupto: kernel says: copies would loop: peer vb is under vb.5, a bridge port|{dupto} sensor add bad link va
{dupto} port add vb|{dupto} port del vb|dupto: kernel says: copies would loop: peer vb is a dupto port|{dupto} sensor add bad link va
{dupto} port add vb device|{dupto} port del vb|dupto: kernel says: copies would loop: peer vb is a dupto port|{dupto} sensor add bad link va
-|-|dupto: kernel says: copies would loop: peer eth1 is a bridge port|{dupto} sensor add bad link vx
# the peer of sensor sv's lower device, or a device on it, made one later
-|-|Error: copies would loop: vp receives what sensor sv sends.|ip link set vp master br0
-|-|dupto: kernel says: copies would loop: vp receives what sensor sv sends|{dupto} port add vp
-|-|dupto: kernel says: copies would loop: vp receives what sensor sv sends|{dupto} port add vp device
-|-|Error: copies would loop: vp receives what sensor sv sends.|ip link add bad link vp type dupto
ip link add link vp name vp.5 type vlan id 5|ip link del vp.5|Error: copies would loop: vp.5 receives what sensor sv sends.|ip link set vp.5 master br0
ip link add link vp name vp.5 type vlan id 5|ip link del vp.5|dupto: kernel says: copies would loop: vp.5 receives what sensor sv sends|{dupto} port add vp.5
EOF
	check_error "refused in another namespace: s1's lower's peer into a bridge" \
		"Error: copies would loop: eth0 receives what sensor s1 sends." \
		in_ns "$boxc1" sh -c "ip link add brc type bridge && ip link set eth0 master brc"
	check_error "or made a port there" \
		"dupto: kernel says: copies would loop: eth0 receives what sensor s1 sends" \
		in_ns "$boxc1" "$DUPTO" port add eth0
	check_eq "nothing was made or moved" \
		"$(dupto_devices "$box" | tr '\n' ' ')/$(link_field "$box" vb .master)/$(link_field "$box" vp .master)/$(link_field "$boxc1" eth0 .master)/$("$DUPTO" -n "$box" -j port show | jq -r '[.[].ifname] | join(" ")')/$("$DUPTO" -n "$boxc1" -j port show | jq -r length)" \
		"s1 sv /null/null/null/p0 p1/0"
	check "a VLAN on sv's lower's peer is no loop" \
		in_ns "$box" ip link add link vp name vp.7 type vlan id 7
	capture_start "$boxc1" eth0 "$lib_tmp/c1.pcap"
	check "the box bridges" in_ns "$boxh1" ping -c 1 -W 2 10.0.0.2
	capture_stop "$lib_tmp/c1.pcap"
	check_eq "and s1's copies reach the host on its lower's peer: the request and the reply" \
		"$(tcpdump -r "$lib_tmp/c1.pcap" -nn icmp 2>/dev/null | wc -l)" 2
	lib_cleanup_namespaces
}

# --- bad images ---------------------------------------------------------------
# The kernel's loader and verifier see every image: rows of HOW | MESSAGE,
# where {n} is the instruction or record ruleset.py broke, and {to} where a
# jump it broke now goes.
case_images() {
	use_shared_box

	while IFS='|' read -r how msg; do
		[[ -z $how || $how == \#* ]] && continue
		for kv in $(python3 "$ruleset_py" break "$lib_tmp/good.img" "$lib_tmp/bad.img" "$how"); do
			msg=${msg//\{${kv%%=*}\}/${kv#*=}}
		done
		check_error "bad image ($how): $msg" "error $msg" \
			in_ns "$box" python3 "$ruleset_py" load "$lib_tmp/bad.img"
	done <<'EOF'
truncate|EINVAL: record {n}: image ends, target expected
version|EPROTO: record 1: image version {n}, this VM runs version 2
opcode|EINVAL: insn {n}: unknown opcode 200
jump|EINVAL: insn {n}: jump to insn {to} beyond the program
order|EINVAL: insn {n}: rule 0 out of order, expected rule 1
rule|EINVAL: insn {n}: unknown rule flags 0x80
target|EINVAL: record {n}: rule 0: target 7 out of range (1 targets)
sensor|ENODEV: target nosuch is not a dupto sensor in this namespace
name|EINVAL: record {n}: bad target name
extra|EINVAL: record {n}: unexpected record of type 99 after the last set
EOF
	check "the good image still loads" in_ns "$box" python3 "$ruleset_py" load "$lib_tmp/good.img"
	check_eq "after all that, the ruleset is the one rule" \
		"$("$DUPTO" -n "$box" -j rule show | jq -r '[.[].text] | join(";")')" "icmp to s1"
	check "and it mirrors" in_ns "$boxh1" ping -c 1 -W 2 10.0.0.2
	check_eq "s1 saw the request and the reply" "$(sensor_sent "$box" s1)" 2
}

# --- malformed requests ---------------------------------------------------------
# CMD | ATTRIBUTES (TYPE:HEX...) | MESSAGE, sent raw by genl.py.
case_malformed() {
	use_shared_box

	while IFS='|' read -r cmd attrs msg; do
		[[ -z $cmd || $cmd == \#* ]] && continue
		args=()
		for a in $attrs; do
			args+=(--attr "$a")
		done
		check_error "malformed: command $cmd, ${attrs:-no attributes}" "error $msg" \
			in_ns "$box" python3 "$genl_py" dupto "$cmd" "${args[@]}"
	done <<'EOF'
# PORT_NEW: no port, a port not flagged nested, a port naming no device,
# both index and name, a device that is not there, an attribute only replies
# carry, a mode that is not one, a port device named in place
2||EINVAL: a port is needed
2|4:0800010001000000|EINVAL: NLA_F_NESTED is missing
2|0x8004:|EINVAL: name the device by exactly one of index and name
2|0x8004:0800010001000000070002006c6f0000|EINVAL: name the device by exactly one of index and name
2|0x8004:0800010063000000|ENODEV: no such device
2|0x8004:0800040001000000|EINVAL: Attribute failed policy validation
2|0x8004:07000200703300000500030009000000|ERANGE: integer out of range
2|0x8004:07000200703300000700050070330000|EINVAL: only a port in device mode has a port device to name
# PORT_DEL: a device that is not a port; a mode, which a port goes without
3|0x8004:0700020070330000|ENOENT: the device is not a dupto port
3|0x8004:07000200703000000500030001000000|EINVAL: a port is detached by its device alone
# RULESET_SET: a stale generation, a generation of the wrong size, an image
# attribute that is not an image
6|3:ffffffffffffffff|ESTALE: the configuration changed since that generation
6|3:01000000|EINVAL: invalid attribute length
6|6:00000000|EINVAL: record 1: bad length 0
# an attribute type no command knows
9|99:00000000|EINVAL: Unknown attribute type
EOF
}

# --- namespaces ---------------------------------------------------------------
case_namespaces() {
	use_shared_box

	build box2 device
	gen=$("$DUPTO" -n "$box" -j show | jq -r .generation)
	load_rules "$box2" 'rule arp to s1'
	"$DUPTO" -n "$box2" port del p1
	check_eq "another namespace's new ruleset leaves this one's rules" \
		"$("$DUPTO" -n "$box" -j rule show | jq -r '[.[].text] | join(";")')" "icmp to s1"
	check_eq "and its generation" "$("$DUPTO" -n "$box" -j show | jq -r .generation)" "$gen"
	check_eq "another's port detached leaves this one's ports" \
		"$("$DUPTO" -n "$box" -j port show | jq -r '[.[].ifname] | join(" ")')" "p0 p1"
	before=$(sensor_sent "$box" s1)
	check "its bridge forwards" in_ns "$boxh1" ping -c 1 -W 2 10.0.0.2
	check_eq "and its sensor gets the copies" "$(sensor_sent "$box" s1)" $((before + 2))
	check "the other bridge forwards too" in_ns "$box2h1" ping -c 1 -W 2 10.0.0.2
	check_eq "where the ICMP rule is gone" \
		"$("$DUPTO" -n "$box2" -j rule show | jq -r '[.[].text] | join(";")')" "arp to s1"
}

# --- permissions ----------------------------------------------------------------
# Only CAP_NET_ADMIN in the initial user namespace may change it (genl.sh
# tests the module parameter that lets the namespace's own admin do it).
case_permissions() {
	use_shared_box

	msg_init="dupto needs CAP_NET_ADMIN in the initial user namespace (module parameter dupto.userns_admin=0)"

	nobody() {
		in_ns "$box" setpriv --reuid=65534 --regid=65534 --clear-groups "$DUPTO" "$@"
	}
	# What the tool prints: the kernel's words, or without them (a dump on 6.1,
	# see genl.sh) its own. DO or DUMP | THE TOOL'S OWN | COMMAND
	said() {
		if [[ $1 == do ]] || dump_start_says; then
			echo "dupto: kernel says: $msg_init"
		else
			echo "$2"
		fi
	}
	while IFS='|' read -r kind own args; do
		[[ -z $kind || $kind == \#* ]] && continue
		read -r -a argv <<<"$args"
		check_error "unprivileged: dupto${args}" "$(said "$kind" "$own")" \
			nobody "${argv[@]}"
	done <<'EOF'
# the tool reads the ruleset first, or the ports
dump|dupto: cannot read the ruleset: Operation not permitted| rule add to s1
do|| port add p3
dump|dupto: cannot list the ports: Operation not permitted| port del p0
do|| stats reset
dump|dupto: cannot read the ruleset: Operation not permitted| show
dump|dupto: cannot read the ruleset: Operation not permitted| save
EOF
	# The write itself, sent raw, is refused too.
	check_error "unprivileged: a ruleset sent raw" "error EPERM: $msg_init" \
		in_ns "$box" sh -c "setpriv --reuid=65534 --regid=65534 --clear-groups \
			python3 '$ruleset_py' load /dev/stdin <'$lib_tmp/good.img'"
	check_error "a user namespace's root cannot change a namespace it does not own" \
		"$(said dump "dupto: cannot read the ruleset: Operation not permitted")" \
		in_ns "$box" unshare --user --map-root-user "$DUPTO" rule add to s1
	check_error "not even raw" "error EPERM: $msg_init" \
		in_ns "$box" unshare --user --map-root-user python3 "$ruleset_py" load "$lib_tmp/good.img"
	check_eq "the ruleset is as it was" \
		"$("$DUPTO" -n "$box" -j rule show | jq -r '[.[].text] | join(";")')" "icmp to s1"
	check_eq "the ports too" "$("$DUPTO" -n "$box" -j port show | jq -r '[.[].ifname] | join(" ")')" "p0 p1"
}

run_cases loops pair images malformed namespaces permissions
end_test
