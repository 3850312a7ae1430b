/*
 * cas_ci200.h — CAS indicator stream frames, "CAS 22 bytes" output format
 * (CI-200A/201A, CI-400, CI-600D, CI-150A, NT-200; 9600 8N1, the indicator
 * sends continuously; no commands are sent).
 *
 * For: device threads and wufei-devsim parse, usually through scale_parser.h.
 * Not for: I/O.
 *
 * 22-byte frame (CI-600D manual 10-1, CI-400 appendix 1, NT-200 manual 14):
 *   "ST|US|OL" "," "GS|NT" "," <device id: 1 byte> <lamp: 1 byte> ","
 *   <8 weight characters: sign, digits, point, spaces> <blank> <unit: 2> CR LF
 * The lamp byte is a bit field (7 always 1, 6 stable, 4 hold, 3 printer,
 * 2 gross, 1 tare, 0 at zero); the blank may be a relay byte on indicators
 * set to "relay status". Frames are therefore recognised by their fixed
 * layout ending at CR LF in a sliding window, never by searching for line
 * ends. ST = stable, US = unstable, OL = overload (SCALE_STATUS); NT = net;
 * at_zero from lamp bit 0. Units "kg", " t" / "t " (tonnes), and "lb",
 * " g" / "g " (either case); another unit yields nothing.
 *
 * The indicator's other output formats are settings: the "10 bytes" format
 * (8 weight characters CR LF: no stability at all) and the "18 bytes"
 * (AND/MIGUN) format (no device id, lamp or blank) give SCALE_NOTICE with
 * code "cas10" or "cas18" instead of a weight, so that staff are told to set
 * the indicator to the 22-byte format.
 */
#ifndef WUFEI_PROTO_CAS_CI200_H
#define WUFEI_PROTO_CAS_CI200_H

#include "scale.h"

#define CAS_CI200_FRAME   22
#define CAS_CI200_FRAME18 18 /* the AND/MIGUN 18-byte format (a notice) */
#define CAS_CI200_FRAME10 10 /* the 10-byte format (a notice) */

/* Parser state; fields private. */
struct cas_ci200_parser {
	size_t len; /* bytes in win, at most CAS_CI200_FRAME */
	uint8_t win[CAS_CI200_FRAME];
	struct scale_queue q;
};

void cas_ci200_init(struct cas_ci200_parser *p);
void cas_ci200_reset(struct cas_ci200_parser *p);

/* cas_ci200_feed — any bytes; returns the number of readings (and notices)
 * queued. */
int cas_ci200_feed(struct cas_ci200_parser *p, const uint8_t *buf, size_t len);

/* cas_ci200_next — take the oldest reading: true and *out, or false if none. */
bool cas_ci200_next(struct cas_ci200_parser *p, struct scale_reading *out);

#endif
