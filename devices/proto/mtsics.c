/*
 * mtsics.c — MT-SICS reply lines split into space-separated fields. Field
 * widths differ between balances, so nothing here counts columns.
 */
#include "mtsics.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define FIELDS_MAX 5

void mtsics_init(struct mtsics_parser *p, enum scale_unit unit)
{
	assert(p);
	memset(p, 0, sizeof *p);
	p->unit = unit;
}

void mtsics_reset(struct mtsics_parser *p)
{
	p->len = 0;
	p->overflow = false;
	scale_queue_clear(&p->q);
}

struct fields {
	int n;
	const char *f[FIELDS_MAX];
	size_t len[FIELDS_MAX];
};

static bool is(const struct fields *fl, int i, const char *s)
{
	return i < fl->n && fl->len[i] == strlen(s) && !memcmp(fl->f[i], s, fl->len[i]);
}

static bool split(const char *s, size_t len, struct fields *fl)
{
	fl->n = 0;
	size_t i = 0;
	while (i < len) {
		while (i < len && s[i] == ' ')
			i++;
		if (i == len)
			break;
		if (fl->n == FIELDS_MAX)
			return false;
		size_t start = i;
		while (i < len && s[i] != ' ')
			i++;
		fl->f[fl->n] = s + start;
		fl->len[fl->n] = i - start;
		fl->n++;
	}
	return fl->n > 0;
}

/* Fields i (value) and i+1 (unit, optional) to grams; the line must end there. */
static bool value_at(const struct mtsics_parser *p, const struct fields *fl, int i, int64_t *g)
{
	enum scale_unit u = p->unit;
	if (fl->n == i + 2) {
		char un[4] = {0};
		if (fl->len[i + 1] >= sizeof un)
			return false;
		memcpy(un, fl->f[i + 1], fl->len[i + 1]);
		if (scale_unit_parse(un, &u) != 0)
			return false;
	} else if (fl->n != i + 1) {
		return false;
	}
	return scale_grams_from_decimal(fl->f[i], fl->len[i], u, g) == 0;
}

static void set_code(struct scale_reading *r, const struct fields *fl)
{
	/* command and status joined: "Z" "I" -> "ZI"; truncated to fit */
	snprintf(r->code, sizeof r->code, "%.*s%.*s", (int)(fl->len[0] > 4 ? 4 : fl->len[0]),
	         fl->f[0], fl->n > 1 ? (int)(fl->len[1] > 2 ? 2 : fl->len[1]) : 0,
	         fl->n > 1 ? fl->f[1] : "");
}

/* "S S|D v u", "S I", "S +", "S -" */
static bool weight_reply(const struct mtsics_parser *p, const struct fields *fl,
                         struct scale_reading *r)
{
	r->has_stable_flag = true;
	if (fl->n >= 3 && (is(fl, 1, "S") || is(fl, 1, "D"))) {
		if (!value_at(p, fl, 2, &r->grams))
			return false;
		r->kind = SCALE_WEIGHT;
		r->stable = is(fl, 1, "S");
		return true;
	}
	if (fl->n != 2)
		return false;
	r->kind = SCALE_STATUS;
	if (is(fl, 1, "I"))
		return true; /* busy, or no stable weight in time */
	if (is(fl, 1, "+") || is(fl, 1, "-")) {
		r->overload = is(fl, 1, "+");
		r->underload = !r->overload;
		return true;
	}
	if (!is(fl, 1, "L"))
		return false;
	r->kind = SCALE_REFUSED; /* "S L": not executable now */
	set_code(r, fl);
	return true;
}

/* Answers to Z, ZI, T, TI, TA, TAC, @. */
static bool command_reply(const struct mtsics_parser *p, const struct fields *fl,
                          struct scale_reading *r)
{
	if (fl->n < 2)
		return false;
	set_code(r, fl);
	bool tare = is(fl, 0, "T") || is(fl, 0, "TI") || is(fl, 0, "TA");
	if ((is(fl, 1, "A") && fl->n == 2) || (is(fl, 0, "I4") && is(fl, 1, "A"))) {
		r->kind = SCALE_ACK;
		return true;
	}
	if (fl->n >= 3 && (is(fl, 1, "S") || is(fl, 1, "D") || (is(fl, 1, "A") && tare))) {
		/* "T S 0.250 kg": tare taken; "ZI D 0.000 kg": zeroed immediately */
		if (!value_at(p, fl, 2, &r->grams))
			return false;
		if (!tare)
			r->grams = 0;
		r->kind = SCALE_ACK;
		return true;
	}
	if (fl->n == 2 && (is(fl, 1, "I") || is(fl, 1, "+") || is(fl, 1, "-") || is(fl, 1, "L"))) {
		r->kind = SCALE_REFUSED;
		return true;
	}
	return false;
}

static bool line(struct mtsics_parser *p)
{
	size_t len = p->len;
	if (len && p->buf[len - 1] == '\r')
		len--;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p->buf[i] < 0x20 || (unsigned char)p->buf[i] > 0x7e)
			return false; /* garbage on the line: drop it whole */
	struct fields fl;
	if (!split(p->buf, len, &fl))
		return false;
	struct scale_reading r;
	memset(&r, 0, sizeof r);
	bool ok = false;
	if (fl.n == 1 && (is(&fl, 0, "ES") || is(&fl, 0, "ET") || is(&fl, 0, "EL"))) {
		r.kind = SCALE_REFUSED;
		set_code(&r, &fl);
		ok = true;
	} else if (is(&fl, 0, "S") || is(&fl, 0, "SI") || is(&fl, 0, "SIR")) {
		ok = weight_reply(p, &fl, &r);
	} else if (is(&fl, 0, "Z") || is(&fl, 0, "ZI") || is(&fl, 0, "T") || is(&fl, 0, "TI") ||
	           is(&fl, 0, "TA") || is(&fl, 0, "TAC") || is(&fl, 0, "I4")) {
		ok = command_reply(p, &fl, &r);
	}
	if (ok)
		scale_queue_push(&p->q, &r);
	return ok;
}

int mtsics_feed(struct mtsics_parser *p, const uint8_t *buf, size_t len)
{
	assert(p && (buf || !len));
	int n = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];
		if (b == '\n') {
			if (!p->overflow)
				n += line(p);
			p->len = 0;
			p->overflow = false;
		} else if (p->overflow) {
			continue;
		} else if (p->len == sizeof p->buf) {
			p->overflow = true; /* too long for a reply: drop up to its LF */
		} else {
			p->buf[p->len++] = (char)b;
		}
	}
	return n;
}

bool mtsics_next(struct mtsics_parser *p, struct scale_reading *out)
{
	assert(p && out);
	return scale_queue_pop(&p->q, out);
}

size_t mtsics_encode(enum scale_cmd cmd, uint8_t *buf, size_t cap)
{
	const char *s;
	switch (cmd) {
	case SCALE_CMD_WEIGHT: s = "SI\r\n"; break;
	case SCALE_CMD_STABLE: s = "S\r\n"; break;
	case SCALE_CMD_STREAM: s = "SIR\r\n"; break;
	case SCALE_CMD_ZERO: s = "Z\r\n"; break;
	case SCALE_CMD_TARE: s = "T\r\n"; break;
	case SCALE_CMD_CLEAR_TARE: s = "TAC\r\n"; break;
	case SCALE_CMD_RESET: s = "@\r\n"; break;
	default: return 0;
	}
	size_t n = strlen(s);
	if (!buf || cap < n)
		return 0;
	memcpy(buf, s, n);
	return n;
}
