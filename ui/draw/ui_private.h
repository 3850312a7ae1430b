/*
 * ui_private.h — the drawing's handle, shared by the files of ui/draw/
 * only: ui.c (open, close, save, the window), ui_draw.c (painting the
 * layout, the text cache), ui_prim.c (shapes), ui_icons.c (icons drawn in
 * code) and ui_input.c (the window's events: taps, keys). Not an interface.
 */
#ifndef WUFEI_UI_PRIVATE_H
#define WUFEI_UI_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "ui.h"
#include "ui_layout.h"
#include "ui_text.h"

#define UI_CACHE_MAX   160 /* rendered texts kept as textures */
/* ... and at most this much of them: the texts of a whole visit's screens
 * fit (seen: under 4 MB at 1080x1920, counted before cropping). More only
 * fills with texts
 * that are new every visit (today's totals, balances, weights) and grows
 * the kiosk's memory for nothing (bench/run startup). */
#define UI_CACHE_BYTES (4 * 1024 * 1024)
#define UI_DIRTY_MAX   8 /* rectangles repainted and copied to the window per frame */

/* One rendered text: keyed by font, colour, wrap width and the string. */
struct ui_cached {
	SDL_Texture *tex;  /* made from surf when first drawn */
	SDL_Surface *surf; /* rendered, not yet a texture; both NULL: a free slot */
	int font, w, h, wrap;
	enum ui_color fg;
	uint64_t used;      /* the draw count when last used (least recently used goes) */
	struct ui_rect ink; /* in the rendered text: where it is not fully
	                       transparent (outside, drawing it changes no
	                       pixel); the texture holds only this */
	size_t bytes;       /* what surf or tex holds */
	char text[UI_TEXT_MAX];
};

struct ui {
	struct ui_config cfg;
	char kiosk_name[96];
	SDL_Surface *surface;
	SDL_Renderer *ren;
	TTF_Font *font[UI_FONT_COUNT]; /* at the layout's font_px */
	struct ui_layout shown;        /* the layout drawn last: what a tap can hit */
	bool has_shown;
	struct ui_layout next; /* scratch: the layout being compared */
	struct ui_health health;
	bool has_health;
	struct ui_facts facts;
	bool has_facts;
	uint64_t draws;
	int drawn_pressed; /* the pressed control drawn last */
	struct ui_cached cache[UI_CACHE_MAX];
	size_t cache_bytes; /* the cache's surfaces and textures */
	SDL_Window *win;    /* with cfg.window: the kiosk's screen */

	/* damage (ui_damage.c): what each item of the shown layout painted,
	 * the rectangles the last frame repainted, the window surface last
	 * copied to (another one, or a new size, gets the whole picture) */
	struct ui_rect el_ink[UI_ELS_MAX], ctl_ink[UI_CTLS_MAX];
	struct ui_rect dirty[UI_DIRTY_MAX];
	int ndirty;
	struct ui_rect ink; /* the primitives widen it by what they touch */
	bool ink_only;      /* measure: the primitives draw nothing */
	SDL_Surface *win_seen;
	bool redraw_all;         /* ui_redraw_all: the next ui_draw paints everything */
	bool fullscreen_pending; /* borderless over the display until the first frame */
	int win_seen_w, win_seen_h;

	/* input (ui_input.c) */
	int pressed;                /* index in the shown buttons, -1 none: the drawing
	                               draws this one pressed (ui_pressed) */
	int press_index;            /* the control the press began on, -1 none */
	struct ui_button press_btn; /* ... and what it was (the screen may change) */
	int press_by;               /* UI_PRESS_NONE, _MOUSE or _FINGER */
	SDL_FingerID press_finger;  /* with UI_PRESS_FINGER: the finger followed */
	Uint32 wake_event;          /* SDL event type of ui_wake; 0 before ui_input_init */
	bool woken;                 /* ui_poll took a wake the next ui_wait must see */
	bool redraw_next;           /* a tap un-pressed its control: REDRAW next */
};

enum { UI_PRESS_NONE, UI_PRESS_MOUSE, UI_PRESS_FINGER };

/* ui.c: the font file fontconfig offers for Chinese (Noto Sans CJK on
 * Debian) into path, its face index into *index; WF_OK or WF_ENOENT with
 * the reason in err. The screens and the receipt's image use it. */
int ui_font_find(char *path, size_t cap, int *index, char *err, size_t err_len);

/* ui.c: copies the drawn surface to the window (with cfg.window): the
 * rectangles u->dirty of the last frame, or with whole the whole picture.
 * A scaled window samples the surface nearest-neighbour, the same pixels
 * whichever rectangles are copied. */
int ui_present_window(struct ui *u, bool whole);

/* ui.c: makes the window full screen proper (it was opened borderless over
 * the display: u->fullscreen_pending) and shows the picture again. */
void ui_fullscreen_now(struct ui *u);

/* ui_damage.c: rectangles; an empty one (w or h <= 0) is nothing. */
struct ui_rect ui_rect_union(struct ui_rect a, struct ui_rect b);
bool ui_rect_meets(struct ui_rect a, struct ui_rect b);

/* ui_damage.c: compares u->next with u->shown (drawn with u->drawn_pressed,
 * pressed now u->pressed), makes u->next the shown layout and paints what
 * changed: the background and every item meeting a changed item's old or
 * new ink, clipped to merged rectangles (u->dirty); everything when nothing
 * was shown, the size or fonts changed, or most of the screen did. The
 * surface then holds exactly what painting the whole layout would. */
void ui_paint_changes(struct ui *u);

/* ui_draw.c: paints item i of u->shown (elements, then controls at nel +
 * their index) into u->ink's record; with u->ink_only only measures. */
void ui_paint_item(struct ui *u, unsigned i);

/* ui_draw.c: the background an icon sits on in l: the colour of the last
 * box among l's first upto elements under (x, y); UI_C_BG if none. */
enum ui_color ui_icon_under(const struct ui_layout *l, unsigned upto, int x, int y);

/* ui_prim.c: widens u->ink by r; false when only measuring (draw nothing). */
bool ui_ink(struct ui *u, struct ui_rect r);

/* ui_draw.c: frees the text cache. */
void ui_cache_clear(struct ui *u);

/* ui_draw.c: renders every text of layout l into the cache (nothing is
 * drawn; u->shown is left zeroed). */
void ui_cache_warm(struct ui *u, const struct ui_layout *l);

/* ui_prim.c: shapes in a theme colour. */
void ui_fill(struct ui *u, struct ui_rect r, enum ui_color c);
void ui_fill_round(struct ui *u, struct ui_rect r, int radius, enum ui_color c);
void ui_fill_circle(struct ui *u, int cx, int cy, int radius, enum ui_color c);
void ui_fill_tri(struct ui *u, const float xy[6], enum ui_color c);
void ui_line(struct ui *u, float x0, float y0, float x1, float y1, float width, enum ui_color c);

/* ui_icons.c: icon drawn in colour fg (on bg where it cuts holes) into r. */
void ui_icon(struct ui *u, enum ui_icon icon, struct ui_rect r, enum ui_color fg, enum ui_color bg);

/* ui_input.c: the input block's start (nothing pressed); ui_open calls it. */
void ui_input_init(struct ui *u);

/* ui_input.c: the button under surface point (x, y), if any. */
bool ui_hit(const struct ui *u, int x, int y, struct ui_button *out);
/* ui_input.c: index of the control under (x, y) in the layout shown, or -1. */
int ui_hit_index(const struct ui *u, int x, int y);

#endif
