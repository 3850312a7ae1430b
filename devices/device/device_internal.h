/*
 * device_internal.h — what the files of the device library share; not an
 * interface (only devices/device/ includes it, and the build gives nobody
 * else this folder).
 *
 * One struct device per device: its config, its thread, its codec, the
 * print jobs and scale commands waiting for the thread, and its health.
 * One struct device_link per open port: the transport and the timers of
 * that session (polls, status requests, silence). The thread's loop
 * (device_link.c) opens the port, runs the link until it hangs up, reports
 * down, waits for the device and opens it again.
 */
#ifndef WUFEI_DEVICE_INTERNAL_H
#define WUFEI_DEVICE_INTERNAL_H

#include "device.h"
#include "device_codec.h"

#include <pthread.h>

#define DEVICE_JOBS_MAX  4 /* print jobs waiting for the printer */
#define DEVICE_CMDS_MAX  4 /* scale commands waiting to be sent */
#define DEVICE_CMD_BYTES 16

struct device_job {
	uint8_t *buf;
	size_t len;
	uint32_t id;
};

struct device {
	struct device_config cfg;
	struct device_queue *q;
	const struct wf_clock *clock; /* never NULL */
	wf_log_fn log;
	void *log_ctx;
	struct device_codec *codec; /* the thread's alone */
	pthread_t thread;
	int wake_fd;

	pthread_mutex_t mu; /* guards everything below */
	bool stop;
	struct device_health health;
	struct device_job jobs[DEVICE_JOBS_MAX];
	size_t njobs;
	uint32_t next_job_id;
	enum device_scale_cmd pending_cmd[DEVICE_CMDS_MAX];
	size_t npending;
	bool silent; /* reported down for silence while the line is open */
};

/* One open session of the port; the device thread's alone. */
struct device_link {
	struct transport *t;
	int64_t next_poll_ms;
	int64_t next_status_ms;
	int64_t last_data_ms;
	int64_t next_open_cmd_ms;       /* streaming scale silent: when to ask again */
	char reason[DEVICE_REASON_MAX]; /* why the link ended */
};

/* ---- device_queue.c ---- */

/* Push e (a full queue drops a reading or counts e as dropped). */
void device_queue_push(struct device_queue *q, const struct device_event *e);

/* ---- device_thread.c: what every part of a device uses ---- */

int64_t device_now_ms(const struct device *d); /* the device clock's mono_ms */
/* "device NAME: " and fmt with one %s argument a, to the log hook (if any). */
void device_log(struct device *d, enum wf_log_level lvl, const char *fmt, const char *a);
void device_wake(struct device *d);             /* wake the thread (wake_fd) */
void device_wake_drain(struct device *d);       /* the thread: reset wake_fd */
int device_wait_wake(struct device *d, int ms); /* TRANSPORT_WOKEN or 0 after ms */
bool device_stopping(struct device *d);
/* Fill e's role, device and (if 0) at_ms, and queue it. */
void device_emit(struct device *d, struct device_event *e);
/* New state: health, DEVICE_EVENT_UP/DOWN (reason for down) and a log line,
 * only when it changes. */
void device_set_state(struct device *d, enum device_state s, const char *reason);
void device_count(struct device *d, uint64_t *field, uint64_t n); /* under the lock */

/* ---- device_link.c ---- */

void *device_thread_main(void *arg); /* arg: struct device * */
/* Write to the link, counting bytes out; as transport_write. */
int device_link_send(struct device *d, struct device_link *l, const uint8_t *buf, size_t len,
                     int timeout_ms);
/* Read what is waiting and hand it to the codec; false on a hang-up. */
bool device_link_read(struct device *d, struct device_link *l);
/* The link failed: keep the transport's reason for the DOWN event. */
void device_link_failed(struct device_link *l);

/* ---- device_print.c ---- */

/* Ask the printer's status and read the answer (up to 500 ms); false on a
 * hang-up. */
bool device_printer_status(struct device *d, struct device_link *l);
/* Print the oldest job: 1 printed (or failed cleanly), 0 none, -1 hang-up. */
int device_print_one(struct device *d, struct device_link *l);
/* Fail every waiting job with why (PRINT_FAILED events). */
void device_fail_jobs(struct device *d, const char *why);

#endif
