/*
 * test_office_audit.c — every wufei-central command that changes something
 * writes one line to the office's audit log, naming "cli:<login>" (the user
 * running it), the action and what changed: kiosk add|add-key|revoke-key|tz,
 * rates set, resident add|block|remove, staff add|remove, blocklist add,
 * points redeem|adjust, receipt claim, day close|reclose. Commands that only
 * read, a refused change and a redemption repeated with its key write none.
 * The real binary on a real store (fixture.h), `audit list` read back;
 * SQLite, and PostgreSQL in the _pg twin once every side of its backend is
 * there (skipped until then: this test drives nearly every op).
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "office.h"
#include "points_records.h"
#include "store.h"
#include "testdb.h"

#define H1 "0000000000000000000000000000000000000000000000000000000000000001"
#define H2 "0000000000000000000000000000000000000000000000000000000000000002"
#define H3 "00000000000000000000000000000000000000000000000000000000000000f3"
#define H4 "0000000000000000000000000000000000000000000000000000000000000004"

static char g_audit[65536];

/* The audit log's lines; how many. */
static int audit_read(struct fx *f)
{
	assert_int_equal(
	    fx_cli(f, g_audit, sizeof g_audit, (const char *const[]){"audit", "list", NULL}), 0);
	int n = 0;
	for (const char *p = g_audit; (p = strchr(p, '\n')); p++)
		n++;
	return n - 1; /* the "N line(s)" line */
}

/* The log has a line by who (cli:<login>), from no address, doing action with detail. */
static void assert_line(const char *action, const char *detail)
{
	char want[400], who[80];
	const struct passwd *pw = getpwuid(geteuid());
	if (pw && office_user_name_ok(pw->pw_name))
		snprintf(who, sizeof who, "cli:%s", pw->pw_name);
	else
		snprintf(who, sizeof who, "cli:uid%u", (unsigned)geteuid());
	snprintf(want, sizeof want, "\t%s\t-\t%s\t%s\n", who, action, detail);
	if (!strstr(g_audit, want)) {
		printf("no line '%s' in:\n%s", want, g_audit);
		fail();
	}
}

static int run(struct fx *f, const char *const *args)
{
	return fx_cli(f, NULL, 0, args);
}

static void test_every_change_audited(void **state)
{
	struct fx *f = *state;
	char pub[600];
	uint8_t pk[32], sk[64], prev[WF_HASH_BYTES] = {0};
	/* the fixture's own enrolment: two kiosks and a rate */
	assert_int_equal(audit_read(f), 3);
	assert_line("kiosk_add", "7: key 1");
	assert_line("rates_set", "category 1 paper: version 1, rate 2000, min 50, max 50000, "
	                         "daily limit 20000, anonymous cap none");
	fx_keys(40, pk, sk);
	harness_write_pub(f->dir, "k9.pub", pk, pub, sizeof pub);
	assert_int_equal(run(f, (const char *const[]){"kiosk", "add", "9", "--pubkey", pub, "--tz",
	                                              "Asia/Urumqi", NULL}),
	                 0);
	assert_int_equal(run(f, (const char *const[]){"kiosk", "add-key", "9", "--pubkey", pub,
	                                              "--key-id", "2", NULL}),
	                 0);
	assert_int_equal(
	    run(f, (const char *const[]){"kiosk", "revoke-key", "9", "--key-id", "2", NULL}), 0);
	assert_int_equal(run(f, (const char *const[]){"kiosk", "tz", "9", "Europe/Berlin", NULL}),
	                 0);
	assert_int_equal(
	    run(f, (const char *const[]){"resident", "add", "--id", "1001", "--card-hash", H1,
	                                 "--name", "R*", "--points", "50", NULL}),
	    0);
	assert_int_equal(run(f, (const char *const[]){"resident", "add", "--id", "1002",
	                                              "--card-hash", H2, "--name", "S*", NULL}),
	                 0);
	assert_int_equal(run(f, (const char *const[]){"resident", "remove", "1002", NULL}), 0);
	assert_int_equal(
	    harness_cli_input(f->db_url, "2468\n", NULL, 0,
	                      (const char *const[]){"staff", "add", "--id", "7", "--card-hash", H4,
	                                            "--name", "L*", "--role", "staff", NULL}),
	    0);
	assert_int_equal(run(f, (const char *const[]){"staff", "remove", "7", NULL}), 0);
	assert_int_equal(run(f, (const char *const[]){"blocklist", "add", "--card-hash", H3,
	                                              "--reason", "reported lost", NULL}),
	                 0);
	assert_int_equal(
	    run(f, (const char *const[]){"points", "redeem", "--resident", "1001", "--points", "20",
	                                 "--key", "desk-1", "--by", "front desk", NULL}),
	    0);
	assert_int_equal(run(f, (const char *const[]){"points", "adjust", "--resident", "1001",
	                                              "--points", "-5", "--reason", "typo", NULL}),
	                 0);
	/* (day close closes every enrolled kiosk: 7, 8, 9) an anonymous drop of kiosk 7 held at
	 * central, claimed onto 1001 at the terminal */
	struct http_answer a;
	const struct pr_drop d = {1, 0, 5000};
	char *batch = pr_batch_json(7, &d, 1, prev);
	assert_int_equal(fx_post_batch(f, f->sk, 7, batch, &a), 0);
	free(batch);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	char token[RECEIPT_TOKEN_LEN + 1];
	pr_token(f->sk, 7, &d, token);
	assert_int_equal(run(f, (const char *const[]){"receipt", "claim", token, "--resident",
	                                              "1001", "--by", "desk", NULL}),
	                 0);
	assert_int_equal(run(f, (const char *const[]){"resident", "block", "1001", "--reason",
	                                              "card misuse", NULL}),
	                 0);
	assert_int_equal(run(f, (const char *const[]){"day", "close", "--day", "2026-11-28", NULL}),
	                 0);
	assert_int_equal(run(f, (const char *const[]){"day", "reclose", "--day", "2026-11-28",
	                                              "--kiosk", "7", NULL}),
	                 0);
	int n = audit_read(f);
	assert_line("kiosk_add", "9: key 1, time zone Asia/Urumqi");
	assert_line("kiosk_add_key", "9: key 2");
	assert_line("kiosk_revoke_key", "9: key 2");
	assert_line("kiosk_tz", "9: Europe/Berlin");
	assert_line("resident_add", "1001 (opening balance 50)");
	assert_line("resident_add", "1002 (opening balance 0)");
	assert_line("resident_remove", "1002");
	assert_line("staff_add", "7 as staff");
	assert_line("staff_remove", "7");
	assert_line("blocklist_add", "card hash 0000000000000000...: reported lost");
	assert_line("points_redeem", "resident 1001: -20 points (entry 2, by front desk): desk-1");
	assert_line("points_adjust", "resident 1001: -5 points (entry 3, by cli): typo");
	assert_line("receipt_claim", "kiosk 7 seq 1 onto resident 1001: 10 points (by desk)");
	assert_line("resident_block", "1001: card misuse");
	assert_line("day_close", "2026-11-28, every kiosk: 3 kiosk day(s) closed");
	assert_line("day_reclose", "2026-11-28, kiosk 7: 1 kiosk day(s) closed");
	assert_int_equal(n, 3 + 16);

	/* reading, refusals, a repeat and a close that closes nothing: no line */
	assert_int_equal(run(f, (const char *const[]){"resident", "list", NULL}), 0);
	assert_int_equal(run(f, (const char *const[]){"rates", "list", NULL}), 0);
	assert_int_equal(run(f, (const char *const[]){"kiosk", "list", NULL}), 0);
	assert_int_equal(run(f, (const char *const[]){"report", "daily", NULL}), 0);
	assert_int_equal(
	    run(f, (const char *const[]){"points", "redeem", "--resident", "1001", "--points", "20",
	                                 "--key", "desk-1", "--by", "front desk", NULL}),
	    0);
	assert_int_equal(
	    run(f, (const char *const[]){"points", "redeem", "--resident", "1001", "--points",
	                                 "9999", "--key", "desk-2", "--by", "front desk", NULL}),
	    1);
	assert_int_equal(
	    run(f, (const char *const[]){"receipt", "claim", token, "--resident", "1001", NULL}),
	    1);
	assert_int_equal(run(f, (const char *const[]){"day", "close", "--day", "2026-11-28", NULL}),
	                 0);
	assert_int_not_equal(run(f, (const char *const[]){"kiosk", "tz", "9", "Mars/Base", NULL}),
	                     0);
	assert_int_equal(audit_read(f), n);
}

/* The PostgreSQL twin runs once every op has its PostgreSQL function
 * (issue 13 lands side by side), and then on PostgreSQL for sure. */
static int setup(void **state)
{
	*state = NULL;
	if (testdb_is_pg()) {
		const struct store_ops *ops = store_pg_ops();
		enum { N = sizeof *ops / sizeof(void (*)(void)) };
		void (*fns[N])(void);
		memcpy(fns, ops, sizeof fns);
		for (size_t i = 0; i < N; i++) {
			if (!fns[i])
				return 0; /* the test skips */
		}
	}
	int rc = fx_setup(state);
	struct fx *f = *state;
	if (!rc && testdb_is_pg() && strncmp(f->db_url, "postgres", 8) != 0) {
		printf("the _pg twin's fixture is on %s, not PostgreSQL\n", f->db_url);
		return -1;
	}
	return rc;
}

static int teardown(void **state)
{
	return *state ? fx_teardown(state) : 0;
}

static void test_audited(void **state)
{
	if (!*state) {
		print_message("the PostgreSQL backend lacks ops still (issue 13): skipped\n");
		skip();
	}
	test_every_change_audited(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_audited, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_kill_started();
	return rc;
}
