/*
 * ui_input.c — the window's events: taps and clicks on the controls (press
 * and release on the same one), key presses, waiting for them; see ui.h.
 */
#include <string.h>

#include "ui_private.h"
#include "wf.h"

/* The control under surface point (x, y) in the layout drawn last. */
int ui_hit_index(const struct ui *u, int x, int y)
{
	return u->has_shown ? ui_layout_hit(&u->shown, x, y) : -1;
}

bool ui_hit(const struct ui *u, int x, int y, struct ui_button *out)
{
	int i = ui_hit_index(u, x, y);
	if (i < 0)
		return false;
	*out = u->shown.ctl[i].b;
	return true;
}

void ui_input_init(struct ui *u)
{
	u->pressed = -1;
	u->press_index = -1;
	u->press_by = UI_PRESS_NONE;
	u->wake_event = SDL_RegisterEvents(1);
	if (u->wake_event == (Uint32)-1)
		u->wake_event = 0;
}

int ui_pressed(const struct ui *u)
{
	return u->pressed;
}

static bool same_button(const struct ui_button *a, const struct ui_button *b)
{
	return a->control == b->control && a->category_id == b->category_id &&
	       a->digit == b->digit && strcmp(a->label, b->label) == 0;
}

/* The index in the shown layout's controls of the control under (x, y),
 * -1 none; *b is that control. */
static int control_at(const struct ui *u, int x, int y, struct ui_button *b)
{
	int i = x < 0 || y < 0 ? -1 : ui_hit_index(u, x, y);
	if (i >= 0)
		*b = u->shown.ctl[i].b;
	return i;
}

/* A pointer's position in surface pixels: the mouse's in window pixels
 * (the window may be scaled), a finger's as a fraction of the window. */
static void mouse_point(const struct ui *u, int wx, int wy, int *x, int *y)
{
	int ww = 0, wh = 0;
	SDL_GetWindowSize(u->win, &ww, &wh);
	*x = ww > 0 ? wx * u->cfg.width / ww : -1;
	*y = wh > 0 ? wy * u->cfg.height / wh : -1;
}

static void finger_point(const struct ui *u, const SDL_TouchFingerEvent *f, int *x, int *y)
{
	*x = f->x >= 0.0f && f->x <= 1.0f ? (int)(f->x * (float)u->cfg.width) : -1;
	*y = f->y >= 0.0f && f->y <= 1.0f ? (int)(f->y * (float)u->cfg.height) : -1;
}

/* The pressed control now; true (a redraw) when it changed. */
static bool set_pressed(struct ui *u, int index)
{
	if (u->pressed == index)
		return false;
	u->pressed = index;
	return true;
}

/* What the press does at (x, y): phase 0 down, 1 moved, 2 up. Returns
 * 1 with a tap in *in, 2 when only the pressed look changed, 0 nothing. */
static int press_at(struct ui *u, int phase, int x, int y, struct ui_input *in)
{
	struct ui_button b;
	int at = control_at(u, x, y, &b);
	if (phase == 0) {
		u->press_index = at;
		if (at >= 0)
			u->press_btn = b;
	}
	/* a press that began on a control: pressed while the pointer is on
	 * it; sliding off un-presses it, sliding back on presses it again */
	bool on = u->press_index >= 0 && at == u->press_index && same_button(&b, &u->press_btn);
	if (phase == 2) {
		u->press_by = UI_PRESS_NONE;
		u->press_index = -1;
		bool redraw = set_pressed(u, -1);
		if (on) {
			u->redraw_next = redraw; /* the tap first, its look after */
			memset(in, 0, sizeof *in);
			in->kind = UI_INPUT_TAP;
			in->button = b;
			return 1;
		}
		return redraw ? 2 : 0;
	}
	return set_pressed(u, on ? u->press_index : -1) ? 2 : 0;
}

/* A mouse or finger event: 1 tap, 2 redraw, 0 nothing. SDL makes up mouse
 * events for touches and, with a hint, finger events for the mouse: those
 * are skipped, so that one touch is followed once. */
static int pointer(struct ui *u, const SDL_Event *e, struct ui_input *in)
{
	int x = -1, y = -1, phase = -1;
	switch (e->type) {
	case SDL_MOUSEBUTTONDOWN:
	case SDL_MOUSEBUTTONUP:
		if (e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
			return 0;
		phase = e->type == SDL_MOUSEBUTTONDOWN ? 0 : 2;
		if ((phase == 0) != (u->press_by == UI_PRESS_NONE) ||
		    (phase == 2 && u->press_by != UI_PRESS_MOUSE))
			return 0;
		mouse_point(u, e->button.x, e->button.y, &x, &y);
		if (phase == 0)
			u->press_by = UI_PRESS_MOUSE;
		break;
	case SDL_MOUSEMOTION:
		if (e->motion.which == SDL_TOUCH_MOUSEID || u->press_by != UI_PRESS_MOUSE)
			return 0;
		mouse_point(u, e->motion.x, e->motion.y, &x, &y);
		phase = 1;
		break;
	case SDL_FINGERDOWN:
	case SDL_FINGERMOTION:
	case SDL_FINGERUP:
		if (e->tfinger.touchId == SDL_MOUSE_TOUCHID)
			return 0;
		phase = e->type == SDL_FINGERDOWN ? 0 : e->type == SDL_FINGERMOTION ? 1 : 2;
		if (phase == 0 && u->press_by != UI_PRESS_NONE)
			return 0; /* one finger at a time: a second one is ignored */
		if (phase != 0 &&
		    (u->press_by != UI_PRESS_FINGER || e->tfinger.fingerId != u->press_finger))
			return 0;
		finger_point(u, &e->tfinger, &x, &y);
		if (phase == 0) {
			u->press_by = UI_PRESS_FINGER;
			u->press_finger = e->tfinger.fingerId;
		}
		break;
	default: return 0;
	}
	return press_at(u, phase, x, y, in);
}

/* A key as ui.h says: digits, letters, Enter; -1 for any other. */
static int key_of(SDL_Keycode k)
{
	if (k >= SDLK_0 && k <= SDLK_9)
		return '0' + (k - SDLK_0);
	if (k >= SDLK_a && k <= SDLK_z)
		return 'a' + (k - SDLK_a);
	if (k == SDLK_KP_0)
		return '0';
	if (k >= SDLK_KP_1 && k <= SDLK_KP_9)
		return '1' + (k - SDLK_KP_1);
	if (k == SDLK_RETURN || k == SDLK_KP_ENTER || k == SDLK_RETURN2)
		return '\n';
	return -1;
}

/* One SDL event: 1 with *in, -1 closed, 0 nothing for the caller. */
static int one_event(struct ui *u, const SDL_Event *e, struct ui_input *in)
{
	memset(in, 0, sizeof *in);
	if (e->type == SDL_QUIT)
		return -1;
	if (u->wake_event && e->type == u->wake_event) {
		u->woken = true; /* for the next ui_wait */
		return 0;
	}
	if (e->type == SDL_KEYDOWN) {
		in->kind = UI_INPUT_KEY;
		in->key = key_of(e->key.keysym.sym);
		in->at_ms = e->key.timestamp;
		return 1;
	}
	if (e->type == SDL_WINDOWEVENT && e->window.event == SDL_WINDOWEVENT_EXPOSED) {
		ui_present_window(u, true);
		return 0;
	}
	if (e->type == SDL_WINDOWEVENT && e->window.event == SDL_WINDOWEVENT_FOCUS_LOST &&
	    u->press_by == UI_PRESS_MOUSE) {
		/* the release will go elsewhere: the press is cancelled */
		u->press_by = UI_PRESS_NONE;
		u->press_index = -1;
		if (set_pressed(u, -1)) {
			in->kind = UI_INPUT_REDRAW;
			return 1;
		}
		return 0;
	}
	int p = pointer(u, e, in);
	if (p == 2)
		in->kind = UI_INPUT_REDRAW;
	return p ? 1 : 0;
}

int ui_poll(struct ui *u, struct ui_input *in)
{
	if (!u->win)
		return 0;
	if (u->fullscreen_pending && u->draws > 0)
		ui_fullscreen_now(u); /* after the first frame: it waits for a window manager */
	if (u->pressed >= 0 && ((unsigned)u->pressed >= u->shown.nctl ||
	                        !same_button(&u->shown.ctl[u->pressed].b, &u->press_btn))) {
		/* the screen changed under the finger: that control is gone */
		u->pressed = -1;
		u->press_index = -1;
		u->redraw_next = true;
	}
	if (u->redraw_next) {
		u->redraw_next = false;
		memset(in, 0, sizeof *in);
		in->kind = UI_INPUT_REDRAW;
		return 1;
	}
	SDL_Event e;
	while (SDL_PollEvent(&e)) {
		int rc = one_event(u, &e, in);
		if (rc)
			return rc;
	}
	return 0;
}

bool ui_wait(struct ui *u, int timeout_ms)
{
	if (!u->win)
		return false;
	bool got;
	if (u->woken || timeout_ms == 0) {
		SDL_PumpEvents();
		got = u->woken || SDL_HasEvents(SDL_FIRSTEVENT, SDL_LASTEVENT) == SDL_TRUE;
	} else if (timeout_ms < 0) {
		got = SDL_WaitEvent(NULL) == 1;
	} else {
		got = SDL_WaitEventTimeout(NULL, timeout_ms) == 1;
	}
	/* the wakes that came so far are answered by the caller's drain after
	 * this returns: a later one stays queued for the next wait */
	u->woken = false;
	if (u->wake_event)
		SDL_FlushEvent(u->wake_event);
	return got;
}

int ui_wake(struct ui *u)
{
	if (!u->win || !u->wake_event)
		return WF_EIO;
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = u->wake_event;
	return SDL_PushEvent(&e) == 1 ? WF_OK : WF_EIO;
}
