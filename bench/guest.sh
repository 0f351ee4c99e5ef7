#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of "make bench" (selftests/qemu/run --bench boots it with
# one vCPU and -icount shift=0,sleep=off: a guest nanosecond is one guest
# instruction). pktgen injects 60-byte UDP frames into in0's receive path
# (netif_receive mode); the bridge forwards them to out0 through a static
# fdb entry; rules copy them to dummy-like sensors sen0..sen3. Each variant
# prints one line "VARIANT INSNS_PER_PACKET".
#
#   pktgen -> in0 -[port]- br0 - out0 (sink, static fdb)
#             sensors: sen0..sen3 (dupto-sensor, no lower device)
#
# Work in progress (issue 6): the 1,000-rule and 4-sensor variants, the
# table and the plot are still to come.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
DUPTO=${DUPTO:-$top/build/asan/dupto}
COUNT=${BENCH_COUNT:-50000}
pg=/proc/net/pktgen

modprobe pktgen || { echo "# no pktgen"; exit 4; }
modprobe dupto || { echo "# no dupto"; exit 4; }

sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

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
	bridge fdb add "$out_mac" dev out0 master static
	for i in 0 1 2 3; do
		"$DUPTO" sensor add "sen$i"
	done
}

# pktgen_run SRC: COUNT frames from SRC; prints instructions per packet.
pktgen_run() {
	local src=$1 pps
	echo "rem_device_all" >"$pg/kpktgend_0"
	echo "add_device in0" >"$pg/kpktgend_0"
	{
		echo "count $COUNT"
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
		echo "# pktgen gave no rate:"
		sed 's/^/#   /' "$pg/in0"
		return 1
	fi
	echo $((1000000000 / pps))
}

# rules N: N rules "src host 198.18.0.i to sen(i % 4)".
rules() {
	local n=$1 i
	{
		"$DUPTO" save | grep -v '^rule'
		for ((i = 0; i < n; i++)); do
			echo "rule src host 198.18.$((i / 256)).$((i % 256)) to sen$((i % 4))"
		done
	} >/tmp/bench.conf
	"$DUPTO" load /tmp/bench.conf
}

measure() {
	local name=$1 src=$2
	printf '%s %s\n' "$name" "$(pktgen_run "$src")"
}

# --- the peers, each with rules equivalent to rules() ----------------------
# "src host 198.18.0.i" copied to sen(i % 4), on in0's ingress.

peer_setup() {
	local kind=$1 n=$2 i expr
	case $kind in
	bpf-jit | bpf-interp | flower-each | flower-mask)
		tc qdisc add dev in0 clsact
		;;
	nft)
		nft add table netdev bench
		nft add chain netdev bench in "{ type filter hook ingress device in0 priority 0; }"
		;;
	esac
	case $kind in
	bpf-jit) sysctl -q -w net.core.bpf_jit_enable=1 ;;
	bpf-interp) sysctl -q -w net.core.bpf_jit_enable=0 ;;
	esac
	for ((i = 0; i < n; i++)); do
		expr="src host 198.18.0.$i"
		case $kind in
		bpf-*)
			tc filter add dev in0 ingress prio $((i + 1)) bpf bytecode \
				"$(tcpdump -i in0 -ddd "$expr" | tr '\n' ',' | sed 's/,$//')" \
				action mirred egress mirror dev "sen$((i % 4))"
			;;
		flower-each)
			tc filter add dev in0 ingress prio $((i + 1)) protocol ip flower \
				src_ip "198.18.0.$i" action mirred egress mirror dev "sen$((i % 4))"
			;;
		flower-mask)
			tc filter add dev in0 ingress prio 1 protocol ip flower \
				src_ip "198.18.0.$i" action mirred egress mirror dev "sen$((i % 4))"
			;;
		nft)
			nft add rule netdev bench in ip saddr "198.18.0.$i" dup to "sen$((i % 4))"
			;;
		esac
	done
}

peer_teardown() {
	tc qdisc del dev in0 clsact 2>/dev/null
	nft delete table netdev bench 2>/dev/null
	sysctl -q -w net.core.bpf_jit_enable=1
}

setup
measure "bridge (start)" 10.0.0.1

"$DUPTO" port add in0
measure "dupto in place, no ruleset" 10.0.0.1
for n in 1 16 1000; do
	rules "$n"
	measure "dupto in place, $n rules, no match" 10.0.0.1
	last=$((n - 1))
	measure "dupto in place, $n rules, one match" "198.18.$((last / 256)).$((last % 256))"
done
# a 1,000-host set in one rule
{
	"$DUPTO" save | grep -v '^rule'
	printf 'rule src host {'
	for ((i = 0; i < 1000; i++)); do
		printf ' 198.18.%d.%d,' $((i / 256)) $((i % 256))
	done | sed 's/,$//'
	printf ' } to sen0\n'
} >/tmp/bench.conf
"$DUPTO" load /tmp/bench.conf
measure "dupto in place, a 1000-host set, no match" 10.0.0.1
measure "dupto in place, a 1000-host set, one match" 198.18.3.231
"$DUPTO" load <("$DUPTO" save | grep -v '^rule')
"$DUPTO" port del in0

"$DUPTO" port add in0 device
measure "dupto port device, no ruleset" 10.0.0.1
"$DUPTO" port del in0

measure "bridge (middle)" 10.0.0.1

for kind in bpf-jit bpf-interp flower-each flower-mask nft; do
	for n in 1 16; do
		peer_setup "$kind" "$n"
		measure "$kind, $n rules, no match" 10.0.0.1
		measure "$kind, $n rules, one match" "198.18.0.$((n - 1))"
		peer_teardown
	done
done

measure "bridge (end)" 10.0.0.1
