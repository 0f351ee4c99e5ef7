#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shaping each sensor's feed: one run of traffic, eight sensors that each
# take it their way, checked on their captures and counters.
#
#   h1                          box                          h2
#   eth0 --- p0 -[port tag 101]- br0 -[port tag 102]- p1 --- eth0
#                sensors: plain, snap (snaplen 128), lab (tag), rl (rate
#                100 burst 10), brl (byte-rate 20000 burst 10), smp
#                (sample 10), fsmp (sample-flows 4), deep (byte-rate 1
#                burst 1000000: the deepest bucket there is); only lab has
#                a lower device, llab, its peer klab in sink
#   rule udp or (vlan and udp) to all eight
#
# Traffic: h1 sends 1000 frames of 200 bytes over 300 flows, h2 one
# 802.1Q-tagged (VLAN 7) reply per flow, 154 bytes with the tag. The
# kernel holds that tag aside; the snap length counts it all the same.
#
# Tolerances: snap length, labels and 1-in-N frame sampling are exact (a
# counter keeps every Nth frame). Flow sampling keeps whole flows, a
# number within 30 % of 1 in 4 (the hash is fixed, so the figure is too;
# 30 % is about three standard deviations of a binomial(300, 1/4)). The
# rate limits send what the same token bucket lets through of the frames
# at the times the plain sensor's capture stamped them (flows.py gcra),
# within 10 % and 2 frames: capture stamps are not the kernel's clock.

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 tcpdump
load_dupto

flows() {
	python3 "$lib_dir/flows.py" "$@"
}

SENSORS="plain snap lab rl brl smp fsmp deep"

ns_add h1 h2 box sink
bridge_hosts "$h1" "$h2" "$box" inplace
check "a port gets a label as it is attached" \
	in_ns "$box" "$DUPTO" port set p0 tag 101
in_ns "$box" "$DUPTO" port del p1
check "or after" in_ns "$box" "$DUPTO" port add p1 tag 102
check_eq "port show gives the labels" \
	"$("$DUPTO" -n "$box" -j port show | jq -c '[.[] | [.ifname, .tag]]')" \
	'[["p0",101],["p1",102]]'
check_error "a label is a VLAN ID" \
	'dupto: port set: "4095": a VLAN ID is 1 to 4094' \
	in_ns "$box" "$DUPTO" port set p0 tag 4095

in_ns "$box" "$DUPTO" sensor add plain
in_ns "$box" "$DUPTO" sensor add snap snaplen 128
veth_pair "$box" llab "$sink" klab
in_ns "$box" "$DUPTO" sensor add lab link llab tag
in_ns "$box" "$DUPTO" sensor add rl rate 100 burst 10
in_ns "$box" "$DUPTO" sensor add brl byte-rate 20000 burst 10
in_ns "$box" "$DUPTO" sensor add deep byte-rate 1 burst 1000000
in_ns "$box" "$DUPTO" sensor add smp
check "sensor set gives a sensor its shaping" \
	in_ns "$box" "$DUPTO" sensor set smp sample 10
in_ns "$box" "$DUPTO" sensor add fsmp sample-flows 4
# 40 Gbit/s: more bytes a second than 32 bits hold, which "dupto load"
# once refused of what "dupto save" wrote
in_ns "$box" "$DUPTO" sensor add fast byte-rate 5000000000
check_eq "sensor show gives the shaping" \
	"$("$DUPTO" -n "$box" -j sensor show | jq -S -c 'map({(.ifname): .shaping}) | add')" \
	'{"brl":{"burst":10,"byte_rate":20000},"deep":{"burst":1000000,"byte_rate":1},"fast":{"byte_rate":5000000000},"fsmp":{"sample_flows":4},"lab":{"tag":true},"plain":{},"rl":{"burst":10,"rate":100},"smp":{"sample":10},"snap":{"snaplen":128}}'
check_error "a burst needs a rate" \
	'dupto: sensor set: a burst needs a rate or a byte-rate' \
	in_ns "$box" "$DUPTO" sensor set rl burst 5
# The tool's ranges are the kernel's (cc/options.c, netlink.c's policies).
check_error "a snap length is 14 to 65535" \
	'dupto: sensor set: "65536": a snap length is 14 to 65535' \
	in_ns "$box" "$DUPTO" sensor set snap snaplen 65536
check_error "an option is given once" \
	'dupto: sensor set: "rate" is given twice' \
	in_ns "$box" "$DUPTO" sensor set rl rate 5 rate 6
# SENSOR_SET { SENSOR { IFNAME "snap", SNAPLEN 65536 } }, raw
check_eq "the kernel refuses a snap length over 65535 too" \
	"$(in_ns "$box" python3 "$lib_dir/genl.py" dupto 10 \
		--attr 0x8005:09000200736e6170000000000800050000000100 2>/dev/null | head -n 1)" \
	"error ERANGE: integer out of range"
check_error "the kernel checks the sensor" \
	'dupto: kernel says: not a dupto sensor in this namespace' \
	in_ns "$box" "$DUPTO" sensor set p0 snaplen 100
in_ns "$box" "$DUPTO" rule add udp or \( vlan and udp \) to plain, snap, lab, rl, brl, smp, fsmp, deep

"$DUPTO" -n "$box" save >"$lib_tmp/saved.conf"
check "what save prints loads back" in_ns "$box" "$DUPTO" load "$lib_tmp/saved.conf"
check_eq "and saves the same, shaping and labels included" \
	"$("$DUPTO" -n "$box" save | md5sum)" "$(md5sum <"$lib_tmp/saved.conf")"
check_eq "the saved sensors and ports" \
	"$(grep -E '^(port|sensor)' "$lib_tmp/saved.conf" | tr '\n' ';')" \
	"port p0 tag 101;port p1 tag 102;sensor brl byte-rate 20000 burst 10;sensor deep byte-rate 1 burst 1000000;sensor fast byte-rate 5000000000;sensor fsmp sample-flows 4;sensor lab link llab tag;sensor plain;sensor rl rate 100 burst 10;sensor smp sample 10;sensor snap snaplen 128;"

# --- the traffic
in_ns "$box" "$DUPTO" stats reset
for s in $SENSORS; do
	capture_start "$box" "$s" "$lib_tmp/$s.pcap"
done
capture_start "$h2" eth0 "$lib_tmp/h2.pcap"
capture_start "$sink" klab "$lib_tmp/klab.pcap"
in_ns "$h1" python3 "$lib_dir/flows.py" burst eth0 1000 200 300
in_ns "$h2" python3 "$lib_dir/flows.py" send eth0 rev 300 vlan 7 size 150
files=()
for s in $SENSORS; do
	files+=("$lib_tmp/$s.pcap")
done
capture_stop "${files[@]}" "$lib_tmp/h2.pcap" "$lib_tmp/klab.pcap"
stats=$("$DUPTO" -n "$box" -j stats)
stat() {
	jq -r --arg s "$1" ".sensors[] | select(.ifname == \$s) | .stats.$2" <<<"$stats"
}

check_eq "plain: every frame, whole" \
	"$(flows lens "$lib_tmp/plain.pcap" | jq -c '[.frames, .lens]')" \
	'[1300,[[154,154],[200,200]]]'

# snap length: tcpdump's caplen and len are the snap length
check_eq "snap: 128 bytes of every frame, the tagged ones' tag included" \
	"$(flows lens "$lib_tmp/snap.pcap" | jq -c '[.frames, .lens]')" \
	'[1300,[[128,128]]]'
check_eq "snap: tcpdump reads the snapped frames as 128 bytes long" \
	"$(tcpdump -r "$lib_tmp/snap.pcap" -nn 'greater 128' 2>/dev/null | wc -l)/$(tcpdump -r "$lib_tmp/snap.pcap" -nn 'greater 129' 2>/dev/null | wc -l)" \
	"1300/0"
check_eq "snap: the tagged ones still carry their VLAN 7" \
	"$(tcpdump -r "$lib_tmp/snap.pcap" -nn 'vlan 7 and udp' 2>/dev/null | wc -l)" 300
check_eq "snap: the bridged frames were not touched (h2 got them whole)" \
	"$(flows lens "$lib_tmp/h2.pcap" | jq -c '.lens | map(select(.[0] == 200)) | length')" 1
check_eq "snap: no copy failed" "$(stat snap snapfail)" 0

# port labels: outermost, over the frame's own tag; other sensors unchanged
check_eq "lab: h1's frames carry p0's label, h2's p1's over their VLAN 7" \
	"$(flows tags "$lib_tmp/lab.pcap" | jq -c .)" '["101","102.7"]'
check_eq "lab: tcpdump sees VLAN 101 on the frames from p0" \
	"$(tcpdump -r "$lib_tmp/lab.pcap" -nn 'vlan 101 and udp' 2>/dev/null | wc -l)" 1000
check_eq "lab: the labelled copies leave by its lower device as they are" \
	"$(flows tags "$lib_tmp/klab.pcap" | jq -c .)/$(flows lens "$lib_tmp/klab.pcap" | jq .frames)" \
	'["101","102.7"]/1300'
check_eq "plain: no label" \
	"$(flows tags "$lib_tmp/plain.pcap" | jq -c .)" '["","7"]'

# sampling: exactly 1 in 10 frames; whole flows, about 1 in 4
check_eq "smp: sent 1 frame in 10, the rest counted as sampled out" \
	"$(stat smp sent)/$(stat smp sampled)/$(flows lens "$lib_tmp/smp.pcap" | jq .frames)" \
	"130/1170/130"
whole=$(flows whole "$lib_tmp/plain.pcap" "$lib_tmp/fsmp.pcap")
check_eq "fsmp: whole flows only, both directions" "$(jq .partial <<<"$whole")" 0
kept=$(jq .flows <<<"$whole")
if ((kept >= 53 && kept <= 97)); then
	pass "fsmp: $kept of 300 flows kept, within 30 % of 75"
else
	fail "fsmp: $kept of 300 flows kept, within 30 % of 75"
fi
check_eq "fsmp: the counters add up" \
	"$(($(stat fsmp sent) + $(stat fsmp sampled)))/$(stat fsmp sent)" \
	"1300/$(flows lens "$lib_tmp/fsmp.pcap" | jq .frames)"

# rate_limited SENSOR RATE UNIT [bytes]: SENSOR, limited to RATE UNIT with
# a burst of 10, sent what the same bucket lets through of the plain
# sensor's frames at their capture times, and counted the rest
rate_limited() {
	local s=$1 rate=$2 unit=$3 want sent limited lo hi
	want=$(flows gcra "$lib_tmp/plain.pcap" "$rate" 10 ${4:-})
	sent=$(stat "$s" sent)
	limited=$(stat "$s" ratelimit)
	lo=$((want * 9 / 10 - 2)) hi=$((want * 11 / 10 + 2))
	if ((sent >= lo && sent <= hi)); then
		pass "$s: $sent frames at $rate $unit, burst 10, over ${span}s (a bucket gives $want)"
	else
		fail "$s: $sent frames at $rate $unit, burst 10, over ${span}s (a bucket gives $want, $lo to $hi)"
	fi
	check_eq "$s: the rest counted as over the limit; the capture agrees" \
		"$((sent + limited))/$(flows lens "$lib_tmp/$s.pcap" | jq .frames)" "1300/$sent"
}
span=$(flows span "$lib_tmp/plain.pcap")
rate_limited rl 100 frames/s
# 20000 bytes/s is 100 of h1's frames a second, 130 of h2's
rate_limited brl 20000 bytes/s bytes

# 1514 x 1000000 bytes of burst at 1 byte/s is some 48 years of credit:
# the run's 246,200 bytes all fit, whatever the arithmetic's width
check_eq "deep: the deepest bucket holds the whole run" \
	"$(stat deep sent)/$(stat deep ratelimit)" "1300/0"

# shaping off again
check "sensor set with nothing clears the shaping" \
	in_ns "$box" "$DUPTO" sensor set snap
check_eq "and show says so" \
	"$("$DUPTO" -n "$box" -j sensor show snap | jq -c '.[0].shaping')" '{}'

end_test
