/*
 * device_print.c — a printer's print jobs (device.h device_print): queued by
 * any thread, sent by the device thread in order, each answered by
 * PRINT_DONE or PRINT_FAILED; and the printer's status (paper, online),
 * asked before each job and every status_interval_ms.
 */
#include "device_internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_WAIT_MS 500 /* a printer answers DLE EOT within this or not at all */

void device_fail_jobs(struct device *d, const char *why)
{
	for (;;) {
		struct device_job j;
		pthread_mutex_lock(&d->mu);
		if (!d->njobs) {
			pthread_mutex_unlock(&d->mu);
			return;
		}
		j = d->jobs[0];
		memmove(d->jobs, d->jobs + 1, (d->njobs - 1) * sizeof(d->jobs[0]));
		d->njobs--;
		pthread_mutex_unlock(&d->mu);
		struct device_event e = {.kind = DEVICE_EVENT_PRINT_FAILED, .u.job_id = j.id};
		snprintf(e.reason, sizeof(e.reason), "%s", why);
		device_emit(d, &e);
		free(j.buf);
	}
}

bool device_printer_status(struct device *d, struct device_link *l)
{
	uint8_t cmd[DEVICE_CMD_BYTES];
	size_t n = device_codec_status_cmd(d->codec, cmd, sizeof(cmd));
	if (!n)
		return true;
	if (device_link_send(d, l, cmd, n, 1000) < 0) {
		device_link_failed(l);
		return false;
	}
	int64_t until = device_now_ms(d) + STATUS_WAIT_MS;
	int64_t before = l->last_data_ms;
	while (l->last_data_ms == before) {
		int64_t left = until - device_now_ms(d);
		if (left <= 0)
			break;
		int r = transport_wait(l->t, -1, (int)left);
		if (r < 0) {
			device_link_failed(l);
			return false;
		}
		if (r == TRANSPORT_TIMEOUT)
			break; /* the whole wait passed, whatever the clock says */
		if (r == TRANSPORT_READABLE && !device_link_read(d, l))
			return false;
	}
	return true;
}

int device_print_one(struct device *d, struct device_link *l)
{
	struct device_job j;
	pthread_mutex_lock(&d->mu);
	if (!d->njobs) {
		pthread_mutex_unlock(&d->mu);
		return 0;
	}
	j = d->jobs[0];
	memmove(d->jobs, d->jobs + 1, (d->njobs - 1) * sizeof(d->jobs[0]));
	d->njobs--;
	pthread_mutex_unlock(&d->mu);

	struct device_event e = {.kind = DEVICE_EVENT_PRINT_FAILED, .u.job_id = j.id};
	bool alive = device_printer_status(d, l);
	struct device_health h;
	device_health(d, &h);
	if (!alive) {
		snprintf(e.reason, sizeof(e.reason), "printer went away: %.100s", l->reason);
	} else if (h.printer.known && h.printer.paper_out) {
		snprintf(e.reason, sizeof(e.reason), "%s", "printer is out of paper");
	} else if (h.printer.known && !h.printer.online) {
		snprintf(e.reason, sizeof(e.reason), "%s", "printer is offline");
	} else {
		/* ~1 byte per ms at 9600 baud, plus slack for the mechanism */
		int timeout = 3000 + (int)(j.len > 600000 ? 600000 : j.len);
		int rc = device_link_send(d, l, j.buf, j.len, timeout);
		if (rc >= 0) {
			e.kind = DEVICE_EVENT_PRINT_DONE;
		} else {
			snprintf(e.reason, sizeof(e.reason), "%s", transport_errmsg(l->t));
			device_count(d, &d->health.errors, 1);
			if (rc == WF_EIO) {
				device_link_failed(l);
				alive = false;
			}
		}
	}
	free(j.buf);
	device_emit(d, &e);
	return alive ? 1 : -1;
}

int device_print(struct device *d, const uint8_t *job, size_t len, uint32_t *job_id)
{
	assert(d && (job || !len));
	if (job_id)
		*job_id = 0;
	if (d->cfg.role != DEVICE_ROLE_PRINTER || len == 0 || len > DEVICE_JOB_MAX)
		return WF_EINVAL;
	uint8_t *copy = malloc(len);
	if (!copy)
		return WF_ENOMEM;
	memcpy(copy, job, len);
	int rc = WF_OK;
	pthread_mutex_lock(&d->mu);
	if (d->health.state != DEVICE_STATE_UP) {
		rc = WF_ESTATE;
	} else if (d->njobs == DEVICE_JOBS_MAX) {
		rc = WF_EBUSY;
	} else {
		d->jobs[d->njobs++] =
		    (struct device_job){.buf = copy, .len = len, .id = d->next_job_id};
		if (job_id)
			*job_id = d->next_job_id;
		d->next_job_id++;
		copy = NULL;
	}
	pthread_mutex_unlock(&d->mu);
	free(copy);
	if (rc == WF_OK)
		device_wake(d);
	return rc;
}
