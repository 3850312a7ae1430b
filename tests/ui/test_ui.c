/*
 * test_ui.c — the kiosk's screens: what they say (pure ui_text) and how they
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

static bool has_line(const struct ui_text *t, const char *needle)
{
	for (unsigned i = 0; i < t->nlines; i++)
		if (strstr(t->lines[i], needle))
			return true;
	return false;
}

static bool has_button(const struct ui_text *t, const char *label)
{
	for (unsigned i = 0; i < t->nbuttons; i++)
		if (!strcmp(t->buttons[i].label, label))
			return true;
	return false;
}

static void test_words(void **state)
{
	(void)state;
	struct ui_text t;
	struct session_view v = {.screen = SESSION_SCREEN_WEIGH,
	                         .category_id = 1,
	                         .live_grams = 1250,
	                         .live_has_weight = true,
	                         .live = SESSION_SCALE_SETTLING,
	                         .stable_pct = 40};
	ui_text_make(&v, cats, 2, true, &t);
	assert_string_equal(t.title, "请把物品放在秤上");
	assert_true(has_line(&t, "1.250 kg"));
	assert_true(has_line(&t, "纸类 Paper"));
	assert_true(has_line(&t, "稳定中 40%"));
	ui_text_make(&v, cats, 2, false, &t);
	assert_string_equal(t.title, "Put your recyclables on the scale");
	assert_true(has_button(&t, "Cancel"));
	/* the scale answers "in motion": no weight shown, the words say so */
	struct session_view m = {
	    .screen = SESSION_SCREEN_WEIGH, .category_id = 1, .live = SESSION_SCALE_MOVING};
	ui_text_make(&m, cats, 2, false, &t);
	assert_true(has_line(&t, "Moving: please wait"));
	assert_false(has_line(&t, "kg"));
	ui_text_make(&m, cats, 2, true, &t);
	assert_true(has_line(&t, "秤在晃动，请稍候"));
	m.live = SESSION_SCALE_OVERLOAD;
	ui_text_make(&m, cats, 2, false, &t);
	assert_true(has_line(&t, "Over capacity"));
	m.live = SESSION_SCALE_UNDERLOAD;
	ui_text_make(&m, cats, 2, false, &t);
	assert_true(has_line(&t, "Below zero: please call staff"));

	struct session_view c = {.screen = SESSION_SCREEN_CATEGORY, .session_points = 7};
	snprintf(c.name, sizeof c.name, "王*");
	ui_text_make(&c, cats, 2, true, &t);
	assert_true(has_line(&t, "您好，王*"));
	assert_true(has_line(&t, "本次积分 7"));
	assert_true(has_button(&t, "纸类 Paper") && has_button(&t, "电池 Batteries"));
	assert_true(has_button(&t, "完成"));

	struct session_view k = {.screen = SESSION_SCREEN_CONFIRM,
	                         .category_id = 6,
	                         .qty = 4,
	                         .points = 8,
	                         .capped = true,
	                         .message = SESSION_MSG_LIMIT_REACHED};
	ui_text_make(&k, cats, 2, false, &t);
	assert_true(has_line(&t, "4 pcs"));
	assert_true(has_line(&t, "Points 8 (daily limit)"));
	assert_string_equal(t.message, "Daily limit reached: recorded, points capped");
	assert_true(t.message_is_error);

	struct session_view p = {.screen = SESSION_SCREEN_PIN, .pin_len = 3};
	ui_text_make(&p, cats, 2, true, &t);
	assert_string_equal(t.lines[0], "●●●");
	/* the keypad: 1..9, delete, 0, OK, each with its tap */
	assert_int_equal(t.nbuttons, 12);
	assert_int_equal(t.buttons[0].control, SESSION_TAP_DIGIT);
	assert_int_equal(t.buttons[0].digit, 1);
	assert_string_equal(t.buttons[9].label, "删除");
	assert_int_equal(t.buttons[9].control, SESSION_TAP_BACKSPACE);
	assert_int_equal(t.buttons[10].digit, 0);
	assert_int_equal(t.buttons[11].control, SESSION_TAP_CONFIRM);
	/* category buttons carry their category */
	ui_text_make(&c, cats, 2, true, &t);
	assert_int_equal(t.buttons[1].control, SESSION_TAP_CATEGORY);
	assert_int_equal(t.buttons[1].category_id, 6);

	struct session_view o = {.screen = SESSION_SCREEN_OUT_OF_SERVICE, .oos = SESSION_OOS_SCALE};
	ui_text_make(&o, cats, 2, false, &t);
	assert_true(has_line(&t, "The scale is not connected"));

	/* the staff menu's health lines */
	struct session_view st = {.screen = SESSION_SCREEN_STAFF};
	ui_text_make(&st, cats, 2, true, &t);
	struct ui_health h = {.sync = true, .since_ok_s = 3, .queue = 12, .conflicts = 1};
	h.dev[0].configured = h.dev[0].up = true;
	h.dev[2].configured = true;
	ui_health_lines(&h, true, &t);
	assert_true(has_line(&t, "同步：3 秒前 · 待上传 12 · 冲突 1"));
	assert_true(has_line(&t, "秤 正常 · 读卡器 未配置 · 打印机 断开"));
	ui_text_make(&st, cats, 2, false, &t);
	h.since_ok_s = -1;
	h.sync_failing = true;
	ui_health_lines(&h, false, &t);
	assert_true(has_line(&t, "Sync: never · queue 12 · conflicts 1 · retrying"));
	assert_true(has_line(&t, "Scale up · Card reader none · Printer down"));

	char q[32];
	ui_format_qty(-50, WF_UNIT_GRAM, true, q, sizeof q);
	assert_string_equal(q, "-0.050 kg");
	ui_format_qty(3, WF_UNIT_PIECE, true, q, sizeof q);
	assert_string_equal(q, "3 件");
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

static struct ui *open_ui(bool zh)
{
	struct ui_config cfg = {.width = 1080, .height = 1920, .zh = zh, .kiosk_name = "翠苑一区"};
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
	struct ui *u = open_ui(true);
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
	assert_int_equal(ui_draw(u, &v, cats, 2), WF_OK);
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
	struct ui *u = open_ui(false);
	char prev[4096] = "", err[256];
	size_t prev_len = 0;
	for (int s = SESSION_SCREEN_ATTRACT; s <= SESSION_SCREEN_OUT_OF_SERVICE; s++) {
		struct session_view v = {.screen = (enum session_screen)s,
		                         .message =
		                             s % 3 ? SESSION_MSG_NONE : SESSION_MSG_TOO_HEAVY};
		assert_int_equal(ui_draw(u, &v, cats, 2), WF_OK);
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
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words),
	    cmocka_unit_test_setup_teardown(test_receipt_qr_reads_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_screen_draws, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
