/*
 * catalog.h — categories, rates and the one points rule (DESIGN "Decisions").
 *
 * Pure and libc-only: the session core, the ledger, the config/fixture loader
 * and central all use these types and these functions, so the kiosk and
 * central compute points the same way. Not for: storage or loading (the
 * fixture loader and the ledger fill these structs).
 *
 * Units: weights are integer grams, counted categories integer pieces,
 * points integers. A rate is points per tonne (1,000,000 g) for a weighed
 * category and points per piece for a counted one.
 */
#ifndef WUFEI_CATALOG_H
#define WUFEI_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

enum wf_unit {
	WF_UNIT_GRAM = 1,  /* weighed on the scale */
	WF_UNIT_PIECE = 2, /* counted (batteries) */
};

#define WF_CATEGORY_CODE_MAX 16 /* bytes incl. NUL; ASCII [a-z0-9_-] */
#define WF_CATEGORY_NAME_MAX 64 /* bytes incl. NUL; UTF-8 */
#define WF_MAX_CATEGORIES    32
/* Bounds that keep every product inside int64 (1e9 * 1e9 < 9.2e18). */
#define WF_QTY_MAX           INT64_C(1000000000) /* grams (1,000 t) or pieces */
#define WF_RATE_MAX          INT64_C(1000000000) /* points per tonne or per piece */

struct wf_category {
	uint16_t id;                     /* central's id, >= 1 */
	char code[WF_CATEGORY_CODE_MAX]; /* "paper", "batteries", ... */
	char name[WF_CATEGORY_NAME_MAX]; /* display name, UTF-8 */
	enum wf_unit unit;               /* grams or pieces */
	uint32_t rate_version;           /* rate table version the rate comes from */
	int64_t rate;                    /* points per tonne, or per piece */
	int64_t min_qty;                 /* smallest accepted drop (g or pieces), >= 1 */
	int64_t max_qty;                 /* largest accepted drop (g or pieces) */
	int64_t daily_limit_qty;         /* per resident per local day; 0 = none */
	/* Anonymous drops: at most anon_cap_qty (g or pieces) of them earn
	 * points per kiosk per local day (0: they earn nothing). No cap when
	 * has_anon_cap is false (zeroed structs, and central or fixtures that
	 * say nothing: the behaviour before the cap existed). */
	bool has_anon_cap;
	int64_t anon_cap_qty; /* 0..WF_QTY_MAX when has_anon_cap */
};

/*
 * wf_points — points for qty of a category with the given unit and rate,
 * into *points. Grams: floor(qty * rate / 1,000,000). Pieces: qty * rate.
 * Returns WF_OK, or WF_EINVAL (*points 0) if unit is unknown or qty/rate
 * are outside [0, WF_*_MAX].
 */
int wf_points(enum wf_unit unit, int64_t rate, int64_t qty, int64_t *points);

/*
 * wf_credited_qty — how much of a drop of qty earns points, given what the
 * same resident already dropped in the same category today (today_qty) and
 * the category's daily limit (0 = no limit), into *credited. The full qty
 * is always recorded; only the credited part earns points. Never negative,
 * never more than qty. Returns WF_OK, or WF_EINVAL (*credited 0) on
 * negative inputs.
 */
int wf_credited_qty(int64_t qty, int64_t today_qty, int64_t daily_limit_qty, int64_t *credited);

/*
 * wf_anon_credited_qty — how much of credited (the part of an anonymous drop
 * that earns points before the cap: wf_credited_qty's answer) still earns
 * points under c's anonymous cap, given the credited quantity this kiosk's
 * anonymous drops of c already earned today (anon_today_qty), into *out:
 * min(credited, max(0, cap - anon_today_qty)); credited itself without a
 * cap. Returns WF_OK, or WF_EINVAL (*out 0) on negative inputs.
 */
int wf_anon_credited_qty(const struct wf_category *c, int64_t credited, int64_t anon_today_qty,
                         int64_t *out);

/*
 * wf_category_check — validates one category; on failure returns false and
 * writes a short reason (field name and problem) into why[why_len].
 */
bool wf_category_check(const struct wf_category *c, char *why, unsigned why_len);

#endif
