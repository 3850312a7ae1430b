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
 * Not yet: a window and touch input (the console still takes the taps).
 */
#ifndef WUFEI_UI_H
#define WUFEI_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "session.h"

struct ui_config {
	int width, height;      /* pixels, e.g. 1080 x 1920 (portrait) */
	const char *font_path;  /* NULL or "" = ask fontconfig */
	bool zh;                /* Chinese, else English */
	const char *kiosk_name; /* shown in the header; may be NULL */
};

struct ui;

/* ui_open — loads the font and makes the surface. WF_OK or an error in err. */
int ui_open(const struct ui_config *cfg, struct ui **out, char *err, size_t err_len);

/* ui_draw — draws view v (the categories name the buttons). WF_OK or WF_EIO. */
int ui_draw(struct ui *u, const struct session_view *v, const struct wf_category *cats,
            unsigned ncats);

/* ui_save_png — writes what was drawn last to path (RGB PNG). */
int ui_save_png(struct ui *u, const char *path, char *err, size_t err_len);

/* ui_close — frees everything; NULL is a no-op. */
void ui_close(struct ui *u);

#endif
