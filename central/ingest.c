/* ingest.c — batch ingest: exactly once, conflicts, chain and points checks; see ingest.h. */
#include "ingest.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "catalog.h"
#include "wf.h"

#ifdef WUFEI_HAVE_CHAIN
#include "chain.h"
#endif
#ifdef WUFEI_HAVE_RECORD
#include "record.h"
#endif

/* One record of the batch after validation. */
struct ingest_item {
	uint32_t seq;
	uint32_t kind;
	uint8_t *bytes;
	size_t len;
	uint8_t hash[32];
	struct ingest_fields f;
	int decoded; /* f is meaningful */
};

/* Small cache of rate versions seen in this batch. */
struct rate_cache {
	struct store_rate r[16];
	int found[16];
	int n;
};

void ingest_chain_next(const uint8_t prev[32], const uint8_t *bytes, size_t len, uint8_t out[32])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, prev, 32);
	crypto_generichash_update(&st, bytes, len);
	crypto_generichash_final(&st, out, 32);
}

int ingest_record_fields(const uint8_t *bytes, size_t len, struct ingest_fields *out)
{
	memset(out, 0, sizeof *out);
	(void)bytes;
	(void)len;
	/* Without common/record.h the bytes are kept opaque (no cross-checks). */
	return WF_ENOENT;
}

static void why_set(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void why_set(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

static int get_u32(const json_t *o, const char *key, uint32_t min, uint32_t *out)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return WF_EINVAL;
	json_int_t x = json_integer_value(v);
	if (x < (json_int_t)min || x > (json_int_t)UINT32_MAX)
		return WF_EINVAL;
	*out = (uint32_t)x;
	return WF_OK;
}

static int parse_item(const json_t *rec, size_t i, struct ingest_item *it, char *why,
                      size_t why_len)
{
	if (!json_is_object(rec)) {
		why_set(why, why_len, "records[%zu] is not an object", i);
		return WF_EINVAL;
	}
	if (get_u32(rec, "seq", 1, &it->seq) || get_u32(rec, "kind", 0, &it->kind)) {
		why_set(why, why_len, "records[%zu]: seq (>= 1) and kind must be integers", i);
		return WF_EINVAL;
	}
	const char *data = json_string_value(json_object_get(rec, "data"));
	const char *hash = json_string_value(json_object_get(rec, "hash"));
	if (!data || !hash) {
		why_set(why, why_len, "records[%zu]: data and hash must be strings", i);
		return WF_EINVAL;
	}
	size_t dlen = strlen(data);
	if (dlen == 0 || dlen > (INGEST_MAX_RECORD_BYTES + 2) / 3 * 4) {
		why_set(why, why_len, "records[%zu]: data empty or over %d bytes", i,
		        INGEST_MAX_RECORD_BYTES);
		return WF_EINVAL;
	}
	size_t cap = dlen / 4 * 3 + 3; /* base64 never decodes to more */
	it->bytes = malloc(cap);
	if (!it->bytes)
		return WF_ENOMEM;
	if (sodium_base642bin(it->bytes, cap, data, dlen, NULL, &it->len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    it->len == 0) {
		why_set(why, why_len, "records[%zu]: data is not base64 (RFC 4648, with padding)",
		        i);
		return WF_EINVAL;
	}
	size_t hlen = 0;
	if (strlen(hash) != 64 || sodium_hex2bin(it->hash, 32, hash, 64, NULL, &hlen, NULL) != 0 ||
	    hlen != 32) {
		why_set(why, why_len, "records[%zu]: hash must be 64 hex characters", i);
		return WF_EINVAL;
	}
	return WF_OK;
}

static int check_item(uint32_t kiosk, size_t i, struct ingest_item *it, char *why, size_t why_len)
{
	int rc = ingest_record_fields(it->bytes, it->len, &it->f);
	if (rc == WF_ENOENT)
		return WF_OK; /* opaque build: nothing to compare */
	if (rc) {
		why_set(why, why_len,
		        "records[%zu] (seq %" PRIu32 "): canonical bytes do not decode", i,
		        it->seq);
		return WF_EPROTO;
	}
	it->decoded = 1;
	if (it->f.kiosk != kiosk || it->f.seq != it->seq || it->f.kind != it->kind) {
		why_set(why, why_len,
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
	if (c->n < 16) {
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
		uint8_t h[32];
		ingest_chain_next(prev, it->bytes, it->len, h);
		if (sodium_memcmp(h, it->hash, 32) != 0)
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
			*expect_points = wf_points(r.unit, r.rate, it->f.credited_qty);
			if (*expect_points != it->f.points)
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
	return rc;
}

/* Stores all items; called inside the transaction. */
static int store_items(struct store *s, uint32_t kiosk, struct ingest_item *items, size_t n,
                       int64_t now_s, json_t *results)
{
	static const uint8_t zeros[32];
	uint8_t prev_hash[32];
	uint32_t prev_seq = 0; /* seq whose hash is in prev_hash; 0 = none cached */
	uint8_t *buf = malloc(INGEST_MAX_RECORD_BYTES);
	struct rate_cache rates = {.n = 0};
	int rc = buf ? WF_OK : WF_ENOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		struct ingest_item *it = &items[i];
		const uint8_t *prev = NULL;
		size_t len = 0;
		uint8_t stored_hash[32];
		if (it->seq == 1)
			prev = zeros;
		else if (prev_seq != 0 && prev_seq == it->seq - 1)
			prev = prev_hash;
		else {
			int got = s->ops->record_get(s, kiosk, it->seq - 1, buf,
			                             INGEST_MAX_RECORD_BYTES, &len, stored_hash);
			if (got < 0) {
				rc = got;
				break;
			}
			if (got == 1) {
				memcpy(prev_hash, stored_hash, 32);
				prev = prev_hash;
			}
		}
		uint32_t flags = 0;
		int64_t expect = 0;
		rc = item_flags(s, &rates, it, prev, &flags, &expect);
		if (rc)
			break;
		struct store_record r = {.kiosk = kiosk,
		                         .seq = it->seq,
		                         .kind = it->kind,
		                         .bytes = it->bytes,
		                         .len = it->len,
		                         .received_s = now_s,
		                         .resident =
		                             it->decoded && it->f.is_drop ? it->f.resident : 0,
		                         .points = it->decoded && it->f.is_drop ? it->f.points : 0,
		                         .flags = flags};
		memcpy(r.hash, it->hash, 32);
		int ins = s->ops->record_insert(s, &r);
		if (ins < 0) {
			rc = ins;
			break;
		}
		json_t *res = json_object();
		json_object_set_new(res, "seq", json_integer(it->seq));
		if (ins == 1) {
			json_object_set_new(res, "status", json_string("stored"));
			if (flags)
				json_object_set_new(res, "flags", flags_json(flags));
			rc = add_flag_alerts(s, kiosk, it, flags, expect, now_s);
			memcpy(prev_hash, it->hash, 32);
		} else {
			int got = s->ops->record_get(s, kiosk, it->seq, buf,
			                             INGEST_MAX_RECORD_BYTES, &len, stored_hash);
			if (got != 1) {
				rc = got < 0 ? got : WF_EIO;
				json_decref(res);
				break;
			}
			int same = len == it->len && sodium_memcmp(buf, it->bytes, len) == 0 &&
			           sodium_memcmp(stored_hash, it->hash, 32) == 0;
			json_object_set_new(res, "status",
			                    json_string(same ? "duplicate" : "conflict"));
			if (!same)
				rc = s->ops->alert_add(
				    s, kiosk, it->seq, "conflict", it->bytes, it->len,
				    "same (kiosk, seq) with other canonical bytes; "
				    "stored record kept",
				    now_s);
			memcpy(prev_hash, stored_hash, 32);
		}
		prev_seq = it->seq;
		json_array_append_new(results, res);
	}
	/* A record that fills a gap must also continue into the one after it. */
	if (!rc && n > 0) {
		struct ingest_item *last = &items[n - 1];
		uint8_t next_hash[32];
		size_t len = 0;
		int got = last->seq < UINT32_MAX
		              ? s->ops->record_get(s, kiosk, last->seq + 1, buf,
		                                   INGEST_MAX_RECORD_BYTES, &len, next_hash)
		              : 0;
		if (got < 0)
			rc = got;
		else if (got == 1) {
			uint8_t h[32];
			ingest_chain_next(prev_hash, buf, len, h);
			if (sodium_memcmp(h, next_hash, 32) != 0)
				rc = s->ops->alert_add(s, kiosk, last->seq + 1, "chain_break", NULL,
				                       0,
				                       "stored record does not continue from the "
				                       "record before it",
				                       now_s);
		}
	}
	free(buf);
	return rc;
}

int ingest_batch(struct store *s, uint32_t kiosk, const json_t *body, int64_t now_s,
                 json_t **results, uint32_t *highest_seq, char *why, size_t why_len)
{
	*results = NULL;
	struct ingest_item *items = NULL;
	size_t n = 0;
	int rc = WF_EINVAL;
	uint32_t body_kiosk = 0;
	const char *format = json_string_value(json_object_get(body, "format"));
	const json_t *recs = json_object_get(body, "records");
	if (!json_is_object(body) || !format || strcmp(format, "wufei-batch-1") != 0) {
		why_set(why, why_len, "format must be \"wufei-batch-1\"");
		goto out;
	}
	if (get_u32(body, "kiosk", 1, &body_kiosk)) {
		why_set(why, why_len, "kiosk must be an integer >= 1");
		goto out;
	}
	if (body_kiosk != kiosk) {
		why_set(why, why_len,
		        "body names kiosk %" PRIu32 " but the request is signed by %" PRIu32,
		        body_kiosk, kiosk);
		rc = WF_ESTATE;
		goto out;
	}
	if (!json_is_array(recs) || json_array_size(recs) == 0) {
		why_set(why, why_len, "records must be a non-empty array");
		goto out;
	}
	if (json_array_size(recs) > INGEST_MAX_RECORDS) {
		why_set(why, why_len, "%zu records; at most %d per batch", json_array_size(recs),
		        INGEST_MAX_RECORDS);
		rc = WF_EFULL;
		goto out;
	}
	n = json_array_size(recs);
	items = calloc(n, sizeof *items);
	if (!items) {
		rc = WF_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = parse_item(json_array_get(recs, i), i, &items[i], why, why_len);
		if (!rc && i > 0 && items[i].seq <= items[i - 1].seq) {
			why_set(why, why_len, "records must be in strictly ascending seq");
			rc = WF_EINVAL;
		}
		if (!rc)
			rc = check_item(kiosk, i, &items[i], why, why_len);
		if (rc)
			goto out;
	}
	*results = json_array();
	rc = s->ops->begin(s);
	if (rc)
		goto fail_store;
	rc = store_items(s, kiosk, items, n, now_s, *results);
	if (!rc) {
		uint8_t h[32];
		rc = s->ops->record_highest(s, kiosk, highest_seq, h);
	}
	if (!rc)
		rc = s->ops->commit(s);
	if (rc) {
		s->ops->rollback(s);
		goto fail_store;
	}
	goto out;
fail_store:
	why_set(why, why_len, "storage failed: %s", store_errmsg(s));
	json_decref(*results);
	*results = NULL;
	if (rc == WF_EINVAL || rc == WF_EPROTO || rc == WF_EFULL || rc == WF_ESTATE)
		rc = WF_EIO;
out:
	for (size_t i = 0; items && i < n; i++)
		free(items[i].bytes);
	free(items);
	return rc;
}
