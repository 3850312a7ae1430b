/*
 * escpos.h — ESC/POS receipt encoder: the bytes a thermal receipt printer
 * needs for text, a QR code and a cut.
 *
 * For: the kiosk's receipt job (kiosk/runner/printing.c builds one per receipt and hands
 * it to the printer device thread). Two ways to print a QR code, chosen per
 * printer in kiosk.ini (`qr = native|raster`): the printer's own QR engine
 * (GS ( k functions 165/167/169/180/181) or, for printers without one, the
 * symbol drawn by libqrencode and sent as a raster image. Chinese text goes
 * either as GB18030 in the printer's Chinese character mode (FS & ... FS .,
 * for printers with a Chinese font ROM) or rendered by the caller into a
 * bitmap sent with escpos_raster. Every raster image is checked against the
 * job's paper width and sent in GS v 0 slices of at most ESCPOS_SLICE_MAX
 * bytes (cheap printers garble larger images). The cut is the printer's:
 * GS V 66 3 (the default), GS V 0 or GS V 1.
 *
 * Not for: I/O, or decoding (the simulated printer decodes). Writes into a
 * caller's fixed buffer: when it is full, further output is dropped and
 * escpos_ok() turns false, so a job is never sent half-built.
 */
#ifndef WUFEI_ESCPOS_H
#define WUFEI_ESCPOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wf.h"

#define ESCPOS_DOTS_58MM  384  /* printable dots across 58 mm paper (203 dpi) */
#define ESCPOS_DOTS_80MM  576  /* printable dots across 80 mm paper (203 dpi) */
#define ESCPOS_SLICE_MAX  4096 /* bytes in one GS v 0 command, its 8-byte header included */
#define ESCPOS_LINE_BYTES 64   /* bytes of text kept in one line */

/* How the printer cuts: GS V 66 3 (feed 3 lines, partial cut: the default),
 * GS V 0 (full cut) or GS V 1 (partial cut), for printers that know only
 * function A. */
enum escpos_cut { ESCPOS_CUT_GS_V_66 = 0, ESCPOS_CUT_GS_V_0 = 1, ESCPOS_CUT_GS_V_1 = 2 };

struct escpos_job {
	uint8_t *data; /* caller's memory */
	size_t cap;
	size_t len;
	bool overflow;       /* something did not fit */
	int paper_dots;      /* raster images wider than this are refused (ESCPOS_DOTS_58MM) */
	enum escpos_cut cut; /* what escpos_cut sends (ESCPOS_CUT_GS_V_66) */
};

enum escpos_align { ESCPOS_LEFT = 0, ESCPOS_CENTER = 1, ESCPOS_RIGHT = 2 };

/* Starts a job in mem[cap] with ESC @ (initialise), for 58 mm paper and
 * the default cut. */
void escpos_begin(struct escpos_job *j, uint8_t *mem, size_t cap);
/* The printer's paper width in dots (ESCPOS_DOTS_58MM or _80MM) and its cut. */
void escpos_printer(struct escpos_job *j, int paper_dots, enum escpos_cut cut);
/* Whether every command so far fitted. */
bool escpos_ok(const struct escpos_job *j);

void escpos_align(struct escpos_job *j, enum escpos_align a);  /* ESC a n */
void escpos_bold(struct escpos_job *j, bool on);               /* ESC E n */
void escpos_size(struct escpos_job *j, int width, int height); /* GS ! n, 1..8 each */
/*
 * escpos_line — one line of text and LF. Bytes outside printable ASCII
 * (including UTF-8) become '?', so a printer in any code page prints the
 * line the same way; at most 64 characters are kept.
 */
void escpos_line(struct escpos_job *j, const char *text);
/*
 * escpos_line_gb18030 — one line of UTF-8 text in the printer's Chinese
 * character mode: FS &, the text converted to GB18030 (iconv), FS ., LF.
 * Control characters become '?'; whole characters are kept up to
 * ESCPOS_LINE_BYTES bytes of GB18030. For printers with a Chinese font ROM.
 * Returns WF_OK, or WF_EINVAL for text that is not UTF-8 (nothing written).
 */
int escpos_line_gb18030(struct escpos_job *j, const char *text);
void escpos_feed(struct escpos_job *j, int lines); /* ESC d n */
void escpos_cut(struct escpos_job *j);             /* the job's cut (escpos_printer) */

/*
 * escpos_raster — a 1-bit image (bits: rows of (width_dots + 7) / 8 bytes,
 * the leftmost dot in the top bit, 1 = black) as GS v 0 slices of at most
 * ESCPOS_SLICE_MAX bytes each. Returns WF_OK; WF_EINVAL (nothing written)
 * when the image is empty or wider than the job's paper.
 */
int escpos_raster(struct escpos_job *j, const uint8_t *bits, int width_dots, int rows);

/*
 * escpos_qr_native — the printer's QR engine: model 2, module size
 * module_dots (1..16), error correction M, data (1..7089 bytes), print.
 * Returns WF_OK, or WF_EINVAL for bad arguments (nothing written).
 */
int escpos_qr_native(struct escpos_job *j, const char *data, int module_dots);

/*
 * escpos_qr_raster — the same symbol drawn with libqrencode (level M, with a
 * 4-module quiet zone) and sent with escpos_raster. Returns WF_OK; WF_EINVAL
 * for bad arguments, data libqrencode cannot encode (too long) or a symbol
 * wider than the paper; WF_ENOMEM; nothing written on failure.
 */
int escpos_qr_raster(struct escpos_job *j, const char *data, int module_dots);

#endif
