/*
 * live.c — what the live loop (cmd_run.c) needs to sleep until something
 * happens: the next deadline no event will bring, and the window's wait.
 *
 * Why deadlines and not a fixed tick: a kiosk at attract with nothing
 * happening must use next to no CPU; a tick every 100 ms wakes it ten
 * times a second for nothing. The session decides on every event
 * (timeouts included), so the loop needs to wake only when a timeout, a
 * countdown's shown second, or one of the runner's own schedules is due.
 */
#include "runner_private.h"

#include "wf.h"

#define DEADLINE_MAX_MS 60000 /* at least once a minute: the clock on screen */
#define SYNC_LOOK_MS    1000  /* the sync thread's status, with a central */

/* Until the next whole second of a countdown of left ms (or its end). */
static int64_t next_second(int64_t left)
{
	return left > 0 ? (left - 1) % 1000 + 1 : DEADLINE_MAX_MS;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int runner_next_deadline_ms(struct runner *r)
{
	int64_t now = runner_now(r), d = DEADLINE_MAX_MS;
	/* the clock on screen: its next minute */
	int64_t utc = runner_utc_at(r, now);
	if (utc > 0)
		d = min64(d, 60000 - utc % 60000);
	struct session_view v = session_view(r->session);
	if (v.timeout_left_ms > 0)
		d = min64(d, next_second(v.timeout_left_ms));
	if (v.locked_ms > 0)
		d = min64(d, next_second(v.locked_ms));
	for (unsigned i = 0; i < r->nwaits; i++)
		d = min64(d, r->waits[i].deadline_ms - now);
	if (v.screen == SESSION_SCREEN_STAFF || v.screen == SESSION_SCREEN_OUT_OF_SERVICE)
		d = min64(d, r->health_ms + HEALTH_EVERY_MS - now); /* screen.c: shows_health */
	if (r->sync)
		d = min64(d, SYNC_LOOK_MS);
	d = min64(d, metrics_run_due_ms(r)); /* the metrics file */
	d = min64(d, watch_due_ms(r));       /* systemd's watchdog (watch.c) */
	return d < 0 ? 0 : (int)d;
}

bool runner_has_window(const struct runner *r)
{
	return r->window && r->ui;
}

bool runner_wait(struct runner *r, int timeout_ms)
{
	return screen_wait(r, timeout_ms);
}

void runner_wake(struct runner *r)
{
	screen_wake(r);
}
