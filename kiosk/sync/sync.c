/*
 * sync.c — the kiosk's side of docs/SYNC-API.md over libcurl.
 *
 * Order of one upload: peek the outbox (read-only, no transaction held),
 * build and sign the body, POST it, check the answer's body_hash against
 * our own, then acknowledge exactly the seqs central answered for. A lost
 * answer leaves the outbox as it was, so the same records go again and come
 * back `duplicate`.
 */
#include "sync.h"
#include "hex.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "downsync_apply.h"
#include "ledger.h"
#include "record.h"
#include "signing.h"

#define ANSWER_MAX   (8u * 1024u * 1024u) /* a down-sync answer can be large */
#define BODY_MAX     (512u * 1024u)
#define VERSION_TEXT "0.1.0"

struct sync {
	char url[SYNC_URL_MAX];
	char ca_file[SYNC_URL_MAX];
	struct sync_config cfg;
	uint8_t secret_key[SIGNING_SECRET_BYTES];
	struct ledger *ledger;
	CURL *curl;
	char *body;
	struct ledger_outbox_item *items;

	pthread_mutex_t lock; /* guards st, stop, kicked */
	pthread_cond_t cond;
	struct sync_status st;
	bool running, stop, kicked;
	pthread_t thread;
	int64_t next_heartbeat_ms, next_downsync_ms; /* CLOCK_MONOTONIC ms */
	uint32_t rng;
};

struct answer {
	char *data;
	size_t len;
	bool too_big;
	int64_t central_time; /* from X-Wufei-Central-Time; 0 = none */
	int64_t sent_ms;      /* kiosk clock when the request left */
};

/* ---- small helpers ---- */

static int64_t kiosk_now_ms(struct sync *s)
{
	if (s->cfg.clock_ms)
		return s->cfg.clock_ms(s->cfg.clock_ctx);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Scheduling (heartbeat, down-sync, back-off) runs on the monotonic clock:
 * the kiosk's wall clock can jump a year either way. */
static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t offset_ms(struct sync *s)
{
	pthread_mutex_lock(&s->lock);
	int64_t off = s->st.offset_ms;
	pthread_mutex_unlock(&s->lock);
	return off;
}

static void say(struct sync *s, enum wf_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct sync *s, enum wf_log_level lvl, const char *fmt, ...)
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

int64_t sync_backoff_ms(int attempt, int64_t min_ms, int64_t cap_ms, uint32_t rnd)
{
	int64_t hi = min_ms;
	for (int i = 1; i < attempt && hi < cap_ms; i++)
		hi *= 2;
	if (hi > cap_ms)
		hi = cap_ms;
	if (hi <= min_ms)
		return hi;
	/* "full jitter" between min and hi, so kiosks that failed together spread out */
	return min_ms + (int64_t)((uint64_t)rnd % (uint64_t)(hi - min_ms + 1));
}

static size_t on_body(char *ptr, size_t size, size_t n, void *ctx)
{
	struct answer *a = ctx;
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
	struct answer *a = ctx;
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

/* Central's clock from an answer that answers our request (its body_hash is
 * ours): adopt its offset. A stranger's clock (captive portal, proxy) is not
 * taken, or it could move our days and receipts. */
static void take_time(struct sync *s, int64_t central_s, int64_t sent_ms)
{
	if (central_s <= 0)
		return;
	int64_t offset = central_s * 1000 - sent_ms;
	pthread_mutex_lock(&s->lock);
	s->st.offset_ms = offset;
	pthread_mutex_unlock(&s->lock);
}

static int64_t corrected_s(struct sync *s)
{
	return (kiosk_now_ms(s) + offset_ms(s)) / 1000;
}

/*
 * One signed request. body may be NULL (GET). On return *a holds the answer
 * (free a->data) and the HTTP status is returned, or a negative error for a
 * transport failure.
 */
static int request(struct sync *s, const char *method, const char *path, const char *body,
                   size_t body_len, struct answer *a, char hash_hex[SIGNING_HASH_HEX_LEN + 1])
{
	memset(a, 0, sizeof *a);
	char url[SYNC_URL_MAX + SIGNING_PATH_MAX], sig[SIGNING_SIG_HEX_LEN + 1];
	snprintf(url, sizeof url, "%s%s", s->url, path);
	int64_t t = corrected_s(s);
	signing_hash_body(body ? body : "", body ? body_len : 0, hash_hex);
	if (signing_sign_request(s->secret_key, method, path, t, body ? body : "",
	                         body ? body_len : 0, s->cfg.kiosk, s->cfg.key_id, sig) != WF_OK)
		return WF_ECRYPTO;
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
	hdr = curl_slist_append(hdr, "Expect:");
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
	a->sent_ms = kiosk_now_ms(s);
	CURLcode rc = curl_easy_perform(c);
	curl_slist_free_all(hdr);
	if (rc != CURLE_OK) {
		say(s, WF_LOG_WARN, "%s %s: %s", method, path,
		    a->too_big ? "answer too large" : curl_easy_strerror(rc));
		free(a->data);
		a->data = NULL;
		return WF_EIO;
	}
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	return (int)status;
}

/*
 * Parses a JSON answer and checks it answers our body; only then is its
 * central_time taken (errors included: a 401 clock_skew corrects our
 * offset). NULL with a message for anything but a 200 answering our body.
 */
static json_t *answer_json(struct sync *s, const char *what, int status, const struct answer *a,
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
		say(s, WF_LOG_WARN, "%s: central answered %d %s", what, status,
		    json_is_string(e) ? json_string_value(e) : "(no error text)");
		json_decref(root);
		return NULL;
	}
	if (!ours) {
		/* Not an answer to what we sent (captive portal, proxy, wrong server). */
		say(s, WF_LOG_WARN, "%s: answer does not carry our body hash: ignored", what);
		json_decref(root);
		return NULL;
	}
	return root;
}

/* ---- upload ---- */

static size_t build_batch(struct sync *s, int n)
{
	size_t at = 0, cap = BODY_MAX;
	int w = snprintf(s->body, cap, "{\"format\":\"wufei-batch-1\",\"kiosk\":%u,\"records\":[",
	                 s->cfg.kiosk);
	at = (size_t)w;
	for (int i = 0; i < n; i++) {
		const struct ledger_outbox_item *it = &s->items[i];
		char b64[sodium_base64_ENCODED_LEN(WF_RECORD_MAX_LEN,
		                                   sodium_base64_VARIANT_ORIGINAL)];
		char hex[2 * WF_HASH_BYTES + 1];
		sodium_bin2base64(b64, sizeof b64, it->bytes, it->len,
		                  sodium_base64_VARIANT_ORIGINAL);
		hex_encode(it->hash, sizeof it->hash, hex, sizeof hex);
		w = snprintf(s->body + at, cap - at,
		             "%s{\"kind\":%u,\"seq\":%llu,\"data\":\"%s\",\"hash\":\"%s\"}",
		             i ? "," : "", it->kind, (unsigned long long)it->seq, b64, hex);
		if (w < 0 || (size_t)w >= cap - at)
			return 0;
		at += (size_t)w;
	}
	w = snprintf(s->body + at, cap - at, "]}");
	if (w < 0 || (size_t)w >= cap - at)
		return 0;
	return at + (size_t)w;
}

/* Uploads one batch. Returns the number of records acknowledged (>= 0) or an error. */
static int upload_batch(struct sync *s)
{
	int n = ledger_outbox_peek(s->ledger, s->items, s->cfg.batch_max);
	if (n <= 0)
		return n;
	size_t len = build_batch(s, n);
	if (len == 0)
		return WF_ENOMEM;
	struct answer a;
	char hash[SIGNING_HASH_HEX_LEN + 1];
	int status = request(s, "POST", "/api/v1/sync/batch", s->body, len, &a, hash);
	if (status < 0)
		return status;
	json_t *root = answer_json(s, "batch", status, &a, hash);
	free(a.data);
	if (!root)
		return status == 401 ? WF_ECRYPTO : WF_EPROTO;
	json_t *results = json_object_get(root, "results");
	uint64_t acks[SYNC_BATCH_MAX];
	bool conflicted[SYNC_BATCH_MAX];
	unsigned nack = 0;
	uint64_t stored = 0, dup = 0, conflict = 0;
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		json_t *seq = json_object_get(r, "seq"), *st = json_object_get(r, "status");
		if (!json_is_integer(seq) || !json_is_string(st) || nack >= SYNC_BATCH_MAX)
			continue;
		uint64_t q = (uint64_t)json_integer_value(seq);
		bool ours = false;
		for (int k = 0; k < n && !ours; k++)
			ours = s->items[k].seq == q;
		if (!ours)
			continue; /* only what we sent can be acknowledged */
		const char *v = json_string_value(st);
		if (!strcmp(v, "stored"))
			stored++;
		else if (!strcmp(v, "duplicate"))
			dup++;
		else if (!strcmp(v, "conflict")) {
			conflict++;
			say(s, WF_LOG_ERROR,
			    "central holds a different record %llu: kept in the journal, shown to "
			    "staff",
			    (unsigned long long)q);
		} else
			continue;
		conflicted[nack] = !strcmp(v, "conflict");
		acks[nack++] = q;
	}
	json_decref(root);
	int rc = nack ? ledger_outbox_ack(s->ledger, acks, conflicted, nack) : WF_OK;
	if (rc != WF_OK) {
		say(s, WF_LOG_ERROR, "journal: acknowledging failed: %s", ledger_errmsg(s->ledger));
		return rc;
	}
	pthread_mutex_lock(&s->lock);
	s->st.stored += stored;
	s->st.duplicates += dup;
	s->st.conflicts += conflict;
	pthread_mutex_unlock(&s->lock);
	return (int)nack;
}

/* ---- down-sync, epoch, heartbeat ---- */

static int downsync(struct sync *s)
{
	char cursor[LEDGER_CURSOR_MAX], path[SIGNING_PATH_MAX];
	int rc = ledger_sync_cursor(s->ledger, cursor, sizeof cursor);
	if (rc != WF_OK)
		return rc;
	if (cursor[0])
		snprintf(path, sizeof path, "/api/v1/sync/down?cursor=%s", cursor);
	else
		snprintf(path, sizeof path, "/api/v1/sync/down");
	struct answer a;
	char hash[SIGNING_HASH_HEX_LEN + 1];
	int status = request(s, "GET", path, NULL, 0, &a, hash);
	if (status < 0)
		return status;
	json_t *root = answer_json(s, "down-sync", status, &a, hash);
	json_decref(root);
	if (!root) {
		free(a.data);
		return WF_EPROTO;
	}
	struct downsync d;
	char why[256];
	rc = downsync_parse(a.data, a.len, &d, why, sizeof why);
	free(a.data);
	if (rc != WF_OK) {
		say(s, WF_LOG_WARN, "down-sync: refused: %s", why);
		return rc;
	}
	bool changed = d.full || d.ncategories || d.nresidents || d.nstaff || d.nblocks ||
	               d.ndel_categories || d.ndel_residents || d.ndel_staff || d.ndel_blocks;
	rc = downsync_apply(&d, s->ledger);
	downsync_free(&d);
	if (rc != WF_OK) {
		say(s, WF_LOG_ERROR, "down-sync: journal: %s", ledger_errmsg(s->ledger));
		return rc;
	}
	if (changed) {
		pthread_mutex_lock(&s->lock);
		s->st.catalog_version++;
		pthread_mutex_unlock(&s->lock);
	}
	return WF_OK;
}

int sync_epoch(struct sync *s, const char *reason)
{
	uint64_t last = 0;
	int rc = ledger_last(s->ledger, &last, NULL);
	if (rc != WF_OK)
		return rc;
	char body[256];
	int len = snprintf(body, sizeof body,
	                   "{\"format\":\"wufei-epoch-1\",\"kiosk\":%u,\"reason\":\"%.60s\","
	                   "\"local_last_seq\":%llu}",
	                   s->cfg.kiosk, reason, (unsigned long long)last);
	struct answer a;
	char hash[SIGNING_HASH_HEX_LEN + 1];
	int status = request(s, "POST", "/api/v1/kiosk/epoch", body, (size_t)len, &a, hash);
	if (status < 0)
		return status;
	json_t *root = answer_json(s, "epoch", status, &a, hash);
	free(a.data);
	if (!root)
		return WF_EPROTO;
	json_t *hs = json_object_get(root, "highest_seq"), *ep = json_object_get(root, "epoch");
	json_t *ch = json_object_get(root, "chain_hash");
	uint8_t chain[WF_HASH_BYTES];
	rc = WF_OK;
	if (!json_is_integer(hs) || !json_is_integer(ep) || !json_is_string(ch) ||
	    hex_decode(json_string_value(ch), strlen(json_string_value(ch)), chain, sizeof chain) !=
	        WF_OK) {
		say(s, WF_LOG_WARN, "epoch: malformed answer");
		rc = WF_EPROTO;
	} else if ((uint64_t)json_integer_value(hs) > last) {
		/* Central holds records this journal lacks: continue after them. */
		struct wf_record rec;
		memset(&rec, 0, sizeof rec);
		rec.kind = WF_RECORD_EPOCH;
		rec.time_ms = kiosk_now_ms(s) + offset_ms(s);
		rec.epoch.epoch = (uint32_t)json_integer_value(ep);
		rec.epoch.reason = last ? WF_EPOCH_RESTORED : WF_EPOCH_NEW;
		rec.epoch.after_seq = (uint64_t)json_integer_value(hs);
		memcpy(rec.epoch.hash, chain, sizeof chain);
		rc = ledger_append(s->ledger, &rec, NULL, NULL, NULL);
		if (rc == WF_OK)
			say(s, WF_LOG_WARN,
			    "journal behind central (%llu < %llu): continues at %llu",
			    (unsigned long long)last, (unsigned long long)rec.epoch.after_seq,
			    (unsigned long long)rec.seq);
		else
			say(s, WF_LOG_ERROR, "epoch: journal: %s", ledger_errmsg(s->ledger));
	}
	json_decref(root);
	if (rc == WF_OK) {
		pthread_mutex_lock(&s->lock);
		s->st.epoch_done = true;
		pthread_mutex_unlock(&s->lock);
	}
	return rc;
}

static int heartbeat(struct sync *s)
{
	uint64_t last = 0;
	int64_t depth = 0;
	ledger_last(s->ledger, &last, NULL);
	ledger_outbox_depth(s->ledger, &depth);
	char body[512];
	int len = snprintf(body, sizeof body,
	                   "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":%u,\"last_seq\":%llu,"
	                   "\"outbox_depth\":%lld,\"software_version\":\"%s\",\"devices\":[]}",
	                   s->cfg.kiosk, (unsigned long long)last, (long long)depth, VERSION_TEXT);
	struct answer a;
	char hash[SIGNING_HASH_HEX_LEN + 1];
	int status = request(s, "POST", "/api/v1/kiosk/heartbeat", body, (size_t)len, &a, hash);
	if (status < 0)
		return status;
	json_t *root = answer_json(s, "heartbeat", status, &a, hash);
	free(a.data);
	json_decref(root);
	return root ? WF_OK : WF_EPROTO;
}

/*
 * Pruning, both halves: apply a checkpoint central has acknowledged, and
 * append a new one when enough acknowledged records lie behind the ones
 * kept. The new checkpoint goes up with the next batch like any record.
 */
static int maintain(struct sync *s)
{
	int removed = ledger_prune_acked(s->ledger);
	if (removed < 0) {
		say(s, WF_LOG_ERROR, "journal: pruning failed: %s", ledger_errmsg(s->ledger));
		return removed;
	}
	if (removed > 0) {
		say(s, WF_LOG_INFO, "journal: %d acknowledged records pruned behind a checkpoint",
		    removed);
		pthread_mutex_lock(&s->lock);
		s->st.pruned += (uint64_t)removed;
		pthread_mutex_unlock(&s->lock);
	}
	uint64_t upto = 0;
	uint8_t hash[WF_HASH_BYTES];
	int due =
	    ledger_checkpoint_due(s->ledger, s->cfg.keep_records, s->cfg.prune_every, &upto, hash);
	if (due <= 0)
		return due;
	struct wf_record rec;
	memset(&rec, 0, sizeof rec);
	rec.kind = WF_RECORD_CHECKPOINT;
	rec.time_ms = kiosk_now_ms(s) + offset_ms(s);
	rec.checkpoint.upto_seq = upto;
	memcpy(rec.checkpoint.hash, hash, sizeof hash);
	int rc = ledger_append(s->ledger, &rec, NULL, NULL, NULL);
	if (rc != WF_OK)
		say(s, WF_LOG_ERROR, "journal: checkpoint: %s", ledger_errmsg(s->ledger));
	return rc;
}

int sync_round(struct sync *s, bool force)
{
	int rc = WF_OK;
	bool epoch_done;
	pthread_mutex_lock(&s->lock);
	epoch_done = s->st.epoch_done;
	pthread_mutex_unlock(&s->lock);
	if (!epoch_done)
		rc = sync_epoch(s, "start");
	while (rc == WF_OK) {
		int n = upload_batch(s);
		if (n < 0)
			rc = n;
		if (n <= 0)
			break;
	}
	/* After the uploads: applies a checkpoint just acknowledged, and appends
	 * the next one (it goes up with the next round). Logged; never a reason
	 * to hold the outbox back. */
	if (rc == WF_OK)
		(void)maintain(s);
	int64_t now = kiosk_now_ms(s), mono = mono_ms();
	if (rc == WF_OK && (force || mono >= s->next_downsync_ms)) {
		rc = downsync(s);
		if (rc == WF_OK)
			s->next_downsync_ms = mono + s->cfg.downsync_every_ms;
	}
	if (rc == WF_OK && (force || mono >= s->next_heartbeat_ms)) {
		rc = heartbeat(s);
		if (rc == WF_OK)
			s->next_heartbeat_ms = mono + s->cfg.heartbeat_every_ms;
	}
	int64_t depth = -1, held = -1;
	ledger_outbox_depth(s->ledger, &depth);
	ledger_conflict_count(s->ledger, &held);
	pthread_mutex_lock(&s->lock);
	s->st.outbox_depth = depth;
	s->st.conflicts_held = held;
	if (rc == WF_OK) {
		s->st.last_success_ms = now;
		s->st.last_error[0] = '\0';
		s->st.rounds_ok++;
	} else {
		s->st.rounds_failed++;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- thread ---- */

static void *sync_main(void *arg)
{
	struct sync *s = arg;
	int attempt = 0;
	for (;;) {
		int rc = sync_round(s, false);
		attempt = rc == WF_OK ? 0 : attempt + 1;
		int64_t wait_ms = attempt
		                      ? sync_backoff_ms(attempt, s->cfg.backoff_min_ms,
		                                        s->cfg.backoff_cap_ms, randombytes_random())
		                      : 5000;
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until); /* the cond waits on it */
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (wait_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&s->lock);
		while (!s->stop && !(s->kicked && attempt == 0))
			if (pthread_cond_timedwait(&s->cond, &s->lock, &until) != 0)
				break;
		bool stop = s->stop;
		s->kicked = false;
		pthread_mutex_unlock(&s->lock);
		if (stop)
			break;
	}
	return NULL;
}

int sync_start(struct sync *s)
{
	if (s->running)
		return WF_ESTATE;
	s->stop = false;
	if (pthread_create(&s->thread, NULL, sync_main, s) != 0)
		return WF_EIO;
	s->running = true;
	return WF_OK;
}

void sync_stop(struct sync *s)
{
	if (!s || !s->running)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->running = false;
}

void sync_kick(struct sync *s)
{
	pthread_mutex_lock(&s->lock);
	s->kicked = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void sync_get_status(struct sync *s, struct sync_status *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->st;
	pthread_mutex_unlock(&s->lock);
}

/* ---- create / destroy ---- */

int sync_create(const struct sync_config *cfg, struct sync **out, char *err, size_t err_len)
{
	*out = NULL;
	if (!cfg->url || (strncmp(cfg->url, "http://", 7) && strncmp(cfg->url, "https://", 8)) ||
	    strlen(cfg->url) >= SYNC_URL_MAX || !cfg->secret_key || !cfg->ledger_path ||
	    cfg->kiosk == 0 || cfg->key_id == 0 || cfg->batch_max > SYNC_BATCH_MAX) {
		snprintf(err, err_len, "sync: bad configuration (url, key, kiosk or batch size)");
		return WF_EINVAL;
	}
	struct sync *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, err_len, "out of memory");
		return WF_ENOMEM;
	}
	s->cfg = *cfg;
	snprintf(s->url, sizeof s->url, "%s", cfg->url);
	size_t ul = strlen(s->url);
	if (ul && s->url[ul - 1] == '/')
		s->url[ul - 1] = '\0';
	snprintf(s->ca_file, sizeof s->ca_file, "%s", cfg->ca_file ? cfg->ca_file : "");
	s->cfg.url = s->url;
	s->cfg.ca_file = s->ca_file;
	memcpy(s->secret_key, cfg->secret_key, sizeof s->secret_key);
	s->cfg.secret_key = s->secret_key;
	if (!s->cfg.batch_max)
		s->cfg.batch_max = SYNC_BATCH_MAX;
	if (!s->cfg.timeout_ms)
		s->cfg.timeout_ms = 10000;
	if (!s->cfg.backoff_min_ms)
		s->cfg.backoff_min_ms = 500;
	if (!s->cfg.backoff_cap_ms)
		s->cfg.backoff_cap_ms = 300000;
	if (!s->cfg.heartbeat_every_ms)
		s->cfg.heartbeat_every_ms = 60000;
	if (!s->cfg.downsync_every_ms)
		s->cfg.downsync_every_ms = 60000;
	if (!s->cfg.keep_records)
		s->cfg.keep_records = SYNC_KEEP_RECORDS;
	if (!s->cfg.prune_every)
		s->cfg.prune_every = s->cfg.keep_records / 10 + 1;
	s->st.outbox_depth = -1;
	s->st.conflicts_held = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->body = malloc(BODY_MAX);
	s->items = calloc(s->cfg.batch_max, sizeof *s->items);
	s->curl = curl_easy_init();
	int rc = s->body && s->items && s->curl ? WF_OK : WF_ENOMEM;
	if (rc == WF_OK)
		rc = ledger_open(cfg->ledger_path, &s->ledger, err, err_len);
	else
		snprintf(err, err_len, "out of memory");
	if (rc != WF_OK) {
		sync_destroy(s);
		return rc;
	}
	*out = s;
	return WF_OK;
}

void sync_destroy(struct sync *s)
{
	if (!s)
		return;
	sync_stop(s);
	ledger_close(s->ledger);
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s->body);
	free(s->items);
	sodium_memzero(s->secret_key, sizeof s->secret_key);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
