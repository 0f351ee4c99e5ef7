#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# synopsis.sh DUPTO MANPAGE: the commands "DUPTO help" lists (from the
# tool's command table) are those the man page's SYNOPSIS lists and those
# its COMMANDS section describes, word for word: one TAP line each.
set -uo pipefail

dupto=$1 man=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# roff to text: fonts off, "\-" a minus
plain() {
	sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/[[:space:]]*$//'
}

"$dupto" help | sed -n 's/^ *dupto \[ OPTIONS \] //p' | sort >"$tmp/tool"
sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$man" | sed -n '/^\.nf/,/^\.fi/p' |
	plain | sed -n 's/^dupto \[ OPTIONS \] //p' | grep -v '^OBJECT ' | sort >"$tmp/synopsis"
sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$man" | sed -n 's/^\.SS dupto //p' |
	plain | sort >"$tmp/commands"

n=0 failed=0
for part in synopsis commands; do
	n=$((n + 1))
	if diff -u "$tmp/tool" "$tmp/$part" >"$tmp/diff"; then
		echo "ok $n - the man page's $part lists the tool's $(wc -l <"$tmp/tool") commands"
	else
		echo "not ok $n - the man page's $part lists the tool's commands (- tool, + man page)"
		sed 's/^/# /' "$tmp/diff"
		failed=1
	fi
done
echo "1..$n"
exit $failed
