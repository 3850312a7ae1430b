/* points_records.c — drop records and receipts for the points tests; see points_records.h. */
#include "points_records.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "catalog.h"
#include "chain.h"
#include "hex.h"
#include "record.h"

#define PR_T0_MS INT64_C(1795867200000) /* 2026-11-28 12:00:00 UTC */

int64_t pr_points(int64_t qty)
{
	int64_t p = 0;
	wf_points(WF_UNIT_GRAM, 2000, qty, &p);
	return p;
}

size_t pr_drop_bytes(uint32_t kiosk, const struct pr_drop *d, uint8_t *out, size_t cap)
{
	struct wf_record r;
	memset(&r, 0, sizeof r);
	r.kind = WF_RECORD_DROP;
	r.kiosk = kiosk;
	r.seq = d->seq;
	r.time_ms = PR_T0_MS + (int64_t)d->seq * 60000;
	r.drop.category_id = 1;
	r.drop.unit = WF_UNIT_GRAM;
	r.drop.qty = d->qty;
	r.drop.credited_qty = d->qty;
	r.drop.points = pr_points(d->qty);
	r.drop.rate_version = 1;
	r.drop.resident_id = (uint64_t)d->resident;
	r.drop.flags = d->resident ? 0 : WF_DROP_ANONYMOUS;
	if (d->resident)
		memset(r.drop.card_hash, 0xab, sizeof r.drop.card_hash);
	r.drop.local_day = PR_DAY;
	int n = wf_record_encode(&r, out, cap);
	return n > 0 ? (size_t)n : 0;
}

char *pr_batch_json(uint32_t kiosk, const struct pr_drop *d, size_t n, uint8_t prev[WF_HASH_BYTES])
{
	json_t *recs = json_array();
	for (size_t i = 0; i < n; i++) {
		uint8_t bytes[1024], h[WF_HASH_BYTES];
		char b64[2048], hex[WF_HASH_HEX];
		size_t bl = pr_drop_bytes(kiosk, &d[i], bytes, sizeof bytes);
		wf_chain_next(prev, bytes, bl, h);
		memcpy(prev, h, WF_HASH_BYTES);
		sodium_bin2base64(b64, sizeof b64, bytes, bl, sodium_base64_VARIANT_ORIGINAL);
		hex_encode(h, WF_HASH_BYTES, hex, sizeof hex);
		json_array_append_new(recs,
		                      json_pack("{s:i, s:I, s:s, s:s}", "kind", 1, "seq",
		                                (json_int_t)d[i].seq, "data", b64, "hash", hex));
	}
	json_t *body = json_pack("{s:s, s:I, s:o}", "format", "wufei-batch-1", "kiosk",
	                         (json_int_t)kiosk, "records", recs);
	char *out = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return out;
}

void pr_token(const uint8_t *sk, uint32_t kiosk, const struct pr_drop *d, char *token)
{
	struct receipt r = {.version = 1,
	                    .key_id = 1,
	                    .kiosk = kiosk,
	                    .seq = d->seq,
	                    .time_min = (uint32_t)((PR_T0_MS + (int64_t)d->seq * 60000) / 60000),
	                    .category = 1,
	                    .qty = (uint32_t)d->qty,
	                    .points = (uint32_t)pr_points(d->qty)};
	receipt_make_token(&r, sk, token, RECEIPT_TOKEN_LEN + 1);
}
