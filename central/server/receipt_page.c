/*
 * receipt_page.c — GET /r/<TOKEN> and /R/<TOKEN>, the QR code's URL: a small
 * HTML page saying whether the receipt is genuine, what it was for and
 * whether it was claimed (docs/SYNC-API.md). 200 genuine, 404 anything
 * else. No personal data.
 */
#include "server_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rcheck.h"

struct cat_name {
	uint16_t id;
	char name[WF_CATEGORY_NAME_MAX];
	int found;
};

static int find_cat(void *ctx, const struct wf_category *c)
{
	struct cat_name *n = ctx;
	if (c->id == n->id) {
		snprintf(n->name, sizeof n->name, "%s", c->name);
		n->found = 1;
		return 1;
	}
	return 0;
}

static void html_escape(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	for (; *in && o + 7 < cap; in++) {
		const char *rep = NULL;
		switch (*in) {
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '&': rep = "&amp;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: break;
		}
		if (rep) {
			size_t n = strlen(rep);
			memcpy(out + o, rep, n);
			o += n;
		} else
			out[o++] = *in;
	}
	out[o] = '\0';
}

static void fmt_utc(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(out, cap, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, cap, "?");
}

/* The page's body for a genuine receipt. */
static void genuine_body(const struct rcheck_result *res, const struct cat_name *cat, char *body,
                         size_t cap)
{
	char when[40], claimed[40] = "", catname[WF_CATEGORY_NAME_MAX * 6], revoked[120] = "";
	fmt_utc((int64_t)res->r.time_min * 60, when, sizeof when);
	html_escape(cat->found ? cat->name : "?", catname, sizeof catname);
	if (res->claimed)
		fmt_utc(res->claimed_s, claimed, sizeof claimed);
	if (res->key_revoked_s)
		snprintf(revoked, sizeof revoked,
		         "<p class=note>Signed before the kiosk's key was revoked.</p>");
	snprintf(body, cap,
	         "<h1 class=ok>&#10003; Genuine receipt</h1><table>"
	         "<tr><th>Kiosk</th><td>%" PRIu32 "</td></tr>"
	         "<tr><th>Drop</th><td>#%" PRIu32 "</td></tr>"
	         "<tr><th>When</th><td>%s</td></tr>"
	         "<tr><th>Category</th><td>%s</td></tr>"
	         "<tr><th>Quantity</th><td>%" PRIu32 " %s</td></tr>"
	         "<tr><th>Points</th><td>%" PRIu32 "%s</td></tr>"
	         "<tr><th>Synced</th><td>%s</td></tr>"
	         "<tr><th>Claimed</th><td>%s%s</td></tr></table>%s",
	         res->r.kiosk, res->r.seq, when, catname, res->r.qty,
	         (res->r.flags & RECEIPT_FLAG_PIECES) ? "pieces" : "g", res->r.points,
	         (res->r.flags & RECEIPT_FLAG_CAPPED) ? " (daily limit reached)" : "",
	         res->record_held ? "yes" : "not yet", res->claimed ? "yes, " : "not yet", claimed,
	         revoked);
}

/* body in the page's frame: a->html. */
static void page_frame(const char *body, struct answer *a)
{
	size_t cap = strlen(body) + 1024;
	a->html = malloc(cap);
	if (!a->html) {
		answer_error(a, 500, "internal", "out of memory");
		return;
	}
	snprintf(a->html, cap,
	         "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
	         "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
	         "<title>Wufei receipt</title><style>body{font-family:sans-serif;margin:1em;"
	         "max-width:30em}h1{font-size:1.4em}.ok{color:#1a7f37}.bad{color:#b42318}"
	         "th{text-align:left;padding-right:1em}td,th{padding:.3em 0}.note{color:#555}"
	         "</style></head><body>%s</body></html>\n",
	         body);
}

void receipt_page(struct server *srv, const struct request *rq, struct answer *a)
{
	struct rcheck_result res;
	struct cat_name cat = {0};
	store_lock(srv->store);
	int rc = rcheck_token(srv->store, rq->path, &res);
	if (!rc && res.verdict != RCHECK_MALFORMED) {
		cat.id = res.r.category;
		struct store_catalog_fns f = {.ctx = &cat, .category = find_cat};
		rc = srv->store->ops->catalog_read(srv->store, -1, &f, NULL);
	}
	store_unlock(srv->store);
	if (rc) {
		answer_error(a, 500, "internal", "storage failed");
		return;
	}
	char body[4096];
	if (res.verdict == RCHECK_GENUINE)
		genuine_body(&res, &cat, body, sizeof body);
	else
		snprintf(body, sizeof body,
		         "<h1 class=bad>&#10007; Not a valid receipt</h1><p>%s.</p>"
		         "<p>If you got this from a Wufei kiosk, please show it to the staff.</p>",
		         rcheck_verdict_text(res.verdict));
	page_frame(body, a);
	if (a->html)
		a->status = res.verdict == RCHECK_GENUINE ? 200 : 404;
}
