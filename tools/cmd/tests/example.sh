#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# example.sh DUPTO CONF: the example configuration the package installs
# compiles ("dupto compile", which checks a file as "dupto load" would,
# short of the devices), and declares what its comments say.
set -uo pipefail

dupto=$1 conf=$2
if out=$("$dupto" compile "$conf" 2>&1); then
	echo "ok 1 - the example configuration $conf compiles"
else
	echo "not ok 1 - the example configuration $conf compiles"
	sed 's/^/# /' <<<"$out"
	exit 1
fi
if [[ $(grep -c '^rule ' "$conf") == 3 && $(grep -c '^rule ' <<<"$out") == 3 ]]; then
	echo "ok 2 - its three rules are three rules of the program"
else
	echo "not ok 2 - its three rules are three rules of the program"
	exit 1
fi
echo "1..2"
