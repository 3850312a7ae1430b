/*
 * test_pump.c — the one effect loop (kiosk/runner/pump.h): the effects of
 * one step run in order, each answer goes into the queue, and the session
 * is never stepped from inside an effect; answers are stepped after the
 * effects of the step that caused them, in the order they were posted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pump.h"
#include "wf.h"

struct fake {
	struct pump pump;
	char trace[1024];
	bool in_effect; /* an effect is being carried out now */
	bool reentered; /* step was entered while an effect ran */
};

static void note(struct fake *f, const char *fmt, int v)
{
	size_t n = strlen(f->trace);
	snprintf(f->trace + n, sizeof f->trace - n, fmt, v);
}

/* A tap (digit = n) returns n effects; a PIN result returns none. */
static int fake_step(void *ctx, struct session_event *ev, struct session_effects *out)
{
	struct fake *f = ctx;
	if (f->in_effect)
		f->reentered = true;
	memset(out, 0, sizeof *out);
	if (ev->kind == SESSION_EV_TAP) {
		note(f, "step tap %d;", ev->u.tap.digit);
		for (int i = 0; i < ev->u.tap.digit; i++) {
			out->fx[out->n].kind = SESSION_FX_VERIFY_PIN;
			out->fx[out->n].u.pin.staff_id = (uint64_t)(ev->u.tap.digit * 10 + i);
			out->n++;
		}
		return WF_OK;
	}
	if (ev->kind == SESSION_EV_PIN_RESULT) {
		note(f, "step answer %d;", ev->u.pin_ok ? 1 : 0);
		return WF_OK;
	}
	return WF_EINVAL;
}

static void fake_stepped(void *ctx)
{
	note(ctx, "view;", 0);
}

/* Each effect answers at once, by posting; tap effects of 10+ also post a tap. */
static void fake_effect(void *ctx, const struct session_effect *fx)
{
	struct fake *f = ctx;
	f->in_effect = true;
	note(f, "effect %d;", (int)fx->u.pin.staff_id);
	struct session_event ev = {.kind = SESSION_EV_PIN_RESULT};
	ev.u.pin_ok = fx->u.pin.staff_id % 2 == 0;
	assert_int_equal(pump_post(&f->pump, &ev), WF_OK);
	if (fx->u.pin.staff_id == 20) { /* an answer that itself has effects */
		struct session_event tap = {.kind = SESSION_EV_TAP};
		tap.u.tap.digit = 1;
		assert_int_equal(pump_post(&f->pump, &tap), WF_OK);
	}
	f->in_effect = false;
}

static const struct pump_ops g_ops = {fake_step, fake_stepped, fake_effect};

static void test_order(void **state)
{
	(void)state;
	static struct fake f;
	memset(&f, 0, sizeof f);
	pump_init(&f.pump, &g_ops, &f);
	struct session_event tap = {.kind = SESSION_EV_TAP};
	tap.u.tap.digit = 2;
	assert_int_equal(pump_post(&f.pump, &tap), WF_OK);
	/* both effects of the tap, in order, before either answer is stepped;
	 * then the answers and the tap effect 20 posted, in the order posted */
	assert_string_equal(f.trace, "step tap 2;view;effect 20;effect 21;"
	                             "step answer 1;view;step tap 1;view;effect 10;"
	                             "step answer 0;view;step answer 1;view;");
	assert_false(f.reentered);
	assert_int_equal(f.pump.count, 0);
	/* a malformed event: stepped, refused, nothing else */
	f.trace[0] = '\0';
	struct session_event bad = {.kind = SESSION_EV_CARD};
	assert_int_equal(pump_post(&f.pump, &bad), WF_OK);
	assert_string_equal(f.trace, "");
}

/* The queue holds what one step can post; beyond it an event is refused,
 * counted, and the loop goes on. */
static void test_full(void **state)
{
	(void)state;
	static struct fake f;
	memset(&f, 0, sizeof f);
	pump_init(&f.pump, &g_ops, &f);
	f.pump.running = true; /* as if inside an effect: posts only queue */
	struct session_event ev = {.kind = SESSION_EV_PIN_RESULT};
	for (int i = 0; i < PUMP_EVENTS_MAX; i++)
		assert_int_equal(pump_post(&f.pump, &ev), WF_OK);
	assert_int_equal(pump_post(&f.pump, &ev), WF_EFULL);
	assert_int_equal(f.pump.dropped, 1);
	assert_int_equal(f.pump.count, PUMP_EVENTS_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order),
	    cmocka_unit_test(test_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
