/*
 * test_ingest_batch — a batch decided in C from what central holds around
 * it, then stored at once (ingest.c, ingest_held.c), on both backends: a
 * checkpoint checked against records of the same batch and of earlier ones,
 * a gap filled that must continue into the record after it, duplicates and
 * conflicts mixed with new records in one batch, and the anonymous cap
 * counting the batch's own earlier drops before they are stored.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>

#include "catalog.h"
#include "harness.h"
#include "ingest.h"
#include "record.h"
#include "store.h"
#include "testdb.h"
#include "wf_test.h"

#define K 3 /* the kiosk */

struct ctx {
	char dir[32];
	char url[1024];
	struct store *s;
	struct wf_record r[32]; /* the kiosk's journal, seq = index + 1 */
	struct harness_rec h[32];
};

/* A drop of paper (anonymous: no resident, over the cap's count). */
static void drop(struct wf_record *r, uint32_t seq, int64_t grams, int anonymous)
{
	memset(r, 0, sizeof *r);
	r->kind = WF_RECORD_DROP;
	r->kiosk = K;
	r->seq = seq;
	r->time_ms = 1796040000000LL + seq * 60000LL;
	r->drop.category_id = 1;
	r->drop.unit = WF_UNIT_GRAM;
	r->drop.qty = grams;
	r->drop.credited_qty = grams;
	wf_points(WF_UNIT_GRAM, 2000, grams, &r->drop.points);
	r->drop.rate_version = 1;
	r->drop.resident_id = anonymous ? 0 : 700 + seq % 3;
	r->drop.flags = anonymous ? WF_DROP_ANONYMOUS : 0;
	r->drop.local_day = 20261130;
}

static void checkpoint(struct wf_record *r, uint32_t seq, uint32_t upto, const uint8_t *hash)
{
	memset(r, 0, sizeof *r);
	r->kind = WF_RECORD_CHECKPOINT;
	r->kiosk = K;
	r->seq = seq;
	r->time_ms = 1796040000000LL + seq * 60000LL;
	r->checkpoint.upto_seq = upto;
	memcpy(r->checkpoint.hash, hash, WF_HASH_BYTES);
}

/* Chains c->r[0..n) into c->h. */
static void chain(struct ctx *c, size_t n)
{
	uint8_t prev[WF_HASH_BYTES] = {0};
	assert_int_equal(harness_chain(c->r, n, prev, c->h), WF_OK);
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	char path[64], why[256];
	snprintf(c->dir, sizeof c->dir, "/tmp/wf-ingb-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	snprintf(path, sizeof path, "%s/c.db", c->dir);
	assert_int_equal(testdb_url(c->url, sizeof c->url, path), 0);
	assert_int_equal(store_open(c->url, &c->s, why, sizeof why), WF_OK);
	assert_int_equal(c->s->ops->kiosk_add(c->s, K, "k", 1), WF_OK);
	struct wf_category paper = {.id = 1,
	                            .code = "paper",
	                            .name = "paper",
	                            .unit = WF_UNIT_GRAM,
	                            .rate = 2000,
	                            .min_qty = 1,
	                            .max_qty = 100000,
	                            .has_anon_cap = true,
	                            .anon_cap_qty = 3000};
	assert_int_equal(c->s->ops->rate_set(c->s, &paper, 1), WF_OK);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	store_close(c->s);
	wf_test_rmtree(c->dir);
	free(c);
	return 0;
}

/* Sends h[from..to] (1-based seqs, inclusive) as one batch; the statuses
 * joined by spaces (with ":flag" for each flag) into out. */
static void send(struct ctx *c, const struct harness_rec *h, size_t n, char *out, size_t cap)
{
	char *body = harness_batch_of(K, h, n), why[256] = "";
	json_t *res = NULL;
	uint32_t hi = 0;
	int rc = ingest_batch(c->s, K, body, strlen(body), 1796040000, &res, &hi, why, sizeof why);
	free(body);
	if (rc)
		fail_msg("ingest_batch: %d %s", rc, why);
	out[0] = '\0';
	for (size_t i = 0; i < json_array_size(res); i++) {
		json_t *r = json_array_get(res, i);
		size_t len = strlen(out);
		snprintf(out + len, cap - len, "%s%s", i ? " " : "",
		         json_string_value(json_object_get(r, "status")));
		json_t *flags = json_object_get(r, "flags");
		for (size_t f = 0; f < json_array_size(flags); f++) {
			len = strlen(out);
			snprintf(out + len, cap - len, ":%s",
			         json_string_value(json_array_get(flags, f)));
		}
	}
	json_decref(res);
}

static long alerts(struct ctx *c, const char *reason, uint32_t seq)
{
	char sql[200];
	snprintf(
	    sql, sizeof sql,
	    "SELECT count(*) FROM tamper_alerts WHERE kiosk = %d AND reason = '%s' AND seq = %u", K,
	    reason, seq);
	return testdb_count(c->url, sql);
}

/* Checkpoints naming a record of the same batch, of an earlier batch, one
 * with another hash, and one central does not hold. */
static void test_checkpoints(void **state)
{
	struct ctx *c = *state;
	uint8_t wrong[WF_HASH_BYTES];
	memset(wrong, 0x77, sizeof wrong);
	for (uint32_t s = 1; s <= 4; s++)
		drop(&c->r[s - 1], s, 1000, 0);
	chain(c, 4);
	checkpoint(&c->r[4], 5, 3, c->h[2].hash); /* seq 3 of this very batch */
	checkpoint(&c->r[5], 6, 2, wrong);
	drop(&c->r[6], 7, 1000, 0);
	chain(c, 7);
	char out[400];
	send(c, c->h, 6, out, sizeof out);
	assert_string_equal(out, "stored stored stored stored stored stored");
	assert_int_equal(alerts(c, "checkpoint_mismatch", 5), 0);
	assert_int_equal(alerts(c, "checkpoint_mismatch", 6), 1);
	/* next batch: a checkpoint on an earlier batch's record, and one on a seq never sent */
	checkpoint(&c->r[7], 8, 4, c->h[3].hash);
	checkpoint(&c->r[8], 9, 7, c->h[6].hash); /* 7 is never sent */
	chain(c, 9);
	send(c, &c->h[7], 2, out, sizeof out);
	assert_string_equal(out, "stored stored");
	assert_int_equal(alerts(c, "checkpoint_mismatch", 8), 0);
	assert_int_equal(alerts(c, "checkpoint_mismatch", 9), 1);
	/* 9 came after a hole (7 missing): no chain check possible, no flag */
	assert_int_equal(alerts(c, "chain_break", 9), 0);
}

/* A gap filled later: the filler must continue into the record after it. */
static void test_gap_fill(void **state)
{
	struct ctx *c = *state;
	for (uint32_t s = 1; s <= 8; s++)
		drop(&c->r[s - 1], s, 500 + s, 0);
	chain(c, 8);
	char out[400];
	send(c, c->h, 3, out, sizeof out);     /* 1..3 */
	send(c, &c->h[5], 3, out, sizeof out); /* 6..8, after a hole */
	assert_string_equal(out, "stored stored stored");
	struct harness_rec good[2];
	memcpy(good, &c->h[3], sizeof good);
	/* 4..5 with other bytes for 5: its hash no longer leads to 6 */
	drop(&c->r[4], 5, 9999, 0);
	chain(c, 5);
	send(c, &c->h[3], 2, out, sizeof out);
	assert_string_equal(out, "stored stored");
	assert_int_equal(alerts(c, "chain_break", 6), 1);
	/* and the true 4..5 now: duplicate and conflict */
	send(c, good, 2, out, sizeof out);
	assert_string_equal(out, "duplicate conflict");
	assert_int_equal(alerts(c, "conflict", 5), 1);
}

/* Duplicates, a conflict and new records in one batch; the chain checked
 * across them, a break flagged on the new record that does not continue. */
static void test_mixed(void **state)
{
	struct ctx *c = *state;
	for (uint32_t s = 1; s <= 6; s++)
		drop(&c->r[s - 1], s, 1000 + s, 0);
	chain(c, 6);
	char out[400];
	send(c, c->h, 3, out, sizeof out);
	struct harness_rec mixed[6];
	memcpy(mixed, c->h, sizeof mixed);
	struct wf_record other;
	uint8_t prev[WF_HASH_BYTES];
	memcpy(prev, c->h[0].hash, WF_HASH_BYTES);
	drop(&other, 2, 7777, 0); /* 2: other bytes, same seq */
	assert_int_equal(harness_chain(&other, 1, prev, &mixed[1]), WF_OK);
	mixed[4].hash[0] ^= 1; /* 5: a hash that does not continue 4 */
	send(c, mixed, 6, out, sizeof out);
	assert_string_equal(
	    out, "duplicate conflict duplicate stored stored:chain_break stored:chain_break");
	assert_int_equal(alerts(c, "conflict", 2), 1);
	assert_int_equal(alerts(c, "chain_break", 5), 1);
	/* 6 continues 5 as the kiosk made it, not the hash central now holds for 5 */
	assert_int_equal(alerts(c, "chain_break", 6), 1);
	assert_int_equal(testdb_count(c->url, "SELECT count(*) FROM records WHERE kiosk = 3"), 6);
	/* each resident's drop earned once, entries written with the batch */
	assert_int_equal(testdb_count(c->url, "SELECT count(*) FROM points_entries"), 6);
}

/* The anonymous cap counts the batch's earlier anonymous drops before any is stored. */
static void test_anon_cap_in_batch(void **state)
{
	struct ctx *c = *state;
	drop(&c->r[0], 1, 1200, 1);
	drop(&c->r[1], 2, 1000, 0); /* a resident's: not counted */
	drop(&c->r[2], 3, 1500, 1);
	drop(&c->r[3], 4, 400, 1); /* 1200 + 1500 + 400 > 3000 */
	drop(&c->r[4], 5, 100, 1);
	chain(c, 5);
	char out[400];
	send(c, c->h, 5, out, sizeof out);
	assert_string_equal(out, "stored stored stored stored:anon_cap stored:anon_cap");
	assert_int_equal(alerts(c, "anon_cap", 4), 1);
	assert_int_equal(alerts(c, "anon_cap", 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_checkpoints, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gap_fill, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mixed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_anon_cap_in_batch, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
