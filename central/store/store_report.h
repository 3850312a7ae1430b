/*
 * store_report.h — the rows the office's reports read from the store
 * (store_sqlite_report.c, store_sqlite_summary.c).
 * Part of store.h (which includes it); include store.h, not this.
 */
#ifndef WUFEI_CENTRAL_STORE_REPORT_H
#define WUFEI_CENTRAL_STORE_REPORT_H

#include <stdint.h>

#include "catalog.h"

/* ---- the office's reports (store_sqlite_report.c) ---- */

/* What a report covers; 0 in a field means "any". Days are yyyymmdd. */
struct store_report_filter {
	uint32_t from_day; /* the kiosk's local day, inclusive (bins: UTC day) */
	uint32_t to_day;   /* inclusive; 0 = no end */
	uint32_t kiosk;
	uint16_t category;
};

/* Drop totals of one (kiosk, local day, category) or of a whole day. */
struct store_totals {
	int64_t drops;
	int64_t grams;  /* weighed categories */
	int64_t pieces; /* counted categories */
	int64_t points; /* points the drops issued (what the records say) */
};

/*
 * One row of the daily report: the live totals central holds now (kept at
 * ingest in a summary table, never recomputed from bytes) and, when the
 * office closed that kiosk's day (day_close), the totals frozen then.
 */
struct store_daily_row {
	uint32_t kiosk;
	uint32_t local_day;
	uint16_t category;
	char category_name[WF_CATEGORY_NAME_MAX]; /* "" when the category is unknown */
	struct store_totals live;
	int64_t close_no;           /* central's close of that day; 0 = not closed */
	int64_t closed_s;           /* when it was closed */
	struct store_totals frozen; /* totals at the close (zeros when not closed) */
};

/* A run of sequence numbers central holds for a kiosk, without a hole. */
struct store_seq_range {
	uint32_t kiosk;
	uint32_t first_seq;
	uint32_t last_seq;
};

/* A kiosk and what its last heartbeat said (for the gaps report). */
struct store_kiosk_beat {
	uint32_t kiosk;
	char name[64];
	int64_t heartbeat_s; /* central time of the last heartbeat; 0 = never */
	uint32_t last_seq;   /* the highest seq the kiosk says it has used */
};

/* A record central received long after the time it carries. */
struct store_late_record {
	uint32_t kiosk;
	uint32_t seq;
	uint32_t kind;
	int64_t time_s;
	int64_t received_s;
};

/* A bin collection against the weighed drops since the one before it. */
struct store_bin_row {
	uint32_t kiosk;
	uint32_t seq; /* the collection's record */
	int64_t time_s;
	uint16_t category;
	char category_name[WF_CATEGORY_NAME_MAX];
	int64_t bin_grams;  /* what the collection weighed */
	uint32_t prev_seq;  /* the previous collection of that category there; 0 = none */
	int64_t drops;      /* weighed drops of that category in between */
	int64_t drop_grams; /* their grams */
};

/* A day's close at one kiosk: the kiosk's DAY_CLOSE record, central's own. */
struct store_close_row {
	uint32_t kiosk;
	uint32_t local_day;
	uint32_t kiosk_seq;            /* the kiosk's DAY_CLOSE record; 0 = none held */
	struct store_totals kiosk_sum; /* what that record says */
	struct store_totals live;      /* what central holds for the day now */
	int64_t close_no;              /* central's close; 0 = not closed */
	int64_t closed_s;
	struct store_totals frozen;
};

/* A drop behind a daily row (drill-down). */
struct store_drop_row {
	uint32_t kiosk;
	uint32_t seq;
	int64_t time_s;
	int64_t received_s;
	uint16_t category;
	uint8_t unit; /* enum wf_unit */
	int64_t qty;
	int64_t credited;
	int64_t points;
	int64_t resident; /* 0 = anonymous */
	uint32_t flags;   /* STORE_FLAG_* */
};

/* Points that moved in the points ledger for a (kiosk, local day, category). */
struct store_ledger_flow {
	uint32_t kiosk;
	uint32_t local_day;
	uint16_t category;
	int64_t claimed;  /* points of receipts from there claimed onto residents */
	int64_t redeemed; /* points redeemed that day (rows with kiosk 0 only) */
};

/*
 * One resident's points in a period (the residents report): the balance
 * now, and what moved in the period — earned and claimed by the local day
 * of the drop (as the daily report counts them), redeemed and adjusted by
 * central's UTC day of the entry — with the days the resident was near a
 * daily limit.
 */
struct store_resident_row {
	int64_t id;
	char name[64];     /* as enrolled ("" for an id the ledger knows but residents do not) */
	char status[16];   /* "active", "blocked", "" */
	int64_t balance;   /* now: the running total (points_totals) */
	int64_t earned;    /* the resident's drops of the period */
	int64_t claimed;   /* receipts of the period's drops claimed onto the resident */
	int64_t redeemed;  /* spent in the period (a positive number) */
	int64_t adjusted;  /* net adjustments in the period (opening balances included) */
	int64_t days;      /* local days of the period with a drop or a claim of the resident */
	int64_t near_days; /* of those, days on which the credited quantity of one category
	                    * (drops' credited + claims' credited) reached near_pct percent of
	                    * that category's daily limit (as set now; no limit: never near) */
};

/* Records received more than this after their own time are kept as late
 * (store_late_record); a report may ask for a longer delay, not a shorter. */
#define STORE_LATE_MIN_S 3600

#endif
