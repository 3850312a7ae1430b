/*
 * kmetrics.h — the kiosk's Prometheus metrics, for node-exporter's textfile
 * collector: a pure formatter (struct kmetrics_snapshot -> exposition text,
 * kmetrics_format.c) apart from the writer (kmetrics_writer.c: a temp file in
 * the same folder, fsync, rename, on a thread of its own so the UI loop
 * never waits for the disk).
 *
 * Every metric carries kiosk="N"; wufei_kiosk_info adds the name. Drops,
 * grams and points are counters since the program started (per category:
 * category_id, category="code"): the journal's own totals would go down
 * when acknowledged records are pruned, and a counter must not; Prometheus'
 * rate()/increase() take restarts in their stride. Label values are escaped
 * as the exposition format says (\\ \" \n).
 */
#ifndef WUFEI_KMETRICS_H
#define WUFEI_KMETRICS_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

#define KMETRICS_CATEGORIES_MAX 64
#define KMETRICS_TEXT_MAX       (64 * 1024) /* the file's text, every category */

/* Drops since start, per category (the runner counts each one committed). */
struct kmetrics_counts {
	unsigned n;
	struct kmetrics_category_count {
		uint16_t id;
		uint64_t drops;
		int64_t grams; /* weighed categories only */
		int64_t points;
	} cat[KMETRICS_CATEGORIES_MAX];
};

/* kmetrics_count_drop — one drop into c (a category beyond the table's room
 * is not counted: 64 is more than central hands out). */
void kmetrics_count_drop(struct kmetrics_counts *c, uint16_t category, int64_t grams,
                         int64_t points);

enum kmetrics_device { KMETRICS_SCALE, KMETRICS_CARD, KMETRICS_PRINTER, KMETRICS_DEVICES };

/* What one file says. A value < 0 is left out (unknown / not configured). */
struct kmetrics_snapshot {
	uint32_t kiosk;
	const char *name;                     /* [kiosk] name */
	const struct kmetrics_counts *counts; /* may be NULL: no drops yet */
	const struct wf_category *cats;       /* for the category="code" label */
	unsigned ncats;
	int sync_enabled;                /* [central] url set */
	int64_t since_sync_ok_s;         /* seconds since the last sync success; < 0 never */
	int64_t outbox;                  /* records not yet acknowledged by central */
	int64_t conflicts;               /* records central holds differently */
	int64_t journal_bytes;           /* journal file + its WAL */
	int device_up[KMETRICS_DEVICES]; /* 1 up, 0 down, < 0 not configured */
	int64_t now_s;                   /* UTC seconds the file is of */
};

/*
 * kmetrics_format — m as Prometheus text (HELP and TYPE for each metric)
 * into buf[cap] (NUL-terminated). Returns the length, or -1 when cap is too
 * small (KMETRICS_TEXT_MAX always suffices). Pure.
 */
int kmetrics_format(const struct kmetrics_snapshot *m, char *buf, size_t cap);

/*
 * kmetrics_write_file — text[len] to path atomically: PATH.tmp.XXXXXX in the
 * same folder, fsync, rename over path; a reader sees the old file or the
 * new one, whole. Returns 0, or -1 with a message naming the path and what
 * to do in err[err_len].
 */
int kmetrics_write_file(const char *path, const char *text, size_t len, char *err, size_t err_len);

/*
 * The writer thread: kmetrics_writer_post copies the text and returns at
 * once; the thread writes the latest one posted (older ones not yet
 * written are replaced). A failure is said through say(ctx, msg) on the
 * writer's thread, once until a write succeeds again.
 */
struct kmetrics_writer;
struct kmetrics_writer *kmetrics_writer_start(const char *path,
                                              void (*say)(void *ctx, const char *msg), void *ctx);
void kmetrics_writer_post(struct kmetrics_writer *w, const char *text, size_t len);
/* kmetrics_writer_stop — writes what was posted last, then ends; NULL no-op. */
void kmetrics_writer_stop(struct kmetrics_writer *w);

#endif
