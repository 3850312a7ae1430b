/*
 * print_raster.h — the receipt's text lines, and the seam through which
 * printing.c has them drawn into a 1-bit image for a printer that cannot
 * print Chinese itself. Not an interface: only kiosk/runner/ includes it.
 *
 * print_raster.c draws with SDL2_ttf (ui/draw/receipt_raster.h) in a kiosk
 * built with SDL2; print_raster_none.c, built instead with WUFEI_UI=OFF,
 * draws nothing and says why (CMake builds one of the two: no #ifdef).
 */
#ifndef WUFEI_PRINT_RASTER_H
#define WUFEI_PRINT_RASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "escpos.h"

#define PRINT_LINE_MAX  96 /* bytes of UTF-8 in one receipt line, NUL included */
#define PRINT_LINES_MAX 12

struct print_line {
	char text[PRINT_LINE_MAX];
	enum escpos_align align;
	bool bold;
	bool big; /* double width and height */
};

/* Whether this kiosk can draw receipt text (built with SDL2). */
bool print_raster_available(void);

/*
 * print_raster_text — lines[n] drawn across width_dots with the font at
 * font_path ("" = fontconfig's Chinese font) into *bits (malloc'd rows of
 * (width_dots + 7) / 8 bytes, top bit leftmost, 1 = black; the caller frees)
 * and *rows. Returns WF_OK; else an error with the reason in err (no font,
 * no SDL2 in this build), *bits NULL.
 */
int print_raster_text(const struct print_line *lines, size_t n, const char *font_path,
                      int width_dots, uint8_t **bits, int *rows, char *err, size_t err_len);

#endif
