/*
 * points_records.h — what the points tests (test_points.c,
 * test_points_http.c) build: drop records of paper (category 1, rate
 * version 1: 2000 points per tonne) for a resident or anonymous, chained
 * batches of them, and the receipt token a kiosk would print for one.
 */
#ifndef WUFEI_TESTS_POINTS_RECORDS_H
#define WUFEI_TESTS_POINTS_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "receipt.h"
#include "wf.h"

#define PR_DAY 20261128 /* the drops' local day */

struct pr_drop {
	uint32_t seq;
	int64_t resident; /* 0: anonymous */
	int64_t qty;      /* grams; credited = qty (the kiosk's own limit is not what is tested) */
};

/* The drop's points: floor(qty × 2000 / 1,000,000). */
int64_t pr_points(int64_t qty);

/* Canonical bytes of kiosk's drop d (time: 2026-11-28 12:00 UTC plus seq minutes). */
size_t pr_drop_bytes(uint32_t kiosk, const struct pr_drop *d, uint8_t *out, size_t cap);

/* A wufei-batch-1 body of d[0..n) for kiosk, chained from prev (updated). Malloc'd. */
char *pr_batch_json(uint32_t kiosk, const struct pr_drop *d, size_t n, uint8_t prev[WF_HASH_BYTES]);

/* The receipt token of kiosk's drop d signed with sk (key id 1) into token[RECEIPT_TOKEN_LEN+1]. */
void pr_token(const uint8_t *sk, uint32_t kiosk, const struct pr_drop *d, char *token);

#endif
