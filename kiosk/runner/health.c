/*
 * health.c — what staff are shown of the kiosk's health (sync: last
 * success, queue, conflicts; each device: up or down), gathered once for
 * the staff menu on screen and the log, where the details the screen leaves
 * out go (last error, last data, frames, errors, reconnects).
 */
#include "runner_private.h"

#include <inttypes.h>
#include <string.h>

static const char *const DEVICE_ROLES[3] = {"scale", "card reader", "printer"};

void health_gather(struct runner *r, struct health *h)
{
	memset(h, 0, sizeof *h);
	h->sync = r->sync != NULL;
	h->since_ok_s = -1;
	if (r->sync) {
		struct sync_status st;
		sync_get_status(r->sync, &st);
		if (st.last_success_ms)
			h->since_ok_s =
			    (wf_clock_utc_ms(runner_wait_clock(r)) - st.last_success_ms) / 1000;
		h->queue = st.outbox_depth;
		h->conflicts = st.conflicts_held;
		snprintf(h->sync_error, sizeof h->sync_error, "%s", st.last_error);
		h->sync_refused = st.refused;
	} else {
		h->queue = h->conflicts = -1;
		ledger_outbox_depth(r->ledger, &h->queue);
		ledger_conflict_count(r->ledger, &h->conflicts);
	}
	const struct device *devs[3] = {r->scale, r->card, r->printer};
	for (int i = 0; i < 3; i++) {
		h->dev[i] = devs[i];
		if (devs[i])
			device_health(devs[i], &h->dh[i]);
	}
}

static void log_sync(struct runner *r, const struct health *h)
{
	if (!h->sync) {
		runner_logf(
		    r, "staff: sync: off (no [central] url), queue %" PRId64 ", conflicts %" PRId64,
		    h->queue, h->conflicts);
		return;
	}
	char ago[48] = "never";
	if (h->since_ok_s >= 0)
		snprintf(ago, sizeof ago, "%" PRId64 " s ago", h->since_ok_s);
	runner_logf(r,
	            "staff: sync: last success %s, queue %" PRId64 ", conflicts %" PRId64
	            "%s%s%s, last error: %s",
	            ago, h->queue, h->conflicts,
	            h->conflicts > 0 ? " (wufei-kiosk ledger conflicts " : "",
	            h->conflicts > 0 ? r->cfg.ledger_path : "", h->conflicts > 0 ? ")" : "",
	            h->sync_error[0] ? h->sync_error : "none");
}

void health_log(struct runner *r)
{
	struct health h;
	health_gather(r, &h);
	log_sync(r, &h);
	/* device times are the runner's clock's (device_start_with_clock) */
	int64_t now = wf_clock_mono_ms(r->clock);
	for (int i = 0; i < 3; i++) {
		const struct device_health *d = &h.dh[i];
		if (!h.dev[i]) {
			runner_logf(r, "staff: %s: not configured", DEVICE_ROLES[i]);
			continue;
		}
		char data[40] = "never";
		if (d->last_data_ms)
			snprintf(data, sizeof data, "%" PRId64 " s ago",
			         (now - d->last_data_ms) / 1000);
		runner_logf(r,
		            "staff: %s: %s for %" PRId64 " s, last data %s, %" PRIu64
		            " frames, %" PRIu64 " errors, %" PRIu64 " reconnects%s%s",
		            DEVICE_ROLES[i], device_state_name(d->state),
		            (now - d->state_since_ms) / 1000, data, d->frames, d->errors,
		            d->reconnects, d->last_error[0] ? ", last error: " : "", d->last_error);
	}
}
