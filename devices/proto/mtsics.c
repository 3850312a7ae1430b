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

/* "12:07.50" in "lb:oz" (a shipping scale set to US units: pounds, then
 * ounces with decimals) to grams, rounded once: the whole value is taken in
 * ounces. At most 6 digits of pounds, 2 + 4 of ounces. */
static bool lboz_grams(const char *s, size_t len, int64_t *g)
{
	size_t i = 0;
	bool neg = false;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	int64_t lb = 0, oz = 0;
	int nlb = 0, noz = 0, dec = -1;
	for (; i < len && s[i] >= '0' && s[i] <= '9' && nlb < 7; i++, nlb++)
		lb = lb * 10 + (s[i] - '0');
	if (nlb == 0 || nlb > 6 || i == len || s[i++] != ':')
		return false;
	for (; i < len && noz < 7; i++) {
		if (s[i] == '.' && dec < 0) {
			dec = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return false;
		oz = oz * 10 + (s[i] - '0');
		noz++;
		if (dec >= 0)
			dec++;
	}
	if (i != len || noz == 0 || dec > 4 || noz - (dec < 0 ? 0 : dec) > 2)
		return false;
	int64_t scale = 1;
	for (int k = 0; k < (dec < 0 ? 0 : dec); k++)
		scale *= 10;
	int64_t total = lb * 16 * scale + oz;
	return scale_grams_from_scaled(neg ? -total : total, dec < 0 ? 0 : dec, SCALE_UNIT_OZ, g) ==
	       WF_OK;
}

enum value_rc { VALUE_OK, VALUE_BAD, VALUE_UNIT };

static bool letters(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return n > 0;
}

/* Fields i (value) and i+1 (unit, optional) to grams; the line must end
 * there. VALUE_UNIT: a unit we do not convert (named in *unit_text). */
static enum value_rc value_at(const struct mtsics_parser *p, const struct fields *fl, int i,
                              int64_t *g, char *unit_text, size_t unit_cap)
{
	enum scale_unit u = p->unit;
	if (fl->n == i + 2) {
		char un[8] = {0};
		size_t ul = fl->len[i + 1];
		if (ul == 5 && !memcmp(fl->f[i + 1], "lb:oz", 5))
			return lboz_grams(fl->f[i], fl->len[i], g) ? VALUE_OK : VALUE_BAD;
		if (ul < sizeof un)
			memcpy(un, fl->f[i + 1], ul);
		if (ul >= sizeof un || scale_unit_parse(un, &u) != WF_OK || u == SCALE_UNIT_T) {
			/* a unit the balance may well be set to (ozt, ct, dwt, GN,
			 * tlT ...: 1 to 4 letters): say which, once */
			int64_t ignored;
			if (ul > 4 || !letters(fl->f[i + 1], ul) ||
			    scale_grams_from_decimal(fl->f[i], fl->len[i], SCALE_UNIT_G,
			                             &ignored) != WF_OK)
				return VALUE_BAD;
			size_t k = ul < unit_cap ? ul : unit_cap - 1;
			memcpy(unit_text, fl->f[i + 1], k);
			unit_text[k] = '\0';
			return VALUE_UNIT;
		}
	} else if (fl->n != i + 1) {
		return VALUE_BAD;
	}
	return scale_grams_from_decimal(fl->f[i], fl->len[i], u, g) == WF_OK ? VALUE_OK : VALUE_BAD;
}

/* A weight with a unit we do not convert: a notice instead of a reading. */
static bool unit_notice(struct scale_reading *r, const char *unit_text)
{
	memset(r, 0, sizeof *r);
	r->kind = SCALE_NOTICE;
	memcpy(r->code, "unit", 5);
	snprintf(r->text, sizeof r->text, "%s", unit_text);
	return true;
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
		char unit[8];
		enum value_rc v = value_at(p, fl, 2, &r->grams, unit, sizeof unit);
		if (v == VALUE_UNIT)
			return unit_notice(r, unit);
		if (v != VALUE_OK)
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
		char unit[8];
		enum value_rc v = value_at(p, fl, 2, &r->grams, unit, sizeof unit);
		if (v == VALUE_BAD)
			return false;
		if (v == VALUE_UNIT)
			r->grams =
			    0; /* the command was done; the tare is in a unit we do not read */
		if (!tare)
			r->grams = 0;
		r->kind = SCALE_ACK;
		return true;
	}
	if (fl->n == 2 && is(fl, 0, "ZI") && (is(fl, 1, "S") || is(fl, 1, "D"))) {
		r->kind = SCALE_ACK; /* zeroed, under stable or dynamic conditions */
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
