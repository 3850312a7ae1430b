/*
 * web_reports.c — the office's reports as pages and downloads:
 * /office/reports/{daily,gaps,bins,close} (filters from, to, kiosk,
 * category as the report takes them) and the same path with ".csv" (exactly
 * report_write's CSV: the one CSV writer), plus the "close this day" form
 * (POST /office/reports/close: the store's day_close, the code `wufei-central
 * day close` runs, audited). Every figure comes from central/report/; this
 * file only lays the report's tables out as HTML. See web_private.h.
 */
#include "web_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "i18n.h"
#include "office_http.h"
#include "report.h"

typedef int (*report_fn)(struct store *s, const struct report_opts *o, struct report *out);

struct web_report {
	const char *slug;  /* the path's last part */
	const char *title; /* N_ */
	const char *lead;  /* N_: what the report says */
	int default_days;  /* the days shown without ?from= (0: no day filter) */
	bool has_category; /* takes ?category= */
	bool residents;    /* takes ?near= and ?days=, not ?kiosk= */
	report_fn fn;
};

static const struct web_report reports[] = {
    {"daily", N_("Daily report"),
     N_("Per kiosk, local day and category: drops, weights, points issued, claimed and "
        "redeemed. A closed day shows its frozen totals and, beside them, what arrived since."),
     7, true, false, report_daily},
    {"gaps", N_("Gaps"),
     N_("Records a kiosk has made that central does not hold yet, kiosks that have gone "
        "silent, and records that arrived late."),
     0, false, false, report_gaps},
    {"bins", N_("Bin collections"),
     N_("Each bin collection against the drops weighed since the one before; a difference "
        "beyond the tolerance is flagged."),
     30, false, false, report_bins},
    {"close", N_("Day closes"),
     N_("Each kiosk's own day close, central's totals and the office's frozen close."), 30, false,
     false, report_close},
    {"residents", N_("Residents' points"),
     N_("Each resident's points under a masked name: the balance now and what was earned, "
        "claimed, redeemed and adjusted in the period; and who came near a daily limit on "
        "many days (a hint of abuse, not proof)."),
     30, false, true, report_residents},
};

static const struct web_report *report_of(const char *slug, size_t n)
{
	for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++)
		if (strlen(reports[i].slug) == n && !strncmp(reports[i].slug, slug, n))
			return &reports[i];
	return NULL;
}

/* ---- the filters ---- */

struct web_filter {
	struct report_opts o;
	char from[16], to[16], kiosk[16], category[16]; /* as shown in the form ("" none) */
	char near[16], days[16];                        /* residents only */
};

static bool query_number(const struct request *rq, const char *name, uint64_t max, uint64_t *out,
                         char text[16])
{
	const char *q = server_query(rq, name);
	*out = 0;
	text[0] = '\0';
	if (!q || !*q)
		return true;
	if (parse_u64(q, max, out) != WF_OK)
		return false;
	snprintf(text, 16, "%" PRIu64, *out);
	return true;
}

static bool query_day(const struct request *rq, const char *name, uint32_t *day, char text[16])
{
	const char *q = server_query(rq, name);
	if (q && *q && !web_parse_day(q, day))
		return false;
	if (*day)
		web_fmt_day(*day, text, 16);
	return true;
}

/* residents: ?near= (percent of a daily limit, 1..100) and ?days= (>= 1),
 * the command's --near and --days, with their defaults shown. */
static bool near_read(struct web_ctx *w, struct web_filter *f)
{
	uint64_t near = 0, days = 0;
	if (!query_number(w->rq, "near", 100, &near, f->near) ||
	    !query_number(w->rq, "days", 100000, &days, f->days))
		return false;
	if (f->near[0] && near < 1)
		return false;
	if (f->days[0] && days < 1)
		return false;
	if (near)
		f->o.near_pct = (int64_t)near;
	if (days)
		f->o.near_days = (int64_t)days;
	snprintf(f->near, sizeof f->near, "%" PRId64, f->o.near_pct);
	snprintf(f->days, sizeof f->days, "%" PRId64, f->o.near_days);
	return true;
}

/* The filters of rq for report r; false: one is not valid. */
static bool filter_read(struct web_ctx *w, const struct web_report *r, struct web_filter *f)
{
	uint64_t k = 0, c = 0;
	memset(f, 0, sizeof *f);
	report_opts_default(&f->o, w->now_s);
	struct store_report_filter *sf = &f->o.filter;
	if (r->default_days) {
		sf->to_day = wf_local_day(w->now_s * 1000);
		sf->from_day = web_day_add(sf->to_day, -(r->default_days - 1));
	}
	if (!query_day(w->rq, "from", &sf->from_day, f->from) ||
	    !query_day(w->rq, "to", &sf->to_day, f->to) ||
	    !query_number(w->rq, "kiosk", 16777215u, &k, f->kiosk) ||
	    !query_number(w->rq, "category", 65535u, &c, f->category))
		return false;
	if (sf->to_day && sf->from_day > sf->to_day)
		return false;
	if (r->residents && !near_read(w, f))
		return false;
	sf->kiosk = r->residents ? 0 : (uint32_t)k;
	sf->category = r->has_category ? (uint16_t)c : 0;
	return true;
}

/* The filter's query string ("from=...&to=..."), from validated values only. */
static void filter_query(const struct web_filter *f, char *out, size_t cap)
{
	if (f->near[0])
		snprintf(out, cap, "from=%s&to=%s&near=%s&days=%s", f->from, f->to, f->near,
		         f->days);
	else
		snprintf(out, cap, "from=%s&to=%s&kiosk=%s&category=%s", f->from, f->to, f->kiosk,
		         f->category);
}

static void filter_form(struct web_ctx *w, const struct web_report *r, const struct web_filter *f)
{
	char action[64];
	snprintf(action, sizeof action, "/office/reports/%s", r->slug);
	web_raw(&w->b, "<section class=panel aria-labelledby=filters><h2 id=filters>");
	web_text(&w->b, wf_tr(w->lang, "Filters"));
	web_raw(&w->b, "</h2>");
	web_form_begin(&w->b, "get", action, NULL);
	if (r->default_days) {
		web_field(&w->b, "from", wf_tr(w->lang, "From"), "date", f->from, false);
		web_field(&w->b, "to", wf_tr(w->lang, "To"), "date", f->to, false);
	}
	if (r->residents) {
		web_field(&w->b, "near",
		          wf_tr(w->lang, "Near a limit at (percent of the daily limit)"), "number",
		          f->near, false);
		web_field(&w->b, "days", wf_tr(w->lang, "Listed when near on at least (days)"),
		          "number", f->days, false);
	} else
		web_field(&w->b, "kiosk", wf_tr(w->lang, "Kiosk"), "number", f->kiosk, false);
	if (r->has_category)
		web_field(&w->b, "category", wf_tr(w->lang, "Category #"), "number", f->category,
		          false);
	web_raw(&w->b, "<input type=hidden name=lang value=\"");
	web_raw(&w->b, wf_lang_code(w->lang));
	web_raw(&w->b, "\">");
	web_form_end(&w->b, wf_tr(w->lang, "Show"));
	web_raw(&w->b, "</section>");
}

/* ---- a report's tables as HTML ---- */

static int col_index(const struct report_table *t, const char *key)
{
	for (int c = 0; c < t->ncols; c++)
		if (!strcmp(t->cols[c].key, key))
			return c;
	return -1;
}

/* One cell: numbers grouped, tenths with one decimal, text escaped; a kiosk
 * links to its day (day column) and a seq to its record. */
static void cell(struct web_ctx *w, const struct report_table *t, size_t row, int c)
{
	char text[64], href[96];
	int64_t v = 0;
	const struct report_col *col = &t->cols[c];
	if (col->kind == REPORT_TEXT) {
		web_report_text_cell(w, t, row, c);
		return;
	}
	if (!report_cell_int(t, row, c, &v)) {
		web_td(&w->b, "", true);
		return;
	}
	if (col->kind == REPORT_TENTHS)
		snprintf(text, sizeof text, "%s%" PRId64 ".%" PRId64, v < 0 ? "-" : "",
		         (v < 0 ? -v : v) / 10, (v < 0 ? -v : v) % 10);
	else
		web_fmt_int(v, text, sizeof text);
	int ck = col_index(t, "kiosk"), cd = col_index(t, "day");
	int64_t k = 0;
	uint32_t day = 0;
	bool has_k = ck >= 0 && report_cell_int(t, row, ck, &k) && k > 0;
	if (!strcmp(col->key, "resident") && v > 0) { /* an id, not a quantity: no grouping */
		snprintf(text, sizeof text, "%" PRId64, v);
		snprintf(href, sizeof href, "/office/residents?id=%" PRId64, v);
		web_td_link(&w->b, href, text, true);
	} else if (has_k && !strcmp(col->key, "seq")) {
		snprintf(href, sizeof href, "/office/records/%" PRId64 "/%" PRId64, k, v);
		web_td_link(&w->b, href, text, true);
	} else if (has_k && c == ck && cd >= 0 &&
	           web_parse_day(report_cell_text(t, row, cd) ? report_cell_text(t, row, cd) : "",
	                         &day)) {
		snprintf(href, sizeof href, "/office/kiosks/%" PRId64 "?day=%" PRIu32, k, day);
		web_td_link(&w->b, href, text, true);
	} else
		web_td(&w->b, text, true);
}

/* t's columns show[0..n) as a table (its caption, the rows, "nothing" when none). */
static void table_cols_html(struct web_ctx *w, const struct report_table *t, const int *show, int n)
{
	struct web_col cols[32];
	for (int i = 0; i < n; i++)
		cols[i] = (struct web_col){web_report_col_label(w->lang, &t->cols[show[i]]),
		                           t->cols[show[i]].kind != REPORT_TEXT};
	web_raw(&w->b, "<div class=scroll>");
	web_table_begin(&w->b, web_report_table_label(w->lang, t), cols, (size_t)n);
	for (size_t r = 0; r < t->nrows; r++) {
		web_tr_begin(&w->b);
		for (int i = 0; i < n; i++)
			cell(w, t, r, show[i]);
		web_tr_end(&w->b);
	}
	if (t->nrows == 0) {
		web_rawf(&w->b, "<tr><td colspan=%d>", n);
		web_text(&w->b, wf_tr(w->lang, "Nothing to show."));
		web_raw(&w->b, "</td></tr>");
	}
	web_table_end(&w->b);
	web_raw(&w->b, "</div>");
}

/* The columns a clerk reads first; the others (web_report_col_shown) in
 * the same table behind "All columns", closed until asked for. */
static void table_html(struct web_ctx *w, const struct report_table *t)
{
	int show[32], all[32], n = 0, nall = t->ncols < 32 ? t->ncols : 32;
	for (int c = 0; c < nall; c++) {
		all[c] = c;
		if (web_report_col_shown(t, c))
			show[n++] = c;
	}
	table_cols_html(w, t, show, n);
	web_report_note(w, t);
	if (n == nall || t->nrows == 0)
		return;
	web_raw(&w->b, "<details class=more><summary>");
	web_text(&w->b, wf_tr(w->lang, "All columns"));
	web_raw(&w->b, "</summary>");
	table_cols_html(w, t, all, nall);
	web_raw(&w->b, "</details>");
}

/* The operator's "close this day" form (close page only). */
static void close_form(struct web_ctx *w)
{
	if (!office_can(w->who.role, OFFICE_CLOSE_DAY))
		return;
	char today[16];
	web_fmt_day(wf_local_day(w->now_s * 1000), today, sizeof today);
	web_raw(&w->b, "<section class=panel aria-labelledby=close-h><h2 id=close-h>");
	web_text(&w->b, wf_tr(w->lang, "Close a day"));
	web_raw(&w->b, "</h2><p class=note>");
	web_text(&w->b, wf_tr(w->lang, "Freezes the day's totals under a new close number; what "
	                               "arrives later shows as a difference."));
	web_raw(&w->b, "</p>");
	web_form_begin(&w->b, "post", "/office/reports/close", w->who.csrf);
	web_field(&w->b, "close-day", wf_tr(w->lang, "Day"), "date", today, true);
	web_field(&w->b, "close-kiosk", wf_tr(w->lang, "Kiosk (empty: every kiosk)"), "number",
	          NULL, false);
	web_form_end(&w->b, wf_tr(w->lang, "Close this day"));
	web_raw(&w->b, "</section>");
}

void web_report_page(struct web_ctx *w, struct answer *a, const char *slug)
{
	const char *dot = strchr(slug, '.');
	bool csv = dot && !strcmp(dot, ".csv");
	const struct web_report *r = report_of(slug, dot ? (size_t)(dot - slug) : strlen(slug));
	struct web_filter f;
	if (!r || (dot && !csv)) {
		web_fail(w, a, 404, wf_tr(w->lang, "There is no such office page."));
		return;
	}
	if (!filter_read(w, r, &f)) {
		web_fail(w, a, 404,
		         wf_tr(w->lang,
		               "A filter is not valid: days such as 2026-11-28, numbers for "
		               "kiosk and category."));
		return;
	}
	struct report rep = {0};
	int rc = r->fn(w->rq->store, &f.o, &rep);
	if (rc) {
		report_free(&rep);
		web_fail(w, a, answer_store_status(a, rc), store_errmsg(w->rq->store));
		return;
	}
	if (csv)
		web_report_csv(w, a, &rep, r->slug);
	else {
		char self[200], q[120], href[240];
		filter_query(&f, q, sizeof q);
		snprintf(self, sizeof self, "/office/reports/%s?%s", r->slug, q);
		web_begin(w, wf_tr(w->lang, r->title), self, WEB_NAV_REPORTS);
		web_raw(&w->b, "<p class=lead>");
		web_text(&w->b, wf_tr(w->lang, r->lead));
		web_raw(&w->b, "</p>");
		web_report_nav(w, r->slug);
		filter_form(w, r, &f);
		snprintf(href, sizeof href, "/office/reports/%s.csv?%s", r->slug, q);
		web_raw(&w->b, "<p>");
		web_link(&w->b, href, wf_tr(w->lang, "Download as CSV"));
		web_raw(&w->b, "</p>");
		if (!strcmp(r->slug, "close"))
			close_form(w);
		for (int i = 0; i < rep.ntables; i++)
			table_html(w, &rep.tables[i]);
		web_finish(w, a, 200);
	}
	report_free(&rep);
}

void web_report_nav(struct web_ctx *w, const char *current)
{
	web_raw(&w->b, "<nav class=subnav aria-label=\"");
	web_attr(&w->b, wf_tr(w->lang, "Reports"));
	web_raw(&w->b, "\"><ul>");
	for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++) {
		web_raw(&w->b, "<li><a href=\"/office/reports/");
		web_raw(&w->b, reports[i].slug);
		web_raw(&w->b, current && !strcmp(current, reports[i].slug)
		                   ? "\" aria-current=page>"
		                   : "\">");
		web_text(&w->b, wf_tr(w->lang, reports[i].title));
		web_raw(&w->b, "</a></li>");
	}
	web_raw(&w->b, "</ul></nav>");
}

void web_report_csv(struct web_ctx *w, struct answer *a, const struct report *rep, const char *name)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = f ? report_write(f, REPORT_FORMAT_CSV, rep) : -1;
	if (f && fclose(f) != 0)
		rc = -1;
	if (rc || !text || len > WEB_PAGE_MAX) {
		free(text);
		web_fail(w, a, 500, wf_tr(w->lang, "The download could not be made."));
		return;
	}
	a->html = text;
	a->status = 200;
	a->type = "text/csv; charset=utf-8";
	a->page_guard = true;
	snprintf(a->disposition, sizeof a->disposition,
	         "attachment; filename=\"wufei-%s-%" PRId64 ".csv\"", name,
	         (int64_t)wf_local_day(w->now_s * 1000));
}

/* ---- POST /office/reports/close ---- */

struct close_said {
	int64_t close_no;
	int fresh;
	int kiosks;
};

static int said(void *ctx, uint32_t kiosk, int64_t close_no, int fresh)
{
	struct close_said *c = ctx;
	(void)kiosk;
	c->close_no = close_no;
	c->fresh |= fresh;
	c->kiosks++;
	return 0;
}

void web_close_post(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	struct office_form f;
	uint32_t day = 0;
	uint64_t kiosk = 0;
	char loc[160], dtext[16], ktext[24] = "";
	if (office_http_guard(srv, rq, a, OFFICE_CLOSE_DAY, &who, &f) != WF_OK)
		return;
	const char *d = office_form_get(&f, "close-day");
	const char *k = office_form_get(&f, "close-kiosk");
	if (!d || !web_parse_day(d, &day) ||
	    (k && *k && parse_u64(k, 16777215u, &kiosk) != WF_OK)) {
		office_http_refuse(a, 400, "Give a day (2026-11-28) and, if one, a kiosk number.");
		return;
	}
	int64_t now = server_now(srv);
	struct close_said c = {0};
	store_lock(rq->store);
	int rc = rq->store->ops->day_close(rq->store, day, (uint32_t)kiosk, 0, now, said, &c);
	store_unlock(rq->store);
	if (rc == WF_ENOENT) {
		office_http_refuse(a, 404, "No such kiosk.");
		return;
	}
	if (rc) {
		office_http_refuse(a, answer_store_status(a, rc),
		                   "Storage failed; nothing was changed.");
		return;
	}
	office_audit(rq->store, now, who.user.name, rq->client_addr, "day_close",
	             "day %" PRIu32 " kiosk %" PRIu64 " (0: all): %d kiosk(s), close #%" PRId64
	             "%s",
	             day, kiosk, c.kiosks, c.close_no, c.fresh ? "" : " (closed before)");
	web_fmt_day(day, dtext, sizeof dtext);
	if (kiosk)
		snprintf(ktext, sizeof ktext, "%" PRIu64, kiosk);
	snprintf(loc, sizeof loc, "/office/reports/close?from=%s&to=%s&kiosk=%s", dtext, dtext,
	         ktext);
	office_http_redirect(a, loc);
}
