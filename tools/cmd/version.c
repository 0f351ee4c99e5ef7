// SPDX-License-Identifier: GPL-2.0
/* dupto version: the tool's release and what the kernel module says of itself. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/dupto.h>

#include "version.h"
#include "dupto.h"
#include "nl.h"
#include "objects.h"
#include "output.h"

struct module_info {
	char version[64];
	uint32_t abi;
	bool has_abi;
};

static int info_attr_cb(const struct nlattr *attr, void *data)
{
	struct module_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case DUPTO_A_INFO_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(info->version, sizeof(info->version), "%s",
				 mnl_attr_get_str(attr));
		break;
	case DUPTO_A_INFO_ABI:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			info->abi = mnl_attr_get_u32(attr);
			info->has_abi = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	return dupto_nl_parse(nlh, info_attr_cb, data);
}

static int do_version(int argc, char **argv)
{
	struct module_info info = { .version = "" };
	struct dupto_nl *nl;
	int err;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "dupto: version takes no arguments\n");
		return 1;
	}

	out_open_object(NULL);
	out_str("tool", "dupto %s\n", DUPTO_VERSION);

	nl = dupto_nl_open_any_version();
	if (!nl) {
		out_close_object();
		out_flush();
		return 1;
	}
	err = dupto_nl_talk(nl, dupto_nl_msg(nl, DUPTO_CMD_GET_INFO, 0),
			    info_cb, &info);
	dupto_nl_close(nl);
	if (err || !info.has_abi) {
		out_close_object();
		out_flush();
		fprintf(stderr, "dupto: cannot read the module's version: %s\n",
			strerror(err ? -err : EPROTO));
		return 1;
	}

	out_open_object("module");
	out_str("version", "module %s", info.version);
	out_uint("abi", " (netlink ABI %" PRIu64 ")\n", info.abi);
	out_close_object();
	out_close_object();
	out_flush();

	if (info.abi != dupto_nl_abi) {
		fprintf(stderr,
			"dupto: the module speaks netlink ABI %u, this tool ABI %u: install matching versions\n",
			info.abi, dupto_nl_abi);
		return 1;
	}
	return 0;
}

static const struct cli_cmd cmds[] = {
	{ NULL, do_version, "" },
};

const struct cli_object dupto_version_object = DUPTO_OBJECT("version", cmds,
	"Print the tool's version and the module's, and their netlink versions.\n");
