/*
 * cas_ci200.c — CAS 22-byte stream frames, recognised by their fixed layout
 * in a sliding window that ends at CR LF. The relay byte (in the place of
 * the blank) may be CR or LF, so searching for line ends alone would cut
 * frames apart. The 18- and 10-byte formats are recognised only to say so.
 */
#include "cas_ci200.h"

#include <assert.h>
#include <string.h>

/* Offsets in the 22-byte frame. */
#define AT_ID     6
#define AT_LAMP   7
#define AT_WEIGHT 9
#define AT_UNIT   18

#define LAMP_ZERO   0x01
#define LAMP_ALWAYS 0x80

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

/* "ST,GS," and the other headers: stability, then gross or net. */
static bool head_ok(const uint8_t *f)
{
	return (!memcmp(f, "ST,", 3) || !memcmp(f, "US,", 3) || !memcmp(f, "OL,", 3)) &&
	       (!memcmp(f + 3, "GS,", 3) || !memcmp(f + 3, "NT,", 3));
}

static bool unit_of(const uint8_t *u, enum scale_unit *out)
{
	char a = (char)(u[0] >= 'A' && u[0] <= 'Z' ? u[0] + 32 : u[0]);
	char b = (char)(u[1] >= 'A' && u[1] <= 'Z' ? u[1] + 32 : u[1]);
	if (a == 'k' && b == 'g')
		*out = SCALE_UNIT_KG;
	else if (a == 'l' && b == 'b')
		*out = SCALE_UNIT_LB;
	else if ((a == 't' && b == ' ') || (a == ' ' && b == 't'))
		*out = SCALE_UNIT_T;
	else if ((a == 'g' && b == ' ') || (a == ' ' && b == 'g'))
		*out = SCALE_UNIT_G;
	else
		return false;
	return true;
}

static bool crlf_at(const uint8_t *f, size_t n)
{
	return f[n - 2] == '\r' && f[n - 1] == '\n';
}

/* f: a candidate 22-byte frame, CR LF included. */
static bool frame22(struct cas_ci200_parser *p, const uint8_t *f)
{
	if (!head_ok(f) || f[AT_LAMP + 1] != ',' || !crlf_at(f, CAS_CI200_FRAME))
		return false;
	enum scale_unit u;
	if (!unit_of(f + AT_UNIT, &u))
		return false;
	struct scale_reading r = {.kind = SCALE_WEIGHT};
	r.has_stable_flag = r.has_net_flag = true;
	r.net = !memcmp(f + 3, "NT", 2);
	/* Every manual sets bit 7 of the lamp byte; without it the byte is not
	 * a lamp byte we can read, so the zero lamp is not reported. */
	r.has_zero_flag = f[AT_LAMP] & LAMP_ALWAYS;
	r.at_zero = r.has_zero_flag && (f[AT_LAMP] & LAMP_ZERO);
	if (!memcmp(f, "OL", 2)) {
		r.kind = SCALE_STATUS; /* the weight field says nothing then */
		r.overload = true;
	} else {
		if (scale_grams_from_decimal((const char *)f + AT_WEIGHT, 8, u, &r.grams) != WF_OK)
			return false;
		r.stable = !memcmp(f, "ST", 2);
	}
	scale_queue_push(&p->q, &r);
	return true;
}

static bool notice(struct cas_ci200_parser *p, const char *code)
{
	struct scale_reading r = {.kind = SCALE_NOTICE};
	memcpy(r.code, code, strlen(code) + 1);
	scale_queue_push(&p->q, &r);
	return true;
}

/* The AND/MIGUN 18-byte format: "ST,GS," <8 weight> <unit 2> CR LF. */
static bool frame18(struct cas_ci200_parser *p, const uint8_t *f)
{
	enum scale_unit u;
	int64_t g;
	if (!head_ok(f) || !crlf_at(f, CAS_CI200_FRAME18) || !unit_of(f + 14, &u))
		return false;
	if (memcmp(f, "OL", 2) && scale_grams_from_decimal((const char *)f + 6, 8, u, &g) != WF_OK)
		return false;
	return notice(p, "cas18");
}

/* The 10-byte format: <8 weight> CR LF. */
static bool frame10(struct cas_ci200_parser *p, const uint8_t *f)
{
	int64_t g;
	if (!crlf_at(f, CAS_CI200_FRAME10) ||
	    scale_grams_from_decimal((const char *)f, 8, SCALE_UNIT_KG, &g) != WF_OK)
		return false;
	return notice(p, "cas10");
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
		if (buf[i] != '\n' || p->len < CAS_CI200_FRAME10)
			continue;
		const uint8_t *end = p->win + p->len;
		bool ok = p->len == CAS_CI200_FRAME && frame22(p, p->win);
		if (!ok && p->len >= CAS_CI200_FRAME18)
			ok = frame18(p, end - CAS_CI200_FRAME18);
		if (!ok)
			ok = frame10(p, end - CAS_CI200_FRAME10);
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
