/* test_downsync.c — the down-sync / fixture document: valid, and each malformed field named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "downsync.h"
#include "wf.h"

static char *fixture_path(void)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/packaging/demo/fixture.json", getenv("WUFEI_SOURCE_DIR"));
	return path;
}

static void card_hash(const uint8_t key[32], const char *id, uint8_t out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)id, strlen(id), key, 32);
}

/* The demo fixture loads, and its hashes match the documented demo cards. */
static void test_demo_fixture(void **state)
{
	(void)state;
	struct downsync d;
	char why[256];
	int rc = downsync_load_file(fixture_path(), &d, why, sizeof why);
	if (rc)
		printf("%s\n", why);
	assert_int_equal(rc, WF_OK);
	assert_true(d.full);
	assert_string_equal(d.cursor, "demo-1");
	assert_int_equal(d.ncategories, 6);
	assert_int_equal(d.categories[5].unit, WF_UNIT_PIECE);
	assert_string_equal(d.categories[0].code, "paper");
	assert_int_equal(d.categories[0].rate, 2000);
	assert_int_equal(d.categories[0].daily_limit_qty, 20000);
	assert_true(d.has_card_key);
	assert_int_equal(d.nresidents, 3);
	assert_int_equal(d.nstaff, 1);
	assert_int_equal(d.nblocks, 1);

	uint8_t h[32];
	card_hash(d.card_key, "em4100:0014868981", h);
	assert_memory_equal(h, d.residents[0].card_hash, 32);
	assert_int_equal(d.residents[0].id, 1001);
	card_hash(d.card_key, "em4100:0010597059", h);
	assert_memory_equal(h, d.residents[1].card_hash, 32);
	card_hash(d.card_key, "em4100:0010435873", h);
	assert_memory_equal(h, d.residents[2].card_hash, 32);
	assert_int_equal(d.residents[2].status, DOWNSYNC_BLOCKED);
	card_hash(d.card_key, "em4100:0001122867", h);
	assert_memory_equal(h, d.staff[0].card_hash, 32);
	card_hash(d.card_key, "em4100:0185339150", h);
	assert_memory_equal(h, d.blocks[0].card_hash, 32);
	assert_int_equal(crypto_pwhash_str_verify(d.staff[0].pin_hash, "1234", 4), 0);
	assert_int_not_equal(crypto_pwhash_str_verify(d.staff[0].pin_hash, "1235", 4), 0);
	downsync_free(&d);
}

#define H64 "\"0000000000000000000000000000000000000000000000000000000000000001\""
#define CAT                                                                                        \
	"{\"id\":1,\"code\":\"paper\",\"name\":\"P\",\"unit\":\"g\",\"rate_version\":1,"           \
	"\"rate\":2000,\"min\":50,\"max\":500,\"daily_limit\":0}"

#define CAT_CAP(v)                                                                                 \
	"{\"id\":1,\"code\":\"paper\",\"name\":\"P\",\"unit\":\"g\",\"rate_version\":1,"           \
	"\"rate\":2000,\"min\":50,\"max\":500,\"daily_limit\":0,\"anon_daily_cap\":" v "}"

/* The anonymous daily cap: absent is no cap, 0 and N are caps. */
static void test_anon_daily_cap(void **state)
{
	(void)state;
	static const char *const docs[] = {
	    "{\"format\":\"wufei-downsync-1\",\"categories\":[" CAT "]}",
	    "{\"format\":\"wufei-downsync-1\",\"categories\":[" CAT_CAP("0") "]}",
	    "{\"format\":\"wufei-downsync-1\",\"categories\":[" CAT_CAP("3000") "]}",
	};
	const bool has[] = {false, true, true};
	const int64_t cap[] = {0, 0, 3000};
	for (unsigned i = 0; i < 3; i++) {
		struct downsync d;
		char why[256] = "";
		assert_int_equal(downsync_parse(docs[i], strlen(docs[i]), &d, why, sizeof why),
		                 WF_OK);
		assert_int_equal(d.ncategories, 1);
		assert_int_equal(d.categories[0].has_anon_cap, has[i]);
		assert_int_equal(d.categories[0].anon_cap_qty, cap[i]);
		downsync_free(&d);
	}
}

struct bad_doc {
	const char *json;
	const char *path; /* expected at the start of the message */
};

static const struct bad_doc bad_docs[] = {
    {"", "not JSON"},
    {"{\"format\":\"wufei-downsync-1\",", "not JSON"},
    {"[]", "top level: must be an object"},
    {"{}", "top level.format: missing"},
    {"{\"format\":\"wufei-downsync-9\"}", "format: must be"},
    {"{\"format\":\"wufei-downsync-1\",\"format\":\"x\"}", "not JSON"}, /* duplicate key */
    /* a field it does not know is ignored, not the known one beside it */
    {"{\"format\":\"wufei-downsync-1\",\"extra\":1,\"full\":1}", "full: must be true or false"},
    {"{\"format\":\"wufei-downsync-1\",\"full\":\"yes\"}", "full: must be true or false"},
    {"{\"format\":\"wufei-downsync-1\",\"card_key\":{\"version\":1,\"key\":\"ab\"}}",
     "card_key.key: must be 64 hex"},
    {"{\"format\":\"wufei-downsync-1\",\"categories\":{}}", "categories: must be an array"},
    {"{\"format\":\"wufei-downsync-1\",\"categories\":[" CAT ",{\"id\":2,\"code\":\"x\","
     "\"name\":\"X\",\"unit\":\"g\",\"rate_version\":1,\"rate\":1000000001,\"min\":1,"
     "\"max\":2,\"daily_limit\":0}]}",
     "categories[1].rate: must be a whole number 0..1000000000"},
    {"{\"format\":\"wufei-downsync-1\",\"categories\":[{\"id\":1,\"code\":\"p\",\"name\":"
     "\"P\",\"unit\":\"kg\",\"rate_version\":1,\"rate\":1,\"min\":1,\"max\":2,"
     "\"daily_limit\":0}]}",
     "categories[0].unit: must be \"g\" or \"piece\""},
    {"{\"format\":\"wufei-downsync-1\",\"categories\":[{\"id\":1,\"code\":\"Paper!\",\"name\":"
     "\"P\",\"unit\":\"g\",\"rate_version\":1,\"rate\":1,\"min\":1,\"max\":2,"
     "\"daily_limit\":0}]}",
     "categories[0].code"},
    {"{\"format\":\"wufei-downsync-1\",\"categories\":[{\"id\":1,\"code\":\"p\",\"name\":"
     "\"P\",\"unit\":\"g\",\"rate_version\":1,\"rate\":1,\"min\":10,\"max\":2,"
     "\"daily_limit\":0}]}",
     "categories[0].max"},
    {"{\"format\":\"wufei-downsync-1\",\"categories\":[" CAT "," CAT "]}",
     "categories[1].id: 1 appears twice"},
    /* the anonymous daily cap: optional, a whole number 0..1000000000 */
    {"{\"format\":\"wufei-downsync-1\",\"categories\":[" CAT_CAP("-1") "]}",
     "categories[0].anon_daily_cap: must be a whole number 0..1000000000"},
    {"{\"format\":\"wufei-downsync-1\",\"categories\":[" CAT_CAP("1.5") "]}",
     "categories[0].anon_daily_cap: must be a whole number"},
    {"{\"format\":\"wufei-downsync-1\",\"categories\":[" CAT_CAP("null") "]}",
     "categories[0].anon_daily_cap: must be a whole number"},
    {"{\"format\":\"wufei-downsync-1\",\"categories\":[" CAT_CAP("\"none\"") "]}",
     "categories[0].anon_daily_cap: must be a whole number"},
    {"{\"format\":\"wufei-downsync-1\",\"categories\":[" CAT_CAP("1000000001") "]}",
     "categories[0].anon_daily_cap: must be a whole number"},
    {"{\"format\":\"wufei-downsync-1\",\"residents\":[{\"id\":5,\"card_hash\":\"zz\","
     "\"status\":\"active\",\"points_balance\":0}]}",
     "residents[0].card_hash: must be 64 hex"},
    {"{\"format\":\"wufei-downsync-1\",\"residents\":[{\"id\":5,\"card_hash\":" H64 ","
     "\"status\":\"gone\",\"points_balance\":0}]}",
     "residents[0].status: must be"},
    {"{\"format\":\"wufei-downsync-1\",\"residents\":[{\"id\":-5,\"card_hash\":" H64 ","
     "\"status\":\"active\",\"points_balance\":0}]}",
     "residents[0].id: must be a whole number"},
    {"{\"format\":\"wufei-downsync-1\",\"residents\":[{\"id\":5,\"card_hash\":" H64 ","
     "\"status\":\"active\",\"points_balance\":1.5}]}",
     "residents[0].points_balance"},
    {"{\"format\":\"wufei-downsync-1\",\"staff\":[{\"id\":7,\"card_hash\":" H64 ","
     "\"role\":\"staff\",\"pin_hash\":\"1234\"}]}",
     "staff[0].pin_hash: must be an Argon2id hash"},
    {"{\"format\":\"wufei-downsync-1\",\"staff\":[{\"id\":7,\"card_hash\":" H64 ","
     "\"role\":\"boss\",\"pin_hash\":\"$argon2id$x\"}]}",
     "staff[0].role"},
    {"{\"format\":\"wufei-downsync-1\",\"blocklist\":[{\"card_hash\":\"x\",\"why\":\"x\"}]}",
     "blocklist[0].card_hash: must be 64 hex"},
    {"{\"format\":\"wufei-downsync-1\",\"deleted\":{\"residents\":[0]}}",
     "deleted.residents[0]: must be a whole number"},
    {"{\"format\":\"wufei-downsync-1\",\"deleted\":{\"blocklist\":[\"xyz\"]}}",
     "deleted.blocklist[0]: must be 64 hex"},
    {"{\"format\":\"wufei-downsync-1\",\"deleted\":{\"bins\":[],\"staff\":[\"7\"]}}",
     "deleted.staff[0]: must be a whole number"},
};

static void test_bad_documents_named(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
		struct downsync d;
		char why[256] = "";
		int rc =
		    downsync_parse(bad_docs[i].json, strlen(bad_docs[i].json), &d, why, sizeof why);
		if (rc != WF_EINVAL || strncmp(why, bad_docs[i].path, strlen(bad_docs[i].path))) {
			printf("case %zu: expected '%s...', got rc %d '%s'\n", i, bad_docs[i].path,
			       rc, why);
			fail();
		}
		/* Nothing to free after a failure: the struct is empty. */
		assert_null(d.residents);
		assert_int_equal(d.nresidents, 0);
	}
}

/*
 * Forward compatibility (docs/SYNC-API.md: unknown fields are ignored by
 * both sides): a newer central's fields at every level — the top, card_key,
 * a category, a resident, a staff member, a blocklist entry, deleted — of
 * every JSON type are skipped, and every known field is still read.
 */
static void test_unknown_fields_ignored(void **state)
{
	(void)state;
	static const char doc[] =
	    "{\"format\":\"wufei-downsync-1\",\"new_top\":{\"a\":[1,2]},\"cursor\":\"r9\","
	    "\"full\":false,\"card_key\":{\"version\":2,\"key\":" H64 ",\"algo\":\"b2\"},"
	    "\"categories\":[{\"id\":3,\"code\":\"glass\",\"name\":\"G\",\"unit\":\"g\","
	    "\"rate_version\":4,\"rate\":500,\"min\":10,\"max\":900,\"daily_limit\":700,"
	    "\"colour\":\"green\",\"anon_daily_cap\":30}],"
	    "\"residents\":[{\"id\":1001,\"card_hash\":" H64 ",\"name\":\"W*\","
	    "\"status\":\"blocked\",\"block_reason\":\"lost\",\"points_balance\":-5,"
	    "\"tier\":2,\"since\":null}],"
	    "\"staff\":[{\"id\":7,\"card_hash\":" H64 ",\"name\":\"L*\",\"role\":\"admin\","
	    "\"pin_hash\":\"$argon2id$x\",\"shift\":[\"am\"]}],"
	    "\"blocklist\":[{\"card_hash\":" H64 ",\"reason\":\"stolen\",\"until\":99}],"
	    "\"deleted\":{\"residents\":[1002],\"bins\":[1],\"kiosks\":{}},"
	    "\"central_time\":1795867201,\"body_hash\":\"ab\",\"z\":true}";
	struct downsync d;
	char why[256] = "";
	int rc = downsync_parse(doc, strlen(doc), &d, why, sizeof why);
	if (rc)
		printf("%s\n", why);
	assert_int_equal(rc, WF_OK);
	assert_string_equal(d.cursor, "r9");
	assert_false(d.full);
	assert_true(d.has_card_key);
	assert_int_equal(d.card_key_version, 2);
	assert_int_equal(d.card_key[31], 1);
	assert_int_equal(d.ncategories, 1);
	assert_int_equal(d.categories[0].id, 3);
	assert_string_equal(d.categories[0].code, "glass");
	assert_int_equal(d.categories[0].rate_version, 4);
	assert_int_equal(d.categories[0].rate, 500);
	assert_int_equal(d.categories[0].daily_limit_qty, 700);
	assert_true(d.categories[0].has_anon_cap);
	assert_int_equal(d.categories[0].anon_cap_qty, 30);
	assert_int_equal(d.nresidents, 1);
	assert_int_equal(d.residents[0].id, 1001);
	assert_int_equal(d.residents[0].status, DOWNSYNC_BLOCKED);
	assert_string_equal(d.residents[0].block_reason, "lost");
	assert_int_equal(d.residents[0].points_balance, -5);
	assert_int_equal(d.nstaff, 1);
	assert_int_equal(d.staff[0].role, DOWNSYNC_ROLE_ADMIN);
	assert_int_equal(d.nblocks, 1);
	assert_string_equal(d.blocks[0].reason, "stolen");
	assert_int_equal(d.ndel_residents, 1);
	assert_int_equal(d.del_residents[0], 1002);
	downsync_free(&d);
}

static void test_incremental_with_deletions(void **state)
{
	(void)state;
	const char *json = "{\"format\":\"wufei-downsync-1\",\"cursor\":\"r17\",\"full\":false,"
	                   "\"central_time\":1795867201,\"body_hash\":\"ab\","
	                   "\"deleted\":{\"categories\":[3],\"residents\":[1001,1002],"
	                   "\"staff\":[7],\"blocklist\":[" H64 "]}}";
	struct downsync d;
	char why[256];
	assert_int_equal(downsync_parse(json, strlen(json), &d, why, sizeof why), WF_OK);
	assert_false(d.full);
	assert_string_equal(d.cursor, "r17");
	assert_int_equal(d.ndel_categories, 1);
	assert_int_equal(d.del_categories[0], 3);
	assert_int_equal(d.ndel_residents, 2);
	assert_int_equal(d.del_residents[1], 1002);
	assert_int_equal(d.ndel_staff, 1);
	assert_int_equal(d.ndel_blocks, 1);
	assert_int_equal(d.del_blocks[0][31], 1);
	assert_false(d.has_card_key);
	downsync_free(&d);
	downsync_free(&d); /* twice is harmless */
	downsync_free(NULL);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct downsync d;
	char why[256];
	assert_int_equal(downsync_load_file("/nonexistent/f.json", &d, why, sizeof why), WF_ENOENT);
	assert_non_null(strstr(why, "/nonexistent/f.json"));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_demo_fixture),
	    cmocka_unit_test(test_bad_documents_named),
	    cmocka_unit_test(test_anon_daily_cap),
	    cmocka_unit_test(test_incremental_with_deletions),
	    cmocka_unit_test(test_unknown_fields_ignored),
	    cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
