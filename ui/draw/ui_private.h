/*
 * ui_private.h — the drawing's handle, shared by the files of ui/draw/
 * only: ui.c (open, draw, save) and ui_input.c (the window's events: taps,
 * keys). Not an interface.
 */
#ifndef WUFEI_UI_PRIVATE_H
#define WUFEI_UI_PRIVATE_H

#include <stdbool.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "ui.h"
#include "ui_text.h"

enum { F_SMALL, F_BODY, F_TITLE, F_COUNT };

struct ui {
	struct ui_config cfg;
	char kiosk_name[96];
	SDL_Surface *surface;
	SDL_Renderer *ren;
	TTF_Font *font[F_COUNT];
	double s;             /* scale: width / 1080 */
	struct ui_text shown; /* the buttons drawn last */
	struct ui_health health;
	bool has_health;
	SDL_Window *win; /* with cfg.window: the kiosk's screen */

	/* input (ui_input.c) */
	int pressed;                /* index in the shown buttons, -1 none: the drawing
	                               draws this one pressed (ui_pressed) */
	int press_index;            /* the control the press began on, -1 none */
	struct ui_button press_btn; /* ... and what it was (the screen may change) */
	int press_by;               /* UI_PRESS_NONE, _MOUSE or _FINGER */
	SDL_FingerID press_finger;  /* with UI_PRESS_FINGER: the finger followed */
	Uint32 wake_event;          /* SDL event type of ui_wake; 0 before ui_input_init */
	bool woken;                 /* ui_poll took a wake the next ui_wait must see */
	bool redraw_next;           /* a tap un-pressed its control: REDRAW next */
};

enum { UI_PRESS_NONE, UI_PRESS_MOUSE, UI_PRESS_FINGER };

/* ui.c: copies the drawn surface to the window (with cfg.window). */
int ui_present_window(struct ui *u);

/* ui_input.c: the input block's start (nothing pressed); ui_open calls it. */
void ui_input_init(struct ui *u);

/* ui_input.c: the button under surface point (x, y), if any. */
bool ui_hit(const struct ui *u, int x, int y, struct ui_button *out);

#endif
