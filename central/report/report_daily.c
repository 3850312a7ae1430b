/*
 * report_daily.c — the daily report and its drill-down to records, and the
 * text helpers every report shares; see report.h.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record.h"
#include "wf.h"

void report_opts_default(struct report_opts *o, int64_t now_s)
{
	memset(o, 0, sizeof *o);
	o->now_s = now_s;
	o->silent_after_s = REPORT_SILENT_AFTER_S;
	o->late_after_s = REPORT_LATE_AFTER_S;
	o->late_limit = REPORT_LATE_LIMIT;
	o->tolerance = REPORT_TOLERANCE;
	o->near_pct = REPORT_NEAR_PCT;
	o->near_days = REPORT_NEAR_DAYS;
}

bool report_day_parse(const char *text, uint32_t *day)
{
	char digits[9];
	size_t n = 0;
	if (!text)
		return false;
	size_t len = strlen(text);
	bool dashed = len == 10 && text[4] == '-' && text[7] == '-';
	if (!dashed && len != 8)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (dashed && (i == 4 || i == 7))
			continue;
		if (text[i] < '0' || text[i] > '9')
			return false;
		digits[n++] = text[i];
	}
	digits[n] = '\0';
	uint32_t d = (uint32_t)strtoul(digits, NULL, 10);
	if (!wf_record_day_valid(d))
		return false;
	*day = d;
	return true;
}

void report_day_text(uint32_t day, char out[11])
{
	/* yyyymmdd to yyyy-mm-dd, by hand: a 30-day report has one per row */
	static const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
	for (int i = 7; i >= 0; i--, day /= 10)
		out[at[i]] = (char)('0' + day % 10);
	out[4] = out[7] = '-';
	out[10] = '\0';
}

void report_time_text(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, 32, "%" PRId64 " s", t);
}

bool report_duration_parse(const char *text, int64_t *seconds)
{
	char *end = NULL;
	if (!text || *text < '0' || *text > '9')
		return false;
	long long v = strtoll(text, &end, 10);
	int64_t unit = 1;
	if (*end == 'm')
		unit = 60;
	else if (*end == 'h')
		unit = 3600;
	else if (*end == 'd')
		unit = 86400;
	else if (*end != 's' && *end != '\0')
		return false;
	if (*end && end[1] != '\0')
		return false;
	if (v < 0 || v > INT64_C(100) * 365 * 86400 / unit)
		return false;
	*seconds = v * unit;
	return true;
}

bool report_tenths_parse(const char *text, int64_t *tenths)
{
	char *end = NULL;
	if (!text || *text < '0' || *text > '9')
		return false;
	long long v = strtoll(text, &end, 10);
	int64_t t = 0;
	if (*end == '.' && end[1] >= '0' && end[1] <= '9' && end[2] == '\0')
		t = end[1] - '0';
	else if (*end != '\0')
		return false;
	if (v > 1000000)
		return false;
	*tenths = v * 10 + t;
	return true;
}

int report_write(FILE *f, enum report_format fmt, const struct report *r)
{
	const struct report_table *t[REPORT_TABLES_MAX];
	for (int i = 0; i < r->ntables; i++)
		t[i] = &r->tables[i];
	return report_tables_write(f, fmt, r->name, t, r->ntables);
}

void report_free(struct report *r)
{
	for (int i = 0; i < r->ntables; i++)
		report_table_clear(&r->tables[i]);
	r->ntables = 0;
}

/* ---- daily ---- */

enum {
	D_DAY,
	D_KIOSK,
	D_CAT,
	D_NAME,
	D_DROPS,
	D_GRAMS,
	D_PIECES,
	D_POINTS,
	D_CLAIMED,
	D_REDEEMED,
	D_CLOSE,
	D_DDROPS,
	D_DGRAMS,
	D_DPIECES,
	D_DPOINTS,
	D_NCOLS
};

static const struct report_col daily_cols[D_NCOLS] = {
    {"day", "day", REPORT_TEXT},
    {"kiosk", "kiosk", REPORT_INT},
    {"category", "cat", REPORT_INT},
    {"category_name", "category", REPORT_TEXT},
    {"drops", "drops", REPORT_INT},
    {"grams", "grams", REPORT_INT},
    {"pieces", "pieces", REPORT_INT},
    {"points", "points issued", REPORT_INT},
    {"points_claimed", "claimed", REPORT_INT},
    {"points_redeemed", "redeemed", REPORT_INT},
    {"close_no", "close #", REPORT_INT},
    {"late_drops", "drops since close", REPORT_INT},
    {"late_grams", "grams since", REPORT_INT},
    {"late_pieces", "pieces since", REPORT_INT},
    {"late_points", "points since", REPORT_INT},
};

/* Points the ledger moved, sorted by (kiosk, day, category) for lookup. */
struct flows {
	struct store_ledger_flow *v;
	size_t n, cap;
	int rc;
};

static int flow_add(void *ctx, const struct store_ledger_flow *r)
{
	struct flows *fl = ctx;
	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 64;
		struct store_ledger_flow *v = realloc(fl->v, cap * sizeof *v);
		if (!v) {
			fl->rc = WF_ENOMEM;
			return 1;
		}
		fl->v = v;
		fl->cap = cap;
	}
	fl->v[fl->n++] = *r;
	return 0;
}

static int flow_cmp(const void *a, const void *b)
{
	const struct store_ledger_flow *x = a, *y = b;
	uint64_t kx = (uint64_t)x->kiosk << 40 | (uint64_t)x->local_day << 16 | x->category;
	uint64_t ky = (uint64_t)y->kiosk << 40 | (uint64_t)y->local_day << 16 | y->category;
	return kx < ky ? -1 : kx > ky;
}

struct daily_run {
	struct report_table *t;
	struct flows flows;
	struct store_totals sum, late;
	int64_t claimed, redeemed;
	int rc;
};

static void set_totals(struct report_table *t, long row, int col, const struct store_totals *v)
{
	report_set_int(t, row, col, v->drops);
	report_set_int(t, row, col + 1, v->grams);
	report_set_int(t, row, col + 2, v->pieces);
	report_set_int(t, row, col + 3, v->points);
}

static void add_totals(struct store_totals *a, const struct store_totals *b, int sign)
{
	a->drops += sign * b->drops;
	a->grams += sign * b->grams;
	a->pieces += sign * b->pieces;
	a->points += sign * b->points;
}

static int daily_row(void *ctx, const struct store_daily_row *r)
{
	struct daily_run *w = ctx;
	char day[11];
	long row = report_row_add(w->t);
	report_day_text(r->local_day, day);
	if (row < 0 || !report_set_text(w->t, row, D_DAY, day) ||
	    !report_set_text(w->t, row, D_NAME, r->category_name)) {
		w->rc = WF_ENOMEM;
		return 1;
	}
	report_set_int(w->t, row, D_KIOSK, r->kiosk);
	report_set_int(w->t, row, D_CAT, r->category);
	/* a closed day shows what was frozen; what came since is the difference */
	const struct store_totals *shown = r->close_no ? &r->frozen : &r->live;
	set_totals(w->t, row, D_DROPS, shown);
	add_totals(&w->sum, shown, 1);
	if (r->close_no) {
		struct store_totals late = r->live;
		add_totals(&late, &r->frozen, -1);
		report_set_int(w->t, row, D_CLOSE, r->close_no);
		set_totals(w->t, row, D_DDROPS, &late);
		add_totals(&w->late, &late, 1);
	}
	struct store_ledger_flow key = {
	    .kiosk = r->kiosk, .local_day = r->local_day, .category = r->category};
	const struct store_ledger_flow *fl =
	    w->flows.n ? bsearch(&key, w->flows.v, w->flows.n, sizeof key, flow_cmp) : NULL;
	report_set_int(w->t, row, D_CLAIMED, fl ? fl->claimed : 0);
	report_set_int(w->t, row, D_REDEEMED, fl ? fl->redeemed : 0);
	w->claimed += fl ? fl->claimed : 0;
	w->redeemed += fl ? fl->redeemed : 0;
	return 0;
}

static int daily_total(struct daily_run *w)
{
	long row = report_row_add(w->t);
	if (row < 0 || !report_set_text(w->t, row, D_DAY, "TOTAL"))
		return WF_ENOMEM;
	set_totals(w->t, row, D_DROPS, &w->sum);
	report_set_int(w->t, row, D_CLAIMED, w->claimed);
	report_set_int(w->t, row, D_REDEEMED, w->redeemed);
	set_totals(w->t, row, D_DDROPS, &w->late);
	return WF_OK;
}

int report_daily(struct store *s, const struct report_opts *o, struct report *out)
{
	memset(out, 0, sizeof *out);
	out->name = "daily";
	out->ntables = 1;
	struct daily_run w = {.t = &out->tables[0]};
	report_table_init(w.t, "rows", "Daily totals by local day, kiosk and category", daily_cols,
	                  D_NCOLS);
	int rc = s->ops->report_ledger_flows(s, &o->filter, flow_add, &w.flows);
	if (!rc)
		rc = w.flows.rc;
	if (!rc && w.flows.n)
		qsort(w.flows.v, w.flows.n, sizeof *w.flows.v, flow_cmp);
	/* redemptions belong to residents, not kiosks: the TOTAL row has them */
	for (size_t i = 0; !rc && i < w.flows.n && w.flows.v[i].kiosk == 0; i++)
		w.redeemed += w.flows.v[i].redeemed;
	if (!rc)
		rc = s->ops->report_daily(s, &o->filter, daily_row, &w);
	if (!rc)
		rc = w.rc;
	if (!rc)
		rc = daily_total(&w);
	if (!rc && w.late.drops)
		report_note_set(w.t,
		                &(struct report_msg){N_("%lld drop(s) arrived after their day was "
		                                        "closed: see the \"since close\" columns "
		                                        "(report records --kiosk K --day D lists "
		                                        "them)"),
		                                     -1,
		                                     {w.late.drops}});
	free(w.flows.v);
	return rc;
}

/* ---- records: the drops behind a daily row ---- */

enum {
	R_KIOSK,
	R_SEQ,
	R_TIME,
	R_RECEIVED,
	R_CAT,
	R_UNIT,
	R_QTY,
	R_CREDITED,
	R_POINTS,
	R_RESIDENT,
	R_AFTER,
	R_NCOLS
};

static const struct report_col record_cols[R_NCOLS] = {
    {"kiosk", "kiosk", REPORT_INT},
    {"seq", "seq", REPORT_INT},
    {"time", "recorded", REPORT_TEXT},
    {"received", "received", REPORT_TEXT},
    {"category", "cat", REPORT_INT},
    {"unit", "unit", REPORT_TEXT},
    {"qty", "qty", REPORT_INT},
    {"credited", "credited", REPORT_INT},
    {"points", "points", REPORT_INT},
    {"resident", "resident", REPORT_INT},
    {"after_close", "after close", REPORT_TEXT},
};

struct records_run {
	struct report_table *t;
	int64_t closed_s; /* the day's close in force; 0 = open */
	int rc;
};

static int close_of_day(void *ctx, const struct store_daily_row *r)
{
	struct records_run *w = ctx;
	if (r->close_no)
		w->closed_s = r->closed_s;
	return r->close_no != 0;
}

static int record_row(void *ctx, const struct store_drop_row *r)
{
	struct records_run *w = ctx;
	char t1[32], t2[32];
	long row = report_row_add(w->t);
	report_time_text(r->time_s, t1);
	report_time_text(r->received_s, t2);
	bool after = w->closed_s && r->received_s > w->closed_s;
	if (row < 0 || !report_set_text(w->t, row, R_TIME, t1) ||
	    !report_set_text(w->t, row, R_RECEIVED, t2) ||
	    !report_set_text(w->t, row, R_UNIT, r->unit == WF_UNIT_PIECE ? "piece" : "g") ||
	    !report_set_text(w->t, row, R_AFTER, after ? "yes" : "")) {
		w->rc = WF_ENOMEM;
		return 1;
	}
	report_set_int(w->t, row, R_KIOSK, r->kiosk);
	report_set_int(w->t, row, R_SEQ, r->seq);
	report_set_int(w->t, row, R_CAT, r->category);
	report_set_int(w->t, row, R_QTY, r->qty);
	report_set_int(w->t, row, R_CREDITED, r->credited);
	report_set_int(w->t, row, R_POINTS, r->points);
	if (r->resident)
		report_set_int(w->t, row, R_RESIDENT, r->resident);
	return 0;
}

int report_records(struct store *s, const struct report_opts *o, struct report *out)
{
	memset(out, 0, sizeof *out);
	out->name = "records";
	out->ntables = 1;
	struct records_run w = {.t = &out->tables[0]};
	report_table_init(w.t, "rows", "Drops behind the day's figures, by (kiosk, seq)",
	                  record_cols, R_NCOLS);
	struct store_report_filter day = o->filter;
	day.to_day = day.from_day;
	day.category = 0;
	int rc = s->ops->report_daily(s, &day, close_of_day, &w);
	if (!rc)
		rc = s->ops->report_drops(s, o->filter.kiosk, o->filter.from_day,
		                          o->filter.category, record_row, &w);
	return rc ? rc : w.rc;
}
