/* test_sync_basic.c — records leave the outbox only when central stored them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "ledger.h"
#include "record.h"
#include "signing.h"
#include "sync.h"
#include "sync_fixture.h"
#include "wf.h"

static struct sync_fx g_fx;

static int setup(void **state)
{
	(void)state;
	sync_fx_setup(&g_fx, "sync", 5);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return sync_fx_teardown(&g_fx);
}

static void append_drops(int n, int64_t qty)
{
	struct ledger *l = NULL;
	char err[256];
	assert_int_equal(ledger_open(g_fx.ledger, &l, err, sizeof err), WF_OK);
	for (int i = 0; i < n; i++) {
		struct wf_record r;
		memset(&r, 0, sizeof r);
		r.kind = WF_RECORD_BIN;
		r.time_ms = (int64_t)time(NULL) * 1000;
		r.bin.category_id = 1;
		r.bin.grams = qty + i;
		r.bin.staff_id = 7;
		assert_int_equal(ledger_append(l, &r, NULL, NULL, NULL), WF_OK);
	}
	ledger_close(l);
}

static int64_t outbox_depth(void)
{
	struct ledger *l = NULL;
	char err[256];
	int64_t d = -1;
	assert_int_equal(ledger_open(g_fx.ledger, &l, err, sizeof err), WF_OK);
	assert_int_equal(ledger_outbox_depth(l, &d), WF_OK);
	ledger_close(l);
	return d;
}

/* Error lines the sync clients logged about pruning. */
static int g_pruning_failed;

static void count_log(void *ctx, enum wf_log_level level, const char *msg)
{
	(void)ctx;
	if (level == WF_LOG_ERROR && strstr(msg, "pruning failed"))
		g_pruning_failed++;
}

/* A sync client for kiosk 5 on port; scheme "http" or "https", ca a file in
 * g_fx.dir or NULL, keep/every the pruning settings (0 = defaults). */
static struct sync *new_sync(const char *scheme, int port, const char *ca, uint64_t keep,
                             uint64_t every)
{
	char url[64], ca_path[300], err[256];
	snprintf(url, sizeof url, "%s://127.0.0.1:%d", scheme, port);
	snprintf(ca_path, sizeof ca_path, "%s/%s", g_fx.dir, ca ? ca : "");
	struct sync_config cfg = {.url = url,
	                          .ca_file = ca ? ca_path : NULL,
	                          .ledger_path = g_fx.ledger,
	                          .kiosk = 5,
	                          .key_id = 1,
	                          .secret_key = g_fx.sk,
	                          .timeout_ms = 5000,
	                          .keep_records = keep,
	                          .prune_every = every,
	                          .log = count_log};
	struct sync *s = NULL;
	assert_int_equal(sync_create(&cfg, &s, err, sizeof err), WF_OK);
	return s;
}

static void make_sync(struct central_proc *c, struct sync **s)
{
	*s = new_sync("http", c->port, NULL, 0, 0);
}

static void test_upload_then_outbox_empty(void **state)
{
	(void)state;
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	append_drops(1203, 1000); /* three batches: 500 + 500 + 203 */
	struct sync *s = NULL;
	make_sync(&c, &s);
	assert_int_equal(sync_round(s, true), WF_OK);
	struct sync_status st;
	sync_get_status(s, &st);
	assert_int_equal(st.stored, 1203);
	assert_int_equal(st.outbox_depth, 0);
	assert_true(st.epoch_done);
	assert_int_equal(outbox_depth(), 0);
	/* A second round sends nothing new; records appended later go too. */
	append_drops(7, 5000);
	assert_int_equal(sync_round(s, true), WF_OK);
	sync_get_status(s, &st);
	assert_int_equal(st.stored, 1210);
	assert_int_equal(st.duplicates, 0);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

static void test_central_away_keeps_outbox(void **state)
{
	(void)state;
	append_drops(20, 100);
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	int port = c.port;
	harness_stop(&c, SIGKILL); /* exit status is the signal */
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = g_fx.ledger,
	                          .kiosk = 5,
	                          .key_id = 1,
	                          .secret_key = g_fx.sk,
	                          .timeout_ms = 2000};
	struct sync *s = NULL;
	assert_int_equal(sync_create(&cfg, &s, err, sizeof err), WF_OK);
	assert_int_not_equal(sync_round(s, true), WF_OK);
	assert_int_equal(outbox_depth(), 20);
	struct sync_status st;
	sync_get_status(s, &st);
	assert_true(st.last_error[0] != '\0');
	assert_int_equal(st.rounds_failed, 1);
	sync_destroy(s);
}

static void test_wrong_key_is_refused_and_nothing_lost(void **state)
{
	(void)state;
	append_drops(3, 100);
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	uint8_t pk2[32], sk2[64];
	signing_keypair_generate(pk2, sk2);
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", c.port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = g_fx.ledger,
	                          .kiosk = 5,
	                          .key_id = 1,
	                          .secret_key = sk2,
	                          .timeout_ms = 5000};
	struct sync *s = NULL;
	assert_int_equal(sync_create(&cfg, &s, err, sizeof err), WF_OK);
	assert_int_not_equal(sync_round(s, true), WF_OK);
	struct sync_status st;
	sync_get_status(s, &st);
	assert_non_null(strstr(st.last_error, "bad_signature"));
	assert_int_equal(outbox_depth(), 3);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

/* Records held in the journal: count, lowest and highest seq. */
struct held {
	long n;
	uint64_t lo, hi;
};

static int count_held(void *ctx, const struct ledger_entry *e)
{
	struct held *h = ctx;
	if (h->n++ == 0)
		h->lo = e->seq;
	h->hi = e->seq;
	return 0;
}

static struct held journal_held(void)
{
	struct ledger *l = NULL;
	char err[256];
	struct held h = {0, 0, 0};
	assert_int_equal(ledger_open(g_fx.ledger, &l, err, sizeof err), WF_OK);
	assert_int_equal(ledger_each(l, count_held, &h), WF_OK);
	ledger_close(l);
	return h;
}

static long central_sql(const char *sql)
{
	return harness_count(g_fx.db, sql);
}

/* Acknowledged records go behind a checkpoint central acknowledged; the
 * newest keep_records stay; the journal still verifies; central holds all. */
static void test_prune_behind_checkpoint(void **state)
{
	(void)state;
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	append_drops(250, 1000);
	struct sync *s = NULL;
	s = new_sync("http", c.port, NULL, 100, 50);
	/* round 1: 250 acknowledged, then a checkpoint up to 150 is appended */
	assert_int_equal(sync_round(s, true), WF_OK);
	assert_int_equal(outbox_depth(), 1);
	struct held h = journal_held();
	assert_int_equal(h.n, 251);
	/* round 2: central acknowledges the checkpoint, 1..150 are pruned */
	assert_int_equal(sync_round(s, true), WF_OK);
	assert_int_equal(outbox_depth(), 0);
	h = journal_held();
	assert_int_equal(h.lo, 151);
	assert_int_equal(h.hi, 251);
	assert_int_equal(h.n, 101);
	struct sync_status st;
	sync_get_status(s, &st);
	assert_int_equal(st.pruned, 150);
	char err[256];
	assert_int_equal(ledger_verify(g_fx.ledger, NULL, NULL, err, sizeof err), 0);
	assert_int_equal(central_sql("SELECT count(*) FROM records WHERE kiosk=5"), 251);
	assert_int_equal(central_sql("SELECT count(*) FROM tamper_alerts"), 0);
	/* nothing more is due until another prune_every records are acknowledged:
	 * 251 + 48 = 299 acknowledged, 299 - 100 = 199 < 150 + 50 */
	append_drops(48, 2000);
	assert_int_equal(sync_round(s, true), WF_OK);
	assert_int_equal(outbox_depth(), 0);
	assert_int_equal(journal_held().lo, 151);
	append_drops(1, 3000); /* 300 - 100 = 200: a checkpoint (seq 301) up to 200 */
	assert_int_equal(sync_round(s, true), WF_OK);
	assert_int_equal(outbox_depth(), 1);
	assert_int_equal(sync_round(s, true), WF_OK);
	assert_int_equal(outbox_depth(), 0);
	h = journal_held();
	assert_int_equal(h.lo, 201);
	assert_int_equal(h.hi, 301);
	sync_get_status(s, &st);
	assert_int_equal(st.pruned, 200);
	assert_int_equal(ledger_verify(g_fx.ledger, NULL, NULL, err, sizeof err), 0);
	/* records appended after pruning carry on the sequence and the chain */
	append_drops(3, 4000);
	assert_int_equal(sync_round(s, true), WF_OK);
	assert_int_equal(journal_held().hi, 304);
	assert_int_equal(ledger_verify(g_fx.ledger, NULL, NULL, err, sizeof err), 0);
	assert_int_equal(central_sql("SELECT count(*) FROM records WHERE kiosk=5"), 304);
	assert_int_equal(central_sql("SELECT count(*) FROM tamper_alerts"), 0);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

/* A checkpoint naming a hash central does not hold: central flags it, the
 * kiosk refuses to prune behind it, and the outbox keeps draining. */
static void test_bad_checkpoint_flagged_not_pruned(void **state)
{
	(void)state;
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	append_drops(20, 1000);
	struct sync *s = NULL;
	g_pruning_failed = 0;
	make_sync(&c, &s); /* default keep: this client appends no checkpoint itself */
	assert_int_equal(sync_round(s, true), WF_OK);
	struct ledger *l = NULL;
	char err[256];
	assert_int_equal(ledger_open(g_fx.ledger, &l, err, sizeof err), WF_OK);
	struct wf_record r;
	memset(&r, 0, sizeof r);
	r.kind = WF_RECORD_CHECKPOINT;
	r.time_ms = (int64_t)time(NULL) * 1000;
	r.checkpoint.upto_seq = 10;
	memset(r.checkpoint.hash, 0xA5, sizeof r.checkpoint.hash);
	assert_int_equal(ledger_append(l, &r, NULL, NULL, NULL), WF_OK);
	ledger_close(l);
	append_drops(5, 2000);
	assert_int_equal(sync_round(s, true), WF_OK);
	assert_int_equal(outbox_depth(), 0);
	assert_int_equal(
	    central_sql("SELECT count(*) FROM tamper_alerts WHERE reason='checkpoint_mismatch'"),
	    1);
	struct held h = journal_held();
	assert_int_equal(h.lo, 1); /* nothing pruned */
	assert_int_equal(h.n, 26);
	struct sync_status st;
	sync_get_status(s, &st);
	assert_int_equal(st.pruned, 0);
	/* refused at every round, said once for this checkpoint */
	for (int i = 0; i < 3; i++)
		assert_int_equal(sync_round(s, true), WF_OK);
	assert_int_equal(g_pruning_failed, 1);
	assert_int_equal(journal_held().lo, 1);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

/* ---- HTTPS: central's certificate checked against the configured CA ---- */

/* A server certificate NAME-srv.pem/.key signed by the CA CA-ca.pem,
 * naming san (an openssl subjectAltName value such as "IP:127.0.0.1"). */
static void make_srv(const char *ca, const char *name, const char *san)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
	         "cd '%s' && printf 'subjectAltName=%s\\n' > %s.ext &&"
	         " openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
	         " -keyout %s-srv.key -out %s-srv.csr -subj /CN=127.0.0.1 >/dev/null 2>&1 &&"
	         " openssl x509 -req -in %s-srv.csr -CA %s-ca.pem -CAkey %s-ca.key"
	         " -CAcreateserial -out %s-srv.pem -days 30 -extfile %s.ext >/dev/null 2>&1",
	         g_fx.dir, san, name, name, name, name, ca, ca, name, name);
	assert_int_equal(system(cmd), 0);
}

/* A CA (NAME-ca.pem/.key) made with the openssl command line; with srv, also
 * a server certificate for IP 127.0.0.1 signed by it (NAME-srv.pem/.key). */
static void make_ca(const char *name, bool srv)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
	         "cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
	         " -nodes -keyout %s-ca.key -out %s-ca.pem -days 30 -subj /CN=%s-test-ca"
	         " >/dev/null 2>&1",
	         g_fx.dir, name, name, name);
	assert_int_equal(system(cmd), 0);
	if (srv)
		make_srv(name, name, "IP:127.0.0.1");
}

/* central serving TLS with the certificate NAME-srv.pem. */
static void start_tls_central(struct central_proc *c, const char *name)
{
	char cert[300], key[300];
	snprintf(cert, sizeof cert, "%s/%s-srv.pem", g_fx.dir, name);
	snprintf(key, sizeof key, "%s/%s-srv.key", g_fx.dir, name);
	const char *extra[] = {"--tls-cert", cert, "--tls-key", key, NULL};
	assert_int_equal(harness_start_args(c, g_fx.db, 0, extra), 0);
}

/* Nothing at all reached central: no epoch, no record, no heartbeat. */
static void assert_nothing_sent(void)
{
	assert_int_equal(central_sql("SELECT count(*) FROM epochs WHERE kiosk=5"), 0);
	assert_int_equal(central_sql("SELECT count(*) FROM records WHERE kiosk=5"), 0);
	assert_int_equal(central_sql("SELECT count(*) FROM heartbeats WHERE kiosk=5"), 0);
}

static int https_round(int port, const char *scheme, const char *ca, struct sync_status *st)
{
	struct sync *s = new_sync(scheme, port, ca, 0, 0);
	int rc = sync_round(s, true);
	sync_get_status(s, st);
	sync_destroy(s);
	return rc;
}

static void test_https_verified_against_ca(void **state)
{
	(void)state;
	make_ca("good", true);
	make_ca("other", false);
	char cert[300], key[300];
	snprintf(cert, sizeof cert, "%s/good-srv.pem", g_fx.dir);
	snprintf(key, sizeof key, "%s/good-srv.key", g_fx.dir);
	const char *extra[] = {"--tls-cert", cert, "--tls-key", key, NULL};
	struct central_proc c;
	assert_int_equal(harness_start_args(&c, g_fx.db, 0, extra), 0);
	append_drops(30, 1000);
	struct sync_status st;
	/* the right CA: everything arrives */
	assert_int_equal(https_round(c.port, "https", "good-ca.pem", &st), WF_OK);
	assert_int_equal(outbox_depth(), 0);
	assert_int_equal(central_sql("SELECT count(*) FROM records WHERE kiosk=5"), 30);
	/* a CA that did not sign central's certificate: refused, nothing sent or lost */
	append_drops(5, 2000);
	assert_int_not_equal(https_round(c.port, "https", "other-ca.pem", &st), WF_OK);
	assert_non_null(strstr(st.last_error, "certificate"));
	assert_int_equal(outbox_depth(), 5);
	assert_int_equal(central_sql("SELECT count(*) FROM records WHERE kiosk=5"), 30);
	/* plain HTTP to the TLS port: no answer echoing our body, nothing removed */
	assert_int_not_equal(https_round(c.port, "http", "good-ca.pem", &st), WF_OK);
	assert_int_equal(outbox_depth(), 5);
	/* the right CA again: the rest drains */
	assert_int_equal(https_round(c.port, "https", "good-ca.pem", &st), WF_OK);
	assert_int_equal(outbox_depth(), 0);
	assert_int_equal(central_sql("SELECT count(*) FROM records WHERE kiosk=5"), 35);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	/* central refuses to start on a key that is not PEM, naming it */
	char central[512], cmd[2048], out[4096];
	harness_bin("wufei-central", central, sizeof central);
	snprintf(cmd, sizeof cmd, "printf 'not a key\\n' > '%s/bad.key'", g_fx.dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd,
	         "'%s' serve --db '%s' --listen 127.0.0.1:0 --tls-cert '%s' --tls-key '%s/bad.key'"
	         " 2>&1",
	         central, g_fx.db, cert, g_fx.dir);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t got = fread(out, 1, sizeof out - 1, p);
	out[got] = '\0';
	int st_code = pclose(p);
	assert_true(WIFEXITED(st_code) && WEXITSTATUS(st_code) == 1);
	assert_non_null(strstr(out, "--tls-key"));
	assert_non_null(strstr(out, "bad.key is not PEM"));
	const char *half[] = {"serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, NULL};
	assert_int_equal(harness_cli(g_fx.db, out, sizeof out, half), 2);
}

/*
 * A certificate from the right CA for another host is refused: the kiosk
 * checks the name, not only the signature (CURLOPT_SSL_VERIFYHOST). Nothing
 * is sent, the outbox stays as it is; the right certificate then works.
 */
static void test_https_other_host_refused(void **state)
{
	(void)state;
	make_ca("good", true);
	make_srv("good", "elsewhere", "DNS:central.example.org,IP:127.0.0.2");
	struct central_proc c;
	start_tls_central(&c, "elsewhere");
	append_drops(6, 1000);
	struct sync_status st;
	assert_int_not_equal(https_round(c.port, "https", "good-ca.pem", &st), WF_OK);
	assert_non_null(strstr(st.last_error, "certificate"));
	assert_int_equal(outbox_depth(), 6);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	assert_nothing_sent();
	/* the same central with a certificate naming 127.0.0.1: all arrives */
	start_tls_central(&c, "good");
	assert_int_equal(https_round(c.port, "https", "good-ca.pem", &st), WF_OK);
	assert_int_equal(outbox_depth(), 0);
	assert_int_equal(central_sql("SELECT count(*) FROM records WHERE kiosk=5"), 6);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

/*
 * [central] ca_file is what makes the test CA trusted: without it (the
 * system's CAs) or with a file that is not there, the same central is
 * refused and nothing is sent.
 */
static void test_https_ca_file_wiring(void **state)
{
	(void)state;
	make_ca("good", true);
	struct central_proc c;
	start_tls_central(&c, "good");
	append_drops(4, 1000);
	struct sync_status st;
	assert_int_not_equal(https_round(c.port, "https", NULL, &st), WF_OK);
	assert_true(st.last_error[0] != '\0');
	assert_int_not_equal(https_round(c.port, "https", "missing-ca.pem", &st), WF_OK);
	assert_true(st.last_error[0] != '\0');
	assert_int_equal(outbox_depth(), 4);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	assert_nothing_sent();
	start_tls_central(&c, "good");
	assert_int_equal(https_round(c.port, "https", "good-ca.pem", &st), WF_OK);
	assert_int_equal(outbox_depth(), 0);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

/* The epoch request is JSON built by jansson: a reason with quotes and a
 * backslash arrives as it was written. */
static void test_epoch_reason_escaped(void **state)
{
	(void)state;
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	struct sync *s = NULL;
	make_sync(&c, &s);
	assert_int_equal(sync_epoch(s, "restored \"by staff\" from C:\\backup"), WF_OK);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	assert_int_equal(central_sql("SELECT count(*) FROM epochs WHERE kiosk=5 AND"
	                             " reason = 'restored \"by staff\" from C:\\backup'"),
	                 1);
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(sync_backoff_ms(1, 500, 300000, 12345), 500);
	for (int a = 1; a < 40; a++) {
		int64_t hi = 500;
		for (int i = 1; i < a && hi < 300000; i++)
			hi *= 2;
		if (hi > 300000)
			hi = 300000;
		for (uint32_t r = 0; r < 5; r++) {
			int64_t v = sync_backoff_ms(a, 500, 300000, r * 977777u);
			assert_true(v >= 500 && v <= hi);
		}
	}
	assert_int_equal(sync_backoff_ms(30, 500, 300000, UINT32_MAX) <= 300000, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test_setup_teardown(test_upload_then_outbox_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_central_away_keeps_outbox, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_key_is_refused_and_nothing_lost, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_prune_behind_checkpoint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_https_verified_against_ca, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_https_other_host_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_https_ca_file_wiring, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_epoch_reason_escaped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_checkpoint_flagged_not_pruned, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
