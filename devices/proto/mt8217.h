/*
 * mt8217.h — Mettler Toledo 8217 protocol (polled scale, 9600 7E1): command
 * encoder and reply parser. See docs/PROTOCOLS.md for frames and vectors.
 *
 * For: device threads and wufei-devsim parse, usually through scale_parser.h.
 * Not for: I/O or timing (the caller polls and times out).
 *
 * Replies: STX <spaces><digits with point>[N] CR (a weight; N = net), or
 * STX ? <status> CR (bits: 0 motion, 1 over capacity, 2 under zero, 3 outside
 * zero-capture range, 4 centre of zero, 5 net, 6 always 1; Mettler Toledo
 * DIVA service manual 6.1.4.3). The scale answers W with a status instead of
 * a weight while in motion, over capacity or under zero, and answers Z, T
 * and C with a status too. The top bit of every byte is the parity bit of
 * 7E1 and is ignored. The frame carries no unit: the configured one applies
 * (kg replies have 3 decimals, lb replies 2).
 */
#ifndef WUFEI_PROTO_MT8217_H
#define WUFEI_PROTO_MT8217_H

#include "scale.h"

#define MT8217_FRAME_MAX 24 /* bytes between STX and CR; longer is garbage */

/* Parser state; fields private. Embed it or declare it anywhere: no
 * allocation, no destroy. */
struct mt8217_parser {
	enum scale_unit unit;
	bool in_frame;
	size_t len;
	uint8_t buf[MT8217_FRAME_MAX];
	enum scale_cmd pending; /* Z/T/C sent, its status answer not yet seen; 0 none */
	struct scale_queue q;
};

/* mt8217_init — empty parser; unit is the scale's configured unit. */
void mt8217_init(struct mt8217_parser *p, enum scale_unit unit);

/* mt8217_reset — forget a partial frame and queued readings (after reopen). */
void mt8217_reset(struct mt8217_parser *p);

/*
 * mt8217_command_sent — the caller sent Z, T or C (SCALE_CMD_ZERO, _TARE,
 * _CLEAR_TARE): the next status reply answers it. Any other cmd (0 too)
 * forgets a pending command (the caller gave up waiting).
 */
void mt8217_command_sent(struct mt8217_parser *p, enum scale_cmd cmd);

/*
 * mt8217_feed — take len received bytes (any bytes; buf may be NULL when len
 * is 0). Returns the number of readings queued by these bytes (>= 0).
 * Weight replies give SCALE_WEIGHT (stable: the 8217 answers a weight only
 * when stable); every status reply gives SCALE_STATUS (motion, overload,
 * underload, net, at_zero: no weight now). A status answering a pending Z/T/C
 * first gives SCALE_ACK or SCALE_REFUSED (code "?" and the status character):
 * zero done unless motion, over capacity or outside the zero-capture range;
 * tare done if the status says net; clear done if it no longer does.
 */
int mt8217_feed(struct mt8217_parser *p, const uint8_t *buf, size_t len);

/* mt8217_next — take the oldest reading: true and *out, or false if none. */
bool mt8217_next(struct mt8217_parser *p, struct scale_reading *out);

/*
 * mt8217_encode — bytes of a command into buf (no terminator: W, Z, T, C).
 * SCALE_CMD_WEIGHT and SCALE_CMD_STABLE are both W. Returns the byte count,
 * or 0 if the 8217 has no such command or cap is too small.
 */
size_t mt8217_encode(enum scale_cmd cmd, uint8_t *buf, size_t cap);

#endif
