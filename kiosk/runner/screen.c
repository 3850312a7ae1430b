/*
 * screen.c — the runner's screen glue with SDL2 (ui/draw): screenshots of
 * every screen shown (--screenshots DIR) and the window (--window), which
 * follows the session and whose taps are taps. The staff menu's health is
 * looked at again at most once a second while the menu is shown, and drawn
 * (and, with --screenshots, saved) again when it changed. Built when SDL2 is
 * (screen_none.c otherwise).
 */
#include "runner_private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "ui.h"
#include "wf.h"

/* What the staff menu shows of the kiosk's health into *u (zeroed first,
 * so two can be compared whole); false on any other screen. */
static bool health_now(struct runner *r, const struct session_view *v, struct ui_health *u)
{
	memset(u, 0, sizeof *u);
	if (v->screen != SESSION_SCREEN_STAFF)
		return false;
	struct health h;
	health_gather(r, &h);
	u->sync = h.sync;
	u->since_ok_s = h.since_ok_s;
	u->queue = h.queue;
	u->conflicts = h.conflicts;
	u->sync_failing = h.sync_error[0] != '\0';
	for (int i = 0; i < 3; i++) {
		u->dev[i].configured = h.dev[i] != NULL;
		u->dev[i].up = h.dev[i] && h.dh[i].state == DEVICE_STATE_UP;
	}
	return true;
}

/* The health the next draw shows (none off the staff menu). */
static void set_health(struct runner *r, const struct session_view *v)
{
	struct ui_health u;
	ui_set_health(r->ui, health_now(r, v, &u) ? &u : NULL);
	r->health_drawn = u;
	r->health_ms = runner_now(r);
}

void screen_shot(struct runner *r, const struct session_view *v)
{
	if (!r->ui || !r->shot_dir[0])
		return;
	char path[700], err[300] = "drawing failed";
	snprintf(path, sizeof path, "%s/%03u-%s.png", r->shot_dir, ++r->shots,
	         session_screen_name(v->screen));
	set_health(r, v);
	r->drawn = *v; /* the window, if any, shows this now too */
	if (ui_draw(r->ui, v, r->scfg.categories, r->scfg.ncategories) != WF_OK ||
	    ui_save_png(r->ui, path, err, sizeof err) != WF_OK)
		runner_logf(r, "screenshot %s: %s", path, err);
}

/* Whether the screen shows the scale's live weight (a reading that changes
 * nothing on the other screens must not draw the window again). */
static bool shows_scale(enum session_screen screen)
{
	return screen == SESSION_SCREEN_WEIGH || screen == SESSION_SCREEN_STAFF_BIN_WEIGH ||
	       screen == SESSION_SCREEN_STAFF;
}

/* What of v the window shows: the live weight only where it is shown,
 * countdowns in whole seconds. */
static void shown_part(const struct session_view *v, struct session_view *s)
{
	memcpy(s, v, sizeof *s); /* padding too: the two are compared whole */
	if (!shows_scale(s->screen)) {
		s->live_grams = 0;
		s->live_has_weight = false;
		s->live = SESSION_SCALE_NONE;
		s->live_stable = false;
		s->stable_pct = 0;
		s->test_grams = 0;
	}
	s->timeout_left_ms = (s->timeout_left_ms + 999) / 1000;
	s->locked_ms = (s->locked_ms + 999) / 1000;
}

/* Whether the window must be drawn again: what it shows of v changed. */
static bool view_changed(const struct session_view *a, const struct session_view *b)
{
	struct session_view x, y;
	shown_part(a, &x);
	shown_part(b, &y);
	return memcmp(&x, &y, sizeof x) != 0;
}

/* Whether the two say the same but for the seconds since the last sync
 * (which change every second: the window shows them, a screenshot need not). */
static bool health_same_but_clock(struct ui_health a, struct ui_health b)
{
	a.since_ok_s = a.since_ok_s < 0 ? -1 : 0;
	b.since_ok_s = b.since_ok_s < 0 ? -1 : 0;
	return memcmp(&a, &b, sizeof a) == 0;
}

void screen_tick(struct runner *r)
{
	if (!r->ui)
		return;
	/* draw first: a tap hits what the window shows */
	struct session_view v = session_view(r->session);
	/* The staff menu's health is looked at again at most once a second and
	 * drawn again when it changed: a device that goes down while the menu
	 * is open shows as down (the view itself need not change). */
	bool health_changed = false, health_news = false;
	if (v.screen == SESSION_SCREEN_STAFF && runner_now(r) - r->health_ms >= HEALTH_EVERY_MS) {
		struct ui_health u;
		health_now(r, &v, &u);
		r->health_ms = runner_now(r);
		health_changed = memcmp(&u, &r->health_drawn, sizeof u) != 0;
		health_news = !health_same_but_clock(u, r->health_drawn);
	}
	if (health_news && r->shot_dir[0]) {
		screen_shot(r, &v); /* a screen shown: draws the window too */
	} else if (r->window && (health_changed || view_changed(&v, &r->drawn))) {
		r->drawn = v;
		set_health(r, &v);
		ui_draw(r->ui, &v, r->scfg.categories, r->scfg.ncategories);
		screen_log_frame(r, &v);
	}
	screen_input(r); /* taps, keys: screen_input.c */
}

int screen_open(struct runner *r, const char *dir, bool window, char *err, size_t err_len)
{
	if (dir && mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, err_len, "--screenshots %s: %s", dir, strerror(errno));
		return WF_EIO;
	}
	snprintf(r->shot_dir, sizeof r->shot_dir, "%s", dir ? dir : "");
	r->window = window;
	r->drawn.screen = 0; /* nothing drawn yet */
	struct ui_config uc = {.width = r->cfg.width,
	                       .height = r->cfg.height,
	                       .font_path = r->cfg.font,
	                       .zh = strcmp(r->cfg.language, "en") != 0,
	                       .kiosk_name = r->cfg.name,
	                       .window = window,
	                       .fullscreen = r->cfg.fullscreen};
	char why[300];
	int rc = ui_open(&uc, &r->ui, why, sizeof why);
	if (rc != WF_OK)
		snprintf(err, err_len, "screen: %s", why);
	return rc;
}

void screen_close(struct runner *r)
{
	screen_input_close(r);
	ui_close(r->ui);
	r->ui = NULL;
}
