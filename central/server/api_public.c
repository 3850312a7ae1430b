/*
 * api_public.c — the unsigned API calls: GET /api/v1/time (central's clock)
 * and POST /api/v1/receipts/claim (the token is the bearer; docs/SYNC-API.md).
 */
#include "server_private.h"

#include <string.h>

#include "rcheck.h"

void api_time(struct server *srv, const struct request *rq, struct answer *a)
{
	(void)srv;
	(void)rq;
	a->status = 200; /* central_time is added to every JSON answer */
	a->json = json_pack("{s:s}", "format", "wufei-time-1");
}

void api_claim(struct server *srv, const struct request *rq, struct answer *a)
{
	json_t *j = answer_parse_body(rq, a);
	if (!j)
		return;
	const char *token = json_string_value(json_object_get(j, "token"));
	struct rcheck_result res;
	int64_t claimed_s = 0;
	if (!token || strlen(token) > 256) {
		answer_error(a, 400, "malformed_json", "token must be a string (<= 256 bytes)");
		json_decref(j);
		return;
	}
	store_lock(srv->store);
	int rc = rcheck_token(srv->store, token, &res);
	int got = 0;
	if (!rc && res.verdict == RCHECK_GENUINE)
		got = rcheck_claim(srv->store, &res, server_now(srv), &claimed_s);
	store_unlock(srv->store);
	json_decref(j);
	if (rc || got < 0) {
		answer_error(a, 500, "internal", "storage failed");
		return;
	}
	if (res.verdict != RCHECK_GENUINE) {
		answer_error(a, 404, "invalid_receipt", "%s", rcheck_verdict_text(res.verdict));
		return;
	}
	a->status = got == 1 ? 200 : 409;
	a->json =
	    json_pack("{s:s, s:I, s:I, s:I}", "status", got == 1 ? "claimed" : "already_claimed",
	              "claimed_at", (json_int_t)claimed_s, "kiosk", (json_int_t)res.r.kiosk, "seq",
	              (json_int_t)res.r.seq);
}
