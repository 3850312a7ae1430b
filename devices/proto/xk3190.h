/*
 * xk3190.h — Yaohua XK3190 indicators' continuous outputs (9600 or 1200 8N1;
 * the indicator sends without being asked; no commands are sent). Two
 * formats, chosen on the indicator:
 *
 * xk3190-a9 (A9, A9+, A23P, A26, DS1, DS3 "tF = 0"; A22): 12-byte frame
 *   02 <sign '+' or '-'> <6 ASCII digits> <1 ASCII digit: decimal places 0..5>
 *   <check hi> <check lo> 03
 * The check is the XOR of the 8 bytes from sign to decimal-places digit, each
 * nibble sent as an upper-case hex character (A26/A23P/A9+ manuals; lower
 * case is accepted too) or, on the A22, as the nibble + 0x30 ('0'..'?').
 * Resynchronises on every 02.
 *
 * xk3190-eq (A12, A23P, A26, and the A9 by setting): '=' then 8 characters,
 * repeated with no other separator. digit_order reversed (the default, A26
 * "format 1", A23P, A22): 7 weight characters lowest digit first, then the
 * sign ('0' or '+' positive; '-', or '1' on the A22, negative): "=000.3000"
 * is 3.000, "=00.1000-" is -1.00. digit_order normal (A26 "format 2"): the
 * sign first, then 7 characters in reading order: "=0003.000", "=-0001.00".
 * Indicators that send only 7 characters after '=' (T7E: "=00.005-" is
 * -500.00) are read when the next '=' arrives. Resynchronises on every '='.
 *
 * For: device threads and wufei-devsim parse, usually through scale_parser.h.
 * Not for: I/O. Neither format carries a unit (the configured one applies)
 * or a stable flag (stable is true, has_stable_flag false: the session
 * requires repeated equal readings), nor a net or zero flag.
 */
#ifndef WUFEI_PROTO_XK3190_H
#define WUFEI_PROTO_XK3190_H

#include "scale.h"

#define XK3190_BODY    10 /* bytes between 02 and 03 */
#define XK3190_EQ_BODY 8  /* characters after '=' */

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

/* Parser state of the '=' format; fields private. */
struct xk3190eq_parser {
	enum scale_unit unit;
	bool normal; /* digits in reading order (else lowest digit first) */
	bool in_frame;
	size_t len;
	uint8_t buf[XK3190_EQ_BODY];
	struct scale_queue q;
};

/* xk3190eq_init — normal: the indicator sends digits in reading order
 * (digit_order = normal); false: lowest digit first (reversed, the default). */
void xk3190eq_init(struct xk3190eq_parser *p, enum scale_unit unit, bool normal);
void xk3190eq_reset(struct xk3190eq_parser *p);

/* xk3190eq_feed — any bytes; returns the number of good frames completed. */
int xk3190eq_feed(struct xk3190eq_parser *p, const uint8_t *buf, size_t len);

/* xk3190eq_next — take the oldest reading: true and *out, or false if none. */
bool xk3190eq_next(struct xk3190eq_parser *p, struct scale_reading *out);

#endif
