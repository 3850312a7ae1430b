/*
 * test_report_table.c — the reports' formatting side (central/report/
 * report_table.h) on its own: the one CSV field function against hostile
 * cells (formulas, quotes, line breaks, CJK), the width of text at a
 * terminal, columns that line up with Chinese names, control characters
 * that never reach the terminal, and JSON that keeps every string exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "report.h"
#include "report_table.h"

static void csv_is(const char *cell, bool number, const char *want)
{
	char out[256];
	size_t need = report_csv_field(cell, number, out, sizeof out);
	assert_string_equal(out, want);
	assert_int_equal(need, strlen(want));
}

/* Every cell a spreadsheet would run as a formula is shown as text; quoting is RFC 4180. */
static void test_csv_hostile_cells(void **state)
{
	(void)state;
	csv_is("=cmd|' /C calc'!A0", false, "'=cmd|' /C calc'!A0");
	csv_is("+41 22 555", false, "'+41 22 555");
	csv_is("-2+3", false, "'-2+3");
	csv_is("@SUM(A1:A9)", false, "'@SUM(A1:A9)");
	csv_is("\t=1", false, "'\t=1");
	csv_is("\r=1", false, "\"'\r=1\"");
	csv_is("=HYPERLINK(\"http://x\",\"a,b\")", false,
	       "\"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\"");
	csv_is("a,b", false, "\"a,b\"");
	csv_is("say \"hi\"", false, "\"say \"\"hi\"\"\"");
	csv_is("line 1\nline 2", false, "\"line 1\nline 2\"");
	csv_is(" padded ", false, "\" padded \"");
	csv_is("废纸 \"纸板\"", false, "\"废纸 \"\"纸板\"\"\"");
	csv_is("废纸", false, "废纸");
	csv_is("", false, "");
	csv_is("plain", false, "plain");
	/* a number this program wrote stays a number, negative too */
	csv_is("-12", true, "-12");
	csv_is("-3.4", true, "-3.4");
	csv_is("-12", false, "'-12");
}

/* A buffer too small is cut and terminated; the length needed is returned. */
static void test_csv_cut(void **state)
{
	(void)state;
	char out[4];
	size_t need = report_csv_field("a,b,c", false, out, sizeof out);
	assert_int_equal(need, 7);
	assert_string_equal(out, "\"a,");
	assert_int_equal(report_csv_field("=x", false, NULL, 0), 3);
}

static void test_text_width(void **state)
{
	(void)state;
	assert_int_equal(report_text_width("paper"), 5);
	assert_int_equal(report_text_width("废纸"), 4);
	assert_int_equal(report_text_width("ｐａｐｅｒ"), 10); /* full-width */
	assert_int_equal(report_text_width("e\xcc\x81"), 1);   /* e + combining acute */
	assert_int_equal(report_text_width("\xff"), 1);
	char *c = report_text_clean("a\xff\xc3(b");
	assert_string_equal(c, "a\xef\xbf\xbd\xef\xbf\xbd(b");
	free(c);
}

static const struct report_col cols[] = {
    {"kiosk", "kiosk", REPORT_INT},
    {"name", "category", REPORT_TEXT},
    {"grams", "grams", REPORT_INT},
    {"pct", "diff %", REPORT_TENTHS},
};

static void fill(struct report_table *t)
{
	static const char *const names[] = {"paper", "废纸纸板", "=cmd|' /C calc'!A0",
	                                    "a\x1b[31mred\n\342\200\256evil", "塑料 bottles"};
	report_table_init(t, "rows", "Test", cols, 4);
	for (int i = 0; i < 5; i++) {
		long row = report_row_add(t);
		assert_true(row >= 0);
		report_set_int(t, row, 0, 7 + i * 1000);
		assert_true(report_set_text(t, row, 1, names[i]));
		report_set_int(t, row, 2, (int64_t)i * 123457 - 200000);
		if (i != 2)
			report_set_int(t, row, 3, i * 17 - 34);
	}
}

static char *write_to_string(const struct report_table *t, enum report_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	const struct report_table *ts[] = {t};
	assert_int_equal(report_tables_write(f, fmt, "test", ts, 1), 0);
	fclose(f);
	return buf;
}

/* Columns line up at a terminal whatever the names: every line as wide as
 * the header (the last column is right-aligned), and no control character
 * (ESC, newline inside a cell, a right-to-left override) reaches it. */
static void test_terminal_aligned_and_escaped(void **state)
{
	(void)state;
	struct report_table t;
	fill(&t);
	char *out = write_to_string(&t, REPORT_FORMAT_TABLE);
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "\xe2\x80\xae"));
	assert_non_null(strstr(out, "a\\x1b[31mred\\x0a\\u202eevil"));
	assert_non_null(strstr(out, "-3.4"));
	char *save = NULL;
	char *line = strtok_r(out, "\n", &save);
	assert_string_equal(line, "Test");
	line = strtok_r(NULL, "\n", &save);
	size_t width = report_text_width(line);
	int lines = 0;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		assert_int_equal(report_text_width(line), width);
		lines++;
	}
	assert_int_equal(lines, 5);
	free(out);
	report_table_clear(&t);
}

/* CSV: BOM, CRLF after every record, hostile names neutralised. */
static void test_csv_table(void **state)
{
	(void)state;
	struct report_table t;
	fill(&t);
	char *out = write_to_string(&t, REPORT_FORMAT_CSV);
	assert_memory_equal(out,
	                    "\xef\xbb\xbf"
	                    "kiosk,category,grams,diff %\r\n",
	                    32);
	assert_non_null(strstr(out, "\r\n2007,'=cmd|' /C calc'!A0,46914,\r\n"));
	assert_non_null(strstr(out, "\r\n1007,废纸纸板,-76543,-1.7\r\n"));
	assert_non_null(strstr(out, "\"a\x1b[31mred\n\xe2\x80\xae"
	                            "evil\""));
	size_t n = strlen(out);
	assert_memory_equal(out + n - 2, "\r\n", 2);
	free(out);
	report_table_clear(&t);
}

/* JSON keeps every string as it was (jansson escapes), integers as integers. */
static void test_json_table(void **state)
{
	(void)state;
	struct report_table t;
	fill(&t);
	char *out = write_to_string(&t, REPORT_FORMAT_JSON);
	json_error_t err;
	json_t *doc = json_loads(out, 0, &err);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "report")), "test");
	json_t *rows = json_object_get(doc, "rows");
	assert_int_equal(json_array_size(rows), 5);
	json_t *r3 = json_array_get(rows, 3);
	assert_string_equal(json_string_value(json_object_get(r3, "name")),
	                    "a\x1b[31mred\n\xe2\x80\xae"
	                    "evil");
	assert_int_equal(json_integer_value(json_object_get(r3, "pct_tenths")), 17);
	assert_true(json_is_null(json_object_get(json_array_get(rows, 2), "pct_tenths")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 1), "grams")),
	                 -76543);
	json_decref(doc);
	free(out);
	report_table_clear(&t);
}

static void test_parsers(void **state)
{
	(void)state;
	uint32_t day = 0;
	int64_t v = 0;
	assert_true(report_day_parse("2026-11-28", &day));
	assert_int_equal(day, 20261128);
	assert_true(report_day_parse("20240229", &day));
	assert_false(report_day_parse("2026-02-29", &day));
	assert_false(report_day_parse("2026-13-01", &day));
	assert_false(report_day_parse("2026-1-01", &day));
	assert_false(report_day_parse("yesterday", &day));
	assert_false(report_day_parse("", &day));
	assert_true(report_duration_parse("2h", &v));
	assert_int_equal(v, 7200);
	assert_true(report_duration_parse("90", &v));
	assert_int_equal(v, 90);
	assert_false(report_duration_parse("-5m", &v));
	assert_false(report_duration_parse("5 h", &v));
	assert_false(report_duration_parse("5hh", &v));
	assert_true(report_tenths_parse("7.5", &v));
	assert_int_equal(v, 75);
	assert_false(report_tenths_parse("7.55", &v));
	assert_false(report_tenths_parse("-1", &v));
	enum report_format f;
	assert_true(report_format_parse("csv", &f));
	assert_int_equal(f, REPORT_FORMAT_CSV);
	assert_false(report_format_parse("xml", &f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_hostile_cells),
	    cmocka_unit_test(test_csv_cut),
	    cmocka_unit_test(test_text_width),
	    cmocka_unit_test(test_terminal_aligned_and_escaped),
	    cmocka_unit_test(test_csv_table),
	    cmocka_unit_test(test_json_table),
	    cmocka_unit_test(test_parsers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
