/*
 * test_ledger_verify.c — `ledger verify` on real journal files damaged on
 * purpose: the records themselves (bytes, chain, order, contiguity), and
 * every table that restates a record (indexed columns, receipts, outbox,
 * daily counters, prune points). Each damage must be named, by
 * ledger_verify and by `wufei-kiosk ledger verify` (exit 1); the undamaged
 * original must stay "ok". Also ledger_verify_next, the incremental walk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ledger_fixture.h"
#include "wf.h"

/* A copy of the journal damaged by sql must make verify name expect. */
static void damaged(const struct fx *f, const char *name, const char *sql, const char *expect)
{
	char path[400], args[600], out[4096];
	snprintf(path, sizeof path, "%s/%s.db", f->dir, name);
	fx_copy_file(f->path, path);
	fx_raw_exec(path, sql);
	struct fx_problems p = {0};
	char err[256] = "";
	int n = ledger_verify(path, fx_collect, &p, err, sizeof err);
	if (n <= 0)
		fail_msg("%s: verify found nothing (%d %s)", name, n, err);
	if (!fx_has_problem(&p, expect))
		fail_msg("%s: no problem mentions '%s' (first: %s)", name, expect, p.text[0]);
	snprintf(args, sizeof args, "ledger verify '%s'", path);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 1);
	if (!strstr(out, expect))
		fail_msg("%s: CLI output lacks '%s': %s", name, expect, out);
	assert_null(strstr(out, "ok\n"));
}

static void assert_cli_ok(const struct fx *f)
{
	char args[600], out[4096];
	snprintf(args, sizeof args, "ledger verify '%s'", f->path);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 0);
	assert_string_equal(out, "ok\n");
}

/* The decoded record at seq. */
static struct wf_record record_at(const char *path, uint64_t seq)
{
	char sql[96];
	uint8_t bytes[WF_RECORD_MAX_LEN];
	snprintf(sql, sizeof sql, "SELECT bytes FROM records WHERE seq = %" PRIu64, seq);
	size_t n = fx_raw_blob(path, sql, bytes, sizeof bytes);
	struct wf_record r;
	assert_int_equal(wf_record_decode(bytes, n, &r, NULL, 0), WF_OK);
	return r;
}

/* "UPDATE receipts SET token = '<token>' WHERE seq = <seq>" into sql. */
static void set_token_sql(char *sql, size_t cap, uint64_t seq, const char *token)
{
	snprintf(sql, cap, "UPDATE receipts SET token = '%s' WHERE seq = %" PRIu64, token, seq);
}

static void test_verify_damaged(void **state)
{
	struct fx *f = *state;
	fx_make_journal(f->path, 10);
	assert_cli_ok(f);
	/* a flipped byte inside a record's canonical bytes (its quantity) */
	damaged(f, "flipped",
	        "UPDATE records SET bytes = substr(bytes, 1, 26) || x'ff' || substr(bytes, 28)"
	        " WHERE seq = 5",
	        "seq 5: chain hash does not match");
	/* a flipped byte in the time field still decodes, but breaks the chain */
	damaged(f, "flipped_time",
	        "UPDATE records SET bytes = substr(bytes, 1, 15) || x'00' || substr(bytes, 17)"
	        " WHERE seq = 6",
	        "seq 6: chain hash does not match");
	/* a deleted middle record */
	damaged(f, "deleted", "DELETE FROM records WHERE seq = 5", "seq 5..5 missing");
	/* an edited weight column */
	damaged(f, "weight", "UPDATE records SET qty = qty + 1000 WHERE seq = 7",
	        "seq 7: column qty is 2006 but the canonical record says 1006");
	/* a missing outbox row */
	damaged(f, "outbox", "DELETE FROM outbox WHERE seq = 3",
	        "seq 3: not acknowledged by central but missing from the outbox");
	/* an outbox row without its record, and a counter that does not add up */
	damaged(f, "orphan", "INSERT INTO outbox(seq) VALUES(77)", "outbox row for seq 77");
	damaged(f, "counter", "UPDATE counters SET qty = qty + 1", "daily counter");
	/* a record moved: two records swapped keep their bytes but not their place */
	damaged(
	    f, "swapped",
	    "UPDATE records SET seq = -1 WHERE seq = 4; UPDATE records SET seq = 4 WHERE seq = 5;"
	    " UPDATE records SET seq = 5 WHERE seq = -1",
	    "seq 4: canonical record says seq 5");
	/* the original is still fine */
	assert_cli_ok(f);
}

/* Every indexed column of records restates the canonical bytes. */
static void test_verify_columns(void **state)
{
	struct fx *f = *state;
	fx_make_journal(f->path, 6);
	struct ledger *l = fx_open(f->path);
	struct wf_record b = {.kind = WF_RECORD_BIN, .time_ms = 1795867300000};
	b.bin.category_id = 2;
	b.bin.grams = 12000;
	b.bin.staff_id = 7;
	assert_int_equal(ledger_append(l, &b, NULL, NULL, NULL), WF_OK); /* seq 7 */
	ledger_close(l);
	assert_cli_ok(f);
	static const struct {
		const char *name, *sql, *expect;
	} cases[] = {
	    {"category", "UPDATE records SET category_id = 3 WHERE seq = 2",
	     "seq 2: column category_id is 3 but the canonical record says 1"},
	    {"qty", "UPDATE records SET qty = 1 WHERE seq = 2", "seq 2: column qty is 1"},
	    {"credited", "UPDATE records SET credited_qty = 0 WHERE seq = 2",
	     "seq 2: column credited_qty is 0"},
	    {"points", "UPDATE records SET points = 99 WHERE seq = 3",
	     "seq 3: column points is 99"},
	    {"rate", "UPDATE records SET rate_version = 4 WHERE seq = 3",
	     "seq 3: column rate_version is 4"},
	    {"flags", "UPDATE records SET flags = 2 WHERE seq = 3", "seq 3: column flags is 2"},
	    {"resident", "UPDATE records SET resident_id = 77 WHERE seq = 4",
	     "seq 4: column resident_id is 77"},
	    {"staff_on_drop", "UPDATE records SET staff_id = 5 WHERE seq = 4",
	     "seq 4: column staff_id is 5 but the canonical record says NULL"},
	    {"staff", "UPDATE records SET staff_id = 8 WHERE seq = 7",
	     "seq 7: column staff_id is 8 but the canonical record says 7"},
	    {"bin_grams", "UPDATE records SET qty = NULL WHERE seq = 7",
	     "seq 7: column qty is NULL 0 but the canonical record says 12000"},
	    {"day", "UPDATE records SET local_day = 20261129 WHERE seq = 5",
	     "seq 5: column local_day is 20261129"},
	    {"card", "UPDATE records SET card_hash = zeroblob(32) WHERE seq = 5",
	     "seq 5: column card_hash differs"},
	    {"card_on_bin", "UPDATE records SET card_hash = zeroblob(32) WHERE seq = 7",
	     "seq 7: column card_hash differs"},
	    {"kind", "UPDATE records SET kind = 2 WHERE seq = 6",
	     "seq 6: kind/time columns differ"},
	    {"time", "UPDATE records SET time_ms = time_ms + 1 WHERE seq = 6",
	     "seq 6: kind/time columns differ"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		damaged(f, cases[i].name, cases[i].sql, cases[i].expect);
	assert_cli_ok(f);
}

/* Receipt tokens: each must decode, name its record, say what the record
 * says, carry this kiosk's key id and a valid signature. */
static void test_verify_receipts(void **state)
{
	struct fx *f = *state;
	fx_make_journal(f->path, 10);
	struct ledger *l = fx_open(f->path);
	struct wf_record b = {.kind = WF_RECORD_BIN, .time_ms = 1795867300000};
	b.bin.category_id = 2;
	b.bin.grams = 12000;
	b.bin.staff_id = 7;
	assert_int_equal(ledger_append(l, &b, NULL, NULL, NULL), WF_OK); /* seq 11 */
	ledger_close(l);
	assert_cli_ok(f);
	char sql[1024], tok[LEDGER_TOKEN_MAX], tok4[LEDGER_TOKEN_MAX];
	uint8_t pk[32], sk[64], pk2[32], sk2[64];
	fx_keys(false, pk, sk);
	fx_keys(true, pk2, sk2);

	damaged(f, "garbage",
	        "UPDATE receipts SET token = 'HTTPS://C.EXAMPLE/R/NOPE' WHERE seq = 3",
	        "seq 3: receipt token does not decode");
	/* the receipt of seq 4 stored at seq 3 */
	struct wf_record r3 = record_at(f->path, 3), r4 = record_at(f->path, 4);
	assert_int_equal(fx_token_with(&r4, FX_KEY_ID, sk, 0, tok4, sizeof tok4), 0);
	set_token_sql(sql, sizeof sql, 3, tok4);
	damaged(f, "other_record", sql, "seq 3: receipt names kiosk 12 seq 4, not this record");
	/* a well-signed receipt that says another quantity */
	assert_int_equal(fx_token_with(&r3, FX_KEY_ID, sk, 500, tok, sizeof tok), 0);
	set_token_sql(sql, sizeof sql, 3, tok);
	damaged(f, "other_qty", sql, "seq 3: receipt says category 1 qty 1502");
	/* signed under a key id this kiosk does not have */
	struct wf_record r5 = record_at(f->path, 5);
	assert_int_equal(fx_token_with(&r5, 2, sk, 0, tok, sizeof tok), 0);
	set_token_sql(sql, sizeof sql, 5, tok);
	damaged(f, "other_key_id", sql, "seq 5: receipt signed with key id 2, not this kiosk's");
	/* this kiosk's key id, someone else's key */
	assert_int_equal(fx_token_with(&r5, FX_KEY_ID, sk2, 0, tok, sizeof tok), 0);
	set_token_sql(sql, sizeof sql, 5, tok);
	damaged(f, "forged", sql, "seq 5: receipt signature does not verify");
	/* a receipt row for a record that is no drop, a drop without its row */
	damaged(f, "bin_receipt", "INSERT INTO receipts(seq, token) VALUES(11, '')",
	        "receipt row for seq 11, which is not a drop");
	damaged(f, "no_receipt", "DELETE FROM receipts WHERE seq = 6",
	        "seq 6: drop without its receipt row");
	damaged(f, "orphan_receipt", "INSERT INTO receipts(seq, token) VALUES(40, '')",
	        "receipt for seq 40 has no record");
	assert_cli_ok(f);

	/* without the key in the journal every check but the signature's runs,
	 * and the CLI says the signatures were not checked */
	char path[400], args[600], out[4096];
	snprintf(path, sizeof path, "%s/nokey.db", f->dir);
	fx_copy_file(f->path, path);
	fx_raw_exec(path, "DELETE FROM meta WHERE key GLOB 'receipt_key.*'");
	struct ledger_verify_stats st;
	char err[256];
	assert_int_equal(ledger_verify_with_stats(path, NULL, NULL, &st, err, sizeof err), 0);
	assert_false(st.signatures);
	assert_int_equal(st.receipts, 10);
	assert_int_equal(st.records, 11);
	snprintf(args, sizeof args, "ledger verify '%s'", path);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 0);
	assert_non_null(strstr(out, "ok\n"));
	assert_non_null(strstr(out, "10 receipt signatures not checked"));
	assert_int_equal(ledger_verify_with_stats(f->path, NULL, NULL, &st, err, sizeof err), 0);
	assert_true(st.signatures);
}

/* The outbox holds existing, unacknowledged seqs only. */
static void test_verify_outbox(void **state)
{
	struct fx *f = *state;
	fx_make_journal(f->path, 8);
	struct ledger *l = fx_open(f->path);
	uint64_t acks[] = {1, 2, 3};
	assert_int_equal(ledger_outbox_ack(l, acks, NULL, 3), WF_OK);
	ledger_close(l);
	assert_cli_ok(f);
	damaged(f, "acked_queued", "INSERT INTO outbox(seq) VALUES(2)",
	        "outbox row for seq 2, which central acknowledged");
	damaged(f, "unacked", "UPDATE records SET acked = 0 WHERE seq = 3",
	        "seq 3: not acknowledged by central but missing from the outbox");
	damaged(f, "orphan", "INSERT INTO outbox(seq) VALUES(99)",
	        "outbox row for seq 99 has no record");
	damaged(f, "lost", "DELETE FROM outbox WHERE seq = 8",
	        "seq 8: not acknowledged by central but missing from the outbox");
	assert_cli_ok(f);
}

/* Appends a drop of qty for card on day, with its receipt. */
static void drop_on(struct ledger *l, unsigned card, int64_t qty, uint32_t day)
{
	struct wf_record d = fx_drop(1, qty, card, day);
	assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
}

/* Acknowledges 1..n, then a checkpoint up to upto, acknowledged and applied. */
static void prune_upto(const char *path, struct ledger *l, uint64_t n, uint64_t upto)
{
	struct wf_record c = {.kind = WF_RECORD_CHECKPOINT, .time_ms = 1795867400000};
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT hash FROM records WHERE seq = %" PRIu64, upto);
	assert_int_equal(fx_raw_blob(path, sql, c.checkpoint.hash, sizeof c.checkpoint.hash), 32);
	c.checkpoint.upto_seq = upto;
	assert_int_equal(ledger_append(l, &c, NULL, NULL, NULL), WF_OK);
	assert_int_equal(c.seq, n + 1);
	uint64_t acks[64];
	for (uint64_t i = 0; i <= n; i++)
		acks[i] = i + 1;
	assert_int_equal(ledger_outbox_ack(l, acks, NULL, (unsigned)n + 1), WF_OK);
	assert_true(ledger_prune(l, c.seq) > 0);
}

/* Daily counters equal the sums of the held drops; after pruning, a day
 * whose drops were partly pruned may count more, never less. */
static void test_verify_counters(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 12, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
	drop_on(l, 1, 1000, 20261127); /* 1 */
	drop_on(l, 1, 2000, 20261128); /* 2: pruned, its day stays */
	drop_on(l, 1, 300, 20261128);  /* 3 */
	drop_on(l, 2, 400, 20261128);  /* 4 */
	drop_on(l, 1, 500, 20261129);  /* 5 */
	drop_on(l, 0, 600, 20261129);  /* 6: anonymous, no counter */
	ledger_close(l);
	assert_cli_ok(f);
	damaged(f, "plus_one", "UPDATE counters SET qty = qty + 1 WHERE local_day = 20261129",
	        "daily counter of card 0100C0C0.. day 20261129 category 1 is 501 but its held drops"
	        " sum to 500");
	damaged(f, "gone", "DELETE FROM counters WHERE local_day = 20261127",
	        "day 20261127 category 1 is 0 but its held drops sum to 1000");
	damaged(f, "extra",
	        "INSERT INTO counters(card_hash, local_day, category_id, qty)"
	        " VALUES(zeroblob(32), 20261129, 1, 600)",
	        "daily counter of card 00000000.. day 20261129 category 1 is 600");
	damaged(f, "other_category",
	        "UPDATE counters SET category_id = 2 WHERE local_day = 20261127",
	        "day 20261127 category 2 is 1000 but its held drops sum to 0");

	/* prune 1..2: 27 November's counter goes, 28 November's keeps seq 2's 2000 */
	l = fx_open(f->path);
	prune_upto(f->path, l, 6, 2);
	ledger_close(l);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM counters WHERE local_day = "
	                                     "20261127"),
	                 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT qty FROM counters WHERE local_day = 20261128"
	                                     " AND card_hash = (SELECT card_hash FROM records"
	                                     " WHERE seq = 3)"),
	                 2300);
	assert_int_equal(fx_raw_int(f->path, "SELECT value FROM meta WHERE key = 'pruned_day'"),
	                 20261128);
	assert_cli_ok(f);
	/* on the pruned day a counter below its held drops is wrong ... */
	damaged(f, "pruned_day_short",
	        "UPDATE counters SET qty = 299 WHERE local_day = 20261128 AND card_hash ="
	        " (SELECT card_hash FROM records WHERE seq = 3)",
	        "day 20261128 category 1 is 299 but its held drops sum to 300");
	/* ... and a held drop without its counter too */
	damaged(f, "pruned_day_gone",
	        "DELETE FROM counters WHERE local_day = 20261128 AND card_hash ="
	        " (SELECT card_hash FROM records WHERE seq = 4)",
	        "day 20261128 category 1 is 0 but its held drops sum to 400");
	/* after it the sums are exact again */
	damaged(f, "after_pruned_day", "UPDATE counters SET qty = 501 WHERE local_day = 20261129",
	        "day 20261129 category 1 is 501 but its held drops sum to 500");
	assert_cli_ok(f);
}

/* Prune points restate their CHECKPOINT records and meta pruned_upto/hash. */
static void test_verify_prune_points(void **state)
{
	struct fx *f = *state;
	fx_make_journal(f->path, 10);
	struct ledger *l = fx_open(f->path);
	prune_upto(f->path, l, 10, 6);
	ledger_close(l);
	assert_cli_ok(f);
	damaged(f, "point_hash", "UPDATE prune_points SET hash = zeroblob(32)",
	        "prune point of checkpoint 11 differs from its CHECKPOINT record");
	damaged(f, "point_upto", "UPDATE prune_points SET upto_seq = 5",
	        "journal pruned up to 6 but no prune point says so");
	damaged(f, "point_gone", "DELETE FROM prune_points",
	        "journal pruned up to 6 but no prune point says so");
	damaged(f, "point_beyond", "UPDATE prune_points SET upto_seq = 9",
	        "beyond what is pruned (6)");
	damaged(f, "pruned_hash", "UPDATE meta SET value = zeroblob(32) WHERE key = 'pruned_hash'",
	        "pruned_hash differs from the hash of the newest prune point");
	assert_cli_ok(f);
}

/* ledger_verify_next checks only what came since the last call. */
static void test_verify_next(void **state)
{
	struct fx *f = *state;
	fx_make_journal(f->path, 5);
	struct ledger *l = fx_open(f->path);
	uint64_t after = 0;
	uint8_t hash[WF_HASH_BYTES] = {0}, last_hash[WF_HASH_BYTES];
	struct fx_problems p = {0};
	assert_int_equal(ledger_verify_next(l, &after, hash, fx_collect, &p), 0);
	assert_int_equal(after, 5);
	uint64_t last = 0;
	assert_int_equal(ledger_last(l, &last, last_hash), WF_OK);
	assert_memory_equal(hash, last_hash, WF_HASH_BYTES);
	/* nothing new: nothing checked, nothing moves */
	assert_int_equal(ledger_verify_next(l, &after, hash, fx_collect, &p), 0);
	assert_int_equal(after, 5);
	for (int i = 0; i < 3; i++)
		drop_on(l, 1, 100 + i, 20261128);
	assert_int_equal(ledger_verify_next(l, &after, hash, fx_collect, &p), 0);
	assert_int_equal(after, 8);
	ledger_close(l);
	/* new records with damage are named; the next call goes on after them */
	l = fx_open(f->path);
	drop_on(l, 2, 700, 20261128);
	drop_on(l, 2, 800, 20261128);
	ledger_close(l);
	fx_raw_exec(f->path, "UPDATE records SET qty = 1 WHERE seq = 10;"
	                     " DELETE FROM receipts WHERE seq = 9");
	l = fx_open(f->path);
	assert_int_equal(ledger_verify_next(l, &after, hash, fx_collect, &p), 2);
	assert_true(fx_has_problem(&p, "seq 10: column qty is 1"));
	assert_true(fx_has_problem(&p, "seq 9: drop without its receipt row"));
	assert_int_equal(after, 10);
	ledger_close(l);
}

/* A damaged journal is an error with a clear message, never a silent success. */
static void test_corrupt(void **state)
{
	struct fx *f = *state;
	fx_make_journal(f->path, 30);
	int64_t root =
	    fx_raw_int(f->path, "SELECT rootpage FROM sqlite_master WHERE name = 'records'");
	int64_t page = fx_raw_int(f->path, "PRAGMA page_size");
	FILE *fp = fopen(f->path, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, (long)((root - 1) * page), SEEK_SET), 0);
	for (int64_t i = 0; i < page; i++)
		fputc(0xa5, fp);
	fclose(fp);
	struct ledger *l = NULL;
	char err[256] = "";
	int r = ledger_open(f->path, &l, err, sizeof err);
	if (r == WF_OK) {
		struct wf_record d = fx_drop(1, 100, 1, 20261128);
		r = ledger_append(l, &d, fx_receipt, NULL, NULL);
		snprintf(err, sizeof err, "%s", ledger_errmsg(l));
		ledger_close(l);
	}
	assert_int_equal(r, WF_ECORRUPT);
	assert_non_null(strstr(err, "damaged"));
	struct fx_problems p = {0};
	assert_true(ledger_verify(f->path, fx_collect, &p, err, sizeof err) > 0);
	assert_true(fx_has_problem(&p, "integrity_check"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_verify_damaged, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_verify_columns, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_verify_receipts, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_verify_outbox, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_verify_counters, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_verify_prune_points, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_verify_next, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
