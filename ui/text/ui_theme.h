/*
 * ui_theme.h — the kiosk's colours: one table of named roles (background,
 * brand, stable, moving, error, ...) and the WCAG 2.1 contrast between two
 * of them. Pure (no SDL).
 *
 * For: ui_layout.c, which gives every text block a foreground and the
 * background it is drawn on, the drawing (ui/draw), which paints the roles,
 * and the contrast test, which checks every pair the layouts use. Colour
 * never carries a meaning alone: the layouts add words and an icon.
 */
#ifndef WUFEI_UI_THEME_H
#define WUFEI_UI_THEME_H

#include <stdint.h>

enum ui_color {
	UI_C_BG = 0,      /* the screen */
	UI_C_SURFACE,     /* cards, tiles, secondary buttons */
	UI_C_TEXT,        /* body text */
	UI_C_MUTED,       /* secondary text */
	UI_C_HEADER,      /* the header band */
	UI_C_ON_HEADER,   /* text on the header */
	UI_C_BRAND,       /* primary buttons, accents */
	UI_C_ON_BRAND,    /* text on brand */
	UI_C_BRAND_SOFT,  /* a light tint of brand (panels) */
	UI_C_OK,          /* stable, success (fills) */
	UI_C_OK_TEXT,     /* stable, as text on light backgrounds */
	UI_C_WARN,        /* moving, settling (fills) */
	UI_C_ON_WARN,     /* text on warn */
	UI_C_WARN_TEXT,   /* moving, as text on light backgrounds */
	UI_C_ERROR,       /* errors (fills) */
	UI_C_ON_ERROR,    /* text on error */
	UI_C_DISABLED,    /* a control that cannot be used now */
	UI_C_ON_DISABLED, /* its text */
	UI_C_LINE,        /* borders, tracks */
	UI_C_QR_DARK,     /* QR modules */
	UI_C_QR_LIGHT,    /* QR background and quiet zone */
	UI_C_COUNT,
};

struct ui_rgb {
	uint8_t r, g, b;
};

/* ui_theme_rgb — the colour of a role. */
struct ui_rgb ui_theme_rgb(enum ui_color c);

/* ui_theme_luminance — WCAG 2.1 relative luminance of a colour, 0..1. */
double ui_theme_luminance(struct ui_rgb c);

/* ui_theme_contrast — WCAG 2.1 contrast ratio of two roles, 1..21. */
double ui_theme_contrast(enum ui_color a, enum ui_color b);

#endif
