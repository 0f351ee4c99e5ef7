#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dupto.service under systemd as PID 1, on a box systemd-networkd runs:
# only in a guest that selftests/qemu/service-boot booted ("run
# --service"), which wrote /etc/dupto.conf and the networkd files, and
# installed and enabled the unit with "make install":
#
#   wanpeer --- wan == dp0 --+
#                            br0        sensors: web (link late0), rest
#   lanpeer --- lan ---------+
#
# At boot the unit waited for late0 (late-nic.service makes it once the
# unit says it waits), loaded the file, and networkd enslaved dp0, which
# dupto made, to br0. Then: reload with a changed file, with a broken one,
# with one naming a missing device; stop and start; in a namespace of its
# own, "dupto load -w" and a load the kernel refuses halfway; and last, a
# start without the module.

. "$(dirname "$0")/lib.sh"

[[ -d /run/systemd/system ]] ||
	skip "not booted with systemd (selftests/qemu/run --service boots a guest so)"
require_cmd systemctl journalctl jq python3

conf=/etc/dupto.conf

# The unit's messages of this boot, and those since journal_mark.
journal() {
	journalctl -q -b -o cat -u dupto.service
}
mark=0
journal_mark() {
	mark=$(journal | wc -l)
}
journal_since() {
	journal | tail -n +$((mark + 1))
}
# journal_has LINE: the line is among them, soon: journald reads what
# the unit writes on its own time.
journal_line=
journal_has() {
	journal_line=$1
	wait_for 5 journal_has_now
}
journal_has_now() {
	journal_since | grep -q -x -F -- "$journal_line"
}

# The texts of the loaded rules, one a line.
rules() {
	"$DUPTO" -j rule show | jq -r '.[].text'
}

# frames_to SENSOR: three tagged frames sent into wan reach SENSOR.
frames_to() {
	local before
	before=$(sent "$1")
	python3 "$lib_dir/frames.py" send wanpeer "svc$RANDOM" 3 &&
		wait_for 10 sent_at_least "$1" $((before + 3))
}

# sent_at_least SENSOR N: SENSOR was sent N copies or more.
sent_at_least() {
	(($(sent "$1") >= $2))
}

# The copies SENSOR was sent.
sent() {
	"$DUPTO" -j sensor show "$1" | jq -r '.[0].stats.sent'
}

# --- at boot ------------------------------------------------------------------

check_eq "dupto.service is active after boot" \
	"$(systemctl is-active dupto.service)" active
if journal_has "dupto: load: waiting up to 60 s for late0"; then
	pass "at boot, dupto.service waited for late0, which appeared after it started"
else
	fail "at boot, dupto.service waited for late0, which appeared after it started"
	note "$(journalctl -q -b -u dupto.service)"
fi

show=$("$DUPTO" -j show)
got=$(jq -c '[(.ports | map([.ifname, .mode, .device // ""])),
	      (.sensors | map([.ifname, .link // ""])),
	      (.rules | map(.text))]' <<<"$show")
check_eq "at boot, /etc/dupto.conf's ports, sensors and rules are loaded" "$got" \
	'[[["lan","inplace",""],["wan","device","dp0"]],[["rest",""],["web","late0"]],["ether proto 0x88b5 to web","else to rest"]]'
# networkd enslaves dp0 when it sees it appear, on its own time
master_of() {
	ip -j link show "$1" 2>/dev/null | jq -r '.[0].master // "none"'
}
dp0_in_br0() {
	[[ $(master_of dp0) == br0 ]]
}
wait_for 10 dp0_in_br0
check_eq "systemd-networkd enslaved dp0, the port device dupto made, to br0" \
	"$(master_of dp0)" br0
check_eq "and left wan, under it, out of the bridge" \
	"$(ip -j link show master br0 | jq -r '[.[].ifname] | sort | join(" ")')" "dp0 lan"
check "frames wan receives reach web, as the file says" frames_to web

# --- reload -------------------------------------------------------------------

sed -i -e 's/^rule ether proto 0x88b5 to web$/rule ether proto 0x88b5 to rest/' \
	-e 's/^rule else to rest$/rule else to web/' "$conf"
journal_mark
if out=$(systemctl reload dupto.service 2>&1); then
	pass "systemctl reload dupto loads the changed file"
else
	fail "systemctl reload dupto loads the changed file"
	note "$out" "$(journal_since)"
fi
check_eq "the new rules are loaded" "$(rules | tr '\n' ';')" \
	"ether proto 0x88b5 to rest;else to web;"
check "frames wan receives now reach rest" frames_to rest

before=$("$DUPTO" save)
good=$(cat "$conf")

# broken FILE-TEXT WHAT: a reload of a file with a mistake fails, the
# journal has the error as "dupto compile" words it (file:line:col), and
# the running configuration and the unit's state are unchanged.
broken() {
	local what=$1 want out
	want=$("$DUPTO" compile "$conf" 2>&1 >/dev/null | head -n 1)
	journal_mark
	if out=$(systemctl reload dupto.service 2>&1); then
		fail "a reload of a file $what fails"
		note "$out"
	else
		pass "a reload of a file $what fails"
	fi
	if [[ $want == "$conf":*:*:* ]] && journal_has "$want"; then
		pass "the journal has its file:line:col message"
	else
		fail "the journal has its file:line:col message"
		note "expected: $want" "journal:" "$(journal_since)"
	fi
	check_eq "the running configuration is unchanged" "$("$DUPTO" save)" "$before"
	check_eq "dupto.service is still active" "$(systemctl is-active dupto.service)" active
}

sed -i 's/^rule else to web$/rule else tcp prot 80 to web/' "$conf"
broken "with a syntax error"

# The compiler cannot know this one: the check against the namespace does.
printf '%s\n' "$good" | sed 's/^port lan$/port lan\nport nosuch0/' >"$conf"
journal_mark
if out=$(systemctl reload dupto.service 2>&1); then
	fail "a reload of a file naming a device that does not exist fails"
	note "$out"
else
	pass "a reload of a file naming a device that does not exist fails"
fi
want="$conf:3:6: error: there is no device 'nosuch0' in this namespace"
if journal_has "$want"; then
	pass "the journal names the device and its file:line:col"
else
	fail "the journal names the device and its file:line:col"
	note "expected: $want" "journal:" "$(journal_since)"
fi
check_eq "the running configuration is unchanged" "$("$DUPTO" save)" "$before"

# --- stop and start -----------------------------------------------------------

printf '%s\n' "$good" >"$conf"
check "systemctl stop dupto succeeds" systemctl stop dupto.service
show=$("$DUPTO" -j show)
check_eq "stopped, no rules are left, ports and sensors stay" \
	"$(jq -c '[(.rules | length), (.ports | map(.ifname)), (.sensors | map(.ifname))]' <<<"$show")" \
	'[0,["lan","wan"],["rest","web"]]'
check_eq "and dp0 is still br0's port" "$(master_of dp0)" br0
check "systemctl start dupto succeeds" systemctl start dupto.service
check_eq "started, the file is loaded again" "$("$DUPTO" save)" "$before"

# --- dupto load -w, in a namespace of its own ---------------------------------

ns_add box
printf 'port ghost0\nsensor s0\nrule to s0\n' >"$lib_tmp/ghost.conf"
start=$SECONDS
check_error "dupto load -w 1 names a device still missing after 1 s" \
	"dupto: load: no device ghost0 after 1 s" \
	"$DUPTO" -n "$box" load -w 1 "$lib_tmp/ghost.conf"
# "about": an emulated guest takes its time to start an ASan-built tool
check_eq "and gave up within seconds, not the 30 s of the next check" \
	"$((SECONDS - start < 15))" 1
check_eq "and changed nothing" "$("$DUPTO" -n "$box" -j sensor show)" "[]"
( sleep 1; ip -n "$box" link add ghost0 type veth peer name ghost1 ) &
lib_pids+=($!)
check "dupto load -w 30 loads once the device appears" \
	"$DUPTO" -n "$box" load -w 30 "$lib_tmp/ghost.conf"
check_eq "and the port is attached" \
	"$("$DUPTO" -n "$box" -j port show | jq -r '.[].ifname')" ghost0
check "dupto load -w 0 with every device there loads" \
	"$DUPTO" -n "$box" load -w 0 "$lib_tmp/ghost.conf"

# A step the kernel refuses that no check foresaw: the port device's name
# is taken, which only the kernel finds out, after load made sensor s1.
# load puts back what it changed.
ip -n "$box" link add taken0 type veth peer name taken1
ip -n "$box" link add nic1 type veth peer name nic1peer
printf 'port ghost0\nport nic1 device name taken0\nsensor s0\nsensor s1\nrule to s0, s1\n' \
	>"$lib_tmp/taken.conf"
before=$("$DUPTO" -n "$box" save)
check_error "a load the kernel refuses halfway says it put the configuration back" \
	"dupto: load stopped at this error, and put the configuration back as it was" \
	"$DUPTO" -n "$box" load "$lib_tmp/taken.conf"
check_eq "and it is as it was" "$("$DUPTO" -n "$box" save)" "$before"
check_eq "and the sensor it made is gone" "$(dupto_devices "$box" | sort | tr '\n' ' ')" "s0 "

# --- a kernel without the module ----------------------------------------------

# As after a kernel upgrade DKMS could not build the module for: the unit
# fails and its journal says why, from the tool. Everything dupto made goes
# first, so that the module can go; then its file is hidden from modprobe.
lib_cleanup_namespaces
systemctl stop dupto.service
"$DUPTO" load /dev/null
if ! wait_for 30 rmmod dupto; then
	fail "the module unloads, for the next check"
	note "$(lsmod | grep dupto)"
else
	mount -t tmpfs none "/lib/modules/$(uname -r)/updates"
	journal_mark
	check_fails "without the module, systemctl start dupto fails" \
		systemctl start dupto.service
	check_eq "and the unit is failed" "$(systemctl is-active dupto.service)" failed
	journal_line='dupto: .*module'
	if wait_for 5 eval 'journal_since | grep -q -E "$journal_line"'; then
		pass "and its journal says the module is missing"
	else
		fail "and its journal says the module is missing"
		note "$(journal_since)"
	fi
	umount "/lib/modules/$(uname -r)/updates"
fi
end_test
