/*
 * ui.h — draws the kiosk's screens with SDL2 and SDL2_ttf into an offscreen
 * surface (a software renderer: no display needed) and saves them as PNG.
 *
 * For: screenshots of every screen the kiosk shows (wufei-kiosk run
 * --screenshots DIR, the headless demo) and the touch-screen window. Where
 * everything goes comes from the pure layout (ui_layout.h), the words from
 * ui_text.h, the colours from ui_theme.h; this file only paints that model:
 * boxes, text (cached as textures), icons drawn in code (ui_icons.c), the
 * receipt's QR code (libqrencode, level M, with its quiet zone). The font
 * is [screen] font or, by default, what fontconfig offers for Chinese (Noto
 * Sans CJK on Debian). The screen speaks the view's language.
 *
 * With cfg.window the same picture is shown in a window (full screen on the
 * kiosk); taps, clicks and key presses (a keyboard-wedge card reader types
 * through them) come back through ui_poll, and ui_wait sleeps until one
 * comes.
 */
#ifndef WUFEI_UI_H
#define WUFEI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "session.h"
#include "ui_layout.h"
#include "ui_text.h"

struct ui_config {
	int width, height;      /* pixels, e.g. 1080 x 1920 (portrait) */
	int dpi;                /* the panel's dots per inch; <= 0: UI_DPI_DEFAULT */
	const char *font_path;  /* NULL or "" = ask fontconfig */
	const char *kiosk_name; /* shown in the header; may be NULL */
	bool window;            /* also show it in a window on the display (SDL video) */
	bool fullscreen;        /* the window covers the display */
};

struct ui;

/* ui_open — loads the font and makes the surface. WF_OK or an error in err. */
int ui_open(const struct ui_config *cfg, struct ui **out, char *err, size_t err_len);

/*
 * ui_draw — lays out view v (the categories name the tiles) and draws it,
 * unless the layout is identical to the one drawn last (a reading that
 * changes nothing on screen costs no drawing). Only the elements that
 * changed are repainted and copied to the window (the live weight is a
 * small rectangle); the picture is always exactly the full frame. Returns 1 when it drew, 0
 * when nothing changed, WF_EIO when the window could not be updated.
 */
int ui_draw(struct ui *u, const struct session_view *v, const struct wf_category *cats,
            unsigned ncats);

/* ui_set_health — what the staff menu shows of the kiosk's health from the
 * next ui_draw on (copied; NULL shows none). */
void ui_set_health(struct ui *u, const struct ui_health *h);

/* ui_set_facts — the clock, today's totals and the help texts from the next
 * ui_draw on (copied; NULL shows none). */
void ui_set_facts(struct ui *u, const struct ui_facts *f);

/* ui_layout_in_of — the layout inputs ui_draw uses (size, dpi, name, facts,
 * health): tests lay out exactly what is drawn. Points into u. */
struct ui_layout_in ui_layout_in_of(const struct ui *u);

/* ui_shown — the layout drawn last (what a tap hits); zeros before any. */
const struct ui_layout *ui_shown(const struct ui *u);

/*
 * ui_check_fit — measures every text block and control label of l with the
 * fonts ui_draw uses: a block's wrapped text must fit its rectangle, a
 * label its control. Returns how many do not (0: all fit); the first is
 * described in why.
 */
int ui_check_fit(struct ui *u, const struct ui_layout *l, char *why, size_t why_len);

/* ui_redraw_all — the next ui_draw paints and copies the whole screen, even
 * if nothing changed (ui_draw otherwise repaints only what changed). */
void ui_redraw_all(struct ui *u);

/* ui_damage — the rectangles (surface pixels) the last ui_draw that drew
 * repainted and copied to the window, at most max into out; returns how
 * many. The whole screen after a full repaint. */
int ui_damage(const struct ui *u, struct ui_rect *out, int max);

/* ui_read_rgb — the picture drawn last as RGB rows (width * height * 3
 * bytes) into rgb of len bytes. WF_OK, or WF_EINVAL when len is short. */
int ui_read_rgb(struct ui *u, uint8_t *rgb, size_t len);

/* ui_save_png — writes what was drawn last to path (RGB PNG). */
int ui_save_png(struct ui *u, const char *path, char *err, size_t err_len);

/* ---- input: the window's events (ui_input.c) ---- */

enum ui_input_kind {
	UI_INPUT_TAP = 1, /* a control was pressed and released: button */
	UI_INPUT_KEY,     /* a key was pressed: key, at_ms */
	UI_INPUT_REDRAW,  /* the pressed control changed (ui_pressed), or the window
	                     was uncovered: draw again */
};

/* One thing the window says. */
struct ui_input {
	enum ui_input_kind kind;
	struct ui_button button; /* TAP: the control tapped */
	int key;                 /* KEY: '0'-'9', 'a'-'z' (letters and keypad digits too), '\n' for
	                            Enter or keypad Enter, -1 any other key */
	int64_t at_ms;           /* KEY: when the key went down, SDL's ms (monotonic, any origin) */
};

/*
 * ui_poll — the window's next input without blocking. Returns 1 and *in,
 * -1 when the window was closed, 0 when nothing is pending (always 0
 * without a window).
 *
 * Taps: a tap is a press and a release on the same control. Sliding off
 * the pressed control un-presses it, and a release elsewhere does nothing
 * (sliding back on presses it again). A mouse (left button) and one finger
 * at a time are followed: the mouse events SDL makes up for a touch
 * (SDL_TOUCH_MOUSEID) and the finger events it makes up for a mouse are
 * ignored, so one touch never counts twice. Each change of the pressed
 * control is one UI_INPUT_REDRAW: the caller draws the view again with
 * ui_draw, which shows ui_pressed as pressed.
 */
int ui_poll(struct ui *u, struct ui_input *in);

/*
 * ui_wait — blocks until the window has an input pending, a ui_wake came
 * (since the last ui_wait) or timeout_ms passed (< 0: no limit; 0: does not
 * block); returns true for an input or a wake (read inputs with ui_poll). Sleeps in the kernel
 * (SDL's SDL_WaitEventTimeout): no busy loop. Without a window returns false at once. Main thread
 * only.
 */
bool ui_wait(struct ui *u, int timeout_ms);

/* ui_wake — makes the next (or current) ui_wait return true: a wake is never
 * lost, even one that came while the caller was busy (ui_poll keeps it for
 * the next ui_wait). Any thread may call it (while the ui is open). WF_OK
 * or WF_EIO. */
int ui_wake(struct ui *u);

/* ui_pressed — the index in the shown buttons of the control pressed now,
 * -1 none (what ui_draw draws pressed). */
int ui_pressed(const struct ui *u);

/* ui_close — frees everything; NULL is a no-op. */
void ui_close(struct ui *u);

#endif
