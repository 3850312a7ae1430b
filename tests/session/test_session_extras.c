/*
 * test_session_extras.c — what the kiosk screen needs of the session core:
 * the visit's language (one tap switches it, attract returns to the
 * default, the receipt keeps it), the resident's balance, and a bin weight
 * keyed in on the staff's numeric pad.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "harness.h"
#include "session.h"

struct run {
	struct session *s;
	int64_t now;
	struct session_effects fx; /* of the last step */
};

static void start(struct run *r, enum wf_lang lang)
{
	struct session_config cfg;
	h_config(&cfg, true);
	cfg.language = lang;
	r->now = H_T0_MS;
	r->s = session_create(&cfg, r->now, NULL, 0);
	assert_non_null(r->s);
}

static void step(struct run *r, struct session_event ev)
{
	r->now = ev.now_ms;
	assert_int_equal(session_step(r->s, &ev, &r->fx), WF_OK);
}

static bool has_fx(const struct run *r, enum session_effect_kind k)
{
	for (unsigned i = 0; i < r->fx.n; i++)
		if (r->fx.fx[i].kind == k)
			return true;
	return false;
}

static struct session_view view(const struct run *r)
{
	return session_view(r->s);
}

/* Empties the platform, then puts a stable weight on it long enough to count. */
static void weigh(struct run *r, int64_t grams)
{
	for (int i = 0; i <= 4; i++)
		step(r, h_ev_reading(r->now + 500, 0, RF_STABLE));
	for (int i = 0; i <= 4; i++)
		step(r, h_ev_reading(r->now + 500, grams, RF_STABLE));
}

static void test_language_switches_for_the_visit(void **state)
{
	(void)state;
	struct run r;
	start(&r, WF_LANG_ZH);
	assert_int_equal(view(&r).language, WF_LANG_ZH);
	/* at attract already: the visit that follows speaks English */
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_LANGUAGE, 0));
	assert_int_equal(view(&r).language, WF_LANG_EN);
	step(&r, h_ev_card(r.now + 10, CARD_ALICE));
	assert_int_equal(view(&r).screen, SESSION_SCREEN_CATEGORY);
	assert_int_equal(view(&r).language, WF_LANG_EN);
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CATEGORY, CAT_PAPER));
	weigh(&r, 1250);
	assert_int_equal(view(&r).screen, SESSION_SCREEN_CONFIRM);
	/* mid-visit, back to Chinese: the screen stays where it was */
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_LANGUAGE, 0));
	assert_int_equal(view(&r).screen, SESSION_SCREEN_CONFIRM);
	assert_int_equal(view(&r).language, WF_LANG_ZH);
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_LANGUAGE, 0));
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CONFIRM, 0));
	step(&r, h_ev_committed(r.now + 10, 1));
	assert_true(has_fx(&r, SESSION_FX_PRINT_RECEIPT));
	for (unsigned i = 0; i < r.fx.n; i++)
		if (r.fx.fx[i].kind == SESSION_FX_PRINT_RECEIPT)
			assert_int_equal(r.fx.fx[i].u.receipt.language, WF_LANG_EN);
	assert_int_equal(view(&r).receipt.language, WF_LANG_EN);
	/* done: attract speaks the default again */
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_DONE, 0));
	assert_int_equal(view(&r).screen, SESSION_SCREEN_ATTRACT);
	assert_int_equal(view(&r).language, WF_LANG_ZH);
	session_destroy(r.s);
}

static void test_language_resets_on_timeout(void **state)
{
	(void)state;
	struct run r;
	start(&r, WF_LANG_EN);
	step(&r, h_ev_card(r.now + 10, CARD_ALICE));
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_LANGUAGE, 0));
	assert_int_equal(view(&r).language, WF_LANG_ZH);
	step(&r, h_ev_tick(r.now + H_TO_CATEGORY_MS + 1));
	assert_int_equal(view(&r).screen, SESSION_SCREEN_ATTRACT);
	assert_int_equal(view(&r).language, WF_LANG_EN);
	session_destroy(r.s);
}

static void test_balance_shown_for_a_resident(void **state)
{
	(void)state;
	struct run r;
	start(&r, WF_LANG_ZH);
	struct session_event ev = h_ev_card(r.now + 10, CARD_ALICE);
	ev.u.card.has_balance = true;
	ev.u.card.balance = 120;
	step(&r, ev);
	assert_true(view(&r).has_balance);
	assert_int_equal(view(&r).balance, 120);
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CATEGORY, CAT_PAPER));
	weigh(&r, 2000); /* 2 kg of paper at 2000 points a tonne: 4 points */
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CONFIRM, 0));
	step(&r, h_ev_committed(r.now + 10, 1));
	assert_int_equal(view(&r).screen, SESSION_SCREEN_RECEIPT);
	assert_int_equal(view(&r).points, 4);
	assert_int_equal(view(&r).balance, 124);
	/* an anonymous visit has no balance */
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_DONE, 0));
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_ANONYMOUS, 0));
	assert_int_equal(view(&r).screen, SESSION_SCREEN_CATEGORY);
	assert_false(view(&r).has_balance);
	assert_true(view(&r).allow_anonymous);
	session_destroy(r.s);
}

static void staff_bin_weigh(struct run *r)
{
	step(r, h_ev_card(r->now + 10, CARD_STAFF));
	for (const char *p = H_STAFF_PIN; *p; p++)
		step(r, h_ev_tap(r->now + 10, SESSION_TAP_DIGIT, *p - '0'));
	step(r, h_ev_tap(r->now + 10, SESSION_TAP_CONFIRM, 0));
	step(r, h_ev_pin(r->now + 10, true));
	assert_int_equal(view(r).screen, SESSION_SCREEN_STAFF);
	step(r, h_ev_tap(r->now + 10, SESSION_TAP_STAFF_BIN, 0));
	step(r, h_ev_tap(r->now + 10, SESSION_TAP_CATEGORY, CAT_PAPER));
	assert_int_equal(view(r).screen, SESSION_SCREEN_STAFF_BIN_WEIGH);
}

static void key(struct run *r, const char *keys)
{
	for (const char *p = keys; *p; p++) {
		if (*p == '.')
			step(r, h_ev_tap(r->now + 10, SESSION_TAP_POINT, 0));
		else if (*p == '<')
			step(r, h_ev_tap(r->now + 10, SESSION_TAP_BACKSPACE, 0));
		else
			step(r, h_ev_tap(r->now + 10, SESSION_TAP_DIGIT, *p - '0'));
	}
}

static void test_bin_weight_keyed_in(void **state)
{
	(void)state;
	struct run r;
	start(&r, WF_LANG_ZH);
	staff_bin_weigh(&r);
	/* nothing on the scale, nothing keyed: confirm records nothing */
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CONFIRM, 0));
	assert_false(has_fx(&r, SESSION_FX_RECORD_BIN));
	assert_true(has_fx(&r, SESSION_FX_BEEP_ERROR));
	key(&r, "42.555");
	assert_string_equal(view(&r).keyed, "42.555");
	assert_int_equal(view(&r).keyed_grams, 42555);
	/* a fourth decimal and a second point are refused, with a beep */
	key(&r, "1");
	assert_true(has_fx(&r, SESSION_FX_BEEP_ERROR));
	key(&r, ".");
	assert_true(has_fx(&r, SESSION_FX_BEEP_ERROR));
	assert_string_equal(view(&r).keyed, "42.555");
	key(&r, "<<<<7");
	assert_string_equal(view(&r).keyed, "427");
	/* a weight on the scale too: what was keyed in wins */
	weigh(&r, 9000);
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CONFIRM, 0));
	assert_int_equal(r.fx.n, 2);
	assert_int_equal(r.fx.fx[0].kind, SESSION_FX_RECORD_BIN);
	assert_int_equal(r.fx.fx[0].u.bin.grams, 427000);
	assert_int_equal(r.fx.fx[0].u.bin.category_id, CAT_PAPER);
	assert_int_equal(r.fx.fx[1].kind, SESSION_FX_RECORD_STAFF);
	assert_int_equal(r.fx.fx[1].u.staff.action, SESSION_STAFF_BIN_KEYED);
	assert_int_equal(r.fx.fx[1].u.staff.value, 427000);
	assert_int_equal(view(&r).screen, SESSION_SCREEN_STAFF);
	assert_string_equal(view(&r).keyed, "");
	/* the next collection starts with nothing keyed; the scale's weight counts */
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_STAFF_BIN, 0));
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CATEGORY, CAT_PLASTIC));
	weigh(&r, 9000);
	step(&r, h_ev_tap(r.now + 10, SESSION_TAP_CONFIRM, 0));
	assert_int_equal(r.fx.n, 1);
	assert_int_equal(r.fx.fx[0].u.bin.grams, 9000);
	session_destroy(r.s);
}

static void test_keyed_grams(void **state)
{
	(void)state;
	assert_int_equal(session_keyed_grams("12"), 12000);
	assert_int_equal(session_keyed_grams("12.5"), 12500);
	assert_int_equal(session_keyed_grams("0.125"), 125);
	assert_int_equal(session_keyed_grams("1000"), 1000000);
	assert_int_equal(session_keyed_grams("0.001"), 1);
	assert_int_equal(session_keyed_grams(""), -1);
	assert_int_equal(session_keyed_grams("0"), -1);
	assert_int_equal(session_keyed_grams("1000.001"), -1);
	assert_int_equal(session_keyed_grams("1.2345"), -1);
	assert_int_equal(session_keyed_grams("1..2"), -1);
	assert_int_equal(session_keyed_grams("1a"), -1);
	assert_int_equal(session_keyed_grams("."), -1);
	assert_int_equal(session_keyed_grams("99999999999999999999"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_language_switches_for_the_visit),
	    cmocka_unit_test(test_language_resets_on_timeout),
	    cmocka_unit_test(test_balance_shown_for_a_resident),
	    cmocka_unit_test(test_bin_weight_keyed_in),
	    cmocka_unit_test(test_keyed_grams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
