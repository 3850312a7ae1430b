/*
 * runner_private.h — the runner's handle and what its files share. Not an
 * interface: only the files of kiosk/runner/ include it.
 *
 * The files: runner.c (open, close, the pump's step and the tick), effects.c
 * (carrying out the session's effects), printing.c (the receipt's layout
 * and the printer's jobs), events.c (cards and device events into session
 * events), script_run.c (the command language), health.c (the kiosk's
 * health for staff), live.c (the live loop's next deadline and its wait),
 * screen.c and screen_input.c, or screen_none.c (the screen and the
 * window's input, chosen by CMake), beep.c or beep_none.c (the feedback
 * tones, likewise), metrics_run.c (the Prometheus text file), watch.c
 * (systemd's watchdog).
 */
#ifndef WUFEI_RUNNER_PRIVATE_H
#define WUFEI_RUNNER_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cardid_hash.h"
#include "kmetrics.h"
#include "clock.h"
#include "ledger.h"
#include "log.h"
#include "pump.h"
#include "runner.h"
#include "signing.h"
#include "ui_text.h"
#include "sync.h"
#include "watchdog.h"
#include "wedge.h"

#define PRINT_JOB_MAX      (96 * 1024)
#define PRINT_WAIT_MS      8000 /* a job not answered by then has failed */
#define PRINT_JOBS_MAX     4    /* jobs waiting for the printer's answer */
#define READING_STEP_MS    100  /* scripted readings and waits, one per step */
#define HEALTH_EVERY_MS    1000 /* the staff menu's health is redrawn this often */
/* SQLite's heap in the kiosk (ledger_limit_memory): its statements and a
 * few pages; the journal's pages come from the OS page cache. */
#define RUNNER_SQLITE_HEAP (256 * 1024)

struct ui;
struct sound;

struct print_wait {
	uint32_t job_id;
	int64_t deadline_ms; /* session ms */
};

struct runner {
	struct kiosk_config cfg;
	struct session_config scfg;
	struct wf_log *log;
	struct ledger *ledger;
	struct session *session;
	struct pump pump;
	uint8_t card_key[CARDID_KEY_BYTES];
	bool has_card_key;
	uint8_t sign_key[SIGNING_SECRET_BYTES];
	bool has_sign_key;

	/* time: session ms are the clock's monotonic ms; records carry UTC
	 * corrected by central's offset */
	const struct wf_clock *clock;    /* the system clock, or &vclock->clock */
	struct wf_clock_virtual *vclock; /* scripted runs: moves only when told; else NULL */
	bool virtual_clock;
	int64_t utc_offset_ms; /* central's time minus ours (from sync; 0 until then) */

	struct device_queue *queue;
	struct device *scale, *card, *printer;
	enum session_screen last_screen;
	enum session_message last_message;
	enum session_scale last_live; /* logged on the weighing screens */
	uint64_t drops;
	bool quit;
	struct sync *sync;                       /* NULL without [central] url */
	uint64_t catalog_version;                /* sync's down-sync count already loaded */
	bool awaiting_epoch;                     /* new journal: nothing before central answers */
	bool journal_new;                        /* the journal held no record at start */
	uint64_t staff_id;                       /* the staff card seen last */
	char staff_pin_hash[LEDGER_PINHASH_MAX]; /* its Argon2id PIN hash */
	uint8_t job[PRINT_JOB_MAX];
	struct print_wait waits[PRINT_JOBS_MAX]; /* jobs the printer has not answered */
	unsigned nwaits;

	struct ui *ui;      /* NULL without --screenshots or --window */
	char shot_dir[512]; /* "" without --screenshots */
	unsigned shots;
	bool window;
	struct session_view drawn;     /* what the window shows */
	int64_t health_ms;             /* when the staff menu's health was looked at last */
	struct ui_health health_drawn; /* what the screen shows of it (zeroed: none) */
	struct sound *sound;           /* feedback tones; NULL: silent (beep.c) */
	int64_t facts_minute;          /* screen.c: the clock's minute the facts are of */
	enum session_screen facts_screen;
	uint64_t facts_drops;

	/* the window's input (screen_input.c) */
	struct wedge wedge;   /* [device.*] protocol = wedge: a reader on the keyboard */
	int wedge_state;      /* 0 not set up yet, 1 reading, -1 none */
	FILE *frame_log;      /* WUFEI_FRAME_LOG: presented frames (bench), or NULL */
	bool frame_log_tried; /* the variable was looked at */
	bool beep_tried;      /* beep_open ran (after the window's first frame) */
	bool input_posted;    /* a tap or card posted after the last draw */

	/* metrics_run.c; the devices' log lines carry WUFEI_DEVICE= (runner.c) */
	struct kmetrics_counts counts;   /* drops since start, per category */
	struct kmetrics_writer *metrics; /* NULL without [metrics] textfile */
	int64_t metrics_ms;              /* session ms of the last file posted */
	struct runner_devlog {
		struct wf_log *log;
		const char *device; /* "scale", "card", "printer" */
	} devlog[CONFIG_DEVICES_MAX];

	/* systemd's watchdog (watch.c) */
	struct watchdog wd;
	bool journal_write_failed; /* the last journal write failed (effects.c) */
	bool journal_known;        /* journal_dev/ino: the file opened */
	dev_t journal_dev;
	ino_t journal_ino;
};

/* runner.c */
void runner_logf(struct runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t runner_now(const struct runner *r);                   /* session ms */
int64_t runner_utc_at(const struct runner *r, int64_t at_ms); /* corrected UTC ms */
/* The clock for waits on another thread or process (journal busy retries,
 * the sync thread's schedule): r->clock, except that a script's virtual
 * clock, which moves only on "wait", would never end them: the system's. */
const struct wf_clock *runner_wait_clock(const struct runner *r);
void runner_post(struct runner *r, const struct session_event *ev);
void runner_post_simple(struct runner *r, enum session_event_kind kind);
void runner_post_device(struct runner *r, enum session_device dev, bool up);
int runner_load_catalog(struct runner *r, char *err, size_t err_len);

/* effects.c: one effect of the session, carried out (its answer posted) */
void effect_apply(struct runner *r, const struct session_effect *fx);

/* printing.c */
void print_receipt(struct runner *r, const struct session_receipt *rc);
void print_answer(struct runner *r, const struct device_event *de); /* PRINT_DONE/FAILED */
void print_deadlines(struct runner *r); /* jobs not answered in time have failed */

/* events.c */
void event_card(struct runner *r, const char *card_id);
/* A tap that starts an anonymous visit gets what this kiosk's anonymous
 * drops earned today (the anonymous daily cap), read when it is stepped. */
void event_anon_today(struct runner *r, struct session_event *ev);
void event_device(struct runner *r, const struct device_event *de);

/* health.c: what staff are shown of the kiosk's health */
struct health {
	bool sync;          /* a central is configured */
	int64_t since_ok_s; /* since the last successful sync round; -1 never */
	int64_t queue, conflicts;
	char sync_error[SYNC_ERROR_MAX]; /* "" when the last round succeeded */
	bool sync_refused;               /* central refused for good (sync.h `refused`) */
	const struct device *dev[3];     /* scale, card reader, printer; NULL if none */
	struct device_health dh[3];
};
void health_gather(struct runner *r, struct health *h);
void health_log(struct runner *r);

/* metrics_run.c */
void metrics_run_start(struct runner *r);           /* after the devices started */
void metrics_run_tick(struct runner *r);            /* from runner_tick: a file when due */
int64_t metrics_run_due_ms(const struct runner *r); /* ms until due (INT64_MAX: off) */
void metrics_run_stop(struct runner *r);            /* one last file, before anything closes */

/* watch.c: READY, WATCHDOG and STATUS to systemd (sd_notify), while healthy */
void watch_open(struct runner *r); /* after the journal is open */
void watch_tick(struct runner *r); /* from runner_tick: looks when due */
int64_t watch_due_ms(const struct runner *r);
void watch_close(struct runner *r); /* STOPPING=1 */

/* screen.c (SDL2) or screen_none.c (built without it) */
int screen_open(struct runner *r, const char *dir, bool window, char *err, size_t err_len);
void screen_shot(struct runner *r, const struct session_view *v); /* --screenshots */
void screen_tick(struct runner *r); /* the window follows the session; taps come back */
void screen_close(struct runner *r);
/* screen_input.c (SDL2; stubs in screen_none.c): the window's input */
void screen_input(struct runner *r);                /* taps, pressed look, wedge keys */
bool screen_wait(struct runner *r, int timeout_ms); /* ui_wait; false without a window */
void screen_wake(struct runner *r);                 /* ui_wake: any thread */
void screen_log_frame(struct runner *r, const struct session_view *v); /* after a present */
void screen_input_close(struct runner *r);

/* beep.c (SDL2 audio) or beep_none.c: the feedback tones. beep_open opens
 * the audio device (with the window only: screen.c, once the first frame
 * is shown) or logs once why the kiosk stays silent; beep_play never blocks
 * and is silent without a device. */
enum beep_tone { BEEP_CARD_READ, BEEP_RECORDED, BEEP_REFUSED };
void beep_open(struct runner *r);
void beep_play(struct runner *r, enum beep_tone tone);
void beep_close(struct runner *r);

#endif
