#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The netfilter hooks on a device, as "nft list hooks" shows them.

  nfhooks.py DEV ingress|egress

Prints one line per hook on DEV's netdev ingress or egress chain, in the
order they run: "FUNCTION MODULE" (MODULE is "-" for built-in code). Asks
nfnetlink_hook (NFNL_SUBSYS_HOOK); exits 4, the kselftest skip status, if
this kernel has none.
"""

import errno
import struct
import sys

import genl

NETLINK_NETFILTER = 12
NFNL_SUBSYS_HOOK, NFNL_MSG_HOOK_GET = 12, 0
NFPROTO_NETDEV = 5
HOOKS = {"ingress": 0, "egress": 1}
NFNLA_HOOK_HOOKNUM, NFNLA_HOOK_DEV = 1, 3
NFNLA_HOOK_FUNCTION_NAME, NFNLA_HOOK_MODULE_NAME = 4, 5
KSFT_SKIP = 4


def hooks(dev, hooknum):
    sock = genl.open_netlink(NETLINK_NETFILTER)
    nfgen = struct.pack("=BBH", NFPROTO_NETDEV, 0, 0)
    payload = nfgen + genl.attr(NFNLA_HOOK_HOOKNUM, struct.pack(">I", hooknum)) + \
        genl.attr(NFNLA_HOOK_DEV, dev.encode() + b"\0")
    for msg in genl.nl_request(sock, NFNL_SUBSYS_HOOK << 8 | NFNL_MSG_HOOK_GET,
                               payload, genl.NLM_F_DUMP):
        a = dict(genl.attrs(msg[4:]))
        name = a.get(NFNLA_HOOK_FUNCTION_NAME, b"?").rstrip(b"\0").decode()
        module = a.get(NFNLA_HOOK_MODULE_NAME, b"-").rstrip(b"\0").decode()
        yield f"{name} {module}"


def main(argv):
    if len(argv) != 2 or argv[1] not in HOOKS:
        sys.exit(__doc__)
    try:
        for line in hooks(argv[0], HOOKS[argv[1]]):
            print(line)
    except genl.Error as e:
        # nfnetlink's answer for a subsystem it does not have
        if e.err == errno.EINVAL and not e.text:
            print("this kernel has no nfnetlink_hook "
                  "(CONFIG_NETFILTER_NETLINK_HOOK)", file=sys.stderr)
            return KSFT_SKIP
        sys.exit(f"nfhooks.py: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
