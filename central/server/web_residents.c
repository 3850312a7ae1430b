/*
 * web_residents.c — /office/residents: a resident looked up by id or by card
 * (the card id typed, hashed with central's card key as at enrolment:
 * cardid_hash), shown masked with status, balance and the points ledger's
 * entries; and the forms that change points: claim a receipt onto a
 * resident (rcheck_claim), redeem (points_redeem, an idempotency key made
 * into the form so a double submit redeems once), an admin's adjustment
 * with a reason (points_adjust). Each form passes office_http_guard, is
 * audited with who and when, and answers with a redirect to the resident's
 * page, which says what happened (POST-redirect-GET). See web_private.h.
 */
#include "web_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cardid_hash.h"
#include "i18n.h"
#include "office_http.h"
#include "points.h"
#include "rcheck.h"

#define HISTORY_SHOWN 200 /* the newest entries a page lists */

/* ---- what a form did, said on the page it leads to ---- */

static const char *claim_said(enum wf_lang l, long st)
{
	switch (st) {
	case RCHECK_CLAIMED:
		return wf_tr(l, "The receipt is claimed: its points are the resident's.");
	case RCHECK_ALREADY_CLAIMED:
		return wf_tr(l, "This receipt was claimed before; nothing changed.");
	case RCHECK_PENDING:
		return wf_tr(
		    l, "Pending: central does not hold this drop's record yet. Try again later.");
	case RCHECK_NOT_GENUINE: return wf_tr(l, "This is not a genuine receipt; nothing changed.");
	case RCHECK_RESIDENT_DROP:
		return wf_tr(l, "This drop earned a resident's points at the kiosk already.");
	case RCHECK_NO_RESIDENT: return wf_tr(l, "No such resident.");
	case RCHECK_BLOCKED_RESIDENT: return wf_tr(l, "The resident is blocked; nothing changed.");
	case RCHECK_LIMIT_REACHED:
		return wf_tr(l, "Not claimed: the resident has reached the daily limit for this "
		                "category on that day.");
	default: return NULL;
	}
}

static const char *points_said(enum wf_lang l, long out)
{
	switch (out) {
	case POINTS_DONE: return wf_tr(l, "Done.");
	case POINTS_REPEAT: return wf_tr(l, "This form was sent before: done once, not again.");
	case POINTS_KEY_REUSED:
		return wf_tr(l, "Refused: the form's key was used for something else.");
	case POINTS_INSUFFICIENT:
		return wf_tr(l, "Refused: the balance is too small; nothing changed.");
	case POINTS_UNKNOWN_RESIDENT: return wf_tr(l, "No such resident.");
	default: return NULL;
	}
}

static long query_long(const struct request *rq, const char *name, long dflt)
{
	const char *q = server_query(rq, name);
	uint64_t v = 0;
	if (!q || parse_u64(q, 1000000000u, &v) != WF_OK)
		return dflt;
	return (long)v;
}

/* The result a redirect carries (?done=claim|redeem|adjust&st=N&pts=N&of=N). */
static void result_note(struct web_ctx *w)
{
	const char *done = server_query(w->rq, "done");
	long st = query_long(w->rq, "st", -1), pts = query_long(w->rq, "pts", 0),
	     of = query_long(w->rq, "of", 0);
	const char *text = NULL;
	bool ok = false;
	if (done && !strcmp(done, "claim")) {
		text = claim_said(w->lang, st);
		ok = st == RCHECK_CLAIMED;
	} else if (done && (!strcmp(done, "redeem") || !strcmp(done, "adjust"))) {
		text = points_said(w->lang, st);
		ok = st == POINTS_DONE || st == POINTS_REPEAT;
	}
	if (!text)
		return;
	web_raw(&w->b, ok ? "<p class=\"ok result\" role=status>"
	                  : "<p class=\"bad result\" role=status>");
	web_text(&w->b, text);
	if (done[0] != 'c' && st == POINTS_DONE) {
		char p[48];
		web_fmt_points(w->lang, done[0] == 'r' ? pts : of, p, sizeof p);
		web_raw(&w->b, " ");
		web_text(&w->b, done[0] == 'r' ? wf_tr(w->lang, "Redeemed:")
		                               : wf_tr(w->lang, "Balance now:"));
		web_raw(&w->b, " ");
		web_text(&w->b, p);
	}
	if (done[0] == 'c' && st == RCHECK_CLAIMED) {
		char p[48], o[48];
		web_fmt_points(w->lang, pts, p, sizeof p);
		web_fmt_points(w->lang, of, o, sizeof o);
		web_raw(&w->b, " ");
		web_text(&w->b, p);
		if (pts < of) {
			web_raw(&w->b, " / ");
			web_text(&w->b, o);
			web_raw(&w->b, " — ");
			web_text(&w->b,
			         wf_tr(w->lang, "the rest is over the resident's daily limit."));
		}
	}
	web_raw(&w->b, "</p>");
}

/* ---- the page ---- */

struct history {
	struct store_points_entry e[HISTORY_SHOWN];
	size_t n, total; /* kept (the newest), seen */
};

static int history_row(void *ctx, const struct store_points_entry *e)
{
	struct history *h = ctx;
	h->e[h->total % HISTORY_SHOWN] = *e;
	h->total++;
	h->n = h->total < HISTORY_SHOWN ? h->total : HISTORY_SHOWN;
	return 0;
}

static const char *kind_label(enum wf_lang l, enum store_points_kind k)
{
	switch (k) {
	case STORE_POINTS_EARNED: return wf_tr(l, "Earned at a kiosk");
	case STORE_POINTS_CLAIMED: return wf_tr(l, "Claimed from a receipt");
	case STORE_POINTS_REDEEMED: return wf_tr(l, "Redeemed");
	case STORE_POINTS_ADJUSTED: return wf_tr(l, "Adjusted");
	default: return "?";
	}
}

static void history_table(struct web_ctx *w, const struct history *h)
{
	const struct web_col cols[] = {
	    {wf_tr(w->lang, "When"), false},          {wf_tr(w->lang, "Entry"), false},
	    {wf_tr(w->lang, "Points"), true},         {wf_tr(w->lang, "Balance after"), true},
	    {wf_tr(w->lang, "Record"), false},        {wf_tr(w->lang, "By"), false},
	    {wf_tr(w->lang, "Reason or key"), false},
	};
	web_table_begin(&w->b, wf_tr(w->lang, "Points entries, newest first"), cols, 7);
	for (size_t i = 0; i < h->n; i++) {
		const struct store_points_entry *e = &h->e[(h->total - 1 - i) % HISTORY_SHOWN];
		char t[40], p[32], bal[32], rec[32], href[64];
		web_fmt_time(e->at_s, t, sizeof t);
		web_fmt_int(e->points, p, sizeof p);
		web_fmt_int(e->balance_after, bal, sizeof bal);
		web_tr_begin(&w->b);
		web_td(&w->b, t, false);
		web_td(&w->b, kind_label(w->lang, e->kind), false);
		web_td(&w->b, p, true);
		web_td(&w->b, bal, true);
		if (e->kiosk) {
			snprintf(href, sizeof href, "/office/records/%" PRIu32 "/%" PRIu32,
			         e->kiosk, e->seq);
			snprintf(rec, sizeof rec, "%" PRIu32 " / %" PRIu32, e->kiosk, e->seq);
			web_td_link(&w->b, href, rec, false);
		} else
			web_td(&w->b, "", false);
		web_td(&w->b, e->actor, false);
		web_td(&w->b, e->reason[0] ? e->reason : e->key, false);
		web_tr_end(&w->b);
	}
	if (h->n == 0) {
		web_raw(&w->b, "<tr><td colspan=7>");
		web_text(&w->b, wf_tr(w->lang, "No points entries yet."));
		web_raw(&w->b, "</td></tr>");
	}
	web_table_end(&w->b);
}

static void lookup_form(struct web_ctx *w, const char *id, const char *card)
{
	web_raw(&w->b, "<section class=panel aria-labelledby=find-h><h2 id=find-h>");
	web_text(&w->b, wf_tr(w->lang, "Find a resident"));
	web_raw(&w->b, "</h2>");
	web_form_begin(&w->b, "get", "/office/residents", NULL);
	web_field(&w->b, "id", wf_tr(w->lang, "Resident number"), "number", id, false);
	web_field(&w->b, "card", wf_tr(w->lang, "or card id (em4100:0014868981)"), "text", card,
	          false);
	web_raw(&w->b, "<input type=hidden name=lang value=\"");
	web_raw(&w->b, wf_lang_code(w->lang));
	web_raw(&w->b, "\">");
	web_form_end(&w->b, wf_tr(w->lang, "Find"));
	web_raw(&w->b, "</section>");
}

static void forms(struct web_ctx *w, const struct store_resident *r)
{
	char id[24], key[2 * 16 + 1];
	uint8_t raw[16];
	snprintf(id, sizeof id, "%" PRId64, r->id);
	if (office_can(w->who.role, OFFICE_CLAIM)) {
		web_raw(&w->b, "<section class=panel aria-labelledby=claim-h><h2 id=claim-h>");
		web_text(&w->b, wf_tr(w->lang, "Claim a receipt for this resident"));
		web_raw(&w->b, "</h2>");
		web_form_begin(&w->b, "post", "/office/claim", w->who.csrf);
		web_raw(&w->b, "<input type=hidden name=resident value=\"");
		web_attr(&w->b, id);
		web_raw(&w->b, "\">");
		web_field(&w->b, "token", wf_tr(w->lang, "Receipt code or its web address"), "text",
		          NULL, true);
		web_form_end(&w->b, wf_tr(w->lang, "Claim"));
		web_raw(&w->b, "</section>");
	}
	if (office_can(w->who.role, OFFICE_REDEEM)) {
		randombytes_buf(raw, sizeof raw);
		sodium_bin2hex(key, sizeof key, raw, sizeof raw);
		web_raw(&w->b, "<section class=panel aria-labelledby=redeem-h><h2 id=redeem-h>");
		web_text(&w->b, wf_tr(w->lang, "Redeem points"));
		web_raw(&w->b, "</h2>");
		web_form_begin(&w->b, "post", "/office/redeem", w->who.csrf);
		web_raw(&w->b, "<input type=hidden name=resident value=\"");
		web_attr(&w->b, id);
		web_raw(&w->b, "\"><input type=hidden name=key value=\"office-");
		web_raw(&w->b, key);
		web_raw(&w->b, "\">");
		web_field(&w->b, "redeem-points", wf_tr(w->lang, "Points to redeem"), "number",
		          NULL, true);
		web_form_end(&w->b, wf_tr(w->lang, "Redeem"));
		web_raw(&w->b, "</section>");
	}
	if (office_can(w->who.role, OFFICE_ADJUST_POINTS)) {
		web_raw(&w->b, "<section class=panel aria-labelledby=adjust-h><h2 id=adjust-h>");
		web_text(&w->b, wf_tr(w->lang, "Adjust points (admin)"));
		web_raw(&w->b, "</h2>");
		web_form_begin(&w->b, "post", "/office/adjust", w->who.csrf);
		web_raw(&w->b, "<input type=hidden name=resident value=\"");
		web_attr(&w->b, id);
		web_raw(&w->b, "\">");
		web_field(&w->b, "adjust-points", wf_tr(w->lang, "Points (negative to take away)"),
		          "number", NULL, true);
		web_field(&w->b, "reason", wf_tr(w->lang, "Reason"), "text", NULL, true);
		web_form_end(&w->b, wf_tr(w->lang, "Adjust"));
		web_raw(&w->b, "</section>");
	}
}

/* The resident asked for: 1 found, 0 not, or a storage error; bad: not an id or a card. */
static int find(struct web_ctx *w, const char *id, const char *card, struct store_resident *r,
                bool *bad)
{
	struct store *s = w->rq->store;
	uint64_t n = 0;
	char hash[WF_HASH_HEX];
	*bad = false;
	if (id && *id) {
		if (parse_u64(id, INT64_MAX, &n) != WF_OK || n == 0) {
			*bad = true;
			return 0;
		}
		return s->ops->web_resident_get(s, (int64_t)n, NULL, r);
	}
	uint8_t key[CARDID_KEY_BYTES];
	uint32_t version = 0;
	if (!cardid_valid(card)) {
		*bad = true;
		return 0;
	}
	int rc = s->ops->card_key_get(s, &version, key);
	if (!rc)
		rc = cardid_hash_hex(key, card, hash);
	sodium_memzero(key, sizeof key);
	if (rc) {
		*bad = rc == WF_EINVAL;
		return *bad ? 0 : rc;
	}
	return s->ops->web_resident_get(s, 0, hash, r);
}

static void resident_facts(struct web_ctx *w, const struct store_resident *r,
                           const struct history *h)
{
	char id[24], bal[48];
	snprintf(id, sizeof id, "%" PRId64, r->id);
	web_fmt_points(w->lang, r->points_balance, bal, sizeof bal);
	web_raw(&w->b, "<h2 id=resident>");
	web_text(&w->b, wf_tr(w->lang, "Resident"));
	web_raw(&w->b, " #");
	web_text(&w->b, id);
	web_raw(&w->b, "</h2><ul class=figures><li>");
	web_text(&w->b, wf_tr(w->lang, "Name (masked)"));
	web_raw(&w->b, "<span class=n>");
	web_text(&w->b, r->name[0] ? r->name : "—");
	web_raw(&w->b, "</span></li><li>");
	web_text(&w->b, wf_tr(w->lang, "Status"));
	web_raw(&w->b, strcmp(r->status, "active") ? "<span class=\"n bad\">" : "<span class=n>");
	web_text(&w->b, strcmp(r->status, "active") ? wf_tr(w->lang, "blocked")
	                                            : wf_tr(w->lang, "active"));
	web_raw(&w->b, "</span></li><li>");
	web_text(&w->b, wf_tr(w->lang, "Balance"));
	web_raw(&w->b, "<span class=\"n balance\">");
	web_text(&w->b, bal);
	web_raw(&w->b, "</span></li></ul>");
	if (r->block_reason[0]) {
		web_raw(&w->b, "<p class=note>");
		web_text(&w->b, r->block_reason);
		web_raw(&w->b, "</p>");
	}
	(void)h;
}

void web_residents(struct web_ctx *w, struct answer *a)
{
	const char *id = server_query(w->rq, "id"), *card = server_query(w->rq, "card");
	char self[160] = "/office/residents";
	struct store_resident r;
	struct history *h = NULL;
	bool bad = false;
	int found = 0;
	if ((id && *id) || (card && *card)) {
		found = find(w, id, card, &r, &bad);
		if (found == 1) {
			snprintf(self, sizeof self, "/office/residents?id=%" PRId64, r.id);
			h = calloc(1, sizeof *h);
			found = h ? w->rq->store->ops->points_history(w->rq->store, r.id,
			                                              history_row, h)
			          : WF_ENOMEM;
			found = found ? found : 1;
		}
	}
	if (found < 0) {
		free(h);
		web_fail(w, a, answer_store_status(a, found), store_errmsg(w->rq->store));
		return;
	}
	web_begin(w, wf_tr(w->lang, "Residents"), self, WEB_NAV_RESIDENTS);
	result_note(w);
	lookup_form(w, found == 1 ? NULL : id, found == 1 ? NULL : card);
	if (bad || (found == 0 && ((id && *id) || (card && *card)))) {
		web_raw(&w->b, "<p class=bad role=status>");
		web_text(&w->b, bad ? wf_tr(w->lang, "Give a resident number, or a card id such as "
		                                     "em4100:0014868981.")
		                    : wf_tr(w->lang, "No such resident."));
		web_raw(&w->b, "</p>");
	}
	if (found == 1) {
		resident_facts(w, &r, h);
		forms(w, &r);
		history_table(w, h);
	}
	free(h);
	web_finish(w, a, 200);
}

/* ---- the forms ---- */

/* The form's resident field: > 0, else 0. */
static int64_t form_resident(const struct office_form *f)
{
	uint64_t v = 0;
	const char *t = office_form_get(f, "resident");
	if (!t || parse_u64(t, INT64_MAX, &v) != WF_OK)
		return 0;
	return (int64_t)v;
}

static void back(struct answer *a, int64_t resident, const char *done, int st, int64_t pts,
                 int64_t of)
{
	char loc[200];
	snprintf(loc, sizeof loc,
	         "/office/residents?id=%" PRId64 "&done=%s&st=%d&pts=%" PRId64 "&of=%" PRId64,
	         resident, done, st, pts < 0 ? -pts : pts, of);
	office_http_redirect(a, loc);
}

void web_claim_post(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	struct office_form f;
	struct rcheck_claim_result res;
	if (office_http_guard(srv, rq, a, OFFICE_CLAIM, &who, &f) != WF_OK)
		return;
	int64_t resident = form_resident(&f);
	const char *token = office_form_get(&f, "token");
	if (!resident || !token || !*token || strlen(token) > 512) {
		office_http_refuse(a, 400, "Give a resident number and a receipt code.");
		return;
	}
	int64_t now = server_now(srv);
	store_lock(rq->store);
	int rc = rcheck_claim(rq->store, token, resident, who.user.name, now, &res);
	store_unlock(rq->store);
	if (rc) {
		office_http_refuse(a, rc == WF_EINVAL ? 400 : answer_store_status(a, rc),
		                   rc == WF_EINVAL ? "Not a valid resident."
		                                   : "Storage failed; nothing was changed.");
		return;
	}
	office_audit(rq->store, now, who.user.name, rq->client_addr, "claim",
	             "receipt %" PRIu32 "/%" PRIu32 " onto resident %" PRId64 ": %s, %" PRId64
	             " points",
	             res.check.r.kiosk, res.check.r.seq, resident, rcheck_claim_text(res.status),
	             res.status == RCHECK_CLAIMED ? res.claim.points : 0);
	back(a, resident, "claim", (int)res.status, res.claim.points, res.drop_points);
}

/* A points field: a whole number, 1..POINTS_MAX in size, negative only when signed_ok. */
static bool form_points(const struct office_form *f, const char *name, bool signed_ok, int64_t *out)
{
	const char *t = office_form_get(f, name);
	uint64_t v = 0;
	bool neg = t && t[0] == '-' && signed_ok;
	if (!t || parse_u64(t + neg, POINTS_MAX, &v) != WF_OK || v == 0)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

void web_redeem_post(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	struct office_form f;
	struct points_result res;
	int64_t points = 0;
	if (office_http_guard(srv, rq, a, OFFICE_REDEEM, &who, &f) != WF_OK)
		return;
	int64_t resident = form_resident(&f);
	const char *key = office_form_get(&f, "key");
	if (!resident || !key || !points_key_ok(key) ||
	    !form_points(&f, "redeem-points", false, &points)) {
		office_http_refuse(a, 400,
		                   "Give a resident and a whole number of points (1 or more).");
		return;
	}
	int64_t now = server_now(srv);
	store_lock(rq->store);
	int rc = points_redeem(rq->store, resident, points, key, who.user.name, now, &res);
	store_unlock(rq->store);
	if (rc) {
		office_http_refuse(a, rc == WF_EINVAL ? 400 : answer_store_status(a, rc),
		                   "Nothing was redeemed.");
		return;
	}
	office_audit(rq->store, now, who.user.name, rq->client_addr, "redeem",
	             "resident %" PRId64 ": %" PRId64 " points, key %s: %s", resident, points, key,
	             points_outcome_text(res.outcome));
	back(a, resident, "redeem", (int)res.outcome, points, res.balance);
}

void web_adjust_post(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	struct office_form f;
	struct points_result res;
	int64_t points = 0;
	if (office_http_guard(srv, rq, a, OFFICE_ADJUST_POINTS, &who, &f) != WF_OK)
		return;
	int64_t resident = form_resident(&f);
	const char *reason = office_form_get(&f, "reason");
	if (!resident || !form_points(&f, "adjust-points", true, &points) || !reason ||
	    !points_text_ok(reason, STORE_POINTS_REASON_MAX, false)) {
		office_http_refuse(a, 400,
		                   "Give a resident, a whole number of points and a reason.");
		return;
	}
	int64_t now = server_now(srv);
	store_lock(rq->store);
	int rc = points_adjust(rq->store, resident, points, reason, who.user.name, now, &res);
	store_unlock(rq->store);
	if (rc) {
		office_http_refuse(a, rc == WF_EINVAL ? 400 : answer_store_status(a, rc),
		                   "Nothing was adjusted.");
		return;
	}
	office_audit(rq->store, now, who.user.name, rq->client_addr, "adjust",
	             "resident %" PRId64 ": %+" PRId64 " points (%s): %s", resident, points, reason,
	             points_outcome_text(res.outcome));
	back(a, resident, "adjust", (int)res.outcome, points, res.balance);
}
