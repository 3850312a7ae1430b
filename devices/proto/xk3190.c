/*
 * xk3190.c — Yaohua XK3190 continuous outputs: the 12-byte frame
 * 02 sign d6 dec chk_hi chk_lo 03, and the '=' format.
 */
#include "xk3190.h"

#include "stx_frame.h"

#include <assert.h>
#include <string.h>

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

/* One check character: a hex digit (either case) or, as the A22 sends it,
 * the nibble + 0x30 (':' to '?' for 10 to 15). */
static int check_nibble(uint8_t c)
{
	if (c >= '0' && c <= '?')
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
	int hi = check_nibble(f[8]), lo = check_nibble(f[9]);
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
	if (scale_grams_from_scaled(f[0] == '-' ? -mant : mant, f[7] - '0', p->unit, &r.grams) !=
	    WF_OK)
		return false;
	r.stable = true; /* no flag on the wire: the caller requires repeats */
	scale_queue_push(&p->q, &r);
	return true;
}

int xk3190_feed(struct xk3190_parser *p, const uint8_t *buf, size_t len)
{
	assert(p && (buf || !len));
	int n = 0;
	for (size_t i = 0; i < len; i++)
		if (stx_frame_byte(&p->in_frame, &p->len, p->buf, XK3190_BODY, NULL, buf[i]))
			n += frame(p);
	return n;
}

bool xk3190_next(struct xk3190_parser *p, struct scale_reading *out)
{
	assert(p && out);
	return scale_queue_pop(&p->q, out);
}

/* ---- the '=' format ---------------------------------------------------- */

void xk3190eq_init(struct xk3190eq_parser *p, enum scale_unit unit, bool normal)
{
	assert(p);
	memset(p, 0, sizeof *p);
	p->unit = unit;
	p->normal = normal;
}

void xk3190eq_reset(struct xk3190eq_parser *p)
{
	p->in_frame = false;
	p->len = 0;
	scale_queue_clear(&p->q);
}

static bool sign_char(uint8_t c, bool *neg)
{
	if (c == '0' || c == '+' || c == '-' || c == '1') {
		*neg = c == '-' || c == '1';
		return true;
	}
	return false;
}

/* The characters after '=' (7 or 8 of them) to a reading. */
static bool eq_frame(struct xk3190eq_parser *p)
{
	char text[XK3190_EQ_BODY + 1];
	const uint8_t *f = p->buf;
	size_t n = p->len, w = 0;
	bool neg = false, seven = n == XK3190_EQ_BODY - 1;
	if (n == XK3190_EQ_BODY) {
		/* the sign has a place of its own: last when reversed, first in
		 * reading order */
		if (!sign_char(p->normal ? f[0] : f[n - 1], &neg))
			return false;
		if (p->normal)
			f++;
		n--;
	} else if (n != XK3190_EQ_BODY - 1) {
		return false;
	}
	if (neg)
		text[w++] = '-';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p->normal ? f[i] : f[n - 1 - i];
		if (!(c >= '0' && c <= '9') && c != '.' && !(c == '-' && i == 0 && seven))
			return false; /* a 7-character T7E frame carries its '-' in place */
		text[w++] = (char)c;
	}
	struct scale_reading r = {.kind = SCALE_WEIGHT};
	if (scale_grams_from_decimal(text, w, p->unit, &r.grams) != WF_OK)
		return false;
	r.stable = true; /* no flag on the wire: the caller requires repeats */
	scale_queue_push(&p->q, &r);
	return true;
}

int xk3190eq_feed(struct xk3190eq_parser *p, const uint8_t *buf, size_t len)
{
	assert(p && (buf || !len));
	int n = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];
		if (b == '=') {
			/* a 7-character frame ends where the next begins */
			if (p->in_frame && p->len == XK3190_EQ_BODY - 1)
				n += eq_frame(p);
			p->in_frame = true; /* resynchronise on every '=' */
			p->len = 0;
		} else if (!p->in_frame) {
			continue;
		} else {
			p->buf[p->len++] = b;
			if (p->len == XK3190_EQ_BODY) {
				p->in_frame = false;
				n += eq_frame(p);
			}
		}
	}
	return n;
}

bool xk3190eq_next(struct xk3190eq_parser *p, struct scale_reading *out)
{
	assert(p && out);
	return scale_queue_pop(&p->q, out);
}
