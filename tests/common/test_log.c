/*
 * test_log.c — the one log (common/log): text from outside cannot forge a
 * line or drive a terminal, UTF-8 passes, a flood of one kind of message is
 * cut to a burst per window with a count, and every line is whole when many
 * threads write at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static char *slurp(FILE *f)
{
	fflush(f);
	long n = ftell(f);
	rewind(f);
	char *buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void test_escape(void **state)
{
	(void)state;
	char out[256];
	wf_log_escape("GET /\x1b[2Jx\r\nforged: ok\\ \x7f\xff 王*", out, sizeof out);
	assert_string_equal(out, "GET /\\x1b[2Jx\\r\\nforged: ok\\\\ \\x7f\\xff 王*");
	/* a cut never splits an escape or a character */
	wf_log_escape("ab\n", out, 4);
	assert_string_equal(out, "ab");
	wf_log_escape("a王", out, 4);
	assert_string_equal(out, "a");
	/* broken UTF-8: each byte escaped */
	wf_log_escape("\xe7\x8e", out, sizeof out);
	assert_string_equal(out, "\\xe7\\x8e");

	FILE *f = tmpfile();
	struct wf_log *log = wf_log_create(f, "wufei-central", NULL);
	wf_log_printf(log, WF_LOG_INFO, "%s %s -> %u", "GET", "/r/\x1b]0;pwned\x07\nfake line",
	              404u);
	wf_log_hook(log, WF_LOG_WARN, "device said \x1b[31mred");
	wf_log_destroy(log);
	char *text = slurp(f);
	assert_string_equal(text,
	                    "wufei-central: info: GET /r/\\x1b]0;pwned\\x07\\nfake line -> 404\n"
	                    "wufei-central: warn: device said \\x1b[31mred\n");
	free(text);
	fclose(f);
}

static void test_rate_limit(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	struct wf_clock_virtual v;
	wf_clock_virtual_init(&v, 0, 0);
	struct wf_log *log = wf_log_create(f, NULL, &v.clock);
	/* a flood of rejected requests, each with its own number */
	for (int i = 0; i < 100000; i++)
		wf_log_printf(log, WF_LOG_INFO, "GET /api/%d -> 401", i);
	/* another kind still gets through */
	wf_log_printf(log, WF_LOG_INFO, "screen weigh");
	assert_int_equal(wf_log_suppressed(log), 100000 - WF_LOG_BURST);
	wf_clock_virtual_advance(&v, WF_LOG_WINDOW_MS);
	wf_log_printf(log, WF_LOG_INFO, "GET /api/%d -> 401", 7);
	wf_log_destroy(log);
	char *text = slurp(f);
	assert_int_equal(count(text, "-> 401"), WF_LOG_BURST + 1);
	assert_int_equal(count(text, "screen weigh\n"), 1);
	assert_non_null(strstr(text, "GET /api/7 -> 401 (99980 similar lines left out)\n"));
	free(text);
	fclose(f);

	/* a flood of many kinds at once is bounded too */
	f = tmpfile();
	wf_clock_virtual_init(&v, 0, 0);
	log = wf_log_create(f, NULL, &v.clock);
	for (int i = 0; i < 5000; i++)
		wf_log_printf(log, WF_LOG_INFO, "GET /%c%c%c -> 404", 'a' + i % 26,
		              'a' + i / 26 % 26, 'a' + i / 676 % 26);
	assert_int_equal(wf_log_suppressed(log), 5000 - WF_LOG_BURST_ALL);
	wf_log_destroy(log);
	text = slurp(f);
	assert_int_equal(count(text, "-> 404"), WF_LOG_BURST_ALL);
	assert_non_null(strstr(text, "(4000 similar lines left out)\n"));
	free(text);
	fclose(f);
}

struct writer {
	struct wf_log *log;
	int id;
};

static void *write_many(void *arg)
{
	struct writer *w = arg;
	for (int i = 0; i < 300; i++)
		wf_log_printf(w->log, WF_LOG_INFO, "thread %c line", 'a' + w->id);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	struct wf_log *log = wf_log_create(f, NULL, NULL);
	pthread_t t[4];
	struct writer w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct writer){log, i};
		assert_int_equal(pthread_create(&t[i], NULL, write_many, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	wf_log_destroy(log);
	char *text = slurp(f);
	/* every line whole: "thread X line" or the count of what was left out */
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_true(!strncmp(line, "thread ", 7) || strstr(line, "left out"));
	free(text);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_rate_limit),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
