/*
 * staff.c — staff at the kiosk: the staff card, the PIN and its lock-out
 * after repeated wrong PINs, the staff menu (zero, tare, test weight, bin
 * collection, reprint, out of service) and the PIN check's answer.
 */
#include "session_private.h"

#include <stdio.h>
#include <string.h>

#include "wf.h"

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static struct pin_lock *lock_for(struct session *s, uint64_t staff_id, unsigned failures)
{
	struct pin_lock *free_slot = NULL, *oldest = &s->locks[0];
	for (unsigned i = 0; i < SESSION_LOCKS_MAX; i++) {
		struct pin_lock *l = &s->locks[i];
		if (l->staff_id == staff_id)
			return l;
		if (!l->staff_id && !free_slot)
			free_slot = l;
		if (l->until_ms < oldest->until_ms)
			oldest = l;
	}
	struct pin_lock *l = free_slot ? free_slot : oldest;
	l->staff_id = staff_id;
	l->failures = failures;
	l->until_ms = 0;
	return l;
}

void staff_card(struct session *s, const struct session_identity *who)
{
	struct pin_lock *l = lock_for(s, who->id, who->pin_failures);
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

static void test_weight(struct session *s, struct session_effects *out)
{
	int64_t g;
	if (!tracker_stable_grams(&s->scale, &g)) {
		s->message = SESSION_MSG_TEST_FAILED;
		fx_simple(out, SESSION_FX_BEEP_ERROR);
		return;
	}
	bool ok = abs64(g - s->cfg.test_weight_g) <= s->cfg.test_tolerance_g;
	s->test_grams = g;
	s->message = ok ? SESSION_MSG_TEST_OK : SESSION_MSG_TEST_FAILED;
	fx_staff(s, out, SESSION_STAFF_TEST_WEIGHT, g, ok);
}

static void reprint(struct session *s, struct session_effects *out)
{
	if (!s->has_receipt) {
		fx_simple(out, SESSION_FX_BEEP_ERROR);
		return;
	}
	struct session_effect fx;
	memset(&fx, 0, sizeof fx);
	fx.kind = SESSION_FX_PRINT_RECEIPT;
	fx.u.receipt = s->receipt;
	fx_push(out, &fx);
	fx_staff(s, out, SESSION_STAFF_REPRINT, (int64_t)s->receipt.seq, true);
}

static void menu_tap(struct session *s, enum session_control ctl, struct session_effects *out)
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
	case SESSION_TAP_STAFF_TEST_WEIGHT: test_weight(s, out); break;
	case SESSION_TAP_STAFF_BIN: go(s, SESSION_SCREEN_STAFF_BIN_CATEGORY); break;
	case SESSION_TAP_STAFF_REPRINT: reprint(s, out); break;
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

/* Whether kg can still become a weight: digits without a leading zero
 * (but "0.5"), at most one point and three decimals, at most
 * SESSION_KEYED_MAX_G in all. */
static bool keyed_prefix_ok(const char *kg)
{
	size_t n = strlen(kg), whole = strcspn(kg, ".");
	if (n == 0 || n >= SESSION_KEYED_MAX || whole == 0 || (kg[0] == '0' && whole > 1))
		return false;
	if (whole < n && (strchr(kg + whole + 1, '.') != NULL || n - whole - 1 > 3))
		return false;
	int64_t w = 0;
	for (size_t i = 0; i < whole; i++)
		w = w * 10 + (kg[i] - '0');
	return w <= SESSION_KEYED_MAX_G / 1000;
}

/* A key of the bin weight's pad: digits, one decimal point (at most three
 * decimals), backspace. What cannot be a weight is refused with a beep. */
static void bin_key(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	size_t n = strlen(s->keyed);
	char next[SESSION_KEYED_MAX + 1];
	switch (ev->u.tap.control) {
	case SESSION_TAP_BACKSPACE:
		if (n > 0)
			s->keyed[n - 1] = '\0';
		return;
	case SESSION_TAP_DIGIT:
	case SESSION_TAP_POINT:
		snprintf(next, sizeof next, "%s%c", s->keyed,
		         ev->u.tap.control == SESSION_TAP_POINT ? '.' : '0' + ev->u.tap.digit);
		break;
	default: return;
	}
	if (keyed_prefix_ok(next))
		memcpy(s->keyed, next, sizeof s->keyed);
	else
		fx_simple(out, SESSION_FX_BEEP_ERROR);
}

static void bin_tap(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	enum session_control ctl = ev->u.tap.control;
	int64_t g;
	if (ctl == SESSION_TAP_CANCEL) {
		go(s, SESSION_SCREEN_STAFF);
		return;
	}
	if (s->screen == SESSION_SCREEN_STAFF_BIN_CATEGORY && ctl == SESSION_TAP_CATEGORY) {
		s->category_id = ev->u.tap.category_id;
		memset(s->keyed, 0, sizeof s->keyed);
		go(s, SESSION_SCREEN_STAFF_BIN_WEIGH);
		return;
	}
	if (s->screen != SESSION_SCREEN_STAFF_BIN_WEIGH)
		return;
	if (ctl != SESSION_TAP_CONFIRM) {
		bin_key(s, ev, out);
		return;
	}
	/* A weight keyed in wins over the scale (a bin too big for the platform). */
	bool keyed = s->keyed[0] != '\0';
	bool have = keyed ? (g = session_keyed_grams(s->keyed)) > 0
	                  : tracker_stable_grams(&s->scale, &g) && g > s->cfg.zero_band_g;
	if (!have || oos_reason(s) == SESSION_OOS_LEDGER) {
		fx_simple(out, SESSION_FX_BEEP_ERROR); /* nothing to weigh, or nowhere to record */
		return;
	}
	struct session_effect fx;
	memset(&fx, 0, sizeof fx);
	fx.kind = SESSION_FX_RECORD_BIN;
	fx.u.bin.staff_id = s->staff_id;
	fx.u.bin.category_id = s->category_id;
	fx.u.bin.grams = g;
	fx_push(out, &fx);
	if (keyed)
		fx_staff(s, out, SESSION_STAFF_BIN_KEYED, g, true);
	else
		tracker_disarm(&s->scale); /* the collected bag must leave the platform first */
	memset(s->keyed, 0, sizeof s->keyed);
	go(s, SESSION_SCREEN_STAFF);
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

bool staff_tap(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	switch (s->screen) {
	case SESSION_SCREEN_PIN: pin_tap(s, ev, out); return true;
	case SESSION_SCREEN_STAFF: menu_tap(s, ev->u.tap.control, out); return true;
	case SESSION_SCREEN_STAFF_BIN_CATEGORY:
	case SESSION_SCREEN_STAFF_BIN_WEIGH: bin_tap(s, ev, out); return true;
	case SESSION_SCREEN_PIN_CHECK:
	case SESSION_SCREEN_RECORDING:
	case SESSION_SCREEN_OUT_OF_SERVICE: return true; /* no taps here */
	default: return false;
	}
}

void staff_pin_result(struct session *s, bool ok, struct session_effects *out)
{
	if (s->screen != SESSION_SCREEN_PIN_CHECK)
		return;
	struct pin_lock *l = lock_for(s, s->staff_id, 0);
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
