#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of "make bench" (scripts/bench; selftests/qemu/run --bench
# boots it with one vCPU and -icount shift=0,sleep=off: a guest nanosecond
# is one guest instruction). pktgen injects 60-byte UDP frames into in0's
# receive path (netif_receive mode); the bridge forwards them to out0
# through a static fdb entry, so its table never changes; rules copy them to
# sensors sen0..sen3 (dupto-sensor, no lower device).
#
#   pktgen -> in0 -[port]- br0 - out0 (sink, static fdb)
#
# Every variant prints one line: KEY<TAB>INSTRUCTIONS_PER_PACKET<TAB>LABEL,
# KEY being CLASSIFIER:RULES:CASE, which scripts/bench turns into the table
# and the plot. Rules are "src host 198.18.x.y" to sen(i % 4), and their
# equivalents for the peers, which run in the same boot.
#
# DUPTO_BENCH_PERF=1 adds, for the bridge alone, two port devices and the
# 16-rule variants, the kernel symbols that took the most instructions (perf under icount: cpu-clock counts them).

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

# pktgen_run SRC [COUNT]: COUNT frames from SRC; prints instructions per packet.
pktgen_run() {
	local src=$1 count=${2:-$COUNT} pps
	echo "rem_device_all" >"$pg/kpktgend_0"
	echo "add_device in0" >"$pg/kpktgend_0"
	{
		echo "count $count"
		echo "clone_skb 0"
		echo "burst 1"
		echo "pkt_size 60"
		echo "delay 0"
		echo "xmit_mode netif_receive"
		echo "dst 198.51.100.1"
		echo "src_min $src"
		echo "src_max $src"
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

# measure KEY LABEL SRC [COUNT] [COPIES]: every frame must reach the sink
# behind out0, and COPIES (0 unless given) copies of each the sensors: a
# figure of frames dropped or copies skipped would flatter the variant.
measure() {
	local key=$1 label=$2 src=$3 count=${4:-$COUNT} copies=${5:-0}
	local n sink copied
	sink=$(tx_packets out0)
	copied=$(copies_sent)
	n=$(pktgen_run "$src" "$count") || n=-
	sink=$(($(tx_packets out0) - sink))
	copied=$(($(copies_sent) - copied))
	if ((sink != count || copied != count * copies)); then
		echo "# bench: $label: out0 sent $sink of $count frames, the sensors $copied copies of $((count * copies))"
		n=-
	fi
	printf '%s\t%s\t%s\n' "$key" "$n" "$label"
}

# The i-th host of the rules, and the one that matches the last of n rules.
host() { echo "198.18.$(($1 / 256)).$(($1 % 256))"; }
NOMATCH=10.0.0.1

# Fewer frames where a variant costs tens of thousands of instructions
# each; never fewer than the 20,000 the method asks for.
count_for() { (($1 > 16)) && echo 20000 || echo "$COUNT"; }

# dupto_rules N [SENSORS]: N rules "src host H(i) to sen(i % 4)"; the last
# one to SENSORS instead, if given.
dupto_rules() {
	local n=$1 last=${2:-} i to
	{
		"$DUPTO" save | grep -v '^rule'
		for ((i = 0; i < n; i++)); do
			to=sen$((i % 4))
			((i == n - 1)) && [[ -n $last ]] && to=$last
			echo "rule src host $(host "$i") to $to"
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
			COUNT=$COUNT pktgen_run $src" >/dev/null 2>/tmp/perf.log
	echo "# perf: $label: share of the instructions, by kernel symbol"
	perf report -q -i /tmp/perf.data --stdio --sort sym 2>>/tmp/perf.log |
		sed -n '/[0-9]%/p' | head -20 | sed 's/^/#   /'
	sed 's/^/# perf says: /' /tmp/perf.log | head -5
}

# --- the peers, each with rules equivalent to dupto_rules ----------------

# bpf_program I: classic BPF for "src host H(i)" as tc wants it; tcpdump
# compiles it once, then only the address changes.
bpf_template=
bpf_program() {
	local base=3323068416 v	# 198.18.0.0
	[[ -n $bpf_template ]] ||
		bpf_template=$(tcpdump -i in0 -ddd "src host $(host 0)" | tr '\n' ',' | sed 's/,$//')
	v=$((base + $1))
	echo "${bpf_template//$base/$v}"
}

peer_setup() {
	local kind=$1 n=$2 i
	case $kind in
	bpf-jit) sysctl -q -w net.core.bpf_jit_enable=1 ;;
	bpf-interp) sysctl -q -w net.core.bpf_jit_enable=0 ;;
	esac
	case $kind in
	bpf-* | flower-*)
		tc qdisc add dev in0 clsact
		for ((i = 0; i < n; i++)); do
			case $kind in
			bpf-*)
				echo "filter add dev in0 ingress prio $((i + 1)) bpf bytecode \"$(bpf_program "$i")\" action mirred egress mirror dev sen$((i % 4))"
				;;
			flower-each)
				echo "filter add dev in0 ingress prio $((i + 1)) protocol ip flower src_ip $(host "$i") action mirred egress mirror dev sen$((i % 4))"
				;;
			flower-mask)
				echo "filter add dev in0 ingress prio 1 protocol ip flower src_ip $(host "$i") action mirred egress mirror dev sen$((i % 4))"
				;;
			esac
		done >/tmp/tc.batch
		must tc -batch /tmp/tc.batch
		;;
	nft)
		{
			echo "table netdev bench {"
			echo "  chain in { type filter hook ingress device in0 priority 0;"
			for ((i = 0; i < n; i++)); do
				echo "    ip saddr $(host "$i") dup to sen$((i % 4))"
			done
			echo "  }"
			echo "}"
		} >/tmp/nft.conf
		must nft -f /tmp/nft.conf
		;;
	esac
}

peer_teardown() {
	tc qdisc del dev in0 clsact 2>/dev/null
	nft delete table netdev bench 2>/dev/null
	sysctl -q -w net.core.bpf_jit_enable=1
}

setup
measure "bridge::start" "bridge alone (start)" $NOMATCH
perf_profile "bridge alone" $NOMATCH

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
		peer_teardown
	done
done

measure "bridge::end" "bridge alone (end)" $NOMATCH
