/*
 * web.h — the office pages' HTML kit: pure (no I/O, no clock, no store),
 * so that every page is text built from values and every value is escaped
 * on its way in.
 *
 * For: central/server/web_*.c (the office pages) and whoever adds a page.
 * A capped growing buffer; HTML escaping of text and attribute values (every
 * value from the store or the request goes through web_text / web_attr);
 * the cookie that keeps a chosen language; the page shell in Chinese or English (lang attribute,
 * skip link, header with the office nav and the language switch, main landmark, inline CSS readable
 * on a 1366×768 screen and printable); tables with a caption and scoped headers; forms with labels
 * and a CSRF slot; numbers, weights, points and days in the page's language; server-rendered SVG
 * bar charts (no JavaScript anywhere). Not for: HTTP (server/), storage
 * (store.h), CSV (report_write, central/report/), who may see a page
 * (web_require in server/web_office.c).
 *
 * Words go through common/i18n (wf_tr), so wf_i18n_init must have run.
 * Functions taking a struct web_buf never fail on their own: once the
 * buffer is over its cap or memory ran out, b->failed is set and later
 * appends do nothing; check it once at the end.
 */
#ifndef WUFEI_CENTRAL_WEB_H
#define WUFEI_CENTRAL_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wf.h"

/* ---- web_buf.c: the buffer and escaping ---- */

struct web_buf {
	char *data;  /* NUL-terminated while not failed; malloc'd */
	size_t len;  /* bytes, without the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* the most it may hold (bytes) */
	bool failed; /* over max or out of memory: the text is incomplete */
};

/* web_buf_init — an empty buffer that will hold at most max bytes. */
void web_buf_init(struct web_buf *b, size_t max);

/* web_buf_free — frees; a zeroed or freed buffer is a no-op. */
void web_buf_free(struct web_buf *b);

/* web_buf_take — the text (malloc'd, the caller frees) and an empty b;
 * NULL when b failed (b is freed either way). */
char *web_buf_take(struct web_buf *b);

/* web_raw — s as it is: markup the caller wrote, never a value. */
void web_raw(struct web_buf *b, const char *s);
void web_rawn(struct web_buf *b, const char *s, size_t n);

/* web_rawf — printf into b: for markup and numbers only; a string value
 * goes through web_text or web_attr, never through %s here. */
void web_rawf(struct web_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * web_text — s (NULL is "") escaped for text and for a double-quoted
 * attribute value: & < > " ' ` become entities; control characters other
 * than tab and newline, and bytes that are not UTF-8, become U+FFFD.
 */
void web_text(struct web_buf *b, const char *s);

/* web_attr — the same escaping (one function so no value is half-escaped). */
#define web_attr web_text

/* ---- web_lang.c: the language a person chose ---- */

/* The cookie that keeps a language chosen with ?lang= (a Set-Cookie value,
 * cookie wufei_lang). Which language a request gets is the server's
 * (web_office.c: ?lang=, this cookie, then page_lang on Accept-Language). */
void web_lang_cookie(enum wf_lang lang, char *out, size_t cap);

/* ---- web_fmt.c: numbers in the page's language ---- */

/* web_fmt_int — 1234567 as "1,234,567" (both languages group by thousands). */
void web_fmt_int(int64_t v, char *out, size_t cap);

/* web_fmt_qty — grams as kilograms to the gram, "1,234.567 kg" / "1,234.567
 * 公斤" (exact: the office reconciles to the gram), pieces as "3 pieces" /
 * "3 件"; unit is enum wf_unit. */
void web_fmt_qty(enum wf_lang lang, int unit, int64_t qty, char *out, size_t cap);

/* web_fmt_points — "12 points" / "12 分". */
void web_fmt_points(enum wf_lang lang, int64_t points, char *out, size_t cap);

/* web_fmt_day — yyyymmdd as "2026-11-28" (both languages; ISO is what the
 * office's spreadsheets read). */
void web_fmt_day(uint32_t day, char *out, size_t cap);

/* web_fmt_time — UTC seconds as "2026-11-28 09:15 UTC". */
void web_fmt_time(int64_t utc_s, char *out, size_t cap);

/* web_parse_day — "20261128" or "2026-11-28" into yyyymmdd; false if not a
 * real day of 2000..2999. */
bool web_parse_day(const char *s, uint32_t *day);

/* web_day_add — yyyymmdd plus n days (n may be negative). */
uint32_t web_day_add(uint32_t day, int n);

/* ---- web_page.c: the page shell, tables, forms ---- */

/* The office nav's items; WEB_NAV_NONE highlights none. */
enum web_nav {
	WEB_NAV_NONE = 0,
	WEB_NAV_DASHBOARD,
	WEB_NAV_KIOSKS,
	WEB_NAV_ALERTS,
	WEB_NAV_REPORTS,
	WEB_NAV_RESIDENTS,
};

struct web_page {
	enum wf_lang lang;
	const char *title; /* already in lang; escaped by the shell */
	/* This page's own URL without lang: path and, when it has one, "?query"
	 * (from validated values only); the language switch appends lang. */
	const char *self;
	enum web_nav nav;
	const char *user; /* the signed-in user's name, or NULL: no nav, no logout */
	const char *csrf; /* the session's CSRF token for the header's logout form */
};

/* web_page_begin — doctype, head (title, inline CSS), skip link, header
 * (programme name; with a user: nav, the user linking to /office/account
 * and a logout button, a POST form with csrf; the language switch), then
 * <main id=main> with an h1
 * of the title. web_page_end closes main, adds the footer, ends the page. */
void web_page_begin(struct web_buf *b, const struct web_page *p);
void web_page_end(struct web_buf *b, const struct web_page *p);

/* A table's column: its header text (in the page's language) and whether
 * its cells are numbers (right-aligned, tabular figures). */
struct web_col {
	const char *label;
	bool numeric;
};

/* web_table_begin — <table> with a caption and one <th scope=col> per
 * column. Rows: web_tr_begin, cells, web_tr_end; web_table_end. */
void web_table_begin(struct web_buf *b, const char *caption, const struct web_col *cols,
                     size_t ncols);
void web_table_end(struct web_buf *b);
void web_tr_begin(struct web_buf *b);
void web_tr_end(struct web_buf *b);
/* A cell of text (escaped); num right-aligns it. */
void web_td(struct web_buf *b, const char *text, bool num);
/* A row header cell (<th scope=row>), text escaped. */
void web_th_row(struct web_buf *b, const char *text);
/* A cell holding a link: href and text escaped. */
void web_td_link(struct web_buf *b, const char *href, const char *text, bool num);

/* web_link — <a href=...>text</a>, both escaped. */
void web_link(struct web_buf *b, const char *href, const char *text);

/*
 * web_form_begin — <form method=... action=...>; for "post" with csrf not
 * NULL, the hidden field WEB_CSRF_FIELD holds it (the office sessions'
 * check reads that field). web_field: a <label for=id> and its <input>
 * (type "text", "number", "date", "password"...), value may be NULL.
 */
#define WEB_CSRF_FIELD "csrf"
void web_form_begin(struct web_buf *b, const char *method, const char *action, const char *csrf);
void web_field(struct web_buf *b, const char *id, const char *label, const char *type,
               const char *value, bool required);
void web_form_end(struct web_buf *b, const char *submit_label);

/* ---- web_chart.c: SVG bar charts ---- */

#define WEB_CHART_MAX_BARS   64
#define WEB_CHART_MAX_SERIES 6

/*
 * One bar chart: bars along x (days, kiosks, categories), each the stack
 * of its series' values (integers >= 0, one unit for the chart: grams or
 * points). Drawn as inline SVG with role=img, a <title> and aria-label
 * (title), every bar with its own <title> (label and figures), the axis's
 * top value labelled, a legend when there is more than one series, and a
 * table of the same figures for readers that do not see the chart
 * (web_chart_table) is up to the page.
 */
struct web_chart {
	const char *title;  /* in the page's language */
	const char *y_unit; /* what the values are, e.g. "kg" (shown on the axis) */
	size_t nbars, nseries;
	const char *bar_label[WEB_CHART_MAX_BARS]; /* shown under each bar */
	const char *series_label[WEB_CHART_MAX_SERIES];
	int64_t value[WEB_CHART_MAX_BARS][WEB_CHART_MAX_SERIES];
	/* values are shown divided by this (1000: grams as kg), for the axis */
	int64_t scale;
};

/* web_chart_svg — the chart as inline SVG (lang for the "no data" text). */
void web_chart_svg(struct web_buf *b, enum wf_lang lang, const struct web_chart *c);

#endif
