/*
 * xk3190.h — Yaohua XK3190-A9 stream frames (9600 or 1200 8N1; the indicator
 * sends continuously; no commands).
 *
 * For: device threads and wufei-devsim parse, usually through scale_parser.h.
 * Not for: I/O.
 *
 * 12-byte frame: 02 <sign '+' or '-'> <6 ASCII digits> <1 ASCII digit:
 * decimal places 0..5> <XOR hi> <XOR lo> 03. The check is the XOR of the 8
 * bytes from sign to decimal-places digit as two hex characters (either
 * case). Resynchronises on every 02. No unit (the configured one applies), no
 * stable flag (stable is true, has_stable_flag false: require repeats), no
 * net or zero flag.
 */
#ifndef WUFEI_PROTO_XK3190_H
#define WUFEI_PROTO_XK3190_H

#include "scale.h"

#define XK3190_BODY 10 /* bytes between 02 and 03 */

/* Parser state; fields private. */
struct xk3190_parser {
	enum scale_unit unit;
	bool in_frame;
	size_t len;
	uint8_t buf[XK3190_BODY];
	struct scale_queue q;
};

void xk3190_init(struct xk3190_parser *p, enum scale_unit unit);
void xk3190_reset(struct xk3190_parser *p);

/* xk3190_feed — any bytes; returns the number of good frames completed. */
int xk3190_feed(struct xk3190_parser *p, const uint8_t *buf, size_t len);

/* xk3190_next — take the oldest reading: true and *out, or false if none. */
bool xk3190_next(struct xk3190_parser *p, struct scale_reading *out);

#endif
