/*
 * test_receipt.c — receipt tokens, base32, request signing and key files:
 * the SYNC-API.md worked example byte for byte, the largest receipt in QR
 * version 7-M, and forged/truncated/bit-flipped/wrong-kiosk tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <qrencode.h>
#include <sodium.h>

#include "base32.h"
#include "hex.h"
#include "receipt.h"
#include "signing.h"
#include "wf.h"

static void seed_keys(uint8_t first, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(first + i);
	assert_int_equal(signing_keypair_from_seed(seed, pk, sk), WF_OK);
}

/* Reads the doc and returns the text between "```\n" following marker. */
static char *doc_text(void)
{
	char path[4096];
	const char *src = getenv("WUFEI_SOURCE_DIR");
	assert_non_null(src);
	snprintf(path, sizeof path, "%s/docs/SYNC-API.md", src);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_worked_example(void **state)
{
	(void)state;
	static const char body[] =
	    "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":12,\"last_seq\":1234,\"outbox_depth\":3,"
	    "\"software_version\":\"0.1.0\",\"devices\":[{\"name\":\"scale\",\"role\":\"scale\","
	    "\"state\":\"up\"},{\"name\":\"printer\",\"role\":\"printer\",\"state\":\"down\","
	    "\"detail\":\"paper out\"}]}";
	uint8_t pk[32], sk[64];
	char pk_hex[65], hash[65], str[SIGNING_STRING_MAX], sig[129];
	seed_keys(0, pk, sk);
	hex_encode(pk, 32, pk_hex, sizeof pk_hex);
	assert_int_equal(signing_hash_body(body, strlen(body), hash), WF_OK);
	int n = signing_build_string(str, sizeof str, "POST", "/api/v1/kiosk/heartbeat", 1795867200,
	                             hash, 12, 1);
	assert_true(n > 0);
	assert_int_equal(signing_sign_request(sk, "POST", "/api/v1/kiosk/heartbeat", 1795867200,
	                                      body, strlen(body), 12, 1, sig),
	                 WF_OK);

	/* Every value the document prints must be what the code computes. */
	const char *doc = doc_text();
	char line[600];
	snprintf(line, sizeof line, "\n%s\n```", body);
	assert_non_null(strstr(doc, line));
	snprintf(line, sizeof line, "(%zu bytes", strlen(body));
	assert_non_null(strstr(doc, line));
	snprintf(line, sizeof line, "public key  %s\n", pk_hex);
	assert_non_null(strstr(doc, line));
	snprintf(line, sizeof line, "```\n%s\n```", hash);
	assert_non_null(strstr(doc, line));
	char block[SIGNING_STRING_MAX + 16];
	snprintf(block, sizeof block, "```\n%s\n```", str);
	assert_non_null(strstr(doc, block));
	snprintf(line, sizeof line, "X-Wufei-Signature: %s\n", sig);
	assert_non_null(strstr(doc, line));
	char empty[65];
	signing_hash_body(NULL, 0, empty);
	assert_non_null(strstr(doc, empty));

	/* And the signature verifies, and does not once anything changes. */
	assert_int_equal(signing_verify_request(pk, "POST", "/api/v1/kiosk/heartbeat", 1795867200,
	                                        hash, 12, 1, sig),
	                 WF_OK);
	assert_int_equal(signing_verify_request(pk, "POST", "/api/v1/kiosk/heartbeat", 1795867201,
	                                        hash, 12, 1, sig),
	                 WF_ECRYPTO);
	assert_int_equal(signing_verify_request(pk, "POST", "/api/v1/kiosk/heartbeat", 1795867200,
	                                        hash, 13, 1, sig),
	                 WF_ECRYPTO);
	assert_int_equal(signing_verify_request(pk, "GET", "/api/v1/kiosk/heartbeat", 1795867200,
	                                        hash, 12, 1, sig),
	                 WF_ECRYPTO);
}

static void test_base32_roundtrip(void **state)
{
	(void)state;
	/* RFC 4648 vectors, without padding. */
	static const char *vec[][2] = {{"", ""},
	                               {"f", "MY"},
	                               {"fo", "MZXQ"},
	                               {"foo", "MZXW6"},
	                               {"foob", "MZXW6YQ"},
	                               {"fooba", "MZXW6YTB"},
	                               {"foobar", "MZXW6YTBOI"}};
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		char out[32];
		uint8_t back[16];
		int n =
		    base32_encode((const uint8_t *)vec[i][0], strlen(vec[i][0]), out, sizeof out);
		assert_int_equal(n, (int)strlen(vec[i][1]));
		assert_string_equal(out, vec[i][1]);
		n = base32_decode(out, strlen(out), back, sizeof back);
		assert_int_equal(n, (int)strlen(vec[i][0]));
		assert_memory_equal(back, vec[i][0], (size_t)n);
	}
	uint8_t b[8];
	assert_true(base32_decode("MZ", 2, b, sizeof b) < 0);  /* non-zero trailing bits */
	assert_true(base32_decode("MZX", 3, b, sizeof b) < 0); /* impossible length */
	assert_true(base32_decode("MY==", 4, b, sizeof b) < 0);
	assert_true(base32_decode("M1", 2, b, sizeof b) < 0);
}

static struct receipt max_receipt(void)
{
	struct receipt r = {.version = RECEIPT_FORMAT_V1,
	                    .flags = 0xFF,
	                    .key_id = 255,
	                    .kiosk = RECEIPT_KIOSK_MAX,
	                    .seq = UINT32_MAX,
	                    .time_min = UINT32_MAX,
	                    .category = UINT16_MAX,
	                    .qty = UINT32_MAX,
	                    .points = UINT32_MAX};
	return r;
}

static void test_largest_receipt_fits_qr_7m(void **state)
{
	(void)state;
	uint8_t pk[32], sk[64];
	seed_keys(1, pk, sk);
	struct receipt r = max_receipt();
	char token[RECEIPT_TOKEN_LEN + 1];
	assert_int_equal(receipt_make_token(&r, sk, token, sizeof token), RECEIPT_TOKEN_LEN);
	/* A base URL of exactly 32 characters, the longest allowed. */
	const char *base = "HTTPS://RECEIPTS.WUFEI-CITY.CN:8";
	const char *base32max = base;
	assert_int_equal(strlen(base32max), RECEIPT_BASE_URL_MAX);
	assert_int_equal(receipt_check_base_url(base32max, NULL, 0), WF_OK);
	char url[RECEIPT_URL_MAX + 1];
	assert_int_equal(receipt_format_url(base32max, token, url, sizeof url), RECEIPT_URL_MAX);
	QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(qr);
	printf("largest receipt URL (%zu chars) -> QR version %d at level M\n", strlen(url),
	       qr->version);
	assert_true(qr->version <= 7);
	QRcode_free(qr);

	struct receipt back;
	uint8_t payload[RECEIPT_PAYLOAD_LEN], sig[RECEIPT_SIG_LEN];
	assert_int_equal(receipt_parse(url, &back, payload, sig), WF_OK);
	assert_int_equal(back.version, r.version);
	assert_int_equal(back.flags, r.flags);
	assert_int_equal(back.key_id, r.key_id);
	assert_int_equal(back.kiosk, r.kiosk);
	assert_int_equal(back.seq, r.seq);
	assert_int_equal(back.time_min, r.time_min);
	assert_int_equal(back.category, r.category);
	assert_int_equal(back.qty, r.qty);
	assert_int_equal(back.points, r.points);
	assert_int_equal(receipt_verify(payload, sig, pk), WF_OK);
}

static void test_base_url_rules(void **state)
{
	(void)state;
	char why[128];
	assert_int_equal(receipt_check_base_url("HTTPS://R.WUFEI.CN", why, sizeof why), WF_OK);
	assert_int_equal(receipt_check_base_url("https://r.wufei.cn", why, sizeof why), WF_EINVAL);
	assert_int_equal(receipt_check_base_url("HTTPS://R.WUFEI.CN/", why, sizeof why), WF_EINVAL);
	assert_int_equal(
	    receipt_check_base_url("HTTPS://A-VERY-LONG-HOST-NAME.CITY.CN", why, sizeof why),
	    WF_EINVAL);
	assert_non_null(strstr(why, "32"));
	assert_int_equal(receipt_check_base_url("FTP://X", why, sizeof why), WF_EINVAL);
}

static void test_bad_tokens(void **state)
{
	(void)state;
	uint8_t pk_a[32], sk_a[64], pk_b[32], sk_b[64];
	seed_keys(10, pk_a, sk_a);
	seed_keys(50, pk_b, sk_b);
	struct receipt r = {.version = 1,
	                    .key_id = 1,
	                    .kiosk = 7,
	                    .seq = 42,
	                    .time_min = 29931120,
	                    .category = 1,
	                    .qty = 1250,
	                    .points = 2};
	char token[RECEIPT_TOKEN_LEN + 1];
	uint8_t payload[RECEIPT_PAYLOAD_LEN], sig[RECEIPT_SIG_LEN];
	assert_int_equal(receipt_make_token(&r, sk_a, token, sizeof token), RECEIPT_TOKEN_LEN);
	assert_int_equal(receipt_parse(token, NULL, payload, sig), WF_OK);
	assert_int_equal(receipt_verify(payload, sig, pk_a), WF_OK);
	assert_int_equal(receipt_verify(payload, sig, pk_b), WF_ECRYPTO); /* forged: other key */

	/* truncated */
	char t2[RECEIPT_TOKEN_LEN + 1];
	memcpy(t2, token, sizeof t2);
	t2[RECEIPT_TOKEN_LEN - 1] = '\0';
	assert_int_equal(receipt_parse(t2, NULL, payload, sig), WF_EINVAL);

	/* every single bit flipped in the decoded bytes is caught */
	uint8_t raw[88];
	assert_int_equal(base32_decode(token, RECEIPT_TOKEN_LEN, raw, sizeof raw), 88);
	for (int bit = 0; bit < 88 * 8; bit++) {
		uint8_t f[88];
		char ft[RECEIPT_TOKEN_LEN + 1];
		memcpy(f, raw, sizeof f);
		f[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		base32_encode(f, sizeof f, ft, sizeof ft);
		if (receipt_parse(ft, NULL, payload, sig) == WF_OK)
			assert_int_equal(receipt_verify(payload, sig, pk_a), WF_ECRYPTO);
	}
	/* kiosk A (key a) writes a receipt claiming to be kiosk 8 */
	struct receipt fake = r;
	fake.kiosk = 8;
	assert_int_equal(receipt_make_token(&fake, sk_a, token, sizeof token), RECEIPT_TOKEN_LEN);
	assert_int_equal(receipt_parse(token, NULL, payload, sig), WF_OK);
	assert_int_equal(receipt_verify(payload, sig, pk_b), WF_ECRYPTO);
	/* a request signature never verifies as a receipt (different domain) */
	char sig_hex[129];
	assert_int_equal(signing_sign_request(sk_a, "POST", "/api/v1/x", 1, payload, sizeof payload,
	                                      7, 1, sig_hex),
	                 WF_OK);
	uint8_t s2[64];
	assert_int_equal(hex_decode(sig_hex, 128, s2, 64), WF_OK);
	assert_int_equal(receipt_verify(payload, s2, pk_a), WF_ECRYPTO);
}

static void test_keyfiles(void **state)
{
	(void)state;
	char dir[] = "/tmp/wufei-keyfile-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sec[256], pub[256];
	snprintf(sec, sizeof sec, "%s/kiosk.key", dir);
	snprintf(pub, sizeof pub, "%s/kiosk.key.pub", dir);
	uint8_t pk[32], sk[64], pk2[32], sk2[64];
	char why[128];
	mode_t old = umask(0);
	assert_int_equal(signing_keypair_generate(pk, sk), WF_OK);
	assert_int_equal(signing_keyfile_write_secret(sec, sk), WF_OK);
	assert_int_equal(signing_keyfile_write_public(pub, pk), WF_OK);
	umask(old);
	struct stat st;
	assert_int_equal(stat(sec, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(signing_keyfile_write_secret(sec, sk), WF_EEXIST);
	assert_int_equal(signing_keyfile_read_secret(sec, sk2, why, sizeof why), WF_OK);
	assert_memory_equal(sk, sk2, 64);
	assert_int_equal(signing_keyfile_read_public(pub, pk2, why, sizeof why), WF_OK);
	assert_memory_equal(pk, pk2, 32);
	assert_int_equal(signing_keyfile_read_public(sec, pk2, why, sizeof why), WF_EINVAL);
	assert_int_equal(chmod(sec, 0640), 0);
	assert_int_equal(signing_keyfile_read_secret(sec, sk2, why, sizeof why), WF_EINVAL);
	assert_non_null(strstr(why, "0600"));
	unlink(sec);
	unlink(pub);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_worked_example),
	    cmocka_unit_test(test_base32_roundtrip),
	    cmocka_unit_test(test_largest_receipt_fits_qr_7m),
	    cmocka_unit_test(test_base_url_rules),
	    cmocka_unit_test(test_bad_tokens),
	    cmocka_unit_test(test_keyfiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
