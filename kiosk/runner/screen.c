/*
 * screen.c — the runner's screen glue with SDL2 (ui/draw): screenshots of
 * every screen shown (--screenshots DIR) and the window (--window), which
 * follows the session and whose taps are taps. The staff menu's health is
 * redrawn at most once a second while the menu is shown. Built when SDL2 is
 * (screen_none.c otherwise).
 */
#include "runner_private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "ui.h"
#include "wf.h"

/* The staff menu's health on screen (none on other screens). */
static void set_health(struct runner *r, const struct session_view *v)
{
	if (v->screen != SESSION_SCREEN_STAFF) {
		ui_set_health(r->ui, NULL);
		return;
	}
	struct health h;
	health_gather(r, &h);
	struct ui_health u = {.sync = h.sync,
	                      .since_ok_s = h.since_ok_s,
	                      .queue = h.queue,
	                      .conflicts = h.conflicts,
	                      .sync_failing = h.sync_error[0] != '\0'};
	for (int i = 0; i < 3; i++) {
		u.dev[i].configured = h.dev[i] != NULL;
		u.dev[i].up = h.dev[i] && h.dh[i].state == DEVICE_STATE_UP;
	}
	ui_set_health(r->ui, &u);
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

/* Whether the window must be drawn again: what it shows of v changed. */
static bool view_changed(const struct session_view *a, const struct session_view *b)
{
	return a->screen != b->screen || a->message != b->message || a->oos != b->oos ||
	       a->live_grams != b->live_grams || a->live != b->live ||
	       a->stable_pct != b->stable_pct || a->live_stable != b->live_stable ||
	       a->qty != b->qty || a->points != b->points || a->pin_len != b->pin_len ||
	       a->locked_ms / 1000 != b->locked_ms / 1000 || a->has_receipt != b->has_receipt ||
	       a->receipt.seq != b->receipt.seq || a->test_grams != b->test_grams ||
	       a->session_points != b->session_points || a->category_id != b->category_id ||
	       strcmp(a->name, b->name) != 0;
}

void screen_tick(struct runner *r)
{
	if (!r->ui || !r->window)
		return;
	/* draw first: a tap hits what the window shows */
	struct session_view v = session_view(r->session);
	bool health_due =
	    v.screen == SESSION_SCREEN_STAFF && runner_now(r) - r->health_ms >= HEALTH_EVERY_MS;
	if (view_changed(&v, &r->drawn) || health_due) {
		r->drawn = v;
		set_health(r, &v);
		ui_draw(r->ui, &v, r->scfg.categories, r->scfg.ncategories);
	}
	struct ui_button b;
	int p = ui_poll(r->ui, &b);
	if (p < 0)
		r->quit = true;
	if (p > 0) {
		struct session_event ev;
		memset(&ev, 0, sizeof ev);
		ev.kind = SESSION_EV_TAP;
		ev.u.tap.control = b.control;
		ev.u.tap.category_id = b.category_id;
		ev.u.tap.digit = b.digit;
		runner_logf(r, "tap %s", b.label);
		runner_post(r, &ev);
	}
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
	ui_close(r->ui);
	r->ui = NULL;
}
