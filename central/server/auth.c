/*
 * auth.c — who signed a request (docs/SYNC-API.md "Signed requests"): the
 * four headers well formed, the kiosk enrolled, its key known and not
 * revoked, the time inside central's window, the signature over method,
 * target, time and body hash; and the request's id for the replay memory
 * (the hash of what was signed). See server_private.h.
 */
#include "server_private.h"

#include <inttypes.h>
#include <string.h>

#include <sodium.h>

#include "log.h"

/* The headers, parsed; false when one is absent or malformed. */
static bool headers_parse(const struct signed_headers *h, uint64_t *kiosk, uint64_t *key_id,
                          uint64_t *t)
{
	return h->kiosk && h->key_id && h->time && h->signature &&
	       parse_u64(h->kiosk, 0xFFFFFFu, kiosk) == WF_OK && *kiosk != 0 &&
	       parse_u64(h->key_id, SIGNING_KEY_ID_MAX, key_id) == WF_OK && *key_id != 0 &&
	       parse_u64(h->time, INT64_MAX, t) == WF_OK &&
	       strlen(h->signature) == SIGNING_SIG_HEX_LEN;
}

/* The kiosk's key key_id, or a refusal in a. */
static int key_lookup(struct store *s, uint64_t k, uint64_t key_id, struct store_key *key,
                      struct answer *a)
{
	store_lock(s);
	int ex = s->ops->kiosk_exists(s, (uint32_t)k);
	int rc = ex == 1 ? s->ops->key_get(s, (uint32_t)k, (uint32_t)key_id, key) : ex;
	store_unlock(s);
	if (ex == 0) {
		answer_error(a, 403, "unknown_kiosk", "kiosk %" PRIu64 " is not enrolled", k);
		return WF_EINVAL;
	}
	if (rc == WF_ENOENT) {
		answer_error(a, 401, "unknown_key", "kiosk %" PRIu64 " has no key %" PRIu64, k,
		             key_id);
		return WF_EINVAL;
	}
	if (rc) {
		answer_store_failed(a, rc, "the request was not checked");
		return rc;
	}
	if (key->revoked_s) {
		answer_error(a, 401, "key_revoked",
		             "key %" PRIu64 " of kiosk %" PRIu64 " was revoked", key_id, k);
		return WF_EINVAL;
	}
	return WF_OK;
}

/* rq->request_id: the hash of the string the kiosk signed (the replay memory's key). */
static int request_id(struct request *rq, uint64_t k, uint64_t key_id, uint64_t t, struct answer *a)
{
	char text[SIGNING_STRING_MAX];
	int n = signing_build_string(text, sizeof text, rq->method, rq->target, (int64_t)t,
	                             rq->body_hash, (uint32_t)k, (uint32_t)key_id);
	if (n < 0) { /* cannot be: the same string was just verified */
		answer_error(a, 500, "internal", "request id");
		return n;
	}
	crypto_generichash(rq->request_id, WF_HASH_BYTES, (const unsigned char *)text, (size_t)n,
	                   NULL, 0);
	return WF_OK;
}

int auth_check(struct server *srv, struct request *rq, struct answer *a)
{
	uint64_t k = 0, key_id = 0, t = 0;
	struct store_key key;
	if (!headers_parse(&rq->headers, &k, &key_id, &t)) {
		answer_error(a, 401, "missing_signature",
		             "X-Wufei-Kiosk, X-Wufei-Key-Id, X-Wufei-Time and X-Wufei-Signature "
		             "are required and well formed");
		return WF_EINVAL;
	}
	if (rq->target_too_long) {
		answer_error(a, 400, "bad_request", "request target too long");
		return WF_EINVAL;
	}
	int rc = key_lookup(rq->store, k, key_id, &key, a);
	if (rc)
		return rc;
	int64_t now = server_now(srv);
	int64_t skew = (int64_t)t - now;
	if (skew > SERVER_WINDOW_S || skew < -SERVER_WINDOW_S) {
		answer_error(a, 401, "clock_skew",
		             "X-Wufei-Time %" PRIu64 " is %" PRId64
		             " s away from central's clock %" PRId64,
		             t, skew, now);
		return WF_EINVAL;
	}
	if (signing_verify_request(key.public_key, rq->method, rq->target, (int64_t)t,
	                           rq->body_hash, (uint32_t)k, (uint32_t)key_id,
	                           rq->headers.signature) != WF_OK) {
		answer_error(a, 401, "bad_signature", "the signature does not verify");
		return WF_ECRYPTO;
	}
	rq->kiosk = (uint32_t)k;
	/* this request's lines carry WUFEI_KIOSK= (cleared by server.c once answered) */
	wf_log_scope(&(struct wf_log_ctx){.kiosk = k});
	rq->signed_s = (int64_t)t;
	return request_id(rq, k, key_id, t, a);
}
