/*
 * test_ingest_random.c — seeded random mutations of a valid batch body fed
 * to ingest_batch on a real SQLite store. The fast scanner must never accept
 * what is not JSON, every refusal must be a client error (never storage),
 * and whatever is refused stores nothing. Seed: WUFEI_TEST_SEED or the time;
 * printed so a failure is reproducible.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"
#include "ingest.h"
#include "store.h"
#include "testdb.h"
#include "wf.h"
#include "wf_test.h"

static void mutate(char *b, size_t *len, size_t cap)
{
	static const char set[] =
	    "{}[]:,\"\\ 0123456789eE.-+abcdefkindseqdatahashformat\t\n\x01\xc3";
	int edits = 1 + rand() % 3;
	for (int e = 0; e<edits && * len> 1; e++) {
		size_t at = (size_t)rand() % *len;
		int op = rand() % 3;
		char c = set[rand() % (int)(sizeof set - 1)];
		if (op == 0)
			b[at] = c;
		else if (op == 1) {
			memmove(b + at, b + at + 1, *len - at - 1);
			(*len)--;
		} else if (*len + 1 < cap) {
			memmove(b + at + 1, b + at, *len - at);
			b[at] = c;
			(*len)++;
		}
	}
}

static void test_random_mutations(void **state)
{
	(void)state;
	unsigned seed = (unsigned)time(NULL);
	const char *env = getenv("WUFEI_TEST_SEED");
	if (env && *env)
		seed = (unsigned)strtoul(env, NULL, 10);
	printf("test_random_mutations: seed %u (WUFEI_TEST_SEED)\n", seed);
	srand(seed);
	char dir[] = "/tmp/wufei-ingest-random-XXXXXX", url[700], db[600], why[512];
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/c.db", dir);
	assert_int_equal(testdb_url(url, sizeof url, db), 0);
	struct store *s = NULL;
	assert_int_equal(store_open(url, &s, why, sizeof why), 0);
	assert_int_equal(s->ops->kiosk_add(s, 7, "t", 1), 0);
	uint8_t prev[WF_HASH_BYTES] = {0};
	char *valid = harness_batch_json(7, 1, 3, prev, 0);
	size_t vlen = strlen(valid), cap = vlen + 64;
	char *b = malloc(cap);
	long loops = wf_test_loops(3000), accepted = 0;
	for (long i = 0; i < loops; i++) {
		size_t len = vlen;
		memcpy(b, valid, vlen);
		mutate(b, &len, cap);
		int64_t before = 0, after = 0;
		s->ops->record_count(s, &before);
		json_t *res = NULL;
		uint32_t hi = 0;
		int rc = ingest_batch(s, 7, b, len, 1, &res, &hi, why, sizeof why);
		json_t *j = json_loadb(b, len, JSON_REJECT_DUPLICATES, NULL);
		s->ops->record_count(s, &after);
		if (rc == WF_OK) {
			accepted++;
			if (!j)
				printf("accepted non-JSON: %.*s\n", (int)len, b);
			assert_non_null(j);
			assert_true(json_is_array(res));
		} else {
			assert_true(rc == WF_EINVAL || rc == WF_EPROTO || rc == WF_ESTATE ||
			            rc == WF_EFULL);
			assert_null(res);
			assert_int_equal(after, before);
			if (!j)
				assert_int_equal(rc, WF_EINVAL);
		}
		json_decref(j);
		json_decref(res);
	}
	printf("test_random_mutations: %ld of %ld mutated bodies accepted\n", accepted, loops);
	free(b);
	free(valid);
	store_close(s);
	harness_store_drop(url);
	char p[700];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int k = 0; k < 3; k++) {
		snprintf(p, sizeof p, "%s%s", db, suffix[k]);
		unlink(p);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_random_mutations)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
