/*
 * api_points.c — the office's points calls (docs/SYNC-API.md "Points"):
 * POST /api/v1/receipts/claim (a receipt's points onto a resident) and POST
 * /api/v1/redeem (a resident spends points, once per idempotency key). Both
 * are made by an authenticated actor — an office operator's session or a
 * partner shop's token (partners may only redeem) — never by a kiosk
 * signature or a receipt alone. The rules are rcheck.h's and points.h's.
 */
#include "server_private.h"

#include <inttypes.h>
#include <string.h>

#include "office_http.h"
#include "points.h"
#include "log.h"
#include "rcheck.h"

/* A partner shop's token (Authorization: Bearer wft_...): it may only redeem. */
static int token_actor(struct server *srv, const struct request *rq, struct office_actor *actor,
                       struct answer *a)
{
	int64_t id = 0;
	char scope[16] = "";
	int ok = office_token_check(rq->store, rq->authorization, &id, scope);
	if (ok < 0) {
		answer_store_failed(a, ok, "the token was not checked");
		return ok;
	}
	if (ok == 0 || strcmp(scope, "redeem") != 0) {
		answer_error(a, 401, "office_auth_required", "the partner token is not valid");
		return WF_ESTATE;
	}
	snprintf(actor->name, sizeof actor->name, "token:%lld", (long long)id);
	actor->may_claim = false;
	return WF_OK;
}

/* An office user's session (its cookie): an operator or admin, with the
 * session's CSRF token in the body's "csrf" (a page's script or form sends
 * it; another site cannot read it). */
static int session_actor(struct server *srv, const struct request *rq, const json_t *body,
                         struct office_actor *actor, struct answer *a)
{
	struct office_who who;
	int rc = office_http_who(srv, rq, &who);
	if (rc < 0) {
		answer_store_failed(a, rc, "the session was not checked");
		return rc;
	}
	if (rc == 0) {
		answer_error(a, 401, "office_auth_required",
		             "claims and redemptions need an office session or a partner token");
		return WF_ESTATE;
	}
	if ((rq->fetch_site && strcmp(rq->fetch_site, "cross-site") == 0) ||
	    !office_csrf_ok(&who, json_string_value(json_object_get(body, "csrf")))) {
		answer_error(a, 403, "csrf", "the session's CSRF token is missing or wrong");
		return WF_ESTATE;
	}
	if (!office_can(who.role, OFFICE_REDEEM)) {
		answer_error(a, 403, "forbidden", "a viewer may not claim or redeem");
		return WF_ESTATE;
	}
	snprintf(actor->name, sizeof actor->name, "%s", who.user.name);
	actor->may_claim = office_can(who.role, OFFICE_CLAIM);
	return WF_OK;
}

/*
 * office_actor_of — who makes rq: a partner token (Authorization header),
 * else an office session (cookie + CSRF token); else 401. The test build
 * (wufei-central-crashtest, WUFEI_CRASH_HOOKS) also takes the actor from the
 * body's "test_actor" (an operator) or "test_partner" (a partner), so the
 * race tests drive the handlers over real HTTP without logging in 64 times.
 */
static int office_actor_of(struct server *srv, const struct request *rq, const json_t *body,
                           struct office_actor *actor, struct answer *a)
{
	memset(actor, 0, sizeof *actor);
#ifdef WUFEI_CRASH_HOOKS
	const char *op = json_string_value(json_object_get(body, "test_actor"));
	const char *partner = json_string_value(json_object_get(body, "test_partner"));
	const char *name = op ? op : partner;
	if (name && points_text_ok(name, sizeof actor->name, false)) {
		memcpy(actor->name, name, strlen(name) + 1);
		actor->may_claim = op != NULL;
		return WF_OK;
	}
#endif
	if (rq->authorization)
		return token_actor(srv, rq, actor, a);
	return session_actor(srv, rq, body, actor, a);
}

/* One audit line for a claim or redemption that moved points (the claim or
 * redemption committed before: a failure here is logged, the answer stays). */
static void audit_points(struct server *srv, const struct request *rq,
                         const struct office_actor *actor, const char *action, const char *detail)
{
	if (office_audit(rq->store, server_now(srv), actor->name, rq->client_addr, action, "%s",
	                 detail) != WF_OK)
		wf_log_printf(srv->log, WF_LOG_ERROR, "%s by %s: the audit line was not written",
		              action, actor->name);
}

/* o[key] as an integer in [min, max]; false when absent, another type or out of range. */
static bool json_get_range(const json_t *o, const char *key, int64_t min, int64_t max, int64_t *out)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return false;
	*out = (int64_t)json_integer_value(v);
	return true;
}

#define RESIDENT_ID_MAX (INT64_C(1) << 53) /* what every JSON reader holds exactly */

/* The answer of a claim that was granted: what moved, and whether the limit cut it. */
static json_t *claimed_json(const struct rcheck_claim_result *res)
{
	const struct store_claim *c = &res->claim;
	bool limited = c->qty < res->drop_qty;
	json_t *j = json_pack(
	    "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:I}", "status",
	    "claimed", "claimed_at", (json_int_t)c->claimed_s, "kiosk", (json_int_t)c->kiosk, "seq",
	    (json_int_t)c->seq, "resident", (json_int_t)c->resident, "points",
	    (json_int_t)c->points, "receipt_points", (json_int_t)res->drop_points, "qty",
	    (json_int_t)c->qty, "receipt_qty", (json_int_t)res->drop_qty, "daily_limit",
	    (json_int_t)res->daily_limit, "used_before", (json_int_t)res->used_before, "limited",
	    limited, "balance", (json_int_t)res->balance);
	if (j && limited)
		json_object_set_new(
		    j, "message",
		    json_sprintf(
		        "only %lld of %lld fit the resident's daily limit of %lld for this "
		        "category on %u: %lld of %lld points credited",
		        (long long)c->qty, (long long)res->drop_qty, (long long)res->daily_limit,
		        (unsigned)c->local_day, (long long)c->points, (long long)res->drop_points));
	return j;
}

/* A claim that was not granted (nothing stored): its status, HTTP code and words. */
static void claim_refused(const struct rcheck_claim_result *res, struct answer *a)
{
	static const struct {
		const char *status;
		unsigned http;
	} st[] = {
	    [RCHECK_ALREADY_CLAIMED] = {"already_claimed", 409},
	    [RCHECK_PENDING] = {"pending", 409},
	    [RCHECK_NOT_GENUINE] = {"invalid_receipt", 404},
	    [RCHECK_RESIDENT_DROP] = {"resident_drop", 409},
	    [RCHECK_NO_RESIDENT] = {"unknown_resident", 404},
	    [RCHECK_BLOCKED_RESIDENT] = {"resident_blocked", 409},
	    [RCHECK_LIMIT_REACHED] = {"limit_reached", 409},
	};
	const char *why = res->status == RCHECK_NOT_GENUINE
	                      ? rcheck_verdict_text(res->check.verdict)
	                      : rcheck_claim_text(res->status);
	answer_error(a, st[res->status].http, st[res->status].status, "%s", why);
	json_object_set_new(a->json, "status", json_string(st[res->status].status));
	if (res->status == RCHECK_ALREADY_CLAIMED) {
		json_object_set_new(a->json, "claimed_at", json_integer(res->claim.claimed_s));
		json_object_set_new(a->json, "resident", json_integer(res->claim.resident));
		json_object_set_new(a->json, "points", json_integer(res->claim.points));
	}
	if (res->status == RCHECK_LIMIT_REACHED) {
		json_object_set_new(a->json, "daily_limit", json_integer(res->daily_limit));
		json_object_set_new(a->json, "used_before", json_integer(res->used_before));
	}
	if (res->status != RCHECK_NOT_GENUINE) {
		json_object_set_new(a->json, "kiosk", json_integer(res->check.r.kiosk));
		json_object_set_new(a->json, "seq", json_integer(res->check.r.seq));
	}
}

void api_claim_as(struct server *srv, const struct request *rq, const json_t *body,
                  const struct office_actor *actor, struct answer *a)
{
	const char *token = json_string_value(json_object_get(body, "token"));
	int64_t resident = 0;
	if (!actor->may_claim) {
		answer_error(a, 403, "forbidden", "a partner token may only redeem");
		return;
	}
	if (!token || strlen(token) > 256 ||
	    !json_get_range(body, "resident", 1, RESIDENT_ID_MAX, &resident)) {
		answer_error(a, 400, "malformed_json",
		             "token must be a string (<= 256 bytes), resident a positive integer");
		return;
	}
	struct rcheck_claim_result res;
	store_lock(rq->store);
	int rc = rcheck_claim(rq->store, token, resident, actor->name, server_now(srv), &res);
	store_unlock(rq->store);
	if (rc == WF_EINVAL) {
		answer_error(a, 400, "malformed_json", "resident or actor refused");
		return;
	}
	if (rc) {
		answer_store_failed(a, rc, "nothing was claimed");
		return;
	}
	if (res.status != RCHECK_CLAIMED) {
		claim_refused(&res, a);
		return;
	}
	a->status = 200;
	a->json = claimed_json(&res);
	char detail[160];
	snprintf(detail, sizeof detail,
	         "kiosk %" PRIu32 " seq %" PRIu32 " onto resident %" PRId64 ": %" PRId64 " points",
	         res.claim.kiosk, res.claim.seq, res.claim.resident, res.claim.points);
	audit_points(srv, rq, actor, "api_claim", detail);
}

static json_t *redeemed_json(const struct points_result *res)
{
	return json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:b}", "status", "redeemed",
	                 "resident", (json_int_t)res->entry.resident, "points",
	                 (json_int_t)-res->entry.points, "idempotency_key", res->entry.key, "entry",
	                 (json_int_t)res->entry.id, "redeemed_at", (json_int_t)res->entry.at_s,
	                 "balance", (json_int_t)res->balance, "repeat",
	                 res->outcome == POINTS_REPEAT);
}

void api_redeem_as(struct server *srv, const struct request *rq, const json_t *body,
                   const struct office_actor *actor, struct answer *a)
{
	const char *key = json_string_value(json_object_get(body, "idempotency_key"));
	int64_t resident = 0, points = 0;
	if (!json_get_range(body, "resident", 1, RESIDENT_ID_MAX, &resident) ||
	    !json_get_range(body, "points", 1, POINTS_MAX, &points) || !points_key_ok(key)) {
		answer_error(a, 400, "malformed_json",
		             "resident must be a positive integer, points 1..%lld, idempotency_key "
		             "1..64 of A-Z a-z 0-9 . _ : -",
		             (long long)POINTS_MAX);
		return;
	}
	struct points_result res;
	store_lock(rq->store);
	int rc =
	    points_redeem(rq->store, resident, points, key, actor->name, server_now(srv), &res);
	store_unlock(rq->store);
	if (rc == WF_EINVAL) {
		answer_error(a, 400, "malformed_json", "resident, points, key or actor refused");
		return;
	}
	if (rc) {
		answer_store_failed(a, rc, "nothing was redeemed");
		return;
	}
	switch (res.outcome) {
	case POINTS_DONE:
	case POINTS_REPEAT:
		a->status = 200;
		a->json = redeemed_json(&res);
		if (res.outcome == POINTS_DONE) {
			char detail[200];
			snprintf(detail, sizeof detail,
			         "resident %" PRId64 ": %" PRId64 " points (entry %" PRId64
			         "), key %s",
			         resident, points, res.entry.id, key);
			audit_points(srv, rq, actor, "api_redeem", detail);
		}
		return;
	case POINTS_KEY_REUSED:
		answer_error(a, 409, "idempotency_key_reused", "%s",
		             points_outcome_text(res.outcome));
		return;
	case POINTS_INSUFFICIENT:
		answer_error(a, 409, "insufficient_points", "balance %lld, asked %lld",
		             (long long)res.balance, (long long)points);
		json_object_set_new(a->json, "balance", json_integer(res.balance));
		return;
	case POINTS_UNKNOWN_RESIDENT:
		answer_error(a, 404, "unknown_resident", "no resident %lld", (long long)resident);
		return;
	}
}

/* The route's side: the body parsed, the actor found, then the handler. */
static void with_actor(struct server *srv, const struct request *rq, struct answer *a,
                       void (*fn)(struct server *, const struct request *, const json_t *,
                                  const struct office_actor *, struct answer *))
{
	struct office_actor actor;
	json_t *j = answer_parse_body(rq, a);
	if (!j)
		return;
	if (office_actor_of(srv, rq, j, &actor, a) == WF_OK)
		fn(srv, rq, j, &actor, a);
	json_decref(j);
}

void api_claim(struct server *srv, const struct request *rq, struct answer *a)
{
	with_actor(srv, rq, a, api_claim_as);
}

void api_redeem(struct server *srv, const struct request *rq, struct answer *a)
{
	with_actor(srv, rq, a, api_redeem_as);
}
