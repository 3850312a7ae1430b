/*
 * report_close.c — the reports that set two counts side by side: bin
 * collections against the drops weighed since the one before, and day
 * closes (the kiosk's DAY_CLOSE record, central's totals, the office's
 * frozen close); see report.h.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "wf.h"

/* ---- bins ---- */

enum {
	B_KIOSK,
	B_SEQ,
	B_TIME,
	B_CAT,
	B_NAME,
	B_BIN,
	B_SINCE,
	B_DROPS,
	B_DGRAMS,
	B_DIFF,
	B_PCT,
	B_CHECK,
	B_NCOLS
};

static const struct report_col bin_cols[B_NCOLS] = {
    {"kiosk", "kiosk", REPORT_INT},
    {"seq", "seq", REPORT_INT},
    {"collected", "collected", REPORT_TEXT},
    {"category", "cat", REPORT_INT},
    {"category_name", "category", REPORT_TEXT},
    {"bin_grams", "bin grams", REPORT_INT},
    {"since_seq", "since seq", REPORT_INT},
    {"drops", "drops", REPORT_INT},
    {"drop_grams", "drop grams", REPORT_INT},
    {"diff_grams", "difference g", REPORT_INT},
    {"diff_percent", "difference %", REPORT_TENTHS},
    {"check", "check", REPORT_TEXT},
};

struct bins_run {
	const struct report_opts *o;
	struct report_table *t;
	int64_t flagged;
	int rc;
};

/* a * 1000 / b rounded half away from zero (tenths of a percent); b > 0. */
static int64_t tenths_of(int64_t a, int64_t b)
{
	int64_t m = a < 0 ? -a : a;
	int64_t q = (m * 1000 + b / 2) / b; /* grams stay below 1e9 * 1000 */
	return a < 0 ? -q : q;
}

static int bin_row(void *ctx, const struct store_bin_row *r)
{
	struct bins_run *w = ctx;
	char when[32];
	int64_t diff = r->bin_grams - r->drop_grams;
	int64_t mag = diff < 0 ? -diff : diff;
	/* beyond tolerance: |diff| / drops > tolerance / 1000 */
	bool flag = r->drop_grams > 0 ? mag * 1000 > w->o->tolerance * r->drop_grams : mag > 0;
	long row = report_row_add(w->t);
	report_time_text(r->time_s, when);
	if (row < 0 || !report_set_texts(w->t, row, B_TIME, when, B_NAME, r->category_name, B_CHECK,
	                                 flag ? "CHECK" : "ok", -1)) {
		w->rc = WF_ENOMEM;
		return 1;
	}
	report_set_int(w->t, row, B_KIOSK, r->kiosk);
	report_set_int(w->t, row, B_SEQ, r->seq);
	report_set_int(w->t, row, B_CAT, r->category);
	report_set_int(w->t, row, B_BIN, r->bin_grams);
	report_set_int(w->t, row, B_SINCE, r->prev_seq);
	report_set_int(w->t, row, B_DROPS, r->drops);
	report_set_int(w->t, row, B_DGRAMS, r->drop_grams);
	report_set_int(w->t, row, B_DIFF, diff);
	if (r->drop_grams > 0)
		report_set_int(w->t, row, B_PCT, tenths_of(diff, r->drop_grams));
	w->flagged += flag;
	return 0;
}

int report_bins(struct store *s, const struct report_opts *o, struct report *out)
{
	memset(out, 0, sizeof *out);
	out->name = "bins";
	out->ntables = 1;
	struct bins_run w = {o, &out->tables[0], 0, WF_OK};
	report_table_init(w.t, "bins",
	                  "Bin collections against the drops weighed since the previous one",
	                  bin_cols, B_NCOLS);
	int rc = s->ops->report_bins(s, &o->filter, bin_row, &w);
	rc = rc ? rc : w.rc;
	report_note_set(w.t,
	                &(struct report_msg){N_("%lld collection(s) beyond %lld.%lld %% of the "
	                                        "drops (--tolerance); since seq 0: the "
	                                        "kiosk's first collection"),
	                                     -1,
	                                     {w.flagged, o->tolerance / 10, o->tolerance % 10}});
	return rc;
}

/* ---- close ---- */

enum {
	C_KIOSK,
	C_DAY,
	C_KSEQ,
	C_KDROPS,                /* the kiosk's DAY_CLOSE: drops, grams, pieces, points */
	C_CDROPS = C_KDROPS + 4, /* central's totals now */
	C_CLOSE = C_CDROPS + 4,
	C_CLOSED,
	C_FDROPS, /* frozen at the office's close */
	C_STATUS = C_FDROPS + 4,
	C_NCOLS
};

static const struct report_col close_cols[C_NCOLS] = {
    {"kiosk", "kiosk", REPORT_INT},
    {"day", "day", REPORT_TEXT},
    {"kiosk_seq", "kiosk close seq", REPORT_INT},
    {"kiosk_drops", "kiosk drops", REPORT_INT},
    {"kiosk_grams", "grams", REPORT_INT},
    {"kiosk_pieces", "pieces", REPORT_INT},
    {"kiosk_points", "points", REPORT_INT},
    {"central_drops", "central drops", REPORT_INT},
    {"central_grams", "grams", REPORT_INT},
    {"central_pieces", "pieces", REPORT_INT},
    {"central_points", "points", REPORT_INT},
    {"close_no", "close #", REPORT_INT},
    {"closed", "closed", REPORT_TEXT},
    {"frozen_drops", "frozen drops", REPORT_INT},
    {"frozen_grams", "grams", REPORT_INT},
    {"frozen_pieces", "pieces", REPORT_INT},
    {"frozen_points", "points", REPORT_INT},
    {"status", "status", REPORT_TEXT},
};

struct close_run {
	struct report_table *t;
	int rc;
};

static bool totals_equal(const struct store_totals *a, const struct store_totals *b)
{
	return a->drops == b->drops && a->grams == b->grams && a->pieces == b->pieces &&
	       a->points == b->points;
}

static void put_totals(struct report_table *t, long row, int col, const struct store_totals *v)
{
	report_set_int(t, row, col, v->drops);
	report_set_int(t, row, col + 1, v->grams);
	report_set_int(t, row, col + 2, v->pieces);
	report_set_int(t, row, col + 3, v->points);
}

const char *const report_close_agrees = N_("agrees");
const char *const report_close_no_kiosk = N_("no DAY_CLOSE from the kiosk yet");
const char *const report_close_differ = N_("kiosk and central differ (see report gaps)");
const char *const report_close_changed = N_("changed after close #%lld");

/* What the office should read from a close row, in words (report.h's parts). */
static void close_status(const struct store_close_row *r, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	if (!r->kiosk_seq)
		n += (size_t)snprintf(out + n, cap - n, "%s; ", report_close_no_kiosk);
	else if (!totals_equal(&r->kiosk_sum, &r->live))
		n += (size_t)snprintf(out + n, cap - n, "%s; ", report_close_differ);
	if (r->close_no && !totals_equal(&r->frozen, &r->live) && n < cap) {
		n += (size_t)snprintf(out + n, cap - n, report_close_changed,
		                      (long long)r->close_no);
		if (n < cap)
			n += (size_t)snprintf(out + n, cap - n, "; ");
	}
	if (n == 0)
		snprintf(out, cap, "%s", report_close_agrees);
	else if (n >= 2 && n < cap)
		out[n - 2] = '\0'; /* the last "; " */
}

static int close_row(void *ctx, const struct store_close_row *r)
{
	struct close_run *w = ctx;
	char day[11], when[32] = "", status[160];
	long row = report_row_add(w->t);
	report_day_text(r->local_day, day);
	if (r->close_no)
		report_time_text(r->closed_s, when);
	close_status(r, status, sizeof status);
	if (row < 0 ||
	    !report_set_texts(w->t, row, C_DAY, day, C_CLOSED, when, C_STATUS, status, -1)) {
		w->rc = WF_ENOMEM;
		return 1;
	}
	report_set_int(w->t, row, C_KIOSK, r->kiosk);
	if (r->kiosk_seq) {
		report_set_int(w->t, row, C_KSEQ, r->kiosk_seq);
		put_totals(w->t, row, C_KDROPS, &r->kiosk_sum);
	}
	put_totals(w->t, row, C_CDROPS, &r->live);
	if (r->close_no) {
		report_set_int(w->t, row, C_CLOSE, r->close_no);
		put_totals(w->t, row, C_FDROPS, &r->frozen);
	}
	return 0;
}

int report_close(struct store *s, const struct report_opts *o, struct report *out)
{
	memset(out, 0, sizeof *out);
	out->name = "close";
	out->ntables = 1;
	struct close_run w = {&out->tables[0], WF_OK};
	report_table_init(w.t, "closes",
	                  "Day closes: the kiosk's own, central's totals now, the office's close",
	                  close_cols, C_NCOLS);
	int rc = s->ops->report_closes(s, &o->filter, close_row, &w);
	return rc ? rc : w.rc;
}
