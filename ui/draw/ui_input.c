/* ui_input.c — the window's events: taps and clicks on buttons; see ui.h. */
#include "ui_private.h"

/* The button under surface point (x, y), if any. */
bool ui_hit(const struct ui *u, int x, int y, struct ui_button *out)
{
	for (unsigned i = 0; i < u->shown.nbuttons; i++) {
		int r[4];
		ui_button_rect(u->cfg.width, u->cfg.height, u->shown.nbuttons, i, r);
		if (x >= r[0] && x < r[0] + r[2] && y >= r[1] && y < r[1] + r[3]) {
			*out = u->shown.buttons[i];
			return true;
		}
	}
	return false;
}

int ui_poll(struct ui *u, struct ui_button *tapped)
{
	if (!u->win)
		return 0;
	SDL_Event e;
	int ww = 0, wh = 0;
	SDL_GetWindowSize(u->win, &ww, &wh);
	while (SDL_PollEvent(&e)) {
		int x = -1, y = -1;
		if (e.type == SDL_QUIT)
			return -1;
		if (e.type == SDL_MOUSEBUTTONDOWN && e.button.which != SDL_TOUCH_MOUSEID) {
			x = ww ? e.button.x * u->cfg.width / ww : -1;
			y = wh ? e.button.y * u->cfg.height / wh : -1;
		} else if (e.type == SDL_FINGERDOWN) {
			x = (int)(e.tfinger.x * (float)u->cfg.width);
			y = (int)(e.tfinger.y * (float)u->cfg.height);
		} else if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_EXPOSED) {
			ui_present_window(u);
		}
		if (x >= 0 && y >= 0 && ui_hit(u, x, y, tapped))
			return 1;
	}
	return 0;
}
