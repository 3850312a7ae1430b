/* web_fmt.c — numbers, quantities, points and days as the pages show them; see web.h. */
#include "web.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "i18n.h"

void web_fmt_int(int64_t v, char *out, size_t cap)
{
	char digits[24];
	/* the magnitude as unsigned, so INT64_MIN has one too */
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int n = snprintf(digits, sizeof digits, "%" PRIu64, m);
	char tmp[40];
	size_t o = 0;
	if (v < 0)
		tmp[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			tmp[o++] = ',';
		tmp[o++] = digits[i];
	}
	tmp[o] = '\0';
	snprintf(out, cap, "%s", tmp);
}

void web_fmt_qty(enum wf_lang lang, int unit, int64_t qty, char *out, size_t cap)
{
	char n[40];
	if (unit == WF_UNIT_PIECE) {
		web_fmt_int(qty, n, sizeof n);
		/* TRANSLATORS: a count of items dropped, e.g. "3 pieces" */
		snprintf(out, cap, "%s %s", n, wf_tr(lang, "pieces"));
		return;
	}
	int64_t kg = qty / 1000, g = qty % 1000;
	if (g < 0)
		g = -g;
	web_fmt_int(kg, n, sizeof n);
	/* TRANSLATORS: the unit after a weight in kilograms, e.g. "1.250 kg" */
	snprintf(out, cap, "%s%s.%03" PRId64 " %s", qty < 0 && kg == 0 ? "-" : "", n, g,
	         wf_tr(lang, "kg"));
}

void web_fmt_points(enum wf_lang lang, int64_t points, char *out, size_t cap)
{
	char n[40];
	web_fmt_int(points, n, sizeof n);
	/* TRANSLATORS: after a number of points, e.g. "12 points" */
	snprintf(out, cap, "%s %s", n, wf_tr(lang, "points"));
}

void web_fmt_day(uint32_t day, char *out, size_t cap)
{
	snprintf(out, cap, "%04u-%02u-%02u", day / 10000, day / 100 % 100, day % 100);
}

void web_fmt_time(int64_t utc_s, char *out, size_t cap)
{
	time_t t = (time_t)utc_s;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, cap, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, cap, "?");
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static uint32_t civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	return (uint32_t)(y * 10000 + m * 100 + d);
}

bool web_parse_day(const char *s, uint32_t *day)
{
	char d[9];
	size_t n = s ? strnlen(s, 11) : 0;
	if (n == 8)
		memcpy(d, s, 8);
	else if (n == 10 && s[4] == '-' && s[7] == '-') {
		memcpy(d, s, 4);
		memcpy(d + 4, s + 5, 2);
		memcpy(d + 6, s + 8, 2);
	} else
		return false;
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		if (d[i] < '0' || d[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(d[i] - '0');
	}
	unsigned y = v / 10000, m = v / 100 % 100, dd = v % 100;
	if (y < 2000 || y > 2999 || m < 1 || m > 12 || dd < 1 || dd > 31)
		return false;
	/* a real day: it survives the round trip (no 31 April) */
	if (civil_from_days(days_from_civil(y, m, dd)) != v)
		return false;
	*day = v;
	return true;
}

uint32_t web_day_add(uint32_t day, int n)
{
	int64_t z = days_from_civil(day / 10000, day / 100 % 100, day % 100);
	return civil_from_days(z + n);
}
