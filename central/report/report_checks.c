/*
 * report_checks.c — reports of what central is missing or suspects: gaps
 * (seq not held, silent kiosks, late records), tamper alerts with what to
 * do; see report.h. (Bins and closes: report_close.c.)
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "wf.h"

/* "3 d 4 h", "2 h 5 min", "40 min", "12 s" into out[32]. */
static void duration_text(int64_t s, char out[32])
{
	long long a[2] = {0, 0};
	const char *fmt = report_duration_fmt(s, a); /* before a is read */
	snprintf(out, 32, fmt, a[0], a[1]);
}

/* ---- gaps ---- */

static const struct report_col missing_cols[] = {
    {"kiosk", "kiosk", REPORT_INT},   {"from_seq", "from seq", REPORT_INT},
    {"to_seq", "to seq", REPORT_INT}, {"count", "records", REPORT_INT},
    {"why", "what", REPORT_TEXT},
};
static const struct report_col silent_cols[] = {
    {"kiosk", "kiosk", REPORT_INT},
    {"name", "name", REPORT_TEXT},
    {"last_heartbeat", "last heard", REPORT_TEXT},
    {"silent", "silent for", REPORT_TEXT},
    {"silent_s", "seconds", REPORT_INT},
};
static const struct report_col late_cols[] = {
    {"kiosk", "kiosk", REPORT_INT},        {"seq", "seq", REPORT_INT},
    {"kind", "kind", REPORT_TEXT},         {"time", "recorded", REPORT_TEXT},
    {"received", "received", REPORT_TEXT}, {"late", "late by", REPORT_TEXT},
    {"late_s", "seconds", REPORT_INT},
};

struct gaps_run {
	const struct report_opts *o;
	struct report_table *missing, *silent, *late;
	struct store_seq_range *ranges;
	size_t nranges, cap, next; /* next: the first range not looked at yet */
	int64_t late_seen;
	int rc;
};

static int range_add(void *ctx, const struct store_seq_range *r)
{
	struct gaps_run *w = ctx;
	if (w->nranges == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct store_seq_range *v = realloc(w->ranges, cap * sizeof *v);
		if (!v) {
			w->rc = WF_ENOMEM;
			return 1;
		}
		w->ranges = v;
		w->cap = cap;
	}
	w->ranges[w->nranges++] = *r;
	return 0;
}

static bool missing_add(struct gaps_run *w, uint32_t kiosk, int64_t from, int64_t to,
                        const char *why)
{
	long row = report_row_add(w->missing);
	if (row < 0 || !report_set_text(w->missing, row, 4, why))
		return false;
	report_set_int(w->missing, row, 0, kiosk);
	report_set_int(w->missing, row, 1, from);
	report_set_int(w->missing, row, 2, to);
	report_set_int(w->missing, row, 3, to - from + 1);
	return true;
}

static bool silent_add(struct gaps_run *w, const struct store_kiosk_beat *k)
{
	char when[32] = "never", how[32] = "";
	int64_t quiet = w->o->now_s - k->heartbeat_s;
	if (k->heartbeat_s && quiet <= w->o->silent_after_s)
		return true;
	long row = report_row_add(w->silent);
	if (row < 0)
		return false;
	report_set_int(w->silent, row, 0, k->kiosk);
	if (k->heartbeat_s) {
		report_time_text(k->heartbeat_s, when);
		duration_text(quiet, how);
		report_set_int(w->silent, row, 4, quiet);
	}
	return report_set_texts(w->silent, row, 1, k->name, 2, when, 3, how, -1);
}

/* One kiosk: the holes between the runs it holds, the tail its heartbeat names. */
static int gaps_kiosk(void *ctx, const struct store_kiosk_beat *k)
{
	struct gaps_run *w = ctx;
	int64_t next = 1;
	bool ok = true;
	while (w->next < w->nranges && w->ranges[w->next].kiosk < k->kiosk)
		w->next++;
	for (; ok && w->next < w->nranges && w->ranges[w->next].kiosk == k->kiosk; w->next++) {
		const struct store_seq_range *r = &w->ranges[w->next];
		if (r->first_seq > next)
			ok = missing_add(w, k->kiosk, next, (int64_t)r->first_seq - 1,
			                 N_("not held: records after it are"));
		next = (int64_t)r->last_seq + 1;
	}
	if (ok && k->last_seq >= next)
		ok = missing_add(w, k->kiosk, next, k->last_seq,
		                 N_("used by the kiosk (its heartbeat), not received yet"));
	ok = ok && silent_add(w, k);
	if (!ok)
		w->rc = WF_ENOMEM;
	return !ok;
}

static int late_add(void *ctx, const struct store_late_record *r)
{
	struct gaps_run *w = ctx;
	char t1[32], t2[32], by[32];
	if (w->o->late_limit && w->late_seen++ >= w->o->late_limit)
		return 0; /* counted, not listed */
	long row = report_row_add(w->late);
	report_time_text(r->time_s, t1);
	report_time_text(r->received_s, t2);
	duration_text(r->received_s - r->time_s, by);
	if (row < 0 || !report_set_texts(w->late, row, 2, wf_record_kind_name((int)r->kind), 3, t1,
	                                 4, t2, 5, by, -1)) {
		w->rc = WF_ENOMEM;
		return 1;
	}
	report_set_int(w->late, row, 0, r->kiosk);
	report_set_int(w->late, row, 1, r->seq);
	report_set_int(w->late, row, 6, r->received_s - r->time_s);
	return 0;
}

int report_gaps(struct store *s, const struct report_opts *o, struct report *out)
{
	memset(out, 0, sizeof *out);
	out->name = "gaps";
	out->ntables = 3;
	struct gaps_run w = {
	    .o = o, .missing = &out->tables[0], .silent = &out->tables[1], .late = &out->tables[2]};
	report_table_init(w.missing, "missing", "Sequence numbers central does not hold",
	                  missing_cols, 5);
	report_table_init(w.silent, "silent", "Kiosks not heard from", silent_cols, 5);
	report_table_init(w.late, "late", "Records that arrived late", late_cols, 7);
	int rc = s->ops->report_seq_ranges(s, &o->filter, range_add, &w);
	rc = rc ? rc : w.rc;
	if (!rc)
		rc = s->ops->report_kiosks(s, &o->filter, gaps_kiosk, &w);
	rc = rc ? rc : w.rc;
	if (!rc)
		rc = s->ops->report_late(s, &o->filter, o->late_after_s, late_add, &w);
	rc = rc ? rc : w.rc;
	report_note_set(w.silent, &(struct report_msg){N_("silent: no heartbeat for more than %s"),
	                                               o->silent_after_s,
	                                               {0}});
	if (o->late_limit && w.late_seen > o->late_limit)
		report_note_set(
		    w.late, &(struct report_msg){N_("late: received more than %s after recorded; "
		                                    "%lld records, the first %lld listed "
		                                    "(--late-limit)"),
		                                 o->late_after_s,
		                                 {w.late_seen, o->late_limit}});
	else
		report_note_set(w.late, &(struct report_msg){N_("late: received more than %s after "
		                                                "recorded"),
		                                             o->late_after_s,
		                                             {0}});
	free(w.ranges);
	return rc;
}

/* ---- alerts ---- */

const char *report_alert_advice(const char *reason)
{
	static const struct {
		const char *reason, *advice;
	} a[] = {
	    {"conflict",
	     N_("The kiosk sent a second, different version of a record central already "
	        "holds; central kept the first. Ask the technician whether the kiosk's "
	        "journal was restored from a backup or copied to another kiosk, and do "
	        "not credit points from that record until it is explained.")},
	    {"chain_break",
	     N_("The record does not continue the kiosk's hash chain: records may have "
	        "been edited, deleted or reordered on the kiosk. Have the technician run "
	        "'wufei-kiosk ledger verify' there and keep the journal file.")},
	    {"points_mismatch",
	     N_("The points on the record do not match the rate version it names. "
	        "Compare the kiosk's rates with 'wufei-central rates list' and "
	        "hold the difference until it is explained.")},
	    {"unknown_rate",
	     N_("The record names a rate version central never issued: the kiosk's "
	        "catalogue is not central's. Check the kiosk syncs with this central "
	        "and runs released software.")},
	    {"checkpoint_mismatch", N_("The kiosk is about to delete records central does not hold "
	                               "as it has them. Ask the technician to keep the kiosk's "
	                               "journal file until its records reach central.")},
	    {"anon_cap",
	     N_("An anonymous drop earned points beyond the kiosk's anonymous daily cap for its "
	        "category (the cap of the rate version it names). The kiosk should have credited "
	        "nothing over the cap: check it runs released software and has down-synced the cap "
	        "('wufei-central rates list'), and hold the receipt's points until it is "
	        "explained.")},
	    {"claim_conflict",
	     N_("A receipt was claimed onto a resident, and then the kiosk sent a record with "
	        "other "
	        "bytes for the same (kiosk, seq). The claim stands but its points may be wrong: "
	        "compare the two versions ('report records'), and correct the resident's points "
	        "with 'wufei-central points adjust' if the claim should not have been granted.")},
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
		if (strcmp(reason, a[i].reason) == 0)
			return a[i].advice;
	return N_("An alert this version does not know: tell the technician.");
}

static const struct report_col alert_cols[] = {
    {"id", "id", REPORT_INT},
    {"received", "received", REPORT_TEXT},
    {"kiosk", "kiosk", REPORT_INT},
    {"seq", "seq", REPORT_INT},
    {"reason", "alert", REPORT_TEXT},
    {"detail", "detail", REPORT_TEXT},
    {"advice", "what to do", REPORT_TEXT},
};

struct alerts_run {
	const struct store_report_filter *f;
	struct report_table *t;
	int rc;
};

static int alert_row(void *ctx, const struct store_alert *a)
{
	struct alerts_run *w = ctx;
	char when[32];
	report_time_text(a->received_s, when);
	uint32_t day = (uint32_t)strtoul(when, NULL, 10) * 10000 +
	               (uint32_t)strtoul(when + 5, NULL, 10) * 100 +
	               (uint32_t)strtoul(when + 8, NULL, 10);
	if ((w->f->kiosk && a->kiosk != w->f->kiosk) || day < w->f->from_day ||
	    (w->f->to_day && day > w->f->to_day))
		return 0;
	long row = report_row_add(w->t);
	if (row < 0 || !report_set_texts(w->t, row, 1, when, 4, a->reason, 5, a->detail, 6,
	                                 report_alert_advice(a->reason), -1)) {
		w->rc = WF_ENOMEM;
		return 1;
	}
	report_set_int(w->t, row, 0, a->id);
	report_set_int(w->t, row, 2, a->kiosk);
	report_set_int(w->t, row, 3, a->seq);
	return 0;
}

int report_alerts(struct store *s, const struct report_opts *o, struct report *out)
{
	memset(out, 0, sizeof *out);
	out->name = "alerts";
	out->ntables = 1;
	struct alerts_run w = {&o->filter, &out->tables[0], WF_OK};
	report_table_init(w.t, "alerts", "Tamper alerts (received: central's time, UTC)",
	                  alert_cols, 7);
	int rc = s->ops->alert_list(s, alert_row, &w);
	return rc ? rc : w.rc;
}
