#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of "make bench" (scripts/bench; selftests/qemu/run --bench
# boots it with one vCPU and -icount shift=0,sleep=off: a guest nanosecond
# is one guest instruction). pktgen injects frames into in0's receive path
# (netif_receive mode); the bridge forwards them to out0 through a static
# fdb entry, so its table never changes; rules copy them to sensors
# sen0..sen3 (dupto-sensor, no lower device), each read by a listener.
#
#   pktgen -> in0 -[port]- br0 - out0 (sink, static fdb)
#
# The frames: 60-byte UDP/IPv4 for most rows; then, with 16 rules, the
# mix: 64, 576 and 1500-byte UDP/IPv4 frames, UDP/IPv6, and 802.1Q-tagged
# frames. Last, TCP between two namespaces over veth, where GRO on the
# bridge port builds the non-linear skbs dupto and the peers classify:
#
#   bsrc: a0 (no TSO/GSO) -veth- a1 (GRO) -[port]- br1 - b1 -veth- b0: bdst
#
# A listener (tcpdump, as an NSM sensor would run it: TPACKET_V3 ring,
# whole frames, written nowhere) reads every sensor throughout, for dupto
# and for every peer alike, so that no one gains by delivering to nobody.
#
# Every variant prints one line: KEY<TAB>INSTRUCTIONS_PER_PACKET<TAB>LABEL,
# KEY being CLASSIFIER[@FRAMES]:RULES:CASE, which scripts/bench turns into
# the tables and the plots. Rules are "src host 198.18.x.y" to sen(i % 4)
# (2001:db8::c612:x for IPv6), and their equivalents for the peers, which
# run in the same boot.
#
# DUPTO_BENCH_PERF=1 adds, for the bridge alone, two port devices, the
# 16-rule variants and a copy, the kernel symbols that took the most
# instructions (perf under icount: cpu-clock counts them).

set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
DUPTO=${DUPTO:-$top/build/asan/dupto}
COUNT=${BENCH_COUNT:-50000}
pg=/proc/net/pktgen

modprobe pktgen || { echo "# no pktgen"; exit 4; }
modprobe dupto || { echo "# no dupto"; exit 4; }

sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# fdb_to DEV: the sink's static fdb entry behind DEV. A bridge port that
# leaves the bridge takes its entries with it, as out0 does when it becomes
# a port device and again when it is given back: without the entry every
# frame would be flooded, and cost more than the variant.
fdb_to() {
	bridge fdb replace "$out_mac" dev "$1" master static
}

setup() {
	ip link add in0 type dummy
	ip link add out0 type dummy
	ip link add br0 type bridge
	ip link set in0 master br0
	ip link set out0 master br0
	for d in in0 out0 br0; do
		ip link set "$d" up
	done
	# A host behind out0, not out0's own address: that one is the
	# bridge's local entry, and frames to it would go up the stack.
	out_mac=02:00:5e:00:00:02
	fdb_to out0
	for i in 0 1 2 3; do
		must "$DUPTO" sensor add "sen$i"
	done
}

# frames KIND: what pktgen_run sends from now on. v4: 60-byte UDP/IPv4;
# 64, 576, 1500: UDP/IPv4 frames of that many bytes; v6: 80-byte UDP/IPv6
# (pktgen's smallest); vlan: 64-byte UDP/IPv4 with an 802.1Q tag, which the
# receive path moves into the skb's metadata as a NIC would.
frames() {
	FRAMES=$1 frame_size=60 frame_v6= frame_vlan=
	case $1 in
	v4) ;;
	64 | 576 | 1500) frame_size=$1 ;;
	v6) frame_size=80 frame_v6=1 ;;
	vlan) frame_size=64 frame_vlan=100 ;;
	*) echo "# bench: no frames $1"; exit 1 ;;
	esac
}
frames v4

# pktgen_run SRC [COUNT]: COUNT frames from SRC; prints instructions per packet.
pktgen_run() {
	local src=$1 count=${2:-$COUNT} pps
	echo "rem_device_all" >"$pg/kpktgend_0"
	echo "add_device in0" >"$pg/kpktgend_0"
	{
		echo "count $count"
		echo "clone_skb 0"
		echo "burst 1"
		echo "pkt_size $frame_size"
		echo "delay 0"
		echo "xmit_mode netif_receive"
		if [[ -n $frame_v6 ]]; then
			echo "dst6 2001:db8:ffff::1"
			echo "src6 $src"
		else
			echo "dst 198.51.100.1"
			echo "src_min $src"
			echo "src_max $src"
		fi
		[[ -n $frame_vlan ]] && echo "vlan_id $frame_vlan"
		echo "dst_mac $out_mac"
		echo "udp_src_min 9"
		echo "udp_dst_min 9"
	} | while read -r cmd; do
		echo "$cmd" >"$pg/in0"
	done
	echo start >"$pg/pgctrl"
	pps=$(sed -n 's/.* \([0-9]*\)pps .*/\1/p' "$pg/in0")
	if [[ -z $pps || $pps == 0 ]]; then
		echo "# pktgen gave no rate:" >&2
		sed 's/^/#   /' "$pg/in0" >&2
		return 1
	fi
	echo $((1000000000 / pps))
}

# must CMD...: a step of the set-up. If one fails, the bench stops: going on
# would measure another set-up under the variant's name (the report then
# lacks the rows, and says the run is incomplete).
must() {
	"$@" && return 0
	echo "# bench: \"$*\" failed; stopping"
	exit 1
}

tx_packets() { cat "/sys/class/net/$1/statistics/tx_packets"; }
copies_sent() {
	local n=0 i
	for i in 0 1 2 3; do
		n=$((n + $(tx_packets "sen$i")))
	done
	echo $n
}

# The listeners: one tcpdump per sensor, for the whole run. Its kernel
# ring is large enough for a variant's copies should it fall behind.
listen_start() {
	local i
	for i in 0 1 2 3; do
		tcpdump -i "sen$i" -p -n -s 0 -B 32768 -w /dev/null \
			2>"/tmp/listen$i.log" &
		listener[i]=$!
	done
	# each says "listening on" once its socket is bound
	for ((i = 0; i < 100; i++)); do
		(($(cat /tmp/listen[0-3].log 2>/dev/null | grep -c "listening on") == 4)) && return 0
		sleep 0.1
	done
	echo "# bench: the listeners did not start"
	cat /tmp/listen[0-3].log | sed 's/^/#   /'
	exit 1
}

# listened: "RECEIVED DROPPED", what the kernel delivered to the
# listeners' rings so far and what it could not (tcpdump's "received by
# filter" and "dropped by kernel", which it prints on SIGUSR1); "- -" if
# a listener did not say.
listened() {
	local i t want recv=0 drop=0 line
	for i in 0 1 2 3; do
		want=$(($(grep -c "received by filter" "/tmp/listen$i.log") + 1))
		kill -USR1 "${listener[i]}"
		for ((t = 0; t < 100; t++)); do
			(($(grep -c "received by filter" "/tmp/listen$i.log") >= want)) && break
			sleep 0.05
		done
		# no new line: the last one would be an earlier count
		((t < 100)) || { echo "- -"; return; }
		line=$(grep "received by filter" "/tmp/listen$i.log" | tail -n 1)
		[[ $line =~ ([0-9]+)\ packets?\ received\ by\ filter.*\ ([0-9]+)\ packets?\ dropped ]] || {
			echo "- -"
			return
		}
		recv=$((recv + BASH_REMATCH[1]))
		drop=$((drop + BASH_REMATCH[2]))
	done
	echo "$recv $drop"
}

# listen_begin, then listen_missed COPIES: nothing if the listeners received
# exactly COPIES frames in between and lost none; else what they did.
listen_begin() { listen_before=$(listened); }
listen_missed() {
	local after heard lost
	after=$(listened)
	if [[ $after == "- -" || $listen_before == "- -" ]]; then
		echo "a listener did not say what it received"
		return
	fi
	heard=$((${after% *} - ${listen_before% *}))
	lost=$((${after#* } - ${listen_before#* }))
	((heard == $1 && lost == 0)) ||
		echo "the listeners received $heard of $1 and lost $lost"
}

# measure KEY LABEL SRC [COUNT] [COPIES]: every frame must reach the sink
# behind out0, COPIES (0 unless given) copies of each the sensors, and
# every copy a listener: a figure of frames dropped or copies skipped
# would flatter the variant.
measure() {
	local key=$1 label=$2 src=$3 count=${4:-$COUNT} copies=${5:-0}
	local n sink copied missed
	sink=$(tx_packets out0)
	copied=$(copies_sent)
	listen_begin
	n=$(pktgen_run "$src" "$count") || n=-
	sink=$(($(tx_packets out0) - sink))
	copied=$(($(copies_sent) - copied))
	missed=$(listen_missed "$copied")
	if ((sink != count || copied != count * copies)) || [[ -n $missed ]]; then
		echo "# bench: $label: out0 sent $sink of $count frames, the sensors $copied copies of $((count * copies))${missed:+; $missed}"
		n=-
	fi
	printf '%s\t%s\t%s\n' "$key" "$n" "$label"
}

# The i-th host of the rules, and one that matches none; for IPv6, the
# same 32 bits at the end of 2001:db8::/96.
host() {
	if [[ -n $frame_v6 ]]; then
		printf '2001:db8::c612:%x\n' "$1"
	else
		echo "198.18.$(($1 / 256)).$(($1 % 256))"
	fi
}
nomatch() { [[ -n $frame_v6 ]] && echo 2001:db8:1::1 || echo 10.0.0.1; }
NOMATCH=10.0.0.1

# Fewer frames where a variant costs tens of thousands of instructions
# each; never fewer than the 20,000 the method asks for.
count_for() { (($1 > 16 && COUNT > 20000)) && echo 20000 || echo "$COUNT"; }

# dupto_rules N [SENSORS]: N rules "src host H(i) to sen(i % 4)"; the last
# one to SENSORS instead, if given.
dupto_rules() {
	local n=$1 last=${2:-} i to
	{
		"$DUPTO" save | grep -v '^rule'
		for ((i = 0; i < n; i++)); do
			to=sen$((i % 4))
			((i == n - 1)) && [[ -n $last ]] && to=$last
			echo "rule ${frame_vlan:+vlan and }src host $(host "$i") to $to"
		done
	} >/tmp/bench.conf
	must "$DUPTO" load /tmp/bench.conf
}

dupto_clear() {
	must "$DUPTO" load <("$DUPTO" save | grep -v '^rule')
}

perf_profile() {
	local label=$1 src=$2
	[[ ${DUPTO_BENCH_PERF:-} == 1 ]] || return 0
	if ! command -v perf >/dev/null; then
		echo "# perf: not installed"
		return 0
	fi
	sysctl -q -w kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1
	# system-wide, while pktgen's thread sends: cpu-clock ticks every
	# 100,000 guest ns, that is every 100,000 instructions
	perf record -q -o /tmp/perf.data -e cpu-clock -c 100000 -a -- \
		bash -c "$(declare -f pktgen_run); pg=$pg out_mac=$out_mac \
			COUNT=$COUNT frame_size=$frame_size frame_v6=$frame_v6 \
			frame_vlan=$frame_vlan pktgen_run $src" >/dev/null 2>/tmp/perf.log
	# samples times the period over the frames: instructions per packet
	echo "# perf: $label: instructions per packet, by symbol (idle left out)"
	perf report -q -i /tmp/perf.data --stdio -n --sort sym 2>>/tmp/perf.log |
		awk -v per=100000 -v n="$COUNT" '$2 ~ /^[0-9]+$/ && $NF != "native_safe_halt" {
			printf "#   %8.0f  %s\n", $2 * per / n, $NF }' | head -30
	sed 's/^/# perf says: /' /tmp/perf.log | head -5
}

# --- the peers, each with rules equivalent to dupto_rules ----------------

# bpf_program I: classic BPF for "src host H(i)" as tc wants it; tcpdump
# compiles it once per family, then only the address's last 32 bits change.
declare -A bpf_template
bpf_program() {
	local base=3323068416 v fam=$FRAMES	# 198.18.0.0, c612:0000
	[[ -n ${bpf_template[$fam]:-} ]] ||
		bpf_template[$fam]=$(tcpdump -i in0 -ddd "${frame_vlan:+vlan and }src host $(host 0)" | tr '\n' ',' | sed 's/,$//')
	v=$((base + $1))
	echo "${bpf_template[$fam]//$base/$v}"
}

# peer_setup KIND N [DEV] [SENSORS]: KIND's equivalent of dupto_rules N on
# DEV's ingress (in0 unless given); with SENSORS 4, each rule copies to
# all four sensors (tc: four mirred actions; nftables: four dup statements).
peer_setup() {
	local kind=$1 n=$2 i proto=ip inner= nfproto=ip j to
	peer_dev=${3:-in0}
	[[ -n $frame_v6 ]] && proto=ipv6 nfproto=ip6
	# flower matches inside a tag when told the tag's and the inner EtherType
	[[ -n $frame_vlan ]] && proto=802.1Q inner="vlan_ethtype ip "
	case $kind in
	bpf-jit) sysctl -q -w net.core.bpf_jit_enable=1 ;;
	bpf-interp) sysctl -q -w net.core.bpf_jit_enable=0 ;;
	esac
	case $kind in
	bpf-* | flower-*)
		tc qdisc add dev "$peer_dev" clsact
		for ((i = 0; i < n; i++)); do
			to="action mirred egress mirror dev sen$((i % 4))"
			if [[ ${4:-} == 4 ]]; then
				to=
				for j in 0 1 2 3; do
					to+=" action mirred egress mirror dev sen$j"
				done
			fi
			case $kind in
			bpf-*)
				echo "filter add dev $peer_dev ingress prio $((i + 1)) bpf bytecode \"$(bpf_program "$i")\" $to"
				;;
			flower-each)
				echo "filter add dev $peer_dev ingress prio $((i + 1)) protocol $proto flower ${inner}src_ip $(host "$i") action mirred egress mirror dev sen$((i % 4))"
				;;
			flower-mask)
				echo "filter add dev $peer_dev ingress prio 1 protocol $proto flower ${inner}src_ip $(host "$i") action mirred egress mirror dev sen$((i % 4))"
				;;
			esac
		done >/tmp/tc.batch
		must tc -batch /tmp/tc.batch
		;;
	nft)
		{
			echo "table netdev bench {"
			echo "  chain in { type filter hook ingress device $peer_dev priority 0;"
			for ((i = 0; i < n; i++)); do
				to="dup to sen$((i % 4))"
				[[ ${4:-} == 4 ]] && to="dup to sen0 dup to sen1 dup to sen2 dup to sen3"
				echo "    $nfproto saddr $(host "$i") $to"
			done
			echo "  }"
			echo "}"
		} >/tmp/nft.conf
		must nft -f /tmp/nft.conf
		;;
	esac
}

peer_teardown() {
	tc qdisc del dev "$peer_dev" clsact 2>/dev/null
	nft delete table netdev bench 2>/dev/null
	sysctl -q -w net.core.bpf_jit_enable=1
}

PEERS="bpf-jit bpf-interp flower-each flower-mask nft"

# --- TCP over veth: GRO-built skbs -----------------------------------------

TCP_MB=${BENCH_TCP_MB:-32}
TCP_RUNS=3
# bdst's receiver: takes whatever each connection sends, then closes it
TCP_SINK='
import socket
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("10.9.0.2", 5001))
l.listen(4)
buf = bytearray(1 << 20)
while True:
    c, _ = l.accept()
    while c.recv_into(buf):
        pass
    c.close()
'
# bsrc's sender: MB MiB from SRC; prints the guest nanoseconds (that is
# instructions) from the first byte sent to the receiver having them all
TCP_SOURCE='
import socket, sys, time
src, mb = sys.argv[1], int(sys.argv[2])
s = socket.create_connection(("10.9.0.2", 5001), source_address=(src, 0))
buf = bytes(1 << 20)
t = time.monotonic_ns()
for _ in range(mb):
    s.sendall(buf)
s.shutdown(socket.SHUT_WR)
s.recv(1)
print(time.monotonic_ns() - t)
'

tcp_setup() {
	local ns i
	for ns in bsrc bdst; do
		must ip netns add $ns
		must ip netns exec $ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		must ip -n $ns link set lo up
	done
	must ip link add a0 netns bsrc type veth peer name a1
	must ip link add b0 netns bdst type veth peer name b1
	must ip link add br1 type bridge
	must ip link set a1 master br1
	must ip link set b1 master br1
	for i in a1 b1 br1; do
		must ip link set "$i" up
	done
	must ip -n bsrc link set a0 up
	must ip -n bdst link set b0 up
	must ip -n bsrc addr add 10.9.0.1/24 dev a0
	must ip -n bsrc addr add "$(host 15)/32" dev a0
	must ip -n bdst addr add 10.9.0.2/24 dev b0
	must ip -n bdst route add 198.18.0.0/16 dev b0
	# MTU-sized segments, as from a wire, and GRO where they arrive
	must ip netns exec bsrc ethtool -K a0 tso off gso off
	must ethtool -K a1 gro on
	ip netns exec bdst python3 -c "$TCP_SINK" &
	for ((i = 0; i < 100; i++)); do
		ip netns exec bdst ss -ltn | grep -q ':5001 ' && return 0
		sleep 0.1
	done
	echo "# bench: the TCP receiver did not start"
	exit 1
}

tx_bytes() { cat "/sys/class/net/$1/statistics/tx_bytes"; }

# settle: until b1's transmitted frames and the sensors' copies stop
# moving. A transfer ends when the sender reads the receiver's FIN; its
# own last ACK may cross the bridge after that, into the next transfer's
# counts, but not into the listeners' (a copy the sensors sent and no
# listener heard, to the check's eyes).
settle() {
	local now last=- same=0 t
	for ((t = 0; t < 100 && same < 4; t++)); do
		now="$(tx_packets b1) $(copies_sent)"
		if [[ $now == "$last" ]]; then
			((same++))
		else
			same=0
		fi
		last=$now
		sleep 0.05
	done
}

# tcp_measure KEY LABEL SRC COPIES: TCP_RUNS transfers from SRC; prints
# the median of their instructions per 1,500 bytes crossing the bridge (a
# full frame's worth: GRO makes skbs of varying sizes, and the listeners'
# share grows with the bytes, so a figure per skb would vary with both,
# where one per byte does not). Each skb
# must reach bdst (b1 transmits it), COPIES (0 or 1) copies of each the
# sensors, every copy a listener, and GRO must have built them.
tcp_measure() {
	local key=$1 label=$2 src=$3 copies=$4
	local r ns skbs bytes copied missed per=() n=- runs=
	for ((r = 0; r < TCP_RUNS; r++)); do
		settle
		skbs=$(tx_packets b1)
		bytes=$(tx_bytes b1)
		copied=$(copies_sent)
		listen_begin
		ns=$(ip netns exec bsrc python3 -c "$TCP_SOURCE" "$src" "$TCP_MB") || ns=
		skbs=$(($(tx_packets b1) - skbs))
		bytes=$(($(tx_bytes b1) - bytes))
		copied=$(($(copies_sent) - copied))
		missed=$(listen_missed "$copied")
		if [[ -z $ns || -n $missed ]] || ((skbs == 0 || copied != skbs * copies)); then
			echo "# bench: $label: b1 sent $skbs skbs, the sensors $copied copies of $((skbs * copies))${missed:+; $missed}"
			per=()
			break
		fi
		if ((bytes / skbs < 3 * 1514)); then
			echo "# bench: $label: $((bytes / skbs)) bytes per skb: GRO built no large skbs"
			per=()
			break
		fi
		per+=($((ns * 1500 / bytes)))
		runs+=" $((ns * 1500 / bytes)) ($skbs skbs of $((bytes / skbs)) bytes)"
	done
	if ((${#per[@]} == TCP_RUNS)); then
		n=$(printf '%s\n' "${per[@]}" | sort -n | sed -n "$((TCP_RUNS / 2 + 1))p")
		echo "# tcp: $key:$runs"
	fi
	printf '%s\t%s\t%s\n' "$key" "$n" "$label"
}

tcp_bench() {
	local kind
	frames v4
	tcp_setup
	tcp_measure "bridge@tcp::alone" "bridge alone, TCP" 10.9.0.1 0
	must "$DUPTO" port add a1
	dupto_rules 16
	tcp_measure "dupto@tcp:16:none" "dupto in place, TCP, 16 rules, no match" 10.9.0.1 0
	tcp_measure "dupto@tcp:16:one" "dupto in place, TCP, 16 rules, one match" "$(host 15)" 1
	dupto_clear
	must "$DUPTO" port del a1
	for kind in $PEERS; do
		peer_setup "$kind" 16 a1
		tcp_measure "$kind@tcp:16:none" "$kind, TCP, 16 rules, no match" 10.9.0.1 0
		tcp_measure "$kind@tcp:16:one" "$kind, TCP, 16 rules, one match" "$(host 15)" 1
		peer_teardown
	done
	tcp_measure "bridge@tcp::end" "bridge alone, TCP (end)" 10.9.0.1 0
}

main_part() {
	local n c i kind
	must "$DUPTO" port add in0
	measure "dupto:0:empty" "dupto in place, no ruleset" $NOMATCH
	must "$DUPTO" port del in0
	must "$DUPTO" port add in0 device name pin0
	measure "dupto-device:0:empty" "dupto port device, no ruleset" $NOMATCH
	# dupto refuses to convert a port with a static fdb entry (it would be
	# lost): move the sink's entry to the port device by hand.
	must bridge fdb del "$out_mac" dev out0 master static
	must "$DUPTO" port add out0 device name pout0
	must fdb_to pout0
	measure "dupto-2devices:0:empty" "dupto port devices on in0 and out0, no ruleset" $NOMATCH
	perf_profile "dupto port devices on in0 and out0, no ruleset" $NOMATCH
	must "$DUPTO" port del out0
	must fdb_to out0
	must "$DUPTO" port del in0

	must "$DUPTO" port add in0
	for n in 1 16 64 1000; do
		dupto_rules "$n"
		c=$(count_for "$n")
		measure "dupto:$n:none" "dupto in place, $n rules, no match" $NOMATCH "$c"
		measure "dupto:$n:one" "dupto in place, $n rules, one match" "$(host $((n - 1)))" "$c" 1
		if ((n == 16)); then
			perf_profile "dupto in place, 16 rules, no match" $NOMATCH
		fi
		if ((n == 1)); then
			perf_profile "dupto in place, 1 rule, one match" "$(host 0)"
		fi
	done
	for n in 1 16; do
		dupto_rules "$n" "sen0, sen1, sen2, sen3"
		measure "dupto:$n:one4" "dupto in place, $n rules, one match to 4 sensors" "$(host $((n - 1)))" "$COUNT" 4
	done
	# a 1,000-host set in one rule
	{
		"$DUPTO" save | grep -v '^rule'
		printf 'rule src host {'
		for ((i = 0; i < 1000; i++)); do
			printf ' %s,' "$(host "$i")"
		done | sed 's/,$//'
		printf ' } to sen0\n'
	} >/tmp/bench.conf
	must "$DUPTO" load /tmp/bench.conf
	measure "dupto-set:1000:none" "dupto in place, a 1000-host set, no match" $NOMATCH
	measure "dupto-set:1000:one" "dupto in place, a 1000-host set, one match" "$(host 999)" "$COUNT" 1
	dupto_clear
	must "$DUPTO" port del in0

	measure "bridge::middle" "bridge alone (middle)" $NOMATCH

	for kind in bpf-jit bpf-interp flower-each flower-mask nft; do
		for n in 1 16 64; do
			peer_setup "$kind" "$n"
			c=$(count_for "$n")
			measure "$kind:$n:none" "$kind, $n rules, no match" $NOMATCH "$c"
			measure "$kind:$n:one" "$kind, $n rules, one match" "$(host $((n - 1)))" "$c" 1
			if ((n == 16)) && [[ $kind == flower-mask || $kind == nft ]]; then
				perf_profile "$kind, 16 rules, no match" $NOMATCH
			fi
			if ((n == 1)) && [[ $kind == bpf-jit ]]; then
				perf_profile "$kind, 1 rule, one match" "$(host 0)"
			fi
			peer_teardown
			# one rule to the four sensors, where the peer can say so
			if ((n == 1)) && [[ $kind == bpf-jit || $kind == nft ]]; then
				peer_setup "$kind" 1 in0 4
				measure "$kind:1:one4" "$kind, 1 rule, one match to 4 sensors" "$(host 0)" "$COUNT" 4
				peer_teardown
			fi
		done
	done
}

# --- the mix: other frames, 16 rules, each against the bridge alone -------
MIX_COUNT=${BENCH_MIX_COUNT:-20000}
mix_part() {
	local f kind
	for f in 64 576 1500 v6 vlan; do
		frames "$f"
		measure "bridge@$f::alone" "bridge alone, frames $f" "$(nomatch)" $MIX_COUNT
		must "$DUPTO" port add in0
		dupto_rules 16
		measure "dupto@$f:16:none" "dupto in place, frames $f, 16 rules, no match" "$(nomatch)" $MIX_COUNT
		measure "dupto@$f:16:one" "dupto in place, frames $f, 16 rules, one match" "$(host 15)" $MIX_COUNT 1
		dupto_clear
		must "$DUPTO" port del in0
		for kind in $PEERS; do
			peer_setup "$kind" 16
			measure "$kind@$f:16:none" "$kind, frames $f, 16 rules, no match" "$(nomatch)" $MIX_COUNT
			measure "$kind@$f:16:one" "$kind, frames $f, 16 rules, one match" "$(host 15)" $MIX_COUNT 1
			peer_teardown
		done
	done
	frames v4
}

# BENCH_PARTS: the sections to run (all three by default; fewer for a
# quick look, whose report then lacks their rows).
PARTS=" ${BENCH_PARTS:-main mix tcp} "

setup
listen_start
measure "bridge::start" "bridge alone (start)" $NOMATCH
perf_profile "bridge alone" $NOMATCH

[[ $PARTS == *" main "* ]] && main_part
[[ $PARTS == *" mix "* ]] && mix_part
measure "bridge::end" "bridge alone (end)" $NOMATCH

[[ $PARTS == *" tcp "* ]] && tcp_bench
