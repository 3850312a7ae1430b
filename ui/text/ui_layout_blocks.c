/* ui_layout_blocks.c — blocks more than one screen uses: titles,
 * paragraphs, hints, big icons, columns, the category tiles and the live
 * weight; see ui_layout_private.h. Pure. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ui_layout_private.h"

/* The screen's one task, large. */
void lay_title(struct lay *k, struct ui_rect *area, const char *s)
{
	int n = lay_lines(k, UI_FONT_TITLE, area->w, s);
	lay_text(k, lay_take(k, area, lay_line_h(k, UI_FONT_TITLE) * (n > 2 ? 2 : n)),
	         UI_FONT_TITLE, UI_C_TEXT, UI_C_BG, UI_ALIGN_CENTRE, "%s", s);
}

/* A line (or lines) of text in area, taken from its top. */
void lay_para(struct lay *k, struct ui_rect *area, enum ui_font f, enum ui_color fg, int lines,
              const char *s)
{
	int n = lay_lines(k, f, area->w, s);
	if (n > lines)
		lines = n;
	lay_text(k, lay_take(k, area, lay_line_h(k, f) * lines), f, fg, UI_C_BG, UI_ALIGN_CENTRE,
	         "%s", s);
}

/* An optional hint: only where there is room for it (small panels skip it). */
void lay_hint(struct lay *k, struct ui_rect *area, const char *s)
{
	int n = lay_lines(k, UI_FONT_BODY, area->w, s);
	if (area->h >= n * lay_line_h(k, UI_FONT_BODY))
		lay_para(k, area, UI_FONT_BODY, UI_C_MUTED, n, s);
}

/* A big icon centred in a square of side at most h taken from area. */
void lay_hero(struct lay *k, struct ui_rect *area, int h, enum ui_icon icon, enum ui_color c)
{
	struct ui_rect r = lay_take(k, area, h);
	int side = r.h < r.w ? r.h : r.w;
	lay_icon(k, lay_rect(r.x + (r.w - side) / 2, r.y, side, side), icon, c);
}

/* A big icon for the screen's state: above the text in portrait (a third
 * of area), left of it in landscape (area becomes the right column). */
void lay_hero_split(struct lay *k, struct ui_rect *area, enum ui_icon icon, enum ui_color c)
{
	if (!k->land) {
		lay_hero(k, area, area->h / 3, icon, c);
		return;
	}
	int side = area->w * 30 / 100 < area->h * 2 / 3 ? area->w * 30 / 100 : area->h * 2 / 3;
	lay_icon(k, lay_rect(area->x, area->y + (area->h - side) / 2, side, side), icon, c);
	area->x += side + 2 * k->gap;
	area->w -= side + 2 * k->gap;
}

/* Two columns in landscape (left, right); one column (both = body) in portrait. */
void lay_columns(struct lay *k, struct ui_rect *l, struct ui_rect *r, int left_pct)
{
	*l = *r = k->body;
	if (!k->land)
		return;
	l->w = (k->body.w - k->gap) * left_pct / 100;
	r->x = l->x + l->w + k->gap;
	r->w = k->body.w - l->w - k->gap;
}

void lay_tiles(struct lay *k, struct ui_rect area)
{
	unsigned n = k->ncats;
	if (n == 0)
		return;
	int cols = k->land ? (n > 6 ? 3 : 2) + (area.w > k->L->w * 8 / 10) : (n > 8 ? 3 : 2);
	if (k->small && n > 6)
		cols = 4;
	int rows = (int)(n + (unsigned)cols - 1) / cols;
	int cap = lay_px(k, 360);
	if (area.h > rows * cap + (rows - 1) * k->gap)
		area.h = rows * cap + (rows - 1) * k->gap;
	/* names in large type when the tiles are tall enough for two lines of it */
	int th = (area.h - (rows - 1) * k->gap) / rows;
	bool roomy = th >= 2 * lay_line_h(k, UI_FONT_LARGE) + lay_line_h(k, UI_FONT_SMALL) + th / 5;
	for (unsigned i = 0; i < n && k->L->nctl < UI_CTLS_MAX; i++) {
		const struct wf_category *c = &k->cats[i];
		struct ui_ctl *t = lay_ctl(k, lay_cell(area, cols, rows, k->gap, (int)i),
		                           SESSION_TAP_CATEGORY, UI_STYLE_TILE, c->name);
		t->b.category_id = c->id;
		/* a long name in body type, so it wraps to two lines at most */
		t->font = !roomy || strlen(c->name) > 12 ? UI_FONT_BODY : UI_FONT_LARGE;
		t->icon = ui_category_icon(c->code);
		ui_format_rate(c, k->lang, t->sub, sizeof t->sub);
	}
}

/* What the live weight is doing: fill, text colour and icon of its pill. */
static void scale_state(enum session_scale s, enum ui_color *bg, enum ui_color *fg,
                        enum ui_icon *icon)
{
	switch (s) {
	case SESSION_SCALE_STABLE: *bg = UI_C_OK, *fg = UI_C_ON_BRAND, *icon = UI_ICON_CHECK; break;
	case SESSION_SCALE_SETTLING:
	case SESSION_SCALE_MOVING: *bg = UI_C_WARN, *fg = UI_C_ON_WARN, *icon = UI_ICON_WAIT; break;
	case SESSION_SCALE_OVERLOAD:
	case SESSION_SCALE_UNDERLOAD:
		*bg = UI_C_ERROR, *fg = UI_C_ON_ERROR, *icon = UI_ICON_ALERT;
		break;
	case SESSION_SCALE_NONE:
	default: *bg = UI_C_DISABLED, *fg = UI_C_ON_DISABLED, *icon = UI_ICON_WAIT; break;
	}
}

void lay_weight_digits(struct lay *k, struct ui_rect r, int64_t grams, bool known, enum ui_color bg)
{
	char kg[32];
	if (known)
		ui_format_kg(grams, kg, sizeof kg);
	else
		snprintf(kg, sizeof kg, "%s", "– – –");
	int uw = r.w * 18 / 100, lh = lay_line_h(k, UI_FONT_LARGE);
	lay_text(k, lay_rect(r.x, r.y, r.w - uw, r.h), UI_FONT_HUGE, UI_C_TEXT, bg, UI_ALIGN_RIGHT,
	         "%s", kg);
	/* the unit sits low, near the digits' baseline */
	lay_text(k,
	         lay_rect(r.x + r.w - uw + lay_px(k, 12), r.y + r.h * 62 / 100 - lh / 2,
	                  uw - lay_px(k, 12), lh),
	         UI_FONT_LARGE, UI_C_MUTED, bg, UI_ALIGN_LEFT, "kg");
}

void lay_live_weight(struct lay *k, struct ui_rect area)
{
	const struct session_view *v = k->v;
	lay_box(k, area, UI_C_SURFACE, UI_C_LINE, lay_px(k, 3), lay_px(k, 28));
	int pad = lay_px(k, 32);
	struct ui_rect in =
	    lay_rect(area.x + pad, area.y + pad, area.w - 2 * pad, area.h - 2 * pad);
	/* the state: colour, icon and words together */
	enum ui_color bg, fg;
	enum ui_icon icon;
	scale_state(v->live, &bg, &fg, &icon);
	int ph = lay_line_h(k, UI_FONT_LARGE) + lay_px(k, 16);
	struct ui_rect pill = lay_take(k, &in, ph);
	lay_box(k, pill, bg, bg, 0, ph / 2);
	int ic = ph * 6 / 10;
	lay_icon(k, lay_rect(pill.x + ph / 3, pill.y + (ph - ic) / 2, ic, ic), icon, fg);
	int tx = pill.x + ph / 3 + ic + lay_px(k, 16);
	lay_text(k, lay_rect(tx, pill.y, pill.x + pill.w - tx - ph / 3, ph), UI_FONT_LARGE, fg, bg,
	         UI_ALIGN_LEFT, "%s", ui_scale_text(v->live, k->lang));
	int bar_h = lay_px(k, 24);
	int dh = lay_line_h(k, UI_FONT_HUGE);
	if (dh > in.h - bar_h - k->gap)
		dh = in.h - bar_h - k->gap;
	struct ui_rect digits = lay_take(k, &in, dh);
	lay_weight_digits(k, digits, v->live_grams, v->live_has_weight, UI_C_SURFACE);
	/* progress towards stable: how long the weight has held still */
	bool settling = v->live == SESSION_SCALE_SETTLING || v->live == SESSION_SCALE_STABLE;
	lay_bar(k, lay_take(k, &in, bar_h), settling ? (int)v->stable_pct : 0,
	        v->live == SESSION_SCALE_STABLE ? UI_C_OK : UI_C_WARN, UI_C_LINE);
}

void lay_live_weight_line(struct lay *k, struct ui_rect area)
{
	const struct session_view *v = k->v;
	enum ui_color bg, fg;
	enum ui_icon icon;
	scale_state(v->live, &bg, &fg, &icon);
	lay_box(k, area, bg, bg, 0, lay_px(k, 24));
	int pad = lay_px(k, 24), ic = lay_line_h(k, UI_FONT_LARGE) * 7 / 10;
	struct ui_rect in = lay_rect(area.x + pad, area.y, area.w - 2 * pad, area.h);
	lay_icon(k, lay_rect(in.x, in.y + (in.h - ic) / 2, ic, ic), icon, fg);
	char w[48] = "";
	if (v->live_has_weight)
		ui_format_qty(v->live_grams, WF_UNIT_GRAM, k->lang, w, sizeof w);
	/* the weight takes what it needs on the right, the state the rest */
	int ww = w[0] ? lay_estimate_px(w, k->L->font_px[UI_FONT_TITLE]) + lay_px(k, 24) : 0;
	if (ww > in.w / 2)
		ww = in.w / 2;
	int tx = in.x + ic + lay_px(k, 16);
	lay_text(k, lay_rect(tx, in.y, in.x + in.w - ww - tx, in.h), UI_FONT_LARGE, fg, bg,
	         UI_ALIGN_LEFT, "%s", ui_scale_text(v->live, k->lang));
	if (w[0])
		lay_text(k, lay_rect(in.x + in.w - ww, in.y, ww, in.h), UI_FONT_TITLE, fg, bg,
		         UI_ALIGN_RIGHT, "%s", w);
}
