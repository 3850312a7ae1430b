/*
 * runner.h — wires the kiosk's parts for one run: session core, journal,
 * devices, receipt signing and printing.
 *
 * For: cmd_run.c (the kiosk program: live devices and/or a script) and the
 * end-to-end tests. Events (cards, readings, taps, ticks, device states)
 * go into one queue; the runner has the session step on each in turn and
 * carries out the effects it returns (record in the journal, verify a PIN,
 * sign and print a receipt, zero the scale) in order, each answer going back
 * into the queue (pump.h). Nothing waits: a receipt prints while the screen
 * keeps drawing and taking taps.
 *
 * Time comes from one clock (clock.h): the system's, or with virtual_clock
 * a clock that moves only when a script says so. The local day of the
 * daily limit is the process's time zone: the program's main sets TZ to
 * the kiosk's [kiosk] timezone before calling runner_open.
 *
 * The rule it enforces around the session: a receipt is made, shown or
 * printed only after the journal's COMMIT returned for its drop.
 *
 * Not for: rules (session.c) or drawing (ui/).
 */
#ifndef WUFEI_RUNNER_H
#define WUFEI_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "clock.h"
#include "config.h"
#include "device.h"
#include "log.h"
#include "script.h"
#include "session.h"

struct runner;

struct runner_opts {
	const struct kiosk_config *cfg;         /* copied */
	bool start_devices;                     /* start the [device.*] threads */
	const struct wf_clock *clock;           /* NULL: the system clock */
	struct wf_clock_virtual *virtual_clock; /* non-NULL: the run's clock instead, moved
	                                           only by script "wait" and "weight ... for"
	                                           lines (must outlive the runner) */
	struct wf_log *log;         /* screen changes and effects, one line each; may be NULL */
	const char *screenshot_dir; /* each screen shown, drawn to DIR/NNN-SCREEN.png; NULL none */
	bool window;                /* show the screens in a window; taps on it are taps */
};

/*
 * runner_open — opens the journal (never creates it), loads the fixture if
 * configured, reads categories and the card key from the journal, loads the
 * receipt key, creates the session and starts the devices. Returns WF_OK or
 * an error with a one-line reason in err; *out is NULL on failure.
 */
int runner_open(const struct runner_opts *opts, struct runner **out, char *err, size_t err_len);

/* runner_close — stops devices, closes the journal; NULL is a no-op. */
void runner_close(struct runner *r);

/*
 * runner_script — carries out one script command (script.h). Returns WF_OK,
 * WF_EINVAL when an "expect" line does not hold (reason in err), or
 * WF_ESTATE after "quit".
 */
int runner_script(struct runner *r, const struct script_cmd *c, char *err, size_t err_len);

/* runner_quit_requested — the kiosk's window was closed (or "quit" ran). */
bool runner_quit_requested(const struct runner *r);

/* runner_poll_devices — feeds every queued device event to the session. */
void runner_poll_devices(struct runner *r);

/* runner_tick — a tick at the current time (live mode): the sync thread's
 * news, print deadlines, the session's timeouts; the window drawn if what
 * it shows changed, and its taps and keys handled. */
void runner_tick(struct runner *r);

/* runner_device_fd — readable when device events are queued; -1 without devices. */
int runner_device_fd(const struct runner *r);

/*
 * The live loop (cmd_run.c) sleeps until something happens (live.c):
 *
 * runner_next_deadline_ms — ms from now until the next moment the kiosk
 * must act although no event came: a countdown's next second on screen or
 * its end, a lock-out's, a print job's deadline, the staff menu's health
 * (once a second), the sync thread's status (once a second with a
 * central), the clock's next minute. At most 60,000; >= 0. Call it right
 * after runner_tick: the session's countdowns are as of its last event.
 */
int runner_next_deadline_ms(struct runner *r);

/* runner_has_window — the run shows a window (--window): wait in
 * runner_wait rather than poll(). */
bool runner_has_window(const struct runner *r);

/*
 * runner_wait — with a window: sleeps until the window has an input, a
 * runner_wake came or timeout_ms passed (SDL_WaitEventTimeout; no busy
 * loop); the window's input is then handled by the next runner_tick.
 * Returns false at once without a window. Main thread only.
 */
bool runner_wait(struct runner *r, int timeout_ms);

/* runner_wake — makes runner_wait return; any thread may call it. */
void runner_wake(struct runner *r);

/* runner_view — the session's view now. */
struct session_view runner_view(const struct runner *r);

/* runner_drops — drops committed during this run. */
uint64_t runner_drops(const struct runner *r);

#endif
