/* clock.c — the system clock and the virtual clock of clock.h. */
#include "clock.h"

#include <assert.h>
#include <stddef.h>
#include <time.h>

static int64_t read_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t read_ms(clockid_t id)
{
	return read_ns(id) / 1000000;
}

int64_t wf_clock_mono_ns(void)
{
	return read_ns(CLOCK_MONOTONIC);
}

static int64_t system_mono(void *ctx)
{
	(void)ctx;
	return read_ms(CLOCK_MONOTONIC);
}

static int64_t system_utc(void *ctx)
{
	(void)ctx;
	return read_ms(CLOCK_REALTIME);
}

const struct wf_clock *wf_clock_system(void)
{
	static const struct wf_clock c = {system_mono, system_utc, NULL};
	return &c;
}

int64_t wf_clock_mono_ms(const struct wf_clock *c)
{
	assert(c);
	return c->mono_ms(c->ctx);
}

int64_t wf_clock_utc_ms(const struct wf_clock *c)
{
	assert(c);
	return c->utc_ms(c->ctx);
}

uint32_t wf_local_day(int64_t utc_ms)
{
	time_t t = (time_t)(utc_ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return 19700101;
	return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

static int64_t virtual_mono(void *ctx)
{
	return ((const struct wf_clock_virtual *)ctx)->mono_ms;
}

static int64_t virtual_utc(void *ctx)
{
	return ((const struct wf_clock_virtual *)ctx)->utc_ms;
}

void wf_clock_virtual_init(struct wf_clock_virtual *v, int64_t mono_ms, int64_t utc_ms)
{
	assert(v);
	v->clock.mono_ms = virtual_mono;
	v->clock.utc_ms = virtual_utc;
	v->clock.ctx = v;
	v->mono_ms = mono_ms;
	v->utc_ms = utc_ms;
}

void wf_clock_virtual_advance(struct wf_clock_virtual *v, int64_t ms)
{
	assert(v);
	if (ms <= 0)
		return;
	v->mono_ms += ms;
	v->utc_ms += ms;
}
