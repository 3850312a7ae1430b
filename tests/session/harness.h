/*
 * harness.h — shared helpers for the session-core tests: the test kiosk's
 * configuration and categories, the test cards, event builders, and a small
 * driver that feeds events at a fake clock and collects every effect.
 *
 * Not for: any rule of the kiosk. The expected values in the tests are
 * written out by hand or computed by the tests' own model; nothing here
 * calls wf_points or wf_credited_qty.
 */
#ifndef WUFEI_TEST_SESSION_HARNESS_H
#define WUFEI_TEST_SESSION_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"

/* The test kiosk's numbers (set explicitly, not taken from the defaults). */
#define H_TOL_G          10
#define H_STABLE_MS      1500
#define H_ZERO_G         20
#define H_TEST_G         5000
#define H_TEST_TOL_G     10
#define H_TO_IDENTIFY_MS 8000
#define H_TO_CATEGORY_MS 30000
#define H_TO_WEIGH_MS    60000
#define H_TO_CONFIRM_MS  30000
#define H_TO_RECEIPT_MS  20000
#define H_TO_PIN_MS      30000
#define H_TO_STAFF_MS    120000
#define H_PIN_ATTEMPTS   3
#define H_LOCKOUT_MS     300000
#define H_T0_MS          1000000 /* the fake clock starts here */

/* Categories of the test kiosk. */
#define CAT_PAPER     1 /* g, rate 2000/t, v3, 50..50000 g, limit 20000 g */
#define CAT_PLASTIC   2 /* g, rate 1500/t, v5, 30..30000 g, no limit */
#define CAT_BATTERIES 3 /* piece, rate 5/piece, v2, 1..50 pieces, limit 100 */
#define CAT_METAL     4 /* g, rate 3333/t, v7, 100..20000 g, limit 5000 g */
#define CAT_UNKNOWN   99

/* The test cards. */
enum h_card {
	CARD_ALICE = 1,   /* resident 1001, nothing today */
	CARD_BOB,         /* resident 1002, today: paper 19500 g, batteries 98 */
	CARD_CAROL,       /* resident 1003, today: paper 20000 g (at the limit) */
	CARD_DAVE,        /* resident 1004, today: paper 25000 g (over the limit) */
	CARD_ERIN,        /* resident 1005, today: paper 18000 g, metal 4900 g */
	CARD_UNKNOWN,     /* no resident */
	CARD_BLOCKED,     /* blocked: "reported lost" */
	CARD_STAFF,       /* staff 7, no failures on record */
	CARD_STAFF_2FAIL, /* staff 8, two failures on record */
	CARD_STAFF_3FAIL, /* staff 9, three failures on record */
	CARD_ADMIN,       /* staff 10, admin */
};
#define H_STAFF_PIN "1234" /* the PIN the test's caller accepts */

/* Reading flags for h_reading. */
enum {
	RF_STABLE = 0,   /* has_stable and stable */
	RF_NOFLAG = 1,   /* the protocol has no stable flag */
	RF_UNSTABLE = 2, /* has_stable but not stable */
	RF_MOTION = 4,
	RF_OVER = 8,
	RF_UNDER = 16,
	RF_NOWEIGHT = 32, /* a status without a weight (8217 "?" reply, MT-SICS "S I") */
};

void h_config(struct session_config *cfg, bool allow_anonymous);
void h_card(enum h_card card, struct session_identity *out);
struct session_reading h_reading(int64_t grams, unsigned flags);

struct session_event h_ev_tick(int64_t now_ms);
struct session_event h_ev_card(int64_t now_ms, enum h_card card);
struct session_event h_ev_reading(int64_t now_ms, int64_t grams, unsigned flags);
struct session_event h_ev_tap(int64_t now_ms, enum session_control control, int arg);
struct session_event h_ev_device(int64_t now_ms, enum session_device device, bool up);
struct session_event h_ev_committed(int64_t now_ms, uint64_t seq);
struct session_event h_ev_simple(int64_t now_ms, enum session_event_kind kind);
struct session_event h_ev_pin(int64_t now_ms, bool ok);

/* The receipt token the test's caller hands back for a sequence number. */
void h_token(uint64_t seq, char *out, unsigned out_len);

/* Field-by-field equality of two views (no padding compared). */
bool h_view_equal(const struct session_view *a, const struct session_view *b);

#endif
