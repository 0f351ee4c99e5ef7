#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How copies reach a sensor without a lower device: handed to its packet
# taps in place, the frame itself lent to every such sensor (the taps
# clone it), where the core's transmit would have changed nothing; through
# the core's transmit, a copy of its own, where a qdisc, tc's or
# netfilter's egress, or an offload the sensor lacks has a say. Either way every listener sees every
# copy a sensor was sent, the copies are the bridged frames byte for byte,
# and the counters mean what they meant: the sensor's tx_packets and
# tx_bytes count what its taps were given, dupto's "sent" what it handed
# over, "queue" what the transmit path refused.
#
#   h1                          box                          h2
#   eth0 10.0.0.1 --- p0 -[port]-+- br0 -+-[port]- p1 --- eth0 10.0.0.2
#                     sensors s1, s2, s3 (no lower: captured on the box)
#
# Test frames are frames.py's (EtherType 0x88b5, sent from h1, flooded by
# br0 to h2); TCP is tcp_xfer.py's, h1 to h2. The cases: taps (two
# listeners on a sensor, one on any), three (one frame to three sensors),
# shared (the taps of three sensors sharing one clone of each frame),
# egress (the same for a frame classified on its way out),
# tcdrop and nftdrop (a drop on a sensor's egress), qdisc (a root pfifo),
# gso and csum (offloads the sensor turns off), vlan (a port label with
# tx-vlan-offload off).

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 tcpdump tc ethtool
load_dupto

ns_add h1 h2 box
bridge_hosts "$h1" "$h2" "$box" inplace
for s in s1 s2 s3; do
	in_ns "$box" "$DUPTO" sensor add "$s"
done
known_neighbours "$h1" 10.0.0.1 "$h2" 10.0.0.2

# sensor_stat SENSOR COUNTER: one of dupto's counters of SENSOR.
sensor_stat() {
	"$DUPTO" -n "$box" -j sensor show "$1" | jq -r ".[0].stats.$2"
}

# tx SENSOR: the sensor's "tx_packets tx_bytes" (ip -s link).
tx() {
	ip -n "$box" -s -j link show dev "$1" | jq -r '.[0].stats64.tx | "\(.packets) \(.bytes)"'
}

# rules RULES: the ruleset, and dupto's counters from zero.
rules() {
	load_rules "$box" "$1" && in_ns "$box" "$DUPTO" stats reset
}

# frames_in PCAP [FILTER]: how many frames of PCAP FILTER matches (every
# frame without one), as tcpdump reads them; its filter's "len" is the
# frame's length on the wire, not what the capture kept of it.
frames_in() {
	tcpdump -r "$1" -n ${2:+"$2"} 2>/dev/null | grep -c '^[0-9]'
}

# capture_any FILE: tcpdump on "any" in the box, in Linux cooked v2, whose
# records carry the interface's index, returning once it listens; ended by
# capture_stop as capture_start's are.
capture_any() {
	bg "$box" tcpdump -Z root --immediate-mode -U -n -s 2048 -B 8192 \
		-i any -y LINUX_SLL2 -w "$1" 2>"$1.log"
	lib_captures[$1]=$!
	wait_for 20 grep -q "listening on" "$1.log"
}

# --- two listeners on a sensor, one on every device -------------------------

case_taps() {
	local p b p2 b2 idx
	rules 'rule ether proto 0x88b5 to s1'
	read -r p b < <(tx s1)
	capture_start "$box" s1 "$lib_tmp/a.pcap"
	capture_start "$box" s1 "$lib_tmp/b.pcap"
	capture_any "$lib_tmp/any.pcap"
	send_frames "$h1" eth0 taps 50
	capture_stop "$lib_tmp"/{a,b,any}.pcap

	check_eq "taps: a first listener on the sensor got every copy" \
		"$(count_frames "$lib_tmp/a.pcap" taps)" 50
	check_eq "taps: a second listener on it got every copy too" \
		"$(count_frames "$lib_tmp/b.pcap" taps)" 50
	idx=$(link_field "$box" s1 .ifindex)
	check_eq "taps: a listener on any got every copy, on the sensor's ifindex" \
		"$(frames_in "$lib_tmp/any.pcap" "ifindex $idx and ether proto 0x88b5")" 50
	read -r p2 b2 < <(tx s1)
	check_eq "taps: the sensor counts them transmitted once each (ip -s link)" \
		"$((p2 - p)) packets, $((b2 - b)) bytes" "50 packets, 3200 bytes"
	check_eq "taps: dupto counts them sent, none dropped" \
		"$(sensor_stat s1 sent) $(sensor_stat s1 queue) $(sensor_stat s1 nomem)" "50 0 0"
}

# --- one frame, three sensors -----------------------------------------------

# gro NS: whether generic receive offload is on on NS's eth0 ("on", "off").
gro() {
	ip netns exec "$1" ethtool -k eth0 | sed -n 's/^generic-receive-offload: \([a-z]*\).*/\1/p'
}

# With the hosts' offloads off, the frames on each side's wire are the
# frames that crossed the bridge, one for one, and so are the copies. s1
# and s3 are lent each frame in turn; s2, under a root pfifo, gets a clone
# of it through the core's transmit.
case_three() {
	local s ns gro1 gro2
	gro1=$(gro "$h1")
	gro2=$(gro "$h2")
	for ns in "$h1" "$h2"; do
		in_ns "$ns" ethtool -K eth0 tso off gso off gro off tx off >/dev/null
	done
	rules 'rule to s1, s2, s3'
	in_ns "$box" tc qdisc add dev s2 root pfifo
	capture_start "$h1" eth0 "$lib_tmp/h1.pcap"
	capture_start "$h2" eth0 "$lib_tmp/h2.pcap"
	for s in s1 s2 s3; do
		capture_start "$box" "$s" "$lib_tmp/$s.pcap"
	done
	tcp_serve "$h2" 10.0.0.2 5001
	send_frames "$h1" eth0 three 20
	check "three: a TCP transfer crosses the bridge, its digest intact" \
		in_ns "$h1" python3 "$lib_dir/tcp_xfer.py" send 10.0.0.2 5001 200000
	capture_stop "$lib_tmp"/{h1,h2,s1,s2,s3}.pcap

	same_frames "three: what h1 sent and got, h2 got and sent, unchanged" \
		"$lib_tmp/h1.pcap" "$lib_tmp/h2.pcap"
	for s in s1 s2 s3; do
		same_frames "three: $s's listener got a copy of each, byte for byte" \
			"$lib_tmp/h1.pcap" "$lib_tmp/$s.pcap"
	done
	check_eq "three: s2's copies went through its pfifo, one for each" \
		"$(tc -n "$box" -s -j qdisc show dev s2 | jq -r '.[] | select(.root) | .packets')" \
		"$(frames_in "$lib_tmp/s2.pcap")"
	in_ns "$box" tc qdisc del dev s2 root
	in_ns "$h1" ethtool -K eth0 tx on sg on tso on gso on gro "$gro1" >/dev/null
	in_ns "$h2" ethtool -K eth0 tx on sg on tso on gso on gro "$gro2" >/dev/null
}

# --- one clone for the taps of every sensor ----------------------------------

# listen_start SENSOR TAG OUT [fanout]: frames.py's listener on SENSOR, a
# packet socket without a ring (in a fanout group of its own with
# "fanout"), returning once it listens; capture_stop OUT ends it, and OUT
# then says what it got, OUT.stamps each frame's timestamp.
listen_start() {
	bg "$box" python3 "$lib_dir/frames.py" listen "$1" "$2" "$3.stamps" ${4:+"$4"} >"$3" 2>"$3.log"
	lib_captures[$3]=$!
	wait_for 20 grep -q "listening on" "$3.log"
}

# Each frame lent to s1, s2 and s3 in turn: the taps of all three share
# one clone of it, its device set for each sensor's, and the last tap is
# given it. Every listener must still see each frame once, as its own
# sensor's, outgoing, byte for byte: tcpdump (a ring) on each sensor; a
# socket without a ring on s2 (handed the shared clone, it clones it to
# queue) and s3 (first there, so the last tap of all: handed the clone
# itself, it queues it); in the second round a listener on any as well,
# whose tap comes first for every sensor (and is one the 6.1 module
# cannot reach: there the core's clone per sensor serves). Stamped once,
# the clone carries one timestamp to every sensor, where the kernel's
# transmit stamps each sensor's clone when it makes it.
case_shared() {
	local round s f p b p2 b2 idx same
	local -A before
	rules 'rule ether proto 0x88b5 to s1, s2, s3'
	for round in alone any; do
		in_ns "$box" "$DUPTO" stats reset
		for s in s1 s2 s3; do
			before[$s]=$(tx "$s")
		done
		capture_start "$h1" eth0 "$lib_tmp/$round.h1.pcap"
		listen_start s3 shared "$lib_tmp/$round.plain.s3"
		for s in s1 s2 s3; do
			capture_start "$box" "$s" "$lib_tmp/$round.$s.pcap"
		done
		listen_start s2 shared "$lib_tmp/$round.plain.s2"
		[[ $round == any ]] && capture_any "$lib_tmp/any.pcap"
		send_frames "$h1" eth0 shared 40
		f=("$lib_tmp/$round".{h1,s1,s2,s3}.pcap "$lib_tmp/$round".plain.{s2,s3})
		[[ $round == any ]] && f+=("$lib_tmp/any.pcap")
		capture_stop "${f[@]}"

		tcpdump -r "$lib_tmp/$round.h1.pcap" -w "$lib_tmp/$round.sent.pcap" \
			'ether proto 0x88b5' 2>/dev/null
		check_eq "shared, $round: h1 sent the 40 test frames" \
			"$(count_frames "$lib_tmp/$round.sent.pcap" shared)" 40
		for s in s1 s2 s3; do
			same_frames "shared, $round: $s's tcpdump got each frame once, byte for byte" \
				"$lib_tmp/$round.sent.pcap" "$lib_tmp/$round.$s.pcap"
			read -r p b <<<"${before[$s]}"
			read -r p2 b2 < <(tx "$s")
			check_eq "shared, $round: $s counts 40 transmitted (ip -s link), dupto 40 sent" \
				"$((p2 - p)) $((b2 - b)) $(sensor_stat "$s" sent)" "40 2560 40"
		done
		for s in s2 s3; do
			check_eq "shared, $round: a socket without a ring on $s got each frame as $s's" \
				"$(cat "$lib_tmp/$round.plain.$s")" "40 frames on $s, outgoing, 0 altered"
		done
		if [[ $round == alone ]]; then
			same=$(awk 'NR == FNR { t[$1] = $2; next }
				($1 in t) && t[$1] "" == $2 "" && $2 != "None" { n++ }
				END { print n + 0 }' "$lib_tmp"/alone.plain.{s2,s3}.stamps)
			check_eq "shared, alone: s2's and s3's copies of each of the 40 frames carry one timestamp" \
				"$same" 40
			((same == 40)) || note "frame, s2's and s3's timestamps where they differ:" \
				"$(join <(sort "$lib_tmp/alone.plain.s2.stamps") \
					<(sort "$lib_tmp/alone.plain.s3.stamps") | awk '$2 != $3')"
			continue
		fi
		for s in s1 s2 s3; do
			idx=$(link_field "$box" "$s" .ifindex)
			check_eq "shared, any: the listener on any got each frame on $s's ifindex" \
				"$(frames_in "$lib_tmp/any.pcap" "ifindex $idx and ether proto 0x88b5")" 40
		done
	done
}

# egress_round HOW NS DEV: 30 test frames sent from NS's DEV, each
# classified on its way out of p1 and lent to s1 and s2.
egress_round() {
	local how=$1
	in_ns "$box" "$DUPTO" stats reset
	capture_start "$box" s1 "$lib_tmp/e1.pcap"
	listen_start s2 egress "$lib_tmp/e.plain.s2" fanout
	capture_start "$box" s2 "$lib_tmp/e2.pcap"
	send_frames "$2" "$3" egress 30
	capture_stop "$lib_tmp"/{e1,e2}.pcap "$lib_tmp/e.plain.s2"
	check_eq "egress: out on p1, $how: s1's and s2's tcpdumps got every frame" \
		"$(count_frames "$lib_tmp/e1.pcap" egress) $(count_frames "$lib_tmp/e2.pcap" egress)" "30 30"
	check_eq "egress: out on p1, $how: a fanout group's socket on s2 got each frame as s2's" \
		"$(cat "$lib_tmp/e.plain.s2")" "30 frames on s2, outgoing, 0 altered"
	check_eq "egress: out on p1, $how: dupto counts 30 sent to each" \
		"$(sensor_stat s1 sent) $(sensor_stat s2 sent)" "30 30"
}

# A frame classified on its way out of p1 is lent as one classified on its
# way in, and its taps run under rcu_read_lock() as the core's do: s2's
# include a fanout group's, as Suricata's, which reads its members under
# it (lockdep checks that in the debug kernel), as dupto's own reads are.
# In place, netfilter's egress hook takes it; the bridge that forwards a
# frame through a port device holds it; a frame the box itself sends on a
# port device comes under rcu_read_lock_bh() alone, and dupto takes it.
case_egress() {
	local rule='rule out on p1 and ether proto 0x88b5 to s1, s2'
	load_rules "$box" "$rule"
	egress_round "in place" "$h1" eth0
	egress_round "in place, sent by the box on p1" "$box" p1
	reattach_p1 device name dp1
	load_rules "$box" "$rule"
	check_eq "egress: p1 is a port device, dp1, in br0" \
		"$(link_field "$box" dp1 .master)" br0
	egress_round "through dp1" "$h1" eth0
	egress_round "sent by the box on dp1" "$box" dp1
	reattach_p1
}

# reattach_p1 [ARGS...]: p1 attached again, with port add's ARGS (none:
# in place); a ruleset naming p1 would keep it as it is, so the one
# loaded first does not.
reattach_p1() {
	load_rules "$box" "rule ether proto 0x88b5 to s3"
	in_ns "$box" "$DUPTO" port del p1
	in_ns "$box" "$DUPTO" port add p1 "$@"
}

# --- what the core's transmit drops ---------------------------------------

# refused DESC SENSOR N UNDO: SENSOR's egress drops everything, s2 takes
# nothing on its own: of N test frames, its listener sees none, dupto
# counts N as queue (its transmit refused them), the sensor's tx_packets
# stay; s2, sent the same frames, gets them all. Then UNDO takes the drop
# away and SENSOR gets the next N.
refused() {
	local desc=$1 sensor=$2 n=$3 undo=$4 p b p2 b2 tag=${1%%:*}
	read -r p b < <(tx "$sensor")
	capture_start "$box" "$sensor" "$lib_tmp/drop.pcap"
	capture_start "$box" s2 "$lib_tmp/other.pcap"
	send_frames "$h1" eth0 "$tag" "$n"
	capture_stop "$lib_tmp"/{drop,other}.pcap

	check_eq "$desc: the sensor's listener got no copy" \
		"$(count_frames "$lib_tmp/drop.pcap" "$tag")" 0
	check_eq "$desc: dupto counts each as queue, none as sent" \
		"$(sensor_stat "$sensor" queue) $(sensor_stat "$sensor" sent)" "$n 0"
	read -r p2 b2 < <(tx "$sensor")
	check_eq "$desc: the sensor's tx_packets and tx_bytes did not move" \
		"$((p2 - p)) $((b2 - b))" "0 0"
	check_eq "$desc: s2, under the same rule, got every copy" \
		"$(count_frames "$lib_tmp/other.pcap" "$tag") $(sensor_stat s2 sent)" "$n $n"

	$undo "$n"
	in_ns "$box" "$DUPTO" stats reset
	capture_start "$box" "$sensor" "$lib_tmp/back.pcap"
	send_frames "$h1" eth0 "$tag" "$n"
	capture_stop "$lib_tmp/back.pcap"
	check_eq "$desc: taken away, the sensor's listener gets every copy again" \
		"$(count_frames "$lib_tmp/back.pcap" "$tag") $(sensor_stat "$sensor" sent)" "$n $n"
}

# The drop counted where tc keeps it: the gact action's packets.
tc_dropped() {
	tc -n "$box" -s -j filter show dev s1 egress |
		jq '[.[].options.actions[]? | select(.kind == "gact") | .stats.packets] | add // 0'
}

case_tcdrop() {
	rules 'rule ether proto 0x88b5 to s1, s2'
	if ! { in_ns "$box" tc qdisc add dev s1 clsact &&
	       in_ns "$box" tc filter add dev s1 egress matchall action drop; } 2>"$lib_tmp/tc.err"; then
		skip_check "tcdrop: a tc egress filter's drop on a sensor" \
			"tc cannot drop on egress here: $(head -n 1 "$lib_tmp/tc.err")"
		return
	fi
	refused "tcdrop: tc matchall drop on s1's egress" s1 30 tc_undo_checked
}

# tc_undo_checked N: before the filter goes, its count.
tc_undo_checked() {
	check_eq "tcdrop: tc -s filter show counts the $1 copies it dropped" \
		"$(tc_dropped)" "$1"
	in_ns "$box" tc qdisc del dev s1 clsact
}

# The nft counter's packets in the box's egress chain.
nft_counted() {
	ip netns exec "$box" nft -j list chain netdev dupto_deliver out |
		jq '[.nftables[].rule?.expr[]?.counter?.packets // empty] | add // 0'
}

nft_undo_checked() {
	check_eq "nftdrop: nft's counter counts the $1 copies it dropped" \
		"$(nft_counted)" "$1"
	in_ns "$box" nft delete table netdev dupto_deliver
}

case_nftdrop() {
	local desc="nftdrop: an nft netdev egress chain's drop on a sensor"
	if ! command -v nft >/dev/null; then
		skip_check "$desc" "nft is not installed (Debian: nftables)"
		return
	fi
	rules 'rule ether proto 0x88b5 to s1, s2'
	if ! { in_ns "$box" nft add table netdev dupto_deliver &&
	       in_ns "$box" nft add chain netdev dupto_deliver out \
			'{ type filter hook egress device "s1" priority 0; }' &&
	       in_ns "$box" nft add rule netdev dupto_deliver out counter drop; } 2>"$lib_tmp/nft.err"; then
		skip_check "$desc" \
			"this kernel has no netdev egress hook: $(grep -m1 . "$lib_tmp/nft.err")"
		ip netns exec "$box" nft delete table netdev dupto_deliver 2>/dev/null
		return
	fi
	refused "nftdrop: nft counter drop on s1's egress" s1 30 nft_undo_checked
}

# --- a qdisc ------------------------------------------------------------------

qdisc_sent() {
	tc -n "$box" -s -j qdisc show dev s1 | jq -r '.[] | select(.root) | "\(.kind) \(.packets)"'
}

case_qdisc() {
	local p b p2 b2
	rules 'rule ether proto 0x88b5 to s1, s2'
	in_ns "$box" tc qdisc add dev s1 root pfifo
	check_eq "qdisc: s1 has a root pfifo, nothing through it yet" "$(qdisc_sent)" "pfifo 0"
	read -r p b < <(tx s1)
	capture_start "$box" s1 "$lib_tmp/s1.pcap"
	capture_start "$box" s2 "$lib_tmp/s2.pcap"
	send_frames "$h1" eth0 qdisc 40
	capture_stop "$lib_tmp"/{s1,s2}.pcap

	check_eq "qdisc: s1's listener got every copy" \
		"$(count_frames "$lib_tmp/s1.pcap" qdisc)" 40
	check_eq "qdisc: tc -s qdisc shows them sent through the pfifo" \
		"$(qdisc_sent)" "pfifo 40"
	read -r p2 b2 < <(tx s1)
	check_eq "qdisc: s1 counts them transmitted, dupto sent" \
		"$((p2 - p)) $((b2 - b)) $(sensor_stat s1 sent)" "40 2560 40"
	check_eq "qdisc: s2, without a qdisc, got every copy too" \
		"$(count_frames "$lib_tmp/s2.pcap" qdisc) $(sensor_stat s2 sent)" "40 40"
	in_ns "$box" tc qdisc del dev s1 root
}

# --- offloads -----------------------------------------------------------------

# xfer N BYTES: tcp_xfer.py sends BYTES from h1 to h2 (port 5100 + N), a
# capture on s1 taking it; sets sent, tx_p (the change in s1's tx_packets)
# and the capture $lib_tmp/xfer.N.pcap.
xfer() {
	local n=$1 bytes=$2 p b p2 b2
	in_ns "$box" "$DUPTO" stats reset
	read -r p b < <(tx s1)
	capture_start "$box" s1 "$lib_tmp/xfer.$n.pcap"
	tcp_serve "$h2" 10.0.0.2 $((5100 + n))
	check "offloads: transfer $n crosses the bridge, its digest intact" \
		in_ns "$h1" python3 "$lib_dir/tcp_xfer.py" send 10.0.0.2 $((5100 + n)) "$bytes"
	capture_stop "$lib_tmp/xfer.$n.pcap"
	read -r p2 b2 < <(tx s1)
	tx_p=$((p2 - p))
	sent=$(sensor_stat s1 sent)
}

# TCP from h1 over its veth with TSO: the skbs that cross p0 and p1 are
# GSO skbs, up to 64 KB. A sensor advertises every software GSO type, so
# its taps get them whole; turn segmentation off on it and the core
# segments its copies, each segment a frame of its own.
case_gso() {
	local frames big segs
	rules 'rule tcp to s1'
	xfer 1 600000
	frames=$(frames_in "$lib_tmp/xfer.1.pcap")
	big=$(frames_in "$lib_tmp/xfer.1.pcap" 'len > 1514')
	if ((big > 0)); then
		pass "gso: by default s1's listener gets the GSO skbs whole ($big frames over 1514 bytes)"
	else
		fail "gso: by default s1's listener gets the GSO skbs whole"
		note "no frame over 1514 bytes of $frames: did h1 send with TSO?"
	fi
	check_eq "gso: s1's tx_packets and dupto's sent both count the frames its listener got" \
		"$tx_p $sent" "$frames $frames"

	if ! in_ns "$box" ethtool -K s1 tso off gso off 2>"$lib_tmp/ethtool.err" ||
	   ! in_ns "$box" ethtool -k s1 | grep -q '^tcp-segmentation-offload: off'; then
		fail "gso: ethtool -K s1 tso off gso off turns segmentation off"
		note "$(cat "$lib_tmp/ethtool.err")"
		return
	fi
	xfer 2 600000
	segs=$(frames_in "$lib_tmp/xfer.2.pcap")
	check_eq "gso: segmentation off, s1's listener gets no frame over 1514 bytes" \
		"$(frames_in "$lib_tmp/xfer.2.pcap" 'len > 1514')" 0
	if ((segs > frames)); then
		pass "gso: and more frames for the same transfer ($segs against $frames)"
	else
		fail "gso: and more frames for the same transfer"
		note "segmented: $segs frames; whole: $frames"
	fi
	check_eq "gso: s1's tx_packets count the segments its listener got" "$tx_p" "$segs"
	if ((sent < segs)); then
		pass "gso: dupto's sent counts the copies, fewer than the segments ($sent)"
	else
		fail "gso: dupto's sent counts the copies, fewer than the segments"
		note "sent $sent, segments $segs"
	fi
	in_ns "$box" ethtool -K s1 tso on gso on
}

# bad_csums PCAP: the frames tcpdump -vv calls a checksum bad in.
bad_csums() {
	tcpdump -r "$1" -n -vv 2>/dev/null | grep -c -E 'incorrect|bad cksum'
}

# TCP from h1 without TSO but with checksum offload on its veth: the frames
# cross the bridge CHECKSUM_PARTIAL, their TCP checksums not yet written.
# s2 keeps the offload (its taps see them so, as on any NIC that offloads:
# tcpdump calls them incorrect); s1 turns it off and the core fills them in.
case_csum() {
	local n1 n2
	in_ns "$h1" ethtool -K eth0 tso off gso off >/dev/null
	rules 'rule tcp to s1, s2'
	in_ns "$box" ethtool -K s1 tx off
	capture_start "$box" s1 "$lib_tmp/c1.pcap"
	capture_start "$box" s2 "$lib_tmp/c2.pcap"
	tcp_serve "$h2" 10.0.0.2 5200
	check "csum: a TCP transfer crosses the bridge, its digest intact" \
		in_ns "$h1" python3 "$lib_dir/tcp_xfer.py" send 10.0.0.2 5200 300000
	capture_stop "$lib_tmp"/{c1,c2}.pcap

	n1=$(frames_in "$lib_tmp/c1.pcap")
	n2=$(frames_in "$lib_tmp/c2.pcap")
	if (($(bad_csums "$lib_tmp/c2.pcap") > 0)); then
		pass "csum: the copies are CHECKSUM_PARTIAL (s2, offloading, shows them unfilled)"
	else
		fail "csum: the copies are CHECKSUM_PARTIAL (s2, offloading, shows them unfilled)"
		note "no bad checksum in s2's $n2 frames: did h1 offload its checksums?"
	fi
	check_eq "csum: tx checksumming off, tcpdump -vv on s1 reports no bad checksum" \
		"$(bad_csums "$lib_tmp/c1.pcap")" 0
	check_eq "csum: and s1's listener got as many frames as s2's" "$n1" "$n2"
	in_ns "$box" ethtool -K s1 tx on
	in_ns "$h1" ethtool -K eth0 tso on gso on >/dev/null
}

# p0 labels its frames 101 and s1 takes the label: each copy leaves with
# the tag held aside in the skb. With tx-vlan-offload on, the sensor takes
# it so and counts the frame without it; turned off, the core writes the
# tag into the frame, which the sensor then counts 4 bytes longer. Either
# way the listener reads every copy tagged 101.
case_vlan() {
	local p b p2 b2 off want
	in_ns "$box" "$DUPTO" port set p0 tag 101
	in_ns "$box" "$DUPTO" sensor set s1 tag
	rules 'rule ether proto 0x88b5 to s1'
	for off in on off; do
		in_ns "$box" ethtool -K s1 txvlan "$off"
		read -r p b < <(tx s1)
		capture_start "$box" s1 "$lib_tmp/vlan.$off.pcap"
		send_frames "$h1" eth0 vlan 20
		capture_stop "$lib_tmp/vlan.$off.pcap"
		read -r p2 b2 < <(tx s1)
		check_eq "vlan: tx-vlan-offload $off: s1's listener got every copy, labelled 101" \
			"$(frames_in "$lib_tmp/vlan.$off.pcap" 'vlan 101 and ether proto 0x88b5') $(python3 "$lib_dir/flows.py" tags "$lib_tmp/vlan.$off.pcap" | jq -c .)" \
			'20 ["101"]'
		want=$([[ $off == on ]] && echo "20 1280" || echo "20 1360")
		check_eq "vlan: tx-vlan-offload $off: s1 counts them transmitted, the tag $([[ $off == on ]] && echo aside || echo in the frame)" \
			"$((p2 - p)) $((b2 - b))" "$want"
	done
	in_ns "$box" ethtool -K s1 txvlan on
	in_ns "$box" "$DUPTO" sensor set s1
	in_ns "$box" "$DUPTO" port set p0 tag none
}

run_cases taps three shared egress tcdrop qdisc nftdrop gso csum vlan

end_test
