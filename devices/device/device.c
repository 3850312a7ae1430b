/*
 * device.c — the event queue and the device threads of device.h.
 *
 * One thread per device runs: open → (session: wait/read/parse, poll, print)
 * → hang-up → DOWN → sleep until the stable name is back → open again. The
 * thread sleeps in poll() on the port and its own wake eventfd; stop, print
 * and scale commands write that eventfd.
 */
#include "device.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define JOBS_MAX        4
#define READ_CHUNK      512
#define STATUS_WAIT_MS  500 /* a printer answers DLE EOT within this or not at all */
#define OPEN_TIMEOUT_MS 2000
#define OPEN_BACKOFF_MS 250 /* between failed opens: no busy loop */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- queue -------------------------------------------------------------- */

struct device_queue {
	pthread_mutex_t mu;
	struct device_event *ev;
	size_t cap, head, len;
	uint64_t dropped;
	int efd;
};

struct device_queue *device_queue_create(size_t cap)
{
	struct device_queue *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cap = cap < 4 ? 4 : cap;
	q->ev = calloc(q->cap, sizeof(*q->ev));
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!q->ev || q->efd < 0) {
		if (q->efd >= 0)
			close(q->efd);
		free(q->ev);
		free(q);
		return NULL;
	}
	pthread_mutex_init(&q->mu, NULL);
	return q;
}

void device_queue_destroy(struct device_queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->mu);
	close(q->efd);
	free(q->ev);
	free(q);
}

int device_queue_fd(const struct device_queue *q)
{
	assert(q);
	return q->efd;
}

uint64_t device_queue_dropped(const struct device_queue *q)
{
	assert(q);
	pthread_mutex_lock((pthread_mutex_t *)&q->mu);
	uint64_t n = q->dropped;
	pthread_mutex_unlock((pthread_mutex_t *)&q->mu);
	return n;
}

/* Remove the oldest reading to make room; false if there is none. */
static bool queue_drop_reading(struct device_queue *q)
{
	for (size_t i = 0; i < q->len; i++) {
		size_t at = (q->head + i) % q->cap;
		if (q->ev[at].kind != DEVICE_EVENT_READING)
			continue;
		for (size_t j = i; j + 1 < q->len; j++)
			q->ev[(q->head + j) % q->cap] = q->ev[(q->head + j + 1) % q->cap];
		q->len--;
		return true;
	}
	return false;
}

static void queue_push(struct device_queue *q, const struct device_event *e)
{
	uint64_t one = 1;
	pthread_mutex_lock(&q->mu);
	if (q->len == q->cap && (e->kind == DEVICE_EVENT_READING || !queue_drop_reading(q))) {
		q->dropped++;
		pthread_mutex_unlock(&q->mu);
		return;
	}
	q->ev[(q->head + q->len) % q->cap] = *e;
	q->len++;
	/* Under the lock, so a pop that empties the queue and resets the counter
	 * cannot race with this push and lose a wake-up. */
	if (write(q->efd, &one, sizeof(one)) < 0) {
		/* counter overflow cannot happen with a capped queue */
	}
	pthread_mutex_unlock(&q->mu);
}

bool device_queue_pop(struct device_queue *q, struct device_event *out)
{
	assert(q && out);
	uint64_t v;
	bool got = false;
	pthread_mutex_lock(&q->mu);
	if (q->len) {
		*out = q->ev[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		got = true;
	}
	if (q->len == 0 && read(q->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: already reset */
	}
	pthread_mutex_unlock(&q->mu);
	return got;
}

/* ---- device ------------------------------------------------------------- */

struct job {
	uint8_t *buf;
	size_t len;
	uint32_t id;
};

struct device {
	struct device_config cfg;
	struct device_queue *q;
	wf_log_fn log;
	void *log_ctx;
	struct device_codec *codec;
	pthread_t thread;
	int wake_fd;

	pthread_mutex_t mu; /* guards everything below */
	bool stop;
	struct device_health health;
	struct job jobs[JOBS_MAX];
	size_t njobs;
	uint32_t next_job_id;
	enum device_scale_cmd pending_cmd[4];
	size_t npending;
	bool silent; /* reported down for silence while the line is open */
};

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

static void dev_log(struct device *d, enum wf_log_level lvl, const char *fmt, const char *a)
{
	char line[256];
	if (!d->log)
		return;
	snprintf(line, sizeof(line), "device %s: ", d->cfg.name);
	size_t n = strlen(line);
	snprintf(line + n, sizeof(line) - n, fmt, a);
	d->log(d->log_ctx, lvl, line);
}

static void wake(struct device *d)
{
	uint64_t one = 1;
	if (write(d->wake_fd, &one, sizeof(one)) < 0) {
		/* only fails if the counter would overflow: already awake */
	}
}

static void wake_drain(struct device *d)
{
	uint64_t v;
	if (read(d->wake_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing to drain */
	}
}

/* Sleep up to ms or until woken; TRANSPORT_WOKEN or 0. */
static int wait_wake(struct device *d, int ms)
{
	struct pollfd p = {.fd = d->wake_fd, .events = POLLIN};
	return poll(&p, 1, ms) > 0 ? TRANSPORT_WOKEN : 0;
}

static bool stopping(struct device *d)
{
	pthread_mutex_lock(&d->mu);
	bool s = d->stop;
	pthread_mutex_unlock(&d->mu);
	return s;
}

static void emit(struct device *d, struct device_event *e)
{
	e->role = d->cfg.role;
	snprintf(e->device, sizeof(e->device), "%s", d->cfg.name);
	if (!e->at_ms)
		e->at_ms = mono_ms();
	queue_push(d->q, e);
}

static void set_state(struct device *d, enum device_state s, const char *reason)
{
	struct device_event e = {0};
	pthread_mutex_lock(&d->mu);
	bool changed = d->health.state != s;
	d->health.state = s;
	if (changed)
		d->health.state_since_ms = mono_ms();
	if (reason && reason[0])
		snprintf(d->health.last_error, sizeof(d->health.last_error), "%s", reason);
	if (changed && s != DEVICE_STATE_STOPPED) {
		/* Queued under the device lock: whoever sees the new state in
		 * device_health finds its event already queued. */
		e.kind = s == DEVICE_STATE_UP ? DEVICE_EVENT_UP : DEVICE_EVENT_DOWN;
		if (reason)
			snprintf(e.reason, sizeof(e.reason), "%s", reason);
		emit(d, &e);
	}
	pthread_mutex_unlock(&d->mu);
	if (!changed || s == DEVICE_STATE_STOPPED)
		return;
	dev_log(d, s == DEVICE_STATE_UP ? WF_LOG_INFO : WF_LOG_WARN,
	        s == DEVICE_STATE_UP ? "up%s" : "down: %s", s == DEVICE_STATE_UP ? "" : reason);
}

static void count(struct device *d, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(&d->mu);
	*field += n;
	pthread_mutex_unlock(&d->mu);
}

static void fail_jobs(struct device *d, const char *why)
{
	for (;;) {
		struct job j;
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
		emit(d, &e);
		free(j.buf);
	}
}

/* ---- one open session ---------------------------------------------------- */

struct session {
	struct transport *t;
	int64_t next_poll_ms;
	int64_t next_status_ms;
	int64_t last_data_ms;
	int64_t next_open_cmd_ms; /* streaming scale silent: when to ask again */
	char reason[DEVICE_REASON_MAX];
};

static int send_bytes(struct device *d, struct session *s, const uint8_t *buf, size_t len,
                      int timeout_ms)
{
	int rc = transport_write(s->t, buf, len, timeout_ms);
	if (rc >= 0)
		count(d, &d->health.bytes_out, len);
	return rc;
}

static void handle_data(struct device *d, struct session *s, const uint8_t *buf, size_t n)
{
	struct device_event e;
	int64_t now = mono_ms();
	count(d, &d->health.bytes_in, n);
	device_codec_feed(d->codec, buf, n, now);
	for (;;) {
		memset(&e, 0, sizeof(e));
		if (!device_codec_next(d->codec, &e))
			break;
		s->last_data_ms = now;
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
			set_state(d, DEVICE_STATE_UP, NULL);
		if (changed)
			emit(d, &e);
	}
}

/* Read what is waiting; false on a hang-up. */
static bool read_some(struct device *d, struct session *s)
{
	uint8_t buf[READ_CHUNK];
	int n = transport_read(s->t, buf, sizeof(buf));
	if (n < 0) {
		snprintf(s->reason, sizeof(s->reason), "%s", transport_errmsg(s->t));
		return false;
	}
	if (n > 0)
		handle_data(d, s, buf, (size_t)n);
	return true;
}

/* Printer: ask for the status and give the answer up to STATUS_WAIT_MS. */
static bool printer_status(struct device *d, struct session *s)
{
	uint8_t cmd[16];
	size_t n = device_codec_status_cmd(d->codec, cmd, sizeof(cmd));
	if (!n)
		return true;
	if (send_bytes(d, s, cmd, n, 1000) < 0) {
		snprintf(s->reason, sizeof(s->reason), "%s", transport_errmsg(s->t));
		return false;
	}
	int64_t until = mono_ms() + STATUS_WAIT_MS;
	int64_t before = s->last_data_ms;
	while (s->last_data_ms == before) {
		int64_t left = until - mono_ms();
		if (left <= 0)
			break;
		int r = transport_wait(s->t, -1, (int)left);
		if (r < 0) {
			snprintf(s->reason, sizeof(s->reason), "%s", transport_errmsg(s->t));
			return false;
		}
		if (r == TRANSPORT_READABLE && !read_some(d, s))
			return false;
	}
	return true;
}

/* Print the oldest job: 1 printed (or failed cleanly), 0 no job, -1 hang-up. */
static int print_one(struct device *d, struct session *s)
{
	struct job j;
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
	bool alive = printer_status(d, s);
	struct device_health h;
	device_health(d, &h);
	if (!alive) {
		snprintf(e.reason, sizeof(e.reason), "printer went away: %.100s", s->reason);
	} else if (h.printer.known && h.printer.paper_out) {
		snprintf(e.reason, sizeof(e.reason), "%s", "printer is out of paper");
	} else if (h.printer.known && !h.printer.online) {
		snprintf(e.reason, sizeof(e.reason), "%s", "printer is offline");
	} else {
		/* ~1 byte per ms at 9600 baud, plus slack for the mechanism */
		int timeout = 3000 + (int)(j.len > 600000 ? 600000 : j.len);
		int rc = send_bytes(d, s, j.buf, j.len, timeout);
		if (rc >= 0) {
			e.kind = DEVICE_EVENT_PRINT_DONE;
		} else {
			snprintf(e.reason, sizeof(e.reason), "%s", transport_errmsg(s->t));
			count(d, &d->health.errors, 1);
			if (rc == WF_EIO) {
				snprintf(s->reason, sizeof(s->reason), "%s",
				         transport_errmsg(s->t));
				alive = false;
			}
		}
	}
	free(j.buf);
	emit(d, &e);
	return alive ? 1 : -1;
}

static bool scale_commands(struct device *d, struct session *s)
{
	for (;;) {
		enum device_scale_cmd c;
		uint8_t buf[16];
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
		if (n > 0 && send_bytes(d, s, buf, (size_t)n, 1000) < 0) {
			snprintf(s->reason, sizeof(s->reason), "%s", transport_errmsg(s->t));
			return false;
		}
		if (n > 0)
			device_codec_cmd_sent(d->codec, c, mono_ms());
	}
}

/* Timers of a session: polls, status requests, silence. false = hang-up. */
static bool session_timers(struct device *d, struct session *s, int64_t now)
{
	int silence = d->cfg.reply_timeout_ms > 0 ? d->cfg.reply_timeout_ms : 3000;
	if (d->cfg.role == DEVICE_ROLE_SCALE && now - s->last_data_ms >= silence) {
		pthread_mutex_lock(&d->mu);
		bool already = d->silent;
		d->silent = true;
		if (!already)
			d->health.errors++;
		pthread_mutex_unlock(&d->mu);
		if (!already)
			set_state(d, DEVICE_STATE_DOWN, "no data from the scale (line open)");
		/* A streaming scale that was power-cycled behind a device server
		 * forgot it was asked to stream: ask again, once per silence. */
		uint8_t again[16];
		size_t n = device_codec_open_cmd(d->codec, again, sizeof(again));
		if (n && now >= s->next_open_cmd_ms) {
			s->next_open_cmd_ms = now + silence;
			if (send_bytes(d, s, again, n, 1000) < 0) {
				snprintf(s->reason, sizeof(s->reason), "%s",
				         transport_errmsg(s->t));
				return false;
			}
		}
	}
	if (device_codec_polled(d->codec) && now >= s->next_poll_ms) {
		uint8_t cmd[16];
		size_t n = device_codec_poll_cmd(d->codec, cmd, sizeof(cmd));
		s->next_poll_ms =
		    now + (d->cfg.poll_interval_ms > 0 ? d->cfg.poll_interval_ms : 200);
		if (n && send_bytes(d, s, cmd, n, 1000) < 0) {
			snprintf(s->reason, sizeof(s->reason), "%s", transport_errmsg(s->t));
			return false;
		}
	}
	if (d->cfg.role == DEVICE_ROLE_PRINTER && d->cfg.status_interval_ms >= 0 &&
	    now >= s->next_status_ms) {
		s->next_status_ms =
		    now + (d->cfg.status_interval_ms > 0 ? d->cfg.status_interval_ms : 5000);
		return printer_status(d, s);
	}
	return true;
}

static int64_t session_next_ms(struct device *d, struct session *s, int64_t now)
{
	int64_t next = now + 1000;
	int silence = d->cfg.reply_timeout_ms > 0 ? d->cfg.reply_timeout_ms : 3000;
	if (device_codec_polled(d->codec) && s->next_poll_ms < next)
		next = s->next_poll_ms;
	if (d->cfg.role == DEVICE_ROLE_PRINTER && d->cfg.status_interval_ms >= 0 &&
	    s->next_status_ms < next)
		next = s->next_status_ms;
	if (d->cfg.role == DEVICE_ROLE_SCALE && !d->silent && s->last_data_ms + silence < next)
		next = s->last_data_ms + silence;
	if (d->cfg.role == DEVICE_ROLE_SCALE && d->silent && s->next_open_cmd_ms < next &&
	    s->next_open_cmd_ms > now)
		next = s->next_open_cmd_ms;
	return next;
}

/* Runs while the port is open; returns when it hangs up or we stop. */
static void session_run(struct device *d, struct session *s)
{
	int64_t now = mono_ms();
	uint8_t first[16];
	size_t nfirst = device_codec_open_cmd(d->codec, first, sizeof(first));
	s->next_poll_ms = now;
	s->next_status_ms = now;
	s->last_data_ms = now;
	if (nfirst && send_bytes(d, s, first, nfirst, 1000) < 0) {
		snprintf(s->reason, sizeof(s->reason), "%s", transport_errmsg(s->t));
		return;
	}
	while (!stopping(d)) {
		now = mono_ms();
		if (!session_timers(d, s, now))
			return;
		int64_t wait = session_next_ms(d, s, now) - mono_ms();
		int r = transport_wait(s->t, d->wake_fd, wait < 0 ? 0 : (int)wait);
		if (r < 0) {
			snprintf(s->reason, sizeof(s->reason), "%s", transport_errmsg(s->t));
			return;
		}
		if (r == TRANSPORT_READABLE && !read_some(d, s))
			return;
		if (r == TRANSPORT_WOKEN) {
			wake_drain(d);
			if (!scale_commands(d, s))
				return;
			int pr = 1;
			while (pr > 0 && !stopping(d))
				pr = print_one(d, s);
			if (pr < 0)
				return;
		}
	}
}

static void *device_thread(void *arg)
{
	struct device *d = arg;
	char err[TRANSPORT_ERR_MAX];
	bool was_up = false;
	while (!stopping(d)) {
		struct session s = {0};
		int rc = transport_open(d->cfg.transport, &d->cfg.line, OPEN_TIMEOUT_MS, &s.t, err,
		                        sizeof(err));
		if (rc) {
			pthread_mutex_lock(&d->mu);
			bool first = d->health.state != DEVICE_STATE_DOWN;
			if (first)
				d->health.errors++;
			pthread_mutex_unlock(&d->mu);
			if (first)
				set_state(d, DEVICE_STATE_DOWN, err);
			fail_jobs(d, "printer not connected");
			/* There but unusable (permissions, not a serial port, refused
			 * connection): back off. Not there: sleep until it appears. */
			int r = transport_present(d->cfg.transport)
			            ? wait_wake(d, OPEN_BACKOFF_MS)
			            : transport_wait_present(d->cfg.transport, d->wake_fd,
			                                     OPEN_BACKOFF_MS);
			if (r == TRANSPORT_WOKEN)
				wake_drain(d);
			continue;
		}
		device_codec_reset(d->codec);
		pthread_mutex_lock(&d->mu);
		if (was_up)
			d->health.reconnects++;
		d->silent = false;
		pthread_mutex_unlock(&d->mu);
		was_up = true;
		set_state(d, DEVICE_STATE_UP, NULL);
		session_run(d, &s);
		transport_close(s.t);
		if (!stopping(d)) {
			count(d, &d->health.errors, 1);
			set_state(d, DEVICE_STATE_DOWN, s.reason[0] ? s.reason : "closed");
			fail_jobs(d, "printer went away");
		}
	}
	fail_jobs(d, "device stopped");
	set_state(d, DEVICE_STATE_STOPPED, NULL);
	return NULL;
}

/* ---- public ------------------------------------------------------------- */

int device_start(const struct device_config *cfg, struct device_queue *q, wf_log_fn log,
                 void *log_ctx, struct device **out)
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
	d->log = log;
	d->log_ctx = log_ctx;
	d->wake_fd = -1;
	if (cfg->role < DEVICE_ROLE_SCALE || cfg->role > DEVICE_ROLE_PRINTER ||
	    (strncmp(cfg->transport, "serial:", 7) && strncmp(cfg->transport, "tcp:", 4))) {
		dev_log(d, WF_LOG_ERROR, "bad role or transport '%.120s'", cfg->transport);
		rc = WF_EINVAL;
		goto fail;
	}
	rc = device_codec_create(&d->cfg, &d->codec, err, sizeof(err));
	if (rc) {
		dev_log(d, WF_LOG_ERROR, "%s", err);
		goto fail;
	}
	d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->wake_fd < 0) {
		rc = WF_EIO;
		goto fail;
	}
	pthread_mutex_init(&d->mu, NULL);
	d->health.state = DEVICE_STATE_STARTING;
	d->health.state_since_ms = mono_ms();
	d->next_job_id = 1;
	if (pthread_create(&d->thread, NULL, device_thread, d) != 0) {
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
	wake(d);
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
	} else if (d->njobs == JOBS_MAX) {
		rc = WF_EBUSY;
	} else {
		d->jobs[d->njobs++] = (struct job){.buf = copy, .len = len, .id = d->next_job_id};
		if (job_id)
			*job_id = d->next_job_id;
		d->next_job_id++;
		copy = NULL;
	}
	pthread_mutex_unlock(&d->mu);
	free(copy);
	if (rc == WF_OK)
		wake(d);
	return rc;
}

int device_scale_command(struct device *d, enum device_scale_cmd cmd)
{
	assert(d);
	uint8_t probe[16];
	if (d->cfg.role != DEVICE_ROLE_SCALE ||
	    device_codec_scale_cmd(d->codec, cmd, probe, sizeof(probe)) <= 0)
		return WF_EINVAL;
	int rc = WF_OK;
	pthread_mutex_lock(&d->mu);
	if (d->health.state != DEVICE_STATE_UP)
		rc = WF_ESTATE;
	else if (d->npending == sizeof(d->pending_cmd) / sizeof(d->pending_cmd[0]))
		rc = WF_EBUSY;
	else
		d->pending_cmd[d->npending++] = cmd;
	pthread_mutex_unlock(&d->mu);
	if (rc == WF_OK)
		wake(d);
	return rc;
}
