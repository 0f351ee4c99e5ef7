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
 * another network namespace. Creating either needs the same permission as
 * the generic netlink family (below); a refusal is -EPERM with an extended
 * ACK message.
 *
 * Generic netlink
 * ---------------
 * Everything else is configured over the generic netlink family
 * DUPTO_GENL_NAME, version DUPTO_GENL_VERSION. The family is available in
 * every network namespace, each of which has its own configuration.
 * Requests are validated strictly: unknown attributes, attributes a command
 * does not take, unknown flag bits and non-zero reserved header fields are
 * refused.
 *
 * Who may call: every command, do or dump, reading or writing, requires
 * CAP_NET_ADMIN in the initial user namespace, of both the process that
 * opened the socket and the one sending the request. With the module
 * parameter userns_admin=1 (set when the module is loaded, read-only after)
 * CAP_NET_ADMIN in the user namespace that owns the caller's network
 * namespace is enough, so a container's root may configure its own
 * namespace. Anyone else gets -EPERM, with an extended ACK message naming
 * what is needed and the parameter's setting, except on kernels that give a
 * dump's start callback no extended ACK (6.1): a refused dump there is a
 * bare -EPERM.
 *
 * Errors come back as the netlink error code of the request's ACK with an
 * extended ACK message (NLMSGERR_ATTR_MSG) saying what was wrong and, where
 * one attribute is to blame, its offset (NLMSGERR_ATTR_OFFS). Callers should
 * set NETLINK_EXT_ACK on their socket to receive them.
 *
 * A namespace's configuration is its ports, which the commands below attach
 * and detach, its sensors, which are devices, and its ruleset, replaced as a
 * whole. Its generation, a u64 starting at 1 for an empty configuration, is
 * bumped by one for every change, each announced to listeners (see
 * Notifications): a port attached, detached (its device deleted or moved to
 * another namespace included) or relabelled, a sensor created, deleted or
 * reshaped, a ruleset loaded or removed.
 *
 * Ports
 * -----
 * A port is a device whose frames dupto classifies. It is named by the
 * device that receives the frames, the NIC: eth0 whether eth0 is attached in
 * place or owned by a port device. Ports are attached in one of two modes
 * (DUPTO_A_PORT_MODE, an enum dupto_port_mode; absent means
 * DUPTO_PORT_MODE_INPLACE):
 *
 *   DUPTO_PORT_MODE_INPLACE  a netfilter netdev ingress hook on the device
 *     itself, which may be a bridge port or any Ethernet device; nothing
 *     else changes. An egress hook is added while some rule of the ruleset
 *     classifies frames leaving the port (see dupto_vm.h, DUPTO_VM_RULE_OUT).
 *   DUPTO_PORT_MODE_DEVICE   a port device is created on the NIC; if the NIC
 *     was a bridge port, the port device takes its place in that bridge
 *     (created down, enslaved, then brought up if the NIC was up). Detaching
 *     gives the NIC its bridge membership back.
 *
 * Port devices created with "ip link add ... type dupto" are ports too, in
 * device mode, and "ip link del" of one detaches it.
 *
 * A port whose device goes away (deleted, moved to another namespace, or
 * the NIC under a port device unregistered) is detached. If the ruleset
 * names it, it is then "gone": its rules keep naming it and match nothing
 * of it, PORT_GET lists it with DUPTO_A_PORT_GONE, and the PORT_DEL
 * notification carries DUPTO_A_PORT_GONE. Attaching a device of that name
 * again (PORT_NEW, either mode, or a port device of that name) binds the
 * ruleset's entry to it, whatever its ifindex now, and frames leaving it are
 * classified again if a rule says "out on" it. A ruleset can only be loaded
 * while every port it names is attached.
 *
 * DUPTO_CMD_PORT_NEW
 *   Request: DUPTO_A_PORT { IFINDEX or IFNAME (exactly one), MODE,
 *            DEVNAME (device mode only: the port device's name; default
 *            "dupto%d") }
 *   Reply:   DUPTO_A_PORT as in a dump, DUPTO_A_GENERATION.
 *   Errors:  the device is already a port, is a dupto device or the lower
 *            device of one, is not an Ethernet device, or cannot be owned
 *            by a port device (device mode, same checks as rtnetlink).
 *
 * DUPTO_CMD_PORT_DEL
 *   Request: DUPTO_A_PORT { IFINDEX or IFNAME }: the NIC or, in device mode,
 *            the port device.
 *   Errors:  -ENOENT if it is not a port; -EBUSY if the ruleset names it
 *            (load a ruleset without it first).
 *
 * DUPTO_CMD_PORT_GET (dump)
 *   One message per port: DUPTO_A_PORT { IFINDEX, IFNAME, MODE, DEVINDEX
 *   and DEVNAME (device mode), OUT (flag: frames leaving it are classified),
 *   VID (if it has a label), STATS { DUPTO_A_PORT_STAT_* } }. Then one
 *   message per port the ruleset names that is gone: DUPTO_A_PORT { IFNAME
 *   (the name in the ruleset), GONE }.
 *
 * DUPTO_CMD_PORT_SET
 *   Request: DUPTO_A_PORT { IFINDEX or IFNAME, VID }: the port's label, a
 *            VLAN ID of 1 to 4094 that sensors asking for port labels
 *            (DUPTO_A_SENSOR_TAG) get pushed on their copies of the port's
 *            frames; VID absent or 0: no label. PORT_NEW takes VID too.
 *   Errors:  -ENOENT if it is not a port.
 *
 * Sensors
 * -------
 * Sensors are the dupto-sensor devices of the namespace; a ruleset's targets
 * name them. They are created and deleted with rtnetlink.
 *
 * DUPTO_CMD_SENSOR_GET (dump)
 *   One message per sensor: DUPTO_A_SENSOR { IFINDEX, IFNAME, LINK (the
 *   lower device's ifindex, if any), its shaping (the attributes below
 *   that are set), STATS { DUPTO_A_SENSOR_STAT_* } }.
 *
 * DUPTO_CMD_SENSOR_SET
 *   Request: DUPTO_A_SENSOR { IFINDEX or IFNAME, and the sensor's shaping
 *            as a whole, what is absent being off:
 *     SNAPLEN      copy only the first N bytes of each frame (14 to 65535) into
 *                  a fresh buffer; a VLAN tag the kernel keeps aside counts
 *                  in the N, as on the wire (the Ethernet header and that
 *                  tag are always kept)
 *     TAG          (flag) push an 802.1Q tag with the VID of the port the
 *                  frame came by (DUPTO_A_PORT_VID), if it has one; over the
 *                  frame's own tag if it has one (so the port's is outer)
 *     SAMPLE       keep 1 frame in N (a counter: exactly every Nth)
 *     SAMPLE_FLOW  keep the frames of 1 flow in N, chosen by the groups'
 *                  symmetric flow hash (addresses and ports) under a key
 *                  of its own (uapi/linux/dupto_vm.h, "Groups")
 *     RATE_PPS, RATE_BPS  token buckets, in frames and in bytes per second
 *                  (bytes of the copy as sent: after the snap length,
 *                  before a port label);
 *     BURST        how many frames, and 1514 bytes per frame, each bucket
 *                  holds: what may pass at once after a quiet time (default
 *                  1; 1 to DUPTO_BURST_MAX) }
 *            Copies go through sampling, then the rate limits, then are
 *            made (snap length) and tagged.
 *   Errors:  -ENODEV if it is not a dupto sensor; -EINVAL for a value out
 *            of range.
 *
 * Rulesets
 * --------
 * A ruleset is an image (uapi/linux/dupto_vm.h): the program, its sets, its
 * target and port tables and its rules' source. The kernel verifies it,
 * binds each target name to the namespace's sensor of that name and each
 * port name to the namespace's port of that name, and replaces the previous
 * ruleset at once: a frame is classified by the old or the new ruleset,
 * never by a mix. An image travels as the concatenation of the payloads of
 * the DUPTO_A_IMAGE attributes of one message, in order, so that it may
 * exceed the 64 KiB of a single attribute.
 *
 * DUPTO_CMD_RULESET_SET
 *   Request: DUPTO_A_IMAGE... (none: remove the ruleset, nothing is
 *            classified); DUPTO_A_GENERATION (optional: refuse with -ESTALE
 *            unless the configuration is still at this generation, so that
 *            a read-modify-write of the ruleset cannot lose another's
 *            change).
 *   Reply:   DUPTO_A_GENERATION, the new generation.
 *   Errors:  the verifier's and loader's messages ("insn 12: jump to insn 40
 *            beyond the end of the program", "program: worst-case cost
 *            ...", "record 4: target s0 named twice": each name is in its
 *            table once), a target that is not a dupto sensor of this
 *            namespace, a port that is not a port of this namespace, two
 *            names of one sensor or one port (an altname, a port's NIC and
 *            its port device: "targets s0 and s0b are the same sensor s0:
 *            name it once"), since a sensor is sent a frame once per target
 *            that is it. The image is loaded (verified, its sets built)
 *            before RTNL is taken, in time linear in its size, and the
 *            generation checked after: an image that is both stale and
 *            broken gets the loader's message.
 *
 * DUPTO_CMD_RULESET_GET (dump)
 *   The ruleset's image, in messages of DUPTO_A_GENERATION, DUPTO_A_IMAGE_LEN
 *   (the whole image's length) and DUPTO_A_IMAGE (the next piece). Without a
 *   ruleset, one message of DUPTO_A_GENERATION. If the configuration changes
 *   during the dump, NLM_F_DUMP_INTR is set on its messages: start again. If
 *   the ruleset itself is replaced, the dump ends at once: one last message
 *   of DUPTO_A_GENERATION alone, flagged NLM_F_DUMP_INTR, and nothing of
 *   either image after it.
 *
 * Counters
 * --------
 * Counters are kept per CPU and summed when read. Per rule: the frames and
 * bytes (wire length) each rule matched. Per port and per sensor: see the
 * DUPTO_A_*_STAT enums. Counters start at zero when their object is created
 * (a rule's when its ruleset is loaded).
 *
 * DUPTO_CMD_STATS_GET (dump)
 *   One message per rule of the ruleset: DUPTO_A_RULE { INDEX, PACKETS,
 *   BYTES }, all with DUPTO_A_GENERATION. Ports and sensors report theirs
 *   in their own dumps. A replaced ruleset ends the dump as for
 *   DUPTO_CMD_RULESET_GET: no rule of the new one is counted under an index
 *   of the old.
 *
 * DUPTO_CMD_STATS_RESET
 *   Request: no attributes. Zeroes every counter of the namespace: rules',
 *   ports' and sensors'.
 *
 * Notifications
 * -------------
 * Members of the multicast group DUPTO_MCGRP_CONFIG hear of every change to
 * their namespace's configuration, once it is complete. Joining needs
 * CAP_NET_ADMIN in the user namespace owning the network namespace,
 * whatever userns_admin says: the kernel checks it and lets no module
 * refuse a join. Each message is one change: the command that names it,
 * DUPTO_A_GENERATION (the generation the change made) and what changed,
 * without counters or rules:
 *
 *   DUPTO_CMD_PORT_NEW, _PORT_SET  DUPTO_A_PORT as in PORT_GET, the new
 *                  port's or the relabelled port's;
 *   DUPTO_CMD_PORT_DEL  DUPTO_A_PORT as it was, and GONE when the ruleset
 *                  names the port, which is now gone;
 *   DUPTO_CMD_SENSOR_NEW, _SENSOR_SET  DUPTO_A_SENSOR as in SENSOR_GET, the
 *                  new sensor (made with rtnetlink) or its new shaping;
 *   DUPTO_CMD_SENSOR_DEL  DUPTO_A_SENSOR { IFINDEX, IFNAME, LINK, and GONE
 *                  when the ruleset sent to it: its rules now send nothing
 *                  anywhere until a ruleset is loaded again };
 *   DUPTO_CMD_RULESET_SET  DUPTO_A_IMAGE_LEN (0: no ruleset).
 *
 * SENSOR_NEW and SENSOR_DEL are notifications only: as requests they are
 * refused (-EOPNOTSUPP). Since every change moves the generation by exactly
 * one, a listener that sees one skipped (its socket overflowed, or the
 * kernel had no memory for the message) has missed a change: it dumps what
 * it needs again.
 *
 * DUPTO_CMD_GET_INFO
 *   Request: no attributes.
 *   Reply:   DUPTO_A_INFO_VERSION (the module's version), DUPTO_A_INFO_ABI
 *            (DUPTO_ABI_VERSION of the module).
 *
 *   DUPTO_ABI_VERSION changes whenever a message or attribute changes
 *   meaning or a command's behaviour changes in a way a tool relies on. It
 *   is also the family's version (DUPTO_GENL_VERSION, which the controller
 *   reports as CTRL_ATTR_VERSION), and each request carries the version its
 *   sender was built for in its genetlink header: the module refuses every
 *   command but DUPTO_CMD_GET_INFO from a sender of another version
 *   (-EPROTO, "this request is not dupto netlink version N: use a dupto
 *   tool that matches the module"), and the tool refuses a module whose
 *   family has another version before it sends anything. GET_INFO answers
 *   any version, so that every tool can say what it found.
 *
 *   Version 2 (issue "safe to load"): only CAP_NET_ADMIN in the initial user
 *   namespace by default; DUPTO_A_PORT_GONE and gone ports in PORT_GET; dumps
 *   that end when their ruleset is replaced; images naming a target or a
 *   port twice refused.
 *
 *   Version 3 (issue "one way for each thing"): every change announced, once
 *   complete, and the generation moved by one for each: PORT_SET,
 *   SENSOR_SET and the new SENSOR_NEW and SENSOR_DEL notifications
 *   (DUPTO_A_SENSOR_GONE); the ranges of SNAPLEN and BURST
 *   (DUPTO_SNAPLEN_MIN/MAX, DUPTO_BURST_MAX) and of VID enforced by the
 *   policies.
 *
 *   Version 4 (issue "all of tcpdump's language"): ruleset images of
 *   version 2 (DUPTO_VM_VERSION), with the protocol chain instructions
 *   JCHAIN4 and JCHAIN6, and JON's DUPTO_VM_PORT_ANY.
 */

#ifndef _UAPI_LINUX_DUPTO_H
#define _UAPI_LINUX_DUPTO_H

#define DUPTO_GENL_NAME		"dupto"
#define DUPTO_ABI_VERSION	4
#define DUPTO_GENL_VERSION	DUPTO_ABI_VERSION
#define DUPTO_MCGRP_CONFIG	"config"

/*
 * The ranges of the numbers of sensors and ports, as the kernel checks them
 * (and the tool too, before it sends them).
 */
#define DUPTO_SNAPLEN_MIN	14		/* the Ethernet header */
#define DUPTO_SNAPLEN_MAX	65535
#define DUPTO_BURST_MAX		1000000		/* a bucket's depth in ns fits */
#define DUPTO_VID_MAX		4094

/* rtnetlink link kinds (IFLA_INFO_KIND) */
#define DUPTO_PORT_KIND		"dupto"
#define DUPTO_SENSOR_KIND	"dupto-sensor"

enum dupto_cmd {
	DUPTO_CMD_UNSPEC,
	DUPTO_CMD_GET_INFO,
	DUPTO_CMD_PORT_NEW,
	DUPTO_CMD_PORT_DEL,
	DUPTO_CMD_PORT_GET,
	DUPTO_CMD_SENSOR_GET,
	DUPTO_CMD_RULESET_SET,
	DUPTO_CMD_RULESET_GET,
	DUPTO_CMD_STATS_GET,
	DUPTO_CMD_STATS_RESET,
	DUPTO_CMD_SENSOR_SET,
	DUPTO_CMD_PORT_SET,
	DUPTO_CMD_SENSOR_NEW,		/* notifications only */
	DUPTO_CMD_SENSOR_DEL,

	__DUPTO_CMD_MAX
};
#define DUPTO_CMD_MAX (__DUPTO_CMD_MAX - 1)

enum dupto_attr {
	DUPTO_A_UNSPEC,
	DUPTO_A_INFO_VERSION,		/* NLA_NUL_STRING */
	DUPTO_A_INFO_ABI,		/* NLA_U32 */
	DUPTO_A_GENERATION,		/* NLA_U64 */
	DUPTO_A_PORT,			/* NLA_NESTED: DUPTO_A_PORT_* */
	DUPTO_A_SENSOR,			/* NLA_NESTED: DUPTO_A_SENSOR_* */
	DUPTO_A_IMAGE,			/* NLA_BINARY: the next piece of an image */
	DUPTO_A_IMAGE_LEN,		/* NLA_U32 */
	DUPTO_A_RULE,			/* NLA_NESTED: DUPTO_A_RULE_* */
	DUPTO_A_PAD,

	__DUPTO_A_MAX
};
#define DUPTO_A_MAX (__DUPTO_A_MAX - 1)

enum dupto_port_mode {
	DUPTO_PORT_MODE_INPLACE,
	DUPTO_PORT_MODE_DEVICE,

	__DUPTO_PORT_MODE_MAX
};
#define DUPTO_PORT_MODE_MAX (__DUPTO_PORT_MODE_MAX - 1)

enum dupto_port_attr {
	DUPTO_A_PORT_UNSPEC,
	DUPTO_A_PORT_IFINDEX,		/* NLA_U32: the NIC */
	DUPTO_A_PORT_IFNAME,		/* NLA_NUL_STRING */
	DUPTO_A_PORT_MODE,		/* NLA_U8: enum dupto_port_mode */
	DUPTO_A_PORT_DEVINDEX,		/* NLA_U32: the port device */
	DUPTO_A_PORT_DEVNAME,		/* NLA_NUL_STRING */
	DUPTO_A_PORT_OUT,		/* NLA_FLAG */
	DUPTO_A_PORT_STATS,		/* NLA_NESTED: DUPTO_A_PORT_STAT_* */
	DUPTO_A_PORT_VID,		/* NLA_U16: the port's label, 1-4094 */
	DUPTO_A_PORT_GONE,		/* NLA_FLAG: named by the ruleset, not attached */

	__DUPTO_A_PORT_MAX
};
#define DUPTO_A_PORT_MAX (__DUPTO_A_PORT_MAX - 1)

/* NLA_U64 each */
enum dupto_port_stat {
	DUPTO_A_PORT_STAT_UNSPEC,
	DUPTO_A_PORT_STAT_PAD,
	DUPTO_A_PORT_STAT_SEEN,		/* frames classified */
	DUPTO_A_PORT_STAT_MATCHED,	/* frames some rule matched */
	DUPTO_A_PORT_STAT_ERRORS,	/* frames a rule could not read to the end */

	__DUPTO_A_PORT_STAT_MAX
};
#define DUPTO_A_PORT_STAT_MAX (__DUPTO_A_PORT_STAT_MAX - 1)

enum dupto_sensor_attr {
	DUPTO_A_SENSOR_UNSPEC,
	DUPTO_A_SENSOR_IFINDEX,		/* NLA_U32 */
	DUPTO_A_SENSOR_IFNAME,		/* NLA_NUL_STRING */
	DUPTO_A_SENSOR_LINK,		/* NLA_U32: the lower device */
	DUPTO_A_SENSOR_STATS,		/* NLA_NESTED: DUPTO_A_SENSOR_STAT_* */
	DUPTO_A_SENSOR_SNAPLEN,		/* NLA_U32 */
	DUPTO_A_SENSOR_TAG,		/* NLA_FLAG */
	DUPTO_A_SENSOR_SAMPLE,		/* NLA_U32 */
	DUPTO_A_SENSOR_SAMPLE_FLOW,	/* NLA_U32 */
	DUPTO_A_SENSOR_RATE_PPS,	/* NLA_U32 */
	DUPTO_A_SENSOR_RATE_BPS,	/* NLA_U64 */
	DUPTO_A_SENSOR_BURST,		/* NLA_U32 */
	DUPTO_A_SENSOR_PAD,
	DUPTO_A_SENSOR_GONE,		/* NLA_FLAG: the ruleset sent to it (SENSOR_DEL) */

	__DUPTO_A_SENSOR_MAX
};
#define DUPTO_A_SENSOR_MAX (__DUPTO_A_SENSOR_MAX - 1)

/* NLA_U64 each: copies sent to the sensor, and discarded, by reason */
enum dupto_sensor_stat {
	DUPTO_A_SENSOR_STAT_UNSPEC,
	DUPTO_A_SENSOR_STAT_PAD,
	DUPTO_A_SENSOR_STAT_SENT,
	DUPTO_A_SENSOR_STAT_DOWN,	/* sensor down or without carrier */
	DUPTO_A_SENSOR_STAT_QUEUE,	/* refused by the sensor's transmit path */
	DUPTO_A_SENSOR_STAT_NOMEM,	/* no memory for the copy */
	DUPTO_A_SENSOR_STAT_LOOP,	/* mirroring from inside a mirror */
	DUPTO_A_SENSOR_STAT_RATELIMIT,	/* over the sensor's rate limit */
	DUPTO_A_SENSOR_STAT_SAMPLED,	/* sampled out */
	DUPTO_A_SENSOR_STAT_SNAPFAIL,	/* no memory for a snapped copy */

	__DUPTO_A_SENSOR_STAT_MAX
};
#define DUPTO_A_SENSOR_STAT_MAX (__DUPTO_A_SENSOR_STAT_MAX - 1)

enum dupto_rule_attr {
	DUPTO_A_RULE_UNSPEC,
	DUPTO_A_RULE_PAD,
	DUPTO_A_RULE_INDEX,		/* NLA_U32 */
	DUPTO_A_RULE_PACKETS,		/* NLA_U64 */
	DUPTO_A_RULE_BYTES,		/* NLA_U64 */

	__DUPTO_A_RULE_MAX
};
#define DUPTO_A_RULE_MAX (__DUPTO_A_RULE_MAX - 1)

#endif /* _UAPI_LINUX_DUPTO_H */
