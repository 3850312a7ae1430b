/* server.c — the HTTP API on libmicrohttpd; see server.h and docs/SYNC-API.md. */
#include "server.h"
#include "hex.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "ingest.h"
#include "rcheck.h"
#include "signing.h"

struct server {
	struct MHD_Daemon *d;
	struct store *store;
	int64_t offset_s;
	wf_log_fn log;
	void *log_ctx;
	uint16_t port;
	unsigned crash_every;
	int crash_after_commit;
	unsigned batches;         /* counted under the store lock */
	char *tls_cert, *tls_key; /* PEM copies for HTTPS, or NULL */
};

/* Per request: the raw request target and the body read so far. */
struct req {
	char uri[SIGNING_PATH_MAX + 1];
	int uri_too_long;
	int started;
	int too_large;
	char *body;
	size_t len;
	size_t cap;
};

/* What a handler answers. */
struct answer {
	unsigned status;
	json_t *json; /* JSON body (owned), or NULL with html */
	char *html;   /* malloc'd HTML body, or NULL */
	const char *body_hash;
};

static void srv_log(const struct server *srv, enum wf_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void srv_log(const struct server *srv, enum wf_log_level lvl, const char *fmt, ...)
{
	char line[512];
	if (!srv->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	srv->log(srv->log_ctx, lvl, line);
}

int64_t server_now(const struct server *srv)
{
	return (int64_t)time(NULL) + srv->offset_s;
}

static void answer_error(struct answer *a, unsigned status, const char *error, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void answer_error(struct answer *a, unsigned status, const char *error, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_decref(a->json);
	a->status = status;
	a->json =
	    json_pack("{s:s, s:s, s:s}", "format", "wufei-error-1", "error", error, "message", msg);
}

static enum MHD_Result send_answer(struct server *srv, struct MHD_Connection *c, struct answer *a)
{
	char now[32];
	const char *type = "application/json";
	char *text = NULL;
	size_t len = 0;
	snprintf(now, sizeof now, "%" PRId64, server_now(srv));
	if (a->json) {
		json_object_set_new(a->json, "central_time", json_integer(server_now(srv)));
		if (a->body_hash)
			json_object_set_new(a->json, "body_hash", json_string(a->body_hash));
		text = json_dumps(a->json, JSON_COMPACT);
		json_decref(a->json);
		a->json = NULL;
	} else if (a->html) {
		text = a->html;
		a->html = NULL;
		type = "text/html; charset=utf-8";
	}
	if (!text)
		return MHD_NO;
	len = strlen(text);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Wufei-Central-Time", now);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(c, a->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- signed requests ---------------------------------------------------- */

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!s || !*s || strlen(s) > 20)
		return WF_EINVAL;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return WF_EINVAL;
	errno = 0;
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || !end || *end || v > max)
		return WF_EINVAL;
	*out = v;
	return WF_OK;
}

/*
 * Authenticates a request: headers, kiosk, key, time window, signature.
 * Returns WF_OK with *kiosk set, or fills the error answer.
 */
static int check_signed(struct server *srv, struct MHD_Connection *c, const char *method,
                        const struct req *rq, const char *body_hash, uint32_t *kiosk,
                        struct answer *a)
{
	const char *hk = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Wufei-Kiosk");
	const char *hkey = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Wufei-Key-Id");
	const char *ht = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Wufei-Time");
	const char *hs = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Wufei-Signature");
	uint64_t k = 0, key_id = 0, t = 0;
	struct store_key key;
	if (!hk || !hkey || !ht || !hs || parse_u64(hk, 0xFFFFFFu, &k) || k == 0 ||
	    parse_u64(hkey, SIGNING_KEY_ID_MAX, &key_id) || key_id == 0 ||
	    parse_u64(ht, INT64_MAX, &t) || strlen(hs) != SIGNING_SIG_HEX_LEN) {
		answer_error(a, 401, "missing_signature",
		             "X-Wufei-Kiosk, X-Wufei-Key-Id, X-Wufei-Time and X-Wufei-Signature "
		             "are required and well formed");
		return WF_EINVAL;
	}
	if (rq->uri_too_long) {
		answer_error(a, 400, "bad_request", "request target too long");
		return WF_EINVAL;
	}
	store_lock(srv->store);
	int ex = srv->store->ops->kiosk_exists(srv->store, (uint32_t)k);
	int rc = ex == 1 ? srv->store->ops->key_get(srv->store, (uint32_t)k, (uint32_t)key_id, &key)
	                 : ex;
	store_unlock(srv->store);
	if (ex == 0) {
		answer_error(a, 403, "unknown_kiosk", "kiosk %" PRIu64 " is not enrolled", k);
		return WF_EINVAL;
	}
	if (rc == WF_ENOENT) {
		answer_error(a, 401, "unknown_key", "kiosk %" PRIu64 " has no key %" PRIu64, k,
		             key_id);
		return WF_EINVAL;
	}
	if (rc) {
		answer_error(a, 500, "internal", "storage failed");
		return rc;
	}
	if (key.revoked_s) {
		answer_error(a, 401, "key_revoked",
		             "key %" PRIu64 " of kiosk %" PRIu64 " was revoked", key_id, k);
		return WF_EINVAL;
	}
	int64_t now = server_now(srv);
	int64_t skew = (int64_t)t - now;
	if (skew > SERVER_WINDOW_S || skew < -SERVER_WINDOW_S) {
		answer_error(a, 401, "clock_skew",
		             "X-Wufei-Time %" PRIu64 " is %" PRId64
		             " s away from central's clock %" PRId64,
		             t, skew, now);
		return WF_EINVAL;
	}
	rc = signing_verify_request(key.public_key, method, rq->uri, (int64_t)t, body_hash,
	                            (uint32_t)k, (uint32_t)key_id, hs);
	if (rc) {
		answer_error(a, 401, "bad_signature", "the signature does not verify");
		return WF_ECRYPTO;
	}
	*kiosk = (uint32_t)k;
	return WF_OK;
}

static json_t *parse_body(const struct req *rq, struct answer *a)
{
	json_error_t err;
	json_t *j = json_loadb(rq->body ? rq->body : "", rq->len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		answer_error(a, 400, "malformed_json", "line %d column %d: %s", err.line,
		             err.column, err.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		answer_error(a, 400, "malformed_json", "body must be a JSON object");
		return NULL;
	}
	return j;
}

static int body_kiosk_matches(const json_t *j, uint32_t kiosk, struct answer *a)
{
	const json_t *v = json_object_get(j, "kiosk");
	if (!json_is_integer(v)) {
		answer_error(a, 400, "malformed_json", "kiosk must be an integer");
		return 0;
	}
	if (json_integer_value(v) != (json_int_t)kiosk) {
		answer_error(a, 403, "unknown_kiosk",
		             "body names kiosk %" JSON_INTEGER_FORMAT
		             " but the request is signed by kiosk %" PRIu32,
		             json_integer_value(v), kiosk);
		return 0;
	}
	return 1;
}

static void crash_now(void *ctx)
{
	(void)ctx;
	kill(getpid(), SIGKILL);
}

static void handle_batch(struct server *srv, uint32_t kiosk, const struct req *rq, struct answer *a)
{
	char why[512] = "";
	json_t *results = NULL;
	uint32_t highest = 0;
	int64_t now = server_now(srv);
	store_lock(srv->store);
	int crash = srv->crash_every && ++srv->batches % srv->crash_every == 0;
	int rc = ingest_batch_hooked(srv->store, kiosk, rq->body, rq->len, now, &results, &highest,
	                             why, sizeof why,
	                             crash && !srv->crash_after_commit ? crash_now : NULL, NULL);
	if (crash && srv->crash_after_commit && rc == WF_OK)
		crash_now(NULL); /* committed, answer never sent */
	store_unlock(srv->store);
	switch (rc) {
	case WF_OK:
		a->status = 200;
		a->json = json_pack("{s:s, s:I, s:o}", "format", "wufei-batch-answer-1",
		                    "highest_seq", (json_int_t)highest, "results", results);
		return;
	case WF_EINVAL: answer_error(a, 400, "malformed_json", "%s", why); return;
	case WF_EPROTO: answer_error(a, 400, "bad_record", "%s", why); return;
	case WF_EFULL: answer_error(a, 413, "too_many_records", "%s", why); return;
	case WF_ESTATE: answer_error(a, 403, "unknown_kiosk", "%s", why); return;
	default:
		srv_log(srv, WF_LOG_ERROR, "batch from kiosk %" PRIu32 ": %s", kiosk, why);
		answer_error(a, 500, "internal", "storage failed; nothing was committed");
	}
}

static int json_str_ok(const json_t *v, size_t max, int optional)
{
	if (!v)
		return optional;
	return json_is_string(v) && strlen(json_string_value(v)) <= max;
}

static int json_u32(const json_t *o, const char *key, uint32_t *out)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)UINT32_MAX)
		return 0;
	*out = (uint32_t)json_integer_value(v);
	return 1;
}

static void handle_heartbeat(struct server *srv, uint32_t kiosk, json_t *j, struct answer *a)
{
	uint32_t last = 0, depth = 0;
	const char *fmt = json_string_value(json_object_get(j, "format"));
	const json_t *ver = json_object_get(j, "software_version");
	const json_t *devs = json_object_get(j, "devices");
	if (!fmt || strcmp(fmt, "wufei-heartbeat-1") != 0 || !json_u32(j, "last_seq", &last) ||
	    !json_u32(j, "outbox_depth", &depth) || !json_str_ok(ver, 32, 0) ||
	    !json_is_array(devs) || json_array_size(devs) > 16) {
		answer_error(a, 400, "malformed_json",
		             "need format \"wufei-heartbeat-1\", last_seq, outbox_depth, "
		             "software_version (<= 32 bytes), devices (array, <= 16)");
		return;
	}
	size_t i;
	const json_t *d;
	json_array_foreach(devs, i, d)
	{
		const char *state = json_string_value(json_object_get(d, "state"));
		if (!json_is_object(d) || !json_str_ok(json_object_get(d, "name"), 32, 0) ||
		    !json_str_ok(json_object_get(d, "role"), 32, 0) || !state ||
		    (strcmp(state, "up") && strcmp(state, "down") && strcmp(state, "degraded")) ||
		    !json_str_ok(json_object_get(d, "detail"), 128, 1)) {
			answer_error(
			    a, 400, "malformed_json",
			    "devices[%zu]: name, role (<= 32 bytes), state up|down|degraded, "
			    "optional detail (<= 128 bytes)",
			    i);
			return;
		}
	}
	char *devtext = json_dumps(devs, JSON_COMPACT);
	if (!devtext) {
		answer_error(a, 500, "internal", "out of memory");
		return;
	}
	store_lock(srv->store);
	int rc = srv->store->ops->heartbeat_put(srv->store, kiosk, last, depth,
	                                        json_string_value(ver), devtext, server_now(srv));
	store_unlock(srv->store);
	free(devtext);
	if (rc) {
		answer_error(a, 500, "internal", "storage failed");
		return;
	}
	a->status = 200;
	a->json = json_pack("{s:s, s:b}", "format", "wufei-heartbeat-answer-1", "ok", 1);
}

static void handle_epoch(struct server *srv, uint32_t kiosk, json_t *j, struct answer *a)
{
	uint32_t local_last = 0, highest = 0, epoch = 0;
	uint8_t hash[32];
	char hex[65];
	struct store *s = srv->store;
	const char *fmt = json_string_value(json_object_get(j, "format"));
	const json_t *reason = json_object_get(j, "reason");
	if (!fmt || strcmp(fmt, "wufei-epoch-1") != 0 || !json_str_ok(reason, 64, 0) ||
	    !json_u32(j, "local_last_seq", &local_last)) {
		answer_error(a, 400, "malformed_json",
		             "need format \"wufei-epoch-1\", reason (<= 64 bytes), local_last_seq");
		return;
	}
	store_lock(s);
	int rc = s->ops->begin(s);
	if (!rc)
		rc = s->ops->record_highest(s, kiosk, &highest, hash);
	if (!rc && highest == UINT32_MAX)
		rc = WF_EFULL;
	if (!rc)
		rc = s->ops->epoch_open(s, kiosk, highest + 1, json_string_value(reason),
		                        local_last, server_now(srv), &epoch);
	if (!rc)
		rc = s->ops->commit(s);
	if (rc)
		s->ops->rollback(s);
	store_unlock(s);
	if (rc) {
		answer_error(a, 500, "internal", "storage failed");
		return;
	}
	hex_encode(hash, 32, hex, sizeof hex);
	a->status = 200;
	a->json =
	    json_pack("{s:s, s:I, s:I, s:I, s:s, s:I}", "format", "wufei-epoch-answer-1", "kiosk",
	              (json_int_t)kiosk, "epoch", (json_int_t)epoch, "highest_seq",
	              (json_int_t)highest, "chain_hash", hex, "next_seq", (json_int_t)highest + 1);
}

/* ---- down-sync ------------------------------------------------------------ */

struct ds_ctx {
	json_t *cats, *res, *staff, *blocks, *del;
};

static int ds_category(void *ctx, const struct wf_category *c)
{
	struct ds_ctx *d = ctx;
	json_array_append_new(
	    d->cats,
	    json_pack("{s:i, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "id", (int)c->id, "code",
	              c->code, "name", c->name, "unit", c->unit == WF_UNIT_PIECE ? "piece" : "g",
	              "rate_version", (json_int_t)c->rate_version, "rate", (json_int_t)c->rate,
	              "min", (json_int_t)c->min_qty, "max", (json_int_t)c->max_qty, "daily_limit",
	              (json_int_t)c->daily_limit_qty));
	return 0;
}

static int ds_resident(void *ctx, const struct store_resident *r)
{
	struct ds_ctx *d = ctx;
	json_array_append_new(d->res,
	                      json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)r->id,
	                                "card_hash", r->card_hash, "name", r->name, "status",
	                                r->status, "block_reason", r->block_reason,
	                                "points_balance", (json_int_t)r->points_balance));
	return 0;
}

static int ds_staff(void *ctx, const struct store_staff *s)
{
	struct ds_ctx *d = ctx;
	json_array_append_new(d->staff,
	                      json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)s->id,
	                                "card_hash", s->card_hash, "name", s->name, "role", s->role,
	                                "pin_hash", s->pin_hash));
	return 0;
}

static int ds_block(void *ctx, const struct store_block *b)
{
	struct ds_ctx *d = ctx;
	json_array_append_new(
	    d->blocks, json_pack("{s:s, s:s}", "card_hash", b->card_hash, "reason", b->reason));
	return 0;
}

static int ds_deleted(void *ctx, const char *table, const char *key)
{
	struct ds_ctx *d = ctx;
	json_t *arr = json_object_get(d->del, table);
	if (!arr)
		return 0;
	if (strcmp(table, "blocklist") == 0)
		json_array_append_new(arr, json_string(key));
	else
		json_array_append_new(arr, json_integer(strtoll(key, NULL, 10)));
	return 0;
}

static void handle_down(struct server *srv, struct MHD_Connection *c, struct answer *a)
{
	const char *cursor = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "cursor");
	int64_t since = -1, rev_now = 0;
	uint64_t v = 0;
	uint32_t key_version = 0;
	uint8_t key[32];
	char key_hex[65];
	if (cursor && cursor[0] == 'r' && parse_u64(cursor + 1, INT64_MAX, &v) == WF_OK)
		since = (int64_t)v;
	struct ds_ctx d = {json_array(), json_array(), json_array(), json_array(), NULL};
	d.del =
	    json_pack("{s:[], s:[], s:[], s:[]}", "categories", "residents", "staff", "blocklist");
	struct store_catalog_fns fns = {.ctx = &d,
	                                .category = ds_category,
	                                .resident = ds_resident,
	                                .staff = ds_staff,
	                                .block = ds_block,
	                                .deleted = ds_deleted};
	store_lock(srv->store);
	int rc = srv->store->ops->card_key_get(srv->store, &key_version, key);
	if (!rc)
		rc = srv->store->ops->catalog_read(srv->store, -1, &(struct store_catalog_fns){0},
		                                   &rev_now);
	if (!rc && since > rev_now)
		since = -1; /* a cursor from the future (restored central): start over */
	if (!rc)
		rc = srv->store->ops->catalog_read(srv->store, since, &fns, &rev_now);
	store_unlock(srv->store);
	if (rc) {
		json_decref(d.cats), json_decref(d.res), json_decref(d.staff);
		json_decref(d.blocks), json_decref(d.del);
		answer_error(a, 500, "internal", "storage failed");
		return;
	}
	char cur[32];
	snprintf(cur, sizeof cur, "r%" PRId64, rev_now);
	hex_encode(key, 32, key_hex, sizeof key_hex);
	sodium_memzero(key, sizeof key);
	a->status = 200;
	a->json =
	    json_pack("{s:s, s:s, s:b, s:{s:I, s:s}, s:o, s:o, s:o, s:o, s:o}", "format",
	              "wufei-downsync-1", "cursor", cur, "full", since < 0, "card_key", "version",
	              (json_int_t)key_version, "key", key_hex, "categories", d.cats, "residents",
	              d.res, "staff", d.staff, "blocklist", d.blocks, "deleted", d.del);
	sodium_memzero(key_hex, sizeof key_hex);
}

/* ---- receipts ------------------------------------------------------------- */

struct cat_name {
	uint16_t id;
	char name[WF_CATEGORY_NAME_MAX];
	int found;
};

static int find_cat(void *ctx, const struct wf_category *c)
{
	struct cat_name *n = ctx;
	if (c->id == n->id) {
		snprintf(n->name, sizeof n->name, "%s", c->name);
		n->found = 1;
		return 1;
	}
	return 0;
}

static void html_escape(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	for (; *in && o + 7 < cap; in++) {
		const char *rep = NULL;
		switch (*in) {
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '&': rep = "&amp;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: break;
		}
		if (rep) {
			size_t n = strlen(rep);
			memcpy(out + o, rep, n);
			o += n;
		} else
			out[o++] = *in;
	}
	out[o] = '\0';
}

static void fmt_utc(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(out, cap, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, cap, "?");
}

static void handle_page(struct server *srv, const char *token, struct answer *a)
{
	struct rcheck_result res;
	struct cat_name cat = {0};
	store_lock(srv->store);
	int rc = rcheck_token(srv->store, token, &res);
	if (!rc && res.verdict != RCHECK_MALFORMED) {
		cat.id = res.r.category;
		struct store_catalog_fns f = {.ctx = &cat, .category = find_cat};
		rc = srv->store->ops->catalog_read(srv->store, -1, &f, NULL);
	}
	store_unlock(srv->store);
	if (rc) {
		answer_error(a, 500, "internal", "storage failed");
		return;
	}
	char body[4096], when[40], claimed[40], catname[WF_CATEGORY_NAME_MAX * 6],
	    revoked[120] = "";
	int ok = res.verdict == RCHECK_GENUINE;
	if (ok) {
		fmt_utc((int64_t)res.r.time_min * 60, when, sizeof when);
		html_escape(cat.found ? cat.name : "?", catname, sizeof catname);
		if (res.claimed)
			fmt_utc(res.claimed_s, claimed, sizeof claimed);
		if (res.key_revoked_s)
			snprintf(revoked, sizeof revoked,
			         "<p class=note>Signed before the kiosk's key was revoked.</p>");
		snprintf(body, sizeof body,
		         "<h1 class=ok>&#10003; Genuine receipt</h1><table>"
		         "<tr><th>Kiosk</th><td>%" PRIu32 "</td></tr>"
		         "<tr><th>Drop</th><td>#%" PRIu32 "</td></tr>"
		         "<tr><th>When</th><td>%s</td></tr>"
		         "<tr><th>Category</th><td>%s</td></tr>"
		         "<tr><th>Quantity</th><td>%" PRIu32 " %s</td></tr>"
		         "<tr><th>Points</th><td>%" PRIu32 "%s</td></tr>"
		         "<tr><th>Synced</th><td>%s</td></tr>"
		         "<tr><th>Claimed</th><td>%s%s</td></tr></table>%s",
		         res.r.kiosk, res.r.seq, when, catname, res.r.qty,
		         (res.r.flags & RECEIPT_FLAG_PIECES) ? "pieces" : "g", res.r.points,
		         (res.r.flags & RECEIPT_FLAG_CAPPED) ? " (daily limit reached)" : "",
		         res.record_held ? "yes" : "not yet", res.claimed ? "yes, " : "not yet",
		         res.claimed ? claimed : "", revoked);
	} else {
		snprintf(body, sizeof body,
		         "<h1 class=bad>&#10007; Not a valid receipt</h1><p>%s.</p>"
		         "<p>If you got this from a Wufei kiosk, please show it to the staff.</p>",
		         rcheck_verdict_text(res.verdict));
	}
	size_t cap = strlen(body) + 1024;
	a->html = malloc(cap);
	if (!a->html) {
		answer_error(a, 500, "internal", "out of memory");
		return;
	}
	snprintf(a->html, cap,
	         "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
	         "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
	         "<title>Wufei receipt</title><style>body{font-family:sans-serif;margin:1em;"
	         "max-width:30em}h1{font-size:1.4em}.ok{color:#1a7f37}.bad{color:#b42318}"
	         "th{text-align:left;padding-right:1em}td,th{padding:.3em 0}.note{color:#555}"
	         "</style></head><body>%s</body></html>\n",
	         body);
	a->status = ok ? 200 : 404;
}

static void handle_claim(struct server *srv, json_t *j, struct answer *a)
{
	const char *token = json_string_value(json_object_get(j, "token"));
	struct rcheck_result res;
	int64_t claimed_s = 0;
	if (!token || strlen(token) > 256) {
		answer_error(a, 400, "malformed_json", "token must be a string (<= 256 bytes)");
		return;
	}
	store_lock(srv->store);
	int rc = rcheck_token(srv->store, token, &res);
	int got = 0;
	if (!rc && res.verdict == RCHECK_GENUINE)
		got = rcheck_claim(srv->store, &res, server_now(srv), &claimed_s);
	store_unlock(srv->store);
	if (rc || got < 0) {
		answer_error(a, 500, "internal", "storage failed");
		return;
	}
	if (res.verdict != RCHECK_GENUINE) {
		answer_error(a, 404, "invalid_receipt", "%s", rcheck_verdict_text(res.verdict));
		return;
	}
	a->status = got == 1 ? 200 : 409;
	a->json =
	    json_pack("{s:s, s:I, s:I, s:I}", "status", got == 1 ? "claimed" : "already_claimed",
	              "claimed_at", (json_int_t)claimed_s, "kiosk", (json_int_t)res.r.kiosk, "seq",
	              (json_int_t)res.r.seq);
}

/* ---- dispatch ------------------------------------------------------------- */

static void dispatch(struct server *srv, struct MHD_Connection *c, const char *url,
                     const char *method, struct req *rq, const char *hash, struct answer *a)
{
	int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int is_post = strcmp(method, "POST") == 0;
	if (rq->too_large) {
		answer_error(a, 413, "body_too_large", "request body over %u bytes",
		             SERVER_BODY_MAX);
		return;
	}
	if (strncmp(url, "/r/", 3) == 0 || strncmp(url, "/R/", 3) == 0) {
		if (!is_get) {
			answer_error(a, 405, "method_not_allowed", "use GET");
			return;
		}
		handle_page(srv, url, a);
		return;
	}
	if (strcmp(url, "/api/v1/time") == 0) {
		a->status = 200;
		a->json = json_pack("{s:s}", "format", "wufei-time-1");
		return;
	}
	if (strcmp(url, "/api/v1/receipts/claim") == 0) {
		if (!is_post) {
			answer_error(a, 405, "method_not_allowed", "use POST");
			return;
		}
		json_t *j = parse_body(rq, a);
		if (j)
			handle_claim(srv, j, a);
		json_decref(j);
		return;
	}
	int want_post = 1;
	if (strcmp(url, "/api/v1/sync/down") == 0)
		want_post = 0;
	else if (strcmp(url, "/api/v1/sync/batch") != 0 &&
	         strcmp(url, "/api/v1/kiosk/epoch") != 0 &&
	         strcmp(url, "/api/v1/kiosk/heartbeat") != 0) {
		answer_error(a, 404, "not_found", "no such path");
		return;
	}
	if (want_post ? !is_post : strcmp(method, "GET") != 0) {
		answer_error(a, 405, "method_not_allowed", "use %s", want_post ? "POST" : "GET");
		return;
	}
	uint32_t kiosk = 0;
	if (check_signed(srv, c, method, rq, hash, &kiosk, a) != WF_OK)
		return;
	if (!want_post) {
		handle_down(srv, c, a);
		return;
	}
	if (strcmp(url, "/api/v1/sync/batch") == 0) {
		handle_batch(srv, kiosk, rq, a); /* parses the body itself (fast path) */
		return;
	}
	json_t *j = parse_body(rq, a);
	if (!j)
		return;
	if (body_kiosk_matches(j, kiosk, a)) {
		if (strcmp(url, "/api/v1/kiosk/epoch") == 0)
			handle_epoch(srv, kiosk, j, a);
		else
			handle_heartbeat(srv, kiosk, j, a);
	}
	json_decref(j);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	struct req *rq = calloc(1, sizeof *rq);
	if (!rq)
		return NULL;
	size_t n = strlen(uri);
	if (n > SIGNING_PATH_MAX)
		rq->uri_too_long = 1;
	else
		memcpy(rq->uri, uri, n + 1);
	return rq;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct req *rq = *con_cls;
	if (!rq)
		return;
	free(rq->body);
	free(rq);
	*con_cls = NULL;
}

static int append_body(struct req *rq, const char *data, size_t n)
{
	if (rq->too_large || n > SERVER_BODY_MAX - rq->len) {
		rq->too_large = 1; /* keep reading (and dropping) so the answer can be sent */
		return WF_OK;
	}
	if (rq->len + n > rq->cap) {
		size_t cap = rq->cap ? rq->cap : 4096;
		while (cap < rq->len + n)
			cap *= 2;
		if (cap > SERVER_BODY_MAX)
			cap = SERVER_BODY_MAX;
		char *b = realloc(rq->body, cap);
		if (!b)
			return WF_ENOMEM;
		rq->body = b;
		rq->cap = cap;
	}
	memcpy(rq->body + rq->len, data, n);
	rq->len += n;
	return WF_OK;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct server *srv = cls;
	struct req *rq = *con_cls;
	struct answer a = {.status = 500};
	if (!rq)
		return MHD_NO;
	if (!rq->started) {
		rq->started = 1;
		const char *cl =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		uint64_t v = 0;
		if (cl && (parse_u64(cl, UINT64_MAX, &v) != WF_OK || v > SERVER_BODY_MAX)) {
			/* Answer at once; MHD closes the connection instead of reading it. */
			answer_error(&a, 413, "body_too_large", "request body over %u bytes",
			             SERVER_BODY_MAX);
			return send_answer(srv, c, &a);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (append_body(rq, upload, *upload_size) != WF_OK)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	char hash[SIGNING_HASH_HEX_LEN + 1];
	signing_hash_body(rq->body, rq->len, hash);
	dispatch(srv, c, url, method, rq, hash, &a);
	/* Signed calls echo the hash of the body they answer, errors included. */
	if (a.json && strncmp(url, "/api/v1/", 8) == 0 && !rq->too_large)
		a.body_hash = hash;
	if (a.status >= 400 && a.status != 404)
		srv_log(srv, a.status >= 500 ? WF_LOG_ERROR : WF_LOG_INFO, "%s %s -> %u", method,
		        rq->uri, a.status);
	return send_answer(srv, c, &a);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, char *why, size_t why_len)
{
	char host[64];
	const char *colon = listen ? strrchr(listen, ':') : NULL;
	uint64_t port = 0;
	if (!colon || (size_t)(colon - listen) >= sizeof host ||
	    parse_u64(colon + 1, 65535, &port) != WF_OK) {
		snprintf(why, why_len, "--listen wants ADDR:PORT (IPv4), got '%s'",
		         listen ? listen : "");
		return WF_EINVAL;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1) {
		snprintf(why, why_len, "--listen: '%s' is not an IPv4 address", host);
		return WF_EINVAL;
	}
	return WF_OK;
}

/* Frees what server_start allocated (the daemon is already stopped or never ran). */
static void server_stop_free(struct server *srv)
{
	if (srv->tls_key)
		sodium_memzero(srv->tls_key, strlen(srv->tls_key));
	free(srv->tls_key);
	free(srv->tls_cert);
	free(srv);
}

int server_start(struct store *store, const struct server_config *cfg, struct server **out,
                 char *why, size_t why_len)
{
	struct sockaddr_in sa;
	*out = NULL;
	int rc = parse_listen(cfg->listen, &sa, why, why_len);
	if (rc)
		return rc;
	struct server *srv = calloc(1, sizeof *srv);
	if (!srv)
		return WF_ENOMEM;
	srv->store = store;
	srv->offset_s = cfg->time_offset_s;
	srv->crash_every = cfg->crash_every;
	srv->crash_after_commit = cfg->crash_after_commit;
	srv->log = cfg->log;
	srv->log_ctx = cfg->log_ctx;
	unsigned threads = cfg->threads ? cfg->threads : SERVER_THREADS_DEF;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	struct MHD_OptionItem tls[3] = {{MHD_OPTION_END, 0, NULL}};
	if (!cfg->tls_cert_pem != !cfg->tls_key_pem) {
		snprintf(why, why_len, "TLS needs both a certificate and its key");
		free(srv);
		return WF_EINVAL;
	}
	if (cfg->tls_cert_pem) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(why, why_len, "this libmicrohttpd was built without TLS");
			free(srv);
			return WF_EINVAL;
		}
		srv->tls_cert = strdup(cfg->tls_cert_pem);
		srv->tls_key = strdup(cfg->tls_key_pem);
		if (!srv->tls_cert || !srv->tls_key) {
			server_stop_free(srv);
			return WF_ENOMEM;
		}
		flags |= MHD_USE_TLS;
		tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert};
		tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key};
		tls[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	}
	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, tls,
	                          MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	                          MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_URI_LOG_CALLBACK,
	                          on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED, on_done, srv,
	                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	                          MHD_OPTION_CONNECTION_LIMIT, (unsigned)256, MHD_OPTION_END);
	if (!srv->d) {
		if (cfg->tls_cert_pem)
			snprintf(
			    why, why_len,
			    "cannot serve HTTPS on %s (certificate or key not valid PEM, not a "
			    "pair, or the address is in use)",
			    cfg->listen);
		else
			snprintf(why, why_len, "cannot listen on %s (address in use or not local?)",
			         cfg->listen);
		server_stop_free(srv);
		return WF_EIO;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : ntohs(sa.sin_port);
	*out = srv;
	return WF_OK;
}

uint16_t server_port(const struct server *srv)
{
	return srv->port;
}

void server_stop(struct server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->d);
	server_stop_free(srv);
}
