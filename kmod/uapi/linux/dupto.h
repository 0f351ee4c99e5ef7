/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * dupto: classified mirroring of bridged traffic to network security sensors.
 *
 * Devices
 * -------
 * dupto creates two kinds of network device with plain rtnetlink, no
 * iproute2 plugin needed:
 *
 *   ip link add dp0 link eth0 type dupto          # a port device
 *   ip link add s0 [link eth2] type dupto-sensor  # a sensor device
 *
 * A port device owns its lower device (eth0): it takes eth0's receive
 * handler, becomes eth0's master and is enslaved to the bridge in eth0's
 * place. Frames received on eth0 are classified and go up through dp0; frames
 * transmitted on dp0 leave on eth0. A port device that nobody enslaves is a
 * monitor port: frames are classified and then discarded.
 *
 * A sensor device transmits every frame dupto mirrors to it, so a capture
 * on it sees them; with a lower device (a link cabled to a remote sensor) the
 * frames also leave on that device unchanged. A sensor link is transmit-only:
 * frames received on its lower device are discarded and counted as dropped.
 * Sensor devices can never be enslaved.
 *
 * Neither kind takes IFLA_INFO_DATA attributes; both refuse to move to
 * another network namespace.
 *
 * Generic netlink
 * ---------------
 * Everything else is configured over the generic netlink family
 * DUPTO_GENL_NAME, version DUPTO_GENL_VERSION. The family is available in
 * every network namespace and every command requires CAP_NET_ADMIN in the
 * user namespace that owns the caller's network namespace. Requests are
 * validated strictly: unknown attributes, unknown flag bits and non-zero
 * reserved header fields are refused.
 *
 * Errors come back as the netlink error code of the request's ACK with an
 * extended ACK message (NLMSGERR_ATTR_MSG) saying what was wrong and, where
 * one attribute is to blame, its offset (NLMSGERR_ATTR_OFFS). Callers should
 * set NETLINK_EXT_ACK on their socket to receive them.
 *
 * DUPTO_CMD_GET_INFO
 *   Request: no attributes.
 *   Reply (one message, same command):
 *     DUPTO_A_INFO_VERSION: NLA_NUL_STRING, the module's version
 *     DUPTO_A_INFO_ABI:     NLA_U32, DUPTO_ABI_VERSION the module implements
 *
 *   DUPTO_ABI_VERSION changes whenever a message or attribute changes
 *   meaning; new attributes and commands are added without changing it, so
 *   a tool checks it to refuse a module it cannot speak to.
 */

#ifndef _UAPI_LINUX_DUPTO_H
#define _UAPI_LINUX_DUPTO_H

#define DUPTO_GENL_NAME		"dupto"
#define DUPTO_GENL_VERSION	1
#define DUPTO_ABI_VERSION	1

/* rtnetlink link kinds (IFLA_INFO_KIND) */
#define DUPTO_PORT_KIND		"dupto"
#define DUPTO_SENSOR_KIND	"dupto-sensor"

enum dupto_cmd {
	DUPTO_CMD_UNSPEC,
	DUPTO_CMD_GET_INFO,

	__DUPTO_CMD_MAX
};
#define DUPTO_CMD_MAX (__DUPTO_CMD_MAX - 1)

enum dupto_info_attr {
	DUPTO_A_INFO_UNSPEC,
	DUPTO_A_INFO_VERSION,
	DUPTO_A_INFO_ABI,

	__DUPTO_A_INFO_MAX
};
#define DUPTO_A_INFO_MAX (__DUPTO_A_INFO_MAX - 1)

#endif /* _UAPI_LINUX_DUPTO_H */
