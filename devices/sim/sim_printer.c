/*
 * sim_printer.c — an ESC/POS receipt printer that prints onto files.
 *
 * It interprets what the host sends, byte by byte: text, line feeds, Chinese
 * text in the Chinese character mode (FS & ... FS ., GB18030 converted back
 * to UTF-8 with iconv), native QR (GS ( k, cn 0x31: fn 167 module size, 169
 * error correction, 180 store data, 181 print), raster images (GS v 0; the
 * slices of one image joined: one "[raster WxH in N slices]" line), cuts
 * (GS V 66 n, GS V 0/1/48/49, ESC i, ESC m: the line says which) and
 * real-time status requests (DLE EOT n, answered like a TM-T20). Each cut
 * ends a receipt, written into --dir as NAME-NNNN.txt (the text, with a line
 * per picture), NAME-NNNN.png (the paper) and NAME-NNNN.bin (the bytes
 * received).
 *
 * The PNG shows only what the bytes carried: on the raster path exactly the
 * bitmap rows received (after any corruption in transit, `corrupt NAME on`),
 * on the native path the QR symbol libqrencode draws from the data received.
 * Any other command is skipped by its length; unknown bytes are ignored.
 */
#include "sim.h"

#include <iconv.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANVAS_DOTS   1024 /* widest paper we draw, dots */
#define CANVAS_STRIDE (CANVAS_DOTS / 8)
#define CANVAS_ROWS   16384 /* longest receipt we draw, rows */
#define TEXT_MAX      65536
#define RAW_MAX       (1u << 20)
#define CMD_MAX       8200 /* holds GS ( k fn 180 with the largest QR payload */
#define QR_DATA_MAX   7089
#define GB_MAX        512 /* bytes of Chinese text kept until the line ends */

enum pstate { P_IDLE, P_CMD, P_RASTER, P_SKIP, P_NUL };

struct sim_printer {
	char dir[SIM_DIR_MAX];
	char name[SIM_NAME_MAX];
	enum pstate st;
	uint8_t cmd[CMD_MAX];
	size_t cmd_len;
	size_t skip; /* bytes left to skip (P_SKIP) */

	/* raster image being received */
	size_t r_wbytes, r_rows, r_got;
	int r_y0;
	uint32_t corrupt_rng;
	bool corrupt;
	/* the image the slices so far belong to: its line in text[] */
	size_t img_text_at, img_text_end, img_wbytes, img_rows;
	int img_slices;

	/* Chinese character mode (FS &): GB18030 bytes until the line ends */
	bool kanji;
	char gb[GB_MAX];
	size_t gb_len;

	/* the paper so far */
	uint8_t *canvas; /* CANVAS_ROWS x CANVAS_STRIDE */
	int rows_used;
	int width_used;
	char text[TEXT_MAX];
	size_t text_len;
	uint8_t *raw;
	size_t raw_len;

	/* native QR settings */
	uint8_t qr[QR_DATA_MAX + 1];
	size_t qr_len;
	int qr_module;
	int qr_ec;

	/* status */
	int paper; /* 0 ok, 1 near end, 2 out */
	bool offline;

	int receipts;
	int lost; /* cut while out of paper or offline: nothing printed */
	char last_png[SIM_PATH_MAX + 16];
	char last_txt[SIM_PATH_MAX + 16];
};

struct sim_printer *sim_printer_create(const char *dir, const char *name)
{
	struct sim_printer *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->canvas = calloc(CANVAS_ROWS, CANVAS_STRIDE);
	p->raw = malloc(RAW_MAX);
	if (!p->canvas || !p->raw) {
		sim_printer_destroy(p);
		return NULL;
	}
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->corrupt_rng = 0x9e3779b9u;
	sim_printer_reset(p);
	return p;
}

void sim_printer_destroy(struct sim_printer *p)
{
	if (!p)
		return;
	free(p->canvas);
	free(p->raw);
	free(p);
}

static void paper_clear(struct sim_printer *p)
{
	memset(p->canvas, 0, (size_t)CANVAS_ROWS * CANVAS_STRIDE);
	p->rows_used = 0;
	p->width_used = 0;
	p->text_len = 0;
	p->raw_len = 0;
	p->img_slices = 0;
	p->gb_len = 0;
}

void sim_printer_reset(struct sim_printer *p)
{
	p->st = P_IDLE;
	p->cmd_len = 0;
	p->skip = 0;
	p->qr_len = 0;
	p->qr_module = 3;
	p->qr_ec = 'M';
	p->kanji = false;
	paper_clear(p);
}

void sim_printer_set_corrupt(struct sim_printer *p, bool on)
{
	p->corrupt = on;
}

int sim_printer_set_paper(struct sim_printer *p, const char *state)
{
	if (!strcmp(state, "ok"))
		p->paper = 0;
	else if (!strcmp(state, "near"))
		p->paper = 1;
	else if (!strcmp(state, "out"))
		p->paper = 2;
	else
		return -1;
	return 0;
}

void sim_printer_set_offline(struct sim_printer *p, bool on)
{
	p->offline = on;
}

int sim_printer_receipts(const struct sim_printer *p, const char **png, const char **txt)
{
	if (png)
		*png = p->last_png;
	if (txt)
		*txt = p->last_txt;
	return p->receipts;
}

/* ---- paper ------------------------------------------------------------- */

static void text_add(struct sim_printer *p, const char *s, size_t n)
{
	/* text_len never passes TEXT_MAX - 1, so room cannot wrap */
	size_t room = p->text_len < TEXT_MAX - 1 ? TEXT_MAX - 1 - p->text_len : 0;
	if (n > room)
		n = room;
	if (n == 0)
		return;
	memcpy(p->text + p->text_len, s, n);
	p->text_len += n;
}

/* The Chinese text received so far, GB18030 back to UTF-8; a byte iconv
 * cannot take becomes '?'. */
static void gb_flush(struct sim_printer *p)
{
	if (p->gb_len == 0)
		return;
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	char *in = p->gb, out[GB_MAX * 2];
	size_t inleft = p->gb_len;
	while (cd != (iconv_t)-1 && inleft) {
		char *o = out;
		size_t oleft = sizeof out;
		size_t rc = iconv(cd, &in, &inleft, &o, &oleft);
		text_add(p, out, (size_t)(o - out));
		if (rc == (size_t)-1 && inleft) {
			text_add(p, "?", 1);
			in++;
			inleft--;
		}
	}
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	else
		text_add(p, "[no GB18030 in iconv]", 21);
	p->gb_len = 0;
}

static void dot_set(struct sim_printer *p, int x, int y)
{
	if (x < 0 || y < 0 || x >= CANVAS_DOTS || y >= CANVAS_ROWS)
		return;
	p->canvas[(size_t)y * CANVAS_STRIDE + (size_t)x / 8] |= (uint8_t)(0x80 >> (x % 8));
}

static void used_grow(struct sim_printer *p, int rows, int width)
{
	if (rows > p->rows_used)
		p->rows_used = rows > CANVAS_ROWS ? CANVAS_ROWS : rows;
	if (width > p->width_used)
		p->width_used = width > CANVAS_DOTS ? CANVAS_DOTS : width;
}

static void qr_print(struct sim_printer *p)
{
	char line[128];
	int level = p->qr_ec == 'L'   ? QR_ECLEVEL_L
	            : p->qr_ec == 'Q' ? QR_ECLEVEL_Q
	            : p->qr_ec == 'H' ? QR_ECLEVEL_H
	                              : QR_ECLEVEL_M;
	p->qr[p->qr_len] = '\0';
	QRcode *q = NULL;
	if (p->qr_len && memchr(p->qr, 0, p->qr_len) == NULL)
		q = QRcode_encodeString((const char *)p->qr, 0, (QRecLevel)level, QR_MODE_8, 1);
	else if (p->qr_len)
		q = QRcode_encodeData((int)p->qr_len, p->qr, 0, (QRecLevel)level);
	if (!q) {
		text_add(p, "[qr: nothing stored]\n", 21);
		return;
	}
	int m = p->qr_module, quiet = 4 * m;
	int y0 = p->rows_used + quiet;
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1)
				for (int dy = 0; dy < m; dy++)
					for (int dx = 0; dx < m; dx++)
						dot_set(p, quiet + x * m + dx, y0 + y * m + dy);
	used_grow(p, y0 + q->width * m + quiet, 2 * quiet + q->width * m);
	int n = snprintf(line, sizeof(line), "[qr %d modules of %d dots, ec %c: ", q->width, m,
	                 p->qr_ec);
	text_add(p, line, (size_t)n);
	text_add(p, (const char *)p->qr, p->qr_len);
	text_add(p, "]\n", 2);
	QRcode_free(q);
}

static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(buf, 1, len, f);
	int rc = fclose(f);
	return w == len && rc == 0 ? 0 : -1;
}

static void receipt_end(struct sim_printer *p)
{
	char base[SIM_PATH_MAX], path[SIM_PATH_MAX + 16];
	if (p->paper == 2 || p->offline) {
		p->lost++;
		paper_clear(p);
		return;
	}
	p->receipts++;
	snprintf(base, sizeof(base), "%s/%s-%04d", p->dir, p->name, p->receipts % 10000);
	snprintf(path, sizeof(path), "%s.bin", base);
	write_file(path, p->raw, p->raw_len);
	snprintf(path, sizeof(path), "%s.txt", base);
	write_file(path, p->text, p->text_len);
	snprintf(p->last_txt, sizeof(p->last_txt), "%s", path);
	/* Write the PNG under a temporary name and rename it, so a reader that
	 * sees the file sees all of it. */
	char tmp[SIM_PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s.png", base);
	snprintf(tmp, sizeof(tmp), "%s.png.tmp", base);
	int w = p->width_used ? p->width_used : 8, h = p->rows_used ? p->rows_used : 8;
	uint8_t *bits = malloc((size_t)h * (size_t)((w + 7) / 8));
	if (bits) {
		for (int y = 0; y < h; y++)
			memcpy(bits + (size_t)y * (size_t)((w + 7) / 8),
			       p->canvas + (size_t)y * CANVAS_STRIDE, (size_t)((w + 7) / 8));
		if (sim_png_write(tmp, bits, w, h, 32, 1) == 0 && rename(tmp, path) == 0)
			snprintf(p->last_png, sizeof(p->last_png), "%s", path);
		free(bits);
	}
	fprintf(stderr, "devsim: %s: receipt %d -> %s\n", p->name, p->receipts, path);
	paper_clear(p);
}

/* ---- commands ---------------------------------------------------------- */

/* Total length of the command in cmd[0..len), or 0 while unknown; SIZE_MAX - 1
 * for a NUL-terminated command (barcode GS k m<=6). */
static size_t cmd_need(const uint8_t *c, size_t len)
{
	if (len < 2)
		return 0;
	uint8_t a = c[0], b = c[1];
	if (a == 0x1b) {
		if (b == '@' || b == '2' || b == '<' || b == 'i' || b == 'm')
			return 2;
		if (b == 'p')
			return 5;
		if (b == 'c')
			return 4;
		if (b == '*') {
			if (len < 5)
				return 0;
			size_t n = (size_t)c[3] + 256u * c[4];
			return 5 + n * (c[2] >= 32 ? 3 : 1);
		}
		return 3;
	}
	if (a == 0x1d) {
		if (b == 'V') {
			if (len < 3)
				return 0;
			return c[2] == 65 || c[2] == 66 ? 4 : 3;
		}
		if (b == '(' || b == '8') {
			if (len < 5)
				return 0;
			return 5 + (size_t)c[3] + 256u * c[4];
		}
		if (b == 'v')
			return 8; /* header only; the data streams through P_RASTER */
		if (b == 'k') {
			if (len < 3)
				return 0;
			if (c[2] <= 6)
				return SIZE_MAX - 1;
			if (len < 4)
				return 0;
			return 4 + (size_t)c[3];
		}
		if (b == 'L' || b == 'W')
			return 4;
		return 3;
	}
	if (a == 0x1c) {
		if (b == '&' || b == '.')
			return 2;
		if (b == 'p')
			return 4;
		return 3;
	}
	if (a == 0x10) {
		if (b == 0x04 || b == 0x05)
			return 3;
		if (b == 0x14)
			return 5;
		return 2;
	}
	return 1;
}

/* DLE EOT n, answered like an Epson TM: fixed bits 0x12, plus the state. */
static void status_reply(struct sim_dev *d, struct sim_printer *p, uint8_t n)
{
	uint8_t r = 0x12;
	if (n == 1 && p->offline)
		r |= 0x08;
	else if (n == 2 && p->paper == 2)
		r |= 0x20 | 0x08; /* paper end stops printing; offline */
	else if (n == 4 && p->paper >= 1)
		r |= p->paper == 2 ? 0x6c : 0x0c;
	else if (n < 1 || n > 4)
		return;
	sim_dev_send(d, &r, 1);
}

static void qr_function(struct sim_printer *p, const uint8_t *c, size_t len)
{
	if (len < 8 || c[5] != 0x31)
		return;
	switch (c[6]) {
	case 0x43:
		if (c[7] >= 1 && c[7] <= 16)
			p->qr_module = c[7];
		break;
	case 0x45: p->qr_ec = c[7] == 48 ? 'L' : c[7] == 50 ? 'Q' : c[7] == 51 ? 'H' : 'M'; break;
	case 0x50: {
		size_t n = len - 8;
		if (n > QR_DATA_MAX)
			n = QR_DATA_MAX;
		memcpy(p->qr, c + 8, n);
		p->qr_len = n;
		break;
	}
	case 0x51: qr_print(p); break;
	default: break;
	}
}

/* "[cut GS V 66 3]": which cut, so a test sees the printer's own command. */
static void cut_line(struct sim_printer *p, const uint8_t *c, size_t n)
{
	char line[48];
	int k;
	if (c[0] == 0x1b)
		k = snprintf(line, sizeof(line), "[cut ESC %c]\n", c[1]);
	else if (n >= 4)
		k = snprintf(line, sizeof(line), "[cut GS V %d %d]\n", c[2], c[3]);
	else
		k = snprintf(line, sizeof(line), "[cut GS V %d]\n", c[2]);
	text_add(p, line, (size_t)k);
}

/* "[raster WxH]" for an image; a slice that continues the one before it
 * (same width, nothing printed between) makes it "[raster WxH in N slices]". */
static void raster_line(struct sim_printer *p)
{
	if (p->img_slices && p->text_len == p->img_text_end && p->r_wbytes == p->img_wbytes) {
		p->text_len = p->img_text_at;
		p->img_rows += p->r_rows;
		p->img_slices++;
	} else {
		p->img_text_at = p->text_len;
		p->img_wbytes = p->r_wbytes;
		p->img_rows = p->r_rows;
		p->img_slices = 1;
	}
	char line[64];
	int k = p->img_slices > 1 ? snprintf(line, sizeof(line), "[raster %zux%zu in %d slices]\n",
	                                     p->img_wbytes * 8, p->img_rows, p->img_slices)
	                          : snprintf(line, sizeof(line), "[raster %zux%zu]\n",
	                                     p->img_wbytes * 8, p->img_rows);
	text_add(p, line, (size_t)k);
	p->img_text_end = p->text_len;
}

static void cmd_done(struct sim_dev *d, struct sim_printer *p)
{
	const uint8_t *c = p->cmd;
	size_t n = p->cmd_len;
	p->st = P_IDLE;
	p->cmd_len = 0;
	if (c[0] == 0x1c && (c[1] == '&' || c[1] == '.')) {
		p->kanji = c[1] == '&';
		return;
	}
	if (c[0] == 0x1b && c[1] == '@') {
		p->kanji = false;
		p->qr_len = 0;
		p->qr_module = 3;
		p->qr_ec = 'M';
	} else if (c[0] == 0x1b && c[1] == 'd') {
		for (int i = 0; i < c[2] && i < 255; i++)
			text_add(p, "\n", 1);
	} else if ((c[0] == 0x1b && (c[1] == 'i' || c[1] == 'm')) ||
	           (c[0] == 0x1d && c[1] == 'V')) {
		cut_line(p, c, n);
		receipt_end(p);
	} else if (c[0] == 0x1d && c[1] == '(' && n >= 5 && c[2] == 'k') {
		qr_function(p, c, n);
	} else if (c[0] == 0x1d && c[1] == 'v' && c[2] == '0') {
		p->r_wbytes = (size_t)c[4] + 256u * c[5];
		p->r_rows = (size_t)c[6] + 256u * c[7];
		p->r_got = 0;
		p->r_y0 = p->rows_used;
		raster_line(p);
		if (p->r_wbytes && p->r_rows) {
			p->st = P_RASTER;
			used_grow(p, p->r_y0 + (int)p->r_rows, (int)p->r_wbytes * 8);
		}
	} else if (c[0] == 0x10 && c[1] == 0x04) {
		status_reply(d, p, c[2]);
	}
}

static void raster_byte(struct sim_printer *p, uint8_t b)
{
	if (p->corrupt && p->r_got % 3 == 1) {
		/* corruption in transit: a different, never-equal byte */
		p->corrupt_rng = p->corrupt_rng * 1664525u + 1013904223u;
		b ^= (uint8_t)((p->corrupt_rng >> 24) | 1);
	}
	size_t row = p->r_got / p->r_wbytes, col = p->r_got % p->r_wbytes;
	int y = p->r_y0 + (int)row;
	if (col < CANVAS_STRIDE && y < CANVAS_ROWS)
		p->canvas[(size_t)y * CANVAS_STRIDE + col] = b;
	if (++p->r_got == p->r_wbytes * p->r_rows)
		p->st = P_IDLE;
}

static void idle_byte(struct sim_printer *p, uint8_t b)
{
	if (p->kanji && b >= 0x20 && b != 0x7f) {
		if (p->gb_len < GB_MAX)
			p->gb[p->gb_len++] = (char)b;
		return;
	}
	gb_flush(p); /* a line feed or a command ends the Chinese text */
	if (b == 0x1b || b == 0x1d || b == 0x1c || b == 0x10) {
		p->cmd[0] = b;
		p->cmd_len = 1;
		p->st = P_CMD;
	} else if (b == '\n') {
		text_add(p, "\n", 1);
	} else if (b == '\t' || b >= 0x20) {
		char c = (char)b;
		text_add(p, &c, 1);
	}
}

static void cmd_byte(struct sim_dev *d, struct sim_printer *p, uint8_t b)
{
	p->cmd[p->cmd_len++] = b;
	size_t need = cmd_need(p->cmd, p->cmd_len);
	if (need == SIZE_MAX - 1) {
		p->st = P_NUL; /* barcode data up to a NUL */
		p->cmd_len = 0;
	} else if (need && need > sizeof(p->cmd)) {
		p->skip = need - p->cmd_len;
		p->cmd_len = 0;
		p->st = p->skip ? P_SKIP : P_IDLE;
	} else if (need && p->cmd_len >= need) {
		cmd_done(d, p);
	}
}

void sim_printer_input(struct sim_dev *d, const uint8_t *buf, size_t len, struct sim *s)
{
	(void)s;
	struct sim_printer *p = d->printer;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];
		if (p->raw_len < RAW_MAX)
			p->raw[p->raw_len++] = b;
		switch (p->st) {
		case P_IDLE: idle_byte(p, b); break;
		case P_CMD: cmd_byte(d, p, b); break;
		case P_RASTER: raster_byte(p, b); break;
		case P_SKIP:
			if (--p->skip == 0)
				p->st = P_IDLE;
			break;
		case P_NUL:
			if (b == 0)
				p->st = P_IDLE;
			break;
		}
	}
}
