/*
 * clock.h — the one clock: monotonic milliseconds, UTC milliseconds and the
 * local day of a time, behind one small struct that is passed to whatever
 * needs time (runner, journal, devices, transport, sync client). Nothing
 * else reads a clock.
 *
 * Two kinds: wf_clock_system() reads the system's clocks; a virtual clock
 * (struct wf_clock_virtual) moves only when told to, for scripted runs and
 * tests. The local day is computed in the process's time zone, which the
 * program's main sets once (TZ, tzset) before any thread starts; library
 * code never sets it.
 *
 * Threads: the system clock may be used from any thread; a virtual clock
 * is advanced by one thread and may be read by any (its times are atomic;
 * a reader may see the monotonic time of one instant and the UTC time of
 * the next).
 */
#ifndef WUFEI_CLOCK_H
#define WUFEI_CLOCK_H

#include <stdint.h>

struct wf_clock {
	int64_t (*mono_ms)(void *ctx); /* never goes back; an arbitrary start */
	int64_t (*utc_ms)(void *ctx);  /* wall time since 1970; may jump */
	void *ctx;
};

/* wf_clock_system — the system's CLOCK_MONOTONIC and CLOCK_REALTIME. */
const struct wf_clock *wf_clock_system(void);

/* wf_clock_mono_ns — the system's monotonic clock in nanoseconds, for
 * measuring (benchmarks, tests' timings); what decides anything reads a
 * struct wf_clock instead. */
int64_t wf_clock_mono_ns(void);

/* The clock's monotonic and UTC milliseconds. c must not be NULL. */
int64_t wf_clock_mono_ms(const struct wf_clock *c);
int64_t wf_clock_utc_ms(const struct wf_clock *c);

/*
 * wf_local_day — yyyymmdd of a UTC time (ms) in the process's time zone,
 * e.g. 20261130. A time the C library cannot convert gives 19700101.
 */
uint32_t wf_local_day(int64_t utc_ms);

/* A clock that moves only when told (scripts, tests). Fields private. */
struct wf_clock_virtual {
	struct wf_clock clock; /* pass &v->clock wherever a clock is wanted */
	_Atomic int64_t mono_ms, utc_ms;
};

/* wf_clock_virtual_init — at mono_ms and utc_ms (any values). */
void wf_clock_virtual_init(struct wf_clock_virtual *v, int64_t mono_ms, int64_t utc_ms);

/* wf_clock_virtual_advance — move both times on by ms (negative: nothing). */
void wf_clock_virtual_advance(struct wf_clock_virtual *v, int64_t ms);

#endif
