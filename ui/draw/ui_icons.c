/* ui_icons.c — the icons, drawn in code on a 100 x 100 grid scaled into
 * their rectangle: one per recyclable category and a few for states. */
#include "ui_private.h"

struct pen {
	struct ui *u;
	struct ui_rect r;
	enum ui_color fg, bg;
};

static int X(const struct pen *p, int v)
{
	return p->r.x + v * p->r.w / 100;
}

static int Y(const struct pen *p, int v)
{
	return p->r.y + v * p->r.h / 100;
}

static int S(const struct pen *p, int v)
{
	return v * p->r.w / 100;
}

/* a rounded box on the grid; hole: in the background colour */
static void box(const struct pen *p, int x, int y, int w, int h, int rad, bool hole)
{
	struct ui_rect r = {X(p, x), Y(p, y), S(p, w), h * p->r.h / 100};
	ui_fill_round(p->u, r, S(p, rad), hole ? p->bg : p->fg);
}

static void line(const struct pen *p, int x0, int y0, int x1, int y1, int w, bool hole)
{
	ui_line(p->u, (float)X(p, x0), (float)Y(p, y0), (float)X(p, x1), (float)Y(p, y1),
	        (float)S(p, w), hole ? p->bg : p->fg);
}

static void tri(const struct pen *p, int x0, int y0, int x1, int y1, int x2, int y2, bool hole)
{
	float xy[6] = {(float)X(p, x0), (float)Y(p, y0), (float)X(p, x1),
	               (float)Y(p, y1), (float)X(p, x2), (float)Y(p, y2)};
	ui_fill_tri(p->u, xy, hole ? p->bg : p->fg);
}

static void circle(const struct pen *p, int cx, int cy, int rad, bool hole)
{
	ui_fill_circle(p->u, X(p, cx), Y(p, cy), S(p, rad), hole ? p->bg : p->fg);
}

static void paper(const struct pen *p)
{
	box(p, 20, 8, 60, 84, 6, false);
	tri(p, 62, 8, 80, 8, 80, 26, true); /* the folded corner */
	for (int y = 36; y <= 72; y += 12)
		line(p, 32, y, 68, y, 5, true);
}

static void plastic(const struct pen *p)
{
	box(p, 40, 4, 20, 10, 3, false);   /* cap */
	box(p, 36, 14, 28, 10, 3, false);  /* neck */
	box(p, 24, 22, 52, 74, 16, false); /* body */
	line(p, 38, 44, 38, 80, 5, true);
}

static void metal(const struct pen *p)
{
	box(p, 24, 10, 52, 82, 10, false);
	box(p, 24, 26, 52, 6, 0, true);
	box(p, 24, 70, 52, 6, 0, true);
	box(p, 42, 4, 16, 8, 3, false); /* the tab */
}

static void glass(const struct pen *p)
{
	box(p, 42, 4, 16, 30, 4, false);
	tri(p, 42, 32, 58, 32, 72, 46, false);
	tri(p, 42, 32, 28, 46, 72, 46, false);
	box(p, 28, 44, 44, 52, 10, false);
	box(p, 34, 58, 32, 20, 4, true); /* the label */
}

static void textiles(const struct pen *p)
{
	tri(p, 30, 14, 4, 34, 16, 50, false);  /* left sleeve */
	tri(p, 70, 14, 96, 34, 84, 50, false); /* right sleeve */
	box(p, 26, 14, 48, 78, 6, false);
	circle(p, 50, 12, 12, true); /* the collar */
}

static void batteries(const struct pen *p)
{
	box(p, 40, 6, 20, 10, 3, false);
	box(p, 26, 14, 48, 80, 10, false);
	line(p, 50, 38, 50, 62, 7, true); /* a plus */
	line(p, 38, 50, 62, 50, 7, true);
}

static void bin(const struct pen *p)
{
	box(p, 14, 16, 72, 10, 4, false); /* lid */
	box(p, 40, 8, 20, 10, 3, false);
	tri(p, 20, 30, 80, 30, 72, 94, false);
	tri(p, 20, 30, 72, 94, 28, 94, false);
	for (int x = 38; x <= 62; x += 12)
		line(p, x, 42, x, 82, 5, true);
}

/* a card with the contactless waves above its corner */
static void card(const struct pen *p)
{
	for (int r = 30; r > 0; r -= 10) { /* rings, cut to their top-right quarter */
		circle(p, 70, 36, r, false);
		circle(p, 70, 36, r - 5, true);
	}
	box(p, 36, 0, 34, 70, 0, true);
	box(p, 70, 36, 30, 34, 0, true);
	box(p, 4, 40, 80, 52, 8, false);
	box(p, 4, 50, 80, 9, 0, true);   /* the stripe */
	box(p, 14, 70, 16, 12, 3, true); /* the chip */
}

/* a platform scale: the plate, the column, the display */
static void scale(const struct pen *p)
{
	box(p, 8, 30, 84, 10, 4, false); /* plate */
	box(p, 44, 40, 12, 30, 0, false);
	box(p, 14, 70, 72, 24, 6, false); /* base */
	box(p, 30, 76, 40, 12, 3, true);  /* display */
	box(p, 34, 14, 32, 14, 4, false); /* a parcel on the plate */
}

static void check(const struct pen *p)
{
	circle(p, 50, 50, 48, false);
	line(p, 28, 52, 44, 68, 10, true);
	line(p, 44, 68, 74, 34, 10, true);
}

static void wait(const struct pen *p)
{
	box(p, 20, 6, 60, 8, 3, false);
	box(p, 20, 86, 60, 8, 3, false);
	tri(p, 26, 14, 74, 14, 50, 50, false);
	tri(p, 50, 50, 26, 86, 74, 86, false);
	tri(p, 34, 20, 66, 20, 50, 40, true); /* sand left above */
}

static void alert(const struct pen *p)
{
	tri(p, 50, 4, 96, 92, 4, 92, false);
	line(p, 50, 34, 50, 62, 9, true);
	circle(p, 50, 77, 6, true);
}

static void printer(const struct pen *p)
{
	box(p, 28, 6, 44, 28, 3, false);
	box(p, 6, 30, 88, 42, 8, false);
	box(p, 24, 58, 52, 38, 3, false);
	box(p, 30, 64, 40, 26, 2, true);
}

static void leaf(const struct pen *p)
{
	circle(p, 50, 50, 46, false);
	circle(p, 58, 42, 28, true);
	line(p, 28, 74, 62, 38, 6, false);
}

static void wrench(const struct pen *p)
{
	line(p, 26, 74, 62, 38, 16, false);
	circle(p, 68, 32, 22, false);
	circle(p, 78, 22, 10, true);
	circle(p, 24, 76, 6, true);
}

static void plus(const struct pen *p)
{
	line(p, 50, 14, 50, 86, 14, false);
	line(p, 14, 50, 86, 50, 14, false);
}

static void minus(const struct pen *p)
{
	line(p, 14, 50, 86, 50, 14, false);
}

void ui_icon(struct ui *u, enum ui_icon icon, struct ui_rect r, enum ui_color fg, enum ui_color bg)
{
	static void (*const draw[UI_ICON_COUNT])(const struct pen *) = {
	    [UI_ICON_PAPER] = paper, [UI_ICON_PLASTIC] = plastic,   [UI_ICON_METAL] = metal,
	    [UI_ICON_GLASS] = glass, [UI_ICON_TEXTILES] = textiles, [UI_ICON_BATTERIES] = batteries,
	    [UI_ICON_OTHER] = bin,   [UI_ICON_CARD] = card,         [UI_ICON_CHECK] = check,
	    [UI_ICON_WAIT] = wait,   [UI_ICON_ALERT] = alert,       [UI_ICON_PRINTER] = printer,
	    [UI_ICON_LEAF] = leaf,   [UI_ICON_WRENCH] = wrench,     [UI_ICON_SCALE] = scale,
	    [UI_ICON_PLUS] = plus,   [UI_ICON_MINUS] = minus,
	};
	if ((unsigned)icon >= UI_ICON_COUNT || !draw[icon])
		return;
	int side = r.w < r.h ? r.w : r.h; /* square, centred */
	struct pen p = {u, {r.x + (r.w - side) / 2, r.y + (r.h - side) / 2, side, side}, fg, bg};
	draw[icon](&p);
}
