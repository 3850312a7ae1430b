/* watchdog.c — the kiosk's ready and alive decisions; see watchdog.h. */
#include "watchdog.h"

#include <stdio.h>
#include <string.h>

void watchdog_init(struct watchdog *w, uint64_t watchdog_usec, int64_t now_ms)
{
	memset(w, 0, sizeof *w);
	if (watchdog_usec) {
		w->every_ms = (int64_t)(watchdog_usec / 2000);
		if (w->every_ms < 1)
			w->every_ms = 1;
	}
	w->next_ms = now_ms;
	w->healthy = true;
}

int64_t watchdog_due_ms(const struct watchdog *w, int64_t now_ms)
{
	int64_t d = w->next_ms - now_ms;
	return d > 0 ? d : 0;
}

struct watchdog_say watchdog_step(struct watchdog *w, int64_t now_ms,
                                  const struct watchdog_health *h)
{
	struct watchdog_say say = {0};
	bool healthy = h->journal_ok && h->devices_ok;
	char status[WATCHDOG_STATUS_MAX];
	if (healthy)
		snprintf(status, sizeof status, "running; journal ok%s%s",
		         h->devices[0] ? "; " : "", h->devices);
	else
		snprintf(status, sizeof status, "UNHEALTHY%s: %s%s%s",
		         w->every_ms ? " (watchdog pings stopped)" : "",
		         h->journal_ok ? "" : h->journal_why,
		         !h->journal_ok && !h->devices_ok ? "; " : "",
		         h->devices_ok ? "" : h->devices_why);
	say.ready = !w->ready_sent;
	w->ready_sent = true;
	say.ping = healthy && w->every_ms > 0;
	if (strcmp(status, w->status) != 0) {
		memcpy(w->status, status, sizeof status);
		say.status = w->status;
	}
	w->healthy = healthy;
	w->next_ms = now_ms + (w->every_ms ? w->every_ms : WATCHDOG_LOOK_MS);
	return say;
}
