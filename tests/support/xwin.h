/*
 * xwin.h — the kiosk in a real window on a real X server, for tests: Xvfb on
 * a free display, children started on it (the kiosk leak-checked under
 * ASan), the kiosk's log waited on, and real X clicks (xdotool) at the
 * place the kiosk's own pure layout (ui_layout.h) gives a control.
 *
 * For: tests/ui/test_window.c and tests/ui/test_window_flows.c (library
 * wufei_test_xwin, tests/support/CMakeLists.txt; built with WUFEI_UI only).
 * Asserts with cmocka where it says so; every wait has a bound and prints
 * the log it waited on when it gives up.
 */
#ifndef WUFEI_TESTS_XWIN_H
#define WUFEI_TESTS_XWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "catalog.h"
#include "session.h"
#include "wf.h"

struct xwin {
	char display[16]; /* ":N" */
	pid_t xvfb;
	int w, h; /* the screen, pixels */
};

/*
 * xwin_start — Xvfb with one w x h x 24 screen on a display it picks itself
 * (-displayfd: it names it once it takes connections, no polling), its own
 * output into dir/xvfb.log. Returns 0, or -1 (the log printed).
 */
int xwin_start(struct xwin *x, const char *dir, int w, int h);

/* xwin_stop — ends Xvfb (SIGTERM) and reaps it; nothing if it is not up. */
void xwin_stop(struct xwin *x);

/* xwin_end_child — a test's teardown of a child xwin_spawn started: closes
 * its stdin (*in, then -1; -1: none), ends it (SIGTERM) and reaps it (*pid,
 * then 0; 0: none). */
void xwin_end_child(pid_t *pid, int *in);

/*
 * xwin_spawn — starts argv[0] on x's display, stdout and stderr into
 * out_path; with stdin_fd, a pipe to its stdin (*stdin_fd: its write end).
 * Under ASan the child is leak-checked the window's way (tests/ui/lsan.supp,
 * the ASan runtime and Mesa's software driver preloaded); preload (or NULL)
 * is one more library preloaded after those (the pty shim). Returns the pid
 * (asserts the fork worked).
 */
pid_t xwin_spawn(const struct xwin *x, char *const argv[], const char *out_path, int *stdin_fd,
                 const char *preload);

/* xwin_log_size — how many bytes the log at path holds now (0: none). */
long xwin_log_size(const char *path);

/*
 * xwin_log_wait — waits up to ms until the log at path holds needle at or
 * after byte from. false when it never did; then, unless quiet, the whole
 * log is printed.
 */
bool xwin_log_wait(const char *path, long from, const char *needle, int ms, bool quiet);

/* xwin_log_count — how often needle is in the log at path from byte from. */
int xwin_log_count(const char *path, long from, const char *needle);

/* xwin_log_print — the whole log at path on stdout (for a failure). */
void xwin_log_print(const char *path);

/*
 * xwin_ctl — where the kiosk's own layout puts the control sending c (with
 * category_id for a tile, digit for a key) on view v's screen on x's full
 * screen with categories cats[n]: r = {x, y, w, h} and the label the kiosk
 * logs ("tap LABEL") into label[cap]. Asserts there is one.
 */
void xwin_ctl(const struct xwin *x, const struct session_view *v, const struct wf_category *cats,
              unsigned n, enum session_control c, uint16_t category_id, int digit, int r[4],
              char *label, size_t cap);

/* xwin_click — a real X pointer click at (px, py). Asserts xdotool ran. */
void xwin_click(const struct xwin *x, int px, int py);

/*
 * xwin_tap — touches the control (as xwin_ctl finds it) until the kiosk
 * logs "tap LABEL" (log: its path): a touch the window did not yet take
 * (pointer focus still on its way on a loaded machine) is tried again, as
 * a person would; one that was taken is never repeated. Fails the test
 * when the window never took it. The label is left in label[cap] (may be
 * NULL).
 */
void xwin_tap(const struct xwin *x, const char *log, const struct session_view *v,
              const struct wf_category *cats, unsigned n, enum session_control c,
              uint16_t category_id, int digit, char *label, size_t cap);

#endif
