/*
 * test_escpos.c — the encoder's exact bytes (QR, Chinese mode, raster slices
 * against the paper, cuts), and receipts built by it through the simulated
 * printer: they scan back to the exact URL, their Chinese text reads back,
 * each cut is the printer's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "devsim_child.h"
#include "escpos.h"
#include "transport.h"
#include "wf_test.h"

#define URL                                                                                        \
	"HTTPS://R.WUFEI.CN/R/"                                                                    \
	"AEAQCAIAAEAQCAIAAEAQCAIAAEAQCAIAAEAQCAIAAEAQCAIAAEAQCAIAAEAQCAIAAEAQCAIAAEAQCAIAAEAQCAIA" \
	"AEAQCAIAAEAQCAIAAEAQCAIAAEAQCAIAAEAQCAIAAEAQCA"

static void test_native_bytes(void **state)
{
	(void)state;
	uint8_t mem[512];
	struct escpos_job j;
	escpos_begin(&j, mem, sizeof mem);
	assert_int_equal(escpos_qr_native(&j, "AB", 6), WF_OK);
	const uint8_t want[] = {
	    0x1b, 0x40,                                                /* ESC @ */
	    0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,      /* fn 165 model 2 */
	    0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x06,            /* fn 167 size 6 */
	    0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31,            /* fn 169 level M */
	    0x1d, 0x28, 0x6b, 0x05, 0x00, 0x31, 0x50, 0x30, 'A',  'B', /* fn 180 store */
	    0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30,            /* fn 181 print */
	};
	assert_int_equal(j.len, sizeof want);
	assert_memory_equal(mem, want, sizeof want);
	assert_true(escpos_ok(&j));
	assert_int_equal(escpos_qr_native(&j, "", 6), WF_EINVAL);
	assert_int_equal(escpos_qr_native(&j, "A", 17), WF_EINVAL);
}

static void test_text_and_overflow(void **state)
{
	(void)state;
	uint8_t mem[64];
	struct escpos_job j;
	escpos_begin(&j, mem, sizeof mem);
	escpos_line(&j, "Paper \xe7\xba\xb8 1.250 kg\t!");
	assert_true(escpos_ok(&j));
	assert_memory_equal(mem + 2, "Paper ? 1.250 kg?!\n", 19);
	for (int i = 0; i < 10; i++)
		escpos_line(&j, "0123456789");
	assert_false(escpos_ok(&j)); /* a job that did not fit is never sent */
	assert_true(j.len <= sizeof mem);
}

/* The raster image decodes row by row back to libqrencode's matrix, in <= 255-row slices. */
static void test_raster_slices(void **state)
{
	(void)state;
	static uint8_t mem[1 << 17];
	struct escpos_job j;
	escpos_begin(&j, mem, sizeof mem);
	assert_int_equal(escpos_qr_raster(&j, URL, 6), WF_OK);
	QRcode *q = QRcode_encodeString(URL, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(q);
	int dots = (q->width + 8) * 6, wb = (dots + 7) / 8, rows_seen = 0, slices = 0;
	size_t at = 2;
	while (at < j.len) {
		assert_memory_equal(mem + at, "\x1d\x76\x30\x00", 4);
		int bw = mem[at + 4] | mem[at + 5] << 8, rows = mem[at + 6] | mem[at + 7] << 8;
		assert_int_equal(bw, wb);
		assert_true(rows >= 1 && rows <= 255);
		assert_true(8 + (size_t)(bw * rows) <= ESCPOS_SLICE_MAX);
		const uint8_t *bits = mem + at + 8;
		for (int r = 0; r < rows; r++) {
			int y = rows_seen + r, my = y / 6 - 4;
			for (int x = 0; x < dots; x++) {
				int mx = x / 6 - 4;
				bool want = my >= 0 && my < q->width && mx >= 0 && mx < q->width &&
				            (q->data[my * q->width + mx] & 1);
				bool got = bits[r * wb + x / 8] & (0x80 >> (x % 8));
				assert_int_equal(got, want);
			}
		}
		rows_seen += rows;
		slices++;
		at += 8 + (size_t)(bw * rows);
	}
	assert_int_equal(rows_seen, dots);
	assert_true(slices >= 2); /* the URL's symbol is taller than one slice */
	QRcode_free(q);
}

/* GB18030 in the Chinese character mode: FS &, the text, FS ., LF. */
static void test_gb18030_bytes(void **state)
{
	(void)state;
	uint8_t mem[64];
	struct escpos_job j;
	escpos_begin(&j, mem, sizeof mem);
	assert_int_equal(
	    escpos_line_gb18030(&j, "\xe7\xba\xb8\xe7\xb1\xbb 1.25 \xe5\x85\xac\xe6\x96\xa4\t"),
	    WF_OK); /* 纸类 1.25 公斤 and a tab */
	const uint8_t want[] = {0x1b, 0x40, 0x1c, 0x26, 0xd6, 0xbd, 0xc0, 0xe0, ' ',  '1',  '.',
	                        '2',  '5',  ' ',  0xb9, 0xab, 0xbd, 0xef, '?',  0x1c, 0x2e, '\n'};
	assert_int_equal(j.len, sizeof want);
	assert_memory_equal(mem, want, sizeof want);
	/* not UTF-8: refused, nothing written */
	assert_int_equal(escpos_line_gb18030(&j, "\xe7\xba"), WF_EINVAL);
	assert_int_equal(j.len, sizeof want);
	/* a long line keeps whole characters within ESCPOS_LINE_BYTES */
	char longer[200] = "";
	for (int i = 0; i < 40; i++)
		memcpy(longer + 3 * i, "\xe7\xba\xb8", 3);
	escpos_begin(&j, mem, sizeof mem);
	assert_false(escpos_line_gb18030(&j, longer) != WF_OK);
	assert_false(escpos_ok(&j)); /* 2 + 2 + 64 + 3 bytes do not fit in 64 */
	static uint8_t big[256];
	escpos_begin(&j, big, sizeof big);
	assert_int_equal(escpos_line_gb18030(&j, longer), WF_OK);
	assert_int_equal(j.len, 2 + 2 + ESCPOS_LINE_BYTES + 3);
}

/* The cut is the printer's: GS V 66 3 by default, GS V 0 or GS V 1. */
static void test_cut_bytes(void **state)
{
	(void)state;
	uint8_t mem[16];
	struct escpos_job j;
	escpos_begin(&j, mem, sizeof mem);
	escpos_cut(&j);
	assert_int_equal(j.len, 6);
	assert_memory_equal(mem + 2, "\x1d\x56\x42\x03", 4);
	escpos_begin(&j, mem, sizeof mem);
	escpos_printer(&j, ESCPOS_DOTS_58MM, ESCPOS_CUT_GS_V_0);
	escpos_cut(&j);
	assert_int_equal(j.len, 5);
	assert_memory_equal(mem + 2, "\x1d\x56\x00", 3);
	escpos_begin(&j, mem, sizeof mem);
	escpos_printer(&j, ESCPOS_DOTS_80MM, ESCPOS_CUT_GS_V_1);
	escpos_cut(&j);
	assert_int_equal(j.len, 5);
	assert_memory_equal(mem + 2, "\x1d\x56\x01", 3);
}

/* An image as wide as 80 mm paper: slices of at most 4 KB that join back
 * to it; one dot wider than the paper is refused, nothing written. */
static void test_raster_paper_and_slices(void **state)
{
	(void)state;
	enum { W = ESCPOS_DOTS_80MM, H = 300, WB = W / 8 };
	static uint8_t img[H * WB], mem[1 << 17];
	for (size_t i = 0; i < sizeof img; i++)
		img[i] = (uint8_t)(i * 7 + i / WB);
	struct escpos_job j;
	escpos_begin(&j, mem, sizeof mem);
	assert_int_equal(escpos_raster(&j, img, W, H), WF_EINVAL); /* 58 mm by default */
	assert_int_equal(j.len, 2);
	escpos_printer(&j, ESCPOS_DOTS_80MM, ESCPOS_CUT_GS_V_66);
	assert_int_equal(escpos_raster(&j, img, W + 1, H), WF_EINVAL);
	assert_int_equal(j.len, 2);
	assert_int_equal(escpos_raster(&j, img, W, H), WF_OK);
	size_t at = 2;
	int rows = 0, slices = 0;
	while (at < j.len) {
		assert_memory_equal(mem + at, "\x1d\x76\x30\x00", 4);
		int bw = mem[at + 4] | mem[at + 5] << 8, n = mem[at + 6] | mem[at + 7] << 8;
		assert_int_equal(bw, WB);
		assert_true(8 + (size_t)bw * (size_t)n <= ESCPOS_SLICE_MAX);
		assert_memory_equal(mem + at + 8, img + (size_t)rows * WB, (size_t)n * WB);
		rows += n;
		slices++;
		at += 8 + (size_t)bw * (size_t)n;
	}
	assert_int_equal(at, j.len);
	assert_int_equal(rows, H);
	assert_true(slices >= 6); /* 300 rows of 72 bytes: 56 rows a slice */
	/* a QR symbol wider than the paper is refused too */
	escpos_begin(&j, mem, sizeof mem);
	assert_int_equal(escpos_qr_raster(&j, URL, 16), WF_EINVAL);
	assert_int_equal(j.len, 2);
}

/* Sends job[len] to a fresh simulated printer and waits for its receipt:
 * the decoded text into text[cap], the QR code read from its PNG into
 * decoded[dlen] ("" when none reads). */
static void through_devsim(const uint8_t *job, size_t len, char *text, size_t cap, char *decoded,
                           size_t dlen)
{
	struct devsim ds;
	const char *args[] = {"--printer", "escpos", NULL};
	assert_int_equal(devsim_start(&ds, args), 0);
	char spec[256], ans[4096], png[256];
	devsim_transport(&ds, "printer", spec, sizeof spec);
	struct transport *t = NULL;
	char err[128];
	struct transport_line line = {.baud = 115200};
	assert_int_equal(transport_open(spec, &line, 2000, NULL, &t, err, sizeof err), 0);
	assert_int_equal(transport_write(t, job, len, 5000), (int)len);
	int i;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(devsim_cmd(&ds, "status printer", ans, sizeof ans), 0);
		if (strstr(ans, "\"receipts\":1"))
			break;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	assert_true(i < 1000);
	snprintf(png, sizeof png, "%s/printer-0001.png", ds.dir);
	wf_test_qr_read(png, decoded, dlen);
	char txt[256];
	snprintf(txt, sizeof txt, "%s/printer-0001.txt", ds.dir);
	FILE *f = fopen(txt, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, cap - 1, f);
	text[n] = '\0';
	fclose(f);
	transport_close(t);
	devsim_stop(&ds);
}

static void print_receipt(bool raster, char *decoded, size_t len)
{
	static uint8_t mem[1 << 17];
	struct escpos_job j;
	escpos_begin(&j, mem, sizeof mem);
	escpos_align(&j, ESCPOS_CENTER);
	escpos_bold(&j, true);
	escpos_line(&j, "WUFEI RECYCLING");
	escpos_bold(&j, false);
	escpos_line(&j, "Paper 1.250 kg  +2 points");
	if (raster)
		assert_int_equal(escpos_qr_raster(&j, URL, 4), 0);
	else
		assert_int_equal(escpos_qr_native(&j, URL, 4), 0);
	escpos_cut(&j);
	assert_true(escpos_ok(&j));
	char text[2048];
	through_devsim(mem, j.len, text, sizeof text, decoded, len);
	assert_non_null(strstr(text, "Paper 1.250 kg  +2 points"));
	assert_non_null(strstr(text, "[cut GS V 66 3]"));
}

/* Chinese in the printer's Chinese mode reads back as the same UTF-8, the
 * sliced raster QR joins back into one image that scans, and each cut is
 * named. */
static void test_chinese_receipt_reads_back(void **state)
{
	(void)state;
	static const enum escpos_cut cuts[] = {ESCPOS_CUT_GS_V_66, ESCPOS_CUT_GS_V_0,
	                                       ESCPOS_CUT_GS_V_1};
	static const char *const cut_lines[] = {"[cut GS V 66 3]", "[cut GS V 0]", "[cut GS V 1]"};
	for (size_t c = 0; c < 3; c++) {
		static uint8_t mem[1 << 17];
		struct escpos_job j;
		escpos_begin(&j, mem, sizeof mem);
		escpos_printer(&j, ESCPOS_DOTS_58MM, cuts[c]);
		assert_int_equal(escpos_line_gb18030(&j, "\xe7\xba\xb8\xe7\xb1\xbb 1.250 "
		                                         "\xe5\x85\xac\xe6\x96\xa4"),
		                 WF_OK);
		assert_int_equal(escpos_line_gb18030(&j, "\xe7\xa7\xaf\xe5\x88\x86 2"), WF_OK);
		assert_int_equal(escpos_qr_raster(&j, URL, 4), WF_OK);
		escpos_cut(&j);
		assert_true(escpos_ok(&j));
		char text[4096], got[512];
		through_devsim(mem, j.len, text, sizeof text, got, sizeof got);
		assert_non_null(
		    strstr(text, "\xe7\xba\xb8\xe7\xb1\xbb 1.250 \xe5\x85\xac\xe6\x96\xa4\n"
		                 "\xe7\xa7\xaf\xe5\x88\x86 2\n")); /* 纸类 1.250 公斤, 积分 2 */
		assert_non_null(strstr(text, " slices]\n"));       /* one image, several slices */
		assert_non_null(strstr(text, cut_lines[c]));
		assert_string_equal(got, URL);
	}
}

static void test_native_receipt_scans(void **state)
{
	(void)state;
	char got[512];
	print_receipt(false, got, sizeof got);
	assert_string_equal(got, URL);
}

static void test_raster_receipt_scans(void **state)
{
	(void)state;
	char got[512];
	print_receipt(true, got, sizeof got);
	assert_string_equal(got, URL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_native_bytes),
	    cmocka_unit_test(test_text_and_overflow),
	    cmocka_unit_test(test_raster_slices),
	    cmocka_unit_test(test_gb18030_bytes),
	    cmocka_unit_test(test_cut_bytes),
	    cmocka_unit_test(test_raster_paper_and_slices),
	    cmocka_unit_test(test_native_receipt_scans),
	    cmocka_unit_test(test_raster_receipt_scans),
	    cmocka_unit_test(test_chinese_receipt_reads_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
