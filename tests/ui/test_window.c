/*
 * test_window.c — wufei-kiosk in a real window on a real X server (Xvfb):
 * a resident's card comes from the console, every tap is a mouse click on
 * the window's buttons (xdotool), and the receipt's QR code, captured from
 * the X screen and read with zbarimg, is the receipt the journal holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"
#include "ui_layout.h"
#include "wf.h"
#include "wf_test.h"
#include "xwin.h"

#define W 540
#define H 960

static char g_dir[64], g_log[128];
static struct xwin g_x;
static pid_t g_kiosk;
static int g_in = -1; /* the kiosk's console */

static char g_out[16384]; /* the last sh command's output */
#define sh(...) wf_test_sh(g_out, sizeof g_out, __VA_ARGS__)

static int setup(void **state)
{
	(void)state;
	assert_int_equal(wf_test_tmpdir("window", g_dir, sizeof g_dir), 0);
	snprintf(g_log, sizeof g_log, "%s/kiosk.log", g_dir);
	assert_int_equal(xwin_start(&g_x, g_dir, W, H), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xwin_end_child(&g_kiosk, &g_in);
	xwin_stop(&g_x);
	return wf_test_rmtree(g_dir);
}

/* Waits (up to 15 s) until the kiosk's log holds needle. */
static bool logged(const char *needle)
{
	return xwin_log_wait(g_log, 0, needle, 15000, false);
}

static void console(const char *line)
{
	assert_int_equal(write(g_in, line, strlen(line)), (ssize_t)strlen(line));
}

/* The fixture's six categories, as the kiosk shows them. */
static void fixture_cats(struct wf_category cats[6])
{
	static const char *const codes[] = {"paper", "plastic",  "metal",
	                                    "glass", "textiles", "batteries"};
	static const char *const names[] = {"纸类 Paper", "塑料 Plastic",    "金属 Metal",
	                                    "玻璃 Glass", "纺织物 Textiles", "电池 Batteries"};
	memset(cats, 0, 6 * sizeof cats[0]);
	for (int i = 0; i < 6; i++) {
		cats[i].id = (uint16_t)(i + 1);
		snprintf(cats[i].code, sizeof cats[i].code, "%s", codes[i]);
		snprintf(cats[i].name, sizeof cats[i].name, "%s", names[i]);
		cats[i].unit = i == 5 ? WF_UNIT_PIECE : WF_UNIT_GRAM;
	}
}

/* The English view of screen, as the layout sees it: a waiting screen
 * shows its countdown, and the layout makes room for it. */
static struct session_view view_of(enum session_screen screen)
{
	struct session_view v = {.screen = screen, .language = WF_LANG_EN, .timeout_left_ms = 1000};
	return v;
}

/* Where the kiosk's own layout puts the control sending c (a category's
 * tile for category_id) on screen. r = {x, y, w, h}. */
static void ctl_rect(enum session_screen screen, enum session_control c, uint16_t category_id,
                     int r[4])
{
	struct wf_category cats[6];
	fixture_cats(cats);
	struct session_view v = view_of(screen);
	xwin_ctl(&g_x, &v, cats, 6, c, category_id, 0, r, NULL, 0);
}

/* Touches that control with a real X click until the kiosk logs
 * "tap LABEL" (xwin_tap); label is what it must say. */
static void tap(enum session_screen screen, enum session_control c, uint16_t category_id,
                const char *label)
{
	struct wf_category cats[6];
	fixture_cats(cats);
	struct session_view v = view_of(screen);
	char got[UI_TEXT_MAX];
	xwin_tap(&g_x, g_log, &v, cats, 6, c, category_id, 0, got, sizeof got);
	assert_string_equal(got, label);
}

static int token_of(void *ctx, const struct ledger_entry *e)
{
	if (e->token)
		snprintf(ctx, LEDGER_TOKEN_MAX, "%s", e->token);
	return 0;
}

/* Starts the kiosk in a window with a new journal; extra_ini is appended to
 * its kiosk.ini. Returns when it shows the attract screen. */
static void start_kiosk(const char *extra_ini)
{
	const char *bin = getenv("WUFEI_BIN_DIR");
	char kiosk[300], ini[1600], path[200];
	snprintf(kiosk, sizeof kiosk, "%s/wufei-kiosk", bin);
	assert_int_equal(sh("'%s' keygen --out %s/k.key >/dev/null && '%s' ledger init %s/j.db "
	                    "--kiosk 9 >/dev/null",
	                    kiosk, g_dir, kiosk, g_dir),
	                 0);
	snprintf(ini, sizeof ini,
	         "[kiosk]\nnumber = 9\nname = Test\nledger = %s/j.db\nkey_file = %s/k.key\n"
	         "fixture = %s/packaging/demo/fixture.json\n"
	         "[screen]\nwidth = %d\nheight = %d\nfullscreen = true\nlanguage = en\n"
	         "[session]\nstable_time_ms = 1000\n%s",
	         g_dir, g_dir, getenv("WUFEI_SOURCE_DIR"), W, H, extra_ini);
	snprintf(path, sizeof path, "%s/k.ini", g_dir);
	assert_int_equal(wf_test_write_file(path, ini), 0);
	char log[200];
	snprintf(log, sizeof log, "%s/kiosk.log", g_dir);
	char *kargv[] = {kiosk, "run", "--config", path, "--no-devices", "--window", NULL};
	g_kiosk = xwin_spawn(&g_x, kargv, log, &g_in, NULL);
	assert_true(logged("screen attract"));
}

/* Ends the kiosk with "quit"; it must exit 0. */
static void quit_kiosk(void)
{
	console("quit\n");
	int st = 0;
	assert_int_equal(waitpid(g_kiosk, &st, 0), g_kiosk);
	g_kiosk = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		if (sh("cat '%s/kiosk.log'", g_dir) == 0) /* what went wrong, for the record */
			printf("%s", g_out);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* How often needle is in the kiosk's log. */
static int count_logged(const char *needle)
{
	return xwin_log_count(g_log, 0, needle);
}

static void test_drop_by_touch(void **state)
{
	(void)state;
	char path[200];
	start_kiosk("");

	console("weight 0 for 1500\ncard em4100:0014868981\n");
	assert_true(logged("screen category"));
	tap(SESSION_SCREEN_CATEGORY, SESSION_TAP_CATEGORY, 1, "纸类 Paper");
	assert_true(logged("screen weigh"));
	console("weight 1250 for 1500\n");
	assert_true(logged("screen confirm"));
	tap(SESSION_SCREEN_CONFIRM, SESSION_TAP_CONFIRM, 0, "Confirm");
	assert_true(logged("screen receipt"));
	usleep(300000); /* the window is drawn on the next tick */

	/* what the X server shows: the QR code is the journal's receipt */
	char shot[200], out[512] = "", want[LEDGER_TOKEN_MAX] = "", err[256];
	snprintf(shot, sizeof shot, "%s/screen.png", g_dir);
	assert_int_equal(sh("import -display %s -window root '%s' 2>/dev/null", g_x.display, shot),
	                 0);
	assert_int_equal(wf_test_qr_read(shot, out, sizeof out), 0);
	struct ledger *l = NULL;
	snprintf(path, sizeof path, "%s/j.db", g_dir);
	assert_int_equal(ledger_open(path, &l, err, sizeof err), WF_OK);
	assert_int_equal(ledger_each(l, token_of, want), 0);
	ledger_close(l);
	assert_true(want[0] != '\0');
	assert_string_equal(out, want);

	tap(SESSION_SCREEN_RECEIPT, SESSION_TAP_DONE, 0, "Done");
	quit_kiosk();
	assert_true(logged("run ended: 1 drops recorded"));
}

/* A keyboard-wedge reader types the card's number and Enter through the X
 * keyboard: at a reader's speed it is a card and the visit starts; the same
 * digits typed at a person's speed are nothing. */
static void test_wedge_card_by_keyboard(void **state)
{
	(void)state;
	start_kiosk("[device.card]\nrole = card\nprotocol = wedge\ntechnology = em4100\n"
	            "base = decimal\ndigits = 10\n");
	assert_true(logged("keyboard-wedge reader on the window's keyboard"));
	/* a person: 150 ms between keys (the pointer on the window: its focus).
	 * xdotool key, not type: type takes every later word as text, and
	 * Enter must follow the digits at the same pace. */
	assert_int_equal(sh("DISPLAY=%s xdotool mousemove %d %d sleep 0.2 key --delay 150 "
	                    "0 0 1 4 8 6 8 9 8 1 Return",
	                    g_x.display, W / 2, H / 8),
	                 0);
	/* a reader: 5 ms between keys */
	assert_int_equal(
	    sh("DISPLAY=%s xdotool key --delay 5 0 0 1 4 8 6 8 9 8 1 Return", g_x.display), 0);
	assert_true(logged("screen category"));
	/* the window takes keys in order: had the slow digits been a card, it
	 * would be logged before the fast one's */
	assert_int_equal(count_logged("card em4100:******8981"), 1);
	quit_kiosk();
}

/* A press on one control released on another is no tap (real X pointer). */
static void test_slide_off_is_no_tap(void **state)
{
	(void)state;
	start_kiosk("");
	console("card em4100:0014868981\n");
	assert_true(logged("screen category"));
	int a[4], b[4];
	ctl_rect(SESSION_SCREEN_CATEGORY, SESSION_TAP_CATEGORY, 1, a);
	ctl_rect(SESSION_SCREEN_CATEGORY, SESSION_TAP_CATEGORY, 2, b);
	usleep(300000);
	assert_int_equal(sh("DISPLAY=%s xdotool mousemove %d %d sleep 0.2 mousedown 1 sleep 0.1 "
	                    "mousemove %d %d sleep 0.1 mouseup 1",
	                    g_x.display, a[0] + a[2] / 2, a[1] + a[3] / 2, b[0] + b[2] / 2,
	                    b[1] + b[3] / 2),
	                 0);
	tap(SESSION_SCREEN_CATEGORY, SESSION_TAP_DONE, 0, "Finish");
	/* X events come in order: a tap from the slide would be logged first */
	assert_int_equal(count_logged("tap "), 1);
	quit_kiosk();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_drop_by_touch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wedge_card_by_keyboard, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slide_off_is_no_tap, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
