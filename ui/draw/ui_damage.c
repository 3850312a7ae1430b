/* ui_damage.c — draws only what changed: compares the layout to draw with
 * the one drawn last item by item, and repaints the rectangles the changed
 * items covered before and cover now. Why: on a 1080x1920 kiosk a full
 * frame is ~2 M pixels to paint and copy; the weigh screen's live weight,
 * which changes on every reading, is a few thousand.
 *
 * Exactness: a rectangle is repainted as a full frame would paint it (the
 * background, then every item that touches it, in order, clipped to it),
 * and every pixel outside the rectangles belongs only to items that did
 * not change; so the surface always holds exactly the full frame (the
 * screenshots and tests/ui/test_damage.c rely on it). What an item touches
 * ("ink") is recorded by the primitives themselves (ui_prim.c), so a text
 * overflowing its box or a shadow below a button is counted too. */
#include <string.h>

#include "ui_private.h"

#define FULL_PERCENT 60 /* more of the screen than this changed: paint it all */

static bool empty(struct ui_rect r)
{
	return r.w <= 0 || r.h <= 0;
}

static int64_t area(struct ui_rect r)
{
	return empty(r) ? 0 : (int64_t)r.w * r.h;
}

struct ui_rect ui_rect_union(struct ui_rect a, struct ui_rect b)
{
	if (empty(a))
		return b;
	if (empty(b))
		return a;
	int x0 = a.x < b.x ? a.x : b.x, y0 = a.y < b.y ? a.y : b.y;
	int x1 = a.x + a.w > b.x + b.w ? a.x + a.w : b.x + b.w;
	int y1 = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
	return (struct ui_rect){x0, y0, x1 - x0, y1 - y0};
}

bool ui_rect_meets(struct ui_rect a, struct ui_rect b)
{
	return !empty(a) && !empty(b) && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h &&
	       b.y < a.y + a.h;
}

static struct ui_rect clip_to(struct ui_rect r, int w, int h)
{
	int x0 = r.x < 0 ? 0 : r.x, y0 = r.y < 0 ? 0 : r.y;
	int x1 = r.x + r.w > w ? w : r.x + r.w, y1 = r.y + r.h > h ? h : r.y + r.h;
	return (struct ui_rect){x0, y0, x1 - x0, y1 - y0};
}

static void drop_dirty(struct ui *u, int k)
{
	u->dirty[k] = u->dirty[--u->ndirty];
}

/* Adds r to the dirty rectangles: merged with one it meets or nearly
 * meets (one rectangle is cheaper than two close ones); when all are
 * taken, with the one it grows least. */
static void add_dirty(struct ui *u, struct ui_rect r)
{
	r = clip_to(r, u->shown.w, u->shown.h);
	if (empty(r))
		return;
	for (int k = 0; k < u->ndirty;) {
		struct ui_rect m = ui_rect_union(u->dirty[k], r);
		if (ui_rect_meets(u->dirty[k], r) ||
		    area(m) <= (area(u->dirty[k]) + area(r)) * 5 / 4 + 4096) {
			r = m;
			drop_dirty(u, k);
			k = 0; /* the bigger one may meet another now */
		} else {
			k++;
		}
	}
	if (u->ndirty == UI_DIRTY_MAX) {
		int best = 0;
		int64_t grow = INT64_MAX;
		for (int k = 0; k < u->ndirty; k++) {
			int64_t g = area(ui_rect_union(u->dirty[k], r)) - area(u->dirty[k]);
			if (g < grow)
				grow = g, best = k;
		}
		r = ui_rect_union(u->dirty[best], r);
		drop_dirty(u, best);
		add_dirty(u, r);
		return;
	}
	u->dirty[u->ndirty++] = r;
}

/* Whether item i looks different in new layout b than in old layout a
 * (drawn with control pa pressed; pb pressed now): another element or
 * control, another QR text under a QR, another box under an icon, the
 * pressed look, or an item only one of them has. */
static bool item_changed(const struct ui_layout *a, const struct ui_layout *b, unsigned i, int pa,
                         int pb)
{
	if (i < b->nel) {
		if (i >= a->nel)
			return true;
		const struct ui_el *ea = &a->el[i], *eb = &b->el[i];
		if (memcmp(ea, eb, sizeof *ea) != 0)
			return true;
		if (eb->kind == UI_EL_QR && strcmp(a->qr, b->qr) != 0)
			return true;
		int cx = eb->r.x + eb->r.w / 2, cy = eb->r.y + eb->r.h / 2;
		return eb->kind == UI_EL_ICON &&
		       ui_icon_under(a, i, cx, cy) != ui_icon_under(b, i, cx, cy);
	}
	int c = (int)(i - b->nel);
	if ((unsigned)c >= a->nctl)
		return true;
	return memcmp(&a->ctl[c], &b->ctl[c], sizeof a->ctl[c]) != 0 || (c == pa) != (c == pb);
}

static struct ui_rect *ink_of(struct ui *u, unsigned i)
{
	return i < u->shown.nel ? &u->el_ink[i] : &u->ctl_ink[i - u->shown.nel];
}

static void paint_all(struct ui *u)
{
	const struct ui_layout *l = &u->shown;
	struct ui_rect whole = {0, 0, l->w, l->h};
	SDL_RenderSetClipRect(u->ren, NULL);
	ui_fill(u, whole, UI_C_BG);
	for (unsigned i = 0; i < l->nel + l->nctl; i++) {
		ui_paint_item(u, i);
		*ink_of(u, i) = u->ink;
	}
	u->ndirty = 1;
	u->dirty[0] = whole;
}

/* The dirty rectangles as a full frame paints them. */
static void paint_dirty(struct ui *u)
{
	const struct ui_layout *l = &u->shown;
	for (int k = 0; k < u->ndirty; k++) {
		struct ui_rect d = u->dirty[k];
		SDL_Rect c = {d.x, d.y, d.w, d.h};
		SDL_RenderSetClipRect(u->ren, &c);
		ui_fill(u, d, UI_C_BG);
		for (unsigned i = 0; i < l->nel + l->nctl; i++)
			if (ui_rect_meets(*ink_of(u, i), d))
				ui_paint_item(u, i);
	}
	SDL_RenderSetClipRect(u->ren, NULL);
}

void ui_paint_changes(struct ui *u)
{
	const struct ui_layout *a = &u->shown, *b = &u->next;
	bool full = !u->has_shown || u->redraw_all || a->w != b->w || a->h != b->h ||
	            memcmp(a->font_px, b->font_px, sizeof a->font_px) != 0;
	/* the old ink of every changed item, before the new layout replaces it
	 * (elements compare with elements, controls with controls, by index) */
	bool changed[UI_ELS_MAX + UI_CTLS_MAX];
	unsigned nb = b->nel + b->nctl;
	u->ndirty = 0;
	for (unsigned i = 0; !full && i < nb; i++) {
		changed[i] = item_changed(a, b, i, u->drawn_pressed, u->pressed);
		unsigned c = i - b->nel;
		if (changed[i] && i < b->nel && i < a->nel)
			add_dirty(u, u->el_ink[i]);
		else if (changed[i] && i >= b->nel && c < a->nctl)
			add_dirty(u, u->ctl_ink[c]);
	}
	for (unsigned i = b->nel; !full && i < a->nel; i++) /* what the new one lacks */
		add_dirty(u, u->el_ink[i]);
	for (unsigned c = b->nctl; !full && c < a->nctl; c++)
		add_dirty(u, u->ctl_ink[c]);
	u->shown = u->next;
	u->has_shown = true;
	u->redraw_all = false;
	u->drawn_pressed = u->pressed;
	if (full) {
		paint_all(u);
		return;
	}
	/* the new ink of the changed items: measured, not drawn */
	u->ink_only = true;
	for (unsigned i = 0; i < nb; i++) {
		if (!changed[i])
			continue;
		ui_paint_item(u, i);
		*ink_of(u, i) = u->ink;
		add_dirty(u, u->ink);
	}
	u->ink_only = false;
	int64_t sum = 0;
	for (int k = 0; k < u->ndirty; k++)
		sum += area(u->dirty[k]);
	if (sum * 100 > (int64_t)b->w * b->h * FULL_PERCENT)
		paint_all(u);
	else
		paint_dirty(u);
}

int ui_damage(const struct ui *u, struct ui_rect *out, int max)
{
	int n = 0;
	for (int k = 0; k < u->ndirty && n < max; k++)
		out[n++] = u->dirty[k];
	return n;
}
