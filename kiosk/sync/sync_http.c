/*
 * sync_http.c — one signed request to central over libcurl and its answer.
 *
 * Every request carries the kiosk's signature headers over the exact body
 * (docs/SYNC-API.md "Signing"); every genuine answer echoes the hash of
 * that body. Only such an answer may move our idea of central's clock, or
 * a captive portal's "200 OK" could move our days and receipts.
 */
#include "sync_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ANSWER_MAX (8u * 1024u * 1024u) /* a down-sync answer can be large */

void sync_say(struct sync *s, enum wf_log_level lvl, const char *fmt, ...)
{
	char msg[SYNC_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (lvl >= WF_LOG_WARN) {
		pthread_mutex_lock(&s->lock);
		memcpy(s->st.last_error, msg, sizeof msg);
		pthread_mutex_unlock(&s->lock);
	}
	if (s->cfg.log)
		s->cfg.log(s->cfg.log_ctx, lvl, msg);
}

static int64_t offset_ms(struct sync *s)
{
	pthread_mutex_lock(&s->lock);
	int64_t off = s->st.offset_ms;
	pthread_mutex_unlock(&s->lock);
	return off;
}

int64_t sync_now_ms(struct sync *s)
{
	return wf_clock_utc_ms(s->clock) + offset_ms(s);
}

/* Central's clock from an answer that answers our request: adopt its offset. */
static void take_time(struct sync *s, int64_t central_s, int64_t sent_ms)
{
	if (central_s <= 0)
		return;
	int64_t offset = central_s * 1000 - sent_ms;
	pthread_mutex_lock(&s->lock);
	s->st.offset_ms = offset;
	pthread_mutex_unlock(&s->lock);
}

static size_t on_body(char *ptr, size_t size, size_t n, void *ctx)
{
	struct sync_answer *a = ctx;
	size_t len = size * n;
	if (a->len + len > ANSWER_MAX) {
		a->too_big = true;
		return 0; /* abort the transfer */
	}
	char *p = realloc(a->data, a->len + len + 1);
	if (!p)
		return 0;
	a->data = p;
	memcpy(a->data + a->len, ptr, len);
	a->len += len;
	a->data[a->len] = '\0';
	return len;
}

static size_t on_header(char *ptr, size_t size, size_t n, void *ctx)
{
	struct sync_answer *a = ctx;
	size_t len = size * n;
	static const char name[] = "x-wufei-central-time:";
	if (len > sizeof name && !strncasecmp(ptr, name, sizeof name - 1)) {
		char buf[32];
		size_t vlen = len - (sizeof name - 1);
		if (vlen >= sizeof buf)
			vlen = sizeof buf - 1;
		memcpy(buf, ptr + sizeof name - 1, vlen);
		buf[vlen] = '\0';
		a->central_time = strtoll(buf, NULL, 10);
	}
	return len;
}

/* The signature headers of a request at corrected time t (seconds). */
static struct curl_slist *sign_headers(struct sync *s, const char *method, const char *path,
                                       int64_t t, const char *body, size_t body_len)
{
	char sig[SIGNING_SIG_HEX_LEN + 1];
	if (signing_sign_request(s->secret_key, method, path, t, body ? body : "",
	                         body ? body_len : 0, s->cfg.kiosk, s->cfg.key_id, sig) != WF_OK)
		return NULL;
	char h_kiosk[64], h_key[64], h_time[64], h_sig[160];
	snprintf(h_kiosk, sizeof h_kiosk, "X-Wufei-Kiosk: %u", s->cfg.kiosk);
	snprintf(h_key, sizeof h_key, "X-Wufei-Key-Id: %u", s->cfg.key_id);
	snprintf(h_time, sizeof h_time, "X-Wufei-Time: %lld", (long long)t);
	snprintf(h_sig, sizeof h_sig, "X-Wufei-Signature: %s", sig);
	struct curl_slist *hdr = NULL;
	hdr = curl_slist_append(hdr, h_kiosk);
	hdr = curl_slist_append(hdr, h_key);
	hdr = curl_slist_append(hdr, h_time);
	hdr = curl_slist_append(hdr, h_sig);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	return curl_slist_append(hdr, "Expect:");
}

/* Sets up the reused easy handle for one request. */
static void prepare_curl(struct sync *s, const char *url, struct curl_slist *hdr,
                         struct sync_answer *a, const char *body, size_t body_len)
{
	CURL *c = s->curl;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)s->cfg.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)s->cfg.timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->ca_file[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
}

int sync_request(struct sync *s, const char *method, const char *path, const char *body,
                 size_t body_len, struct sync_answer *a, char hash_hex[SIGNING_HASH_HEX_LEN + 1])
{
	memset(a, 0, sizeof *a);
	char url[SYNC_URL_MAX + SIGNING_PATH_MAX];
	snprintf(url, sizeof url, "%s%s", s->url, path);
	signing_hash_body(body ? body : "", body ? body_len : 0, hash_hex);
	struct curl_slist *hdr =
	    sign_headers(s, method, path, sync_now_ms(s) / 1000, body, body_len);
	if (!hdr)
		return WF_ECRYPTO;
	prepare_curl(s, url, hdr, a, body, body_len);
	a->sent_ms = wf_clock_utc_ms(s->clock);
	CURLcode rc = curl_easy_perform(s->curl);
	curl_slist_free_all(hdr);
	if (rc != CURLE_OK) {
		sync_say(s, WF_LOG_WARN, "%s %s: %s", method, path,
		         a->too_big ? "answer too large" : curl_easy_strerror(rc));
		free(a->data);
		a->data = NULL;
		return WF_EIO;
	}
	long status = 0;
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	return (int)status;
}

/* Central's errors that no retry cures (docs/SYNC-API.md): only the office can. */
static bool refused_for_good(const char *error)
{
	return strcmp(error, "seq_exhausted") == 0;
}

json_t *sync_answer_json(struct sync *s, const char *what, int status, const struct sync_answer *a,
                         const char *hash_hex)
{
	json_error_t jerr;
	json_t *root = a->data ? json_loadb(a->data, a->len, 0, &jerr) : NULL;
	json_t *bh = root ? json_object_get(root, "body_hash") : NULL;
	bool ours = json_is_string(bh) && !strcmp(json_string_value(bh), hash_hex);
	if (ours) {
		json_t *ct = json_object_get(root, "central_time");
		take_time(s, json_is_integer(ct) ? json_integer_value(ct) : a->central_time,
		          a->sent_ms);
	}
	if (status != 200) {
		json_t *e = root ? json_object_get(root, "error") : NULL;
		const char *error = json_is_string(e) ? json_string_value(e) : NULL;
		if (ours && error && refused_for_good(error)) {
			pthread_mutex_lock(&s->lock);
			s->st.refused = true;
			pthread_mutex_unlock(&s->lock);
			sync_say(s, WF_LOG_ERROR,
			         "%s: central refuses for good (%d %s): call the office, retrying "
			         "will not help",
			         what, status, error);
		} else {
			sync_say(s, WF_LOG_WARN, "%s: central answered %d %s", what, status,
			         error ? error : "(no error text)");
		}
		json_decref(root);
		return NULL;
	}
	if (!ours) {
		/* Not an answer to what we sent (captive portal, proxy, wrong server). */
		sync_say(s, WF_LOG_WARN, "%s: answer does not carry our body hash: ignored", what);
		json_decref(root);
		return NULL;
	}
	return root;
}

json_t *sync_post_json(struct sync *s, const char *what, const char *path, const json_t *body,
                       int *status)
{
	size_t len = json_dumpb(body, s->body, SYNC_BODY_MAX, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (len == 0 || len > SYNC_BODY_MAX) {
		sync_say(s, WF_LOG_ERROR, "%s: request body does not fit %u bytes", what,
		         SYNC_BODY_MAX);
		*status = WF_ENOMEM;
		return NULL;
	}
	struct sync_answer a;
	char hash[SIGNING_HASH_HEX_LEN + 1];
	*status = sync_request(s, "POST", path, s->body, len, &a, hash);
	if (*status < 0)
		return NULL;
	json_t *root = sync_answer_json(s, what, *status, &a, hash);
	free(a.data);
	return root;
}
