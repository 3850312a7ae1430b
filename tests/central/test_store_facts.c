/*
 * test_store_facts.c — the facts central keeps in columns beside each
 * record's bytes (store.h, struct store_record: time, category, unit, drop
 * flags, quantity, credited quantity, local day): filled at ingest from the
 * canonical bytes, and filled once from the bytes for a store written before
 * the columns existed (tests/central/fixtures/store-v1.sql, schema 1).
 * Reports and claim limits read these columns; a wrong one is a wrong total.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "ingest.h"
#include "record.h"
#include "store.h"
#include "wf.h"

#ifndef WUFEI_FIXTURES_DIR
#error "WUFEI_FIXTURES_DIR must name tests/central/fixtures"
#endif

struct tmp {
	char dir[64];
	char db[128];
	char url[160];
};

static void tmp_make(struct tmp *t)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/wufei-facts-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->db, sizeof t->db, "%s/c.db", t->dir);
	snprintf(t->url, sizeof t->url, "sqlite:%s", t->db);
}

static void tmp_remove(struct tmp *t)
{
	char path[200];
	const char *const sfx[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s%s", t->db, sfx[i]);
		unlink(path);
	}
	rmdir(t->dir);
}

/* One record's fact columns, as text "time_s|category|unit|dflags|qty|credited|local_day"
 * with NULL as "-". */
static void facts_of(const char *db_path, uint32_t kiosk, uint32_t seq, char *out, size_t cap)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT time_s, category, unit, dflags, qty, credited, "
	                                    "local_day FROM records WHERE kiosk = ? AND seq = ?",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	size_t n = 0;
	out[0] = '\0';
	for (int c = 0; c < 7; c++) {
		const char *v = sqlite3_column_type(st, c) == SQLITE_NULL
		                    ? "-"
		                    : (const char *)sqlite3_column_text(st, c);
		n += (size_t)snprintf(out + n, cap - n, "%s%s", c ? "|" : "", v);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* A drop that arrives in a batch has its facts in columns, from its bytes. */
static void test_ingest_fills_facts(void **state)
{
	(void)state;
	struct tmp t;
	char why[512], got[200], want[200];
	tmp_make(&t);
	struct store *s = NULL;
	assert_int_equal(store_open(t.url, &s, why, sizeof why), 0);
	assert_int_equal(s->ops->kiosk_add(s, 7, "t", 1), 0);
	uint8_t prev[WF_HASH_BYTES] = {0};
	char *body = harness_batch_json(7, 1, 2, prev, 1);
	json_t *res = NULL;
	uint32_t hi = 0;
	assert_int_equal(ingest_batch(s, 7, body, strlen(body), 100, &res, &hi, why, sizeof why),
	                 0);
	json_decref(res);
	free(body);
	store_close(s);
	for (uint32_t seq = 1; seq <= 2; seq++) {
		uint8_t bytes[WF_RECORD_MAX_LEN];
		size_t len = harness_record_bytes(7, seq, 1, bytes, sizeof bytes);
		struct wf_record r;
		assert_int_equal(wf_record_decode(bytes, len, &r, NULL, 0), 0);
		assert_int_equal(r.kind, WF_RECORD_DROP);
		snprintf(want, sizeof want, "%lld|%u|%u|%u|%lld|%lld|%u",
		         (long long)(r.time_ms / 1000), r.drop.category_id, r.drop.unit,
		         r.drop.flags, (long long)r.drop.qty, (long long)r.drop.credited_qty,
		         r.drop.local_day);
		facts_of(t.db, 7, seq, got, sizeof got);
		assert_string_equal(got, want);
	}
	tmp_remove(&t);
}

/* A store from before the columns: opening it fills them from the bytes,
 * for every kind (a resident's drop, an anonymous capped drop, a bin
 * collection, a day close), and the claim-limit index exists. */
static void test_old_store_backfilled(void **state)
{
	(void)state;
	struct tmp t;
	char why[512], got[200];
	tmp_make(&t);
	assert_int_equal(harness_exec_file(t.db, WUFEI_FIXTURES_DIR "/store-v1.sql"), 0);
	assert_int_equal(harness_count(t.db, "PRAGMA user_version"), 1);

	struct store *s = NULL;
	assert_int_equal(store_open(t.url, &s, why, sizeof why), 0);
	int64_t records = 0;
	assert_int_equal(s->ops->record_count(s, &records), 0);
	assert_int_equal(records, 4);
	store_close(s);
	assert_true(harness_count(t.db, "PRAGMA user_version") >= 2);
	/* 2025-11-30 08:00 UTC, a minute apart */
	facts_of(t.db, 7, 1, got, sizeof got);
	assert_string_equal(got, "1764489600|1|1|0|1250|1250|20251130");
	facts_of(t.db, 7, 2, got, sizeof got);
	assert_string_equal(got, "1764489660|1|1|3|4000|1500|20251130");
	facts_of(t.db, 7, 3, got, sizeof got);
	assert_string_equal(got, "1764489720|1|1|-|51250|-|-");
	facts_of(t.db, 7, 4, got, sizeof got);
	assert_string_equal(got, "1764489780|-|-|-|-|-|20251130");
	assert_int_equal(harness_count(t.db, "SELECT count(*) FROM sqlite_master WHERE name = "
	                                     "'records_resident_day'"),
	                 1);
	/* a second open changes nothing */
	assert_int_equal(store_open(t.url, &s, why, sizeof why), 0);
	store_close(s);
	facts_of(t.db, 7, 2, got, sizeof got);
	assert_string_equal(got, "1764489660|1|1|3|4000|1500|20251130");
	tmp_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_fills_facts),
	    cmocka_unit_test(test_old_store_backfilled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
