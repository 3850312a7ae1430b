/*
 * ui.h — draws the kiosk's screens with SDL2 and SDL2_ttf into an offscreen
 * surface (a software renderer: no display needed) and saves them as PNG.
 *
 * For: screenshots of every screen the kiosk shows (wufei-kiosk run
 * --screenshots DIR, the headless demo) and the drawing the touch-screen
 * window will show. What each screen says comes from ui_text.h; this file
 * only lays it out: a header with the kiosk's name, the title, body lines,
 * the receipt's QR code (libqrencode, level M), a message box and the
 * buttons. The font is [screen] font or, by default, what fontconfig
 * offers for Chinese (Noto Sans CJK on Debian).
 *
 * With cfg.window the same picture is shown in a window (full screen on the
 * kiosk) and taps or clicks on its buttons come back through ui_poll.
 */
#ifndef WUFEI_UI_H
#define WUFEI_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "session.h"
#include "ui_text.h"

struct ui_config {
	int width, height;      /* pixels, e.g. 1080 x 1920 (portrait) */
	const char *font_path;  /* NULL or "" = ask fontconfig */
	bool zh;                /* Chinese, else English */
	const char *kiosk_name; /* shown in the header; may be NULL */
	bool window;            /* also show it in a window on the display (SDL video) */
	bool fullscreen;        /* the window covers the display */
};

struct ui;

/* ui_open — loads the font and makes the surface. WF_OK or an error in err. */
int ui_open(const struct ui_config *cfg, struct ui **out, char *err, size_t err_len);

/* ui_draw — draws view v (the categories name the buttons). WF_OK or WF_EIO. */
int ui_draw(struct ui *u, const struct session_view *v, const struct wf_category *cats,
            unsigned ncats);

/* ui_set_health — what the staff menu shows of the kiosk's health from the
 * next ui_draw on (copied; NULL shows none). */
void ui_set_health(struct ui *u, const struct ui_health *h);

/* ui_save_png — writes what was drawn last to path (RGB PNG). */
int ui_save_png(struct ui *u, const char *path, char *err, size_t err_len);

/*
 * ui_poll — handles the window's pending events without blocking. Returns 1
 * and the button in *tapped when a tap or click hit one, -1 when the window
 * was closed, 0 otherwise (and always 0 without a window).
 */
int ui_poll(struct ui *u, struct ui_button *tapped);

/* ui_close — frees everything; NULL is a no-op. */
void ui_close(struct ui *u);

#endif
