/*
 * receipt_page.c — GET /r/<TOKEN> and /R/<TOKEN>, the QR code's URL: a phone
 * page saying whether the receipt is genuine, what it was for (the points
 * large), when (in the kiosk's time zone, tz.h), whether it was claimed, and
 * how to claim it (docs/SYNC-API.md). Chinese or English (page_lang: the
 * page's ?lang= switch, else Accept-Language), every value HTML-escaped.
 * 200 genuine, 404 anything else. No personal data.
 */
#include "server_private.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "rcheck.h"
#include "tz.h"
#include "web.h"

/* The page as it is written: its language and a capped buffer. */
struct page {
	enum wf_lang lang;
	char *buf;
	size_t cap, len;
	bool full;
};

/* What the store says about the receipt's kiosk and category. */
struct facts {
	char category[WF_CATEGORY_NAME_MAX];
	int category_found;
	uint16_t category_id;
	struct store_kiosk_place place;
};

static int find_cat(void *ctx, const struct wf_category *c)
{
	struct facts *f = ctx;
	if (c->id != f->category_id)
		return 0;
	snprintf(f->category, sizeof f->category, "%s", c->name);
	f->category_found = 1;
	return 1;
}

static void put(struct page *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct page *pg, const char *fmt, ...)
{
	if (pg->full)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(pg->buf + pg->len, pg->cap - pg->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= pg->cap - pg->len)
		pg->full = true;
	else
		pg->len += (size_t)n;
}

/* text, HTML-escaped by the one escaper (web_text), appended. */
static void put_esc(struct page *pg, const char *text)
{
	struct web_buf b;
	web_buf_init(&b, pg->cap);
	web_text(&b, text);
	if (b.failed)
		pg->full = true;
	else
		put(pg, "%s", b.data ? b.data : "");
	web_buf_free(&b);
}

static const char *tr(const struct page *pg, const char *msgid)
{
	return wf_tr(pg->lang, msgid);
}

/* One row of the facts list: a translated label and an escaped value (kept
 * on one line when nowrap: a date and its time belong together). */
static void row(struct page *pg, const char *label, const char *value, bool nowrap)
{
	put(pg, "<dt>");
	put_esc(pg, tr(pg, label));
	put(pg, nowrap ? "</dt><dd class=nw>" : "</dt><dd>");
	put_esc(pg, value);
	put(pg, "</dd>");
}

static void local_time(const struct facts *f, int64_t utc_s, char *out, size_t cap)
{
	if (tz_format(f->place.time_zone, utc_s, "%Y-%m-%d %H:%M", out, cap) == WF_EINVAL)
		snprintf(out, cap, "?");
}

/* The points, large, with the daily limit's note. */
static void points_block(struct page *pg, const struct receipt *r)
{
	put(pg, "<p class=points><span class=n>%" PRIu32 "</span> ", r->points);
	put_esc(pg, wf_ntr(pg->lang, "point", "points", r->points));
	put(pg, "</p>");
	if (r->flags & RECEIPT_FLAG_CAPPED) {
		put(pg, "<p class=note>");
		put_esc(pg, wf_tr(pg->lang,
		                  "The daily limit was reached: the rest of this drop earned no "
		                  "points."));
		put(pg, "</p>");
	}
}

static void facts_list(struct page *pg, const struct rcheck_result *res, const struct facts *f)
{
	char text[160], when[48];
	put(pg, "<dl>");
	row(pg, N_("Category"), f->category_found ? f->category : "?", false);
	snprintf(text, sizeof text,
	         (res->r.flags & RECEIPT_FLAG_PIECES)
	             ? wf_ntr(pg->lang, "%u piece", "%u pieces", res->r.qty)
	             : wf_tr(pg->lang, "%u g"),
	         (unsigned)res->r.qty);
	row(pg, N_("Quantity"), text, true);
	local_time(f, (int64_t)res->r.time_min * 60, when, sizeof when);
	row(pg, N_("Time"), when, true);
	if (f->place.name[0])
		snprintf(text, sizeof text, "%s (%" PRIu32 ")", f->place.name, res->r.kiosk);
	else
		snprintf(text, sizeof text, wf_tr(pg->lang, "No. %u"), (unsigned)res->r.kiosk);
	row(pg, N_("Kiosk"), text, false);
	snprintf(text, sizeof text, "%" PRIu32, res->r.seq);
	row(pg, N_("Receipt number"), text, false);
	put(pg, "</dl>");
}

/* Where the receipt stands and what the resident does next. */
static void claim_block(struct page *pg, const struct rcheck_result *res, const struct facts *f)
{
	char when[48], text[512];
	put(pg, "<section class=claim><h2>");
	put_esc(pg, wf_tr(pg->lang, "How to claim your points"));
	put(pg, "</h2><p>");
	if (res->claimed) {
		local_time(f, res->claimed_s, when, sizeof when);
		snprintf(text, sizeof text, wf_tr(pg->lang, "These points were claimed on %s."),
		         when);
		put_esc(pg, text);
	} else {
		put_esc(pg,
		        wf_tr(pg->lang,
		              "Bring this receipt (or show this page) and your resident card to "
		              "the community office or a partner shop. The staff there add the "
		              "points to your account. Each receipt can be claimed once."));
		if (!res->record_held) {
			put(pg, "</p><p class=note>");
			put_esc(pg,
			        wf_tr(pg->lang,
			              "The kiosk has not sent this drop to the central office yet "
			              "(it usually does within minutes); it can be claimed once it "
			              "has arrived."));
		}
	}
	put(pg, "</p></section>");
	if (res->key_revoked_s) {
		put(pg, "<p class=note>");
		put_esc(pg, wf_tr(pg->lang, "Signed before the kiosk's key was withdrawn."));
		put(pg, "</p>");
	}
}

static const char *verdict_text(enum rcheck_verdict v)
{
	switch (v) {
	case RCHECK_GENUINE: return N_("The receipt is genuine.");
	case RCHECK_MALFORMED: return N_("This link does not hold a receipt code.");
	case RCHECK_FORGED: return N_("Its signature does not match: it was changed or forged.");
	case RCHECK_UNKNOWN_KIOSK: return N_("It names a kiosk that is not registered.");
	case RCHECK_UNKNOWN_KEY: return N_("It was signed with a key the kiosk does not have.");
	case RCHECK_REVOKED_KEY: return N_("It was signed with a key that had been withdrawn.");
	case RCHECK_MISMATCH: return N_("It does not match the kiosk's record of this drop.");
	}
	return N_("This link does not hold a receipt code.");
}

static void body(struct page *pg, const struct rcheck_result *res, const struct facts *f)
{
	if (res->verdict != RCHECK_GENUINE) {
		put(pg, "<h1 class=bad><span aria-hidden=true>&#10007; </span>");
		put_esc(pg, wf_tr(pg->lang, "Not a valid receipt"));
		put(pg, "</h1><p>");
		put_esc(pg, tr(pg, verdict_text(res->verdict)));
		put(pg, "</p><p>");
		put_esc(pg,
		        wf_tr(pg->lang,
		              "If you got it from a Wufei kiosk, please show it to the staff."));
		put(pg, "</p>");
		return;
	}
	put(pg, "<h1 class=ok><span aria-hidden=true>&#10003; </span>");
	put_esc(pg, wf_tr(pg->lang, "Genuine receipt"));
	put(pg, "</h1>");
	points_block(pg, &res->r);
	facts_list(pg, res, f);
	claim_block(pg, res, f);
}

static const char page_style[] =
    "*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}"
    "body{font-family:system-ui,'Noto Sans CJK SC','Noto Sans SC',sans-serif;margin:0;"
    "color:#1f2328;background:#fff;font-size:18px;line-height:1.5}"
    "header{display:flex;justify-content:space-between;align-items:center;padding:8px 16px;"
    "background:#1a7f37;color:#fff}.brand{font-weight:700}"
    "header a{color:#fff;display:inline-block;padding:10px 12px;min-height:44px;"
    "border:1px solid #fff;border-radius:8px;text-decoration:none}"
    "main{padding:16px;max-width:32rem;margin:0 auto}"
    "h1{font-size:1.4rem;margin:.3em 0}h2{font-size:1.1rem;margin:0 0 .3em}"
    ".ok{color:#1a7f37}.bad{color:#b42318}"
    ".points{margin:.2em 0;font-size:1.3rem}.points .n{font-size:3.5rem;font-weight:700;"
    "line-height:1.1;margin-right:.15em}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:.3em 1em;margin:1em 0}"
    "dt{color:#57606a}dd{margin:0;font-weight:600;overflow-wrap:anywhere}.nw{white-space:nowrap}"
    ".claim{background:#eef6f0;border-left:4px solid #1a7f37;padding:12px 14px;"
    "border-radius:4px}.claim p{margin:.3em 0}.note{color:#57606a;font-size:.95rem}";

/* The whole page: head, header with the language switch, the body. */
static void page(struct page *pg, const struct rcheck_result *res, const struct facts *f)
{
	enum wf_lang other = pg->lang == WF_LANG_ZH ? WF_LANG_EN : WF_LANG_ZH;
	const char *html_lang = pg->lang == WF_LANG_ZH ? "zh-CN" : "en";
	const char *other_lang = other == WF_LANG_ZH ? "zh-CN" : "en";
	put(pg,
	    "<!DOCTYPE html><html lang=%s><head><meta charset=utf-8>"
	    "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
	    "<meta name=robots content=noindex><title>",
	    html_lang);
	put_esc(pg, wf_tr(pg->lang, "Wufei recycling receipt"));
	put(pg, "</title><style>%s</style></head><body><header><span class=brand>", page_style);
	put_esc(pg, wf_tr(pg->lang, "Wufei recycling"));
	/* A query-only link keeps the path (the token) as it is. */
	put(pg, "</span><a href=\"?lang=%s\" hreflang=%s lang=%s>", wf_lang_code(other), other_lang,
	    other_lang);
	put_esc(pg, wf_lang_name(other));
	put(pg, "</a></header><main>");
	body(pg, res, f);
	put(pg, "</main></body></html>\n");
}

void receipt_page(struct server *srv, const struct request *rq, struct answer *a)
{
	struct rcheck_result res;
	struct facts f = {0};
	snprintf(f.place.time_zone, sizeof f.place.time_zone, "%s", STORE_TZ_DEFAULT);
	store_lock(rq->store);
	int rc = rcheck_token(rq->store, rq->path, &res);
	if (!rc && res.verdict != RCHECK_MALFORMED) {
		f.category_id = res.r.category;
		struct store_catalog_fns fns = {.ctx = &f, .category = find_cat};
		rc = rq->store->ops->catalog_read(rq->store, -1, &fns, NULL);
		if (!rc)
			rc = rq->store->ops->kiosk_place(rq->store, res.r.kiosk, &f.place);
		rc = rc < 0 ? rc : WF_OK;
	}
	store_unlock(rq->store);
	if (rc) {
		answer_store_failed(a, rc, "the receipt was not checked");
		return;
	}
	struct page pg = {.lang = page_lang(rq->lang, rq->accept_language), .cap = 16384};
	pg.buf = malloc(pg.cap);
	if (pg.buf)
		page(&pg, &res, &f);
	if (!pg.buf || pg.full) {
		free(pg.buf);
		answer_error(a, 500, "internal", "out of memory");
		return;
	}
	a->html = pg.buf;
	a->status = res.verdict == RCHECK_GENUINE ? 200 : 404;
}
