/*
 * test_i18n.c — the translations as the kiosk finds them: the catalogues
 * the build compiled from po/ are found and translate, per call, in either
 * language (two threads may ask in two languages at once); a folder without
 * them is refused with a message that says where they were looked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "i18n.h"
#include "wf.h"

static void test_missing_catalogues_refused(void **state)
{
	(void)state;
	char err[400] = "";
	assert_int_equal(wf_i18n_init("/nonexistent/locale", err, sizeof err), WF_ENOENT);
	assert_non_null(strstr(err, "/nonexistent/locale/C.UTF-8/LC_MESSAGES/wufei-zh_CN.mo"));
}

static void test_both_languages(void **state)
{
	(void)state;
	char err[400] = "";
	assert_int_equal(wf_i18n_init(NULL, err, sizeof err), WF_OK);
	assert_string_equal(wf_tr(WF_LANG_ZH, "Wufei"), "无废");
	assert_string_equal(wf_tr(WF_LANG_EN, "Wufei"), "Wufei");
	/* a string without a translation comes back as it is */
	assert_string_equal(wf_tr(WF_LANG_ZH, "no such message id"), "no such message id");
	assert_string_equal(wf_tr((enum wf_lang)7, "Wufei"), "Wufei");
	assert_string_equal(wf_tr(WF_LANG_ZH, ""), "");
}

/* Plural forms as the catalogues say them: English one/other, Chinese one
 * form for every number (msgids the kiosk's screens use). */
static void test_plural_forms(void **state)
{
	(void)state;
	char err[400];
	assert_int_equal(wf_i18n_init(NULL, err, sizeof err), WF_OK);
	static const char one[] = "%lu piece", many[] = "%lu pieces";
	assert_string_equal(wf_ntr(WF_LANG_EN, one, many, 1), "%lu piece");
	assert_string_equal(wf_ntr(WF_LANG_EN, one, many, 0), "%lu pieces");
	assert_string_equal(wf_ntr(WF_LANG_EN, one, many, 2), "%lu pieces");
	assert_string_equal(wf_ntr(WF_LANG_EN, one, many, 21), "%lu pieces");
	for (unsigned long n = 0; n < 30; n++)
		assert_string_equal(wf_ntr(WF_LANG_ZH, one, many, n), "%lu 件");
	assert_string_equal(wf_ntr(WF_LANG_ZH, "Back to the start in %lu second",
	                           "Back to the start in %lu seconds", 1),
	                    "%lu 秒后返回首页");
	assert_string_equal(wf_ntr(WF_LANG_EN, "Back to the start in %lu second",
	                           "Back to the start in %lu seconds", 1),
	                    "Back to the start in %lu second");
}

static void *ask(void *arg)
{
	enum wf_lang lang = *(enum wf_lang *)arg;
	const char *want = lang == WF_LANG_ZH ? "无废" : "Wufei";
	for (int i = 0; i < 20000; i++)
		if (strcmp(wf_tr(lang, "Wufei"), want) != 0)
			return (void *)1;
	return NULL;
}

static void test_two_languages_at_once(void **state)
{
	(void)state;
	char err[400];
	assert_int_equal(wf_i18n_init(NULL, err, sizeof err), WF_OK);
	enum wf_lang zh = WF_LANG_ZH, en = WF_LANG_EN;
	pthread_t a, b;
	assert_int_equal(pthread_create(&a, NULL, ask, &zh), 0);
	assert_int_equal(pthread_create(&b, NULL, ask, &en), 0);
	void *ra, *rb;
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	assert_null(ra);
	assert_null(rb);
}

static void test_language_codes(void **state)
{
	(void)state;
	enum wf_lang l = WF_LANG_COUNT;
	assert_true(wf_lang_parse("zh", &l) && l == WF_LANG_ZH);
	assert_true(wf_lang_parse("zh_CN", &l) && l == WF_LANG_ZH);
	assert_true(wf_lang_parse("en", &l) && l == WF_LANG_EN);
	assert_false(wf_lang_parse("fr", &l));
	assert_false(wf_lang_parse("", &l));
	assert_false(wf_lang_parse(NULL, &l));
	assert_string_equal(wf_lang_code(WF_LANG_EN), "en");
	assert_string_equal(wf_lang_name(WF_LANG_ZH), "中文");
	assert_string_equal(wf_lang_name(WF_LANG_EN), "English");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_catalogues_refused),
	    cmocka_unit_test(test_both_languages),
	    cmocka_unit_test(test_plural_forms),
	    cmocka_unit_test(test_two_languages_at_once),
	    cmocka_unit_test(test_language_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
