/* office_client.c — see office_client.h. */
#include "office_client.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "office.h"

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct office_resp *r = ctx;
	size_t k = size * n, room = sizeof r->body - 1 - r->len;
	size_t take = k < room ? k : room;
	memcpy(r->body + r->len, data, take);
	r->len += take;
	r->body[r->len] = '\0';
	return k;
}

/* Copies a header line's value into out when it is header name. */
static void header_value(const char *line, size_t len, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	if (len <= n + 1 || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return;
	const char *v = line + n + 1;
	size_t vl = len - n - 1;
	while (vl && *v == ' ')
		v++, vl--;
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
		vl--;
	snprintf(out, cap, "%.*s", (int)vl, v);
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct office_resp *r = ctx;
	char ra[32] = "";
	header_value(data, size * n, "Set-Cookie", r->set_cookie, sizeof r->set_cookie);
	header_value(data, size * n, "Location", r->location, sizeof r->location);
	header_value(data, size * n, "Content-Security-Policy", r->csp, sizeof r->csp);
	header_value(data, size * n, "Retry-After", ra, sizeof ra);
	if (ra[0])
		r->retry_after = atol(ra);
	return size * n;
}

void office_request(int port, const char *ca_file, const char *path, const char *ctype,
                    const char *body, const char *cookie, const char *const *headers,
                    struct office_resp *r)
{
	struct curl_slist *h = NULL;
	char url[400], ck[200], ct[80];
	memset(r, 0, sizeof *r);
	snprintf(url, sizeof url, "%s://127.0.0.1:%d%s", ca_file ? "https" : "http", port, path);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		if (ctype) {
			snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
			h = curl_slist_append(h, ct);
		}
	}
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	if (cookie) {
		snprintf(ck, sizeof ck, "%s=%s", OFFICE_COOKIE, cookie);
		curl_easy_setopt(c, CURLOPT_COOKIE, ck);
	}
	if (h)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
}
