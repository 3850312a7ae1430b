/*
 * runner.h — wires the kiosk's parts for one run: session core, journal,
 * devices, receipt signing and printing.
 *
 * For: cmd_run.c (the kiosk program: live devices and/or a script) and the
 * end-to-end tests. The runner feeds events to the session, carries out the
 * effects it returns (record in the journal, verify a PIN, sign and print a
 * receipt, zero the scale) and feeds their results back.
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

#include "config.h"
#include "device.h"
#include "script.h"
#include "session.h"

struct runner;

struct runner_opts {
	const struct kiosk_config *cfg; /* copied */
	bool start_devices;             /* start the [device.*] threads */
	bool virtual_clock;             /* time advances only by script "wait" lines */
	FILE *log;                      /* screen changes and effects, one line each; may be NULL */
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

/* runner_tick — a tick at the current time (live mode). */
void runner_tick(struct runner *r);

/* runner_device_fd — readable when device events are queued; -1 without devices. */
int runner_device_fd(const struct runner *r);

/* runner_view — the session's view now. */
struct session_view runner_view(const struct runner *r);

/* runner_drops — drops committed during this run. */
uint64_t runner_drops(const struct runner *r);

#endif
