/*
 * mt8217.c — Mettler Toledo 8217 replies: STX weight [N] CR, or STX ? s CR.
 * The status byte after '?' is taken raw (it may be any value, even STX or
 * CR), every other byte with its parity bit masked.
 */
#include "mt8217.h"

#include <assert.h>
#include <string.h>

#define STX 0x02
#define CR  0x0d

void mt8217_init(struct mt8217_parser *p, enum scale_unit unit)
{
	assert(p);
	memset(p, 0, sizeof *p);
	p->unit = unit;
}

void mt8217_reset(struct mt8217_parser *p)
{
	p->in_frame = false;
	p->len = 0;
	scale_queue_clear(&p->q);
}

static bool status_frame(struct mt8217_parser *p)
{
	uint8_t st = p->buf[1] & 0x7f;
	struct scale_reading r = {.kind = SCALE_STATUS};
	r.has_stable_flag = r.has_net_flag = r.has_zero_flag = true;
	if (st & 0x40) {
		r.kind = SCALE_REFUSED; /* bad command: an answer to a command, not a weight */
		memcpy(r.code, "?", 2);
	}
	r.stable = !(st & 0x01);
	r.overload = st & 0x02;
	r.underload = st & 0x04;
	r.at_zero = st & 0x10;
	r.net = st & 0x20;
	scale_queue_push(&p->q, &r);
	return true;
}

static bool weight_frame(struct mt8217_parser *p)
{
	size_t n = p->len;
	bool net = n > 0 && p->buf[n - 1] == 'N';
	if (net)
		n--;
	int64_t g;
	if (scale_grams_from_decimal((const char *)p->buf, n, p->unit, &g) != 0)
		return false; /* "E" probe answers and garbage */
	struct scale_reading r = {.kind = SCALE_WEIGHT, .grams = g};
	/* The 8217 answers W with a weight only when it is stable. */
	r.stable = true;
	r.net = net;
	r.has_stable_flag = r.has_net_flag = true;
	scale_queue_push(&p->q, &r);
	return true;
}

static bool end_frame(struct mt8217_parser *p)
{
	p->in_frame = false;
	if (p->len >= 1 && p->buf[0] == '?')
		return p->len == 2 && status_frame(p);
	return weight_frame(p);
}

int mt8217_feed(struct mt8217_parser *p, const uint8_t *buf, size_t len)
{
	assert(p && (buf || !len));
	int n = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t raw = buf[i], b = raw & 0x7f;
		if (p->in_frame && p->len == 1 && p->buf[0] == '?') {
			p->buf[p->len++] = raw; /* the status byte, whatever it is */
			continue;
		}
		if (b == STX) {
			p->in_frame = true; /* resynchronise on every STX */
			p->len = 0;
		} else if (!p->in_frame) {
			continue;
		} else if (b == CR) {
			n += end_frame(p);
		} else if (p->len == sizeof p->buf) {
			p->in_frame = false; /* babble: wait for the next STX */
		} else {
			p->buf[p->len++] = b;
		}
	}
	return n;
}

bool mt8217_next(struct mt8217_parser *p, struct scale_reading *out)
{
	assert(p && out);
	return scale_queue_pop(&p->q, out);
}

size_t mt8217_encode(enum scale_cmd cmd, uint8_t *buf, size_t cap)
{
	char c;
	switch (cmd) {
	case SCALE_CMD_WEIGHT:
	case SCALE_CMD_STABLE: c = 'W'; break;
	case SCALE_CMD_ZERO: c = 'Z'; break;
	case SCALE_CMD_TARE: c = 'T'; break;
	case SCALE_CMD_CLEAR_TARE: c = 'C'; break;
	default: return 0;
	}
	if (!buf || cap < 1)
		return 0;
	buf[0] = (uint8_t)c;
	return 1;
}
