/*
 * tracker.h — the scale tracker: what the readings say about the weight on
 * the platform. Pure: readings and their times go in, answers come out.
 *
 * Rules (DESIGN "Decisions", ARCHITECTURE "The scale is tracked on every
 * screen"):
 * - A weight is stable when readings that are each a weight, with no
 *   motion, overload or underload and (where the protocol says it) the
 *   scale's own stable flag, have stayed within tolerance_g of the run's
 *   first reading for stable_time_ms. Judged on readings only, never on
 *   time alone: a scale that went silent leaves nothing stable behind.
 * - Any other reading (a status without a weight: motion, busy, over or
 *   under the range) ends the run at once.
 * - The platform is "armed" once a stable run lay wholly within
 *   zero_band_g of zero (seen empty); a weighed drop or bin collection
 *   disarms it, so one bag never counts twice.
 *
 * For: the session core (and its tests). Not for: anything with I/O.
 */
#ifndef WUFEI_TRACKER_H
#define WUFEI_TRACKER_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"

/* A plain value; fields private (tracker.c). */
struct tracker {
	int64_t tolerance_g, stable_time_ms, zero_band_g;
	bool have;                   /* a reading since the scale came up */
	struct session_reading last; /* that reading */
	int64_t last_ms;             /* when it came */
	bool run;                    /* a run of weights in tolerance is under way */
	int64_t ref_g;               /* the run's first reading */
	int64_t since_ms;            /* when the run started */
	int64_t run_max_abs_g;       /* largest |grams| in the run */
	bool stable;                 /* the last reading completed a stable run */
	bool armed;                  /* the platform was seen empty since the last drop */
};

/* tracker_init — nothing seen yet, not armed. tolerance_g, zero_band_g >= 0,
 * stable_time_ms > 0 (the session's config checks them). */
void tracker_init(struct tracker *t, int64_t tolerance_g, int64_t stable_time_ms,
                  int64_t zero_band_g);

/* tracker_feed — one reading at now_ms (never earlier than the last). */
void tracker_feed(struct tracker *t, const struct session_reading *r, int64_t now_ms);

/* tracker_forget — the scale went down: nothing seen before counts after. */
void tracker_forget(struct tracker *t);

/* tracker_disarm — a weighed bag was recorded: the platform must be seen
 * empty again before the next weight counts. */
void tracker_disarm(struct tracker *t);

/* tracker_stable_grams — true and the weight when the last reading
 * completed a stable run; false otherwise. */
bool tracker_stable_grams(const struct tracker *t, int64_t *grams);

/* tracker_armed — the platform was seen empty since the last drop. */
bool tracker_armed(const struct tracker *t);

/* tracker_overload — the last reading said over capacity. */
bool tracker_overload(const struct tracker *t);

/* tracker_weight — true and the last reading's grams when it was a weight
 * (not a status, not over or under the range). */
bool tracker_weight(const struct tracker *t, int64_t *grams);

/* tracker_live — what the weight on screen is doing now. */
enum session_scale tracker_live(const struct tracker *t);

/* tracker_stable_pct — 0..100, progress of the run towards "stable". */
unsigned tracker_stable_pct(const struct tracker *t);

#endif
