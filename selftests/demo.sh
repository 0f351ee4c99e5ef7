#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": the book's scenario (scenario-lib.sh has the diagram). An
# inline box bridges an intranet and the internet through two dupto ports,
# with no IP address anywhere on it; web traffic goes to sensor1, all other
# TCP, UDP and ICMP to sensor2. The intranet fetches a page, asks DNS and
# pings; then each sensor's capture is listed, as tcpdump prints it.

. "$(dirname "$0")/lib.sh"
. "$lib_dir/scenario-lib.sh"

require_cmd jq python3 tcpdump ethtool
load_dupto

say() {
	printf '\n== %s\n' "$*"
}

# show NS COMMAND...: print "NAME# COMMAND" and run it.
show() {
	local ns=$1
	shift
	printf '%s# %s\n' "${ns#dupto-$$-}" "$*"
	ip netns exec "$ns" "$@" 2>&1 | sed 's/^/    /'
}

scenario_build inplace 2>/dev/null

say "The box's configuration, loaded with: dupto load dupto.conf"
sed 's/^/    /' "$scenario_conf"
show "$box" "$DUPTO" show

say "No IP address anywhere on the box"
show "$box" ip -br addr

say "The intranet fetches a page over HTTP, asks DNS, pings"
scenario_traffic 2>/dev/null
printf '    page: %s bytes, sha256 %s (sent %s)\n' \
	"$(stat -c %s "$lib_tmp/page")" "$(cut -c1-16 "$lib_tmp/got.sha")" \
	"$(sha256sum "$lib_tmp/page" | cut -c1-16)"
printf '    dns: sensors.example is %s\n' "$(cat "$lib_tmp/dns.out")"
sed -n 's/^/    /; /packets transmitted/p' "$lib_tmp/ping.out"

for s in sensor1 sensor2; do
	say "What $s saw"
	tcpdump -r "$lib_tmp/$s.pcap" -n -t 2>/dev/null | sed 's/^/    /'
done

say "The counters"
show "$box" "$DUPTO" stats
