/*
 * test_office_burst.c — the login throttle under simultaneous guesses,
 * through a real wufei-central (16 request threads, --db-connections 4,
 * room for 64 connections from one address) over real HTTP: 64 clients send wrong passwords for one
 * user at the same moment; only OFFICE_THROTTLE_FREE of them get a password checked (401,
 * "login_failed" in the audit log), every other one is refused unchecked
 * (429), and the right password is refused after the burst until the
 * window has passed (central restarted with its clock moved on). And a
 * right password after a few failures still logs in, and again and again,
 * without the address running into the throttle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "harness.h"
#include "office.h"
#include "office_client.h"
#include "testdb.h"
#include "wf_test.h"

enum { CLIENTS = 64 };

struct fx {
	char dir[256], url[300];
	struct central_proc c;
};

static const char *const serve_args[] = {
    "--threads", "16", "--db-connections", "4", "--per-ip-connections", "64", NULL};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/wufei-office-burst-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char db[300];
	snprintf(db, sizeof db, "%s/central.db", f->dir);
	assert_int_equal(testdb_url(f->url, sizeof f->url, db), 0);
	assert_int_equal(
	    harness_cli_input(f->url, "oli password\n", NULL, 0,
	                      (const char *[]){"user", "add", "oli", "--role", "operator", NULL}),
	    0);
	assert_int_equal(harness_start_args(&f->c, f->url, 0, serve_args), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int rc = harness_stop(&f->c, SIGTERM);
	harness_store_drop(f->url);
	wf_test_sh(NULL, 0, "rm -rf '%s'", f->dir);
	free(f);
	assert_int_equal(rc, 0);
	return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* One client of the burst: waits for the start, then one wrong password. */
struct client {
	int port;
	pthread_barrier_t *start;
	long status; /* the answer's, 0 when none came */
	char form[80];
};

static void *client_run(void *arg)
{
	struct client *c = arg;
	char url[80];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/office/login", c->port);
	CURL *h = curl_easy_init();
	if (!h)
		return NULL;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->form);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	pthread_barrier_wait(c->start);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
	curl_easy_cleanup(h);
	return NULL;
}

/* How many times needle is in hay. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void audit(struct fx *f, char *out, size_t cap)
{
	assert_int_equal(harness_cli(f->url, out, cap, (const char *[]){"audit", "list", NULL}), 0);
}

static void login(struct fx *f, const char *form, long want)
{
	struct office_resp r;
	office_request(f->c.port, NULL, "/office/login", NULL, form, NULL, NULL, &r);
	assert_int_equal(r.status, want);
}

static void test_burst(void **state)
{
	struct fx *f = *state;
	static struct client cl[CLIENTS];
	pthread_t th[CLIENTS];
	pthread_barrier_t start;
	assert_int_equal(pthread_barrier_init(&start, NULL, CLIENTS), 0);
	for (int i = 0; i < CLIENTS; i++) {
		cl[i] = (struct client){.port = f->c.port, .start = &start};
		snprintf(cl[i].form, sizeof cl[i].form, "user=oli&password=guess+%d", i);
		assert_int_equal(pthread_create(&th[i], NULL, client_run, &cl[i]), 0);
	}
	int wrong = 0, throttled = 0;
	for (int i = 0; i < CLIENTS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		wrong += cl[i].status == 401;
		throttled += cl[i].status == 429;
	}
	pthread_barrier_destroy(&start);
	print_message("burst: %d checked (401), %d refused unchecked (429)\n", wrong, throttled);
	/* only the free tries had their password checked; the rest waited */
	assert_int_equal(wrong, OFFICE_THROTTLE_FREE);
	assert_int_equal(throttled, CLIENTS - OFFICE_THROTTLE_FREE);
	/* the right password is refused now too */
	login(f, "user=oli&password=oli+password", 429);
	static char out[65536];
	audit(f, out, sizeof out);
	assert_int_equal(count_of(out, "\toli\t127.0.0.1\tlogin_failed\t"), OFFICE_THROTTLE_FREE);
	assert_int_equal(count_of(out, "\toli\t127.0.0.1\tlogin_throttled\t"),
	                 CLIENTS - OFFICE_THROTTLE_FREE + 1);
	/* once the window has passed (central's clock moved on), it is taken */
	assert_int_equal(harness_stop(&f->c, SIGTERM), 0);
	assert_int_equal(
	    harness_start_args(&f->c, f->url, OFFICE_THROTTLE_WINDOW_S + 10, serve_args), 0);
	login(f, "user=oli&password=oli+password", 303);
}

static void test_success_after_failures(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < OFFICE_THROTTLE_FREE - 1; i++)
		login(f, "user=oli&password=a+guess", 401);
	/* the right password still works, and again: the successes leave no
	 * attempts behind for the address */
	for (int i = 0; i < 2 * OFFICE_THROTTLE_FREE; i++)
		login(f, "user=oli&password=oli+password", 303);
	/* the user's count started again; the address keeps its four failures,
	 * so one more wrong password is checked, and the next try waits */
	login(f, "user=oli&password=a+guess", 401);
	login(f, "user=oli&password=oli+password", 429);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_burst, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_success_after_failures, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_kill_started();
	return rc;
}
