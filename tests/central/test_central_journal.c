/*
 * test_central_journal.c — wufei-central under systemd's journal (a real
 * receiver: tests/support/journal_sink.h, a private mount namespace): the
 * lines of a kiosk's signed request carry WUFEI_KIOSK= of that kiosk, an
 * unsigned request's lines carry none (the field does not outlive its
 * request on the server's thread), and nothing goes to standard error.
 * Needs: root (unshare, mount); skipped, saying so, otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "journal_sink.h"

static int g_sink = -1;
static char g_errfile[128];

/* Every entry received, by a thread: central blocks when the socket's
 * short queue is full. */
#define MAX_ENTRIES 256
static struct journal_entry g_entries[MAX_ENTRIES];
static int g_n;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool g_stop;
static pthread_t g_thread;

static void *receive(void *arg)
{
	(void)arg;
	static struct journal_entry e;
	while (!atomic_load(&g_stop)) {
		struct pollfd p = {.fd = g_sink, .events = POLLIN};
		poll(&p, 1, 50);
		while (journal_sink_next(g_sink, &e)) {
			pthread_mutex_lock(&g_mu);
			if (g_n < MAX_ENTRIES)
				g_entries[g_n++] = e;
			pthread_mutex_unlock(&g_mu);
		}
	}
	return NULL;
}

static int setup(void **state)
{
	int fd = journal_sink_open();
	if (fd == -2) {
		*state = NULL;
		return 0; /* skipped, said */
	}
	if (fd < 0)
		return -1;
	g_sink = fd;
	pthread_create(&g_thread, NULL, receive, NULL);
	/* central's standard error is this file, and the journal's stream */
	snprintf(g_errfile, sizeof g_errfile, "/tmp/wufei-central-journal-XXXXXX");
	int efd = mkstemp(g_errfile);
	if (efd < 0 || journal_stream_is(efd) != 0)
		return -1;
	close(efd);
	setenv("WUFEI_TEST_SERVER_STDERR", g_errfile, 1);
	return fx_setup(state);
}

static int teardown(void **state)
{
	if (g_sink < 0)
		return 0;
	int rc = fx_teardown(state);
	atomic_store(&g_stop, true);
	pthread_join(g_thread, NULL);
	unlink(g_errfile);
	return rc;
}

/* The entries whose MESSAGE holds text: how many, and how many of them
 * carry WUFEI_KIOSK=kiosk (NULL: carry none). */
static void count(const char *text, const char *kiosk, int *n, int *with)
{
	*n = *with = 0;
	pthread_mutex_lock(&g_mu);
	for (int i = 0; i < g_n; i++) {
		const char *msg = journal_get(&g_entries[i], "MESSAGE", NULL);
		if (!msg || !strstr(msg, text))
			continue;
		(*n)++;
		const char *k = journal_get(&g_entries[i], "WUFEI_KIOSK", NULL);
		const char *id = journal_get(&g_entries[i], "SYSLOG_IDENTIFIER", NULL);
		assert_non_null(id);
		assert_string_equal(id, "wufei-central");
		if (kiosk ? k && !strcmp(k, kiosk) : !k)
			(*with)++;
	}
	pthread_mutex_unlock(&g_mu);
}

static void test_kiosk_field(void **state)
{
	struct fx *f = *state;
	if (!f)
		skip();
	const char *bad = "not json";
	/* signed by kiosk 7 but not a batch; then the same unsigned; several
	 * times, so that the server's threads serve both kinds */
	for (int i = 0; i < 5; i++) {
		struct http_answer a;
		assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/sync/batch", bad,
		                                 strlen(bad), f->sk, 7, 1, fx_now_s(), &a),
		                 0);
		assert_int_equal(a.status, 400);
		harness_answer_free(&a);
		assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/sync/batch", bad,
		                                 strlen(bad), NULL, 0, 0, 0, &a),
		                 0);
		assert_int_equal(a.status, 401);
		harness_answer_free(&a);
	}
	/* the lines are written as the answers go: wait for all ten */
	int n = 0, with = 0;
	for (int tries = 0; tries < 200; tries++) {
		int n4 = 0, w4 = 0;
		count("/api/v1/sync/batch -> 400", "7", &n, &with);
		count("/api/v1/sync/batch -> 401", NULL, &n4, &w4);
		if (n == 5 && n4 == 5) {
			assert_int_equal(w4, 5); /* unsigned: no kiosk */
			break;
		}
		usleep(20000);
	}
	assert_int_equal(n, 5);
	assert_int_equal(with, 5); /* signed by kiosk 7: WUFEI_KIOSK=7 */
	/* nothing of it on standard error */
	char out[4096] = "";
	FILE *e = fopen(g_errfile, "r");
	assert_non_null(e);
	size_t len = fread(out, 1, sizeof out - 1, e);
	fclose(e);
	out[len] = '\0';
	assert_null(strstr(out, "/api/v1/sync/batch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kiosk_field),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
