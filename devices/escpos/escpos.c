/* escpos.c — ESC/POS commands into a fixed buffer. */
#include "escpos.h"

#include "wf.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_CHARS 64
#define QUIET_MODULES  4

static void put(struct escpos_job *j, const void *p, size_t n)
{
	if (j->overflow || n > j->cap - j->len) {
		j->overflow = true;
		return;
	}
	memcpy(j->data + j->len, p, n);
	j->len += n;
}

static void put3(struct escpos_job *j, uint8_t a, uint8_t b, uint8_t c)
{
	uint8_t v[3] = {a, b, c};
	put(j, v, 3);
}

void escpos_begin(struct escpos_job *j, uint8_t *mem, size_t cap)
{
	j->data = mem;
	j->cap = cap;
	j->len = 0;
	j->overflow = false;
	uint8_t init[2] = {0x1b, 0x40};
	put(j, init, 2);
}

bool escpos_ok(const struct escpos_job *j)
{
	return !j->overflow;
}

void escpos_align(struct escpos_job *j, enum escpos_align a)
{
	put3(j, 0x1b, 0x61, (uint8_t)a);
}

void escpos_bold(struct escpos_job *j, bool on)
{
	put3(j, 0x1b, 0x45, on ? 1 : 0);
}

void escpos_size(struct escpos_job *j, int width, int height)
{
	width = width < 1 ? 1 : width > 8 ? 8 : width;
	height = height < 1 ? 1 : height > 8 ? 8 : height;
	put3(j, 0x1d, 0x21, (uint8_t)(((width - 1) << 4) | (height - 1)));
}

void escpos_line(struct escpos_job *j, const char *text)
{
	char line[LINE_MAX_CHARS + 1];
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p && n < LINE_MAX_CHARS; p++) {
		if (*p >= 0x80 && (*p & 0xc0) == 0x80)
			continue; /* one '?' per UTF-8 character, not per byte */
		line[n++] = (*p >= 0x20 && *p < 0x7f) ? (char)*p : '?';
	}
	line[n++] = '\n';
	put(j, line, n);
}

void escpos_feed(struct escpos_job *j, int lines)
{
	put3(j, 0x1b, 0x64, (uint8_t)(lines < 0 ? 0 : lines > 255 ? 255 : lines));
}

void escpos_cut(struct escpos_job *j)
{
	uint8_t cut[4] = {0x1d, 0x56, 66, 3}; /* function B: feed 3 lines, partial cut */
	put(j, cut, 4);
}

/* GS ( k pL pH cn fn [params] with cn = 0x31 (QR). */
static void qr_fn(struct escpos_job *j, uint8_t fn, const uint8_t *params, size_t n)
{
	size_t plen = n + 2;
	uint8_t head[7] = {0x1d, 0x28, 0x6b, (uint8_t)(plen & 0xff), (uint8_t)(plen >> 8),
	                   0x31, fn};
	put(j, head, 7);
	if (n)
		put(j, params, n);
}

int escpos_qr_native(struct escpos_job *j, const char *data, int module_dots)
{
	size_t len = data ? strlen(data) : 0;
	if (len == 0 || len > 7089 || module_dots < 1 || module_dots > 16)
		return WF_EINVAL;
	uint8_t model[2] = {0x32, 0x00}; /* fn 165 (0x41): model 2 */
	qr_fn(j, 0x41, model, 2);
	uint8_t size = (uint8_t)module_dots; /* fn 167 (0x43) */
	qr_fn(j, 0x43, &size, 1);
	uint8_t ec = 49; /* fn 169 (0x45): level M */
	qr_fn(j, 0x45, &ec, 1);
	/* fn 180 (0x50): store; params are m = 0x30 then the data. */
	size_t plen = len + 3;
	uint8_t head[8] = {0x1d, 0x28, 0x6b, (uint8_t)(plen & 0xff), (uint8_t)(plen >> 8),
	                   0x31, 0x50, 0x30};
	put(j, head, 8);
	put(j, data, len);
	uint8_t m = 0x30; /* fn 181 (0x51): print */
	qr_fn(j, 0x51, &m, 1);
	return WF_OK;
}

int escpos_qr_raster(struct escpos_job *j, const char *data, int module_dots)
{
	if (!data || !*data || module_dots < 1 || module_dots > 16)
		return WF_EINVAL;
	QRcode *q = QRcode_encodeString(data, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return WF_EINVAL; /* too long for a QR code at level M */
	int modules = q->width + 2 * QUIET_MODULES;
	int dots = modules * module_dots;
	int bytes_per_row = (dots + 7) / 8;
	int rows_total = dots;
	uint8_t *row = calloc((size_t)bytes_per_row, 1);
	if (!row) {
		QRcode_free(q);
		return WF_ENOMEM;
	}
	for (int y0 = 0; y0 < rows_total; y0 += 255) {
		int rows = rows_total - y0 < 255 ? rows_total - y0 : 255;
		uint8_t head[8] = {0x1d,
		                   0x76,
		                   0x30,
		                   0x00,
		                   (uint8_t)(bytes_per_row & 0xff),
		                   (uint8_t)(bytes_per_row >> 8),
		                   (uint8_t)(rows & 0xff),
		                   (uint8_t)(rows >> 8)};
		put(j, head, 8);
		for (int y = y0; y < y0 + rows; y++) {
			memset(row, 0, (size_t)bytes_per_row);
			int my = y / module_dots - QUIET_MODULES;
			for (int x = 0; x < dots; x++) {
				int mx = x / module_dots - QUIET_MODULES;
				bool dark = my >= 0 && my < q->width && mx >= 0 && mx < q->width &&
				            (q->data[my * q->width + mx] & 1);
				if (dark)
					row[x / 8] |= (uint8_t)(0x80 >> (x % 8));
			}
			put(j, row, (size_t)bytes_per_row);
		}
	}
	free(row);
	QRcode_free(q);
	return WF_OK;
}
