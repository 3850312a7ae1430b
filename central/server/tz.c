/*
 * tz.c — times in named zones through GLib's GTimeZone (tz.h): the UTC
 * offset of the zone at that instant, then the broken-down time of
 * (instant + offset) as if UTC. Thread-safe: GTimeZone reads the tz
 * database itself instead of the process's TZ.
 */
#include "tz.h"

#include <string.h>
#include <time.h>

#include <glib.h>

#include "wf.h"

/* A zone's name as the tz database spells them; no path tricks. */
static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && n <= 64 &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") ==
	           n &&
	       name[0] != '/' && !strstr(name, "..");
}

bool tz_known(const char *name)
{
	GTimeZone *tz = name_ok(name) ? g_time_zone_new_identifier(name) : NULL;
	if (tz)
		g_time_zone_unref(tz);
	return tz != NULL;
}

/* The zone's offset from UTC at utc_s, in seconds; false for an unknown zone. */
static bool offset_at(const char *name, int64_t utc_s, int64_t *offset_s)
{
	GTimeZone *tz = name_ok(name) ? g_time_zone_new_identifier(name) : NULL;
	int interval = tz ? g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, utc_s) : -1;
	if (interval >= 0)
		*offset_s = g_time_zone_get_offset(tz, interval);
	if (tz)
		g_time_zone_unref(tz);
	return interval >= 0;
}

int tz_format(const char *name, int64_t utc_s, const char *fmt, char *out, size_t cap)
{
	int64_t offset = 0;
	bool known = offset_at(name, utc_s, &offset);
	time_t t = (time_t)(utc_s + offset);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || cap == 0)
		return WF_EINVAL;
	size_t n = strftime(out, cap, fmt, &tm);
	if (n == 0) {
		out[0] = '\0';
		return WF_EINVAL;
	}
	if (!known) {
		if (n + 5 > cap)
			return WF_EINVAL;
		memcpy(out + n, " UTC", 5);
		return WF_ENOENT;
	}
	return WF_OK;
}
