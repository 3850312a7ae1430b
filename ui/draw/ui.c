/* ui.c — the drawing's handle: the font, the surface, the window, the PNG;
 * see ui.h. Painting is in ui_draw.c. */
#include "ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <png.h>

#include "ui_private.h"
#include "ui_text.h"
#include "wf.h"

/* Finds a font file that covers Chinese through fontconfig. */
int ui_font_find(char *path, size_t cap, int *index, char *err, size_t err_len)
{
	FcConfig *fc = FcInitLoadConfigAndFonts();
	FcPattern *p = fc ? FcNameParse((const FcChar8 *)"sans-serif:lang=zh-cn") : NULL;
	int rc = WF_ENOENT;
	if (p) {
		FcConfigSubstitute(fc, p, FcMatchPattern);
		FcDefaultSubstitute(p);
		FcResult res;
		FcPattern *m = FcFontMatch(fc, p, &res);
		FcChar8 *file = NULL;
		if (m && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch && file) {
			snprintf(path, cap, "%s", (const char *)file);
			if (FcPatternGetInteger(m, FC_INDEX, 0, index) != FcResultMatch)
				*index = 0;
			rc = WF_OK;
		}
		if (m)
			FcPatternDestroy(m);
		FcPatternDestroy(p);
	}
	if (fc)
		FcConfigDestroy(fc);
	if (rc)
		snprintf(err, err_len,
		         "no font for Chinese found by fontconfig (install fonts-noto-cjk)");
	return rc;
}

/* What ui_open prepares beside the window: the fonts, and the text cache
 * warmed with the attract screen. */
struct prep {
	struct ui *u;
	char path[1024];
	int index;
	int rc;
	char err[1400]; /* the path and SDL_ttf's reason */
};

/* The font files; then the attract screen's texts rendered into the cache
 * in every language (the first frame's glyphs). On its own thread while the
 * main thread makes the window: nothing else touches u until it ends, and
 * it calls only fontconfig, SDL_ttf and the layout (no renderer, no
 * texture, no SDL hint: those stay on the main thread). */
static int prepare(void *arg)
{
	struct prep *p = arg;
	struct ui *u = p->u;
	if (!p->path[0] &&
	    ui_font_find(p->path, sizeof p->path, &p->index, p->err, sizeof p->err) != WF_OK) {
		p->rc = WF_ENOENT;
		return 0;
	}
	/* the font sizes depend on the screen's size only: ask the layout once */
	struct session_view v = {.screen = SESSION_SCREEN_ATTRACT};
	struct ui_layout_in in = ui_layout_in_of(u);
	ui_layout_make(&v, NULL, 0, &in, &u->next);
	for (int i = 0; i < UI_FONT_COUNT; i++) {
		u->font[i] = TTF_OpenFontIndex(p->path, u->next.font_px[i], p->index);
		if (!u->font[i]) {
			snprintf(p->err, sizeof p->err, "font %s: %s", p->path, TTF_GetError());
			p->rc = WF_ENOENT;
			return 0;
		}
	}
	for (int lang = 0; u->cfg.window && lang < WF_LANG_COUNT; lang++)
		for (int anon = 0; anon < 2; anon++) {
			v.language = (enum wf_lang)lang;
			v.allow_anonymous = anon;
			ui_layout_make(&v, NULL, 0, &in, &u->next);
			ui_cache_warm(u, &u->next);
		}
	p->rc = WF_OK;
	return 0;
}

/* The window: full screen, or shrunk to fit the desktop (the picture is
 * scaled into it and taps are scaled back). */
static int open_window(struct ui *u, char *err, size_t err_len)
{
	/* The window shows a picture drawn in memory: copy it straight to
	 * the display (X11: shared memory), not through an OpenGL texture
	 * SDL would otherwise make for the window's surface. Without a GPU
	 * (Xvfb, a kiosk on Mesa's llvmpipe) that texture path costs a GL
	 * context at start (~300 ms) and ~15 ms per full-screen frame.
	 * SDL_FRAMEBUFFER_ACCELERATION in the environment still wins.
	 * (ui_open sets the hint, before its thread starts.) */
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
		snprintf(err, err_len, "no display for the kiosk's window: %s", SDL_GetError());
		return WF_EIO;
	}
	int x = SDL_WINDOWPOS_UNDEFINED, y = SDL_WINDOWPOS_UNDEFINED;
	int ww = u->cfg.width, wh = u->cfg.height;
	Uint32 flags = SDL_WINDOW_SHOWN;
	SDL_Rect b;
	if (u->cfg.fullscreen && SDL_GetDisplayBounds(0, &b) == 0 && b.w > 0 && b.h > 0) {
		/* Full screen on X11 waits up to 100 ms for a window manager
		 * (none on most kiosks): first a borderless window over the
		 * whole display, shown at once; full screen proper after the
		 * first frame (ui_fullscreen_now). */
		x = b.x, y = b.y, ww = b.w, wh = b.h;
		flags |= SDL_WINDOW_BORDERLESS;
		u->fullscreen_pending = true;
	} else if (u->cfg.fullscreen) {
		flags = SDL_WINDOW_FULLSCREEN_DESKTOP;
	} else if (SDL_GetDisplayUsableBounds(0, &b) == 0 && b.w > 0 && b.h > 0 &&
	           (ww > b.w || wh > b.h)) {
		double k =
		    (double)b.w / ww < (double)b.h / wh ? (double)b.w / ww : (double)b.h / wh;
		ww = (int)(ww * k), wh = (int)(wh * k);
	}
	u->win = SDL_CreateWindow("Wufei", x, y, ww, wh, flags);
	if (!u->win) {
		snprintf(err, err_len, "window: %s", SDL_GetError());
		return WF_EIO;
	}
	SDL_ShowCursor(SDL_DISABLE); /* a touch screen */
	return WF_OK;
}

int ui_open(const struct ui_config *cfg, struct ui **out, char *err, size_t err_len)
{
	*out = NULL;
	if (cfg->width < 240 || cfg->height < 320 || cfg->width > 8192 || cfg->height > 8192) {
		snprintf(err, err_len, "screen size %dx%d out of range", cfg->width, cfg->height);
		return WF_EINVAL;
	}
	struct prep p = {.rc = WF_EIO};
	if (cfg->font_path && cfg->font_path[0])
		snprintf(p.path, sizeof p.path, "%s", cfg->font_path);
	if (TTF_Init() != 0) { /* counted: ui_close's TTF_Quit undoes only this one */
		snprintf(err, err_len, "SDL_ttf: %s", TTF_GetError());
		return WF_EIO;
	}
	struct ui *u = calloc(1, sizeof *u);
	if (!u) {
		TTF_Quit();
		snprintf(err, err_len, "out of memory");
		return WF_ENOMEM;
	}
	u->cfg = *cfg;
	ui_input_init(u);
	snprintf(u->kiosk_name, sizeof u->kiosk_name, "%s", cfg->kiosk_name ? cfg->kiosk_name : "");
	u->pressed = u->drawn_pressed = -1;
	p.u = u;
	/* Connecting to the display and making the window take tens of ms
	 * (more on a busy X server): the fonts and the first frame's texts
	 * are prepared meanwhile. */
	if (cfg->window) /* before the thread: SDL's hints are not thread-safe */
		SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
	SDL_Thread *t = cfg->window ? SDL_CreateThread(prepare, "wufei-ui-prepare", &p) : NULL;
	if (!t)
		prepare(&p);
	int rc = cfg->window ? open_window(u, err, err_len) : WF_OK;
	if (t)
		SDL_WaitThread(t, NULL);
	if (rc == WF_OK && p.rc != WF_OK) {
		rc = p.rc;
		snprintf(err, err_len, "%s", p.err);
	}
	u->surface =
	    SDL_CreateRGBSurfaceWithFormat(0, cfg->width, cfg->height, 32, SDL_PIXELFORMAT_RGB888);
	u->ren = u->surface ? SDL_CreateSoftwareRenderer(u->surface) : NULL;
	if (rc == WF_OK && !u->ren) {
		rc = WF_EIO;
		snprintf(err, err_len, "SDL: %s", SDL_GetError());
	}
	if (rc != WF_OK) {
		ui_close(u);
		return rc;
	}
	*out = u;
	return WF_OK;
}

void ui_close(struct ui *u)
{
	if (!u)
		return;
	ui_cache_clear(u);
	for (int i = 0; i < UI_FONT_COUNT; i++)
		if (u->font[i])
			TTF_CloseFont(u->font[i]);
	if (u->ren)
		SDL_DestroyRenderer(u->ren);
	if (u->surface)
		SDL_FreeSurface(u->surface);
	if (u->win) {
		SDL_DestroyWindow(u->win);
		SDL_Quit(); /* also closes what SDL opened on its own (D-Bus) */
	}
	free(u);
	TTF_Quit();
}

/* The window pixels a surface rectangle r maps to, window w x h, surface
 * sw x sh: from floor to ceiling, so no window pixel sampling r is left. */
static SDL_Rect scaled(struct ui_rect r, int w, int h, int sw, int sh)
{
	int x0 = (int)((int64_t)r.x * w / sw), y0 = (int)((int64_t)r.y * h / sh);
	int x1 = (int)(((int64_t)(r.x + r.w) * w + sw - 1) / sw);
	int y1 = (int)(((int64_t)(r.y + r.h) * h + sh - 1) / sh);
	SDL_Rect d = {x0, y0, (x1 < w ? x1 : w) - x0, (y1 < h ? y1 : h) - y0};
	return d;
}

/* Window pixels d sampled nearest-neighbour from the whole surface (the
 * same formats, 4 bytes a pixel): window pixel (X, Y) shows surface pixel
 * (X * sw / w, Y * sh / h), whichever rectangle is copied. */
static void sample(const SDL_Surface *s, SDL_Surface *ws, SDL_Rect d)
{
	for (int y = d.y; y < d.y + d.h; y++) {
		const Uint32 *src = (const Uint32 *)((const Uint8 *)s->pixels +
		                                     (int64_t)y * s->h / ws->h * s->pitch);
		Uint32 *dst = (Uint32 *)((Uint8 *)ws->pixels + (int64_t)y * ws->pitch);
		for (int x = d.x; x < d.x + d.w; x++)
			dst[x] = src[(int64_t)x * s->w / ws->w];
	}
}

int ui_present_window(struct ui *u, bool whole)
{
	if (!u->win)
		return WF_OK;
	SDL_Surface *ws = SDL_GetWindowSurface(u->win);
	if (!ws)
		return WF_EIO;
	if (ws != u->win_seen || ws->w != u->win_seen_w || ws->h != u->win_seen_h)
		whole = true; /* a new surface (the window was resized): all of it */
	u->win_seen = ws, u->win_seen_w = ws->w, u->win_seen_h = ws->h;
	struct ui_rect all = {0, 0, u->surface->w, u->surface->h};
	const struct ui_rect *rs = whole ? &all : u->dirty;
	int n = whole ? 1 : u->ndirty;
	bool same = ws->w == u->surface->w && ws->h == u->surface->h;
	bool samplable = ws->format->format == u->surface->format->format &&
	                 ws->format->BytesPerPixel == 4 && !SDL_MUSTLOCK(ws);
	if (!same && !samplable) { /* another format: let SDL scale it all */
		if (SDL_BlitScaled(u->surface, NULL, ws, NULL) != 0)
			return WF_EIO;
		return SDL_UpdateWindowSurface(u->win) == 0 ? WF_OK : WF_EIO;
	}
	SDL_Rect d[UI_DIRTY_MAX];
	for (int k = 0; k < n; k++) {
		if (same) {
			SDL_Rect sr = {rs[k].x, rs[k].y, rs[k].w, rs[k].h};
			d[k] = sr;
			if (SDL_BlitSurface(u->surface, &sr, ws, &d[k]) != 0)
				return WF_EIO;
			d[k] = sr;
		} else {
			d[k] = scaled(rs[k], ws->w, ws->h, u->surface->w, u->surface->h);
			sample(u->surface, ws, d[k]);
		}
	}
	return SDL_UpdateWindowSurfaceRects(u->win, d, n) == 0 ? WF_OK : WF_EIO;
}

void ui_fullscreen_now(struct ui *u)
{
	u->fullscreen_pending = false;
	if (SDL_SetWindowFullscreen(u->win, SDL_WINDOW_FULLSCREEN_DESKTOP) == 0)
		ui_present_window(u, true); /* the window may have a new surface */
}

int ui_read_rgb(struct ui *u, uint8_t *rgb, size_t len)
{
	int w = u->surface->w, h = u->surface->h;
	if (len < (size_t)w * h * 3)
		return WF_EINVAL;
	SDL_LockSurface(u->surface);
	for (int y = 0; y < h; y++) {
		const Uint32 *src =
		    (const Uint32 *)((const Uint8 *)u->surface->pixels + y * u->surface->pitch);
		for (int x = 0; x < w; x++) {
			uint8_t *p = rgb + ((size_t)y * w + x) * 3;
			SDL_GetRGB(src[x], u->surface->format, &p[0], &p[1], &p[2]);
		}
	}
	SDL_UnlockSurface(u->surface);
	return WF_OK;
}

void ui_set_health(struct ui *u, const struct ui_health *h)
{
	u->has_health = h != NULL;
	memset(&u->health, 0, sizeof u->health);
	if (h)
		u->health = *h;
}

void ui_set_facts(struct ui *u, const struct ui_facts *f)
{
	u->has_facts = f != NULL;
	memset(&u->facts, 0, sizeof u->facts);
	if (f)
		u->facts = *f;
}

struct ui_layout_in ui_layout_in_of(const struct ui *u)
{
	struct ui_layout_in in = {.width = u->cfg.width,
	                          .height = u->cfg.height,
	                          .dpi = u->cfg.dpi,
	                          .kiosk_name = u->kiosk_name,
	                          .facts = u->has_facts ? &u->facts : NULL,
	                          .health = u->has_health ? &u->health : NULL};
	return in;
}

const struct ui_layout *ui_shown(const struct ui *u)
{
	return &u->shown;
}

int ui_save_png(struct ui *u, const char *path, char *err, size_t err_len)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return WF_EIO;
	}
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int w = u->surface->w, h = u->surface->h;
	png_bytep row = malloc((size_t)w * 3);
	int rc = WF_EIO;
	if (png && info && row && !setjmp(png_jmpbuf(png))) {
		png_init_io(png, f);
		png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
		             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		             PNG_FILTER_TYPE_DEFAULT);
		png_write_info(png, info);
		SDL_LockSurface(u->surface);
		for (int y = 0; y < h; y++) {
			const Uint32 *src = (const Uint32 *)((const Uint8 *)u->surface->pixels +
			                                     y * u->surface->pitch);
			for (int x = 0; x < w; x++) {
				Uint8 r, g, b;
				SDL_GetRGB(src[x], u->surface->format, &r, &g, &b);
				row[3 * x] = r, row[3 * x + 1] = g, row[3 * x + 2] = b;
			}
			png_write_row(png, row);
		}
		SDL_UnlockSurface(u->surface);
		png_write_end(png, NULL);
		rc = WF_OK;
	}
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	free(row);
	if (fclose(f) != 0)
		rc = WF_EIO;
	if (rc)
		snprintf(err, err_len, "%s: cannot write the PNG", path);
	return rc;
}
