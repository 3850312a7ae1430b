/*
 * log.h — the one log of all three programs: one line per message on a
 * stream (the kiosk's standard output, central's and the simulator's
 * standard error; journald takes it from there).
 *
 * Safe for text from outside: every line is escaped as it is written, so a
 * request target, a device's bytes or a config value can neither forge a
 * second line nor drive a terminal. Bytes below 0x20, 0x7f, a backslash and
 * bytes that are not UTF-8 are written as \n \r \t \\ or \xNN; UTF-8 text
 * (Chinese names and words) passes as it is.
 *
 * Rate-limited: a message of one kind (the same text once digits are left
 * out: "GET /r/1 -> 404" and "GET /r/2 -> 404" are one kind) is written at
 * most WF_LOG_BURST times per WF_LOG_WINDOW_MS, and all messages together at
 * most WF_LOG_BURST_ALL times; the rest are counted, and the next line
 * written says how many were left out. 229,615 rejected requests in 3 s
 * become at most a thousand lines a second, whatever their targets.
 *
 * Threads: any thread may write; lines never interleave.
 * Not for: files of our own (no rotation, no levels filtered); lower
 * layers never print: they take a wf_log_fn (wf.h), and wf_log_hook is one.
 */
#ifndef WUFEI_LOG_H
#define WUFEI_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clock.h"
#include "wf.h"

#define WF_LOG_BURST     20   /* lines of one kind per window */
#define WF_LOG_BURST_ALL 1000 /* lines of every kind together per window */
#define WF_LOG_WINDOW_MS 1000 /* the window */
#define WF_LOG_LINE_MAX  1024 /* bytes of one message before escaping; more is cut */

struct wf_log;

/*
 * wf_log_create — a log writing to out (not closed by the log). program
 * (may be NULL) starts every line as "program: level: " ("wufei-central:
 * warn: ..."); without it info and debug lines are the bare message and
 * warn/error lines start "warning: " / "error: ". clock times the rate limit
 * (NULL: the system clock). Returns NULL when memory is short.
 */
struct wf_log *wf_log_create(FILE *out, const char *program, const struct wf_clock *clock);

/* wf_log_destroy — writes what is still counted as suppressed; NULL no-op. */
void wf_log_destroy(struct wf_log *log);

/* wf_log_printf — one line (no newline in fmt). log NULL: nothing. */
void wf_log_printf(struct wf_log *log, enum wf_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wf_log_vprintf(struct wf_log *log, enum wf_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* wf_log_hook — a wf_log_fn for lower layers: ctx is a struct wf_log. */
void wf_log_hook(void *ctx, enum wf_log_level level, const char *msg);

/* wf_log_suppressed — lines left out by the rate limit so far (tests). */
uint64_t wf_log_suppressed(struct wf_log *log);

/*
 * wf_log_escape — in (NUL-terminated) escaped as the log writes it, into out
 * (cap bytes, NUL-terminated, cut at a whole escape). Returns the length
 * written. For text that reaches another log or a page the same way.
 */
size_t wf_log_escape(const char *in, char *out, size_t cap);

#endif
