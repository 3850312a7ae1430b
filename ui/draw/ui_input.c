/* ui_input.c — the window's events: taps and clicks on buttons; see ui.h. */
#include "ui_private.h"

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
