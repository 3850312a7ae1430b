/*
 * watch.c — the runner's hook for systemd (kiosk/watchdog/watchdog.h):
 * gathers the kiosk's health from the loop, lets the watchdog decide, and
 * sends READY=1, WATCHDOG=1 and STATUS= through sd_notify. Without
 * NOTIFY_SOCKET (not under systemd) sd_notify does nothing.
 *
 * Under cage (wufei-kiosk.service) systemd's main process is cage and the
 * kiosk its child: WATCHDOG_PID names cage, so sd_watchdog_enabled says
 * "not for you". The kiosk then takes WATCHDOG_USEC when WATCHDOG_PID is
 * its parent's; its messages are accepted because the unit has
 * NotifyAccess=all.
 */
#include "runner_private.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#define WATCH_FREE_MIN (1024 * 1024) /* bytes the journal's file system must have left */

/* WATCHDOG_USEC meant for this process or for its parent (cage); 0: none. */
static uint64_t watchdog_usec(void)
{
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) > 0)
		return usec;
	const char *pid = getenv("WATCHDOG_PID"), *us = getenv("WATCHDOG_USEC");
	if (!pid || !us || !*pid || !*us)
		return 0;
	char *end = NULL;
	errno = 0;
	long long p = strtoll(pid, &end, 10);
	if (errno || *end || p != (long long)getppid())
		return 0;
	unsigned long long u = strtoull(us, &end, 10);
	return errno || *end ? 0 : (uint64_t)u;
}

static int64_t watch_now(const struct runner *r)
{
	return wf_clock_mono_ms(runner_wait_clock(r));
}

void watch_open(struct runner *r)
{
	struct stat st;
	r->journal_known = stat(r->cfg.ledger_path, &st) == 0;
	if (r->journal_known) {
		r->journal_dev = st.st_dev;
		r->journal_ino = st.st_ino;
	}
	watchdog_init(&r->wd, watchdog_usec(), watch_now(r));
	if (r->wd.every_ms)
		runner_logf(r, "watchdog: pinging systemd every %" PRId64 " ms while healthy",
		            r->wd.every_ms);
}

/* Why the journal cannot take writes, or NULL. */
static const char *journal_trouble(struct runner *r)
{
	struct stat st;
	struct statvfs vfs;
	char dir[sizeof r->cfg.ledger_path];
	snprintf(dir, sizeof dir, "%s", r->cfg.ledger_path);
	if (r->journal_write_failed)
		return "its last write failed (see the log)";
	if (stat(r->cfg.ledger_path, &st) != 0)
		return "the file is gone";
	if (r->journal_known && (st.st_dev != r->journal_dev || st.st_ino != r->journal_ino))
		return "the file was moved or replaced since the kiosk opened it";
	if (statvfs(dirname(dir), &vfs) != 0)
		return "its folder cannot be looked at";
	if (vfs.f_flag & ST_RDONLY)
		return "its file system is read-only";
	if ((uint64_t)vfs.f_bavail * vfs.f_frsize < WATCH_FREE_MIN)
		return "less than 1 MiB left on its disk";
	return NULL;
}

static void gather(struct runner *r, struct watchdog_health *h)
{
	static const char *const roles[3] = {"scale", "card reader", "printer"};
	memset(h, 0, sizeof *h);
	const char *why = journal_trouble(r);
	h->journal_ok = why == NULL;
	if (why)
		snprintf(h->journal_why, sizeof h->journal_why, "journal %.90s: %s",
		         r->cfg.ledger_path, why);
	h->devices_ok = true;
	const struct device *devs[3] = {r->scale, r->card, r->printer};
	size_t n = 0;
	for (int i = 0; i < 3; i++) {
		if (!devs[i])
			continue;
		struct device_health dh;
		device_health(devs[i], &dh); /* a thread stuck holding its lock stalls the loop */
		if (n < sizeof h->devices)
			n += (size_t)snprintf(h->devices + n, sizeof h->devices - n, "%s%s %s",
			                      n ? ", " : "", roles[i], device_state_name(dh.state));
		if (dh.state == DEVICE_STATE_STOPPED && h->devices_ok) {
			h->devices_ok = false;
			snprintf(h->devices_why, sizeof h->devices_why, "the %s's thread ended",
			         roles[i]);
		}
	}
}

void watch_tick(struct runner *r)
{
	int64_t now = watch_now(r);
	if (watchdog_due_ms(&r->wd, now) > 0)
		return;
	struct watchdog_health h;
	gather(r, &h);
	struct watchdog_say say = watchdog_step(&r->wd, now, &h);
	if (!say.ready && !say.ping && !say.status)
		return;
	char msg[WATCHDOG_STATUS_MAX + 48];
	snprintf(msg, sizeof msg, "%s%s%s%s", say.ready ? "READY=1\n" : "",
	         say.ping ? "WATCHDOG=1\n" : "", say.status ? "STATUS=" : "",
	         say.status ? say.status : "");
	if (say.status)
		runner_logf(r, "watchdog: %s", say.status);
	sd_notify(0, msg);
}

int64_t watch_due_ms(const struct runner *r)
{
	return watchdog_due_ms(&r->wd, watch_now(r));
}

void watch_close(struct runner *r)
{
	if (r->wd.ready_sent)
		sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
