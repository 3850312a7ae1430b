/*
 * sim_command.c — wufei-devsim's command language (README "Commands"):
 * one line in (`weight scale 1250`, `card 0400E2E1F5`, `unplug printer`,
 * `status`, ...), one answer line out, "ok ..." or "error: ...". The same
 * from stdin and from the control socket.
 */
#include "sim.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_dev *sim_dev_find(struct sim *s, const char *name)
{
	for (size_t i = 0; i < s->ndevs; i++)
		if (!strcmp(s->devs[i]->name, name))
			return s->devs[i];
	return NULL;
}

static json_t *dev_json(const struct sim_dev *d)
{
	const char *unit = d->role == DEVICE_ROLE_SCALE ? scale_unit_name(d->unit) : NULL;
	char transport[SIM_PATH_MAX + 8], tcp[64];
	snprintf(transport, sizeof(transport), "serial:%s", d->link);
	snprintf(tcp, sizeof(tcp), "tcp:127.0.0.1:%d", d->tcp_port);
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "role", protocol_role_name(d->role),
	              "protocol", d->proto->name, "link", d->link, "transport", transport, "line",
	              d->proto->line, "pty", d->pts, "plugged", d->plugged);
	if (o && unit)
		json_object_set_new(o, "unit", json_string(unit));
	if (o && d->want_tcp)
		json_object_set_new(o, "tcp", json_string(tcp));
	return o;
}

char *sim_devices_json(const struct sim *s)
{
	json_t *devs = json_object();
	for (size_t i = 0; i < s->ndevs; i++)
		json_object_set_new(devs, s->devs[i]->name, dev_json(s->devs[i]));
	json_t *o = json_pack("{s:s, s:s?, s:I, s:o}", "dir", s->dir, "control",
	                      s->control[0] ? s->control : NULL, "seed", (json_int_t)s->seed,
	                      "devices", devs);
	char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return txt;
}

static const char g_help[] =
    "ok commands: weight [DEV] GRAMS | motion [DEV] on|off | overload [DEV] [on|off] | "
    "zero [DEV] | tare [DEV] [clear] | refuse [DEV] on|off (scale refuses zero/tare) | "
    "card [DEV] HEX10 [HOLD_MS] | paper [DEV] ok|near|out | offline [DEV] on|off | "
    "corrupt [DEV] on|off (raster bytes in transit) | unplug DEV | replug DEV | "
    "garbage DEV [COUNT] | slow DEV on|off | power DEV on|off (line stays open) | "
    "status [DEV] | list | help | quit";

static int parse_onoff(const char *w, bool *out)
{
	if (w && !strcmp(w, "on"))
		*out = true;
	else if (w && !strcmp(w, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

/* The device a command is for: argv[1] if it names one, else the only (first)
 * device of the role. *argi is where the command's own arguments start. */
static struct sim_dev *target(struct sim *s, int role, char **argv, int argc, int *argi)
{
	*argi = 1;
	if (argc > 1) {
		struct sim_dev *d = sim_dev_find(s, argv[1]);
		if (d) {
			*argi = 2;
			return d;
		}
	}
	for (size_t i = 0; role >= 0 && i < s->ndevs; i++)
		if ((int)s->devs[i]->role == role)
			return s->devs[i];
	return NULL;
}

bool sim_parse_i64(const char *w, int64_t lo, int64_t hi, int64_t *out)
{
	if (!w || !*w)
		return false;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(w, &end, 10);
	if (errno || !end || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static void cmd_status(struct sim_dev *d, char *ans, size_t len)
{
	json_t *o = dev_json(d);
	json_object_set_new(o, "name", json_string(d->name));
	json_object_set_new(o, "dropped", json_integer((json_int_t)d->dropped));
	json_object_set_new(o, "power", json_boolean(!d->powered_off));
	if (d->role == DEVICE_ROLE_SCALE) {
		json_object_set_new(o, "load", json_integer(d->load_g));
		json_object_set_new(o, "net", json_integer(sim_scale_net_g(d)));
		json_object_set_new(o, "tare", json_integer(d->tare_g));
		json_object_set_new(o, "motion", json_boolean(d->motion));
		json_object_set_new(o, "overload", json_boolean(d->overload));
	} else if (d->role == DEVICE_ROLE_PRINTER) {
		const char *png, *txt;
		int n = sim_printer_receipts(d->printer, &png, &txt);
		json_object_set_new(o, "receipts", json_integer(n));
		json_object_set_new(o, "png", json_string(png));
		json_object_set_new(o, "txt", json_string(txt));
		json_object_set_new(o, "held", json_integer((json_int_t)d->held_len));
		json_object_set_new(o, "overrun", json_integer((json_int_t)d->overrun));
	}
	char *t = json_dumps(o, JSON_COMPACT);
	snprintf(ans, len, "ok %s", t ? t : "{}");
	free(t);
	json_decref(o);
}

static void cmd_scale(struct sim_dev *d, const char *cmd, char **argv, int argc, int ai, char *ans,
                      size_t len)
{
	bool on = true;
	int64_t v;
	if (!strcmp(cmd, "weight")) {
		if (argc != ai + 1 || !sim_parse_i64(argv[ai], -1000000000, 1000000000, &v)) {
			snprintf(ans, len, "error: usage: weight [DEV] GRAMS");
			return;
		}
		d->load_g = v;
		d->overload = false;
	} else if (!strcmp(cmd, "motion") || !strcmp(cmd, "refuse") || !strcmp(cmd, "overload")) {
		if ((argc > ai || strcmp(cmd, "overload")) &&
		    (argc != ai + 1 || parse_onoff(argv[ai], &on))) {
			snprintf(ans, len, "error: usage: %s [DEV] on|off", cmd);
			return;
		}
		if (cmd[0] == 'm')
			d->motion = on;
		else if (cmd[0] == 'r')
			d->refuse = on;
		else
			d->overload = on;
	} else if (!strcmp(cmd, "zero")) {
		d->zero_g = d->load_g;
		d->tare_g = 0;
	} else if (!strcmp(cmd, "tare")) {
		if (argc > ai && strcmp(argv[ai], "clear")) {
			snprintf(ans, len, "error: usage: tare [DEV] [clear]");
			return;
		}
		d->tare_g = argc > ai ? 0 : d->load_g - d->zero_g;
	}
	snprintf(ans, len, "ok");
}

static void cmd_printer(struct sim_dev *d, const char *cmd, char **argv, int argc, int ai,
                        char *ans, size_t len)
{
	bool on;
	if (!strcmp(cmd, "paper")) {
		if (argc != ai + 1 || sim_printer_set_paper(d->printer, argv[ai])) {
			snprintf(ans, len, "error: usage: paper [DEV] ok|near|out");
			return;
		}
	} else if (argc != ai + 1 || parse_onoff(argv[ai], &on)) {
		snprintf(ans, len, "error: usage: %s [DEV] on|off", cmd);
		return;
	} else if (!strcmp(cmd, "corrupt")) {
		sim_printer_set_corrupt(d->printer, on);
	} else {
		sim_printer_set_offline(d->printer, on);
	}
	snprintf(ans, len, "ok");
}

static void cmd_plumbing(struct sim *s, struct sim_dev *d, const char *cmd, char **argv, int argc,
                         int ai, char *ans, size_t len)
{
	char err[SIM_PATH_MAX + 128];
	bool on;
	int64_t n = 16;
	if (!strcmp(cmd, "unplug")) {
		if (!d->plugged) {
			snprintf(ans, len, "error: %s is not plugged in", d->name);
			return;
		}
		sim_pace_drain(s, d, false); /* a slow printer's buffer dies with it */
		sim_port_unplug(d);
	} else if (!strcmp(cmd, "replug")) {
		if (d->plugged)
			sim_port_unplug(d);
		if (sim_port_plug(d, err, sizeof(err))) {
			snprintf(ans, len, "error: %s", err);
			return;
		}
		snprintf(ans, len, "ok %s", d->pts);
		return;
	} else if (!strcmp(cmd, "garbage")) {
		if (argc > ai && (argc != ai + 1 || !sim_parse_i64(argv[ai], 1, 4096, &n))) {
			snprintf(ans, len, "error: usage: garbage DEV [COUNT]");
			return;
		}
		uint8_t g[4096];
		for (int64_t i = 0; i < n; i++)
			g[i] = (uint8_t)sim_rand(s);
		sim_dev_send(d, g, (size_t)n);
	} else if (!strcmp(cmd, "power")) {
		if (argc != ai + 1 || parse_onoff(argv[ai], &on)) {
			snprintf(ans, len, "error: usage: power DEV on|off");
			return;
		}
		if (on && d->powered_off) {
			/* power-on: the device forgets what it was asked (SIR, input) */
			d->sir = false;
			d->in_len = 0;
			d->out_len = 0;
			d->card[0] = '\0';
			if (d->printer)
				sim_printer_reset(d->printer);
			sim_pace_drain(s, d, false);
		}
		d->powered_off = !on;
	} else if (!strcmp(cmd, "slow")) {
		if (argc != ai + 1 || parse_onoff(argv[ai], &on)) {
			snprintf(ans, len, "error: usage: slow DEV on|off");
			return;
		}
		if (!on) {
			sim_port_flush(d);
			sim_pace_drain(s, d, true);
		}
		d->out_len = 0;
		d->slow = on;
	}
	snprintf(ans, len, "ok");
}

static int split_words(char *line, char **argv, int max)
{
	int argc = 0;
	char *save = NULL;
	for (char *w = strtok_r(line, " \t\r\n", &save); w && argc < max;
	     w = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = w;
	return argc;
}

void sim_command_run(struct sim *s, char *line, char *ans, size_t len)
{
	char *argv[8];
	int argc = split_words(line, argv, 8), ai;
	int64_t now = sim_now_ms();
	if (argc == 0) {
		snprintf(ans, len, "error: empty command (try help)");
		return;
	}
	const char *c = argv[0];
	int role = -1;
	if (!strcmp(c, "weight") || !strcmp(c, "motion") || !strcmp(c, "overload") ||
	    !strcmp(c, "zero") || !strcmp(c, "tare") || !strcmp(c, "refuse"))
		role = DEVICE_ROLE_SCALE;
	else if (!strcmp(c, "card"))
		role = DEVICE_ROLE_CARD;
	else if (!strcmp(c, "paper") || !strcmp(c, "offline") || !strcmp(c, "corrupt"))
		role = DEVICE_ROLE_PRINTER;
	if (!strcmp(c, "help")) {
		snprintf(ans, len, "%s", g_help);
	} else if (!strcmp(c, "quit")) {
		s->quit = true;
		snprintf(ans, len, "ok");
	} else if (!strcmp(c, "list")) {
		char *t = sim_devices_json(s);
		snprintf(ans, len, "ok %s", t ? t : "{}");
		free(t);
	} else if (role >= 0) {
		struct sim_dev *d = target(s, role, argv, argc, &ai);
		if (!d || (int)d->role != role) {
			snprintf(ans, len, "error: no %s device%s%s",
			         protocol_role_name((enum device_role)role),
			         argc > 1 ? " named " : "", argc > 1 ? argv[1] : "");
		} else if (role == DEVICE_ROLE_SCALE) {
			cmd_scale(d, c, argv, argc, ai, ans, len);
		} else if (role == DEVICE_ROLE_PRINTER) {
			cmd_printer(d, c, argv, argc, ai, ans, len);
		} else {
			int64_t hold = SIM_CARD_HOLD;
			if (argc < ai + 1 || argc > ai + 2 ||
			    (argc == ai + 2 && !sim_parse_i64(argv[ai + 1], 1, 600000, &hold)) ||
			    sim_card_start(d, argv[ai], (int)hold, now))
				snprintf(ans, len, "error: usage: card [DEV] HEX10 [HOLD_MS]");
			else
				snprintf(ans, len, "ok");
		}
	} else if (!strcmp(c, "unplug") || !strcmp(c, "replug") || !strcmp(c, "garbage") ||
	           !strcmp(c, "slow") || !strcmp(c, "power") || !strcmp(c, "status")) {
		struct sim_dev *d = argc > 1 ? sim_dev_find(s, argv[1]) : NULL;
		if (!d && !strcmp(c, "status") && argc == 1 && s->ndevs)
			d = s->devs[0];
		if (!d)
			snprintf(ans, len, "error: %s needs a device name (one of the list)", c);
		else if (!strcmp(c, "status"))
			cmd_status(d, ans, len);
		else
			cmd_plumbing(s, d, c, argv, argc, 2, ans, len);
	} else {
		snprintf(ans, len, "error: unknown command '%.64s' (try help)", c);
	}
}
