/*
 * web_office.c — GET /office and /office/...: the office pages' dispatch,
 * their one auth hook (web_require), the page's language (?lang=, the
 * cookie, then page_lang on Accept-Language), the answer a page becomes and
 * the forms' POST dispatch. See web_private.h; the pages are web_dash.c,
 * web_kiosks.c, web_record.c, web_reports.c and web_residents.c.
 */
#include "web_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "office_http.h"

/* path percent-encoded for ?next= (letters, digits and / . _ - kept). */
static void next_param(const char *path, char *out, size_t cap)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < cap; p++) {
		bool keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		            (*p >= '0' && *p <= '9') || strchr("/._-", *p);
		if (keep) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hexd[*p >> 4];
			out[o++] = hexd[*p & 15];
		}
	}
	out[o] = '\0';
}

bool web_require(struct server *srv, const struct request *rq, struct answer *a, enum web_role role,
                 struct office_who *who)
{
	memset(who, 0, sizeof *who);
	int rc = office_http_who(srv, rq, who);
	if (rc < 0) {
		office_http_refuse(a, answer_store_status(a, rc),
		                   "Storage failed; try again later.");
		return false;
	}
	if (rc == 1 && who->role >= (int)role + OFFICE_VIEWER)
		return true;
	if (rc == 1) {
		office_http_refuse(a, 403, "Your role may not open this page.");
		return false;
	}
	char next[160];
	next_param(rq->path, next, sizeof next);
	a->status = 303;
	a->page_guard = true;
	snprintf(a->location, sizeof a->location, "/office/login?next=%s", next);
	struct web_buf b;
	web_buf_init(&b, 1024);
	web_raw(&b, "<!DOCTYPE html><html lang=en><title>Login</title><p><a href=\"");
	web_attr(&b, a->location);
	web_raw(&b, "\">/office/login</a>\n");
	a->html = web_buf_take(&b);
	if (!a->html)
		answer_error(a, 500, "internal", "out of memory");
	return false;
}

void web_begin(struct web_ctx *w, const char *title, const char *self, enum web_nav nav)
{
	struct web_page p = {.lang = w->lang,
	                     .title = title,
	                     .self = self,
	                     .nav = nav,
	                     .user = w->who.user.name[0] ? w->who.user.name : NULL,
	                     .csrf = w->who.csrf};
	web_page_begin(&w->b, &p);
}

void web_finish(struct web_ctx *w, struct answer *a, unsigned status)
{
	struct web_page p = {.lang = w->lang};
	web_page_end(&w->b, &p);
	a->html = web_buf_take(&w->b);
	if (!a->html) {
		answer_error(a, 500, "internal", "the page is too large or memory ran out");
		return;
	}
	a->status = status;
	a->page_guard = true;
}

void web_fail(struct web_ctx *w, struct answer *a, unsigned status, const char *text)
{
	web_buf_free(&w->b);
	web_buf_init(&w->b, WEB_PAGE_MAX);
	const char *title = status == 404 ? wf_tr(w->lang, "Not found")
	                                  : wf_tr(w->lang, "Central could not read its storage");
	web_begin(w, title, "/office/", WEB_NAV_NONE);
	web_raw(&w->b, "<p>");
	web_text(&w->b, text);
	web_raw(&w->b, "</p><p>");
	web_link(&w->b, "/office/", wf_tr(w->lang, "Back to the dashboard"));
	web_raw(&w->b, "</p>");
	web_finish(w, a, status);
}

static int cat_row(void *ctx, const struct wf_category *c)
{
	struct web_ctx *w = ctx;
	if (w->ncats < WEB_MAX_CATEGORIES)
		w->cats[w->ncats++] = *c;
	return 0;
}

const struct wf_category *web_category(struct web_ctx *w, uint16_t id)
{
	if (!w->cats_read) {
		struct store_catalog_fns f = {.ctx = w, .category = cat_row};
		w->cats_read = true;
		if (w->rq->store->ops->catalog_read(w->rq->store, -1, &f, NULL) != WF_OK)
			w->ncats = 0;
	}
	for (size_t i = 0; i < w->ncats; i++)
		if (w->cats[i].id == id)
			return &w->cats[i];
	return NULL;
}

void web_category_name(struct web_ctx *w, uint16_t id, char *out, size_t cap)
{
	const struct wf_category *c = web_category(w, id);
	if (c)
		snprintf(out, cap, "%s", c->name);
	else
		snprintf(out, cap, "#%u", (unsigned)id);
}

struct totals_walk {
	struct web_ctx *w;
	int (*fn)(void *ctx, const struct web_total *t);
	void *ctx;
};

static int total_row(void *ctx, const struct store_daily_row *r)
{
	struct totals_walk *t = ctx;
	const struct wf_category *c = web_category(t->w, r->category);
	uint8_t unit = c ? c->unit : r->live.pieces ? WF_UNIT_PIECE : WF_UNIT_GRAM;
	struct web_total x = {r->local_day,  r->kiosk,
	                      r->category,   unit,
	                      r->live.drops, unit == WF_UNIT_PIECE ? r->live.pieces : r->live.grams,
	                      r->live.points};
	return t->fn(t->ctx, &x);
}

int web_daily_totals(struct web_ctx *w, uint32_t from, uint32_t to, uint32_t kiosk,
                     int (*fn)(void *ctx, const struct web_total *t), void *ctx)
{
	struct store_report_filter f = {.from_day = from, .to_day = to, .kiosk = kiosk};
	struct totals_walk t = {w, fn, ctx};
	web_category(w, 0); /* the catalogue read before the rows' statement runs */
	return w->rq->store->ops->report_daily(w->rq->store, &f, total_row, &t);
}

/* A number in a path: decimal digits only, 1..max. */
static bool path_number(const char *s, size_t n, uint64_t max, uint32_t *out)
{
	char d[16];
	uint64_t v = 0;
	if (n == 0 || n >= sizeof d)
		return false;
	memcpy(d, s, n);
	d[n] = '\0';
	if (parse_u64(d, max, &v) != WF_OK || v == 0)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* /office/records/<kiosk>/<seq> */
static bool record_path(const char *rest, uint32_t *k, uint32_t *seq)
{
	const char *slash = strchr(rest, '/');
	return slash && path_number(rest, (size_t)(slash - rest), 16777215u, k) &&
	       path_number(slash + 1, strlen(slash + 1), UINT32_MAX, seq);
}

static void dispatch(struct web_ctx *w, struct answer *a, const char *rest)
{
	uint32_t k = 0, seq = 0;
	if (!*rest)
		web_dashboard(w, a);
	else if (!strcmp(rest, "dashboard.csv"))
		web_dashboard_csv(w, a);
	else if (!strcmp(rest, "kiosks"))
		web_kiosks(w, a);
	else if (!strncmp(rest, "kiosks/", 7) &&
	         path_number(rest + 7, strlen(rest + 7), 16777215u, &k))
		web_kiosk_day(w, a, k);
	else if (!strncmp(rest, "records/", 8) && record_path(rest + 8, &k, &seq))
		web_record(w, a, k, seq);
	else if (!strcmp(rest, "alerts"))
		web_alerts(w, a);
	else if (!strncmp(rest, "reports/", 8))
		web_report_page(w, a, rest + 8);
	else if (!strcmp(rest, "reports"))
		web_report_page(w, a, "daily");
	else if (!strcmp(rest, "residents"))
		web_residents(w, a);
	else
		web_fail(w, a, 404, wf_tr(w->lang, "There is no such office page."));
}

/* The page's language: its ?lang= switch, else the language chosen before
 * (the cookie that switch set), else the browser's (page_lang). */
enum wf_lang web_lang_of(const struct request *rq)
{
	enum wf_lang l;
	const char *cookie = server_cookie(rq, "wufei_lang");
	if (!(rq->lang && wf_lang_parse(rq->lang, &l)) && cookie && wf_lang_parse(cookie, &l))
		return l;
	return page_lang(rq->lang, rq->accept_language);
}

/* The office's forms: each passes office_http_guard (session, CSRF token,
 * role) itself; a path without a form is 405. */
static void web_post(struct server *srv, const struct request *rq, struct answer *a)
{
	static const struct {
		const char *path;
		route_fn fn;
	} forms[] = {
	    {"/office/reports/close", web_close_post},
	    {"/office/claim", web_claim_post},
	    {"/office/redeem", web_redeem_post},
	    {"/office/adjust", web_adjust_post},
	};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
		if (!strcmp(rq->path, forms[i].path)) {
			forms[i].fn(srv, rq, a);
			return;
		}
	office_http_refuse(a, 405, "This page takes no form.");
	a->allow = "GET, HEAD";
}

void web_office(struct server *srv, const struct request *rq, struct answer *a)
{
	if (!strcmp(rq->method, "POST")) {
		web_post(srv, rq, a);
		return;
	}
	struct web_ctx w = {
	    .srv = srv, .rq = rq, .lang = web_lang_of(rq), .now_s = server_now(srv)};
	if (!web_require(srv, rq, a, WEB_ROLE_VIEWER, &w.who))
		return;
	enum wf_lang chosen;
	if (rq->lang && wf_lang_parse(rq->lang, &chosen))
		web_lang_cookie(chosen, a->lang_cookie, sizeof a->lang_cookie);
	web_buf_init(&w.b, WEB_PAGE_MAX);
	const char *rest = rq->path + strlen("/office");
	if (*rest == '/')
		rest++;
	store_lock(rq->store);
	dispatch(&w, a, rest);
	store_unlock(rq->store);
	web_buf_free(&w.b);
}
