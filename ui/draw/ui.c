/* ui.c — the kiosk's screens drawn offscreen with SDL2; see ui.h. */
#include "ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <png.h>
#include <qrencode.h>

#include "ui_private.h"
#include "ui_text.h"
#include "wf.h"

static const SDL_Color C_BG = {0xF4, 0xF8, 0xF4, 0xFF};
static const SDL_Color C_HEADER = {0x2E, 0x7D, 0x32, 0xFF};
static const SDL_Color C_TEXT = {0x1B, 0x1B, 0x1B, 0xFF};
static const SDL_Color C_WHITE = {0xFF, 0xFF, 0xFF, 0xFF};
static const SDL_Color C_ERROR = {0xC6, 0x28, 0x28, 0xFF};
static const SDL_Color C_BUTTON = {0xE0, 0xF2, 0xF1, 0xFF};
static const SDL_Color C_BORDER = {0x00, 0x69, 0x5C, 0xFF};
static const SDL_Color C_BLACK = {0x00, 0x00, 0x00, 0xFF};

/* Finds a font file that covers Chinese through fontconfig. */
static int find_font(char *path, size_t cap, int *index, char *err, size_t err_len)
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

int ui_open(const struct ui_config *cfg, struct ui **out, char *err, size_t err_len)
{
	*out = NULL;
	if (cfg->width < 240 || cfg->height < 320 || cfg->width > 8192 || cfg->height > 8192) {
		snprintf(err, err_len, "screen size %dx%d out of range", cfg->width, cfg->height);
		return WF_EINVAL;
	}
	char path[1024];
	int index = 0;
	if (cfg->font_path && cfg->font_path[0])
		snprintf(path, sizeof path, "%s", cfg->font_path);
	else if (find_font(path, sizeof path, &index, err, err_len) != WF_OK)
		return WF_ENOENT;
	if (!TTF_WasInit() && TTF_Init() != 0) {
		snprintf(err, err_len, "SDL_ttf: %s", TTF_GetError());
		return WF_EIO;
	}
	struct ui *u = calloc(1, sizeof *u);
	if (!u) {
		snprintf(err, err_len, "out of memory");
		return WF_ENOMEM;
	}
	u->cfg = *cfg;
	ui_input_init(u);
	snprintf(u->kiosk_name, sizeof u->kiosk_name, "%s", cfg->kiosk_name ? cfg->kiosk_name : "");
	u->s = cfg->width / 1080.0;
	static const int sizes[F_COUNT] = {40, 54, 80};
	for (int i = 0; i < F_COUNT; i++) {
		u->font[i] = TTF_OpenFontIndex(path, (int)(sizes[i] * u->s + 0.5), index);
		if (!u->font[i]) {
			snprintf(err, err_len, "font %s: %s", path, TTF_GetError());
			ui_close(u);
			return WF_ENOENT;
		}
	}
	u->surface =
	    SDL_CreateRGBSurfaceWithFormat(0, cfg->width, cfg->height, 32, SDL_PIXELFORMAT_RGB888);
	u->ren = u->surface ? SDL_CreateSoftwareRenderer(u->surface) : NULL;
	if (!u->ren) {
		snprintf(err, err_len, "SDL: %s", SDL_GetError());
		ui_close(u);
		return WF_EIO;
	}
	if (cfg->window) {
		if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
			snprintf(err, err_len, "no display for the kiosk's window: %s",
			         SDL_GetError());
			ui_close(u);
			return WF_EIO;
		}
		/* A window (not full screen) shrinks to fit the desktop; the
		 * picture is scaled into it and taps are scaled back. */
		int ww = cfg->width, wh = cfg->height;
		SDL_Rect b;
		if (!cfg->fullscreen && SDL_GetDisplayUsableBounds(0, &b) == 0 && b.w > 0 &&
		    b.h > 0 && (ww > b.w || wh > b.h)) {
			double k = (double)b.w / ww < (double)b.h / wh ? (double)b.w / ww
			                                               : (double)b.h / wh;
			ww = (int)(ww * k), wh = (int)(wh * k);
		}
		u->win = SDL_CreateWindow(
		    "Wufei", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, ww, wh,
		    cfg->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : SDL_WINDOW_SHOWN);
		if (!u->win) {
			snprintf(err, err_len, "window: %s", SDL_GetError());
			ui_close(u);
			return WF_EIO;
		}
		SDL_ShowCursor(SDL_DISABLE); /* a touch screen */
	}
	*out = u;
	return WF_OK;
}

void ui_close(struct ui *u)
{
	if (!u)
		return;
	for (int i = 0; i < F_COUNT; i++)
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

static int px(const struct ui *u, int v)
{
	return (int)(v * u->s + 0.5);
}

static void fill(struct ui *u, SDL_Color c, int x, int y, int w, int h)
{
	SDL_Rect r = {x, y, w, h};
	SDL_SetRenderDrawColor(u->ren, c.r, c.g, c.b, c.a);
	SDL_RenderFillRect(u->ren, &r);
}

/* Draws text wrapped to width w at (x, y); centred in w when centre. Returns
 * the height used (0 for empty text or on failure). */
static int text(struct ui *u, int font, SDL_Color c, const char *s, int x, int y, int w,
                bool centre)
{
	if (!s || !s[0])
		return 0;
	SDL_Surface *t = TTF_RenderUTF8_Blended_Wrapped(u->font[font], s, c, (Uint32)w);
	if (!t)
		return 0;
	SDL_Texture *tex = SDL_CreateTextureFromSurface(u->ren, t);
	int h = t->h;
	SDL_Rect r = {centre ? x + (w - t->w) / 2 : x, y, t->w, t->h};
	if (tex) {
		SDL_RenderCopy(u->ren, tex, NULL, &r);
		SDL_DestroyTexture(tex);
	}
	SDL_FreeSurface(t);
	return tex ? h : 0;
}

/* The receipt URL as a QR code (level M) of side at most size, centred. */
static int qr(struct ui *u, const char *url, int y, int size)
{
	QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return 0;
	int modules = q->width + 8; /* 4 modules of quiet zone each side */
	int m = size / modules;
	if (m < 1)
		m = 1;
	int side = m * modules, x0 = (u->cfg.width - side) / 2;
	fill(u, C_WHITE, x0, y, side, side);
	for (int r = 0; r < q->width; r++)
		for (int c = 0; c < q->width; c++)
			if (q->data[r * q->width + c] & 1)
				fill(u, C_BLACK, x0 + (c + 4) * m, y + (r + 4) * m, m, m);
	QRcode_free(q);
	return side;
}

static void buttons(struct ui *u, const struct ui_text *t)
{
	for (unsigned i = 0; i < t->nbuttons; i++) {
		int r[4];
		ui_button_rect(u->cfg.width, u->cfg.height, t->nbuttons, i, r);
		fill(u, C_BORDER, r[0], r[1], r[2], r[3]);
		fill(u, C_BUTTON, r[0] + px(u, 4), r[1] + px(u, 4), r[2] - px(u, 8),
		     r[3] - px(u, 8));
		int th = TTF_FontHeight(u->font[F_BODY]);
		text(u, F_BODY, C_TEXT, t->buttons[i].label, r[0], r[1] + (r[3] - th) / 2, r[2],
		     true);
	}
	u->shown = *t; /* what a tap can hit */
}

int ui_draw(struct ui *u, const struct session_view *v, const struct wf_category *cats,
            unsigned ncats)
{
	struct ui_text t;
	ui_text_make(v, cats, ncats, u->cfg.zh, &t);
	if (v->screen == SESSION_SCREEN_STAFF && u->has_health)
		ui_health_lines(&u->health, u->cfg.zh, &t);
	int w = u->cfg.width, margin = px(u, 60);
	fill(u, C_BG, 0, 0, w, u->cfg.height);
	fill(u, C_HEADER, 0, 0, w, px(u, 140));
	char head[160];
	snprintf(head, sizeof head, "%s%s", u->cfg.zh ? "无废 · " : "Wufei · ", u->kiosk_name);
	text(u, F_SMALL, C_WHITE, head, margin, px(u, 45), w - 2 * margin, false);
	int y = px(u, 220);
	y += text(u, F_TITLE, C_TEXT, t.title, margin, y, w - 2 * margin, true) + px(u, 40);
	for (unsigned i = 0; i < t.nlines; i++)
		y += text(u, F_BODY, C_TEXT, t.lines[i], margin, y, w - 2 * margin, true) +
		     px(u, 24);
	if (t.qr[0])
		y += qr(u, t.qr, y + px(u, 20), px(u, 640)) + px(u, 40);
	if (t.message[0]) {
		int mh = px(u, 150), top[4] = {0, u->cfg.height, 0, 0};
		if (t.nbuttons)
			ui_button_rect(u->cfg.width, u->cfg.height, t.nbuttons, 0, top);
		int my = top[1] - mh - px(u, 30);
		if (my < y)
			my = y;
		fill(u, t.message_is_error ? C_ERROR : C_HEADER, margin, my, w - 2 * margin, mh);
		int th = TTF_FontHeight(u->font[F_BODY]);
		text(u, F_BODY, C_WHITE, t.message, margin, my + (mh - th) / 2, w - 2 * margin,
		     true);
	}
	buttons(u, &t);
	SDL_RenderPresent(u->ren);
	return ui_present_window(u);
}

int ui_present_window(struct ui *u)
{
	if (!u->win)
		return WF_OK;
	SDL_Surface *ws = SDL_GetWindowSurface(u->win);
	if (!ws || SDL_BlitScaled(u->surface, NULL, ws, NULL) != 0 ||
	    SDL_UpdateWindowSurface(u->win) != 0)
		return WF_EIO;
	return WF_OK;
}

void ui_set_health(struct ui *u, const struct ui_health *h)
{
	u->has_health = h != NULL;
	if (h)
		u->health = *h;
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
