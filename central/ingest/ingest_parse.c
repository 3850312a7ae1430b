/*
 * ingest_parse.c — a batch body to ingest items (ingest_items.h): a strict
 * fast scanner for the plain batch every kiosk sends, and jansson for any
 * other valid JSON and for the precise messages of what is wrong.
 */
#include "ingest_items.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "hex.h"

void ingest_why(char *why, size_t why_len, const char *fmt, ...)
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
		ingest_why(why, why_len, "records[%zu]: data empty or over %d bytes", i,
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
		ingest_why(why, why_len,
		           "records[%zu]: data is not base64 (RFC 4648, with padding)", i);
		return WF_EINVAL;
	}
	if (hex_decode(hash, hash_len, it->hash, WF_HASH_BYTES) != WF_OK) {
		ingest_why(why, why_len, "records[%zu]: hash must be 64 hex characters", i);
		return WF_EINVAL;
	}
	return WF_OK;
}

static int parse_item(const json_t *rec, size_t i, struct ingest_item *it, char *why,
                      size_t why_len)
{
	if (!json_is_object(rec)) {
		ingest_why(why, why_len, "records[%zu] is not an object", i);
		return WF_EINVAL;
	}
	if (get_u32(rec, "seq", 1, &it->seq) || get_u32(rec, "kind", 0, &it->kind)) {
		ingest_why(why, why_len, "records[%zu]: seq (>= 1) and kind must be integers", i);
		return WF_EINVAL;
	}
	const json_t *data = json_object_get(rec, "data");
	const json_t *hash = json_object_get(rec, "hash");
	if (!json_is_string(data) || !json_is_string(hash)) {
		ingest_why(why, why_len, "records[%zu]: data and hash must be strings", i);
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

/* The jansson path: any valid JSON, precise messages for what is wrong. */
static int items_from_json(const char *text, size_t len, uint32_t kiosk, struct ingest_item *items,
                           size_t *n, char *why, size_t why_len)
{
	json_error_t err;
	uint32_t body_kiosk = 0;
	int rc = WF_EINVAL;
	json_t *body = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!body) {
		ingest_why(why, why_len, "line %d column %d: %s", err.line, err.column, err.text);
		return WF_EINVAL;
	}
	const char *format = json_string_value(json_object_get(body, "format"));
	const json_t *recs = json_object_get(body, "records");
	if (!json_is_object(body) || !format || strcmp(format, "wufei-batch-1") != 0) {
		ingest_why(why, why_len, "body must be an object with format \"wufei-batch-1\"");
		goto out;
	}
	if (get_u32(body, "kiosk", 1, &body_kiosk)) {
		ingest_why(why, why_len, "kiosk must be an integer >= 1");
		goto out;
	}
	if (body_kiosk != kiosk) {
		ingest_why(why, why_len,
		           "body names kiosk %" PRIu32 " but the request is signed by %" PRIu32,
		           body_kiosk, kiosk);
		rc = WF_ESTATE;
		goto out;
	}
	if (!json_is_array(recs) || json_array_size(recs) == 0) {
		ingest_why(why, why_len, "records must be a non-empty array");
		goto out;
	}
	if (json_array_size(recs) > INGEST_MAX_RECORDS) {
		ingest_why(why, why_len, "%zu records; at most %d per batch", json_array_size(recs),
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
		ingest_why(why, why_len,
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

int ingest_parse(const char *text, size_t len, uint32_t kiosk, struct ingest_item *items, size_t *n,
                 char *why, size_t why_len)
{
	*n = 0;
	int rc = items_from_scan(text, len, kiosk, items, n, why, why_len);
	if (rc == 1)
		rc = items_from_json(text, len, kiosk, items, n, why, why_len);
	return rc;
}
