/*
 * session_private.h — the session's state and what its files share. Not an
 * interface: only the files of kiosk/session/ include it.
 *
 * The files: session.c (create, the step's dispatch, devices, timeouts),
 * visit.c (a resident's visit: card, category, weigh or count, confirm,
 * receipt), staff.c (staff card, PIN and lock-out, the staff menu, bin
 * collections), view.c (what the UI draws, and the names of things),
 * tracker.c (the scale tracker, with its own interface: tracker.h).
 */
#ifndef WUFEI_SESSION_PRIVATE_H
#define WUFEI_SESSION_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"
#include "tracker.h"

struct pin_lock {
	uint64_t staff_id; /* 0 = free slot */
	unsigned failures;
	int64_t until_ms; /* locked while now < until_ms */
};

struct session {
	struct session_config cfg;
	enum session_screen screen;
	enum session_message message;
	int64_t now_ms;
	int64_t screen_since_ms; /* for the screen's timeout; reset by activity */

	bool dev_up[SESSION_DEV_COUNT];
	bool staff_oos;     /* taken out of service by staff */
	bool ledger_failed; /* a commit failed: out of service until the ledger is up */

	struct tracker scale; /* tracked on every screen */

	/* The visit. */
	struct session_identity who;
	bool anonymous;
	uint16_t category_id;
	int64_t qty; /* candidate grams (CONFIRM) or pieces (COUNT) */
	int64_t session_points;
	/* anonymous visits: what this kiosk's anonymous drops earned today per
	 * category (credited), from the tap that started the visit, plus this
	 * visit's drops */
	unsigned nanon_today;
	struct session_today anon_today[WF_MAX_CATEGORIES];
	enum wf_lang lang;           /* this visit's language (cfg.language at attract) */
	struct session_drop pending; /* the drop being committed */

	/* Staff. */
	uint64_t staff_id;
	bool staff_admin;
	char pin[SESSION_PIN_MAX + 1];
	unsigned pin_len;
	struct pin_lock locks[SESSION_LOCKS_MAX];
	int64_t test_grams;
	char keyed[SESSION_KEYED_MAX]; /* bin weight keyed in (kg), STAFF_BIN_WEIGH */
	int64_t locked_until_ms;       /* shown on the refused screen */

	/* Receipts. */
	bool has_receipt;
	struct session_receipt receipt;
};

/* session.c: effects, screens, and the state of the kiosk */
void fx_push(struct session_effects *out, const struct session_effect *fx);
void fx_simple(struct session_effects *out, enum session_effect_kind kind);
void fx_staff(struct session *s, struct session_effects *out, enum session_staff_action action,
              int64_t value, bool ok);
void go(struct session *s, enum session_screen screen);
void go_idle(struct session *s); /* end the visit: attract, or out of service */
enum session_oos_reason oos_reason(const struct session *s);
int64_t screen_timeout_ms(const struct session *s);
bool is_staff_screen(enum session_screen sc);

/* visit.c */
void visit_card(struct session *s, const struct session_identity *who,
                struct session_effects *out); /* resident, blocked or unknown card */
void visit_reading(struct session *s, const struct session_reading *r);
bool visit_tap(struct session *s, const struct session_event *ev, struct session_effects *out);
void visit_committed(struct session *s, const struct session_event *ev,
                     struct session_effects *out);
/* credited quantity and points of qty of the visit's category; *anon_cut
 * (may be NULL) says the anonymous daily cap cut the credited part */
void visit_price(const struct session *s, int64_t qty, int64_t *credited, int64_t *points,
                 bool *anon_cut);

/* staff.c */
void staff_card(struct session *s, const struct session_identity *who);
bool staff_tap(struct session *s, const struct session_event *ev, struct session_effects *out);
void staff_pin_result(struct session *s, bool ok, struct session_effects *out);

#endif
