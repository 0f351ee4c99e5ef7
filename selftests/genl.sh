#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The "dupto" generic netlink family: it reports the module's version, it
# is loaded on demand, only an administrator of the network namespace's
# user namespace may use it, and malformed requests are refused.
#
# No topology: the checks run in the initial namespace and in namespaces
# that unshare(1) makes for single commands.

. "$(dirname "$0")/lib.sh"

require_cmd jq python3 genl setpriv unshare
genl_py=$lib_dir/genl.py
tool_version=$("$DUPTO" -V | cut -d' ' -f2)

unload() {
	! grep -q '^dupto ' /proc/modules || rmmod dupto
}
loaded() {
	grep -q '^dupto ' /proc/modules
}

# --- versions and loading on demand -----------------------------------------

unload
check "the tool loads the module when it resolves the family" "$DUPTO" version
check "which is then loaded" loaded
check_eq "dupto version: the module's version is the tool's" \
	"$("$DUPTO" -j version | jq -r .module.version)" "$tool_version"
check_eq "dupto version: the netlink ABI" "$("$DUPTO" -j version | jq -r .module.abi)" 1
check "genl sees the family, version 1" \
	sh -c 'genl ctrl get name dupto | grep -q "Version: 0x1 "'

ns_add box
unload
in_ns "$box" ip link add v0 type veth peer name v1
check "creating a port loads the module" in_ns "$box" ip link add dp0 link v0 type dupto
unload
check "so does creating a sensor" in_ns "$box" ip link add s0 type dupto-sensor
check "the module is loaded" loaded

# --- permissions ------------------------------------------------------------

check_error "an unprivileged user is refused" \
	"dupto: cannot read the module's version: Operation not permitted" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$DUPTO" version
check "root of a user namespace may act on a namespace it owns" \
	unshare --user --map-root-user --net "$DUPTO" version
check_error "but not on the initial one, which it does not own" \
	"dupto: cannot read the module's version: Operation not permitted" \
	unshare --user --map-root-user "$DUPTO" version

# --- strictness -------------------------------------------------------------
# Requests the tool would never send, straight from a raw netlink socket.

get_info=1
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

end_test
