/*
 * test_damage.c — drawing only what changed never shows a wrong picture.
 * One ui draws a sequence of views the way the kiosk does (each frame
 * repaints only the elements that changed, and copies only those
 * rectangles to its window); a second ui paints every frame whole
 * (ui_redraw_all). After every frame the two pictures must be the same to
 * the pixel, and the window (SDL's offscreen driver, scaled to fit its
 * display) must show exactly the picture sampled nearest-neighbour. The
 * sequence: every golden screen in both languages (screen changes), the
 * weigh screen with the weight changing on every reading, settling to
 * stable, the count keys, and a control pressed and released. A weight
 * change must cost a small rectangle, not the screen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "golden_views.h"
#include "i18n.h"
#include "ui.h"
#include "wf.h"

#define W 1080
#define H 1920

static struct ui *g_part, *g_full; /* drawn as the kiosk does; drawn whole */
static uint8_t *g_a, *g_b;
static int64_t g_frames, g_part_px;

static void facts(struct ui *u, int minute)
{
	struct ui_facts f = {.has_today = true,
	                     .today_grams = 123450 + minute,
	                     .today_drops = 42,
	                     .help_nearest = "翠苑二区 Cuiyuan 2, Gate 3",
	                     .help_phone = "0571-8888 1234",
	                     .test_weight_g = 5000};
	snprintf(f.clock, sizeof f.clock, "09:%02d", minute % 60);
	ui_set_facts(u, &f);
}

/* The first pixel where the pictures differ, or -1. */
static long first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)(i / 3);
	return -1;
}

/* The window shows the surface sampled nearest-neighbour, everywhere. */
static void check_window(const char *what)
{
	SDL_Window *win = SDL_GetWindowFromID(1);
	assert_non_null(win);
	SDL_Surface *ws = SDL_GetWindowSurface(win);
	assert_non_null(ws);
	assert_int_equal(ws->format->BytesPerPixel, 4);
	for (int y = 0; y < ws->h; y++) {
		const Uint32 *row = (const Uint32 *)((const Uint8 *)ws->pixels + y * ws->pitch);
		for (int x = 0; x < ws->w; x++) {
			Uint8 r, g, b;
			SDL_GetRGB(row[x], ws->format, &r, &g, &b);
			const uint8_t *p = g_a + ((size_t)(y * H / ws->h) * W + x * W / ws->w) * 3;
			if (r != p[0] || g != p[1] || b != p[2])
				fail_msg("%s: window pixel (%d, %d) is not the picture's", what, x,
				         y);
		}
	}
}

/* Draws v on both; the pictures must match. Returns the pixels repainted. */
static int64_t frame(const struct session_view *v, const char *what)
{
	int drew = ui_draw(g_part, v, golden_cats, golden_ncats);
	assert_true(drew >= 0);
	ui_redraw_all(g_full);
	assert_int_equal(ui_draw(g_full, v, golden_cats, golden_ncats), 1);
	size_t n = (size_t)W * H * 3;
	assert_int_equal(ui_read_rgb(g_part, g_a, n), WF_OK);
	assert_int_equal(ui_read_rgb(g_full, g_b, n), WF_OK);
	long d = first_diff(g_a, g_b, n);
	if (d >= 0)
		fail_msg("%s: pixel (%ld, %ld) differs from the whole frame's", what, d % W, d / W);
	check_window(what);
	if (drew == 0)
		return 0;
	struct ui_rect r[16];
	int64_t px = 0;
	for (int k = ui_damage(g_part, r, 16) - 1; k >= 0; k--)
		px += (int64_t)r[k].w * r[k].h;
	g_frames++, g_part_px += px;
	return px;
}

static struct session_view weigh(int64_t grams, int pct, bool stable)
{
	struct session_view v;
	memset(&v, 0, sizeof v);
	v.screen = SESSION_SCREEN_WEIGH;
	v.language = WF_LANG_ZH;
	snprintf(v.name, sizeof v.name, "王*");
	v.has_balance = true, v.balance = 120, v.printer_ok = true;
	v.category_id = 1;
	v.live_has_weight = true;
	v.live_grams = grams;
	v.live = stable ? SESSION_SCALE_STABLE : SESSION_SCALE_SETTLING;
	v.live_stable = stable;
	v.stable_pct = pct;
	v.timeout_left_ms = 52000;
	return v;
}

static void test_every_screen_both_languages(void **state)
{
	(void)state;
	char what[96];
	for (int lang = 0; lang < 2; lang++)
		for (size_t i = 0; i < golden_nviews; i++) {
			struct session_view v = golden_views[i].view;
			v.language = lang ? WF_LANG_EN : WF_LANG_ZH;
			ui_set_health(g_part,
			              golden_views[i].has_health ? &golden_views[i].health : NULL);
			ui_set_health(g_full,
			              golden_views[i].has_health ? &golden_views[i].health : NULL);
			snprintf(what, sizeof what, "%s (%s)", golden_views[i].name,
			         lang ? "en" : "zh");
			frame(&v, what);
		}
	ui_set_health(g_part, NULL);
	ui_set_health(g_full, NULL);
}

static void test_weight_changes_cost_a_small_rectangle(void **state)
{
	(void)state;
	char what[96];
	struct session_view v = weigh(0, 0, false);
	frame(&v, "weigh");
	int64_t most = 0;
	for (int i = 1; i <= 40; i++) {
		v = weigh(1000 + 137 * i, i * 2, false);
		snprintf(what, sizeof what, "weigh %d g", (int)v.live_grams);
		int64_t px = frame(&v, what);
		most = px > most ? px : most;
	}
	/* the weight, the progress, what will be credited: not the screen */
	assert_true(most > 0);
	assert_true(most * 8 < (int64_t)W * H);
	v = weigh(6480, 100, true); /* settled: the words, colour and confirm change */
	frame(&v, "stable");
	v.timeout_left_ms = 51000; /* the countdown's second */
	frame(&v, "countdown");
	v.language = WF_LANG_EN; /* the language switch */
	frame(&v, "weigh en");
	v.live_has_weight = false; /* the scale pulled */
	frame(&v, "no weight");
}

/* A control pressed (drawn pressed) and released, through the window. */
static void press(int x, int y, bool down)
{
	SDL_Window *win = SDL_GetWindowFromID(1);
	int ww, wh;
	SDL_GetWindowSize(win, &ww, &wh);
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
	e.button.button = SDL_BUTTON_LEFT;
	e.button.x = x * ww / W, e.button.y = y * wh / H;
	assert_int_equal(SDL_PushEvent(&e), 1);
}

/* Draws again for every REDRAW the window asks for; how many. */
static int redraws(const struct session_view *v, const char *what)
{
	struct ui_input in;
	int n = 0;
	while (ui_poll(g_part, &in) > 0)
		if (in.kind == UI_INPUT_REDRAW) {
			n++;
			assert_int_equal(ui_draw(g_part, v, golden_cats, golden_ncats), 1);
			/* the whole-frame ui cannot be pressed: the same ui, whole */
			size_t sz = (size_t)W * H * 3;
			assert_int_equal(ui_read_rgb(g_part, g_b, sz), WF_OK);
			ui_redraw_all(g_part);
			assert_int_equal(ui_draw(g_part, v, golden_cats, golden_ncats), 1);
			assert_int_equal(ui_read_rgb(g_part, g_a, sz), WF_OK);
			long d = first_diff(g_a, g_b, sz);
			if (d >= 0)
				fail_msg("%s: pixel (%ld, %ld) differs", what, d % W, d / W);
			check_window(what);
		}
	return n;
}

static void test_pressed_control(void **state)
{
	(void)state;
	struct session_view v = weigh(2000, 50, false);
	frame(&v, "weigh before press");
	const struct ui_layout *l = ui_shown(g_part);
	int c = -1;
	for (unsigned i = 0; i < l->nctl && c < 0; i++)
		if (l->ctl[i].enabled && l->ctl[i].style != UI_STYLE_HEADER)
			c = (int)i;
	assert_true(c >= 0);
	struct ui_rect r = l->ctl[c].r;
	press(r.x + r.w / 2, r.y + r.h / 2, true);
	assert_int_equal(redraws(&v, "pressed"), 1);
	assert_int_equal(ui_pressed(g_part), c);
	v = weigh(2100, 55, false); /* a reading while the finger is down */
	ui_redraw_all(g_full);
	assert_true(ui_draw(g_part, &v, golden_cats, golden_ncats) > 0);
	press(r.x + r.w / 2, r.y + r.h / 2, false);
	redraws(&v, "released");
	assert_int_equal(ui_pressed(g_part), -1);
	frame(&v, "after release"); /* unpressed again: the same as whole */
}

static void test_count_keys(void **state)
{
	(void)state;
	struct session_view v;
	memset(&v, 0, sizeof v);
	v.screen = SESSION_SCREEN_COUNT;
	v.language = WF_LANG_ZH;
	v.category_id = 6;
	for (int n = 0; n < 12; n++) {
		v.qty = n, v.points = 2 * n;
		v.timeout_left_ms = 30000 - n * 1000;
		frame(&v, "count");
	}
	/* a new minute: the header's clock */
	facts(g_part, 1);
	facts(g_full, 1);
	frame(&v, "clock");
	printf("# %lld frames, %lld pixels repainted on average (the screen: %d)\n",
	       (long long)g_frames, (long long)(g_frames ? g_part_px / g_frames : 0), W * H);
}

static int setup(void **state)
{
	(void)state;
	setenv("SDL_VIDEODRIVER", "offscreen", 1);
	char err[300];
	if (wf_i18n_init(NULL, err, sizeof err) != WF_OK)
		return -1;
	struct ui_config cfg = {
	    .width = W, .height = H, .kiosk_name = "翠苑一区 Cuiyuan 1", .window = true};
	if (ui_open(&cfg, &g_part, err, sizeof err) != WF_OK) {
		printf("ui_open: %s\n", err);
		return -1;
	}
	cfg.window = false;
	if (ui_open(&cfg, &g_full, err, sizeof err) != WF_OK)
		return -1;
	facts(g_part, 0);
	facts(g_full, 0);
	g_a = malloc((size_t)W * H * 3);
	g_b = malloc((size_t)W * H * 3);
	return g_a && g_b ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ui_close(g_full);
	ui_close(g_part);
	free(g_a);
	free(g_b);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_screen_both_languages),
	    cmocka_unit_test(test_weight_changes_cost_a_small_rectangle),
	    cmocka_unit_test(test_pressed_control),
	    cmocka_unit_test(test_count_keys),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
