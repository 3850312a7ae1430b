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

#define W 540
#define H 960

static char g_dir[64], g_display[16];
static pid_t g_xvfb, g_kiosk;
static int g_in = -1; /* the kiosk's console */

static char g_out[16384]; /* the last sh command's output */
#define sh(...) wf_test_sh(g_out, sizeof g_out, __VA_ARGS__)

#if defined(__SANITIZE_ADDRESS__)
#define WINDOW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WINDOW_ASAN 1
#endif
#endif

/* In a child about to exec the kiosk under ASan: leak-check the window path
 * with tests/ui/lsan.supp, and keep Mesa's software driver mapped to the end
 * (preloaded), so LeakSanitizer can see what it still holds. gcc's ASan
 * runtime is a shared library that must come first in LD_PRELOAD. */
static void leak_check_window(void)
{
#ifdef WINDOW_ASAN
	char supp[512], preload[1024] = "", line[512];
	snprintf(supp, sizeof supp, "suppressions=%s/tests/ui/lsan.supp",
	         getenv("WUFEI_SOURCE_DIR"));
	setenv("LSAN_OPTIONS", supp, 1);
	FILE *maps = fopen("/proc/self/maps", "r");
	while (maps && fgets(line, sizeof line, maps)) {
		char *lib = strchr(line, '/');
		if (lib && strstr(lib, "/libasan.so")) {
			lib[strcspn(lib, "\n")] = '\0';
			snprintf(preload, sizeof preload, "%s ", lib);
			break;
		}
	}
	if (maps)
		fclose(maps);
	if (access(WUFEI_DRI_DRIVER, R_OK) == 0) {
		size_t n = strlen(preload);
		snprintf(preload + n, sizeof preload - n, "%s", WUFEI_DRI_DRIVER);
	}
	if (preload[0])
		setenv("LD_PRELOAD", preload, 1);
#endif
}

/* Starts argv[0] with stdout and stderr into out_path; with stdin_fd, a pipe
 * to its stdin; keep_fd (or -1) stays open in the child. keep_fd -1 starts
 * the kiosk, leak-checked under ASan; >= 0 starts Xvfb. */
static pid_t spawn(char *const argv[], const char *out_path, int *stdin_fd, int keep_fd)
{
	int p[2] = {-1, -1};
	if (stdin_fd)
		assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(o, 1);
		dup2(o, 2);
		if (stdin_fd)
			dup2(p[0], 0);
		if (keep_fd >= 3) {
			for (int fd = 3; fd < keep_fd; fd++)
				close(fd);
			closefrom(keep_fd + 1);
		} else {
			closefrom(3);
		}
		setenv("DISPLAY", g_display, 1);
		if (keep_fd < 0) /* the kiosk (not Xvfb and its xkbcomp) */
			leak_check_window();
		execv(argv[0], argv);
		_exit(127);
	}
	if (stdin_fd) {
		close(p[0]);
		*stdin_fd = p[1];
	}
	return pid;
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(wf_test_tmpdir("window", g_dir, sizeof g_dir), 0);
	/* Xvfb picks a free display itself and writes its number to the pipe
	 * once it accepts connections (-displayfd): no guessing, no polling. */
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	char screen[32], log[128], fdarg[16];
	snprintf(screen, sizeof screen, "%dx%dx24", W, H);
	snprintf(log, sizeof log, "%s/xvfb.log", g_dir);
	snprintf(fdarg, sizeof fdarg, "%d", fds[1]);
	char *xargv[] = {"/usr/bin/Xvfb", "-displayfd", fdarg, "-screen", "0",
	                 screen,          "-nolisten",  "tcp", NULL};
	g_xvfb = spawn(xargv, log, NULL, fds[1]);
	close(fds[1]);
	char num[16] = "";
	size_t got = 0;
	while (got < sizeof num - 1 && !memchr(num, '\n', got)) {
		ssize_t r = read(fds[0], num + got, sizeof num - 1 - got);
		if (r <= 0)
			break; /* Xvfb ended without a display: it failed */
		got += (size_t)r;
	}
	close(fds[0]);
	num[got] = '\0';
	int n = (int)strtol(num, NULL, 10);
	if (got == 0 || n < 0)
		if (sh("cat '%s'", log) == 0) /* why Xvfb did not start, for the record */
			printf("%s", g_out);
	assert_true(got > 0 && n >= 0);
	snprintf(g_display, sizeof g_display, ":%d", n);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (g_in >= 0)
		close(g_in);
	g_in = -1;
	pid_t pids[] = {g_kiosk, g_xvfb};
	for (int i = 0; i < 2; i++)
		if (pids[i] > 0) {
			kill(pids[i], SIGTERM);
			waitpid(pids[i], NULL, 0);
		}
	g_kiosk = g_xvfb = 0;
	return wf_test_rmtree(g_dir);
}

/* Waits (up to tenths / 10 s) until the kiosk's log holds needle. */
static bool logged_within(const char *needle, int tenths, bool quiet)
{
	char path[128], buf[65536];
	snprintf(path, sizeof path, "%s/kiosk.log", g_dir);
	for (int i = 0; i < tenths; i++) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
		if (f)
			fclose(f);
		buf[n] = '\0';
		if (strstr(buf, needle))
			return true;
		usleep(100000);
	}
	if (!quiet)
		printf("kiosk log:\n%s\n", buf);
	return false;
}

static bool logged(const char *needle)
{
	return logged_within(needle, 150, false);
}

/* A whole number printed by a command, or -1. */
static int atoi_checked(const char *text)
{
	char *end;
	long v = strtol(text, &end, 10);
	return end == text ? -1 : (int)v;
}

static void console(const char *line)
{
	assert_int_equal(write(g_in, line, strlen(line)), (ssize_t)strlen(line));
}

/* Where the kiosk's own layout puts the control sending c (a category's
 * tile for category_id) on screen: full screen on the W x H display,
 * English, six categories as in the fixture. r = {x, y, w, h}. */
static void ctl_rect(enum session_screen screen, enum session_control c, uint16_t category_id,
                     int r[4])
{
	static const char *const codes[] = {"paper", "plastic",  "metal",
	                                    "glass", "textiles", "batteries"};
	struct wf_category cats[6];
	memset(cats, 0, sizeof cats);
	for (int i = 0; i < 6; i++) {
		cats[i].id = (uint16_t)(i + 1);
		snprintf(cats[i].code, sizeof cats[i].code, "%s", codes[i]);
		cats[i].unit = i == 5 ? WF_UNIT_PIECE : WF_UNIT_GRAM;
	}
	/* a waiting screen shows its countdown: the layout makes room for it */
	struct session_view v = {.screen = screen, .language = WF_LANG_EN, .timeout_left_ms = 1000};
	struct ui_layout_in in = {.width = W, .height = H};
	static struct ui_layout l;
	ui_layout_make(&v, cats, 6, &in, &l);
	int k = ui_layout_find(&l, c, category_id, 0);
	assert_true(k >= 0);
	r[0] = l.ctl[k].r.x, r[1] = l.ctl[k].r.y, r[2] = l.ctl[k].r.w, r[3] = l.ctl[k].r.h;
}

/* Touches that control until the kiosk logs "tap LABEL": a touch the
 * window did not yet take (pointer focus still on its way on a loaded
 * machine) is tried again, as a person would; one that was taken is never
 * repeated. */
static void tap(enum session_screen screen, enum session_control c, uint16_t category_id,
                const char *label)
{
	int r[4];
	ctl_rect(screen, c, category_id, r);
	char want[80];
	snprintf(want, sizeof want, "tap %s\n", label);
	for (int attempt = 0; attempt < 3; attempt++) {
		usleep(300000); /* as a person would: look, then touch */
		assert_int_equal(sh("DISPLAY=%s xdotool mousemove %d %d sleep 0.2 click 1",
		                    g_display, r[0] + r[2] / 2, r[1] + r[3] / 2),
		                 0);
		if (logged_within(want, 30, true))
			return;
	}
	fail_msg("the window never took the touch on '%s'", label);
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
	g_kiosk = spawn(kargv, log, &g_in, -1);
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
	char path[128];
	snprintf(path, sizeof path, "%s/kiosk.log", g_dir);
	assert_int_equal(sh("grep -cF '%s' '%s' || true", needle, path), 0);
	return atoi_checked(g_out);
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
	assert_int_equal(sh("import -display %s -window root '%s' 2>/dev/null", g_display, shot),
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
	                    g_display, W / 2, H / 8),
	                 0);
	/* a reader: 5 ms between keys */
	assert_int_equal(
	    sh("DISPLAY=%s xdotool key --delay 5 0 0 1 4 8 6 8 9 8 1 Return", g_display), 0);
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
	                    g_display, a[0] + a[2] / 2, a[1] + a[3] / 2, b[0] + b[2] / 2,
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
