/*
 * screen.c — the runner's screen glue with SDL2 (ui/draw): screenshots of
 * every screen shown (--screenshots DIR) and the window (--window), which
 * follows the session and whose taps are taps. The kiosk's health (on the
 * staff menu, and for the technician on the out-of-service screen) is
 * looked at again at most once a second while shown, and drawn (and, with
 * --screenshots, saved) again when it changed. Built when SDL2 is
 * (screen_none.c otherwise).
 */
#include "runner_private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ui.h"
#include "wf.h"

/* The screens that show the kiosk's health: the staff menu, and out of
 * service (for the technician: what is wrong). */
static bool shows_health(enum session_screen screen)
{
	return screen == SESSION_SCREEN_STAFF || screen == SESSION_SCREEN_OUT_OF_SERVICE;
}

/* What the screen shows of the kiosk's health into *u (zeroed first, so
 * two can be compared whole); false on a screen that shows none. */
static bool health_now(struct runner *r, const struct session_view *v, struct ui_health *u)
{
	memset(u, 0, sizeof *u);
	if (!shows_health(v->screen))
		return false;
	struct health h;
	health_gather(r, &h);
	u->sync = h.sync;
	u->since_ok_s = h.since_ok_s;
	u->queue = h.queue;
	u->conflicts = h.conflicts;
	u->sync_failing = h.sync_error[0] != '\0';
	u->sync_refused = h.sync_refused;
	for (int i = 0; i < 3; i++) {
		u->dev[i].configured = h.dev[i] != NULL;
		u->dev[i].up = h.dev[i] && h.dh[i].state == DEVICE_STATE_UP;
	}
	return true;
}

/* The clock, today's totals at this kiosk and the help texts: looked at
 * again when the minute, the screen or the number of drops changed (the
 * journal is asked once then, not on every tick). */
static void set_facts(struct runner *r, const struct session_view *v)
{
	int64_t utc_ms = runner_utc_at(r, runner_now(r));
	int64_t minute = utc_ms / 60000;
	if (minute == r->facts_minute && v->screen == r->facts_screen && r->drops == r->facts_drops)
		return;
	r->facts_minute = minute, r->facts_screen = v->screen, r->facts_drops = r->drops;
	struct ui_facts f;
	memset(&f, 0, sizeof f);
	time_t t = (time_t)(utc_ms / 1000);
	struct tm tm;
	if (localtime_r(&t, &tm))
		snprintf(f.clock, sizeof f.clock, "%02d:%02d", tm.tm_hour % 24, tm.tm_min % 60);
	struct ledger_totals tot;
	if (r->ledger && ledger_day_totals(r->ledger, wf_local_day(utc_ms), &tot) == WF_OK) {
		f.has_today = true;
		f.today_grams = tot.grams;
		f.today_drops = tot.drops;
	}
	snprintf(f.help_nearest, sizeof f.help_nearest, "%s", r->cfg.help_nearest);
	snprintf(f.help_phone, sizeof f.help_phone, "%s", r->cfg.help_phone);
	f.test_weight_g = r->scfg.test_weight_g;
	ui_set_facts(r->ui, &f);
}

/* The health the next draw shows (none where it is not shown). */
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
	set_facts(r, v);
	r->drawn = *v; /* the window, if any, shows this now too */
	if (ui_draw(r->ui, v, r->scfg.categories, r->scfg.ncategories) < 0 ||
	    ui_save_png(r->ui, path, err, sizeof err) != WF_OK)
		runner_logf(r, "screenshot %s: %s", path, err);
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
	if (shows_health(v.screen) && runner_now(r) - r->health_ms >= HEALTH_EVERY_MS) {
		struct ui_health u;
		health_now(r, &v, &u);
		r->health_ms = runner_now(r);
		health_changed = memcmp(&u, &r->health_drawn, sizeof u) != 0;
		health_news = !health_same_but_clock(u, r->health_drawn);
	}
	if (health_news && r->shot_dir[0]) {
		screen_shot(r, &v); /* a screen shown: draws the window too */
	} else if (r->window) {
		/* ui_draw lays the screen out and draws only when that changed:
		 * a reading the screen does not show costs no drawing */
		bool entered = v.screen != r->drawn.screen;
		r->drawn = v;
		if (health_changed || entered)
			set_health(r, &v);
		set_facts(r, &v);
		int drew = ui_draw(r->ui, &v, r->scfg.categories, r->scfg.ncategories);
		if (drew < 0)
			runner_logf(r, "screen: the window could not be updated");
		else if (drew > 0)
			screen_log_frame(r, &v); /* WUFEI_FRAME_LOG: a frame presented */
		if (drew > 0 && !r->beep_tried) {
			/* The audio device after the first frame: opening it takes
			 * ~100 ms (SDL tries PipeWire, PulseAudio, ALSA in turn) and no
			 * tone is due before the first card or tap. */
			r->beep_tried = true;
			beep_open(r); /* no audio device is no failure */
		}
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
	r->drawn.screen = 0;  /* nothing drawn yet */
	r->facts_minute = -1; /* no facts yet */
	struct ui_config uc = {.width = r->cfg.width,
	                       .height = r->cfg.height,
	                       .dpi = r->cfg.dpi,
	                       .font_path = r->cfg.font,
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
