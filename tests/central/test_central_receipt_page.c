/*
 * test_central_receipt_page.c — the receipt page /r/<TOKEN> a resident's
 * phone opens, over real HTTP: its language by Accept-Language (q-values,
 * "*", junk) and by its own switch (?lang=), the times in the kiosk's time
 * zone (`kiosk add --tz`, `kiosk tz`), how to claim, and every value from
 * the store HTML-escaped. With Debian's chromium present it also renders
 * the page at 360×740 in both languages (PNGs in build/tests/receipt-page/, kept
 * for a person to look at).
 */
#define _XOPEN_SOURCE 700
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
#include <curl/curl.h>

#include "fixture.h"
#include "harness.h"
#include "receipt.h"
#include "server_private.h" /* page_lang, compiled into this test */

/* 2026-11-28 00:00 UTC, in minutes: 08:00 in Asia/Shanghai. */
#define MIDNIGHT_UTC_MIN (1795824000u / 60u)

struct buf {
	char *p;
	size_t n;
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;
	char *p = realloc(b->p, b->n + size * n + 1);
	assert_non_null(p);
	memcpy(p + b->n, data, size * n);
	b->n += size * n;
	p[b->n] = '\0';
	b->p = p;
	return size * n;
}

/* GET path with Accept-Language (NULL: none sent); the status, the body in *body (free it). */
static long page_get(struct fx *f, const char *path, const char *accept_language, char **body)
{
	char url[512], hdr[300];
	struct buf b = {calloc(1, 1), 0};
	struct curl_slist *h = NULL;
	long status = 0;
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", f->c.port, path);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (accept_language) {
		snprintf(hdr, sizeof hdr, "Accept-Language: %s", accept_language);
		h = curl_slist_append(h, hdr);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	}
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	*body = b.p;
	return status;
}

/* A genuine receipt's path: a paper drop of kiosk 7 (key sk) at time_min. */
static void receipt_path(const uint8_t *sk, uint32_t kiosk, uint16_t category, uint32_t seq,
                         uint32_t time_min, char *path, size_t cap)
{
	char token[RECEIPT_TOKEN_LEN + 1];
	struct receipt r = {.version = 1,
	                    .key_id = 1,
	                    .kiosk = kiosk,
	                    .seq = seq,
	                    .time_min = time_min,
	                    .category = category,
	                    .qty = 1250,
	                    .points = 2};
	assert_int_equal(receipt_make_token(&r, sk, token, sizeof token), RECEIPT_TOKEN_LEN);
	snprintf(path, cap, "/r/%s", token);
}

/* The page's language as its <html lang> says, checked against its words. */
static const char *lang_of(const char *body)
{
	if (strstr(body, "<html lang=zh-CN>")) {
		assert_non_null(strstr(body, "真实有效的回收小票"));
		assert_non_null(strstr(body, "社区办公室"));           /* how to claim */
		assert_non_null(strstr(body, "<a href=\"?lang=en\"")); /* the switch */
		assert_non_null(strstr(body, "lang=en>English</a>"));
		return "zh";
	}
	assert_non_null(strstr(body, "<html lang=en>"));
	assert_non_null(strstr(body, "Genuine receipt"));
	assert_non_null(strstr(body, "community office"));
	assert_non_null(strstr(body, "<a href=\"?lang=zh\""));
	assert_non_null(strstr(body, "lang=zh-CN>中文</a>"));
	return "en";
}

static void test_language(void **state)
{
	struct fx *f = *state;
	char path[300], qpath[320];
	receipt_path(f->sk, 7, 1, 5, MIDNIGHT_UTC_MIN, path, sizeof path);
	static const struct {
		const char *header; /* NULL: none */
		const char *want;
	} cases[] = {
	    {"zh-CN,zh;q=0.9,en;q=0.8", "zh"},
	    {"en-US", "en"},
	    {"en-GB,en;q=0.9", "en"},
	    {"fr, *;q=0.1", "en"}, /* asks for French: English is likelier read */
	    {"fr-FR", "en"},
	    {"de;q=0.9, zh-TW;q=0.2", "zh"},
	    {"en;q=0.5, zh;q=0.6", "zh"},
	    {"zh;q=0.5, en;q=0.6", "en"},
	    {"zh;q=0, *", "en"}, /* Chinese refused outright */
	    {"en, zh", "en"},    /* equal weights: the first listed */
	    {"zh-Hans-CN, en", "zh"},
	    {"*", "zh"},
	    {"%%%;;q=x,,, ;q=", "zh"}, /* junk */
	    {"en;q=2", "zh"},          /* not a q-value: ignored */
	    {"", "zh"},
	    {NULL, "zh"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *body = NULL;
		assert_int_equal(page_get(f, path, cases[i].header, &body), 200);
		if (strcmp(lang_of(body), cases[i].want) != 0)
			fail_msg("Accept-Language '%s': want %s",
			         cases[i].header ? cases[i].header : "(none)", cases[i].want);
		free(body);
	}
	/* The switch wins over the browser's wish, both ways; a wrong one is ignored. */
	char *body = NULL;
	snprintf(qpath, sizeof qpath, "%s?lang=zh", path);
	assert_int_equal(page_get(f, qpath, "en-US", &body), 200);
	assert_string_equal(lang_of(body), "zh");
	free(body);
	snprintf(qpath, sizeof qpath, "%s?lang=en", path);
	assert_int_equal(page_get(f, qpath, "zh-CN", &body), 200);
	assert_string_equal(lang_of(body), "en");
	free(body);
	snprintf(qpath, sizeof qpath, "%s?lang=xx", path);
	assert_int_equal(page_get(f, qpath, "en-US", &body), 200);
	assert_string_equal(lang_of(body), "en");
	free(body);
	/* not a receipt: in the asked language too, 404 */
	assert_int_equal(page_get(f, "/r/NOTATOKEN", "zh-CN", &body), 404);
	assert_non_null(strstr(body, "<html lang=zh-CN>"));
	assert_non_null(strstr(body, "不是有效的小票"));
	free(body);
	assert_int_equal(page_get(f, "/r/NOTATOKEN", "en", &body), 404);
	assert_non_null(strstr(body, "Not a valid receipt"));
	free(body);
}

/* HTML Tidy (Debian's tidy), when there is one, finds no error and no
 * warning in body: valid HTML5. */
static void tidy_check(struct fx *f, const char *body)
{
	char file[400], cmd[1000];
	if (system("command -v tidy >/dev/null 2>&1") != 0)
		return;
	snprintf(file, sizeof file, "%s/page.html", f->dir);
	FILE *out = fopen(file, "w");
	assert_non_null(out);
	fputs(body, out);
	fclose(out);
	snprintf(cmd, sizeof cmd, "tidy -q -e %s", file);
	assert_int_equal(system(cmd), 0);
}

/* The points large, what it was for, and the claim's state. */
static void test_content(void **state)
{
	struct fx *f = *state;
	char path[300], *body = NULL;
	receipt_path(f->sk, 7, 1, 5, MIDNIGHT_UTC_MIN, path, sizeof path);
	assert_int_equal(page_get(f, path, "en", &body), 200);
	assert_non_null(strstr(body, "<!DOCTYPE html>"));
	assert_non_null(strstr(body, "name=viewport"));
	assert_non_null(strstr(body, "<span class=n>2</span> points"));
	assert_non_null(strstr(body, "<dd>纸类 Paper</dd>"));
	assert_non_null(strstr(body, "<dd class=nw>1250 g</dd>"));
	assert_non_null(strstr(body, "<dd>No. 7</dd>"));
	assert_non_null(strstr(body, "has not sent this drop")); /* central holds no record 5 */
	tidy_check(f, body);
	free(body);
	assert_int_equal(page_get(f, path, "zh", &body), 200);
	assert_non_null(strstr(body, "<span class=n>2</span> 积分"));
	assert_non_null(strstr(body, "<dd class=nw>1250 克</dd>"));
	assert_non_null(strstr(body, "<dd>7 号</dd>"));
	tidy_check(f, body);
	free(body);
	assert_int_equal(page_get(f, "/r/NOTATOKEN", "zh", &body), 404);
	tidy_check(f, body);
	free(body);
}

static void expect_time(struct fx *f, const char *path, const char *when)
{
	char *body = NULL, dd[64];
	assert_int_equal(page_get(f, path, "en", &body), 200);
	snprintf(dd, sizeof dd, "<dd class=nw>%s</dd>", when);
	if (!strstr(body, dd))
		fail_msg("want %s in\n%s", dd, body);
	free(body);
}

/* A heartbeat of kiosk 7 with "time_zone": tz_json, answered status. */
static void heartbeat(struct fx *f, const char *tz_json, long status)
{
	char body[400];
	struct http_answer a;
	snprintf(body, sizeof body,
	         "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":7,\"last_seq\":0,\"outbox_depth\":0,"
	         "\"software_version\":\"0.1.0\",\"devices\":[],\"time_zone\":%s}",
	         tz_json);
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/kiosk/heartbeat", body,
	                                 strlen(body), f->sk, 7, 1, fx_now_s(), &a),
	                 0);
	assert_int_equal(a.status, status);
	harness_answer_free(&a);
}

static void test_kiosk_time_zone(void **state)
{
	struct fx *f = *state;
	char path[300], out[256];
	receipt_path(f->sk, 7, 1, 5, MIDNIGHT_UTC_MIN, path, sizeof path);
	/* enrolled without --tz: Asia/Shanghai, UTC+8 */
	expect_time(f, path, "2026-11-28 08:00");
	assert_int_equal(fx_cli(f, out, sizeof out,
	                        (const char *[]){"kiosk", "tz", "7", "America/New_York", NULL}),
	                 0);
	expect_time(f, path, "2026-11-27 19:00"); /* EST, UTC-5 in November */
	char list[2048];
	assert_int_equal(fx_cli(f, list, sizeof list, (const char *[]){"kiosk", "list", NULL}), 0);
	assert_non_null(strstr(list, "kiosk 7\t\tAmerica/New_York\t"));
	/* a zone the system does not know, or a path, is refused and changes nothing */
	assert_int_equal(
	    fx_cli(f, NULL, 0, (const char *[]){"kiosk", "tz", "7", "Mars/Olympus", NULL}), 2);
	assert_int_equal(
	    fx_cli(f, NULL, 0, (const char *[]){"kiosk", "tz", "7", "../../etc/passwd", NULL}), 2);
	assert_int_equal(
	    fx_cli(f, NULL, 0, (const char *[]){"kiosk", "tz", "99", "Asia/Tokyo", NULL}), 1);
	expect_time(f, path, "2026-11-27 19:00");
	/* the kiosk says the zone it runs in (kiosk.ini) in its heartbeat: that wins */
	heartbeat(f, "\"Europe/Berlin\"", 200);
	expect_time(f, path, "2026-11-28 01:00"); /* CET, UTC+1 */
	heartbeat(f, "\"Bogus/Zone\"", 200);      /* a zone central does not know: kept as it was */
	expect_time(f, path, "2026-11-28 01:00");
	heartbeat(f, "17", 400);
	heartbeat(f, "\"Europe/Berlin/Europe/Berlin/Europe/Berlin/Europe/Berlin/Europe/Berlin\"",
	          400);
	/* enrolled with --tz */
	uint8_t pk[32], sk[64];
	char pub[600];
	fx_keys(40, pk, sk);
	harness_write_pub(f->dir, "k9.pub", pk, pub, sizeof pub);
	assert_int_equal(fx_cli(f, NULL, 0,
	                        (const char *[]){"kiosk", "add", "9", "--pubkey", pub, "--tz",
	                                         "Europe/London", NULL}),
	                 0);
	receipt_path(sk, 9, 1, 1, MIDNIGHT_UTC_MIN + 90, path, sizeof path);
	expect_time(f, path, "2026-11-28 01:30"); /* GMT in November */
	assert_int_equal(fx_cli(f, NULL, 0,
	                        (const char *[]){"kiosk", "add", "10", "--pubkey", pub, "--tz",
	                                         "Nowhere/Else", NULL}),
	                 2);
}

/* What the office typed (kiosk and category names) reaches the page escaped. */
static void test_escaping(void **state)
{
	struct fx *f = *state;
	uint8_t pk[32], sk[64];
	char pub[600], path[300], *body = NULL;
	fx_keys(60, pk, sk);
	harness_write_pub(f->dir, "k11.pub", pk, pub, sizeof pub);
	assert_int_equal(fx_cli(f, NULL, 0,
	                        (const char *[]){"kiosk", "add", "11", "--pubkey", pub, "--name",
	                                         "<script>alert(1)</script> & \"Hall\"", NULL}),
	                 0);
	assert_int_equal(
	    fx_cli(f, NULL, 0,
	           (const char *[]){"rates", "set", "--id", "2", "--code", "glass", "--name",
	                            "<img src=x onerror=alert(2)>'Glass'", "--unit", "g", "--rate",
	                            "1000", "--min", "50", "--max", "50000", NULL}),
	    0);
	receipt_path(sk, 11, 2, 1, MIDNIGHT_UTC_MIN, path, sizeof path);
	assert_int_equal(page_get(f, path, "en", &body), 200);
	assert_null(strstr(body, "<script"));
	assert_null(strstr(body, "<img"));
	assert_non_null(
	    strstr(body, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Hall&quot; (11)"));
	assert_non_null(strstr(body, "&lt;img src=x onerror=alert(2)&gt;&#39;Glass&#39;"));
	free(body);
	/* a path full of markup is not echoed */
	assert_int_equal(page_get(f, "/r/%3Cscript%3Ealert(3)%3C/script%3E", "en", &body), 404);
	assert_null(strstr(body, "<script"));
	assert_null(strstr(body, "alert(3)"));
	free(body);
}

/* page_lang on its own, on seeded random headers made of the bytes that
 * matter to it (and a few that must not): it always picks one of the two
 * languages and reads no further than the header (ASan checks that). */
static void test_language_random(void **state)
{
	(void)state;
	static const char alphabet[] = "zhenZHENfr-;,=q.01*9 \t\x01\xff\"";
	char h[400];
	unsigned seed = 12;
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)(rand_r(&seed) % (sizeof h - 1));
		for (size_t k = 0; k < n; k++)
			h[k] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
		h[n] = '\0';
		enum wf_lang l = page_lang(i % 7 ? NULL : h, h);
		assert_true(l == WF_LANG_ZH || l == WF_LANG_EN);
	}
	/* a long header: only its first 32 elements are read */
	char big[4096];
	size_t used = 0;
	for (int i = 0; i < 100; i++)
		used += (size_t)snprintf(big + used, sizeof big - used, "fr;q=0.9, ");
	snprintf(big + used, sizeof big - used, "zh");
	assert_int_equal(page_lang(NULL, big), WF_LANG_EN);
}

/* Renders the page in both languages at 360×740 with headless chromium (when
 * there is one): the PNGs are the artifact a person looks at. */
static void test_screenshots(void **state)
{
	struct fx *f = *state;
	char path[300], dir[600], cmd[2048];
	if (system("command -v chromium >/dev/null 2>&1") != 0)
		skip();
	receipt_path(f->sk, 7, 1, 5, MIDNIGHT_UTC_MIN, path, sizeof path);
	const char *bin = getenv("WUFEI_BIN_DIR");
	snprintf(dir, sizeof dir, "%s/../tests/receipt-page", bin ? bin : "bin");
	mkdir(dir, 0755);
	static const char *const langs[] = {"zh", "en", "zh"};
	for (size_t i = 0; i < 3; i++) {
		char png[700];
		struct stat st;
		/* the third: a receipt that is not valid */
		snprintf(png, sizeof png, "%s/receipt-%s%s.png", dir, langs[i],
		         i == 2 ? "-invalid" : "");
		remove(png);
		snprintf(cmd, sizeof cmd,
		         "HOME=%s chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
		         "--no-first-run --window-size=360,740 --screenshot=%s "
		         "'http://127.0.0.1:%d%s?lang=%s' >/dev/null 2>&1",
		         f->dir, png, f->c.port, i == 2 ? "/r/NOTATOKEN" : path, langs[i]);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(stat(png, &st), 0);
		assert_true(st.st_size > 3000); /* a page, not a blank */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_language_random),
	    cmocka_unit_test_setup_teardown(test_language, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_content, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_kiosk_time_zone, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_escaping, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_screenshots, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
