/*
 * em4100.h — RDM6300-style 125 kHz EM4100 reader frames (9600 8N1, the
 * reader only transmits), one card event per tap.
 *
 * For: the card-reader device thread and wufei-devsim parse.
 * Not for: I/O or reading a clock: the caller passes now_ms (any monotonic
 * milliseconds) with each feed.
 *
 * Frame: 02, 10 ASCII hex (2 version + 8 card number), 2 ASCII hex checksum
 * = XOR of the 5 bytes the 10 characters encode, 03. Resynchronises on every
 * 02; a non-hex byte inside a frame drops it; a bad checksum yields nothing.
 * The event's number is the 10 hex characters as sent (upper-cased); its
 * canonical id is the number printed on the card: the low 32 bits as 10
 * decimal digits (cardid_em4100; as arduino12/rdm6300, ESPHome and
 * python-rdm6300 read it): 0400E2E1F5 -> "em4100:0014868981".
 *
 * One tap = one event: the reader repeats the frame while the card is held.
 * A good frame with the same number as the previous good frame, less than
 * release_ms after it, belongs to the same tap (and extends it: a hold of
 * any length is one event). A different number, or the same one after a
 * silence of release_ms or more, is a new tap. The silence is measured from
 * the last good frame, so the caller needs no timer: it passes now_ms when
 * bytes arrive.
 */
#ifndef WUFEI_PROTO_EM4100_H
#define WUFEI_PROTO_EM4100_H

#include "card.h"

#define EM4100_BODY       12  /* hex characters between 02 and 03 */
#define EM4100_FRAME      14  /* bytes of a whole frame, 02 and 03 included */
#define EM4100_RELEASE_MS 500 /* default: RDM6300 repeats every ~100-200 ms while held */

/* Parser state; fields private. */
struct em4100_parser {
	int64_t release_ms;
	bool in_frame;
	size_t len;
	uint8_t buf[EM4100_BODY];
	bool have_last;
	char last[11];        /* number of the tap in progress */
	int64_t last_seen_ms; /* now_ms of its latest frame */
	struct card_queue q;
};

/* em4100_init — empty parser; release_ms <= 0 means EM4100_RELEASE_MS. */
void em4100_init(struct em4100_parser *p, int64_t release_ms);

/* em4100_reset — forget a partial frame, the tap in progress and queued events. */
void em4100_reset(struct em4100_parser *p);

/*
 * em4100_feed — any bytes received at now_ms (buf may be NULL if len is 0).
 * Returns the number of new card events queued (0 or more).
 */
int em4100_feed(struct em4100_parser *p, const uint8_t *buf, size_t len, int64_t now_ms);

/* em4100_next — take the oldest card event: true and *out, or false if none. */
bool em4100_next(struct em4100_parser *p, struct card_event *out);

/*
 * em4100_encode — the 14-byte frame a reader sends for number (10 hex
 * characters, either case) into buf (cap >= EM4100_FRAME), in upper case as
 * readers send it. For simulators and tests. Returns EM4100_FRAME, or 0 if
 * number is not 10 hex characters or cap is too small.
 */
size_t em4100_encode(const char *number, uint8_t *buf, size_t cap);

#endif
