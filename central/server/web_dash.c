/*
 * web_dash.c — /office/ (the dashboard: a day, "today" unless ?day= says
 * otherwise, and the 30 days to it, by kiosk and category, with SVG
 * charts) and /office/dashboard.csv (the daily report of the same 30 days,
 * as report_write writes it). Figures are the daily report's summaries
 * (web_daily_totals). See web_private.h.
 */
#include "web_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "i18n.h"
#include "report.h"

#define DASH_DAYS   30
#define DASH_ROWS   200000 /* (day, kiosk, category) rows a page sums at most */
#define DASH_SERIES 5      /* categories a chart names; the rest are "other" */
#define DASH_KIOSKS 4096   /* kiosk names a page looks up */

/* A (kiosk, category) sum, or a (day, kiosk, category) row. */
struct dash_row {
	uint32_t day, kiosk;
	uint16_t category;
	uint8_t unit;
	int64_t drops, qty, points;
};

struct dash {
	struct web_ctx *w;
	uint32_t day, from; /* the day shown and the first of the 30 */
	struct dash_row *rows;
	size_t nrows;
	bool truncated; /* more rows than DASH_ROWS */
	struct store_kiosk_info *kiosks;
	size_t nkiosks;
};

static int collect_row(void *ctx, const struct web_total *t)
{
	struct dash *d = ctx;
	if (d->nrows >= DASH_ROWS) {
		d->truncated = true;
		return 1;
	}
	d->rows[d->nrows++] = (struct dash_row){t->local_day, t->kiosk, t->category, t->unit,
	                                        t->drops,     t->qty,   t->points};
	return 0;
}

static int collect_kiosk(void *ctx, const struct store_kiosk_info *k)
{
	struct dash *d = ctx;
	if (d->nkiosks < DASH_KIOSKS)
		d->kiosks[d->nkiosks++] = *k;
	return 0;
}

/* The 30 days' rows and the kiosks' names; the store lock is held. */
static int dash_load(struct dash *d)
{
	struct store *s = d->w->rq->store;
	d->rows = malloc(sizeof *d->rows * DASH_ROWS);
	d->kiosks = malloc(sizeof *d->kiosks * DASH_KIOSKS);
	if (!d->rows || !d->kiosks) {
		store_set_err(s, "out of memory");
		return WF_ENOMEM;
	}
	int rc = s->ops->kiosk_list(s, collect_kiosk, d);
	if (!rc)
		rc = web_daily_totals(d->w, d->from, d->day, 0, collect_row, d);
	return rc;
}

static void dash_free(struct dash *d)
{
	free(d->rows);
	free(d->kiosks);
}

static const char *kiosk_name(const struct dash *d, uint32_t k)
{
	for (size_t i = 0; i < d->nkiosks; i++)
		if (d->kiosks[i].kiosk == k)
			return d->kiosks[i].name;
	return "";
}

/* The day asked for (?day=), else today by central's clock; false if not a day. */
static bool dash_day(struct web_ctx *w, uint32_t *day)
{
	const char *q = server_query(w->rq, "day");
	if (q)
		return web_parse_day(q, day);
	*day = wf_local_day(w->now_s * 1000);
	return true;
}

/* ---- sums ---- */

static int by_kiosk_category(const void *a, const void *b)
{
	const struct dash_row *x = a, *y = b;
	if (x->kiosk != y->kiosk)
		return x->kiosk < y->kiosk ? -1 : 1;
	return x->category < y->category ? -1 : x->category > y->category;
}

/* The rows of days [from, to] summed by (kiosk, category) into out (sorted). */
static size_t sum_kiosk_category(const struct dash *d, uint32_t from, uint32_t to,
                                 struct dash_row *out)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nrows; i++)
		if (d->rows[i].day >= from && d->rows[i].day <= to)
			out[n++] = d->rows[i];
	qsort(out, n, sizeof *out, by_kiosk_category);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && out[m - 1].kiosk == out[i].kiosk &&
		    out[m - 1].category == out[i].category) {
			out[m - 1].drops += out[i].drops;
			out[m - 1].qty += out[i].qty;
			out[m - 1].points += out[i].points;
		} else
			out[m++] = out[i];
	}
	return m;
}

/* The chart series of a category: its place among the first weighed ones,
 * DASH_SERIES for "other", -1 for a counted category (not in kg). */
static int series_of(struct web_ctx *w, uint16_t category, uint8_t unit)
{
	if (unit == WF_UNIT_PIECE)
		return -1;
	web_category(w, 0); /* reads the catalogue once */
	int n = 0;
	for (size_t i = 0; i < w->ncats; i++) {
		if (w->cats[i].unit != WF_UNIT_GRAM)
			continue;
		if (w->cats[i].id == category)
			return n < DASH_SERIES ? n : DASH_SERIES;
		n++;
	}
	return DASH_SERIES;
}

/* The series: the first weighed categories, and "other" when a row needs it. */
static void chart_series(struct web_ctx *w, const struct dash *d, struct web_chart *c)
{
	int n = 0;
	bool other = false;
	web_category(w, 0);
	for (size_t i = 0; i < w->ncats && n < DASH_SERIES; i++)
		if (w->cats[i].unit == WF_UNIT_GRAM)
			c->series_label[n++] = w->cats[i].name;
	for (size_t i = 0; i < d->nrows; i++)
		other |= series_of(w, d->rows[i].category, d->rows[i].unit) == DASH_SERIES;
	c->nseries = (size_t)n;
	if (other || n == 0) {
		c->series_label[n] = wf_tr(w->lang, "Other");
		c->nseries = (size_t)n + 1;
	}
}

/* The series index of a row in c (other is the last). */
static int series_in(struct web_ctx *w, const struct web_chart *c, uint16_t category, uint8_t unit)
{
	int s = series_of(w, category, unit);
	return s >= (int)c->nseries ? (int)c->nseries - 1 : s;
}

/* ---- the page ---- */

static void figures(struct web_ctx *w, const struct dash *d)
{
	int64_t drops = 0, grams = 0, pieces = 0, points = 0;
	char n[4][48];
	for (size_t i = 0; i < d->nrows; i++) {
		if (d->rows[i].day != d->day)
			continue;
		drops += d->rows[i].drops;
		*(d->rows[i].unit == WF_UNIT_PIECE ? &pieces : &grams) += d->rows[i].qty;
		points += d->rows[i].points;
	}
	web_fmt_int(drops, n[0], sizeof n[0]);
	web_fmt_qty(w->lang, WF_UNIT_GRAM, grams, n[1], sizeof n[1]);
	web_fmt_qty(w->lang, WF_UNIT_PIECE, pieces, n[2], sizeof n[2]);
	web_fmt_points(w->lang, points, n[3], sizeof n[3]);
	const char *labels[4] = {wf_tr(w->lang, "Drops"), wf_tr(w->lang, "Weight"),
	                         wf_tr(w->lang, "Pieces"), wf_tr(w->lang, "Points issued")};
	web_raw(&w->b, "<ul class=figures>");
	for (int i = 0; i < 4; i++) {
		web_raw(&w->b, "<li>");
		web_text(&w->b, labels[i]);
		web_raw(&w->b, "<span class=n>");
		web_text(&w->b, n[i]);
		web_raw(&w->b, "</span></li>");
	}
	web_raw(&w->b, "</ul>");
}

/* Weight by day over the 30 days, stacked by category. */
static void chart_days(struct web_ctx *w, const struct dash *d, char labels[][8])
{
	struct web_chart c = {.title = wf_tr(w->lang, "Weight by day, last 30 days (kg)"),
	                      .y_unit = wf_tr(w->lang, "kg"),
	                      .nbars = DASH_DAYS,
	                      .scale = 1000};
	chart_series(w, d, &c);
	for (int i = 0; i < DASH_DAYS; i++) {
		uint32_t day = web_day_add(d->from, i);
		snprintf(labels[i], 8, "%02u-%02u", day / 100 % 100, day % 100);
		c.bar_label[i] = labels[i];
	}
	for (size_t i = 0; i < d->nrows; i++) {
		int s = series_in(w, &c, d->rows[i].category, d->rows[i].unit);
		for (int k = 0; s >= 0 && k < DASH_DAYS; k++)
			if (web_day_add(d->from, k) == d->rows[i].day)
				c.value[k][s] += d->rows[i].qty;
	}
	web_chart_svg(&w->b, w->lang, &c);
}

/* Weight by kiosk over the 30 days (sums: sorted by kiosk), stacked by category. */
static void chart_kiosks(struct web_ctx *w, const struct dash *d, const struct dash_row *sums,
                         size_t n, char labels[][16])
{
	struct web_chart c = {.title = wf_tr(w->lang, "Weight by kiosk, last 30 days (kg)"),
	                      .y_unit = wf_tr(w->lang, "kg"),
	                      .scale = 1000};
	chart_series(w, d, &c);
	for (size_t i = 0; i < n; i++) {
		if (!c.nbars || sums[i].kiosk != sums[i - 1].kiosk) {
			if (c.nbars == WEB_CHART_MAX_BARS)
				break;
			snprintf(labels[c.nbars], 16, "%" PRIu32, sums[i].kiosk);
			c.bar_label[c.nbars] = labels[c.nbars];
			c.nbars++;
		}
		int s = series_in(w, &c, sums[i].category, sums[i].unit);
		if (s >= 0)
			c.value[c.nbars - 1][s] += sums[i].qty;
	}
	web_chart_svg(&w->b, w->lang, &c);
}

/* Points by category over the 30 days: every category, weighed or counted. */
static void chart_categories(struct web_ctx *w, const struct dash *d)
{
	struct web_chart c = {.title = wf_tr(w->lang, "Points by category, last 30 days"),
	                      .y_unit = wf_tr(w->lang, "points"),
	                      .nseries = 1,
	                      .series_label = {wf_tr(w->lang, "Points")},
	                      .scale = 1};
	web_category(w, 0);
	for (size_t i = 0; i < w->ncats && c.nbars < WEB_CHART_MAX_BARS - 1; i++)
		c.bar_label[c.nbars++] = w->cats[i].name;
	size_t known = c.nbars; /* bar known: one "?" for categories gone since */
	bool unknown = false;
	for (size_t i = 0; i < d->nrows; i++) {
		size_t k = 0;
		while (k < known && w->cats[k].id != d->rows[i].category)
			k++;
		if (k == known && !unknown) {
			c.bar_label[c.nbars++] = "?";
			unknown = true;
		}
		c.value[k][0] += d->rows[i].points;
	}
	web_chart_svg(&w->b, w->lang, &c);
}

/* A table of (kiosk, category) sums with a totals row. */
static void sums_table(struct web_ctx *w, const struct dash *d, const char *caption,
                       const struct dash_row *sums, size_t n)
{
	enum wf_lang l = w->lang;
	const struct web_col cols[] = {
	    {wf_tr(l, "Kiosk"), false},   {wf_tr(l, "Category"), false}, {wf_tr(l, "Drops"), true},
	    {wf_tr(l, "Quantity"), true}, {wf_tr(l, "Points"), true},
	};
	int64_t drops = 0, grams = 0, pieces = 0, points = 0;
	char t[96], href[64];
	web_table_begin(&w->b, caption, cols, 5);
	for (size_t i = 0; i < n; i++) {
		web_tr_begin(&w->b);
		snprintf(t, sizeof t, "%" PRIu32 " %s", sums[i].kiosk,
		         kiosk_name(d, sums[i].kiosk));
		snprintf(href, sizeof href, "/office/kiosks/%" PRIu32, sums[i].kiosk);
		web_raw(&w->b, "<th scope=row>");
		web_link(&w->b, href, t);
		web_raw(&w->b, "</th>");
		web_category_name(w, sums[i].category, t, sizeof t);
		web_td(&w->b, t, false);
		web_fmt_int(sums[i].drops, t, sizeof t);
		web_td(&w->b, t, true);
		web_fmt_qty(l, sums[i].unit, sums[i].qty, t, sizeof t);
		web_td(&w->b, t, true);
		web_fmt_points(l, sums[i].points, t, sizeof t);
		web_td(&w->b, t, true);
		web_tr_end(&w->b);
		drops += sums[i].drops;
		*(sums[i].unit == WF_UNIT_PIECE ? &pieces : &grams) += sums[i].qty;
		points += sums[i].points;
	}
	web_raw(&w->b, "</tbody><tfoot><tr><th scope=row colspan=2>");
	web_text(&w->b, wf_tr(l, "Total"));
	web_fmt_int(drops, t, sizeof t);
	web_raw(&w->b, "</th><td class=num>");
	web_text(&w->b, t);
	web_fmt_qty(l, WF_UNIT_GRAM, grams, t, sizeof t);
	web_raw(&w->b, "</td><td class=num>");
	web_text(&w->b, t);
	if (pieces) {
		web_fmt_qty(l, WF_UNIT_PIECE, pieces, t, sizeof t);
		web_raw(&w->b, "<br>");
		web_text(&w->b, t);
	}
	web_fmt_points(l, points, t, sizeof t);
	web_raw(&w->b, "</td><td class=num>");
	web_text(&w->b, t);
	web_raw(&w->b, "</td></tr></tfoot></table>");
}

/* The page's head: title, what it shows, the day picker, the download. */
static void dash_head(struct web_ctx *w, const struct dash *d)
{
	char self[48], dtext[16], ftext[16], lead[256], csv[64];
	web_fmt_day(d->day, dtext, sizeof dtext);
	web_fmt_day(d->from, ftext, sizeof ftext);
	snprintf(self, sizeof self, "/office/?day=%" PRIu32, d->day);
	web_begin(w, wf_tr(w->lang, "Dashboard"), self, WEB_NAV_DASHBOARD);
	snprintf(lead, sizeof lead,
	         wf_tr(w->lang, "%s, and the 30 days from %s to it, by the kiosks' local days."),
	         dtext, ftext);
	web_raw(&w->b, "<p class=lead>");
	web_text(&w->b, lead);
	web_raw(&w->b, "</p>");
	web_form_begin(&w->b, "get", "/office/", NULL);
	web_field(&w->b, "day", wf_tr(w->lang, "Day"), "date", dtext, true);
	web_form_end(&w->b, wf_tr(w->lang, "Show"));
	snprintf(csv, sizeof csv, "/office/dashboard.csv?day=%" PRIu32, d->day);
	web_raw(&w->b, "<p class=noprint>");
	web_link(&w->b, csv,
	         wf_tr(w->lang, "Download the 30 days as CSV (by day, kiosk and category)"));
	web_raw(&w->b, "</p>");
}

static void dash_body(struct web_ctx *w, struct dash *d, struct dash_row *sums)
{
	char day_labels[DASH_DAYS][8], kiosk_labels[WEB_CHART_MAX_BARS][16];
	dash_head(w, d);
	web_raw(&w->b, "<h2>");
	web_text(&w->b, wf_tr(w->lang, "The day"));
	web_raw(&w->b, "</h2>");
	figures(w, d);
	size_t n = sum_kiosk_category(d, d->day, d->day, sums);
	sums_table(w, d, wf_tr(w->lang, "The day by kiosk and category"), sums, n);
	web_raw(&w->b, "<h2>");
	web_text(&w->b, wf_tr(w->lang, "The last 30 days"));
	web_raw(&w->b, "</h2>");
	if (d->truncated) {
		web_raw(&w->b, "<p class=bad>");
		web_text(&w->b, wf_tr(w->lang, "Too many kiosks to sum here: the figures below are "
		                               "incomplete; use the reports."));
		web_raw(&w->b, "</p>");
	}
	n = sum_kiosk_category(d, d->from, d->day, sums);
	web_raw(&w->b, "<div class=grid><section class=panel>");
	chart_days(w, d, day_labels);
	web_raw(&w->b, "</section><section class=panel>");
	chart_kiosks(w, d, sums, n, kiosk_labels);
	web_raw(&w->b, "</section><section class=panel>");
	chart_categories(w, d);
	web_raw(&w->b, "</section></div>");
	sums_table(w, d, wf_tr(w->lang, "The last 30 days by kiosk and category"), sums, n);
}

void web_dashboard(struct web_ctx *w, struct answer *a)
{
	struct dash d = {.w = w};
	if (!dash_day(w, &d.day)) {
		web_fail(w, a, 404, wf_tr(w->lang, "The day must be a date such as 2026-11-28."));
		return;
	}
	d.from = web_day_add(d.day, -(DASH_DAYS - 1));
	int rc = dash_load(&d);
	struct dash_row *sums = rc ? NULL : malloc(sizeof *sums * (d.nrows + 1));
	if (!rc && !sums)
		rc = WF_ENOMEM;
	if (!rc)
		dash_body(w, &d, sums);
	free(sums);
	dash_free(&d);
	if (rc)
		web_fail(w, a, answer_store_status(a, rc), store_errmsg(w->rq->store));
	else
		web_finish(w, a, 200);
}

/* ---- the CSV: the daily report of the same 30 days, report_write's CSV ---- */

void web_dashboard_csv(struct web_ctx *w, struct answer *a)
{
	uint32_t day = 0;
	if (!dash_day(w, &day)) {
		web_fail(w, a, 404, wf_tr(w->lang, "The day must be a date such as 2026-11-28."));
		return;
	}
	struct report_opts o;
	struct report rep = {0};
	report_opts_default(&o, w->now_s);
	o.filter.from_day = web_day_add(day, -(DASH_DAYS - 1));
	o.filter.to_day = day;
	if (report_daily(w->rq->store, &o, &rep) != WF_OK)
		web_fail(w, a, 500, store_errmsg(w->rq->store));
	else
		web_report_csv(w, a, &rep, "dashboard");
	report_free(&rep);
}
