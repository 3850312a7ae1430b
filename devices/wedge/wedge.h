/*
 * wedge.h — keyboard-wedge card readers: a pure burst detector.
 *
 * A USB reader of this kind "types" the card number and Enter faster than a
 * person can. Timed key events go in (from SDL key events in the kiosk UI,
 * or from a test); a canonical card id comes out when Enter ends a burst of
 * exactly the configured number of digits that arrived within
 * max_burst_ms. Slow typing, too few or too many digits, or other keys give
 * nothing, so a person at a keyboard cannot pass for a card.
 *
 * Canonical id (DESIGN "Card identity"): for em4100 the number printed on
 * the card, the low 32 bits as 10 decimal digits (cardid_em4100), whether
 * the reader types 10 decimal digits ("0014868981"), 8 hex digits
 * ("00E2E1F5") or the 10 hex of the 40 bits ("0400E2E1F5"): each gives
 * "em4100:0014868981", the id an RDM6300 gives for that card. Other
 * technologies: "<technology>:<NUMBER>" with NUMBER in upper-case hex (a hex
 * reader's digits as typed; a decimal reader's number converted to hex,
 * zero-padded to 8 digits).
 *
 * Not for: I/O or clocks (now_ms comes in), SDL.
 */
#ifndef WUFEI_WEDGE_H
#define WUFEI_WEDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEDGE_DIGITS_MAX 20
#define WEDGE_ID_MAX     48 /* canonical id incl. NUL */

struct wedge_config {
	char technology[16];  /* "em4100", "mifare", ...: a-z 0-9 */
	bool hex;             /* the reader types hex digits (else decimal) */
	unsigned digits;      /* digits in one number, 4..WEDGE_DIGITS_MAX */
	int64_t max_burst_ms; /* first digit to Enter; 0 = 150 */
};

struct wedge {
	struct wedge_config cfg;
	char buf[WEDGE_DIGITS_MAX + 1];
	unsigned len;
	int64_t first_ms;
	bool spoiled; /* a non-digit or an extra digit in this burst */
};

/* wedge_init — returns false for a bad config (nothing usable then). */
bool wedge_init(struct wedge *w, const struct wedge_config *cfg);

/*
 * wedge_key — one key press: a digit ('0'-'9', and 'A'-'F'/'a'-'f' for hex
 * readers), '\n' or '\r' for Enter, anything else. Returns true and writes
 * the canonical id into id[id_len] when this Enter completes a card; false
 * otherwise. Never blocks; any key sequence is safe.
 */
bool wedge_key(struct wedge *w, int key, int64_t now_ms, char *id, size_t id_len);

#endif
