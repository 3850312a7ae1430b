/* web_csv.c — CSV text the office's spreadsheet programs open as meant; see web.h. */
#include "web.h"

#include <inttypes.h>
#include <string.h>

void web_csv_begin(struct web_buf *b)
{
	web_raw(b, "\xef\xbb\xbf"); /* the BOM: Excel reads UTF-8 only with it */
}

void web_csv_cell(struct web_buf *b, const char *s, bool first)
{
	if (!s)
		s = "";
	if (!first)
		web_raw(b, ",");
	/* a formula a program would run: = + - @, and tab or CR that some
	 * programs skip before looking for one */
	bool formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
	bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		web_raw(b, "\"");
	if (formula)
		web_raw(b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			web_raw(b, "\"\"");
		else
			web_rawn(b, p, 1);
	}
	if (quote)
		web_raw(b, "\"");
}

void web_csv_int(struct web_buf *b, int64_t v, bool first)
{
	web_rawf(b, "%s%" PRId64, first ? "" : ",", v);
}

void web_csv_row_end(struct web_buf *b)
{
	web_raw(b, "\r\n");
}
