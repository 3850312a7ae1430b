/* ops_support.c — see ops_support.h. */
#define _XOPEN_SOURCE 700
#include "ops_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "fixture.h"
#include "harness.h"
#include "signing.h"

int ops_cluster(const char *cmd, const char *state)
{
	char line[2048];
	const char *src = getenv("WUFEI_SOURCE_DIR");
	snprintf(line, sizeof line, "bash '%s/tests/pg/pg-cluster.sh' %s '%s' >&2", src ? src : ".",
	         cmd, state);
	int st = system(line);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

void ops_cluster_start(const char *state)
{
	assert_int_equal(ops_cluster("start", state), 0);
	assert_int_equal(setenv("WUFEI_TEST_PG", state, 1), 0);
}

const uint8_t *ops_sk(uint32_t kiosk)
{
	static uint8_t pk[2][32], sk[2][64];
	static int made;
	if (!made) {
		fx_keys(1, pk[0], sk[0]);
		fx_keys(100, pk[1], sk[1]);
		made = 1;
	}
	return kiosk == 7 ? sk[0] : sk[1];
}

void ops_store(const char *url, const char *dir)
{
	char pub[600], num[4];
	uint8_t pk[32], sk[64];
	for (uint32_t k = 7; k <= 8; k++) {
		fx_keys(k == 7 ? 1 : 100, pk, sk);
		snprintf(num, sizeof num, "%" PRIu32, k);
		harness_write_pub(dir, k == 7 ? "k7.pub" : "k8.pub", pk, pub, sizeof pub);
		assert_int_equal(
		    harness_cli(url, NULL, 0,
		                (const char *[]){"kiosk", "add", num, "--pubkey", pub, NULL}),
		    0);
	}
	assert_int_equal(
	    harness_cli(url, NULL, 0,
	                (const char *[]){"rates", "set", "--id", "1", "--code", "paper", "--name",
	                                 "纸类 Paper", "--unit", "g", "--rate", "2000", "--min",
	                                 "50", "--max", "50000", "--daily-limit", "20000", NULL}),
	    0);
}

struct reply {
	long status;
	char retry_after[16];
	char *body;
	size_t len;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct reply *r = ctx;
	size_t n = size * nmemb;
	char *q = realloc(r->body, r->len + n + 1);
	if (!q)
		return 0;
	memcpy(q + r->len, data, n);
	r->body = q;
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct reply *r = ctx;
	size_t n = size * nmemb;
	const char *name = "Retry-After:";
	size_t k = strlen(name);
	if (n > k && strncasecmp(data, name, k) == 0) {
		size_t from = k + strspn(data + k, " ");
		size_t len = strcspn(data + from, "\r\n");
		if (from + len <= n && len < sizeof r->retry_after) {
			memcpy(r->retry_after, data + from, len);
			r->retry_after[len] = '\0';
		}
	}
	return n;
}

/* One request (signed as kiosk 7 or 8, else unsigned) into r; status 0
 * when none came. No asserts: threads use it. */
static void request(int port, const char *method, const char *path, const char *body,
                    uint32_t kiosk, const char *extra, struct reply *r)
{
	char url[256], h[4][200], sig[SIGNING_SIG_HEX_LEN + 1];
	struct curl_slist *hdrs = NULL;
	size_t len = body ? strlen(body) : 0;
	int64_t now = (int64_t)time(NULL);
	memset(r, 0, sizeof *r);
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	CURL *c = curl_easy_init();
	if (!c)
		return;
	if (kiosk == 7 || kiosk == 8) {
		if (signing_sign_request(ops_sk(kiosk), method, path, now, body, len, kiosk, 1,
		                         sig) != 0) {
			curl_easy_cleanup(c);
			return;
		}
		snprintf(h[0], sizeof h[0], "X-Wufei-Kiosk: %" PRIu32, kiosk);
		snprintf(h[1], sizeof h[1], "X-Wufei-Key-Id: 1");
		snprintf(h[2], sizeof h[2], "X-Wufei-Time: %" PRId64, now);
		snprintf(h[3], sizeof h[3], "X-Wufei-Signature: %s", sig);
		for (int i = 0; i < 4; i++)
			hdrs = curl_slist_append(hdrs, h[i]);
	}
	if (extra)
		hdrs = curl_slist_append(hdrs, extra);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
}

long ops_request(int port, const char *method, const char *path, const char *body, uint32_t kiosk,
                 char retry_after[16], char error[64])
{
	return ops_request_with(port, method, path, body, kiosk, NULL, retry_after, error);
}

long ops_request_with(int port, const char *method, const char *path, const char *body,
                      uint32_t kiosk, const char *header, char retry_after[16], char error[64])
{
	struct reply r;
	request(port, method, path, body, kiosk, header, &r);
	snprintf(retry_after, 16, "%s", r.retry_after);
	json_t *j = r.body ? json_loads(r.body, 0, NULL) : NULL;
	const char *e = json_string_value(json_object_get(j, "error"));
	snprintf(error, 64, "%s", e ? e : "");
	json_decref(j);
	free(r.body);
	return r.status;
}

/* The results of a 200 batch answer counted into t. */
static void tally(const char *body, struct ops_tally *t)
{
	json_t *j = json_loads(body, 0, NULL);
	json_t *results = json_object_get(j, "results");
	if (!json_is_array(results))
		t->other++;
	size_t i;
	json_t *x;
	json_array_foreach(results, i, x)
	{
		const char *st = json_string_value(json_object_get(x, "status"));
		if (st && strcmp(st, "stored") == 0)
			t->stored++;
		else if (st && strcmp(st, "duplicate") == 0)
			t->duplicate++;
		else if (st && strcmp(st, "conflict") == 0)
			t->conflict++;
		else
			t->other++;
	}
	json_decref(j);
}

long ops_post(int port, uint32_t kiosk, const char *body, struct ops_tally *t, char retry_after[16])
{
	struct reply r;
	request(port, "POST", "/api/v1/sync/batch", body, kiosk, NULL, &r);
	if (retry_after)
		snprintf(retry_after, 16, "%s", r.retry_after);
	t->answered[r.status >= 0 && r.status < 600 ? r.status : 0]++;
	if (r.status == 200)
		tally(r.body, t);
	free(r.body);
	return r.status;
}

long ops_send(int port, struct ops_kiosk *k, uint32_t n, struct ops_tally *t, char retry_after[16])
{
	uint8_t prev[WF_HASH_BYTES];
	memcpy(prev, k->prev, sizeof prev);
	char *body = harness_batch_json(k->kiosk, k->next, n, prev, 0);
	unsigned before = t->stored + t->duplicate + t->conflict + t->other;
	long status = ops_post(port, k->kiosk, body, t, retry_after);
	free(body);
	if (status == 200) {
		/* one result a record */
		assert_int_equal(t->stored + t->duplicate + t->conflict + t->other - before, n);
		k->next += n;
		memcpy(k->prev, prev, sizeof prev);
	}
	return status;
}

void ops_report(const char *url, char *out, size_t cap)
{
	assert_int_equal(harness_cli(url, out, cap,
	                             (const char *[]){"report", "daily", "--format", "csv", NULL}),
	                 0);
}

int ops_shell(const char *cmd, char *out, size_t cap)
{
	char central[512];
	harness_bin("wufei-central", central, sizeof central);
	setenv("CENTRAL", central, 1);
	char *line = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&line, &n);
	assert_non_null(m);
	fprintf(m, "PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); %s 2>&1", cmd);
	fclose(m);
	FILE *p = popen(line, "r");
	free(line);
	assert_non_null(p);
	size_t got = fread(out, 1, cap - 1, p);
	out[got] = '\0';
	while (fgetc(p) != EOF) /* the rest, unread: the command must not block on its pipe */
		;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void ops_rmdir(const char *dir)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}
