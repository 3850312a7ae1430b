/*
 * device_thread.c — a device's life (device.h): start (check the config,
 * make the codec, start the thread), stop, name, health, scale commands,
 * and what every part of a device uses: its clock, its log, waking its
 * thread, its state and the events it queues.
 *
 * The thread's loop is device_link.c's; print jobs are device_print.c's.
 */
#include "device_internal.h"

#include <assert.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

int64_t device_now_ms(const struct device *d)
{
	return wf_clock_mono_ms(d->clock);
}

const char *device_state_name(enum device_state s)
{
	switch (s) {
	case DEVICE_STATE_STARTING: return "starting";
	case DEVICE_STATE_UP: return "up";
	case DEVICE_STATE_DOWN: return "down";
	case DEVICE_STATE_STOPPED: return "stopped";
	}
	return "unknown";
}

void device_log(struct device *d, enum wf_log_level lvl, const char *fmt, const char *a)
{
	char line[256];
	if (!d->log)
		return;
	snprintf(line, sizeof(line), "device %s: ", d->cfg.name);
	size_t n = strlen(line);
	snprintf(line + n, sizeof(line) - n, fmt, a);
	d->log(d->log_ctx, lvl, line);
}

void device_wake(struct device *d)
{
	uint64_t one = 1;
	if (write(d->wake_fd, &one, sizeof(one)) < 0) {
		/* only fails if the counter would overflow: already awake */
	}
}

void device_wake_drain(struct device *d)
{
	uint64_t v;
	if (read(d->wake_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing to drain */
	}
}

/* Sleep up to ms or until woken; TRANSPORT_WOKEN or 0. */
int device_wait_wake(struct device *d, int ms)
{
	struct pollfd p = {.fd = d->wake_fd, .events = POLLIN};
	return poll(&p, 1, ms) > 0 ? TRANSPORT_WOKEN : 0;
}

bool device_stopping(struct device *d)
{
	pthread_mutex_lock(&d->mu);
	bool s = d->stop;
	pthread_mutex_unlock(&d->mu);
	return s;
}

void device_emit(struct device *d, struct device_event *e)
{
	e->role = d->cfg.role;
	snprintf(e->device, sizeof(e->device), "%s", d->cfg.name);
	if (!e->at_ms)
		e->at_ms = device_now_ms(d);
	device_queue_push(d->q, e);
}

void device_set_state(struct device *d, enum device_state s, const char *reason)
{
	struct device_event e = {0};
	pthread_mutex_lock(&d->mu);
	bool changed = d->health.state != s;
	d->health.state = s;
	if (changed)
		d->health.state_since_ms = device_now_ms(d);
	if (reason && reason[0])
		snprintf(d->health.last_error, sizeof(d->health.last_error), "%s", reason);
	if (changed && s != DEVICE_STATE_STOPPED) {
		/* Queued under the device lock: whoever sees the new state in
		 * device_health finds its event already queued. */
		e.kind = s == DEVICE_STATE_UP ? DEVICE_EVENT_UP : DEVICE_EVENT_DOWN;
		if (reason)
			snprintf(e.reason, sizeof(e.reason), "%s", reason);
		device_emit(d, &e);
	}
	pthread_mutex_unlock(&d->mu);
	if (!changed || s == DEVICE_STATE_STOPPED)
		return;
	device_log(d, s == DEVICE_STATE_UP ? WF_LOG_INFO : WF_LOG_WARN,
	           s == DEVICE_STATE_UP ? "up%s" : "down: %s", s == DEVICE_STATE_UP ? "" : reason);
}

void device_count(struct device *d, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(&d->mu);
	*field += n;
	pthread_mutex_unlock(&d->mu);
}

int device_start(const struct device_config *cfg, struct device_queue *q, wf_log_fn log,
                 void *log_ctx, struct device **out)
{
	return device_start_with_clock(cfg, q, NULL, log, log_ctx, out);
}

int device_start_with_clock(const struct device_config *cfg, struct device_queue *q,
                            const struct wf_clock *clock, wf_log_fn log, void *log_ctx,
                            struct device **out)
{
	assert(cfg && q && out);
	char err[160];
	int rc = WF_ENOMEM;
	*out = NULL;
	struct device *d = calloc(1, sizeof(*d));
	if (!d)
		return WF_ENOMEM;
	d->cfg = *cfg;
	d->cfg.name[sizeof(d->cfg.name) - 1] = '\0';
	d->q = q;
	d->clock = clock ? clock : wf_clock_system();
	d->log = log;
	d->log_ctx = log_ctx;
	d->wake_fd = -1;
	if (cfg->role < DEVICE_ROLE_SCALE || cfg->role > DEVICE_ROLE_PRINTER ||
	    (strncmp(cfg->transport, "serial:", 7) && strncmp(cfg->transport, "tcp:", 4))) {
		device_log(d, WF_LOG_ERROR, "bad role or transport '%.120s'", cfg->transport);
		rc = WF_EINVAL;
		goto fail;
	}
	rc = device_codec_create(&d->cfg, &d->codec, err, sizeof(err));
	if (rc) {
		device_log(d, WF_LOG_ERROR, "%s", err);
		goto fail;
	}
	d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->wake_fd < 0) {
		rc = WF_EIO;
		goto fail;
	}
	pthread_mutex_init(&d->mu, NULL);
	d->health.state = DEVICE_STATE_STARTING;
	d->health.state_since_ms = device_now_ms(d);
	d->next_job_id = 1;
	if (pthread_create(&d->thread, NULL, device_thread_main, d) != 0) {
		pthread_mutex_destroy(&d->mu);
		rc = WF_EIO;
		goto fail;
	}
	*out = d;
	return WF_OK;
fail:
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	device_codec_destroy(d->codec);
	free(d);
	return rc;
}

void device_stop(struct device *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	pthread_mutex_unlock(&d->mu);
	device_wake(d);
	pthread_join(d->thread, NULL);
	for (size_t i = 0; i < d->njobs; i++)
		free(d->jobs[i].buf);
	pthread_mutex_destroy(&d->mu);
	close(d->wake_fd);
	device_codec_destroy(d->codec);
	free(d);
}

const char *device_name(const struct device *d)
{
	assert(d);
	return d->cfg.name;
}

void device_health(const struct device *d, struct device_health *out)
{
	assert(d && out);
	pthread_mutex_lock((pthread_mutex_t *)&d->mu);
	*out = d->health;
	pthread_mutex_unlock((pthread_mutex_t *)&d->mu);
}

int device_scale_command(struct device *d, enum device_scale_cmd cmd)
{
	assert(d);
	uint8_t probe[DEVICE_CMD_BYTES];
	if (d->cfg.role != DEVICE_ROLE_SCALE ||
	    device_codec_scale_cmd(d->codec, cmd, probe, sizeof(probe)) <= 0)
		return WF_EINVAL;
	int rc = WF_OK;
	pthread_mutex_lock(&d->mu);
	if (d->health.state != DEVICE_STATE_UP)
		rc = WF_ESTATE;
	else if (d->npending == DEVICE_CMDS_MAX)
		rc = WF_EBUSY;
	else
		d->pending_cmd[d->npending++] = cmd;
	pthread_mutex_unlock(&d->mu);
	if (rc == WF_OK)
		device_wake(d);
	return rc;
}
