/*
 * downsync.c — the down-sync JSON document, checked field by field.
 *
 * Why strict: this document decides who may drop and for how many points.
 * A field of the wrong type, out of range, or missing is refused with its
 * JSON path, and nothing of the document is used. A field this version does
 * not know is ignored, at every level (docs/SYNC-API.md: fields may be added
 * within v1), so an older kiosk keeps syncing with a newer central.
 */
#include "downsync.h"

#include "hex.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf.h"

struct ctx {
	char *why;
	size_t why_len;
	bool failed;
};

static void fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct ctx *c, const char *fmt, ...)
{
	if (c->failed)
		return; /* keep the first problem */
	c->failed = true;
	if (!c->why || !c->why_len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why, c->why_len, fmt, ap);
	va_end(ap);
}

/* 64 hex characters to 32 bytes; NULL or anything else is false. */
static bool hash_hex(const char *hex, uint8_t out[WF_HASH_BYTES])
{
	return hex && hex_decode(hex, strlen(hex), out, WF_HASH_BYTES) == WF_OK;
}

/* ---- typed field readers: each names path.key on failure ---- */

static bool get_int(struct ctx *c, json_t *obj, const char *path, const char *key, int64_t lo,
                    int64_t hi, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		fail(c, "%s.%s: missing", path, key);
		return false;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		fail(c, "%s.%s: must be a whole number %lld..%lld", path, key, (long long)lo,
		     (long long)hi);
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

/* Copies a string of 0..cap-1 bytes (min_len..). Optional when dflt is not NULL. */
static bool get_str(struct ctx *c, json_t *obj, const char *path, const char *key, size_t min_len,
                    char *out, size_t cap, const char *dflt)
{
	json_t *v = json_object_get(obj, key);
	if (!v && dflt) {
		snprintf(out, cap, "%s", dflt);
		return true;
	}
	if (!v) {
		fail(c, "%s.%s: missing", path, key);
		return false;
	}
	size_t n = json_is_string(v) ? json_string_length(v) : 0;
	if (!json_is_string(v) || n < min_len || n >= cap || memchr(json_string_value(v), 0, n)) {
		fail(c, "%s.%s: must be a string of %zu..%zu bytes", path, key, min_len, cap - 1);
		return false;
	}
	memcpy(out, json_string_value(v), n + 1);
	return true;
}

static bool get_hash(struct ctx *c, json_t *obj, const char *path, const char *key,
                     uint8_t out[WF_HASH_BYTES])
{
	json_t *v = json_object_get(obj, key);
	if (!v || !json_is_string(v) || !hash_hex(json_string_value(v), out)) {
		fail(c, "%s.%s: must be 64 hex characters", path, key);
		return false;
	}
	return true;
}

static json_t *get_array(struct ctx *c, json_t *root, const char *path, const char *key, size_t max)
{
	json_t *v = json_object_get(root, key);
	if (!v)
		return NULL;
	if (!json_is_array(v)) {
		fail(c, "%s%s: must be an array", path, key);
		return NULL;
	}
	if (json_array_size(v) > max) {
		fail(c, "%s%s: more than %zu entries", path, key, max);
		return NULL;
	}
	return v;
}

/* ---- sections ---- */

static void parse_category(struct ctx *c, json_t *o, const char *path, struct wf_category *cat)
{
	char unit[8];
	int64_t id = 0, rv = 0;
	if (!json_is_object(o)) {
		fail(c, "%s: must be an object", path);
		return;
	}
	if (!get_int(c, o, path, "id", 1, 65535, &id) ||
	    !get_str(c, o, path, "code", 1, cat->code, sizeof cat->code, NULL) ||
	    !get_str(c, o, path, "name", 1, cat->name, sizeof cat->name, NULL) ||
	    !get_str(c, o, path, "unit", 1, unit, sizeof unit, NULL) ||
	    !get_int(c, o, path, "rate_version", 1, UINT32_MAX, &rv) ||
	    !get_int(c, o, path, "rate", 0, WF_RATE_MAX, &cat->rate) ||
	    !get_int(c, o, path, "min", 1, WF_QTY_MAX, &cat->min_qty) ||
	    !get_int(c, o, path, "max", 1, WF_QTY_MAX, &cat->max_qty) ||
	    !get_int(c, o, path, "daily_limit", 0, WF_QTY_MAX, &cat->daily_limit_qty))
		return;
	/* optional: absent (a central from before the cap) is no cap */
	cat->has_anon_cap = json_object_get(o, "anon_daily_cap") != NULL;
	if (cat->has_anon_cap &&
	    !get_int(c, o, path, "anon_daily_cap", 0, WF_QTY_MAX, &cat->anon_cap_qty))
		return;
	cat->id = (uint16_t)id;
	cat->rate_version = (uint32_t)rv;
	if (!strcmp(unit, "g"))
		cat->unit = WF_UNIT_GRAM;
	else if (!strcmp(unit, "piece"))
		cat->unit = WF_UNIT_PIECE;
	else {
		fail(c, "%s.unit: must be \"g\" or \"piece\"", path);
		return;
	}
	char why[96];
	if (!wf_category_check(cat, why, sizeof why))
		fail(c, "%s.%s", path, why);
}

static void parse_resident(struct ctx *c, json_t *o, const char *path, struct downsync_resident *r)
{
	char status[16];
	int64_t id = 0;
	if (!json_is_object(o)) {
		fail(c, "%s: must be an object", path);
		return;
	}
	if (!get_int(c, o, path, "id", 1, INT64_MAX, &id) ||
	    !get_hash(c, o, path, "card_hash", r->card_hash) ||
	    !get_str(c, o, path, "name", 0, r->name, sizeof r->name, "") ||
	    !get_str(c, o, path, "status", 1, status, sizeof status, NULL) ||
	    !get_str(c, o, path, "block_reason", 0, r->block_reason, sizeof r->block_reason, "") ||
	    !get_int(c, o, path, "points_balance", INT64_C(-1000000000000), INT64_C(1000000000000),
	             &r->points_balance))
		return;
	r->id = (uint64_t)id;
	if (!strcmp(status, "active"))
		r->status = DOWNSYNC_ACTIVE;
	else if (!strcmp(status, "blocked"))
		r->status = DOWNSYNC_BLOCKED;
	else
		fail(c, "%s.status: must be \"active\" or \"blocked\"", path);
}

static void parse_staff(struct ctx *c, json_t *o, const char *path, struct downsync_staff *s)
{
	char role[16];
	int64_t id = 0;
	if (!json_is_object(o)) {
		fail(c, "%s: must be an object", path);
		return;
	}
	if (!get_int(c, o, path, "id", 1, INT64_MAX, &id) ||
	    !get_hash(c, o, path, "card_hash", s->card_hash) ||
	    !get_str(c, o, path, "name", 0, s->name, sizeof s->name, "") ||
	    !get_str(c, o, path, "role", 1, role, sizeof role, NULL) ||
	    !get_str(c, o, path, "pin_hash", 1, s->pin_hash, sizeof s->pin_hash, NULL))
		return;
	s->id = (uint64_t)id;
	if (!strcmp(role, "staff"))
		s->role = DOWNSYNC_ROLE_STAFF;
	else if (!strcmp(role, "admin"))
		s->role = DOWNSYNC_ROLE_ADMIN;
	else
		fail(c, "%s.role: must be \"staff\" or \"admin\"", path);
	if (strncmp(s->pin_hash, "$argon2id$", 10))
		fail(c, "%s.pin_hash: must be an Argon2id hash ($argon2id$...)", path);
}

static void parse_block(struct ctx *c, json_t *o, const char *path, struct downsync_block *b)
{
	if (!json_is_object(o)) {
		fail(c, "%s: must be an object", path);
		return;
	}
	if (get_hash(c, o, path, "card_hash", b->card_hash))
		get_str(c, o, path, "reason", 0, b->reason, sizeof b->reason, "");
}

static void parse_card_key(struct ctx *c, json_t *root, struct downsync *d)
{
	json_t *o = json_object_get(root, "card_key");
	if (!o)
		return;
	if (!json_is_object(o)) {
		fail(c, "card_key: must be an object");
		return;
	}
	int64_t v = 0;
	if (get_int(c, o, "card_key", "version", 1, UINT32_MAX, &v) &&
	    get_hash(c, o, "card_key", "key", d->card_key)) {
		d->card_key_version = (uint32_t)v;
		d->has_card_key = true;
	}
}

/* Allocates n items of size for an array section; NULL with n == 0 is fine. */
static void *alloc_items(struct ctx *c, size_t n, size_t size)
{
	if (n == 0)
		return NULL;
	void *p = calloc(n, size);
	if (!p)
		fail(c, "out of memory");
	return p;
}

static void parse_lists(struct ctx *c, json_t *root, struct downsync *d)
{
	char path[48];
	size_t i;
	json_t *v;
	json_t *a = get_array(c, root, "", "categories", WF_MAX_CATEGORIES);
	json_array_foreach(a, i, v)
	{
		snprintf(path, sizeof path, "categories[%zu]", i);
		parse_category(c, v, path, &d->categories[i]);
		for (size_t j = 0; !c->failed && j < i; j++)
			if (d->categories[j].id == d->categories[i].id)
				fail(c, "%s.id: %u appears twice", path, d->categories[i].id);
		d->ncategories = i + 1;
		if (c->failed)
			return;
	}
	a = get_array(c, root, "", "residents", DOWNSYNC_ITEMS_MAX);
	d->residents = alloc_items(c, json_array_size(a), sizeof *d->residents);
	json_array_foreach(a, i, v)
	{
		if (c->failed)
			return;
		snprintf(path, sizeof path, "residents[%zu]", i);
		parse_resident(c, v, path, &d->residents[i]);
		d->nresidents = i + 1;
	}
	a = get_array(c, root, "", "staff", DOWNSYNC_ITEMS_MAX);
	d->staff = alloc_items(c, json_array_size(a), sizeof *d->staff);
	json_array_foreach(a, i, v)
	{
		if (c->failed)
			return;
		snprintf(path, sizeof path, "staff[%zu]", i);
		parse_staff(c, v, path, &d->staff[i]);
		d->nstaff = i + 1;
	}
	a = get_array(c, root, "", "blocklist", DOWNSYNC_ITEMS_MAX);
	d->blocks = alloc_items(c, json_array_size(a), sizeof *d->blocks);
	json_array_foreach(a, i, v)
	{
		if (c->failed)
			return;
		snprintf(path, sizeof path, "blocklist[%zu]", i);
		parse_block(c, v, path, &d->blocks[i]);
		d->nblocks = i + 1;
	}
}

static bool id_at(struct ctx *c, json_t *v, const char *path, size_t i, int64_t hi, int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > hi) {
		fail(c, "%s[%zu]: must be a whole number 1..%lld", path, i, (long long)hi);
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

static void parse_deleted(struct ctx *c, json_t *root, struct downsync *d)
{
	json_t *o = json_object_get(root, "deleted");
	if (!o)
		return;
	if (!json_is_object(o)) {
		fail(c, "deleted: must be an object");
		return;
	}
	size_t i;
	json_t *v;
	int64_t x;
	json_t *a = get_array(c, o, "deleted.", "categories", 65535);
	d->del_categories = alloc_items(c, json_array_size(a), sizeof *d->del_categories);
	json_array_foreach(a, i, v)
	{
		if (!id_at(c, v, "deleted.categories", i, 65535, &x))
			return;
		d->del_categories[d->ndel_categories++] = (uint16_t)x;
	}
	a = get_array(c, o, "deleted.", "residents", DOWNSYNC_ITEMS_MAX);
	d->del_residents = alloc_items(c, json_array_size(a), sizeof *d->del_residents);
	json_array_foreach(a, i, v)
	{
		if (!id_at(c, v, "deleted.residents", i, INT64_MAX, &x))
			return;
		d->del_residents[d->ndel_residents++] = (uint64_t)x;
	}
	a = get_array(c, o, "deleted.", "staff", DOWNSYNC_ITEMS_MAX);
	d->del_staff = alloc_items(c, json_array_size(a), sizeof *d->del_staff);
	json_array_foreach(a, i, v)
	{
		if (!id_at(c, v, "deleted.staff", i, INT64_MAX, &x))
			return;
		d->del_staff[d->ndel_staff++] = (uint64_t)x;
	}
	a = get_array(c, o, "deleted.", "blocklist", DOWNSYNC_ITEMS_MAX);
	d->del_blocks = alloc_items(c, json_array_size(a), sizeof *d->del_blocks);
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) ||
		    !hash_hex(json_string_value(v), d->del_blocks[d->ndel_blocks])) {
			fail(c, "deleted.blocklist[%zu]: must be 64 hex characters", i);
			return;
		}
		d->ndel_blocks++;
	}
}

int downsync_parse(const char *json, size_t len, struct downsync *out, char *why, size_t why_len)
{
	struct ctx c = {why, why_len, false};
	memset(out, 0, sizeof *out);
	if (why && why_len)
		why[0] = '\0';
	if (len > DOWNSYNC_BYTES_MAX) {
		fail(&c, "document larger than %u bytes", DOWNSYNC_BYTES_MAX);
		return WF_EINVAL;
	}
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		fail(&c, "not JSON: line %d column %d: %s", jerr.line, jerr.column, jerr.text);
		return WF_EINVAL;
	}
	char format[32];
	json_t *full = json_object_get(root, "full");
	if (!json_is_object(root)) {
		fail(&c, "top level: must be an object");
	} else if (get_str(&c, root, "top level", "format", 1, format, sizeof format, NULL)) {
		if (strcmp(format, DOWNSYNC_FORMAT))
			fail(&c, "format: must be \"%s\"", DOWNSYNC_FORMAT);
		get_str(&c, root, "top level", "cursor", 0, out->cursor, sizeof out->cursor, "");
		if (full && !json_is_boolean(full))
			fail(&c, "full: must be true or false");
		out->full = full ? json_is_true(full) : true;
		if (!c.failed)
			parse_card_key(&c, root, out);
		if (!c.failed)
			parse_lists(&c, root, out);
		if (!c.failed)
			parse_deleted(&c, root, out);
	}
	json_decref(root);
	if (c.failed) {
		downsync_free(out);
		return WF_EINVAL;
	}
	return WF_OK;
}

int downsync_load_file(const char *path, struct downsync *out, char *why, size_t why_len)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return WF_ENOENT;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int rc = WF_OK;
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
		if (len == cap) {
			if (cap >= DOWNSYNC_BYTES_MAX) {
				rc = WF_EINVAL;
				snprintf(why, why_len, "%s: larger than %u bytes", path,
				         DOWNSYNC_BYTES_MAX);
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	bool read_error = ferror(f);
	fclose(f);
	if (!buf) {
		snprintf(why, why_len, "%s: out of memory", path);
		return WF_ENOMEM;
	}
	if (rc == WF_OK && read_error) {
		snprintf(why, why_len, "%s: read error", path);
		rc = WF_EIO;
	}
	if (rc == WF_OK) {
		char inner[256];
		rc = downsync_parse(buf, len, out, inner, sizeof inner);
		if (rc != WF_OK)
			snprintf(why, why_len, "%s: %s", path, inner);
	}
	free(buf);
	return rc;
}

void downsync_free(struct downsync *d)
{
	if (!d)
		return;
	free(d->residents);
	free(d->staff);
	free(d->blocks);
	free(d->del_categories);
	free(d->del_residents);
	free(d->del_staff);
	free(d->del_blocks);
	d->residents = NULL;
	d->staff = NULL;
	d->blocks = NULL;
	d->del_categories = NULL;
	d->del_residents = NULL;
	d->del_staff = NULL;
	d->del_blocks = NULL;
	d->nresidents = d->nstaff = d->nblocks = 0;
	d->ndel_categories = d->ndel_residents = d->ndel_staff = d->ndel_blocks = 0;
}
