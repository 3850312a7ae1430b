/*
 * promtext.h — Prometheus text exposition (version 0.0.4) written into a
 * caller's fixed buffer: the pieces the kiosk's metrics file
 * (kiosk/metrics) and central's GET /metrics (central/server/metrics.c)
 * share. Pure, libc only.
 *
 * For: appending lines (printf-style) without overrunning the buffer, a
 * metric family's HELP and TYPE lines, a label value escaped as the format
 * wants it. Not for: choosing metric names or gathering values (each
 * program's own formatter), or writing files (the callers' edges).
 */
#ifndef WUFEI_PROMTEXT_H
#define WUFEI_PROMTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Text being written: buf[cap]; len bytes so far, always NUL-terminated
 * when cap > 0. full: a piece did not fit; nothing more is written and
 * the caller reports the text as too long (it is never cut mid-line). */
struct promtext {
	char *buf;
	size_t cap, len;
	bool full;
};

/* promtext_init — an empty text into buf[cap] (cap 0: already full). */
void promtext_init(struct promtext *t, char *buf, size_t cap);

/* promtext_put — appends printf(fmt, ...) whole, or sets full. */
void promtext_put(struct promtext *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* promtext_family — "# HELP name help" and "# TYPE name type" lines. */
void promtext_family(struct promtext *t, const char *name, const char *type, const char *help);

/*
 * promtext_label — in (NULL: "") as a label value into out[cap]
 * (NUL-terminated, cut at a whole character): backslash, double quote and
 * newline escaped as \\ \" \n; UTF-8 text passes; other control bytes and
 * bytes that are not UTF-8 become '?', so a name from outside can neither
 * end the value nor break the file's lines.
 */
void promtext_label(const char *in, char *out, size_t cap);

#endif
