/* ui_draw.c — paints a layout (ui_layout.h) on the software renderer: boxes,
 * text from the texture cache, icons, bars, the QR code, the controls, one
 * item at a time (ui_damage.c picks which); and skips the frame when the
 * layout equals the one drawn last. See ui.h. */
#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#include "ui_private.h"
#include "wf.h"

static void cached_free(struct ui *u, struct ui_cached *c)
{
	if (c->tex)
		SDL_DestroyTexture(c->tex);
	SDL_FreeSurface(c->surf);
	u->cache_bytes -= c->bytes;
	memset(c, 0, sizeof *c);
}

void ui_cache_clear(struct ui *u)
{
	for (int i = 0; i < UI_CACHE_MAX; i++)
		cached_free(u, &u->cache[i]);
}

static bool cached_used(const struct ui_cached *c)
{
	return c->tex || c->surf;
}

/* Least recently used entries go until the cache holds at most
 * UI_CACHE_BYTES (the live weight's texts are large and all different;
 * totals, balances and receipt numbers are new every visit); keep is not
 * one of them. */
static void cache_trim(struct ui *u, const struct ui_cached *keep)
{
	while (u->cache_bytes > UI_CACHE_BYTES) {
		struct ui_cached *old = NULL;
		for (int i = 0; i < UI_CACHE_MAX; i++) {
			struct ui_cached *c = &u->cache[i];
			if (c != keep && cached_used(c) && (!old || c->used < old->used))
				old = c;
		}
		if (!old)
			return;
		cached_free(u, old);
	}
}

static SDL_Color sdl(enum ui_color c)
{
	struct ui_rgb k = ui_theme_rgb(c);
	SDL_Color s = {k.r, k.g, k.b, 0xFF};
	return s;
}

/* Where surface t (SDL_ttf's blended text: 32-bit ARGB) is not fully
 * transparent: a wrapped text's surface is as wide as its wrap width, the
 * glyphs often much less (the live weight: a third of it). */
static struct ui_rect opaque_box(SDL_Surface *t)
{
	struct ui_rect all = {0, 0, t->w, t->h};
	if (t->format->BytesPerPixel != 4 || !t->format->Amask || SDL_LockSurface(t) != 0)
		return all;
	int x0 = t->w, y0 = t->h, x1 = -1, y1 = -1;
	for (int y = 0; y < t->h; y++) {
		const Uint32 *row = (const Uint32 *)((const Uint8 *)t->pixels + y * t->pitch);
		for (int x = 0; x < t->w; x++) {
			if (!(row[x] & t->format->Amask))
				continue;
			x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
			y0 = y < y0 ? y : y0, y1 = y;
		}
	}
	SDL_UnlockSurface(t);
	return x1 < 0 ? (struct ui_rect){0, 0, 0, 0}
	              : (struct ui_rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

/* The rendered text s in font f, colour fg, wrapped to wrap px: from the
 * cache, or rendered once and kept (the least recently used entry makes
 * room). Only the surface: texture_of makes the texture when it is drawn
 * (on the main thread; ui_open renders texts on another). */
static struct ui_cached *text_tex(struct ui *u, int f, enum ui_color fg, int wrap, enum ui_align a,
                                  const char *s)
{
	int free_i = 0;
	for (int i = 0; i < UI_CACHE_MAX; i++) {
		struct ui_cached *c = &u->cache[i];
		if (cached_used(c) && c->font == f && c->fg == fg && c->wrap == wrap * 4 + (int)a &&
		    strcmp(c->text, s) == 0) {
			c->used = u->draws;
			return c;
		}
		if (!cached_used(c) ||
		    (cached_used(&u->cache[free_i]) && c->used < u->cache[free_i].used))
			free_i = i;
	}
	TTF_SetFontWrappedAlign(u->font[f], a == UI_ALIGN_CENTRE  ? TTF_WRAPPED_ALIGN_CENTER
	                                    : a == UI_ALIGN_RIGHT ? TTF_WRAPPED_ALIGN_RIGHT
	                                                          : TTF_WRAPPED_ALIGN_LEFT);
	SDL_Surface *t = TTF_RenderUTF8_Blended_Wrapped(u->font[f], s, sdl(fg), (Uint32)wrap);
	if (!t)
		return NULL;
	struct ui_cached *c = &u->cache[free_i];
	cached_free(u, c);
	c->ink = opaque_box(t);
	c->surf = t;
	c->bytes = (size_t)t->pitch * (size_t)t->h;
	u->cache_bytes += c->bytes;
	c->w = t->w, c->h = t->h;
	c->font = f, c->fg = fg, c->wrap = wrap * 4 + (int)a, c->used = u->draws;
	snprintf(c->text, sizeof c->text, "%s", s);
	cache_trim(u, c);
	return c;
}

/* c's texture, made from its surface the first time: only its ink (the
 * rest is fully transparent and drawing it would change nothing). */
static SDL_Texture *texture_of(struct ui *u, struct ui_cached *c)
{
	if (c->tex || !c->surf)
		return c->tex;
	SDL_Surface *t = c->surf;
	SDL_Surface *ink = SDL_CreateRGBSurfaceWithFormatFrom(
	    (Uint8 *)t->pixels + c->ink.y * t->pitch + c->ink.x * t->format->BytesPerPixel,
	    c->ink.w, c->ink.h, t->format->BitsPerPixel, t->pitch, t->format->format);
	c->tex = ink ? SDL_CreateTextureFromSurface(u->ren, ink) : NULL;
	SDL_FreeSurface(ink);
	SDL_FreeSurface(t);
	c->surf = NULL;
	u->cache_bytes -= c->bytes;
	c->bytes = (size_t)c->ink.w * (size_t)c->ink.h * 4;
	u->cache_bytes += c->bytes;
	return c->tex;
}

/* Text in r: wrapped to r.w, aligned, centred vertically. */
static void text(struct ui *u, struct ui_rect r, int f, enum ui_color fg, enum ui_align a,
                 const char *s)
{
	if (!s[0] || r.w <= 0)
		return;
	struct ui_cached *c = text_tex(u, f, fg, r.w, a, s);
	if (!c)
		return;
	int x = a == UI_ALIGN_CENTRE  ? r.x + (r.w - c->w) / 2
	        : a == UI_ALIGN_RIGHT ? r.x + r.w - c->w
	                              : r.x;
	int y = r.y + (r.h - c->h) / 2;
	SDL_Rect d = {x + c->ink.x, y + c->ink.y, c->ink.w, c->ink.h};
	if (c->ink.w > 0 && ui_ink(u, (struct ui_rect){d.x, d.y, d.w, d.h}) && texture_of(u, c))
		SDL_RenderCopy(u->ren, c->tex, NULL, &d);
}

/* The receipt URL as a QR code (level M) with 4 modules of quiet zone, in r. */
static void qr(struct ui *u, const char *url, struct ui_rect r)
{
	QRcode *q = url[0] ? QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1) : NULL;
	if (!q)
		return;
	int modules = q->width + 8, m = r.w / modules;
	if (m < 1)
		m = 1;
	int side = m * modules, x0 = r.x + (r.w - side) / 2, y0 = r.y + (r.h - side) / 2;
	ui_fill(u, (struct ui_rect){x0, y0, side, side}, UI_C_QR_LIGHT);
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1)
				ui_fill(u,
				        (struct ui_rect){x0 + (x + 4) * m, y0 + (y + 4) * m, m, m},
				        UI_C_QR_DARK);
	QRcode_free(q);
}

static void element(struct ui *u, const struct ui_el *e)
{
	switch (e->kind) {
	case UI_EL_BOX:
		if (e->border > 0) {
			ui_fill_round(u, e->r, e->radius, e->fg);
			struct ui_rect in = {e->r.x + e->border, e->r.y + e->border,
			                     e->r.w - 2 * e->border, e->r.h - 2 * e->border};
			ui_fill_round(u, in, e->radius - e->border, e->bg);
		} else {
			ui_fill_round(u, e->r, e->radius, e->bg);
		}
		break;
	case UI_EL_TEXT: text(u, e->r, (int)e->font, e->fg, e->align, e->text); break;
	case UI_EL_ICON: ui_icon(u, (enum ui_icon)e->value, e->r, e->fg, UI_C_BG); break;
	case UI_EL_BAR: {
		ui_fill_round(u, e->r, e->radius, e->bg);
		struct ui_rect f = e->r;
		f.w = e->r.w * e->value / 100;
		if (f.w > 0)
			ui_fill_round(u, f, e->radius, e->fg);
		break;
	}
	case UI_EL_QR: qr(u, u->shown.qr, e->r); break;
	}
}

enum ui_color ui_icon_under(const struct ui_layout *l, unsigned upto, int x, int y)
{
	enum ui_color c = UI_C_BG;
	for (unsigned i = 0; i < upto; i++) {
		const struct ui_el *e = &l->el[i];
		if (e->kind == UI_EL_BOX && x >= e->r.x && x < e->r.x + e->r.w && y >= e->r.y &&
		    y < e->r.y + e->r.h)
			c = e->bg;
	}
	return c;
}

/* Where a tile's icon, name and rate go. A wide tile puts the icon left of
 * its name and rate; a tall one above them. The name may wrap. */
struct tile {
	struct ui_rect icon, label, sub;
	enum ui_align align;
	int label_w, label_h; /* the name's wrapped size */
};

static void tile_geometry(struct ui *u, const struct ui_layout *l, const struct ui_ctl *c,
                          struct tile *t)
{
	int pad = c->r.h / 10, sh = l->font_px[UI_FONT_SMALL] * 3 / 2;
	bool wide = c->r.w * 2 >= c->r.h * 3;
	memset(t, 0, sizeof *t);
	int ic = wide ? c->r.h - 2 * pad : 0;
	if (ic > c->r.w / 4)
		ic = c->r.w / 4;
	int tw = wide ? c->r.w - ic - 3 * pad : c->r.w - 2 * pad;
	const struct ui_cached *lt = text_tex(u, (int)c->font, UI_C_TEXT, tw,
	                                      wide ? UI_ALIGN_LEFT : UI_ALIGN_CENTRE, c->b.label);
	t->label_w = lt ? lt->w : 0, t->label_h = lt ? lt->h : 0;
	if (wide) {
		int tx = c->r.x + 2 * pad + ic, top = c->r.y + (c->r.h - t->label_h - sh) / 2;
		t->icon = (struct ui_rect){c->r.x + pad, c->r.y + (c->r.h - ic) / 2, ic, ic};
		t->label = (struct ui_rect){tx, top, tw, t->label_h};
		t->sub = (struct ui_rect){tx, top + t->label_h, tw, sh};
		t->align = UI_ALIGN_LEFT;
		return;
	}
	ic = c->r.h - t->label_h - sh - 2 * pad;
	if (ic > c->r.w / 2)
		ic = c->r.w / 2;
	int top = c->r.y + (c->r.h - ic - t->label_h - sh) / 2;
	t->icon = (struct ui_rect){c->r.x, top, c->r.w, ic > 0 ? ic : 0};
	t->label = (struct ui_rect){c->r.x + pad, top + ic, tw, t->label_h};
	t->sub = (struct ui_rect){c->r.x + pad, top + ic + t->label_h, tw, sh};
	t->align = UI_ALIGN_CENTRE;
}

static void control(struct ui *u, const struct ui_ctl *c, bool pressed)
{
	enum ui_color fg, bg, border;
	ui_style_colors(c->style, c->enabled, &fg, &bg, &border);
	if (pressed)
		bg = ui_style_pressed_bg(c->style);
	int rad = c->r.h / 5 < u->shown.font_px[UI_FONT_BODY] / 2
	              ? c->r.h / 5
	              : u->shown.font_px[UI_FONT_BODY] / 2;
	int bw = c->r.h / 45 > 2 ? c->r.h / 45 : 2;
	if (c->style != UI_STYLE_HEADER && c->enabled && !pressed) /* a soft shadow */
		ui_fill_round(u, (struct ui_rect){c->r.x, c->r.y + bw * 2, c->r.w, c->r.h}, rad,
		              UI_C_LINE);
	ui_fill_round(u, c->r, rad, border);
	ui_fill_round(u,
	              (struct ui_rect){c->r.x + bw, c->r.y + bw, c->r.w - 2 * bw, c->r.h - 2 * bw},
	              rad - bw, bg);
	if (c->style == UI_STYLE_TILE) {
		struct tile t;
		tile_geometry(u, &u->shown, c, &t);
		if (t.icon.w > 0)
			ui_icon(u, c->icon, t.icon, c->enabled ? UI_C_BRAND : UI_C_ON_DISABLED, bg);
		text(u, t.label, (int)c->font, fg, t.align, c->b.label);
		text(u, t.sub, UI_FONT_SMALL, c->enabled ? UI_C_MUTED : fg, t.align, c->sub);
		return;
	}
	if (c->icon != UI_ICON_NONE) { /* a key that is a symbol (+, −): the label names it */
		int side = c->r.h * 45 / 100;
		struct ui_rect ir = {c->r.x + (c->r.w - side) / 2, c->r.y + (c->r.h - side) / 2,
		                     side, side};
		ui_icon(u, c->icon, ir, c->enabled ? UI_C_BRAND : fg, bg);
		return;
	}
	text(u, (struct ui_rect){c->r.x + 2 * bw, c->r.y, c->r.w - 4 * bw, c->r.h}, (int)c->font,
	     fg, UI_ALIGN_CENTRE, c->b.label);
}

void ui_paint_item(struct ui *u, unsigned i)
{
	const struct ui_layout *l = &u->shown;
	u->ink = (struct ui_rect){0, 0, 0, 0};
	if (i >= l->nel) {
		control(u, &l->ctl[i - l->nel], (int)(i - l->nel) == u->pressed);
		return;
	}
	const struct ui_el *e = &l->el[i];
	if (e->kind == UI_EL_ICON)
		ui_icon(u, (enum ui_icon)e->value, e->r, e->fg,
		        ui_icon_under(l, i, e->r.x + e->r.w / 2, e->r.y + e->r.h / 2));
	else
		element(u, e);
}

int ui_draw(struct ui *u, const struct session_view *v, const struct wf_category *cats,
            unsigned ncats)
{
	struct ui_layout_in in = ui_layout_in_of(u);
	ui_layout_make(v, cats, ncats, &in, &u->next);
	if (u->has_shown && !u->redraw_all && u->pressed == u->drawn_pressed &&
	    memcmp(&u->next, &u->shown, sizeof u->next) == 0)
		return 0; /* the same picture: nothing to draw */
	u->draws++;
	ui_paint_changes(u); /* u->next is shown now */
	SDL_RenderPresent(u->ren);
	return ui_present_window(u, false) == WF_OK ? 1 : WF_EIO;
}

void ui_cache_warm(struct ui *u, const struct ui_layout *l)
{
	u->shown = *l;
	u->ink_only = true; /* measuring renders every text into the cache */
	for (unsigned i = 0; i < l->nel + l->nctl; i++)
		ui_paint_item(u, i);
	u->ink_only = false;
	memset(&u->shown, 0, sizeof u->shown);
}

void ui_redraw_all(struct ui *u)
{
	u->redraw_all = true;
}

/* What a control's label measures on one line (for the message). */
static int bad_w(struct ui *u, const struct ui_ctl *c)
{
	int w = 0, h = 0;
	TTF_SizeUTF8(u->font[c->font], c->b.label, &w, &h);
	return w;
}

static int bad_h(struct ui *u, const struct ui_ctl *c)
{
	(void)c;
	return TTF_FontLineSkip(u->font[c->font]);
}

/* Whether s in font f wrapped to w fits w x h. */
static bool fits(struct ui *u, int f, const char *s, int w, int h)
{
	if (!s[0])
		return true;
	SDL_Color black = {0, 0, 0, 0xFF};
	SDL_Surface *t = TTF_RenderUTF8_Blended_Wrapped(u->font[f], s, black, (Uint32)w);
	bool ok = t && t->w <= w && t->h <= h;
	SDL_FreeSurface(t);
	return ok;
}

int ui_check_fit(struct ui *u, const struct ui_layout *l, char *why, size_t why_len)
{
	int bad = 0;
	why[0] = '\0';
	for (unsigned i = 0; i < l->nel; i++) {
		const struct ui_el *e = &l->el[i];
		if (e->kind != UI_EL_TEXT || fits(u, (int)e->font, e->text, e->r.w, e->r.h))
			continue;
		if (!bad++)
			snprintf(why, why_len, "text '%s' does not fit %dx%d", e->text, e->r.w,
			         e->r.h);
	}
	for (unsigned i = 0; i < l->nctl; i++) {
		const struct ui_ctl *c = &l->ctl[i];
		/* a label may wrap; a tile's name and rate must leave its icon
		 * at least a quarter of the tile */
		int bw = c->r.h / 45 > 2 ? c->r.h / 45 : 2;
		bool ok = fits(u, (int)c->font, c->b.label, c->r.w - 4 * bw, c->r.h);
		if (c->style == UI_STYLE_TILE) {
			struct tile t;
			tile_geometry(u, l, c, &t);
			ok = t.label_w <= t.label.w &&
			     (t.icon.h * 4 >= c->r.h || t.icon.w * 5 >= c->r.w) &&
			     fits(u, UI_FONT_SMALL, c->sub, t.sub.w, t.sub.h) &&
			     t.sub.y + t.sub.h <= c->r.y + c->r.h;
		}
		if (ok)
			continue;
		if (!bad++)
			snprintf(why, why_len, "label '%s' (%dx%d) does not fit its %dx%d control",
			         c->b.label, bad_w(u, c), bad_h(u, c), c->r.w, c->r.h);
	}
	return bad;
}
