/*
 * escpos.h — ESC/POS receipt encoder: the bytes a thermal receipt printer
 * needs for text, a QR code and a cut.
 *
 * For: the kiosk's receipt job (kiosk/runner/printing.c builds one per receipt and hands
 * it to the printer device thread). Two ways to print a QR code, chosen per
 * printer in kiosk.ini (`qr = native|raster`): the printer's own QR engine
 * (GS ( k functions 165/167/169/180/181) or, for printers without one, the
 * symbol drawn by libqrencode and sent as a raster image (GS v 0, at most
 * 255 rows a slice).
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

struct escpos_job {
	uint8_t *data; /* caller's memory */
	size_t cap;
	size_t len;
	bool overflow; /* something did not fit */
};

enum escpos_align { ESCPOS_LEFT = 0, ESCPOS_CENTER = 1, ESCPOS_RIGHT = 2 };

/* Starts a job in mem[cap] with ESC @ (initialise). */
void escpos_begin(struct escpos_job *j, uint8_t *mem, size_t cap);
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
void escpos_feed(struct escpos_job *j, int lines); /* ESC d n */
void escpos_cut(struct escpos_job *j);             /* GS V 66 0: feed and partial cut */

/*
 * escpos_qr_native — the printer's QR engine: model 2, module size
 * module_dots (1..16), error correction M, data (1..7089 bytes), print.
 * Returns WF_OK, or WF_EINVAL for bad arguments (nothing written).
 */
int escpos_qr_native(struct escpos_job *j, const char *data, int module_dots);

/*
 * escpos_qr_raster — the same symbol drawn with libqrencode (level M, with a
 * 4-module quiet zone) and sent as GS v 0 raster slices of at most 255 rows.
 * Returns WF_OK; WF_EINVAL for bad arguments or data libqrencode cannot
 * encode (too long), WF_ENOMEM; nothing written on failure.
 */
int escpos_qr_raster(struct escpos_job *j, const char *data, int module_dots);

#endif
