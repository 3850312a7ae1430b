/*
 * view.c — what the UI draws of the session (a plain value, session.h) and
 * the names of screens, messages, scale states and effects (logs, scripts).
 */
#include "session_private.h"

#include <string.h>

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
	v.live_has_weight = tracker_weight(&s->scale, &v.live_grams);
	v.live = tracker_live(&s->scale);
	v.live_stable = tracker_live(&s->scale) == SESSION_SCALE_STABLE;
	v.stable_pct = tracker_stable_pct(&s->scale);
	if (s->screen == SESSION_SCREEN_CONFIRM || s->screen == SESSION_SCREEN_COUNT) {
		int64_t credited;
		v.qty = s->qty;
		visit_price(s, s->qty, &credited, &v.points, &v.anon_capped);
		v.capped = credited < s->qty;
	} else if (s->screen == SESSION_SCREEN_RECEIPT) {
		v.qty = s->receipt.drop.qty;
		v.points = s->receipt.drop.points;
		v.capped = s->receipt.drop.capped;
		v.anon_capped = s->receipt.drop.anon_capped;
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
	v.test_expected_g = s->cfg.test_weight_g;
	v.test_tolerance_g = s->cfg.test_tolerance_g;
	memcpy(v.keyed, s->keyed, sizeof v.keyed);
	v.keyed_grams = session_keyed_grams(s->keyed);
	v.language = s->lang;
	v.allow_anonymous = s->cfg.allow_anonymous;
	v.staff_oos = s->staff_oos;
	v.has_balance = !s->anonymous && s->who.kind == SESSION_CARD_RESIDENT && s->who.has_balance;
	if (v.has_balance)
		v.balance = s->who.balance + s->session_points;
	return v;
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
	    [SESSION_MSG_ANON_CAP_REACHED] = "anon-cap-reached",
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

int64_t session_keyed_grams(const char *kg)
{
	int64_t whole = 0, frac = 0;
	int fdigits = 0;
	bool dot = false, any = false;
	for (const char *p = kg; *p; p++) {
		if (*p == '.' && !dot) {
			dot = true;
		} else if (*p >= '0' && *p <= '9' && (!dot || fdigits < 3)) {
			any = true;
			if (dot) {
				frac = frac * 10 + (*p - '0');
				fdigits++;
			} else if ((whole = whole * 10 + (*p - '0')) > SESSION_KEYED_MAX_G / 1000) {
				return -1;
			}
		} else {
			return -1;
		}
	}
	for (; fdigits < 3; fdigits++)
		frac *= 10;
	int64_t g = whole * 1000 + frac;
	return any && g >= 1 && g <= SESSION_KEYED_MAX_G ? g : -1;
}
