/* wedge.c — telling a card reader's burst from a person typing. */
#include "wedge.h"

#include "cardid.h"
#include "hex.h"
#include "wf.h"

#include <stdio.h>
#include <string.h>

bool wedge_init(struct wedge *w, const struct wedge_config *cfg)
{
	memset(w, 0, sizeof *w);
	size_t tl = strnlen(cfg->technology, sizeof cfg->technology);
	if (tl == 0 || tl == sizeof cfg->technology || cfg->digits < 4 ||
	    cfg->digits > WEDGE_DIGITS_MAX || cfg->max_burst_ms < 0)
		return false;
	for (size_t i = 0; i < tl; i++) {
		char c = cfg->technology[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return false;
	}
	w->cfg = *cfg;
	if (!w->cfg.max_burst_ms)
		w->cfg.max_burst_ms = 150;
	return true;
}

/* The value of a typed digit (hex digits only for a hex reader), or -1. */
static int digit_value(const struct wedge *w, int key)
{
	int v = hex_digit(key);
	return v > 9 && !w->cfg.hex ? -1 : v;
}

/* The digits typed as a number (hex or decimal); false if over 64 bits. */
static bool typed_value(const struct wedge *w, uint64_t *out)
{
	uint64_t v = 0, base = w->cfg.hex ? 16 : 10;
	for (unsigned i = 0; i < w->len; i++) {
		uint64_t d = (uint64_t)digit_value(w, w->buf[i]);
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool finish(struct wedge *w, int64_t now_ms, char *id, size_t id_len)
{
	bool ok =
	    !w->spoiled && w->len == w->cfg.digits && now_ms - w->first_ms <= w->cfg.max_burst_ms;
	char number[WEDGE_DIGITS_MAX + 1];
	uint64_t v = 0;
	bool em4100 = !strcmp(w->cfg.technology, "em4100");
	if (ok && (em4100 || !w->cfg.hex))
		ok = typed_value(w, &v);
	if (ok && em4100) {
		/* The number printed on the card, whatever the reader types: 10
		 * decimal digits, 8 hex digits, or the 10 hex of the 40 bits. */
		ok = (w->cfg.hex || v <= UINT32_MAX) && cardid_em4100(v, id, id_len) == WF_OK;
	} else if (ok && w->cfg.hex) {
		for (unsigned i = 0; i < w->len; i++) {
			char c = w->buf[i];
			number[i] = (c >= 'a' && c <= 'f') ? (char)(c - 32) : c;
		}
		number[w->len] = '\0';
	} else if (ok) {
		snprintf(number, sizeof number, "%08llX", (unsigned long long)v);
	}
	w->len = 0;
	w->spoiled = false;
	if (!ok || em4100)
		return ok;
	int n = snprintf(id, id_len, "%s:%s", w->cfg.technology, number);
	return n > 0 && (size_t)n < id_len;
}

bool wedge_key(struct wedge *w, int key, int64_t now_ms, char *id, size_t id_len)
{
	if (key == '\n' || key == '\r')
		return w->len ? finish(w, now_ms, id, id_len) : false;
	if (w->len == 0 || now_ms - w->first_ms > w->cfg.max_burst_ms) {
		/* A new burst starts with this key (a slow one spoils the old). */
		w->len = 0;
		w->spoiled = false;
		w->first_ms = now_ms;
	}
	if (digit_value(w, key) < 0 || w->len >= w->cfg.digits) {
		w->spoiled = true;
		return false;
	}
	w->buf[w->len++] = (char)key;
	return false;
}
