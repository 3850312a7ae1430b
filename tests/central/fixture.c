/*
 * fixture.c — what the central tests share: a central on a fresh store
 * (SQLite file or PostgreSQL database, testdb.h) with kiosks 7 and 8
 * enrolled and paper rated, and small helpers over
 * its answers and its command line; see fixture.h.
 */
#define _XOPEN_SOURCE 700
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "receipt.h"
#include "signing.h"
#include "testdb.h"
#include "wf_test.h"

void fx_keys(uint8_t first, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(first + i);
	signing_keypair_from_seed(seed, pk, sk);
}

int fx_cli(struct fx *f, char *out, size_t cap, const char *const *args)
{
	return harness_cli(f->db_url, out, cap, args);
}

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char pub[600];
	snprintf(f->dir, sizeof f->dir, "/tmp/wufei-central-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db_path, sizeof f->db_path, "%s/central.db", f->dir);
	assert_int_equal(testdb_url(f->db_url, sizeof f->db_url, f->db_path), 0);
	fx_keys(1, f->pk, f->sk);
	fx_keys(100, f->pk2, f->sk2);
	harness_write_pub(f->dir, "k7.pub", f->pk, pub, sizeof pub);
	assert_int_equal(
	    fx_cli(f, NULL, 0, (const char *[]){"kiosk", "add", "7", "--pubkey", pub, NULL}), 0);
	harness_write_pub(f->dir, "k8.pub", f->pk2, pub, sizeof pub);
	assert_int_equal(
	    fx_cli(f, NULL, 0, (const char *[]){"kiosk", "add", "8", "--pubkey", pub, NULL}), 0);
	assert_int_equal(
	    fx_cli(f, NULL, 0,
	           (const char *[]){"rates", "set", "--id", "1", "--code", "paper", "--name",
	                            "纸类 Paper", "--unit", "g", "--rate", "2000", "--min", "50",
	                            "--max", "50000", "--daily-limit", "20000", NULL}),
	    0);
	assert_int_equal(harness_start(&f->c, f->db_url, 0), 0);
	*state = f;
	return 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int fx_teardown(void **state)
{
	struct fx *f = *state;
	/* A clean stop exits 0 (under ASan, LeakSanitizer would make it non-zero). */
	int rc = harness_stop(&f->c, SIGTERM);
	harness_store_drop(f->db_url);
	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	assert_int_equal(rc, 0);
	return 0;
}

int64_t fx_now_s(void)
{
	return (int64_t)time(NULL);
}

json_t *fx_answer_json(const struct http_answer *a)
{
	json_t *j = json_loads(a->body, 0, NULL);
	assert_non_null(j);
	/* Every JSON answer carries central's time, in the header too. */
	assert_true(json_is_integer(json_object_get(j, "central_time")));
	assert_true(a->central_time[0] != '\0');
	return j;
}

void fx_store_away(struct fx *f, int away)
{
	if (!testdb_is_pg()) {
		char moved[600];
		snprintf(moved, sizeof moved, "%s.moved", f->db_path);
		assert_int_equal(away ? rename(f->db_path, moved) : rename(moved, f->db_path), 0);
		return;
	}
	char name[128], admin[700], sql[512];
	assert_int_equal(harness_pg_admin(f->db_url, name, sizeof name, admin, sizeof admin),
	                 WF_OK);
	/* Away: no new connection, and central's own connections cut. */
	snprintf(sql, sizeof sql, "ALTER DATABASE %s ALLOW_CONNECTIONS %s", name,
	         away ? "false" : "true");
	assert_int_equal(testdb_exec(admin, sql), 0);
	snprintf(sql, sizeof sql,
	         "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
	         "'%s'",
	         name);
	if (away)
		assert_int_equal(testdb_exec(admin, sql), 0);
}

long fx_records(struct fx *f)
{
	return harness_count(f->db_url, "SELECT COUNT(*) FROM records");
}

int fx_post_batch(struct fx *f, const uint8_t *sk, uint32_t kiosk, const char *body,
                  struct http_answer *a)
{
	return harness_request(f->c.port, "POST", "/api/v1/sync/batch", body, strlen(body), sk,
	                       kiosk, 1, fx_now_s(), a);
}

const char *fx_status_of(json_t *j, size_t i)
{
	return json_string_value(
	    json_object_get(json_array_get(json_object_get(j, "results"), i), "status"));
}

void fx_expect_refusal(struct fx *f, struct http_answer *a, long status, const char *error)
{
	assert_int_equal(a->status, status);
	json_t *j = fx_answer_json(a);
	assert_string_equal(json_string_value(json_object_get(j, "error")), error);
	assert_true(json_is_string(json_object_get(j, "message")));
	json_decref(j);
	harness_answer_free(a);
	assert_int_equal(fx_records(f), 0);
	assert_int_equal(harness_count(f->db_url, "SELECT COUNT(*) FROM tamper_alerts"), 0);
}

void fx_make_token(const uint8_t *sk, uint32_t kiosk, uint32_t seq, uint32_t time_min, char *token)
{
	struct receipt r = {.version = 1,
	                    .key_id = 1,
	                    .kiosk = kiosk,
	                    .seq = seq,
	                    .time_min = time_min,
	                    .category = 1,
	                    .qty = 1250,
	                    .points = 2};
	assert_int_equal(receipt_make_token(&r, sk, token, RECEIPT_TOKEN_LEN + 1),
	                 RECEIPT_TOKEN_LEN);
}

int fx_verify(struct fx *f, const char *token, char *out, size_t cap)
{
	return fx_cli(f, out, cap, (const char *[]){"verify-receipt", token, NULL});
}

/* wufei-central with args, stdout and stderr into out; returns the exit status. */
int fx_cli_all(struct fx *f, char *out, size_t cap, const char *args)
{
	char bin[512];
	harness_bin("wufei-central", bin, sizeof bin);
	return wf_test_sh(out, cap, "'%s' %s --db '%s'", bin, args, f->db_url);
}

/* fx_cli_all with one line of input (no quote characters) on standard input. */
int fx_cli_all_input(struct fx *f, const char *line, char *out, size_t cap, const char *args)
{
	char bin[512];
	harness_bin("wufei-central", bin, sizeof bin);
	return wf_test_sh(out, cap, "printf '%%s\\n' '%s' | '%s' %s --db '%s'", line, bin, args,
	                  f->db_url);
}
