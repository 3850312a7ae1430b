/*
 * ui_layout_private.h — what the layout's files share: ui_layout.c (the
 * regions, the header, the action bar and the helpers) and
 * ui_layout_blocks.c (blocks several screens use), ui_layout_screens.c (the
 * resident's screens) and ui_layout_staff.c (staff, out of service). Not an
 * interface.
 */
#ifndef WUFEI_UI_LAYOUT_PRIVATE_H
#define WUFEI_UI_LAYOUT_PRIVATE_H

#include "ui_layout.h"

/* One screen being laid out. */
struct lay {
	struct ui_layout *L;
	const struct session_view *v;
	const struct wf_category *cats;
	unsigned ncats;
	const struct wf_category *cat; /* the selected category, or NULL */
	const struct ui_layout_in *in;
	const struct ui_facts *facts; /* never NULL (zeros when none) */
	enum wf_lang lang;
	double s;                /* scale against the design size */
	bool land, small;        /* landscape; a small panel (short side < 600) */
	int m, gap;              /* margin and gap, pixels */
	struct ui_rect body;     /* between the header and the action bar */
	int action_y;            /* top of the action bar (h when none) */
	struct ui_el spare_el;   /* what a full layout's next element is written to */
	struct ui_ctl spare_ctl; /* ... and its next control */
};

int lay_px(const struct lay *k, int design_px);
int lay_line_h(const struct lay *k, enum ui_font f); /* one line of text in f */
int lay_estimate_px(const char *s, int font_px);     /* a rough width of s */
/* how many lines s will take wrapped to width in f (an estimate, >= 1) */
int lay_lines(const struct lay *k, enum ui_font f, int width, const char *s);
struct ui_rect lay_rect(int x, int y, int w, int h);

struct ui_el *lay_box(struct lay *k, struct ui_rect r, enum ui_color bg, enum ui_color border,
                      int border_px, int radius);
struct ui_el *lay_text(struct lay *k, struct ui_rect r, enum ui_font f, enum ui_color fg,
                       enum ui_color bg, enum ui_align a, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
void lay_icon(struct lay *k, struct ui_rect r, enum ui_icon icon, enum ui_color fg);
void lay_bar(struct lay *k, struct ui_rect r, int pct, enum ui_color fg, enum ui_color track);
struct ui_ctl *lay_ctl(struct lay *k, struct ui_rect r, enum session_control c, enum ui_style style,
                       const char *label);

/* Moves the elements and controls from these indexes on down by dy px:
 * a screen whose content is shorter than its body centres it with this. */
void lay_shift(struct lay *k, unsigned from_el, unsigned from_ctl, int dy);
/* The weight in huge digits with "kg" beside it, in r (on bg). */
void lay_weight_digits(struct lay *k, struct ui_rect r, int64_t grams, bool known,
                       enum ui_color bg);
/* Controls from index from on get the smallest type size among them. */
void lay_same_font(struct lay *k, unsigned from);
/* The action bar: back (may be NULL) bottom-left, primary (may be NULL)
 * bottom-right; also the countdown above it. */
void lay_actions(struct lay *k, const char *back, enum session_control back_c, const char *primary,
                 enum session_control primary_c, bool primary_enabled);
/* The session's message as a banner at the bottom of body (shrinks body). */
void lay_banner(struct lay *k);
/* Takes h pixels (plus a gap) off the top of body and returns them. */
struct ui_rect lay_take(struct lay *k, struct ui_rect *area, int h);
/* A grid of n cells in area: cols columns, cell i's rectangle. */
struct ui_rect lay_cell(struct ui_rect area, int cols, int rows, int gap, int i);
/* Category tiles (icon, name, rate) in area. */
void lay_tiles(struct lay *k, struct ui_rect area);
/* The selected category: icon, name and rate, on one line taken from area. */
void lay_category_chip(struct lay *k, struct ui_rect *area);
/* The live weight block (number, state in words, colour and icon, progress). */
void lay_live_weight_line(struct lay *k, struct ui_rect area); /* the same on one line */
void lay_live_weight(struct lay *k, struct ui_rect area);

/* Text blocks taken from the top of area: the screen's task (large, up to
 * two lines), a paragraph (at least lines lines), an optional hint (only
 * where there is room). */
void lay_title(struct lay *k, struct ui_rect *area, const char *s);
void lay_para(struct lay *k, struct ui_rect *area, enum ui_font f, enum ui_color fg, int lines,
              const char *s);
void lay_hint(struct lay *k, struct ui_rect *area, const char *s);
/* A big icon: centred in h pixels taken from area (lay_hero); above the text
 * in portrait, left of it in landscape (lay_hero_split: area shrinks). */
void lay_hero(struct lay *k, struct ui_rect *area, int h, enum ui_icon icon, enum ui_color c);
void lay_hero_split(struct lay *k, struct ui_rect *area, enum ui_icon icon, enum ui_color c);
/* Two columns in landscape (left_pct of the width left); both = body in portrait. */
void lay_columns(struct lay *k, struct ui_rect *l, struct ui_rect *r, int left_pct);

/* ui_layout_screens.c: the resident's screens, and the dispatch */
void lay_screen(struct lay *k);
/* ui_layout_staff.c */
void lay_screen_pin(struct lay *k);
void lay_screen_staff(struct lay *k);
void lay_screen_bin_weigh(struct lay *k);
void lay_screen_out_of_service(struct lay *k);

#endif
