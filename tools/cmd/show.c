// SPDX-License-Identifier: GPL-2.0
/*
 * The commands that read the whole configuration of a namespace: dupto
 * save, show and stats; and that reading, which load does too.
 */

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/dupto.h>

#include "dupto.h"
#include "objects.h"
#include "output.h"
#include "rtnl.h"

/* ---- reading everything ---- */

int ns_state_read(struct dupto_nl *nl, struct ns_state *st, bool stats)
{
	if (ruleset_get(nl, &st->rs, stats) || port_dump(nl, &st->cfg) ||
	    sensor_dump(nl, &st->cfg))
		return -1;
	return 0;
}

void ns_state_free(struct ns_state *st)
{
	model_free(&st->cfg);
	ruleset_free(&st->rs);
}

/*
 * What save, show and stats share: read everything (with the counters if
 * @stats), then @print it.
 */
static int read_and_print(bool stats, int (*print)(struct ns_state *st))
{
	struct ns_state st = { 0 };
	struct dupto_nl *nl;
	int err = -1;

	nl = dupto_nl_open();
	if (nl && !ns_state_read(nl, &st, stats))
		err = print(&st);
	dupto_nl_close(nl);
	ns_state_free(&st);
	return !!err;
}

/* ---- dupto save ---- */

static int print_save(struct ns_state *st)
{
	int err;

	ruleset_to_model(&st->rs, &st->cfg);
	err = model_write(stdout, &st->cfg, stderr);
	fflush(stdout);
	return err;
}

static int do_save(int argc, char **argv)
{
	if (argc)
		return bad_arg("save", argv[0]);
	return read_and_print(false, print_save);
}

/* ---- dupto show ---- */

static int print_show(struct ns_state *st)
{
	uint32_t i;

	out_open_object(NULL);
	out_uint("generation", "generation %" PRIu64 "\n", st->rs.generation);
	out_open_array("ports");
	for (i = 0; i < st->cfg.nports; i++)
		port_print(&st->cfg.ports[i], true);
	out_close_array();
	out_open_array("sensors");
	for (i = 0; i < st->cfg.nsensors; i++)
		sensor_print(&st->cfg.sensors[i], true);
	out_close_array();
	out_open_array("groups");
	for (i = 0; st->rs.prog && i < st->rs.prog->ngroups; i++)
		group_print(st->rs.prog, &st->rs.prog->groups[i], true);
	out_close_array();
	out_open_array("rules");
	for (i = 0; st->rs.prog && i < st->rs.prog->nrules; i++)
		rule_print(&st->rs, i, true);
	out_close_array();
	out_close_object();
	out_flush();
	return 0;
}

static int do_show(int argc, char **argv)
{
	if (argc)
		return bad_arg("show", argv[0]);
	return read_and_print(true, print_show);
}

/* ---- dupto stats ---- */

static int print_stats(struct ns_state *st)
{
	uint32_t i;

	out_open_object(NULL);
	out_uint("generation", NULL, st->rs.generation);
	out_open_array("rules");
	for (i = 0; st->rs.prog && i < st->rs.prog->nrules; i++)
		rule_print_stats(&st->rs, i, true);
	out_close_array();
	out_open_array("ports");
	for (i = 0; i < st->cfg.nports; i++)
		if (!st->cfg.ports[i].gone)
			port_print_stats(&st->cfg.ports[i], true);
	out_close_array();
	out_open_array("sensors");
	for (i = 0; i < st->cfg.nsensors; i++)
		sensor_print_stats(&st->cfg.sensors[i], true);
	out_close_array();
	out_close_object();
	out_flush();
	return 0;
}

static int do_stats(int argc, char **argv)
{
	struct dupto_nl *nl;
	int err;

	if (argc && !matches(argv[0], "reset"))
		return bad_arg("stats", argv[0]);
	if (argc > 1)
		return bad_arg("stats reset", argv[1]);
	if (!argc)
		return read_and_print(true, print_stats);
	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = dupto_nl_talk(nl, dupto_nl_msg(nl, DUPTO_CMD_STATS_RESET, 0), NULL, NULL);
	if (err)
		dupto_nl_perror(nl, err, "stats reset");
	dupto_nl_close(nl);
	return !!err;
}

static const struct cli_cmd save_cmds[] = {
	{ NULL, do_save, "" },
};

const struct cli_object dupto_save_object = DUPTO_OBJECT("save", save_cmds,
	"Print the namespace's configuration as a file that \"dupto load\" reads.\n");

static const struct cli_cmd show_cmds[] = {
	{ NULL, do_show, "" },
};

const struct cli_object dupto_show_object = DUPTO_OBJECT("show", show_cmds,
	"Print the namespace's ports, sensors, groups and rules, with their counters.\n");

static const struct cli_cmd stats_cmds[] = {
	{ NULL, do_stats, "[ reset ]" },
};

const struct cli_object dupto_stats_object = DUPTO_OBJECT("stats", stats_cmds,
	"Print the counters of rules, ports and sensors; \"reset\" zeroes them all.\n");
