/*
 * receipt_raster.c — receipt text drawn with SDL2_ttf into a 1-bit image
 * (receipt_raster.h). Each line is rendered "solid" (no anti-aliasing: a
 * thermal head prints a dot or none) and its text pixels copied as black
 * dots.
 */
#include "receipt_raster.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_private.h" /* ui_font_find */
#include "wf.h"

#define MARGIN_ROWS 8 /* white above and below the text */

struct canvas {
	uint8_t *bits;
	int width, rows;
	size_t stride;
};

/* The text pixels of s (an 8-bit "solid" surface: index 0 is background)
 * into the canvas with its top-left corner at x, y. */
static void blit(struct canvas *c, SDL_Surface *s, int x, int y)
{
	if (SDL_LockSurface(s) != 0)
		return;
	for (int sy = 0; sy < s->h; sy++) {
		const uint8_t *src = (const uint8_t *)s->pixels + (size_t)sy * (size_t)s->pitch;
		int cy = y + sy;
		if (cy < 0 || cy >= c->rows)
			continue;
		for (int sx = 0; sx < s->w; sx++) {
			int cx = x + sx;
			if (src[sx] && cx >= 0 && cx < c->width)
				c->bits[(size_t)cy * c->stride + (size_t)cx / 8] |=
				    (uint8_t)(0x80 >> (cx % 8));
		}
	}
	SDL_UnlockSurface(s);
}

/* Draws the lines with fonts[0] (normal) and fonts[1] (big). */
static int draw_lines(struct canvas *c, TTF_Font *const fonts[2],
                      const struct receipt_raster_line *lines, size_t n)
{
	SDL_Color black = {0, 0, 0, 255};
	int y = MARGIN_ROWS;
	for (size_t i = 0; i < n; i++) {
		TTF_Font *f = fonts[lines[i].big ? 1 : 0];
		TTF_SetFontStyle(f, lines[i].bold ? TTF_STYLE_BOLD : TTF_STYLE_NORMAL);
		int skip = TTF_FontLineSkip(f);
		if (c->bits && lines[i].text[0]) {
			SDL_Surface *s = TTF_RenderUTF8_Solid(f, lines[i].text, black);
			if (!s)
				return WF_EIO;
			int x = lines[i].align == RECEIPT_RASTER_CENTER  ? (c->width - s->w) / 2
			        : lines[i].align == RECEIPT_RASTER_RIGHT ? c->width - s->w
			                                                 : 0;
			blit(c, s, x < 0 ? 0 : x, y);
			SDL_FreeSurface(s);
		}
		y += skip;
	}
	return y + MARGIN_ROWS;
}

/* Opens the normal and the big font; WF_OK or an error with err set. */
static int fonts_open(const char *font_path, TTF_Font *fonts[2], char *err, size_t err_len)
{
	char path[1024];
	int index = 0;
	if (font_path && *font_path)
		snprintf(path, sizeof path, "%s", font_path);
	else if (ui_font_find(path, sizeof path, &index, err, err_len) != WF_OK)
		return WF_ENOENT;
	fonts[0] = TTF_OpenFontIndex(path, RECEIPT_RASTER_TEXT_PX, index);
	fonts[1] = fonts[0] ? TTF_OpenFontIndex(path, 2 * RECEIPT_RASTER_TEXT_PX, index) : NULL;
	if (!fonts[1]) {
		snprintf(err, err_len, "SDL_ttf: %s: %s", path, TTF_GetError());
		return WF_ENOENT;
	}
	return WF_OK;
}

int receipt_raster_render(const struct receipt_raster_line *lines, size_t n, const char *font_path,
                          int width_dots, uint8_t **bits, int *rows, char *err, size_t err_len)
{
	*bits = NULL;
	*rows = 0;
	if (width_dots < 8 || width_dots > 2048) {
		snprintf(err, err_len, "receipt width %d dots out of range", width_dots);
		return WF_EINVAL;
	}
	if (TTF_Init() != 0) { /* counted: TTF_Quit below undoes only this one */
		snprintf(err, err_len, "SDL_ttf: %s", TTF_GetError());
		return WF_EIO;
	}
	TTF_Font *fonts[2] = {NULL, NULL};
	struct canvas c = {.width = width_dots, .stride = ((size_t)width_dots + 7) / 8};
	int rc = fonts_open(font_path, fonts, err, err_len);
	if (rc != WF_OK)
		goto out;
	c.rows = draw_lines(&c, fonts, lines, n); /* measures only: no bits yet */
	c.bits = calloc((size_t)c.rows, c.stride);
	if (!c.bits) {
		snprintf(err, err_len, "out of memory");
		rc = WF_ENOMEM;
		goto out;
	}
	if (draw_lines(&c, fonts, lines, n) < 0) {
		snprintf(err, err_len, "SDL_ttf: %s", TTF_GetError());
		rc = WF_EIO;
		goto out;
	}
	*bits = c.bits;
	*rows = c.rows;
	c.bits = NULL;
out:
	free(c.bits);
	for (int i = 0; i < 2; i++)
		if (fonts[i])
			TTF_CloseFont(fonts[i]);
	TTF_Quit();
	return rc;
}
