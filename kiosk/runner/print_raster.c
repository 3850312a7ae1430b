/*
 * print_raster.c — print_raster.h with SDL2_ttf: the runner's lines handed
 * to ui/draw/receipt_raster.c.
 */
#include "print_raster.h"

#include "receipt_raster.h"
#include "wf.h"

bool print_raster_available(void)
{
	return true;
}

int print_raster_text(const struct print_line *lines, size_t n, const char *font_path,
                      int width_dots, uint8_t **bits, int *rows, char *err, size_t err_len)
{
	struct receipt_raster_line rl[PRINT_LINES_MAX];
	if (n > PRINT_LINES_MAX)
		n = PRINT_LINES_MAX;
	for (size_t i = 0; i < n; i++) {
		rl[i].text = lines[i].text;
		rl[i].align = lines[i].align == ESCPOS_CENTER  ? RECEIPT_RASTER_CENTER
		              : lines[i].align == ESCPOS_RIGHT ? RECEIPT_RASTER_RIGHT
		                                               : RECEIPT_RASTER_LEFT;
		rl[i].bold = lines[i].bold;
		rl[i].big = lines[i].big;
	}
	return receipt_raster_render(rl, n, font_path, width_dots, bits, rows, err, err_len);
}
