/* catalog.c — the points rule, shared by kiosk and central. */
#include "catalog.h"

#include "wf.h"

#include <stdio.h>
#include <string.h>

int wf_points(enum wf_unit unit, int64_t rate, int64_t qty, int64_t *points)
{
	*points = 0;
	if (qty < 0 || qty > WF_QTY_MAX || rate < 0 || rate > WF_RATE_MAX)
		return WF_EINVAL;
	switch (unit) {
	case WF_UNIT_GRAM:
		/* Both factors are non-negative, so integer division is floor. */
		*points = qty * rate / INT64_C(1000000);
		return WF_OK;
	case WF_UNIT_PIECE: *points = qty * rate; return WF_OK;
	}
	return WF_EINVAL;
}

int wf_credited_qty(int64_t qty, int64_t today_qty, int64_t daily_limit_qty, int64_t *credited)
{
	*credited = 0;
	if (qty < 0 || today_qty < 0 || daily_limit_qty < 0)
		return WF_EINVAL;
	if (daily_limit_qty == 0)
		*credited = qty;
	else if (today_qty < daily_limit_qty)
		*credited = qty < daily_limit_qty - today_qty ? qty : daily_limit_qty - today_qty;
	return WF_OK;
}

int wf_anon_credited_qty(const struct wf_category *c, int64_t credited, int64_t anon_today_qty,
                         int64_t *out)
{
	*out = 0;
	if (credited < 0 || anon_today_qty < 0)
		return WF_EINVAL;
	int64_t room = c->anon_cap_qty > anon_today_qty ? c->anon_cap_qty - anon_today_qty : 0;
	*out = !c->has_anon_cap || credited < room ? credited : room;
	return WF_OK;
}

static bool code_ok(const char *s)
{
	size_t n = strnlen(s, WF_CATEGORY_CODE_MAX);
	if (n == 0 || n == WF_CATEGORY_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool ok =
		    (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
		if (!ok)
			return false;
	}
	return true;
}

bool wf_category_check(const struct wf_category *c, char *why, unsigned why_len)
{
	const char *bad = NULL;
	if (c->id == 0)
		bad = "id: must be 1..65535";
	else if (!code_ok(c->code))
		bad = "code: 1-15 characters of a-z 0-9 _ -";
	else if (strnlen(c->name, WF_CATEGORY_NAME_MAX) == 0 ||
	         strnlen(c->name, WF_CATEGORY_NAME_MAX) == WF_CATEGORY_NAME_MAX)
		bad = "name: must be 1-63 bytes";
	else if (c->unit != WF_UNIT_GRAM && c->unit != WF_UNIT_PIECE)
		bad = "unit: must be g or piece";
	else if (c->rate < 0 || c->rate > WF_RATE_MAX)
		bad = "rate: must be 0..1000000000";
	else if (c->min_qty < 1 || c->min_qty > WF_QTY_MAX)
		bad = "min: must be 1..1000000000";
	else if (c->max_qty < c->min_qty || c->max_qty > WF_QTY_MAX)
		bad = "max: must be >= min and <= 1000000000";
	else if (c->daily_limit_qty < 0 || c->daily_limit_qty > WF_QTY_MAX)
		bad = "daily_limit: must be 0..1000000000";
	else if (c->has_anon_cap && (c->anon_cap_qty < 0 || c->anon_cap_qty > WF_QTY_MAX))
		bad = "anon_daily_cap: must be 0..1000000000";
	if (bad && why && why_len)
		snprintf(why, why_len, "%s", bad);
	return bad == NULL;
}
