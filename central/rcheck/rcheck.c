/* rcheck.c — receipt checks at central; see rcheck.h. */
#include "rcheck.h"

#include <string.h>

#include "ingest.h"
#include "wf.h"

#include "record.h"

/* 1 if the stored record (kiosk, seq) is held; *match = 0 if it contradicts r. */
static int rcheck_journal(struct store *s, const struct receipt *r, int *match)
{
	uint8_t buf[INGEST_MAX_RECORD_BYTES], hash[WF_HASH_BYTES];
	size_t len = 0;
	*match = 1;
	int got = s->ops->record_get(s, r->kiosk, r->seq, buf, sizeof buf, &len, hash);
	if (got != 1)
		return got;
	struct wf_record rec;
	if (wf_record_decode(buf, len, &rec, NULL, 0) != WF_OK || rec.kind != WF_RECORD_DROP) {
		*match = 0;
		return 1;
	}
	*match = rec.drop.category_id == r->category && rec.drop.qty == (int64_t)r->qty &&
	         rec.drop.points == (int64_t)r->points && rec.time_ms >= 0 &&
	         rec.time_ms / 60000 == (int64_t)r->time_min;
	return 1;
}

const char *rcheck_verdict_text(enum rcheck_verdict v)
{
	switch (v) {
	case RCHECK_GENUINE: return "genuine";
	case RCHECK_MALFORMED: return "not a receipt (malformed or truncated)";
	case RCHECK_FORGED: return "forged or tampered (signature does not verify)";
	case RCHECK_UNKNOWN_KIOSK: return "unknown kiosk";
	case RCHECK_UNKNOWN_KEY: return "unknown key for this kiosk";
	case RCHECK_REVOKED_KEY: return "signed by a revoked key after its revocation";
	case RCHECK_MISMATCH: return "does not match the kiosk's journal record";
	}
	return "unknown";
}

int rcheck_token(struct store *s, const char *token_or_url, struct rcheck_result *out)
{
	uint8_t payload[RECEIPT_PAYLOAD_LEN], sig[RECEIPT_SIG_LEN];
	struct store_key key;
	memset(out, 0, sizeof *out);
	if (receipt_parse(token_or_url, &out->r, payload, sig) != WF_OK) {
		out->verdict = RCHECK_MALFORMED;
		return WF_OK;
	}
	int rc = s->ops->kiosk_exists(s, out->r.kiosk);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		out->verdict = RCHECK_UNKNOWN_KIOSK;
		return WF_OK;
	}
	rc = s->ops->key_get(s, out->r.kiosk, out->r.key_id, &key);
	if (rc == WF_ENOENT) {
		out->verdict = RCHECK_UNKNOWN_KEY;
		return WF_OK;
	}
	if (rc)
		return rc;
	if (receipt_verify(payload, sig, key.public_key) != WF_OK) {
		out->verdict = RCHECK_FORGED;
		return WF_OK;
	}
	out->verdict = RCHECK_GENUINE;
	if (key.revoked_s) {
		out->key_revoked_s = key.revoked_s;
		/* Only what central could have seen before the revocation still counts. */
		if (out->r.seq > key.revoked_after_seq ||
		    (int64_t)out->r.time_min * 60 >= key.revoked_s)
			out->verdict = RCHECK_REVOKED_KEY;
	}
	int match = 1;
	rc = rcheck_journal(s, &out->r, &match);
	if (rc < 0)
		return rc;
	out->record_held = rc == 1;
	if (!match && out->verdict == RCHECK_GENUINE)
		out->verdict = RCHECK_MISMATCH;
	rc = s->ops->claim_get(s, out->r.kiosk, out->r.seq, &out->claimed_s);
	if (rc < 0)
		return rc;
	out->claimed = rc == 1;
	return WF_OK;
}

int rcheck_claim(struct store *s, const struct rcheck_result *res, int64_t now_s,
                 int64_t *claimed_s)
{
	if (res->verdict != RCHECK_GENUINE)
		return WF_EINVAL;
	return s->ops->claim(s, res->r.kiosk, res->r.seq, now_s, claimed_s);
}
