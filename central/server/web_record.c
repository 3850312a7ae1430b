/*
 * web_record.c — /office/records/<kiosk>/<seq> (one record: its decoded
 * fields, hash, the previous record's hash and whether the chain continues
 * between them) and /office/alerts (every tamper alert with what to do).
 * See web_private.h.
 */
#include "web_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "hex.h"
#include "i18n.h"
#include "ingest.h"
#include "record.h"
#include "report.h"

static int record_alerts(struct web_ctx *w, uint32_t k, uint32_t seq);

/* A row of a facts table: <th scope=row>label</th><td>value</td>. */
static void fact(struct web_buf *b, const char *label, const char *value)
{
	web_tr_begin(b);
	web_th_row(b, label);
	web_td(b, value, false);
	web_tr_end(b);
}

static void fact_int(struct web_buf *b, const char *label, int64_t v)
{
	char n[40];
	web_fmt_int(v, n, sizeof n);
	fact(b, label, n);
}

static void drop_facts(struct web_ctx *w, const struct wf_record *rec)
{
	enum wf_lang l = w->lang;
	const struct wf_record_drop *d = &rec->drop;
	char t[96];
	web_category_name(w, d->category_id, t, sizeof t);
	fact(&w->b, wf_tr(l, "Category"), t);
	web_fmt_qty(l, d->unit, d->qty, t, sizeof t);
	fact(&w->b, wf_tr(l, "Quantity"), t);
	web_fmt_qty(l, d->unit, d->credited_qty, t, sizeof t);
	fact(&w->b, wf_tr(l, "Credited (within the daily limit)"), t);
	web_fmt_points(l, d->points, t, sizeof t);
	fact(&w->b, wf_tr(l, "Points"), t);
	fact_int(&w->b, wf_tr(l, "Rate version"), d->rate_version);
	if (d->flags & WF_DROP_ANONYMOUS)
		snprintf(t, sizeof t, "%s", wf_tr(l, "anonymous"));
	else
		snprintf(t, sizeof t, "#%" PRIu64, d->resident_id);
	fact(&w->b, wf_tr(l, "Resident"), t);
	fact(&w->b, wf_tr(l, "Daily limit reached"),
	     (d->flags & WF_DROP_CAPPED) ? wf_tr(l, "yes") : wf_tr(l, "no"));
}

/* The fields only some kinds have. */
static void kind_facts(struct web_ctx *w, const struct wf_record *rec)
{
	enum wf_lang l = w->lang;
	char t[96];
	switch (rec->kind) {
	case WF_RECORD_DROP: drop_facts(w, rec); break;
	case WF_RECORD_BIN:
		web_category_name(w, rec->bin.category_id, t, sizeof t);
		fact(&w->b, wf_tr(l, "Category"), t);
		web_fmt_qty(l, WF_UNIT_GRAM, rec->bin.grams, t, sizeof t);
		fact(&w->b, wf_tr(l, "Weight collected"), t);
		fact_int(&w->b, wf_tr(l, "Staff"), (int64_t)rec->bin.staff_id);
		break;
	case WF_RECORD_STAFF:
		fact_int(&w->b, wf_tr(l, "Staff"), (int64_t)rec->staff.staff_id);
		fact_int(&w->b, wf_tr(l, "Action code"), rec->staff.action);
		fact(&w->b, wf_tr(l, "Text"), rec->staff.text);
		break;
	case WF_RECORD_DAY_CLOSE:
		web_fmt_day(rec->day_close.local_day, t, sizeof t);
		fact(&w->b, wf_tr(l, "Day closed"), t);
		fact_int(&w->b, wf_tr(l, "Drops"), rec->day_close.drops);
		web_fmt_qty(l, WF_UNIT_GRAM, rec->day_close.grams, t, sizeof t);
		fact(&w->b, wf_tr(l, "Weight"), t);
		fact_int(&w->b, wf_tr(l, "Pieces"), rec->day_close.pieces);
		fact_int(&w->b, wf_tr(l, "Points"), rec->day_close.points);
		break;
	case WF_RECORD_CHECKPOINT:
		fact_int(&w->b, wf_tr(l, "Acknowledged up to seq"),
		         (int64_t)rec->checkpoint.upto_seq);
		break;
	case WF_RECORD_EPOCH:
		fact_int(&w->b, wf_tr(l, "Continues after seq"), (int64_t)rec->epoch.after_seq);
		break;
	default: break;
	}
}

/* The hash row: full hex, monospaced, breakable. */
static void hash_fact(struct web_buf *b, const char *label, const uint8_t h[WF_HASH_BYTES])
{
	char hex[WF_HASH_HEX];
	hex_encode(h, WF_HASH_BYTES, hex, sizeof hex);
	web_tr_begin(b);
	web_th_row(b, label);
	web_raw(b, "<td class=\"mono bytes\">");
	web_text(b, hex);
	web_raw(b, "</td>");
	web_tr_end(b);
}

/* The chain at this record: previous hash, and whether hash continues it. */
static int chain_facts(struct web_ctx *w, const struct store_web_record *x)
{
	struct store *s = w->rq->store;
	enum wf_lang l = w->lang;
	uint8_t prev[WF_HASH_BYTES] = {0}, buf[WF_RECORD_MAX_LEN], next[WF_HASH_BYTES];
	size_t len = 0;
	int held = 1; /* seq 1 continues from 32 zero bytes */
	if (x->r.seq > 1)
		held = s->ops->record_get(s, x->r.kiosk, x->r.seq - 1, buf, sizeof buf, &len, prev);
	if (held < 0)
		return held;
	hash_fact(&w->b, wf_tr(l, "Hash after this record"), x->r.hash);
	if (held)
		hash_fact(&w->b, wf_tr(l, "Hash of the record before"), prev);
	else
		fact(&w->b, wf_tr(l, "Hash of the record before"),
		     wf_tr(l, "central does not hold the record before yet"));
	ingest_chain_next(prev, x->r.bytes, x->r.len, next);
	bool ok = held && sodium_memcmp(next, x->r.hash, WF_HASH_BYTES) == 0;
	web_tr_begin(&w->b);
	web_th_row(&w->b, wf_tr(l, "Chain"));
	web_raw(&w->b, !held ? "<td>" : ok ? "<td class=ok>" : "<td class=bad>");
	web_text(&w->b, !held ? wf_tr(l, "cannot be checked without the record before")
	                : ok  ? wf_tr(l, "✓ continues from the record before")
	                      : wf_tr(l, "✗ does not continue from the record before"));
	web_raw(&w->b, "</td>");
	web_tr_end(&w->b);
	return WF_OK;
}

/* Links to the records either side and to the day. */
static void record_nav(struct web_ctx *w, const struct store_web_record *x)
{
	char href[80];
	web_raw(&w->b, "<p class=noprint>");
	if (x->r.seq > 1) {
		snprintf(href, sizeof href, "/office/records/%" PRIu32 "/%" PRIu32, x->r.kiosk,
		         x->r.seq - 1);
		web_link(&w->b, href, wf_tr(w->lang, "← Record before"));
		web_raw(&w->b, " · ");
	}
	snprintf(href, sizeof href, "/office/records/%" PRIu32 "/%" PRIu32, x->r.kiosk,
	         x->r.seq + 1);
	web_link(&w->b, href, wf_tr(w->lang, "Record after →"));
	if (x->r.local_day) {
		snprintf(href, sizeof href, "/office/kiosks/%" PRIu32 "?day=%" PRIu32, x->r.kiosk,
		         x->r.local_day);
		web_raw(&w->b, " · ");
		web_link(&w->b, href, wf_tr(w->lang, "The kiosk's day"));
	}
	web_raw(&w->b, "</p>");
}

static void record_head(struct web_ctx *w, const struct store_web_record *x,
                        const struct wf_record *rec)
{
	enum wf_lang l = w->lang;
	char title[96], self[64], t[48];
	snprintf(title, sizeof title, wf_tr(l, "Record %u of kiosk %u"), (unsigned)x->r.seq,
	         (unsigned)x->r.kiosk);
	snprintf(self, sizeof self, "/office/records/%" PRIu32 "/%" PRIu32, x->r.kiosk, x->r.seq);
	web_begin(w, title, self, WEB_NAV_KIOSKS);
	record_nav(w, x);
	web_raw(&w->b, "<table class=facts><caption>");
	web_text(&w->b, wf_tr(l, "What the record says"));
	web_raw(&w->b, "</caption><tbody>");
	fact_int(&w->b, wf_tr(l, "Kiosk"), x->r.kiosk);
	fact_int(&w->b, wf_tr(l, "Seq (chain position)"), x->r.seq);
	fact(&w->b, wf_tr(l, "Kind"), web_kind_label(l, rec->kind));
	web_fmt_time(rec->time_ms / 1000, t, sizeof t);
	fact(&w->b, wf_tr(l, "Time (kiosk's clock, corrected)"), t);
	web_fmt_time(x->r.received_s, t, sizeof t);
	fact(&w->b, wf_tr(l, "Received by central"), t);
	if (rec->kind == WF_RECORD_DROP) {
		web_fmt_day(rec->drop.local_day, t, sizeof t);
		fact(&w->b, wf_tr(l, "Local day"), t);
	}
	kind_facts(w, rec);
}

void web_record(struct web_ctx *w, struct answer *a, uint32_t k, uint32_t seq)
{
	struct store *s = w->rq->store;
	struct store_web_record x;
	struct wf_record rec;
	uint8_t buf[WF_RECORD_MAX_LEN];
	char hex[WF_RECORD_MAX_LEN * 2 + 1];
	int rc = s->ops->web_record_get(s, k, seq, &x, buf, sizeof buf);
	if (rc <= 0) {
		web_fail(w, a, rc ? answer_store_status(a, rc) : 404,
		         rc ? store_errmsg(s) : wf_tr(w->lang, "Central holds no such record."));
		return;
	}
	if (wf_record_decode(x.r.bytes, x.r.len, &rec, NULL, 0) != WF_OK) {
		web_fail(w, a, 500, wf_tr(w->lang, "The stored bytes do not decode."));
		return;
	}
	record_head(w, &x, &rec);
	rc = chain_facts(w, &x);
	hex_encode(x.r.bytes, x.r.len, hex, sizeof hex);
	web_tr_begin(&w->b);
	web_th_row(&w->b, wf_tr(w->lang, "Canonical bytes"));
	web_raw(&w->b, "<td class=\"mono bytes\">");
	web_text(&w->b, hex);
	web_raw(&w->b, "</td>");
	web_tr_end(&w->b);
	web_raw(&w->b, "</tbody></table>");
	if (!rc)
		rc = record_alerts(w, k, seq);
	if (rc)
		web_fail(w, a, answer_store_status(a, rc), store_errmsg(s));
	else
		web_finish(w, a, 200);
}

/* ---- the tamper alerts ---- */

struct alert_reason {
	const char *reason;
	const char *what; /* what happened */
	const char *todo; /* what the office does */
};

static const struct alert_reason reasons[] = {
    {"conflict", N_("Same record, other bytes"),
     N_("The kiosk sent other bytes for a record central already holds. Central kept the first "
        "copy; the kiosk keeps its own (wufei-kiosk ledger conflicts). Compare the two, and "
        "find out whether the kiosk's journal was restored from an old backup or edited.")},
    {"chain_break", N_("Broken chain"),
     N_("The record's hash does not continue the chain central holds. Run wufei-kiosk ledger "
        "verify at the kiosk, ask whether its journal was replaced, and open the records on "
        "either side.")},
    {"points_mismatch", N_("Points do not match the rate"),
     N_("The points differ from what the named rate version gives. Check the kiosk's rates "
        "and software version; do not credit the difference until it is explained.")},
    {"unknown_rate", N_("Unknown rate"),
     N_("The record names a category or rate version central never issued. Check the rates "
        "list and the kiosk's down-sync.")},
    {"checkpoint_mismatch", N_("Checkpoint mismatch"),
     N_("The kiosk's checkpoint names a record central does not hold with that hash. The "
        "kiosk must not prune: compare its journal with central's records.")},
    /* what to do: the report's own advice (report_alert_advice) */
    {"anon_cap", N_("Anonymous points over the kiosk's cap"), NULL},
    {"claim_conflict", N_("A claimed receipt's record changed"), NULL},
};

static const struct alert_reason *reason_of(const char *r)
{
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (!strcmp(reasons[i].reason, r))
			return &reasons[i];
	return NULL;
}

/* Central's detail of an alert: the fixed ones (central/ingest) in lang;
 * one with figures in it stays the English central stored, marked so. */
static void alert_detail(struct web_buf *b, enum wf_lang l, const char *detail)
{
	static const char *const fixed[] = {
	    N_("hash does not continue the chain central holds"),
	    N_("same (kiosk, seq) with other canonical bytes; stored record kept"),
	    N_("stored record does not continue from the record before it"),
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (!strcmp(fixed[i], detail)) {
			web_td(b, wf_tr(l, fixed[i]), false);
			return;
		}
	web_raw(b, l == WF_LANG_EN ? "<td>" : "<td lang=en>");
	web_text(b, detail);
	web_raw(b, "</td>");
}

/* The alerts' rows go into rows; only those of (kiosk, seq) when only. */
struct alerts_walk {
	struct web_ctx *w;
	struct web_buf rows;
	int64_t n;
	bool only;
	uint32_t kiosk, seq;
};

static int alert_row(void *ctx, const struct store_alert *al)
{
	struct alerts_walk *aw = ctx;
	struct web_buf *b = &aw->rows;
	enum wf_lang l = aw->w->lang;
	const struct alert_reason *r = reason_of(al->reason);
	char t[48], href[80], label[48];
	if (aw->only && (al->kiosk != aw->kiosk || al->seq != aw->seq))
		return 0;
	aw->n++;
	web_tr_begin(b);
	web_fmt_time(al->received_s, t, sizeof t);
	web_th_row(b, t);
	snprintf(href, sizeof href, "/office/records/%" PRIu32 "/%" PRIu32, al->kiosk, al->seq);
	snprintf(label, sizeof label, wf_tr(l, "kiosk %u, seq %u"), (unsigned)al->kiosk,
	         (unsigned)al->seq);
	web_td_link(b, href, label, false);
	web_raw(b, "<td class=bad>");
	web_text(b, r ? wf_tr(l, r->what) : al->reason);
	web_raw(b, "</td>");
	alert_detail(b, l, al->detail);
	web_td(b, wf_tr(l, r && r->todo ? r->todo : report_alert_advice(al->reason)), false);
	web_tr_end(b);
	return 0;
}

/* The alerts table of aw's rows (a caption, the columns, the rows). */
static void alerts_table(struct web_ctx *w, struct alerts_walk *aw, const char *caption)
{
	enum wf_lang l = w->lang;
	const struct web_col cols[] = {
	    {wf_tr(l, "Received"), false},      {wf_tr(l, "Record"), false},
	    {wf_tr(l, "What happened"), false}, {wf_tr(l, "Central's detail"), false},
	    {wf_tr(l, "What to do"), false},
	};
	web_table_begin(&w->b, caption, cols, sizeof cols / sizeof cols[0]);
	if (aw->rows.len)
		web_rawn(&w->b, aw->rows.data, aw->rows.len);
	w->b.failed |= aw->rows.failed;
	web_table_end(&w->b);
}

/* The record's own alerts under its facts, when it has any. */
static int record_alerts(struct web_ctx *w, uint32_t k, uint32_t seq)
{
	struct alerts_walk aw = {.w = w, .only = true, .kiosk = k, .seq = seq};
	web_buf_init(&aw.rows, WEB_PAGE_MAX);
	int rc = w->rq->store->ops->alert_list(w->rq->store, alert_row, &aw);
	if (!rc && aw.n)
		alerts_table(w, &aw, wf_tr(w->lang, "Tamper alerts on this record"));
	web_buf_free(&aw.rows);
	return rc;
}

void web_alerts(struct web_ctx *w, struct answer *a)
{
	enum wf_lang l = w->lang;
	struct alerts_walk aw = {.w = w};
	web_buf_init(&aw.rows, WEB_PAGE_MAX);
	web_begin(w, wf_tr(l, "Tamper alerts"), "/office/alerts", WEB_NAV_ALERTS);
	web_raw(&w->b, "<p class=lead>");
	web_text(&w->b,
	         wf_tr(l, "What central noticed about the records kiosks sent, oldest "
	                  "first. The records are stored either way; nothing was overwritten."));
	web_raw(&w->b, "</p>");
	int rc = w->rq->store->ops->alert_list(w->rq->store, alert_row, &aw);
	alerts_table(w, &aw, wf_tr(l, "Tamper alerts"));
	web_buf_free(&aw.rows);
	if (!rc && !aw.n) {
		web_raw(&w->b, "<p class=ok>");
		web_text(&w->b, wf_tr(l, "No tamper alerts."));
		web_raw(&w->b, "</p>");
	}
	if (rc)
		web_fail(w, a, answer_store_status(a, rc), store_errmsg(w->rq->store));
	else
		web_finish(w, a, 200);
}
