/*
 * ingest.h — the central side of POST /api/v1/sync/batch (docs/SYNC-API.md).
 *
 * For: turning an already authenticated batch (parsed JSON) into stored
 * records: exactly once per (kiosk, seq), duplicate/conflict, chain check
 * against what central holds, points recomputed from the named rate version.
 * Not for: HTTP, signatures, time windows (central/server does those first).
 * Files: ingest.c checks and stores, ingest_parse.c reads the body.
 */
#ifndef WUFEI_CENTRAL_INGEST_H
#define WUFEI_CENTRAL_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store.h"
#include "record.h"
#include "wf.h"

#define INGEST_MAX_RECORDS      500
#define INGEST_MAX_RECORD_BYTES 4096 /* canonical bytes of one record */

/*
 * ingest_batch — parses and validates text[0..len) (the batch JSON) for kiosk, then stores its
 * records in ONE transaction on s (the caller holds store_lock). now_s is
 * central's receive time. On success *results is a new JSON array of
 * {"seq","status"[,"flags"]} and *highest_seq central's highest seq for the
 * kiosk after the commit.
 * Returns WF_OK; WF_EINVAL malformed batch (why says what; 400
 * malformed_json); WF_EPROTO a record disagrees with its bytes (400
 * bad_record); WF_EFULL more than INGEST_MAX_RECORDS (413); WF_ESTATE body names another kiosk
 * (403); other negatives: storage failed, nothing committed (500). Nothing is stored on any
 * failure.
 */
int ingest_batch(struct store *s, uint32_t kiosk, const char *text, size_t len, int64_t now_s,
                 json_t **results, uint32_t *highest_seq, char *why, size_t why_len);

/*
 * ingest_batch_hooked — ingest_batch with a hook called inside the
 * transaction just before COMMIT (NULL: none): the seam the crash-point test
 * build of the server (WUFEI_CRASH_HOOKS) uses; wufei-central passes none.
 */
int ingest_batch_hooked(struct store *s, uint32_t kiosk, const char *text, size_t len,
                        int64_t now_s, json_t **results, uint32_t *highest_seq, char *why,
                        size_t why_len, void (*before_commit)(void *ctx), void *hook_ctx);

/*
 * ingest_record_fields — what central reads from a record's canonical
 * bytes. Returns WF_OK with the fields, or WF_EPROTO if the bytes do not
 * decode. Exposed for the benchmark and tests.
 */
struct ingest_fields {
	uint32_t kiosk;
	uint32_t seq;
	uint32_t kind;
	int is_drop;      /* the rest is meaningful only for drops */
	int64_t resident; /* 0 = anonymous */
	uint16_t category;
	uint32_t rate_version;
	int64_t credited_qty; /* grams or pieces that earn points */
	int64_t points;
	int is_checkpoint; /* a CHECKPOINT record: the kiosk may prune up to cp_upto */
	uint32_t cp_upto;
	uint8_t cp_hash[WF_HASH_BYTES]; /* the chain hash it names after cp_upto */
	struct wf_record rec;           /* the whole decoded record */
};
int ingest_record_fields(const uint8_t *bytes, size_t len, struct ingest_fields *out);

/* ingest_chain_next — BLAKE2b-256(prev || bytes) into out (common/chain.h). */
void ingest_chain_next(const uint8_t prev[WF_HASH_BYTES], const uint8_t *bytes, size_t len,
                       uint8_t out[WF_HASH_BYTES]);

#endif
