/*
 * metrics.h — central's own counters for GET /metrics, and their text in the
 * Prometheus exposition format (text/plain; version=0.0.4).
 *
 * For: what an operator watches: requests by route class and status class,
 * their latency (a histogram in seconds), the records batches brought
 * (stored, duplicate, conflict). A small registry behind one mutex, safe
 * from every server thread; each call is short and never blocks on I/O.
 * What only the store knows (tamper alerts by reason, kiosks silent, whether
 * the store answers) is read at scrape time by api_health.c and handed to
 * metrics_format as struct metrics_store_facts.
 * Not for: HTTP (api_health.c), storage (store.h). No floating point: times
 * are integer nanoseconds, written as decimal seconds.
 */
#ifndef WUFEI_CENTRAL_METRICS_H
#define WUFEI_CENTRAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Route classes (label "class"): what an operator tells apart. */
enum metrics_class {
	METRICS_SYNC,   /* signed kiosk calls: /api/v1/sync/..., /api/v1/kiosk/... */
	METRICS_PUBLIC, /* residents and anyone: receipt pages, claim, time */
	METRICS_OFFICE, /* every other route central serves (the office's) */
	METRICS_HEALTH, /* /livez, /readyz, /metrics */
	METRICS_OTHER,  /* no such route (404) */
	METRICS_CLASSES
};

/* The histogram's upper bounds, in nanoseconds (the +Inf bucket is extra). */
#define METRICS_BUCKETS 12

/* A consistent copy of the registry (metrics_snapshot). */
struct metrics_snapshot {
	int64_t start_s; /* when the registry was made (process start), UTC seconds */
	/* requests answered, by class and status class (index status / 100 - 1: 1xx..5xx) */
	uint64_t requests[METRICS_CLASSES][5];
	/* latency: per class, counts of requests at or below each bound (not cumulative
	 * here; metrics_format makes them so), then above the last */
	uint64_t buckets[METRICS_CLASSES][METRICS_BUCKETS + 1];
	uint64_t sum_ns[METRICS_CLASSES];
	uint64_t count[METRICS_CLASSES];
	uint64_t stored, duplicate, conflict; /* records batches brought, by result */
};

/* What the store said at scrape time (api_health.c). */
struct metrics_store_facts {
	int up;                 /* 1 the store answered a real query, 0 not */
	int64_t kiosks;         /* enrolled (-1: unknown, left out) */
	int64_t silent;         /* of those, silent longer than silent_after_s (-1: unknown) */
	int64_t silent_after_s; /* the configured silence, seconds */
	size_t nalerts;         /* entries used in alerts[] */
	struct {
		char reason[64]; /* any text: escaped as a label value */
		int64_t count;
	} alerts[16];
};

struct metrics;

/* metrics_create — an empty registry started at now_s; NULL when memory is short. */
struct metrics *metrics_create(int64_t now_s);

/* metrics_destroy — NULL is a no-op. */
void metrics_destroy(struct metrics *m);

/* metrics_class_of — the class of a request path (decoded, without the query),
 * given whether the route table knows it. */
enum metrics_class metrics_class_of(const char *path, int known);

/* metrics_observe — one request answered with status after duration_ns. */
void metrics_observe(struct metrics *m, enum metrics_class c, unsigned status, int64_t duration_ns);

/* metrics_records — records of one batch answered stored, duplicate, conflict. */
void metrics_records(struct metrics *m, uint64_t stored, uint64_t duplicate, uint64_t conflict);

/* metrics_snapshot — the registry now, consistent (taken under its mutex). */
void metrics_snapshot(struct metrics *m, struct metrics_snapshot *out);

/*
 * metrics_format — the whole exposition of snap and facts into out[cap]
 * (NUL-terminated). Pure. Returns the length, or WF_ENOMEM when cap is too
 * small (out then holds a cut-off text no one must serve).
 */
int metrics_format(const struct metrics_snapshot *snap, const struct metrics_store_facts *facts,
                   char *out, size_t cap);

#endif
