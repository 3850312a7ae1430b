/*
 * cas_ci200.c — CAS CI-200 stream frames, recognised by their fixed layout
 * in a sliding window that ends at CR LF. The lamp byte is raw and may be
 * CR or LF, so searching for line ends alone would cut frames apart.
 */
#include "cas_ci200.h"

#include <assert.h>
#include <string.h>

void cas_ci200_init(struct cas_ci200_parser *p)
{
	assert(p);
	memset(p, 0, sizeof *p);
}

void cas_ci200_reset(struct cas_ci200_parser *p)
{
	p->len = 0;
	scale_queue_clear(&p->q);
}

static bool head_ok(const uint8_t *f)
{
	return (!memcmp(f, "ST,", 3) || !memcmp(f, "US,", 3) || !memcmp(f, "OL,", 3)) &&
	       (!memcmp(f + 3, "GS,", 3) || !memcmp(f + 3, "NT,", 3));
}

static bool unit_of(const uint8_t *u, enum scale_unit *out)
{
	if (!memcmp(u, "kg", 2) || !memcmp(u, "KG", 2))
		*out = SCALE_UNIT_KG;
	else if (!memcmp(u, "lb", 2) || !memcmp(u, "LB", 2))
		*out = SCALE_UNIT_LB;
	else if (!memcmp(u, "g ", 2) || !memcmp(u, " g", 2) || !memcmp(u, "G ", 2) ||
	         !memcmp(u, " G", 2))
		*out = SCALE_UNIT_G;
	else
		return false;
	return true;
}

/* f: a candidate frame of n bytes (22, or 21 with a one-byte id), CR LF included. */
static bool frame(struct cas_ci200_parser *p, const uint8_t *f, size_t n)
{
	size_t w = n == CAS_CI200_FRAME ? 9 : 8; /* start of the weight field */
	if (!head_ok(f) || f[w - 1] != ',' || f[n - 2] != '\r' || f[n - 1] != '\n')
		return false;
	uint8_t lamp = f[w + 8];
	enum scale_unit u;
	if (!unit_of(f + w + 9, &u))
		return false;
	struct scale_reading r = {.kind = SCALE_WEIGHT};
	r.has_stable_flag = r.has_net_flag = r.has_zero_flag = true;
	r.net = !memcmp(f + 3, "NT", 2);
	r.at_zero = lamp & 0x01;
	if (!memcmp(f, "OL", 2)) {
		r.kind = SCALE_STATUS; /* the weight field says nothing then */
		r.overload = true;
	} else {
		if (scale_grams_from_decimal((const char *)f + w, 8, u, &r.grams) != 0)
			return false;
		r.stable = !memcmp(f, "ST", 2);
	}
	scale_queue_push(&p->q, &r);
	return true;
}

int cas_ci200_feed(struct cas_ci200_parser *p, const uint8_t *buf, size_t len)
{
	assert(p && (buf || !len));
	int n = 0;
	for (size_t i = 0; i < len; i++) {
		if (p->len == CAS_CI200_FRAME) {
			memmove(p->win, p->win + 1, CAS_CI200_FRAME - 1);
			p->len--;
		}
		p->win[p->len++] = buf[i];
		if (buf[i] != '\n' || p->len < CAS_CI200_FRAME_ID1)
			continue;
		bool ok = false;
		if (p->len == CAS_CI200_FRAME)
			ok = frame(p, p->win, CAS_CI200_FRAME);
		if (!ok)
			ok = frame(p, p->win + p->len - CAS_CI200_FRAME_ID1, CAS_CI200_FRAME_ID1);
		if (ok) {
			p->len = 0; /* a frame's bytes never count twice */
			n++;
		}
	}
	return n;
}

bool cas_ci200_next(struct cas_ci200_parser *p, struct scale_reading *out)
{
	assert(p && out);
	return scale_queue_pop(&p->q, out);
}
