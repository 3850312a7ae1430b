/*
 * test_ui.c — the kiosk's screens: their words (pure ui_text) and how they
 * are drawn (SDL2 offscreen, real fonts through fontconfig). The receipt
 * screen's QR code, read back from the PNG with zbarimg, is the receipt URL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "ui.h"
#include "ui_text.h"
#include "wf.h"
#include "wf_test.h"

static const struct wf_category cats[] = {
    {.id = 1, .code = "paper", .name = "纸类 Paper", .unit = WF_UNIT_GRAM},
    {.id = 6, .code = "batteries", .name = "电池 Batteries", .unit = WF_UNIT_PIECE},
};

static char g_dir[64];

static int setup(void **state)
{
	(void)state;
	return wf_test_tmpdir("ui", g_dir, sizeof g_dir);
}

static int teardown(void **state)
{
	(void)state;
	return wf_test_rmtree(g_dir);
}

/* The words of the health lines and quantities (pure ui_text, gettext). */
static void test_words(void **state)
{
	(void)state;
	struct ui_health h = {.sync = true, .since_ok_s = 3, .queue = 12, .conflicts = 1};
	h.dev[0].configured = h.dev[0].up = true;
	h.dev[2].configured = true;
	char a[UI_LINE_MAX], b[UI_LINE_MAX];
	ui_health_lines(&h, WF_LANG_ZH, a, b);
	assert_string_equal(a, "同步：3 秒前 · 待上传 12 · 冲突 1");
	assert_string_equal(b, "秤 正常 · 读卡器 未配置 · 打印机 断开");
	h.since_ok_s = -1;
	h.sync_failing = true;
	ui_health_lines(&h, WF_LANG_EN, a, b);
	assert_string_equal(a, "Sync: never · queue 12 · conflicts 1 · retrying");
	assert_string_equal(b, "Scale up · Card reader none · Printer DOWN");
	/* central refused for good (seq_exhausted): not "retrying" but a call to the office */
	h.sync_refused = true;
	ui_health_lines(&h, WF_LANG_EN, a, b);
	assert_string_equal(a, "Sync: never · queue 12 · conflicts 1 · refused: call the office");
	ui_health_lines(&h, WF_LANG_ZH, a, b);
	assert_string_equal(a, "同步：从未成功 · 待上传 12 · 冲突 1 · 中心拒绝：请联系办公室");
	h.sync_refused = false;
	/* counts not known yet (before the journal was read) show as a dash */
	h.queue = h.conflicts = -1;
	h.sync_failing = false;
	ui_health_lines(&h, WF_LANG_ZH, a, b);
	assert_string_equal(a, "同步：从未成功 · 待上传 – · 冲突 –");
	h.sync = false;
	ui_health_lines(&h, WF_LANG_EN, a, b);
	assert_string_equal(a, "No central · queue –");
	char q[32];
	ui_format_qty(-50, WF_UNIT_GRAM, WF_LANG_ZH, q, sizeof q);
	assert_string_equal(q, "-0.050 kg");
	ui_format_qty(3, WF_UNIT_PIECE, WF_LANG_ZH, q, sizeof q);
	assert_string_equal(q, "3 件");
	ui_format_qty(1, WF_UNIT_PIECE, WF_LANG_EN, q, sizeof q);
	assert_string_equal(q, "1 piece");
	ui_format_qty(2, WF_UNIT_PIECE, WF_LANG_EN, q, sizeof q);
	assert_string_equal(q, "2 pieces");
	struct wf_category c = {.code = "paper", .unit = WF_UNIT_GRAM, .rate = 1250};
	ui_format_rate(&c, WF_LANG_ZH, q, sizeof q);
	assert_string_equal(q, "1.25 分/公斤");
	assert_string_equal(ui_scale_text(SESSION_SCALE_MOVING, WF_LANG_EN), "Moving: please wait");
}

/* Width and height from a PNG's IHDR. */
static void png_size(const char *path, unsigned *w, unsigned *h)
{
	unsigned char b[24];
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(b, 1, sizeof b, f), sizeof b);
	fclose(f);
	assert_memory_equal(b, "\x89PNG", 4);
	*w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
	*h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
}

static struct ui *open_ui(void)
{
	struct ui_config cfg = {.width = 1080, .height = 1920, .kiosk_name = "翠苑一区"};
	struct ui *u = NULL;
	char err[256];
	int rc = ui_open(&cfg, &u, err, sizeof err);
	if (rc != WF_OK)
		fail_msg("ui_open: %s", err);
	return u;
}

static void test_receipt_qr_reads_back(void **state)
{
	(void)state;
	struct ui *u = open_ui();
	struct session_view v = {.screen = SESSION_SCREEN_RECEIPT, .has_receipt = true};
	v.receipt.seq = 42;
	v.receipt.drop.category_id = 1;
	v.receipt.drop.unit = WF_UNIT_GRAM;
	v.receipt.drop.qty = 1250;
	v.receipt.drop.points = 2;
	const char *url =
	    "HTTPS://R.WUFEI.CN/R/AEAACCIAAAAQAAAAPO5MQAIBADRAIAAAAIAAAADAWPTQT6SY4VPISDA3X"
	    "LQJB3ULRN6ZCA23ISKSYOUSF7WLHI6RAMGFXTCFPHWPDLEDWA5ZXLEX7HAWCBANQKQVF2XV2B67E7"
	    "GMKUQA6";
	snprintf(v.receipt.token, sizeof v.receipt.token, "%s", url);
	assert_int_equal(ui_draw(u, &v, cats, 2), 1);
	char path[128], err[256], out[512] = "";
	snprintf(path, sizeof path, "%s/receipt.png", g_dir);
	assert_int_equal(ui_save_png(u, path, err, sizeof err), WF_OK);
	ui_close(u);
	unsigned w, h;
	png_size(path, &w, &h);
	assert_int_equal(w, 1080);
	assert_int_equal(h, 1920);
	assert_int_equal(wf_test_qr_read(path, out, sizeof out), 0);
	assert_string_equal(out, url);
}

/* Every screen draws; different screens look different. */
static void test_every_screen_draws(void **state)
{
	(void)state;
	struct ui *u = open_ui();
	char prev[4096] = "", err[256];
	size_t prev_len = 0;
	for (int s = SESSION_SCREEN_ATTRACT; s <= SESSION_SCREEN_OUT_OF_SERVICE; s++) {
		struct session_view v = {.screen = (enum session_screen)s,
		                         .message =
		                             s % 3 ? SESSION_MSG_NONE : SESSION_MSG_TOO_HEAVY};
		assert_int_equal(ui_draw(u, &v, cats, 2), 1);
		char path[128];
		snprintf(path, sizeof path, "%s/%02d.png", g_dir, s);
		assert_int_equal(ui_save_png(u, path, err, sizeof err), WF_OK);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		char now[4096];
		size_t len = fread(now, 1, sizeof now, f);
		fclose(f);
		assert_true(len > 1000); /* a real picture, not an empty file */
		if (prev_len)
			assert_false(len == prev_len && !memcmp(now, prev, len));
		memcpy(prev, now, len);
		prev_len = len;
	}
	ui_close(u);
	/* refusals: a bad font path and a bad size, said so */
	struct ui_config bad = {.width = 1080, .height = 1920, .font_path = "/nonexistent.ttf"};
	struct ui *none = NULL;
	assert_int_equal(ui_open(&bad, &none, err, sizeof err), WF_ENOENT);
	assert_null(none);
	assert_non_null(strstr(err, "/nonexistent.ttf"));
	bad.font_path = NULL;
	bad.width = 10;
	assert_int_equal(ui_open(&bad, &none, err, sizeof err), WF_EINVAL);
	assert_non_null(strstr(err, "10x1920"));
}

int main(void)
{
	char err[256];
	if (wf_i18n_init(NULL, err, sizeof err) != WF_OK) {
		fprintf(stderr, "i18n: %s\n", err);
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words),
	    cmocka_unit_test_setup_teardown(test_receipt_qr_reads_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_screen_draws, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
