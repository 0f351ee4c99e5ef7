#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Groups: three sensors share 300 UDP flows. Every frame of a flow, both
# directions (one of them VLAN-tagged for every other flow), lands on one
# member; the members get within 20 % of an even share; a member whose
# carrier drops loses only its own flows, to the others, and gets exactly
# those back; a second box with the same seed, whose sensors were created
# in another order with other ifindexes, picks the same member for every
# flow; the tool's own run of the ruleset (dupto compile -r) predicts the
# kernel's choice; in the addresses mode every fragment of a datagram goes
# with its flow.
#
#   h1                 box1 (ports in place)     box2 (port devices)        h2
#   eth0 --- p0 -[port]- br0 -[port]- p1 --- q0 -[port]- br0 -[port]- q1 --- eth0
#                 sensors a, b, c on links         dummies d0..d2 first, then
#                 la, lb, lc (veth; the peers      sensors c, b, a (no lower)
#                 ka, kb, kc in sink)
#   both: group ids members a, b, c seed 7; rule udp or (vlan and udp) to ids
#   (as in tcpdump, "udp" alone does not match a VLAN-tagged frame)
#
# The spread is deterministic: the hash has no random part, so these 300
# flows under seed 7 always split 95/104/101 (the tool computes the same);
# the check states the property the issue asks for (each member within 20 %
# of 100), not the exact figures.

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 tcpdump
load_dupto

FLOWS=300
flows() {
	python3 "$lib_dir/flows.py" "$@"
}

ns_add h1 h2 box1 box2 sink
veth_pair "$h1" eth0 "$box1" p0
veth_pair "$box1" p1 "$box2" q0
veth_pair "$box2" q1 "$h2" eth0
for s in a b c; do
	veth_pair "$box1" "l$s" "$sink" "k$s"
done
for b in "$box1" "$box2"; do
	in_ns "$b" ip link add br0 type bridge
	in_ns "$b" ip link set br0 up
done
in_ns "$box1" ip link set p0 master br0
in_ns "$box1" ip link set p1 master br0
in_ns "$box2" ip link set q0 master br0
in_ns "$box2" ip link set q1 master br0

# box1 from a file
cat >"$lib_tmp/box1.conf" <<EOF
port p0
port p1
sensor a link la
sensor b link lb
sensor c link lc
group ids members a, b, c seed 7
rule udp or (vlan and udp) to ids
EOF
check "box1: a configuration with a group loads" \
	in_ns "$box1" "$DUPTO" load "$lib_tmp/box1.conf"

# box2 from the command line, its sensors with other ifindexes
for d in d0 d1 d2; do
	in_ns "$box2" ip link add "$d" type dummy
done
attach_ports "$box2" device q0 q1
for s in c b a; do
	in_ns "$box2" "$DUPTO" sensor add "$s"
done
check "box2: dupto group add" \
	in_ns "$box2" "$DUPTO" group add ids members a,b,c seed 7
check "box2: a rule sends to the group" \
	in_ns "$box2" "$DUPTO" rule add udp or \( vlan and udp \) to ids
check_eq "box2: dupto group show" \
	"$("$DUPTO" -n "$box2" group show)" \
	"ids members a, b, c hash addresses-ports seed 7"
check_eq "box2: dupto group show -j" \
	"$("$DUPTO" -n "$box2" -j group show | jq -c '.[0]')" \
	'{"name":"ids","members":[{"name":"a","weight":1},{"name":"b","weight":1},{"name":"c","weight":1}],"hash":"addresses-ports","seed":7}'
shown=$("$DUPTO" -n "$box2" show)
check_eq "box2: dupto show lists the group between sensors and rules" \
	"$(grep -oE '^(sensor|group|rule) ' <<<"$shown" | uniq | tr -d '\n')/$(grep '^group' <<<"$shown")/$("$DUPTO" -n "$box2" -j show | jq -c '[.groups[].name]')" \
	"sensor group rule /group ids members a, b, c hash addresses-ports seed 7/[\"ids\"]"
"$DUPTO" -n "$box2" save >"$lib_tmp/box2.saved"
check "box2: what save prints loads back" \
	in_ns "$box2" "$DUPTO" load "$lib_tmp/box2.saved"
check_eq "box2: and saves the same, byte for byte" \
	"$("$DUPTO" -n "$box2" save | md5sum)" "$(md5sum <"$lib_tmp/box2.saved")"
check_eq "box2: the saved group" \
	"$(grep '^group' "$lib_tmp/box2.saved")" \
	"group ids members a, b, c hash addresses-ports seed 7"

# What the kernel refuses, in its words; and what the tool does.
check_error "a member that is no sensor: the kernel says which" \
	"dupto: kernel says: group g2: member nosuch is not a dupto sensor in this namespace" \
	in_ns "$box2" "$DUPTO" group add g2 members a,nosuch
check_error "a group some rule sends to cannot go" \
	'dupto: group del: rule 1 sends frames to group "ids"; delete it first' \
	in_ns "$box2" "$DUPTO" group del ids
check "an unused group can" sh -c \
	"ip netns exec $box2 $DUPTO group add spare members c && ip netns exec $box2 $DUPTO group del spare"

# run NAME: the flows both ways, captured on box1's and box2's sensors;
# maps of flow to member in $lib_tmp/NAME.box1 and NAME.box2, and box1's
# summary in $sum.
run() {
	local name=$1 s b
	for b in box1 box2; do
		for s in a b c; do
			capture_start "${!b}" "$s" "$lib_tmp/$name.$b.$s.pcap"
		done
	done
	in_ns "$h1" python3 "$lib_dir/flows.py" send eth0 fwd $FLOWS
	in_ns "$h2" python3 "$lib_dir/flows.py" send eth0 rev $FLOWS vlan 7 every 2
	capture_stop "$lib_tmp/$name".{box1,box2}.{a,b,c}.pcap
	sum=$(flows where "$lib_tmp/$name.box1" a="$lib_tmp/$name.box1.a.pcap" \
		b="$lib_tmp/$name.box1.b.pcap" c="$lib_tmp/$name.box1.c.pcap")
	sum2=$(flows where "$lib_tmp/$name.box2" a="$lib_tmp/$name.box2.a.pcap" \
		b="$lib_tmp/$name.box2.b.pcap" c="$lib_tmp/$name.box2.c.pcap")
}

# every flow, both directions, on one member of box1
whole_flows() {
	check_eq "$1: box1 saw every flow, each on one member, both directions" \
		"$(jq -c '[.flows, .split, .min_frames, .max_frames]' <<<"$sum")" \
		"[$FLOWS,0,2,2]"
}

"$DUPTO" -n "$box1" stats reset
run all
whole_flows "all up"
spread=$(jq -r '.per | to_entries | map("\(.key)=\(.value)") | join(" ")' <<<"$sum")
if jq -e --argjson n $FLOWS '.per | to_entries | all(.value >= 0.8 * $n / 3 and .value <= 1.2 * $n / 3)' <<<"$sum" >/dev/null; then
	pass "all up: each member within 20 % of an even share ($spread)"
else
	fail "all up: each member within 20 % of an even share ($spread)"
fi
check_eq "all up: box2 saw every flow, each on one member" \
	"$(jq -c '[.flows, .split]' <<<"$sum2")" "[$FLOWS,0]"
check "all up: box2, same seed, picked the same member for every flow" \
	flows same "$lib_tmp/all.box1" "$lib_tmp/all.box2"
for s in a b c; do
	got=$("$DUPTO" -j compile "$lib_tmp/box1.conf" -r "$lib_tmp/all.box1.$s.pcap" |
		jq -c '[.frames[].targets] | unique')
	check_eq "all up: dupto compile -r predicts member $s for its frames" "$got" "[[\"$s\"]]"
done
sent=$("$DUPTO" -n "$box1" -j stats | jq '[.sensors[].stats.sent] | add')
check_eq "all up: the members' sent counters add up to the frames" "$sent" $((2 * FLOWS))

# b's carrier drops: only its flows move, and they come back
in_ns "$sink" ip link set kb down
wait_for 10 sh -c "[ \"\$(ip -n $box1 -j link show dev b | jq -r '.[0].operstate')\" != UP ]"
check_eq "b down: its lower went, so did its carrier" \
	"$(link_field "$box1" b .operstate)" LOWERLAYERDOWN
run bdown
whole_flows "b down"
check_eq "b down: no other member's flow moved; none on b; all b's moved" \
	"$(flows moved "$lib_tmp/all.box1" "$lib_tmp/bdown.box1" b | jq -c '[.others_moved, .on_gone, .gone_moved == .gone_had]')" \
	"[0,0,true]"
check "b down: box2 (b up there) still agrees with box1 where b was not involved" \
	sh -c "python3 '$lib_dir/flows.py' moved '$lib_tmp/all.box2' '$lib_tmp/bdown.box2' none | jq -e '.others_moved == 0'"

in_ns "$sink" ip link set kb up
wait_for 10 operstate_is "$box1" b UP
run bup
whole_flows "b back"
check "b back: every flow is where it was before b went down" \
	flows same "$lib_tmp/all.box1" "$lib_tmp/bup.box1"

# addresses mode: every fragment with its flow
sed 's/seed 7/hash addresses seed 7/' "$lib_tmp/box1.conf" >"$lib_tmp/addr.conf"
check "addresses mode loads" in_ns "$box1" "$DUPTO" load "$lib_tmp/addr.conf"
for s in a b c; do
	capture_start "$box1" "$s" "$lib_tmp/frag.$s.pcap"
done
in_ns "$h1" python3 "$lib_dir/flows.py" frags eth0 fwd 60
in_ns "$h2" python3 "$lib_dir/flows.py" frags eth0 rev 60
for s in a b c; do
	capture_stop "$lib_tmp/frag.$s.pcap"
done
sum=$(flows where "$lib_tmp/frag" a="$lib_tmp/frag.a.pcap" b="$lib_tmp/frag.b.pcap" \
	c="$lib_tmp/frag.c.pcap")
check_eq "addresses: three fragments and the reply of each datagram on one member" \
	"$(jq -c '[.flows, .split, .min_frames, .max_frames]' <<<"$sum")" "[60,0,4,4]"

end_test
