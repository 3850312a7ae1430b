/*
 * sync_kiosk.c — the kiosk's own calls: POST /api/v1/kiosk/epoch (where
 * this journal continues at central; a new or restored journal behind
 * central gets an EPOCH record) and POST /api/v1/kiosk/heartbeat.
 */
#include "sync_private.h"

#include <string.h>

#include "hex.h"
#include "record.h"

#define VERSION_TEXT "0.1.0"
#define REASON_MAX   60 /* bytes of the epoch reason sent */

/* reason cut to REASON_MAX bytes at a UTF-8 character boundary, into out. */
static void cut_reason(const char *reason, char out[REASON_MAX + 1])
{
	size_t n = strlen(reason);
	if (n > REASON_MAX) {
		n = REASON_MAX;
		while (n > 0 && ((unsigned char)reason[n] & 0xC0) == 0x80)
			n--; /* never end inside a character */
	}
	memcpy(out, reason, n);
	out[n] = '\0';
}

/* Central holds records this journal lacks: continue after them. */
static int continue_after(struct sync *s, uint64_t last, uint64_t highest, uint32_t epoch,
                          const uint8_t chain[WF_HASH_BYTES])
{
	struct wf_record rec;
	memset(&rec, 0, sizeof rec);
	rec.kind = WF_RECORD_EPOCH;
	rec.time_ms = sync_now_ms(s);
	rec.epoch.epoch = epoch;
	rec.epoch.reason = last ? WF_EPOCH_RESTORED : WF_EPOCH_NEW;
	rec.epoch.after_seq = highest;
	memcpy(rec.epoch.hash, chain, WF_HASH_BYTES);
	int rc = ledger_append(s->ledger, &rec, NULL, NULL, NULL);
	if (rc == WF_OK)
		sync_say(s, WF_LOG_WARN, "journal behind central (%llu < %llu): continues at %llu",
		         (unsigned long long)last, (unsigned long long)highest,
		         (unsigned long long)rec.seq);
	else
		sync_say(s, WF_LOG_ERROR, "epoch: journal: %s", ledger_errmsg(s->ledger));
	return rc;
}

/* The epoch call's body; NULL when memory is short or reason is not UTF-8. */
static json_t *epoch_body(struct sync *s, const char *reason, uint64_t last)
{
	char cut[REASON_MAX + 1];
	cut_reason(reason, cut);
	return json_pack("{s:s, s:I, s:s, s:I}", "format", "wufei-epoch-1", "kiosk",
	                 (json_int_t)s->cfg.kiosk, "reason", cut, "local_last_seq",
	                 (json_int_t)last);
}

int sync_epoch(struct sync *s, const char *reason)
{
	uint64_t last = 0;
	int rc = ledger_last(s->ledger, &last, NULL);
	if (rc != WF_OK)
		return rc;
	json_t *body = epoch_body(s, reason, last);
	if (!body)
		return WF_EINVAL;
	int status = 0;
	json_t *root = sync_post_json(s, "epoch", "/api/v1/kiosk/epoch", body, &status);
	json_decref(body);
	if (!root)
		return status < 0 ? status : WF_EPROTO;
	json_t *hs = json_object_get(root, "highest_seq"), *ep = json_object_get(root, "epoch");
	json_t *ch = json_object_get(root, "chain_hash");
	uint8_t chain[WF_HASH_BYTES];
	if (!json_is_integer(hs) || !json_is_integer(ep) || !json_is_string(ch) ||
	    hex_decode(json_string_value(ch), strlen(json_string_value(ch)), chain, sizeof chain) !=
	        WF_OK) {
		sync_say(s, WF_LOG_WARN, "epoch: malformed answer");
		rc = WF_EPROTO;
	} else if ((uint64_t)json_integer_value(hs) > last) {
		rc = continue_after(s, last, (uint64_t)json_integer_value(hs),
		                    (uint32_t)json_integer_value(ep), chain);
	}
	json_decref(root);
	if (rc == WF_OK) {
		pthread_mutex_lock(&s->lock);
		s->st.epoch_done = true;
		pthread_mutex_unlock(&s->lock);
	}
	return rc;
}

int sync_heartbeat(struct sync *s)
{
	uint64_t last = 0;
	int64_t depth = 0;
	ledger_last(s->ledger, &last, NULL);
	ledger_outbox_depth(s->ledger, &depth);
	json_t *body =
	    json_pack("{s:s, s:I, s:I, s:I, s:s, s:[]}", "format", "wufei-heartbeat-1", "kiosk",
	              (json_int_t)s->cfg.kiosk, "last_seq", (json_int_t)last, "outbox_depth",
	              (json_int_t)depth, "software_version", VERSION_TEXT, "devices");
	if (!body)
		return WF_ENOMEM;
	if (s->cfg.time_zone)
		json_object_set_new(body, "time_zone", json_string(s->cfg.time_zone));
	int status = 0;
	json_t *root = sync_post_json(s, "heartbeat", "/api/v1/kiosk/heartbeat", body, &status);
	json_decref(body);
	json_decref(root);
	return root ? WF_OK : status < 0 ? status : WF_EPROTO;
}
