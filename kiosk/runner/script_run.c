/*
 * script_run.c — the kiosk's command language (script.h) carried out:
 * scripted visits on the virtual clock (time moves only by "wait" and
 * "weight ... for"), the live console's lines, "expect" checks and "sync".
 */
#include "runner_private.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "wf.h"

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ms pass: on the virtual clock in steps, each with a tick; live, a sleep. */
static void let_pass(struct runner *r, int64_t ms)
{
	if (!r->virtual_clock) {
		sleep_ms(ms);
		runner_poll_devices(r);
		runner_tick(r);
		return;
	}
	while (ms > 0) {
		int64_t step = ms < READING_STEP_MS ? ms : READING_STEP_MS;
		wf_clock_virtual_advance(r->vclock, step);
		ms -= step;
		runner_poll_devices(r);
		runner_tick(r);
	}
}

/* "weight G [flags] [for MS]": a reading every READING_STEP_MS for MS. */
static void script_weight(struct runner *r, const struct script_cmd *c)
{
	int64_t end = runner_now(r) + c->ms;
	for (;;) {
		struct session_event ev;
		memset(&ev, 0, sizeof ev);
		ev.kind = SESSION_EV_READING;
		ev.u.reading = c->reading;
		runner_post(r, &ev);
		if (runner_now(r) + READING_STEP_MS > end)
			break;
		if (r->virtual_clock)
			wf_clock_virtual_advance(r->vclock, READING_STEP_MS);
		else
			sleep_ms(READING_STEP_MS);
	}
}

static int script_tap(struct runner *r, const struct script_cmd *c, char *err, size_t err_len)
{
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = SESSION_EV_TAP;
	ev.u.tap.control = c->control;
	ev.u.tap.digit = (int)c->number;
	if (c->control == SESSION_TAP_CATEGORY) {
		for (unsigned i = 0; i < r->scfg.ncategories; i++)
			if (!strcmp(r->scfg.categories[i].code, c->arg))
				ev.u.tap.category_id = r->scfg.categories[i].id;
		if (!ev.u.tap.category_id) {
			snprintf(err, err_len, "no category '%s'", c->arg);
			return WF_EINVAL;
		}
	}
	runner_post(r, &ev);
	return WF_OK;
}

static void script_pin(struct runner *r, const char *digits)
{
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = SESSION_EV_TAP;
	for (const char *p = digits; *p; p++) {
		ev.u.tap.control = SESSION_TAP_DIGIT;
		ev.u.tap.digit = *p - '0';
		runner_post(r, &ev);
	}
	ev.u.tap.control = SESSION_TAP_CONFIRM;
	ev.u.tap.digit = 0;
	runner_post(r, &ev);
}

static int expect(struct runner *r, const struct script_cmd *c, char *err, size_t err_len)
{
	struct session_view v = session_view(r->session);
	const char *got = NULL, *what = "message";
	if (c->kind == SCRIPT_EXPECT_SCREEN) {
		got = session_screen_name(v.screen);
		what = "screen";
	} else if (c->kind == SCRIPT_EXPECT_MESSAGE) {
		got = v.message == SESSION_MSG_NONE ? "none" : session_message_name(v.message);
	} else if (c->kind == SCRIPT_EXPECT_SCALE) {
		got = session_scale_name(v.live);
		what = "scale";
	}
	if (got && strcmp(got, c->arg)) {
		snprintf(err, err_len, "expected %s %s, but it is %s", what, c->arg, got);
		return WF_EINVAL;
	}
	if (c->kind == SCRIPT_EXPECT_POINTS &&
	    (!v.has_receipt || v.receipt.drop.points != c->number)) {
		snprintf(err, err_len, "expected %lld points on the receipt, got %lld",
		         (long long)c->number,
		         v.has_receipt ? (long long)v.receipt.drop.points : -1LL);
		return WF_EINVAL;
	}
	return WF_OK;
}

/* `sync [MS]`: wake the sync thread, wait (in real time) for a round that
 * ends with an empty outbox. */
static int script_sync(struct runner *r, const struct script_cmd *c, char *err, size_t err_len)
{
	if (!r->sync) {
		snprintf(err, err_len, "sync: no [central] url configured");
		return WF_EINVAL;
	}
	const struct wf_clock *real = runner_wait_clock(r); /* the sync thread's */
	struct sync_status st;
	sync_get_status(r->sync, &st);
	uint64_t before = st.rounds_ok;
	sync_kick(r->sync);
	int64_t end = wf_clock_mono_ms(real) + c->ms;
	for (;;) {
		sleep_ms(20);
		sync_get_status(r->sync, &st);
		if (st.rounds_ok > before && st.outbox_depth == 0)
			break;
		if (st.rounds_ok > before) {
			before = st.rounds_ok; /* records came in meanwhile: one more round */
			sync_kick(r->sync);
		}
		if (wf_clock_mono_ms(real) >= end) {
			snprintf(err, err_len,
			         "sync: no round emptied the outbox within %" PRId64
			         " ms (queue %" PRId64 ", last error: %s)",
			         c->ms, st.outbox_depth, st.last_error[0] ? st.last_error : "none");
			return WF_ETIMEDOUT;
		}
	}
	runner_tick(r); /* the epoch answer and a new catalogue take effect now */
	runner_logf(r, "sync: outbox empty, conflicts %" PRId64, st.conflicts_held);
	return WF_OK;
}

int runner_script(struct runner *r, const struct script_cmd *c, char *err, size_t err_len)
{
	runner_poll_devices(r);
	switch (c->kind) {
	case SCRIPT_NONE: return WF_OK;
	case SCRIPT_CARD: event_card(r, c->arg); return WF_OK;
	case SCRIPT_WEIGHT: script_weight(r, c); return WF_OK;
	case SCRIPT_TAP: return script_tap(r, c, err, err_len);
	case SCRIPT_PIN: script_pin(r, c->arg); return WF_OK;
	case SCRIPT_WAIT: let_pass(r, c->ms); return WF_OK;
	case SCRIPT_DEVICE: runner_post_device(r, c->device, c->up); return WF_OK;
	case SCRIPT_EXPECT_SCREEN:
	case SCRIPT_EXPECT_MESSAGE:
	case SCRIPT_EXPECT_SCALE:
	case SCRIPT_EXPECT_POINTS: return expect(r, c, err, err_len);
	case SCRIPT_SYNC: return script_sync(r, c, err, err_len);
	case SCRIPT_QUIT: r->quit = true; return WF_ESTATE;
	}
	return WF_EINVAL;
}
