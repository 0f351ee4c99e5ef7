#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every copy leaves with the headers the kernel expects of a frame on its
# way out, whether it is a clone, a snapped copy or a labelled one: taps on
# the sensor and on its lower device take it without a "protocol 0800 is
# buggy" in the kernel log, and a multi-queue lower device hashes a snapped
# copy's flow (skb_tx_hash) from its headers, as it hashes the whole copy's.
#
#   h1                          box                          h2
#   eth0 --- p0 -[port tag 101]- br0 -[port]- p1 --- eth0
#            sensors: snap (snaplen 64), tsnap (snaplen 64, tag): no lower
#                     qsnap (snaplen 64) -- ls ==== ks  in sink
#                     qwhole             -- lw ==== kw  in sink
#            ls and lw: veths with 4 transmit queues under mq
#   rule udp to all four
#
# Traffic: h1 sends 256 UDP frames of 200 bytes over 32 flows.

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 tcpdump tc dmesg
load_dupto

ns_add h1 h2 box sink
bridge_hosts "$h1" "$h2" "$box" inplace
in_ns "$box" "$DUPTO" port set p0 tag 101
in_ns "$box" "$DUPTO" sensor add snap snaplen 64
in_ns "$box" "$DUPTO" sensor add tsnap snaplen 64 tag
for q in snap whole; do
	log_cmd ip -n "$box" link add "l${q:0:1}" numtxqueues 4 numrxqueues 4 \
		type veth peer name "k${q:0:1}" netns "$sink" numtxqueues 4 numrxqueues 4
	in_ns "$box" ip link set "l${q:0:1}" up
	in_ns "$sink" ip link set "k${q:0:1}" up
	in_ns "$box" tc qdisc add dev "l${q:0:1}" root handle 1: mq
done
in_ns "$box" "$DUPTO" sensor add qsnap link ls snaplen 64
in_ns "$box" "$DUPTO" sensor add qwhole link lw
in_ns "$box" "$DUPTO" rule add udp to snap, tsnap, qsnap, qwhole

# queues DEV: the frames each transmit queue of DEV sent, in queue order.
queues() {
	ip netns exec "$box" tc -s -j qdisc show dev "$1" |
		jq -c '[.[] | select(.parent != null and (.parent | startswith("1:"))) | {q: .parent, n: .packets}] | sort_by(.q | ltrimstr("1:") | tonumber) | map(.n)'
}

buggy_before=$(dmesg | grep -c 'is buggy')
capture_start "$h2" eth0 "$lib_tmp/wire.pcap"
for dev in snap tsnap ls lw; do
	capture_start "$box" "$dev" "$lib_tmp/$dev.pcap"
done
for dev in ks kw; do
	capture_start "$sink" "$dev" "$lib_tmp/$dev.pcap"
done
in_ns "$h1" python3 "$lib_dir/flows.py" burst eth0 256 200 32
for f in wire snap tsnap ls lw ks kw; do
	capture_stop "$lib_tmp/$f.pcap"
done

check_eq "h2 got the 256 frames" \
	"$(python3 "$lib_dir/frames.py" total "$lib_tmp/wire.pcap")" 256
check_eq "no copy was called buggy by the kernel (dmesg)" \
	"$(($(dmesg | grep -c 'is buggy') - buggy_before))" 0
same_frames "snap: a capture on the sensor reads each frame's first 64 bytes" \
	"$lib_tmp/wire.pcap" "$lib_tmp/snap.pcap" 64
same_frames "qsnap: so does a capture on its lower device" \
	"$lib_tmp/wire.pcap" "$lib_tmp/ls.pcap" 64
same_frames "qsnap: and on the lower's peer" \
	"$lib_tmp/wire.pcap" "$lib_tmp/ks.pcap" 64
same_frames "qwhole: the whole frames reach the peer of its lower device" \
	"$lib_tmp/wire.pcap" "$lib_tmp/kw.pcap"
check_eq "tsnap: 64 bytes of every frame, p0's label on top" \
	"$(python3 "$lib_dir/flows.py" lens "$lib_tmp/tsnap.pcap" | jq -c '[.frames, .lens]')/$(python3 "$lib_dir/flows.py" tags "$lib_tmp/tsnap.pcap" | jq -c .)" \
	'[256,[[68,68]]]/["101"]'

# Each flow leaves by one queue, the one its hash picks: for the same
# frames, the snapped copies' queues are the whole copies'.
snapq=$(queues ls)
wholeq=$(queues lw)
check_eq "qwhole: the whole copies spread over the lower's queues" \
	"$(jq '[.[] | select(. > 0)] | length > 1 and add == 256' <<<"$wholeq")" true
check_eq "qsnap: each flow's snapped copies take its whole copies' queue" \
	"$snapq" "$wholeq"

end_test
