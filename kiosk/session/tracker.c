/* tracker.c — the scale tracker (tracker.h). */
#include "tracker.h"

#include <assert.h>
#include <string.h>

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

void tracker_init(struct tracker *t, int64_t tolerance_g, int64_t stable_time_ms,
                  int64_t zero_band_g)
{
	assert(t && stable_time_ms > 0);
	memset(t, 0, sizeof *t);
	t->tolerance_g = tolerance_g;
	t->stable_time_ms = stable_time_ms;
	t->zero_band_g = zero_band_g;
}

/* A reading that can be part of a stable run: a weight, no bad flag. */
static bool weight_ok(const struct session_reading *r)
{
	if (r->no_weight || r->motion || r->overload || r->underload)
		return false;
	return !r->has_stable || r->stable;
}

void tracker_feed(struct tracker *t, const struct session_reading *r, int64_t now_ms)
{
	t->have = true;
	t->last = *r;
	t->last_ms = now_ms;
	if (!weight_ok(r)) {
		t->run = false;
		t->stable = false;
		return;
	}
	if (!t->run || abs64(r->grams - t->ref_g) > t->tolerance_g) {
		t->run = true;
		t->ref_g = r->grams;
		t->since_ms = now_ms;
		t->run_max_abs_g = 0;
	}
	if (abs64(r->grams) > t->run_max_abs_g)
		t->run_max_abs_g = abs64(r->grams);
	t->stable = now_ms - t->since_ms >= t->stable_time_ms;
	if (t->stable && t->run_max_abs_g <= t->zero_band_g)
		t->armed = true;
}

void tracker_forget(struct tracker *t)
{
	t->have = false;
	t->run = false;
	t->stable = false;
	t->armed = false;
}

void tracker_disarm(struct tracker *t)
{
	t->armed = false;
}

bool tracker_stable_grams(const struct tracker *t, int64_t *grams)
{
	if (!t->have || !t->stable)
		return false;
	*grams = t->last.grams;
	return true;
}

bool tracker_armed(const struct tracker *t)
{
	return t->armed;
}

bool tracker_overload(const struct tracker *t)
{
	return t->have && t->last.overload;
}

bool tracker_weight(const struct tracker *t, int64_t *grams)
{
	if (!t->have || t->last.no_weight || t->last.overload || t->last.underload)
		return false;
	*grams = t->last.grams;
	return true;
}

enum session_scale tracker_live(const struct tracker *t)
{
	if (!t->have)
		return SESSION_SCALE_NONE;
	if (t->last.overload)
		return SESSION_SCALE_OVERLOAD;
	if (t->last.underload)
		return SESSION_SCALE_UNDERLOAD;
	if (t->last.no_weight || t->last.motion || (t->last.has_stable && !t->last.stable))
		return SESSION_SCALE_MOVING;
	return t->stable ? SESSION_SCALE_STABLE : SESSION_SCALE_SETTLING;
}

unsigned tracker_stable_pct(const struct tracker *t)
{
	if (!t->have || !t->run)
		return 0;
	if (t->stable)
		return 100;
	int64_t pct = (t->last_ms - t->since_ms) * 100 / t->stable_time_ms;
	return pct < 0 ? 0 : pct > 99 ? 99 : (unsigned)pct;
}
