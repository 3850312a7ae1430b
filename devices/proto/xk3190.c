/*
 * xk3190.c — Yaohua XK3190-A9 frames: 02 sign d6 dec xor_hi xor_lo 03.
 */
#include "xk3190.h"

#include <assert.h>
#include <string.h>

#define STX 0x02
#define ETX 0x03

void xk3190_init(struct xk3190_parser *p, enum scale_unit unit)
{
	assert(p);
	memset(p, 0, sizeof *p);
	p->unit = unit;
}

void xk3190_reset(struct xk3190_parser *p)
{
	p->in_frame = false;
	p->len = 0;
	scale_queue_clear(&p->q);
}

static int hexv(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool frame(struct xk3190_parser *p)
{
	const uint8_t *f = p->buf;
	uint8_t x = 0;
	for (int i = 0; i < 8; i++)
		x ^= f[i];
	int hi = hexv(f[8]), lo = hexv(f[9]);
	if (hi < 0 || lo < 0 || (hi << 4 | lo) != x)
		return false;
	if ((f[0] != '+' && f[0] != '-') || f[7] < '0' || f[7] > '5')
		return false;
	int64_t mant = 0;
	for (int i = 1; i <= 6; i++) {
		if (f[i] < '0' || f[i] > '9')
			return false;
		mant = mant * 10 + (f[i] - '0');
	}
	struct scale_reading r = {.kind = SCALE_WEIGHT};
	if (scale_grams_from_scaled(f[0] == '-' ? -mant : mant, f[7] - '0', p->unit, &r.grams))
		return false;
	r.stable = true; /* no flag on the wire: the caller requires repeats */
	scale_queue_push(&p->q, &r);
	return true;
}

int xk3190_feed(struct xk3190_parser *p, const uint8_t *buf, size_t len)
{
	assert(p && (buf || !len));
	int n = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];
		if (b == STX) {
			p->in_frame = true; /* resynchronise on every STX */
			p->len = 0;
		} else if (!p->in_frame) {
			continue;
		} else if (b == ETX) {
			p->in_frame = false;
			if (p->len == XK3190_BODY)
				n += frame(p);
		} else if (p->len == XK3190_BODY) {
			p->in_frame = false; /* too long: wait for the next STX */
		} else {
			p->buf[p->len++] = b;
		}
	}
	return n;
}

bool xk3190_next(struct xk3190_parser *p, struct scale_reading *out)
{
	assert(p && out);
	return scale_queue_pop(&p->q, out);
}
