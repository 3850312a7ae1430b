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

/* One batch being stored: what each record needs from the ones before it.
 * What central holds around the batch is read first (held); the records
 * new to central are decided in order, then inserted together (fresh). */
struct ingest_run {
	struct store *s;
	uint32_t kiosk;
	int64_t now_s;
	json_t *results;
	struct rate_cache rates;
	struct ingest_held held;
	uint8_t prev_hash[WF_HASH_BYTES]; /* chain hash after prev_seq */
	uint32_t prev_seq;                /* 0 = none known yet */
	struct store_record *fresh;       /* the records new to central, by seq */
	size_t nfresh;
	struct store_points_entry *earned; /* one per item at most: what the batch's drops earn */
	size_t nearned;
};

/* The hash of seq as central will hold it once the batch's records before
 * the one being decided are stored: held, or new in this batch. */
static const uint8_t *hash_of(const struct ingest_run *run, uint32_t seq)
{
	const struct ingest_held_rec *h = ingest_held_find(&run->held, seq);
	if (h)
		return h->hash;
	size_t lo = 0, hi = run->nfresh;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (run->fresh[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < run->nfresh && run->fresh[lo].seq == seq ? run->fresh[lo].hash : NULL;
}

/* What the batch's new anonymous drops before it add to its day's cap. */
static int64_t anon_pending(const struct ingest_run *run, const struct ingest_item *it)
{
	int64_t sum = 0;
	if (!it->decoded || !it->f.is_drop || !(it->f.rec.drop.flags & WF_DROP_ANONYMOUS))
		return 0;
	for (size_t i = 0; i < run->nfresh; i++) {
		const struct store_record *r = &run->fresh[i];
		if (r->kind == WF_RECORD_DROP && (r->drop_flags & WF_DROP_ANONYMOUS) &&
		    r->category == it->f.category && r->local_day == it->f.rec.drop.local_day &&
		    r->seq < it->seq)
			sum += r->credited;
	}
	return sum;
}

static int add_flag_alerts(struct ingest_run *run, const struct ingest_item *it, uint32_t flags,
                           int64_t expect_points)
{
	struct store *s = run->s;
	char detail[160];
	int rc = WF_OK;
	if (flags & STORE_FLAG_CHAIN_BREAK)
		rc =
		    s->ops->alert_add(s, run->kiosk, it->seq, "chain_break", NULL, 0,
		                      "hash does not continue the chain central holds", run->now_s);
	if (!rc && (flags & STORE_FLAG_POINTS_MISMATCH)) {
		snprintf(detail, sizeof detail,
		         "record claims %" PRId64 " points, rate version %" PRIu32
		         " gives %" PRId64,
		         it->f.points, it->f.rate_version, expect_points);
		rc = s->ops->alert_add(s, run->kiosk, it->seq, "points_mismatch", NULL, 0, detail,
		                       run->now_s);
	}
	if (!rc && (flags & STORE_FLAG_UNKNOWN_RATE)) {
		snprintf(detail, sizeof detail, "category %u has no rate version %" PRIu32,
		         (unsigned)it->f.category, it->f.rate_version);
		rc = s->ops->alert_add(s, run->kiosk, it->seq, "unknown_rate", NULL, 0, detail,
		                       run->now_s);
	}
	if (!rc && (flags & STORE_FLAG_ANON_CAP))
		rc = ingest_anoncap_alert(s, run->kiosk, it, anon_pending(run, it), run->now_s);
	return rc;
}

/*
 * A CHECKPOINT record lets the kiosk forget what lies behind it: central
 * must hold that record with the hash the checkpoint names, or the kiosk is
 * about to prune something central does not have. Flagged, never refused.
 */
static int check_checkpoint(struct ingest_run *run, const struct ingest_item *it)
{
	const uint8_t *held = hash_of(run, it->f.cp_upto);
	if (held && sodium_memcmp(held, it->f.cp_hash, WF_HASH_BYTES) == 0)
		return WF_OK;
	char detail[160];
	snprintf(detail, sizeof detail,
	         "checkpoint lets the kiosk prune up to seq %" PRIu32 ", which central %s",
	         it->f.cp_upto, held ? "holds with another hash" : "does not hold");
	return run->s->ops->alert_add(run->s, run->kiosk, it->seq, "checkpoint_mismatch", NULL, 0,
	                              detail, run->now_s);
}

/* The chain hash before it (NULL: central holds no record before it). */
static const uint8_t *hash_before(const struct ingest_run *run, const struct ingest_item *it)
{
	static const uint8_t zeros[WF_HASH_BYTES];
	if (it->seq == 1)
		return zeros;
	if (run->prev_seq != 0 && run->prev_seq == it->seq - 1)
		return run->prev_hash;
	const struct ingest_held_rec *h = ingest_held_find(&run->held, it->seq - 1);
	return h ? h->hash : NULL;
}

/* A record new to central: decided (flags, alerts), stored with the batch's others. */
static int answer_new(struct ingest_run *run, const struct ingest_item *it, json_t *res)
{
	uint32_t flags = 0;
	int64_t expect = 0;
	int rc = item_flags(run->s, &run->rates, it, hash_before(run, it), &flags, &expect);
	if (!rc)
		rc = ingest_anoncap_flag(run->s, run->kiosk, it, anon_pending(run, it), &flags);
	if (rc)
		return rc;
	struct store_record *r = &run->fresh[run->nfresh];
	*r = (struct store_record){.kiosk = run->kiosk,
	                           .seq = it->seq,
	                           .kind = it->kind,
	                           .bytes = it->bytes,
	                           .len = it->len,
	                           .received_s = run->now_s,
	                           .flags = flags};
	memcpy(r->hash, it->hash, WF_HASH_BYTES);
	if (it->decoded)
		store_record_facts(r, &it->f.rec);
	json_object_set_new(res, "status", json_string("stored"));
	if (flags)
		json_object_set_new(res, "flags", flags_json(flags));
	rc = add_flag_alerts(run, it, flags, expect);
	run->nfresh++; /* before the checkpoint's check: it may name itself */
	if (!rc && it->decoded && it->f.is_checkpoint)
		rc = check_checkpoint(run, it);
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
static int answer_held(struct ingest_run *run, const struct ingest_item *it,
                       const struct ingest_held_rec *h, json_t *res)
{
	int same = h->len == it->len && sodium_memcmp(h->bytes, it->bytes, h->len) == 0 &&
	           sodium_memcmp(h->hash, it->hash, WF_HASH_BYTES) == 0;
	json_object_set_new(res, "status", json_string(same ? "duplicate" : "conflict"));
	memcpy(run->prev_hash, h->hash, WF_HASH_BYTES);
	if (same)
		return WF_OK;
	int rc = run->s->ops->alert_add(run->s, run->kiosk, it->seq, "conflict", it->bytes, it->len,
	                                "same (kiosk, seq) with other canonical bytes; stored "
	                                "record kept",
	                                run->now_s);
	return rc ? rc : claim_contradicted(run, it);
}

/* Decides one item and appends its result. */
static int decide_item(struct ingest_run *run, const struct ingest_item *it)
{
	const struct ingest_held_rec *h = ingest_held_find(&run->held, it->seq);
	json_t *res = json_object();
	if (!res)
		return WF_ENOMEM;
	json_object_set_new(res, "seq", json_integer(it->seq));
	int rc = h ? answer_held(run, it, h, res) : answer_new(run, it, res);
	if (rc) {
		json_decref(res);
		return rc;
	}
	run->prev_seq = it->seq;
	json_array_append_new(run->results, res);
	return WF_OK;
}

/* The new records stored together; each resident's drop earns its points:
 * an entry of the ledger, written with the batch's others in its
 * transaction (DESIGN "Points are a ledger"; store_ops.points_earn). */
static int store_fresh(struct ingest_run *run)
{
	if (run->nfresh == 0)
		return WF_OK;
	uint8_t *stored = calloc(run->nfresh, 1);
	if (!stored)
		return WF_ENOMEM;
	int rc = run->s->ops->records_insert(run->s, run->fresh, run->nfresh, stored);
	for (size_t i = 0; !rc && i < run->nfresh; i++) {
		const struct store_record *r = &run->fresh[i];
		if (!stored[i]) { /* only without the kiosk's lock: the kiosk sends again */
			store_set_err(run->s, "kiosk %u seq %u stored meanwhile by another writer",
			              r->kiosk, r->seq);
			rc = WF_ECONFLICT;
		} else if (r->kind == WF_RECORD_DROP && r->resident > 0) {
			run->earned[run->nearned++] =
			    (struct store_points_entry){.resident = r->resident,
			                                .kind = STORE_POINTS_EARNED,
			                                .points = r->points,
			                                .kiosk = r->kiosk,
			                                .seq = r->seq,
			                                .at_s = r->received_s,
			                                .actor = "kiosk"};
		}
	}
	free(stored);
	if (!rc && run->nearned)
		rc = run->s->ops->points_earn(run->s, run->earned, run->nearned);
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Residents whose balance moved show up in the next incremental down-sync:
 * each touched once, in ascending id (store.h resident_touch: two batches
 * sharing residents lock their marks in one order and never deadlock). */
static int touch_residents(struct store *s, const struct ingest_item *items, size_t n)
{
	int64_t *ids = n ? malloc(n * sizeof *ids) : NULL;
	if (n && !ids)
		return WF_ENOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (items[i].decoded && items[i].f.is_drop && items[i].f.resident > 0)
			ids[m++] = items[i].f.resident;
	if (m > 1)
		qsort(ids, m, sizeof *ids, cmp_i64);
	int rc = WF_OK;
	for (size_t i = 0; !rc && i < m; i++)
		if (i == 0 || ids[i] != ids[i - 1])
			rc = s->ops->resident_touch(s, ids[i]);
	free(ids);
	return rc;
}

/* A record that fills a gap must also continue into the one after it. */
static int check_next(struct ingest_run *run, const struct ingest_item *last)
{
	uint8_t h[WF_HASH_BYTES];
	if (last->seq == UINT32_MAX)
		return WF_OK;
	const struct ingest_held_rec *next = ingest_held_find(&run->held, last->seq + 1);
	if (!next)
		return WF_OK;
	ingest_chain_next(run->prev_hash, next->bytes, next->len, h);
	if (sodium_memcmp(h, next->hash, WF_HASH_BYTES) == 0)
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
	run.fresh = n ? calloc(n, sizeof *run.fresh) : NULL;
	run.earned = n ? calloc(n, sizeof *run.earned) : NULL;
	int rc = (run.fresh && run.earned) || !n ? WF_OK : WF_ENOMEM;
	if (!rc)
		rc = ingest_held_load(s, kiosk, items, n, &run.held);
	for (size_t i = 0; !rc && i < n; i++)
		rc = decide_item(&run, &items[i]);
	if (!rc)
		rc = store_fresh(&run);
	if (!rc && n > 0)
		rc = check_next(&run, &items[n - 1]);
	/* last: on PostgreSQL a touch locks the resident's mark until commit */
	if (!rc)
		rc = touch_residents(s, items, n);
	ingest_held_free(&run.held);
	free(run.fresh);
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
