/*
 * em4100.c — RDM6300 frames to one card event per tap.
 */
#include "em4100.h"

#include "cardid.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define STX 0x02
#define ETX 0x03

void em4100_init(struct em4100_parser *p, int64_t release_ms)
{
	assert(p);
	memset(p, 0, sizeof *p);
	p->release_ms = release_ms > 0 ? release_ms : EM4100_RELEASE_MS;
}

void em4100_reset(struct em4100_parser *p)
{
	p->in_frame = false;
	p->len = 0;
	p->have_last = false;
	card_queue_clear(&p->q);
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

static bool frame(struct em4100_parser *p, int64_t now_ms)
{
	uint8_t x = 0;
	for (int i = 0; i < 5; i++)
		x ^= (uint8_t)(hexv(p->buf[2 * i]) << 4 | hexv(p->buf[2 * i + 1]));
	if ((hexv(p->buf[10]) << 4 | hexv(p->buf[11])) != x)
		return false;
	char num[11];
	for (int i = 0; i < 10; i++) {
		uint8_t c = p->buf[i];
		num[i] = (char)(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
	}
	num[10] = '\0';
	/* Same card again before a silence of release_ms: the same tap, held.
	 * Measured from the latest frame, so a long hold stays one tap. A clock
	 * that seems to step back counts as no silence. */
	bool same =
	    p->have_last && !strcmp(num, p->last) && now_ms - p->last_seen_ms < p->release_ms;
	p->have_last = true;
	memcpy(p->last, num, sizeof num);
	if (!same || now_ms > p->last_seen_ms)
		p->last_seen_ms = now_ms;
	if (same)
		return false;
	struct card_event ev;
	memset(&ev, 0, sizeof ev);
	memcpy(ev.number, num, sizeof num);
	uint64_t v = 0;
	for (int i = 0; i < 10; i++)
		v = v << 4 | (uint64_t)hexv((uint8_t)num[i]);
	/* the number printed on the card: the low 32 bits, 10 decimal digits */
	if (cardid_em4100(v, ev.id, sizeof ev.id) != 0)
		return false;
	ev.at_ms = now_ms;
	card_queue_push(&p->q, &ev);
	return true;
}

int em4100_feed(struct em4100_parser *p, const uint8_t *buf, size_t len, int64_t now_ms)
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
			if (p->len == EM4100_BODY)
				n += frame(p, now_ms);
		} else if (hexv(b) < 0 || p->len == EM4100_BODY) {
			p->in_frame = false; /* not a frame: wait for the next STX */
		} else {
			p->buf[p->len++] = b;
		}
	}
	return n;
}

bool em4100_next(struct em4100_parser *p, struct card_event *out)
{
	assert(p && out);
	return card_queue_pop(&p->q, out);
}

size_t em4100_encode(const char *number, uint8_t *buf, size_t cap)
{
	if (!number || !buf || cap < 14 || strnlen(number, 11) != 10)
		return 0;
	uint8_t x = 0;
	for (int i = 0; i < 10; i++)
		if (hexv((uint8_t)number[i]) < 0)
			return 0;
	static const char hex[] = "0123456789ABCDEF";
	buf[0] = STX;
	for (int i = 0; i < 10; i++) {
		uint8_t c = (uint8_t)number[i];
		buf[1 + i] = (uint8_t)hex[hexv(c)];
	}
	for (int i = 0; i < 5; i++)
		x ^= (uint8_t)(hexv(buf[1 + 2 * i]) << 4 | hexv(buf[2 + 2 * i]));
	buf[11] = (uint8_t)hex[x >> 4];
	buf[12] = (uint8_t)hex[x & 15];
	buf[13] = ETX;
	return 14;
}
