#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The dupto tool against the kernel: ports in both modes, sensors, rules
# and their counters, load and save, stats, monitor, -n, and the messages
# for bad input. JSON is read with jq; text is checked only where its form
# is the point.
#
#   left                      box                          right
#   eth0 10.0.0.1 --- p0 -+            +- p1 --- eth0 10.0.0.2
#                         +--- br0 ----+
#                     (ports: p0 in place, p1 through port device dp1)
#
#                         web (sensor) on p2 --- eth0   sink
#                         rest (sensor, no lower device)
#                         dum0 (dummy: a port to come and go)
#
#   other: an empty namespace, whose configuration is its own

. "$(dirname "$0")/lib.sh"

require_cmd jq ping
load_dupto
ns_add left right sink box other

bridge_hosts "$left" "$right" "$box"
veth_pair "$sink" eth0 "$box" p2
in_ns "$box" ip link add dum0 type dummy
in_ns "$box" ip link set dum0 up

# dupto ARGS...: the tool in the box, logged.
dupto() {
	echo "+ [box] dupto $*" >&2
	"$DUPTO" -n "$box" "$@"
}

# json ARGS... -- FILTER: a value of "dupto -j ARGS...".
json() {
	local args=()
	while [[ $1 != -- ]]; do
		args+=("$1")
		shift
	done
	"$DUPTO" -n "$box" -j "${args[@]}" | jq -r "$2"
}

# check_kernel_says DESCRIPTION COMMAND...: the command fails with the
# kernel's own explanation, whatever its words.
check_kernel_says() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$desc"
		note "command succeeded but should have failed: $*" "$out"
	elif grep -q '^dupto: kernel says: .' <<<"$out"; then
		pass "$desc"
	else
		fail "$desc"
		note "command: $*" "expected \"dupto: kernel says: ...\", got:" "$out"
	fi
}

# --- an empty namespace -----------------------------------------------------

check_eq "an empty configuration is generation 1" "$(json show -- .generation)" 1
check_eq "with no ports, sensors or rules" \
	"$(json show -- '[.ports, .sensors, .rules] | map(length) | join(" ")')" "0 0 0"
check_eq "and saves as an empty file" "$(dupto save)" ""

# --- ports, in place ----------------------------------------------------------

check "port add: in place" dupto port add p0
check_eq "port show: p0, in place, classifying frames it receives" \
	"$(json port show -- '.[] | "\(.ifname) \(.mode) \(.out)"')" "p0 inplace false"
check_eq "port show, text" "$(dupto port show | head -1)" "p0: in place, classifying in"
check_eq "the bridge keeps p0" "$(link_field "$box" p0 .master)" br0
check_kernel_says "a second port on the same device is refused" dupto port add p0
check_eq "port show DEV" "$(json port show p0 -- '.[].ifname')" p0
check "port del" dupto port del p0
check_eq "port show: none" "$(json port show -- length)" 0

# --- ports, through a port device --------------------------------------------

check "port add: device mode, named" dupto port add p1 device name dp1
check_eq "port show: p1 through dp1" \
	"$(json port show -- '.[] | "\(.ifname) \(.mode) \(.device)"')" "p1 device dp1"
check_eq "port show, text" "$(dupto port show | head -1)" "p1: device dp1, classifying in"
check_eq "dp1 took p1's place in the bridge" "$(link_field "$box" dp1 .master)" br0
check_eq "and owns p1" "$(link_field "$box" p1 .master)" dp1
check_eq "port show takes the port device's name too" \
	"$(json port show dp1 -- '.[].ifname')" p1
check "port del by the port device's name" dupto port del dp1
check_eq "p1 is back in the bridge" "$(link_field "$box" p1 .master)" br0
check_eq "and dp1 is gone" "$(dupto_devices "$box")" ""
check "port add: device mode, the kernel's name" dupto port add p1 dev
check_eq "the port device is named dupto%d" \
	"$(json port show -- '.[].device' | sed 's/[0-9]*$//')" dupto
check "port del by the NIC's name" dupto port del p1

# --- sensors ----------------------------------------------------------------

check "sensor add with a lower device" dupto sensor add web link p2
check "sensor add without" dupto sensor add rest
check_eq "ip link sees dupto-sensor devices" \
	"$(ip -n "$box" -d -j link show web | jq -r '.[0].linkinfo.info_kind')" dupto-sensor
check_eq "set up" "$(ip -n "$box" -j link show rest | jq -r '.[0].flags | any(. == "UP")')" true
check_eq "sensor show" \
	"$(json sensor show -- '[.[] | "\(.ifname):\(.link // "")"] | sort | join(" ")')" \
	"rest: web:p2"
check_eq "sensor show NAME, text" "$(dupto sensor show web | head -1)" "web: link p2"
check_eq "sensor show: counters" \
	"$(json sensor show rest -- '.[0].stats | keys_unsorted | join(" ")')" \
	"sent down queue nomem loop ratelimit sampled snapfail"
in_ns "$box" ip link add tmp type dupto-sensor
check_eq "a sensor made by ip link is a sensor too" "$(json sensor show tmp -- '.[0].ifname')" tmp
check "sensor del" dupto sensor del tmp
check_fails "which deletes the device" dev_exists "$box" tmp

# --- rules and their counters ------------------------------------------------

dupto port add p0
dupto port add p1 device name dp1
check "rule add" dupto rule add tcp port 80 to web
check "rule add, a second one" dupto rule add else tcp or udp or icmp to rest
check "rule add index 1" dupto rule add index 1 quick arp to rest
check_eq "rule show: in order, numbered" \
	"$(json rule show -- '.[] | "\(.index) \(.text)"')" \
	"1 quick arp to rest
2 tcp port 80 to web
3 else tcp or udp or icmp to rest"
check_eq "rule show: flags and targets" \
	"$(json rule show -- '.[] | "\(.flags | join(",")):\(.targets | join(","))"')" \
	"quick:rest
:web
else:rest"
check_eq "rule show, text" "$(dupto rule show | head -2)" \
	"1: quick arp to rest
	packets 0 bytes 0"

check_eq "rule show -d: the kernel's program, rule by rule" \
	"$(dupto rule show -d | grep '^rule ' | cut -d: -f2-)" \
	" rule quick arp to rest
 rule tcp port 80 to web
 rule else tcp or udp or icmp to rest"

check "ping across the bridge" in_ns "$left" ping -c 3 -i 0.2 -W 2 10.0.0.2
# The hosts have ARPed; from now on their neighbour entries never go stale
# (a slow guest saw a fresh ARP exchange between two counter reads), and
# every counter comes from one snapshot.
known_neighbours "$left" 10.0.0.1 "$right" 10.0.0.2
"$DUPTO" -n "$box" -j stats >"$lib_tmp/stats.json"
snap() { jq -r "$1" "$lib_tmp/stats.json"; }
check_eq "the ICMP rule counted 3 requests and 3 replies, 98 bytes each" \
	"$(snap '.rules[2] | "\(.packets) \(.bytes)"')" "6 588"
check_eq "the web rule nothing" "$(snap '.rules[1].packets')" 0
arp=$(snap '.rules[0].packets')
check "the ARP rule some ARP frames" test "$arp" -gt 0
check_eq "rest was sent every frame those rules matched" \
	"$(snap '.sensors[] | select(.ifname == "rest") | .stats.sent')" "$((arp + 6))"
check_eq "the ports saw them, on the way in" \
	"$(snap '[.ports[].stats.matched] | add')" "$((arp + 6))"

check "rule del" dupto rule del 1
check_eq "the rules after it move up" "$(json rule show -- '.[] | .text')" \
	"tcp port 80 to web
else tcp or udp or icmp to rest"
check_eq "a new ruleset's counters start at zero" \
	"$(json rule show -- '[.[].packets] | add')" 0
check_kernel_says "a target that is not a sensor is refused by the kernel" \
	dupto rule add udp to p2
check_eq "and nothing changed" "$(json rule show -- length)" 2

# Two writers at once: each rule add reads the ruleset and loads it back
# only if nothing changed in between, so none is lost; the loser is told.
race() {
	local i out
	for i in $(seq 8); do
		if out=$("$DUPTO" -n "$box" rule add udp port $(($1 + i)) to rest 2>&1); then
			echo ok
		else
			echo "$out"
		fi
	done
}
race 1000 >"$lib_tmp/race1" &
race 2000 >"$lib_tmp/race2"
wait $!
added=$(cat "$lib_tmp/race1" "$lib_tmp/race2" | grep -c '^ok$')
check_eq "concurrent rule adds: every one that succeeded is in the ruleset" \
	"$(json rule show -- length)" "$((2 + added))"
check_eq "every other said why" \
	"$(cat "$lib_tmp/race1" "$lib_tmp/race2" | grep -v -x -e ok \
		-e 'dupto: the ruleset changed while this command ran; try again')" ""
note "$((16 - added)) of 16 concurrent rule adds were refused as stale"
while (($(json rule show -- length) > 2)); do
	dupto rule del 3
done

# --- stats --------------------------------------------------------------------

in_ns "$left" ping -c 2 -i 0.2 -W 2 10.0.0.2 >/dev/null
check_eq "stats: rules, ports and sensors" \
	"$(json stats -- '"\(.rules | length) \(.ports | length) \(.sensors | length)"')" "2 2 2"
check "stats: something was counted" \
	test "$(json stats -- '[.rules[].packets, .ports[].stats.seen, .sensors[].stats.sent] | add')" -gt 0
check "stats reset" dupto stats reset
check_eq "zeroes every counter" \
	"$(json stats -- '[.rules[] | .packets, .bytes] + [.ports[].stats[]] + [.sensors[].stats[]] | add')" 0

# --- save and load ------------------------------------------------------------

saved="port p0
port p1 device name dp1

sensor rest
sensor web link p2

rule tcp port 80 to web
rule else tcp or udp or icmp to rest"
check_eq "save" "$(dupto save)" "$saved"
dupto save >"$lib_tmp/saved.conf"
gen=$(json show -- .generation)
check "load what save printed" dupto load "$lib_tmp/saved.conf"
check_eq "changes nothing, not even the generation" "$(json show -- .generation)" "$gen"

printf '' >"$lib_tmp/empty.conf"
check "load an empty file" dupto load "$lib_tmp/empty.conf"
check_eq "removes ports, sensors and rules" \
	"$(json show -- '[.ports, .sensors, .rules] | map(length) | join(" ")')" "0 0 0"
check_eq "p1 is back in the bridge" "$(link_field "$box" p1 .master)" br0
check_eq "no dupto device is left" "$(dupto_devices "$box")" ""
check "load the saved file" dupto load "$lib_tmp/saved.conf"
check_eq "save prints it again, the same" "$(dupto save)" "$saved"
check "traffic is mirrored again" in_ns "$left" ping -c 1 -W 2 10.0.0.2
check_eq "by the rules loaded" "$(json rule show -- '.[1].packets')" 2

cat >"$lib_tmp/moved.conf" <<EOF
# p0 through a port device, which the ruleset names; web on dum0
port p0 device name dp0
port p1 device name dp1
sensor web link dum0
sensor rest
rule in on p0 and tcp port 80 to web
rule else to rest
EOF
check "load a file that changes a port's mode and a sensor's lower device" \
	dupto load "$lib_tmp/moved.conf"
check_eq "p0 is now through dp0" "$(json port show p0 -- '.[0].device')" dp0
check_eq "in the bridge" "$(link_field "$box" dp0 .master)" br0
check_eq "web is on dum0" "$(json sensor show web -- '.[0].link')" dum0
check_eq "the rules are the file's" "$(json rule show -- '.[0].text')" \
	"in on p0 and tcp port 80 to web"
check "load the saved file back" dupto load "$lib_tmp/saved.conf"
check_eq "save: as before" "$(dupto save)" "$saved"

# A file with a mistake changes nothing.
gen=$(json show -- .generation)
printf 'sensor web\nrule tcp to wbe\n' >"$lib_tmp/typo.conf"
check_error "load: a target that is not declared" \
	"$lib_tmp/typo.conf:2:13: error: target 'wbe' is not a declared sensor" \
	dupto load "$lib_tmp/typo.conf"
printf 'port p0\nport eth9\n' >"$lib_tmp/nodev.conf"
check_error "load: a port that is not there" \
	"$lib_tmp/nodev.conf:2:6: error: there is no device 'eth9' in this namespace" \
	dupto load "$lib_tmp/nodev.conf"
printf 'sensor p0\n' >"$lib_tmp/notsensor.conf"
check_error "load: a sensor name taken by another device" \
	"$lib_tmp/notsensor.conf:1:8: error: there is a device 'p0' in this namespace, and it is not a dupto sensor" \
	dupto load "$lib_tmp/notsensor.conf"
check_eq "none of them changed anything" \
	"$(json show -- .generation) $(dupto save | md5sum)" "$gen $(md5sum <<<"$saved")"
check "load reads standard input" sh -c "'$DUPTO' -n '$box' load - <'$lib_tmp/saved.conf'"

# A thousand rules: an image of some 220 KiB, more than one netlink
# attribute holds and than the socket's default send buffer.
{
	echo "port p0"
	echo "port p1 device name dp1"
	echo
	echo "sensor rest"
	echo "sensor web link p2"
	echo
	for ((i = 0; i < 1000; i++)); do
		echo "rule host 10.1.$((i / 250)).$((i % 250 + 1)) and tcp port $((1000 + i)) to rest"
	done
} >"$lib_tmp/big.conf"
check "load a thousand rules" dupto load "$lib_tmp/big.conf"
check_eq "rule show has them all" "$(json rule show -- length)" 1000
check_eq "save prints the file" "$(dupto save | md5sum)" "$(md5sum <"$lib_tmp/big.conf")"
check "rule add on top of them" dupto rule add index 1 to web
check_eq "1001 rules, the new one first" \
	"$(json rule show -- '"\(length) \(.[0].text) \(.[1000].text)"')" \
	"1001 to web host 10.1.3.250 and tcp port 1999 to rest"
dupto load "$lib_tmp/saved.conf"

# --- monitor ------------------------------------------------------------------

monitor_start "$box" "$lib_tmp/mon.json" -j
mon=$lib_monitor
check "monitor listens" grep -q dupto-probe "$lib_tmp/mon.json"
# what the probes made is behind this generation
gen=$(json show -- .generation)
dupto port add dum0 device name dd0
dupto rule add to rest
dupto rule del 3
dupto load "$lib_tmp/empty.conf"
events() {
	jq -c "select(.generation > $gen)" "$lib_tmp/mon.json" >"$lib_tmp/events.json" &&
	(($(wc -l <"$lib_tmp/events.json") >= $1))
}
wait_for 10 events 9
ev=$(jq -r '"\(.event) \(.port.ifname // .sensor.ifname // "-") \(.port.mode // "-")"' \
	"$lib_tmp/events.json")
# load detaches ports and deletes sensors in the order the kernel lists them
check_eq "monitor: one JSON object per change" \
	"$(head -4 <<<"$ev"; tail -n +5 <<<"$ev" | sort)" \
	"port add dum0 device
ruleset set - -
ruleset set - -
ruleset removed - -
port del dum0 device
port del p0 inplace
port del p1 device
sensor del rest -
sensor del web -"
check_eq "each a generation after the last" \
	"$(jq -s '[.[].generation] | . as $g | [range(1; length) | $g[.] - $g[. - 1]] | unique' \
		"$lib_tmp/events.json" | jq -c .)" "[1]"
kill -TERM "$mon"
rc=0
wait "$mon" || rc=$?
check_eq "monitor ends cleanly on SIGTERM" "$rc" 0
check_eq "having said nothing on stderr" "$(cat "$lib_tmp/mon.json.err")" ""

monitor_start "$box" "$lib_tmp/mon.txt"
check "monitor, text" grep -q -E '^[0-9]+: port del dupto-probe$' "$lib_tmp/mon.txt"
dupto port add dum0
dupto load "$lib_tmp/saved.conf"
check "one line per change" \
	wait_for 10 grep -q -E '^[0-9]+: port add dum0 in place$' "$lib_tmp/mon.txt"
check "ruleset changes too" \
	wait_for 10 grep -q -E '^[0-9]+: ruleset set, [0-9]+ bytes$' "$lib_tmp/mon.txt"
check "and ports going" wait_for 10 grep -q -E '^[0-9]+: port del dum0$' "$lib_tmp/mon.txt"

# Every change is announced once it is complete, each a generation after
# the last: a port with its label, a label changed, sensors made and shaped
# by the tool or by ip link, and a sensor the ruleset sends to going away.
gen=$(json show -- .generation)
dupto port add dum0 tag 100
dupto port set dum0 tag none
dupto sensor add s9 snaplen 96
dupto rule add udp port 9 to s9
in_ns "$box" ip link add s8 type dupto-sensor
in_ns "$box" ip link del s8
in_ns "$box" ip link del s9
dupto sensor set web sample 3
dupto sensor set web
dupto port del dum0
# the changes after $gen: "GENERATION: what", in order
after() {
	awk -F': ' -v g="$gen" '$1 ~ /^[0-9]+$/ && $1 > g' "$lib_tmp/mon.txt" >"$lib_tmp/after.txt" &&
	(($(wc -l <"$lib_tmp/after.txt") >= $1))
}
wait_for 10 after 11
check_eq "monitor: each change once it is complete, in words" \
	"$(sed -E 's/^[0-9]+: //; s/, [0-9]+ bytes$/, N bytes/' "$lib_tmp/after.txt")" \
	"port add dum0 in place label 100
port set dum0 no label
sensor add s9
sensor set s9 snaplen 96
ruleset set, N bytes
sensor add s8
sensor del s8
sensor del s9, gone: the ruleset sent to it
sensor set web link p2 sample 3
sensor set web link p2 no shaping
port del dum0"
check_eq "monitor: generations one by one from the one show said" \
	"$(cut -d: -f1 "$lib_tmp/after.txt" | tr '\n' ' ')" \
	"$(seq -s ' ' $((gen + 1)) $((gen + 11))) "
dupto load "$lib_tmp/saved.conf"

# --- namespaces -----------------------------------------------------------------

check_eq "-n: another namespace has its own configuration" \
	"$("$DUPTO" -n "$other" -j show | jq -c '[.generation, (.ports | length), (.rules | length)]')" \
	"[1,0,0]"
check_eq "the tool run inside a namespace sees that namespace" \
	"$(in_ns "$box" "$DUPTO" -j port show | jq -r '[.[].ifname] | sort | join(" ")')" "p0 p1"

# --- bad input ----------------------------------------------------------------
# MESSAGE ||| ARGUMENTS: one line naming the offending word, exit status 1.

while IFS='|' read -r msg args; do
	[[ -z $msg || $msg == \#* ]] && continue
	read -r -a argv <<<"$args"
	check_error "dupto ${args# }" "$msg" "$DUPTO" -n "$box" "${argv[@]}"
done <<'EOF'
dupto: unknown object "frob"; try "dupto help"| frob
dupto: port: unknown command "frob"; try "dupto port help"| port frob
dupto: "s" is ambiguous: sensor, save, show, stats| s
dupto: port: "s" is ambiguous: show, set| port s
dupto: sensor set: "s" is ambiguous: snaplen, sample, sample-flows| sensor set web s 5
dupto: sensor set: "rate" is given twice| sensor set web rate 5 ra 6
dupto: port add: missing DEV| port add
dupto: port add: cannot find device "nodev"| port add nodev
dupto: port add: unexpected argument "frob"| port add dum0 frob
dupto: port add: missing NAME| port add dum0 device name
dupto: port add: "tag" is given twice| port add dum0 tag 5 tag 6
dupto: port add: "device" is given twice| port add dum0 device dev
dupto: port del: missing DEV| port del
dupto: port del: "p2" is not a port| port del p2
dupto: port show: "p2" is not a port| port show p2
dupto: port show: unexpected argument "p1"| port show p0 p1
dupto: sensor add: device "web" already exists| sensor add web
dupto: sensor add: cannot find device "nodev"| sensor add s9 link nodev
dupto: sensor add: "link" is given twice| sensor add s9 link p2 snaplen 100 link p3
dupto: sensor add: "snaplen" is given twice| sensor add s9 snaplen 100 snap 200
dupto: sensor add: "abcdefghijklmnop" is not a device name (1 to 15 characters)| sensor add abcdefghijklmnop
dupto: sensor del: "p0" is not a dupto sensor| sensor del p0
dupto: sensor del: cannot find device "nodev"| sensor del nodev
dupto: sensor show: "p0" is not a dupto sensor| sensor show p0
dupto: rule add: missing RULE| rule add
dupto: rule add: "x" is not a rule number| rule add index x to rest
dupto: rule add: index 9 is beyond the end of the ruleset (2 rules)| rule add index 9 to rest
<rule>:1:7: error: expected a target name, found end of input| rule add tcp to
<rule>:1:5: error: expected 'and', 'or' or 'to', found 'prot'| rule add tcp prot 80 to web
<rule>:1:12: error: expected ',' or the end of the rule, found 'port'| rule add tcp to web port p0
dupto: rule del: "0" is not a rule number| rule del 0
dupto: rule del: there is no rule 9; the ruleset has 2 rules| rule del 9
dupto: stats: unexpected argument "frob"| stats frob
dupto: cannot read "/nonexistent": No such file or directory| load /nonexistent
dupto: load: unexpected argument "b"| load a b
dupto: save: unexpected argument "frob"| save frob
dupto: monitor: unexpected argument "frob"| monitor frob
EOF
check_error "-n: a namespace that does not exist" \
	'dupto: cannot open network namespace "nosuch": No such file or directory' \
	"$DUPTO" -n nosuch show

end_test
