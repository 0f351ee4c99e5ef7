# SPDX-License-Identifier: GPL-2.0
#
# The book's scenario, shared by scenario.sh (the test) and demo.sh: an
# intranet and the internet bridged by an inline box with two dupto ports
# and no IP address anywhere; two sensors whose links lead to sensor1 and
# sensor2, where tcpdump listens; web traffic to sensor1, all other TCP, UDP
# and ICMP to sensor2.
#
#   intranet                           box                            internet
#   eth0 10.0.0.1 --- p0 -[port]-+               +-[port]- p1 --- eth0 10.0.0.2
#                                +---- br0 -----+                 http :80, dns :53
#                  sensor1 -[sensor]- l1 ---- eth0 (tcpdump) sensor1
#                  sensor2 -[sensor]- l2 ---- eth0 (tcpdump) sensor2
#
# The ports are attached in place, or as port devices (MODE=device).
# Source lib.sh first.

scenario_rules='rule tcp port 80 to sensor1
rule else tcp or udp or icmp to sensor2'

# scenario_build MODE: the namespaces, cables, bridge and dupto config.
scenario_build() {
	local mode=$1 dev
	ns_add intranet internet box sensor1 sensor2

	veth_pair "$intranet" eth0 "$box" p0
	veth_pair "$internet" eth0 "$box" p1
	veth_pair "$sensor1" eth0 "$box" l1
	veth_pair "$sensor2" eth0 "$box" l2
	in_ns "$intranet" ip addr add 10.0.0.1/24 dev eth0
	in_ns "$internet" ip addr add 10.0.0.2/24 dev eth0
	# wire-sized frames, checksummed by the hosts, in every capture
	for ns in "$intranet" "$internet"; do
		in_ns "$ns" ethtool -K eth0 tso off gso off gro off tx off >/dev/null
	done

	in_ns "$box" ip link add br0 type bridge
	for dev in p0 p1; do
		in_ns "$box" ip link set "$dev" master br0
	done
	in_ns "$box" ip link set br0 up

	scenario_conf=$lib_tmp/dupto.conf
	{
		for dev in p0 p1; do
			if [[ $mode == device ]]; then
				echo "port $dev device"
			else
				echo "port $dev"
			fi
		done
		echo "sensor sensor1 link l1"
		echo "sensor sensor2 link l2"
		echo "$scenario_rules"
	} >"$scenario_conf"
	in_ns "$box" "$DUPTO" load "$scenario_conf"
}

# scenario_traffic: captures on the intranet (what crossed the bridge) and
# on both sensors while the intranet fetches a page, asks DNS and pings.
scenario_traffic() {
	head -c 200000 /dev/urandom >"$lib_tmp/page"
	bg "$internet" python3 -m http.server --bind 10.0.0.2 --directory "$lib_tmp" 80
	bg "$internet" python3 "$lib_dir/dns.py" serve 10.0.0.2
	wait_for 20 in_ns "$internet" sh -c 'ss -ltn | grep -q "10.0.0.2:80 "'
	wait_for 20 in_ns "$internet" sh -c 'ss -lun | grep -q "10.0.0.2:53 "'
	# the bridge has learnt both hosts before anything is compared
	in_ns "$intranet" ping -c 1 -W 2 10.0.0.2 >/dev/null

	capture_start "$intranet" eth0 "$lib_tmp/wire.pcap"
	capture_start "$sensor1" eth0 "$lib_tmp/sensor1.pcap"
	capture_start "$sensor2" eth0 "$lib_tmp/sensor2.pcap"

	in_ns "$intranet" python3 -c '
import hashlib, sys, urllib.request
page = urllib.request.urlopen("http://10.0.0.2/page", timeout=30).read()
print(hashlib.sha256(page).hexdigest())' >"$lib_tmp/got.sha"
	in_ns "$intranet" python3 "$lib_dir/dns.py" query 10.0.0.2 sensors.example >"$lib_tmp/dns.out"
	in_ns "$intranet" ping -c 3 -i 0.2 10.0.0.2 >"$lib_tmp/ping.out"

	capture_stop "$lib_tmp"/{sensor2,sensor1,wire}.pcap
}

# scenario_expect FILTER OUT: the frames that crossed the bridge and match
# FILTER, as libpcap (tcpdump) sees it.
scenario_expect() {
	tcpdump -r "$lib_tmp/wire.pcap" -w "$2" "$1" 2>/dev/null
}
