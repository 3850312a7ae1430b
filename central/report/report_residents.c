/*
 * report_residents.c — `residents`: each resident's points (balance now;
 * earned, claimed, redeemed, adjusted in the period) under a masked name,
 * and who came near a daily limit on many days, from the store's
 * report_residents (the points ledger, claims and the records' columns).
 * See report.h for what each figure counts.
 */
#include "report.h"

#include <inttypes.h>
#include <string.h>

void report_name_mask(const char *name, char *out, size_t cap)
{
	size_t n = 0;
	if (!cap)
		return;
	out[0] = '\0';
	if (!name[0])
		return;
	/* the first UTF-8 character: its lead byte and the continuation bytes after it */
	n = 1;
	while (name[n] && ((unsigned char)name[n] & 0xC0) == 0x80 && n < 4)
		n++;
	if (n + 2 > cap)
		return;
	memcpy(out, name, n);
	out[n] = '*';
	out[n + 1] = '\0';
}

enum {
	R_ID,
	R_NAME,
	R_STATUS,
	R_BALANCE,
	R_EARNED,
	R_CLAIMED,
	R_REDEEMED,
	R_ADJUSTED,
	R_DAYS,
	R_NEAR,
	R_NCOLS
};

static const struct report_col resident_cols[R_NCOLS] = {
    {"resident", "resident", REPORT_INT}, {"name", "name", REPORT_TEXT},
    {"status", "status", REPORT_TEXT},    {"balance", "balance now", REPORT_INT},
    {"earned", "earned", REPORT_INT},     {"claimed", "claimed", REPORT_INT},
    {"redeemed", "redeemed", REPORT_INT}, {"adjusted", "adjusted", REPORT_INT},
    {"days", "days", REPORT_INT},         {"near_days", "near-limit days", REPORT_INT},
};

enum { N_ID, N_NAME, N_NEAR, N_DAYS, N_EVERY, N_NCOLS };

static const struct report_col near_cols[N_NCOLS] = {
    {"resident", "resident", REPORT_INT},         {"name", "name", REPORT_TEXT},
    {"near_days", "near-limit days", REPORT_INT}, {"days", "days", REPORT_INT},
    {"every_day", "every day", REPORT_TEXT},
};

struct residents_run {
	const struct report_opts *o;
	struct report_table *t, *near;
	struct store_resident_row sum;
	int rc;
};

static void set_figures(struct report_table *t, long row, const struct store_resident_row *r)
{
	report_set_int(t, row, R_BALANCE, r->balance);
	report_set_int(t, row, R_EARNED, r->earned);
	report_set_int(t, row, R_CLAIMED, r->claimed);
	report_set_int(t, row, R_REDEEMED, r->redeemed);
	report_set_int(t, row, R_ADJUSTED, r->adjusted);
}

static int near_row(struct residents_run *w, const struct store_resident_row *r, const char *name)
{
	long row = report_row_add(w->near);
	if (row < 0 || !report_set_texts(w->near, row, N_NAME, name, N_EVERY,
	                                 r->near_days == r->days ? "yes" : "no", -1))
		return WF_ENOMEM;
	report_set_int(w->near, row, N_ID, r->id);
	report_set_int(w->near, row, N_NEAR, r->near_days);
	report_set_int(w->near, row, N_DAYS, r->days);
	return WF_OK;
}

static int resident_row(void *ctx, const struct store_resident_row *r)
{
	struct residents_run *w = ctx;
	char name[sizeof r->name + 2];
	report_name_mask(r->name, name, sizeof name);
	long row = report_row_add(w->t);
	if (row < 0 || !report_set_texts(w->t, row, R_NAME, name, R_STATUS,
	                                 r->status[0] ? r->status : NULL, -1)) {
		w->rc = WF_ENOMEM;
		return 1;
	}
	report_set_int(w->t, row, R_ID, r->id);
	set_figures(w->t, row, r);
	report_set_int(w->t, row, R_DAYS, r->days);
	report_set_int(w->t, row, R_NEAR, r->near_days);
	w->sum.balance += r->balance;
	w->sum.earned += r->earned;
	w->sum.claimed += r->claimed;
	w->sum.redeemed += r->redeemed;
	w->sum.adjusted += r->adjusted;
	if (r->near_days >= w->o->near_days)
		w->rc = near_row(w, r, name);
	return w->rc != WF_OK;
}

int report_residents(struct store *s, const struct report_opts *o, struct report *out)
{
	memset(out, 0, sizeof *out);
	out->name = "residents";
	out->ntables = 2;
	struct residents_run w = {.o = o, .t = &out->tables[0], .near = &out->tables[1]};
	report_table_init(w.t, "residents", "Points per resident (names masked)", resident_cols,
	                  R_NCOLS);
	report_table_init(w.near, "near_limit", "Residents near a daily limit on many days",
	                  near_cols, N_NCOLS);
	int rc = s->ops->report_residents(s, &o->filter, o->near_pct, resident_row, &w);
	if (!rc)
		rc = w.rc;
	long row = rc ? -1 : report_row_add(w.t);
	if (!rc && (row < 0 || !report_set_text(w.t, row, R_NAME, "TOTAL")))
		rc = WF_ENOMEM;
	if (!rc)
		set_figures(w.t, row, &w.sum);
	report_note_set(w.t,
	                &(struct report_msg){N_("earned and claimed by the drop's local day, "
	                                        "redeemed and adjusted by central's UTC day; "
	                                        "balance is now. Near-limit day: one "
	                                        "category's credited quantity (drops and "
	                                        "claims) at %lld%% or more of its daily limit"),
	                                     -1,
	                                     {o->near_pct}});
	report_note_set(
	    w.near, &(struct report_msg){N_("near a daily limit (%lld%%) on %lld or more days of "
	                                    "the period (--near, --days): a hint of abuse, not "
	                                    "proof"),
	                                 -1,
	                                 {o->near_pct, o->near_days}});
	return rc;
}
