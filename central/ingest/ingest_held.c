/*
 * ingest_held.c — what central holds around a batch, read before the batch
 * is decided (ingest_items.h): one records_held call (one round trip on
 * PostgreSQL) instead of a record_get per record.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest_items.h"

static int held_add(void *ctx, uint32_t seq, const uint8_t *bytes, size_t len,
                    const uint8_t hash[WF_HASH_BYTES])
{
	struct ingest_held *h = ctx;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct ingest_held_rec *r = realloc(h->r, cap * sizeof *r);
		if (!r)
			return WF_ENOMEM;
		h->r = r;
		h->cap = cap;
	}
	struct ingest_held_rec *r = &h->r[h->n];
	r->bytes = malloc(len ? len : 1);
	if (!r->bytes)
		return WF_ENOMEM;
	if (len)
		memcpy(r->bytes, bytes, len);
	r->seq = seq;
	r->len = len;
	memcpy(r->hash, hash, WF_HASH_BYTES);
	h->n++;
	return WF_OK;
}

static int by_seq(const void *a, const void *b)
{
	uint32_t x = ((const struct ingest_held_rec *)a)->seq;
	uint32_t y = ((const struct ingest_held_rec *)b)->seq;
	return x < y ? -1 : x > y;
}

/* The seqs a batch's decisions read: each record's own (held already?),
 * the one before a run of seqs (its chain hash), each checkpoint's upto,
 * and the one after the last (a gap filled must continue into it). */
static size_t wanted(const struct ingest_item *items, size_t n, uint32_t *seqs)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t seq = items[i].seq;
		seqs[k++] = seq;
		if (seq > 1 && (i == 0 || items[i - 1].seq != seq - 1))
			seqs[k++] = seq - 1;
		if (items[i].decoded && items[i].f.is_checkpoint)
			seqs[k++] = items[i].f.cp_upto;
	}
	if (n && items[n - 1].seq < UINT32_MAX)
		seqs[k++] = items[n - 1].seq + 1;
	return k;
}

int ingest_held_load(struct store *s, uint32_t kiosk, const struct ingest_item *items, size_t n,
                     struct ingest_held *h)
{
	memset(h, 0, sizeof *h);
	uint32_t *seqs = malloc((3 * n + 1) * sizeof *seqs);
	if (!seqs)
		return WF_ENOMEM;
	size_t k = wanted(items, n, seqs);
	int rc = s->ops->records_held(s, kiosk, seqs, k, held_add, h);
	free(seqs);
	if (rc)
		return rc;
	if (h->n > 1) /* qsort must not see the NULL of an empty list */
		qsort(h->r, h->n, sizeof *h->r, by_seq);
	size_t w = 0; /* a seq asked for twice may come back twice */
	for (size_t i = 0; i < h->n; i++) {
		if (w > 0 && h->r[w - 1].seq == h->r[i].seq)
			free(h->r[i].bytes);
		else
			h->r[w++] = h->r[i];
	}
	h->n = w;
	return WF_OK;
}

const struct ingest_held_rec *ingest_held_find(const struct ingest_held *h, uint32_t seq)
{
	size_t lo = 0, hi = h->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->r[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->n && h->r[lo].seq == seq ? &h->r[lo] : NULL;
}

void ingest_held_free(struct ingest_held *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->r[i].bytes);
	free(h->r);
	memset(h, 0, sizeof *h);
}
