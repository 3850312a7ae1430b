/*
 * tz.h — a time in a named time zone, for central, which serves kiosks in
 * zones of their own from one process.
 *
 * For: the receipt page's times in the kiosk's zone, and checking a zone
 * name the office types (`wufei-central kiosk add --tz`). The system's tz
 * database through GLib's GTimeZone: no TZ variable is set and no process
 * state changes, so any thread may call these at any time.
 * Not for: the kiosk, which sets its one zone once at start (common/core/clock.h).
 */
#ifndef WUFEI_CENTRAL_TZ_H
#define WUFEI_CENTRAL_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* tz_known — whether name is an IANA zone the system knows ("Asia/Shanghai",
 * "UTC"): letters, digits, '/', '_', '+', '-' only, at most 64 bytes. */
bool tz_known(const char *name);

/*
 * tz_format — utc_s as local time in zone name, strftime-formatted with fmt
 * (no %Z: the zone's abbreviation is not what a resident reads), into
 * out[cap]. WF_OK; WF_ENOENT when the zone is not known (out then holds the
 * time in UTC with " UTC" after it); WF_EINVAL when it does not fit.
 */
int tz_format(const char *name, int64_t utc_s, const char *fmt, char *out, size_t cap);

#endif
