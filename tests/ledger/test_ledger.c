/* test_ledger.c — the kiosk journal on real files: open/init, migrations,
 * the drop transaction, contiguity, counters, down-sync, busy retry,
 * outbox, verify on damaged copies, and the CLI's exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "chain.h"
#include "ledger_fixture.h"
#include "wf.h"

struct fx {
	char dir[256];
	char path[300];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	fx_tempdir(f->dir, sizeof f->dir);
	snprintf(f->path, sizeof f->path, "%s/journal.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	fx_rmdir(f->dir);
	free(f);
	return 0;
}

static struct ledger *open_ok(const char *path)
{
	struct ledger *l = NULL;
	char err[256] = "";
	int r = ledger_open(path, &l, err, sizeof err);
	if (r)
		fail_msg("ledger_open(%s): %d %s", path, r, err);
	return l;
}

/* Column 0 of the first row of sql, a blob, into out; returns its length. */
static size_t raw_blob(const char *path, const char *sql, uint8_t *out, size_t cap)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	size_t n = (size_t)sqlite3_column_bytes(st, 0);
	assert_true(n <= cap);
	memcpy(out, sqlite3_column_blob(st, 0), n);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void test_open_never_creates(void **state)
{
	struct fx *f = *state;
	struct ledger *l = (struct ledger *)0x1;
	char err[256] = "";
	assert_int_equal(ledger_open(f->path, &l, err, sizeof err), WF_ENOENT);
	assert_null(l);
	assert_non_null(strstr(err, "ledger init"));
	assert_int_equal(access(f->path, F_OK), -1); /* still not there */

	/* an empty file, a text file, a foreign SQLite database: refused */
	FILE *fp = fopen(f->path, "w");
	fclose(fp);
	assert_int_equal(ledger_open(f->path, &l, err, sizeof err), WF_ECORRUPT);
	fp = fopen(f->path, "w");
	fputs("this is not a journal, just a long enough text file\n", fp);
	fclose(fp);
	assert_int_equal(ledger_open(f->path, &l, err, sizeof err), WF_ECORRUPT);
	assert_non_null(strstr(err, "not an SQLite"));
}

static void test_open_foreign_sqlite(void **state)
{
	struct fx *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(a)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct ledger *l = NULL;
	char err[256] = "";
	assert_int_equal(ledger_open(f->path, &l, err, sizeof err), WF_ECORRUPT);
	assert_non_null(strstr(err, "not a Wufei journal"));
	/* and nothing was added to it */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master"), 1);
}

static void test_init_refuses_existing(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	assert_int_equal(ledger_init(f->path, 0, err, sizeof err), WF_EINVAL);
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(ledger_init(f->path, 12, err, sizeof err), WF_OK);
	struct ledger *l = open_ok(f->path);
	struct wf_record d = fx_drop(1, 1000, 5, 20261128);
	assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_OK);
	ledger_close(l);
	assert_int_equal(ledger_init(f->path, 13, err, sizeof err), WF_EEXIST);
	assert_non_null(strstr(err, "already exists"));
	l = open_ok(f->path);
	assert_int_equal(ledger_kiosk(l), 12);
	uint64_t seq = 0;
	assert_int_equal(ledger_last(l, &seq, NULL), WF_OK);
	assert_int_equal(seq, 1);
	ledger_close(l);
	/* the file is in WAL mode with the current schema */
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), LEDGER_SCHEMA_VERSION);
}

static void test_migration(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	assert_int_equal(ledger_init_version(f->path, 7, 1, err, sizeof err), WF_OK);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 1);
	assert_int_equal(
	    raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'prune_points'"), 0);
	struct ledger *l = open_ok(f->path);
	assert_int_equal(ledger_kiosk(l), 7);
	struct wf_record d = fx_drop(1, 1000, 5, 20261128);
	assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_OK);
	ledger_close(l);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 3);
	assert_int_equal(
	    raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'records_conflict'"),
	    1);
	assert_int_equal(
	    raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'prune_points'"), 1);
	assert_int_equal(raw_int(f->path, "SELECT value FROM meta WHERE key = 'pruned_upto'"), 0);
	assert_int_equal(raw_int(f->path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"),
	                 1);
	/* a journal from a newer program is refused, not downgraded */
	raw_exec(f->path, "PRAGMA user_version = 99");
	assert_int_equal(ledger_open(f->path, &l, err, sizeof err), WF_ECORRUPT);
	assert_non_null(strstr(err, "newer"));
}

static void put_catalog(struct ledger *l)
{
	assert_int_equal(ledger_sync_begin(l, true), WF_OK);
	struct wf_category c = {.id = 1,
	                        .code = "paper",
	                        .name = "纸类 Paper",
	                        .unit = WF_UNIT_GRAM,
	                        .rate_version = 3,
	                        .rate = 2000,
	                        .min_qty = 50,
	                        .max_qty = 50000,
	                        .daily_limit_qty = 20000};
	assert_int_equal(ledger_sync_put_category(l, &c), WF_OK);
	struct wf_category b = {.id = 2,
	                        .code = "batteries",
	                        .name = "电池 Batteries",
	                        .unit = WF_UNIT_PIECE,
	                        .rate_version = 1,
	                        .rate = 5,
	                        .min_qty = 1,
	                        .max_qty = 100,
	                        .daily_limit_qty = 0};
	assert_int_equal(ledger_sync_put_category(l, &b), WF_OK);
	assert_int_equal(ledger_sync_commit(l, "r1"), WF_OK);
}

static int failing_receipt(void *ctx, const struct wf_record *rec, const uint8_t hash[32],
                           char *token, size_t cap)
{
	(void)ctx, (void)rec, (void)hash, (void)token, (void)cap;
	return WF_ECRYPTO;
}

static void test_drop_transaction(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 12, err, sizeof err), WF_OK);
	struct ledger *l = open_ok(f->path);
	put_catalog(l);
	struct wf_record d = fx_drop(1, 2500, 5, 20261128);
	struct ledger_appended a;
	assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, &a), WF_OK);
	assert_int_equal(a.seq, 1);
	assert_int_equal(d.seq, 1);
	assert_int_equal(d.kiosk, 12);
	assert_string_equal(a.token, "HTTPS://C.EXAMPLE/R/12-1");

	/* outbox row with the canonical bytes and the chain hash */
	struct ledger_outbox_item it[4];
	assert_int_equal(ledger_outbox_peek(l, it, 4), 1);
	assert_int_equal(it[0].seq, 1);
	assert_int_equal(it[0].kind, WF_RECORD_DROP);
	struct wf_record back;
	assert_int_equal(wf_record_decode(it[0].bytes, it[0].len, &back, NULL, 0), WF_OK);
	assert_int_equal(back.drop.qty, 2500);
	assert_int_equal(back.kiosk, 12);
	assert_int_equal(back.seq, 1);
	uint8_t g[32], h[32];
	wf_chain_genesis(g);
	wf_chain_next(g, it[0].bytes, it[0].len, h);
	assert_memory_equal(h, it[0].hash, 32);
	assert_memory_equal(h, a.hash, 32);

	/* counters and receipt */
	uint8_t card[32];
	fx_card(card, 5);
	struct ledger_today t[4];
	assert_int_equal(ledger_today(l, card, 20261128, t, 4), 1);
	assert_int_equal(t[0].category_id, 1);
	assert_int_equal(t[0].qty, 2500);
	struct ledger_receipt rc;
	assert_int_equal(ledger_last_receipt(l, &rc), WF_OK);
	assert_int_equal(rc.rec.seq, 1);
	assert_string_equal(rc.token, "HTTPS://C.EXAMPLE/R/12-1");

	/* a failing receipt callback records nothing */
	struct wf_record d2 = fx_drop(1, 700, 5, 20261128);
	assert_int_equal(ledger_append(l, &d2, failing_receipt, NULL, NULL), WF_ECRYPTO);
	int64_t depth = 0;
	assert_int_equal(ledger_outbox_depth(l, &depth), WF_OK);
	assert_int_equal(depth, 1);
	assert_int_equal(ledger_today(l, card, 20261128, t, 4), 1);
	assert_int_equal(t[0].qty, 2500);
	/* an invalid record records nothing */
	d2.drop.points = -3;
	assert_int_equal(ledger_append(l, &d2, fx_receipt, NULL, NULL), WF_EINVAL);
	assert_non_null(strstr(ledger_errmsg(l), "points"));
	/* the next good drop takes seq 2 and chains from seq 1 */
	d2 = fx_drop(2, 4, 0, 20261128);
	d2.drop.unit = 2;
	assert_int_equal(ledger_append(l, &d2, fx_receipt, NULL, &a), WF_OK);
	assert_int_equal(a.seq, 2);
	assert_int_equal(ledger_outbox_peek(l, it, 4), 2);
	wf_chain_next(h, it[1].bytes, it[1].len, h);
	assert_memory_equal(h, it[1].hash, 32);
	/* anonymous (no card): no counter */
	uint8_t zero[32] = {0};
	assert_int_equal(ledger_today(l, zero, 20261128, t, 4), 0);
	assert_int_equal(ledger_receipt_get(l, 2, &rc), WF_OK);
	assert_string_equal(rc.token, "HTTPS://C.EXAMPLE/R/12-2");
	assert_int_equal(ledger_receipt_get(l, 3, &rc), WF_ENOENT);
	ledger_close(l);
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
}

static void test_contiguity_and_kinds(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = open_ok(f->path);
	for (int i = 0; i < 40; i++) {
		struct wf_record r;
		switch (i % 4) {
		case 0: r = fx_drop(1, 100 + i, (unsigned)(i % 3), 20261128); break;
		case 1:
			r = (struct wf_record){.kind = WF_RECORD_BIN, .time_ms = i};
			r.bin.category_id = 1;
			r.bin.grams = 1000 * i;
			r.bin.staff_id = 7;
			break;
		case 2:
			r = (struct wf_record){.kind = WF_RECORD_STAFF, .time_ms = i};
			r.staff.staff_id = 7;
			r.staff.action = WF_STAFF_ZERO;
			snprintf(r.staff.text, sizeof r.staff.text, "zero #%d", i);
			break;
		default:
			r = (struct wf_record){.kind = WF_RECORD_DAY_CLOSE, .time_ms = i};
			r.day_close.local_day = 20261128;
			r.day_close.drops = (uint32_t)i;
			break;
		}
		struct ledger_appended a;
		assert_int_equal(ledger_append(l, &r, fx_receipt, NULL, &a), WF_OK);
		assert_int_equal(a.seq, (uint64_t)i + 1);
	}
	/* a checkpoint, then a restored-journal epoch that jumps to central's seq */
	struct wf_record c = {.kind = WF_RECORD_CHECKPOINT};
	c.checkpoint.upto_seq = 40;
	assert_int_equal(ledger_append(l, &c, NULL, NULL, NULL), WF_OK);
	assert_int_equal(c.seq, 41);
	struct wf_record e = {.kind = WF_RECORD_EPOCH};
	e.epoch.epoch = 2;
	e.epoch.reason = WF_EPOCH_RESTORED;
	e.epoch.after_seq = 60;
	memset(e.epoch.hash, 0x42, 32);
	assert_int_equal(ledger_append(l, &e, NULL, NULL, NULL), WF_OK);
	assert_int_equal(e.seq, 61);
	struct wf_record d = fx_drop(1, 500, 1, 20261129);
	assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_OK);
	assert_int_equal(d.seq, 62);
	/* an epoch may never take the journal backwards */
	e.epoch.after_seq = 10;
	assert_int_equal(ledger_append(l, &e, NULL, NULL, NULL), WF_EINVAL);
	uint64_t last = 0;
	assert_int_equal(ledger_last(l, &last, NULL), WF_OK);
	assert_int_equal(last, 62);
	ledger_close(l);
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM records"), 43);
}

static void test_daily_counters(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = open_ok(f->path);
	struct {
		uint16_t cat;
		int64_t qty;
		unsigned card;
		uint32_t day;
	} drops[] = {{1, 100, 1, 20261128}, {1, 200, 1, 20261128}, {2, 50, 1, 20261128},
	             {1, 70, 1, 20261129},  {1, 30, 2, 20261128},  {1, 999, 0, 20261128}};
	for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++) {
		struct wf_record d =
		    fx_drop(drops[i].cat, drops[i].qty, drops[i].card, drops[i].day);
		assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_OK);
	}
	uint8_t a[32], b[32], c[32];
	fx_card(a, 1);
	fx_card(b, 2);
	fx_card(c, 3);
	struct ledger_today t[8];
	assert_int_equal(ledger_today(l, a, 20261128, t, 8), 2);
	assert_int_equal(t[0].category_id, 1);
	assert_int_equal(t[0].qty, 300);
	assert_int_equal(t[1].category_id, 2);
	assert_int_equal(t[1].qty, 50);
	assert_int_equal(ledger_today(l, a, 20261129, t, 8), 1);
	assert_int_equal(t[0].qty, 70);
	assert_int_equal(ledger_today(l, b, 20261128, t, 8), 1);
	assert_int_equal(t[0].qty, 30);
	assert_int_equal(ledger_today(l, c, 20261128, t, 8), 0);
	assert_int_equal(ledger_today(l, a, 20261128, t, 1), 1); /* capped by cap */
	ledger_close(l);
	/* the lookup uses the counters' primary key, not a scan */
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "EXPLAIN QUERY PLAN SELECT category_id, qty FROM counters"
	                       " WHERE card_hash = ?1 AND local_day = ?2",
	                       -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	const char *plan = (const char *)sqlite3_column_text(st, 3);
	assert_non_null(strstr(plan, "SEARCH"));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_downsync(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = open_ok(f->path);
	struct ledger_card card;
	uint8_t h1[32], h2[32], h3[32], h4[32], h5[32];
	fx_card(h1, 1);
	fx_card(h2, 2);
	fx_card(h3, 3);
	fx_card(h4, 4);
	fx_card(h5, 5);
	uint32_t kv;
	uint8_t key[32], k[32];
	assert_int_equal(ledger_card_key(l, &kv, key), WF_ENOENT);
	put_catalog(l);
	assert_int_equal(ledger_sync_begin(l, false), WF_OK);
	struct ledger_resident r1 = {.id = 1001, .name = "王*", .balance = 1234};
	memcpy(r1.card_hash, h1, 32);
	struct ledger_resident r2 = {
	    .id = 1002, .name = "李*", .blocked = true, .block_reason = "moved away"};
	memcpy(r2.card_hash, h2, 32);
	struct ledger_staff s = {.id = 7, .name = "张*", .admin = true, .pin_hash = "$argon2id$x"};
	memcpy(s.card_hash, h3, 32);
	memset(k, 0x33, 32);
	assert_int_equal(ledger_sync_put_resident(l, &r1), WF_OK);
	assert_int_equal(ledger_sync_put_resident(l, &r2), WF_OK);
	assert_int_equal(ledger_sync_put_staff(l, &s), WF_OK);
	assert_int_equal(ledger_sync_put_block(l, h4, "reported lost"), WF_OK);
	assert_int_equal(ledger_sync_set_card_key(l, 2, k), WF_OK);
	/* no record can be appended while the down-sync transaction is open */
	struct wf_record d = fx_drop(1, 100, 1, 20261128);
	assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_ESTATE);
	assert_int_equal(ledger_sync_commit(l, "r2"), WF_OK);

	assert_int_equal(ledger_card_lookup(l, h1, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_RESIDENT);
	assert_int_equal(card.id, 1001);
	assert_string_equal(card.name, "王*");
	assert_int_equal(card.balance, 1234);
	assert_int_equal(ledger_card_lookup(l, h2, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_BLOCKED);
	assert_string_equal(card.reason, "moved away");
	assert_int_equal(ledger_card_lookup(l, h3, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_STAFF);
	assert_true(card.admin);
	assert_int_equal(card.id, 7);
	assert_string_equal(card.pin_hash, "$argon2id$x");
	assert_int_equal(ledger_card_lookup(l, h4, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_BLOCKED);
	assert_string_equal(card.reason, "reported lost");
	assert_int_equal(ledger_card_lookup(l, h5, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_UNKNOWN);
	assert_int_equal(ledger_card_key(l, &kv, key), WF_OK);
	assert_int_equal(kv, 2);
	assert_memory_equal(key, k, 32);
	char cursor[LEDGER_CURSOR_MAX];
	assert_int_equal(ledger_sync_cursor(l, cursor, sizeof cursor), WF_OK);
	assert_string_equal(cursor, "r2");
	struct wf_category cats[WF_MAX_CATEGORIES];
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 2);
	assert_string_equal(cats[0].code, "paper");
	assert_int_equal(cats[1].unit, WF_UNIT_PIECE);
	assert_int_equal(cats[0].daily_limit_qty, 20000);

	/* PIN lock-out counter: stored, kept over an incremental sync */
	assert_int_equal(ledger_staff_set_pin_failures(l, 7, 3), WF_OK);
	assert_int_equal(ledger_staff_set_pin_failures(l, 8, 1), WF_ENOENT);
	assert_int_equal(ledger_sync_begin(l, false), WF_OK);
	assert_int_equal(ledger_sync_put_staff(l, &s), WF_OK);
	assert_int_equal(ledger_sync_delete_resident(l, 1001), WF_OK);
	assert_int_equal(ledger_sync_delete_block(l, h4), WF_OK);
	assert_int_equal(ledger_sync_delete_category(l, 2), WF_OK);
	assert_int_equal(ledger_sync_commit(l, "r3"), WF_OK);
	assert_int_equal(ledger_card_lookup(l, h3, &card), WF_OK);
	assert_int_equal(card.pin_failures, 3);
	assert_int_equal(ledger_card_lookup(l, h1, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_UNKNOWN);
	assert_int_equal(ledger_card_lookup(l, h4, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_UNKNOWN);
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 1);

	/* an aborted sync changes nothing */
	assert_int_equal(ledger_sync_begin(l, true), WF_OK);
	ledger_sync_abort(l);
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 1);
	assert_int_equal(ledger_card_lookup(l, h3, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_STAFF);
	/* a bad category aborts cleanly */
	assert_int_equal(ledger_sync_begin(l, false), WF_OK);
	struct wf_category bad = cats[0];
	bad.min_qty = 0;
	assert_int_equal(ledger_sync_put_category(l, &bad), WF_EINVAL);
	ledger_sync_abort(l);
	/* a full snapshot without staff 7 removes staff 7 */
	assert_int_equal(ledger_sync_begin(l, true), WF_OK);
	assert_int_equal(ledger_sync_commit(l, "r4"), WF_OK);
	assert_int_equal(ledger_card_lookup(l, h3, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_UNKNOWN);
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 0);
	ledger_close(l);
}

struct holder {
	const char *path;
	int release_after_ms;
	int rc;
};

static void *hold_lock(void *arg)
{
	struct holder *h = arg;
	sqlite3 *db;
	h->rc = sqlite3_open_v2(h->path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (h->rc == SQLITE_OK)
		h->rc = sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO meta VALUES('x', 1)", NULL,
		                     NULL, NULL);
	struct timespec ts = {h->release_after_ms / 1000, (h->release_after_ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	if (h->rc == SQLITE_OK)
		h->rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return NULL;
}

static void test_busy_retry(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = open_ok(f->path);
	struct wf_record d = fx_drop(1, 100, 1, 20261128);
	assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_OK);
	/* a second connection holds the write lock for a while: the append waits, then records */
	struct holder h = {.path = f->path, .release_after_ms = 400};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, hold_lock, &h), 0);
	struct timespec ts = {0, 100 * 1000000L};
	nanosleep(&ts, NULL); /* let it take the lock first */
	d = fx_drop(1, 200, 1, 20261128);
	struct ledger_appended a;
	assert_int_equal(ledger_append(l, &d, NULL, NULL, &a), WF_OK);
	pthread_join(t, NULL);
	assert_int_equal(h.rc, SQLITE_OK);
	assert_int_equal(a.seq, 2);
	ledger_close(l);
	/* the other writer's row landed before ours: it really held the lock */
	assert_int_equal(raw_int(f->path, "SELECT value FROM meta WHERE key = 'x'"), 1);
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
}

static void test_outbox(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = open_ok(f->path);
	for (int i = 0; i < 10; i++) {
		struct wf_record d = fx_drop(1, 100 + i, 1, 20261128);
		assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	}
	struct ledger_outbox_item it[4];
	assert_int_equal(ledger_outbox_peek(l, it, 4), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(it[i].seq, (uint64_t)i + 1);
	uint64_t acks[] = {1, 2, 3, 4, 999};
	assert_int_equal(ledger_outbox_ack(l, acks, NULL, 5), WF_OK);
	int64_t depth = 0;
	assert_int_equal(ledger_outbox_depth(l, &depth), WF_OK);
	assert_int_equal(depth, 6);
	assert_int_equal(ledger_outbox_peek(l, it, 4), 4);
	assert_int_equal(it[0].seq, 5);
	ledger_close(l);
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
}

/* ---- verify on damaged copies -------------------------------------------------- */

struct problems {
	int n;
	char text[16][256];
};

static void collect(void *ctx, const char *text)
{
	struct problems *p = ctx;
	if (p->n < 16)
		snprintf(p->text[p->n], sizeof p->text[0], "%s", text);
	p->n++;
}

static bool has_problem(const struct problems *p, const char *part)
{
	for (int i = 0; i < p->n && i < 16; i++)
		if (strstr(p->text[i], part))
			return true;
	return false;
}

static void make_journal(const char *path, int drops)
{
	char err[256];
	assert_int_equal(ledger_init(path, 12, err, sizeof err), WF_OK);
	struct ledger *l = open_ok(path);
	for (int i = 0; i < drops; i++) {
		struct wf_record d = fx_drop(1, 1000 + i, 1 + (unsigned)i % 2, 20261128);
		assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	}
	ledger_close(l);
}

static void copy_file(const char *from, const char *to)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static int run_cli(const char *args, char *out, size_t cap)
{
	const char *bin = getenv("WUFEI_BIN_DIR");
	assert_non_null(bin);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "'%s/wufei-kiosk' %s 2>&1", bin, args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void damaged(const struct fx *f, const char *name, const char *sql, const char *expect)
{
	char path[400], args[600], out[4096];
	snprintf(path, sizeof path, "%s/%s.db", f->dir, name);
	copy_file(f->path, path);
	raw_exec(path, sql);
	struct problems p = {0};
	char err[256] = "";
	int n = ledger_verify(path, collect, &p, err, sizeof err);
	if (n <= 0)
		fail_msg("%s: verify found nothing (%d %s)", name, n, err);
	if (!has_problem(&p, expect))
		fail_msg("%s: no problem mentions '%s' (first: %s)", name, expect, p.text[0]);
	snprintf(args, sizeof args, "ledger verify '%s'", path);
	assert_int_equal(run_cli(args, out, sizeof out), 1);
	if (!strstr(out, expect))
		fail_msg("%s: CLI output lacks '%s': %s", name, expect, out);
	assert_null(strstr(out, "ok\n"));
}

static void test_verify_damaged(void **state)
{
	struct fx *f = *state;
	make_journal(f->path, 10);
	char args[600], out[4096];
	snprintf(args, sizeof args, "ledger verify '%s'", f->path);
	assert_int_equal(run_cli(args, out, sizeof out), 0);
	assert_string_equal(out, "ok\n");
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
	assert_int_equal(run_cli(args, out, sizeof out), 0);
}

/* A damaged journal is an error with a clear message, never a silent success. */
static void test_corrupt(void **state)
{
	struct fx *f = *state;
	make_journal(f->path, 30);
	int64_t root =
	    raw_int(f->path, "SELECT rootpage FROM sqlite_master WHERE name = 'records'");
	int64_t page = raw_int(f->path, "PRAGMA page_size");
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
	struct problems p = {0};
	assert_true(ledger_verify(f->path, collect, &p, err, sizeof err) > 0);
	assert_true(has_problem(&p, "integrity_check"));
}

static long wal_size_after(const char *path, unsigned every, int drops)
{
	char err[256], wal[400];
	assert_int_equal(ledger_init(path, 3, err, sizeof err), WF_OK);
	struct ledger_options opt = {.checkpoint_every = every};
	struct ledger *l = NULL;
	assert_int_equal(ledger_open_with(path, &opt, &l, err, sizeof err), WF_OK);
	for (int i = 0; i < drops; i++) {
		struct wf_record d = fx_drop(1, 100 + i, 1 + (unsigned)i, 20261128);
		assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	}
	snprintf(wal, sizeof wal, "%.380s-wal", path);
	struct stat st;
	assert_int_equal(stat(wal, &st), 0);
	ledger_close(l);
	return (long)st.st_size;
}

/* Periodic PASSIVE checkpoints keep the WAL from growing without bound. */
static void test_wal_checkpoints(void **state)
{
	struct fx *f = *state;
	char other[400];
	snprintf(other, sizeof other, "%s/nockpt.db", f->dir);
	long with = wal_size_after(f->path, 10, 200);
	long without = wal_size_after(other, 1000000, 200);
	printf("# WAL after 200 drops: %ld bytes with a checkpoint every 10, %ld without\n", with,
	       without);
	assert_true(with * 4 < without);
}

/* Pruning behind an acknowledged checkpoint: verify goes on from there. */
static void test_prune(void **state)
{
	struct fx *f = *state;
	make_journal(f->path, 10);
	struct ledger *l = open_ok(f->path);
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
	struct problems p = {0};
	assert_int_equal(ledger_verify(f->path, collect, &p, err, sizeof err), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM records"), 2);
	/* without the pruned hash the chain cannot be checked: named */
	raw_exec(f->path, "DELETE FROM meta WHERE key = 'pruned_hash'");
	assert_true(ledger_verify(f->path, collect, &p, err, sizeof err) > 0);
	assert_true(has_problem(&p, "pruned_hash"));
}

/* Pruning also drops the daily counters of days no held drop belongs to. */
static void test_prune_counters(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 12, err, sizeof err), WF_OK);
	struct ledger *l = open_ok(f->path);
	uint32_t days[] = {20261101, 20261101, 20261102, 20261128, 20261128};
	for (unsigned i = 0; i < 5; i++) {
		struct wf_record d = fx_drop(1, 1000, 1 + i % 2, days[i]);
		assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	}
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM counters"), 5);
	struct wf_record c = {.kind = WF_RECORD_CHECKPOINT};
	c.checkpoint.upto_seq = 2; /* both 1 November drops */
	assert_int_equal(raw_blob(f->path, "SELECT hash FROM records WHERE seq = 2",
	                          c.checkpoint.hash, sizeof c.checkpoint.hash),
	                 32);
	assert_int_equal(ledger_append(l, &c, NULL, NULL, NULL), WF_OK);
	uint64_t acks[6] = {1, 2, 3, 4, 5, 6};
	assert_int_equal(ledger_outbox_ack(l, acks, NULL, 6), WF_OK);
	assert_int_equal(ledger_prune(l, 6), 2);
	ledger_close(l);
	/* 1 November's counters went; 2 and 28 November's stay, unchanged */
	assert_int_equal(
	    raw_int(f->path, "SELECT count(*) FROM counters WHERE local_day = 20261101"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM counters"), 3);
	assert_int_equal(
	    raw_int(f->path, "SELECT sum(qty) FROM counters WHERE local_day = 20261128"), 2000);
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
}

/* Records central answered `conflict` leave the outbox, stay marked, and no
 * checkpoint ever reaches them: they are what staff must look at. */
static void test_conflicts_kept(void **state)
{
	struct fx *f = *state;
	make_journal(f->path, 20);
	struct ledger *l = open_ok(f->path);
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
	assert_int_equal(raw_blob(f->path, "SELECT hash FROM records WHERE seq = 10",
	                          c.checkpoint.hash, sizeof c.checkpoint.hash),
	                 32);
	assert_int_equal(ledger_append(l, &c, NULL, NULL, NULL), WF_OK);
	uint64_t cp = c.seq;
	assert_int_equal(ledger_outbox_ack(l, &cp, NULL, 1), WF_OK);
	assert_int_equal(ledger_prune(l, cp), WF_ESTATE);
	assert_int_equal(ledger_prune_acked(l), WF_ESTATE);
	ledger_close(l);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM records"), 21);
	/* dump marks it; verify is content */
	char err[256];
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
	raw_exec(f->path, "UPDATE records SET acked = 7 WHERE seq = 3");
	struct problems p = {0};
	assert_true(ledger_verify(f->path, collect, &p, err, sizeof err) > 0);
	assert_true(has_problem(&p, "seq 3: acknowledgement state"));
}

/* Copies the journal file alone (as a backup is restored), without -wal/-shm. */
static void restore_copy(const char *from, const char *to)
{
	char side[400];
	snprintf(side, sizeof side, "%s-wal", to);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", to);
	unlink(side);
	copy_file(from, to);
}

/* A journal copied back from a backup continues after the numbers the kiosk
 * already used, never reusing one, and still verifies. */
static void test_resume_after_restore(void **state)
{
	struct fx *f = *state;
	char backup[400], mark[400];
	snprintf(backup, sizeof backup, "%s/backup.db", f->dir);
	snprintf(mark, sizeof mark, "%s.hwm", f->path);
	make_journal(f->path, 2);
	copy_file(f->path, backup); /* closed cleanly: the file alone is the journal */
	struct ledger *l = open_ok(f->path);
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
	assert_int_equal(run_cli(args, out, sizeof out), 0);
	assert_non_null(strstr(out, "kiosk 12\nlast seq 2\noutbox 2 "));
	assert_non_null(strstr(out, "high-water mark seq 5 (ahead of the journal: restored?"));
	l = open_ok(f->path);
	assert_int_equal(ledger_resume_after_mark(l, 1795000000000, &after), 1);
	assert_int_equal(after, 5);
	struct wf_record d = fx_drop(1, 700, 1, 20261128);
	assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	assert_int_equal(d.seq, 7);                                  /* 6 is the EPOCH record */
	assert_int_equal(ledger_resume_after_mark(l, 1, &after), 0); /* once is enough */
	ledger_close(l);
	assert_int_equal(raw_int(f->path, "SELECT kind FROM records WHERE seq = 6"),
	                 WF_RECORD_EPOCH);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM records WHERE seq BETWEEN 3 AND 5"),
	                 0);
	char err[256];
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
	/* the EPOCH names the hash after seq 5, so the chain central holds goes on */
	uint8_t bytes[WF_RECORD_MAX_LEN];
	size_t n =
	    raw_blob(f->path, "SELECT bytes FROM records WHERE seq = 6", bytes, sizeof bytes);
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
	l = open_ok(f->path);
	assert_int_equal(ledger_resume_after_mark(l, 1, &after), 0);
	ledger_close(l);
	m = fopen(mark, "w");
	assert_non_null(m);
	fprintf(m, "wufei-hwm-1 0000000013 %020d %064d\n", 9, 0);
	fclose(m);
	l = open_ok(f->path);
	assert_int_equal(ledger_resume_after_mark(l, 1, &after), 0);
	assert_int_equal(ledger_last(l, &last, NULL), WF_OK);
	assert_int_equal(last, 2);
	ledger_close(l);
}

static void test_cli(void **state)
{
	struct fx *f = *state;
	char args[600], out[8192];
	snprintf(args, sizeof args, "ledger init '%s' --kiosk 12", f->path);
	assert_int_equal(run_cli(args, out, sizeof out), 0);
	assert_int_equal(run_cli(args, out, sizeof out), 1); /* exists */
	assert_non_null(strstr(out, "already exists"));
	snprintf(args, sizeof args, "ledger init '%s/x.db' --kiosk 0", f->dir);
	assert_int_equal(run_cli(args, out, sizeof out), 2);
	snprintf(args, sizeof args, "ledger init '%s/x.db'", f->dir);
	assert_int_equal(run_cli(args, out, sizeof out), 2);
	assert_int_equal(run_cli("ledger", out, sizeof out), 2);
	assert_int_equal(run_cli("ledger frobnicate x", out, sizeof out), 2);
	snprintf(args, sizeof args, "ledger verify '%s/missing.db'", f->dir);
	assert_int_equal(run_cli(args, out, sizeof out), 1);
	assert_non_null(strstr(out, "No such file"));
	snprintf(args, sizeof args, "ledger dump '%s/missing.db'", f->dir);
	assert_int_equal(run_cli(args, out, sizeof out), 1);
	snprintf(args, sizeof args, "%s/missing.db", f->dir);
	assert_int_equal(access(args, F_OK), -1); /* neither verify nor dump created it */

	struct ledger *l = open_ok(f->path);
	struct wf_record d = fx_drop(1, 2500, 5, 20261128);
	assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	struct wf_record s = {.kind = WF_RECORD_STAFF};
	s.staff.staff_id = 7;
	s.staff.action = WF_STAFF_LOGIN;
	snprintf(s.staff.text, sizeof s.staff.text, "hello \"staff\"");
	assert_int_equal(ledger_append(l, &s, NULL, NULL, NULL), WF_OK);
	ledger_close(l);
	snprintf(args, sizeof args, "ledger dump '%s'", f->path);
	assert_int_equal(run_cli(args, out, sizeof out), 0);
	assert_non_null(strstr(out, "{\"seq\":1,\"kind\":\"drop\",\"kiosk\":12,"));
	assert_non_null(strstr(out, "\"qty\":2500"));
	assert_non_null(strstr(out, "\"receipt\":\"HTTPS://C.EXAMPLE/R/12-1\""));
	assert_non_null(strstr(out, "\"text\":\"hello \\\"staff\\\"\""));
	int lines = 0;
	for (const char *c = out; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_never_creates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_foreign_sqlite, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_init_refuses_existing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drop_transaction, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_contiguity_and_kinds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_daily_counters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_downsync, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_busy_retry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_verify_damaged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wal_checkpoints, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prune_counters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_conflicts_kept, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resume_after_restore, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
