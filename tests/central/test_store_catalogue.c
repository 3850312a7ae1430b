/*
 * test_store_catalogue.c — the catalogue and the points ledger through the
 * store interface on either backend (testdb.h; the _pg twin on a real
 * PostgreSQL): rate versions, tombstones and the incremental down-sync, the
 * card key; then what several centrals on one database must not get wrong,
 * each thread with its OWN store handle (on PostgreSQL its own connection):
 * every catalogue change gets its own revision, one card is enrolled to one
 * identity only, rate versions never collide, and batches earning points
 * for the same residents in opposite orders all land, totals adding up.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
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

#define THREADS 32

struct env {
	char dir[64], path[128], url[1024];
	struct store *s;
};

static void env_open(struct env *e)
{
	char why[512];
	memset(e, 0, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/wufei-catstore-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof e->path, "%s/c.db", e->dir);
	assert_int_equal(testdb_url(e->url, sizeof e->url, e->path), 0);
	assert_int_equal(store_open(e->url, &e->s, why, sizeof why), 0);
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

static struct store_resident resident(int64_t id, const char *card)
{
	struct store_resident r = {.id = id};
	snprintf(r.card_hash, sizeof r.card_hash, "%s", card);
	snprintf(r.name, sizeof r.name, "R*");
	snprintf(r.status, sizeof r.status, "active");
	return r;
}

static struct store_staff staff(int64_t id, const char *card)
{
	struct store_staff st = {.id = id};
	snprintf(st.card_hash, sizeof st.card_hash, "%s", card);
	snprintf(st.name, sizeof st.name, "Staff");
	snprintf(st.role, sizeof st.role, "staff");
	snprintf(st.pin_hash, sizeof st.pin_hash, "x");
	return st;
}

static struct wf_category paper(void)
{
	return (struct wf_category){.id = 1,
	                            .code = "paper",
	                            .name = "Paper",
	                            .unit = WF_UNIT_GRAM,
	                            .rate = 2000,
	                            .min_qty = 50,
	                            .max_qty = 50000,
	                            .daily_limit_qty = 20000};
}

/* What one catalog_read delivered. */
struct seen {
	int residents, staff, blocks, categories, rates;
	char deleted[8][48];
	int ndeleted;
	int64_t balance_of_1; /* resident 1's down-sync balance, -1 when not read */
};

static int seen_resident(void *ctx, const struct store_resident *r)
{
	struct seen *s = ctx;
	s->residents++;
	if (r->id == 1)
		s->balance_of_1 = r->points_balance;
	return 0;
}
static int seen_staff(void *ctx, const struct store_staff *st)
{
	(void)st;
	((struct seen *)ctx)->staff++;
	return 0;
}
static int seen_block(void *ctx, const struct store_block *b)
{
	(void)b;
	((struct seen *)ctx)->blocks++;
	return 0;
}
static int seen_category(void *ctx, const struct wf_category *c)
{
	(void)c;
	((struct seen *)ctx)->categories++;
	return 0;
}
static int seen_rate(void *ctx, const struct store_rate *r)
{
	(void)r;
	((struct seen *)ctx)->rates++;
	return 0;
}
static int seen_deleted(void *ctx, const char *table, const char *key)
{
	struct seen *s = ctx;
	if (s->ndeleted < 8)
		snprintf(s->deleted[s->ndeleted++], sizeof s->deleted[0], "%s/%s", table, key);
	return 0;
}

static struct seen read_since(struct store *s, int64_t since, int64_t *rev_now)
{
	struct seen out = {.balance_of_1 = -1};
	struct store_catalog_fns f = {.ctx = &out,
	                              .category = seen_category,
	                              .resident = seen_resident,
	                              .staff = seen_staff,
	                              .block = seen_block,
	                              .deleted = seen_deleted,
	                              .rate = seen_rate};
	assert_int_equal(s->ops->catalog_read(s, since, &f, rev_now), 0);
	return out;
}

static void test_catalogue(void **state)
{
	(void)state;
	struct env e;
	env_open(&e);
	struct store *s = e.s;
	/* rate versions: each set appends one, the category keeps the current */
	struct wf_category c = paper();
	assert_int_equal(s->ops->rate_set(s, &c, 100), 0);
	assert_int_equal(c.rate_version, 1u);
	c.rate = 2500;
	c.has_anon_cap = true;
	c.anon_cap_qty = 3000;
	assert_int_equal(s->ops->rate_set(s, &c, 200), 0);
	assert_int_equal(c.rate_version, 2u);
	struct store_rate r;
	assert_int_equal(s->ops->rate_get(s, 1, 1, &r), 0);
	assert_int_equal(r.rate, 2000);
	assert_false(r.has_anon_cap);
	assert_int_equal(r.created_s, 100);
	assert_int_equal(s->ops->rate_get(s, 1, 2, &r), 0);
	assert_int_equal(r.rate, 2500);
	assert_true(r.has_anon_cap);
	assert_int_equal(r.anon_cap_qty, 3000);
	assert_int_equal(s->ops->rate_get(s, 1, 3, &r), WF_ENOENT);
	int64_t limit = 0;
	assert_int_equal(s->ops->category_limit(s, 1, &limit), 0);
	assert_int_equal(limit, 20000);
	assert_int_equal(s->ops->category_limit(s, 9, &limit), WF_ENOENT);
	/* residents (an opening balance is a ledger entry), staff, a blocked card */
	struct store_resident r1 = resident(1, "c1");
	r1.points_balance = 40;
	assert_int_equal(s->ops->resident_put(s, &r1), 0);
	struct store_resident r2 = resident(2, "c2");
	assert_int_equal(s->ops->resident_put(s, &r2), 0);
	struct store_staff st = staff(7, "c7");
	assert_int_equal(s->ops->staff_put(s, &st), 0);
	assert_int_equal(s->ops->block_put(s, &(struct store_block){"c9", "lost"}), 0);
	int64_t rev = 0;
	struct seen all = read_since(s, -1, &rev);
	assert_int_equal(all.residents, 2);
	assert_int_equal(all.staff, 1);
	assert_int_equal(all.blocks, 1);
	assert_int_equal(all.categories, 1);
	assert_int_equal(all.rates, 2);
	assert_int_equal(all.balance_of_1, 40);
	/* nothing changed since: nothing but the rates list */
	struct seen none = read_since(s, rev, NULL);
	assert_int_equal(none.residents + none.staff + none.blocks + none.categories, 0);
	/* an update keeps the balance; a block, a touch, removals reach the next read */
	r1.points_balance = 999;
	snprintf(r1.name, sizeof r1.name, "S*");
	assert_int_equal(s->ops->resident_put(s, &r1), 0);
	int64_t bal = 0;
	assert_int_equal(s->ops->points_balance(s, 1, &bal), 0);
	assert_int_equal(bal, 40);
	assert_int_equal(s->ops->resident_block(s, 2, "lost card"), 0);
	assert_int_equal(s->ops->resident_block(s, 42, "x"), WF_ENOENT);
	assert_int_equal(s->ops->resident_touch(s, 42), 0); /* unknown: not an error */
	assert_int_equal(s->ops->staff_remove(s, 7), 0);
	assert_int_equal(s->ops->staff_remove(s, 7), WF_ENOENT);
	assert_int_equal(s->ops->resident_remove(s, 2), 0);
	char status[16];
	assert_int_equal(s->ops->resident_status(s, 1, status), 1);
	assert_string_equal(status, "active");
	assert_int_equal(s->ops->resident_status(s, 2, status), 0);
	struct seen later = read_since(s, rev, NULL);
	assert_int_equal(later.residents, 1); /* 1 changed; 2 blocked, then removed */
	assert_int_equal(later.staff, 0);
	assert_int_equal(later.ndeleted, 2);
	assert_string_equal(later.deleted[0], "staff/7");
	assert_string_equal(later.deleted[1], "residents/2");
	/* the freed card can go to staff now; a held one cannot */
	st = staff(8, "c2");
	assert_int_equal(s->ops->staff_put(s, &st), 0);
	st = staff(9, "c1");
	assert_int_equal(s->ops->staff_put(s, &st), WF_EEXIST);
	assert_non_null(strstr(store_errmsg(s), "already enrolled to resident 1"));
	/* one card key, the same through another handle */
	uint32_t v1 = 0, v2 = 0;
	uint8_t k1[32], k2[32], zero[32] = {0};
	assert_int_equal(s->ops->card_key_get(s, &v1, k1), 0);
	struct store *other = NULL;
	char why[256];
	assert_int_equal(store_open(e.url, &other, why, sizeof why), 0);
	assert_int_equal(other->ops->card_key_get(other, &v2, k2), 0);
	store_close(other);
	assert_int_equal(v1, 1u);
	assert_int_equal(v2, 1u);
	assert_memory_equal(k1, k2, 32);
	assert_memory_not_equal(k1, zero, 32);
	env_close(&e);
}

/* ---- several handles at once ---- */

struct racer {
	pthread_barrier_t *go;
	struct store *s;
	int i;
	int rc;
};

/* Runs fn on THREADS threads, each with its own handle on e's database, released together. */
static void race(struct env *e, struct racer *rs, void *(*fn)(void *))
{
	char why[512];
	pthread_t th[THREADS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		rs[i] = (struct racer){.go = &go, .i = i};
		assert_int_equal(store_open(e->url, &rs[i].s, why, sizeof why), 0);
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, fn, &rs[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < THREADS; i++)
		store_close(rs[i].s);
}

/* Thread i enrols resident 100+i, then touches it. */
static void *put_racer(void *arg)
{
	struct racer *r = arg;
	char card[16];
	snprintf(card, sizeof card, "p%d", r->i);
	struct store_resident res = resident(100 + r->i, card);
	pthread_barrier_wait(r->go);
	r->rc = r->s->ops->resident_put(r->s, &res);
	if (!r->rc)
		r->rc = r->s->ops->resident_touch(r->s, 100 + r->i);
	return NULL;
}

/* Even threads enrol a resident, odd ones a staff member, all with card "same". */
static void *card_racer(void *arg)
{
	struct racer *r = arg;
	struct store_resident res = resident(200 + r->i, "same");
	struct store_staff st = staff(200 + r->i, "same");
	pthread_barrier_wait(r->go);
	r->rc = r->i % 2 ? r->s->ops->staff_put(r->s, &st) : r->s->ops->resident_put(r->s, &res);
	return NULL;
}

static void *rate_racer(void *arg)
{
	struct racer *r = arg;
	struct wf_category c = paper();
	c.rate = 1000 + r->i;
	pthread_barrier_wait(r->go);
	r->rc = r->s->ops->rate_set(r->s, &c, 1000 + r->i);
	return NULL;
}

static void test_catalogue_races(void **state)
{
	(void)state;
	struct env e;
	static struct racer rs[THREADS];
	env_open(&e);
	int64_t rev0 = 0;
	read_since(e.s, -1, &rev0);
	/* every change its own revision: 2 per thread, none shared or lost */
	race(&e, rs, put_racer);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(rs[i].rc, 0);
	int64_t rev = 0;
	struct seen got = read_since(e.s, rev0, &rev);
	assert_int_equal(got.residents, THREADS);
	/* PostgreSQL: the touches only mark; the read stamps them all with one
	 * revision (store.h resident_touch) */
	int touch_revs = testdb_is_pg() ? 1 : THREADS;
	assert_int_equal(rev, rev0 + THREADS + touch_revs);
	assert_int_equal(testdb_count(e.url, "SELECT COUNT(DISTINCT rev) FROM residents"),
	                 touch_revs);
	/* one card, one identity: one of residents and staff gets it */
	race(&e, rs, card_racer);
	int won = 0;
	for (int i = 0; i < THREADS; i++) {
		if (rs[i].rc == 0)
			won++;
		else
			assert_int_equal(rs[i].rc, WF_EEXIST);
	}
	assert_int_equal(won, 1);
	assert_int_equal(testdb_count(e.url, "SELECT (SELECT COUNT(*) FROM residents WHERE "
	                                     "card_hash = 'same') + (SELECT COUNT(*) FROM staff "
	                                     "WHERE card_hash = 'same')"),
	                 1);
	/* rate versions 1..THREADS, each once */
	race(&e, rs, rate_racer);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(rs[i].rc, 0);
	assert_int_equal(testdb_count(e.url, "SELECT COUNT(DISTINCT version) FROM rates WHERE "
	                                     "category = 1 AND version BETWEEN 1 AND 32"),
	                 THREADS);
	env_close(&e);
}

/* Thread i (kiosk i+1) earns 1..16 points for each of residents 1..16 in one batch, odd
 * threads in descending resident order. */
enum { EARN_RESIDENTS = 16 };

static void *earn_racer(void *arg)
{
	struct racer *r = arg;
	struct store_points_entry e[EARN_RESIDENTS];
	for (int k = 0; k < EARN_RESIDENTS; k++) {
		int64_t who = r->i % 2 ? EARN_RESIDENTS - k : k + 1;
		e[k] = (struct store_points_entry){.resident = who,
		                                   .kind = STORE_POINTS_EARNED,
		                                   .points = who,
		                                   .kiosk = (uint32_t)r->i + 1,
		                                   .seq = (uint32_t)k + 1,
		                                   .at_s = 100,
		                                   .actor = "k\"\\"}; /* quoted in an array */
	}
	pthread_barrier_wait(r->go);
	struct store *s = r->s;
	r->rc = s->ops->begin(s);
	if (!r->rc)
		r->rc = s->ops->points_earn(s, e, EARN_RESIDENTS);
	if (!r->rc)
		r->rc = s->ops->commit(s);
	else
		s->ops->rollback(s);
	return NULL;
}

static int count_bad(void *ctx, int64_t resident, int64_t total, int64_t sum)
{
	(void)resident;
	(void)total;
	(void)sum;
	(*(int *)ctx)++;
	return 0;
}

static void test_earn_race(void **state)
{
	(void)state;
	struct env e;
	static struct racer rs[THREADS];
	env_open(&e);
	race(&e, rs, earn_racer);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(rs[i].rc, 0);
	for (int64_t who = 1; who <= EARN_RESIDENTS; who++) {
		int64_t bal = 0;
		assert_int_equal(e.s->ops->points_balance(e.s, who, &bal), 0);
		assert_int_equal(bal, who * THREADS);
	}
	int bad = 0;
	int64_t residents = 0;
	assert_int_equal(e.s->ops->points_check(e.s, count_bad, &bad, &residents), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(residents, EARN_RESIDENTS);
	assert_int_equal(testdb_count(e.url, "SELECT COUNT(*) FROM points_entries WHERE actor = "
	                                     "'k\"\\' AND reason = '' AND idem_key IS NULL"),
	                 THREADS * EARN_RESIDENTS);
	/* the same (kiosk, seq) earned twice: refused, nothing written */
	struct store_points_entry again = {.resident = 1,
	                                   .kind = STORE_POINTS_EARNED,
	                                   .points = 5,
	                                   .kiosk = 1,
	                                   .seq = 1,
	                                   .at_s = 100,
	                                   .actor = "kiosk"};
	assert_int_equal(e.s->ops->points_append(e.s, &again, NULL), WF_EEXIST);
	int64_t bal = 0;
	assert_int_equal(e.s->ops->points_balance(e.s, 1, &bal), 0);
	assert_int_equal(bal, THREADS);
	/* history in order, with running balances; an entry found by its key */
	struct store_points_entry spend = {.resident = 1,
	                                   .kind = STORE_POINTS_REDEEMED,
	                                   .points = -3,
	                                   .at_s = 200,
	                                   .actor = "shop \"A\"",
	                                   .key = "k-1"};
	int64_t after = 0;
	assert_int_equal(e.s->ops->points_append(e.s, &spend, &after), 0);
	assert_int_equal(after, THREADS - 3);
	struct store_points_entry found;
	assert_int_equal(e.s->ops->points_by_key(e.s, "k-1", &found), 1);
	assert_int_equal(found.id, spend.id);
	assert_int_equal(found.balance_after, THREADS - 3);
	assert_string_equal(found.actor, "shop \"A\"");
	assert_int_equal(e.s->ops->points_by_key(e.s, "k-2", &found), 0);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catalogue),
	    cmocka_unit_test(test_catalogue_races),
	    cmocka_unit_test(test_earn_race),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
