/*
 * api_downsync.c — GET /api/v1/sync/down?cursor=CURSOR (docs/SYNC-API.md):
 * the catalogue a kiosk needs (card key, categories, residents, staff,
 * blocklist), whole or what changed after the cursor, with deletions.
 */
#include "server_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hex.h"

struct ds_ctx {
	json_t *cats, *res, *staff, *blocks, *del;
};

static int ds_category(void *ctx, const struct wf_category *c)
{
	struct ds_ctx *d = ctx;
	json_t *o = json_pack(
	    "{s:i, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "id", (int)c->id, "code", c->code,
	    "name", c->name, "unit", c->unit == WF_UNIT_PIECE ? "piece" : "g", "rate_version",
	    (json_int_t)c->rate_version, "rate", (json_int_t)c->rate, "min", (json_int_t)c->min_qty,
	    "max", (json_int_t)c->max_qty, "daily_limit", (json_int_t)c->daily_limit_qty);
	/* Only when set: a kiosk from before the cap refuses fields it does not
	 * know, and "absent" is what "no cap" always meant (docs/SYNC-API.md). */
	if (o && c->has_anon_cap)
		json_object_set_new(o, "anon_daily_cap", json_integer(c->anon_cap_qty));
	json_array_append_new(d->cats, o);
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

/* The catalogue after *since (-1: all) into d; *rev_now the cursor it matches. A
 * cursor from the future (a restored central) starts over: *since becomes -1. */
static int ds_read(struct store *s, int64_t *since, struct ds_ctx *d, uint32_t *key_version,
                   uint8_t key[32], int64_t *rev_now)
{
	struct store_catalog_fns fns = {.ctx = d,
	                                .category = ds_category,
	                                .resident = ds_resident,
	                                .staff = ds_staff,
	                                .block = ds_block,
	                                .deleted = ds_deleted};
	store_lock(s);
	int rc = s->ops->card_key_get(s, key_version, key);
	if (!rc)
		rc = s->ops->catalog_read(s, *since, &fns, rev_now);
	/* A cursor from the future read nothing (every row of that one snapshot
	 * is at or below rev_now): read everything. One read otherwise: on
	 * PostgreSQL each read first stamps touched residents (store.h). */
	if (!rc && *since > *rev_now) {
		*since = -1;
		rc = s->ops->catalog_read(s, -1, &fns, rev_now);
	}
	store_unlock(s);
	return rc;
}

void api_downsync(struct server *srv, const struct request *rq, struct answer *a)
{
	int64_t since = -1, rev_now = 0;
	uint64_t v = 0;
	uint32_t key_version = 0;
	uint8_t key[32];
	char key_hex[2 * sizeof key + 1];
	if (rq->cursor && rq->cursor[0] == 'r' && parse_u64(rq->cursor + 1, INT64_MAX, &v) == WF_OK)
		since = (int64_t)v;
	struct ds_ctx d = {json_array(), json_array(), json_array(), json_array(), NULL};
	d.del =
	    json_pack("{s:[], s:[], s:[], s:[]}", "categories", "residents", "staff", "blocklist");
	int rc = ds_read(rq->store, &since, &d, &key_version, key, &rev_now);
	if (rc) {
		json_decref(d.cats), json_decref(d.res), json_decref(d.staff);
		json_decref(d.blocks), json_decref(d.del);
		answer_store_failed(a, rc, "nothing was read");
		return;
	}
	char cur[32];
	snprintf(cur, sizeof cur, "r%" PRId64, rev_now);
	hex_encode(key, sizeof key, key_hex, sizeof key_hex);
	sodium_memzero(key, sizeof key);
	a->status = 200;
	a->json =
	    json_pack("{s:s, s:s, s:b, s:{s:I, s:s}, s:o, s:o, s:o, s:o, s:o}", "format",
	              "wufei-downsync-1", "cursor", cur, "full", since < 0, "card_key", "version",
	              (json_int_t)key_version, "key", key_hex, "categories", d.cats, "residents",
	              d.res, "staff", d.staff, "blocklist", d.blocks, "deleted", d.del);
	sodium_memzero(key_hex, sizeof key_hex);
}
