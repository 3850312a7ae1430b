/* ui_layout.c — the regions, the header, the action bar and the shared
 * blocks of every screen; see ui_layout.h. Pure. */
#include "ui_layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ui_layout_private.h"

int lay_px(const struct lay *k, int design_px)
{
	return (int)(design_px * k->s + 0.5);
}

int lay_line_h(const struct lay *k, enum ui_font f)
{
	return k->L->font_px[f] * 3 / 2;
}

int lay_lines(const struct lay *k, enum ui_font f, int width, const char *s)
{
	int w = lay_estimate_px(s, k->L->font_px[f]);
	/* wrapping breaks at words: leave a tenth of each line unused */
	int usable = width * 9 / 10 > 0 ? width * 9 / 10 : 1;
	return w / usable + 1;
}

struct ui_rect lay_rect(int x, int y, int w, int h)
{
	struct ui_rect r = {x, y, w < 0 ? 0 : w, h < 0 ? 0 : h};
	return r;
}

static struct ui_el *el_new(struct lay *k, enum ui_el_kind kind, struct ui_rect r)
{
	/* when full: written to the spare, never drawn */
	struct ui_el *e = k->L->nel < UI_ELS_MAX ? &k->L->el[k->L->nel++] : &k->spare_el;
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->r = r;
	return e;
}

struct ui_el *lay_box(struct lay *k, struct ui_rect r, enum ui_color bg, enum ui_color border,
                      int border_px, int radius)
{
	struct ui_el *e = el_new(k, UI_EL_BOX, r);
	e->bg = bg;
	e->fg = border;
	e->border = border_px;
	e->radius = radius;
	return e;
}

struct ui_el *lay_text(struct lay *k, struct ui_rect r, enum ui_font f, enum ui_color fg,
                       enum ui_color bg, enum ui_align a, const char *fmt, ...)
{
	struct ui_el *e = el_new(k, UI_EL_TEXT, r);
	e->font = f;
	e->fg = fg;
	e->bg = bg;
	e->align = a;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
	return e;
}

void lay_icon(struct lay *k, struct ui_rect r, enum ui_icon icon, enum ui_color fg)
{
	struct ui_el *e = el_new(k, UI_EL_ICON, r);
	e->value = (int)icon;
	e->fg = fg;
}

void lay_bar(struct lay *k, struct ui_rect r, int pct, enum ui_color fg, enum ui_color track)
{
	struct ui_el *e = el_new(k, UI_EL_BAR, r);
	e->value = pct < 0 ? 0 : pct > 100 ? 100 : pct;
	e->fg = fg;
	e->bg = track;
	e->radius = r.h / 2;
}

/* A rough width of s in font px: Latin about half an em, CJK a whole one
 * (the drawing measures for real; this only picks sizes and room). */
int lay_estimate_px(const char *s, int px)
{
	int w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x80)
			w += px * 58 / 100;
		else if (*p >= 0xC0)
			w += px;
	return w;
}

struct ui_ctl *lay_ctl(struct lay *k, struct ui_rect r, enum session_control c, enum ui_style style,
                       const char *label)
{
	struct ui_ctl *b = k->L->nctl < UI_CTLS_MAX ? &k->L->ctl[k->L->nctl++] : &k->spare_ctl;
	memset(b, 0, sizeof *b);
	b->r = r;
	b->b.control = c;
	snprintf(b->b.label, sizeof b->b.label, "%s", label);
	b->style = style;
	b->enabled = true;
	b->font = UI_FONT_LARGE;
	if (lay_estimate_px(label, k->L->font_px[UI_FONT_LARGE]) > r.w * 85 / 100)
		b->font = UI_FONT_BODY; /* a long label in body type, on one line */
	return b;
}

void lay_shift(struct lay *k, unsigned from_el, unsigned from_ctl, int dy)
{
	for (unsigned i = from_el; i < k->L->nel; i++)
		k->L->el[i].r.y += dy;
	for (unsigned i = from_ctl; i < k->L->nctl; i++)
		k->L->ctl[i].r.y += dy;
}

void lay_same_font(struct lay *k, unsigned from)
{
	enum ui_font f = UI_FONT_COUNT;
	for (unsigned i = from; i < k->L->nctl; i++)
		if (k->L->ctl[i].font < f)
			f = k->L->ctl[i].font;
	for (unsigned i = from; i < k->L->nctl; i++)
		k->L->ctl[i].font = f;
}

struct ui_rect lay_take(struct lay *k, struct ui_rect *area, int h)
{
	if (h > area->h)
		h = area->h;
	struct ui_rect r = {area->x, area->y, area->w, h};
	int used = h + k->gap > area->h ? area->h : h + k->gap;
	area->y += used;
	area->h -= used;
	return r;
}

struct ui_rect lay_cell(struct ui_rect area, int cols, int rows, int gap, int i)
{
	int cw = (area.w - gap * (cols - 1)) / cols, ch = (area.h - gap * (rows - 1)) / rows;
	return lay_rect(area.x + (i % cols) * (cw + gap), area.y + (i / cols) * (ch + gap), cw, ch);
}

void ui_style_colors(enum ui_style style, bool enabled, enum ui_color *fg, enum ui_color *bg,
                     enum ui_color *border)
{
	*fg = UI_C_TEXT, *bg = UI_C_SURFACE, *border = UI_C_LINE;
	if (!enabled) {
		*fg = UI_C_ON_DISABLED, *bg = UI_C_DISABLED, *border = UI_C_DISABLED;
		return;
	}
	switch (style) {
	case UI_STYLE_PRIMARY: *fg = UI_C_ON_BRAND, *bg = UI_C_BRAND, *border = UI_C_BRAND; break;
	case UI_STYLE_SECONDARY: *fg = UI_C_BRAND, *border = UI_C_BRAND; break;
	case UI_STYLE_TILE:
	case UI_STYLE_KEY: break;
	case UI_STYLE_HEADER:
		*fg = UI_C_ON_HEADER, *bg = UI_C_HEADER, *border = UI_C_ON_HEADER;
		break;
	case UI_STYLE_DANGER: *fg = UI_C_ON_ERROR, *bg = UI_C_ERROR, *border = UI_C_ERROR; break;
	}
}

enum ui_color ui_style_pressed_bg(enum ui_style style)
{
	switch (style) {
	case UI_STYLE_PRIMARY:
	case UI_STYLE_DANGER: return UI_C_HEADER;
	case UI_STYLE_HEADER: return UI_C_BRAND;
	default: return UI_C_BRAND_SOFT;
	}
}

enum ui_icon ui_category_icon(const char *code)
{
	static const struct {
		const char *code;
		enum ui_icon icon;
	} map[] = {
	    {"paper", UI_ICON_PAPER},         {"cardboard", UI_ICON_PAPER},
	    {"plastic", UI_ICON_PLASTIC},     {"metal", UI_ICON_METAL},
	    {"glass", UI_ICON_GLASS},         {"textiles", UI_ICON_TEXTILES},
	    {"batteries", UI_ICON_BATTERIES},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(code, map[i].code) == 0)
			return map[i].icon;
	return UI_ICON_OTHER;
}

static void header(struct lay *k)
{
	struct ui_layout *L = k->L;
	int hh = lay_px(k, 128);
	if (hh < L->min_target_px + lay_px(k, 24))
		hh = L->min_target_px + lay_px(k, 24);
	lay_box(k, lay_rect(0, 0, L->w, hh), UI_C_HEADER, UI_C_HEADER, 0, 0);
	int ic = hh * 55 / 100, pad = (hh - ic) / 2;
	lay_icon(k, lay_rect(k->m, pad, ic, ic), UI_ICON_LEAF, UI_C_ON_HEADER);
	/* the language switch: the other language's name, in itself */
	enum wf_lang other = k->lang == WF_LANG_ZH ? WF_LANG_EN : WF_LANG_ZH;
	int bh = hh - 2 * lay_px(k, 20), bw = lay_px(k, 210);
	if (bh < L->min_target_px)
		bh = L->min_target_px;
	struct ui_ctl *c = lay_ctl(k, lay_rect(L->w - k->m - bw, (hh - bh) / 2, bw, bh),
	                           SESSION_TAP_LANGUAGE, UI_STYLE_HEADER, wf_lang_name(other));
	c->font = UI_FONT_BODY;
	int cw = L->font_px[UI_FONT_LARGE] * 3; /* "23:59" */
	int clock_x = L->w - k->m - bw - k->gap - cw;
	if (k->facts->clock[0])
		lay_text(k, lay_rect(clock_x, 0, cw, hh), UI_FONT_LARGE, UI_C_ON_HEADER,
		         UI_C_HEADER, UI_ALIGN_RIGHT, "%s", k->facts->clock);
	int nx = k->m + ic + k->gap, nw = clock_x - k->gap - nx;
	char name[UI_TEXT_MAX];
	snprintf(name, sizeof name, "%s · %s", wf_tr(k->lang, "Wufei"),
	         k->in->kiosk_name && k->in->kiosk_name[0] ? k->in->kiosk_name
	                                                   : wf_tr(k->lang, "Recycling kiosk"));
	enum ui_font f = lay_lines(k, UI_FONT_BODY, nw, name) > 1 ? UI_FONT_SMALL : UI_FONT_BODY;
	if (lay_lines(k, f, nw, name) > 1 && k->in->kiosk_name && k->in->kiosk_name[0])
		snprintf(name, sizeof name, "%s", k->in->kiosk_name); /* the leaf is the brand */
	lay_text(k, lay_rect(nx, 0, nw, hh), f, UI_C_ON_HEADER, UI_C_HEADER, UI_ALIGN_LEFT, "%s",
	         name);
	k->body = lay_rect(k->m, hh + k->m, L->w - 2 * k->m, L->h - hh - 2 * k->m);
}

static void countdown(struct lay *k, int bottom)
{
	int64_t ms = k->v->timeout_left_ms;
	if (ms <= 0 || k->v->screen == SESSION_SCREEN_ATTRACT)
		return;
	unsigned long s = (unsigned long)((ms + 999) / 1000);
	int lh = lay_line_h(k, UI_FONT_SMALL);
	struct ui_rect r = lay_rect(k->m, bottom - lh, k->L->w - 2 * k->m, lh);
	char t[UI_LINE_MAX];
	snprintf(t, sizeof t,
	         wf_ntr(k->lang, "Back to the start in %lu second",
	                "Back to the start in %lu seconds", s),
	         s);
	lay_text(k, r, UI_FONT_SMALL, UI_C_MUTED, UI_C_BG, UI_ALIGN_RIGHT, "%s", t);
	k->body.h = r.y - k->gap - k->body.y;
}

void lay_actions(struct lay *k, const char *back, enum session_control back_c, const char *primary,
                 enum session_control primary_c, bool primary_enabled)
{
	struct ui_layout *L = k->L;
	int ah = lay_px(k, 150);
	if (ah < L->min_target_px)
		ah = L->min_target_px;
	int y = L->h - k->m - ah, bw = (L->w - 2 * k->m - k->gap) / 2;
	unsigned first = L->nctl;
	if (k->land && bw > lay_px(k, 640))
		bw = lay_px(k, 640);
	if (back) {
		struct ui_ctl *c =
		    lay_ctl(k, lay_rect(k->m, y, bw, ah), back_c, UI_STYLE_SECONDARY, back);
		c->icon = UI_ICON_NONE;
	}
	if (primary) {
		struct ui_ctl *c = lay_ctl(k, lay_rect(L->w - k->m - bw, y, bw, ah), primary_c,
		                           UI_STYLE_PRIMARY, primary);
		c->enabled = primary_enabled;
	}
	lay_same_font(k, first); /* the pair in one type size */
	k->action_y = y;
	k->body.h = y - k->gap - k->body.y;
	countdown(k, y - k->gap / 2);
}

void lay_banner(struct lay *k)
{
	const char *msg = ui_message_text(k->v->message, k->lang);
	if (!msg[0])
		return;
	bool ok = k->v->message == SESSION_MSG_TEST_OK;
	int lines = lay_lines(k, UI_FONT_BODY, k->body.w * 8 / 10, msg);
	int bh = lay_line_h(k, UI_FONT_BODY) * (lines > 2 ? 2 : lines) + lay_px(k, 24);
	struct ui_rect r = lay_rect(k->body.x, k->body.y + k->body.h - bh, k->body.w, bh);
	enum ui_color bg = ok ? UI_C_OK : UI_C_ERROR, fg = ok ? UI_C_ON_BRAND : UI_C_ON_ERROR;
	lay_box(k, r, bg, bg, 0, lay_px(k, 20));
	int ic = bh * 55 / 100, pad = (bh - ic) / 2;
	lay_icon(k, lay_rect(r.x + pad, r.y + pad, ic, ic), ok ? UI_ICON_CHECK : UI_ICON_ALERT, fg);
	int tx = r.x + 2 * pad + ic;
	lay_text(k, lay_rect(tx, r.y, r.x + r.w - pad - tx, r.h), UI_FONT_BODY, fg, bg,
	         UI_ALIGN_LEFT, "%s", msg);
	k->body.h -= bh + k->gap;
}

void ui_layout_make(const struct session_view *v, const struct wf_category *cats, unsigned ncats,
                    const struct ui_layout_in *in, struct ui_layout *out)
{
	static const struct ui_facts none;
	memset(out, 0, sizeof *out);
	struct lay k = {.L = out, .v = v, .cats = cats, .ncats = ncats, .in = in};
	k.facts = in->facts ? in->facts : &none;
	k.lang = v->language == WF_LANG_EN ? WF_LANG_EN : WF_LANG_ZH;
	for (unsigned i = 0; i < ncats; i++)
		if (cats[i].id == v->category_id)
			k.cat = &cats[i];
	out->w = in->width, out->h = in->height;
	int lo = in->width < in->height ? in->width : in->height;
	int hi = in->width < in->height ? in->height : in->width;
	double a = hi / 1920.0, b = lo / 1080.0;
	k.s = a < b ? a : b;
	k.land = in->width > in->height;
	if (k.land)
		k.s *= 0.85; /* little height: everything a little smaller */
	k.small = lo < 600;
	int dpi = in->dpi > 0 ? in->dpi : UI_DPI_DEFAULT;
	out->min_target_px = (dpi * 100 + 253) / 254; /* 10 mm, rounded up */
	static const int design[UI_FONT_COUNT] = {36, 44, 56, 76, 240};
	static const int floor_px[UI_FONT_COUNT] = {16, 18, 22, 28, 84};
	for (int f = 0; f < UI_FONT_COUNT; f++) {
		/* landscape has less height for the huge digits */
		int p = lay_px(&k, f == UI_FONT_HUGE && k.land ? 180 : design[f]);
		out->font_px[f] = p < floor_px[f] ? floor_px[f] : p;
	}
	k.m = lay_px(&k, k.small ? 28 : 48);
	k.gap = lay_px(&k, k.small ? 20 : 32);
	k.action_y = out->h;
	header(&k);
	lay_screen(&k);
}

int ui_layout_hit(const struct ui_layout *l, int x, int y)
{
	for (unsigned i = 0; i < l->nctl; i++) {
		const struct ui_rect *r = &l->ctl[i].r;
		if (l->ctl[i].enabled && x >= r->x && x < r->x + r->w && y >= r->y &&
		    y < r->y + r->h)
			return (int)i;
	}
	return -1;
}

int ui_layout_find(const struct ui_layout *l, enum session_control control, uint16_t category_id,
                   int digit)
{
	for (unsigned i = 0; i < l->nctl; i++) {
		const struct ui_button *b = &l->ctl[i].b;
		if (b->control != control)
			continue;
		if (control == SESSION_TAP_CATEGORY && b->category_id != category_id)
			continue;
		if (control == SESSION_TAP_DIGIT && b->digit != digit)
			continue;
		return (int)i;
	}
	return -1;
}
