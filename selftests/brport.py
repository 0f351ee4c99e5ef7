#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Bridge settings iproute2 6.1 cannot make or show, over raw rtnetlink.

  brport.py set BR mst_enabled 0|1
  brport.py set PORT mcast_max_groups|backup_nhid N
  brport.py get DEV mst_enabled|mcast_max_groups|backup_nhid
  brport.py mrp add BR RING_ID P_PORT S_PORT
  brport.py mrp interconnect BR RING_ID IN_ID I_PORT
  brport.py mrp show BR
  brport.py cfm add BR INSTANCE PORT
  brport.py cfm show BR

"set" reads the setting back; "get" prints it, "" if the kernel does not
report it. "mrp show" prints "ring ID p PORT s PORT i PORT" per MRP
instance, "cfm show" "mep INSTANCE PORT" per CFM MEP.

What the kernel lacks makes this exit 4 after "SKIP: why" (kselftest's
skip), so that the test that needed it says SKIP and never passes: an
attribute it ignores, or MRP or CFM built out (the bridge refuses them with
a bare EOPNOTSUPP). Any other refusal is "error ERRNO[: MESSAGE]", exit 1.
"""

import errno
import socket
import struct
import sys

import genl
from genl import Error, attr, attrs, find

NETLINK_ROUTE = 0
NLA_F_NESTED = 0x8000
RTM_NEWLINK, RTM_GETLINK, RTM_SETLINK = 16, 18, 19
AF_UNSPEC, AF_BRIDGE = 0, 7

# rtnetlink.h, if_link.h, if_bridge.h (6.12's numbers, which 6.1 shares)
IFLA_MASTER, IFLA_PROTINFO, IFLA_LINKINFO = 10, 12, 18
IFLA_AF_SPEC, IFLA_EXT_MASK = 26, 29
IFLA_INFO_KIND, IFLA_INFO_DATA, IFLA_INFO_SLAVE_DATA = 1, 2, 5
IFLA_BR_MULTI_BOOLOPT = 46
BR_BOOLOPT_MST_ENABLE = 2
IFLA_BRPORT_MCAST_MAX_GROUPS = 42
IFLA_BRPORT_BACKUP_NHID = 44
IFLA_BRIDGE_FLAGS, IFLA_BRIDGE_MRP, IFLA_BRIDGE_CFM = 0, 4, 5
BRIDGE_FLAGS_SELF = 2
RTEXT_FILTER_SKIP_STATS = 1 << 3
RTEXT_FILTER_MRP, RTEXT_FILTER_CFM_CONFIG = 1 << 4, 1 << 5
IFLA_BRIDGE_MRP_INSTANCE, IFLA_BRIDGE_MRP_IN_ROLE = 1, 8
IFLA_BRIDGE_MRP_INFO = 7
MRP_INSTANCE_RING_ID, MRP_INSTANCE_P_IFINDEX, MRP_INSTANCE_S_IFINDEX = 1, 2, 3
MRP_IN_ROLE_RING_ID, MRP_IN_ROLE_IN_ID = 1, 2
MRP_IN_ROLE_ROLE, MRP_IN_ROLE_I_IFINDEX = 3, 4
BR_MRP_IN_ROLE_MIC = 1
MRP_INFO_RING_ID, MRP_INFO_P_IFINDEX, MRP_INFO_S_IFINDEX = 1, 2, 3
MRP_INFO_I_IFINDEX = 10
IFLA_BRIDGE_CFM_MEP_CREATE, IFLA_BRIDGE_CFM_MEP_CREATE_INFO = 1, 9
CFM_CREATE_INSTANCE, CFM_CREATE_DOMAIN = 1, 2
CFM_CREATE_DIRECTION, CFM_CREATE_IFINDEX = 3, 4
BR_CFM_PORT, BR_CFM_MEP_DIRECTION_DOWN = 0, 0

PORT_ATTRS = {
    "mcast_max_groups": IFLA_BRPORT_MCAST_MAX_GROUPS,
    "backup_nhid": IFLA_BRPORT_BACKUP_NHID,
}


class Skip(Exception):
    pass


def nest(kind, *parts):
    return attr(kind | NLA_F_NESTED, b"".join(parts))


def u16(kind, v):
    return attr(kind, struct.pack("=H", v))


def u32(kind, v):
    return attr(kind, struct.pack("=I", v))


def u32_of(v):
    return struct.unpack("=I", v[:4])[0]


def request(sock, kind, payload, flags=0):
    return genl.nl_request(sock, kind, payload, flags)


def ifinfo(family, ifindex):
    return struct.pack("=BxHiII", family, 0, ifindex, 0, 0)


def index(name):
    try:
        return socket.if_nametoindex(name)
    except OSError:
        sys.exit(f"error: no device {name}")


def linkinfo(sock, ifindex, kind):
    """IFLA_INFO_DATA (kind 2) or IFLA_INFO_SLAVE_DATA (5) of a device."""
    reply = request(sock, RTM_GETLINK, ifinfo(AF_UNSPEC, ifindex) +
                    u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS))
    info = find(reply[0][16:], IFLA_LINKINFO)
    return find(info, kind) if info else None


def get(sock, dev, name):
    if name == "mst_enabled":
        data = linkinfo(sock, index(dev), IFLA_INFO_DATA)
        v = find(data, IFLA_BR_MULTI_BOOLOPT) if data else None
        return "" if v is None else str((u32_of(v) >> BR_BOOLOPT_MST_ENABLE) & 1)
    data = linkinfo(sock, index(dev), IFLA_INFO_SLAVE_DATA)
    v = find(data, PORT_ATTRS[name]) if data else None
    return "" if v is None else str(u32_of(v))


def set_(sock, dev, name, value):
    if name == "mst_enabled":
        bit = 1 << BR_BOOLOPT_MST_ENABLE
        bm = struct.pack("=II", bit if int(value) else 0, bit)
        request(sock, RTM_NEWLINK, ifinfo(AF_UNSPEC, index(dev)) +
                nest(IFLA_LINKINFO, attr(IFLA_INFO_KIND, b"bridge\0"),
                     nest(IFLA_INFO_DATA, attr(IFLA_BR_MULTI_BOOLOPT, bm))))
    else:
        # as "bridge link set" sends it: to the port's master
        request(sock, RTM_SETLINK, ifinfo(AF_BRIDGE, index(dev)) +
                nest(IFLA_PROTINFO, u32(PORT_ATTRS[name], int(value))))
    # older kernels ignore attributes they do not know
    if get(sock, dev, name) != str(int(value)):
        raise Skip(f"this kernel does not keep the bridge's {name}")


def bridge_self(sock, br, what, proto):
    """An IFLA_AF_SPEC request to bridge @br itself, as "... self" is."""
    try:
        request(sock, RTM_SETLINK, ifinfo(AF_BRIDGE, index(br)) +
                nest(IFLA_AF_SPEC, u16(IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_SELF),
                     proto))
    except Error as e:
        if e.err == errno.EOPNOTSUPP and not e.text:
            raise Skip(f"this kernel's bridge has no {what}") from e
        raise


def bridge_info(sock, br, filt, kind, entry):
    """The @entry nests of the bridge's own @kind nest, by RTM_GETLINK dump."""
    replies = request(sock, RTM_GETLINK, ifinfo(AF_BRIDGE, 0) +
                      u32(IFLA_EXT_MASK, filt), genl.NLM_F_DUMP)
    for r in replies:
        if struct.unpack("=i", r[4:8])[0] != index(br):
            continue
        spec = find(r[16:], IFLA_AF_SPEC)
        top = find(spec, kind) if spec else None
        return [v for t, v in attrs(top or b"") if t == entry]
    return []


def name(ifindex):
    return socket.if_indextoname(ifindex) if ifindex else "-"


def mrp(sock, args):
    if args[0] == "add":
        br, ring, p, s = args[1:5]
        bridge_self(sock, br, "MRP", nest(
            IFLA_BRIDGE_MRP, nest(IFLA_BRIDGE_MRP_INSTANCE,
                                  u32(MRP_INSTANCE_RING_ID, int(ring)),
                                  u32(MRP_INSTANCE_P_IFINDEX, index(p)),
                                  u32(MRP_INSTANCE_S_IFINDEX, index(s)))))
    elif args[0] == "interconnect":
        br, ring, in_id, i = args[1:5]
        bridge_self(sock, br, "MRP", nest(
            IFLA_BRIDGE_MRP, nest(IFLA_BRIDGE_MRP_IN_ROLE,
                                  u32(MRP_IN_ROLE_RING_ID, int(ring)),
                                  u16(MRP_IN_ROLE_IN_ID, int(in_id)),
                                  u32(MRP_IN_ROLE_ROLE, BR_MRP_IN_ROLE_MIC),
                                  u32(MRP_IN_ROLE_I_IFINDEX, index(i)))))
    else:
        for info in bridge_info(sock, args[1], RTEXT_FILTER_MRP,
                                IFLA_BRIDGE_MRP, IFLA_BRIDGE_MRP_INFO):
            a = {t: u32_of(v) for t, v in attrs(info) if len(v) >= 4}
            print(f"ring {a.get(MRP_INFO_RING_ID)}"
                  f" p {name(a.get(MRP_INFO_P_IFINDEX, 0))}"
                  f" s {name(a.get(MRP_INFO_S_IFINDEX, 0))}"
                  f" i {name(a.get(MRP_INFO_I_IFINDEX, 0))}")


def cfm(sock, args):
    if args[0] == "add":
        br, instance, port = args[1:4]
        bridge_self(sock, br, "CFM", nest(
            IFLA_BRIDGE_CFM, nest(IFLA_BRIDGE_CFM_MEP_CREATE,
                                  u32(CFM_CREATE_INSTANCE, int(instance)),
                                  u32(CFM_CREATE_DOMAIN, BR_CFM_PORT),
                                  u32(CFM_CREATE_DIRECTION,
                                      BR_CFM_MEP_DIRECTION_DOWN),
                                  u32(CFM_CREATE_IFINDEX, index(port)))))
    else:
        for info in bridge_info(sock, args[1], RTEXT_FILTER_CFM_CONFIG,
                                IFLA_BRIDGE_CFM, IFLA_BRIDGE_CFM_MEP_CREATE_INFO):
            a = {t: u32_of(v) for t, v in attrs(info) if len(v) >= 4}
            print(f"mep {a.get(CFM_CREATE_INSTANCE)}"
                  f" {name(a.get(CFM_CREATE_IFINDEX, 0))}")


def main(argv):
    sock = genl.open_netlink(NETLINK_ROUTE)
    try:
        if argv[0] == "set":
            set_(sock, argv[1], argv[2], argv[3])
        elif argv[0] == "get":
            print(get(sock, argv[1], argv[2]))
        elif argv[0] == "mrp":
            mrp(sock, argv[1:])
        elif argv[0] == "cfm":
            cfm(sock, argv[1:])
        else:
            sys.exit(__doc__)
    except Skip as e:
        print(f"SKIP: {e}")
        return 4
    except Error as e:
        print(f"error {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
