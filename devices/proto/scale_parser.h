/*
 * scale_parser.h — one front for every scale protocol, picked by its
 * name in protocol.h's list (mt8217, mt-sics, cas-ci200, xk3190-a9,
 * xk3190-eq).
 *
 * For: device threads and wufei-devsim parse: init once from kiosk.ini's
 * protocol and unit, feed what the port gives, take readings, and ask for the
 * command bytes of poll/zero/tare.
 * Not for: I/O, timing, allocation (struct scale_parser is a plain value).
 */
#ifndef WUFEI_PROTO_SCALE_PARSER_H
#define WUFEI_PROTO_SCALE_PARSER_H

#include "cas_ci200.h"
#include "mt8217.h"
#include "mtsics.h"
#include "protocol.h"
#include "scale.h"
#include "xk3190.h"

/* The scale protocols of protocol.h's list, by the same values. */
enum scale_protocol {
	SCALE_PROTO_MT8217 = PROTOCOL_MT8217,
	SCALE_PROTO_MTSICS = PROTOCOL_MTSICS,
	SCALE_PROTO_CAS_CI200 = PROTOCOL_CAS_CI200,
	SCALE_PROTO_XK3190_A9 = PROTOCOL_XK3190_A9,
	SCALE_PROTO_XK3190_EQ = PROTOCOL_XK3190_EQ,
};

/* Fields private. */
struct scale_parser {
	enum scale_protocol proto;
	enum scale_unit unit;
	union {
		struct mt8217_parser mt8217;
		struct mtsics_parser mtsics;
		struct cas_ci200_parser cas;
		struct xk3190_parser xk;
		struct xk3190eq_parser xkeq;
	} u;
};

/*
 * scale_protocol_parse — the name of a scale protocol of protocol.h's list
 * ("mt8217", "mt-sics", "cas-ci200", "xk3190-a9", "xk3190-eq") to the enum.
 * Returns WF_OK, or WF_EINVAL (unknown, not a scale's, or NULL; *out
 * untouched).
 */
int scale_protocol_parse(const char *name, enum scale_protocol *out);

/* scale_protocol_name — the name in protocol.h's list; "?" when unknown. */
const char *scale_protocol_name(enum scale_protocol proto);

/*
 * scale_parser_init — parser for the protocol named protocol; unit is the
 * configured unit, used where frames carry none (mt8217, xk3190-a9,
 * xk3190-eq, MT-SICS values without unit). Returns WF_OK, or WF_EINVAL (unknown name; *p is then
 * zeroed and feeding it yields nothing).
 */
int scale_parser_init(struct scale_parser *p, const char *protocol, enum scale_unit unit);

/*
 * scale_parser_digit_order — xk3190-eq only, right after init: normal = the
 * indicator sends the digits in reading order (kiosk.ini digit_order =
 * normal); false = lowest digit first (reversed, the default). Returns WF_OK,
 * or WF_EINVAL for another protocol.
 */
int scale_parser_digit_order(struct scale_parser *p, bool normal);

/*
 * scale_parser_command_sent — the caller sent the bytes of cmd
 * (scale_parser_encode): where the protocol answers a command with a plain
 * status (mt8217), the next status is read as its answer (SCALE_ACK or
 * SCALE_REFUSED). cmd 0 forgets a command whose answer never came.
 */
void scale_parser_command_sent(struct scale_parser *p, enum scale_cmd cmd);

/* scale_parser_reset — drop partial frames and queued readings (after reopen). */
void scale_parser_reset(struct scale_parser *p);

/* scale_parser_feed — any bytes; returns the number of readings queued
 * (SCALE_NOTICE included). */
int scale_parser_feed(struct scale_parser *p, const uint8_t *buf, size_t len);

/* scale_parser_next — take the oldest reading: true and *out, or false. */
bool scale_parser_next(struct scale_parser *p, struct scale_reading *out);

/* scale_parser_polled — true when the scale answers only when asked
 * (mt8217; mt-sics unless streaming with SCALE_CMD_STREAM). */
bool scale_parser_polled(const struct scale_parser *p);

/*
 * scale_parser_encode — command bytes for the parser's protocol into buf.
 * Returns the byte count; 0 when the protocol has no such command (cas-ci200
 * and the xk3190 formats have none; mt8217 has no stream or reset) or cap is
 * too small.
 */
size_t scale_parser_encode(const struct scale_parser *p, enum scale_cmd cmd, uint8_t *buf,
                           size_t cap);

#endif
