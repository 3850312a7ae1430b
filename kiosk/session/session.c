/*
 * session.c — the rules of a visit to the kiosk, as a pure state machine:
 * creation, the step's dispatch, devices coming and going, screen
 * timeouts, and the kiosk's state (in or out of service).
 *
 * Why it is shaped like this: every rule that decides whether a drop is
 * recorded, and for how many points, lives in kiosk/session/ where a test
 * can drive it with events and a fake clock. The caller does all I/O.
 *
 * The scale is tracked in every state (not only on the weigh screen), so a
 * bag put down before the weigh screen opened is still read, and so the
 * "platform came back to empty" rule (armed) sees every reading.
 */
#include "session_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf.h"

/* ---- effects and screens (shared by the session's files) ---- */

void fx_push(struct session_effects *out, const struct session_effect *fx)
{
	/* The state machine never emits more than SESSION_EFFECTS_MAX per event. */
	if (out->n < SESSION_EFFECTS_MAX)
		out->fx[out->n++] = *fx;
}

void fx_simple(struct session_effects *out, enum session_effect_kind kind)
{
	struct session_effect fx;
	memset(&fx, 0, sizeof fx);
	fx.kind = kind;
	fx_push(out, &fx);
}

void fx_staff(struct session *s, struct session_effects *out, enum session_staff_action action,
              int64_t value, bool ok)
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

enum session_oos_reason oos_reason(const struct session *s)
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

void go(struct session *s, enum session_screen screen)
{
	s->screen = screen;
	s->screen_since_ms = s->now_ms;
	s->message = SESSION_MSG_NONE;
}

void go_idle(struct session *s)
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
	memset(s->keyed, 0, sizeof s->keyed);
	s->lang = s->cfg.language;
	go(s, oos_reason(s) == SESSION_OOS_NONE ? SESSION_SCREEN_ATTRACT
	                                        : SESSION_SCREEN_OUT_OF_SERVICE);
}

int64_t screen_timeout_ms(const struct session *s)
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

bool is_staff_screen(enum session_screen sc)
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

/* ---- events ---- */

static void on_card(struct session *s, const struct session_identity *who,
                    struct session_effects *out)
{
	enum session_screen sc = s->screen;
	bool idle = sc == SESSION_SCREEN_ATTRACT || sc == SESSION_SCREEN_REFUSED ||
	            sc == SESSION_SCREEN_UNKNOWN || sc == SESSION_SCREEN_RECEIPT;
	if (who->kind == SESSION_CARD_STAFF) {
		if (idle || sc == SESSION_SCREEN_OUT_OF_SERVICE)
			staff_card(s, who);
		return;
	}
	if (!idle || oos_reason(s) != SESSION_OOS_NONE)
		return; /* another card mid-visit, or a kiosk out of service, takes no visit */
	visit_card(s, who, out);
}

static bool control_known(enum session_control c)
{
	return c >= SESSION_TAP_CATEGORY && c <= SESSION_TAP_POINT;
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

static void on_tap(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	if (screen_timeout_ms(s) > 0)
		s->screen_since_ms = s->now_ms; /* any touch is activity */
	if (ev->u.tap.control == SESSION_TAP_LANGUAGE) {
		/* any screen: the visit goes on in the other language */
		s->lang = s->lang == WF_LANG_ZH ? WF_LANG_EN : WF_LANG_ZH;
		return;
	}
	if (!staff_tap(s, ev, out))
		visit_tap(s, ev, out);
}

static void on_device(struct session *s, enum session_device dev, bool up)
{
	s->dev_up[dev] = up;
	if (dev == SESSION_DEV_SCALE && !up)
		tracker_forget(&s->scale); /* nothing seen before the outage counts after it */
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

/* A malformed event changes nothing: checked before the clock moves. */
static bool event_valid(const struct session *s, const struct session_event *ev)
{
	if (ev->kind < SESSION_EV_TICK || ev->kind > SESSION_EV_PRINT_FAILED)
		return false;
	if (ev->kind == SESSION_EV_DEVICE &&
	    (ev->u.device.device < 0 || ev->u.device.device >= SESSION_DEV_COUNT))
		return false;
	if (ev->kind == SESSION_EV_CARD &&
	    (ev->u.card.kind < SESSION_CARD_RESIDENT || ev->u.card.kind > SESSION_CARD_STAFF))
		return false;
	return ev->kind != SESSION_EV_TAP || tap_valid(s, ev);
}

static void on_commit_failed(struct session *s, struct session_effects *out)
{
	if (s->screen != SESSION_SCREEN_RECORDING)
		return;
	s->ledger_failed = true;
	go_idle(s);
	fx_simple(out, SESSION_FX_BEEP_ERROR);
}

int session_step(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	out->n = 0;
	if (!event_valid(s, ev))
		return WF_EINVAL;
	if (ev->now_ms > s->now_ms)
		s->now_ms = ev->now_ms;

	on_timeout(s, out);
	switch (ev->kind) {
	case SESSION_EV_TICK: break;
	case SESSION_EV_CARD: on_card(s, &ev->u.card, out); break;
	case SESSION_EV_READING: visit_reading(s, &ev->u.reading); break;
	case SESSION_EV_TAP: on_tap(s, ev, out); break;
	case SESSION_EV_DEVICE: on_device(s, ev->u.device.device, ev->u.device.up); break;
	case SESSION_EV_COMMITTED: visit_committed(s, ev, out); break;
	case SESSION_EV_COMMIT_FAILED: on_commit_failed(s, out); break;
	case SESSION_EV_PIN_RESULT: staff_pin_result(s, ev->u.pin_ok, out); break;
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
	return WF_OK;
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

static const char *numbers_bad(const struct session_config *c)
{
	if (c->stable_tolerance_g < 0 || c->zero_band_g < 0 || c->test_tolerance_g < 0)
		return "tolerances must not be negative";
	if (c->stable_time_ms <= 0)
		return "stable_time_ms must be positive";
	if (c->timeout_identify_ms <= 0 || c->timeout_category_ms <= 0 ||
	    c->timeout_weigh_ms <= 0 || c->timeout_confirm_ms <= 0 || c->timeout_receipt_ms <= 0 ||
	    c->timeout_pin_ms <= 0 || c->timeout_staff_ms <= 0)
		return "every screen timeout must be positive";
	if ((unsigned)c->language >= WF_LANG_COUNT)
		return "language must be zh or en";
	if (c->max_pin_attempts < 1 || c->lockout_ms <= 0)
		return "max_pin_attempts must be >= 1 and lockout_ms positive";
	if (c->ncategories > WF_MAX_CATEGORIES)
		return "too many categories";
	return NULL;
}

static bool config_ok(const struct session_config *c, char *why, unsigned why_len)
{
	const char *bad = numbers_bad(c);
	char cat_why[96];
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
	tracker_init(&s->scale, cfg->stable_tolerance_g, cfg->stable_time_ms, cfg->zero_band_g);
	for (int i = 0; i < SESSION_DEV_COUNT; i++)
		s->dev_up[i] = true;
	s->lang = cfg->language;
	go(s, SESSION_SCREEN_ATTRACT);
	return s;
}

void session_destroy(struct session *s)
{
	free(s);
}
