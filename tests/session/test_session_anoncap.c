/*
 * test_session_anoncap.c — the anonymous daily cap in the session core: a
 * kiosk's anonymous drops of a category earn points for at most the cap's
 * quantity per local day (counted from the journal, which the tap that
 * starts an anonymous visit carries, plus the visit's own drops); beyond it
 * a drop is recorded with nothing credited (capped) and the confirm and
 * receipt screens say why. A new day starts again; residents are held to
 * their own daily limit only. The test plays the runner: a small journal
 * of the anonymous drops recorded, per day, read when a visit starts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "harness.h"
#include "session.h"

#define DAYS 2

struct run {
	struct session *s;
	int64_t now;
	struct session_effects fx; /* of the last step */
	unsigned day;              /* the runner's local day: 0 or 1 */
	/* the journal: credited quantity of anonymous drops, per day and category */
	int64_t anon[DAYS][CAT_METAL + 1];
	uint64_t seq;
};

static void start(struct run *r)
{
	struct session_config cfg;
	h_config(&cfg, true);
	cfg.categories[0].has_anon_cap = true; /* paper: 3000 g a day */
	cfg.categories[0].anon_cap_qty = 3000;
	cfg.categories[2].has_anon_cap = true; /* batteries: anonymous ones earn nothing */
	cfg.categories[2].anon_cap_qty = 0;
	memset(r, 0, sizeof *r);
	r->now = H_T0_MS;
	r->s = session_create(&cfg, r->now, NULL, 0);
	assert_non_null(r->s);
}

static void step(struct run *r, struct session_event ev)
{
	r->now = ev.now_ms;
	assert_int_equal(session_step(r->s, &ev, &r->fx), WF_OK);
}

static struct session_view view(const struct run *r)
{
	return session_view(r->s);
}

/* The tap that starts an anonymous visit, as the runner fills it. */
static void tap_anonymous(struct run *r)
{
	struct session_event ev = h_ev_tap(r->now + 10, SESSION_TAP_ANONYMOUS, 0);
	for (uint16_t c = 1; c <= CAT_METAL; c++) {
		if (r->anon[r->day][c] == 0)
			continue;
		ev.u.tap.anon_today[ev.u.tap.nanon_today].category_id = c;
		ev.u.tap.anon_today[ev.u.tap.nanon_today].qty = r->anon[r->day][c];
		ev.u.tap.nanon_today++;
	}
	step(r, ev);
	assert_int_equal(view(r).screen, SESSION_SCREEN_CATEGORY);
	assert_true(view(r).anonymous);
}

/* Empties the platform, then puts a stable weight on it long enough to count. */
static void weigh(struct run *r, uint16_t category, int64_t grams)
{
	step(r, h_ev_tap(r->now + 10, SESSION_TAP_CATEGORY, category));
	for (int i = 0; i <= 4; i++)
		step(r, h_ev_reading(r->now + 500, 0, RF_STABLE));
	for (int i = 0; i <= 4; i++)
		step(r, h_ev_reading(r->now + 500, grams, RF_STABLE));
	assert_int_equal(view(r).screen, SESSION_SCREEN_CONFIRM);
}

/* Confirms; the drop effect is recorded in the journal and answered. */
static struct session_drop confirm(struct run *r)
{
	step(r, h_ev_tap(r->now + 10, SESSION_TAP_CONFIRM, 0));
	assert_int_equal(r->fx.n, 1);
	assert_int_equal(r->fx.fx[0].kind, SESSION_FX_RECORD_DROP);
	struct session_drop d = r->fx.fx[0].u.drop;
	if (d.anonymous)
		r->anon[r->day][d.category_id] += d.credited_qty;
	step(r, h_ev_committed(r->now + 10, ++r->seq));
	assert_int_equal(view(r).screen, SESSION_SCREEN_RECEIPT);
	return d;
}

static void another(struct run *r)
{
	step(r, h_ev_tap(r->now + 10, SESSION_TAP_ANOTHER, 0));
	assert_int_equal(view(r).screen, SESSION_SCREEN_CATEGORY);
}

static void done(struct run *r)
{
	step(r, h_ev_tap(r->now + 10, SESSION_TAP_DONE, 0));
	assert_int_equal(view(r).screen, SESSION_SCREEN_ATTRACT);
}

/* Paper, cap 3000 g: 2000 in full, then 1500 of which 1000 earns, within
 * one visit; the next visit's drop earns nothing and says so. */
static void test_cap_reached_across_drops(void **state)
{
	(void)state;
	struct run r;
	start(&r);
	tap_anonymous(&r);
	weigh(&r, CAT_PAPER, 2000);
	assert_false(view(&r).capped);
	assert_int_equal(view(&r).points, 4);
	assert_int_equal(view(&r).message, SESSION_MSG_NONE);
	struct session_drop d = confirm(&r);
	assert_int_equal(d.credited_qty, 2000);
	assert_false(d.capped);
	assert_false(d.anon_capped);

	/* the same visit: its own first drop counts */
	another(&r);
	weigh(&r, CAT_PAPER, 1500);
	struct session_view v = view(&r);
	assert_true(v.capped);
	assert_true(v.anon_capped);
	assert_int_equal(v.points, 2); /* 1000 g at 2000/t */
	assert_int_equal(v.message, SESSION_MSG_ANON_CAP_REACHED);
	d = confirm(&r);
	assert_int_equal(d.qty, 1500); /* all of it recorded */
	assert_int_equal(d.credited_qty, 1000);
	assert_int_equal(d.points, 2);
	assert_true(d.capped);
	assert_true(d.anon_capped);
	assert_int_equal(view(&r).message, SESSION_MSG_ANON_CAP_REACHED);
	done(&r);

	/* another person, the same day: the journal says 3000 g earned */
	tap_anonymous(&r);
	weigh(&r, CAT_PAPER, 800);
	assert_int_equal(view(&r).points, 0);
	assert_true(view(&r).anon_capped);
	assert_int_equal(view(&r).message, SESSION_MSG_ANON_CAP_REACHED);
	d = confirm(&r);
	assert_int_equal(d.qty, 800);
	assert_int_equal(d.credited_qty, 0);
	assert_int_equal(d.points, 0);
	assert_true(d.capped);
	v = view(&r);
	assert_true(v.has_receipt);
	assert_int_equal(v.receipt.drop.points, 0);
	assert_true(v.anon_capped);
	assert_true(v.capped);
	assert_int_equal(v.points, 0);

	/* a category without a cap is not held to paper's */
	another(&r);
	weigh(&r, CAT_PLASTIC, 4000);
	assert_false(view(&r).capped);
	d = confirm(&r);
	assert_int_equal(d.credited_qty, 4000);
	assert_int_equal(d.points, 6);
	done(&r);
	session_destroy(r.s);
}

/* A cap of 0: anonymous drops of that category earn nothing at all. */
static void test_cap_zero_earns_nothing(void **state)
{
	(void)state;
	struct run r;
	start(&r);
	tap_anonymous(&r);
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CATEGORY, CAT_BATTERIES));
	assert_int_equal(view(&r).screen, SESSION_SCREEN_COUNT);
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_PIECE_MORE, 0));
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_PIECE_MORE, 0));
	assert_int_equal(view(&r).points, 0);
	assert_true(view(&r).anon_capped);
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CONFIRM, 0));
	assert_int_equal(r.fx.fx[0].kind, SESSION_FX_RECORD_DROP);
	assert_int_equal(r.fx.fx[0].u.drop.qty, 2);
	assert_int_equal(r.fx.fx[0].u.drop.credited_qty, 0);
	assert_true(r.fx.fx[0].u.drop.capped);
	session_destroy(r.s);
}

/* The next local day starts again: the runner's journal has nothing for it. */
static void test_new_day_resets(void **state)
{
	(void)state;
	struct run r;
	start(&r);
	tap_anonymous(&r);
	weigh(&r, CAT_PAPER, 3000);
	assert_int_equal(confirm(&r).credited_qty, 3000);
	done(&r);
	tap_anonymous(&r);
	weigh(&r, CAT_PAPER, 1000);
	assert_int_equal(confirm(&r).credited_qty, 0);
	done(&r);
	r.day = 1;
	tap_anonymous(&r);
	weigh(&r, CAT_PAPER, 1000);
	assert_false(view(&r).capped);
	struct session_drop d = confirm(&r);
	assert_int_equal(d.credited_qty, 1000);
	assert_int_equal(d.points, 2);
	assert_int_equal(view(&r).message, SESSION_MSG_NONE);
	session_destroy(r.s);
}

/* Residents are held to their own daily limit, never to the anonymous cap,
 * however much anonymous drops earned; an unknown card dropping
 * anonymously is held to the cap. */
static void test_residents_unaffected(void **state)
{
	(void)state;
	struct run r;
	start(&r);
	r.anon[0][CAT_PAPER] = 3000; /* the cap is used up today */
	step(&r, h_ev_card(r.now + 10, CARD_ALICE));
	assert_int_equal(view(&r).screen, SESSION_SCREEN_CATEGORY);
	weigh(&r, CAT_PAPER, 5000);
	assert_false(view(&r).capped);
	assert_int_equal(view(&r).points, 10);
	struct session_drop d = confirm(&r);
	assert_false(d.anonymous);
	assert_int_equal(d.credited_qty, 5000);
	done(&r);
	/* Carol is at her own limit: the daily limit's words, not the cap's */
	step(&r, h_ev_card(r.now + 10, CARD_CAROL));
	weigh(&r, CAT_PAPER, 1000);
	assert_true(view(&r).capped);
	assert_false(view(&r).anon_capped);
	assert_int_equal(view(&r).message, SESSION_MSG_LIMIT_REACHED);
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CANCEL, 0));
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CANCEL, 0));
	assert_int_equal(view(&r).screen, SESSION_SCREEN_ATTRACT);
	/* an unknown card, then "drop anonymously": the cap holds */
	step(&r, h_ev_card(r.now + 10, CARD_UNKNOWN));
	assert_int_equal(view(&r).screen, SESSION_SCREEN_UNKNOWN);
	struct session_event ev = h_ev_tap(r.now + 10, SESSION_TAP_ANONYMOUS, 0);
	ev.u.tap.nanon_today = 1;
	ev.u.tap.anon_today[0].category_id = CAT_PAPER;
	ev.u.tap.anon_today[0].qty = r.anon[0][CAT_PAPER];
	step(&r, ev);
	weigh(&r, CAT_PAPER, 1000);
	assert_true(view(&r).anon_capped);
	d = confirm(&r);
	assert_true(d.anonymous);
	assert_int_equal(d.credited_qty, 0);
	assert_int_equal(d.points, 0);
	session_destroy(r.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cap_reached_across_drops),
	    cmocka_unit_test(test_cap_zero_earns_nothing),
	    cmocka_unit_test(test_new_day_resets),
	    cmocka_unit_test(test_residents_unaffected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
