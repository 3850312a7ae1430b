/*
 * print_raster_none.c — print_raster.h for a wufei-kiosk built without SDL2
 * (cmake -DWUFEI_UI=OFF): receipt text cannot be drawn, so a printer set to
 * `chinese = raster` prints Chinese receipts in English (printing.c says so
 * in the log when the kiosk starts). CMake builds this file or
 * print_raster.c, never both.
 */
#include "print_raster.h"

#include <stdio.h>

#include "wf.h"

bool print_raster_available(void)
{
	return false;
}

int print_raster_text(const struct print_line *lines, size_t n, const char *font_path,
                      int width_dots, uint8_t **bits, int *rows, char *err, size_t err_len)
{
	(void)lines;
	(void)n;
	(void)font_path;
	(void)width_dots;
	*bits = NULL;
	*rows = 0;
	snprintf(err, err_len,
	         "this wufei-kiosk was built without SDL2: no receipt text as raster");
	return WF_ESTATE;
}
