/*
 * card.h — the card event a serial card-reader parser produces (em4100.h),
 * plus the small fixed queue it keeps events in. (Keyboard-wedge readers have
 * their own burst detector, wedge.h, which writes the canonical id directly.)
 *
 * A card event carries the number as the reader gives it (upper-case hex for
 * em4100) and the canonical card id of
 * DESIGN "Card identity": "<technology>:<number as the card carries it>",
 * e.g. "em4100:0014868981" for an RDM6300's 0400E2E1F5 (cardid.h). Hashing
 * the canonical id is common/cardid.h's job (libsodium), not the parsers'.
 */
#ifndef WUFEI_PROTO_CARD_H
#define WUFEI_PROTO_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CARD_NUMBER_MAX 24 /* bytes incl. NUL: the number as the reader sends it */
#define CARD_ID_MAX     48 /* bytes incl. NUL: canonical id (same as CARDID_MAX) */
#define CARD_TECH_MAX   16 /* bytes incl. NUL: technology name, [a-z0-9-] */

struct card_event {
	char number[CARD_NUMBER_MAX]; /* "0400E2E1F5" (em4100) */
	char id[CARD_ID_MAX];         /* "em4100:0014868981" */
	int64_t at_ms;                /* the caller's now_ms when the card was recognised */
};

/* ---- queue (fields private; used by the parsers) ---------------------------- */

#define CARD_QUEUE_MAX 4 /* events kept; when full the oldest is dropped */

struct card_queue {
	struct card_event ev[CARD_QUEUE_MAX];
	unsigned head, count;
	uint64_t dropped;
};

void card_queue_clear(struct card_queue *q);
void card_queue_push(struct card_queue *q, const struct card_event *ev);
bool card_queue_pop(struct card_queue *q, struct card_event *out);

#endif
