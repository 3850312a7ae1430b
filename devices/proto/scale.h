/*
 * scale.h — what every scale protocol parser shares: the unit of a
 * reading, the reading itself, decimal text to integer grams, and the small
 * fixed queue a parser keeps its readings in until the caller takes them.
 *
 * For: the scale parsers of devices/proto/ (mt8217.h, mtsics.h,
 * cas_ci200.h, xk3190.h), the common front (scale_parser.h), device
 * threads, wufei-devsim parse, tests.
 *
 * Not for: I/O, clocks, allocation or floating point (none here). What a
 * reading means for a drop (same weight twice, stability over time) is the
 * session's business.
 *
 * Grams are integers. A value in kg, g, mg, t, lb or oz is converted with
 * integer arithmetic, rounding half away from zero (DESIGN "Units and
 * rounding"); 1 lb = 453.59237 g exactly, so lb -> g is value * 45359237 /
 * 100000, and 1 oz = 1/16 lb, so oz -> g is value * 45359237 / 1600000.
 */
#ifndef WUFEI_PROTO_SCALE_H
#define WUFEI_PROTO_SCALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wf.h"

enum scale_unit {
	SCALE_UNIT_KG = 1,
	SCALE_UNIT_G = 2,
	SCALE_UNIT_LB = 3,
	SCALE_UNIT_MG = 4, /* MT-SICS lab balances may answer in mg */
	SCALE_UNIT_T = 5,  /* tonnes: CAS indicators on platform and truck scales (" t") */
	SCALE_UNIT_OZ = 6, /* avoirdupois ounce, 1/16 lb = 28.349523125 g (MT-SICS "oz") */
};

/* What one frame or reply says. */
enum scale_kind {
	SCALE_WEIGHT = 1,  /* grams is the displayed weight (net when net is true) */
	SCALE_STATUS = 2,  /* no usable weight: busy, motion, overload or underload (flags say) */
	SCALE_ACK = 3,     /* a zero/tare/clear-tare/reset command was carried out;
	                      MT-SICS "T S <tare>" puts the tare in grams */
	SCALE_REFUSED = 4, /* a command was refused or not understood (MT-SICS ES ET EL,
	                      "Z I", "T +" ...; an 8217 status answering Z/T/C that says
	                      it was not done) */
	SCALE_NOTICE = 5   /* frames in a setting we do not read: code says which ("cas10",
	                      "cas18": a CAS output format other than 22 bytes; "unit": an
	                      MT-SICS unit we do not convert, named in text). Not a weight:
	                      the caller tells staff once which setting to change */
};

/* One reading, passed by value. Flags a protocol does not carry are false and
 * the matching has_* field says so. */
struct scale_reading {
	enum scale_kind kind;
	int64_t grams;        /* SCALE_WEIGHT: weight in g (negative below zero);
	                         SCALE_ACK after a tare: the tare in g; else 0 */
	bool stable;          /* no motion. Without a stable flag (xk3190-a9) this is
	                         true: the caller must require repeated equal readings */
	bool net;             /* tare is active (8217 "N" / status bit 5, CAS "NT") */
	bool overload;        /* over capacity: grams is meaningless */
	bool underload;       /* under zero: grams is meaningless */
	bool at_zero;         /* centre of zero, where the protocol says so */
	bool has_stable_flag; /* the protocol reported stable/motion itself */
	bool has_net_flag;    /* the protocol reported net/gross itself */
	bool has_zero_flag;   /* the protocol reported centre of zero itself */
	char code[8];         /* SCALE_ACK/REFUSED: the reply's command and status
	                         joined, e.g. "ES", "EL", "ZA" (Z A), "ZI", "T+",
	                         "TACA", "I4A" (answer to @), "?P" (8217 status 'P');
	                         SCALE_NOTICE: what was seen ("cas10", "cas18", "unit") */
	char text[8];         /* SCALE_NOTICE "unit": the unit as sent (printable ASCII) */
};

/*
 * scale_unit_parse — "kg", "g", "lb", "mg", "t", "oz" (exact, lower case) to
 * a unit. "" and NULL mean kg (the DESIGN default). Returns WF_OK, or
 * WF_EINVAL if unknown (*out untouched).
 */
int scale_unit_parse(const char *name, enum scale_unit *out);

/* scale_unit_name — "kg", "g", "lb", "mg", "t", "oz"; "?" for anything else. */
const char *scale_unit_name(enum scale_unit u);

/*
 * scale_grams_from_scaled — value = mantissa / 10^decimals in unit u, to
 * grams, rounding half away from zero. In: |mantissa| < 10^11 (so that
 * mantissa x 45359237 fits int64 on every platform), decimals 0..9. Returns WF_OK and *out, or
 * WF_EINVAL (out of range or bad unit; *out untouched). Example: (-12345, 3, SCALE_UNIT_LB) =
 * -12.345 lb = -5599.527... -> -5600. In tonnes, |mantissa| / 10^decimals must stay below 10^7 t
 * (so grams stay below 10^13: no scale weighs more).
 */
int scale_grams_from_scaled(int64_t mantissa, int decimals, enum scale_unit u, int64_t *out);

/*
 * scale_grams_from_decimal — text such as "  -1.250", "+001.650", "12",
 * ".5", "3." (len bytes, not NUL-terminated) in unit u, to grams. Leading
 * and trailing spaces are allowed; at most one sign (+ or -, before the
 * digits, spaces between sign and digits allowed), at most one point, at
 * least one digit, at most 11 significant digits (leading zeros do not
 * count) and 9 after the point, nothing else.
 * Returns WF_OK and *out, or WF_EINVAL (*out untouched).
 */
int scale_grams_from_decimal(const char *s, size_t len, enum scale_unit u, int64_t *out);

/* ---- the readings queue (fields private; used by the parsers) ------------ */

#define SCALE_QUEUE_MAX 16 /* readings kept; when full the oldest is dropped */

struct scale_queue {
	struct scale_reading r[SCALE_QUEUE_MAX];
	unsigned head, count;
	uint64_t dropped; /* readings dropped because nobody took them in time */
};

void scale_queue_clear(struct scale_queue *q);
void scale_queue_push(struct scale_queue *q, const struct scale_reading *r);
bool scale_queue_pop(struct scale_queue *q, struct scale_reading *out);

/* ---- commands --------------------------------------------------------------- */

enum scale_cmd {
	SCALE_CMD_WEIGHT = 1,     /* one reading now, stable or not (8217 W, MT-SICS SI) */
	SCALE_CMD_STABLE = 2,     /* one stable reading (8217 W, MT-SICS S) */
	SCALE_CMD_STREAM = 3,     /* send readings continuously (MT-SICS SIR) */
	SCALE_CMD_ZERO = 4,       /* 8217 Z, MT-SICS Z */
	SCALE_CMD_TARE = 5,       /* 8217 T, MT-SICS T */
	SCALE_CMD_CLEAR_TARE = 6, /* 8217 C, MT-SICS TAC */
	SCALE_CMD_RESET = 7,      /* MT-SICS @ (also stops SIR streaming) */
};

#endif
