/* xwin.c — see xwin.h. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "ui_layout.h"
#include "wf_test.h"
#include "xwin.h"

#if defined(__SANITIZE_ADDRESS__)
#define XWIN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XWIN_ASAN 1
#endif
#endif

/* In a child about to exec the kiosk: preload what it needs. Under ASan,
 * leak-check the window path with tests/ui/lsan.supp, and keep Mesa's
 * software driver mapped to the end (preloaded), so LeakSanitizer can see
 * what it still holds; gcc's ASan runtime is a shared library that must
 * come first in LD_PRELOAD. Then the caller's library (the pty shim). */
static void child_preload(const char *extra)
{
	char preload[1400] = "";
#ifdef XWIN_ASAN
	char supp[512], line[512];
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
		snprintf(preload + n, sizeof preload - n, "%s ", WUFEI_DRI_DRIVER);
	}
#endif
	if (extra) {
		size_t n = strlen(preload);
		snprintf(preload + n, sizeof preload - n, "%s", extra);
	}
	if (preload[0])
		setenv("LD_PRELOAD", preload, 1);
}

/* Starts argv[0] with stdout and stderr into out_path; with stdin_fd, a
 * pipe to its stdin; keep_fd (or -1) stays open in the child. keep_fd -1
 * starts the kiosk (preloaded as above); >= 0 starts Xvfb. */
static pid_t spawn(const char *display, char *const argv[], const char *out_path, int *stdin_fd,
                   int keep_fd, const char *preload)
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
		if (display)
			setenv("DISPLAY", display, 1);
		if (keep_fd < 0) /* the kiosk (not Xvfb and its xkbcomp) */
			child_preload(preload);
		execv(argv[0], argv);
		_exit(127);
	}
	if (stdin_fd) {
		close(p[0]);
		*stdin_fd = p[1];
	}
	return pid;
}

int xwin_start(struct xwin *x, const char *dir, int w, int h)
{
	memset(x, 0, sizeof *x);
	x->w = w, x->h = h;
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	char screen[32], log[256], fdarg[16];
	snprintf(screen, sizeof screen, "%dx%dx24", w, h);
	snprintf(log, sizeof log, "%s/xvfb.log", dir);
	snprintf(fdarg, sizeof fdarg, "%d", fds[1]);
	char *xargv[] = {"/usr/bin/Xvfb", "-displayfd", fdarg, "-screen", "0",
	                 screen,          "-nolisten",  "tcp", NULL};
	x->xvfb = spawn(NULL, xargv, log, NULL, fds[1], NULL);
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
	if (got == 0 || n < 0) {
		xwin_log_print(log); /* why Xvfb did not start, for the record */
		return -1;
	}
	snprintf(x->display, sizeof x->display, ":%d", n);
	return 0;
}

void xwin_end_child(pid_t *pid, int *in)
{
	if (*in >= 0)
		close(*in);
	*in = -1;
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

void xwin_stop(struct xwin *x)
{
	if (x->xvfb > 0) {
		kill(x->xvfb, SIGTERM);
		waitpid(x->xvfb, NULL, 0);
	}
	x->xvfb = 0;
}

pid_t xwin_spawn(const struct xwin *x, char *const argv[], const char *out_path, int *stdin_fd,
                 const char *preload)
{
	return spawn(x->display, argv, out_path, stdin_fd, -1, preload);
}

/* The log at path from byte from into buf[cap]; its length. */
static size_t read_log(const char *path, long from, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	if (f && fseek(f, from, SEEK_SET) == 0)
		n = fread(buf, 1, cap - 1, f);
	if (f)
		fclose(f);
	buf[n] = '\0';
	return n;
}

long xwin_log_size(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : 0;
	fclose(f);
	return n < 0 ? 0 : n;
}

void xwin_log_print(const char *path)
{
	static char buf[1 << 20];
	read_log(path, 0, buf, sizeof buf);
	printf("%s:\n%s\n", path, buf);
	fflush(stdout);
}

bool xwin_log_wait(const char *path, long from, const char *needle, int ms, bool quiet)
{
	static char buf[1 << 20];
	for (int waited = 0;; waited += 50) {
		read_log(path, from, buf, sizeof buf);
		if (strstr(buf, needle))
			return true;
		if (waited >= ms)
			break;
		usleep(50000);
	}
	if (!quiet) {
		printf("waited %d ms for '%s'\n", ms, needle);
		xwin_log_print(path);
	}
	return false;
}

int xwin_log_count(const char *path, long from, const char *needle)
{
	static char buf[1 << 20];
	read_log(path, from, buf, sizeof buf);
	int n = 0;
	for (const char *p = buf; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

void xwin_ctl(const struct xwin *x, const struct session_view *v, const struct wf_category *cats,
              unsigned n, enum session_control c, uint16_t category_id, int digit, int r[4],
              char *label, size_t cap)
{
	struct ui_layout_in in = {.width = x->w, .height = x->h};
	static struct ui_layout l;
	ui_layout_make(v, cats, n, &in, &l);
	int k = ui_layout_find(&l, c, category_id, digit);
	if (k < 0)
		fail_msg("no control %d (category %u, digit %d) on screen %s", (int)c,
		         (unsigned)category_id, digit, session_screen_name(v->screen));
	r[0] = l.ctl[k].r.x, r[1] = l.ctl[k].r.y, r[2] = l.ctl[k].r.w, r[3] = l.ctl[k].r.h;
	if (label)
		snprintf(label, cap, "%s", l.ctl[k].b.label);
}

void xwin_click(const struct xwin *x, int px, int py)
{
	char out[512];
	int rc =
	    wf_test_sh(out, sizeof out, "DISPLAY=%s xdotool mousemove %d %d sleep 0.15 click 1",
	               x->display, px, py);
	if (rc != 0)
		fail_msg("xdotool: %s", out);
}

void xwin_tap(const struct xwin *x, const char *log, const struct session_view *v,
              const struct wf_category *cats, unsigned n, enum session_control c,
              uint16_t category_id, int digit, char *label, size_t cap)
{
	int r[4];
	char name[UI_TEXT_MAX], want[UI_TEXT_MAX + 8];
	xwin_ctl(x, v, cats, n, c, category_id, digit, r, name, sizeof name);
	if (label)
		snprintf(label, cap, "%s", name);
	/* the kiosk logs a PIN's keys without the digit (a secret) */
	bool pin = v->screen == SESSION_SCREEN_PIN && c == SESSION_TAP_DIGIT;
	snprintf(want, sizeof want, "tap %s\n", pin ? "(PIN digit)" : name);
	for (int attempt = 0; attempt < 3; attempt++) {
		long from = xwin_log_size(log);
		usleep(150000); /* as a person would: look, then touch */
		xwin_click(x, r[0] + r[2] / 2, r[1] + r[3] / 2);
		if (xwin_log_wait(log, from, want, 5000, true))
			return;
	}
	xwin_log_print(log);
	fail_msg("the window never took the touch on '%s'", name);
}
