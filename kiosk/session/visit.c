/*
 * visit.c — a resident's visit: the card (resident, blocked, unknown), the
 * category, the weight (or the pieces), confirm, the drop recorded, the
 * receipt; and the daily limit's points (an anonymous drop's also held to
 * the kiosk's anonymous daily cap).
 */
#include "session_private.h"

#include <stdio.h>
#include <string.h>

#include "wf.h"

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* The quantity of category_id in t[0..n), 0 if none. */
static int64_t qty_of(const struct session_today *t, unsigned n, uint16_t category_id)
{
	for (unsigned i = 0; i < n && i < WF_MAX_CATEGORIES; i++)
		if (t[i].category_id == category_id)
			return t[i].qty;
	return 0;
}

static void qty_add(struct session_today *t, unsigned *n, uint16_t category_id, int64_t qty)
{
	for (unsigned i = 0; i < *n && i < WF_MAX_CATEGORIES; i++) {
		if (t[i].category_id == category_id) {
			t[i].qty += qty;
			return;
		}
	}
	if (*n < WF_MAX_CATEGORIES) {
		t[*n].category_id = category_id;
		t[*n].qty = qty;
		(*n)++;
	}
}

void visit_price(const struct session *s, int64_t qty, int64_t *credited, int64_t *points,
                 bool *anon_cut)
{
	const struct wf_category *c = session_category(s, s->category_id);
	*credited = 0;
	*points = 0;
	if (anon_cut)
		*anon_cut = false;
	if (!c || qty <= 0)
		return;
	int64_t cr, kept, pt;
	if (wf_credited_qty(qty, qty_of(s->who.today, s->who.ntoday, c->id), c->daily_limit_qty,
	                    &cr) != WF_OK)
		return;
	/* An anonymous drop is also held to the kiosk's anonymous daily cap. */
	kept = cr;
	if (s->anonymous &&
	    wf_anon_credited_qty(c, cr, qty_of(s->anon_today, s->nanon_today, c->id), &kept) !=
	        WF_OK)
		return;
	if (wf_points(c->unit, c->rate, kept, &pt) != WF_OK)
		return;
	*credited = kept;
	*points = pt;
	if (anon_cut)
		*anon_cut = kept < cr;
}

/* On the weigh screen: a stable weight within the category's range, on a
 * platform seen empty since the last drop, opens the confirm screen. */
static void weigh_check(struct session *s)
{
	const struct wf_category *c = session_category(s, s->category_id);
	int64_t g;
	if (!c || !s->scale.have)
		return;
	if (tracker_overload(&s->scale)) {
		s->message = SESSION_MSG_OVERLOAD;
		return;
	}
	if (s->message == SESSION_MSG_OVERLOAD)
		s->message = SESSION_MSG_NONE; /* the load came off: say so no longer */
	if (!tracker_stable_grams(&s->scale, &g))
		return;
	if (abs64(g) <= s->cfg.zero_band_g) {
		s->message = SESSION_MSG_NONE;
		return;
	}
	if (!tracker_armed(&s->scale)) {
		s->message = SESSION_MSG_CLEAR_PLATFORM;
		return;
	}
	if (g < c->min_qty || g > c->max_qty) {
		s->message = g < c->min_qty ? SESSION_MSG_TOO_LIGHT : SESSION_MSG_TOO_HEAVY;
		return;
	}
	s->qty = g;
	go(s, SESSION_SCREEN_CONFIRM);
	int64_t credited, points;
	bool anon_cut;
	visit_price(s, g, &credited, &points, &anon_cut);
	if (credited < g)
		s->message = anon_cut ? SESSION_MSG_ANON_CAP_REACHED : SESSION_MSG_LIMIT_REACHED;
}

void visit_reading(struct session *s, const struct session_reading *r)
{
	/* Readings are not activity: a scale that never settles must not keep
	 * the weigh screen open for ever. Only taps restart a screen's timer. */
	tracker_feed(&s->scale, r, s->now_ms);
	int64_t g;
	switch (s->screen) {
	case SESSION_SCREEN_WEIGH: weigh_check(s); break;
	case SESSION_SCREEN_CONFIRM:
		/* The weight shown must still be on the platform, unchanged. */
		if (!tracker_stable_grams(&s->scale, &g) ||
		    abs64(g - s->qty) > s->cfg.stable_tolerance_g) {
			go(s, SESSION_SCREEN_WEIGH);
			weigh_check(s);
		}
		break;
	default: break;
	}
}

/* A visit starts; an anonymous one (tap) brings what this kiosk's anonymous
 * drops already earned today. */
static void start_visit(struct session *s, const struct session_identity *who,
                        const struct session_event *tap)
{
	bool anonymous = tap != NULL;
	s->nanon_today = 0;
	if (tap) {
		unsigned n = tap->u.tap.nanon_today;
		s->nanon_today = n < WF_MAX_CATEGORIES ? n : WF_MAX_CATEGORIES;
		memcpy(s->anon_today, tap->u.tap.anon_today,
		       s->nanon_today * sizeof s->anon_today[0]);
	}
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

static void unknown_card(struct session *s, const struct session_identity *who,
                         struct session_effects *out)
{
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
}

void visit_card(struct session *s, const struct session_identity *who, struct session_effects *out)
{
	if (s->screen == SESSION_SCREEN_RECEIPT)
		go_idle(s); /* the next resident starts a new visit */
	if (s->screen != SESSION_SCREEN_ATTRACT && s->screen != SESSION_SCREEN_REFUSED &&
	    s->screen != SESSION_SCREEN_UNKNOWN)
		return;
	switch (who->kind) {
	case SESSION_CARD_RESIDENT:
		start_visit(s, who, NULL);
		fx_simple(out, SESSION_FX_BEEP_OK);
		break;
	case SESSION_CARD_BLOCKED:
		memset(&s->who, 0, sizeof s->who);
		snprintf(s->who.reason, sizeof s->who.reason, "%s", who->reason);
		go(s, SESSION_SCREEN_REFUSED);
		s->message = SESSION_MSG_BLOCKED;
		fx_simple(out, SESSION_FX_BEEP_ERROR);
		break;
	case SESSION_CARD_UNKNOWN: unknown_card(s, who, out); break;
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
	visit_price(s, s->qty, &d->credited_qty, &d->points, &d->anon_capped);
	d->rate_version = c->rate_version;
	d->anonymous = s->anonymous;
	d->capped = d->credited_qty < d->qty;
	d->resident_id = s->anonymous ? 0 : s->who.id;
	memcpy(d->card_hash, s->who.card_hash, sizeof d->card_hash);
	d->at_ms = s->now_ms;
	s->pending = *d;
	if (c->unit == WF_UNIT_GRAM)
		tracker_disarm(&s->scale); /* the platform must come back to empty first */
	fx_push(out, &fx);
	go(s, SESSION_SCREEN_RECORDING);
}

static void confirm_tap(struct session *s, struct session_effects *out)
{
	const struct wf_category *c = session_category(s, s->category_id);
	int64_t g;
	if (!c)
		return;
	if (s->screen == SESSION_SCREEN_CONFIRM) {
		/* visit_reading leaves CONFIRM as soon as the weight is not stable. */
		if (tracker_stable_grams(&s->scale, &g) && tracker_armed(&s->scale) &&
		    s->qty >= c->min_qty && s->qty <= c->max_qty)
			record_drop(s, out);
		return;
	}
	/* COUNT */
	if (s->qty >= c->min_qty && s->qty <= c->max_qty)
		record_drop(s, out);
	else
		fx_simple(out, SESSION_FX_BEEP_ERROR);
}

/* Taps of the screens before the visit and of its first steps. */
static void early_tap(struct session *s, const struct session_event *ev)
{
	enum session_control ctl = ev->u.tap.control;
	uint16_t category_id = ev->u.tap.category_id;
	switch (s->screen) {
	case SESSION_SCREEN_ATTRACT:
		if (ctl == SESSION_TAP_ANONYMOUS && s->cfg.allow_anonymous) {
			struct session_identity anon;
			memset(&anon, 0, sizeof anon);
			anon.kind = SESSION_CARD_UNKNOWN;
			start_visit(s, &anon, ev);
		}
		break;
	case SESSION_SCREEN_UNKNOWN:
		if (ctl == SESSION_TAP_ANONYMOUS) {
			struct session_identity who = s->who;
			start_visit(s, &who, ev);
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
			choose_category(s, category_id);
		else if (ctl == SESSION_TAP_CANCEL || ctl == SESSION_TAP_DONE)
			go_idle(s);
		break;
	default: break;
	}
}

bool visit_tap(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	enum session_control ctl = ev->u.tap.control;
	switch (s->screen) {
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
	default: early_tap(s, ev); break;
	}
	return true;
}

void visit_committed(struct session *s, const struct session_event *ev, struct session_effects *out)
{
	if (s->screen != SESSION_SCREEN_RECORDING)
		return;
	s->has_receipt = true;
	memset(&s->receipt, 0, sizeof s->receipt);
	s->receipt.seq = ev->u.committed.seq;
	s->receipt.language = s->lang;
	s->receipt.drop = s->pending;
	memcpy(s->receipt.token, ev->u.committed.token, sizeof s->receipt.token);
	s->receipt.token[SESSION_TOKEN_MAX - 1] = '\0';
	qty_add(s->who.today, &s->who.ntoday, s->pending.category_id, s->pending.qty);
	if (s->pending.anonymous)
		qty_add(s->anon_today, &s->nanon_today, s->pending.category_id,
		        s->pending.credited_qty);
	s->session_points += s->pending.points;
	go(s, SESSION_SCREEN_RECEIPT);
	if (s->pending.capped)
		s->message = s->pending.anon_capped ? SESSION_MSG_ANON_CAP_REACHED
		                                    : SESSION_MSG_LIMIT_REACHED;
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
