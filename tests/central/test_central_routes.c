/*
 * test_central_routes.c — central's route table and log over real HTTP: a
 * method a known path does not take is answered 405 with an Allow header; a
 * request target carrying terminal escape sequences and a newline reaches
 * central's log escaped; a flood of rejected requests leaves a bounded log
 * that counts the lines it left out. The log is central's standard error,
 * caught in a file (WUFEI_TEST_SERVER_STDERR, harness.h).
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "fixture.h"
#include "harness.h"
#include "log.h"
#include "wf_test.h"

/* A request with method to path: its status, Allow header and error code. */
static void expect_status(struct fx *f, const char *method, const char *path, long status,
                          const char *allow)
{
	struct http_answer a;
	assert_int_equal(harness_request(f->c.port, method, path, NULL, 0, NULL, 0, 0, 0, &a), 0);
	printf("%s %s -> %ld (Allow: %s)\n", method, path, a.status, a.allow);
	assert_int_equal(a.status, status);
	assert_string_equal(a.allow, allow);
	if (status == 405 && strcmp(method, "HEAD") != 0) {
		json_t *j = fx_answer_json(&a);
		assert_string_equal(json_string_value(json_object_get(j, "error")),
		                    "method_not_allowed");
		json_decref(j);
	}
	harness_answer_free(&a);
}

/* Each path once in the table, with the methods it takes; the rest 405. */
static void test_method_not_allowed(void **state)
{
	struct fx *f = *state;
	expect_status(f, "GET", "/api/v1/time", 200, "");
	expect_status(f, "HEAD", "/api/v1/time", 200, "");
	expect_status(f, "DELETE", "/api/v1/time", 405, "GET, HEAD");
	expect_status(f, "POST", "/api/v1/time", 405, "GET, HEAD");
	expect_status(f, "GET", "/api/v1/sync/batch", 405, "POST");
	expect_status(f, "PUT", "/api/v1/kiosk/epoch", 405, "POST");
	expect_status(f, "DELETE", "/api/v1/kiosk/heartbeat", 405, "POST");
	expect_status(f, "POST", "/api/v1/sync/down", 405, "GET");
	expect_status(f, "GET", "/api/v1/receipts/claim", 405, "POST");
	expect_status(f, "POST", "/r/AAAA", 405, "GET, HEAD");
	expect_status(f, "DELETE", "/R/AAAA", 405, "GET, HEAD");
	expect_status(f, "GET", "/api/v1/nothing", 404, "");
	expect_status(f, "DELETE", "/nothing", 404, "");
	/* nothing reached the store */
	assert_int_equal(fx_records(f), 0);
}

/* Restarts the fixture's central with its standard error (the log) in path. */
static void restart_logging_to(struct fx *f, char *path, size_t cap)
{
	snprintf(path, cap, "%s/central.log", f->dir);
	assert_int_equal(harness_stop(&f->c, SIGTERM), 0);
	setenv("WUFEI_TEST_SERVER_STDERR", path, 1);
	assert_int_equal(harness_start(&f->c, f->db_url, 0), 0);
	unsetenv("WUFEI_TEST_SERVER_STDERR");
}

/* Stops the central (its log says what it still counts) and reads the log. */
static char *stop_and_read_log(struct fx *f, const char *path, size_t *len)
{
	assert_int_equal(harness_stop(&f->c, SIGTERM), 0);
	FILE *in = fopen(path, "rb");
	assert_non_null(in);
	size_t cap = 1 << 20;
	char *text = malloc(cap + 1);
	assert_non_null(text);
	*len = fread(text, 1, cap, in);
	text[*len] = '\0';
	fclose(in);
	assert_int_equal(harness_start(&f->c, f->db_url, 0), 0); /* for fx_teardown */
	return text;
}

static void test_log_escapes_target(void **state)
{
	struct fx *f = *state;
	char path[600];
	restart_logging_to(f, path, sizeof path);
	/* An OSC title sequence, a bell, a CSI screen clear and a (percent-encoded)
	 * newline starting a forged line, in the path of a receipt page. */
	static const char req[] = "GET /r/\x1b]0;pwned\x07\x1b[2J%0Afake%20line HTTP/1.1\r\n"
	                          "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
	assert_int_equal(harness_raw(f->c.port, req, sizeof req - 1), 404);
	size_t len = 0;
	char *log = stop_and_read_log(f, path, &len);
	printf("%s", log);
	assert_non_null(strstr(log, "wufei-central: info: GET "
	                            "/r/\\x1b]0;pwned\\x07\\x1b[2J\\nfake line -> 404\n"));
	for (size_t i = 0; i < len; i++)
		assert_true(log[i] == '\n' || ((unsigned char)log[i] >= 0x20 && log[i] != 0x7f));
	assert_null(strstr(log, "\nfake line"));
	free(log);
}

/* The sum of the counts of "(N similar lines left out)" in text. */
static long left_out(const char *text)
{
	static const char tail[] = " similar lines left out)";
	long sum = 0;
	for (const char *p = strstr(text, tail); p; p = strstr(p + 1, tail)) {
		const char *q = p;
		while (q > text && q[-1] >= '0' && q[-1] <= '9')
			q--;
		assert_true(q < p && q > text && q[-1] == '(');
		sum += strtol(q, NULL, 10);
	}
	return sum;
}

static long count_of(const char *text, const char *what)
{
	long n = 0;
	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static void test_log_flood_bounded(void **state)
{
	struct fx *f = *state;
	char path[600];
	restart_logging_to(f, path, sizeof path);
	long n = wf_test_loops(4000);
	if (n < 1000)
		n = 1000;
	/* unsigned batches: each refused 401, each a log line of one kind */
	static const char req[] = "POST /api/v1/sync/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	                          "Content-Length: 0\r\nConnection: close\r\n\r\n";
	time_t t0 = time(NULL);
	for (long i = 0; i < n; i++)
		assert_int_equal(harness_raw(f->c.port, req, sizeof req - 1), 401);
	long seconds = (long)(time(NULL) - t0) + 1;
	size_t len = 0;
	char *log = stop_and_read_log(f, path, &len);
	long lines = count_of(log, "POST /api/v1/sync/batch -> 401");
	long dropped = left_out(log);
	printf("%ld refusals in about %ld s: %ld lines logged, %ld left out, %zu bytes\n", n,
	       seconds, lines, dropped, len);
	assert_int_equal(lines + dropped, n); /* every refusal is a line or counted */
	assert_true(dropped > 0);
	assert_true(lines <= WF_LOG_BURST * (seconds + 1));
	assert_true(len <= (size_t)(lines + 2 * seconds + 2) * 100);
	assert_int_equal(fx_records(f), 0);
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_method_not_allowed, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_log_escapes_target, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_log_flood_bounded, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
