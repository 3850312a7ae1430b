/* harness.c — the test kiosk, its cards and event builders (see harness.h). */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static void set_category(struct wf_category *c, uint16_t id, const char *code, enum wf_unit unit,
                         uint32_t rate_version, int64_t rate, int64_t min_qty, int64_t max_qty,
                         int64_t limit)
{
	memset(c, 0, sizeof *c);
	c->id = id;
	snprintf(c->code, sizeof c->code, "%s", code);
	snprintf(c->name, sizeof c->name, "%s", code);
	c->unit = unit;
	c->rate_version = rate_version;
	c->rate = rate;
	c->min_qty = min_qty;
	c->max_qty = max_qty;
	c->daily_limit_qty = limit;
}

void h_config(struct session_config *cfg, bool allow_anonymous)
{
	session_config_defaults(cfg);
	cfg->stable_tolerance_g = H_TOL_G;
	cfg->stable_time_ms = H_STABLE_MS;
	cfg->zero_band_g = H_ZERO_G;
	cfg->test_weight_g = H_TEST_G;
	cfg->test_tolerance_g = H_TEST_TOL_G;
	cfg->timeout_identify_ms = H_TO_IDENTIFY_MS;
	cfg->timeout_category_ms = H_TO_CATEGORY_MS;
	cfg->timeout_weigh_ms = H_TO_WEIGH_MS;
	cfg->timeout_confirm_ms = H_TO_CONFIRM_MS;
	cfg->timeout_receipt_ms = H_TO_RECEIPT_MS;
	cfg->timeout_pin_ms = H_TO_PIN_MS;
	cfg->timeout_staff_ms = H_TO_STAFF_MS;
	cfg->max_pin_attempts = H_PIN_ATTEMPTS;
	cfg->lockout_ms = H_LOCKOUT_MS;
	cfg->allow_anonymous = allow_anonymous;
	cfg->ncategories = 4;
	set_category(&cfg->categories[0], CAT_PAPER, "paper", WF_UNIT_GRAM, 3, 2000, 50, 50000,
	             20000);
	set_category(&cfg->categories[1], CAT_PLASTIC, "plastic", WF_UNIT_GRAM, 5, 1500, 30, 30000,
	             0);
	set_category(&cfg->categories[2], CAT_BATTERIES, "batteries", WF_UNIT_PIECE, 2, 5, 1, 50,
	             100);
	set_category(&cfg->categories[3], CAT_METAL, "metal", WF_UNIT_GRAM, 7, 3333, 100, 20000,
	             5000);
}

static void add_today(struct session_identity *id, uint16_t category_id, int64_t qty)
{
	id->today[id->ntoday].category_id = category_id;
	id->today[id->ntoday].qty = qty;
	id->ntoday++;
}

void h_card(enum h_card card, struct session_identity *out)
{
	memset(out, 0, sizeof *out);
	memset(out->card_hash, 0xA0 + (int)card, sizeof out->card_hash);
	switch (card) {
	case CARD_ALICE:
		out->kind = SESSION_CARD_RESIDENT;
		out->id = 1001;
		snprintf(out->name, sizeof out->name, "%s", "王*");
		break;
	case CARD_BOB:
		out->kind = SESSION_CARD_RESIDENT;
		out->id = 1002;
		snprintf(out->name, sizeof out->name, "%s", "B*");
		add_today(out, CAT_PAPER, 19500);
		add_today(out, CAT_BATTERIES, 98);
		break;
	case CARD_CAROL:
		out->kind = SESSION_CARD_RESIDENT;
		out->id = 1003;
		snprintf(out->name, sizeof out->name, "%s", "C*");
		add_today(out, CAT_PAPER, 20000);
		break;
	case CARD_DAVE:
		out->kind = SESSION_CARD_RESIDENT;
		out->id = 1004;
		snprintf(out->name, sizeof out->name, "%s", "D*");
		add_today(out, CAT_PAPER, 25000);
		break;
	case CARD_ERIN:
		out->kind = SESSION_CARD_RESIDENT;
		out->id = 1005;
		snprintf(out->name, sizeof out->name, "%s", "E*");
		add_today(out, CAT_METAL, 4900);
		add_today(out, CAT_PAPER, 18000);
		break;
	case CARD_UNKNOWN: out->kind = SESSION_CARD_UNKNOWN; break;
	case CARD_BLOCKED:
		out->kind = SESSION_CARD_BLOCKED;
		out->id = 1006;
		snprintf(out->reason, sizeof out->reason, "%s", "reported lost");
		break;
	case CARD_STAFF:
		out->kind = SESSION_CARD_STAFF;
		out->id = 7;
		snprintf(out->name, sizeof out->name, "%s", "李*");
		break;
	case CARD_STAFF_2FAIL:
		out->kind = SESSION_CARD_STAFF;
		out->id = 8;
		out->pin_failures = 2;
		snprintf(out->name, sizeof out->name, "%s", "S2*");
		break;
	case CARD_STAFF_3FAIL:
		out->kind = SESSION_CARD_STAFF;
		out->id = 9;
		out->pin_failures = 3;
		snprintf(out->name, sizeof out->name, "%s", "S3*");
		break;
	case CARD_ADMIN:
		out->kind = SESSION_CARD_STAFF;
		out->id = 10;
		out->admin = true;
		snprintf(out->name, sizeof out->name, "%s", "A*");
		break;
	}
}

struct session_reading h_reading(int64_t grams, unsigned flags)
{
	struct session_reading r;
	memset(&r, 0, sizeof r);
	r.grams = grams;
	r.has_stable = !(flags & RF_NOFLAG);
	r.stable = r.has_stable && !(flags & (RF_UNSTABLE | RF_MOTION | RF_NOWEIGHT));
	r.motion = (flags & RF_MOTION) != 0;
	r.no_weight = (flags & RF_NOWEIGHT) != 0;
	r.overload = (flags & RF_OVER) != 0;
	r.underload = (flags & RF_UNDER) != 0;
	return r;
}

static struct session_event ev_base(int64_t now_ms, enum session_event_kind kind)
{
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.now_ms = now_ms;
	return ev;
}

struct session_event h_ev_tick(int64_t now_ms)
{
	return ev_base(now_ms, SESSION_EV_TICK);
}

struct session_event h_ev_card(int64_t now_ms, enum h_card card)
{
	struct session_event ev = ev_base(now_ms, SESSION_EV_CARD);
	h_card(card, &ev.u.card);
	return ev;
}

struct session_event h_ev_reading(int64_t now_ms, int64_t grams, unsigned flags)
{
	struct session_event ev = ev_base(now_ms, SESSION_EV_READING);
	ev.u.reading = h_reading(grams, flags);
	return ev;
}

struct session_event h_ev_tap(int64_t now_ms, enum session_control control, int arg)
{
	struct session_event ev = ev_base(now_ms, SESSION_EV_TAP);
	ev.u.tap.control = control;
	if (control == SESSION_TAP_CATEGORY)
		ev.u.tap.category_id = (uint16_t)arg;
	if (control == SESSION_TAP_DIGIT)
		ev.u.tap.digit = arg;
	return ev;
}

struct session_event h_ev_device(int64_t now_ms, enum session_device device, bool up)
{
	struct session_event ev = ev_base(now_ms, SESSION_EV_DEVICE);
	ev.u.device.device = device;
	ev.u.device.up = up;
	return ev;
}

void h_token(uint64_t seq, char *out, unsigned out_len)
{
	snprintf(out, out_len, "HTTPS://R.EXAMPLE/R/TOKEN%llu", (unsigned long long)seq);
}

struct session_event h_ev_committed(int64_t now_ms, uint64_t seq)
{
	struct session_event ev = ev_base(now_ms, SESSION_EV_COMMITTED);
	ev.u.committed.seq = seq;
	h_token(seq, ev.u.committed.token, sizeof ev.u.committed.token);
	return ev;
}

struct session_event h_ev_simple(int64_t now_ms, enum session_event_kind kind)
{
	return ev_base(now_ms, kind);
}

struct session_event h_ev_pin(int64_t now_ms, bool ok)
{
	struct session_event ev = ev_base(now_ms, SESSION_EV_PIN_RESULT);
	ev.u.pin_ok = ok;
	return ev;
}

static bool drop_equal(const struct session_drop *a, const struct session_drop *b)
{
	return a->category_id == b->category_id && a->unit == b->unit && a->qty == b->qty &&
	       a->credited_qty == b->credited_qty && a->points == b->points &&
	       a->rate_version == b->rate_version && a->anonymous == b->anonymous &&
	       a->capped == b->capped && a->resident_id == b->resident_id &&
	       memcmp(a->card_hash, b->card_hash, sizeof a->card_hash) == 0 && a->at_ms == b->at_ms;
}

bool h_view_equal(const struct session_view *a, const struct session_view *b)
{
	bool same = a->screen == b->screen && a->message == b->message && a->oos == b->oos &&
	            strncmp(a->name, b->name, sizeof a->name) == 0 &&
	            strncmp(a->reason, b->reason, sizeof a->reason) == 0 &&
	            a->anonymous == b->anonymous && a->staff_admin == b->staff_admin &&
	            a->category_id == b->category_id && a->live_grams == b->live_grams &&
	            a->live_has_weight == b->live_has_weight && a->live == b->live &&
	            a->live_stable == b->live_stable && a->stable_pct == b->stable_pct &&
	            a->qty == b->qty && a->points == b->points && a->capped == b->capped &&
	            a->session_points == b->session_points && a->pin_len == b->pin_len &&
	            a->locked_ms == b->locked_ms && a->timeout_left_ms == b->timeout_left_ms &&
	            a->printer_ok == b->printer_ok && a->has_receipt == b->has_receipt &&
	            a->test_grams == b->test_grams && a->test_expected_g == b->test_expected_g &&
	            a->test_tolerance_g == b->test_tolerance_g &&
	            strncmp(a->keyed, b->keyed, sizeof a->keyed) == 0 &&
	            a->keyed_grams == b->keyed_grams && a->language == b->language &&
	            a->allow_anonymous == b->allow_anonymous && a->staff_oos == b->staff_oos &&
	            a->has_balance == b->has_balance && a->balance == b->balance;
	if (same && a->has_receipt)
		same = a->receipt.seq == b->receipt.seq &&
		       a->receipt.language == b->receipt.language &&
		       drop_equal(&a->receipt.drop, &b->receipt.drop) &&
		       strncmp(a->receipt.token, b->receipt.token, sizeof a->receipt.token) == 0;
	return same;
}
