/*
 * test_log_journal.c — the log under systemd, against a real journal
 * receiver: in a private mount namespace (root: unshare) a tmpfs over
 * /run/systemd holds our own AF_UNIX datagram socket at
 * /run/systemd/journal/socket, where libsystemd's sd_journal_send delivers;
 * the test parses the native protocol (KEY=value\n and the binary-length
 * form) and checks what an operator filters on: MESSAGE, PRIORITY,
 * SYSLOG_IDENTIFIER, WUFEI_KIOSK, WUFEI_SEQ, WUFEI_DEVICE; a device's bytes
 * forge no field; the rate limit holds; a stream that is not the journal's,
 * or a journal that refuses, gets the plain lines. Then the real
 * wufei-kiosk under it: its drops carry WUFEI_KIOSK= and WUFEI_SEQ=, its
 * printer's lines WUFEI_DEVICE=printer, and nothing goes to its standard output.
 * Needs: root (unshare(CLONE_NEWNS), mount); skipped, saying so, otherwise;
 * the wufei-kiosk binary (WUFEI_BIN_DIR).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include "journal_sink.h"
#include "log.h"
#include "wf_test.h"

#define SOCK_PATH JOURNAL_SINK_PATH

static int sink = -1;

static int setup(void **state)
{
	(void)state;
	int fd = journal_sink_open();
	if (fd == -2)
		return 0; /* skipped, said */
	sink = fd;
	return fd < 0 ? -1 : 0;
}

static int next_entry(struct journal_entry *e)
{
	return journal_sink_next(sink, e);
}

/* The value of key, NULL when absent; asserts it is there at most once. */
static const char *get(const struct journal_entry *e, const char *key)
{
	int twice = 0;
	const char *v = journal_get(e, key, &twice);
	assert_false(twice);
	return v;
}

/* out's own JOURNAL_STREAM value */
static void stream_is(FILE *out)
{
	assert_int_equal(journal_stream_is(fileno(out)), 0);
}

static long stream_len(FILE *f)
{
	fflush(f);
	fseek(f, 0, SEEK_END);
	return ftell(f);
}

static void test_fields(void **state)
{
	(void)state;
	if (sink < 0)
		skip();
	FILE *out = tmpfile();
	stream_is(out);
	struct wf_log *log = wf_log_create(out, "wufei-central", NULL);
	assert_true(wf_log_to_journal(log));
	struct journal_entry e;

	/* a device line: the device's bytes cannot forge a field or a line */
	wf_log_fields(
	    log, WF_LOG_WARN,
	    &(struct wf_log_ctx){.kiosk = 7, .seq = 42, .device = "scale\nWUFEI_KIOSK=99"},
	    "scale said %s", "\x1b[2J\nWUFEI_SEQ=1");
	assert_true(next_entry(&e));
	assert_string_equal(get(&e, "MESSAGE"), "scale said \\x1b[2J\\nWUFEI_SEQ=1");
	assert_string_equal(get(&e, "PRIORITY"), "4");
	assert_string_equal(get(&e, "SYSLOG_IDENTIFIER"), "wufei-central");
	assert_string_equal(get(&e, "WUFEI_KIOSK"), "7");
	assert_string_equal(get(&e, "WUFEI_SEQ"), "42");
	assert_string_equal(get(&e, "WUFEI_DEVICE"), "scale\\nWUFEI_KIOSK=99");

	/* a lower layer's line through the hook takes the thread's scope */
	wf_log_scope(&(struct wf_log_ctx){.kiosk = 3, .seq = 9});
	wf_log_hook(log, WF_LOG_ERROR, "ingest: batch refused");
	wf_log_scope(NULL);
	assert_true(next_entry(&e));
	assert_string_equal(get(&e, "MESSAGE"), "ingest: batch refused");
	assert_string_equal(get(&e, "PRIORITY"), "3");
	assert_string_equal(get(&e, "WUFEI_KIOSK"), "3");
	assert_string_equal(get(&e, "WUFEI_SEQ"), "9");
	assert_null(get(&e, "WUFEI_DEVICE"));

	/* the scope is gone; the log's own kiosk is every line's default */
	wf_log_printf(log, WF_LOG_INFO, "serving");
	assert_true(next_entry(&e));
	assert_null(get(&e, "WUFEI_KIOSK"));
	assert_string_equal(get(&e, "PRIORITY"), "6");
	wf_log_set_kiosk(log, 5);
	wf_log_printf(log, WF_LOG_DEBUG, "tick");
	assert_true(next_entry(&e));
	assert_string_equal(get(&e, "WUFEI_KIOSK"), "5");
	assert_string_equal(get(&e, "PRIORITY"), "7");
	assert_false(next_entry(&e));
	wf_log_destroy(log);
	assert_int_equal(stream_len(out), 0); /* nothing went to the stream */
	fclose(out);
}

static void test_rate_limit(void **state)
{
	(void)state;
	if (sink < 0)
		skip();
	FILE *out = tmpfile();
	stream_is(out);
	struct wf_clock_virtual v;
	wf_clock_virtual_init(&v, 0, 0);
	struct wf_log *log = wf_log_create(out, NULL, &v.clock);
	/* drained after each line: the socket queues only a few datagrams */
	struct journal_entry e;
	int got = 0;
	for (int i = 0; i < 1000; i++) {
		wf_log_fields(log, WF_LOG_WARN, &(struct wf_log_ctx){.device = "card"},
		              "card: frame %d bad", i);
		while (next_entry(&e))
			got++;
	}
	assert_int_equal(got, WF_LOG_BURST);
	wf_clock_virtual_advance(&v, WF_LOG_WINDOW_MS);
	wf_log_fields(log, WF_LOG_WARN, &(struct wf_log_ctx){.device = "card"},
	              "card: frame 1 bad");
	assert_true(next_entry(&e));
	assert_string_equal(get(&e, "MESSAGE"), "card: frame 1 bad (980 similar lines left out)");
	assert_string_equal(get(&e, "WUFEI_DEVICE"), "card");
	/* the kiosk's log has no program: the identifier is the program's name */
	assert_string_equal(get(&e, "SYSLOG_IDENTIFIER"), program_invocation_short_name);
	wf_log_destroy(log);
	fclose(out);
}

static void test_not_journal(void **state)
{
	(void)state;
	if (sink < 0)
		skip();
	/* JOURNAL_STREAM names another file (inherited by a child whose
	 * output was redirected): plain lines, nothing sent */
	FILE *other = tmpfile(), *out = tmpfile();
	stream_is(other);
	struct wf_log *log = wf_log_create(out, NULL, NULL);
	assert_false(wf_log_to_journal(log));
	wf_log_fields(log, WF_LOG_WARN, &(struct wf_log_ctx){.kiosk = 1}, "printer: paper out");
	wf_log_destroy(log);
	struct journal_entry e;
	assert_false(next_entry(&e));
	char buf[128] = "";
	rewind(out);
	assert_non_null(fgets(buf, sizeof buf, out));
	assert_string_equal(buf, "warning: printer: paper out\n");
	fclose(out);

	/* the journal refuses (its socket gone): the line is not lost */
	stream_is(other);
	log = wf_log_create(other, "wufei-central", NULL);
	assert_true(wf_log_to_journal(log));
	assert_int_equal(unlink(SOCK_PATH), 0);
	wf_log_printf(log, WF_LOG_ERROR, "store: disk full");
	wf_log_destroy(log);
	rewind(other);
	assert_non_null(fgets(buf, sizeof buf, other));
	assert_string_equal(buf, "wufei-central: error: store: disk full\n");
	fclose(other);
	close(sink); /* the journal back for the next test */
	sink = journal_sink_bind();
	assert_true(sink >= 0);
}

/* ---- the real kiosk under the journal ---- */

static char g_dir[128], g_out[4096];
#define sh(...) wf_test_sh(g_out, sizeof g_out, __VA_ARGS__)

/* The kiosk's entries: the ones the checks look for, counted. */
struct seen {
	int entries, drop_seq1, drop_seq2, printer, ident;
};

static void look(struct seen *s, const struct journal_entry *e)
{
	s->entries++;
	printf("entry: %s\n", get(e, "MESSAGE"));
	const char *msg = get(e, "MESSAGE"), *kiosk = get(e, "WUFEI_KIOSK");
	const char *seq = get(e, "WUFEI_SEQ"), *dev = get(e, "WUFEI_DEVICE");
	const char *id = get(e, "SYSLOG_IDENTIFIER");
	if (!msg || !kiosk || strcmp(kiosk, "9") != 0)
		fail_msg("an entry without WUFEI_KIOSK=9: %s", msg ? msg : "(no MESSAGE)");
	s->ident += id && !strcmp(id, "wufei-kiosk");
	if (!strncmp(msg, "journal: recorded seq 1:", 24) && seq && !strcmp(seq, "1"))
		s->drop_seq1++;
	if (!strncmp(msg, "journal: recorded seq 2:", 24) && seq && !strcmp(seq, "2"))
		s->drop_seq2++;
	if (dev && !strcmp(dev, "printer") && strstr(msg, "no-printer"))
		s->printer++; /* the device thread's line and the loop's */
}

static void test_kiosk_run(void **state)
{
	(void)state;
	if (sink < 0)
		skip();
	char kiosk[512], path[300], ini[1400];
	snprintf(kiosk, sizeof kiosk, "%s/wufei-kiosk", getenv("WUFEI_BIN_DIR"));
	assert_int_equal(wf_test_tmpdir("log-journal", g_dir, sizeof g_dir), 0);
	assert_int_equal(sh("%s keygen --out %s/kiosk.key", kiosk, g_dir), 0);
	assert_int_equal(sh("%s ledger init %s/journal.db --kiosk 9", kiosk, g_dir), 0);
	snprintf(ini, sizeof ini,
	         "[kiosk]\nnumber = 9\nname = Test\ntimezone = Asia/Shanghai\n"
	         "ledger = %s/journal.db\nfixture = %s/packaging/demo/fixture.json\n"
	         "key_file = %s/kiosk.key\n[session]\nstable_time_ms = 1000\n"
	         "[device.printer]\nrole = printer\ntransport = serial:%s/no-printer\n"
	         "protocol = escpos\n",
	         g_dir, getenv("WUFEI_SOURCE_DIR"), g_dir, g_dir);
	snprintf(path, sizeof path, "%s/kiosk.ini", g_dir);
	assert_int_equal(wf_test_write_file(path, ini), 0);
	snprintf(path, sizeof path, "%s/visit.script", g_dir);
	assert_int_equal(wf_test_write_file(path, "weight 0 for 1500\ncard em4100:0014868981\n"
	                                          "tap category paper\nweight 1250 for 1200\n"
	                                          "tap confirm\nexpect screen receipt\n"
	                                          "tap another\ntap category batteries\n"
	                                          "tap more\ntap confirm\n"
	                                          "expect screen receipt\nwait 3000\n"),
	                 0);
	FILE *out = tmpfile();
	stream_is(out);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fileno(out), 1);
		char cfg[300];
		snprintf(cfg, sizeof cfg, "%s/kiosk.ini", g_dir);
		execl(kiosk, kiosk, "run", "--config", cfg, "--script", path, (char *)NULL);
		_exit(127);
	}
	/* the kiosk's datagrams read as they come (the socket queues a few) */
	struct seen s = {0};
	struct journal_entry e;
	int status = 0;
	for (;;) {
		struct pollfd p = {.fd = sink, .events = POLLIN};
		poll(&p, 1, 100);
		while (next_entry(&e))
			look(&s, &e);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	while (next_entry(&e))
		look(&s, &e);
	printf("%d entries from the kiosk\n", s.entries);
	fflush(out);
	rewind(out);
	char line[512];
	while (fgets(line, sizeof line, out))
		printf("stdout: %s", line);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(s.drop_seq1, 1);
	assert_int_equal(s.drop_seq2, 1);
	assert_true(s.printer >= 2);
	assert_int_equal(s.ident, s.entries);
	assert_int_equal(stream_len(out), 0); /* all of it went to the journal */
	fclose(out);
	wf_test_rmtree(g_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_rate_limit),
	    cmocka_unit_test(test_not_journal),
	    cmocka_unit_test(test_kiosk_run),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
