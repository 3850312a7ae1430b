/*
 * screen_none.c — the runner's screen glue for a wufei-kiosk built without
 * SDL2 (cmake -DWUFEI_UI=OFF): no window and no screenshots; asking for
 * either is refused with a clear reason. CMake builds this file or
 * screen.c, never both.
 */
#include "runner_private.h"

#include "wf.h"

int screen_open(struct runner *r, const char *dir, bool window, char *err, size_t err_len)
{
	(void)r;
	(void)dir;
	(void)window;
	snprintf(err, err_len, "this wufei-kiosk was built without SDL2: no screen");
	return WF_EINVAL;
}

void screen_shot(struct runner *r, const struct session_view *v)
{
	(void)r;
	(void)v;
}

void screen_tick(struct runner *r)
{
	(void)r;
}

void screen_close(struct runner *r)
{
	(void)r;
}

void screen_input(struct runner *r)
{
	(void)r;
}

bool screen_wait(struct runner *r, int timeout_ms)
{
	(void)r;
	(void)timeout_ms;
	return false;
}

void screen_wake(struct runner *r)
{
	(void)r;
}

void screen_log_frame(struct runner *r, const struct session_view *v)
{
	(void)r;
	(void)v;
}

void screen_input_close(struct runner *r)
{
	(void)r;
}
