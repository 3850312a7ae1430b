/*
 * mtsics.h — Mettler Toledo MT-SICS (Standard Interface Command Set):
 * command encoder and reply-line parser for the weighing subset.
 *
 * For: device threads and wufei-devsim parse, usually through scale_parser.h.
 * Not for: I/O or timing; the I0..I4 information commands beyond what @
 * answers.
 *
 * Commands end CR LF: S, SI, SIR, Z, T, TAC, @. Replies are lines of
 * space-separated fields (widths vary, so fields are split on runs of spaces)
 * ending CR LF (a bare LF is accepted):
 *   S S <value> <unit>  stable weight       -> SCALE_WEIGHT stable
 *   S D <value> <unit>  dynamic weight      -> SCALE_WEIGHT not stable
 *   S I                 busy/not stable     -> SCALE_STATUS not stable
 *   S + / S -           over/underload      -> SCALE_STATUS overload/underload
 *   Z A, TAC A, I4 A .. zero/clear tare/reset done -> SCALE_ACK
 *   T S <value> <unit>  tare taken          -> SCALE_ACK with grams = tare
 *   Z I, T +, S L ...   command not done    -> SCALE_REFUSED (code "ZI", "T+", "SL")
 *   ES, ET, EL          syntax/transmission/logical error -> SCALE_REFUSED
 * S answers in the balance's unit 1. Units on the line (g, kg, mg, lb, oz,
 * and "lb:oz" with a value like "12:07.50") decide; a value without a unit
 * takes the configured one. A weight in any other unit (ozt, ct, dwt, GN,
 * tl, ...) gives SCALE_NOTICE code "unit" with the unit in text instead of a
 * reading: the caller tells staff to set unit 1 to g or kg. Lines over
 * MTSICS_LINE_MAX or with control bytes are dropped whole.
 */
#ifndef WUFEI_PROTO_MTSICS_H
#define WUFEI_PROTO_MTSICS_H

#include "scale.h"

#define MTSICS_LINE_MAX 64 /* bytes of one reply line without CR LF */

/* Parser state; fields private. */
struct mtsics_parser {
	enum scale_unit unit;
	bool overflow; /* the current line is too long: drop it at its LF */
	size_t len;
	char buf[MTSICS_LINE_MAX];
	struct scale_queue q;
};

void mtsics_init(struct mtsics_parser *p, enum scale_unit unit);
void mtsics_reset(struct mtsics_parser *p);

/* mtsics_feed — any bytes; returns the number of readings queued by them. */
int mtsics_feed(struct mtsics_parser *p, const uint8_t *buf, size_t len);

/* mtsics_next — take the oldest reading: true and *out, or false if none. */
bool mtsics_next(struct mtsics_parser *p, struct scale_reading *out);

/*
 * mtsics_encode — command bytes with CR LF into buf: S, SI, SIR, Z, T, TAC, @.
 * Returns the byte count, or 0 if cap is too small or cmd unknown.
 */
size_t mtsics_encode(enum scale_cmd cmd, uint8_t *buf, size_t cap);

#endif
