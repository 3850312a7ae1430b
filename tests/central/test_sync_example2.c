/*
 * test_sync_example2.c — SYNC-API.md "Worked example 2" byte for byte: the
 * drop's canonical bytes (common/record.h), its chain hash (common/chain.h),
 * the batch body, its hash and the request signature.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "catalog.h"
#include "hex.h"
#include "chain.h"
#include "record.h"
#include "signing.h"
#include "wf.h"

static char *doc_text(void)
{
	char path[4096];
	static char buf[65536];
	const char *src = getenv("WUFEI_SOURCE_DIR");
	assert_non_null(src);
	snprintf(path, sizeof path, "%s/docs/SYNC-API.md", src);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_batch_example(void **state)
{
	(void)state;
	uint8_t seed[32], pk[32], sk[64];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	signing_keypair_from_seed(seed, pk, sk);
	struct wf_record r;
	memset(&r, 0, sizeof r);
	r.kind = WF_RECORD_DROP;
	r.kiosk = 12;
	r.seq = 1;
	r.time_ms = INT64_C(1795867200000);
	r.drop.category_id = 1;
	r.drop.unit = WF_UNIT_GRAM;
	r.drop.qty = 1250;
	r.drop.credited_qty = 1250;
	assert_int_equal(wf_points(WF_UNIT_GRAM, 2000, 1250, &r.drop.points), WF_OK);
	assert_int_equal(r.drop.points, 2);
	r.drop.rate_version = 3;
	r.drop.resident_id = 1001;
	for (int i = 0; i < 32; i++)
		r.drop.card_hash[i] = (uint8_t)(0xa0 + i % 16);
	r.drop.local_day = 20261128;
	uint8_t bytes[WF_RECORD_MAX_LEN];
	int n = wf_record_encode(&r, bytes, sizeof bytes);
	assert_int_equal(n, 98);
	char hex[2 * WF_RECORD_MAX_LEN + 1], b64[2 * WF_RECORD_MAX_LEN], chain_hex[WF_HASH_HEX];
	hex_encode(bytes, (size_t)n, hex, sizeof hex);
	sodium_bin2base64(b64, sizeof b64, bytes, (size_t)n, sodium_base64_VARIANT_ORIGINAL);
	uint8_t genesis[WF_HASH_BYTES], h[WF_HASH_BYTES];
	wf_chain_genesis(genesis);
	wf_chain_next(genesis, bytes, (size_t)n, h);
	hex_encode(h, WF_HASH_BYTES, chain_hex, WF_HASH_HEX);
	char body[1024], body_hash[WF_HASH_HEX], sig[129], line[1200];
	snprintf(body, sizeof body,
	         "{\"format\":\"wufei-batch-1\",\"kiosk\":12,\"records\":[{\"kind\":1,\"seq\":1,"
	         "\"data\":\"%s\",\"hash\":\"%s\"}]}",
	         b64, chain_hex);
	signing_hash_body(body, strlen(body), body_hash);
	assert_int_equal(signing_sign_request(sk, "POST", "/api/v1/sync/batch", 1795867200, body,
	                                      strlen(body), 12, 1, sig),
	                 0);

	const char *doc = doc_text();
	snprintf(line, sizeof line, "```\n%s\n```", hex);
	assert_non_null(strstr(doc, line));
	snprintf(line, sizeof line, "```\n%s\n```", chain_hex);
	assert_non_null(strstr(doc, line));
	snprintf(line, sizeof line, "```\n%s\n```", body);
	assert_non_null(strstr(doc, line));
	snprintf(line, sizeof line, "(%zu bytes, no newline", strlen(body));
	assert_non_null(strstr(doc, line));
	snprintf(line, sizeof line, "```\n%s\n```", body_hash);
	assert_non_null(strstr(doc, line));
	snprintf(line, sizeof line, "X-Wufei-Signature: %s\n", sig);
	assert_non_null(strstr(doc, line));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_batch_example)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
