/*
 * test_session_random.c — seeded randomised event sequences against the
 * session core, with the test acting as the caller (it answers every
 * RECORD_DROP, VERIFY_PIN and PRINT_RECEIPT like cmd_run.c would, and keeps
 * its own small journal of what each resident dropped today).
 *
 * Safety (every sequence): a drop of a weighed category only from a weight
 * that was stable by the rule (same reading within tolerance for
 * stable_time_ms, every reading in that span free of motion/overload/
 * underload and stable where the scale has a flag) and within min/max; never
 * two drops from one placement (a weighed drop needs a stable "platform
 * empty" reading since the previous weighed drop); no drop while the scale,
 * card reader or journal is down or after a commit failure; never negative
 * points; grams, credited quantity and points equal this file's own model;
 * after enough quiet ticks the kiosk is back on attract (or out of service).
 * Liveness (scenarios): a visit with valid placements and confirms yields
 * exactly one drop per placement, equal to the model.
 *
 * The seed is printed; WUFEI_SEED=<n> reproduces a run, and
 * WUFEI_TRACE_SEQ=<sequence> prints that sequence's events and screens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "wf.h"
#include "wf_test.h"

#define HIST_MAX 256
#define NRES     5 /* ALICE..ERIN */

struct rd {
	int64_t t, g;
	bool ok;
};

struct who {
	bool anonymous;
	uint64_t id;
	uint8_t hash[32];
	int res; /* resident index, -1 if anonymous */
};

struct world {
	struct session *s;
	struct session_config cfg;
	int64_t now;
	uint64_t rng;
	uint64_t seq_no; /* sequence number of this run, for messages */

	/* What the test knows about the scale (observer). */
	struct rd hist[HIST_MAX];
	unsigned nhist; /* total appended; ring index = n % HIST_MAX */
	bool need_zero, need_zero_before;
	bool m_run, m_stable;          /* the stability rule's run, and its verdict */
	int64_t m_ref, m_since, m_max; /* the run's first reading, start, largest |g| */

	/* What the caller knows. */
	bool dev_up[SESSION_DEV_COUNT];
	bool ledger_failed;
	bool staff_oos;
	bool awaiting_commit;
	struct session_drop pending;
	uint64_t journal_seq;
	int64_t journal[NRES][5]; /* today's grams/pieces per resident and category */
	int64_t visit_anon[5];    /* anonymous visit's drops so far */

	/* The visit as seen from outside. */
	bool in_visit;
	struct who cur;
	uint8_t last_unknown_hash[32];

	/* World. */
	int64_t platform_g;
	bool scale_has_flag;

	/* Results. */
	unsigned nrecord; /* RECORD_DROP effects */
	unsigned ncommit; /* COMMITTED answers */
	struct session_drop committed[16];
	unsigned nqueue;
	struct session_event queue[16];
};

static uint64_t g_seed;
static struct session *g_live; /* the session under test, freed if a check fails */

static unsigned long g_screen_steps[SESSION_SCREEN_OUT_OF_SERVICE + 1]; /* coverage */

#define WCHECK(w, cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error(                                                               \
			    "seed %llu, sequence %llu, t=%lld: ", (unsigned long long)g_seed,      \
			    (unsigned long long)(w)->seq_no, (long long)(w)->now);                 \
			print_error(__VA_ARGS__);                                                  \
			print_error("\n");                                                         \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

/* ---- random numbers (splitmix64) ---- */

static uint64_t rnd(struct world *w)
{
	uint64_t z = (w->rng += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static int64_t rnd_in(struct world *w, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd(w) % (uint64_t)(hi - lo + 1));
}

static bool chance(struct world *w, unsigned pct)
{
	return rnd(w) % 100 < pct;
}

/* ---- the independent model ---- */

static const struct wf_category *cat_of(const struct world *w, uint16_t id)
{
	for (unsigned i = 0; i < w->cfg.ncategories; i++)
		if (w->cfg.categories[i].id == id)
			return &w->cfg.categories[i];
	return NULL;
}

/* credited = min(qty, max(0, limit - today)); no limit when limit is 0. */
static int64_t model_credited(int64_t qty, int64_t today, int64_t limit)
{
	if (limit == 0)
		return qty;
	int64_t left = limit - today;
	if (left < 0)
		left = 0;
	return qty < left ? qty : left;
}

/* floor(credited x rate / 1,000,000) per tonne; credited x rate per piece. */
static int64_t model_points(const struct wf_category *c, int64_t credited)
{
	if (c->unit == WF_UNIT_PIECE)
		return credited * c->rate;
	return credited * c->rate / 1000000;
}

static int64_t model_today(const struct world *w, uint16_t cat)
{
	if (w->cur.anonymous)
		return w->visit_anon[cat];
	return w->journal[w->cur.res][cat];
}

/* ---- the scale observer ---- */

static const struct rd *hist_at(const struct world *w, unsigned back)
{
	return &w->hist[(w->nhist - 1 - back) % HIST_MAX];
}

/*
 * The stability rule, modelled exactly from its words (DESIGN "Decisions",
 * kiosk/session/tracker.h): a run starts at a good reading (a weight, no
 * motion, overload or underload, and the scale's stable flag where it has
 * one) that is more than the tolerance away from the current run's first
 * reading, or after a reading that is not good; the weight is stable when
 * the run has lasted stable_time_ms; the platform is seen empty when a
 * stable run never left the zero band.
 */
static void observe_reading(struct world *w, int64_t t, const struct session_reading *r)
{
	struct rd *slot = &w->hist[w->nhist % HIST_MAX];
	slot->t = t;
	slot->g = r->grams;
	slot->ok = !r->no_weight && !r->motion && !r->overload && !r->underload &&
	           (!r->has_stable || r->stable);
	w->nhist++;
	if (!slot->ok) {
		w->m_run = w->m_stable = false;
		return;
	}
	int64_t d = r->grams - w->m_ref;
	if (!w->m_run || d > w->cfg.stable_tolerance_g || d < -w->cfg.stable_tolerance_g) {
		w->m_run = true;
		w->m_ref = r->grams;
		w->m_since = t;
		w->m_max = 0;
	}
	int64_t a = r->grams < 0 ? -r->grams : r->grams;
	if (a > w->m_max)
		w->m_max = a;
	w->m_stable = t - w->m_since >= w->cfg.stable_time_ms;
	if (w->m_stable && w->m_max <= w->cfg.zero_band_g)
		w->need_zero = false;
}

/* ---- the caller ---- */

static bool dev_blocks_drops(const struct world *w)
{
	return !w->dev_up[SESSION_DEV_SCALE] || !w->dev_up[SESSION_DEV_CARD] ||
	       !w->dev_up[SESSION_DEV_LEDGER] || w->ledger_failed;
}

static void enqueue(struct world *w, struct session_event ev)
{
	WCHECK(w, w->nqueue < 16, "answer queue full");
	w->queue[w->nqueue++] = ev;
}

static void check_drop(struct world *w, const struct session_drop *d)
{
	const struct wf_category *c = cat_of(w, d->category_id);
	WCHECK(w, c != NULL, "drop of unknown category %u", d->category_id);
	WCHECK(w, !w->awaiting_commit, "a second RECORD_DROP before the first was answered");
	WCHECK(w, w->in_visit, "a drop outside a visit");
	WCHECK(w, d->unit == c->unit, "unit %d for category %u", (int)d->unit, c->id);
	WCHECK(w, d->rate_version == c->rate_version, "rate version %u", d->rate_version);
	WCHECK(w, d->qty >= c->min_qty && d->qty <= c->max_qty, "qty %lld outside %lld..%lld",
	       (long long)d->qty, (long long)c->min_qty, (long long)c->max_qty);
	WCHECK(w, !dev_blocks_drops(w),
	       "a drop while a device is down or the journal failed (scale %d card %d journal %d, "
	       "commit failed %d)",
	       w->dev_up[SESSION_DEV_SCALE], w->dev_up[SESSION_DEV_CARD],
	       w->dev_up[SESSION_DEV_LEDGER], w->ledger_failed);
	WCHECK(w, d->points >= 0 && d->credited_qty >= 0, "negative points or credit");
	if (c->unit == WF_UNIT_GRAM) {
		WCHECK(w, w->nhist > 0 && w->m_stable, "a drop of %lld g without a stable weight",
		       (long long)d->qty);
		int64_t diff = d->qty - hist_at(w, 0)->g;
		WCHECK(w, diff <= w->cfg.stable_tolerance_g && diff >= -w->cfg.stable_tolerance_g,
		       "a drop of %lld g while the scale reads %lld g", (long long)d->qty,
		       (long long)hist_at(w, 0)->g);
		WCHECK(w, !w->need_zero,
		       "a second drop (%lld g) without the platform coming back to empty",
		       (long long)d->qty);
	}
	/* Whose drop. */
	WCHECK(w, d->anonymous == w->cur.anonymous, "anonymous %d, visit anonymous %d",
	       d->anonymous, w->cur.anonymous);
	WCHECK(w, !d->anonymous || w->cfg.allow_anonymous, "anonymous drop, not configured");
	WCHECK(w, d->resident_id == (w->cur.anonymous ? 0 : w->cur.id), "resident %llu",
	       (unsigned long long)d->resident_id);
	WCHECK(w, memcmp(d->card_hash, w->cur.hash, 32) == 0, "card hash of the wrong card");
	/* Points by the model. */
	int64_t today = model_today(w, d->category_id);
	int64_t credited = model_credited(d->qty, today, c->daily_limit_qty);
	int64_t points = model_points(c, credited);
	WCHECK(w, d->credited_qty == credited, "credited %lld, model %lld (qty %lld, today %lld)",
	       (long long)d->credited_qty, (long long)credited, (long long)d->qty,
	       (long long)today);
	WCHECK(w, d->points <= points, "points %lld over the model's %lld", (long long)d->points,
	       (long long)points);
	WCHECK(w, d->points == points, "points %lld, model %lld", (long long)d->points,
	       (long long)points);
	WCHECK(w, d->capped == (credited < d->qty), "capped flag");
}

static void answer(struct world *w, const struct session_effect *fx, unsigned commit_fail_pct,
                   unsigned print_fail_pct)
{
	int64_t t = w->now + rnd_in(w, 0, 30);
	switch (fx->kind) {
	case SESSION_FX_RECORD_DROP:
		check_drop(w, &fx->u.drop);
		w->nrecord++;
		w->awaiting_commit = true;
		w->pending = fx->u.drop;
		if (fx->u.drop.unit == WF_UNIT_GRAM) {
			w->need_zero_before = w->need_zero;
			w->need_zero = true;
		}
		if (chance(w, commit_fail_pct))
			enqueue(w, h_ev_simple(t, SESSION_EV_COMMIT_FAILED));
		else
			enqueue(w, h_ev_committed(t, ++w->journal_seq));
		break;
	case SESSION_FX_VERIFY_PIN:
		enqueue(w, h_ev_pin(t, strcmp(fx->u.pin.digits, H_STAFF_PIN) == 0));
		break;
	case SESSION_FX_PRINT_RECEIPT:
		WCHECK(w, fx->u.receipt.seq >= 1 && fx->u.receipt.seq <= w->journal_seq,
		       "print of a receipt never committed (seq %llu)",
		       (unsigned long long)fx->u.receipt.seq);
		enqueue(w, h_ev_simple(t, chance(w, print_fail_pct) ? SESSION_EV_PRINT_FAILED
		                                                    : SESSION_EV_PRINTED));
		break;
	case SESSION_FX_RECORD_STAFF:
		if (fx->u.staff.action == SESSION_STAFF_OOS_ON)
			w->staff_oos = true;
		if (fx->u.staff.action == SESSION_STAFF_OOS_OFF)
			w->staff_oos = false;
		break;
	default: break;
	}
}

/* What the caller does before handing an event over. */
static void before_event(struct world *w, struct session_event *ev)
{
	int64_t t = ev->now_ms > w->now ? ev->now_ms : w->now;
	switch (ev->kind) {
	case SESSION_EV_READING: observe_reading(w, t, &ev->u.reading); break;
	case SESSION_EV_DEVICE:
		w->dev_up[ev->u.device.device] = ev->u.device.up;
		if (ev->u.device.device == SESSION_DEV_LEDGER && ev->u.device.up)
			w->ledger_failed = false;
		/* Nothing read before a scale outage counts after it. */
		if (ev->u.device.device == SESSION_DEV_SCALE && !ev->u.device.up) {
			w->nhist = 0;
			w->m_run = w->m_stable = false;
		}
		break;
	case SESSION_EV_CARD: {
		/* The journal's today for this card. */
		struct session_identity *id = &ev->u.card;
		if (id->kind == SESSION_CARD_RESIDENT) {
			int res = (int)(id->id - 1001);
			id->ntoday = 0;
			for (uint16_t c = 1; c <= 4; c++) {
				id->today[id->ntoday].category_id = c;
				id->today[id->ntoday].qty = w->journal[res][c];
				id->ntoday++;
			}
		}
		if (id->kind == SESSION_CARD_UNKNOWN)
			memcpy(w->last_unknown_hash, id->card_hash, 32);
		break;
	}
	case SESSION_EV_COMMITTED:
		w->awaiting_commit = false;
		if (w->cur.anonymous)
			w->visit_anon[w->pending.category_id] += w->pending.qty;
		else
			w->journal[w->cur.res][w->pending.category_id] += w->pending.qty;
		if (w->ncommit < 16)
			w->committed[w->ncommit] = w->pending;
		w->ncommit++;
		break;
	case SESSION_EV_COMMIT_FAILED:
		w->awaiting_commit = false;
		w->ledger_failed = true;
		if (w->pending.unit == WF_UNIT_GRAM && !w->need_zero_before)
			w->need_zero = false;
		break;
	default: break;
	}
	w->now = t;
}

static bool is_visit_screen(enum session_screen sc)
{
	return sc == SESSION_SCREEN_CATEGORY || sc == SESSION_SCREEN_WEIGH ||
	       sc == SESSION_SCREEN_COUNT || sc == SESSION_SCREEN_CONFIRM ||
	       sc == SESSION_SCREEN_RECORDING || sc == SESSION_SCREEN_RECEIPT;
}

/* After the step: follow visits from the outside. */
static void after_event(struct world *w, const struct session_event *ev, enum session_screen before,
                        const struct session_view *v)
{
	bool was = w->in_visit;
	w->in_visit = is_visit_screen(v->screen);
	bool new_visit =
	    w->in_visit && v->screen == SESSION_SCREEN_CATEGORY &&
	    before != SESSION_SCREEN_CATEGORY &&
	    (!was || (ev->kind == SESSION_EV_CARD && before == SESSION_SCREEN_RECEIPT));
	if (!w->in_visit || new_visit)
		memset(w->visit_anon, 0, sizeof w->visit_anon);
	if (!new_visit)
		return;
	WCHECK(w, !dev_blocks_drops(w) && !w->staff_oos, "a visit started while out of service");
	memset(&w->cur, 0, sizeof w->cur);
	if (ev->kind == SESSION_EV_CARD && ev->u.card.kind == SESSION_CARD_RESIDENT) {
		w->cur.id = ev->u.card.id;
		w->cur.res = (int)(ev->u.card.id - 1001);
		memcpy(w->cur.hash, ev->u.card.card_hash, 32);
	} else {
		WCHECK(w, ev->kind == SESSION_EV_TAP && ev->u.tap.control == SESSION_TAP_ANONYMOUS,
		       "a visit started by event kind %d", (int)ev->kind);
		WCHECK(w, w->cfg.allow_anonymous, "anonymous visit, not configured");
		w->cur.anonymous = true;
		w->cur.res = -1;
		if (before == SESSION_SCREEN_UNKNOWN)
			memcpy(w->cur.hash, w->last_unknown_hash, 32);
	}
}

/* WUFEI_TRACE_SEQ=<sequence number>: print that sequence's events and screens. */
static void trace(const struct world *w, const struct session_event *ev,
                  const struct session_view *v)
{
	const char *env = getenv("WUFEI_TRACE_SEQ");
	if (!env || strtoull(env, NULL, 10) != w->seq_no)
		return;
	long long a = 0, b = 0;
	switch (ev->kind) {
	case SESSION_EV_READING:
		a = ev->u.reading.grams;
		b = ev->u.reading.motion * 1 + ev->u.reading.overload * 2 +
		    ev->u.reading.underload * 4 +
		    (ev->u.reading.has_stable && !ev->u.reading.stable) * 8;
		break;
	case SESSION_EV_TAP:
		a = ev->u.tap.control;
		b = ev->u.tap.control == SESSION_TAP_DIGIT ? ev->u.tap.digit
		                                           : ev->u.tap.category_id;
		break;
	case SESSION_EV_CARD:
		a = ev->u.card.kind;
		b = (long long)ev->u.card.id;
		break;
	case SESSION_EV_DEVICE:
		a = ev->u.device.device;
		b = ev->u.device.up;
		break;
	default: break;
	}
	printf("  t=%lld kind=%d a=%lld b=%lld -> %s %s\n", (long long)ev->now_ms, (int)ev->kind, a,
	       b, session_screen_name(v->screen), session_message_name(v->message));
}

static void feed_one(struct world *w, struct session_event ev, unsigned commit_fail_pct,
                     unsigned print_fail_pct)
{
	struct session_view bv = session_view(w->s);
	enum session_screen before = bv.screen;
	/* The screen gives up at this event when it comes timeout_left_ms or later. */
	int64_t gap = ev.now_ms - w->now;
	if (bv.timeout_left_ms > 0 && gap >= bv.timeout_left_ms) {
		before = SESSION_SCREEN_ATTRACT;
		w->in_visit = false;
	}
	before_event(w, &ev);
	struct session_effects out;
	int rc = session_step(w->s, &ev, &out);
	WCHECK(w, rc == WF_OK, "event kind %d refused: %d", (int)ev.kind, rc);
	WCHECK(w, out.n <= SESSION_EFFECTS_MAX, "%u effects", out.n);
	struct session_view v = session_view(w->s);
	WCHECK(w, v.points >= 0 && v.session_points >= 0, "negative points on screen");
	WCHECK(w, v.qty >= 0, "negative quantity on screen");
	trace(w, &ev, &v);
	if ((unsigned)v.screen <= SESSION_SCREEN_OUT_OF_SERVICE)
		g_screen_steps[v.screen]++;
	after_event(w, &ev, before, &v);
	for (unsigned i = 0; i < out.n; i++)
		answer(w, &out.fx[i], commit_fail_pct, print_fail_pct);
}

/* Feed an event and every answer it (recursively) calls for. */
static void feed(struct world *w, struct session_event ev, unsigned commit_fail_pct,
                 unsigned print_fail_pct)
{
	feed_one(w, ev, commit_fail_pct, print_fail_pct);
	while (w->nqueue > 0) {
		struct session_event next = w->queue[0];
		memmove(&w->queue[0], &w->queue[1], (w->nqueue - 1) * sizeof w->queue[0]);
		w->nqueue--;
		feed_one(w, next, commit_fail_pct, print_fail_pct);
	}
}

static void world_start(struct world *w, uint64_t seq_no, bool allow_anonymous)
{
	memset(w, 0, sizeof *w);
	w->seq_no = seq_no;
	w->rng = g_seed ^ (seq_no * UINT64_C(0xD1B54A32D192ED03));
	h_config(&w->cfg, allow_anonymous);
	w->now = H_T0_MS;
	char why[128] = "";
	w->s = session_create(&w->cfg, w->now, why, sizeof why);
	WCHECK(w, w->s != NULL, "session_create: %s", why);
	g_live = w->s;
	for (int d = 0; d < SESSION_DEV_COUNT; d++)
		feed(w, h_ev_device(w->now, (enum session_device)d, true), 0, 0);
	for (int r = 0; r < NRES; r++) {
		struct session_identity id;
		h_card((enum h_card)(CARD_ALICE + r), &id);
		for (unsigned i = 0; i < id.ntoday; i++)
			w->journal[r][id.today[i].category_id] = id.today[i].qty;
	}
	w->scale_has_flag = chance(w, 70);
}

/* After enough quiet time every screen gives up. */
static void check_settles(struct world *w)
{
	for (int i = 0; i < 4; i++)
		feed(w, h_ev_tick(w->now + 130000), 0, 0);
	struct session_view v = session_view(w->s);
	bool down = dev_blocks_drops(w) || w->staff_oos;
	if (down)
		WCHECK(w, v.screen == SESSION_SCREEN_OUT_OF_SERVICE, "quiet, devices down: on %s",
		       session_screen_name(v.screen));
	else
		WCHECK(w, v.screen == SESSION_SCREEN_ATTRACT, "quiet: on %s",
		       session_screen_name(v.screen));
}

/* ---- random soup ---- */

static unsigned scale_flags(struct world *w)
{
	return w->scale_has_flag ? RF_STABLE : RF_NOFLAG;
}

static struct session_event random_reading(struct world *w, int64_t t)
{
	if (chance(w, 4)) {
		int64_t choices[] = {0,
		                     0,
		                     0,
		                     rnd_in(w, 10, 60),
		                     rnd_in(w, 20, 60000),
		                     w->platform_g + rnd_in(w, 50, 500)};
		w->platform_g = choices[rnd(w) % 6];
	}
	unsigned k = (unsigned)(rnd(w) % 100);
	int64_t g = w->platform_g;
	unsigned f = scale_flags(w);
	if (k < 84) {
		/* steady */
	} else if (k < 89) {
		g += rnd_in(w, -3 * H_TOL_G, 3 * H_TOL_G);
	} else if (k < 93) {
		g += rnd_in(w, -2000, 2000);
		f |= RF_MOTION;
	} else if (k < 95) {
		g += rnd_in(w, -200, 200);
		f = RF_UNSTABLE;
	} else if (k < 96) {
		g = rnd_in(w, 60000, 200000);
		f |= RF_OVER;
	} else if (k < 97) {
		g = -rnd_in(w, 1, 500);
		f |= RF_UNDER;
	} else if (k < 98) {
		g = -rnd_in(w, 1, 100);
	} else {
		g = rnd_in(w, -100, 70000);
	}
	return h_ev_reading(t, g, f);
}

static struct session_event random_tap(struct world *w, int64_t t, unsigned *pin_pos)
{
	static const enum session_control staff[] = {
	    SESSION_TAP_STAFF_ZERO,    SESSION_TAP_STAFF_TARE,    SESSION_TAP_STAFF_TEST_WEIGHT,
	    SESSION_TAP_STAFF_BIN,     SESSION_TAP_STAFF_REPRINT, SESSION_TAP_STAFF_OOS_ON,
	    SESSION_TAP_STAFF_OOS_OFF, SESSION_TAP_STAFF_EXIT,
	};
	unsigned k = (unsigned)(rnd(w) % 100);
	if (k < 28)
		return h_ev_tap(t, SESSION_TAP_CATEGORY, (int)rnd_in(w, 1, 4));
	if (k < 48)
		return h_ev_tap(t, SESSION_TAP_CONFIRM, 0);
	if (k < 52)
		return h_ev_tap(t, SESSION_TAP_CANCEL, 0);
	if (k < 59)
		return h_ev_tap(t, SESSION_TAP_ANOTHER, 0);
	if (k < 63)
		return h_ev_tap(t, SESSION_TAP_DONE, 0);
	if (k < 68)
		return h_ev_tap(t, SESSION_TAP_ANONYMOUS, 0);
	if (k < 78) {
		int d = chance(w, 80) ? H_STAFF_PIN[*pin_pos % 4] - '0' : (int)rnd_in(w, 0, 9);
		*pin_pos = (*pin_pos + 1) % 4;
		return h_ev_tap(t, SESSION_TAP_DIGIT, d);
	}
	if (k < 80)
		return h_ev_tap(t, SESSION_TAP_BACKSPACE, 0);
	if (k < 88)
		return h_ev_tap(t, SESSION_TAP_PIECE_MORE, 0);
	if (k < 90)
		return h_ev_tap(t, SESSION_TAP_PIECE_LESS, 0);
	return h_ev_tap(t, staff[rnd(w) % 8], 0);
}

static struct session_event malformed_event(struct world *w, int64_t t)
{
	switch (rnd(w) % 6) {
	case 0: {
		struct session_event ev = h_ev_tick(t);
		ev.kind = (enum session_event_kind)(chance(w, 50) ? 0 : 77);
		return ev;
	}
	case 1: return h_ev_tap(t, (enum session_control)rnd_in(w, 100, 1000), 0);
	case 2: return h_ev_tap(t, SESSION_TAP_DIGIT, chance(w, 50) ? -1 : (int)rnd_in(w, 10, 99));
	case 3: return h_ev_tap(t, SESSION_TAP_CATEGORY, (int)rnd_in(w, 5, 65535));
	case 4: return h_ev_device(t, (enum session_device)rnd_in(w, 4, 9), false);
	default: {
		struct session_event ev = h_ev_card(t, CARD_ALICE);
		ev.u.card.kind = (enum session_card_kind)rnd_in(w, 5, 50);
		return ev;
	}
	}
}

static void random_malformed(struct world *w)
{
	/* Also later than the last event: the clock must not move either. */
	int64_t t = chance(w, 50) ? w->now + rnd_in(w, 1, 100000) : w->now;
	struct session_event ev = malformed_event(w, t);
	struct session_view before = session_view(w->s);
	struct session_effects out;
	int rc = session_step(w->s, &ev, &out);
	struct session_view after = session_view(w->s);
	WCHECK(w, rc == WF_EINVAL, "malformed event accepted (%d)", rc);
	WCHECK(w, out.n == 0, "malformed event made %u effects", out.n);
	WCHECK(w, h_view_equal(&before, &after), "malformed event changed the view");
}

static void random_sequence(struct world *w)
{
	static const enum h_card cards[] = {
	    CARD_ALICE, CARD_BOB,   CARD_CAROL,       CARD_DAVE,    CARD_ERIN,    CARD_ALICE,
	    CARD_BOB,   CARD_ERIN,  CARD_UNKNOWN,     CARD_BLOCKED, CARD_UNKNOWN, CARD_ALICE,
	    CARD_STAFF, CARD_ADMIN, CARD_STAFF_2FAIL, CARD_ALICE,
	};
	unsigned pin_pos = 0;
	long n = rnd_in(w, 100, 400);
	for (long i = 0; i < n; i++) {
		int64_t dt = chance(w, 90) ? rnd_in(w, 0, 500) : rnd_in(w, 500, 5000);
		int64_t t = w->now + dt;
		unsigned k = (unsigned)(rnd(w) % 100);
		if (k < 45) {
			/* A scale that is down sends nothing. */
			if (w->dev_up[SESSION_DEV_SCALE])
				feed(w, random_reading(w, t), 3, 10);
			else
				feed(w, h_ev_tick(t), 3, 10);
		} else if (k < 52) {
			enum h_card card;
			if (chance(w, 75))
				card = cards[rnd(w) % 12];
			else
				card = cards[rnd(w) % 16];
			feed(w, h_ev_card(t, card), 3, 10);
		} else if (k < 87) {
			feed(w, random_tap(w, t, &pin_pos), 3, 10);
		} else if (k < 97) {
			int64_t tick = chance(w, 95) ? rnd_in(w, 0, 1000) : rnd_in(w, 1000, 130000);
			feed(w, h_ev_tick(w->now + tick), 3, 10);
		} else if (k < 99) {
			enum session_device d = (enum session_device)(rnd(w) % SESSION_DEV_COUNT);
			for (int j = 0; j < SESSION_DEV_COUNT && chance(w, 80); j++) {
				bool broken =
				    !w->dev_up[j] || (j == SESSION_DEV_LEDGER && w->ledger_failed);
				if (broken) {
					d = (enum session_device)j;
					break;
				}
			}
			bool dbroken =
			    !w->dev_up[d] || (d == SESSION_DEV_LEDGER && w->ledger_failed);
			bool up = dbroken ? chance(w, 90) : !chance(w, 25);
			feed(w, h_ev_device(t, d, up), 3, 10);
		} else {
			random_malformed(w);
		}
	}
}

static void test_random_safety(void **state)
{
	(void)state;
	long loops = wf_test_loops(5000);
	unsigned long long drops = 0, commits = 0;
	for (long i = 0; i < loops; i++) {
		struct world w;
		world_start(&w, (uint64_t)i, i % 2 == 1);
		random_sequence(&w);
		check_settles(&w);
		drops += w.nrecord;
		commits += w.ncommit;
		session_destroy(w.s);
		g_live = NULL;
	}
	print_message("random safety: %ld sequences, %llu drops recorded, %llu committed\n", loops,
	              drops, commits);
	print_message("steps per screen:");
	for (int sc = SESSION_SCREEN_ATTRACT; sc <= SESSION_SCREEN_OUT_OF_SERVICE; sc++)
		print_message(" %s %lu", session_screen_name((enum session_screen)sc),
		              g_screen_steps[sc]);
	print_message("\n");
	/* The soup must reach the rules it claims to check. */
	assert_true(drops > (unsigned long long)loops / 4);
}

/* ---- liveness: visits with valid placements ---- */

static void hold(struct world *w, int64_t g, int64_t span_ms)
{
	int64_t t0 = w->now + rnd_in(w, 50, 300);
	unsigned f = scale_flags(w);
	for (int64_t t = 0;; t += rnd_in(w, 100, 400)) {
		feed(w, h_ev_reading(t0 + t, g, f), 0, 0);
		if (t >= span_ms)
			break;
	}
}

static void settle_bag(struct world *w, int64_t g)
{
	/* The bag goes on: a few readings in motion, then steady. */
	for (int64_t i = rnd_in(w, 0, 5); i > 0; i--)
		feed(w,
		     h_ev_reading(w->now + rnd_in(w, 50, 300), g + rnd_in(w, -3000, 3000),
		                  chance(w, 50) ? RF_MOTION | scale_flags(w) : RF_UNSTABLE),
		     0, 0);
	hold(w, g, H_STABLE_MS + rnd_in(w, 300, 2500));
}

static void tap(struct world *w, enum session_control c, int arg)
{
	feed(w, h_ev_tap(w->now + rnd_in(w, 100, 2500), c, arg), 0, 0);
}

static void noise_prelude(struct world *w)
{
	for (int64_t i = rnd_in(w, 0, 12); i > 0; i--) {
		int64_t t = w->now + rnd_in(w, 10, 800);
		if (chance(w, 70))
			feed(w, h_ev_reading(t, rnd_in(w, -300, 5000), RF_MOTION | scale_flags(w)),
			     0, 0);
		else
			feed(w, h_ev_tick(t), 0, 0);
	}
}

static void one_visit(struct world *w, uint64_t seq_no)
{
	world_start(w, seq_no, seq_no % 5 < 2);
	noise_prelude(w);
	hold(w, rnd_in(w, -5, 5), H_STABLE_MS + rnd_in(w, 300, 2000)); /* platform empty */
	int kind = (int)(rnd(w) % 3);
	if (kind == 1 && w->cfg.allow_anonymous) {
		tap(w, SESSION_TAP_ANONYMOUS, 0);
	} else if (kind == 2 && w->cfg.allow_anonymous) {
		feed(w, h_ev_card(w->now + 200, CARD_UNKNOWN), 0, 0);
		tap(w, SESSION_TAP_ANONYMOUS, 0);
	} else {
		feed(w, h_ev_card(w->now + 200, (enum h_card)rnd_in(w, CARD_ALICE, CARD_ERIN)), 0,
		     0);
	}
	WCHECK(w, session_view(w->s).screen == SESSION_SCREEN_CATEGORY, "no visit started");
	int ndrops = (int)rnd_in(w, 1, 4);
	bool bag_on = false;
	for (int k = 0; k < ndrops; k++) {
		uint16_t cat = (uint16_t)rnd_in(w, 1, 4);
		const struct wf_category *c = cat_of(w, cat);
		int64_t qty;
		unsigned before = w->nrecord;
		int64_t today = model_today(w, cat);
		if (c->unit == WF_UNIT_PIECE) {
			qty = rnd_in(w, c->min_qty, c->max_qty);
			tap(w, SESSION_TAP_CATEGORY, cat);
			int64_t extra = rnd_in(w, 0, 3);
			for (int64_t i = 0; i < qty + extra; i++)
				tap(w, SESSION_TAP_PIECE_MORE, 0);
			for (int64_t i = 0; i < extra; i++)
				tap(w, SESSION_TAP_PIECE_LESS, 0);
		} else {
			qty = rnd_in(w, c->min_qty, c->max_qty);
			bool bag_first = chance(w, 40);
			if (bag_on) /* clear the platform, before or after the category */
				hold(w, rnd_in(w, -5, 5), H_STABLE_MS + rnd_in(w, 300, 2000));
			if (bag_first)
				settle_bag(w, qty);
			tap(w, SESSION_TAP_CATEGORY, cat);
			if (!bag_first)
				settle_bag(w, qty);
			WCHECK(w, session_view(w->s).screen == SESSION_SCREEN_CONFIRM,
			       "valid placement of %lld g (cat %u): on %s", (long long)qty, cat,
			       session_screen_name(session_view(w->s).screen));
			if (chance(w, 30))
				hold(w, qty, rnd_in(w, 100, 2000));
			bag_on = true;
		}
		tap(w, SESSION_TAP_CONFIRM, 0);
		WCHECK(w, w->nrecord == before + 1, "%u drops for one placement and confirm",
		       w->nrecord - before);
		WCHECK(w, w->ncommit == before + 1 && w->ncommit <= 16, "not committed");
		const struct session_drop *d = &w->committed[w->ncommit - 1];
		int64_t credited = model_credited(qty, today, c->daily_limit_qty);
		WCHECK(w, d->qty == qty && d->category_id == cat, "drop %lld of %u, wanted %lld",
		       (long long)d->qty, d->category_id, (long long)qty);
		WCHECK(w, d->credited_qty == credited, "credited %lld, model %lld",
		       (long long)d->credited_qty, (long long)credited);
		WCHECK(w, d->points == model_points(c, credited), "points %lld, model %lld",
		       (long long)d->points, (long long)model_points(c, credited));
		WCHECK(w, session_view(w->s).screen == SESSION_SCREEN_RECEIPT, "no receipt");
		if (k + 1 < ndrops)
			tap(w, SESSION_TAP_ANOTHER, 0);
	}
	/* Confirming again, or waiting with the last bag on, adds nothing. */
	tap(w, SESSION_TAP_CONFIRM, 0);
	if (bag_on)
		hold(w, w->committed[w->ncommit - 1].qty, 3000);
	tap(w, SESSION_TAP_DONE, 0);
	WCHECK(w, w->nrecord == (unsigned)ndrops, "%u drops for %d placements", w->nrecord, ndrops);
	check_settles(w);
}

static void test_random_liveness(void **state)
{
	(void)state;
	long loops = wf_test_loops(2000);
	for (long i = 0; i < loops; i++) {
		struct world w;
		one_visit(&w, (uint64_t)i + 1000000);
		session_destroy(w.s);
		g_live = NULL;
	}
	print_message("random liveness: %ld visits\n", loops);
}

static uint64_t pick_seed(void)
{
	const char *env = getenv("WUFEI_SEED");
	if (env && *env) {
		char *end = NULL;
		errno = 0;
		unsigned long long v = strtoull(env, &end, 10);
		if (errno == 0 && end && *end == '\0')
			return v;
		fprintf(stderr, "WUFEI_SEED must be a decimal number\n");
		exit(2);
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000003u) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid();
}

static int free_live(void **state)
{
	(void)state;
	session_destroy(g_live);
	g_live = NULL;
	return 0;
}

int main(void)
{
	g_seed = pick_seed();
	printf("test_session_random: seed %llu (WUFEI_SEED=%llu reproduces)\n",
	       (unsigned long long)g_seed, (unsigned long long)g_seed);
	fflush(stdout);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_random_safety, free_live),
	    cmocka_unit_test_teardown(test_random_liveness, free_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
