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
};

/* ui.c: copies the drawn surface to the window (with cfg.window). */
int ui_present_window(struct ui *u);

/* ui_input.c: the button under surface point (x, y), if any. */
bool ui_hit(const struct ui *u, int x, int y, struct ui_button *out);

#endif
