/*
 * cas_ci200.h — CAS CI-200 series stream frames (9600 8N1, the indicator
 * sends continuously; no commands).
 *
 * For: device threads and wufei-devsim parse, usually through scale_parser.h.
 * Not for: I/O.
 *
 * 22-byte frame: "ST|US|OL" "," "GS|NT" "," <2-byte id> "," <8-char weight
 * with sign and point> <lamp byte> <2-char unit> CR LF. Some indicators send
 * the id as one raw byte (21-byte frame): both are accepted. The lamp byte is
 * a raw bit field (6 stable, 4 hold, 3 printer, 2 gross, 1 tare, 0 at zero) and
 * may itself be CR or LF, so frames are recognised by their fixed layout
 * ending at CR LF, not by searching for line ends. ST = stable, US = unstable,
 * OL = overload (SCALE_STATUS); NT = net. Units "kg", "lb", "g " or " g";
 * a frame with another unit yields nothing.
 */
#ifndef WUFEI_PROTO_CAS_CI200_H
#define WUFEI_PROTO_CAS_CI200_H

#include "scale.h"

#define CAS_CI200_FRAME     22
#define CAS_CI200_FRAME_ID1 21 /* the variant with a one-byte raw id */

/* Parser state; fields private. */
struct cas_ci200_parser {
	size_t len; /* bytes in win, at most CAS_CI200_FRAME */
	uint8_t win[CAS_CI200_FRAME];
	struct scale_queue q;
};

void cas_ci200_init(struct cas_ci200_parser *p);
void cas_ci200_reset(struct cas_ci200_parser *p);

/* cas_ci200_feed — any bytes; returns the number of frames completed. */
int cas_ci200_feed(struct cas_ci200_parser *p, const uint8_t *buf, size_t len);

/* cas_ci200_next — take the oldest reading: true and *out, or false if none. */
bool cas_ci200_next(struct cas_ci200_parser *p, struct scale_reading *out);

#endif
