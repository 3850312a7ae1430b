/*
 * screen_input.c — what the kiosk's window says (built with SDL2, beside
 * screen.c): taps become session taps, the pressed control is drawn again
 * when it changes, and key presses go through the keyboard-wedge burst
 * detector (devices/wedge) when kiosk.ini has a [device.*] protocol = wedge
 * reader: a card typed at reader speed is a card (as if a card reader had
 * read it: event_card); a person typing is nothing. Also the live loop's
 * wait (ui_wait) and its wake-up from another thread (ui_wake), and the
 * optional log of presented frames for bench/input_latency.
 */
#include "runner_private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui.h"
#include "wf.h"

/* The wedge reader from kiosk.ini, once. */
static void wedge_setup(struct runner *r)
{
	if (r->wedge_state)
		return;
	r->wedge_state = -1;
	if (!r->cfg.wedge.present)
		return;
	struct wedge_config wc;
	memset(&wc, 0, sizeof wc);
	snprintf(wc.technology, sizeof wc.technology, "%s", r->cfg.wedge.technology);
	wc.hex = r->cfg.wedge.hex;
	wc.digits = r->cfg.wedge.digits;
	if (!wedge_init(&r->wedge, &wc)) {
		runner_logf(r, "device %s: keyboard-wedge reader: bad configuration",
		            r->cfg.wedge.name);
		return;
	}
	r->wedge_state = 1;
	runner_logf(r, "device %s: keyboard-wedge reader on the window's keyboard",
	            r->cfg.wedge.name);
}

static void tapped(struct runner *r, const struct ui_button *b)
{
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = SESSION_EV_TAP;
	ev.u.tap.control = b->control;
	ev.u.tap.category_id = b->category_id;
	ev.u.tap.digit = b->digit;
	/* a PIN's digits are a secret: the log says a key was pressed */
	bool secret = b->control == SESSION_TAP_DIGIT &&
	              session_view(r->session).screen == SESSION_SCREEN_PIN;
	runner_logf(r, "tap %s", secret ? "(PIN digit)" : b->label);
	runner_post(r, &ev);
}

void screen_input(struct runner *r)
{
	if (!r->ui || !r->window)
		return;
	wedge_setup(r);
	struct ui_input in;
	int p;
	while ((p = ui_poll(r->ui, &in)) > 0) {
		char id[WEDGE_ID_MAX];
		switch (in.kind) {
		case UI_INPUT_TAP:
			tapped(r, &in.button);
			r->input_posted = true; /* drawn before the loop sleeps */
			return; /* the next tap hits what the window shows after this one */
		case UI_INPUT_REDRAW:
			/* the pressed look changed: what the window shows, again */
			if (ui_draw(r->ui, &r->drawn, r->scfg.categories, r->scfg.ncategories) > 0)
				screen_log_frame(r, &r->drawn);
			break;
		case UI_INPUT_KEY:
			if (r->wedge_state > 0 &&
			    wedge_key(&r->wedge, in.key, in.at_ms, id, sizeof id)) {
				event_card(r, id);
				r->input_posted = true;
				return;
			}
			break;
		}
	}
	if (p < 0)
		r->quit = true;
}

bool screen_wait(struct runner *r, int timeout_ms)
{
	if (!r->ui || !r->window)
		return false;
	/* a tap or a card taken after the window was drawn: draw first (the
	 * next tick), sleep after */
	bool posted = r->input_posted;
	r->input_posted = false;
	return ui_wait(r->ui, posted ? 0 : timeout_ms) || posted;
}

void screen_wake(struct runner *r)
{
	if (r->ui && r->window)
		ui_wake(r->ui);
}

void screen_log_frame(struct runner *r, const struct session_view *v)
{
	if (!r->frame_log_tried) {
		/* WUFEI_FRAME_LOG=FILE: one line per presented frame, for
		 * bench/input_latency: CLOCK_MONOTONIC ns, screen, grams shown */
		r->frame_log_tried = true;
		const char *path = getenv("WUFEI_FRAME_LOG");
		r->frame_log = path && path[0] ? fopen(path, "w") : NULL;
	}
	if (!r->frame_log)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(r->frame_log, "%" PRId64 " %s %" PRId64 "\n",
	        (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, session_screen_name(v->screen),
	        v->live_has_weight ? v->live_grams : INT64_MIN);
	fflush(r->frame_log);
}

void screen_input_close(struct runner *r)
{
	if (r->frame_log)
		fclose(r->frame_log);
	r->frame_log = NULL;
}
