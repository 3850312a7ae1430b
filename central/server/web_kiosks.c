/*
 * web_kiosks.c — /office/kiosks (every kiosk: journal held, last
 * heartbeat, outbox, devices) and /office/kiosks/<n>?day=yyyymmdd (one
 * kiosk's records of one local day, each with its chain position). See
 * web_private.h.
 */
#include "web_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "hex.h"
#include "i18n.h"
#include "record.h"

/* A device's word in lang: its role's name when the kiosk named it after
 * its role, its state (SYNC-API: up, down, degraded); else the text as sent. */
static const char *device_word(enum wf_lang l, const char *text)
{
	static const struct {
		const char *key, *label;
	} words[] = {
	    {"scale", N_("Scale")}, {"printer", N_("Printer")}, {"card", N_("Card reader")},
	    {"up", N_("up")},       {"down", N_("down")},       {"degraded", N_("degraded")},
	};
	for (size_t i = 0; text && i < sizeof words / sizeof words[0]; i++)
		if (!strcmp(words[i].key, text))
			return wf_tr(l, words[i].label);
	return text ? text : "?";
}

/* The heartbeat's devices JSON as "scale: up · printer: down (paper out)",
 * the kiosk's own detail marked as the English it is. */
static void devices_text(struct web_ctx *w, const char *json)
{
	json_t *j = json_loads(json, 0, NULL);
	size_t i;
	json_t *d;
	if (!json_is_array(j) || json_array_size(j) == 0) {
		web_text(&w->b, "—");
		json_decref(j);
		return;
	}
	json_array_foreach(j, i, d)
	{
		const char *name = json_string_value(json_object_get(d, "name"));
		const char *state = json_string_value(json_object_get(d, "state"));
		const char *detail = json_string_value(json_object_get(d, "detail"));
		bool down = state && strcmp(state, "up") != 0;
		if (i)
			web_raw(&w->b, "<br>");
		web_raw(&w->b, down ? "<span class=bad>" : "<span>");
		web_text(&w->b, device_word(w->lang, name));
		web_raw(&w->b, ": ");
		web_text(&w->b, device_word(w->lang, state));
		if (detail && *detail) {
			web_raw(&w->b, " (<span lang=en>");
			web_text(&w->b, detail);
			web_raw(&w->b, "</span>)");
		}
		web_raw(&w->b, "</span>");
	}
	json_decref(j);
}

static int kiosk_row(void *ctx, const struct store_kiosk_info *k)
{
	struct web_ctx *w = ctx;
	char href[64], label[96], n[40], t[40];
	snprintf(href, sizeof href, "/office/kiosks/%" PRIu32, k->kiosk);
	snprintf(label, sizeof label, "%" PRIu32 " %s", k->kiosk, k->name);
	web_tr_begin(&w->b);
	web_raw(&w->b, "<th scope=row>");
	web_link(&w->b, href, label);
	web_raw(&w->b, "</th>");
	web_fmt_int(k->records, n, sizeof n);
	web_td(&w->b, n, true);
	web_fmt_int(k->highest_seq, n, sizeof n);
	web_td(&w->b, n, true);
	if (k->heartbeat_s)
		web_fmt_time(k->heartbeat_s, t, sizeof t);
	web_td(&w->b, k->heartbeat_s ? t : wf_tr(w->lang, "no heartbeat yet"), false);
	web_fmt_int(k->last_seq, n, sizeof n);
	web_td(&w->b, k->heartbeat_s ? n : "—", true);
	web_fmt_int(k->outbox_depth, n, sizeof n);
	web_td(&w->b, k->heartbeat_s ? n : "—", true);
	/* what the kiosk said it holds that central does not hold yet */
	int64_t missing = (int64_t)k->last_seq - (int64_t)k->highest_seq;
	web_fmt_int(missing > 0 ? missing : 0, n, sizeof n);
	web_raw(&w->b, missing > 0 ? "<td class=\"num bad\">" : "<td class=num>");
	web_text(&w->b, k->heartbeat_s ? n : "—");
	web_raw(&w->b, "</td><td>");
	web_text(&w->b, k->software_version[0] ? k->software_version : "—");
	web_raw(&w->b, "</td><td>");
	devices_text(w, k->devices);
	web_raw(&w->b, "</td>");
	web_tr_end(&w->b);
	return 0;
}

void web_kiosks(struct web_ctx *w, struct answer *a)
{
	enum wf_lang l = w->lang;
	const struct web_col cols[] = {
	    {wf_tr(l, "Kiosk"), false},
	    {wf_tr(l, "Records held"), true},
	    {wf_tr(l, "Highest seq held"), true},
	    {wf_tr(l, "Last heartbeat"), false},
	    {wf_tr(l, "Kiosk's last seq"), true},
	    {wf_tr(l, "Waiting on the kiosk"), true},
	    {wf_tr(l, "Not yet at central"), true},
	    {wf_tr(l, "Software"), false},
	    {wf_tr(l, "Devices"), false},
	};
	web_begin(w, wf_tr(l, "Kiosks"), "/office/kiosks", WEB_NAV_KIOSKS);
	web_raw(&w->b, "<p class=lead>");
	web_text(&w->b, wf_tr(l, "Every enrolled kiosk: the journal central holds and what the "
	                         "kiosk said in its last heartbeat. Pick a kiosk for its days."));
	web_raw(&w->b, "</p>");
	web_table_begin(&w->b, wf_tr(l, "Enrolled kiosks"), cols, sizeof cols / sizeof cols[0]);
	int rc = w->rq->store->ops->kiosk_list(w->rq->store, kiosk_row, w);
	web_table_end(&w->b);
	if (rc) {
		web_fail(w, a, answer_store_status(a, rc), store_errmsg(w->rq->store));
		return;
	}
	web_finish(w, a, 200);
}

/* ---- one kiosk's day ---- */

/* The day's records as table rows (rows), and what they add up to. */
struct day_sum {
	struct web_ctx *w;
	struct web_buf rows;
	int64_t records, drops, grams, pieces, points;
};

const char *web_kind_label(enum wf_lang l, uint32_t kind)
{
	switch (kind) {
	case WF_RECORD_DROP: return wf_tr(l, "Drop");
	case WF_RECORD_BIN: return wf_tr(l, "Bin collection");
	case WF_RECORD_STAFF: return wf_tr(l, "Staff action");
	case WF_RECORD_DAY_CLOSE: return wf_tr(l, "Day close");
	case WF_RECORD_CHECKPOINT: return wf_tr(l, "Checkpoint");
	case WF_RECORD_EPOCH: return wf_tr(l, "New journal");
	default: return "?";
	}
}

/* What central noticed about a record, in words ("" when nothing). */
static void flags_text(enum wf_lang l, uint32_t flags, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s%s",
	         flags & STORE_FLAG_CHAIN_BREAK ? wf_tr(l, "chain break; ") : "",
	         flags & STORE_FLAG_POINTS_MISMATCH ? wf_tr(l, "points mismatch; ") : "",
	         flags & STORE_FLAG_UNKNOWN_RATE ? wf_tr(l, "unknown rate; ") : "");
}

static void resident_cell(struct web_buf *b, enum wf_lang l, const struct store_web_record *x)
{
	char t[96];
	if (x->r.kind != WF_RECORD_DROP) {
		web_td(b, "", false);
		return;
	}
	if (!x->r.resident)
		snprintf(t, sizeof t, "%s", wf_tr(l, "anonymous"));
	else
		snprintf(t, sizeof t, "%s #%" PRId64, x->resident_name[0] ? x->resident_name : "?",
		         x->r.resident);
	web_td(b, t, false);
}

static int day_row(void *ctx, const struct store_web_record *x)
{
	struct day_sum *d = ctx;
	struct web_buf *b = &d->rows;
	enum wf_lang l = d->w->lang;
	const struct store_record *r = &x->r;
	char href[64], n[48], hex[WF_HASH_HEX], flags[160];
	bool drop = r->kind == WF_RECORD_DROP, has_qty = drop || r->kind == WF_RECORD_BIN;
	d->records++;
	if (drop) {
		d->drops++;
		*(r->unit == WF_UNIT_PIECE ? &d->pieces : &d->grams) += r->qty;
		d->points += r->points;
	}
	web_tr_begin(b);
	snprintf(href, sizeof href, "/office/records/%" PRIu32 "/%" PRIu32, r->kiosk, r->seq);
	snprintf(n, sizeof n, "%" PRIu32, r->seq);
	web_raw(b, "<th scope=row class=num>");
	web_link(b, href, n);
	web_raw(b, "</th>");
	web_fmt_time(r->time_s, n, sizeof n);
	web_td(b, strlen(n) > 11 ? n + 11 : n, false); /* "09:15 UTC": the day is the page's */
	web_td(b, web_kind_label(l, r->kind), false);
	web_category_name(d->w, r->category, n, sizeof n);
	web_td(b, has_qty ? n : "", false);
	web_fmt_qty(l, r->unit, r->qty, n, sizeof n);
	web_td(b, has_qty ? n : "", true);
	web_fmt_points(l, r->points, n, sizeof n);
	web_td(b, drop ? n : "", true);
	resident_cell(b, l, x);
	hex_encode(r->hash, 6, hex, sizeof hex);
	web_raw(b, "<td class=mono>");
	web_text(b, hex);
	web_raw(b, "…</td>");
	flags_text(l, r->flags, flags, sizeof flags);
	web_raw(b, flags[0] ? "<td class=bad>" : "<td>");
	web_text(b, flags);
	web_raw(b, "</td>");
	web_tr_end(b);
	return 0;
}

/* The day's figures above its table. */
static void day_figures(struct web_ctx *w, const struct day_sum *d)
{
	char n[48];
	const char *labels[] = {wf_tr(w->lang, "Records"), wf_tr(w->lang, "Drops"),
	                        wf_tr(w->lang, "Weight"), wf_tr(w->lang, "Pieces"),
	                        wf_tr(w->lang, "Points issued")};
	web_raw(&w->b, "<ul class=figures>");
	for (int i = 0; i < 5; i++) {
		if (i == 2)
			web_fmt_qty(w->lang, WF_UNIT_GRAM, d->grams, n, sizeof n);
		else if (i == 3)
			web_fmt_qty(w->lang, WF_UNIT_PIECE, d->pieces, n, sizeof n);
		else if (i == 4)
			web_fmt_points(w->lang, d->points, n, sizeof n);
		else
			web_fmt_int(i == 0 ? d->records : d->drops, n, sizeof n);
		web_raw(&w->b, "<li>");
		web_text(&w->b, labels[i]);
		web_raw(&w->b, "<span class=n>");
		web_text(&w->b, n);
		web_raw(&w->b, "</span></li>");
	}
	web_raw(&w->b, "</ul>");
}

/* The days of the last 60 with drops at a kiosk, oldest first. */
#define DAYS_SEEN 61
struct days_seen {
	uint32_t day[DAYS_SEEN];
	size_t n;
};

static int day_seen(void *ctx, const struct web_total *t)
{
	struct days_seen *s = ctx;
	if (s->n && s->day[s->n - 1] == t->local_day)
		return 0; /* the same day, another category */
	if (s->n < DAYS_SEEN)
		s->day[s->n++] = t->local_day;
	return 0;
}

/* The days as links, the page's own day marked instead. */
static void day_links(struct web_ctx *w, uint32_t k, uint32_t day, const struct days_seen *seen)
{
	char href[80], label[16];
	web_raw(&w->b, "<p class=noprint>");
	web_text(&w->b, wf_tr(w->lang, "Days with drops:"));
	for (size_t i = 0; i < seen->n; i++) {
		web_raw(&w->b, i ? " · " : " ");
		web_fmt_day(seen->day[i], label, sizeof label);
		snprintf(href, sizeof href, "/office/kiosks/%" PRIu32 "?day=%" PRIu32, k,
		         seen->day[i]);
		if (seen->day[i] == day) {
			web_raw(&w->b, "<strong aria-current=date>");
			web_text(&w->b, label);
			web_raw(&w->b, "</strong>");
		} else
			web_link(&w->b, href, label);
	}
	web_raw(&w->b, "</p>");
}

static void day_picker(struct web_ctx *w, uint32_t k, uint32_t day)
{
	char action[48], value[16];
	snprintf(action, sizeof action, "/office/kiosks/%" PRIu32, k);
	web_fmt_day(day, value, sizeof value);
	web_form_begin(&w->b, "get", action, NULL);
	web_field(&w->b, "day", wf_tr(w->lang, "Day (kiosk's local day)"), "date", value, true);
	web_form_end(&w->b, wf_tr(w->lang, "Show"));
}

/* The page's head: the title, the day picker, the days with drops. */
static void day_head(struct web_ctx *w, uint32_t k, uint32_t day, struct days_seen *seen)
{
	char title[128], self[64], dtext[16];
	web_fmt_day(day, dtext, sizeof dtext);
	snprintf(title, sizeof title, wf_tr(w->lang, "Kiosk %u on %s"), (unsigned)k, dtext);
	snprintf(self, sizeof self, "/office/kiosks/%" PRIu32 "?day=%" PRIu32, k, day);
	web_begin(w, title, self, WEB_NAV_KIOSKS);
	day_picker(w, k, day);
	if (seen->n)
		day_links(w, k, day, seen);
}

/* The records' table (its rows were gathered into d->rows). */
static void day_table(struct web_ctx *w, struct day_sum *d)
{
	enum wf_lang l = w->lang;
	const struct web_col cols[] = {
	    {wf_tr(l, "Seq"), true},       {wf_tr(l, "Time"), false},
	    {wf_tr(l, "Kind"), false},     {wf_tr(l, "Category"), false},
	    {wf_tr(l, "Quantity"), true},  {wf_tr(l, "Points"), true},
	    {wf_tr(l, "Resident"), false}, {wf_tr(l, "Hash"), false},
	    {wf_tr(l, "Noticed"), false},
	};
	day_figures(w, d);
	web_table_begin(&w->b,
	                wf_tr(l, "Records of the day in journal order (chain position = seq)"),
	                cols, sizeof cols / sizeof cols[0]);
	if (d->rows.len)
		web_rawn(&w->b, d->rows.data, d->rows.len);
	web_table_end(&w->b);
	w->b.failed |= d->rows.failed;
	if (!d->records) {
		web_raw(&w->b, "<p>");
		web_text(&w->b, wf_tr(l, "Central holds no records of this kiosk for this day."));
		web_raw(&w->b, "</p>");
	}
}

void web_kiosk_day(struct web_ctx *w, struct answer *a, uint32_t k)
{
	struct store *s = w->rq->store;
	enum wf_lang l = w->lang;
	uint32_t day = 0, today = wf_local_day(w->now_s * 1000);
	const char *q = server_query(w->rq, "day");
	int rc = s->ops->kiosk_exists(s, k);
	if (rc <= 0 || (q && !web_parse_day(q, &day))) {
		web_fail(w, a, rc < 0 ? answer_store_status(a, rc) : 404,
		         rc < 0    ? store_errmsg(s)
		         : rc == 0 ? wf_tr(l, "No kiosk has this number.")
		                   : wf_tr(l, "The day must be a date such as 2026-11-28."));
		return;
	}
	struct days_seen seen = {.n = 0};
	struct day_sum sum = {.w = w};
	web_buf_init(&sum.rows, WEB_PAGE_MAX);
	rc = web_daily_totals(w, web_day_add(today, -60), today, k, day_seen, &seen);
	if (!day) /* the kiosk's newest day with drops, else today */
		day = seen.n ? seen.day[seen.n - 1] : today;
	if (!rc)
		rc = s->ops->web_day_records(s, k, day, day_row, &sum);
	if (!rc) {
		day_head(w, k, day, &seen);
		day_table(w, &sum);
	}
	web_buf_free(&sum.rows);
	if (rc)
		web_fail(w, a, answer_store_status(a, rc), store_errmsg(s));
	else
		web_finish(w, a, 200);
}
