/*
 * report.h — the central office's reports, built from the store (store.h:
 * summaries kept at ingest, the records' fact columns) into tables
 * (report_table.h) for the terminal, JSON or CSV.
 *
 *   daily    per kiosk, local day and category: drops, grams, pieces, points
 *            issued, claimed, redeemed, with a total; a day the office
 *            closed shows its frozen totals and, beside them, what arrived
 *            since (the difference), never a silently moved total
 *   records  the drops behind a daily row, by (kiosk, seq): every figure
 *            traces back to records
 *   gaps     seq a kiosk used (its heartbeat) that central does not hold,
 *            kiosks silent too long, records that arrived late
 *   alerts   tamper alerts, each with what the office should do
 *   bins     each bin collection against the weighed drops since the one
 *            before, flagged beyond a tolerance
 *   close    day closes: the kiosk's DAY_CLOSE record, central's totals, the
 *            office's frozen close, and where they differ
 *   residents per resident (masked name): balance now; earned, claimed,
 *            redeemed and adjusted in the period; and who came near a daily
 *            limit on many days (a hint of abuse)
 *
 * Not for: options and printing (central/cmd_report.c), SQL (the store).
 * Every function blocks on the store; the caller holds it alone.
 */
#ifndef WUFEI_CENTRAL_REPORT_H
#define WUFEI_CENTRAL_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "report_table.h"
#include "store.h"

#define REPORT_SILENT_AFTER_S (2 * 3600)  /* gaps: a kiosk silent longer than this */
#define REPORT_LATE_AFTER_S   (24 * 3600) /* gaps: a record received this long after */
#define REPORT_LATE_LIMIT     1000        /* gaps: late records listed */
#define REPORT_TOLERANCE      100         /* bins: tenths of a percent (10.0 %) */
#define REPORT_NEAR_PCT       90          /* residents: percent of a daily limit that is "near" */
#define REPORT_NEAR_DAYS      3           /* residents: near on at least this many days: listed */
#define REPORT_TABLES_MAX     3

struct report_opts {
	struct store_report_filter filter;
	int64_t now_s;          /* gaps: central's time now (UTC s) */
	int64_t silent_after_s; /* gaps */
	int64_t late_after_s;   /* gaps, >= STORE_LATE_MIN_S */
	int64_t late_limit;     /* gaps: late records listed; 0 = all */
	int64_t tolerance;      /* bins: tenths of a percent */
	int64_t near_pct;       /* residents: 1..100 */
	int64_t near_days;      /* residents: >= 1 */
};

/* A built report: its name and up to REPORT_TABLES_MAX tables. */
struct report {
	const char *name;
	struct report_table tables[REPORT_TABLES_MAX];
	int ntables;
};

/* report_opts_default — no filter, the defaults above, now_s. */
void report_opts_default(struct report_opts *o, int64_t now_s);

/*
 * The reports. Each fills *out (free it with report_free, also after a
 * failure) and returns WF_OK or the store's error (store_errmsg says why),
 * WF_ENOMEM when memory ran out.
 */
int report_daily(struct store *s, const struct report_opts *o, struct report *out);
/* report_records — the drops of o->filter.kiosk on o->filter.from_day
 * (o->filter.category 0: every category). */
int report_records(struct store *s, const struct report_opts *o, struct report *out);
int report_gaps(struct store *s, const struct report_opts *o, struct report *out);
int report_alerts(struct store *s, const struct report_opts *o, struct report *out);
int report_bins(struct store *s, const struct report_opts *o, struct report *out);
int report_close(struct store *s, const struct report_opts *o, struct report *out);
/*
 * report_residents — two tables. "residents": every resident by id with its
 * masked name (report_name_mask), status, balance now, and in the period
 * (o->filter's days; kiosk and category unused) earned and claimed (by the
 * drop's local day), redeemed and adjusted (by central's UTC day), the days
 * with a drop or claim and the "near" days: days on which the credited
 * quantity of one category (drops' credited + claims' credited) reached
 * o->near_pct percent of that category's daily limit; a TOTAL row.
 * "near_limit": the residents near on at least o->near_days days, with
 * whether that was every day they dropped.
 */
int report_residents(struct store *s, const struct report_opts *o, struct report *out);

/* report_alert_advice — what the office does about a tamper alert of
 * reason ("conflict", ...), in English marked N_() (a page translates it). */
const char *report_alert_advice(const char *reason);

/* The close report's status: the parts below (English, marked N_() in
 * report_close.c), joined by "; ", or report_close_agrees. A page splits
 * it and translates each part; report_close_changed ("... #%lld") takes
 * the row's close_no. */
extern const char *const report_close_agrees;
extern const char *const report_close_no_kiosk;
extern const char *const report_close_differ;
extern const char *const report_close_changed;

/* report_write — r in fmt into f; 0, or -1 when writing failed. */
int report_write(FILE *f, enum report_format fmt, const struct report *r);

/* report_free — frees r's rows; r itself is the caller's. */
void report_free(struct report *r);

/* Text helpers the reports and their command share (pure). */
/* report_day_parse — "2026-11-28" or "20261128" into yyyymmdd; false if no such day. */
bool report_day_parse(const char *text, uint32_t *day);
/* report_day_text — yyyymmdd as "2026-11-28" into out[11]. */
void report_day_text(uint32_t day, char out[11]);
/* report_time_text — UTC seconds as "2026-11-28 08:00 UTC" into out[32]. */
void report_time_text(int64_t t, char out[32]);
/* report_duration_parse — "90", "90s", "15m", "2h", "3d" into seconds; false if not. */
bool report_duration_parse(const char *text, int64_t *seconds);
/* report_name_mask — a name as reports show it: its first character, then
 * "*" ("王小明" and "王*" are "王*"; "" stays ""), into out[cap]. */
void report_name_mask(const char *name, char *out, size_t cap);
/* report_tenths_parse — "10", "7.5" (>= 0) into tenths; false if not. */
bool report_tenths_parse(const char *text, int64_t *tenths);

#endif
