/*
 * ingest_items.h — inside batch ingest (private to this folder): one record
 * of a batch as ingest carries it, and the parse step that turns a batch
 * body into them (ingest_parse.c). ingest.c checks and stores them.
 */
#ifndef WUFEI_CENTRAL_INGEST_ITEMS_H
#define WUFEI_CENTRAL_INGEST_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "wf.h"

/* One record of the batch after validation. */
struct ingest_item {
	uint32_t seq;
	uint32_t kind;
	uint8_t *bytes; /* canonical bytes (malloc'd; the caller frees) */
	size_t len;
	uint8_t hash[WF_HASH_BYTES];
	struct ingest_fields f;
	int decoded;          /* f is meaningful */
	const char *data_txt; /* fast path: spans in the request body */
	size_t data_len;
	const char *hash_txt;
	size_t hash_len;
};

/*
 * ingest_parse — the batch body text[0..len) of kiosk into items (room for
 * INGEST_MAX_RECORDS), *n of them; each item's bytes are decoded (and must
 * be freed by the caller, for the first *n items, on success and failure).
 * Returns WF_OK; WF_EINVAL malformed; WF_EFULL too many records; WF_ESTATE
 * the body names another kiosk. why[why_len] says what is wrong.
 */
int ingest_parse(const char *text, size_t len, uint32_t kiosk, struct ingest_item *items, size_t *n,
                 char *why, size_t why_len);

/*
 * ingest_anoncap_flag — for a new record it of kiosk (not stored yet): sets
 * STORE_FLAG_ANON_CAP in *flags when it is an anonymous drop whose credited
 * quantity, with what the kiosk's anonymous drops of its category central
 * holds from earlier that local day (lower seq), is over the anonymous
 * daily cap of its rate version (ingest_anoncap.c); pending is what the
 * batch's new records before it, not stored yet, add to that day's anonymous
 * credited quantity. ingest_anoncap_alert —
 * the alert for such a record, once stored. Both return enum wf_err.
 */
int ingest_anoncap_flag(struct store *s, uint32_t kiosk, const struct ingest_item *it,
                        int64_t pending, uint32_t *flags);
int ingest_anoncap_alert(struct store *s, uint32_t kiosk, const struct ingest_item *it,
                         int64_t pending, int64_t now_s);

/*
 * What central holds around a batch (ingest_held.c), read in one call
 * before the batch is decided: ingest_held_load fills h with the records
 * held among each item's seq, the seq before a run of seqs, each
 * checkpoint's upto and the seq after the last item, sorted by seq (free it
 * with ingest_held_free, on failure too); ingest_held_find — the one with
 * seq, or NULL.
 */
struct ingest_held_rec {
	uint32_t seq;
	size_t len;
	uint8_t hash[WF_HASH_BYTES];
	uint8_t *bytes;
};
struct ingest_held {
	struct ingest_held_rec *r;
	size_t n, cap;
};
int ingest_held_load(struct store *s, uint32_t kiosk, const struct ingest_item *items, size_t n,
                     struct ingest_held *h);
const struct ingest_held_rec *ingest_held_find(const struct ingest_held *h, uint32_t seq);
void ingest_held_free(struct ingest_held *h);

/* why_set — printf-style message into why[why_len]. */
void ingest_why(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
