# SPDX-License-Identifier: GPL-2.0
#
# Helpers for dupto's selftests, sourced by each script:
#
#   . "$(dirname "$0")/lib.sh"
#
# Scripts follow kselftest conventions: they run as root, build their
# topology in network namespaces they create (named after their PID, so
# that runs never collide), remove it on exit, and exit 0 when every check
# passed, 1 when one failed, 4 when a prerequisite is missing. Each check
# prints one test point, "ok - what" or "not ok - what", followed on
# failure by "# " lines saying what was seen instead.
#
# Commands that change the topology are logged as "+ [ns] command" on
# stderr, which the harness shows only when the script fails.

set -u

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

DUPTO=${DUPTO:-dupto}
lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ksft_rc=$KSFT_PASS
lib_namespaces=()
lib_pids=()
lib_tmp=$(mktemp -d /tmp/dupto-test.XXXXXX)

# --- reporting --------------------------------------------------------------

pass() {
	echo "ok - $*"
}

fail() {
	echo "not ok - $*"
	ksft_rc=$KSFT_FAIL
}

# Indented evidence for the check that just failed.
note() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

skip() {
	echo "SKIP: $*"
	exit $KSFT_SKIP
}

# skip_check DESCRIPTION WHY: a check this kernel cannot make, counted as
# skipped and never as passed ("ok - ... # SKIP why", as TAP has it).
skip_check() {
	echo "ok - $1 # SKIP $2"
}

require_cmd() {
	local cmd
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null || skip "$cmd is not installed"
	done
}

# check DESCRIPTION COMMAND...: the command succeeds.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc"
		note "command: $*" "$out"
	fi
}

# check_fails DESCRIPTION COMMAND...: the command fails.
check_fails() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$desc"
		note "command succeeded but should have failed: $*" "$out"
	else
		pass "$desc"
	fi
}

# check_eq DESCRIPTION ACTUAL EXPECTED
check_eq() {
	if [[ $2 == "$3" ]]; then
		pass "$1"
	else
		fail "$1"
		note "expected: $3" "got:      $2"
	fi
}

# check_error DESCRIPTION MESSAGE COMMAND...: the command fails and says
# exactly MESSAGE on one line of its error output.
check_error() {
	local desc=$1 msg=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$desc"
		note "command succeeded but should have failed: $*" "$out"
	elif grep -q -x -F -- "$msg" <<<"$out"; then
		pass "$desc"
	else
		fail "$desc"
		note "command: $*" "expected the message: $msg" "got:" "$out"
	fi
}

# run_cases NAME...: run the file's cases, each a function case_NAME, in
# this order; with TESTS="NAME ..." (kselftest's variable: DUPTO_TESTS=
# "mirror/quick+set" on the host, selftests/qemu/run) only those. A name the
# file does not have fails, saying which it has.
lib_cases=
run_cases() {
	local c
	lib_cases="$*"
	for c in ${TESTS:-}; do
		[[ " $* " == *" $c "* ]] ||
			fail "TESTS names the case \"$c\": $(basename "$0" .sh) has $*"
	done
	for c in "$@"; do
		[[ -z ${TESTS:-} || " $TESTS " == *" $c "* ]] && "case_$c"
	done
	return 0
}

# wait_for SECONDS COMMAND...: poll until the command succeeds; never a
# bare sleep, so a slow (emulated) machine only makes tests slower.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# --- topology ---------------------------------------------------------------

log_cmd() {
	echo "+ $*" >&2
	"$@"
}

# ns_add NAME...: create a namespace per NAME, its name unique to this run,
# kept in a variable called NAME. IPv6 is off in them so that the hosts
# themselves stay quiet and every frame a test counts is one it sent.
ns_add() {
	local var ns
	for var in "$@"; do
		ns=dupto-$$-$var
		log_cmd ip netns add "$ns" || exit $KSFT_FAIL
		lib_namespaces+=("$ns")
		printf -v "$var" '%s' "$ns"
		ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
}

# in_ns NS COMMAND...: run a command in a namespace, logged.
in_ns() {
	local ns=$1
	shift
	echo "+ [${ns#dupto-$$-}] $*" >&2
	ip netns exec "$ns" "$@"
}

# veth_pair NS1 DEV1 NS2 DEV2: a veth pair between two namespaces, both up.
veth_pair() {
	log_cmd ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" &&
	ip -n "$1" link set "$2" up &&
	ip -n "$3" link set "$4" up
}

# bg NS COMMAND...: a background process, killed at exit.
bg() {
	local ns=$1
	shift
	echo "+ [${ns#dupto-$$-}] $* &" >&2
	ip netns exec "$ns" "$@" &
	lib_pids+=($!)
}

# link_field NS DEV JQPATH: a field of "ip -d -s -j link show DEV", e.g.
# link_field "$box" dp1 .operstate
link_field() {
	ip -n "$1" -d -s -j link show dev "$2" 2>/dev/null | jq -r ".[0]$3"
}

operstate_is() {
	[[ $(link_field "$1" "$2" .operstate) == "$3" ]]
}

dev_exists() {
	ip -n "$1" link show dev "$2" >/dev/null 2>&1
}

# The devices of dupto's two kinds left in a namespace, one per line.
dupto_devices() {
	ip -n "$1" -d -j link show 2>/dev/null |
		jq -r '.[] | select(.linkinfo.info_kind == "dupto" or .linkinfo.info_kind == "dupto-sensor") | .ifname'
}

# dump_start_says: whether the kernel gives a dump's start callback the
# request's extended ACK, so that a dump dupto refuses says why. 6.1 does
# not: a refused dump there is a bare EPERM.
dump_start_says() {
	[[ $(uname -r) != 6.1.* ]]
}

# load_dupto: the module, from the kernel's module tree.
load_dupto() {
	modprobe dupto || skip "the dupto module cannot be loaded"
}

# Everything the test made so far goes: processes, then namespaces, so a
# test may build a topology again from scratch.
lib_cleanup_namespaces() {
	local ns pid
	for pid in "${lib_pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	for ns in "${lib_namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	lib_pids=()
	lib_namespaces=()
}

lib_cleanup() {
	lib_cleanup_namespaces
	rm -rf "$lib_tmp"
}
trap lib_cleanup EXIT

# end_test: the exit status for the checks made.
end_test() {
	[[ -z ${TESTS:-} || -n $lib_cases ]] ||
		fail "TESTS names cases, but $(basename "$0" .sh) has none: it ran whole"
	exit $ksft_rc
}

# --- fault injection -------------------------------------------------------

lib_failslab=/sys/kernel/debug/failslab

# failslab ATTR=VALUE...: failslab's settings (its debugfs files).
failslab() {
	local attr
	for attr in "$@"; do
		echo "${attr#*=}" >"$lib_failslab/${attr%%=*}"
	done
}

# failslab_why: why failslab cannot fail dupto's allocations alone here,
# or nothing if it can.
failslab_why() {
	if [[ ! -d $lib_failslab ]]; then
		echo "this kernel has no failslab (CONFIG_FAILSLAB): a debug kernel does (make check-debug)"
	elif [[ ! -e $lib_failslab/require-start || ! -e /proc/self/fail-nth ]]; then
		echo "this kernel's failslab cannot be limited to dupto's allocations (no stack trace filter: 6.1 has none on x86_64)"
	fi
}

# failslab_dupto: failslab limited to allocations with dupto's code on the
# stack (the loaded module's text range; again after a reload), whatever
# their flags, verbose off so that an injected failure is not a warning;
# nothing fails until the probability is raised. Fails if /proc/modules
# hides the module's address.
#
# The refcount tracker's own allocation (ref_tracker_alloc, under dupto's
# netdev_hold) is spared: a debug kernel's bookkeeping, absent from the
# kernels dupto ships on, whose failure the kernel reports in its log as an
# unreliable tracker, not a failure dupto could handle.
failslab_dupto() {
	local size base spared start=0 end=0
	read -r _ size _ _ _ base _ < <(grep "^dupto " /proc/modules)
	((base)) || return 1
	spared=$(grep -m1 ' ref_tracker_alloc$' /proc/kallsyms | cut -d' ' -f1)
	if [[ -n $spared ]] && ((0x$spared)); then
		start=0x$spared
		end=0x$(cut -d' ' -f1 /proc/kallsyms | sort -u |
			grep -A1 -x "$spared" | tail -n 1)
		((end > start)) || return 1
	fi
	failslab probability=0 times=0 verbose=0 task-filter=N ignore-gfp-wait=N \
		stacktrace-depth=32 require-start="$base" \
		require-end="$(printf '0x%x' $((base + size)))" \
		reject-start="$start" reject-end="$end" space=0 interval=1
}

# --- captures ---------------------------------------------------------------

# capture_start NS DEV FILE: tcpdump on DEV into FILE, in the background,
# returning once it listens. capture_stop FILE... ends them once every FILE
# has stopped growing for half a second: long enough for frames in flight,
# and the only way to show that a frame did not arrive. Captures compared
# with each other (a sensor's with the wire's) stop together: stopped one
# after the other, a late frame (a neighbour probe) reached the wire's
# after a sensor's had ended, and looked like a copy the sensor missed.
#
# In immediate mode libpcap uses TPACKET_V2, whose ring slots are sized from
# the snapshot length: with the defaults the ring holds few frames, and an
# emulated guest's tcpdump fell behind a TCP burst ("68 packets dropped by
# kernel" of 254). Every link here has a 1500-byte MTU, so 2 KiB snapshots
# in an 8 MiB ring keep whole frames, thousands of them.
declare -A lib_captures=()

capture_start() {
	local ns=$1 dev=$2 file=$3
	bg "$ns" tcpdump -Z root --immediate-mode -U -n -s 2048 -B 8192 \
		-i "$dev" -w "$file" 2>"$file.log"
	lib_captures[$file]=$!
	wait_for 20 grep -q "listening on" "$file.log"
}

capture_stop() {
	local file sizes=-1 now stable=0 deadline=$((SECONDS + 10))
	while ((stable < 5 && SECONDS < deadline)); do
		sleep 0.1
		now=$(stat -c %s "$@" | tr '\n' ' ')
		if [[ $now == "$sizes" ]]; then
			((stable++))
		else
			sizes=$now
			stable=0
		fi
	done
	for file in "$@"; do
		kill -INT "${lib_captures[$file]}" 2>/dev/null
	done
	for file in "$@"; do
		wait "${lib_captures[$file]}" 2>/dev/null
		unset "lib_captures[$file]"
	done
}

# send_frames NS DEV TAG COUNT, count_frames FILE TAG: see frames.py.
send_frames() {
	in_ns "$1" python3 "$lib_dir/frames.py" send "$2" "$3" "$4"
}

count_frames() {
	python3 "$lib_dir/frames.py" count "$1" "$2"
}

# --- dupto ------------------------------------------------------------------

# attach_ports NS MODE DEV...: make each DEV a dupto port, in place
# (MODE=inplace) or as a port device (MODE=device), with the tool.
attach_ports() {
	local ns=$1 mode=$2 dev
	shift 2
	for dev in "$@"; do
		if [[ $mode == device ]]; then
			in_ns "$ns" "$DUPTO" port add "$dev" device
		else
			in_ns "$ns" "$DUPTO" port add "$dev"
		fi
	done
}

# known_neighbours NS1 ADDR1 NS2 ADDR2: each host's eth0 knows the other's
# MAC address for good, so that no ARP request, reply or reachability probe
# crosses the link while a test compares two captures of it: such a frame
# can fall inside one capture's window and outside the other's.
known_neighbours() {
	local ns1=$1 a1=$2 ns2=$3 a2=$4 m1 m2
	m1=$(in_ns "$ns1" cat /sys/class/net/eth0/address)
	m2=$(in_ns "$ns2" cat /sys/class/net/eth0/address)
	in_ns "$ns1" ip neigh replace "$a2" lladdr "$m2" dev eth0 nud permanent
	in_ns "$ns2" ip neigh replace "$a1" lladdr "$m1" dev eth0 nud permanent
}

# bridge_hosts H1 H2 BOX [MODE]: the inline box most tests use. Host H1
# (eth0, 10.0.0.1) is cabled to p0 and host H2 (eth0, 10.0.0.2) to p1 of br0
# in BOX, and both ports are attached in MODE (see attach_ports), if given.
bridge_hosts() {
	local h1=$1 h2=$2 ns=$3 mode=${4:-}
	veth_pair "$h1" eth0 "$ns" p0
	veth_pair "$h2" eth0 "$ns" p1
	in_ns "$h1" ip addr add 10.0.0.1/24 dev eth0
	in_ns "$h2" ip addr add 10.0.0.2/24 dev eth0
	in_ns "$ns" ip link add br0 type bridge
	in_ns "$ns" ip link set p0 master br0
	in_ns "$ns" ip link set p1 master br0
	in_ns "$ns" ip link set br0 up
	[[ -z $mode ]] || attach_ports "$ns" "$mode" p0 p1
}

# load_rules NS RULES: replace NS's ruleset with RULES, keeping its ports
# and sensors.
load_rules() {
	local conf=$lib_tmp/rules.$$.conf
	"$DUPTO" -n "$1" save | grep -v '^rule' >"$conf"
	printf '%s\n' "$2" >>"$conf"
	in_ns "$1" "$DUPTO" load "$conf"
}

# same_frames DESC WANT GOT [SNAP]: check that two captures hold the same
# frames (WANT's cut to SNAP bytes, with SNAP). On failure, tcpdump's own
# count of what the kernel dropped on the way to each capture tells a slow
# capture from a frame never mirrored.
same_frames() {
	local desc=$1 want=$2 got=$3 out
	if out=$(python3 "$lib_dir/frames.py" same "$want" "$got" ${4:+"$4"} 2>&1); then
		pass "$desc"
	else
		fail "$desc"
		note "$out"
		note "$(grep -H "dropped by" "$lib_tmp"/*.pcap.log 2>/dev/null)"
	fi
}

# wire_filter FILTER OUT: the frames of $lib_tmp/wire.pcap FILTER matches.
wire_filter() {
	tcpdump -r "$lib_tmp/wire.pcap" -w "$2" "$1" 2>/dev/null
}

# tcp_serve NS ADDR PORT: tcp_xfer.py's server in NS, listening once this
# returns; it serves one transfer.
tcp_serve() {
	bg "$1" python3 "$lib_dir/tcp_xfer.py" serve "$2" "$3"
	wait_for 20 in_ns "$1" sh -c "ss -ltn | grep -q '$2:$3 '"
}

# sensor_sent NS SENSOR: the copies SENSOR was sent.
sensor_sent() {
	"$DUPTO" -n "$1" -j sensor show "$2" | jq -r '.[0].stats.sent'
}

# sensor_gets NS SENSOR COMMAND...: the command succeeds and SENSOR is
# then sent copies (of what the command sent, as a rule picks it).
sensor_gets() {
	local ns=$1 sensor=$2 before
	shift 2
	before=$(sensor_sent "$ns" "$sensor")
	"$@" && wait_for 10 sensor_sent_over "$ns" "$sensor" "$before"
}

# sensor_sent_over NS SENSOR N: SENSOR has sent more than N copies; a
# function, so that wait_for reads the counter again at each try.
sensor_sent_over() {
	(($(sensor_sent "$1" "$2") > $3))
}

# flood_start NS ADDR, flood_stop: a ping flood (200 a second) from NS
# to ADDR, for tests that take things apart under traffic.
lib_flood=
flood_start() {
	bg "$1" ping -q -i 0.005 "$2"
	lib_flood=$!
}
flood_stop() {
	[[ -n $lib_flood ]] || return 0
	kill "$lib_flood" 2>/dev/null
	wait "$lib_flood" 2>/dev/null
	lib_flood=
}

# monitor_start NS FILE [OPTION...]: "dupto OPTION... monitor" in NS
# writing FILE (its errors to FILE.err), listening once this returns: a
# probe port was attached and detached until it said so. Its pid is
# $lib_monitor.
lib_monitor=
monitor_start() {
	local ns=$1 file=$2
	shift 2
	in_ns "$ns" ip link add dupto-probe type dummy
	"$DUPTO" -n "$ns" "$@" monitor >"$file" 2>"$file.err" &
	lib_monitor=$!
	lib_pids+=("$lib_monitor")
	wait_for 20 lib_monitor_heard "$ns" "$file" || fail "the monitor listens"
	in_ns "$ns" ip link del dupto-probe
}
lib_monitor_heard() {
	"$DUPTO" -n "$1" port add dupto-probe 2>/dev/null
	"$DUPTO" -n "$1" port del dupto-probe 2>/dev/null
	grep -q 'port del.*dupto-probe' "$2"
}
