/*
 * device_proto.c — the protocol adapter of device threads (device.h,
 * "internal"): protocol name -> poll/zero/tare/status command bytes, and
 * received bytes -> typed device events.
 *
 * Interim: this file carries small parsers of its own so the device threads
 * work before the shared pure parsers (devices/proto/, library wufei_proto)
 * are in. They follow PROTOCOL-NOTES.md; they never block, never allocate
 * per byte, keep a fixed buffer and skip garbage.
 */
#include "device.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODEC_BUF    64
#define CODEC_EVENTS 48  /* a 512-byte read holds at most 42 frames */
#define CARD_GAP_MS  500 /* a card's frames closer than this are the same tap */

enum codec_proto { P_MT8217, P_MTSICS, P_CAS, P_XK3190, P_EM4100, P_ESCPOS };
enum codec_unit { U_KG, U_G, U_LB };

struct device_codec {
	enum codec_proto proto;
	enum codec_unit unit;
	bool stream;        /* mt-sics in SIR mode: the scale streams, we do not poll */
	int status_pending; /* escpos: answers still expected (2: n=1 then n=4) */
	bool status_online; /* escpos: the n=1 answer */
	uint8_t buf[CODEC_BUF];
	size_t len;
	bool in_frame;
	struct device_event ev[CODEC_EVENTS];
	size_t nev;
	/* em4100: the tap in progress */
	char last_card[DEVICE_CARD_MAX];
	int64_t last_card_ms;
};

static const struct {
	const char *name;
	enum codec_proto proto;
	enum device_role role;
} g_codecs[] = {
    {"mt8217", P_MT8217, DEVICE_ROLE_SCALE}, {"mt-sics", P_MTSICS, DEVICE_ROLE_SCALE},
    {"cas-ci200", P_CAS, DEVICE_ROLE_SCALE}, {"xk3190-a9", P_XK3190, DEVICE_ROLE_SCALE},
    {"em4100", P_EM4100, DEVICE_ROLE_CARD},  {"escpos", P_ESCPOS, DEVICE_ROLE_PRINTER},
};

int device_codec_create(const struct device_config *cfg, struct device_codec **out, char *err,
                        size_t err_len)
{
	*out = NULL;
	int pi = -1;
	for (size_t i = 0; i < sizeof(g_codecs) / sizeof(g_codecs[0]); i++)
		if (!strcmp(cfg->protocol, g_codecs[i].name))
			pi = (int)i;
	if (pi < 0 || g_codecs[pi].role != cfg->role) {
		snprintf(err, err_len, "protocol '%s' unknown or not for this role", cfg->protocol);
		return WF_EINVAL;
	}
	enum codec_unit u = U_KG;
	if (!strcmp(cfg->unit, "g"))
		u = U_G;
	else if (!strcmp(cfg->unit, "lb"))
		u = U_LB;
	else if (cfg->unit[0] && strcmp(cfg->unit, "kg")) {
		snprintf(err, err_len, "unit '%s' unknown (kg, g, lb)", cfg->unit);
		return WF_EINVAL;
	}
	struct device_codec *c = calloc(1, sizeof(*c));
	if (!c)
		return WF_ENOMEM;
	c->proto = g_codecs[pi].proto;
	c->unit = u;
	c->stream = c->proto == P_MTSICS && cfg->poll_interval_ms < 0;
	*out = c;
	return WF_OK;
}

void device_codec_destroy(struct device_codec *c)
{
	free(c);
}

void device_codec_reset(struct device_codec *c)
{
	c->len = 0;
	c->in_frame = false;
	c->nev = 0;
	c->status_pending = 0;
}

bool device_codec_polled(const struct device_codec *c)
{
	return c->proto == P_MT8217 || (c->proto == P_MTSICS && !c->stream);
}

static size_t put(uint8_t *buf, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n > cap)
		return 0;
	memcpy(buf, s, n);
	return n;
}

size_t device_codec_open_cmd(struct device_codec *c, uint8_t *buf, size_t cap)
{
	return c->stream ? put(buf, cap, "SIR\r\n") : 0;
}

size_t device_codec_poll_cmd(struct device_codec *c, uint8_t *buf, size_t cap)
{
	if (c->proto == P_MT8217)
		return put(buf, cap, "W");
	if (c->proto == P_MTSICS)
		return put(buf, cap, "SI\r\n");
	return 0;
}

int device_codec_scale_cmd(struct device_codec *c, enum device_scale_cmd cmd, uint8_t *buf,
                           size_t cap)
{
	static const char *mt8217[] = {NULL, "Z", "T", "C"};
	static const char *sics[] = {NULL, "Z\r\n", "T\r\n", "TAC\r\n"};
	if (cmd < DEVICE_SCALE_ZERO || cmd > DEVICE_SCALE_CLEAR_TARE)
		return WF_EINVAL;
	if (c->proto == P_MT8217)
		return (int)put(buf, cap, mt8217[cmd]);
	if (c->proto == P_MTSICS)
		return (int)put(buf, cap, sics[cmd]);
	return WF_EINVAL;
}

size_t device_codec_status_cmd(struct device_codec *c, uint8_t *buf, size_t cap)
{
	/* DLE EOT 1 (printer: online?) then DLE EOT 4 (paper roll sensor); the
	 * answers come back in that order, one byte each. */
	if (c->proto != P_ESCPOS || cap < 6)
		return 0;
	memcpy(buf, "\x10\x04\x01\x10\x04\x04", 6);
	c->status_pending = 2;
	c->status_online = true;
	return 6;
}

/* ---- helpers ------------------------------------------------------------ */

static void push(struct device_codec *c, const struct device_event *e)
{
	if (c->nev < CODEC_EVENTS)
		c->ev[c->nev++] = *e;
}

/* "  -1.250" -> grams in the codec's unit; false if not a number. Integer
 * arithmetic, rounding half away from zero; 1 lb = 453.59237 g. At most 9
 * digits, so mantissa x 45359237 stays far inside int64. */
static bool value_to_grams(const char *s, size_t n, enum codec_unit u, int64_t *out)
{
	int64_t mant = 0;
	int dec = -1, digits = 0;
	bool neg = false;
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	while (i < n && s[i] == ' ')
		i++;
	for (; i < n && s[i] != ' '; i++) {
		if (s[i] == '.' && dec < 0) {
			dec = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || digits >= 9)
			return false;
		mant = mant * 10 + (s[i] - '0');
		digits++;
		if (dec >= 0)
			dec++;
	}
	if (!digits)
		return false;
	int64_t div = 1;
	for (int k = 0; k < (dec < 0 ? 0 : dec); k++)
		div *= 10;
	int64_t num = u == U_G ? mant : u == U_KG ? mant * 1000 : mant * 45359237;
	if (u == U_LB)
		div *= 100000;
	int64_t g = (num + div / 2) / div;
	*out = neg ? -g : g;
	return true;
}

static void reading(struct device_codec *c, int64_t g, bool stable, bool net)
{
	struct device_event e = {.kind = DEVICE_EVENT_READING};
	e.u.reading.grams = g;
	e.u.reading.stable = stable;
	e.u.reading.net = net;
	e.u.reading.zero = g == 0;
	push(c, &e);
}

static int hexv(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* ---- frames -------------------------------------------------------------- */

static void mt8217_frame(struct device_codec *c, const uint8_t *f, size_t n)
{
	if (n >= 2 && (f[0] & 0x7f) == '?') {
		unsigned st = f[1] & 0x7f;
		struct device_event e = {.kind = DEVICE_EVENT_READING};
		e.u.reading.status_only = true;
		e.u.reading.overload = st & 0x02;
		e.u.reading.underload = st & 0x04;
		e.u.reading.net = st & 0x20;
		if (st & 0x40)
			return; /* bad command: an answer to Z/T, not a reading */
		push(c, &e);
		return;
	}
	bool net = n && f[n - 1] == 'N';
	int64_t g;
	if (value_to_grams((const char *)f, net ? n - 1 : n, c->unit, &g))
		reading(c, g, true, net);
}

static void sics_line(struct device_codec *c, const uint8_t *f, size_t n)
{
	char s[CODEC_BUF + 1];
	memcpy(s, f, n);
	s[n] = '\0';
	if (n >= 4 && s[0] == 'S' && s[1] == ' ' && (s[2] == 'S' || s[2] == 'D') && s[3] == ' ') {
		/* "S S <value> <unit>": the unit on the line decides */
		char *v = s + 4;
		while (*v == ' ')
			v++;
		char *sp = strchr(v, ' ');
		enum codec_unit u = c->unit;
		if (sp) {
			const char *un = sp + 1;
			while (*un == ' ')
				un++;
			u = !strcmp(un, "g") ? U_G : !strcmp(un, "lb") ? U_LB : U_KG;
		}
		int64_t g;
		if (value_to_grams(v, sp ? (size_t)(sp - v) : strlen(v), u, &g))
			reading(c, g, s[2] == 'S', false);
	} else if (!strcmp(s, "S +") || !strcmp(s, "S -")) {
		struct device_event e = {.kind = DEVICE_EVENT_READING};
		e.u.reading.status_only = true;
		e.u.reading.overload = s[2] == '+';
		e.u.reading.underload = s[2] == '-';
		push(c, &e);
	} else if (!strcmp(s, "S I")) {
		struct device_event e = {.kind = DEVICE_EVENT_READING};
		e.u.reading.status_only = true;
		push(c, &e); /* busy: not stable, no weight */
	}
}

static bool cas_head(const uint8_t *f)
{
	return (!memcmp(f, "ST,", 3) || !memcmp(f, "US,", 3) || !memcmp(f, "OL,", 3)) &&
	       (!memcmp(f + 3, "GS,", 3) || !memcmp(f + 3, "NT,", 3));
}

static void cas_frame(struct device_codec *c, const uint8_t *f, size_t n)
{
	/* ST,GS,id,wwwwwwwwLuu (CR LF stripped): 20 bytes, or 19 when the id is one
	 * raw byte. The frame has a fixed length, so garbage glued to its front
	 * is cut off by taking the tail. */
	if (n >= 20 && cas_head(f + n - 20))
		f += n - 20, n = 20;
	else if (n >= 19 && cas_head(f + n - 19))
		f += n - 19, n = 19;
	else
		return;
	size_t w = f[8] == ',' ? 9 : f[7] == ',' ? 8 : 0;
	if (!w || n < w + 11)
		return;
	uint8_t lamp = f[w + 8];
	const char *un = (const char *)f + w + 9;
	enum codec_unit u = !memcmp(un, "kg", 2) ? U_KG : !memcmp(un, "lb", 2) ? U_LB : U_G;
	struct device_event e = {.kind = DEVICE_EVENT_READING};
	if (!memcmp(f, "OL", 2)) {
		e.u.reading.overload = true;
		e.u.reading.status_only = true;
		push(c, &e);
		return;
	}
	int64_t g;
	if (!value_to_grams((const char *)f + w, 8, u, &g))
		return;
	reading(c, g, !memcmp(f, "ST", 2) && (lamp & 0x40), !memcmp(f + 3, "NT", 2));
}

static void xk_frame(struct device_codec *c, const uint8_t *f, size_t n)
{
	/* sign, 6 digits, decimals, xor hi, xor lo (STX/ETX stripped) */
	if (n != 10)
		return;
	uint8_t x = 0;
	for (int i = 0; i < 8; i++)
		x ^= f[i];
	int hi = hexv(f[8]), lo = hexv(f[9]);
	if (hi < 0 || lo < 0 || (unsigned)(hi << 4 | lo) != x || f[7] < '0' || f[7] > '5')
		return;
	char v[12];
	int dec = f[7] - '0', k = 0;
	v[k++] = (char)f[0];
	for (int i = 0; i < 6; i++) {
		if (dec && i == 6 - dec)
			v[k++] = '.';
		v[k++] = (char)f[1 + i];
	}
	int64_t g;
	/* The frame carries no stability flag: the session decides by repetition. */
	if (value_to_grams(v, (size_t)k, c->unit, &g))
		reading(c, g, true, false);
}

static void em4100_frame(struct device_codec *c, const uint8_t *f, size_t n, int64_t now)
{
	if (n != 12)
		return;
	uint8_t x = 0;
	for (int i = 0; i < 12; i++)
		if (hexv(f[i]) < 0)
			return;
	for (int i = 0; i < 5; i++)
		x ^= (uint8_t)(hexv(f[2 * i]) << 4 | hexv(f[2 * i + 1]));
	if ((unsigned)(hexv(f[10]) << 4 | hexv(f[11])) != x)
		return;
	char num[11];
	for (int i = 0; i < 10; i++)
		num[i] = (char)(f[i] >= 'a' ? f[i] - 32 : f[i]);
	num[10] = '\0';
	bool same_tap = !strcmp(num, c->last_card) && now - c->last_card_ms < CARD_GAP_MS;
	c->last_card_ms = now;
	memcpy(c->last_card, num, sizeof(num));
	if (same_tap)
		return;
	struct device_event e = {.kind = DEVICE_EVENT_CARD};
	memcpy(e.u.card.number, num, sizeof(num));
	snprintf(e.u.card.id, sizeof(e.u.card.id), "em4100:%s", num);
	push(c, &e);
}

static void escpos_byte(struct device_codec *c, uint8_t b)
{
	/* Real-time status answers look like 0b0xx1xx10; anything else (ASB,
	 * garbage, an unasked answer) is ignored. */
	if ((b & 0x93) != 0x12 || c->status_pending == 0)
		return;
	if (c->status_pending == 2) {
		c->status_online = !(b & 0x08); /* n=1: bit 3 = offline */
		c->status_pending = 1;
		return;
	}
	c->status_pending = 0;
	struct device_event e = {.kind = DEVICE_EVENT_PRINTER_STATUS};
	e.u.printer.known = true;
	e.u.printer.paper_out = (b & 0x60) == 0x60; /* n=4: bits 5,6 paper end */
	e.u.printer.paper_low = (b & 0x0c) == 0x0c; /* bits 2,3 near end */
	e.u.printer.online = c->status_online && !e.u.printer.paper_out;
	push(c, &e);
}

/* ---- framing -------------------------------------------------------------- */

/* Frames that start with a marker byte and end with an end byte. */
static void feed_marked(struct device_codec *c, uint8_t b, uint8_t start, uint8_t end, int64_t now)
{
	/* mt8217 "STX ? s CR": the status byte s is raw bits and may equal STX
	 * (over capacity) or CR (motion + under zero + outside zero range); it
	 * is data whatever its value. */
	if (c->proto == P_MT8217 && c->in_frame && c->len == 1 && c->buf[0] == '?') {
		c->buf[c->len++] = b;
		return;
	}
	if (b == start) {
		c->in_frame = true; /* resynchronise on every start byte */
		c->len = 0;
		return;
	}
	if (!c->in_frame)
		return;
	if (b == end) {
		c->in_frame = false;
		if (c->proto == P_MT8217)
			mt8217_frame(c, c->buf, c->len);
		else if (c->proto == P_XK3190)
			xk_frame(c, c->buf, c->len);
		else
			em4100_frame(c, c->buf, c->len, now);
		c->len = 0;
		return;
	}
	if (c->len == sizeof(c->buf))
		c->in_frame = false; /* babble: drop and wait for the next start */
	else
		c->buf[c->len++] = b;
}

/* Lines ending in LF (CR dropped). */
static void feed_line(struct device_codec *c, uint8_t b)
{
	if (b == '\n') {
		if (c->len && c->buf[c->len - 1] == '\r')
			c->len--;
		if (c->proto == P_MTSICS)
			sics_line(c, c->buf, c->len);
		else
			cas_frame(c, c->buf, c->len);
		c->len = 0;
		return;
	}
	if (c->len == sizeof(c->buf))
		c->len = 0;
	c->buf[c->len++] = b;
}

void device_codec_feed(struct device_codec *c, const uint8_t *buf, size_t len, int64_t now_ms)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];
		switch (c->proto) {
		case P_MT8217: feed_marked(c, b & 0x7f, 0x02, 0x0d, now_ms); break;
		case P_XK3190: feed_marked(c, b, 0x02, 0x03, now_ms); break;
		case P_EM4100: feed_marked(c, b, 0x02, 0x03, now_ms); break;
		case P_MTSICS:
		case P_CAS: feed_line(c, b); break;
		case P_ESCPOS: escpos_byte(c, b); break;
		}
	}
}

bool device_codec_next(struct device_codec *c, struct device_event *out)
{
	if (!c->nev)
		return false;
	*out = c->ev[0];
	memmove(c->ev, c->ev + 1, (c->nev - 1) * sizeof(c->ev[0]));
	c->nev--;
	return true;
}
