/* rcheck.c — receipt checks at central; see rcheck.h. */
#include "rcheck.h"

#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "ingest.h"
#include "points.h"
#include "wf.h"

#include "record.h"

/* 1 if the stored record (kiosk, seq) is held (decoded into *rec); *match =
 * 0 if it contradicts r. */
static int rcheck_journal(struct store *s, const struct receipt *r, int *match,
                          struct wf_record *rec)
{
	uint8_t buf[INGEST_MAX_RECORD_BYTES], hash[WF_HASH_BYTES];
	size_t len = 0;
	*match = 1;
	int got = s->ops->record_get(s, r->kiosk, r->seq, buf, sizeof buf, &len, hash);
	if (got != 1)
		return got;
	if (wf_record_decode(buf, len, rec, NULL, 0) != WF_OK || rec->kind != WF_RECORD_DROP) {
		*match = 0;
		return 1;
	}
	*match = rec->drop.category_id == r->category && rec->drop.qty == (int64_t)r->qty &&
	         rec->drop.points == (int64_t)r->points && rec->time_ms >= 0 &&
	         rec->time_ms / 60000 == (int64_t)r->time_min;
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
	rc = rcheck_journal(s, &out->r, &match, &out->rec);
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

const char *rcheck_claim_text(enum rcheck_claim_status st)
{
	switch (st) {
	case RCHECK_CLAIMED: return "claimed";
	case RCHECK_ALREADY_CLAIMED: return "this receipt was claimed before";
	case RCHECK_PENDING: return "central does not hold this drop's record yet; try later";
	case RCHECK_NOT_GENUINE: return "not a valid receipt";
	case RCHECK_RESIDENT_DROP:
		return "this drop already earned a resident's points at the kiosk";
	case RCHECK_NO_RESIDENT: return "no such resident";
	case RCHECK_BLOCKED_RESIDENT: return "the resident is blocked";
	case RCHECK_LIMIT_REACHED:
		return "the resident's daily limit for this category and day is reached; nothing "
		       "claimed";
	}
	return "unknown";
}

/* Who gets it: an enrolled, unblocked resident (else the status that says not). */
static int claim_resident(struct store *s, int64_t resident, struct rcheck_claim_result *out)
{
	char status[16] = "";
	int rc = s->ops->resident_status(s, resident, status);
	if (rc < 0)
		return rc;
	if (rc == 0)
		out->status = RCHECK_NO_RESIDENT;
	else if (strcmp(status, "active") != 0)
		out->status = RCHECK_BLOCKED_RESIDENT;
	return WF_OK;
}

/* The points of fit of the drop: all of them when it all fits, else by its rate version. */
static int claim_points(struct store *s, const struct wf_record_drop *d, int64_t fit,
                        int64_t *points)
{
	struct store_rate rate;
	if (fit == d->credited_qty) {
		*points = d->points;
		return WF_OK;
	}
	int rc = s->ops->rate_get(s, d->category_id, d->rate_version, &rate);
	if (rc == WF_OK)
		return wf_points(rate.unit, rate.rate, fit, points);
	if (rc != WF_ENOENT)
		return rc;
	/* an unknown rate version (flagged at ingest): the receipt's own proportion */
	*points = d->credited_qty > 0 ? d->points * fit / d->credited_qty : 0;
	return WF_OK;
}

/* The limit applied, the claim row, its points entry, the resident touched. */
static int claim_write(struct store *s, const struct wf_record_drop *d, int64_t resident,
                       const char *actor, int64_t now_s, struct rcheck_claim_result *out)
{
	int64_t fit = 0;
	int rc = s->ops->category_limit(s, d->category_id, &out->daily_limit);
	if (rc == WF_ENOENT)
		out->daily_limit = 0; /* a category central no longer rates: no limit to apply */
	else if (rc)
		return rc;
	rc = s->ops->points_day_used(s, resident, d->category_id, d->local_day, &out->used_before);
	if (!rc)
		rc = wf_credited_qty(d->credited_qty, out->used_before, out->daily_limit, &fit);
	if (!rc && fit <= 0 && d->credited_qty > 0) {
		out->status = RCHECK_LIMIT_REACHED;
		return WF_OK;
	}
	struct store_claim *c = &out->claim;
	*c = (struct store_claim){.kiosk = out->check.r.kiosk,
	                          .seq = out->check.r.seq,
	                          .resident = resident,
	                          .category = d->category_id,
	                          .local_day = d->local_day,
	                          .qty = fit,
	                          .claimed_s = now_s};
	snprintf(c->actor, sizeof c->actor, "%s", actor);
	if (!rc)
		rc = claim_points(s, d, fit, &c->points);
	int got = rc ? rc : s->ops->claim(s, c, &out->claim);
	if (got == 0) {
		out->status = RCHECK_ALREADY_CLAIMED;
		return WF_OK;
	}
	if (got < 0)
		return got;
	struct store_points_entry e = {.resident = resident,
	                               .kind = STORE_POINTS_CLAIMED,
	                               .points = c->points,
	                               .kiosk = c->kiosk,
	                               .seq = c->seq,
	                               .at_s = now_s};
	snprintf(e.actor, sizeof e.actor, "%s", actor);
	rc = s->ops->points_append(s, &e, &out->balance);
	if (!rc)
		rc = s->ops->resident_touch(s, resident);
	out->status = RCHECK_CLAIMED;
	return rc;
}

/* Everything of a claim, inside the transaction; *out->status says what came of it. */
static int claim_in_tx(struct store *s, const char *token, int64_t resident, const char *actor,
                       int64_t now_s, struct rcheck_claim_result *out)
{
	int rc = rcheck_token(s, token, &out->check);
	if (rc)
		return rc;
	const struct rcheck_result *ck = &out->check;
	const struct wf_record_drop *d = &ck->rec.drop;
	if (ck->verdict != RCHECK_GENUINE) {
		out->status = RCHECK_NOT_GENUINE;
		return WF_OK;
	}
	if (!ck->record_held) {
		out->status = RCHECK_PENDING;
		return WF_OK;
	}
	out->drop_qty = d->credited_qty;
	out->drop_points = d->points;
	if (ck->claimed) {
		out->status = RCHECK_ALREADY_CLAIMED;
		rc = s->ops->claim_read(s, ck->r.kiosk, ck->r.seq, &out->claim);
		return rc < 0 ? rc : WF_OK;
	}
	if (d->resident_id != 0) {
		out->status = RCHECK_RESIDENT_DROP;
		return WF_OK;
	}
	rc = claim_resident(s, resident, out);
	if (rc || out->status != RCHECK_CLAIMED)
		return rc;
	return claim_write(s, d, resident, actor, now_s, out);
}

int rcheck_claim(struct store *s, const char *token_or_url, int64_t resident, const char *actor,
                 int64_t now_s, struct rcheck_claim_result *out)
{
	memset(out, 0, sizeof *out);
	if (resident <= 0 || !points_text_ok(actor, STORE_POINTS_ACTOR_MAX, false))
		return WF_EINVAL;
	int rc = s->ops->begin(s);
	/* the claimant's daily limit and balance, read and then used, by one
	 * central at a time (a no-op on SQLite, whose writers are serialised) */
	if (!rc)
		rc = s->ops->lock(s, STORE_LOCK_RESIDENT, resident);
	if (rc) {
		s->ops->rollback(s);
		return rc;
	}
	out->status = RCHECK_CLAIMED; /* until a check says otherwise */
	rc = claim_in_tx(s, token_or_url, resident, actor, now_s, out);
	if (!rc && out->status == RCHECK_CLAIMED)
		return s->ops->commit(s);
	s->ops->rollback(s); /* nothing to keep: a refusal stores nothing */
	return rc;
}
