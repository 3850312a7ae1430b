/*
 * report_bench.h — what the report benchmark's two fills share (report.c
 * through the store interface on SQLite, report_pg.c by COPY on
 * PostgreSQL): the year of drops they both make, record by record.
 */
#ifndef WUFEI_BENCH_REPORT_BENCH_H
#define WUFEI_BENCH_REPORT_BENCH_H

#include <stdint.h>

#include "record.h"

#define DAYS      365
#define NCAT      4
#define DAY0_S    INT64_C(1735689600) /* 2025-01-01 00:00 UTC */
#define TZ_S      (8 * 3600)          /* the kiosks' local days: UTC+8 */
#define ONE_DAY   180                 /* the day the one-day report looks at, and the 30 from it */
#define RESIDENTS 100000              /* the drops' residents: 1..RESIDENTS */

/* Each category's rate (points per kg or per piece); [0] unused. */
extern const int64_t bench_cat_rates[NCAT + 1];

/* What a fill made: drops on the 30 days from ONE_DAY, records stored. */
struct fill {
	long drops_window;
	long records;
};

/* yyyymmdd of day (0-based) of the year. */
uint32_t bench_local_day(int day);

/* Record i (0-based) of a kiosk making per_kiosk records over the year;
 * *rnd the kiosk's generator (start: kiosk * 2654435761u); *day its day. */
void bench_make(uint32_t kiosk, uint32_t seq, long i, long per_kiosk, uint32_t *rnd,
                struct wf_record *r, int *day);

/* Whether record i of kiosk is one lost on the way (one kiosk in 50 lost a few). */
#define BENCH_LOST(kiosk, i) ((kiosk) % 50 == 0 && (i) % 1000 == 500)

/* Central's receive time of a record made at time_s (most within minutes,
 * one in 500 days later). */
#define BENCH_RECEIVED(time_s, rnd) ((time_s) + 60 + ((rnd) % 500 == 0 ? 3 * 86400 : (rnd) % 600))

/* The kiosk's heartbeat: the seq it says it used (a kiosk in 40 has used 5
 * more than central holds) and when central heard it. */
#define BENCH_BEAT_SEQ(kiosk, seq) ((seq) + ((kiosk) % 40 == 0 ? 5 : 0))
#define BENCH_BEAT_S(kiosk)        (DAY0_S + DAYS * 86400 - ((kiosk) % 100 == 0 ? 86400 : 60))

/* report_pg.c: fills the PostgreSQL store at url (a new, empty database):
 * the same records as the SQLite fill, by COPY, the summaries built after
 * in bulk (wf_summary_rebuild). 0 or -1. */
int bench_fill_pg(const char *url, long drops, long kiosks, struct fill *fl);

#endif
