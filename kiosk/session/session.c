/*
 * session.c — the rules of a visit to the kiosk, as a pure state machine.
 *
 * Why it is shaped like this: every rule that decides whether a drop is
 * recorded, and for how many points, lives here where a test can drive it
 * with events and a fake clock. The caller does all I/O.
 *
 * The scale is tracked in every state (not only on the weigh screen), so a
 * bag put down before the weigh screen opened is still read, and so the
 * "platform came back to empty" rule (armed) sees every reading.
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf.h"

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

	/* Scale tracking. */
	bool have_reading;
	struct session_reading last;
	int64_t last_ms;
	bool window_ok;        /* a run of acceptable readings is in progress */
	int64_t ref_g;         /* first reading of the run */
	int64_t since_ms;      /* when the run started */
	int64_t run_max_abs_g; /* largest |grams| in the run: "empty" needs all of it in the zero
	                          band */
	bool stable;           /* the last reading completed a stable run */
	bool armed;            /* platform seen empty (stable, near zero) since the last drop */

	/* The visit. */
	struct session_identity who;
	bool anonymous;
	uint16_t category_id;
	int64_t qty; /* candidate grams (CONFIRM) or pieces (COUNT) */
	int64_t session_points;
	struct session_drop pending; /* the drop being committed */

	/* Staff. */
	uint64_t staff_id;
	bool staff_admin;
	char pin[SESSION_PIN_MAX + 1];
	unsigned pin_len;
	struct pin_lock locks[SESSION_LOCKS_MAX];
	int64_t test_grams;
	int64_t locked_until_ms; /* shown on the refused screen */

	/* Receipts. */
	bool has_receipt;
	struct session_receipt receipt;
};

static bool config_ok(const struct session_config *c, char *why, unsigned why_len);

/* ---- small helpers ---- */

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static void fx_push(struct session_effects *out, const struct session_effect *fx)
{
	/* The state machine never emits more than SESSION_EFFECTS_MAX per event. */
	if (out->n < SESSION_EFFECTS_MAX)
		out->fx[out->n++] = *fx;
}

static void fx_simple(struct session_effects *out, enum session_effect_kind kind)
{
	struct session_effect fx;
	memset(&fx, 0, sizeof fx);
	fx.kind = kind;
	fx_push(out, &fx);
}

static void fx_staff(struct session *s, struct session_effects *out,
                     enum session_staff_action action, int64_t value, bool ok)
{
	struct session_effect fx;
	memset(&fx, 0, sizeof fx);
	fx.kind = SESSION_FX_RECORD_STAFF;
	fx.u.staff.staff_id = s->staff_id;
	fx.u.staff.action = action;
	fx.u.staff.value = value;
	fx.u.staff.test_ok = ok;
	fx_push(out, &fx);
}

const struct wf_category *session_category(const struct session *s, uint16_t category_id)
{
	for (unsigned i = 0; i < s->cfg.ncategories; i++)
		if (s->cfg.categories[i].id == category_id)
			return &s->cfg.categories[i];
	return NULL;
}

static enum session_oos_reason oos_reason(const struct session *s)
{
	if (s->ledger_failed || !s->dev_up[SESSION_DEV_LEDGER])
		return SESSION_OOS_LEDGER;
	if (!s->dev_up[SESSION_DEV_SCALE])
		return SESSION_OOS_SCALE;
	if (!s->dev_up[SESSION_DEV_CARD])
		return SESSION_OOS_CARD_READER;
	if (s->staff_oos)
		return SESSION_OOS_STAFF;
	return SESSION_OOS_NONE;
}

static void go(struct session *s, enum session_screen screen)
{
	s->screen = screen;
	s->screen_since_ms = s->now_ms;
	s->message = SESSION_MSG_NONE;
}

/* End the visit: back to attract, or out of service if something is wrong. */
static void go_idle(struct session *s)
{
	memset(&s->who, 0, sizeof s->who);
	s->anonymous = false;
	s->category_id = 0;
	s->qty = 0;
	s->session_points = 0;
	s->staff_id = 0;
	s->staff_admin = false;
	s->pin_len = 0;
	memset(s->pin, 0, sizeof s->pin);
	go(s, oos_reason(s) == SESSION_OOS_NONE ? SESSION_SCREEN_ATTRACT
	                                        : SESSION_SCREEN_OUT_OF_SERVICE);
}

static int64_t screen_timeout_ms(const struct session *s)
{
	const struct session_config *c = &s->cfg;
	switch (s->screen) {
	case SESSION_SCREEN_REFUSED:
	case SESSION_SCREEN_UNKNOWN: return c->timeout_identify_ms;
	case SESSION_SCREEN_CATEGORY: return c->timeout_category_ms;
	case SESSION_SCREEN_WEIGH:
	case SESSION_SCREEN_COUNT: return c->timeout_weigh_ms;
	case SESSION_SCREEN_CONFIRM: return c->timeout_confirm_ms;
	case SESSION_SCREEN_RECEIPT: return c->timeout_receipt_ms;
	case SESSION_SCREEN_PIN:
	case SESSION_SCREEN_PIN_CHECK: return c->timeout_pin_ms;
	case SESSION_SCREEN_STAFF:
	case SESSION_SCREEN_STAFF_BIN_CATEGORY:
	case SESSION_SCREEN_STAFF_BIN_WEIGH: return c->timeout_staff_ms;
	case SESSION_SCREEN_ATTRACT:
	case SESSION_SCREEN_RECORDING:
	case SESSION_SCREEN_OUT_OF_SERVICE: return 0;
	}
	return 0;
}

static bool is_staff_screen(enum session_screen sc)
{
	return sc == SESSION_SCREEN_STAFF || sc == SESSION_SCREEN_STAFF_BIN_CATEGORY ||
	       sc == SESSION_SCREEN_STAFF_BIN_WEIGH;
}

/* Screens of a resident's visit before anything was recorded. */
static bool is_precommit_screen(enum session_screen sc)
{
	return sc == SESSION_SCREEN_CATEGORY || sc == SESSION_SCREEN_WEIGH ||
	       sc == SESSION_SCREEN_COUNT || sc == SESSION_SCREEN_CONFIRM ||
	       sc == SESSION_SCREEN_UNKNOWN || sc == SESSION_SCREEN_REFUSED;
}

static int64_t today_qty(const struct session *s, uint16_t category_id)
{
	for (unsigned i = 0; i < s->who.ntoday && i < WF_MAX_CATEGORIES; i++)
		if (s->who.today[i].category_id == category_id)
			return s->who.today[i].qty;
	return 0;
}

static void today_add(struct session *s, uint16_t category_id, int64_t qty)
{
	for (unsigned i = 0; i < s->who.ntoday && i < WF_MAX_CATEGORIES; i++) {
		if (s->who.today[i].category_id == category_id) {
			s->who.today[i].qty += qty;
			return;
		}
	}
	if (s->who.ntoday < WF_MAX_CATEGORIES) {
		s->who.today[s->who.ntoday].category_id = category_id;
		s->who.today[s->who.ntoday].qty = qty;
		s->who.ntoday++;
	}
}

/* Points for qty of the selected category under the daily limit. */
static void price(const struct session *s, int64_t qty, int64_t *credited, int64_t *points)
{
	const struct wf_category *c = session_category(s, s->category_id);
	*credited = 0;
	*points = 0;
	if (!c || qty <= 0)
		return;
	int64_t cr = wf_credited_qty(qty, today_qty(s, c->id), c->daily_limit_qty);
	int64_t pt = cr < 0 ? -1 : wf_points(c->unit, c->rate, cr);
	if (cr < 0 || pt < 0)
		return;
	*credited = cr;
	*points = pt;
}

/* ---- scale ---- */

static bool reading_flags_ok(const struct session_reading *r)
{
	if (r->no_weight || r->motion || r->overload || r->underload)
		return false;
	if (r->has_stable && !r->stable)
		return false;
	return true;
}

static void track_reading(struct session *s, const struct session_reading *r)
{
	bool ok = reading_flags_ok(r);
	s->have_reading = true;
	s->last = *r;
	s->last_ms = s->now_ms;
	if (!ok) {
		s->window_ok = false;
		s->stable = false;
		return;
	}
	if (!s->window_ok || abs64(r->grams - s->ref_g) > s->cfg.stable_tolerance_g) {
		s->window_ok = true;
		s->ref_g = r->grams;
		s->since_ms = s->now_ms;
		s->run_max_abs_g = 0;
	}
	if (abs64(r->grams) > s->run_max_abs_g)
		s->run_max_abs_g = abs64(r->grams);
	s->stable = s->now_ms - s->since_ms >= s->cfg.stable_time_ms;
	if (s->stable && s->run_max_abs_g <= s->cfg.zero_band_g)
		s->armed = true;
}

static void weigh_check(struct session *s)
{
	const struct wf_category *c = session_category(s, s->category_id);
	if (!c || !s->have_reading)
		return;
	if (s->last.overload) {
		s->message = SESSION_MSG_OVERLOAD;
		return;
	}
	if (s->message == SESSION_MSG_OVERLOAD)
		s->message = SESSION_MSG_NONE; /* the load came off: say so no longer */
	if (!s->stable)
		return;
	int64_t g = s->last.grams;
	if (abs64(g) <= s->cfg.zero_band_g) {
		s->message = SESSION_MSG_NONE;
		return;
	}
	if (!s->armed) {
		s->message = SESSION_MSG_CLEAR_PLATFORM;
		return;
	}
	if (g < c->min_qty) {
		s->message = SESSION_MSG_TOO_LIGHT;
		return;
	}
	if (g > c->max_qty) {
		s->message = SESSION_MSG_TOO_HEAVY;
		return;
	}
	s->qty = g;
	go(s, SESSION_SCREEN_CONFIRM);
	int64_t credited, points;
	price(s, g, &credited, &points);
	if (credited < g)
		s->message = SESSION_MSG_LIMIT_REACHED;
}

static void on_reading(struct session *s, const struct session_reading *r)
{
	/* Readings are not activity: a scale that never settles must not keep
	 * the weigh screen open for ever. Only taps restart a screen's timer. */
	track_reading(s, r);

	switch (s->screen) {
	case SESSION_SCREEN_WEIGH: weigh_check(s); break;
	case SESSION_SCREEN_CONFIRM:
		/* The weight shown must still be on the platform, unchanged. */
		if (!s->stable || abs64(r->grams - s->qty) > s->cfg.stable_tolerance_g) {
			go(s, SESSION_SCREEN_WEIGH);
			weigh_check(s);
		}
		break;
	default: break;
	}
}

/* ---- the visit ---- */

static void start_visit(struct session *s, const struct session_identity *who, bool anonymous)
{
	s->who = *who;
	if (s->who.ntoday > WF_MAX_CATEGORIES)
		s->who.ntoday = WF_MAX_CATEGORIES;
	s->who.name[SESSION_NAME_MAX - 1] = '\0';
	s->who.reason[SESSION_REASON_MAX - 1] = '\0';
	s->anonymous = anonymous;
	s->session_points = 0;
	s->category_id = 0;
	go(s, SESSION_SCREEN_CATEGORY);
}

static struct pin_lock *lock_for(struct session *s, const struct session_identity *who)
{
	struct pin_lock *free_slot = NULL, *oldest = &s->locks[0];
	for (unsigned i = 0; i < SESSION_LOCKS_MAX; i++) {
		struct pin_lock *l = &s->locks[i];
		if (l->staff_id == who->id)
			return l;
		if (!l->staff_id && !free_slot)
			free_slot = l;
		if (l->until_ms < oldest->until_ms)
			oldest = l;
	}
	struct pin_lock *l = free_slot ? free_slot : oldest;
	l->staff_id = who->id;
	l->failures = who->pin_failures;
	l->until_ms = 0;
	return l;
}

static void on_staff_card(struct session *s, const struct session_identity *who)
{
	struct pin_lock *l = lock_for(s, who);
	if (l->until_ms && s->now_ms >= l->until_ms) {
		l->failures = 0; /* the lock-out is over */
		l->until_ms = 0;
	}
	if (!l->until_ms && l->failures >= s->cfg.max_pin_attempts)
		l->until_ms = s->now_ms + s->cfg.lockout_ms; /* failures on record */
	memset(&s->who, 0, sizeof s->who);
	s->staff_id = who->id;
	s->staff_admin = who->admin;
	s->pin_len = 0;
	memset(s->pin, 0, sizeof s->pin);
	if (l->until_ms) {
		s->locked_until_ms = l->until_ms;
		go(s, SESSION_SCREEN_REFUSED);
		s->message = SESSION_MSG_LOCKED_OUT;
		return;
	}
	snprintf(s->who.name, sizeof s->who.name, "%s", who->name);
	go(s, SESSION_SCREEN_PIN);
}

static void on_card(struct session *s, const struct session_identity *who,
                    struct session_effects *out)
{
	enum session_screen sc = s->screen;
	bool idle = sc == SESSION_SCREEN_ATTRACT || sc == SESSION_SCREEN_REFUSED ||
	            sc == SESSION_SCREEN_UNKNOWN || sc == SESSION_SCREEN_RECEIPT;
	if (who->kind == SESSION_CARD_STAFF) {
		if (idle || sc == SESSION_SCREEN_OUT_OF_SERVICE)
			on_staff_card(s, who);
		return;
	}
	if (!idle || oos_reason(s) != SESSION_OOS_NONE)
		return; /* another card mid-visit, or a kiosk out of service, takes no visit */
	if (sc == SESSION_SCREEN_RECEIPT)
		go_idle(s); /* the next resident starts a new visit */
	if (s->screen != SESSION_SCREEN_ATTRACT && s->screen != SESSION_SCREEN_REFUSED &&
	    s->screen != SESSION_SCREEN_UNKNOWN)
		return;
	switch (who->kind) {
	case SESSION_CARD_RESIDENT:
		start_visit(s, who, false);
		fx_simple(out, SESSION_FX_BEEP_OK);
		break;
	case SESSION_CARD_BLOCKED:
		memset(&s->who, 0, sizeof s->who);
		snprintf(s->who.reason, sizeof s->who.reason, "%s", who->reason);
		go(s, SESSION_SCREEN_REFUSED);
		s->message = SESSION_MSG_BLOCKED;
		fx_simple(out, SESSION_FX_BEEP_ERROR);
		break;
	case SESSION_CARD_UNKNOWN:
		s->who = *who;
		if (s->who.ntoday > WF_MAX_CATEGORIES)
			s->who.ntoday = WF_MAX_CATEGORIES;
		s->who.name[0] = '\0';
		if (s->cfg.allow_anonymous) {
			go(s, SESSION_SCREEN_UNKNOWN);
		} else {
			go(s, SESSION_SCREEN_REFUSED);
			s->message = SESSION_MSG_UNKNOWN_CARD;
		}
		fx_simple(out, SESSION_FX_BEEP_ERROR);
		break;
	case SESSION_CARD_STAFF: break;
	}
}

static void choose_category(struct session *s, uint16_t category_id)
{
	const struct wf_category *c = session_category(s, category_id);
	s->category_id = category_id;
	s->qty = 0;
	if (c->unit == WF_UNIT_PIECE) {
		go(s, SESSION_SCREEN_COUNT);
		return;
	}
	go(s, SESSION_SCREEN_WEIGH);
	weigh_check(s); /* a bag already on the platform counts if it may */
}

static void record_drop(struct session *s, struct session_effects *out)
{
	const struct wf_category *c = session_category(s, s->category_id);
	struct session_effect fx;
	memset(&fx, 0, sizeof fx);
	fx.kind = SESSION_FX_RECORD_DROP;
	struct session_drop *d = &fx.u.drop;
	d->category_id = c->id;
	d->unit = c->unit;
	d->qty = s->qty;
	price(s, s->qty, &d->credited_qty, &d->points);
	d->rate_version = c->rate_version;
	d->anonymous = s->anonymous;
	d->capped = d->credited_qty < d->qty;
	d->resident_id = s->anonymous ? 0 : s->who.id;
	memcpy(d->card_hash, s->who.card_hash, sizeof d->card_hash);
	d->at_ms = s->now_ms;
	s->pending = *d;
	if (c->unit == WF_UNIT_GRAM)
		s->armed = false; /* the platform must come back to empty first */
	fx_push(out, &fx);
	go(s, SESSION_SCREEN_RECORDING);
}

static void confirm_tap(struct session *s, struct session_effects *out)
{
	const struct wf_category *c = session_category(s, s->category_id);
	if (!c)
		return;
	if (s->screen == SESSION_SCREEN_CONFIRM) {
		/* on_reading leaves CONFIRM as soon as the weight is not stable. */
		if (s->stable && s->armed && s->qty >= c->min_qty && s->qty <= c->max_qty)
			record_drop(s, out);
		return;
	}
	/* COUNT */
	if (s->qty >= c->min_qty && s->qty <= c->max_qty)
		record_drop(s, out);
	else
		fx_simple(out, SESSION_FX_BEEP_ERROR);
}

static void staff_tap(struct session *s, enum session_control ctl, struct session_effects *out)
{
	switch (ctl) {
	case SESSION_TAP_STAFF_ZERO:
		fx_simple(out, SESSION_FX_SCALE_ZERO);
		fx_staff(s, out, SESSION_STAFF_ZERO, 0, true);
		break;
	case SESSION_TAP_STAFF_TARE:
		fx_simple(out, SESSION_FX_SCALE_TARE);
		fx_staff(s, out, SESSION_STAFF_TARE, 0, true);
		break;
	case SESSION_TAP_STAFF_TEST_WEIGHT: {
		if (!s->have_reading || !s->stable) {
			s->message = SESSION_MSG_TEST_FAILED;
			fx_simple(out, SESSION_FX_BEEP_ERROR);
			break;
		}
		bool ok = abs64(s->last.grams - s->cfg.test_weight_g) <= s->cfg.test_tolerance_g;
		s->test_grams = s->last.grams;
		s->message = ok ? SESSION_MSG_TEST_OK : SESSION_MSG_TEST_FAILED;
		fx_staff(s, out, SESSION_STAFF_TEST_WEIGHT, s->last.grams, ok);
		break;
	}
	case SESSION_TAP_STAFF_BIN: go(s, SESSION_SCREEN_STAFF_BIN_CATEGORY); break;
	case SESSION_TAP_STAFF_REPRINT:
		if (!s->has_receipt) {
			fx_simple(out, SESSION_FX_BEEP_ERROR);
			break;
		}
		struct session_effect fx;
		memset(&fx, 0, sizeof fx);
		fx.kind = SESSION_FX_PRINT_RECEIPT;
		fx.u.receipt = s->receipt;
		fx_push(out, &fx);
		fx_staff(s, out, SESSION_STAFF_REPRINT, (int64_t)s->receipt.seq, true);
		break;
	case SESSION_TAP_STAFF_OOS_ON:
		s->staff_oos = true;
		fx_staff(s, out, SESSION_STAFF_OOS_ON, 0, true);
		break;
	case SESSION_TAP_STAFF_OOS_OFF:
		s->staff_oos = false;
		fx_staff(s, out, SESSION_STAFF_OOS_OFF, 0, true);
		break;
	case SESSION_TAP_STAFF_EXIT:
		fx_staff(s, out, SESSION_STAFF_LOGOUT, 0, true);
		go_idle(s);
		break;
	default: break;
	}
}

static void bin_tap(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	enum session_control ctl = ev->u.tap.control;
	if (ctl == SESSION_TAP_CANCEL) {
		go(s, SESSION_SCREEN_STAFF);
		return;
	}
	if (s->screen == SESSION_SCREEN_STAFF_BIN_CATEGORY && ctl == SESSION_TAP_CATEGORY) {
		s->category_id = ev->u.tap.category_id;
		go(s, SESSION_SCREEN_STAFF_BIN_WEIGH);
		return;
	}
	if (s->screen == SESSION_SCREEN_STAFF_BIN_WEIGH && ctl == SESSION_TAP_CONFIRM) {
		if (!s->have_reading || !s->stable || s->last.grams <= s->cfg.zero_band_g ||
		    oos_reason(s) == SESSION_OOS_LEDGER) {
			fx_simple(
			    out,
			    SESSION_FX_BEEP_ERROR); /* nothing to weigh, or nowhere to record */
			return;
		}
		struct session_effect fx;
		memset(&fx, 0, sizeof fx);
		fx.kind = SESSION_FX_RECORD_BIN;
		fx.u.bin.staff_id = s->staff_id;
		fx.u.bin.category_id = s->category_id;
		fx.u.bin.grams = s->last.grams;
		fx_push(out, &fx);
		s->armed = false; /* the collected bag must leave the platform first */
		go(s, SESSION_SCREEN_STAFF);
	}
}

static void pin_tap(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	switch (ev->u.tap.control) {
	case SESSION_TAP_DIGIT:
		if (s->pin_len < SESSION_PIN_MAX) {
			s->pin[s->pin_len++] = (char)('0' + ev->u.tap.digit);
			s->pin[s->pin_len] = '\0';
		}
		s->message = SESSION_MSG_NONE;
		break;
	case SESSION_TAP_BACKSPACE:
		if (s->pin_len > 0)
			s->pin[--s->pin_len] = '\0';
		break;
	case SESSION_TAP_CONFIRM: {
		if (s->pin_len < 4) {
			fx_simple(out, SESSION_FX_BEEP_ERROR);
			break;
		}
		struct session_effect fx;
		memset(&fx, 0, sizeof fx);
		fx.kind = SESSION_FX_VERIFY_PIN;
		fx.u.pin.staff_id = s->staff_id;
		memcpy(fx.u.pin.digits, s->pin, sizeof fx.u.pin.digits);
		fx_push(out, &fx);
		memset(s->pin, 0, sizeof s->pin);
		s->pin_len = 0;
		go(s, SESSION_SCREEN_PIN_CHECK);
		break;
	}
	case SESSION_TAP_CANCEL: go_idle(s); break;
	default: break;
	}
}

static void on_pin_result(struct session *s, bool ok, struct session_effects *out)
{
	if (s->screen != SESSION_SCREEN_PIN_CHECK)
		return;
	struct session_identity who;
	memset(&who, 0, sizeof who);
	who.id = s->staff_id;
	struct pin_lock *l = lock_for(s, &who);
	if (ok) {
		l->failures = 0;
		l->until_ms = 0;
		go(s, SESSION_SCREEN_STAFF);
		fx_staff(s, out, SESSION_STAFF_LOGIN, 0, true);
		fx_simple(out, SESSION_FX_BEEP_OK);
		return;
	}
	l->failures++;
	fx_staff(s, out, SESSION_STAFF_PIN_FAILED, l->failures, false);
	fx_simple(out, SESSION_FX_BEEP_ERROR);
	if (l->failures >= s->cfg.max_pin_attempts) {
		l->until_ms = s->now_ms + s->cfg.lockout_ms;
		s->locked_until_ms = l->until_ms;
		fx_staff(s, out, SESSION_STAFF_LOCKOUT, l->failures, false);
		go(s, SESSION_SCREEN_REFUSED);
		s->message = SESSION_MSG_LOCKED_OUT;
		return;
	}
	go(s, SESSION_SCREEN_PIN);
	s->message = SESSION_MSG_PIN_WRONG;
}

static bool control_known(enum session_control c)
{
	return c >= SESSION_TAP_CATEGORY && c <= SESSION_TAP_STAFF_EXIT;
}

static bool tap_valid(const struct session *s, const struct session_event *ev)
{
	enum session_control ctl = ev->u.tap.control;
	if (!control_known(ctl))
		return false;
	if (ctl == SESSION_TAP_DIGIT && (ev->u.tap.digit < 0 || ev->u.tap.digit > 9))
		return false;
	if (ctl == SESSION_TAP_CATEGORY && !session_category(s, ev->u.tap.category_id))
		return false;
	return true;
}

static int on_tap(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	enum session_control ctl = ev->u.tap.control;
	if (screen_timeout_ms(s) > 0)
		s->screen_since_ms = s->now_ms; /* any touch is activity */

	switch (s->screen) {
	case SESSION_SCREEN_ATTRACT:
		if (ctl == SESSION_TAP_ANONYMOUS && s->cfg.allow_anonymous) {
			struct session_identity anon;
			memset(&anon, 0, sizeof anon);
			anon.kind = SESSION_CARD_UNKNOWN;
			start_visit(s, &anon, true);
		}
		break;
	case SESSION_SCREEN_UNKNOWN:
		if (ctl == SESSION_TAP_ANONYMOUS) {
			struct session_identity who = s->who;
			start_visit(s, &who, true);
		} else if (ctl == SESSION_TAP_CANCEL) {
			go_idle(s);
		}
		break;
	case SESSION_SCREEN_REFUSED:
		if (ctl == SESSION_TAP_CANCEL || ctl == SESSION_TAP_DONE)
			go_idle(s);
		break;
	case SESSION_SCREEN_CATEGORY:
		if (ctl == SESSION_TAP_CATEGORY)
			choose_category(s, ev->u.tap.category_id);
		else if (ctl == SESSION_TAP_CANCEL || ctl == SESSION_TAP_DONE)
			go_idle(s);
		break;
	case SESSION_SCREEN_WEIGH:
		if (ctl == SESSION_TAP_CANCEL)
			go(s, SESSION_SCREEN_CATEGORY);
		break;
	case SESSION_SCREEN_COUNT:
		if (ctl == SESSION_TAP_PIECE_MORE && s->qty < WF_QTY_MAX)
			s->qty++;
		else if (ctl == SESSION_TAP_PIECE_LESS && s->qty > 0)
			s->qty--;
		else if (ctl == SESSION_TAP_CONFIRM)
			confirm_tap(s, out);
		else if (ctl == SESSION_TAP_CANCEL)
			go(s, SESSION_SCREEN_CATEGORY);
		break;
	case SESSION_SCREEN_CONFIRM:
		if (ctl == SESSION_TAP_CONFIRM)
			confirm_tap(s, out);
		else if (ctl == SESSION_TAP_CANCEL)
			go(s, SESSION_SCREEN_CATEGORY);
		break;
	case SESSION_SCREEN_RECEIPT:
		if (ctl == SESSION_TAP_ANOTHER && oos_reason(s) == SESSION_OOS_NONE) {
			s->category_id = 0;
			go(s, SESSION_SCREEN_CATEGORY);
		} else if (ctl == SESSION_TAP_DONE || ctl == SESSION_TAP_ANOTHER) {
			go_idle(s);
		}
		break;
	case SESSION_SCREEN_PIN: pin_tap(s, ev, out); break;
	case SESSION_SCREEN_STAFF: staff_tap(s, ctl, out); break;
	case SESSION_SCREEN_STAFF_BIN_CATEGORY:
	case SESSION_SCREEN_STAFF_BIN_WEIGH: bin_tap(s, ev, out); break;
	case SESSION_SCREEN_PIN_CHECK:
	case SESSION_SCREEN_RECORDING:
	case SESSION_SCREEN_OUT_OF_SERVICE: break;
	}
	return WF_OK;
}

static void on_committed(struct session *s, const struct session_event *ev,
                         struct session_effects *out)
{
	if (s->screen != SESSION_SCREEN_RECORDING)
		return;
	s->has_receipt = true;
	memset(&s->receipt, 0, sizeof s->receipt);
	s->receipt.seq = ev->u.committed.seq;
	s->receipt.drop = s->pending;
	memcpy(s->receipt.token, ev->u.committed.token, sizeof s->receipt.token);
	s->receipt.token[SESSION_TOKEN_MAX - 1] = '\0';
	today_add(s, s->pending.category_id, s->pending.qty);
	s->session_points += s->pending.points;
	go(s, SESSION_SCREEN_RECEIPT);
	if (s->pending.capped)
		s->message = SESSION_MSG_LIMIT_REACHED;
	if (s->dev_up[SESSION_DEV_PRINTER]) {
		struct session_effect fx;
		memset(&fx, 0, sizeof fx);
		fx.kind = SESSION_FX_PRINT_RECEIPT;
		fx.u.receipt = s->receipt;
		fx_push(out, &fx);
	} else {
		s->message = SESSION_MSG_PRINTER_FAILED;
	}
	fx_simple(out, SESSION_FX_BEEP_OK);
}

static void on_device(struct session *s, enum session_device dev, bool up)
{
	s->dev_up[dev] = up;
	if (dev == SESSION_DEV_SCALE && !up) {
		/* Nothing seen before the outage counts after it. */
		s->have_reading = false;
		s->window_ok = false;
		s->stable = false;
		s->armed = false;
	}
	if (dev == SESSION_DEV_LEDGER && up)
		s->ledger_failed = false;
	if (dev == SESSION_DEV_PRINTER)
		return; /* receipts still show on screen */
	if (!up) {
		if (is_precommit_screen(s->screen)) {
			go_idle(s); /* nothing was recorded */
			s->message = SESSION_MSG_CANCELLED_DEVICE;
		} else if (s->screen == SESSION_SCREEN_ATTRACT) {
			go_idle(s);
		}
		/* RECORDING waits for the journal's answer; RECEIPT and staff screens stay. */
		return;
	}
	if (s->screen == SESSION_SCREEN_OUT_OF_SERVICE && oos_reason(s) == SESSION_OOS_NONE)
		go(s, SESSION_SCREEN_ATTRACT);
}

static void on_timeout(struct session *s, struct session_effects *out)
{
	int64_t t = screen_timeout_ms(s);
	if (t <= 0 || s->now_ms - s->screen_since_ms < t)
		return;
	if (is_staff_screen(s->screen))
		fx_staff(s, out, SESSION_STAFF_LOGOUT, 0, true);
	go_idle(s);
}

/* After staff changed out-of-service, leave or enter it when idle. */
static void settle_idle(struct session *s)
{
	if (s->screen == SESSION_SCREEN_ATTRACT && oos_reason(s) != SESSION_OOS_NONE)
		go(s, SESSION_SCREEN_OUT_OF_SERVICE);
	else if (s->screen == SESSION_SCREEN_OUT_OF_SERVICE && oos_reason(s) == SESSION_OOS_NONE)
		go(s, SESSION_SCREEN_ATTRACT);
}

int session_step(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	out->n = 0;
	if (ev->kind < SESSION_EV_TICK || ev->kind > SESSION_EV_PRINT_FAILED)
		return WF_EINVAL;
	if (ev->kind == SESSION_EV_DEVICE &&
	    (ev->u.device.device < 0 || ev->u.device.device >= SESSION_DEV_COUNT))
		return WF_EINVAL;
	if (ev->kind == SESSION_EV_CARD &&
	    (ev->u.card.kind < SESSION_CARD_RESIDENT || ev->u.card.kind > SESSION_CARD_STAFF))
		return WF_EINVAL;
	if (ev->kind == SESSION_EV_TAP && !tap_valid(s, ev))
		return WF_EINVAL; /* before the clock moves: a malformed event changes nothing */
	if (ev->now_ms > s->now_ms)
		s->now_ms = ev->now_ms;

	on_timeout(s, out);
	int rc = WF_OK;
	switch (ev->kind) {
	case SESSION_EV_TICK: break;
	case SESSION_EV_CARD: on_card(s, &ev->u.card, out); break;
	case SESSION_EV_READING: on_reading(s, &ev->u.reading); break;
	case SESSION_EV_TAP: rc = on_tap(s, ev, out); break;
	case SESSION_EV_DEVICE: on_device(s, ev->u.device.device, ev->u.device.up); break;
	case SESSION_EV_COMMITTED: on_committed(s, ev, out); break;
	case SESSION_EV_COMMIT_FAILED:
		if (s->screen == SESSION_SCREEN_RECORDING) {
			s->ledger_failed = true;
			go_idle(s);
			fx_simple(out, SESSION_FX_BEEP_ERROR);
		}
		break;
	case SESSION_EV_PIN_RESULT: on_pin_result(s, ev->u.pin_ok, out); break;
	case SESSION_EV_PRINTED:
		if (s->message == SESSION_MSG_PRINTER_FAILED)
			s->message = SESSION_MSG_NONE;
		break;
	case SESSION_EV_PRINT_FAILED:
		if (s->screen == SESSION_SCREEN_RECEIPT || is_staff_screen(s->screen))
			s->message = SESSION_MSG_PRINTER_FAILED;
		break;
	}
	settle_idle(s);
	return rc;
}

int session_set_catalog(struct session *s, const struct wf_category *cats, unsigned n)
{
	if (s->screen != SESSION_SCREEN_ATTRACT && s->screen != SESSION_SCREEN_OUT_OF_SERVICE)
		return WF_ESTATE;
	if (n > WF_MAX_CATEGORIES)
		return WF_EINVAL;
	struct session_config c = s->cfg;
	c.ncategories = n;
	memcpy(c.categories, cats, n * sizeof *cats);
	if (!config_ok(&c, NULL, 0))
		return WF_EINVAL;
	s->cfg = c;
	return WF_OK;
}

/* ---- view ---- */

static unsigned stable_pct(const struct session *s)
{
	if (!s->have_reading || !s->window_ok)
		return 0;
	if (s->stable)
		return 100;
	int64_t pct = (s->last_ms - s->since_ms) * 100 / s->cfg.stable_time_ms;
	return pct < 0 ? 0 : pct > 99 ? 99 : (unsigned)pct;
}

static enum session_scale live_scale(const struct session *s)
{
	if (!s->have_reading)
		return SESSION_SCALE_NONE;
	if (s->last.overload)
		return SESSION_SCALE_OVERLOAD;
	if (s->last.underload)
		return SESSION_SCALE_UNDERLOAD;
	if (s->last.no_weight || s->last.motion || (s->last.has_stable && !s->last.stable))
		return SESSION_SCALE_MOVING;
	return s->stable ? SESSION_SCALE_STABLE : SESSION_SCALE_SETTLING;
}

struct session_view session_view(const struct session *s)
{
	struct session_view v;
	memset(&v, 0, sizeof v);
	v.screen = s->screen;
	v.message = s->message;
	v.oos = oos_reason(s);
	memcpy(v.name, s->who.name, sizeof v.name);
	memcpy(v.reason, s->who.reason, sizeof v.reason);
	v.anonymous = s->anonymous;
	v.staff_admin = s->staff_admin;
	v.category_id = s->category_id;
	v.live_has_weight =
	    s->have_reading && !s->last.no_weight && !s->last.overload && !s->last.underload;
	v.live_grams = v.live_has_weight ? s->last.grams : 0;
	v.live = live_scale(s);
	v.live_stable = s->stable;
	v.stable_pct = stable_pct(s);
	if (s->screen == SESSION_SCREEN_CONFIRM || s->screen == SESSION_SCREEN_COUNT) {
		int64_t credited;
		v.qty = s->qty;
		price(s, s->qty, &credited, &v.points);
		v.capped = credited < s->qty;
	} else if (s->screen == SESSION_SCREEN_RECEIPT) {
		v.qty = s->receipt.drop.qty;
		v.points = s->receipt.drop.points;
		v.capped = s->receipt.drop.capped;
	}
	v.session_points = s->session_points;
	v.pin_len = s->pin_len;
	if (s->message == SESSION_MSG_LOCKED_OUT && s->locked_until_ms > s->now_ms)
		v.locked_ms = s->locked_until_ms - s->now_ms;
	int64_t t = screen_timeout_ms(s);
	if (t > 0) {
		int64_t left = t - (s->now_ms - s->screen_since_ms);
		v.timeout_left_ms = left > 0 ? left : 0;
	}
	v.printer_ok = s->dev_up[SESSION_DEV_PRINTER];
	v.has_receipt = s->has_receipt;
	if (s->has_receipt)
		v.receipt = s->receipt;
	v.test_grams = s->test_grams;
	return v;
}

/* ---- creation ---- */

void session_config_defaults(struct session_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->stable_tolerance_g = 10;
	cfg->stable_time_ms = 1500;
	cfg->zero_band_g = 20;
	cfg->test_weight_g = 5000;
	cfg->test_tolerance_g = 10;
	cfg->timeout_identify_ms = 8000;
	cfg->timeout_category_ms = 30000;
	cfg->timeout_weigh_ms = 60000;
	cfg->timeout_confirm_ms = 30000;
	cfg->timeout_receipt_ms = 20000;
	cfg->timeout_pin_ms = 30000;
	cfg->timeout_staff_ms = 120000;
	cfg->max_pin_attempts = 3;
	cfg->lockout_ms = 300000;
	cfg->allow_anonymous = false;
}

static bool config_ok(const struct session_config *c, char *why, unsigned why_len)
{
	const char *bad = NULL;
	char cat_why[96];
	if (c->stable_tolerance_g < 0 || c->zero_band_g < 0 || c->test_tolerance_g < 0)
		bad = "tolerances must not be negative";
	else if (c->stable_time_ms <= 0)
		bad = "stable_time_ms must be positive";
	else if (c->timeout_identify_ms <= 0 || c->timeout_category_ms <= 0 ||
	         c->timeout_weigh_ms <= 0 || c->timeout_confirm_ms <= 0 ||
	         c->timeout_receipt_ms <= 0 || c->timeout_pin_ms <= 0 || c->timeout_staff_ms <= 0)
		bad = "every screen timeout must be positive";
	else if (c->max_pin_attempts < 1 || c->lockout_ms <= 0)
		bad = "max_pin_attempts must be >= 1 and lockout_ms positive";
	else if (c->ncategories > WF_MAX_CATEGORIES)
		bad = "too many categories";
	for (unsigned i = 0; !bad && i < c->ncategories; i++) {
		if (!wf_category_check(&c->categories[i], cat_why, sizeof cat_why)) {
			if (why && why_len)
				snprintf(why, why_len, "category %u: %s", i, cat_why);
			return false;
		}
		for (unsigned j = 0; j < i; j++)
			if (c->categories[j].id == c->categories[i].id)
				bad = "two categories share an id";
		/* Such a weight would read as an empty platform and never count. */
		if (c->categories[i].unit == WF_UNIT_GRAM &&
		    c->categories[i].min_qty <= c->zero_band_g)
			bad = "a weighed category's minimum must be above zero_band_g";
	}
	if (bad && why && why_len)
		snprintf(why, why_len, "%s", bad);
	return bad == NULL;
}

struct session *session_create(const struct session_config *cfg, int64_t now_ms, char *why,
                               unsigned why_len)
{
	if (!config_ok(cfg, why, why_len))
		return NULL;
	struct session *s = calloc(1, sizeof *s);
	if (!s) {
		if (why && why_len)
			snprintf(why, why_len, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->now_ms = now_ms;
	for (int i = 0; i < SESSION_DEV_COUNT; i++)
		s->dev_up[i] = true;
	go(s, SESSION_SCREEN_ATTRACT);
	return s;
}

void session_destroy(struct session *s)
{
	free(s);
}

/* ---- names ---- */

const char *session_screen_name(enum session_screen screen)
{
	static const char *const names[] = {
	    [SESSION_SCREEN_ATTRACT] = "attract",
	    [SESSION_SCREEN_REFUSED] = "refused",
	    [SESSION_SCREEN_UNKNOWN] = "unknown-card",
	    [SESSION_SCREEN_CATEGORY] = "category",
	    [SESSION_SCREEN_WEIGH] = "weigh",
	    [SESSION_SCREEN_COUNT] = "count",
	    [SESSION_SCREEN_CONFIRM] = "confirm",
	    [SESSION_SCREEN_RECORDING] = "recording",
	    [SESSION_SCREEN_RECEIPT] = "receipt",
	    [SESSION_SCREEN_PIN] = "pin",
	    [SESSION_SCREEN_PIN_CHECK] = "pin-check",
	    [SESSION_SCREEN_STAFF] = "staff",
	    [SESSION_SCREEN_STAFF_BIN_CATEGORY] = "staff-bin-category",
	    [SESSION_SCREEN_STAFF_BIN_WEIGH] = "staff-bin-weigh",
	    [SESSION_SCREEN_OUT_OF_SERVICE] = "out-of-service",
	};
	if ((unsigned)screen < sizeof names / sizeof names[0] && names[screen])
		return names[screen];
	return "?";
}

const char *session_message_name(enum session_message message)
{
	static const char *const names[] = {
	    [SESSION_MSG_NONE] = "",
	    [SESSION_MSG_BLOCKED] = "blocked",
	    [SESSION_MSG_UNKNOWN_CARD] = "unknown-card",
	    [SESSION_MSG_TOO_LIGHT] = "too-light",
	    [SESSION_MSG_TOO_HEAVY] = "too-heavy",
	    [SESSION_MSG_OVERLOAD] = "overload",
	    [SESSION_MSG_CLEAR_PLATFORM] = "clear-platform",
	    [SESSION_MSG_LIMIT_REACHED] = "limit-reached",
	    [SESSION_MSG_PRINTER_FAILED] = "printer-failed",
	    [SESSION_MSG_PIN_WRONG] = "pin-wrong",
	    [SESSION_MSG_LOCKED_OUT] = "locked-out",
	    [SESSION_MSG_CANCELLED_DEVICE] = "cancelled-device",
	    [SESSION_MSG_TEST_OK] = "test-ok",
	    [SESSION_MSG_TEST_FAILED] = "test-failed",
	};
	if ((unsigned)message < sizeof names / sizeof names[0] && names[message])
		return names[message];
	return "?";
}

const char *session_scale_name(enum session_scale scale)
{
	static const char *const names[] = {
	    [SESSION_SCALE_NONE] = "none",         [SESSION_SCALE_SETTLING] = "settling",
	    [SESSION_SCALE_STABLE] = "stable",     [SESSION_SCALE_MOVING] = "moving",
	    [SESSION_SCALE_OVERLOAD] = "overload", [SESSION_SCALE_UNDERLOAD] = "underload",
	};
	if ((unsigned)scale < sizeof names / sizeof names[0] && names[scale])
		return names[scale];
	return "?";
}

const char *session_effect_name(enum session_effect_kind kind)
{
	static const char *const names[] = {
	    [SESSION_FX_RECORD_DROP] = "record-drop",     [SESSION_FX_VERIFY_PIN] = "verify-pin",
	    [SESSION_FX_PRINT_RECEIPT] = "print-receipt", [SESSION_FX_SCALE_ZERO] = "scale-zero",
	    [SESSION_FX_SCALE_TARE] = "scale-tare",       [SESSION_FX_RECORD_BIN] = "record-bin",
	    [SESSION_FX_RECORD_STAFF] = "record-staff",   [SESSION_FX_BEEP_OK] = "beep-ok",
	    [SESSION_FX_BEEP_ERROR] = "beep-error",
	};
	if ((unsigned)kind < sizeof names / sizeof names[0] && names[kind])
		return names[kind];
	return "?";
}
