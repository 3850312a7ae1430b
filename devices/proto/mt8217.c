/*
 * mt8217.c — Mettler Toledo 8217 replies: STX weight [N] CR, or STX ? s CR.
 * The status byte after '?' is taken raw (it may be any value, even STX or
 * CR), every other byte with its parity bit masked.
 */
#include "mt8217.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define STX 0x02
#define CR  0x0d

/* Status bits (DIVA service manual 6.1.4.3); bit 6 is always 1, bit 7 is
 * the parity bit of 7E1. */
#define ST_MOTION     0x01
#define ST_OVER       0x02
#define ST_UNDER      0x04
#define ST_ZERO_RANGE 0x08 /* outside the zero-capture range: a zero was not done */
#define ST_CENTRE     0x10
#define ST_NET        0x20

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
	p->pending = 0;
	scale_queue_clear(&p->q);
}

void mt8217_command_sent(struct mt8217_parser *p, enum scale_cmd cmd)
{
	assert(p);
	p->pending =
	    cmd == SCALE_CMD_ZERO || cmd == SCALE_CMD_TARE || cmd == SCALE_CMD_CLEAR_TARE ? cmd : 0;
}

/* Did the status answering cmd say it was carried out? */
static bool command_done(enum scale_cmd cmd, uint8_t st)
{
	if (st & (ST_MOTION | ST_OVER))
		return false; /* the scale does neither while moving or overloaded */
	switch (cmd) {
	case SCALE_CMD_ZERO: return !(st & ST_ZERO_RANGE);
	case SCALE_CMD_TARE: return (st & ST_NET) != 0;
	case SCALE_CMD_CLEAR_TARE: return !(st & ST_NET);
	default: return false;
	}
}

static bool status_frame(struct mt8217_parser *p)
{
	uint8_t st = p->buf[1] & 0x7f;
	struct scale_reading r = {.kind = SCALE_STATUS};
	r.has_stable_flag = r.has_net_flag = r.has_zero_flag = true;
	r.stable = !(st & ST_MOTION);
	r.overload = st & ST_OVER;
	r.underload = st & ST_UNDER;
	r.at_zero = st & ST_CENTRE;
	r.net = st & ST_NET;
	if (p->pending) {
		/* The 8217 answers Z, T and C with its status: the first status
		 * after the command is its answer. */
		struct scale_reading a = r;
		a.kind = command_done(p->pending, st) ? SCALE_ACK : SCALE_REFUSED;
		if (st >= 0x20 && st < 0x7f)
			snprintf(a.code, sizeof a.code, "?%c", (char)st);
		else
			snprintf(a.code, sizeof a.code, "?%02X", (unsigned)st);
		p->pending = 0;
		scale_queue_push(&p->q, &a);
	}
	/* Every status is also the scale's state: no weight now. */
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
	if (scale_grams_from_decimal((const char *)p->buf, n, p->unit, &g) != WF_OK)
		return false; /* "E" probe answers and garbage */
	struct scale_reading r = {.kind = SCALE_WEIGHT, .grams = g};
	/* The 8217 answers W with a weight only when it is stable. */
	r.stable = true;
	r.net = net;
	r.has_stable_flag = r.has_net_flag = true;
	scale_queue_push(&p->q, &r);
	return true;
}

static int end_frame(struct mt8217_parser *p)
{
	p->in_frame = false;
	if (p->len >= 1 && p->buf[0] == '?')
		return p->len == 2 && status_frame(p);
	return weight_frame(p);
}

int mt8217_feed(struct mt8217_parser *p, const uint8_t *buf, size_t len)
{
	assert(p && (buf || !len));
	unsigned before = p->q.count;
	uint64_t dropped = p->q.dropped;
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
			end_frame(p);
		} else if (p->len == sizeof p->buf) {
			p->in_frame = false; /* babble: wait for the next STX */
		} else {
			p->buf[p->len++] = b;
		}
	}
	return (int)(p->q.count - before + (p->q.dropped - dropped));
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
