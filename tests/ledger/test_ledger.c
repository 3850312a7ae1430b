/* test_ledger.c — the kiosk journal on real files: open/init, migrations,
 * the drop transaction, contiguity, counters, busy retry, outbox, WAL
 * checkpoints and the CLI's exit codes. Verify on damaged copies is in
 * test_ledger_verify.c, pruning and restores in test_ledger_prune.c, the
 * down-synced catalogue in test_ledger_catalog.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <time.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "chain.h"
#include "ledger_fixture.h"
#include "wf.h"

static void test_open_never_creates(void **state)
{
	struct fx *f = *state;
	struct ledger *l = (struct ledger *)0x1;
	char err[1024] = "";
	assert_int_equal(ledger_open(f->path, &l, err, sizeof err), WF_ENOENT);
	assert_null(l);
	assert_non_null(strstr(err, "ledger init"));
	char cmd[400]; /* the whole command, with this journal's path */
	snprintf(cmd, sizeof cmd, "wufei-kiosk ledger init %s --kiosk NUMBER", f->path);
	assert_non_null(strstr(err, cmd));
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
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM sqlite_master"), 1);
}

static void test_init_refuses_existing(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	assert_int_equal(ledger_init(f->path, 0, err, sizeof err), WF_EINVAL);
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(ledger_init(f->path, 12, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
	struct wf_record d = fx_drop(1, 1000, 5, 20261128);
	assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_OK);
	ledger_close(l);
	assert_int_equal(ledger_init(f->path, 13, err, sizeof err), WF_EEXIST);
	assert_non_null(strstr(err, "already exists"));
	l = fx_open(f->path);
	assert_int_equal(ledger_kiosk(l), 12);
	uint64_t seq = 0;
	assert_int_equal(ledger_last(l, &seq, NULL), WF_OK);
	assert_int_equal(seq, 1);
	ledger_close(l);
	/* the file is in WAL mode with the current schema */
	assert_int_equal(fx_raw_int(f->path, "PRAGMA user_version"), LEDGER_SCHEMA_VERSION);
}

static void test_migration(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	assert_int_equal(ledger_init_version(f->path, 7, 1, err, sizeof err), WF_OK);
	assert_int_equal(fx_raw_int(f->path, "PRAGMA user_version"), 1);
	assert_int_equal(
	    fx_raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'prune_points'"),
	    0);
	struct ledger *l = fx_open(f->path);
	assert_int_equal(ledger_kiosk(l), 7);
	struct wf_record d = fx_drop(1, 1000, 5, 20261128);
	assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_OK);
	ledger_close(l);
	assert_int_equal(fx_raw_int(f->path, "PRAGMA user_version"), LEDGER_SCHEMA_VERSION);
	assert_int_equal(
	    fx_raw_int(f->path,
	               "SELECT count(*) FROM sqlite_master WHERE name = 'records_conflict'"),
	    1);
	/* 4: the anonymous daily cap's column and index */
	assert_int_equal(
	    fx_raw_int(f->path,
	               "SELECT count(*) FROM sqlite_master WHERE name = 'records_anon_day'"),
	    1);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM pragma_table_info('categories')"
	                                     " WHERE name = 'anon_daily_cap'"),
	                 1);
	assert_int_equal(
	    fx_raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'prune_points'"),
	    1);
	assert_int_equal(fx_raw_int(f->path, "SELECT value FROM meta WHERE key = 'pruned_upto'"),
	                 0);
	assert_int_equal(
	    fx_raw_int(f->path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	/* a journal from a newer program is refused, not downgraded */
	fx_raw_exec(f->path, "PRAGMA user_version = 99");
	assert_int_equal(ledger_open(f->path, &l, err, sizeof err), WF_ECORRUPT);
	assert_non_null(strstr(err, "newer"));
}

/* token is the test kiosk's signed receipt URL naming kiosk and seq. */
static void assert_token_names(const char *token, uint32_t kiosk, uint32_t seq)
{
	struct receipt r;
	uint8_t payload[RECEIPT_PAYLOAD_LEN], sig[RECEIPT_SIG_LEN], pk[32], sk[64];
	assert_int_equal(strncmp(token, FX_BASE_URL "/R/", strlen(FX_BASE_URL "/R/")), 0);
	assert_int_equal(receipt_parse(token, &r, payload, sig), WF_OK);
	assert_int_equal(r.kiosk, kiosk);
	assert_int_equal(r.seq, seq);
	fx_keys(false, pk, sk);
	assert_int_equal(receipt_verify(payload, sig, pk), WF_OK);
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
	struct ledger *l = fx_open(f->path);
	fx_put_catalog(l);
	struct wf_record d = fx_drop(1, 2500, 5, 20261128);
	struct ledger_appended a;
	assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, &a), WF_OK);
	assert_int_equal(a.seq, 1);
	assert_int_equal(d.seq, 1);
	assert_int_equal(d.kiosk, 12);
	assert_string_equal(a.token, fx_expect_token(&d));
	assert_token_names(a.token, 12, 1);

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
	assert_string_equal(rc.token, fx_expect_token(&rc.rec));
	assert_token_names(rc.token, 12, 1);

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
	assert_string_equal(rc.token, fx_expect_token(&rc.rec));
	assert_token_names(rc.token, 12, 2);
	assert_int_equal(ledger_receipt_get(l, 3, &rc), WF_ENOENT);
	ledger_close(l);
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
}

static void test_contiguity_and_kinds(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
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
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM records"), 43);
}

/* The points central has not seen yet: a resident's balance on screen adds
 * them to the down-synced balance; an acknowledged drop leaves the sum. */
static void test_unsynced_points(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
	fx_put_catalog(l);
	int64_t p = -1;
	assert_int_equal(ledger_unsynced_points(l, 5, &p), WF_OK);
	assert_int_equal(p, 0);
	struct wf_record d[3] = {fx_drop(1, 2500, 5, 20261128), fx_drop(1, 7000, 6, 20261128),
	                         fx_drop(1, 1500, 5, 20261128)};
	for (int i = 0; i < 3; i++)
		assert_int_equal(ledger_append(l, &d[i], fx_receipt, NULL, NULL), WF_OK);
	/* 2.5 kg and 1.5 kg of paper at 2000 points a tonne: 5 + 3 */
	assert_int_equal(ledger_unsynced_points(l, 5, &p), WF_OK);
	assert_int_equal(p, 8);
	assert_int_equal(ledger_unsynced_points(l, 6, &p), WF_OK);
	assert_int_equal(p, 14);
	uint64_t first = 1;
	assert_int_equal(ledger_outbox_ack(l, &first, NULL, 1), WF_OK);
	assert_int_equal(ledger_unsynced_points(l, 5, &p), WF_OK);
	assert_int_equal(p, 3);
	ledger_close(l);
}

static void test_daily_counters(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
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

/*
 * Busy retry, proven by order rather than by timing. The journal's handle
 * runs on "sleepvfs": the default VFS except that xSleep, which SQLite's
 * busy handler calls while it waits for a lock, first says so. The holder
 * takes the write lock, waits until the append is seen waiting for it, and
 * only then releases it; the append must return after that release.
 */
static sqlite3_vfs g_sleepvfs;
static sqlite3_vfs *g_real_vfs;
static sem_t g_waiting;     /* posted at the first sleep of the append */
static atomic_int g_sleeps; /* busy-handler sleeps seen */
static atomic_int g_order;  /* a step counter both threads take numbers from */

static int sleep_noted(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	if (atomic_fetch_add(&g_sleeps, 1) == 0)
		sem_post(&g_waiting);
	return g_real_vfs->xSleep(g_real_vfs, us);
}

static void sleepvfs_register(void)
{
	if (g_real_vfs)
		return;
	g_real_vfs = sqlite3_vfs_find(NULL);
	assert_non_null(g_real_vfs);
	g_sleepvfs = *g_real_vfs;
	g_sleepvfs.zName = "sleepvfs";
	g_sleepvfs.pNext = NULL;
	g_sleepvfs.xSleep = sleep_noted;
	assert_int_equal(sqlite3_vfs_register(&g_sleepvfs, 0), SQLITE_OK);
}

struct holder {
	const char *path;
	sem_t locked;    /* posted once the holder has the write lock */
	int rc;          /* SQLite result of the holder's own transaction */
	bool saw_wait;   /* the append was seen waiting while the lock was held */
	int released_at; /* g_order just before COMMIT */
};

static void *hold_lock(void *arg)
{
	struct holder *h = arg;
	sqlite3 *db;
	h->rc = sqlite3_open_v2(h->path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (h->rc == SQLITE_OK)
		h->rc = sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO meta VALUES('x', 1)", NULL,
		                     NULL, NULL);
	sem_post(&h->locked);
	/* until the append waits for our lock (the deadline only guards a hang) */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 30;
	int w;
	while ((w = sem_timedwait(&g_waiting, &until)) != 0 && errno == EINTR)
		;
	h->saw_wait = w == 0;
	h->released_at = atomic_fetch_add(&g_order, 1) + 1;
	if (h->rc == SQLITE_OK)
		h->rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return NULL;
}

static void test_busy_retry(void **state)
{
	struct fx *f = *state;
	char err[256];
	sleepvfs_register();
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger_options o = fx_options();
	o.vfs = "sleepvfs";
	struct ledger *l = NULL;
	assert_int_equal(ledger_open_with(f->path, &o, &l, err, sizeof err), WF_OK);
	struct wf_record d = fx_drop(1, 100, 1, 20261128);
	assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_OK);
	/* a second connection holds the write lock: the append waits, then records */
	struct holder h = {.path = f->path};
	assert_int_equal(sem_init(&h.locked, 0, 0), 0);
	assert_int_equal(sem_init(&g_waiting, 0, 0), 0);
	atomic_store(&g_sleeps, 0);
	atomic_store(&g_order, 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, hold_lock, &h), 0);
	while (sem_wait(&h.locked) != 0)
		; /* the holder has the lock before we try */
	d = fx_drop(1, 200, 1, 20261128);
	struct ledger_appended a;
	assert_int_equal(ledger_append(l, &d, NULL, NULL, &a), WF_OK);
	int returned_at = atomic_fetch_add(&g_order, 1) + 1;
	pthread_join(t, NULL);
	assert_int_equal(h.rc, SQLITE_OK);
	assert_true(h.saw_wait); /* the append waited for the lock ... */
	assert_true(atomic_load(&g_sleeps) > 0);
	assert_true(returned_at > h.released_at); /* ... and returned only after its release */
	assert_int_equal(a.seq, 2);
	ledger_close(l);
	sem_destroy(&h.locked);
	sem_destroy(&g_waiting);
	/* the other writer's row landed before ours: it really held the lock */
	assert_int_equal(fx_raw_int(f->path, "SELECT value FROM meta WHERE key = 'x'"), 1);
	assert_int_equal(ledger_verify(f->path, NULL, NULL, err, sizeof err), 0);
}

static void test_outbox(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
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

static void test_cli(void **state)
{
	struct fx *f = *state;
	char args[600], out[8192];
	snprintf(args, sizeof args, "ledger init '%s' --kiosk 12", f->path);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 0);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 1); /* exists */
	assert_non_null(strstr(out, "already exists"));
	snprintf(args, sizeof args, "ledger init '%s/x.db' --kiosk 0", f->dir);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 2);
	snprintf(args, sizeof args, "ledger init '%s/x.db'", f->dir);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 2);
	assert_int_equal(fx_run_cli("ledger", out, sizeof out), 2);
	assert_int_equal(fx_run_cli("ledger frobnicate x", out, sizeof out), 2);
	snprintf(args, sizeof args, "ledger verify '%s/missing.db'", f->dir);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 1);
	assert_non_null(strstr(out, "No such file"));
	snprintf(args, sizeof args, "ledger dump '%s/missing.db'", f->dir);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 1);
	snprintf(args, sizeof args, "%s/missing.db", f->dir);
	assert_int_equal(access(args, F_OK), -1); /* neither verify nor dump created it */

	struct ledger *l = fx_open(f->path);
	struct wf_record d = fx_drop(1, 2500, 5, 20261128);
	assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	struct wf_record s = {.kind = WF_RECORD_STAFF};
	s.staff.staff_id = 7;
	s.staff.action = WF_STAFF_LOGIN;
	snprintf(s.staff.text, sizeof s.staff.text, "hello \"staff\"");
	assert_int_equal(ledger_append(l, &s, NULL, NULL, NULL), WF_OK);
	ledger_close(l);
	snprintf(args, sizeof args, "ledger dump '%s'", f->path);
	assert_int_equal(fx_run_cli(args, out, sizeof out), 0);
	assert_non_null(strstr(out, "{\"seq\":1,\"kind\":\"drop\",\"kiosk\":12,"));
	assert_non_null(strstr(out, "\"qty\":2500"));
	char want[LEDGER_TOKEN_MAX + 16];
	snprintf(want, sizeof want, "\"receipt\":\"%s\"", fx_expect_token(&d));
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "\"text\":\"hello \\\"staff\\\"\""));
	int lines = 0;
	for (const char *c = out; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_never_creates, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_open_foreign_sqlite, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_init_refuses_existing, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_migration, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_drop_transaction, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_contiguity_and_kinds, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_daily_counters, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_unsynced_points, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_busy_retry, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_outbox, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_wal_checkpoints, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_cli, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
