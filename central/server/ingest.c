/* ingest.c — batch ingest: exactly once, conflicts, chain and points checks; see ingest.h. */
#include "ingest.h"
#include "hex.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "catalog.h"
#include "wf.h"

#include "chain.h"
#include "record.h"

/* One record of the batch after validation. */
struct ingest_item {
	uint32_t seq;
	uint32_t kind;
	uint8_t *bytes;
	size_t len;
	uint8_t hash[32];
	struct ingest_fields f;
	int decoded;          /* f is meaningful */
	const char *data_txt; /* fast path: spans in the request body */
	size_t data_len;
	const char *hash_txt;
	size_t hash_len;
};

/* Small cache of rate versions seen in this batch. */
struct rate_cache {
	struct store_rate r[16];
	int found[16];
	int n;
};

void ingest_chain_next(const uint8_t prev[32], const uint8_t *bytes, size_t len, uint8_t out[32])
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
		memcpy(out->cp_hash, r.checkpoint.hash, 32);
	}
	return WF_OK;
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

/* Decodes one record's base64 data and hex hash into it. */
static int decode_item(size_t i, struct ingest_item *it, const char *data, size_t dlen,
                       const char *hash, size_t hash_len, char *why, size_t why_len)
{
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
	if (hex_decode(hash, hash_len, it->hash, WF_HASH_BYTES) != WF_OK) {
		why_set(why, why_len, "records[%zu]: hash must be 64 hex characters", i);
		return WF_EINVAL;
	}
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
	const json_t *data = json_object_get(rec, "data");
	const json_t *hash = json_object_get(rec, "hash");
	if (!json_is_string(data) || !json_is_string(hash)) {
		why_set(why, why_len, "records[%zu]: data and hash must be strings", i);
		return WF_EINVAL;
	}
	return decode_item(i, it, json_string_value(data), json_string_length(data),
	                   json_string_value(hash), json_string_length(hash), why, why_len);
}

/*
 * Fast path for the common, plain batch: a strict scanner that accepts only
 * {"format":S,"kiosk":N,"records":[{"kind":N,"seq":N,"data":S,"hash":S},...]}
 * in any key order and whitespace, strings of printable ASCII without
 * escapes, unsigned integers without leading zeros, no duplicate or unknown
 * keys, 1..INGEST_MAX_RECORDS records. Anything else returns 0 and the
 * caller parses with jansson, which also writes the error messages; so the
 * fast path never accepts what jansson would refuse.
 */
struct scan {
	const char *p;
	const char *end;
};

static void scan_ws(struct scan *sc)
{
	while (sc->p < sc->end &&
	       (*sc->p == ' ' || *sc->p == '\n' || *sc->p == '\r' || *sc->p == '\t'))
		sc->p++;
}

static int scan_char(struct scan *sc, char c)
{
	scan_ws(sc);
	if (sc->p < sc->end && *sc->p == c) {
		sc->p++;
		return 1;
	}
	return 0;
}

static int scan_str(struct scan *sc, const char **s, size_t *n)
{
	if (!scan_char(sc, '"'))
		return 0;
	const char *start = sc->p;
	while (sc->p < sc->end && *sc->p != '"') {
		if (*sc->p < 0x20 || *sc->p > 0x7e || *sc->p == '\\')
			return 0;
		sc->p++;
	}
	if (sc->p >= sc->end)
		return 0;
	*s = start;
	*n = (size_t)(sc->p - start);
	sc->p++;
	return 1;
}

static int scan_u32(struct scan *sc, uint32_t *v)
{
	scan_ws(sc);
	const char *start = sc->p;
	uint64_t x = 0;
	while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9' && sc->p - start < 11)
		x = x * 10 + (uint64_t)(*sc->p++ - '0');
	size_t n = (size_t)(sc->p - start);
	if (n == 0 || n > 10 || (n > 1 && *start == '0') || x > UINT32_MAX)
		return 0;
	if (sc->p < sc->end && (*sc->p == '.' || *sc->p == 'e' || *sc->p == 'E'))
		return 0;
	*v = (uint32_t)x;
	return 1;
}

static int key_is(const char *k, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(k, want, n) == 0;
}

/* One record object; fills seq/kind and the text spans of data and hash. */
static int scan_record(struct scan *sc, struct ingest_item *it)
{
	unsigned seen = 0;
	if (!scan_char(sc, '{'))
		return 0;
	/* Exactly four keys; a duplicate leaves a bit unset and is declined. */
	for (int i = 0; i < 4; i++) {
		const char *k;
		size_t kn;
		int ok;
		if ((i > 0 && !scan_char(sc, ',')) || !scan_str(sc, &k, &kn) || !scan_char(sc, ':'))
			return 0;
		if (key_is(k, kn, "kind")) {
			seen |= 1;
			ok = scan_u32(sc, &it->kind);
		} else if (key_is(k, kn, "seq")) {
			seen |= 2;
			ok = scan_u32(sc, &it->seq);
		} else if (key_is(k, kn, "data")) {
			seen |= 4;
			ok = scan_str(sc, &it->data_txt, &it->data_len);
		} else if (key_is(k, kn, "hash")) {
			seen |= 8;
			ok = scan_str(sc, &it->hash_txt, &it->hash_len);
		} else
			return 0;
		if (!ok)
			return 0;
	}
	return seen == 15 && it->seq >= 1 && scan_char(sc, '}');
}

/* Returns 1 with the batch scanned, 0 to decline (jansson decides). */
static int scan_batch(const char *body, size_t len, const char **fmt, size_t *fmt_len,
                      uint32_t *kiosk, struct ingest_item *items, size_t *n)
{
	struct scan sc = {body, body + len};
	unsigned seen = 0;
	*n = 0;
	if (!scan_char(&sc, '{'))
		return 0;
	for (int i = 0; i < 3; i++) {
		const char *k;
		size_t kn;
		int ok = 1;
		if ((i > 0 && !scan_char(&sc, ',')) || !scan_str(&sc, &k, &kn) ||
		    !scan_char(&sc, ':'))
			return 0;
		if (key_is(k, kn, "format")) {
			seen |= 1;
			ok = scan_str(&sc, fmt, fmt_len);
		} else if (key_is(k, kn, "kiosk")) {
			seen |= 2;
			ok = scan_u32(&sc, kiosk);
		} else if (key_is(k, kn, "records")) {
			seen |= 4;
			ok = scan_char(&sc, '[');
			while (ok) {
				if (*n == INGEST_MAX_RECORDS || !scan_record(&sc, &items[*n]))
					return 0;
				(*n)++;
				if (scan_char(&sc, ']'))
					break;
				ok = scan_char(&sc, ',');
			}
		} else
			return 0;
		if (!ok)
			return 0;
	}
	if (seen != 7 || !scan_char(&sc, '}'))
		return 0;
	scan_ws(&sc);
	return sc.p == sc.end;
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

/*
 * A CHECKPOINT record lets the kiosk forget what lies behind it: central
 * must hold that record with the hash the checkpoint names, or the kiosk is
 * about to prune something central does not have. Flagged, never refused.
 */
static int check_checkpoint(struct store *s, uint32_t kiosk, const struct ingest_item *it,
                            uint8_t *buf, int64_t now_s)
{
	uint8_t held[32];
	size_t len = 0;
	int got =
	    s->ops->record_get(s, kiosk, it->f.cp_upto, buf, INGEST_MAX_RECORD_BYTES, &len, held);
	if (got < 0)
		return got;
	if (got == 1 && sodium_memcmp(held, it->f.cp_hash, 32) == 0)
		return WF_OK;
	char detail[160];
	snprintf(detail, sizeof detail,
	         "checkpoint lets the kiosk prune up to seq %" PRIu32 ", which central %s",
	         it->f.cp_upto, got == 1 ? "holds with another hash" : "does not hold");
	return s->ops->alert_add(s, kiosk, it->seq, "checkpoint_mismatch", NULL, 0, detail, now_s);
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
			if (!rc && it->decoded && it->f.is_checkpoint)
				rc = check_checkpoint(s, kiosk, it, buf, now_s);
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
	/* Residents whose balance moved show up in the next incremental down-sync. */
	int64_t touched[16];
	int ntouched = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		int64_t r = items[i].decoded && items[i].f.is_drop ? items[i].f.resident : 0;
		int seen = r <= 0;
		for (int k = 0; !seen && k < ntouched; k++)
			seen = touched[k] == r;
		if (seen)
			continue;
		rc = s->ops->resident_touch(s, r);
		if (ntouched < 16)
			touched[ntouched++] = r;
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

/* The jansson path: any valid JSON, precise messages for what is wrong. */
static int items_from_json(const char *text, size_t len, uint32_t kiosk, struct ingest_item *items,
                           size_t *n, char *why, size_t why_len)
{
	json_error_t err;
	uint32_t body_kiosk = 0;
	int rc = WF_EINVAL;
	json_t *body = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!body) {
		why_set(why, why_len, "line %d column %d: %s", err.line, err.column, err.text);
		return WF_EINVAL;
	}
	const char *format = json_string_value(json_object_get(body, "format"));
	const json_t *recs = json_object_get(body, "records");
	if (!json_is_object(body) || !format || strcmp(format, "wufei-batch-1") != 0) {
		why_set(why, why_len, "body must be an object with format \"wufei-batch-1\"");
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
	for (size_t i = 0; i < json_array_size(recs); i++) {
		*n = i + 1; /* so the caller frees what was decoded */
		rc = parse_item(json_array_get(recs, i), i, &items[i], why, why_len);
		if (rc)
			goto out;
	}
	rc = WF_OK;
out:
	json_decref(body);
	return rc;
}

/* The fast path (see scan_batch); returns 1 declined, or a result. */
static int items_from_scan(const char *text, size_t len, uint32_t kiosk, struct ingest_item *items,
                           size_t *n, char *why, size_t why_len)
{
	const char *fmt = NULL;
	size_t flen = 0;
	uint32_t body_kiosk = 0;
	if (!scan_batch(text, len, &fmt, &flen, &body_kiosk, items, n)) {
		memset(items, 0, *n * sizeof *items);
		*n = 0;
		return 1;
	}
	if (!key_is(fmt, flen, "wufei-batch-1") || body_kiosk == 0) {
		*n = 0;
		return 1; /* let the jansson path word the error */
	}
	if (body_kiosk != kiosk) {
		why_set(why, why_len,
		        "body names kiosk %" PRIu32 " but the request is signed by %" PRIu32,
		        body_kiosk, kiosk);
		return WF_ESTATE;
	}
	for (size_t i = 0; i < *n; i++) {
		int rc = decode_item(i, &items[i], items[i].data_txt, items[i].data_len,
		                     items[i].hash_txt, items[i].hash_len, why, why_len);
		if (rc)
			return rc;
	}
	return WF_OK;
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
	rc = items_from_scan(text ? text : "", len, kiosk, items, &n, why, why_len);
	if (rc == 1)
		rc = items_from_json(text ? text : "", len, kiosk, items, &n, why, why_len);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && items[i].seq <= items[i - 1].seq) {
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
	if (!rc && before_commit)
		before_commit(hook_ctx);
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
	for (size_t i = 0; items && i < n && i < INGEST_MAX_RECORDS; i++)
		free(items[i].bytes);
	free(items);
	return rc;
}
