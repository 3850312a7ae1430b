/*
 * watchdog.h — when the kiosk tells systemd it is ready and alive (pure:
 * no I/O, no clock of its own; the runner's hook, kiosk/runner/watch.c,
 * gathers the health and sends what this decides through sd_notify).
 *
 * systemd restarts the kiosk when no WATCHDOG=1 came for WatchdogSec. The
 * kiosk pings at half that, and only while it is healthy:
 *  - its loop turns (the ping is sent from the loop: a stalled loop sends
 *    nothing);
 *  - its journal takes writes: the last write did not fail, the file at the
 *    configured path is still the one it opened (not moved, deleted or
 *    replaced under it, e.g. a backup restored while it runs), and its
 *    file system is writable with room left;
 *  - its device threads run: each started device's thread answers and has
 *    not ended. A device that is down (unplugged, silent, refusing) is NOT
 *    unhealthy: staff see it on the staff menu and the kiosk reconnects by
 *    itself; a restart would not plug it in.
 * A restart is for what a restart can mend. When health comes back (e.g.
 * the journal's disk was cleaned up in time), the pings come back.
 *
 * STATUS= lines (systemctl status) say what the kiosk is doing, and why
 * the pings stopped; each is sent once, when it changes.
 */
#ifndef WUFEI_WATCHDOG_H
#define WUFEI_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#define WATCHDOG_STATUS_MAX 400
#define WATCHDOG_LOOK_MS    10000 /* without a watchdog: health looked at this often */

/* The kiosk's health as the hook found it. why: "" when ok. */
struct watchdog_health {
	bool journal_ok;
	char journal_why[160];
	bool devices_ok;
	char devices_why[96];
	char devices[96]; /* the devices' states for STATUS, e.g. "scale up, printer down" */
};

struct watchdog {
	int64_t every_ms; /* pings this often; 0: no watchdog (READY and STATUS only) */
	int64_t next_ms;  /* the next look is due (the loop's clock) */
	bool ready_sent;
	bool healthy; /* as of the last look */
	char status[WATCHDOG_STATUS_MAX];
};

/* What to send now (sd_notify), as decided by watchdog_step. */
struct watchdog_say {
	bool ready;         /* READY=1 (the first look) */
	bool ping;          /* WATCHDOG=1 */
	const char *status; /* STATUS= text; NULL: unchanged */
};

/*
 * watchdog_init — watchdog_usec is systemd's WATCHDOG_USEC (0: no
 * watchdog); pings every half of it (at least every millisecond). The first
 * look is due at once.
 */
void watchdog_init(struct watchdog *w, uint64_t watchdog_usec, int64_t now_ms);

/* watchdog_due_ms — ms from now_ms until the next look (>= 0). */
int64_t watchdog_due_ms(const struct watchdog *w, int64_t now_ms);

/*
 * watchdog_step — the look at now_ms with health h (call when
 * watchdog_due_ms is 0): what to send. Pings only when h is healthy and a
 * watchdog is on; READY on the first look; STATUS when its text changed.
 * The returned status points into w.
 */
struct watchdog_say watchdog_step(struct watchdog *w, int64_t now_ms,
                                  const struct watchdog_health *h);

#endif
