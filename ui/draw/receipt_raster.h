/*
 * receipt_raster.h — a printed receipt's text drawn with SDL2_ttf into a
 * 1-bit image, for receipt printers that cannot print Chinese themselves
 * (the kiosk sends the image with ESC/POS GS v 0).
 *
 * For: the kiosk runner's raster receipts (kiosk/runner/print_raster.c).
 * Any UTF-8 text, Chinese or English, in the font at font_path or, by
 * default, the one fontconfig offers for Chinese (as ui.c does). A normal
 * line is RECEIPT_RASTER_TEXT_PX tall, like a printer's own 12x24 font; a
 * big line twice that.
 *
 * Not for: the ESC/POS bytes (devices/escpos/), what the lines say
 * (kiosk/runner/printing.c). Needs no display: it draws into memory.
 */
#ifndef WUFEI_RECEIPT_RASTER_H
#define WUFEI_RECEIPT_RASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECEIPT_RASTER_TEXT_PX 24 /* a normal line's font size in dots */

enum receipt_raster_align {
	RECEIPT_RASTER_LEFT = 0,
	RECEIPT_RASTER_CENTER = 1,
	RECEIPT_RASTER_RIGHT = 2,
};

struct receipt_raster_line {
	const char *text; /* UTF-8; "" for an empty line */
	enum receipt_raster_align align;
	bool bold;
	bool big; /* twice the size */
};

/*
 * receipt_raster_render — lines[n] top to bottom across width_dots (8..2048),
 * black on white; a line wider than the paper is cut at its edge. On WF_OK
 * *bits holds *rows rows of (width_dots + 7) / 8 bytes each, the leftmost
 * dot in the top bit, 1 = black (malloc'd: the caller frees). Errors: no
 * font (WF_ENOENT), SDL_ttf failing (WF_EIO), WF_ENOMEM, a bad width
 * (WF_EINVAL); the reason in err, *bits NULL. Blocks while it loads the
 * font (some 100 ms for a CJK font).
 */
int receipt_raster_render(const struct receipt_raster_line *lines, size_t n, const char *font_path,
                          int width_dots, uint8_t **bits, int *rows, char *err, size_t err_len);

#endif
