#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The "dupto" generic netlink family: it reports the module's version, it
# is loaded on demand, only CAP_NET_ADMIN in the initial user namespace may
# use it or create dupto links (or, with the module parameter userns_admin=1,
# an administrator of the network namespace's own user namespace), and
# malformed requests are refused.
#
# No topology: the checks run in the initial namespace and in namespaces
# that unshare(1) makes for single commands.

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 genl setpriv unshare
genl_py=$lib_dir/genl.py
get_info=1
tool_version=$("$DUPTO" -V | cut -d' ' -f2)

unload() {
	! grep -q '^dupto ' /proc/modules || rmmod dupto
}
loaded() {
	grep -q '^dupto ' /proc/modules
}

# --- versions and loading on demand -----------------------------------------
case_loading() {
	unload
	check "the tool loads the module when it resolves the family" "$DUPTO" version
	check "which is then loaded" loaded
	check_eq "dupto version: the module's version is the tool's" \
		"$("$DUPTO" -j version | jq -r .module.version)" "$tool_version"
	check_eq "dupto version: the netlink ABI" "$("$DUPTO" -j version | jq -r .module.abi)" 4
	check "genl sees the family, version 4" \
		sh -c 'genl ctrl get name dupto | grep -q "Version: 0x4 "'

	ns_add box
	unload
	in_ns "$box" ip link add v0 type veth peer name v1
	check "creating a port loads the module" in_ns "$box" ip link add dp0 link v0 type dupto
	unload
	check "so does creating a sensor" in_ns "$box" ip link add s0 type dupto-sensor
	check "the module is loaded" loaded
}

# --- permissions ------------------------------------------------------------
# For each setting of userns_admin: who is refused, with which message, and
# what a user namespace's root may do in a network namespace it owns. Every
# command of the family, do and dump, is asked raw (genl.py), with no
# attributes: a command that gets past the permission check then says what
# it lacks instead.
case_permissions() {
	lib_cleanup_namespaces
	msg_init="dupto needs CAP_NET_ADMIN in the initial user namespace (module parameter dupto.userns_admin=0)"
	msg_userns="dupto needs CAP_NET_ADMIN in the user namespace owning the network namespace (module parameter dupto.userns_admin=1)"


	# reload [PARAM=VALUE]: the module again, with that parameter. Namespaces
	# made earlier may still be going away, with their dupto devices.
	reload() {
		wait_for 20 unload && modprobe dupto "$@"
	}
	nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
	# The root of a new user namespace, in a new network namespace it owns.
	userns() {
		unshare --user --map-root-user --net "$@"
	}
	# first_line COMMAND...: what the command printed first, on either stream.
	first_line() {
		"$@" 2>&1 | head -n 1
	}

	for setting in 0 1; do
		check "userns_admin=$setting: the module loads" reload userns_admin=$setting
		check_eq "userns_admin=$setting: sysfs shows it" \
			"$(cat /sys/module/dupto/parameters/userns_admin)" \
			"$( ((setting)) && echo Y || echo N)"
		check_fails "userns_admin=$setting: it cannot be changed while loaded" \
			sh -c "echo $((1 - setting)) >/sys/module/dupto/parameters/userns_admin"
		msg=$msg_init
		((setting)) && msg=$msg_userns

		check_error "userns_admin=$setting: an unprivileged user is refused" \
			"dupto: kernel says: $msg" nobody "$DUPTO" version
		check_error "userns_admin=$setting: a user namespace's root, on the initial namespace" \
			"dupto: kernel says: $msg" unshare --user --map-root-user "$DUPTO" version
		check "userns_admin=$setting: root of the initial user namespace may" "$DUPTO" version

		# CMD | DUMP | what a namespace's admin gets once let through
		while IFS='|' read -r cmd dump allowed; do
			[[ -z $cmd || $cmd == \#* ]] && continue
			args=(dupto "$cmd")
			kind=do
			if [[ $dump == dump ]]; then
				args+=(--dump)
				kind=dump
			fi
			want=$allowed
			if ((!setting)); then
				want="error EPERM: $msg_init"
				[[ $kind == dump ]] && ! dump_start_says && want="error EPERM"
			fi
			check_eq "userns_admin=$setting: a user namespace's root, command $cmd ($kind)" \
				"$(first_line userns python3 "$genl_py" "${args[@]}")" "$want"
		done <<'EOF'
# GET_INFO, PORT_NEW, PORT_DEL, PORT_GET, SENSOR_GET
1|do|ok
2|do|error EINVAL: a port is needed
3|do|error EINVAL: a port is needed
4|dump|ok
5|dump|ok
# RULESET_SET (no image: no rules), RULESET_GET, STATS_GET, STATS_RESET
6|do|ok
7|dump|ok
8|dump|ok
9|do|ok
# SENSOR_SET, PORT_SET
10|do|error EINVAL: a sensor is needed
11|do|error EINVAL: a port is needed
EOF

		# Both link kinds, over rtnetlink, in a network namespace it owns.
		if ((setting)); then
			check_eq "userns_admin=1: a user namespace's root creates a sensor" \
				"$(userns sh -c 'ip link add s0 type dupto-sensor &&
					ip -d -j link show s0 | jq -r ".[0].linkinfo.info_kind"' 2>&1)" \
				dupto-sensor
			check_eq "userns_admin=1: and a port" \
				"$(userns sh -c 'ip link add v0 type veth peer name v1 &&
					ip link add dp0 link v0 type dupto &&
					ip -d -j link show dp0 | jq -r ".[0].linkinfo.info_kind"' 2>&1)" \
				dupto
			check_eq "userns_admin=1: and configures its namespace as today" \
				"$(userns sh -c 'ip link add v0 type veth peer name v1 &&
					"$0" sensor add s1 && "$0" port add v0 &&
					"$0" rule add icmp to s1 &&
					"$0" -j port show | jq -r ".[].ifname" &&
					"$0" -j rule show | jq -r ".[].text"' "$DUPTO" 2>&1)" \
				$'v0\nicmp to s1'
		else
			check_error "userns_admin=0: a user namespace's root cannot create a sensor" \
				"Error: $msg_init." userns ip link add s0 type dupto-sensor
			check_error "userns_admin=0: nor a port" \
				"Error: $msg_init." userns sh -c \
				'ip link add v0 type veth peer name v1 && ip link add dp0 link v0 type dupto'
			check_error "userns_admin=0: nor with the tool" \
				"dupto: kernel says: $msg_init" userns "$DUPTO" sensor add s1
		fi
	done
	check_eq "modinfo describes the parameter" \
		"$(modinfo -F parm dupto | grep '^userns_admin:')" \
		"userns_admin:let a network namespace's own admin (CAP_NET_ADMIN in its user namespace) configure dupto there; off: CAP_NET_ADMIN in the initial user namespace only. Fixed at load (bool)"
	check "the module loads with its default again" reload
	check_eq "which is off" "$(cat /sys/module/dupto/parameters/userns_admin)" N
}

# --- strictness -------------------------------------------------------------
# Requests the tool would never send, straight from a raw netlink socket.
case_strictness() {
	check_eq "a well-formed request is answered" \
		"$(python3 "$genl_py" dupto $get_info | head -1)" ok
	check_error "an attribute where none is taken is refused" \
		"error EINVAL: Attribute failed policy validation" \
		python3 "$genl_py" dupto $get_info --attr 1:00000000
	check_error "an attribute type beyond any defined is refused" \
		"error EINVAL: Unknown attribute type" \
		python3 "$genl_py" dupto $get_info --attr 7:00000000
	check_error "a non-zero reserved header field is refused" \
		"error EINVAL: genlmsghdr.reserved field is not 0" \
		python3 "$genl_py" dupto $get_info --reserved 1
	check_error "an unknown command is refused" \
		"error EOPNOTSUPP" python3 "$genl_py" dupto 99
	check_error "a dump of a command that has none is refused" \
		"error EOPNOTSUPP" python3 "$genl_py" dupto $get_info --dump
}

# --- versions of the protocol -----------------------------------------------
# A tool built for version 3 (before "all of tcpdump's language") sends 3 in
# each request's header: the module refuses it all but GET_INFO. Versions 2
# (before "one way for each thing") and 1 (before "safe to load") likewise.
case_versions() {
	stats_reset=9
	for old in 1 2 3; do
		check_eq "a version $old tool may still ask what the module is" \
			"$(python3 "$genl_py" dupto $get_info --version $old | head -1)" ok
		check_error "anything else from a version $old tool is refused, saying why" \
			"error EPROTO: this request is not dupto netlink version 4: use a dupto tool that matches the module" \
			python3 "$genl_py" dupto $stats_reset --version $old
		want="error EPROTO"
		dump_start_says && want+=": this request is not dupto netlink version 4: use a dupto tool that matches the module"
		check_error "and so is a dump" "$want" \
			python3 "$genl_py" dupto 4 --dump --version $old
	done
	check_eq "a version 4 request is answered" \
		"$(python3 "$genl_py" dupto $stats_reset | head -1)" ok

	# The tool, built as version 3's was, refuses this module before it sends
	# anything; "dupto version" says what each side speaks.
	old_tool=$(dirname "$DUPTO")/dupto-abi-prev
	check_error "a version 3 tool refuses a version 4 module, saying why" \
		"dupto: the module speaks dupto netlink version 4, this tool version 3: install matching versions" \
		"$old_tool" show
	check_error "and says so in dupto version" \
		"dupto: the module speaks netlink ABI 4, this tool ABI 3: install matching versions" \
		"$old_tool" version

	# Sensors come and go by rtnetlink: SENSOR_NEW and SENSOR_DEL are only
	# ever notifications.
	for cmd in 12 13; do
		check_error "command $cmd (SENSOR_NEW, SENSOR_DEL) is not a request" \
			"error EOPNOTSUPP" python3 "$genl_py" dupto $cmd
	done
}

run_cases loading permissions strictness versions

end_test
