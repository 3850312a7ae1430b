/*
 * test_kmetrics.c — the kiosk's Prometheus text file (kiosk/metrics) and
 * its [metrics] config: the formatter's text is what promtool accepts and
 * says what the kiosk counted, labels from outside cannot break a line, the
 * file is replaced whole (a reader racing the writer only ever reads a
 * complete file), a folder the kiosk cannot write is said with what to do,
 * and the config refuses an interval over 15 s or a path the collector
 * would not read.
 * Needs: promtool (Debian's prometheus package; scripts/deps.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "kmetrics.h"
#include "wf_test.h"

static char g_dir[128];
static char g_out[8192];
#define sh(...) wf_test_sh(g_out, sizeof g_out, __VA_ARGS__)

static int setup(void **state)
{
	(void)state;
	return wf_test_tmpdir("kmetrics", g_dir, sizeof g_dir);
}

static int teardown(void **state)
{
	(void)state;
	return wf_test_rmtree(g_dir);
}

static const struct wf_category CATS[] = {
    {.id = 1, .code = "paper"},
    {.id = 6, .code = "bat\"te\nries\\"}, /* a code from central: escaped */
};

static int format(struct kmetrics_counts *c, char *buf, size_t cap)
{
	struct kmetrics_snapshot m = {
	    .kiosk = 7,
	    .name = "东区 \"A\"\n\x01\xff",
	    .counts = c,
	    .cats = CATS,
	    .ncats = 2,
	    .sync_enabled = 1,
	    .since_sync_ok_s = 42,
	    .outbox = 3,
	    .conflicts = 1,
	    .journal_bytes = 123456,
	    .device_up = {1, 0, -1},
	    .now_s = 1796000000,
	};
	return kmetrics_format(&m, buf, cap);
}

static void test_format(void **state)
{
	(void)state;
	struct kmetrics_counts c = {0};
	kmetrics_count_drop(&c, 1, 1250, 2);
	kmetrics_count_drop(&c, 1, 750, 1);
	kmetrics_count_drop(&c, 6, 0, 6);
	char text[KMETRICS_TEXT_MAX];
	int n = format(&c, text, sizeof text);
	assert_true(n > 0);
	printf("%s", text);
	const char *want[] = {
	    "wufei_kiosk_info{kiosk=\"7\",name=\"东区 \\\"A\\\"\\n??\"} 1\n",
	    "# TYPE wufei_kiosk_drops_total counter\n",
	    "wufei_kiosk_drops_total{kiosk=\"7\",category_id=\"1\",category=\"paper\"} 2\n",
	    "wufei_kiosk_grams_total{kiosk=\"7\",category_id=\"1\",category=\"paper\"} 2000\n",
	    "wufei_kiosk_points_total{kiosk=\"7\",category_id=\"1\",category=\"paper\"} 3\n",
	    "wufei_kiosk_points_total{kiosk=\"7\",category_id=\"6\",category="
	    "\"bat\\\"te\\nries\\\\\"} "
	    "6\n",
	    "wufei_kiosk_outbox_records{kiosk=\"7\"} 3\n",
	    "wufei_kiosk_conflicts_held{kiosk=\"7\"} 1\n",
	    "wufei_kiosk_sync_last_success_age_seconds{kiosk=\"7\"} 42\n",
	    "wufei_kiosk_device_up{kiosk=\"7\",device=\"scale\"} 1\n",
	    "wufei_kiosk_device_up{kiosk=\"7\",device=\"card\"} 0\n",
	    "wufei_kiosk_journal_bytes{kiosk=\"7\"} 123456\n",
	    "wufei_kiosk_metrics_timestamp_seconds{kiosk=\"7\"} 1796000000\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(text, want[i]))
			fail_msg("missing: %s", want[i]);
	assert_null(strstr(text, "device=\"printer\"")); /* not configured: left out */

	/* promtool (Prometheus' own parser and linter) accepts it */
	char path[256], err[512];
	snprintf(path, sizeof path, "%s/wufei-kiosk.prom", g_dir);
	assert_int_equal(kmetrics_write_file(path, text, (size_t)n, err, sizeof err), 0);
	if (sh("promtool check metrics < %s", path) != 0)
		fail_msg("promtool refused the text: %s", g_out);

	/* a buffer too small is said, not cut */
	assert_int_equal(format(&c, text, 200), -1);
	/* a 65th category is not counted; the 64 are */
	struct kmetrics_counts many = {0};
	for (unsigned i = 1; i <= KMETRICS_CATEGORIES_MAX + 1; i++)
		kmetrics_count_drop(&many, (uint16_t)i, 1000, 1);
	assert_int_equal(many.n, KMETRICS_CATEGORIES_MAX);
	assert_true(format(&many, text, sizeof text) > 0);
}

/* ---- a reader racing the writer ---- */

struct race {
	char path[256];
	const char *a, *b; /* the two texts the writer alternates */
	atomic_bool done;
	unsigned reads, torn;
};

static void *reader(void *arg)
{
	struct race *r = arg;
	static char buf[KMETRICS_TEXT_MAX];
	while (!atomic_load(&r->done)) {
		FILE *f = fopen(r->path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		r->reads++;
		if (strcmp(buf, r->a) != 0 && strcmp(buf, r->b) != 0)
			r->torn++;
	}
	return NULL;
}

static void test_never_half_written(void **state)
{
	(void)state;
	struct kmetrics_counts c = {0};
	static char a[KMETRICS_TEXT_MAX], b[KMETRICS_TEXT_MAX];
	format(&c, a, sizeof a);
	for (unsigned i = 1; i <= 40; i++)
		kmetrics_count_drop(&c, (uint16_t)i, 1000, 1);
	format(&c, b, sizeof b); /* several times longer than a */
	struct race r = {.a = a, .b = b};
	snprintf(r.path, sizeof r.path, "%s/race.prom", g_dir);
	char err[512];
	assert_int_equal(kmetrics_write_file(r.path, a, strlen(a), err, sizeof err), 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, reader, &r), 0);
	/* through the writer thread, as the kiosk does */
	struct kmetrics_writer *w = kmetrics_writer_start(r.path, NULL, NULL);
	assert_non_null(w);
	for (int i = 0; i < 300; i++) {
		const char *x = i % 2 ? a : b;
		assert_int_equal(kmetrics_write_file(r.path, x, strlen(x), err, sizeof err), 0);
		kmetrics_writer_post(w, i % 2 ? b : a, strlen(i % 2 ? b : a));
	}
	kmetrics_writer_stop(w);
	atomic_store(&r.done, true);
	pthread_join(t, NULL);
	printf("%u reads while writing, %u torn\n", r.reads, r.torn);
	assert_true(r.reads > 0);
	assert_int_equal(r.torn, 0);
	/* the last text posted is the file's; no temp file is left behind */
	FILE *f = fopen(r.path, "r");
	static char buf[KMETRICS_TEXT_MAX];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, b);
	assert_int_equal(sh("ls %s | grep -c tmp", g_dir), 1); /* grep found none */
}

static void test_unwritable(void **state)
{
	(void)state;
	char path[256], err[512];
	snprintf(path, sizeof path, "%s/no-such-folder/wufei-kiosk.prom", g_dir);
	assert_int_equal(kmetrics_write_file(path, "x 1\n", 4, err, sizeof err), -1);
	assert_non_null(strstr(err, "no-such-folder"));
	assert_non_null(strstr(err, "writable by the kiosk's user"));
}

static int load(const char *metrics, struct kiosk_config *cfg, struct config_errors *errs)
{
	char path[256], text[1024];
	snprintf(path, sizeof path, "%s/kiosk.ini", g_dir);
	snprintf(text, sizeof text,
	         "[kiosk]\nnumber = 1\nname = T\nledger = /tmp/j.db\n[metrics]\n%s", metrics);
	assert_int_equal(wf_test_write_file(path, text), 0);
	memset(errs, 0, sizeof *errs);
	return config_load(path, cfg, errs);
}

static void test_config(void **state)
{
	(void)state;
	struct kiosk_config cfg;
	struct config_errors errs;
	assert_int_equal(load("", &cfg, &errs), 0);
	assert_string_equal(cfg.metrics_textfile, ""); /* off unless asked */
	assert_int_equal(cfg.metrics_interval_s, 15);
	assert_int_equal(
	    load("textfile = /var/lib/wufei/metrics/wufei-kiosk.prom\ninterval_s = 5\n", &cfg,
	         &errs),
	    0);
	assert_string_equal(cfg.metrics_textfile, "/var/lib/wufei/metrics/wufei-kiosk.prom");
	assert_int_equal(cfg.metrics_interval_s, 5);
	const char *bad[][2] = {
	    {"interval_s = 16\n", "1..15"},
	    {"interval_s = 0\n", "1..15"},
	    {"textfile = wufei.prom\n", "absolute path ending in .prom"},
	    {"textfile = /tmp/wufei.txt\n", "absolute path ending in .prom"},
	    {"colour = red\n", "unknown key"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_true(load(bad[i][0], &cfg, &errs) != 0);
		assert_true(errs.n >= 1);
		if (!strstr(errs.msg[0], bad[i][1]) || !strstr(errs.msg[0], "[metrics]"))
			fail_msg("%s: %s", bad[i][0], errs.msg[0]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_never_half_written),
	    cmocka_unit_test(test_unwritable),
	    cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
