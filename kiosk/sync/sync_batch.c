/*
 * sync_batch.c — the outbox up to central (POST /api/v1/sync/batch), and
 * pruning's two halves, which travel the same way.
 *
 * Order of one upload: peek the outbox (read-only, no transaction held),
 * build and sign the body, POST it, check the answer's body_hash against
 * our own, then acknowledge exactly the seqs central answered for. A lost
 * answer leaves the outbox as it was, so the same records go again and come
 * back `duplicate`.
 */
#include "sync_private.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "log.h"
#include "record.h"

/* One outbox record as the batch carries it. */
static json_t *batch_record(const struct ledger_outbox_item *it)
{
	char b64[sodium_base64_ENCODED_LEN(WF_RECORD_MAX_LEN, sodium_base64_VARIANT_ORIGINAL)];
	char hex[WF_HASH_HEX];
	sodium_bin2base64(b64, sizeof b64, it->bytes, it->len, sodium_base64_VARIANT_ORIGINAL);
	hex_encode(it->hash, sizeof it->hash, hex, sizeof hex);
	/* Built by hand rather than with json_pack, and _nocheck: our own keys
	 * and base64/hex text are ASCII, and UTF-8 checks of 500 records a
	 * batch cost more than the rest of the body (bench/run sync_catchup). */
	json_t *o = json_object();
	if (!o || json_object_set_new_nocheck(o, "kind", json_integer(it->kind)) ||
	    json_object_set_new_nocheck(o, "seq", json_integer((json_int_t)it->seq)) ||
	    json_object_set_new_nocheck(o, "data", json_string_nocheck(b64)) ||
	    json_object_set_new_nocheck(o, "hash", json_string_nocheck(hex))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The batch body of the n records in s->items; NULL when memory is short. */
static json_t *batch_body(struct sync *s, int n)
{
	json_t *records = json_array();
	for (int i = 0; records && i < n; i++) {
		if (json_array_append_new(records, batch_record(&s->items[i])) != 0) {
			json_decref(records);
			records = NULL;
		}
	}
	if (!records)
		return NULL;
	return json_pack("{s:s, s:I, s:o}", "format", "wufei-batch-1", "kiosk",
	                 (json_int_t)s->cfg.kiosk, "records", records);
}

/* What central answered for the batch. */
struct acks {
	uint64_t seqs[SYNC_BATCH_MAX];
	bool conflict[SYNC_BATCH_MAX];
	unsigned n;
	uint64_t stored, duplicates, conflicts;
};

static bool sent(const struct sync *s, int n, uint64_t seq)
{
	for (int k = 0; k < n; k++)
		if (s->items[k].seq == seq)
			return true;
	return false;
}

/* Collects the results that acknowledge a record we sent. */
static void collect_acks(struct sync *s, int n, json_t *results, struct acks *k)
{
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		json_t *seq = json_object_get(r, "seq"), *st = json_object_get(r, "status");
		if (!json_is_integer(seq) || !json_is_string(st) || k->n >= SYNC_BATCH_MAX)
			continue;
		uint64_t q = (uint64_t)json_integer_value(seq);
		if (!sent(s, n, q))
			continue; /* only what we sent can be acknowledged */
		const char *v = json_string_value(st);
		bool conflict = !strcmp(v, "conflict");
		if (!strcmp(v, "stored"))
			k->stored++;
		else if (!strcmp(v, "duplicate"))
			k->duplicates++;
		else if (conflict)
			k->conflicts++;
		else
			continue;
		/* the conflict's line carries WUFEI_SEQ= (log.h: the thread's fields) */
		wf_log_scope(conflict ? &(struct wf_log_ctx){.seq = q} : NULL);
		if (conflict)
			sync_say(
			    s, WF_LOG_ERROR,
			    "central holds a different record %llu: kept in the journal, shown "
			    "to staff",
			    (unsigned long long)q);
		wf_log_scope(NULL);
		k->conflict[k->n] = conflict;
		k->seqs[k->n++] = q;
	}
}

int sync_upload_batch(struct sync *s)
{
	int n = ledger_outbox_peek(s->ledger, s->items, s->cfg.batch_max);
	if (n <= 0)
		return n;
	json_t *body = batch_body(s, n);
	if (!body)
		return WF_ENOMEM;
	int status = 0;
	json_t *root = sync_post_json(s, "batch", "/api/v1/sync/batch", body, &status);
	json_decref(body);
	if (!root)
		return status < 0 ? status : status == 401 ? WF_ECRYPTO : WF_EPROTO;
	struct acks k;
	memset(&k, 0, sizeof k);
	collect_acks(s, n, json_object_get(root, "results"), &k);
	json_decref(root);
	int rc = k.n ? ledger_outbox_ack(s->ledger, k.seqs, k.conflict, k.n) : WF_OK;
	if (rc != WF_OK) {
		sync_say(s, WF_LOG_ERROR, "journal: acknowledging failed: %s",
		         ledger_errmsg(s->ledger));
		return rc;
	}
	pthread_mutex_lock(&s->lock);
	s->st.stored += k.stored;
	s->st.duplicates += k.duplicates;
	s->st.conflicts += k.conflicts;
	pthread_mutex_unlock(&s->lock);
	return (int)k.n;
}

/* A checkpoint the journal refuses (it names a hash the journal does not
 * hold, or records that stay for staff) is refused again at every round:
 * said once per checkpoint, not once per round. */
static void say_prune_failed(struct sync *s, int rc)
{
	char why[LEDGER_ERRMSG_MAX];
	snprintf(why, sizeof why, "%s", ledger_errmsg(s->ledger));
	bool refused = rc == WF_ECONFLICT || rc == WF_ESTATE || rc == WF_EINVAL;
	uint64_t cp = 0, upto = 0;
	bool acked = false;
	if (refused && ledger_last_checkpoint(s->ledger, &cp, &upto, &acked) == WF_OK && cp) {
		if (cp == s->prune_refused)
			return;
		s->prune_refused = cp;
	}
	sync_say(s, WF_LOG_ERROR, "journal: pruning failed: %s", why);
}

int sync_maintain(struct sync *s)
{
	int removed = ledger_prune_acked(s->ledger);
	if (removed < 0) {
		say_prune_failed(s, removed);
		return removed;
	}
	if (removed > 0) {
		sync_say(s, WF_LOG_INFO,
		         "journal: %d acknowledged records pruned behind a checkpoint", removed);
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
	rec.time_ms = sync_now_ms(s);
	rec.checkpoint.upto_seq = upto;
	memcpy(rec.checkpoint.hash, hash, sizeof hash);
	int rc = ledger_append(s->ledger, &rec, NULL, NULL, NULL);
	if (rc != WF_OK)
		sync_say(s, WF_LOG_ERROR, "journal: checkpoint: %s", ledger_errmsg(s->ledger));
	return rc;
}
