/*
 * cmd_report.c — `wufei-central report daily|records|gaps|alerts|bins|close|residents`
 * (the office's reports, central/report/report.h, as a table, JSON or CSV
 * on standard output) and `wufei-central day close|reclose` (the office
 * closes a day: its totals frozen under a running number).
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "report.h"

/* --name as a day (YYYY-MM-DD or YYYYMMDD) into *day; absent: unchanged. */
static int opt_day(const struct cli_opts *o, const char *name, uint32_t *day)
{
	const char *v = cli_opt(o, name);
	if (!v)
		return WF_OK;
	if (!report_day_parse(v, day)) {
		bool printable = strlen(v) < 40;
		for (const char *c = v; printable && *c; c++)
			printable = *c > 0x20 && *c < 0x7f;
		fprintf(stderr,
		        "wufei-central: --%s %s is not a day: write YYYY-MM-DD, e.g. 2026-11-28\n",
		        name, printable ? v : "(that value)");
		return WF_EINVAL;
	}
	return WF_OK;
}

/* --name as a duration ("90m", "2h", "3d", seconds) into *s; absent: unchanged. */
static int opt_duration(const struct cli_opts *o, const char *name, int64_t min, int64_t *s)
{
	const char *v = cli_opt(o, name);
	if (!v)
		return WF_OK;
	if (!report_duration_parse(v, s) || *s < min) {
		fprintf(stderr,
		        "wufei-central: --%s wants a duration of at least %" PRId64
		        " s: seconds, or a number with m, h or d (e.g. 2h)\n",
		        name, min);
		return WF_EINVAL;
	}
	return WF_OK;
}

/* The filter and every report's options from the command line. */
static int report_options(const struct cli_opts *o, struct report_opts *r, enum report_format *fmt)
{
	int64_t kiosk = 0, cat = 0, limit = r->late_limit;
	const char *f = cli_opt(o, "format");
	if (f && !report_format_parse(f, fmt)) {
		fputs("wufei-central: --format wants table, json or csv\n", stderr);
		return WF_EINVAL;
	}
	const char *tol = cli_opt(o, "tolerance");
	if (tol && !report_tenths_parse(tol, &r->tolerance)) {
		fputs("wufei-central: --tolerance wants a percentage, e.g. 10 or 7.5\n", stderr);
		return WF_EINVAL;
	}
	int rc = opt_day(o, "from", &r->filter.from_day);
	if (!rc)
		rc = opt_day(o, "to", &r->filter.to_day);
	if (!rc && cli_opt(o, "day")) {
		rc = opt_day(o, "day", &r->filter.from_day);
		r->filter.to_day = r->filter.from_day;
	}
	if (!rc && r->filter.to_day && r->filter.from_day > r->filter.to_day) {
		fputs("wufei-central: --from is after --to\n", stderr);
		rc = WF_EINVAL;
	}
	if (!rc)
		rc = cli_opt_int(o, "kiosk", 1, UINT32_MAX, &kiosk, false);
	if (!rc)
		rc = cli_opt_int(o, "category", 1, UINT16_MAX, &cat, false);
	if (!rc)
		rc = cli_opt_int(o, "late-limit", 0, INT32_MAX, &limit, false);
	if (!rc)
		rc = opt_duration(o, "silent-after", 1, &r->silent_after_s);
	if (!rc)
		rc = opt_duration(o, "late-after", STORE_LATE_MIN_S, &r->late_after_s);
	if (!rc)
		rc = cli_opt_int(o, "near", 1, 100, &r->near_pct, false);
	if (!rc)
		rc = cli_opt_int(o, "days", 1, 100000, &r->near_days, false);
	r->filter.kiosk = (uint32_t)kiosk;
	r->filter.category = (uint16_t)cat;
	r->late_limit = limit;
	return rc;
}

static int (*const report_fns[])(struct store *, const struct report_opts *, struct report *) = {
    report_daily, report_records, report_gaps,      report_alerts,
    report_bins,  report_close,   report_residents,
};
static const char *const report_names[] = {"daily", "records", "gaps",     "alerts",
                                           "bins",  "close",   "residents"};
#define REPORT_KINDS 7

int cmd_report(const struct cli_opts *o)
{
	int which = -1;
	for (int i = 0; o->npos == 1 && i < REPORT_KINDS; i++)
		if (strcmp(o->pos[0], report_names[i]) == 0)
			which = i;
	struct report_opts r;
	enum report_format fmt = REPORT_FORMAT_TABLE;
	report_opts_default(&r, (int64_t)time(NULL));
	if (which < 0) {
		cli_usage(stderr);
		return 2;
	}
	if (report_options(o, &r, &fmt) != WF_OK)
		return 2;
	if (which == 1 && (!r.filter.kiosk || !cli_opt(o, "day"))) {
		fputs("wufei-central: report records needs --kiosk K --day YYYY-MM-DD\n", stderr);
		return 2;
	}
	if (which == 6 && (r.filter.kiosk || r.filter.category)) {
		fputs(
		    "wufei-central: report residents takes --from --to (or --day), --near PERCENT "
		    "and --days N, not --kiosk or --category: a resident's points are not a "
		    "kiosk's\n",
		    stderr);
		return 2;
	}
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	struct report rep;
	int rc = report_fns[which](s, &r, &rep);
	if (!rc && report_write(stdout, fmt, &rep) != 0) {
		fputs("wufei-central: cannot write the report\n", stderr);
		report_free(&rep);
		store_close(s);
		return 1;
	}
	report_free(&rep);
	return cli_finish(s, rc, "report");
}

struct close_said {
	const char *day;
	int64_t fresh; /* closes made now */
};

static int said_close(void *ctx, uint32_t kiosk, int64_t close_no, int fresh)
{
	struct close_said *c = ctx;
	const char *day = c->day;
	c->fresh += fresh != 0;
	if (fresh)
		printf("kiosk %" PRIu32 " day %s: closed, close #%" PRId64 "\n", kiosk, day,
		       close_no);
	else
		printf("kiosk %" PRIu32 " day %s: closed before as #%" PRId64
		       " (kept; 'day reclose' closes it anew)\n",
		       kiosk, day, close_no);
	return 0;
}

int cmd_day(const struct cli_opts *o)
{
	uint32_t day = 0;
	int64_t kiosk = 0;
	char text[11];
	bool again = o->npos == 1 && strcmp(o->pos[0], "reclose") == 0;
	if (o->npos != 1 || (!again && strcmp(o->pos[0], "close") != 0)) {
		cli_usage(stderr);
		return 2;
	}
	if (!cli_opt(o, "day")) {
		fputs("wufei-central: --day YYYY-MM-DD is required\n", stderr);
		return 2;
	}
	if (opt_day(o, "day", &day) != WF_OK ||
	    cli_opt_int(o, "kiosk", 1, UINT32_MAX, &kiosk, false) != WF_OK)
		return 2;
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	report_day_text(day, text);
	struct close_said said = {text, 0};
	int rc = s->ops->day_close(s, day, (uint32_t)kiosk, again, (int64_t)time(NULL), said_close,
	                           &said);
	char which[24] = "every kiosk";
	if (kiosk)
		snprintf(which, sizeof which, "kiosk %" PRId64, kiosk);
	if (rc || !said.fresh)
		return cli_finish(s, rc, "day close");
	return cli_finish_audited(
	    s, rc, again ? "day reclose" : "day close", again ? "day_reclose" : "day_close",
	    "%s, %s: %" PRId64 " kiosk day(s) closed", text, which, said.fresh);
}
