/*
 * web_private.h — what the office pages' files share (private to
 * central/server/): the one auth hook every page goes through, one page
 * being built, and the pages. The HTML itself comes from central/web/web.h.
 *
 * Files: web_office.c (the /office dispatch, web_require, the language,
 * finishing a page), web_dash.c (the dashboard and its CSV), web_kiosks.c
 * (the kiosks list, a kiosk's day), web_record.c (one record with its chain
 * position, the tamper alerts), web_reports.c (the reports, their CSV, the
 * day close form), web_report_words.c (a report's words in the page's
 * language), web_residents.c (a resident's points; claim, redeem and
 * adjustment forms).
 */
#ifndef WUFEI_CENTRAL_WEB_PRIVATE_H
#define WUFEI_CENTRAL_WEB_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "office.h"
#include "server_private.h"
#include "web.h"

/* What an office user may do; each role may do what the ones before it may. */
enum web_role {
	WEB_ROLE_VIEWER = 0, /* read pages and downloads */
	WEB_ROLE_OPERATOR,   /* claims and redemptions */
	WEB_ROLE_ADMIN,      /* users, adjustments */
};

/* A page's biggest size, bytes (a month of one kiosk's records fits). */
#define WEB_PAGE_MAX (8u * 1024u * 1024u)

/*
 * web_require — whether rq may see a page that needs role: an office
 * session (its cookie) whose user has at least role (*who filled). Else
 * false with a filled: 303 to /office/login (the page asked for in ?next=)
 * without a session, 403 with one whose role is too low. Takes the store
 * lock itself.
 */
bool web_require(struct server *srv, const struct request *rq, struct answer *a, enum web_role role,
                 struct office_who *who);

#define WEB_MAX_CATEGORIES 64

/* One page being built. */
struct web_ctx {
	struct server *srv;
	const struct request *rq;
	enum wf_lang lang;
	int64_t now_s; /* central's clock */
	struct web_buf b;
	/* the catalogue's categories, read on first use (web_category) */
	struct wf_category cats[WEB_MAX_CATEGORIES];
	size_t ncats;
	bool cats_read;
	struct office_who who; /* the signed-in user */
};

/* web_lang_of — the page's language: ?lang=, else the wufei_lang cookie,
 * else page_lang on Accept-Language. */
enum wf_lang web_lang_of(const struct request *rq);

/* web_begin — the shell's head (title in w->lang, self: this page's URL
 * without lang, nav: the item it belongs to). */
void web_begin(struct web_ctx *w, const char *title, const char *self, enum web_nav nav);

/* web_finish — ends the page and hands it to a with status (500 when the
 * page outgrew WEB_PAGE_MAX or memory ran out). */
void web_finish(struct web_ctx *w, struct answer *a, unsigned status);

/* web_fail — a page saying what went wrong (404 no such thing, 500 storage),
 * text already in w->lang. */
void web_fail(struct web_ctx *w, struct answer *a, unsigned status, const char *text);

/* Drops of one local day at one kiosk in one category, summed: the
 * report module's daily summaries (live totals, what central holds now). */
struct web_total {
	uint32_t local_day; /* yyyymmdd, the kiosk's local day */
	uint32_t kiosk;
	uint16_t category;
	uint8_t unit;   /* enum wf_unit (the category's) */
	int64_t drops;  /* records */
	int64_t qty;    /* grams or pieces */
	int64_t points; /* points the drops issued */
};

/* web_daily_totals — the totals of local days [from, to] (kiosk 0: every
 * kiosk) by day, kiosk and category, from store_ops.report_daily; fn
 * returning non-zero stops. WF_OK or the store's error. */
int web_daily_totals(struct web_ctx *w, uint32_t from, uint32_t to, uint32_t kiosk,
                     int (*fn)(void *ctx, const struct web_total *t), void *ctx);

/* web_category — category id from the catalogue (read once a page, with
 * the store lock held), or NULL when central has no such category. */
const struct wf_category *web_category(struct web_ctx *w, uint16_t id);

/* web_category_name — its name, or "#id" when central has none. */
void web_category_name(struct web_ctx *w, uint16_t id, char *out, size_t cap);

/* web_kind_label — a record kind's name in lang ("Bin collection"). */
const char *web_kind_label(enum wf_lang lang, uint32_t kind); /* web_kiosks.c */

/* ---- the pages (rest: what follows /office/, without the query) ---- */
void web_dashboard(struct web_ctx *w, struct answer *a);                        /* web_dash.c */
void web_dashboard_csv(struct web_ctx *w, struct answer *a);                    /* web_dash.c */
void web_kiosks(struct web_ctx *w, struct answer *a);                           /* web_kiosks.c */
void web_kiosk_day(struct web_ctx *w, struct answer *a, uint32_t k);            /* web_kiosks.c */
void web_record(struct web_ctx *w, struct answer *a, uint32_t k, uint32_t seq); /* web_record.c */
void web_alerts(struct web_ctx *w, struct answer *a);                           /* web_record.c */

/* web_reports.c: /office/reports/<slug>[.csv] (slug: daily, gaps, bins, close, residents) */
void web_report_page(struct web_ctx *w, struct answer *a, const char *slug);
/* the reports' own nav (current: the slug shown, or NULL) */
void web_report_nav(struct web_ctx *w, const char *current);
struct report;
/* rep as report_write's CSV (the one CSV writer), a download named wufei-<name>-<day>.csv */
void web_report_csv(struct web_ctx *w, struct answer *a, const struct report *rep,
                    const char *name);
/* web_report_words.c: a report's words in w->lang (column titles, table
 * captions, text cells, the note under a table) */
struct report_col;
struct report_table;
const char *web_report_col_label(enum wf_lang lang, const struct report_col *c);
const char *web_report_table_label(enum wf_lang lang, const struct report_table *t);
/* the <td> of text cell (row, c): fixed words translated, durations from their seconds */
void web_report_text_cell(struct web_ctx *w, const struct report_table *t, size_t row, int c);
/* whether a page shows t's column c in the table itself (else only under
 * "All columns": the columns a clerk needs fit 1366 px) */
bool web_report_col_shown(const struct report_table *t, int c);
/* t's note in a <p class=note> ("" none), translated from t->note_msg */
void web_report_note(struct web_ctx *w, const struct report_table *t);
/* web_residents.c: /office/residents?id=|card= (a resident, its points, the forms) */
void web_residents(struct web_ctx *w, struct answer *a);

/* ---- the forms (POST; each passes office_http_guard, takes the store lock itself) ---- */
void web_close_post(struct server *srv, const struct request *rq, struct answer *a); /* reports */
void web_claim_post(struct server *srv, const struct request *rq, struct answer *a); /* residents */
void web_redeem_post(struct server *srv, const struct request *rq,
                     struct answer *a); /* residents */
void web_adjust_post(struct server *srv, const struct request *rq,
                     struct answer *a); /* residents */

#endif
