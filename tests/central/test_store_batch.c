/*
 * test_store_batch — the batch ops ingest uses (store.h records_held,
 * records_insert), on both backends: a batch's records inserted together
 * are each told apart as new or already held, kept byte for byte with the
 * same columns as record_insert would keep, and read back together.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "record.h"
#include "store.h"
#include "testdb.h"
#include "wf_test.h"

struct ctx {
	char dir[32];
	char url[1024];
	struct store *s;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	char path[64], why[256];
	snprintf(c->dir, sizeof c->dir, "/tmp/wf-batch-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	snprintf(path, sizeof path, "%s/c.db", c->dir);
	assert_int_equal(testdb_url(c->url, sizeof c->url, path), 0);
	assert_int_equal(store_open(c->url, &c->s, why, sizeof why), WF_OK);
	assert_int_equal(
	    testdb_exec(c->url, "INSERT INTO kiosks(number, name, created_s) VALUES(7, 'k', 0)"),
	    0);
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

/* Record seq of kiosk 7: bytes and hash that say which seq (and version v). */
static struct store_record rec(uint32_t seq, int v, uint8_t *bytes)
{
	for (int i = 0; i < 40; i++)
		bytes[i] = (uint8_t)(seq * 3 + (uint32_t)i + (uint32_t)v * 101);
	struct store_record r = {.kiosk = 7,
	                         .seq = seq,
	                         .kind = seq % 2 ? WF_RECORD_DROP : WF_RECORD_STAFF,
	                         .bytes = bytes,
	                         .len = 40,
	                         .received_s = 1000 + seq,
	                         .flags = seq == 3 ? STORE_FLAG_CHAIN_BREAK : 0};
	memset(r.hash, (int)(seq + (uint32_t)v * 50), WF_HASH_BYTES);
	if (r.kind == WF_RECORD_DROP) {
		r.resident = seq == 5 ? 0 : 40 + seq;
		r.points = 10 * seq;
		r.time_s = 1700000000 + seq;
		r.category = 1;
		r.unit = WF_UNIT_GRAM;
		r.drop_flags = seq == 5 ? WF_DROP_ANONYMOUS : 0;
		r.qty = 100 * seq;
		r.credited = 90 * seq;
		r.local_day = 20261130;
	}
	return r;
}

struct heard {
	int n;
	uint32_t seq[16];
	uint8_t first[16];
	size_t len[16];
	uint8_t hash0[16];
};

static int hear(void *ctx, uint32_t seq, const uint8_t *bytes, size_t len,
                const uint8_t hash[WF_HASH_BYTES])
{
	struct heard *h = ctx;
	assert_true(h->n < 16);
	h->seq[h->n] = seq;
	h->first[h->n] = bytes[0];
	h->len[h->n] = len;
	h->hash0[h->n] = hash[0];
	h->n++;
	return 0;
}

static int find(const struct heard *h, uint32_t seq)
{
	for (int i = 0; i < h->n; i++)
		if (h->seq[i] == seq)
			return i;
	return -1;
}

/* New and held told apart; the held record is never overwritten. */
static void test_insert_then_again(void **state)
{
	struct ctx *c = *state;
	uint8_t b[8][40];
	struct store_record r[8];
	uint8_t stored[8];
	for (uint32_t i = 0; i < 5; i++)
		r[i] = rec(i + 1, 0, b[i]);
	assert_int_equal(c->s->ops->records_insert(c->s, r, 5, stored), WF_OK);
	for (int i = 0; i < 5; i++)
		assert_int_equal(stored[i], 1);
	/* 4 and 5 again with other bytes, 6 and 7 new */
	for (uint32_t i = 0; i < 4; i++)
		r[i] = rec(i + 4, 1, b[i]);
	assert_int_equal(c->s->ops->records_insert(c->s, r, 4, stored), WF_OK);
	assert_int_equal(stored[0], 0);
	assert_int_equal(stored[1], 0);
	assert_int_equal(stored[2], 1);
	assert_int_equal(stored[3], 1);
	assert_int_equal(testdb_count(c->url, "SELECT count(*) FROM records WHERE kiosk = 7"), 7);

	struct heard h = {0};
	uint32_t want[] = {9, 4, 1, 0, 7, 8};
	assert_int_equal(c->s->ops->records_held(c->s, 7, want, 6, hear, &h), WF_OK);
	assert_int_equal(h.n, 3);
	uint8_t expect[40];
	struct store_record e = rec(4, 0, expect); /* the first bytes of 4, kept */
	int k = find(&h, 4);
	assert_true(k >= 0);
	assert_int_equal(h.first[k], expect[0]);
	assert_int_equal(h.hash0[k], e.hash[0]);
	assert_int_equal(h.len[k], 40);
	e = rec(7, 1, expect);
	k = find(&h, 7);
	assert_true(k >= 0);
	assert_int_equal(h.first[k], expect[0]);
	assert_int_equal(h.hash0[k], e.hash[0]);
	assert_true(find(&h, 1) >= 0);
	assert_int_equal(find(&h, 9), -1);
}

/* The columns are those record_insert keeps: facts NULL where the kind has none. */
static void test_columns(void **state)
{
	struct ctx *c = *state;
	uint8_t b[6][40];
	struct store_record r[6];
	uint8_t stored[6];
	for (uint32_t i = 0; i < 6; i++)
		r[i] = rec(i + 1, 0, b[i]);
	r[1].time_s = -1234567; /* a clock before 1970 is kept as it is */
	r[3].points = -9;
	assert_int_equal(c->s->ops->records_insert(c->s, r, 6, stored), WF_OK);
	const char *checks[][2] = {
	    {"SELECT time_s FROM records WHERE seq = 2", "-1234567"},
	    {"SELECT points FROM records WHERE seq = 4", "-9"},
	    {"SELECT count(*) FROM records WHERE kind = 3 AND category IS NULL AND qty IS NULL AND "
	     "credited IS NULL AND local_day IS NULL AND dflags IS NULL AND unit IS NULL",
	     "3"},
	    {"SELECT count(*) FROM records WHERE kind = 1 AND category = 1 AND unit = 1 AND "
	     "local_day = 20261130",
	     "3"},
	    {"SELECT count(*) FROM records WHERE resident IS NULL", "4"},
	    {"SELECT resident FROM records WHERE seq = 3", "43"},
	    {"SELECT credited + qty + points + flags FROM records WHERE seq = 3", "601"},
	    {"SELECT dflags FROM records WHERE seq = 5", "1"},
	    {"SELECT time_s FROM records WHERE seq = 1", "1700000001"},
	    {"SELECT received_s FROM records WHERE seq = 6", "1006"},
	};
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		long got = testdb_count(c->url, checks[i][0]);
		if (got != atol(checks[i][1]))
			fail_msg("%s: %ld, expected %s", checks[i][0], got, checks[i][1]);
	}
}

/* The same records through record_insert (kiosk 8) and records_insert
 * (kiosk 7): every column alike, and each op sees what the other stored. */
static void test_like_record_insert(void **state)
{
	struct ctx *c = *state;
	assert_int_equal(
	    testdb_exec(c->url, "INSERT INTO kiosks(number, name, created_s) VALUES(8, 'k', 0)"),
	    0);
	uint8_t b[6][40], got[64], hash[WF_HASH_BYTES];
	struct store_record r[6];
	uint8_t stored[6];
	size_t len = 0;
	for (uint32_t i = 0; i < 6; i++)
		r[i] = rec(i + 1, 0, b[i]);
	assert_int_equal(c->s->ops->records_insert(c->s, r, 6, stored), WF_OK);
	for (int i = 0; i < 6; i++) {
		r[i].kiosk = 8;
		assert_int_equal(c->s->ops->record_insert(c->s, &r[i]), 1);
	}
	long same = testdb_count(
	    c->url,
	    "SELECT count(*) FROM records a JOIN records b ON a.seq = b.seq AND a.kiosk = 7 "
	    "AND b.kiosk = 8 WHERE a.kind = b.kind AND a.bytes = b.bytes AND a.hash = b.hash "
	    "AND a.received_s = b.received_s AND a.resident IS NOT DISTINCT FROM b.resident "
	    "AND a.points = b.points AND a.flags = b.flags AND a.time_s = b.time_s AND "
	    "a.category IS NOT DISTINCT FROM b.category AND a.unit IS NOT DISTINCT FROM "
	    "b.unit AND a.dflags IS NOT DISTINCT FROM b.dflags AND a.qty IS NOT DISTINCT "
	    "FROM b.qty AND a.credited IS NOT DISTINCT FROM b.credited AND a.local_day IS "
	    "NOT DISTINCT FROM b.local_day");
	assert_int_equal(same, 6);
	/* record_get reads what records_insert stored; records_insert sees record_insert's */
	assert_int_equal(c->s->ops->record_get(c->s, 7, 4, got, sizeof got, &len, hash), 1);
	assert_int_equal(len, 40);
	assert_memory_equal(got, b[3], 40);
	assert_memory_equal(hash, r[3].hash, WF_HASH_BYTES);
	assert_int_equal(
	    c->s->ops->record_insert(
	        c->s,
	        &(struct store_record){.kiosk = 7, .seq = 2, .kind = 3, .bytes = b[0], .len = 40}),
	    0);
	assert_int_equal(c->s->ops->records_insert(c->s, r, 6, stored), WF_OK);
	for (int i = 0; i < 6; i++)
		assert_int_equal(stored[i], 0);
}

/* Inside the caller's transaction: rolled back with it. */
static void test_caller_tx(void **state)
{
	struct ctx *c = *state;
	uint8_t b[2][40];
	struct store_record r[2] = {rec(1, 0, b[0]), rec(2, 0, b[1])};
	uint8_t stored[2];
	assert_int_equal(c->s->ops->begin(c->s), WF_OK);
	assert_int_equal(c->s->ops->records_insert(c->s, r, 2, stored), WF_OK);
	assert_int_equal(c->s->ops->rollback(c->s), WF_OK);
	assert_int_equal(testdb_count(c->url, "SELECT count(*) FROM records"), 0);
	/* and nothing asked for, nothing heard */
	struct heard h = {0};
	assert_int_equal(c->s->ops->records_held(c->s, 7, NULL, 0, hear, &h), WF_OK);
	assert_int_equal(c->s->ops->records_insert(c->s, r, 0, stored), WF_OK);
	assert_int_equal(h.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_insert_then_again, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_columns, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_like_record_insert, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caller_tx, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
