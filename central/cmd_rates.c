/*
 * cmd_rates.c — `wufei-central rates set|list`: categories and their rates.
 * Every `rates set` is a new rate version; drops name the version they were
 * credited with, and central keeps every version to recompute their points.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "commands.h"

/* The anonymous daily cap as the command line spells it: "none" or N. */
static const char *anon_cap_text(bool has, int64_t cap, char *buf, size_t len)
{
	if (!has)
		return "none";
	snprintf(buf, len, "%" PRId64, cap);
	return buf;
}

static int print_category(void *ctx, const struct wf_category *c)
{
	(void)ctx;
	char cap[24];
	printf("category %u\t%s\t%s\t%s\tversion %" PRIu32 "\trate %" PRId64 "\tmin %" PRId64
	       "\tmax %" PRId64 "\tdaily_limit %" PRId64 "\tanon_cap %s\n",
	       (unsigned)c->id, c->code, c->name, c->unit == WF_UNIT_PIECE ? "piece" : "g",
	       c->rate_version, c->rate, c->min_qty, c->max_qty, c->daily_limit_qty,
	       anon_cap_text(c->has_anon_cap, c->anon_cap_qty, cap, sizeof cap));
	return 0;
}

/* --anon-cap none|N into c: none (or left out) is no cap, N the grams or
 * pieces a kiosk's anonymous drops may earn points for each local day (0:
 * none of them earns any). */
static int anon_cap_opt(const struct cli_opts *o, struct wf_category *c)
{
	const char *v = cli_opt(o, "anon-cap");
	int64_t cap = 0;
	c->has_anon_cap = false;
	c->anon_cap_qty = 0;
	if (!v || strcmp(v, "none") == 0)
		return WF_OK;
	if (cli_pos_int(v, 0, WF_QTY_MAX, &cap) != WF_OK) {
		fputs("wufei-central: --anon-cap wants none or a quantity (g or pieces)\n", stderr);
		return WF_EINVAL;
	}
	c->has_anon_cap = true;
	c->anon_cap_qty = cap;
	return WF_OK;
}

static int print_rate(void *ctx, const struct store_rate *r)
{
	(void)ctx;
	char cap[24];
	printf("rate\tcategory %u\tversion %" PRIu32 "\t%s\t%" PRId64 "\tsince %" PRId64
	       "\tanon_cap %s\n",
	       (unsigned)r->category, r->version, r->unit == WF_UNIT_PIECE ? "piece" : "g", r->rate,
	       r->created_s, anon_cap_text(r->has_anon_cap, r->anon_cap_qty, cap, sizeof cap));
	return 0;
}

/* The category of rates set's options into c; WF_EINVAL (said why) when one is wrong. */
static int category_from_opts(const struct cli_opts *o, struct wf_category *c)
{
	int64_t id = 0, rate = 0, min = 0, max = 0, lim = 0;
	char why[128];
	const char *unit = cli_opt(o, "unit");
	memset(c, 0, sizeof *c);
	if (cli_opt_int(o, "id", 1, UINT16_MAX, &id, true) != WF_OK ||
	    cli_opt_int(o, "rate", 0, WF_RATE_MAX, &rate, true) != WF_OK ||
	    cli_opt_int(o, "min", 1, WF_QTY_MAX, &min, true) != WF_OK ||
	    cli_opt_int(o, "max", 1, WF_QTY_MAX, &max, true) != WF_OK ||
	    cli_opt_int(o, "daily-limit", 0, WF_QTY_MAX, &lim, false) != WF_OK ||
	    cli_opt_text(o, "code", c->code, sizeof c->code, true) != WF_OK ||
	    cli_opt_text(o, "name", c->name, sizeof c->name, true) != WF_OK || !unit ||
	    (strcmp(unit, "g") && strcmp(unit, "piece"))) {
		fputs("wufei-central: rates set needs --id --code --name --unit g|piece "
		      "--rate --min --max\n",
		      stderr);
		return WF_EINVAL;
	}
	c->id = (uint16_t)id;
	c->unit = strcmp(unit, "g") == 0 ? WF_UNIT_GRAM : WF_UNIT_PIECE;
	c->rate = rate;
	c->min_qty = min;
	c->max_qty = max;
	c->daily_limit_qty = lim;
	c->rate_version = 1;
	if (anon_cap_opt(o, c) != WF_OK)
		return WF_EINVAL;
	if (!wf_category_check(c, why, sizeof why)) {
		fprintf(stderr, "wufei-central: %s\n", why);
		return WF_EINVAL;
	}
	return WF_OK;
}

int cmd_rates(const struct cli_opts *o)
{
	const char *sub = o->npos > 0 ? o->pos[0] : "";
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	if (strcmp(sub, "list") == 0) {
		struct store_catalog_fns f = {.category = print_category, .rate = print_rate};
		return cli_finish(s, s->ops->catalog_read(s, -1, &f, NULL), "rates list");
	}
	if (strcmp(sub, "set") != 0) {
		store_close(s);
		cli_usage(stderr);
		return 2;
	}
	struct wf_category c;
	if (category_from_opts(o, &c) != WF_OK) {
		store_close(s);
		return 2;
	}
	int err = s->ops->rate_set(s, &c, (int64_t)time(NULL));
	char cap[24];
	if (!err)
		printf("category %u: rate version %" PRIu32 ", anonymous daily cap %s\n",
		       (unsigned)c.id, c.rate_version,
		       anon_cap_text(c.has_anon_cap, c.anon_cap_qty, cap, sizeof cap));
	return cli_finish_audited(
	    s, err, "rates set", "rates_set",
	    "category %u %s: version %" PRIu32 ", rate %" PRId64 ", min %" PRId64 ", max %" PRId64
	    ", daily limit %" PRId64 ", anonymous cap %s",
	    (unsigned)c.id, c.code, c.rate_version, c.rate, c.min_qty, c.max_qty, c.daily_limit_qty,
	    anon_cap_text(c.has_anon_cap, c.anon_cap_qty, cap, sizeof cap));
}
