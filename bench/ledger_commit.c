/*
 * ledger_commit.c — the cost of one drop transaction (bench/run ledger_commit).
 *
 * 1. Median commit of a drop through ledger_append (record, chain link,
 *    outbox row, counters, receipt: one transaction) vs the median commit
 *    of a bare single-row insert into another SQLite file with the same
 *    pragmas (WAL, synchronous=FULL), alternating so drift hits both.
 * 2. The same drop commit on a journal pre-filled with FILL records
 *    (default 1,000,000; filled fast: big transactions, synchronous=OFF for
 *    the fill only, then reopened with the real settings), as a ratio to
 *    the empty journal. An unindexed daily-limit lookup would show here.
 *
 * Usage: wufei-bench-ledger-commit DIR [SAMPLES [FILL]] (DIR on a real disk).
 * Prints the figures; the last line is `ledger_commit: <ratio> (target 1.5)`.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "chain.h"
#include "clock.h"
#include "ledger.h"
#include "record.h"
#include "wf.h"

#define TMPFS_MAGIC_ 0x01021994
#define RAMFS_MAGIC_ 0x858458f6

static int64_t now_ns(void)
{
	return wf_clock_mono_ns();
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static double median_us(int64_t *ns, int n)
{
	qsort(ns, (size_t)n, sizeof *ns, cmp_i64);
	int64_t m = n % 2 ? ns[n / 2] : (ns[n / 2 - 1] + ns[n / 2]) / 2;
	return (double)m / 1000.0;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "ledger_commit: %s: %s\n", what, detail);
	exit(1);
}

static void card_of(uint8_t h[WF_HASH_BYTES], uint32_t n)
{
	memset(h, 0xc0, WF_HASH_BYTES);
	memcpy(h, &n, sizeof n);
}

static struct wf_record drop_of(uint32_t i, uint32_t day)
{
	struct wf_record r = {.kind = WF_RECORD_DROP, .time_ms = 1795867200000 + i};
	r.drop.category_id = (uint16_t)(1 + i % 5);
	r.drop.unit = 1;
	r.drop.qty = 100 + i % 9000;
	r.drop.credited_qty = r.drop.qty;
	r.drop.points = r.drop.qty * 2000 / 1000000;
	r.drop.rate_version = 3;
	r.drop.resident_id = 1 + i % 20000;
	card_of(r.drop.card_hash, (uint32_t)r.drop.resident_id);
	r.drop.local_day = day;
	return r;
}

static int token(void *ctx, const struct wf_record *rec, const uint8_t hash[WF_HASH_BYTES],
                 char *tok, size_t cap)
{
	(void)ctx, (void)hash;
	snprintf(tok, cap, "HTTPS://C.EXAMPLE/R/%" PRIu32 "X%" PRIu64, rec->kiosk, rec->seq);
	return 0;
}

static struct ledger *open_journal(const char *path)
{
	struct ledger *l = NULL;
	char err[256];
	if (ledger_open(path, &l, err, sizeof err))
		die("open", err);
	return l;
}

static int64_t time_drop(struct ledger *l, uint32_t i)
{
	struct wf_record d = drop_of(i, 20261128);
	int64_t t0 = now_ns();
	int r = ledger_append(l, &d, token, NULL, NULL);
	int64_t t1 = now_ns();
	if (r)
		die("append", ledger_errmsg(l));
	return t1 - t0;
}

static sqlite3 *open_bare(const char *path)
{
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("bare open", sqlite3_errmsg(db));
	sqlite3_busy_timeout(db, LEDGER_BUSY_TIMEOUT_MS);
	if (sqlite3_exec(db,
	                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                 " PRAGMA wal_autocheckpoint=0;"
	                 " CREATE TABLE t(seq INTEGER PRIMARY KEY, bytes BLOB NOT NULL)",
	                 NULL, NULL, NULL) != SQLITE_OK)
		die("bare schema", sqlite3_errmsg(db));
	return db;
}

static int64_t time_bare(sqlite3 *db, sqlite3_stmt *begin, sqlite3_stmt *ins, sqlite3_stmt *commit,
                         int64_t i)
{
	uint8_t bytes[98];
	memset(bytes, (int)(i & 0xff), sizeof bytes);
	int64_t t0 = now_ns();
	int ok = sqlite3_step(begin) == SQLITE_DONE;
	sqlite3_bind_int64(ins, 1, i);
	sqlite3_bind_blob(ins, 2, bytes, sizeof bytes, SQLITE_STATIC);
	ok = ok && sqlite3_step(ins) == SQLITE_DONE;
	ok = ok && sqlite3_step(commit) == SQLITE_DONE;
	int64_t t1 = now_ns();
	sqlite3_reset(begin);
	sqlite3_reset(ins);
	sqlite3_reset(commit);
	if (!ok)
		die("bare insert", sqlite3_errmsg(db));
	/* the ledger's own schedule: a PASSIVE checkpoint every LEDGER_CHECKPOINT_EVERY
	 * commits, outside the timed part as the ledger's is inside it */
	if (i % LEDGER_CHECKPOINT_EVERY == 0)
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return t1 - t0;
}

/* The fill's statements: record, outbox row, counter, receipt. */
struct fill_st {
	sqlite3 *db;
	sqlite3_stmt *rec, *out, *cnt, *rcp;
	uint32_t kiosk;
};

static void fill_prepare(struct fill_st *f)
{
	const char *sql_rec =
	    "INSERT INTO records(seq, kind, time_ms, bytes, hash, acked, category_id, qty,"
	    " credited_qty, points, rate_version, flags, resident_id, local_day, card_hash)"
	    " VALUES(?1,1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)";
	if (sqlite3_prepare_v2(f->db, sql_rec, -1, &f->rec, NULL) ||
	    sqlite3_prepare_v2(f->db, "INSERT INTO outbox(seq) VALUES(?1)", -1, &f->out, NULL) ||
	    sqlite3_prepare_v2(f->db,
	                       "INSERT INTO counters(card_hash, local_day, category_id, qty)"
	                       " VALUES(?1,?2,?3,?4) ON CONFLICT(card_hash, local_day, category_id)"
	                       " DO UPDATE SET qty = qty + excluded.qty",
	                       -1, &f->cnt, NULL) ||
	    sqlite3_prepare_v2(f->db, "INSERT INTO receipts(seq, token) VALUES(?1,?2)", -1, &f->rcp,
	                       NULL))
		die("fill prepare", sqlite3_errmsg(f->db));
	sqlite3_stmt *k = NULL;
	sqlite3_prepare_v2(f->db, "SELECT value FROM meta WHERE key = 'kiosk'", -1, &k, NULL);
	if (sqlite3_step(k) == SQLITE_ROW)
		f->kiosk = (uint32_t)sqlite3_column_int64(k, 0);
	sqlite3_finalize(k);
}

static bool step_reset(sqlite3_stmt *st)
{
	bool ok = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_reset(st);
	return ok;
}

/* Record i of n (the chain hash before it in prev, after it on return). */
static void fill_one(struct fill_st *f, uint32_t i, uint32_t n, uint8_t prev[WF_HASH_BYTES])
{
	uint8_t bytes[WF_RECORD_MAX_LEN];
	struct wf_record d = drop_of(i, 20250101 + (i * 200 / n) % 28 + (i * 200 / n) / 28 * 100);
	d.kiosk = f->kiosk;
	d.seq = i;
	int len = wf_record_encode(&d, bytes, sizeof bytes);
	if (len < 0)
		die("fill", "encode failed");
	wf_chain_next(prev, bytes, (size_t)len, prev);
	sqlite3_bind_int64(f->rec, 1, i);
	sqlite3_bind_int64(f->rec, 2, d.time_ms);
	sqlite3_bind_blob(f->rec, 3, bytes, len, SQLITE_STATIC);
	sqlite3_bind_blob(f->rec, 4, prev, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(f->rec, 5, i + 1000 <= n);
	sqlite3_bind_int(f->rec, 6, d.drop.category_id);
	sqlite3_bind_int64(f->rec, 7, d.drop.qty);
	sqlite3_bind_int64(f->rec, 8, d.drop.credited_qty);
	sqlite3_bind_int64(f->rec, 9, d.drop.points);
	sqlite3_bind_int64(f->rec, 10, d.drop.rate_version);
	sqlite3_bind_int(f->rec, 11, d.drop.flags);
	sqlite3_bind_int64(f->rec, 12, (int64_t)d.drop.resident_id);
	sqlite3_bind_int64(f->rec, 13, d.drop.local_day);
	sqlite3_bind_blob(f->rec, 14, d.drop.card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	bool ok = step_reset(f->rec);
	if (i + 1000 > n) {
		sqlite3_bind_int64(f->out, 1, i);
		ok = ok && step_reset(f->out);
	}
	sqlite3_bind_blob(f->cnt, 1, d.drop.card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(f->cnt, 2, d.drop.local_day);
	sqlite3_bind_int(f->cnt, 3, d.drop.category_id);
	sqlite3_bind_int64(f->cnt, 4, d.drop.qty);
	ok = ok && step_reset(f->cnt);
	char tok[64];
	snprintf(tok, sizeof tok, "HTTPS://C.EXAMPLE/R/%" PRIu32 "X%" PRIu32, f->kiosk, i);
	sqlite3_bind_int64(f->rcp, 1, i);
	sqlite3_bind_text(f->rcp, 2, tok, -1, SQLITE_TRANSIENT);
	ok = ok && step_reset(f->rcp);
	if (!ok)
		die("fill insert", sqlite3_errmsg(f->db));
}

/* Fills a fresh journal with n chained drops over 200 days and 20,000
 * cards, in 50,000-row transactions with synchronous=OFF; all but the last
 * 1,000 acknowledged. Same rows ledger_append writes. */
static void fill(const char *path, uint32_t n)
{
	struct fill_st f = {0};
	if (sqlite3_open_v2(path, &f.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die("fill open", sqlite3_errmsg(f.db));
	sqlite3_exec(f.db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-200000", NULL, NULL, NULL);
	fill_prepare(&f);
	uint8_t prev[WF_HASH_BYTES];
	wf_chain_genesis(prev);
	sqlite3_exec(f.db, "BEGIN", NULL, NULL, NULL);
	for (uint32_t i = 1; i <= n; i++) {
		fill_one(&f, i, n, prev);
		if (i % 50000 == 0)
			sqlite3_exec(f.db, "COMMIT; BEGIN", NULL, NULL, NULL);
	}
	if (sqlite3_exec(f.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die("fill commit", sqlite3_errmsg(f.db));
	sqlite3_finalize(f.rec);
	sqlite3_finalize(f.out);
	sqlite3_finalize(f.cnt);
	sqlite3_finalize(f.rcp);
	sqlite3_wal_checkpoint_v2(f.db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_close(f.db);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [SAMPLES [FILL]]\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	int samples = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 300;
	long fill_n = argc > 3 ? strtol(argv[3], NULL, 10) : 1000000;
	if (samples < 11 || samples > 100000 || fill_n < 1000 || fill_n > 100000000)
		die("arguments", "SAMPLES 11..100000, FILL 1000..100000000");
	struct statfs sf;
	if (statfs(dir, &sf) != 0)
		die(dir, "cannot statfs");
	if (sf.f_type == TMPFS_MAGIC_ || sf.f_type == RAMFS_MAGIC_)
		die(dir, "is tmpfs/ramfs: commits would never reach a disk; use a real disk");
	char jpath[1024], bpath[1024], fpath[1024], err[256];
	snprintf(jpath, sizeof jpath, "%s/empty.db", dir);
	snprintf(bpath, sizeof bpath, "%s/bare.db", dir);
	snprintf(fpath, sizeof fpath, "%s/filled.db", dir);
	if (ledger_init(jpath, 1, err, sizeof err) || ledger_init(fpath, 1, err, sizeof err))
		die("init", err);
	struct ledger *l = open_journal(jpath);
	sqlite3 *bare = open_bare(bpath);
	sqlite3_stmt *begin = NULL, *ins = NULL, *commit = NULL;
	sqlite3_prepare_v2(bare, "BEGIN IMMEDIATE", -1, &begin, NULL);
	sqlite3_prepare_v2(bare, "INSERT INTO t(seq, bytes) VALUES(?1, ?2)", -1, &ins, NULL);
	sqlite3_prepare_v2(bare, "COMMIT", -1, &commit, NULL);
	int64_t *drop_ns = calloc((size_t)samples, sizeof *drop_ns);
	int64_t *bare_ns = calloc((size_t)samples, sizeof *bare_ns);
	int64_t *full_ns = calloc((size_t)samples, sizeof *full_ns);
	for (int i = 0; i < 10; i++) { /* warm-up: file growth, statement preparation */
		time_drop(l, (uint32_t)i);
		time_bare(bare, begin, ins, commit, 1000000 + i);
	}
	for (int i = 0; i < samples; i++) {
		drop_ns[i] = time_drop(l, (uint32_t)(100 + i));
		bare_ns[i] = time_bare(bare, begin, ins, commit, i + 1);
	}
	sqlite3_finalize(begin);
	sqlite3_finalize(ins);
	sqlite3_finalize(commit);
	sqlite3_close(bare);

	int64_t t0 = now_ns();
	fill(fpath, (uint32_t)fill_n);
	double fill_s = (double)(now_ns() - t0) / 1e9;
	sync(); /* let the fill's writeback finish before timing commits */
	struct ledger *f = open_journal(fpath);
	int64_t *empty2_ns = calloc((size_t)samples, sizeof *empty2_ns);
	for (int i = 0; i < 10; i++)
		time_drop(f, (uint32_t)i);
	for (int i = 0; i < samples; i++) { /* alternate: the same disk state for both */
		full_ns[i] = time_drop(f, (uint32_t)(7 + i * 13));
		empty2_ns[i] = time_drop(l, (uint32_t)(7 + i * 13));
	}
	ledger_close(f);
	ledger_close(l);

	double drop_us = median_us(drop_ns, samples), bare_us = median_us(bare_ns, samples);
	double full_us = median_us(full_ns, samples), empty_us = median_us(empty2_ns, samples);
	double ratio = drop_us / bare_us, fill_ratio = full_us / empty_us;
	printf("disk: %s (statfs type 0x%lx), %d samples each\n", dir, (unsigned long)sf.f_type,
	       samples);
	printf("median drop transaction commit: %.1f us\n", drop_us);
	printf("median bare single-row insert commit: %.1f us\n", bare_us);
	printf("drop / bare: %.2f (target 1.5)\n", ratio);
	printf("filled %ld records in %.1f s\n", fill_n, fill_s);
	printf("median drop commit, %ld-record journal: %.1f us; empty journal: %.1f us\n", fill_n,
	       full_us, empty_us);
	printf("ledger_commit_filled: %.2f (target 1.2)\n", fill_ratio);
	printf("ledger_commit: %.2f (target 1.5)\n", ratio);
	free(drop_ns);
	free(bare_ns);
	free(full_ns);
	free(empty2_ns);
	return 0;
}
