/* ui_theme.c — the colour table and WCAG contrast; see ui_theme.h. Pure. */
#include "ui_theme.h"

#include <math.h>

/* A calm light theme: dark green brand, white cards on a pale ground;
 * amber and red only where something is moving or wrong. */
static const struct ui_rgb table[UI_C_COUNT] = {
    [UI_C_BG] = {0xF3, 0xF6, 0xF2},         [UI_C_SURFACE] = {0xFF, 0xFF, 0xFF},
    [UI_C_TEXT] = {0x17, 0x1D, 0x19},       [UI_C_MUTED] = {0x4A, 0x55, 0x4E},
    [UI_C_HEADER] = {0x0E, 0x4A, 0x2A},     [UI_C_ON_HEADER] = {0xFF, 0xFF, 0xFF},
    [UI_C_BRAND] = {0x17, 0x6B, 0x3A},      [UI_C_ON_BRAND] = {0xFF, 0xFF, 0xFF},
    [UI_C_BRAND_SOFT] = {0xE2, 0xF0, 0xE5}, [UI_C_OK] = {0x17, 0x6B, 0x3A},
    [UI_C_OK_TEXT] = {0x12, 0x5C, 0x31},    [UI_C_WARN] = {0xF5, 0xB0, 0x1A},
    [UI_C_ON_WARN] = {0x17, 0x1D, 0x19},    [UI_C_WARN_TEXT] = {0x85, 0x55, 0x00},
    [UI_C_ERROR] = {0xB0, 0x24, 0x1C},      [UI_C_ON_ERROR] = {0xFF, 0xFF, 0xFF},
    [UI_C_DISABLED] = {0xDF, 0xE4, 0xE0},   [UI_C_ON_DISABLED] = {0x55, 0x5F, 0x58},
    [UI_C_LINE] = {0xC9, 0xD3, 0xCC},       [UI_C_QR_DARK] = {0x00, 0x00, 0x00},
    [UI_C_QR_LIGHT] = {0xFF, 0xFF, 0xFF},
};

struct ui_rgb ui_theme_rgb(enum ui_color c)
{
	return (unsigned)c < UI_C_COUNT ? table[c] : table[UI_C_TEXT];
}

static double channel(uint8_t v)
{
	double c = v / 255.0;
	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

double ui_theme_luminance(struct ui_rgb c)
{
	return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double ui_theme_contrast(enum ui_color a, enum ui_color b)
{
	double la = ui_theme_luminance(ui_theme_rgb(a)), lb = ui_theme_luminance(ui_theme_rgb(b));
	double hi = la > lb ? la : lb, lo = la > lb ? lb : la;
	return (hi + 0.05) / (lo + 0.05);
}
