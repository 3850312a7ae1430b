/*
 * test_ledger_prune.c — what happens to the journal after central has it:
 * pruning behind an acknowledged checkpoint (records, receipts, daily
 * counters), records central answered `conflict` (kept, never pruned), and
 * a journal restored from a backup that continues after the numbers the
 * kiosk already used (the high-water mark beside it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ledger_fixture.h"
#include "wf.h"

/* Pruning behind an acknowledged checkpoint: verify goes on from there. */
static void test_prune(void **state)
{
	struct fx *f = *state;
	fx_make_journal(f->path, 10);
	struct ledger *l = fx_open(f->path);
	struct wf_record c = {.kind = WF_RECORD_CHECKPOINT};
	uint64_t last = 0;
	assert_int_equal(ledger_last(l, &last, c.checkpoint.hash), WF_OK);
	c.checkpoint.upto_seq = last;
	assert_int_equal(ledger_append(l, &c, NULL, NULL, NULL), WF_OK);
	assert_int_equal(c.seq, 11);
	/* nothing acknowledged yet: refused, nothing removed */
	assert_int_equal(ledger_prune(l, 11), WF_ESTATE);
	assert_int_equal(ledger_prune(l, 5), WF_EINVAL); /* not a checkpoint */
	uint64_t acks[11];
	for (int i = 0; i < 11; i++)
		acks[i] = (uint64_t)i + 1;
	assert_int_equal(ledger_outbox_ack(l, acks, NULL, 9), WF_OK); /* 10 and 11 still queued */
	assert_int_equal(ledger_prune(l, 11), WF_ESTATE);
	assert_int_equal(ledger_outbox_ack(l, acks, NULL, 11), WF_OK);
	assert_int_equal(ledger_prune(l, 11), 10);
	struct ledger_receipt r;
	assert_int_equal(ledger_receipt_get(l, 5, &r), WF_ENOENT);
	struct wf_record d = fx_drop(1, 100, 1, 20261128);
	assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	assert_int_equal(d.seq, 12);
	ledger_close(l);
	char err[256];
	struct fx_problems p = {0};
	assert_int_equal(ledger_verify(f->path, fx_collect, &p, err, sizeof err), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM records"), 2);
	/* without the pruned hash the chain cannot be checked: named */
	fx_raw_exec(f->path, "DELETE FROM meta WHERE key = 'pruned_hash'");
	assert_true(ledger_verify(f->path, fx_collect, &p, err, sizeof err) > 0);
	assert_true(fx_has_problem(&p, "pruned_hash"));
}

/* Pruning also drops the daily counters of days no held drop belongs to. */
static void test_prune_counters(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 12, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
	uint32_t days[] = {20261101, 20261101, 20261102, 20261128, 20261128};
	for (unsigned i = 0; i < 5; i++) {
		struct wf_record d = fx_drop(1, 1000, 1 + i % 2, days[i]);
		assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	}
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM counters"), 5);
	struct wf_record c = {.kind = WF_RECORD_CHECKPOINT};
	c.checkpoint.upto_seq = 2; /* both 1 November drops */
	assert_int_equal(fx_raw_blob(f->path, "SELECT hash FROM records WHERE seq = 2",
	                             c.checkpoint.hash, sizeof c.checkpoint.hash),
	                 32);
	assert_int_equal(ledger_append(l, &c, NULL, NULL, NULL), WF_OK);
	uint64_t acks[6] = {1, 2, 3, 4, 5, 6};
	assert_int_equal(ledger_outbox_ack(l, acks, NULL, 6), WF_OK);
	assert_int_equal(ledger_prune(l, 6), 2);
	ledger_close(l);
	/* 1 November's counters went; 2 and 28 November's stay, unchanged */
	assert_int_equal(
	    fx_raw_int(f->path, "SELECT count(*) FROM counters WHERE local_day = 20261101"), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM counters"), 3);
	assert_int_equal(
	    fx_raw_int(f->path, "SELECT sum(qty) FROM counters WHERE local_day = 20261128"), 2000);
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
}

/* Records central answered `conflict` leave the outbox, stay marked, and no
 * checkpoint ever reaches them: they are what staff must look at. */
static void test_conflicts_kept(void **state)
{
	struct fx *f = *state;
	fx_make_journal(f->path, 20);
	struct ledger *l = fx_open(f->path);
	uint64_t acks[20];
	bool conflict[20] = {false};
	for (int i = 0; i < 20; i++)
		acks[i] = (uint64_t)i + 1;
	conflict[7] = true; /* seq 8 */
	assert_int_equal(ledger_outbox_ack(l, acks, conflict, 20), WF_OK);
	int64_t n = -1, depth = -1;
	assert_int_equal(ledger_conflict_count(l, &n), WF_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ledger_outbox_depth(l, &depth), WF_OK);
	assert_int_equal(depth, 0);
	/* keep 2: without the conflict upto would be 18; it stops before seq 8 */
	uint64_t upto = 0;
	uint8_t hash[WF_HASH_BYTES];
	assert_int_equal(ledger_checkpoint_due(l, 2, 1, &upto, hash), 1);
	assert_int_equal(upto, 5);
	/* a checkpoint beyond the conflict (as a forged one would be) is refused */
	struct wf_record c = {.kind = WF_RECORD_CHECKPOINT};
	c.checkpoint.upto_seq = 10;
	assert_int_equal(fx_raw_blob(f->path, "SELECT hash FROM records WHERE seq = 10",
	                             c.checkpoint.hash, sizeof c.checkpoint.hash),
	                 32);
	assert_int_equal(ledger_append(l, &c, NULL, NULL, NULL), WF_OK);
	uint64_t cp = c.seq;
	assert_int_equal(ledger_outbox_ack(l, &cp, NULL, 1), WF_OK);
	assert_int_equal(ledger_prune(l, cp), WF_ESTATE);
	assert_int_equal(ledger_prune_acked(l), WF_ESTATE);
	ledger_close(l);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM records"), 21);
	/* dump marks it; verify is content */
	char err[256];
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
	fx_raw_exec(f->path, "UPDATE records SET acked = 7 WHERE seq = 3");
	struct fx_problems p = {0};
	assert_true(ledger_verify(f->path, fx_collect, &p, err, sizeof err) > 0);
	assert_true(fx_has_problem(&p, "seq 3: acknowledgement state"));
}

/* Copies the journal file alone (as a backup is restored), without -wal/-shm. */
static void restore_copy(const char *from, const char *to)
{
	char side[400];
	snprintf(side, sizeof side, "%s-wal", to);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", to);
	unlink(side);
	fx_copy_file(from, to);
}

/* A journal copied back from a backup continues after the numbers the kiosk
 * already used, never reusing one, and still verifies. */
static void test_resume_after_restore(void **state)
{
	struct fx *f = *state;
	char backup[400], mark[400];
	snprintf(backup, sizeof backup, "%s/backup.db", f->dir);
	snprintf(mark, sizeof mark, "%s.hwm", f->path);
	fx_make_journal(f->path, 2);
	fx_copy_file(f->path, backup); /* closed cleanly: the file alone is the journal */
	struct ledger *l = fx_open(f->path);
	uint64_t after = 99;
	assert_int_equal(ledger_resume_after_mark(l, 1, &after), 0); /* not behind */
	assert_int_equal(after, 0);
	for (int i = 0; i < 3; i++) {
		struct wf_record d = fx_drop(1, 500, 1, 20261128);
		assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	}
	uint8_t h5[32];
	uint64_t last = 0;
	assert_int_equal(ledger_last(l, &last, h5), WF_OK);
	assert_int_equal(last, 5);
	ledger_close(l);

	restore_copy(backup, f->path); /* back to seq 2; the mark says 5 */
	char args[600], out[4096];
	snprintf(args, sizeof args, "ledger status '%s'", f->path);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 0);
	assert_non_null(strstr(out, "kiosk 12\nlast seq 2\noutbox 2 "));
	assert_non_null(strstr(out, "high-water mark seq 5 (ahead of the journal: restored?"));
	l = fx_open(f->path);
	assert_int_equal(ledger_resume_after_mark(l, 1795000000000, &after), 1);
	assert_int_equal(after, 5);
	struct wf_record d = fx_drop(1, 700, 1, 20261128);
	assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	assert_int_equal(d.seq, 7);                                  /* 6 is the EPOCH record */
	assert_int_equal(ledger_resume_after_mark(l, 1, &after), 0); /* once is enough */
	ledger_close(l);
	assert_int_equal(fx_raw_int(f->path, "SELECT kind FROM records WHERE seq = 6"),
	                 WF_RECORD_EPOCH);
	assert_int_equal(
	    fx_raw_int(f->path, "SELECT count(*) FROM records WHERE seq BETWEEN 3 AND 5"), 0);
	char err[256];
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
	/* the EPOCH names the hash after seq 5, so the chain central holds goes on */
	uint8_t bytes[WF_RECORD_MAX_LEN];
	size_t n =
	    fx_raw_blob(f->path, "SELECT bytes FROM records WHERE seq = 6", bytes, sizeof bytes);
	struct wf_record e;
	assert_int_equal(wf_record_decode(bytes, n, &e, NULL, 0), WF_OK);
	assert_int_equal(e.epoch.after_seq, 5);
	assert_int_equal(e.epoch.reason, WF_EPOCH_RESTORED);
	assert_memory_equal(e.epoch.hash, h5, 32);

	/* a torn mark, or another kiosk's, is no evidence: nothing appended */
	restore_copy(backup, f->path);
	FILE *m = fopen(mark, "w");
	assert_non_null(m);
	fputs("wufei-hwm-1 0000000012 000000000000000", m); /* cut short */
	fclose(m);
	l = fx_open(f->path);
	assert_int_equal(ledger_resume_after_mark(l, 1, &after), 0);
	ledger_close(l);
	m = fopen(mark, "w");
	assert_non_null(m);
	fprintf(m, "wufei-hwm-1 0000000013 %020d %064d\n", 9, 0);
	fclose(m);
	l = fx_open(f->path);
	assert_int_equal(ledger_resume_after_mark(l, 1, &after), 0);
	assert_int_equal(ledger_last(l, &last, NULL), WF_OK);
	assert_int_equal(last, 2);
	ledger_close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_prune, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_prune_counters, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_conflicts_kept, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_resume_after_restore, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
