/*
 * test_web_kit.c — the office pages' HTML kit (central/web/web.h): hostile
 * strings escaped wherever a value goes (text, attributes, chart labels,
 * CSV), the buffer's cap, the language cookie, numbers and days, the shell,
 * tables, forms and charts as a browser and a screen reader need them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "i18n.h"
#include "web.h"

/* What a function wrote into a fresh buffer (static: one at a time). */
static char out[1 << 16];

static const char *text_of(struct web_buf *b)
{
	assert_false(b->failed);
	snprintf(out, sizeof out, "%s", b->data ? b->data : "");
	web_buf_free(b);
	return out;
}

static const char *escaped(const char *s)
{
	struct web_buf b;
	web_buf_init(&b, 4096);
	web_text(&b, s);
	return text_of(&b);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_escape_hostile(void **state)
{
	(void)state;
	assert_string_equal(escaped("<script>alert(1)</script>"),
	                    "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_string_equal(escaped("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
	assert_string_equal(escaped("'`&amp;"), "&#39;&#96;&amp;amp;");
	/* a terminal escape, a NUL-free control byte, DEL: replaced, never passed on */
	assert_string_equal(escaped("a\x1b[31mb\x7f"), "a\xef\xbf\xbd[31mb\xef\xbf\xbd");
	/* bytes that are not UTF-8: a lone 0xff, an overlong '/', a cut sequence */
	assert_string_equal(escaped("x\xffy"), "x\xef\xbf\xbdy");
	assert_string_equal(escaped("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(escaped("end\xe4\xb8"), "end\xef\xbf\xbd\xef\xbf\xbd");
	/* a UTF-16 surrogate encoded in UTF-8 is not UTF-8 either */
	assert_string_equal(escaped("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* what is fine stays as it is: Chinese, tab, newline */
	assert_string_equal(escaped("纸类\t王*\n"), "纸类\t王*\n");
	assert_string_equal(escaped(NULL), "");
}

static void test_buffer_cap(void **state)
{
	(void)state;
	struct web_buf b;
	web_buf_init(&b, 10);
	web_raw(&b, "0123456789");
	assert_false(b.failed);
	web_raw(&b, "x");
	assert_true(b.failed);
	web_raw(&b, "y"); /* nothing after a failure */
	assert_int_equal(b.len, 10);
	assert_null(web_buf_take(&b));
	/* a long printf grows past the stack buffer it starts in */
	web_buf_init(&b, 1 << 20);
	char big[2000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	web_rawf(&b, "<%s>", big);
	assert_int_equal(b.len, 2001);
	char *t = web_buf_take(&b);
	assert_non_null(t);
	assert_int_equal(t[0], '<');
	assert_int_equal(t[2000], '>');
	free(t);
	/* an empty buffer still gives a string */
	web_buf_init(&b, 10);
	t = web_buf_take(&b);
	assert_string_equal(t, "");
	free(t);
}

static void test_lang_cookie(void **state)
{
	(void)state;
	char c[160];
	web_lang_cookie(WF_LANG_EN, c, sizeof c);
	assert_non_null(strstr(c, "wufei_lang=en;"));
	assert_non_null(strstr(c, "HttpOnly"));
	assert_non_null(strstr(c, "SameSite=Strict"));
}

static void test_numbers_and_days(void **state)
{
	(void)state;
	char t[64];
	web_fmt_int(0, t, sizeof t);
	assert_string_equal(t, "0");
	web_fmt_int(1234567, t, sizeof t);
	assert_string_equal(t, "1,234,567");
	web_fmt_int(-1000, t, sizeof t);
	assert_string_equal(t, "-1,000");
	web_fmt_int(INT64_MIN, t, sizeof t);
	assert_string_equal(t, "-9,223,372,036,854,775,808");
	web_fmt_qty(WF_LANG_EN, 1, 1250, t, sizeof t);
	assert_string_equal(t, "1.250 kg");
	web_fmt_qty(WF_LANG_ZH, 1, 1234567, t, sizeof t);
	assert_string_equal(t, "1,234.567 公斤");
	web_fmt_qty(WF_LANG_EN, 2, 3, t, sizeof t);
	assert_string_equal(t, "3 pieces");
	web_fmt_qty(WF_LANG_ZH, 2, 3, t, sizeof t);
	assert_string_equal(t, "3 件");
	web_fmt_points(WF_LANG_ZH, 2500, t, sizeof t);
	assert_string_equal(t, "2,500 积分");
	web_fmt_points(WF_LANG_EN, 2, t, sizeof t);
	assert_string_equal(t, "2 points");
	uint32_t d = 0;
	assert_true(web_parse_day("2028-02-29", &d));
	assert_int_equal(d, 20280229);
	assert_true(web_parse_day("20261128", &d));
	assert_false(web_parse_day("2026-02-29", &d)); /* not a leap year */
	assert_false(web_parse_day("20261131", &d));
	assert_false(web_parse_day("2026-1-1", &d));
	assert_false(web_parse_day("1999-12-31", &d));
	assert_false(web_parse_day("2026-11-28<", &d));
	assert_false(web_parse_day("", &d));
	assert_int_equal(web_day_add(20261201, -1), 20261130);
	assert_int_equal(web_day_add(20261231, 1), 20270101);
	assert_int_equal(web_day_add(20280301, -1), 20280229);
	assert_int_equal(web_day_add(20261130, -29), 20261101);
	web_fmt_day(20261128, t, sizeof t);
	assert_string_equal(t, "2026-11-28");
	web_fmt_time(1795867200, t, sizeof t);
	assert_string_equal(t, "2026-11-28 12:00 UTC");
}

static void test_page_shell(void **state)
{
	(void)state;
	struct web_buf b;
	web_buf_init(&b, 1 << 16);
	struct web_page p = {.lang = WF_LANG_EN,
	                     .title = "<b>Kiosk \"7\"</b>",
	                     .self = "/office/kiosks/7?day=20261128",
	                     .nav = WEB_NAV_KIOSKS,
	                     .user = "ada<x>",
	                     .csrf = "c5\"rf"};
	web_page_begin(&b, &p);
	web_raw(&b, "<p>body</p>");
	web_page_end(&b, &p);
	const char *h = text_of(&b);
	assert_non_null(strstr(h, "<html lang=en>"));
	assert_non_null(strstr(h, "<title>&lt;b&gt;Kiosk &quot;7&quot;&lt;/b&gt; · Wufei office"));
	assert_null(strstr(h, "<b>Kiosk"));
	assert_non_null(strstr(h, "<a class=skip href=\"#main\">Skip to content</a>"));
	assert_non_null(strstr(h, "<main id=main"));
	assert_non_null(strstr(h, "<nav aria-label=\"Office pages\">"));
	/* the current page marked, once */
	assert_non_null(strstr(h, "<a href=\"/office/kiosks\" aria-current=page>Kiosks</a>"));
	assert_int_equal(count(h, "aria-current"), 3); /* the CSS names it twice */
	/* the user links to the account page; logout is a POST with the CSRF token */
	assert_non_null(strstr(h, "<a class=user href=\"/office/account\">ada&lt;x&gt;</a>"));
	assert_non_null(strstr(h, "<form class=logout method=post action=\"/office/logout\">"
	                          "<input type=hidden name=\"csrf\" value=\"c5&quot;rf\">"
	                          "<button type=submit>Log out</button></form>"));
	/* the switch keeps the page's query and names the language in itself */
	assert_non_null(strstr(h, "href=\"/office/kiosks/7?day=20261128&amp;lang=zh\" "
	                          "hreflang=zh-CN lang=zh-CN>中文</a>"));
	assert_non_null(strstr(h, "@media print"));
	assert_non_null(strstr(h, "</main><footer>"));
	/* and in Chinese, before a login (the login page): no nav, no logout */
	web_buf_init(&b, 1 << 16);
	p.lang = WF_LANG_ZH;
	p.self = "/office/";
	p.user = NULL;
	web_page_begin(&b, &p);
	web_page_end(&b, &p);
	h = text_of(&b);
	assert_non_null(strstr(h, "<html lang=zh-CN>"));
	assert_non_null(strstr(h, "跳到正文"));
	assert_non_null(strstr(h, "href=\"/office/?lang=en\" hreflang=en lang=en>English</a>"));
	assert_null(strstr(h, "<nav"));
	assert_null(strstr(h, "/office/logout"));
}

static void test_table_and_form(void **state)
{
	(void)state;
	struct web_buf b;
	web_buf_init(&b, 1 << 16);
	const struct web_col cols[] = {{"Kiosk", false}, {"Drops", true}};
	web_table_begin(&b, "By <kiosk>", cols, 2);
	web_tr_begin(&b);
	web_th_row(&b, "7 <img src=x onerror=alert(1)>");
	web_td(&b, "1,250", true);
	web_tr_end(&b);
	web_table_end(&b);
	const char *h = text_of(&b);
	assert_non_null(strstr(h, "<caption>By &lt;kiosk&gt;</caption>"));
	assert_non_null(strstr(h, "<th scope=col>Kiosk</th><th scope=col class=num>Drops</th>"));
	assert_non_null(strstr(h, "<th scope=row>7 &lt;img src=x onerror=alert(1)&gt;</th>"));
	assert_non_null(strstr(h, "<td class=num>1,250</td>"));

	web_buf_init(&b, 1 << 16);
	web_form_begin(&b, "post", "/office/claim", "tok\"en");
	web_field(&b, "receipt", "Receipt", "text", "\"><script>", true);
	web_form_end(&b, "Claim");
	h = text_of(&b);
	assert_non_null(strstr(h, "<input type=hidden name=\"csrf\" value=\"tok&quot;en\">"));
	assert_non_null(strstr(h, "<label for=\"receipt\">Receipt</label><input id=\"receipt\""));
	assert_non_null(strstr(h, "value=\"&quot;&gt;&lt;script&gt;\" required>"));
	assert_non_null(strstr(h, "<button type=submit>Claim</button>"));
	/* a GET form carries no token */
	web_buf_init(&b, 1 << 16);
	web_form_begin(&b, "get", "/office/", "secret");
	web_form_end(&b, "Show");
	h = text_of(&b);
	assert_null(strstr(h, "secret"));
	assert_non_null(strstr(h, "method=get"));
}

static void test_chart(void **state)
{
	(void)state;
	struct web_buf b;
	struct web_chart c = {.title = "Weight <by> day",
	                      .y_unit = "kg",
	                      .nbars = 3,
	                      .nseries = 2,
	                      .bar_label = {"11-01", "</text><script>", "11-03"},
	                      .series_label = {"纸类", "plastic & co"},
	                      .value = {{1250, 0}, {0, 0}, {2500, 1000}},
	                      .scale = 1000};
	web_buf_init(&b, 1 << 16);
	web_chart_svg(&b, WF_LANG_EN, &c);
	const char *h = text_of(&b);
	assert_non_null(strstr(h, "role=img aria-label=\"Weight &lt;by&gt; day\""));
	assert_non_null(strstr(h, "<title>Weight &lt;by&gt; day</title>"));
	assert_null(strstr(h, "<script>"));
	/* one rect per non-zero value; each bar's figures in its title */
	assert_int_equal(count(h, "<rect "), 3);
	assert_non_null(strstr(h, "<title>11-03: 3.5 kg; 纸类 2.5; plastic &amp; co 1</title>"));
	assert_non_null(strstr(h, "<title>11-01: 1.25 kg; 纸类 1.25; plastic &amp; co 0</title>"));
	/* the axis: top is a round number over the largest bar (3.5 kg -> 5) */
	assert_non_null(strstr(h, ">5</text>"));
	assert_non_null(strstr(h, ">2.5</text>"));
	/* the legend names both series */
	assert_non_null(strstr(h, "class=legend"));
	assert_non_null(strstr(h, "plastic &amp; co</li>"));
	/* nothing to show says so */
	memset(c.value, 0, sizeof c.value);
	web_buf_init(&b, 1 << 16);
	web_chart_svg(&b, WF_LANG_ZH, &c);
	h = text_of(&b);
	assert_int_equal(count(h, "<rect "), 0);
	assert_non_null(strstr(h, "这段时间没有记录"));
}

static int setup(void **state)
{
	(void)state;
	char why[256];
	if (wf_i18n_init(NULL, why, sizeof why) != WF_OK) {
		fprintf(stderr, "%s\n", why);
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_hostile), cmocka_unit_test(test_buffer_cap),
	    cmocka_unit_test(test_lang_cookie),    cmocka_unit_test(test_numbers_and_days),
	    cmocka_unit_test(test_page_shell),     cmocka_unit_test(test_table_and_form),
	    cmocka_unit_test(test_chart),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
