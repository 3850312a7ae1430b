/* record.c — canonical journal record encoding; see record.h for the layout. */
#include "record.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "wf.h"

/* A bounded writer and reader: every access is checked against the end. */
struct wbuf {
	uint8_t *p;
	size_t cap;
	size_t n;
	bool overflow;
};

struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool short_read;
};

static void put_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (w->overflow || w->cap - w->n < n) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->n, src, n);
	w->n += n;
}

static void put_uint(struct wbuf *w, uint64_t v, unsigned width)
{
	uint8_t b[8];
	for (unsigned i = 0; i < width; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_bytes(w, b, width);
}

static uint64_t get_uint(struct rbuf *r, unsigned width)
{
	if (r->short_read || r->len - r->off < width) {
		r->short_read = true;
		return 0;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)r->p[r->off + i] << (8 * i);
	r->off += width;
	return v;
}

static void get_bytes(struct rbuf *r, void *dst, size_t n)
{
	if (r->short_read || r->len - r->off < n) {
		r->short_read = true;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->p + r->off, n);
	r->off += n;
}

static int64_t get_i64(struct rbuf *r)
{
	uint64_t u = get_uint(r, 8);
	int64_t v;
	memcpy(&v, &u, sizeof v); /* two's complement: defined, no UB */
	return v;
}

static void put_i64(struct wbuf *w, int64_t v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof u);
	put_uint(w, u, 8);
}

static int fail(char *why, size_t why_len, const char *msg)
{
	if (why && why_len)
		snprintf(why, why_len, "%s", msg);
	return WF_EINVAL;
}

bool wf_record_day_valid(uint32_t day)
{
	static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y = day / 10000, m = day / 100 % 100, d = day % 100;
	if (y < 2000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29) {
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		return leap;
	}
	return true;
}

/* Strict UTF-8 (no overlongs, no surrogates), no C0 controls, no DEL. */
static bool text_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = u[i];
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k;
		unsigned cp;
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i - 1 < k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((u[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (u[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

static bool id_ok(uint64_t id)
{
	return id <= (uint64_t)INT64_MAX;
}

static int check_drop(const struct wf_record_drop *d, char *why, size_t why_len)
{
	if (d->category_id == 0)
		return fail(why, why_len, "drop: category id 0");
	if (d->unit != WF_UNIT_GRAM && d->unit != WF_UNIT_PIECE)
		return fail(why, why_len, "drop: unknown unit");
	if (d->flags & ~(WF_DROP_ANONYMOUS | WF_DROP_CAPPED))
		return fail(why, why_len, "drop: unknown flag bits");
	if (d->qty < 1 || d->qty > WF_QTY_MAX)
		return fail(why, why_len, "drop: quantity out of range");
	if (d->credited_qty < 0 || d->credited_qty > d->qty)
		return fail(why, why_len, "drop: credited quantity out of range");
	bool capped = (d->flags & WF_DROP_CAPPED) != 0;
	if (capped != (d->credited_qty < d->qty))
		return fail(why, why_len, "drop: capped flag disagrees with credited quantity");
	if (d->points < 0)
		return fail(why, why_len, "drop: negative points");
	bool anon = (d->flags & WF_DROP_ANONYMOUS) != 0;
	if (anon != (d->resident_id == 0))
		return fail(why, why_len, "drop: anonymous flag disagrees with resident id");
	if (!id_ok(d->resident_id))
		return fail(why, why_len, "drop: resident id out of range");
	if (!wf_record_day_valid(d->local_day))
		return fail(why, why_len, "drop: local day is not a yyyymmdd date");
	return WF_OK;
}

static int check_body(const struct wf_record *r, char *why, size_t why_len)
{
	switch (r->kind) {
	case WF_RECORD_DROP: return check_drop(&r->drop, why, why_len);
	case WF_RECORD_BIN:
		if (r->bin.category_id == 0)
			return fail(why, why_len, "bin: category id 0");
		if (r->bin.grams < 0 || r->bin.grams > WF_QTY_MAX)
			return fail(why, why_len, "bin: grams out of range");
		if (r->bin.staff_id == 0 || !id_ok(r->bin.staff_id))
			return fail(why, why_len, "bin: staff id out of range");
		return WF_OK;
	case WF_RECORD_STAFF: {
		if (!id_ok(r->staff.staff_id))
			return fail(why, why_len, "staff: staff id out of range");
		if (r->staff.action < 1 || r->staff.action > WF_STAFF_ACTION_MAX)
			return fail(why, why_len, "staff: unknown action code");
		size_t n = strnlen(r->staff.text, sizeof r->staff.text);
		if (n == sizeof r->staff.text)
			return fail(why, why_len, "staff: text not terminated");
		if (!text_valid(r->staff.text, n))
			return fail(why, why_len, "staff: text is not printable UTF-8");
		return WF_OK;
	}
	case WF_RECORD_DAY_CLOSE:
		if (!wf_record_day_valid(r->day_close.local_day))
			return fail(why, why_len, "day_close: local day is not a yyyymmdd date");
		if (r->day_close.grams < 0 || r->day_close.pieces < 0 || r->day_close.points < 0)
			return fail(why, why_len, "day_close: negative total");
		return WF_OK;
	case WF_RECORD_CHECKPOINT:
		if (r->checkpoint.upto_seq < 1 || r->checkpoint.upto_seq >= r->seq)
			return fail(why, why_len, "checkpoint: upto_seq must be in 1..seq-1");
		return WF_OK;
	case WF_RECORD_EPOCH: {
		if (r->epoch.reason != WF_EPOCH_NEW && r->epoch.reason != WF_EPOCH_RESTORED)
			return fail(why, why_len, "epoch: unknown reason");
		if (r->epoch.after_seq >= r->seq)
			return fail(why, why_len, "epoch: after_seq must be below seq");
		static const uint8_t zero[WF_HASH_BYTES];
		if (r->epoch.after_seq == 0 && memcmp(r->epoch.hash, zero, sizeof zero) != 0)
			return fail(why, why_len, "epoch: hash must be zeros when after_seq is 0");
		return WF_OK;
	}
	default: return fail(why, why_len, "unknown record kind");
	}
}

int wf_record_check(const struct wf_record *r, char *why, size_t why_len)
{
	assert(r);
	if (r->kiosk == 0)
		return fail(why, why_len, "kiosk number 0");
	if (r->seq == 0 || r->seq > (uint64_t)INT64_MAX)
		return fail(why, why_len, "seq out of range");
	return check_body(r, why, why_len);
}

static void encode_body(const struct wf_record *r, struct wbuf *w)
{
	switch (r->kind) {
	case WF_RECORD_DROP: {
		const struct wf_record_drop *d = &r->drop;
		put_uint(w, d->category_id, 2);
		put_uint(w, d->unit, 1);
		put_uint(w, d->flags, 1);
		put_i64(w, d->qty);
		put_i64(w, d->credited_qty);
		put_i64(w, d->points);
		put_uint(w, d->rate_version, 4);
		put_uint(w, d->resident_id, 8);
		put_bytes(w, d->card_hash, sizeof d->card_hash);
		put_uint(w, d->local_day, 4);
		break;
	}
	case WF_RECORD_BIN:
		put_uint(w, r->bin.category_id, 2);
		put_i64(w, r->bin.grams);
		put_uint(w, r->bin.staff_id, 8);
		break;
	case WF_RECORD_STAFF: {
		size_t n = strlen(r->staff.text);
		put_uint(w, r->staff.staff_id, 8);
		put_uint(w, r->staff.action, 2);
		put_i64(w, r->staff.value);
		put_uint(w, n, 2);
		put_bytes(w, r->staff.text, n);
		break;
	}
	case WF_RECORD_DAY_CLOSE:
		put_uint(w, r->day_close.local_day, 4);
		put_uint(w, r->day_close.drops, 4);
		put_i64(w, r->day_close.grams);
		put_i64(w, r->day_close.pieces);
		put_i64(w, r->day_close.points);
		break;
	case WF_RECORD_CHECKPOINT:
		put_uint(w, r->checkpoint.upto_seq, 8);
		put_bytes(w, r->checkpoint.hash, sizeof r->checkpoint.hash);
		break;
	case WF_RECORD_EPOCH:
		put_uint(w, r->epoch.epoch, 4);
		put_uint(w, r->epoch.reason, 1);
		put_uint(w, r->epoch.after_seq, 8);
		put_bytes(w, r->epoch.hash, sizeof r->epoch.hash);
		break;
	default: assert(0 && "checked before");
	}
}

int wf_record_encode(const struct wf_record *r, uint8_t *buf, size_t cap)
{
	assert(r && buf);
	int rc = wf_record_check(r, NULL, 0);
	if (rc)
		return rc;
	struct wbuf w = {.p = buf, .cap = cap};
	put_uint(&w, WF_RECORD_FORMAT, 1);
	put_uint(&w, r->kind, 1);
	put_uint(&w, r->kiosk, 4);
	put_uint(&w, r->seq, 8);
	put_i64(&w, r->time_ms);
	encode_body(r, &w);
	if (w.overflow)
		return WF_ENOMEM;
	return (int)w.n;
}

static void decode_body(struct wf_record *r, struct rbuf *b, char *why, size_t why_len,
                        bool *bad_text)
{
	switch (r->kind) {
	case WF_RECORD_DROP: {
		struct wf_record_drop *d = &r->drop;
		d->category_id = (uint16_t)get_uint(b, 2);
		d->unit = (uint8_t)get_uint(b, 1);
		d->flags = (uint8_t)get_uint(b, 1);
		d->qty = get_i64(b);
		d->credited_qty = get_i64(b);
		d->points = get_i64(b);
		d->rate_version = (uint32_t)get_uint(b, 4);
		d->resident_id = get_uint(b, 8);
		get_bytes(b, d->card_hash, sizeof d->card_hash);
		d->local_day = (uint32_t)get_uint(b, 4);
		break;
	}
	case WF_RECORD_BIN:
		r->bin.category_id = (uint16_t)get_uint(b, 2);
		r->bin.grams = get_i64(b);
		r->bin.staff_id = get_uint(b, 8);
		break;
	case WF_RECORD_STAFF: {
		r->staff.staff_id = get_uint(b, 8);
		r->staff.action = (uint16_t)get_uint(b, 2);
		r->staff.value = get_i64(b);
		uint64_t n = get_uint(b, 2);
		if (n >= sizeof r->staff.text) {
			*bad_text = true;
			fail(why, why_len, "staff: text longer than 64 bytes");
			return;
		}
		get_bytes(b, r->staff.text, (size_t)n);
		if (!b->short_read && memchr(r->staff.text, 0, (size_t)n)) {
			*bad_text = true;
			fail(why, why_len, "staff: text contains NUL");
			return;
		}
		r->staff.text[n] = '\0';
		break;
	}
	case WF_RECORD_DAY_CLOSE:
		r->day_close.local_day = (uint32_t)get_uint(b, 4);
		r->day_close.drops = (uint32_t)get_uint(b, 4);
		r->day_close.grams = get_i64(b);
		r->day_close.pieces = get_i64(b);
		r->day_close.points = get_i64(b);
		break;
	case WF_RECORD_CHECKPOINT:
		r->checkpoint.upto_seq = get_uint(b, 8);
		get_bytes(b, r->checkpoint.hash, sizeof r->checkpoint.hash);
		break;
	case WF_RECORD_EPOCH:
		r->epoch.epoch = (uint32_t)get_uint(b, 4);
		r->epoch.reason = (uint8_t)get_uint(b, 1);
		r->epoch.after_seq = get_uint(b, 8);
		get_bytes(b, r->epoch.hash, sizeof r->epoch.hash);
		break;
	default: break;
	}
}

int wf_record_decode(const uint8_t *buf, size_t len, struct wf_record *out, char *why,
                     size_t why_len)
{
	assert(out && (buf || len == 0));
	memset(out, 0, sizeof *out);
	struct rbuf b = {.p = buf, .len = len};
	int rc = WF_EINVAL;
	bool bad_text = false;
	if (len < WF_RECORD_HEADER_LEN) {
		fail(why, why_len, "shorter than the record header");
		goto out;
	}
	if (get_uint(&b, 1) != WF_RECORD_FORMAT) {
		fail(why, why_len, "unknown record format version");
		goto out;
	}
	out->kind = (uint8_t)get_uint(&b, 1);
	out->kiosk = (uint32_t)get_uint(&b, 4);
	out->seq = get_uint(&b, 8);
	out->time_ms = get_i64(&b);
	if (out->kind < WF_RECORD_DROP || out->kind > WF_RECORD_EPOCH) {
		fail(why, why_len, "unknown record kind");
		goto out;
	}
	decode_body(out, &b, why, why_len, &bad_text);
	if (bad_text)
		goto out;
	if (b.short_read) {
		fail(why, why_len, "record truncated");
		goto out;
	}
	if (b.off != len) {
		fail(why, why_len, "trailing bytes after the record");
		goto out;
	}
	rc = wf_record_check(out, why, why_len);
out:
	if (rc)
		memset(out, 0, sizeof *out);
	return rc;
}

const char *wf_record_kind_name(int kind)
{
	switch (kind) {
	case WF_RECORD_DROP: return "drop";
	case WF_RECORD_BIN: return "bin";
	case WF_RECORD_STAFF: return "staff";
	case WF_RECORD_DAY_CLOSE: return "day_close";
	case WF_RECORD_CHECKPOINT: return "checkpoint";
	case WF_RECORD_EPOCH: return "epoch";
	default: return "unknown";
	}
}
