/*
 * device.h — device threads: one thread per scale, card reader or receipt
 * printer, owning its transport and its protocol codec (device_codec.h),
 * handing typed events to the main loop through a capped, thread-safe queue.
 *
 * For: wufei-kiosk's runner (start the devices from kiosk.ini, poll the
 * queue's fd, feed events to the session, send print jobs), the staff screen
 * and metrics (device_health), and tests.
 *
 * Not for: rules. A device reports what the hardware says (a reading, a card,
 * the printer's paper state, up/down); what a reading means for a drop is the
 * session's business. No SDL, no SQLite here.
 *
 * Unplug and replug: a hang-up is seen at once by poll() on the port
 * (transport.h), reported as DEVICE_EVENT_DOWN with the reason, and the thread
 * reopens the device by the same stable name as soon as it is back
 * (transport_wait_present: inotify plus a sleep capped at 250 ms, no busy
 * loop), reporting DEVICE_EVENT_UP. A scale that stays silent for
 * reply_timeout_ms while its line is open is also reported down ("no reply")
 * and up again at its next reading.
 *
 * Time: a device reads the clock it is started with (device_start_with_clock;
 * wf_clock_system() otherwise): event and health times are its mono_ms, and
 * polls, silences and status requests are timed by it.
 *
 * Threads: device_queue_* and device_* functions may be called from any
 * thread, except that one device must not be stopped twice or used after
 * device_stop.
 *
 * The files: device_queue.c (the queue), device_thread.c (start, stop,
 * health, state), device_link.c (the thread's loop: open, one open link,
 * reopen), device_print.c (print jobs and printer status), device_codec.c
 * (bytes <-> events, device_codec.h).
 */
#ifndef WUFEI_DEVICE_H
#define WUFEI_DEVICE_H

#include "clock.h"
#include "protocol.h"
#include "transport.h"
#include "wf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEVICE_NAME_MAX   32 /* bytes incl. NUL: the NAME of [device.NAME] */
#define DEVICE_PROTO_MAX  16 /* bytes incl. NUL */
#define DEVICE_CARD_MAX   24 /* bytes incl. NUL: card number as the reader sends it */
#define DEVICE_CARDID_MAX 48 /* bytes incl. NUL: canonical id "em4100:0014868981" */
#define DEVICE_REASON_MAX 128
#define DEVICE_JOB_MAX    (256 * 1024) /* bytes of one print job */

/* enum device_role (scale, card, printer) is protocol.h's, with the list of
 * protocols each role speaks. */

/* What kiosk.ini's [device.NAME] says; a plain struct the config code fills. */
struct device_config {
	char name[DEVICE_NAME_MAX];
	enum device_role role;
	char transport[TRANSPORT_SPEC_MAX]; /* "serial:/dev/serial/by-id/..." or "tcp:HOST:PORT" */
	char protocol[DEVICE_PROTO_MAX];    /* a name of protocol.h's list that fits role
	                                       (mt8217 ... em4100 escpos; not wedge) */
	char unit[4];                       /* scale unit when the frames do not say: kg g lb t;
	                                       "" = kg */
	bool digits_normal;                 /* xk3190-eq: digit_order = normal (else reversed) */
	struct transport_line line;         /* serial line settings; zeros = 9600 8N1 */
	int poll_interval_ms;               /* polled scales (mt8217 W, mt-sics SI); 0 = 200;
	                                       < 0 on mt-sics: ask it to stream (SIR) instead */
	int reply_timeout_ms;               /* scale silent this long = down; 0 = 3000 */
	int status_interval_ms; /* printer: ask paper/online state this often; 0 = 5000, < 0 never
	                         */
};

enum device_state {
	DEVICE_STATE_STARTING = 0, /* thread started, first open not finished */
	DEVICE_STATE_UP = 1,
	DEVICE_STATE_DOWN = 2,
	DEVICE_STATE_STOPPED = 3,
};

enum device_event_kind {
	DEVICE_EVENT_UP = 1,
	DEVICE_EVENT_DOWN,
	DEVICE_EVENT_READING,        /* u.reading */
	DEVICE_EVENT_CARD,           /* u.card: one per tap */
	DEVICE_EVENT_PRINTER_STATUS, /* u.printer: sent when it changes */
	DEVICE_EVENT_PRINT_DONE,     /* u.job_id: every byte was written */
	DEVICE_EVENT_PRINT_FAILED,   /* u.job_id, reason */
	DEVICE_EVENT_SCALE_ANSWER,   /* u.answer: the scale carried out or refused a command */
	DEVICE_EVENT_NOTICE,         /* reason: the device is set up in a way we cannot read
	                                (a scale's output format or unit); once per kind */
};

enum device_scale_cmd { DEVICE_SCALE_ZERO = 1, DEVICE_SCALE_TARE, DEVICE_SCALE_CLEAR_TARE };

struct device_scale_answer {
	enum device_scale_cmd cmd; /* the command sent last (device_scale_command) */
	bool accepted;             /* false: refused (not stable, out of zero range, ...) */
	char code[8];              /* the scale's own code, e.g. MT-SICS "ZI", "ES"; may be "" */
};

struct device_reading {
	int64_t grams;        /* displayed weight in grams (net if net), rounded as DESIGN says */
	bool stable;          /* a weight the scale reports as stable (false for a status) */
	bool motion;          /* the scale says the platform is in motion */
	bool net;             /* tare is active */
	bool overload;        /* over capacity: grams is meaningless */
	bool underload;       /* under zero */
	bool zero;            /* centre of zero */
	bool status_only;     /* a status without a weight (motion, overload, busy): grams is 0
	                         and means nothing */
	bool has_stable_flag; /* the protocol reports stable/motion itself; without it
	                         (xk3190-a9) stable is always true and the session must
	                         require repeated equal readings */
};

struct device_card {
	char number[DEVICE_CARD_MAX]; /* upper-case hex as the reader sends it: "0400E2E1F5" */
	char id[DEVICE_CARDID_MAX];   /* canonical id: "em4100:0014868981" (cardid.h) */
};

struct device_printer_status {
	bool known;     /* the printer answered a status request */
	bool online;    /* false: offline (cover open, paper out, error) */
	bool paper_out; /* printing is impossible */
	bool paper_low; /* near end: change the roll soon */
};

struct device_event {
	enum device_event_kind kind;
	enum device_role role;
	char device[DEVICE_NAME_MAX]; /* the NAME of the device */
	int64_t at_ms;                /* the device clock's mono_ms when the thread saw it */
	union {
		struct device_reading reading;
		struct device_card card;
		struct device_printer_status printer;
		struct device_scale_answer answer;
		uint32_t job_id;
	} u;
	char reason[DEVICE_REASON_MAX]; /* DOWN, PRINT_FAILED and NOTICE: why, for people */
};

struct device_health {
	enum device_state state;
	int64_t state_since_ms; /* the device clock's mono_ms of the last state change */
	int64_t last_data_ms;   /* last reading, card or status; 0 = never */
	char last_error[DEVICE_REASON_MAX];
	uint64_t bytes_in, bytes_out;
	uint64_t frames;     /* readings, cards, status replies parsed */
	uint64_t errors;     /* failed opens, write failures, silences */
	uint64_t reconnects; /* times it came back up after being up */
	struct device_printer_status printer;
};

/* ---- the queue ---------------------------------------------------------- */

struct device_queue;

/*
 * device_queue_create — a queue holding at most cap events (cap >= 4).
 * When it is full, the oldest scale reading is dropped to make room (a newer
 * reading supersedes it); if there is none, the new event is dropped and
 * counted. Returns NULL when out of memory or the eventfd cannot be made.
 */
struct device_queue *device_queue_create(size_t cap);

/* device_queue_destroy — after every device using it is stopped; NULL no-op. */
void device_queue_destroy(struct device_queue *q);

/*
 * device_queue_fd — an eventfd that is readable while events wait. Poll it
 * (or hand it to a thread that pushes an SDL user event); never read it
 * yourself: device_queue_pop keeps it in step.
 */
int device_queue_fd(const struct device_queue *q);

/* device_queue_pop — take the oldest event without blocking. Returns true and
 * fills *out, or false when the queue is empty. */
bool device_queue_pop(struct device_queue *q, struct device_event *out);

/* device_queue_dropped — events dropped because the queue was full. */
uint64_t device_queue_dropped(const struct device_queue *q);

/* ---- devices ------------------------------------------------------------ */

struct device;

/*
 * device_start — check cfg and start the device's thread; the first open
 * happens on that thread (events UP or DOWN follow on the queue).
 * In: cfg (copied), q (not NULL; must outlive the device), log/log_ctx (may be
 * NULL; called from the device thread). Out: *out, NULL on failure.
 * Returns WF_OK, WF_EINVAL (unknown role/protocol/unit or bad transport
 * string; a message goes to log), WF_ENOMEM or WF_EIO (thread creation).
 */
int device_start(const struct device_config *cfg, struct device_queue *q, wf_log_fn log,
                 void *log_ctx, struct device **out);

/*
 * device_start_with_clock — device_start with the clock the device reads
 * (clock.h; NULL = wf_clock_system(); must outlive the device): its event
 * and health times, poll and status intervals, silences and write deadlines.
 */
int device_start_with_clock(const struct device_config *cfg, struct device_queue *q,
                            const struct wf_clock *clock, wf_log_fn log, void *log_ctx,
                            struct device **out);

/* device_stop — stop the thread, close the port, free; blocks until the thread
 * has ended (at most about one write timeout). NULL is a no-op. */
void device_stop(struct device *d);

/* device_name — the NAME from the config; valid until device_stop. */
const char *device_name(const struct device *d);

/* device_health — a consistent snapshot of the device's state and counters. */
void device_health(const struct device *d, struct device_health *out);

/*
 * device_print — queue a print job (ESC/POS bytes, copied) for a printer.
 * Out: *job_id (may be NULL), echoed by DEVICE_EVENT_PRINT_DONE/FAILED.
 * Returns WF_OK; WF_ESTATE if the printer is not up (nothing is queued);
 * WF_EBUSY if 4 jobs wait already; WF_EINVAL if not a printer or len is 0 or
 * over DEVICE_JOB_MAX; WF_ENOMEM.
 */
int device_print(struct device *d, const uint8_t *job, size_t len, uint32_t *job_id);

/*
 * device_scale_command — ask the scale to zero, tare or clear the tare (sent by
 * the device thread before its next poll). Returns WF_OK; WF_EINVAL if not a
 * scale or the protocol has no such command (cas-ci200, xk3190-a9 streams);
 * WF_ESTATE if the scale is not up.
 */
int device_scale_command(struct device *d, enum device_scale_cmd cmd);

/* device_state_name — "starting", "up", "down", "stopped". */
const char *device_state_name(enum device_state s);

#endif
