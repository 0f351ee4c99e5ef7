#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dupto when memory runs out. failslab, filtered to allocations made with
# dupto's code on the stack (its module's text range; verbose off, so an
# injected failure is not a warning), fails:
#
#   - each allocation in turn, one request at a time (fail-nth), of port add
#     in both modes, sensor add and ruleset load: every failure is a clean
#     error that changes nothing, a later request succeeds, and the bridge
#     forwards throughout;
#   - a fifth of the allocations while frames are mirrored, in both port
#     modes: every frame crosses the bridge; with nothing reading s0, its
#     copies (the frames themselves, lent) allocate nothing and are all
#     sent; with a capture on s0, each copy is cloned for it, and each is
#     sent or counted as dropped for want of memory.
#
# kmemleak (the harness, after this file) shows nothing leaked on the way.
#
#   h1 eth0 --- p0 -[br0]- p1 --- eth0 h2       box: sensor s0, no lower

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 ping tcpdump
why=$(failslab_why)
[[ -z $why ]] || skip "$why"
load_dupto
failslab_dupto || skip "/proc/modules hides dupto's address"
trap 'failslab probability=0 times=0; lib_cleanup' EXIT

ns_add h1 h2 box
bridge_hosts "$h1" "$h2" "$box"
in_ns "$box" ip link add l1 type dummy
in_ns "$box" ip link set l1 up
known_neighbours "$h1" 10.0.0.1 "$h2" 10.0.0.2
wait_for 60 in_ns "$h1" ping -c 1 -W 1 10.0.0.2

# Older kernels' fail-nth ignores the stack trace filter: the Nth
# allocation of the thread fails whatever made it, socket work included,
# and failing those says nothing of dupto.
filtered=$(cd "$lib_dir" && ip netns exec "$box" python3 -c '
import socket
from faults import fail_nth
fail_nth(1)
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
except OSError:
    pass
print("yes" if fail_nth() == 1 else "no")
fail_nth(0)' 2>&1)

# Each request, failing at each of its allocations in turn (faults.py,
# which undoes it when it succeeds, and checks the state a user sees and
# the bridge after each): {what, the request, set-up before it, if any}.
image_tcp=$lib_tmp/tcp.img image_udp=$lib_tmp/udp.img
requests=(
	"port add, in place|port p0 inplace|"
	"port add, a port device|port p0 device|"
	"sensor add|sensor s1|"
	"sensor add on a lower device|sensor s1 l1|"
	"ruleset load|ruleset $image_udp $image_tcp|prepare_rulesets"
)

prepare_rulesets() {
	in_ns "$box" "$DUPTO" port add p0
	in_ns "$box" "$DUPTO" sensor add s0
	load_rules "$box" "rule udp to s0" || return 1
	in_ns "$box" python3 "$lib_dir/ruleset.py" save "$image_udp" || return 1
	load_rules "$box" "rule tcp to s0" || return 1
	in_ns "$box" python3 "$lib_dir/ruleset.py" save "$image_tcp"
}

every_allocation() {
	local desc req setup out
	IFS='|' read -r desc req setup <<<"$1"
	# what a row that failed may have left, so that each row stands alone
	in_ns "$box" "$DUPTO" port del p0 >/dev/null 2>&1
	ip -n "$box" link del s1 >/dev/null 2>&1
	if [[ -n $setup ]] && ! $setup >"$lib_tmp/setup.log" 2>&1; then
		fail "$desc: set-up"
		note "$(cat "$lib_tmp/setup.log")"
		return
	fi
	# shellcheck disable=SC2086 # the request is words
	if out=$(cd "$lib_dir" && ip netns exec "$box" python3 faults.py "$h1" "$h2" $req 2>&1); then
		pass "$desc: each of its ${out%% *} allocations failed in turn: ${out##*, }, each clean, nothing changed"
	else
		fail "$desc: each allocation failed in turn"
		note "$out"
	fi
}

case_requests() {
	if [[ $filtered == yes ]]; then
		for row in "${requests[@]}"; do
			every_allocation "$row"
		done
	elif [[ $filtered == no ]]; then
		skip_check "each allocation of a request failed in turn" \
			"this kernel's fail-nth ignores the stack trace filter"
	else
		fail "fail-nth can be set and read"
		note "$filtered"
	fi
}

# --- mirroring: copies fail, frames do not --------------------------------

# Counters of s0: sent, dropped for any reason, and for want of memory.
copies() {
	in_ns "$box" "$DUPTO" -j sensor show s0 |
		jq -r '.[0].stats | "\(.sent) \(.down + .queue + .nomem + .loop + .ratelimit + .sampled + .snapfail) \(.nomem + .snapfail)"'
}

# Frames through p0 and p1 with a fifth of dupto's allocations failing:
# every one crosses the bridge; the counters of s0 move as they
# should. A capture on s0 ($2, a file) makes every copy need a clone.
mirror_under_faults() {
	local mode=$1 cap=$2 what sent0 dropped0 nomem0 sent dropped nomem

	read -r sent0 dropped0 nomem0 < <(copies)
	capture_start "$h2" eth0 "$lib_tmp/$mode.pcap"
	[[ -z $cap ]] || capture_start "$box" s0 "$cap"
	failslab times=-1 probability=20
	send_frames "$h1" eth0 faults 400
	failslab probability=0 times=0
	capture_stop "$lib_tmp/$mode.pcap" ${cap:+"$cap"}
	read -r sent dropped nomem < <(copies)
	what="$mode, nothing reading s0"
	[[ -z $cap ]] || what="$mode, a capture on s0"
	check_eq "$what: every frame crossed the bridge while copies failed" \
		"$(count_frames "$lib_tmp/$mode.pcap" faults)" 400
	if [[ -z $cap ]]; then
		# a copy nobody reads is the frame itself: nothing to allocate
		check_eq "$what: all 400 copies sent, none wanted memory" \
			"$((sent - sent0)) $((dropped - dropped0))" "400 0"
		return
	fi
	check_eq "$what: each copy was sent or counted as dropped" \
		"$((sent - sent0 + dropped - dropped0))" 400
	if ((nomem - nomem0 > 0)); then
		pass "$what: copies did fail ($((nomem - nomem0)) of 400)"
	else
		fail "$what: copies did fail"
		note "no copy failed: failslab injected nothing into mirroring"
	fi
	# a tap loses what a clone that failed would have been, nothing more
	local seen
	seen=$(count_frames "$cap" faults)
	if ((seen > 0 && seen <= sent - sent0)); then
		pass "$what: s0's capture has $seen frames, none beyond the $((sent - sent0)) sent"
	else
		fail "$what: s0's capture has some frames, none beyond those sent"
		note "captured $seen, sent $((sent - sent0))"
	fi
}

case_mirroring() {
	in_ns "$box" "$DUPTO" port del p0 2>/dev/null
	ip -n "$box" link del s0 2>/dev/null
	in_ns "$box" "$DUPTO" sensor add s0
	for mode in inplace device; do
		attach_ports "$box" "$mode" p0 p1
		load_rules "$box" "rule ether proto 0x88b5 to s0"
		mirror_under_faults "$mode" ""
		mirror_under_faults "$mode" "$lib_tmp/$mode-s0.pcap"
		for p in p0 p1; do
			in_ns "$box" "$DUPTO" port del "$p"
		done
	done
}

run_cases requests mirroring
end_test
