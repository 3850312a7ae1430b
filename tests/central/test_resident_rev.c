/*
 * test_resident_rev.c — a resident's balance reaches every kiosk's
 * incremental down-sync exactly (store.h resident_touch), on either backend
 * (testdb.h; the _pg twin on a real PostgreSQL, where a touch only marks
 * the resident and catalog_read stamps the marks with a revision). A kiosk
 * here is a view: resident -> balance, and the cursor of its last read.
 *
 * - a drop's batch (points earned and the resident touched, as ingest does)
 *   reaches the next read from the previous cursor, with the new balance;
 * - a batch still running while a kiosk reads, and a second batch holding a
 *   resident another batch already marked, are not skipped by the cursor
 *   that read returned: the read after they commit carries them;
 * - on PostgreSQL a batch's touch takes no revision (meta 'rev' is neither
 *   moved nor locked by it: batches do not wait for each other there);
 * - many batches from threads with their own handles while kiosks read in
 *   a loop: every kiosk's final view equals the store's balances.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"
#include "testdb.h"
#include "wf.h"

#define RESIDENTS 200 /* ids 1..RESIDENTS */
#define WRITERS   6
#define READERS   3
#define BATCHES   60 /* per writer */
#define PER_BATCH 3  /* residents per batch */

struct env {
	char dir[64], path[128], url[1024];
	struct store *s;
};

static struct store *open_url(const char *url)
{
	char why[512];
	struct store *s = NULL;
	if (store_open(url, &s, why, sizeof why) != 0)
		fail_msg("store_open: %s", why);
	return s;
}

static void env_open(struct env *e, int residents)
{
	memset(e, 0, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/wufei-resrev-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof e->path, "%s/c.db", e->dir);
	assert_int_equal(testdb_url(e->url, sizeof e->url, e->path), 0);
	e->s = open_url(e->url);
	for (int id = 1; id <= residents; id++) {
		struct store_resident r = {.id = id};
		snprintf(r.card_hash, sizeof r.card_hash, "card%d", id);
		snprintf(r.name, sizeof r.name, "R%d", id);
		snprintf(r.status, sizeof r.status, "active");
		assert_int_equal(e->s->ops->resident_put(e->s, &r), 0);
	}
}

static void env_close(struct env *e)
{
	char p[200];
	const char *const sfx[] = {"", "-wal", "-shm"};
	store_close(e->s);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", e->path, sfx[i]);
		unlink(p);
	}
	rmdir(e->dir);
}

/* A kiosk's catalogue of residents: balance per id (-1: never sent). */
struct view {
	int64_t cursor; /* -1: never read */
	int64_t balance[RESIDENTS + 1];
	int got[RESIDENTS + 1]; /* sent by the last read */
	int bad;                /* a balance that went down, or an id out of range */
};

static void view_init(struct view *v)
{
	v->cursor = -1;
	for (int i = 0; i <= RESIDENTS; i++)
		v->balance[i] = -1;
	v->bad = 0;
}

static int view_resident(void *ctx, const struct store_resident *r)
{
	struct view *v = ctx;
	if (r->id < 1 || r->id > RESIDENTS || r->points_balance < v->balance[r->id]) {
		v->bad++; /* balances here only grow */
		return 0;
	}
	v->balance[r->id] = r->points_balance;
	v->got[r->id] = 1;
	return 0;
}

/* One incremental down-sync from the view's cursor; 0 or the store's error. */
static int view_sync(struct store *s, struct view *v)
{
	memset(v->got, 0, sizeof v->got);
	struct store_catalog_fns f = {.ctx = v, .resident = view_resident};
	int64_t now = 0;
	int rc = s->ops->catalog_read(s, v->cursor, &f, &now);
	if (!rc && now < v->cursor)
		v->bad++; /* a cursor never goes back */
	if (!rc)
		v->cursor = now;
	return rc;
}

/* A batch's ledger work as ingest does it: earned entries, then the touches
 * in ascending id. Opens the transaction; the caller ends it. */
static int batch_begin(struct store *s, const int64_t *ids, int n, int64_t points, uint32_t kiosk,
                       uint32_t *seq)
{
	struct store_points_entry e[PER_BATCH];
	for (int k = 0; k < n; k++)
		e[k] = (struct store_points_entry){.resident = ids[k],
		                                   .kind = STORE_POINTS_EARNED,
		                                   .points = points,
		                                   .kiosk = kiosk,
		                                   .seq = ++*seq,
		                                   .at_s = 100,
		                                   .actor = "kiosk"};
	int rc = s->ops->begin(s);
	if (!rc)
		rc = s->ops->points_earn(s, e, (size_t)n);
	for (int k = 0; !rc && k < n; k++)
		rc = s->ops->resident_touch(s, ids[k]);
	return rc;
}

static void batch(struct store *s, int64_t id, int64_t points, uint32_t kiosk, uint32_t *seq)
{
	assert_int_equal(batch_begin(s, &id, 1, points, kiosk, seq), 0);
	assert_int_equal(s->ops->commit(s), 0);
}

static int64_t balance(struct store *s, int64_t id)
{
	int64_t b = 0;
	assert_int_equal(s->ops->points_balance(s, id, &b), 0);
	return b;
}

static void test_drop_reaches_next_sync(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, 3);
	struct view v;
	view_init(&v);
	uint32_t seq = 0;
	assert_int_equal(view_sync(e.s, &v), 0);
	assert_int_equal(v.balance[2], 0);
	batch(e.s, 2, 7, 1, &seq);
	assert_int_equal(view_sync(e.s, &v), 0);
	assert_true(v.got[2]);
	assert_false(v.got[1] || v.got[3]); /* only the one whose balance moved */
	assert_int_equal(v.balance[2], 7);
	assert_int_equal(view_sync(e.s, &v), 0); /* nothing new: nothing sent */
	assert_false(v.got[1] || v.got[2] || v.got[3]);
	batch(e.s, 2, 5, 1, &seq);
	batch(e.s, 3, 1, 1, &seq);
	assert_int_equal(view_sync(e.s, &v), 0);
	assert_true(v.got[2] && v.got[3]);
	assert_int_equal(v.balance[2], 12);
	assert_int_equal(v.balance[3], 1);
	assert_int_equal(v.bad, 0);
	env_close(&e);
}

/* Batches still running while a kiosk reads: the cursor it gets does not
 * pass them; the read after they commit carries their balances. */
static void test_running_batch_not_skipped(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, 2);
	struct store *b = open_url(e.url), *c = open_url(e.url);
	struct view v;
	view_init(&v);
	uint32_t seq_a = 0, seq_b = 0, seq_c = 0;
	batch(e.s, 1, 10, 1, &seq_a);
	assert_int_equal(view_sync(e.s, &v), 0);
	assert_int_equal(v.balance[1], 10);
	/* b's batch runs across a read */
	int64_t one = 1;
	assert_int_equal(batch_begin(b, &one, 1, 5, 2, &seq_b), 0);
	assert_int_equal(view_sync(e.s, &v), 0);
	assert_int_equal(v.balance[1], 10); /* not committed: not seen */
	assert_int_equal(b->ops->commit(b), 0);
	assert_int_equal(view_sync(e.s, &v), 0);
	assert_true(v.got[1]);
	assert_int_equal(v.balance[1], 15);
	/* resident 2: b's batch commits its mark; c's batch, touching it too,
	 * runs across a read that may stamp b's mark */
	int64_t two = 2;
	batch(b, 2, 3, 2, &seq_b);
	assert_int_equal(batch_begin(c, &two, 1, 4, 3, &seq_c), 0);
	assert_int_equal(view_sync(e.s, &v), 0);
	assert_int_equal(c->ops->commit(c), 0);
	assert_int_equal(view_sync(e.s, &v), 0);
	assert_int_equal(v.balance[2], 7);
	assert_int_equal(balance(e.s, 2), 7);
	assert_int_equal(view_sync(e.s, &v), 0); /* and then nothing more */
	assert_false(v.got[1] || v.got[2]);
	assert_int_equal(v.bad, 0);
	store_close(b);
	store_close(c);
	env_close(&e);
}

/* PostgreSQL: a running batch's touch neither moves nor locks meta 'rev'
 * (batches of every central do not queue on one row); its read stamps it. */
static void test_touch_takes_no_shared_row(void **state)
{
	(void)state;
	if (!testdb_is_pg())
		skip(); /* SQLite has one writer: its touch writes the revision at once */
	struct env e;
	env_open(&e, 2);
	struct store *b = open_url(e.url);
	struct view v;
	view_init(&v);
	assert_int_equal(view_sync(e.s, &v), 0);
	long rev = testdb_count(e.url, "SELECT value FROM meta WHERE key = 'rev'");
	uint32_t seq = 0;
	int64_t one = 1;
	assert_int_equal(batch_begin(b, &one, 1, 9, 2, &seq), 0);
	assert_int_equal(testdb_exec(e.url,
	                             "BEGIN; SELECT value FROM meta WHERE key = 'rev' FOR UPDATE "
	                             "NOWAIT; COMMIT"),
	                 0); /* not locked by the running batch */
	assert_int_equal(b->ops->commit(b), 0);
	assert_int_equal(testdb_count(e.url, "SELECT value FROM meta WHERE key = 'rev'"), rev);
	assert_int_equal(testdb_count(e.url, "SELECT count(*) FROM resident_dirty"), 1);
	assert_int_equal(view_sync(e.s, &v), 0);
	assert_int_equal(v.balance[1], 9);
	assert_int_equal(v.cursor, rev + 1); /* one revision for the stamp */
	assert_int_equal(testdb_count(e.url, "SELECT count(*) FROM resident_dirty"), 0);
	store_close(b);
	env_close(&e);
}

struct race {
	const char *url;
	int i;
	atomic_int *writers_left;
	pthread_barrier_t *go;
	int rc, syncs;
	struct view v;
};

/* Writer i (kiosk i+1): BATCHES batches of PER_BATCH distinct residents. */
static void *writer(void *arg)
{
	struct race *r = arg;
	char why[256];
	struct store *s = NULL;
	r->rc = store_open(r->url, &s, why, sizeof why);
	unsigned seed = 7u + (unsigned)r->i;
	uint32_t seq = 0;
	pthread_barrier_wait(r->go);
	for (int n = 0; !r->rc && n < BATCHES; n++) {
		int64_t ids[PER_BATCH];
		ids[0] = 1 + rand_r(&seed) % (RESIDENTS - 2 * PER_BATCH);
		for (int k = 1; k < PER_BATCH; k++) /* ascending, distinct */
			ids[k] = ids[k - 1] + 1 + rand_r(&seed) % 2;
		r->rc =
		    batch_begin(s, ids, PER_BATCH, 1 + rand_r(&seed) % 9, (uint32_t)r->i + 1, &seq);
		r->rc = r->rc ? r->rc : s->ops->commit(s);
		if (r->rc)
			fprintf(stderr, "writer %d: %s\n", r->i, store_errmsg(s));
	}
	if (s)
		store_close(s);
	atomic_fetch_sub(r->writers_left, 1);
	return NULL;
}

/* Reader (a kiosk): reads in a loop while writers run, then once more. */
static void *reader(void *arg)
{
	struct race *r = arg;
	char why[256];
	struct store *s = NULL;
	view_init(&r->v);
	r->rc = store_open(r->url, &s, why, sizeof why);
	pthread_barrier_wait(r->go);
	while (!r->rc && atomic_load(r->writers_left) > 0) {
		r->rc = view_sync(s, &r->v);
		r->syncs++;
	}
	if (!r->rc)
		r->rc = view_sync(s, &r->v);
	if (s)
		store_close(s);
	return NULL;
}

static void test_kiosks_see_every_change(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, RESIDENTS);
	pthread_t t[WRITERS + READERS];
	struct race r[WRITERS + READERS];
	atomic_int left = WRITERS;
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, WRITERS + READERS);
	for (int i = 0; i < WRITERS + READERS; i++) {
		r[i] = (struct race){.url = e.url, .i = i, .writers_left = &left, .go = &go};
		pthread_create(&t[i], NULL, i < WRITERS ? writer : reader, &r[i]);
	}
	for (int i = 0; i < WRITERS + READERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	int64_t total = 0;
	for (int i = 0; i < WRITERS + READERS; i++)
		assert_int_equal(r[i].rc, 0);
	for (int id = 1; id <= RESIDENTS; id++) {
		int64_t want = balance(e.s, id);
		total += want;
		for (int k = WRITERS; k < WRITERS + READERS; k++)
			if (r[k].v.balance[id] != want)
				fail_msg("kiosk %d holds %lld for resident %d, the store %lld (%d "
				         "reads)",
				         k - WRITERS, (long long)r[k].v.balance[id], id,
				         (long long)want, r[k].syncs);
	}
	for (int k = WRITERS; k < WRITERS + READERS; k++)
		assert_int_equal(r[k].v.bad, 0);
	assert_true(total > 0);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_drop_reaches_next_sync),
	    cmocka_unit_test(test_running_batch_not_skipped),
	    cmocka_unit_test(test_touch_takes_no_shared_row),
	    cmocka_unit_test(test_kiosks_see_every_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
