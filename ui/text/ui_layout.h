/*
 * ui_layout.h — where everything on a kiosk screen goes: the pure layout
 * (no SDL, no I/O, no clock). For a session view, the categories, the
 * screen's size and dpi and the facts the screen glue passes in (clock,
 * today's totals, help texts, health) it gives every control's rectangle
 * and every text block, icon, bar and the QR code, each with its theme
 * colours (ui_theme.h) and font role.
 *
 * For: the drawing (ui/draw/ui.c draws exactly this model and compares it
 * with the last one drawn to skip identical frames), hit-testing (ui_hit
 * walks the same controls) and the tests (touch targets, overlaps, contrast,
 * text fit), which walk the model instead of pixels.
 *
 * The regions: a header band (kiosk name, clock, language switch), the
 * screen's content, and an action bar at the bottom: back/cancel always
 * bottom-left, the primary action always bottom-right, filled in the brand
 * colour. Portrait 1080x1920 is the design size; landscape splits the
 * content in two columns; small panels (800x480) tighten margins. Sizes
 * scale with min(long side / 1920, short side / 1080); every control is at
 * least 10 mm on the configured dpi.
 */
#ifndef WUFEI_UI_LAYOUT_H
#define WUFEI_UI_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"
#include "session.h"
#include "ui_text.h"
#include "ui_theme.h"

#define UI_ELS_MAX     72  /* elements (boxes, texts, icons, bars, QR) per screen */
#define UI_CTLS_MAX    24  /* controls per screen */
#define UI_TEXT_MAX    160 /* bytes of one text block incl. NUL (UTF-8) */
#define UI_DPI_DEFAULT 102 /* a 21.5-inch 1080p panel */

enum ui_font {
	UI_FONT_SMALL = 0, /* secondary lines (technician details, rates) */
	UI_FONT_BODY,      /* body text: >= 36 px at 1080x1920 */
	UI_FONT_LARGE,     /* button labels, key facts */
	UI_FONT_TITLE,     /* the screen's one task */
	UI_FONT_HUGE,      /* the live weight, the PIN digits: >= 160 px at 1080x1920 */
	UI_FONT_COUNT,
};

enum ui_align { UI_ALIGN_LEFT = 0, UI_ALIGN_CENTRE, UI_ALIGN_RIGHT };

/* Icons drawn in code (ui/draw/ui_icons.c). */
enum ui_icon {
	UI_ICON_NONE = 0,
	UI_ICON_PAPER,
	UI_ICON_PLASTIC,
	UI_ICON_METAL,
	UI_ICON_GLASS,
	UI_ICON_TEXTILES,
	UI_ICON_BATTERIES,
	UI_ICON_OTHER, /* a recycling bin: any other category */
	UI_ICON_CARD,  /* tap your card */
	UI_ICON_CHECK, /* stable, done */
	UI_ICON_WAIT,  /* moving, settling: an hourglass */
	UI_ICON_ALERT, /* error: a triangle with "!" */
	UI_ICON_PRINTER,
	UI_ICON_LEAF,   /* the brand mark */
	UI_ICON_WRENCH, /* staff, service */
	UI_ICON_SCALE,  /* put it on the scale */
	UI_ICON_PLUS,   /* one piece more */
	UI_ICON_MINUS,  /* one piece less */
	UI_ICON_COUNT,
};

enum ui_el_kind {
	UI_EL_BOX = 1, /* r filled with bg, border of border px in fg (0: none) */
	UI_EL_TEXT,    /* text in font, fg on bg, wrapped to r.w, centred in r.h */
	UI_EL_ICON,    /* icon (value) in fg, fitted into r */
	UI_EL_BAR,     /* progress: value percent of r filled with fg on a bg track */
	UI_EL_QR,      /* the layout's qr text as a QR code, quiet zone included, in r */
};

struct ui_rect {
	int x, y, w, h; /* pixels */
};

struct ui_el {
	enum ui_el_kind kind;
	struct ui_rect r;
	enum ui_color fg, bg;
	enum ui_font font;
	enum ui_align align;
	int radius, border; /* pixels */
	int value;          /* BAR: percent; ICON: enum ui_icon */
	char text[UI_TEXT_MAX];
};

enum ui_style {
	UI_STYLE_PRIMARY = 0, /* filled brand: the screen's main action */
	UI_STYLE_SECONDARY,   /* outlined: back, cancel, other actions */
	UI_STYLE_TILE,        /* a category tile: icon, name, rate */
	UI_STYLE_KEY,         /* a keypad key */
	UI_STYLE_HEADER,      /* the language switch on the header */
	UI_STYLE_DANGER,      /* staff actions that stop the service */
};

struct ui_ctl {
	struct ui_rect r;
	struct ui_button b; /* label and the tap it sends */
	enum ui_style style;
	bool enabled; /* a disabled control is drawn greyed and sends nothing */
	enum ui_font font;
	enum ui_icon icon;         /* drawn above (tiles) or before the label; NONE */
	char sub[UI_LINE_MAX / 2]; /* a second, smaller line (a tile's rate); "" */
};

/* What the screen glue knows that the session view does not. */
struct ui_facts {
	char clock[8];                  /* local time "HH:MM"; "" hides it */
	bool has_today;                 /* the totals below are known */
	int64_t today_grams;            /* weighed today at this kiosk */
	int64_t today_drops;            /* drops recorded today at this kiosk */
	char help_nearest[UI_LINE_MAX]; /* [screen] help_nearest: "the kiosk at ..."; "" */
	char help_phone[32];            /* [screen] help_phone; "" */
	int64_t test_weight_g;          /* the staff's check weight ([session]) */
};

struct ui_layout_in {
	int width, height;              /* pixels */
	int dpi;                        /* the panel's dots per inch; <= 0: UI_DPI_DEFAULT */
	const char *kiosk_name;         /* may be NULL */
	const struct ui_facts *facts;   /* may be NULL */
	const struct ui_health *health; /* staff menu; may be NULL */
};

struct ui_layout {
	int w, h;
	int min_target_px; /* 10 mm on this panel */
	int font_px[UI_FONT_COUNT];
	unsigned nel, nctl;
	struct ui_el el[UI_ELS_MAX];
	struct ui_ctl ctl[UI_CTLS_MAX];
	char qr[SESSION_TOKEN_MAX]; /* what UI_EL_QR encodes; "" */
};

/*
 * ui_layout_make — lays out view v (its language) for in. *out is zeroed
 * first, so two layouts of the same picture compare equal with memcmp.
 * cats may be NULL when ncats is 0.
 */
void ui_layout_make(const struct session_view *v, const struct wf_category *cats, unsigned ncats,
                    const struct ui_layout_in *in, struct ui_layout *out);

/* ui_layout_hit — index of the enabled control under (x, y), or -1. */
int ui_layout_hit(const struct ui_layout *l, int x, int y);

/* ui_layout_find — index of the first control sending control (and, for
 * SESSION_TAP_CATEGORY, category_id; for SESSION_TAP_DIGIT, digit), or -1. */
int ui_layout_find(const struct ui_layout *l, enum session_control control, uint16_t category_id,
                   int digit);

/* ui_style_colors — a control's label colour, its fill and its border for
 * style (greyed when !enabled). */
void ui_style_colors(enum ui_style style, bool enabled, enum ui_color *fg, enum ui_color *bg,
                     enum ui_color *border);

/* ui_style_pressed_bg — a control's fill while a finger is on it. */
enum ui_color ui_style_pressed_bg(enum ui_style style);

/* ui_category_icon — the icon for a category code ("paper", "plastic", ...). */
enum ui_icon ui_category_icon(const char *code);

#endif
