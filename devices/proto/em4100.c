/*
 * em4100.c — RDM6300 frames to one card event per tap.
 */
#include "em4100.h"

#include "cardid.h"
#include "hex.h"
#include "stx_frame.h"

#include <assert.h>
#include <ctype.h>
#include <string.h>

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

/* The 5 bytes of the number and the check byte of a frame's 12 characters;
 * false when a character is not hex or the check does not match. */
static bool frame_bytes(const uint8_t *chars, uint8_t bytes[6])
{
	if (hex_decode((const char *)chars, EM4100_BODY, bytes, 6) != WF_OK)
		return false;
	uint8_t x = 0;
	for (int i = 0; i < 5; i++)
		x ^= bytes[i];
	return x == bytes[5];
}

static bool frame(struct em4100_parser *p, int64_t now_ms)
{
	uint8_t b[6];
	if (!frame_bytes(p->buf, b))
		return false;
	char num[11];
	for (int i = 0; i < 10; i++)
		num[i] = (char)toupper(p->buf[i]);
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
	for (int i = 0; i < 5; i++)
		v = v << 8 | b[i];
	/* the number printed on the card: the low 32 bits, 10 decimal digits */
	if (cardid_em4100(v, ev.id, sizeof ev.id) != WF_OK)
		return false;
	ev.at_ms = now_ms;
	card_queue_push(&p->q, &ev);
	return true;
}

static bool is_hex(uint8_t b)
{
	return hex_digit(b) >= 0;
}

int em4100_feed(struct em4100_parser *p, const uint8_t *buf, size_t len, int64_t now_ms)
{
	assert(p && (buf || !len));
	int n = 0;
	for (size_t i = 0; i < len; i++)
		if (stx_frame_byte(&p->in_frame, &p->len, p->buf, EM4100_BODY, is_hex, buf[i]))
			n += frame(p, now_ms);
	return n;
}

bool em4100_next(struct em4100_parser *p, struct card_event *out)
{
	assert(p && out);
	return card_queue_pop(&p->q, out);
}

size_t em4100_encode(const char *number, uint8_t *buf, size_t cap)
{
	uint8_t b[6];
	char chars[2 * sizeof b + 1];
	if (!number || !buf || cap < EM4100_FRAME || strnlen(number, 11) != 10 ||
	    hex_decode(number, 10, b, 5) != WF_OK)
		return 0;
	b[5] = b[0] ^ b[1] ^ b[2] ^ b[3] ^ b[4];
	if (hex_encode(b, sizeof b, chars, sizeof chars) != WF_OK)
		return 0;
	buf[0] = STX;
	for (int i = 0; i < EM4100_BODY; i++) /* readers send upper case */
		buf[1 + i] = (uint8_t)toupper((unsigned char)chars[i]);
	buf[13] = ETX;
	return EM4100_FRAME;
}
