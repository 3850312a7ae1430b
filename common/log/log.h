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
 * Under systemd (the stream is the journal: $JOURNAL_STREAM names its
 * device:inode, checked against the stream's descriptor as systemd
 * documents) each line goes to the journal through sd_journal_send instead,
 * with MESSAGE= (the same escaped text, without "program: level: "),
 * PRIORITY= (error 3, warn 4, info 6, debug 7), SYSLOG_IDENTIFIER= and the
 * fields an operator filters on (struct wf_log_ctx): WUFEI_KIOSK=,
 * WUFEI_SEQ=, WUFEI_DEVICE=; their values are escaped like the text, so a
 * device's bytes cannot forge a field. Should the journal refuse a line, it
 * is written to the stream as it would be without systemd. The rate limit
 * applies the same way to both.
 *
 * Threads: any thread may write; lines never interleave.
 * Not for: files of our own (no rotation, no levels filtered); lower
 * layers never print: they take a wf_log_fn (wf.h), and wf_log_hook is one;
 * their caller gives the fields (wf_log_scope, or a hook of its own calling
 * wf_log_fields), so no lower layer depends on libsystemd.
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

/* The fields of a line an operator filters on (journalctl WUFEI_KIOSK=7). */
struct wf_log_ctx {
	int64_t kiosk; /* WUFEI_KIOSK=: the kiosk a line is of; 0: the log's (wf_log_set_kiosk) */
	uint64_t seq;  /* WUFEI_SEQ=: the journal record a line is about; 0: none */
	const char *device; /* WUFEI_DEVICE=: "scale", "card", "printer"; NULL: none */
};

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

/*
 * wf_log_fields — one line with fields (ctx may be NULL: the thread's scope
 * and the log's kiosk only). A field of ctx left 0/NULL is taken from the
 * thread's scope (wf_log_scope), a kiosk then from wf_log_set_kiosk.
 * Without the journal the fields are not written (the text says them).
 */
void wf_log_fields(struct wf_log *log, enum wf_log_level level, const struct wf_log_ctx *ctx,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* wf_log_set_kiosk — WUFEI_KIOSK= of every line without one of its own
 * (the kiosk's number, once its config is read); 0: none. */
void wf_log_set_kiosk(struct wf_log *log, int64_t kiosk);

/*
 * wf_log_scope — fields for every line the calling thread writes from now
 * on, through any log (wf_log_printf, wf_log_hook: a lower layer's lines),
 * until the next call; NULL clears. device is copied (escaped when written).
 * For a caller around a lower layer's work: central around one kiosk's
 * request, the sync thread around one batch.
 */
void wf_log_scope(const struct wf_log_ctx *ctx);

/* wf_log_to_journal — whether lines go to the journal (see above). */
int wf_log_to_journal(const struct wf_log *log);

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
