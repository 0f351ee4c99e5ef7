#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# completion.sh DUPTO COMPLETION: what bash completes with COMPLETION, for
# the tool DUPTO, against the tool's command table ("DUPTO help"): every
# object, every object's commands, devices, files and keywords. One TAP
# line per check.
set -uo pipefail

dupto=$1
. "$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

# complete LINE: the sorted completions of the last word of LINE (a line
# ending in a space completes a new, empty word)
complete_line() {
	local line=$1
	read -r -a COMP_WORDS <<<"$line"
	COMP_WORDS[0]=$dupto
	[[ $line == *' ' ]] && COMP_WORDS+=('')
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_dupto
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

# check NAME LINE EXPECTED: LINE completes to exactly EXPECTED (words)
check() {
	local name=$1 line=$2 want got
	n=$((n + 1))
	want=$(tr ' ' '\n' <<<"$3" | sed '/^$/d' | sort)
	got=$(complete_line "$line")
	if [[ $got == "$want" ]]; then
		echo "ok $n - completion: $name"
	else
		echo "not ok $n - completion: $name (\"$line\")"
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
		failed=1
	fi
}

# check_has NAME LINE WORD: LINE's completions include WORD
check_has() {
	local name=$1 line=$2
	n=$((n + 1))
	if complete_line "$line" | grep -q -x -- "$3"; then
		echo "ok $n - completion: $name"
	else
		echo "not ok $n - completion: $name: no \"$3\" for \"$line\""
		failed=1
	fi
}

# The objects, as the tool's usage lists them (its command table).
objects=$("$dupto" help | sed -n 's/^ *OBJECT := {\(.*\)}$/\1/p' | tr -d '|')
[[ -n $objects ]] || { echo "not ok 1 - completion: \"$dupto help\" lists objects"; exit 1; }
check "the objects of \"dupto help\"" "dupto " "$objects help"
check "an object by its prefix" "dupto se" "sensor"
check "the options" "dupto -" "-json -pretty -netns -Version -help"
# Each object's commands, as "dupto help" lists them, first words.
for o in $objects; do
	cmds=$("$dupto" help | sed -n "s/^ *dupto \[ OPTIONS \] $o \([a-z-]*\).*/\1/p" | sort -u | tr '\n' ' ')
	[[ -n ${cmds// /} ]] || continue
	check "the commands of \"$o\"" "dupto $o " "$cmds help"
done
check "port commands, as the tool names them" "dupto port " "show add set del help"
check_has "a device for \"port add\"" "dupto port add " lo
check_has "a device after \"link\"" "dupto sensor add s1 link " lo
check "nothing for a new sensor's name" "dupto sensor add " ""
check "port add's keywords" "dupto port add eth0 " "device name tag"
check_has "shaping keywords for \"sensor set\"" "dupto sensor set s1 " sample-flows
check_has "group add's keywords" "dupto group add g " members
: >"$tmp/ruleset.conf"
check "a file for \"load\"" "dupto load $tmp/rules" "$tmp/ruleset.conf"
check "a file for \"compile\"" "dupto compile $tmp/rules" "$tmp/ruleset.conf"
check "a capture after \"compile -r\"" "dupto compile x -r $tmp/rules" "$tmp/ruleset.conf"
echo "1..$n"
exit $failed
