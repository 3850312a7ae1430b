/*
 * sim_png.c — writes the simulated printer's paper (a 1-bit image) as a PNG
 * with libpng, so a test can decode the receipt's QR code with zbarimg.
 */
#include "sim.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct png_job {
	const uint8_t *bits;
	int w, h, margin, scale;
	uint8_t *row;
};

/* Everything that may longjmp lives here, with no local kept across setjmp. */
static int png_emit(png_structp png, png_infop info, FILE *f, const struct png_job *j)
{
	if (setjmp(png_jmpbuf(png)))
		return -1;
	int ow = (j->w + 2 * j->margin) * j->scale, oh = (j->h + 2 * j->margin) * j->scale;
	size_t stride = ((size_t)j->w + 7) / 8;
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)ow, (png_uint_32)oh, 8, PNG_COLOR_TYPE_GRAY,
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < oh; y++) {
		int sy = y / j->scale - j->margin;
		for (int x = 0; x < ow; x++) {
			int sx = x / j->scale - j->margin;
			bool black =
			    sy >= 0 && sy < j->h && sx >= 0 && sx < j->w &&
			    (j->bits[(size_t)sy * stride + (size_t)sx / 8] >> (7 - sx % 8)) & 1;
			j->row[x] = black ? 0 : 255;
		}
		png_write_row(png, j->row);
	}
	png_write_end(png, NULL);
	return 0;
}

int sim_png_write(const char *path, const uint8_t *bits, int w, int h, int margin, int scale)
{
	png_structp png = NULL;
	png_infop info = NULL;
	int rc = -1;
	struct png_job j = {
	    .bits = bits, .w = w, .h = h, .margin = margin, .scale = scale < 1 ? 1 : scale};
	FILE *f = fopen(path, "wb");
	if (!f)
		goto out;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	j.row = malloc((size_t)(w + 2 * margin) * (size_t)j.scale);
	if (!png || !info || !j.row)
		goto out;
	rc = png_emit(png, info, f, &j);
out:
	if (png)
		png_destroy_write_struct(&png, info ? &info : NULL);
	free(j.row);
	if (f && fclose(f) != 0)
		rc = -1;
	return rc;
}
