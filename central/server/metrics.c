/*
 * metrics.c — central's counters behind one mutex and their Prometheus text
 * (metrics.h). Formatting is a pure function of a snapshot and the store's
 * facts, so a test checks it on its own.
 */
#include "metrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promtext.h"
#include "wf.h"

struct metrics {
	pthread_mutex_t mu;
	struct metrics_snapshot s; /* the counters themselves, under mu */
};

static const int64_t bucket_ns[METRICS_BUCKETS] = {
    1000000,   2500000,   5000000,   10000000,   25000000,   50000000,
    100000000, 250000000, 500000000, 1000000000, 2500000000, 5000000000,
};
static const char *const bucket_le[METRICS_BUCKETS] = {
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
};
static const char *const class_name[METRICS_CLASSES] = {"sync", "public", "office", "health",
                                                        "other"};

struct metrics *metrics_create(int64_t now_s)
{
	struct metrics *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	pthread_mutex_init(&m->mu, NULL);
	m->s.start_s = now_s;
	return m;
}

void metrics_destroy(struct metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->mu);
	free(m);
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum metrics_class metrics_class_of(const char *path, int known)
{
	if (!known)
		return METRICS_OTHER;
	if (starts(path, "/api/v1/sync/") || starts(path, "/api/v1/kiosk/"))
		return METRICS_SYNC;
	if (strcmp(path, "/livez") == 0 || strcmp(path, "/readyz") == 0 ||
	    strcmp(path, "/metrics") == 0)
		return METRICS_HEALTH;
	if (starts(path, "/r/") || starts(path, "/R/") || strcmp(path, "/api/v1/time") == 0 ||
	    strcmp(path, "/api/v1/receipts/claim") == 0)
		return METRICS_PUBLIC;
	return METRICS_OFFICE;
}

void metrics_observe(struct metrics *m, enum metrics_class c, unsigned status, int64_t duration_ns)
{
	if (c >= METRICS_CLASSES)
		c = METRICS_OTHER;
	if (duration_ns < 0)
		duration_ns = 0;
	unsigned sc = status >= 100 && status < 600 ? status / 100 - 1 : 4;
	size_t b = 0;
	while (b < METRICS_BUCKETS && duration_ns > bucket_ns[b])
		b++;
	pthread_mutex_lock(&m->mu);
	m->s.requests[c][sc]++;
	m->s.buckets[c][b]++;
	m->s.sum_ns[c] += (uint64_t)duration_ns;
	m->s.count[c]++;
	pthread_mutex_unlock(&m->mu);
}

void metrics_records(struct metrics *m, uint64_t stored, uint64_t duplicate, uint64_t conflict)
{
	pthread_mutex_lock(&m->mu);
	m->s.stored += stored;
	m->s.duplicate += duplicate;
	m->s.conflict += conflict;
	pthread_mutex_unlock(&m->mu);
}

void metrics_snapshot(struct metrics *m, struct metrics_snapshot *out)
{
	pthread_mutex_lock(&m->mu);
	*out = m->s;
	pthread_mutex_unlock(&m->mu);
}

/* ---- the exposition ---- */

static void put_seconds(struct promtext *o, uint64_t ns)
{
	promtext_put(o, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
}

static void format_requests(struct promtext *o, const struct metrics_snapshot *s)
{
	static const char *const codes[5] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
	promtext_family(
	    o, "wufei_http_requests_total", "counter",
	    "Requests answered, by route class and status class (5xx: storage failed).");
	for (int c = 0; c < METRICS_CLASSES; c++)
		for (int k = 0; k < 5; k++)
			promtext_put(
			    o, "wufei_http_requests_total{class=\"%s\",code=\"%s\"} %" PRIu64 "\n",
			    class_name[c], codes[k], s->requests[c][k]);
	const char *h = "wufei_http_request_duration_seconds";
	promtext_family(o, h, "histogram",
	                "Time from a request's first line to its answer sent, by route class.");
	for (int c = 0; c < METRICS_CLASSES; c++) {
		uint64_t cum = 0;
		for (int b = 0; b < METRICS_BUCKETS; b++) {
			cum += s->buckets[c][b];
			promtext_put(o, "%s_bucket{class=\"%s\",le=\"%s\"} %" PRIu64 "\n", h,
			             class_name[c], bucket_le[b], cum);
		}
		cum += s->buckets[c][METRICS_BUCKETS];
		promtext_put(o, "%s_bucket{class=\"%s\",le=\"+Inf\"} %" PRIu64 "\n", h,
		             class_name[c], cum);
		promtext_put(o, "%s_sum{class=\"%s\"} ", h, class_name[c]);
		put_seconds(o, s->sum_ns[c]);
		promtext_put(o, "\n%s_count{class=\"%s\"} %" PRIu64 "\n", h, class_name[c],
		             s->count[c]);
	}
}

/* The alert reasons central raises, shown at 0 until one comes (so rates work). */
static const char *const known_reasons[] = {"chain_break", "checkpoint_mismatch", "conflict",
                                            "points_mismatch", "unknown_rate"};

static int64_t alerts_of(const struct metrics_store_facts *f, const char *reason)
{
	for (size_t i = 0; i < f->nalerts; i++)
		if (strcmp(f->alerts[i].reason, reason) == 0)
			return f->alerts[i].count;
	return 0;
}

static void format_alerts(struct promtext *o, const struct metrics_store_facts *f)
{
	char esc[sizeof f->alerts[0].reason * 2 + 4];
	size_t nknown = sizeof known_reasons / sizeof known_reasons[0];
	promtext_family(o, "wufei_tamper_alerts_total", "counter",
	                "Tamper alerts central holds, by reason (wufei-central alerts list).");
	for (size_t i = 0; i < nknown; i++)
		promtext_put(o, "wufei_tamper_alerts_total{reason=\"%s\"} %" PRId64 "\n",
		             known_reasons[i], alerts_of(f, known_reasons[i]));
	for (size_t i = 0; i < f->nalerts; i++) {
		bool known = false;
		for (size_t k = 0; k < nknown; k++)
			known = known || strcmp(f->alerts[i].reason, known_reasons[k]) == 0;
		if (known)
			continue;
		promtext_label(f->alerts[i].reason, esc, sizeof esc);
		promtext_put(o, "wufei_tamper_alerts_total{reason=\"%s\"} %" PRId64 "\n", esc,
		             f->alerts[i].count);
	}
}

static void format_store(struct promtext *o, const struct metrics_snapshot *s,
                         const struct metrics_store_facts *f)
{
	promtext_family(o, "wufei_records_ingested_total", "counter",
	                "Records sync batches brought since central started, by result.");
	promtext_put(o,
	             "wufei_records_ingested_total{result=\"stored\"} %" PRIu64 "\n"
	             "wufei_records_ingested_total{result=\"duplicate\"} %" PRIu64 "\n"
	             "wufei_records_ingested_total{result=\"conflict\"} %" PRIu64 "\n",
	             s->stored, s->duplicate, s->conflict);
	format_alerts(o, f);
	promtext_family(o, "wufei_store_up", "gauge",
	                "1 when the store answered a real query, else 0.");
	promtext_put(o, "wufei_store_up %d\n", f->up ? 1 : 0);
	if (f->kiosks >= 0) {
		promtext_family(o, "wufei_kiosks_enrolled", "gauge", "Kiosks enrolled at central.");
		promtext_put(o, "wufei_kiosks_enrolled %" PRId64 "\n", f->kiosks);
	}
	if (f->silent >= 0) {
		promtext_family(
		    o, "wufei_kiosks_silent", "gauge",
		    "Kiosks with no heartbeat (or, never heard from, no enrolment) for longer than "
		    "wufei_kiosk_silent_after_seconds.");
		promtext_put(o, "wufei_kiosks_silent %" PRId64 "\n", f->silent);
	}
	promtext_family(
	    o, "wufei_kiosk_silent_after_seconds", "gauge",
	    "How long a kiosk may stay silent before it counts (serve --silent-after).");
	promtext_put(o, "wufei_kiosk_silent_after_seconds %" PRId64 "\n", f->silent_after_s);
	promtext_family(o, "wufei_process_start_time_seconds", "gauge",
	                "When this wufei-central started, UTC seconds.");
	promtext_put(o, "wufei_process_start_time_seconds %" PRId64 "\n", s->start_s);
}

int metrics_format(const struct metrics_snapshot *snap, const struct metrics_store_facts *facts,
                   char *out, size_t cap)
{
	struct promtext o;
	promtext_init(&o, out, cap);
	if (cap)
		out[0] = '\0';
	format_requests(&o, snap);
	format_store(&o, snap, facts);
	return o.full ? WF_ENOMEM : (int)o.len;
}
