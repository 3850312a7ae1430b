/*
 * api_kiosk.c — the signed kiosk calls that write: POST /api/v1/sync/batch,
 * /api/v1/kiosk/epoch and /api/v1/kiosk/heartbeat (docs/SYNC-API.md). The
 * route table has checked the signature; rq->kiosk is the signer. Epoch and
 * heartbeat answers are kept in the replay memory (replay.c); a batch is
 * idempotent by (kiosk, seq) on its own (ingest.h).
 */
#include "server_private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "tz.h"

/* Ingest, and in the test build (WUFEI_CRASH_HOOKS) its crash points. */
static int batch_ingest(struct server *srv, const struct request *rq, int64_t now_s,
                        json_t **results, uint32_t *highest, char *why, size_t why_len)
{
#ifdef WUFEI_CRASH_HOOKS
	return crash_point_ingest(srv, rq, now_s, results, highest, why, why_len);
#else
	return ingest_batch(rq->store, rq->kiosk, rq->body, rq->len, now_s, results, highest, why,
	                    why_len);
#endif
}

/* The batch's results counted in /metrics (stored, duplicate, conflict). */
static void count_results(struct server *srv, const json_t *results)
{
	uint64_t n[3] = {0, 0, 0};
	size_t i;
	const json_t *r;
	json_array_foreach(results, i, r)
	{
		const char *st = json_string_value(json_object_get(r, "status"));
		if (st)
			n[strcmp(st, "stored") == 0 ? 0 : strcmp(st, "duplicate") == 0 ? 1 : 2]++;
	}
	metrics_records(srv->metrics, n[0], n[1], n[2]);
}

void api_batch(struct server *srv, const struct request *rq, struct answer *a)
{
	char why[512] = "";
	json_t *results = NULL;
	uint32_t highest = 0;
	int64_t now = server_now(srv);
	/* ingest parses the body itself (its fast path) */
	store_lock(rq->store);
	int rc = batch_ingest(srv, rq, now, &results, &highest, why, sizeof why);
	store_unlock(rq->store);
	switch (rc) {
	case WF_OK:
		count_results(srv, results);
		a->status = 200;
		a->json = json_pack("{s:s, s:I, s:o}", "format", "wufei-batch-answer-1",
		                    "highest_seq", (json_int_t)highest, "results", results);
		return;
	case WF_EINVAL: answer_error(a, 400, "malformed_json", "%s", why); return;
	case WF_EPROTO: answer_error(a, 400, "bad_record", "%s", why); return;
	case WF_EFULL: answer_error(a, 413, "too_many_records", "%s", why); return;
	case WF_ESTATE: answer_error(a, 403, "unknown_kiosk", "%s", why); return;
	default:
		wf_log_printf(srv->log, WF_LOG_ERROR, "batch from kiosk %" PRIu32 ": %s", rq->kiosk,
		              why);
		answer_store_failed(a, rc, "nothing was committed");
	}
}

/* The heartbeat's devices: name, role, state up|down|degraded, optional detail. */
static bool devices_ok(const json_t *devs, struct answer *a)
{
	size_t i;
	const json_t *d;
	json_array_foreach(devs, i, d)
	{
		const char *state = json_string_value(json_object_get(d, "state"));
		if (!json_is_object(d) || !json_text_ok(json_object_get(d, "name"), 32, false) ||
		    !json_text_ok(json_object_get(d, "role"), 32, false) || !state ||
		    (strcmp(state, "up") && strcmp(state, "down") && strcmp(state, "degraded")) ||
		    !json_text_ok(json_object_get(d, "detail"), 128, true)) {
			answer_error(
			    a, 400, "malformed_json",
			    "devices[%zu]: name, role (<= 32 bytes), state up|down|degraded, "
			    "optional detail (<= 128 bytes)",
			    i);
			return false;
		}
	}
	return true;
}

/* The time zone the kiosk runs in (kiosk.ini, the one source) kept for its
 * pages; a zone this system does not know is logged and the old one kept. */
static int heartbeat_tz(struct server *srv, struct store *s, uint32_t kiosk, const char *tz)
{
	if (tz_known(tz))
		return s->ops->kiosk_tz_set(s, kiosk, tz);
	wf_log_printf(srv->log, WF_LOG_WARN,
	              "kiosk %" PRIu32 " runs in time zone '%s', which this system does not know",
	              kiosk, tz);
	return WF_OK;
}

/* The heartbeat stored and answered in one transaction with its replay memory. */
static void heartbeat_commit(struct server *srv, const struct request *rq, uint32_t last,
                             uint32_t depth, const char *ver, const char *devtext, const char *tz,
                             struct answer *a)
{
	struct store *s = rq->store;
	store_lock(s);
	int rc = s->ops->begin(s);
	if (!rc) /* the kiosk's signed calls one at a time, across centrals on one database */
		rc = s->ops->lock(s, STORE_LOCK_KIOSK, rq->kiosk);
	int seen = rc ? rc : replay_recall(srv, rq, a);
	if (seen == 0) {
		rc =
		    s->ops->heartbeat_put(s, rq->kiosk, last, depth, ver, devtext, server_now(srv));
		if (!rc && tz)
			rc = heartbeat_tz(srv, s, rq->kiosk, tz);
		a->status = 200;
		a->json = json_pack("{s:s, s:b}", "format", "wufei-heartbeat-answer-1", "ok", 1);
		if (!rc)
			rc = a->json ? replay_keep(srv, rq, a) : WF_ENOMEM;
		if (!rc)
			rc = s->ops->commit(s);
	}
	if (seen != 0 || rc) /* a replay changes nothing; a failure keeps nothing */
		s->ops->rollback(s);
	store_unlock(s);
	if (seen < 0 || rc) {
		wf_log_printf(srv->log, WF_LOG_ERROR, "heartbeat from kiosk %" PRIu32 ": %s",
		              rq->kiosk, store_errmsg(s));
		answer_store_failed(a, seen < 0 ? seen : rc, "nothing was stored");
	}
}

static void heartbeat_store(struct server *srv, const struct request *rq, const json_t *j,
                            struct answer *a)
{
	uint32_t last = 0, depth = 0;
	const char *fmt = json_string_value(json_object_get(j, "format"));
	const json_t *ver = json_object_get(j, "software_version");
	const json_t *devs = json_object_get(j, "devices");
	const json_t *tz = json_object_get(j, "time_zone");
	if (!fmt || strcmp(fmt, "wufei-heartbeat-1") != 0 || !json_get_u32(j, "last_seq", &last) ||
	    !json_get_u32(j, "outbox_depth", &depth) || !json_text_ok(ver, 32, false) ||
	    !json_is_array(devs) || json_array_size(devs) > 16 ||
	    !json_text_ok(tz, STORE_TZ_MAX, true)) {
		answer_error(a, 400, "malformed_json",
		             "need format \"wufei-heartbeat-1\", last_seq, outbox_depth, "
		             "software_version (<= 32 bytes), devices (array, <= 16), optional "
		             "time_zone (<= 64 bytes)");
		return;
	}
	if (!devices_ok(devs, a))
		return;
	char *devtext = json_dumps(devs, JSON_COMPACT);
	if (!devtext) {
		answer_error(a, 500, "internal", "out of memory");
		return;
	}
	heartbeat_commit(srv, rq, last, depth, json_string_value(ver), devtext,
	                 json_string_value(tz), a);
	free(devtext);
}

void api_heartbeat(struct server *srv, const struct request *rq, struct answer *a)
{
	json_t *j = answer_parse_body(rq, a);
	if (j && answer_body_kiosk(j, rq->kiosk, a))
		heartbeat_store(srv, rq, j, a);
	json_decref(j);
}

/* The epoch's answer: where the kiosk's journal continues. */
static json_t *epoch_json(uint32_t kiosk, uint32_t epoch, uint32_t highest,
                          const uint8_t hash[WF_HASH_BYTES])
{
	char hex[WF_HASH_HEX];
	hex_encode(hash, WF_HASH_BYTES, hex, sizeof hex);
	return json_pack("{s:s, s:I, s:I, s:I, s:s, s:I}", "format", "wufei-epoch-answer-1",
	                 "kiosk", (json_int_t)kiosk, "epoch", (json_int_t)epoch, "highest_seq",
	                 (json_int_t)highest, "chain_hash", hex, "next_seq",
	                 (json_int_t)highest + 1);
}

/*
 * A new epoch after the highest seq central holds, its answer and its
 * replay memory in one transaction; a replay gets the first answer and
 * opens nothing. WF_EFULL: central holds seq 4294967295, the last there
 * is, so no seq is left to continue at.
 */
static int epoch_open(struct server *srv, const struct request *rq, const char *reason,
                      uint32_t local_last, struct answer *a)
{
	struct store *s = rq->store;
	uint32_t highest = 0, epoch = 0;
	uint8_t hash[WF_HASH_BYTES];
	store_lock(s);
	int rc = s->ops->begin(s);
	if (!rc) /* the kiosk's signed calls one at a time, across centrals on one database */
		rc = s->ops->lock(s, STORE_LOCK_KIOSK, rq->kiosk);
	int seen = rc ? rc : replay_recall(srv, rq, a);
	if (seen == 0) {
		rc = s->ops->record_highest(s, rq->kiosk, &highest, hash);
		if (!rc && highest == UINT32_MAX)
			rc = WF_EFULL;
		if (!rc)
			rc = s->ops->epoch_open(s, rq->kiosk, highest + 1, reason, local_last,
			                        server_now(srv), &epoch);
		if (!rc) {
			a->status = 200;
			a->json = epoch_json(rq->kiosk, epoch, highest, hash);
			rc = a->json ? replay_keep(srv, rq, a) : WF_ENOMEM;
		}
		if (!rc)
			rc = s->ops->commit(s);
	}
	if (seen != 0 || rc) /* a replay changes nothing; a failure keeps nothing */
		s->ops->rollback(s);
	store_unlock(s);
	return seen < 0 ? seen : rc;
}

static void epoch_answer(struct server *srv, const struct request *rq, const json_t *j,
                         struct answer *a)
{
	uint32_t local_last = 0;
	const char *fmt = json_string_value(json_object_get(j, "format"));
	const json_t *reason = json_object_get(j, "reason");
	if (!fmt || strcmp(fmt, "wufei-epoch-1") != 0 || !json_text_ok(reason, 64, false) ||
	    !json_get_u32(j, "local_last_seq", &local_last)) {
		answer_error(a, 400, "malformed_json",
		             "need format \"wufei-epoch-1\", reason (<= 64 bytes), local_last_seq");
		return;
	}
	int rc = epoch_open(srv, rq, json_string_value(reason), local_last, a);
	if (rc == WF_EFULL) {
		/* Permanent: retrying cannot help; the kiosk shows it to staff. */
		wf_log_printf(srv->log, WF_LOG_ERROR,
		              "epoch from kiosk %" PRIu32 ": central holds seq %" PRIu32
		              ", no sequence number is left",
		              rq->kiosk, UINT32_MAX);
		answer_error(a, 409, "seq_exhausted",
		             "central holds seq %" PRIu32 " of kiosk %" PRIu32
		             ", the last there is: this journal cannot continue; the office must "
		             "enrol the kiosk under a new number",
		             UINT32_MAX, rq->kiosk);
	} else if (rc) {
		wf_log_printf(srv->log, WF_LOG_ERROR, "epoch from kiosk %" PRIu32 ": %s", rq->kiosk,
		              store_errmsg(rq->store));
		answer_store_failed(a, rc, "no epoch was opened");
	}
}

void api_epoch(struct server *srv, const struct request *rq, struct answer *a)
{
	json_t *j = answer_parse_body(rq, a);
	if (j && answer_body_kiosk(j, rq->kiosk, a))
		epoch_answer(srv, rq, j, a);
	json_decref(j);
}
