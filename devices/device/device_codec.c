/*
 * device_codec.c — the protocol codec of device threads (device_codec.h):
 * protocol name -> poll/zero/tare/status command bytes, and received bytes
 * -> typed device events.
 *
 * Scales and the EM4100 reader go through the pure parsers of devices/proto/
 * (wufei_proto: scale_parser.h, em4100.h); this file only maps their
 * readings and card events onto struct device_event. The ESC/POS printer's
 * real-time status answers (DLE EOT 1 and 4) are read here: the proto
 * library encodes receipts but has no status reader.
 */
#include "device_codec.h"
#include "em4100.h"
#include "protocol.h"
#include "scale_parser.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODEC_EVENTS 48 /* a 512-byte read holds at most 42 frames */

enum codec_kind { K_SCALE, K_CARD, K_PRINTER };

struct device_codec {
	enum codec_kind kind;
	struct scale_parser scale;
	struct em4100_parser card;
	bool stream;        /* mt-sics in SIR mode: the scale streams, we do not poll */
	int status_pending; /* escpos: answers still expected (2: n=1 then n=4) */
	bool status_online; /* escpos: the n=1 answer */
	enum device_scale_cmd answer_for; /* scale: command awaiting its answer; 0 none */
	int64_t answer_since_ms;          /* when that command went out */
	unsigned noticed;                 /* notices already given (NOTICE_* bits) */
	struct device_event ev[CODEC_EVENTS];
	size_t nev;
};

/* The codec kind of cfg's protocol; false (and err) if unknown, portless or
 * not for cfg's role. */
static bool codec_kind(const struct device_config *cfg, const struct protocol *p,
                       enum codec_kind *kind, char *err, size_t err_len)
{
	if (p && p->role == cfg->role && p->role == DEVICE_ROLE_SCALE)
		*kind = K_SCALE;
	else if (p && p->role == cfg->role && p->id == PROTOCOL_EM4100)
		*kind = K_CARD;
	else if (p && p->role == cfg->role && p->id == PROTOCOL_ESCPOS)
		*kind = K_PRINTER;
	else {
		snprintf(err, err_len, "protocol '%s' unknown or not for this role", cfg->protocol);
		return false;
	}
	return true;
}

int device_codec_create(const struct device_config *cfg, struct device_codec **out, char *err,
                        size_t err_len)
{
	const struct protocol *p = protocol_find(cfg->protocol);
	enum scale_unit unit;
	enum codec_kind kind;
	*out = NULL;
	if (!codec_kind(cfg, p, &kind, err, err_len))
		return WF_EINVAL;
	if (scale_unit_parse(cfg->unit, &unit) != WF_OK || unit == SCALE_UNIT_MG ||
	    unit == SCALE_UNIT_OZ) {
		snprintf(err, err_len, "unit '%s' unknown (kg, g, lb, t)", cfg->unit);
		return WF_EINVAL;
	}
	struct device_codec *c = calloc(1, sizeof(*c));
	if (!c)
		return WF_ENOMEM;
	c->kind = kind;
	if (kind == K_SCALE && scale_parser_init(&c->scale, p->name, unit) != WF_OK) {
		free(c);
		snprintf(err, err_len, "protocol '%s' unknown", cfg->protocol);
		return WF_EINVAL;
	}
	if (kind == K_SCALE && cfg->digits_normal &&
	    scale_parser_digit_order(&c->scale, true) != WF_OK) {
		free(c);
		snprintf(err, err_len, "digit_order is for protocol xk3190-eq only");
		return WF_EINVAL;
	}
	if (kind == K_CARD)
		em4100_init(&c->card, 0);
	c->stream = p->id == PROTOCOL_MTSICS && cfg->poll_interval_ms < 0;
	*out = c;
	return WF_OK;
}

void device_codec_destroy(struct device_codec *c)
{
	free(c);
}

void device_codec_reset(struct device_codec *c)
{
	if (c->kind == K_SCALE)
		scale_parser_reset(&c->scale);
	else if (c->kind == K_CARD)
		em4100_reset(&c->card);
	c->nev = 0;
	c->status_pending = 0;
	c->answer_for = 0;
	/* c->noticed stays: a setting told once is not told again after a replug */
}

bool device_codec_polled(const struct device_codec *c)
{
	return c->kind == K_SCALE && !c->stream && scale_parser_polled(&c->scale);
}

size_t device_codec_open_cmd(struct device_codec *c, uint8_t *buf, size_t cap)
{
	return c->stream ? scale_parser_encode(&c->scale, SCALE_CMD_STREAM, buf, cap) : 0;
}

size_t device_codec_poll_cmd(struct device_codec *c, uint8_t *buf, size_t cap)
{
	return device_codec_polled(c) ? scale_parser_encode(&c->scale, SCALE_CMD_WEIGHT, buf, cap)
	                              : 0;
}

int device_codec_scale_cmd(struct device_codec *c, enum device_scale_cmd cmd, uint8_t *buf,
                           size_t cap)
{
	static const enum scale_cmd map[] = {0, SCALE_CMD_ZERO, SCALE_CMD_TARE,
	                                     SCALE_CMD_CLEAR_TARE};
	if (c->kind != K_SCALE || cmd < DEVICE_SCALE_ZERO || cmd > DEVICE_SCALE_CLEAR_TARE)
		return WF_EINVAL;
	size_t n = scale_parser_encode(&c->scale, map[cmd], buf, cap);
	return n ? (int)n : WF_EINVAL;
}

void device_codec_cmd_sent(struct device_codec *c, enum device_scale_cmd cmd, int64_t now_ms)
{
	static const enum scale_cmd map[] = {0, SCALE_CMD_ZERO, SCALE_CMD_TARE,
	                                     SCALE_CMD_CLEAR_TARE};
	if (c->kind != K_SCALE || cmd < DEVICE_SCALE_ZERO || cmd > DEVICE_SCALE_CLEAR_TARE)
		return;
	c->answer_for = cmd;
	c->answer_since_ms = now_ms;
	scale_parser_command_sent(&c->scale, map[cmd]);
}

size_t device_codec_status_cmd(struct device_codec *c, uint8_t *buf, size_t cap)
{
	/* DLE EOT 1 (printer: online?) then DLE EOT 4 (paper roll sensor); the
	 * answers come back in that order, one byte each. */
	if (c->kind != K_PRINTER || cap < 6)
		return 0;
	memcpy(buf, "\x10\x04\x01\x10\x04\x04", 6);
	c->status_pending = 2;
	c->status_online = true;
	return 6;
}

static void push(struct device_codec *c, const struct device_event *e)
{
	if (c->nev < CODEC_EVENTS)
		c->ev[c->nev++] = *e;
}

enum { NOTICE_CAS10 = 1, NOTICE_CAS18 = 2, NOTICE_UNIT = 4 };

/* A setting we cannot read: say once which setting to change. */
static void scale_notice(struct device_codec *c, const struct scale_reading *r)
{
	struct device_event e = {.kind = DEVICE_EVENT_NOTICE};
	unsigned bit;
	if (!strcmp(r->code, "cas10")) {
		bit = NOTICE_CAS10;
		snprintf(e.reason, sizeof e.reason, "%s",
		         "the CAS indicator sends its 10-byte format (no stable flag): set its "
		         "serial output to the CAS 22-byte format");
	} else if (!strcmp(r->code, "cas18")) {
		bit = NOTICE_CAS18;
		snprintf(e.reason, sizeof e.reason, "%s",
		         "the CAS indicator sends the 18-byte (AND) format: set its serial "
		         "output to the CAS 22-byte format");
	} else {
		bit = NOTICE_UNIT;
		char unit[sizeof r->text];
		size_t i = 0;
		for (; i + 1 < sizeof unit && r->text[i]; i++) /* printable ASCII only */
			unit[i] = r->text[i] > 0x20 && r->text[i] < 0x7f ? r->text[i] : '?';
		unit[i] = '\0';
		snprintf(e.reason, sizeof e.reason,
		         "the balance weighs in '%s', which the kiosk does not convert: set "
		         "its unit 1 to g or kg",
		         unit);
	}
	if (c->noticed & bit)
		return;
	c->noticed |= bit;
	push(c, &e);
}

static void take_scale(struct device_codec *c)
{
	struct scale_reading r;
	while (scale_parser_next(&c->scale, &r)) {
		if (r.kind == SCALE_NOTICE) {
			scale_notice(c, &r);
			continue;
		}
		/* ACK/REFUSED answer a zero/tare command: not a reading */
		if (r.kind == SCALE_ACK || r.kind == SCALE_REFUSED) {
			if (!c->answer_for)
				continue;
			struct device_event a = {.kind = DEVICE_EVENT_SCALE_ANSWER};
			a.u.answer.cmd = c->answer_for;
			a.u.answer.accepted = r.kind == SCALE_ACK;
			snprintf(a.u.answer.code, sizeof a.u.answer.code, "%s", r.code);
			c->answer_for = 0;
			push(c, &a);
			continue;
		}
		if (r.kind != SCALE_WEIGHT && r.kind != SCALE_STATUS)
			continue;
		struct device_event e = {.kind = DEVICE_EVENT_READING};
		e.u.reading.grams = r.kind == SCALE_WEIGHT ? r.grams : 0;
		e.u.reading.stable = r.kind == SCALE_WEIGHT && r.stable;
		/* over or under the range says nothing of motion (CAS "OL", MT-SICS "S +") */
		e.u.reading.motion = r.has_stable_flag && !r.stable && !r.overload && !r.underload;
		e.u.reading.net = r.net;
		e.u.reading.overload = r.overload;
		e.u.reading.underload = r.underload;
		e.u.reading.zero = r.at_zero;
		e.u.reading.status_only = r.kind == SCALE_STATUS;
		e.u.reading.has_stable_flag = r.has_stable_flag;
		push(c, &e);
	}
}

static void take_cards(struct device_codec *c)
{
	struct card_event ce;
	while (em4100_next(&c->card, &ce)) {
		struct device_event e = {.kind = DEVICE_EVENT_CARD};
		snprintf(e.u.card.number, sizeof(e.u.card.number), "%s", ce.number);
		snprintf(e.u.card.id, sizeof(e.u.card.id), "%s", ce.id);
		push(c, &e);
	}
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

void device_codec_feed(struct device_codec *c, const uint8_t *buf, size_t len, int64_t now_ms)
{
	if (c->kind == K_SCALE) {
		if (c->answer_for && now_ms - c->answer_since_ms > DEVICE_ANSWER_MS) {
			/* no answer came: what arrives now answers something else */
			c->answer_for = 0;
			scale_parser_command_sent(&c->scale, 0);
		}
		/* in pieces, so the parser's small queue never overflows */
		for (size_t at = 0; at < len; at += 32) {
			size_t n = len - at < 32 ? len - at : 32;
			scale_parser_feed(&c->scale, buf + at, n);
			take_scale(c);
		}
	} else if (c->kind == K_CARD) {
		for (size_t at = 0; at < len; at += 32) {
			size_t n = len - at < 32 ? len - at : 32;
			em4100_feed(&c->card, buf + at, n, now_ms);
			take_cards(c);
		}
	} else {
		for (size_t i = 0; i < len; i++)
			escpos_byte(c, buf[i]);
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
