/*
 * metrics_run.c — the kiosk's Prometheus text file ([metrics] textfile):
 * every interval_s the loop gathers what staff see (health.c), the drops
 * counted since start and the journal's size, formats them (kiosk/metrics,
 * pure) and hands the text to the writer thread, which renames a complete
 * file into place; the loop never waits for the disk. One last file is
 * written as the runner closes.
 */
#include "runner_private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>

static int64_t file_bytes(const char *path, const char *suffix)
{
	char p[CONFIG_PATH_MAX + 8];
	snprintf(p, sizeof p, "%s%s", path, suffix);
	struct stat st;
	return stat(p, &st) == 0 ? (int64_t)st.st_size : 0;
}

static void metrics_say(void *ctx, const char *msg)
{
	struct runner *r = ctx;
	wf_log_printf(r->log, WF_LOG_WARN, "%s", msg);
}

void metrics_run_start(struct runner *r)
{
	if (!r->cfg.metrics_textfile[0])
		return;
	r->metrics = kmetrics_writer_start(r->cfg.metrics_textfile, metrics_say, r);
	if (!r->metrics)
		runner_logf(r, "warning: metrics: cannot start the writer (out of memory)");
	r->metrics_ms = runner_now(r) - (int64_t)r->cfg.metrics_interval_s * 1000; /* due now */
}

/* The text of now into r->metrics' queue. */
static void metrics_post(struct runner *r)
{
	struct health h;
	health_gather(r, &h);
	struct kmetrics_snapshot m = {
	    .kiosk = r->cfg.number,
	    .name = r->cfg.name,
	    .counts = &r->counts,
	    .cats = r->scfg.categories,
	    .ncats = r->scfg.ncategories,
	    .sync_enabled = h.sync,
	    .since_sync_ok_s = h.since_ok_s,
	    .outbox = h.queue,
	    .conflicts = h.conflicts,
	    .journal_bytes =
	        file_bytes(r->cfg.ledger_path, "") + file_bytes(r->cfg.ledger_path, "-wal"),
	    .now_s = runner_utc_at(r, runner_now(r)) / 1000,
	};
	for (int i = 0; i < KMETRICS_DEVICES; i++)
		m.device_up[i] = !h.dev[i] ? -1 : h.dh[i].state == DEVICE_STATE_UP;
	char *text = malloc(KMETRICS_TEXT_MAX);
	if (!text)
		return;
	int n = kmetrics_format(&m, text, KMETRICS_TEXT_MAX);
	if (n > 0)
		kmetrics_writer_post(r->metrics, text, (size_t)n);
	free(text);
}

void metrics_run_tick(struct runner *r)
{
	if (!r->metrics)
		return;
	int64_t now = runner_now(r);
	if (now - r->metrics_ms < (int64_t)r->cfg.metrics_interval_s * 1000 && now >= r->metrics_ms)
		return;
	r->metrics_ms = now;
	metrics_post(r);
}

int64_t metrics_run_due_ms(const struct runner *r)
{
	if (!r->metrics)
		return INT64_MAX;
	return r->metrics_ms + (int64_t)r->cfg.metrics_interval_s * 1000 - runner_now(r);
}

void metrics_run_stop(struct runner *r)
{
	if (!r->metrics)
		return;
	metrics_post(r);
	kmetrics_writer_stop(r->metrics);
	r->metrics = NULL;
}
