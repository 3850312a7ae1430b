/*
 * test_kiosk_receipts.c — the printed receipt speaks the resident's
 * language, end to end: wufei-kiosk against a real wufei-central, printing
 * on the simulated printer (wufei-devsim, over the real libserialport path
 * with the pty shim preloaded, as the demo does). For each way a printer
 * can be set up:
 *   - Chinese as GB18030 in the printer's Chinese mode: the decoded text
 *     holds the Chinese lines;
 *   - Chinese as one raster image (SDL2_ttf), on 58 mm and 80 mm paper:
 *     the image is as wide as the paper, sent in slices of at most 4 KB;
 *   - English: the text receipts always had, the printer's cut;
 * and in every case the QR code read from the printed paper (zbarimg)
 * verifies at central.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devsim_child.h"
#include "escpos.h"
#include "harness.h"
#include "testdb.h"
#include "wf_test.h"

static char g_dir[128];
static char g_out[16384];
static struct devsim g_ds;
static bool g_ds_up;

#define sh(...) wf_test_sh(g_out, sizeof g_out, __VA_ARGS__)

/* Enrols paper, resident 1001 and kiosk 9 into a fresh central store
 * (g_dir/central.db on SQLite, testdb.h); its URL into db. */
static void enrol_central(char *db, size_t cap)
{
	char pub[256], out[4096], path[300];
	snprintf(path, sizeof path, "%s/central.db", g_dir);
	assert_int_equal(testdb_url(db, cap, path), 0);
	snprintf(pub, sizeof pub, "%s/kiosk.key.pub", g_dir);
	const char *const enrol[][16] = {
	    {"rates", "set", "--id", "1", "--code", "paper", "--name", "纸类", "--unit", "g",
	     "--rate", "2000", "--min", "100", "--max", "50000"},
	    {"resident", "add", "--id", "1001", "--card", "em4100:0014868981", "--name", "王*"},
	    {"kiosk", "add", "9", "--pubkey", pub},
	};
	for (size_t i = 0; i < sizeof enrol / sizeof enrol[0]; i++) {
		const char *args[18] = {0};
		for (int k = 0; k < 16 && enrol[i][k]; k++)
			args[k] = enrol[i][k];
		assert_int_equal(harness_cli(db, out, sizeof out, args), 0);
	}
}

static int setup(void **state)
{
	(void)state;
	const char *bin = getenv("WUFEI_BIN_DIR");
	assert_non_null(bin);
	assert_int_equal(wf_test_tmpdir("kiosk-receipts", g_dir, sizeof g_dir), 0);
	assert_int_equal(sh("%s/wufei-kiosk keygen --out %s/kiosk.key", bin, g_dir), 0);
	assert_int_equal(sh("%s/wufei-kiosk ledger init %s/journal.db --kiosk 9", bin, g_dir), 0);
	const char *args[] = {"--printer", "escpos", NULL};
	assert_int_equal(devsim_start(&g_ds, args), 0);
	g_ds_up = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_kill_started();
	if (g_ds_up)
		devsim_stop(&g_ds);
	g_ds_up = false;
	return wf_test_rmtree(g_dir);
}

/* kiosk.ini for kiosk 9 syncing with central on port, in language, with
 * the printer's own keys (printer_keys: "chinese = ...\n..."). */
static void write_ini(int port, const char *language, const char *printer_keys)
{
	char printer[256], path[256], ini[2048];
	devsim_transport(&g_ds, "printer", printer, sizeof printer);
	snprintf(ini, sizeof ini,
	         "[kiosk]\nnumber = 9\nname = Test\ntimezone = Asia/Shanghai\n"
	         "ledger = %s/journal.db\nkey_file = %s/kiosk.key\n"
	         "[central]\nurl = http://127.0.0.1:%d\n"
	         "[screen]\nlanguage = %s\n[session]\nstable_time_ms = 1000\n"
	         "[device.printer]\nrole = printer\ntransport = %s\nprotocol = escpos\n"
	         "baud = 115200\n%s",
	         g_dir, g_dir, port, language, printer, printer_keys);
	snprintf(path, sizeof path, "%s/kiosk.ini", g_dir);
	assert_int_equal(wf_test_write_file(path, ini), 0);
}

/* A drop by who ("card ..." or "tap anonymous"), printed, synced; the
 * kiosk's output in g_out. */
static void run_visit_by(const char *who)
{
	const char *bin = getenv("WUFEI_BIN_DIR");
	char path[256], script[512];
	snprintf(path, sizeof path, "%s/visit.script", g_dir);
	snprintf(script, sizeof script,
	         "sync\n"
	         "expect screen attract\n"
	         "weight 0 for 1500\n"
	         "%s\n"
	         "expect screen category\n"
	         "tap category paper\n"
	         "weight 1250 for 1200\n"
	         "tap confirm\n"
	         "expect screen receipt\n"
	         "wait 3000\n"
	         "tap done\n"
	         "sync\n",
	         who);
	assert_int_equal(wf_test_write_file(path, script), 0);
	int rc = sh("k=%s/wufei-kiosk; asan=$(ldd \"$k\" | awk '/libasan/ {print $3}'); "
	            "LD_PRELOAD=${asan:+$asan:}%s/../lib/libwufei_pty_shim.so \"$k\" run "
	            "--config %s/kiosk.ini --script %s 2>&1",
	            bin, bin, g_dir, path);
	printf("%s", g_out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(g_out, "printer: printed"));
}

/* One resident's drop, printed, synced. */
static void run_visit(void)
{
	run_visit_by("card em4100:0014868981");
}

/* The printed receipt: its text into text[cap]; its QR code's URL into url. */
static void printed(char *text, size_t cap, char *url, size_t url_cap)
{
	char ans[2048], path[256];
	int i;
	for (i = 0; i < 100; i++) {
		assert_int_equal(devsim_cmd(&g_ds, "status printer", ans, sizeof ans), 0);
		if (strstr(ans, "\"receipts\":1"))
			break;
		usleep(100000);
	}
	assert_true(i < 100);
	snprintf(path, sizeof path, "%s/printer-0001.txt", g_ds.dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, cap - 1, f);
	text[n] = '\0';
	fclose(f);
	snprintf(path, sizeof path, "%s/printer-0001.png", g_ds.dir);
	assert_int_equal(wf_test_qr_read(path, url, url_cap), 0);
}

/* Runs one visit with the printer set up so; the printed text and the
 * receipt's URL, which central must verify. */
static void visit_printed(const char *language, const char *printer_keys, char *text, size_t cap)
{
	char db[300], url[512], out[4096];
	enrol_central(db, sizeof db);
	struct central_proc c;
	assert_int_equal(harness_start(&c, db, 0), 0);
	write_ini(c.port, language, printer_keys);
	run_visit();
	printed(text, cap, url, sizeof url);
	printf("%s\n%s\n", text, url);
	assert_non_null(strstr(url, "/R/"));
	const char *verify[] = {"verify-receipt", url, NULL};
	assert_int_equal(harness_cli(db, out, sizeof out, verify), 0);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

/* Chinese in the printer's Chinese mode (GB18030), decoded back by devsim. */
static void test_chinese_gb18030(void **state)
{
	(void)state;
	char text[8192];
	visit_printed("zh", "qr = native\nchinese = gb18030\ncut = gs-v-0\n", text, sizeof text);
	assert_non_null(strstr(text, "无废\n"));
	assert_non_null(strstr(text, "回收机 9  单号 1\n"));
	assert_non_null(strstr(text, "纸类  1.250 公斤\n"));
	assert_non_null(strstr(text, "积分  2\n"));
	assert_non_null(strstr(text, "[qr "));
	assert_non_null(strstr(text, "[cut GS V 0]"));
	assert_null(strstr(text, "Points"));
}

/* The raster image's line, "[raster WxH in N slices]": width and slices. */
static void raster_shape(const char *text, int *width, int *rows, int *slices)
{
	const char *at = strstr(text, "[raster ");
	assert_non_null(at);
	*slices = 1;
	int n = sscanf(at, "[raster %dx%d in %d slices]", width, rows, slices);
	assert_true(n >= 2);
}

/* Chinese as one image of all the text, on 58 mm paper: 384 dots wide, in
 * slices of at most 4 KB (48 bytes a row: 85 rows a slice); the QR code
 * native; the text nowhere as text. */
static void test_chinese_raster_58(void **state)
{
	(void)state;
	char text[8192];
	visit_printed("zh", "qr = native\nchinese = raster\npaper_mm = 58\ncut = gs-v-1\n", text,
	              sizeof text);
	int w, rows, slices;
	raster_shape(text, &w, &rows, &slices);
	assert_int_equal(w, 384);
	assert_true(rows > 6 * 24);
	assert_int_equal(slices, (rows + 84) / 85);
	assert_null(strstr(text, "Points"));
	assert_non_null(strstr(text, "[cut GS V 1]"));
}

/* The same on 80 mm paper, the QR code drawn as raster too. */
static void test_chinese_raster_80(void **state)
{
	(void)state;
	char text[8192];
	visit_printed("zh", "qr = raster\nchinese = raster\npaper_mm = 80\n", text, sizeof text);
	int w, rows, slices;
	raster_shape(text, &w, &rows, &slices);
	assert_int_equal(w, 576);
	assert_int_equal(slices, (rows + 55) / 56); /* 72 bytes a row: 56 rows a slice */
	assert_non_null(strstr(text, "[cut GS V 66 3]"));
}

/* The bytes of an English receipt as the kiosk built them before receipts
 * spoke Chinese (the old printing.c's calls), for this date line and URL. */
static size_t english_bytes(uint8_t *mem, size_t cap, const char *when, const char *url)
{
	struct escpos_job j;
	escpos_begin(&j, mem, cap);
	escpos_align(&j, ESCPOS_CENTER);
	escpos_bold(&j, true);
	escpos_size(&j, 2, 2);
	escpos_line(&j, "WUFEI");
	escpos_size(&j, 1, 1);
	escpos_line(&j, "Zero-waste recycling");
	escpos_bold(&j, false);
	escpos_line(&j, "Kiosk 9  No. 1");
	escpos_line(&j, when);
	escpos_align(&j, ESCPOS_LEFT);
	escpos_line(&j, "paper        1.250 kg");
	escpos_line(&j, "Points       2");
	escpos_align(&j, ESCPOS_CENTER);
	assert_int_equal(escpos_qr_native(&j, url, 4), WF_OK);
	escpos_feed(&j, 1);
	escpos_cut(&j);
	assert_true(escpos_ok(&j));
	return j.len;
}

/* English: byte for byte the receipt it always was. */
static void test_english_text(void **state)
{
	(void)state;
	char text[8192];
	visit_printed("en", "chinese = raster\n", text, sizeof text);
	assert_non_null(strstr(text, "WUFEI\nZero-waste recycling\nKiosk 9  No. 1\n"));
	assert_non_null(strstr(text, "paper        1.250 kg\nPoints       2\n"));
	assert_null(strstr(text, "[raster"));
	assert_non_null(strstr(text, "[cut GS V 66 3]"));
	/* the date line and the URL as printed; the rest as it always was */
	char when[32] = "", url[512] = "", path[256];
	const char *at = strstr(text, "No. 1\n");
	assert_non_null(at);
	assert_int_equal(sscanf(at + 6, "%31[^\n]", when), 1);
	at = strstr(text, "ec M: ");
	assert_non_null(at);
	assert_int_equal(sscanf(at + 6, "%511[^]]", url), 1);
	static uint8_t want[16384], got[16384];
	size_t n = english_bytes(want, sizeof want, when, url);
	snprintf(path, sizeof path, "%s/printer-0001.bin", g_ds.dir);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t k = fread(got, 1, sizeof got, f);
	fclose(f);
	/* the printer thread's status requests (DLE EOT n) are not the job */
	size_t w = 0;
	for (size_t i = 0; i < k; i++) {
		if (i + 2 < k && got[i] == 0x10 && got[i + 1] == 0x04) {
			i += 2;
			continue;
		}
		got[w++] = got[i];
	}
	assert_int_equal(w, n);
	assert_memory_equal(got, want, n);
}

/* The anonymous daily cap end to end: set at central (0: anonymous paper
 * earns nothing), down-synced to the kiosk, an anonymous drop recorded
 * with nothing credited, the printed receipt saying 0 points and why (and
 * no "scan to claim"), and central holding what the kiosk recorded,
 * within the cap. */
static void test_anonymous_cap_printed(void **state)
{
	(void)state;
	char db[300], text[8192], url[512], out[4096];
	enrol_central(db, sizeof db);
	const char *cap[] = {"rates", "set",    "--id",       "1",      "--code", "paper", "--name",
	                     "纸类",  "--unit", "g",          "--rate", "2000",   "--min", "100",
	                     "--max", "50000",  "--anon-cap", "0",      NULL};
	assert_int_equal(harness_cli(db, out, sizeof out, cap), 0);
	struct central_proc c;
	assert_int_equal(harness_start(&c, db, 0), 0);
	/* (the printer's keys end the file: a [session] after them is this kiosk's too) */
	write_ini(c.port, "en", "chinese = raster\n[session]\nallow_anonymous = true\n");
	run_visit_by("tap anonymous");
	assert_non_null(strstr(g_out, "screen confirm (anon-cap-reached)"));
	printed(text, sizeof text, url, sizeof url);
	printf("%s\n", text);
	assert_non_null(strstr(text, "paper        1.250 kg\nPoints       0 (anonymous cap)\n"));
	assert_null(strstr(text, "Scan to claim"));
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	assert_int_equal(harness_count(db, "SELECT COUNT(*) FROM records WHERE kind = 1 AND "
	                                   "dflags = 3 AND qty = 1250 AND credited = 0"),
	                 1);
	assert_int_equal(
	    harness_count(db, "SELECT COUNT(*) FROM tamper_alerts WHERE reason = 'anon_cap'"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_chinese_gb18030, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chinese_raster_58, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chinese_raster_80, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_english_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_anonymous_cap_printed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
