/*
 * test_screens.c — every screen's layout, walked as a model: in portrait
 * 1080x1920, landscape 1920x1080 and a small 800x480 panel, in Chinese and
 * English, for representative views of every session_screen:
 *   - every control is at least 10 mm on the configured dpi, lies on the
 *     screen, and overlaps no other control; taps at a control's centre hit
 *     it (the hit-test walks the same layout);
 *   - every text/background pair the layouts use meets WCAG 2.1 AA (4.5:1,
 *     large text 3:1), computed from the theme's table;
 *   - every text block and label fits its rectangle, measured with SDL_ttf
 *     and the kiosk's font (ui_check_fit);
 *   - ui_draw draws only when the layout changed.
 * With WUFEI_SHOTS_DIR=DIR it also writes every screen as DIR/SIZE-LANG-NAME.png
 * (the screenshot command: docs/ARCHITECTURE.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ui.h"
#include "ui_layout.h"
#include "ui_theme.h"
#include "wf.h"

static const struct wf_category cats[] = {
    {.id = 1,
     .code = "paper",
     .name = "纸类 Paper",
     .unit = WF_UNIT_GRAM,
     .rate = 800,
     .min_qty = 100,
     .max_qty = 50000,
     .daily_limit_qty = 20000},
    {.id = 2,
     .code = "plastic",
     .name = "塑料 Plastic",
     .unit = WF_UNIT_GRAM,
     .rate = 3000,
     .min_qty = 50,
     .max_qty = 30000,
     .daily_limit_qty = 10000},
    {.id = 3,
     .code = "metal",
     .name = "金属 Metal",
     .unit = WF_UNIT_GRAM,
     .rate = 5000,
     .min_qty = 50,
     .max_qty = 30000},
    {.id = 4,
     .code = "glass",
     .name = "玻璃 Glass",
     .unit = WF_UNIT_GRAM,
     .rate = 1000,
     .min_qty = 100,
     .max_qty = 40000},
    {.id = 5,
     .code = "textiles",
     .name = "纺织物 Textiles",
     .unit = WF_UNIT_GRAM,
     .rate = 1500,
     .min_qty = 100,
     .max_qty = 30000},
    {.id = 6,
     .code = "batteries",
     .name = "电池 Batteries",
     .unit = WF_UNIT_PIECE,
     .rate = 2,
     .min_qty = 1,
     .max_qty = 50,
     .daily_limit_qty = 20},
    {.id = 7,
     .code = "ewaste",
     .name = "小家电 Small appliances",
     .unit = WF_UNIT_GRAM,
     .rate = 4000,
     .min_qty = 100,
     .max_qty = 20000},
};
#define NCATS ((unsigned)(sizeof cats / sizeof cats[0]))

static const struct {
	int w, h;
	const char *name;
} sizes[] = {{1080, 1920, "portrait"}, {1920, 1080, "landscape"}, {800, 480, "small"}};

static const struct ui_facts facts = {.clock = "09:41",
                                      .has_today = true,
                                      .today_grams = 128450,
                                      .today_drops = 57,
                                      .help_nearest =
                                          "翠苑二区 3 号楼旁的回收机 (Block 3, Cuiyuan II)",
                                      .help_phone = "0571-8888 6666",
                                      .test_weight_g = 5000};

static const struct ui_health health = {
    .sync = true, .since_ok_s = 12, .queue = 3, .dev = {{true, true}, {true, true}, {true, false}}};

#define NVIEWS 28
struct named {
	const char *name;
	struct session_view v;
};

/* Representative views of every screen (names become file names). */
static unsigned make_views(struct named *out)
{
	unsigned n = 0;
#define V(nm, ...)                                                                                 \
	out[n++] = (struct named)                                                                  \
	{                                                                                          \
		nm,                                                                                \
		{                                                                                  \
			__VA_ARGS__                                                                \
		}                                                                                  \
	}
	V("attract", .screen = SESSION_SCREEN_ATTRACT, .live_grams = 12, .live_has_weight = true);
	V("attract-anon", .screen = SESSION_SCREEN_ATTRACT, .allow_anonymous = true);
	V("refused", .screen = SESSION_SCREEN_REFUSED, .message = SESSION_MSG_BLOCKED,
	  .reason = "卡片已挂失 Card reported lost", .timeout_left_ms = 8000);
	V("unknown", .screen = SESSION_SCREEN_UNKNOWN, .timeout_left_ms = 15000);
	V("category", .screen = SESSION_SCREEN_CATEGORY, .name = "王*", .has_balance = true,
	  .balance = 1234, .session_points = 4, .timeout_left_ms = 30000);
	V("category-anon", .screen = SESSION_SCREEN_CATEGORY, .anonymous = true,
	  .timeout_left_ms = 30000);
	V("weigh-settling", .screen = SESSION_SCREEN_WEIGH, .category_id = 1, .live_grams = 12345,
	  .live_has_weight = true, .live = SESSION_SCALE_SETTLING, .stable_pct = 60,
	  .timeout_left_ms = 45000);
	V("weigh-moving", .screen = SESSION_SCREEN_WEIGH, .category_id = 2,
	  .live = SESSION_SCALE_MOVING, .timeout_left_ms = 44000, .message = SESSION_MSG_TOO_LIGHT);
	V("weigh-none", .screen = SESSION_SCREEN_WEIGH, .category_id = 7,
	  .live = SESSION_SCALE_NONE);
	V("weigh-overload", .screen = SESSION_SCREEN_WEIGH, .category_id = 1, .live_grams = 61000,
	  .live_has_weight = true, .live = SESSION_SCALE_OVERLOAD, .message = SESSION_MSG_OVERLOAD);
	V("count", .screen = SESSION_SCREEN_COUNT, .category_id = 6, .qty = 3, .points = 6,
	  .timeout_left_ms = 20000);
	V("confirm", .screen = SESSION_SCREEN_CONFIRM, .category_id = 1, .qty = 1250, .points = 1,
	  .timeout_left_ms = 20000);
	V("confirm-capped", .screen = SESSION_SCREEN_CONFIRM, .category_id = 2, .qty = 8000,
	  .points = 6, .capped = true, .timeout_left_ms = 20000);
	V("recording", .screen = SESSION_SCREEN_RECORDING);
	V("receipt", .screen = SESSION_SCREEN_RECEIPT, .has_receipt = true, .printer_ok = true,
	  .has_balance = true, .balance = 1240, .timeout_left_ms = 25000);
	V("receipt-noprinter", .screen = SESSION_SCREEN_RECEIPT, .has_receipt = true,
	  .message = SESSION_MSG_PRINTER_FAILED, .anonymous = true, .timeout_left_ms = 25000);
	V("pin", .screen = SESSION_SCREEN_PIN, .pin_len = 3, .timeout_left_ms = 30000);
	V("pin-locked", .screen = SESSION_SCREEN_PIN, .message = SESSION_MSG_LOCKED_OUT,
	  .locked_ms = 42000);
	V("pin-check", .screen = SESSION_SCREEN_PIN_CHECK);
	V("staff", .screen = SESSION_SCREEN_STAFF, .name = "李*", .test_grams = 5010,
	  .message = SESSION_MSG_TEST_OK, .live_has_weight = true, .live = SESSION_SCALE_STABLE,
	  .timeout_left_ms = 60000);
	V("staff-bin-category", .screen = SESSION_SCREEN_STAFF_BIN_CATEGORY,
	  .timeout_left_ms = 60000);
	V("staff-bin-weigh", .screen = SESSION_SCREEN_STAFF_BIN_WEIGH, .category_id = 3,
	  .live_grams = 8420, .live_has_weight = true, .live = SESSION_SCALE_STABLE,
	  .stable_pct = 100, .timeout_left_ms = 60000);
	V("staff-bin-keyed", .screen = SESSION_SCREEN_STAFF_BIN_WEIGH, .category_id = 3,
	  .live = SESSION_SCALE_NONE, .keyed = "999.125", .keyed_grams = 999125,
	  .timeout_left_ms = 60000);
	V("staff-oos", .screen = SESSION_SCREEN_STAFF, .staff_oos = true, .oos = SESSION_OOS_STAFF,
	  .timeout_left_ms = 60000);
	V("out-of-service", .screen = SESSION_SCREEN_OUT_OF_SERVICE, .oos = SESSION_OOS_SCALE);
	/* the anonymous daily cap: before confirm, and the receipt of 0 points */
	V("confirm-anon-capped", .screen = SESSION_SCREEN_CONFIRM, .category_id = 2, .qty = 8000,
	  .points = 3, .capped = true, .anon_capped = true, .anonymous = true,
	  .message = SESSION_MSG_ANON_CAP_REACHED, .timeout_left_ms = 20000);
	V("receipt-anon-capped", .screen = SESSION_SCREEN_RECEIPT, .has_receipt = true,
	  .printer_ok = true, .anonymous = true, .capped = true, .anon_capped = true,
	  .message = SESSION_MSG_ANON_CAP_REACHED, .timeout_left_ms = 25000);
#undef V
	for (unsigned i = 0; i < n; i++) {
		struct session_view *v = &out[i].v;
		if (v->has_receipt) {
			v->receipt.seq = 42;
			v->receipt.drop.category_id = 1;
			v->receipt.drop.unit = WF_UNIT_GRAM;
			v->receipt.drop.qty = 1250;
			v->receipt.drop.points = 1;
			v->receipt.drop.anonymous = v->anonymous;
			/* an anonymous drop over the cap earned nothing */
			v->receipt.drop.anon_capped = v->anon_capped;
			v->receipt.drop.capped = v->capped;
			if (v->anon_capped)
				v->receipt.drop.points = 0;
			snprintf(v->receipt.token, sizeof v->receipt.token, "%s",
			         "HTTPS://R.WUFEI.CN/R/"
			         "AEAACCIAAAAQAAAAPO5MQAIBADRAIAAAAIAAAADAWPTQT6SY4VPIS"
			         "DA3XLQJB3ULRN6ZCA23ISKSYOUSF7WLHI6RAMGFXTCFPHWPDLEDWA5ZXLEX7HAWCB"
			         "ANQKQVF2X"
			         "V2B67E7GMKUQA6");
		}
	}
	assert_true(n <= NVIEWS);
	return n;
}

static struct ui_layout g_l;

static void lay(const struct session_view *v, int si, enum wf_lang lang)
{
	struct session_view w = *v;
	w.language = lang;
	struct ui_layout_in in = {sizes[si].w, sizes[si].h,
	                          0,           "翠苑一区 Cuiyuan I",
	                          &facts,      w.screen == SESSION_SCREEN_STAFF ? &health : NULL};
	ui_layout_make(&w, cats, NCATS, &in, &g_l);
}

static bool overlap(struct ui_rect a, struct ui_rect b)
{
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static void check_targets(const char *what)
{
	const struct ui_layout *l = &g_l;
	assert_int_equal(l->min_target_px, 41);             /* 10 mm at 102 dpi */
	if (l->nel >= UI_ELS_MAX || l->nctl >= UI_CTLS_MAX) /* something may have been dropped */
		fail_msg("%s: %u elements, %u controls: the layout is full", what, l->nel, l->nctl);
	for (unsigned i = 0; i < l->nctl; i++) {
		struct ui_rect r = l->ctl[i].r;
		if (r.w < l->min_target_px || r.h < l->min_target_px)
			fail_msg("%s: control '%s' is %dx%d px, under 10 mm", what,
			         l->ctl[i].b.label, r.w, r.h);
		if (r.x < 0 || r.y < 0 || r.x + r.w > l->w || r.y + r.h > l->h)
			fail_msg("%s: control '%s' lies off the screen", what, l->ctl[i].b.label);
		for (unsigned j = 0; j < i; j++)
			if (overlap(r, l->ctl[j].r))
				fail_msg("%s: controls '%s' and '%s' overlap", what,
				         l->ctl[i].b.label, l->ctl[j].b.label);
		if (l->ctl[i].enabled)
			assert_int_equal(ui_layout_hit(l, r.x + r.w / 2, r.y + r.h / 2), (int)i);
	}
	for (unsigned i = 0; i < l->nel; i++) {
		struct ui_rect r = l->el[i].r;
		if (r.x < 0 || r.y < 0 || r.x + r.w > l->w || r.y + r.h > l->h)
			fail_msg("%s: element %u ('%s') lies off the screen", what, i,
			         l->el[i].text);
	}
}

static void need_contrast(enum ui_color fg, enum ui_color bg, bool large, const char *what,
                          const char *text)
{
	double c = ui_theme_contrast(fg, bg), min = large ? 3.0 : 4.5;
	if (c < min)
		fail_msg("%s: '%s' has contrast %.2f:1 (colours %d on %d), under %.1f:1", what,
		         text, c, (int)fg, (int)bg, min);
}

static void check_contrast(const char *what)
{
	const struct ui_layout *l = &g_l;
	for (unsigned i = 0; i < l->nel; i++) {
		const struct ui_el *e = &l->el[i];
		if (e->kind == UI_EL_TEXT && e->text[0])
			need_contrast(e->fg, e->bg, l->font_px[e->font] >= 24, what, e->text);
	}
	for (unsigned i = 0; i < l->nctl; i++) {
		const struct ui_ctl *c = &l->ctl[i];
		enum ui_color fg, bg, border;
		ui_style_colors(c->style, c->enabled, &fg, &bg, &border);
		bool large = l->font_px[c->font] >= 24;
		need_contrast(fg, bg, large, what, c->b.label);
		if (c->sub[0])
			need_contrast(c->enabled ? UI_C_MUTED : fg, bg,
			              l->font_px[UI_FONT_SMALL] >= 24, what, c->sub);
		/* drawn pressed: on a darker brand or on the soft tint */
		if (c->enabled)
			need_contrast(fg, ui_style_pressed_bg(c->style), large, what, c->b.label);
	}
}

static void test_layouts(void **state)
{
	(void)state;
	struct named views[NVIEWS];
	unsigned n = make_views(views);
	for (unsigned si = 0; si < 3; si++)
		for (int lang = 0; lang < 2; lang++)
			for (unsigned i = 0; i < n; i++) {
				char what[128];
				snprintf(what, sizeof what, "%s %s %s", sizes[si].name,
				         lang ? "en" : "zh", views[i].name);
				lay(&views[i].v, (int)si, lang ? WF_LANG_EN : WF_LANG_ZH);
				check_targets(what);
				check_contrast(what);
				/* the language switch on every screen, naming the other language */
				int k = ui_layout_find(&g_l, SESSION_TAP_LANGUAGE, 0, 0);
				assert_true(k >= 0);
				assert_string_equal(g_l.ctl[k].b.label,
				                    wf_lang_name(lang ? WF_LANG_ZH : WF_LANG_EN));
			}
}

/* The design sizes: body >= 36 px and the live weight >= 160 px at 1080x1920. */
static void test_type_sizes(void **state)
{
	(void)state;
	struct session_view v = {.screen = SESSION_SCREEN_WEIGH, .category_id = 1};
	lay(&v, 0, WF_LANG_ZH);
	assert_true(g_l.font_px[UI_FONT_SMALL] >= 36);
	assert_true(g_l.font_px[UI_FONT_BODY] >= 36);
	assert_true(g_l.font_px[UI_FONT_HUGE] >= 160 * 4 / 3); /* a font's digits are ~3/4 of it */
	/* confirm is there on the weighing screen, and disabled: the core goes on by itself */
	int k = ui_layout_find(&g_l, SESSION_TAP_CONFIRM, 0, 0);
	assert_true(k >= 0);
	assert_false(g_l.ctl[k].enabled);
	v.screen = SESSION_SCREEN_CONFIRM;
	lay(&v, 0, WF_LANG_ZH);
	k = ui_layout_find(&g_l, SESSION_TAP_CONFIRM, 0, 0);
	assert_true(g_l.ctl[k].enabled);
	/* back bottom-left, primary bottom-right */
	int c = ui_layout_find(&g_l, SESSION_TAP_CANCEL, 0, 0);
	assert_true(g_l.ctl[c].r.x < g_l.w / 2 && g_l.ctl[k].r.x > g_l.w / 2);
	assert_int_equal(g_l.ctl[c].r.y, g_l.ctl[k].r.y);
	assert_int_equal(g_l.ctl[k].style, UI_STYLE_PRIMARY);
	/* the anonymous start only where allowed */
	struct session_view a = {.screen = SESSION_SCREEN_ATTRACT};
	lay(&a, 0, WF_LANG_EN);
	assert_int_equal(ui_layout_find(&g_l, SESSION_TAP_ANONYMOUS, 0, 0), -1);
	a.allow_anonymous = true;
	lay(&a, 0, WF_LANG_EN);
	assert_true(ui_layout_find(&g_l, SESSION_TAP_ANONYMOUS, 0, 0) >= 0);
}

static bool has_text(const char *needle)
{
	for (unsigned i = 0; i < g_l.nel; i++)
		if (strstr(g_l.el[i].text, needle))
			return true;
	for (unsigned i = 0; i < g_l.nctl; i++)
		if (strstr(g_l.ctl[i].b.label, needle) || strstr(g_l.ctl[i].sub, needle))
			return true;
	return false;
}

/* The anonymous daily cap in words, in both languages: on confirm (the
 * banner and what the points are, not what they would have been) and on
 * the receipt of a drop that earned nothing (no "claim the points"). */
static void test_anon_cap_words(void **state)
{
	(void)state;
	struct named views[NVIEWS];
	unsigned n = make_views(views);
	assert_string_equal(views[n - 2].name, "confirm-anon-capped");
	lay(&views[n - 2].v, 0, WF_LANG_EN);
	assert_true(has_text("Points for anonymous drops used up today"));
	assert_true(has_text(
	    "Anonymous limit for today reached: 3 points, not 24 points. All of it is recorded."));
	assert_false(has_text("Daily limit reached"));
	lay(&views[n - 2].v, 0, WF_LANG_ZH);
	assert_true(has_text("今日匿名投放积分已用完"));
	assert_true(has_text("本机今日匿名投放积分已达上限：本次得 3 积分（原应得 24 积分）"));
	lay(&views[n - 1].v, 0, WF_LANG_EN);
	assert_true(has_text("+0 points"));
	assert_true(has_text("No points: anonymous drops here have used up today's points."));
	assert_false(has_text("claim the points"));
	lay(&views[n - 1].v, 0, WF_LANG_ZH);
	assert_true(has_text("+0 积分"));
	assert_true(has_text("本次无积分"));
	assert_false(has_text("扫码即可领取积分"));
	/* the daily limit keeps its own words */
	lay(&views[12].v, 0, WF_LANG_EN);
	assert_true(has_text("Daily limit reached: 6 points, not 24 points."));
	assert_false(has_text("Anonymous"));
}

/* The words: rates, weights, states, countdowns, in both languages. */
static void test_words(void **state)
{
	(void)state;
	struct named views[NVIEWS];
	make_views(views);
	lay(&views[4].v, 0, WF_LANG_ZH); /* category */
	assert_true(has_text("0.8 分/公斤"));
	assert_true(has_text("2 分/节"));
	assert_true(has_text("请选择") || has_text("投放什么"));
	lay(&views[4].v, 0, WF_LANG_EN);
	assert_true(has_text("0.8 pts/kg"));
	assert_true(has_text("2 pts/battery"));
	assert_true(has_text("1,234") || has_text("1234 points"));
	assert_true(has_text("30 seconds"));
	lay(&views[6].v, 0, WF_LANG_EN); /* weigh, settling */
	assert_true(has_text("12.345"));
	assert_true(has_text("Settling"));
	lay(&views[6].v, 0, WF_LANG_ZH);
	assert_true(has_text("稳定中"));
	lay(&views[12].v, 0, WF_LANG_EN); /* confirm, capped */
	assert_true(has_text("limit"));
	lay(&views[24].v, 0, WF_LANG_EN); /* out of service */
	assert_true(has_text("0571-8888 6666"));
	assert_true(has_text("The scale is not connected"));
	lay(&views[19].v, 0, WF_LANG_EN); /* staff */
	assert_true(has_text("PASS"));
	assert_true(has_text("Printer DOWN"));
	lay(&views[0].v, 0, WF_LANG_EN); /* attract: today's totals and the clock */
	assert_true(has_text("128.450 kg"));
	assert_true(has_text("57 drops"));
	assert_true(has_text("09:41"));
}

static struct ui *open_ui(int si, char *err, size_t len)
{
	struct ui_config cfg = {
	    .width = sizes[si].w, .height = sizes[si].h, .kiosk_name = "翠苑一区 Cuiyuan I"};
	struct ui *u = NULL;
	if (ui_open(&cfg, &u, err, len) != WF_OK)
		fail_msg("ui_open: %s", err);
	ui_set_facts(u, &facts);
	return u;
}

/* Every text fits its box with the real font; screenshots on request. */
static void test_text_fits(void **state)
{
	(void)state;
	struct named views[NVIEWS];
	unsigned n = make_views(views);
	const char *dir = getenv("WUFEI_SHOTS_DIR");
	char err[512];
	int misfits = 0;
	for (unsigned si = 0; si < 3; si++) {
		struct ui *u = open_ui((int)si, err, sizeof err);
		for (int lang = 0; lang < 2; lang++)
			for (unsigned i = 0; i < n; i++) {
				struct session_view v = views[i].v;
				v.language = lang ? WF_LANG_EN : WF_LANG_ZH;
				ui_set_health(u, v.screen == SESSION_SCREEN_STAFF ? &health : NULL);
				struct ui_layout_in in = ui_layout_in_of(u);
				ui_layout_make(&v, cats, NCATS, &in, &g_l);
				if (ui_check_fit(u, &g_l, err, sizeof err) != 0) {
					printf("%s %s %s: %s\n", sizes[si].name, lang ? "en" : "zh",
					       views[i].name, err);
					misfits++;
				}
				if (!dir)
					continue;
				assert_true(ui_draw(u, &v, cats, NCATS) >= 0);
				char path[600];
				snprintf(path, sizeof path, "%s/%s-%s-%s.png", dir, sizes[si].name,
				         lang ? "en" : "zh", views[i].name);
				assert_int_equal(ui_save_png(u, path, err, sizeof err), WF_OK);
			}
		ui_close(u);
	}
	assert_int_equal(misfits, 0);
}

/* ui_draw draws only when what it shows changed. */
static void test_redraw_only_on_change(void **state)
{
	(void)state;
	char err[512];
	struct ui *u = open_ui(0, err, sizeof err);
	struct session_view a = {.screen = SESSION_SCREEN_ATTRACT,
	                         .live_has_weight = true,
	                         .live_grams = 100,
	                         .live = SESSION_SCALE_MOVING};
	assert_int_equal(ui_draw(u, &a, cats, NCATS), 1);
	assert_int_equal(ui_draw(u, &a, cats, NCATS), 0);
	a.live_grams = 2500; /* someone leaning on the platform at attract */
	a.live = SESSION_SCALE_SETTLING;
	a.stable_pct = 30;
	assert_int_equal(ui_draw(u, &a, cats, NCATS), 0);
	struct session_view w = {.screen = SESSION_SCREEN_WEIGH,
	                         .category_id = 1,
	                         .live_has_weight = true,
	                         .live_grams = 100};
	assert_int_equal(ui_draw(u, &w, cats, NCATS), 1);
	w.live_grams = 120;
	assert_int_equal(ui_draw(u, &w, cats, NCATS), 1);
	assert_int_equal(ui_draw(u, &w, cats, NCATS), 0);
	w.timeout_left_ms = 30000;
	assert_int_equal(ui_draw(u, &w, cats, NCATS), 1);
	w.timeout_left_ms = 29500; /* the same whole second: nothing new */
	assert_int_equal(ui_draw(u, &w, cats, NCATS), 0);
	ui_close(u);
}

int main(void)
{
	char err[256];
	if (wf_i18n_init(NULL, err, sizeof err) != WF_OK) {
		fprintf(stderr, "i18n: %s\n", err);
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layouts),   cmocka_unit_test(test_type_sizes),
	    cmocka_unit_test(test_words),     cmocka_unit_test(test_anon_cap_words),
	    cmocka_unit_test(test_text_fits), cmocka_unit_test(test_redraw_only_on_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
