#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fail-open through churn: while paced, numbered UDP frames cross the
# bridge (churn.py send), dupto's objects come and go under them:
#
#   - the ruleset is replaced over and over (10,000 loads in all, by
#     default), one ruleset with a rule for frames leaving p1 ("out on
#     p1", so each swap turns classification on p1's way out on or off)
#     and one without;
#   - the ruleset is dumped all the while (a dump that spans a swap must be
#     flagged inconsistent, never mixed);
#   - sensors are added and deleted, with and without a lower device, and
#     a sensor's lower device is deleted under it (which deletes it);
#   - in place only, port p0 is detached and attached again: for a port
#     device, each takes the port out of the bridge, which is no churn the
#     bridged frames could pass through (a conversion is an outage, the
#     admin guide says);
#   - where failslab can be limited to dupto's allocations (the 6.12 debug
#     kernel), one in 500 of them fails throughout;
#
# and each round ends by deleting the namespaces with everything in them,
# unloading dupto and loading it again. Every frame h1 sends must reach h2
# once, in order, byte for byte, as in a first round without dupto. The
# test points carry the figures: loads, dumps, frames, objects made and
# deleted, faults injected.
#
#   h1 eth0 --- p0 -[port]-+- br0 -+-[port]- p1 --- eth0 h2
#                    s1 (no lower)   s2 -- l2 ==== l2 sink (their copies)
#                    churned: s3 on l3 (deleted), s4 (no lower)
#
# DUPTO_CHURN_LOADS changes the number of loads; DUPTO_CHURN_RATE the
# frames a second (default 200, which an emulated debug guest carries).

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 tcpdump
loads=${DUPTO_CHURN_LOADS:-10000}
rate=${DUPTO_CHURN_RATE:-200}
modes=(inplace inplace device device)
per_round=$((loads / ${#modes[@]}))

fault_why=$(failslab_why)
trap '[[ -z $fault_why ]] && failslab probability=0 times=0; lib_cleanup' EXIT

# topology MODE: the namespaces and the bridge; with MODE, dupto on it.
topology() {
	local mode=$1
	ns_add h1 h2 box sink
	veth_pair "$h1" eth0 "$box" p0
	veth_pair "$h2" eth0 "$box" p1
	in_ns "$h1" ip link set eth0 address 02:00:00:00:00:01
	in_ns "$h2" ip link set eth0 address 02:00:00:00:00:02
	in_ns "$box" ip link add br0 type bridge
	in_ns "$box" ip link set p0 master br0
	in_ns "$box" ip link set p1 master br0
	in_ns "$box" ip link set br0 up
	[[ -n $mode ]] || return 0
	attach_ports "$box" "$mode" p0 p1 &&
	veth_pair "$box" l2 "$sink" l2 &&
	in_ns "$box" "$DUPTO" sensor add s1 &&
	in_ns "$box" "$DUPTO" sensor add s2 link l2
}

# traffic_start, traffic_stop DESC: the paced frames, captured on h2's
# side; traffic_stop checks them.
traffic_start() {
	rm -f "$lib_tmp/stop"
	capture_start "$h2" eth0 "$lib_tmp/h2.pcap"
	in_ns "$h1" python3 "$lib_dir/churn.py" send eth0 "$rate" "$lib_tmp/stop" \
		>"$lib_tmp/sent" &
	sender=$!
}

traffic_stop() {
	local desc=$1 sent out
	touch "$lib_tmp/stop"
	wait "$sender"
	sent=$(cat "$lib_tmp/sent")
	capture_stop "$lib_tmp/h2.pcap"
	frames_total=$((frames_total + sent))
	if out=$(python3 "$lib_dir/churn.py" check "$lib_tmp/h2.pcap" "$sent" 2>&1); then
		pass "$desc: $sent frames crossed, each once, in order, unchanged"
	else
		fail "$desc: every frame crosses once, in order, unchanged"
		note "$out"
		note "$(cat "$lib_tmp/h2.pcap.log")"
	fi
}

# churn MODE: sensors and ports come and go until the loads are done.
churn() {
	local mode=$1 n=0
	while kill -0 "$swapper" 2>/dev/null; do
		n=$((n + 1))
		if [[ $mode == inplace ]]; then
			"$DUPTO" -n "$box" port del p0 2>>"$lib_tmp/churn.err" &&
				detached=$((detached + 1))
			# under failslab an attach may fail: try until it holds
			until "$DUPTO" -n "$box" port add p0 2>>"$lib_tmp/churn.err"; do
				sleep 0.05
			done
		fi
		if ip -n "$box" link add l3 type veth peer name l3 netns "$sink" 2>>"$lib_tmp/churn.err"; then
			ip -n "$box" link set l3 up
			if "$DUPTO" -n "$box" sensor add s3 link l3 2>>"$lib_tmp/churn.err" ||
				"$DUPTO" -n "$box" sensor add s3 link l3 2>>"$lib_tmp/churn.err"; then
				sensors=$((sensors + 1))
				lowers=$((lowers + 1))
			fi
			# the lower device goes, and the sensor with it
			ip -n "$box" link del l3
		fi
		if "$DUPTO" -n "$box" sensor add s4 2>>"$lib_tmp/churn.err" ||
			"$DUPTO" -n "$box" sensor add s4 2>>"$lib_tmp/churn.err"; then
			sensors=$((sensors + 1))
			"$DUPTO" -n "$box" sensor del s4 2>>"$lib_tmp/churn.err"
		fi
	done
	rounds_churned=$((rounds_churned + n))
}

frames_total=0 sensors=0 lowers=0 detached=0 rounds_churned=0 injected=0

# The reference: the same traffic, no dupto.
modprobe -r dupto 2>/dev/null
topology ""
traffic_start
sleep 20
traffic_stop "without dupto"
lib_cleanup_namespaces

round=0
for mode in "${modes[@]}"; do
	round=$((round + 1))
	desc="round $round ($mode)"
	load_dupto
	if ! topology "$mode"; then
		fail "$desc: set-up"
		break
	fi
	load_rules "$box" 'rule udp and dst port 9 to s1
rule out on p1 to s2' &&
		in_ns "$box" python3 "$lib_dir/ruleset.py" save "$lib_tmp/a.img" &&
		load_rules "$box" 'rule udp to s2
rule ip and ip[8] = 64 to s1, s2' &&
		in_ns "$box" python3 "$lib_dir/ruleset.py" save "$lib_tmp/b.img" ||
		{ fail "$desc: the two rulesets load"; break; }

	if [[ -z $fault_why ]]; then
		failslab_dupto || { fail "$desc: failslab finds dupto"; break; }
		# one allocation in 500 (2 % of every 10th): a sensor add, which
		# registers a device with dupto's code on the stack, makes
		# hundreds; at 2 % of them all, not one in 50 succeeded
		failslab times=1000000000 interval=10 probability=2
	fi
	rm -f "$lib_tmp/stop" "$lib_tmp/churn.err"
	traffic_start
	ip netns exec "$box" python3 "$lib_dir/churn.py" dumps "$lib_tmp/stop" \
		"$lib_tmp/a.img" "$lib_tmp/b.img" >"$lib_tmp/dumps.out" 2>&1 &
	dumper=$!
	ip netns exec "$box" python3 "$lib_dir/churn.py" swap "$per_round" \
		"$lib_tmp/a.img" "$lib_tmp/b.img" >"$lib_tmp/swap.out" 2>&1 &
	swapper=$!
	churn "$mode"
	wait "$swapper"
	check_eq "$desc: $(cat "$lib_tmp/swap.out") under traffic" $? 0
	traffic_stop "$desc"
	wait "$dumper"
	check_eq "$desc: $(cat "$lib_tmp/dumps.out") during the loads" $? 0
	if [[ -z $fault_why ]]; then
		injected=$((injected + 1000000000 - $(cat "$lib_failslab/times")))
		failslab probability=0 times=0
	fi

	# mirroring went on all the while
	copies=$("$DUPTO" -n "$box" -j sensor show s1 | jq -r '.[0].stats.sent')
	check "$desc: sensor s1 got copies ($copies)" test "${copies:-0}" -gt 0
	# What the churn refused is the injected faults' doing only: ENOMEM,
	# or ENOBUFS when netlink could not build a message for want of memory.
	if [[ -s $lib_tmp/churn.err ]] &&
		grep -v -e 'Cannot allocate memory' -e 'No buffer space available' \
			"$lib_tmp/churn.err" >"$lib_tmp/churn.other"; then
		fail "$desc: the churn's commands fail only for want of memory"
		note "$(sort "$lib_tmp/churn.other" | uniq -c | head -20)"
	fi

	lib_cleanup_namespaces
	check "$desc: dupto unloads once its namespaces are gone" \
		wait_for 120 modprobe -r dupto
done

check "in all: $loads loads, $frames_total frames; $sensors sensors made and deleted, $lowers of them by deleting their lower device; p0 detached and attached $detached times; $rounds_churned passes of churn" \
	test "$sensors" -gt 0 -a "$lowers" -gt 0 -a "$detached" -gt 0
if [[ -z $fault_why ]]; then
	check "failslab failed $injected of dupto's allocations" test "$injected" -gt 0
else
	skip_check "failslab failed some of dupto's allocations" "$fault_why"
fi
end_test
