/*
 * ingest.c — batch ingest: exactly once, duplicates and conflicts, chain and
 * points checks, checkpoints; see ingest.h. The body is parsed into items by
 * ingest_parse.c; here they are checked and stored in one transaction.
 */
#include "ingest_items.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "catalog.h"
#include "chain.h"
#include "record.h"

/*
 * Rate versions remembered per batch (category, version), so a batch of
 * drops looks each up once. A batch naming more distinct versions than this
 * looks the rest up in the store every time: slower, never wrong.
 */
#define INGEST_RATE_CACHE 16

/*
 * Residents remembered per batch as already touched (their balance moved,
 * so the next incremental down-sync carries them). Every resident of the
 * batch is touched; past this many distinct residents one may be touched
 * again for a later drop: one more revision, harmless, never a miss.
 */
#define INGEST_TOUCHED_MAX 16

struct rate_cache {
	struct store_rate r[INGEST_RATE_CACHE];
	int found[INGEST_RATE_CACHE];
	int n;
};

void ingest_chain_next(const uint8_t prev[WF_HASH_BYTES], const uint8_t *bytes, size_t len,
                       uint8_t out[WF_HASH_BYTES])
{
	wf_chain_next(prev, bytes, len, out);
}

int ingest_record_fields(const uint8_t *bytes, size_t len, struct ingest_fields *out)
{
	memset(out, 0, sizeof *out);
	struct wf_record r;
	if (wf_record_decode(bytes, len, &r, NULL, 0) != WF_OK || r.seq > UINT32_MAX)
		return WF_EPROTO;
	out->kiosk = r.kiosk;
	out->seq = (uint32_t)r.seq;
	out->kind = r.kind;
	out->rec = r;
	if (r.kind == WF_RECORD_DROP) {
		out->is_drop = 1;
		out->resident = (int64_t)r.drop.resident_id;
		out->category = r.drop.category_id;
		out->rate_version = r.drop.rate_version;
		out->credited_qty = r.drop.credited_qty;
		out->points = r.drop.points;
	} else if (r.kind == WF_RECORD_CHECKPOINT && r.checkpoint.upto_seq <= UINT32_MAX) {
		out->is_checkpoint = 1;
		out->cp_upto = (uint32_t)r.checkpoint.upto_seq;
		memcpy(out->cp_hash, r.checkpoint.hash, WF_HASH_BYTES);
	}
	return WF_OK;
}

static int check_item(uint32_t kiosk, size_t i, struct ingest_item *it, char *why, size_t why_len)
{
	int rc = ingest_record_fields(it->bytes, it->len, &it->f);
	if (rc == WF_ENOENT)
		return WF_OK; /* opaque build: nothing to compare */
	if (rc) {
		ingest_why(why, why_len,
		           "records[%zu] (seq %" PRIu32 "): canonical bytes do not decode", i,
		           it->seq);
		return WF_EPROTO;
	}
	it->decoded = 1;
	if (it->f.kiosk != kiosk || it->f.seq != it->seq || it->f.kind != it->kind) {
		ingest_why(why, why_len,
		           "records[%zu]: bytes say kiosk %" PRIu32 " seq %" PRIu32 " kind %" PRIu32
		           ", JSON/headers say kiosk %" PRIu32 " seq %" PRIu32 " kind %" PRIu32,
		           i, it->f.kiosk, it->f.seq, it->f.kind, kiosk, it->seq, it->kind);
		return WF_EPROTO;
	}
	return WF_OK;
}

static int rate_lookup(struct store *s, struct rate_cache *c, uint16_t cat, uint32_t ver,
                       struct store_rate *out)
{
	for (int i = 0; i < c->n; i++)
		if (c->r[i].category == cat && c->r[i].version == ver) {
			*out = c->r[i];
			return c->found[i] ? WF_OK : WF_ENOENT;
		}
	int rc = s->ops->rate_get(s, cat, ver, out);
	if (rc != WF_OK && rc != WF_ENOENT)
		return rc;
	if (c->n < INGEST_RATE_CACHE) {
		out->category = cat;
		out->version = ver;
		c->r[c->n] = *out;
		c->found[c->n] = rc == WF_OK;
		c->n++;
	}
	return rc;
}

/* Flags central notices about a new record (before it is stored). */
static int item_flags(struct store *s, struct rate_cache *rc_cache, const struct ingest_item *it,
                      const uint8_t *prev, uint32_t *flags, int64_t *expect_points)
{
	*flags = 0;
	if (prev) {
		uint8_t h[WF_HASH_BYTES];
		ingest_chain_next(prev, it->bytes, it->len, h);
		if (sodium_memcmp(h, it->hash, WF_HASH_BYTES) != 0)
			*flags |= STORE_FLAG_CHAIN_BREAK;
	}
	if (it->decoded && it->f.is_drop) {
		struct store_rate r;
		int rc = rate_lookup(s, rc_cache, it->f.category, it->f.rate_version, &r);
		if (rc == WF_ENOENT)
			*flags |= STORE_FLAG_UNKNOWN_RATE;
		else if (rc)
			return rc;
		else {
			if (wf_points(r.unit, r.rate, it->f.credited_qty, expect_points) != WF_OK ||
			    *expect_points != it->f.points)
				*flags |= STORE_FLAG_POINTS_MISMATCH;
		}
	}
	return WF_OK;
}

static json_t *flags_json(uint32_t flags)
{
	json_t *a = json_array();
	if (flags & STORE_FLAG_CHAIN_BREAK)
		json_array_append_new(a, json_string("chain_break"));
	if (flags & STORE_FLAG_POINTS_MISMATCH)
		json_array_append_new(a, json_string("points_mismatch"));
	if (flags & STORE_FLAG_UNKNOWN_RATE)
		json_array_append_new(a, json_string("unknown_rate"));
	if (flags & STORE_FLAG_ANON_CAP)
		json_array_append_new(a, json_string("anon_cap"));
	return a;
}

static int add_flag_alerts(struct store *s, uint32_t kiosk, const struct ingest_item *it,
                           uint32_t flags, int64_t expect_points, int64_t now_s)
{
	char detail[160];
	int rc = WF_OK;
	if (flags & STORE_FLAG_CHAIN_BREAK)
		rc = s->ops->alert_add(s, kiosk, it->seq, "chain_break", NULL, 0,
		                       "hash does not continue the chain central holds", now_s);
	if (!rc && (flags & STORE_FLAG_POINTS_MISMATCH)) {
		snprintf(detail, sizeof detail,
		         "record claims %" PRId64 " points, rate version %" PRIu32
		         " gives %" PRId64,
		         it->f.points, it->f.rate_version, expect_points);
		rc =
		    s->ops->alert_add(s, kiosk, it->seq, "points_mismatch", NULL, 0, detail, now_s);
	}
	if (!rc && (flags & STORE_FLAG_UNKNOWN_RATE)) {
		snprintf(detail, sizeof detail, "category %u has no rate version %" PRIu32,
		         (unsigned)it->f.category, it->f.rate_version);
		rc = s->ops->alert_add(s, kiosk, it->seq, "unknown_rate", NULL, 0, detail, now_s);
	}
	if (!rc && (flags & STORE_FLAG_ANON_CAP))
		rc = ingest_anoncap_alert(s, kiosk, it, now_s);
	return rc;
}

/*
 * A CHECKPOINT record lets the kiosk forget what lies behind it: central
 * must hold that record with the hash the checkpoint names, or the kiosk is
 * about to prune something central does not have. Flagged, never refused.
 */
static int check_checkpoint(struct store *s, uint32_t kiosk, const struct ingest_item *it,
                            uint8_t *buf, int64_t now_s)
{
	uint8_t held[WF_HASH_BYTES];
	size_t len = 0;
	int got =
	    s->ops->record_get(s, kiosk, it->f.cp_upto, buf, INGEST_MAX_RECORD_BYTES, &len, held);
	if (got < 0)
		return got;
	if (got == 1 && sodium_memcmp(held, it->f.cp_hash, WF_HASH_BYTES) == 0)
		return WF_OK;
	char detail[160];
	snprintf(detail, sizeof detail,
	         "checkpoint lets the kiosk prune up to seq %" PRIu32 ", which central %s",
	         it->f.cp_upto, got == 1 ? "holds with another hash" : "does not hold");
	return s->ops->alert_add(s, kiosk, it->seq, "checkpoint_mismatch", NULL, 0, detail, now_s);
}

/* One batch being stored: what each record needs from the ones before it. */
struct ingest_run {
	struct store *s;
	uint32_t kiosk;
	int64_t now_s;
	json_t *results;
	uint8_t *buf; /* INGEST_MAX_RECORD_BYTES, for records read back */
	struct rate_cache rates;
	uint8_t prev_hash[WF_HASH_BYTES];  /* chain hash after prev_seq */
	uint32_t prev_seq;                 /* 0 = none known yet */
	struct store_points_entry *earned; /* one per item at most: what the batch's drops earn */
	size_t nearned;
};

/* The chain hash before it (NULL: central holds no record before it). */
static int hash_before(struct ingest_run *run, const struct ingest_item *it, const uint8_t **prev)
{
	static const uint8_t zeros[WF_HASH_BYTES];
	uint8_t held[WF_HASH_BYTES];
	size_t len = 0;
	*prev = NULL;
	if (it->seq == 1) {
		*prev = zeros;
		return WF_OK;
	}
	if (run->prev_seq != 0 && run->prev_seq == it->seq - 1) {
		*prev = run->prev_hash;
		return WF_OK;
	}
	int got = run->s->ops->record_get(run->s, run->kiosk, it->seq - 1, run->buf,
	                                  INGEST_MAX_RECORD_BYTES, &len, held);
	if (got == 1) {
		memcpy(run->prev_hash, held, WF_HASH_BYTES);
		*prev = run->prev_hash;
	}
	return got < 0 ? got : WF_OK;
}

/* A record new to central: stored; its flags answered and raised as alerts. */
static int answer_stored(struct ingest_run *run, const struct ingest_item *it, uint32_t flags,
                         int64_t expect_points, json_t *res)
{
	json_object_set_new(res, "status", json_string("stored"));
	if (flags)
		json_object_set_new(res, "flags", flags_json(flags));
	int rc = add_flag_alerts(run->s, run->kiosk, it, flags, expect_points, run->now_s);
	if (!rc && it->decoded && it->f.is_checkpoint)
		rc = check_checkpoint(run->s, run->kiosk, it, run->buf, run->now_s);
	memcpy(run->prev_hash, it->hash, WF_HASH_BYTES);
	return rc;
}

/* A claimed receipt whose record is contradicted by a newcomer: the claim
 * stays (it was granted against the record central held) but is named in an
 * alert, so the office looks at the points it moved. */
static int claim_contradicted(struct ingest_run *run, const struct ingest_item *it)
{
	struct store_claim c;
	int got = run->s->ops->claim_read(run->s, run->kiosk, it->seq, &c);
	if (got != 1)
		return got < 0 ? got : WF_OK;
	char detail[200];
	snprintf(detail, sizeof detail,
	         "receipt claimed at %" PRId64 " onto resident %" PRId64 " for %" PRId64
	         " points by %s; a record with other bytes arrived for it",
	         c.claimed_s, c.resident, c.points, c.actor[0] ? c.actor : "(unknown)");
	return run->s->ops->alert_add(run->s, run->kiosk, it->seq, "claim_conflict", NULL, 0,
	                              detail, run->now_s);
}

/* A (kiosk, seq) central holds already: a duplicate, or a conflict (alert,
 * the newcomer's bytes kept beside it, the stored record unchanged). */
static int answer_held(struct ingest_run *run, const struct ingest_item *it, json_t *res)
{
	uint8_t held[WF_HASH_BYTES];
	size_t len = 0;
	int got = run->s->ops->record_get(run->s, run->kiosk, it->seq, run->buf,
	                                  INGEST_MAX_RECORD_BYTES, &len, held);
	if (got != 1)
		return got < 0 ? got : WF_EIO;
	int same = len == it->len && sodium_memcmp(run->buf, it->bytes, len) == 0 &&
	           sodium_memcmp(held, it->hash, WF_HASH_BYTES) == 0;
	json_object_set_new(res, "status", json_string(same ? "duplicate" : "conflict"));
	memcpy(run->prev_hash, held, WF_HASH_BYTES);
	if (same)
		return WF_OK;
	int rc = run->s->ops->alert_add(run->s, run->kiosk, it->seq, "conflict", it->bytes, it->len,
	                                "same (kiosk, seq) with other canonical bytes; stored "
	                                "record kept",
	                                run->now_s);
	return rc ? rc : claim_contradicted(run, it);
}

/* A resident's drop new to central earns its points: an entry of the
 * ledger, written with the batch's others in its transaction
 * (DESIGN "Points are a ledger"; store_ops.points_earn). */
static void earn_points(struct ingest_run *run, const struct store_record *r)
{
	if (r->kind != WF_RECORD_DROP || r->resident <= 0 || !run->earned)
		return;
	run->earned[run->nearned++] = (struct store_points_entry){.resident = r->resident,
	                                                          .kind = STORE_POINTS_EARNED,
	                                                          .points = r->points,
	                                                          .kiosk = r->kiosk,
	                                                          .seq = r->seq,
	                                                          .at_s = r->received_s,
	                                                          .actor = "kiosk"};
}

/* Stores one item and appends its result. */
static int store_item(struct ingest_run *run, const struct ingest_item *it)
{
	const uint8_t *prev = NULL;
	uint32_t flags = 0;
	int64_t expect = 0;
	int rc = hash_before(run, it, &prev);
	if (!rc)
		rc = item_flags(run->s, &run->rates, it, prev, &flags, &expect);
	if (!rc)
		rc = ingest_anoncap_flag(run->s, run->kiosk, it, &flags);
	if (rc)
		return rc;
	struct store_record r = {.kiosk = run->kiosk,
	                         .seq = it->seq,
	                         .kind = it->kind,
	                         .bytes = it->bytes,
	                         .len = it->len,
	                         .received_s = run->now_s,
	                         .flags = flags};
	memcpy(r.hash, it->hash, WF_HASH_BYTES);
	if (it->decoded)
		store_record_facts(&r, &it->f.rec);
	int ins = run->s->ops->record_insert(run->s, &r);
	if (ins < 0)
		return ins;
	if (ins == 1 && it->decoded)
		earn_points(run, &r);
	json_t *res = json_object();
	json_object_set_new(res, "seq", json_integer(it->seq));
	rc = ins == 1 ? answer_stored(run, it, flags, expect, res) : answer_held(run, it, res);
	if (rc) {
		json_decref(res);
		return rc;
	}
	run->prev_seq = it->seq;
	json_array_append_new(run->results, res);
	return WF_OK;
}

/* Residents whose balance moved show up in the next incremental down-sync. */
static int touch_residents(struct store *s, const struct ingest_item *items, size_t n)
{
	int64_t touched[INGEST_TOUCHED_MAX];
	int ntouched = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t r = items[i].decoded && items[i].f.is_drop ? items[i].f.resident : 0;
		int seen = r <= 0;
		for (int k = 0; !seen && k < ntouched; k++)
			seen = touched[k] == r;
		if (seen)
			continue;
		int rc = s->ops->resident_touch(s, r);
		if (rc)
			return rc;
		if (ntouched < INGEST_TOUCHED_MAX)
			touched[ntouched++] = r;
	}
	return WF_OK;
}

/* A record that fills a gap must also continue into the one after it. */
static int check_next(struct ingest_run *run, const struct ingest_item *last)
{
	uint8_t next_hash[WF_HASH_BYTES], h[WF_HASH_BYTES];
	size_t len = 0;
	if (last->seq == UINT32_MAX)
		return WF_OK;
	int got = run->s->ops->record_get(run->s, run->kiosk, last->seq + 1, run->buf,
	                                  INGEST_MAX_RECORD_BYTES, &len, next_hash);
	if (got != 1)
		return got < 0 ? got : WF_OK;
	ingest_chain_next(run->prev_hash, run->buf, len, h);
	if (sodium_memcmp(h, next_hash, WF_HASH_BYTES) == 0)
		return WF_OK;
	return run->s->ops->alert_add(run->s, run->kiosk, last->seq + 1, "chain_break", NULL, 0,
	                              "stored record does not continue from the record before it",
	                              run->now_s);
}

/* Stores all items; called inside the transaction. */
static int store_items(struct store *s, uint32_t kiosk, const struct ingest_item *items, size_t n,
                       int64_t now_s, json_t *results)
{
	struct ingest_run run = {.s = s, .kiosk = kiosk, .now_s = now_s, .results = results};
	run.buf = malloc(INGEST_MAX_RECORD_BYTES);
	run.earned = n ? calloc(n, sizeof *run.earned) : NULL;
	int rc = run.buf && (run.earned || !n) ? WF_OK : WF_ENOMEM;
	for (size_t i = 0; !rc && i < n; i++)
		rc = store_item(&run, &items[i]);
	if (!rc && run.nearned)
		rc = s->ops->points_earn(s, run.earned, run.nearned);
	if (!rc)
		rc = touch_residents(s, items, n);
	if (!rc && n > 0)
		rc = check_next(&run, &items[n - 1]);
	free(run.buf);
	free(run.earned);
	return rc;
}

/* Seqs strictly ascending, and each record's bytes agreeing with its JSON. */
static int check_items(uint32_t kiosk, struct ingest_item *items, size_t n, char *why,
                       size_t why_len)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && items[i].seq <= items[i - 1].seq) {
			ingest_why(why, why_len, "records must be in strictly ascending seq");
			return WF_EINVAL;
		}
		int rc = check_item(kiosk, i, &items[i], why, why_len);
		if (rc)
			return rc;
	}
	return WF_OK;
}

/* The items stored in one transaction; before_commit (may be NULL) runs just before COMMIT. */
static int store_batch(struct store *s, uint32_t kiosk, const struct ingest_item *items, size_t n,
                       int64_t now_s, json_t *results, uint32_t *highest_seq,
                       void (*before_commit)(void *ctx), void *hook_ctx)
{
	uint8_t h[WF_HASH_BYTES];
	int rc = s->ops->begin(s);
	if (rc)
		return rc;
	/* one kiosk's batches one at a time, across every central on the database */
	rc = s->ops->lock(s, STORE_LOCK_KIOSK, kiosk);
	if (!rc)
		rc = store_items(s, kiosk, items, n, now_s, results);
	if (!rc)
		rc = s->ops->record_highest(s, kiosk, highest_seq, h);
	if (!rc && before_commit)
		before_commit(hook_ctx);
	if (!rc)
		rc = s->ops->commit(s);
	if (rc)
		s->ops->rollback(s);
	return rc;
}

int ingest_batch(struct store *s, uint32_t kiosk, const char *text, size_t len, int64_t now_s,
                 json_t **results, uint32_t *highest_seq, char *why, size_t why_len)
{
	return ingest_batch_hooked(s, kiosk, text, len, now_s, results, highest_seq, why, why_len,
	                           NULL, NULL);
}

int ingest_batch_hooked(struct store *s, uint32_t kiosk, const char *text, size_t len,
                        int64_t now_s, json_t **results, uint32_t *highest_seq, char *why,
                        size_t why_len, void (*before_commit)(void *ctx), void *hook_ctx)
{
	*results = NULL;
	size_t n = 0;
	int rc = WF_ENOMEM;
	struct ingest_item *items = calloc(INGEST_MAX_RECORDS, sizeof *items);
	if (!items)
		goto out;
	rc = ingest_parse(text ? text : "", len, kiosk, items, &n, why, why_len);
	if (!rc)
		rc = check_items(kiosk, items, n, why, why_len);
	if (rc)
		goto out;
	*results = json_array();
	rc = *results ? store_batch(s, kiosk, items, n, now_s, *results, highest_seq, before_commit,
	                            hook_ctx)
	              : WF_ENOMEM;
	if (rc) {
		ingest_why(why, why_len, "storage failed: %s", store_errmsg(s));
		json_decref(*results);
		*results = NULL;
		/* a storage failure is never the client's fault */
		if (rc == WF_EINVAL || rc == WF_EPROTO || rc == WF_EFULL || rc == WF_ESTATE)
			rc = WF_EIO;
	}
out:
	for (size_t i = 0; items && i < n && i < INGEST_MAX_RECORDS; i++)
		free(items[i].bytes);
	free(items);
	return rc;
}
