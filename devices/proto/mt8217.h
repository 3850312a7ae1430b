/*
 * mt8217.h — Mettler Toledo 8217 protocol (polled scale, 9600 7E1): command
 * encoder and reply parser. See docs/PROTOCOLS.md for frames and vectors.
 *
 * For: device threads and wufei-devsim parse, usually through scale_parser.h.
 * Not for: I/O or timing (the caller polls and times out).
 *
 * Replies: STX <spaces><digits with point>[N] CR (a weight; N = net), or
 * STX ? <status> CR (bits: 0 motion, 1 over capacity, 2 under zero, 3 outside
 * zero-capture range, 4 centre of zero, 5 net, 6 bad command). The top bit of
 * every byte is the parity bit of 7E1 and is ignored. The frame carries no
 * unit: the configured one applies.
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
	struct scale_queue q;
};

/* mt8217_init — empty parser; unit is the scale's configured unit. */
void mt8217_init(struct mt8217_parser *p, enum scale_unit unit);

/* mt8217_reset — forget a partial frame and queued readings (after reopen). */
void mt8217_reset(struct mt8217_parser *p);

/*
 * mt8217_feed — take len received bytes (any bytes; buf may be NULL when len
 * is 0). Returns the number of replies completed by these bytes (>= 0).
 * Weight replies give SCALE_WEIGHT (stable: the 8217 answers a weight only
 * when stable), status replies SCALE_STATUS (motion, overload, underload, net,
 * at_zero) or SCALE_REFUSED (bit 6, code "?").
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
