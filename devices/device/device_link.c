/*
 * device_link.c — a device thread's loop: open the port → run the link
 * (wait, read and parse, poll, status, silence, scale commands, print jobs)
 * → hang-up → DOWN → sleep until the stable name is back → open again.
 *
 * The thread sleeps in poll() on the port and its own wake eventfd; stop,
 * print and scale commands write that eventfd. Times come from the device's
 * clock (device_now_ms).
 */
#include "device_internal.h"

#include <stdio.h>
#include <string.h>

#define READ_CHUNK      512
#define OPEN_TIMEOUT_MS 2000
#define OPEN_BACKOFF_MS 250 /* between failed opens: no busy loop */

void device_link_failed(struct device_link *l)
{
	snprintf(l->reason, sizeof(l->reason), "%s", transport_errmsg(l->t));
}

int device_link_send(struct device *d, struct device_link *l, const uint8_t *buf, size_t len,
                     int timeout_ms)
{
	int rc = transport_write(l->t, buf, len, timeout_ms);
	if (rc >= 0)
		device_count(d, &d->health.bytes_out, len);
	return rc;
}

/* Bytes from the device: to the codec, and its events to the queue. */
static void handle_data(struct device *d, struct device_link *l, const uint8_t *buf, size_t n)
{
	struct device_event e;
	int64_t now = device_now_ms(d);
	device_count(d, &d->health.bytes_in, n);
	device_codec_feed(d->codec, buf, n, now);
	for (;;) {
		memset(&e, 0, sizeof(e));
		if (!device_codec_next(d->codec, &e))
			break;
		l->last_data_ms = now;
		pthread_mutex_lock(&d->mu);
		d->health.frames++;
		d->health.last_data_ms = now;
		bool was_silent = d->silent;
		d->silent = false;
		bool changed = true;
		if (e.kind == DEVICE_EVENT_PRINTER_STATUS) {
			changed =
			    memcmp(&d->health.printer, &e.u.printer, sizeof(e.u.printer)) != 0;
			d->health.printer = e.u.printer;
		} else if (e.kind == DEVICE_EVENT_NOTICE) {
			/* staff see it in the health lines until something else fails */
			snprintf(d->health.last_error, sizeof d->health.last_error, "%s", e.reason);
		}
		pthread_mutex_unlock(&d->mu);
		if (was_silent)
			device_set_state(d, DEVICE_STATE_UP, NULL);
		if (changed)
			device_emit(d, &e);
	}
}

bool device_link_read(struct device *d, struct device_link *l)
{
	uint8_t buf[READ_CHUNK];
	int n = transport_read(l->t, buf, sizeof(buf));
	if (n < 0) {
		device_link_failed(l);
		return false;
	}
	if (n > 0)
		handle_data(d, l, buf, (size_t)n);
	return true;
}

/* Send the zero/tare commands waiting; false on a hang-up. */
static bool scale_commands(struct device *d, struct device_link *l)
{
	for (;;) {
		enum device_scale_cmd c;
		uint8_t buf[DEVICE_CMD_BYTES];
		pthread_mutex_lock(&d->mu);
		if (!d->npending) {
			pthread_mutex_unlock(&d->mu);
			return true;
		}
		c = d->pending_cmd[0];
		memmove(d->pending_cmd, d->pending_cmd + 1,
		        (d->npending - 1) * sizeof(d->pending_cmd[0]));
		d->npending--;
		pthread_mutex_unlock(&d->mu);
		int n = device_codec_scale_cmd(d->codec, c, buf, sizeof(buf));
		if (n > 0 && device_link_send(d, l, buf, (size_t)n, 1000) < 0) {
			device_link_failed(l);
			return false;
		}
		if (n > 0)
			device_codec_cmd_sent(d->codec, c, device_now_ms(d));
	}
}

/* Timers of a link: polls, status requests, silence. false = hang-up. */
static bool link_timers(struct device *d, struct device_link *l, int64_t now)
{
	int silence = d->cfg.reply_timeout_ms > 0 ? d->cfg.reply_timeout_ms : 3000;
	if (d->cfg.role == DEVICE_ROLE_SCALE && now - l->last_data_ms >= silence) {
		pthread_mutex_lock(&d->mu);
		bool already = d->silent;
		d->silent = true;
		if (!already)
			d->health.errors++;
		pthread_mutex_unlock(&d->mu);
		if (!already)
			device_set_state(d, DEVICE_STATE_DOWN,
			                 "no data from the scale (line open)");
		/* A streaming scale that was power-cycled behind a device server
		 * forgot it was asked to stream: ask again, once per silence. */
		uint8_t again[DEVICE_CMD_BYTES];
		size_t n = device_codec_open_cmd(d->codec, again, sizeof(again));
		if (n && now >= l->next_open_cmd_ms) {
			l->next_open_cmd_ms = now + silence;
			if (device_link_send(d, l, again, n, 1000) < 0) {
				device_link_failed(l);
				return false;
			}
		}
	}
	if (device_codec_polled(d->codec) && now >= l->next_poll_ms) {
		uint8_t cmd[DEVICE_CMD_BYTES];
		size_t n = device_codec_poll_cmd(d->codec, cmd, sizeof(cmd));
		l->next_poll_ms =
		    now + (d->cfg.poll_interval_ms > 0 ? d->cfg.poll_interval_ms : 200);
		if (n && device_link_send(d, l, cmd, n, 1000) < 0) {
			device_link_failed(l);
			return false;
		}
	}
	if (d->cfg.role == DEVICE_ROLE_PRINTER && d->cfg.status_interval_ms >= 0 &&
	    now >= l->next_status_ms) {
		l->next_status_ms =
		    now + (d->cfg.status_interval_ms > 0 ? d->cfg.status_interval_ms : 5000);
		return device_printer_status(d, l);
	}
	return true;
}

/* When the next timer of the link is due (at most a second ahead). */
static int64_t link_next_ms(struct device *d, struct device_link *l, int64_t now)
{
	int64_t next = now + 1000;
	int silence = d->cfg.reply_timeout_ms > 0 ? d->cfg.reply_timeout_ms : 3000;
	if (device_codec_polled(d->codec) && l->next_poll_ms < next)
		next = l->next_poll_ms;
	if (d->cfg.role == DEVICE_ROLE_PRINTER && d->cfg.status_interval_ms >= 0 &&
	    l->next_status_ms < next)
		next = l->next_status_ms;
	if (d->cfg.role == DEVICE_ROLE_SCALE && !d->silent && l->last_data_ms + silence < next)
		next = l->last_data_ms + silence;
	if (d->cfg.role == DEVICE_ROLE_SCALE && d->silent && l->next_open_cmd_ms < next &&
	    l->next_open_cmd_ms > now)
		next = l->next_open_cmd_ms;
	return next;
}

/* Runs while the port is open; returns when it hangs up or we stop. */
static void link_run(struct device *d, struct device_link *l)
{
	int64_t now = device_now_ms(d);
	uint8_t first[DEVICE_CMD_BYTES];
	size_t nfirst = device_codec_open_cmd(d->codec, first, sizeof(first));
	l->next_poll_ms = now;
	l->next_status_ms = now;
	l->last_data_ms = now;
	if (nfirst && device_link_send(d, l, first, nfirst, 1000) < 0) {
		device_link_failed(l);
		return;
	}
	while (!device_stopping(d)) {
		now = device_now_ms(d);
		if (!link_timers(d, l, now))
			return;
		int64_t wait = link_next_ms(d, l, now) - device_now_ms(d);
		int r = transport_wait(l->t, d->wake_fd, wait < 0 ? 0 : (int)wait);
		if (r < 0) {
			device_link_failed(l);
			return;
		}
		if (r == TRANSPORT_READABLE && !device_link_read(d, l))
			return;
		if (r == TRANSPORT_WOKEN) {
			device_wake_drain(d);
			if (!scale_commands(d, l))
				return;
			int pr = 1;
			while (pr > 0 && !device_stopping(d))
				pr = device_print_one(d, l);
			if (pr < 0)
				return;
		}
	}
}

/* The port did not open (err): down once, fail waiting jobs, and sleep
 * until the device may be back. */
static void open_failed(struct device *d, const char *err)
{
	pthread_mutex_lock(&d->mu);
	bool first = d->health.state != DEVICE_STATE_DOWN;
	if (first)
		d->health.errors++;
	pthread_mutex_unlock(&d->mu);
	if (first)
		device_set_state(d, DEVICE_STATE_DOWN, err);
	device_fail_jobs(d, "printer not connected");
	/* There but unusable (permissions, not a serial port, refused
	 * connection): back off. Not there: sleep until it appears. */
	int r = transport_present(d->cfg.transport)
	            ? device_wait_wake(d, OPEN_BACKOFF_MS)
	            : transport_wait_present(d->cfg.transport, d->wake_fd, OPEN_BACKOFF_MS);
	if (r == TRANSPORT_WOKEN)
		device_wake_drain(d);
}

/* The port is open: up, run the link until it ends, down (unless stopping). */
static void link_session(struct device *d, struct device_link *l, bool was_up)
{
	device_codec_reset(d->codec);
	pthread_mutex_lock(&d->mu);
	if (was_up)
		d->health.reconnects++;
	d->silent = false;
	pthread_mutex_unlock(&d->mu);
	device_set_state(d, DEVICE_STATE_UP, NULL);
	link_run(d, l);
	transport_close(l->t);
	l->t = NULL;
	if (!device_stopping(d)) {
		device_count(d, &d->health.errors, 1);
		device_set_state(d, DEVICE_STATE_DOWN, l->reason[0] ? l->reason : "closed");
		device_fail_jobs(d, "printer went away");
	}
}

void *device_thread_main(void *arg)
{
	struct device *d = arg;
	char err[TRANSPORT_ERR_MAX];
	bool was_up = false;
	while (!device_stopping(d)) {
		struct device_link l = {0};
		int rc = transport_open(d->cfg.transport, &d->cfg.line, OPEN_TIMEOUT_MS, d->clock,
		                        &l.t, err, sizeof(err));
		if (rc) {
			open_failed(d, err);
			continue;
		}
		link_session(d, &l, was_up);
		was_up = true;
	}
	device_fail_jobs(d, "device stopped");
	device_set_state(d, DEVICE_STATE_STOPPED, NULL);
	return NULL;
}
