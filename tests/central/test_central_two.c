/*
 * test_central_two.c — two `wufei-central serve` processes on one database
 * (issue 13: a city runs several behind one address). On PostgreSQL (the
 * _pg twin) that is the deployment; on SQLite (the plain run) two processes
 * share one file, which must hold as well.
 *
 * Kiosks 7 and 8 send their journals through both centrals: first
 * alternately, batch by batch, then every batch to both at once (the same
 * bytes arriving at two processes together, as after a retry through a load
 * balancer), each batch sent again until answered 200. Afterwards every
 * record is stored exactly once: each was answered "stored" once and
 * "duplicate" otherwise, the database holds as many as were sent, and no
 * alert was raised. A tampered re-send (a stored seq with other bytes)
 * still raises its conflict alert, through either central.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "harness.h"
#include "ops_support.h"
#include "testdb.h"

#define PER_BATCH 10
#define ALTERNATE 10 /* batches per kiosk sent alternately */
#define TOGETHER  20 /* then batches per kiosk sent to both at once */
#define BATCHES   (ALTERNATE + TOGETHER)
#define TRIES     200 /* the test's generous bound on sending one batch again */

/* One sender: the given batches of one kiosk, in order, to one central. */
struct sender {
	int port;
	uint32_t kiosk;
	char **bodies; /* the kiosk's batches */
	unsigned from, to;
	pthread_barrier_t *start;
	struct ops_tally t;
	unsigned gave_up; /* batches never answered 200 */
};

/* Each batch until it is answered 200 (a pause between tries). No asserts. */
static void *sender_main(void *arg)
{
	struct sender *s = arg;
	pthread_barrier_wait(s->start);
	for (unsigned b = s->from; b < s->to; b++) {
		unsigned tries = 0;
		while (ops_post(s->port, s->kiosk, s->bodies[b], &s->t, NULL) != 200) {
			if (++tries == TRIES) {
				s->gave_up++;
				break;
			}
			nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
		}
	}
	return NULL;
}

/* The batch bodies of kiosk's journal: BATCHES of PER_BATCH records. */
static char **journal(uint32_t kiosk)
{
	char **b = calloc(BATCHES, sizeof *b);
	uint8_t prev[WF_HASH_BYTES] = {0};
	assert_non_null(b);
	for (unsigned i = 0; i < BATCHES; i++)
		b[i] = harness_batch_json(kiosk, 1 + i * PER_BATCH, PER_BATCH, prev, 0);
	return b;
}

static void add_tally(struct ops_tally *sum, const struct ops_tally *t)
{
	sum->stored += t->stored;
	sum->duplicate += t->duplicate;
	sum->conflict += t->conflict;
	sum->other += t->other;
	for (unsigned i = 0; i < 600; i++)
		sum->answered[i] += t->answered[i];
}

/* Kiosk 7's record 5 with other bytes (variant 1: 50 g more), chained as
 * record 5 was: its batch body. */
static char *tampered(void)
{
	uint8_t prev[WF_HASH_BYTES] = {0};
	free(harness_batch_json(7, 1, 4, prev, 0));
	return harness_batch_json(7, 5, 1, prev, 1);
}

static void test_two_centrals(void **state)
{
	(void)state;
	char dir[] = "/tmp/wufei-two-test-XXXXXX", db[600], url[600];
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/central.db", dir);
	assert_int_equal(testdb_url(url, sizeof url, db), 0);
	ops_store(url, dir);
	struct central_proc a, b;
	assert_int_equal(harness_start(&a, url, 0), 0);
	assert_int_equal(harness_start(&b, url, 0), 0);
	curl_global_init(CURL_GLOBAL_ALL); /* before the threads */
	char **j7 = journal(7), **j8 = journal(8);
	struct ops_tally sum = {0};
	/* alternately: batch i of kiosk 7 to one central, of kiosk 8 to the other */
	for (unsigned i = 0; i < ALTERNATE; i++) {
		assert_int_equal(ops_post(i % 2 ? a.port : b.port, 7, j7[i], &sum, NULL), 200);
		assert_int_equal(ops_post(i % 2 ? b.port : a.port, 8, j8[i], &sum, NULL), 200);
	}
	/* together: every batch of both kiosks to both centrals at once */
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, 4);
	static struct sender s[4];
	for (unsigned i = 0; i < 4; i++) {
		s[i] = (struct sender){.port = i % 2 ? b.port : a.port,
		                       .kiosk = i < 2 ? 7 : 8,
		                       .bodies = i < 2 ? j7 : j8,
		                       .from = ALTERNATE,
		                       .to = BATCHES,
		                       .start = &start};
	}
	pthread_t th[4];
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, sender_main, &s[i]), 0);
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(s[i].gave_up, 0);
		add_tally(&sum, &s[i].t);
	}
	pthread_barrier_destroy(&start);
	/* every record stored once, answered duplicate the other time */
	unsigned total = 2 * BATCHES * PER_BATCH, twice = 2 * TOGETHER * PER_BATCH;
	print_message("answers: %u stored, %u duplicate; %u batches refused 503, %u 500\n",
	              sum.stored, sum.duplicate, sum.answered[503], sum.answered[500]);
	assert_int_equal(sum.stored, total);
	assert_int_equal(sum.duplicate, twice);
	assert_int_equal(sum.conflict + sum.other, 0);
	assert_int_equal(sum.answered[500], 0);
	assert_int_equal(testdb_count(url, "SELECT COUNT(*) FROM records"), total);
	assert_int_equal(testdb_count(url, "SELECT COUNT(*) FROM tamper_alerts"), 0);
	/* a tampered re-send is a conflict, with its alert, through either central */
	char *bad = tampered();
	struct ops_tally t = {0};
	assert_int_equal(ops_post(b.port, 7, bad, &t, NULL), 200);
	assert_int_equal(t.conflict, 1);
	assert_int_equal(ops_post(a.port, 7, bad, &t, NULL), 200);
	assert_int_equal(t.conflict, 2);
	assert_true(testdb_count(url, "SELECT COUNT(*) FROM tamper_alerts WHERE reason = "
	                              "'conflict' AND kiosk = 7 AND seq = 5") >= 1);
	assert_int_equal(testdb_count(url, "SELECT COUNT(*) FROM tamper_alerts WHERE reason <> "
	                                   "'conflict' OR seq <> 5"),
	                 0);
	assert_int_equal(testdb_count(url, "SELECT COUNT(*) FROM records"), total);
	free(bad);
	for (unsigned i = 0; i < BATCHES; i++)
		free(j7[i]), free(j8[i]);
	free(j7), free(j8);
	assert_int_equal(harness_stop(&a, SIGTERM), 0);
	assert_int_equal(harness_stop(&b, SIGTERM), 0);
	ops_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_centrals),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_kill_started();
	return rc;
}
