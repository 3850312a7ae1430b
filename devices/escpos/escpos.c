/* escpos.c — ESC/POS commands into a fixed buffer. */
#include "escpos.h"

#include "wf.h"

#include <iconv.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_CHARS ESCPOS_LINE_BYTES
#define QUIET_MODULES  4
#define RASTER_HEAD    8
#define SLICE_ROWS_MAX 255 /* rows in one slice, whatever the width */

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
	j->paper_dots = ESCPOS_DOTS_58MM;
	j->cut = ESCPOS_CUT_GS_V_66;
	uint8_t init[2] = {0x1b, 0x40};
	put(j, init, 2);
}

void escpos_printer(struct escpos_job *j, int paper_dots, enum escpos_cut cut)
{
	j->paper_dots = paper_dots;
	j->cut = cut;
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
	if (j->cut == ESCPOS_CUT_GS_V_0 || j->cut == ESCPOS_CUT_GS_V_1) {
		/* function A: m = 0 full cut, m = 1 partial cut, at the current position */
		uint8_t cut[3] = {0x1d, 0x56, j->cut == ESCPOS_CUT_GS_V_0 ? 0 : 1};
		put(j, cut, 3);
		return;
	}
	uint8_t cut[4] = {0x1d, 0x56, 66, 3}; /* function B: feed 3 lines, partial cut */
	put(j, cut, 4);
}

/* The length of the UTF-8 character at p (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = p[0] < 0x80             ? 1
	           : (p[0] & 0xe0) == 0xc0 ? 2
	           : (p[0] & 0xf0) == 0xe0 ? 3
	           : (p[0] & 0xf8) == 0xf0 ? 4
	                                   : 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* text as GB18030 into out[cap], whole characters only; its length, or -1. */
static int to_gb18030(iconv_t cd, const char *text, char *out, size_t cap)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p;) {
		size_t clen = utf8_len(p);
		if (clen == 0)
			return -1;
		char one[8] = "?", *in = (char *)p, *o = one;
		size_t inleft = clen, oleft = sizeof one;
		if (clen > 1 || (*p >= 0x20 && *p < 0x7f)) {
			iconv(cd, NULL, NULL, NULL, NULL);
			if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1)
				return -1;
		} else {
			o = one + 1; /* a control character: '?' */
		}
		size_t olen = (size_t)(o - one);
		if (n + olen > cap)
			break;
		memcpy(out + n, one, olen);
		n += olen;
		p += clen;
	}
	return (int)n;
}

int escpos_line_gb18030(struct escpos_job *j, const char *text)
{
	char gb[LINE_MAX_CHARS];
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	if (cd == (iconv_t)-1)
		return WF_EINVAL; /* glibc always has it: a broken installation */
	int n = to_gb18030(cd, text, gb, sizeof gb);
	iconv_close(cd);
	if (n < 0)
		return WF_EINVAL;
	uint8_t on[2] = {0x1c, 0x26}, off[3] = {0x1c, 0x2e, '\n'};
	put(j, on, 2);
	put(j, gb, (size_t)n);
	put(j, off, 3);
	return WF_OK;
}

int escpos_raster(struct escpos_job *j, const uint8_t *bits, int width_dots, int rows)
{
	if (!bits || width_dots < 1 || rows < 1 || width_dots > j->paper_dots)
		return WF_EINVAL;
	size_t wb = ((size_t)width_dots + 7) / 8;
	int per = (int)((ESCPOS_SLICE_MAX - RASTER_HEAD) / wb);
	per = per > SLICE_ROWS_MAX ? SLICE_ROWS_MAX : per;
	for (int y0 = 0; y0 < rows; y0 += per) {
		int n = rows - y0 < per ? rows - y0 : per;
		uint8_t head[RASTER_HEAD] = {0x1d,
		                             0x76,
		                             0x30,
		                             0x00,
		                             (uint8_t)(wb & 0xff),
		                             (uint8_t)(wb >> 8),
		                             (uint8_t)(n & 0xff),
		                             (uint8_t)(n >> 8)};
		put(j, head, RASTER_HEAD);
		put(j, bits + (size_t)y0 * wb, (size_t)n * wb);
	}
	return WF_OK;
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
	int dots = (q->width + 2 * QUIET_MODULES) * module_dots;
	size_t wb = ((size_t)dots + 7) / 8;
	uint8_t *bits = dots <= j->paper_dots ? calloc((size_t)dots, wb) : NULL;
	int rc = dots > j->paper_dots ? WF_EINVAL : bits ? WF_OK : WF_ENOMEM;
	for (int y = 0; bits && y < dots; y++) {
		int my = y / module_dots - QUIET_MODULES;
		for (int x = 0; x < dots; x++) {
			int mx = x / module_dots - QUIET_MODULES;
			bool dark = my >= 0 && my < q->width && mx >= 0 && mx < q->width &&
			            (q->data[my * q->width + mx] & 1);
			if (dark)
				bits[(size_t)y * wb + (size_t)x / 8] |= (uint8_t)(0x80 >> (x % 8));
		}
	}
	if (rc == WF_OK)
		rc = escpos_raster(j, bits, dots, dots);
	free(bits);
	QRcode_free(q);
	return rc;
}
