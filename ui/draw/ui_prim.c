/* ui_prim.c — filled shapes in theme colours on the software renderer:
 * rectangles, rounded rectangles, circles, triangles, thick lines. Each
 * also widens u->ink by what it may touch, and with u->ink_only draws
 * nothing: how the drawing learns what an element covers (ui_damage.c). */
#include <math.h>

#include "ui_private.h"

static SDL_Color sdl(enum ui_color c)
{
	struct ui_rgb k = ui_theme_rgb(c);
	SDL_Color s = {k.r, k.g, k.b, 0xFF};
	return s;
}

bool ui_ink(struct ui *u, struct ui_rect r)
{
	if (r.w > 0 && r.h > 0)
		u->ink = ui_rect_union(u->ink, r);
	return !u->ink_only;
}

void ui_fill(struct ui *u, struct ui_rect r, enum ui_color c)
{
	if (!ui_ink(u, r))
		return;
	SDL_Color k = sdl(c);
	SDL_Rect q = {r.x, r.y, r.w, r.h};
	SDL_SetRenderDrawColor(u->ren, k.r, k.g, k.b, 0xFF);
	SDL_RenderFillRect(u->ren, &q);
}

/* Rounded corners row by row: each row of the top and bottom radius bands
 * is inset by how far the circle is from the corner there. */
void ui_fill_round(struct ui *u, struct ui_rect r, int radius, enum ui_color c)
{
	if (radius * 2 > r.h)
		radius = r.h / 2;
	if (radius * 2 > r.w)
		radius = r.w / 2;
	if (radius <= 0) {
		ui_fill(u, r, c);
		return;
	}
	if (!ui_ink(u, r))
		return;
	SDL_Color k = sdl(c);
	SDL_SetRenderDrawColor(u->ren, k.r, k.g, k.b, 0xFF);
	for (int i = 0; i < radius; i++) {
		double dy = radius - i - 0.5;
		int in = radius - (int)(sqrt((double)radius * radius - dy * dy) + 0.5);
		SDL_Rect top = {r.x + in, r.y + i, r.w - 2 * in, 1};
		SDL_Rect bot = {r.x + in, r.y + r.h - 1 - i, r.w - 2 * in, 1};
		SDL_RenderFillRect(u->ren, &top);
		SDL_RenderFillRect(u->ren, &bot);
	}
	SDL_Rect mid = {r.x, r.y + radius, r.w, r.h - 2 * radius};
	SDL_RenderFillRect(u->ren, &mid);
}

void ui_fill_circle(struct ui *u, int cx, int cy, int radius, enum ui_color c)
{
	struct ui_rect r = {cx - radius, cy - radius, 2 * radius, 2 * radius};
	ui_fill_round(u, r, radius, c);
}

void ui_fill_tri(struct ui *u, const float xy[6], enum ui_color c)
{
	float x0 = xy[0], x1 = xy[0], y0 = xy[1], y1 = xy[1];
	for (int i = 1; i < 3; i++) {
		x0 = fminf(x0, xy[2 * i]), x1 = fmaxf(x1, xy[2 * i]);
		y0 = fminf(y0, xy[2 * i + 1]), y1 = fmaxf(y1, xy[2 * i + 1]);
	}
	/* a pixel more on each side than the rasteriser can reach */
	struct ui_rect box = {(int)floorf(x0) - 1, (int)floorf(y0) - 1,
	                      (int)ceilf(x1) - (int)floorf(x0) + 2,
	                      (int)ceilf(y1) - (int)floorf(y0) + 2};
	if (!ui_ink(u, box))
		return;
	SDL_Color k = sdl(c);
	SDL_Vertex v[3];
	for (int i = 0; i < 3; i++) {
		v[i].position.x = xy[2 * i];
		v[i].position.y = xy[2 * i + 1];
		v[i].color = k;
		v[i].tex_coord.x = v[i].tex_coord.y = 0;
	}
	SDL_RenderGeometry(u->ren, NULL, v, 3, NULL, 0);
}

/* A line of the given width as two triangles, with round ends. */
void ui_line(struct ui *u, float x0, float y0, float x1, float y1, float width, enum ui_color c)
{
	float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
	if (len <= 0)
		return;
	float nx = -dy / len * width / 2, ny = dx / len * width / 2;
	float a[6] = {x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny};
	float b[6] = {x0 + nx, y0 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny};
	ui_fill_tri(u, a, c);
	ui_fill_tri(u, b, c);
	int rad = (int)(width / 2);
	ui_fill_circle(u, (int)x0, (int)y0, rad, c);
	ui_fill_circle(u, (int)x1, (int)y1, rad, c);
}
