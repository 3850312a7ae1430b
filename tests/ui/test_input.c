/*
 * test_input.c — the window's input (ui_input.c) from SDL events pushed
 * into a real SDL window (the offscreen video driver: no display): a tap is
 * a press and a release on one control, sliding off cancels, one touch
 * counts once although SDL reports it as a finger and as a mouse, a second
 * finger is ignored, the pressed control is ui_pressed while it is held,
 * keys come back with their times, and ui_wake wakes ui_wait from another
 * thread. Points on the buttons are found by tapping a grid, so the test
 * does not depend on the layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>

#include "ui.h"
#include "wf.h"

#define W 540
#define H 960

#if defined(__SANITIZE_ADDRESS__)
#define INPUT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define INPUT_ASAN 1
#endif
#endif

#ifdef INPUT_ASAN
/* LeakSanitizer: what tests/ui/lsan.supp says of libdbus (SDL's D-Bus
 * buffer, kept for the process's life on purpose). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libdbus-1.so\n";
}
#endif

/* Under ASan, the libraries SDL loads and unloads at run time (Mesa's
 * driver for the offscreen EGL, libdbus) stay mapped to the end, so that
 * LeakSanitizer names what they still hold instead of reporting frames in
 * an unknown module (tests/ui/lsan.supp: test_window preloads them). */
static void keep_sdl_modules(void)
{
#ifdef INPUT_ASAN
	static const char *const libs[] = {WUFEI_DRI_DRIVER, "libdbus-1.so.3", "libEGL.so.1",
	                                   "libGLX_mesa.so.0"};
	for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
		(void)dlopen(libs[i], RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
#endif
}

static const struct wf_category cats[] = {
    {.id = 1, .code = "paper", .name = "纸类 Paper", .unit = WF_UNIT_GRAM},
    {.id = 6, .code = "batteries", .name = "电池 Batteries", .unit = WF_UNIT_PIECE},
};

static struct ui *g_ui;
static float g_at[8][2]; /* a point (fraction of the window) on button i */
static int g_nbuttons;

static void push_finger(Uint32 type, SDL_FingerID finger, float x, float y)
{
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = type;
	e.tfinger.touchId = 1;
	e.tfinger.fingerId = finger;
	e.tfinger.x = x;
	e.tfinger.y = y;
	assert_int_equal(SDL_PushEvent(&e), 1);
}

/* A mouse event at a fraction of the window; which = SDL_TOUCH_MOUSEID for
 * the ones SDL makes up for a touch. */
static void push_mouse(Uint32 type, Uint32 which, float x, float y)
{
	int ww, wh;
	SDL_GetWindowSize(SDL_GetWindowFromID(1), &ww, &wh);
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = type;
	if (type == SDL_MOUSEMOTION) {
		e.motion.which = which;
		e.motion.x = (int)(x * ww), e.motion.y = (int)(y * wh);
	} else {
		e.button.which = which;
		e.button.button = SDL_BUTTON_LEFT;
		e.button.x = (int)(x * ww), e.button.y = (int)(y * wh);
	}
	assert_int_equal(SDL_PushEvent(&e), 1);
}

/* Everything the window says now: taps into taps[] (labels), the number of
 * redraws into *redraws; returns the number of taps. */
static int drain(char taps[][64], int cap, int *redraws)
{
	struct ui_input in;
	int n = 0, p;
	*redraws = 0;
	while ((p = ui_poll(g_ui, &in)) > 0) {
		if (in.kind == UI_INPUT_TAP && n < cap)
			snprintf(taps[n++], 64, "%s", in.button.label);
		if (in.kind == UI_INPUT_REDRAW)
			(*redraws)++;
	}
	assert_int_equal(p, 0);
	return n;
}

static int label_index(const char *label)
{
	static const char *const names[] = {"纸类 Paper", "电池 Batteries", "Finish"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(label, names[i]))
			return i;
	return 3; /* what else the screen offers (the language switch) */
}

static int setup(void **state)
{
	(void)state;
	setenv("SDL_VIDEODRIVER", "offscreen", 1);
	keep_sdl_modules();
	struct ui_config cfg = {.width = W, .height = H, .window = true};
	char err[256];
	if (ui_open(&cfg, &g_ui, err, sizeof err) != WF_OK) {
		printf("ui_open: %s\n", err);
		return -1;
	}
	struct session_view v;
	memset(&v, 0, sizeof v);
	v.screen = SESSION_SCREEN_CATEGORY;
	v.language = WF_LANG_EN;
	assert_true(ui_draw(g_ui, &v, cats, 2) >= 0);
	/* find a point on each control: tap a grid and see what answers */
	char taps[4][64];
	int redraws;
	drain(taps, 4, &redraws);
	memset(g_at, 0, sizeof g_at);
	g_nbuttons = 0;
	for (int y = 10; y < H; y += 20)
		for (int x = 10; x < W; x += 20) {
			float fx = (float)x / W, fy = (float)y / H;
			push_finger(SDL_FINGERDOWN, 1, fx, fy);
			push_finger(SDL_FINGERUP, 1, fx, fy);
			if (drain(taps, 4, &redraws) == 1) {
				int i = label_index(taps[0]);
				if (g_at[i][0] == 0.0f) {
					g_at[i][0] = fx, g_at[i][1] = fy;
					g_nbuttons++;
				}
			}
		}
	assert_int_equal(g_nbuttons, 4); /* paper, batteries, finish, the language */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ui_close(g_ui);
	g_ui = NULL;
	return 0;
}

static void test_tap_is_press_and_release_on_one_control(void **state)
{
	(void)state;
	char taps[4][64];
	int redraws;
	push_finger(SDL_FINGERDOWN, 7, g_at[0][0], g_at[0][1]);
	assert_int_equal(drain(taps, 4, &redraws), 0);
	assert_int_equal(redraws, 1); /* drawn pressed */
	assert_true(ui_pressed(g_ui) >= 0);
	push_finger(SDL_FINGERMOTION, 7, g_at[0][0] + 0.001f, g_at[0][1]);
	assert_int_equal(drain(taps, 4, &redraws), 0);
	assert_int_equal(redraws, 0); /* still on it: nothing to draw */
	push_finger(SDL_FINGERUP, 7, g_at[0][0], g_at[0][1]);
	assert_int_equal(drain(taps, 4, &redraws), 1);
	assert_string_equal(taps[0], "纸类 Paper");
	assert_int_equal(redraws, 1); /* and drawn released */
	assert_int_equal(ui_pressed(g_ui), -1);
}

static void test_sliding_off_cancels(void **state)
{
	(void)state;
	char taps[4][64];
	int redraws;
	/* press paper, slide to batteries, release there: nothing */
	push_finger(SDL_FINGERDOWN, 3, g_at[0][0], g_at[0][1]);
	push_finger(SDL_FINGERMOTION, 3, g_at[1][0], g_at[1][1]);
	assert_int_equal(drain(taps, 4, &redraws), 0);
	assert_int_equal(ui_pressed(g_ui), -1); /* slid off: not pressed */
	assert_int_equal(redraws, 2);           /* pressed, then released */
	push_finger(SDL_FINGERUP, 3, g_at[1][0], g_at[1][1]);
	assert_int_equal(drain(taps, 4, &redraws), 0);
	/* the same with the mouse */
	push_mouse(SDL_MOUSEBUTTONDOWN, 0, g_at[1][0], g_at[1][1]);
	push_mouse(SDL_MOUSEMOTION, 0, g_at[0][0], g_at[0][1]);
	push_mouse(SDL_MOUSEBUTTONUP, 0, g_at[0][0], g_at[0][1]);
	assert_int_equal(drain(taps, 4, &redraws), 0);
	/* sliding back on before the release is a tap */
	push_finger(SDL_FINGERDOWN, 4, g_at[0][0], g_at[0][1]);
	push_finger(SDL_FINGERMOTION, 4, g_at[1][0], g_at[1][1]);
	push_finger(SDL_FINGERMOTION, 4, g_at[0][0], g_at[0][1]);
	push_finger(SDL_FINGERUP, 4, g_at[0][0], g_at[0][1]);
	assert_int_equal(drain(taps, 4, &redraws), 1);
	assert_string_equal(taps[0], "纸类 Paper");
}

static void test_one_touch_counts_once(void **state)
{
	(void)state;
	char taps[4][64];
	int redraws;
	/* what SDL reports for one touch: the finger and a made-up mouse,
	 * interleaved or one after the other */
	push_mouse(SDL_MOUSEBUTTONDOWN, SDL_TOUCH_MOUSEID, g_at[1][0], g_at[1][1]);
	push_finger(SDL_FINGERDOWN, 9, g_at[1][0], g_at[1][1]);
	push_mouse(SDL_MOUSEBUTTONUP, SDL_TOUCH_MOUSEID, g_at[1][0], g_at[1][1]);
	push_finger(SDL_FINGERUP, 9, g_at[1][0], g_at[1][1]);
	assert_int_equal(drain(taps, 4, &redraws), 1);
	assert_string_equal(taps[0], "电池 Batteries");
	push_mouse(SDL_MOUSEBUTTONDOWN, SDL_TOUCH_MOUSEID, g_at[1][0], g_at[1][1]);
	push_mouse(SDL_MOUSEBUTTONUP, SDL_TOUCH_MOUSEID, g_at[1][0], g_at[1][1]);
	push_finger(SDL_FINGERDOWN, 9, g_at[1][0], g_at[1][1]);
	push_finger(SDL_FINGERUP, 9, g_at[1][0], g_at[1][1]);
	assert_int_equal(drain(taps, 4, &redraws), 1);
	assert_string_equal(taps[0], "电池 Batteries");
	/* a second finger while one is down is ignored */
	push_finger(SDL_FINGERDOWN, 1, g_at[0][0], g_at[0][1]);
	push_finger(SDL_FINGERDOWN, 2, g_at[1][0], g_at[1][1]);
	push_finger(SDL_FINGERUP, 2, g_at[1][0], g_at[1][1]);
	assert_int_equal(drain(taps, 4, &redraws), 0);
	push_finger(SDL_FINGERUP, 1, g_at[0][0], g_at[0][1]);
	assert_int_equal(drain(taps, 4, &redraws), 1);
	assert_string_equal(taps[0], "纸类 Paper");
	/* a real mouse click is a tap too */
	push_mouse(SDL_MOUSEBUTTONDOWN, 0, g_at[2][0], g_at[2][1]);
	push_mouse(SDL_MOUSEBUTTONUP, 0, g_at[2][0], g_at[2][1]);
	assert_int_equal(drain(taps, 4, &redraws), 1);
	assert_string_equal(taps[0], "Finish");
}

static void test_keys(void **state)
{
	(void)state;
	static const SDL_Keycode keys[] = {SDLK_5, SDLK_KP_7, SDLK_c, SDLK_RETURN, SDLK_SPACE};
	static const int want[] = {'5', '7', 'c', '\n', -1};
	for (int i = 0; i < 5; i++) {
		SDL_Event e;
		memset(&e, 0, sizeof e);
		e.type = SDL_KEYDOWN;
		e.key.keysym.sym = keys[i];
		assert_int_equal(SDL_PushEvent(&e), 1);
	}
	struct ui_input in;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(ui_poll(g_ui, &in), 1);
		assert_int_equal(in.kind, UI_INPUT_KEY);
		assert_int_equal(in.key, want[i]);
		assert_true(in.at_ms >= 0);
	}
}

static void draw_screen(enum session_screen screen)
{
	struct session_view v;
	memset(&v, 0, sizeof v);
	v.screen = screen;
	v.category_id = 1;
	v.language = WF_LANG_EN;
	assert_true(ui_draw(g_ui, &v, cats, 2) >= 0);
}

/* The screen changes while a finger is down: the control it pressed is
 * gone, so nothing is pressed and its release taps nothing. */
static void test_screen_change_cancels_press(void **state)
{
	(void)state;
	char taps[4][64];
	int redraws;
	push_finger(SDL_FINGERDOWN, 5, g_at[0][0], g_at[0][1]);
	assert_int_equal(drain(taps, 4, &redraws), 0);
	assert_true(ui_pressed(g_ui) >= 0);
	draw_screen(SESSION_SCREEN_WEIGH);
	assert_int_equal(drain(taps, 4, &redraws), 0);
	assert_int_equal(redraws, 1);
	assert_int_equal(ui_pressed(g_ui), -1);
	push_finger(SDL_FINGERUP, 5, g_at[0][0], g_at[0][1]);
	assert_int_equal(drain(taps, 4, &redraws), 0);
	draw_screen(SESSION_SCREEN_CATEGORY);
}

static void *waker(void *arg)
{
	usleep(50000);
	ui_wake(arg);
	return NULL;
}

static void test_wake_from_another_thread(void **state)
{
	(void)state;
	char taps[4][64];
	int redraws;
	drain(taps, 4, &redraws);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, waker, g_ui), 0);
	/* without the wake this would return false after 60 s */
	assert_true(ui_wait(g_ui, 60000));
	pthread_join(t, NULL);
	/* a wake that came while the caller was busy is not lost */
	assert_int_equal(ui_wake(g_ui), WF_OK);
	assert_int_equal(drain(taps, 4, &redraws), 0); /* ui_poll took it... */
	assert_true(ui_wait(g_ui, 60000));             /* ...and ui_wait still sees it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tap_is_press_and_release_on_one_control),
	    cmocka_unit_test(test_sliding_off_cancels),
	    cmocka_unit_test(test_one_touch_counts_once),
	    cmocka_unit_test(test_screen_change_cancels_press),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_wake_from_another_thread),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
