/*
 * cmd_run.c — `wufei-kiosk run`: the kiosk.
 *
 *   wufei-kiosk run [--config FILE] [--script FILE|-] [--no-devices]
 *                   [--virtual-clock] [--clock-start TIME] [--print-config]
 *
 * Without --script it runs live: device threads feed the session, lines of
 * the command language (kiosk/script.h) on standard input act as taps (the
 * console), and with --window the window's taps and keys (a keyboard-wedge
 * card reader) do too; the loop then sleeps until an event or the next
 * deadline (docs/ARCHITECTURE.md, "The live loop"). With --script it
 * carries out the file's lines in order and exits 0 when every "expect"
 * held, 1 when one did not. --virtual-clock (default with --script and
 * --no-devices) makes time pass only by "wait" lines, so a script is exact;
 * it starts at the real time, or at --clock-start TIME (UTC,
 * YYYY-MM-DDTHH:MM:SSZ; implies --virtual-clock), so that a test can put a
 * visit just before a local midnight.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "runner.h"
#include "script.h"
#include "wf.h"

static volatile sig_atomic_t g_stop;
static int g_sigpipe[2] = {-1, -1}; /* a signal wakes the window's loop (run_window) */

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
	int saved = errno;
	if (g_sigpipe[1] >= 0 && write(g_sigpipe[1], "s", 1) < 0) {
		/* full: the loop is already being woken */
	}
	errno = saved;
}

struct run_args {
	const char *config;
	const char *script;
	bool no_devices;
	bool virtual_clock;
	int64_t clock_start_ms; /* 0: the real time */
	bool print_config;
	const char *screenshots;
	bool window;
};

static int usage(void)
{
	fputs("usage: wufei-kiosk run [--config FILE] [--script FILE|-] [--no-devices]\n"
	      "                       [--virtual-clock] [--clock-start YYYY-MM-DDTHH:MM:SSZ]\n"
	      "                       [--print-config] [--screenshots DIR] [--window]\n",
	      stderr);
	return 2;
}

/* A UTC time as YYYY-MM-DDTHH:MM:SSZ into ms since the epoch; false when
 * it is not one (or before 2000). */
static bool parse_utc(const char *text, int64_t *ms)
{
	struct tm tm = {0};
	char z = 0, extra = 0;
	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	           &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &extra) != 7 ||
	    z != 'Z' || strlen(text) != 20)
		return false;
	int year = tm.tm_year, mon = tm.tm_mon, mday = tm.tm_mday;
	if (year < 2000 || mon < 1 || mon > 12 || mday < 1 || mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	/* timegm normalises 31 February into March: such a date is no date */
	if (t == (time_t)-1 || tm.tm_mday != mday || tm.tm_mon != mon - 1)
		return false;
	*ms = (int64_t)t * 1000;
	return true;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			a->config = argv[++i];
		else if (!strcmp(argv[i], "--window"))
			a->window = true;
		else if (!strcmp(argv[i], "--screenshots") && i + 1 < argc)
			a->screenshots = argv[++i];
		else if (!strcmp(argv[i], "--script") && i + 1 < argc)
			a->script = argv[++i];
		else if (!strcmp(argv[i], "--no-devices"))
			a->no_devices = true;
		else if (!strcmp(argv[i], "--virtual-clock"))
			a->virtual_clock = true;
		else if (!strcmp(argv[i], "--clock-start") && i + 1 < argc) {
			if (!parse_utc(argv[++i], &a->clock_start_ms)) {
				fprintf(stderr,
				        "wufei-kiosk: --clock-start: not a UTC time "
				        "YYYY-MM-DDTHH:MM:SSZ: %s\n",
				        argv[i]);
				return -1;
			}
			a->virtual_clock = true;
		} else if (!strcmp(argv[i], "--print-config"))
			a->print_config = true;
		else
			return -1;
	}
	if (a->script && a->no_devices)
		a->virtual_clock = true;
	if (a->virtual_clock && !a->no_devices) {
		/* device threads wait in real time; their events could not be
		 * placed on a clock that moves only on "wait" */
		fputs("wufei-kiosk: --virtual-clock and --clock-start need --no-devices\n", stderr);
		return -1;
	}
	return 0;
}

/* One line of commands; returns 0 to go on, 1 on a failed expect, 2 to stop. */
static int do_line(struct runner *r, const char *src, int lineno, const char *line)
{
	struct script_cmd c;
	char why[200];
	if (script_parse_line(line, &c, why, sizeof why) != WF_OK) {
		fprintf(stderr, "%s:%d: %s\n", src, lineno, why);
		return 1;
	}
	int rc = runner_script(r, &c, why, sizeof why);
	if (rc == WF_ESTATE)
		return 2;
	if (rc != WF_OK) {
		fprintf(stderr, "%s:%d: %s\n", src, lineno, why);
		return 1;
	}
	return 0;
}

static int run_script(struct runner *r, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		fprintf(stderr, "wufei-kiosk: %s: %s\n", path, strerror(errno));
		return 1;
	}
	char line[256];
	int lineno = 0, status = 0;
	while (!g_stop && fgets(line, sizeof line, f)) {
		size_t len = strlen(line);
		if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(f)) {
			fprintf(stderr, "%s:%d: line longer than %zu bytes\n", path, ++lineno,
			        sizeof line - 2);
			status = 1;
			break;
		}
		int rc = do_line(r, path, ++lineno, line);
		if (rc == 1)
			status = 1;
		if (rc)
			break;
	}
	if (f != stdin)
		fclose(f);
	return status;
}

/* The console: lines of the command language on standard input. */
struct console {
	char buf[512];
	size_t have;
	int lineno;
	bool open, skipping;
};

/* Reads what standard input has (it is readable); 2 after "quit", else 0. */
static int console_read(struct runner *r, struct console *c)
{
	ssize_t got = read(0, c->buf + c->have, sizeof c->buf - 1 - c->have);
	if (got <= 0) {
		c->open = false;
		return 0;
	}
	c->have += (size_t)got;
	c->buf[c->have] = '\0';
	char *nl;
	while ((nl = strchr(c->buf, '\n')) != NULL) {
		*nl = '\0';
		if (c->skipping) /* the end of an over-long line */
			c->skipping = false;
		else if (do_line(r, "stdin", ++c->lineno, c->buf) == 2)
			return 2;
		size_t rest = c->have - (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, rest + 1);
		c->have = rest;
	}
	if (c->have == sizeof c->buf - 1) {
		/* an over-long line is dropped to its end, and said so */
		if (!c->skipping)
			fprintf(stderr, "stdin:%d: line longer than %zu bytes: ignored\n",
			        ++c->lineno, sizeof c->buf - 2);
		c->skipping = true;
		c->have = 0;
	}
	return 0;
}

/* Without a window (headless, --screenshots): device events, console
 * lines, and a tick every 100 ms, in poll(). */
static int run_poll(struct runner *r, struct console *c)
{
	while (!g_stop) {
		struct pollfd p[2] = {{runner_device_fd(r), POLLIN, 0},
		                      {c->open ? 0 : -1, POLLIN, 0}};
		int n = poll(p, 2, 100);
		if (n < 0 && errno != EINTR)
			return 1;
		runner_poll_devices(r);
		if (n > 0 && (p[1].revents & (POLLIN | POLLHUP)) && console_read(r, c) == 2)
			return 0;
		runner_tick(r);
		if (runner_quit_requested(r))
			return 0;
	}
	return 0;
}

/*
 * With a window the loop sleeps in SDL (runner_wait) until the window has
 * an input or the next deadline (runner_next_deadline_ms). Device events
 * and console lines do not reach SDL by themselves: a watcher thread polls
 * their fds (and the signal pipe) and wakes the loop (runner_wake), then
 * waits until the loop has drained them before it polls again (the fds
 * stay readable until drained: no busy loop).
 */
struct watcher {
	struct runner *r;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	uint64_t drained; /* the loop's drains so far (mu) */
	bool stdin_open;  /* (mu) */
	bool stop;        /* (mu) */
};

static void *watch(void *arg)
{
	struct watcher *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		bool in = w->stdin_open, stop = w->stop;
		uint64_t seen = w->drained;
		pthread_mutex_unlock(&w->mu);
		if (stop)
			break;
		struct pollfd p[3] = {{runner_device_fd(w->r), POLLIN, 0},
		                      {in ? 0 : -1, POLLIN, 0},
		                      {g_sigpipe[0], POLLIN, 0}};
		int n = poll(p, 3, -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		runner_wake(w->r);
		if (p[2].revents)
			break; /* a signal, or the loop's end */
		pthread_mutex_lock(&w->mu);
		while (w->drained == seen && !w->stop)
			pthread_cond_wait(&w->cond, &w->mu);
		pthread_mutex_unlock(&w->mu);
	}
	return NULL;
}

/* The loop drained the devices and the console: the watcher polls again. */
static void watcher_drained(struct watcher *w, bool stdin_open)
{
	pthread_mutex_lock(&w->mu);
	w->drained++;
	w->stdin_open = stdin_open;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
}

static bool stdin_readable(void)
{
	struct pollfd p = {0, POLLIN, 0};
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

static int run_window(struct runner *r, struct console *c)
{
	struct watcher w = {.r = r, .stdin_open = c->open};
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cond, NULL);
	if (pthread_create(&w.thread, NULL, watch, &w) != 0) {
		fputs("wufei-kiosk: cannot start the watcher thread\n", stderr);
		return 1;
	}
	int status = 0;
	while (!g_stop) {
		runner_tick(r); /* draws what changed, takes the window's input */
		if (runner_quit_requested(r))
			break;
		runner_wait(r, runner_next_deadline_ms(r));
		runner_poll_devices(r);
		if (c->open && stdin_readable() && console_read(r, c) == 2)
			break;
		watcher_drained(&w, c->open);
	}
	pthread_mutex_lock(&w.mu);
	w.stop = true;
	pthread_cond_signal(&w.cond);
	pthread_mutex_unlock(&w.mu);
	if (write(g_sigpipe[1], "q", 1) < 0)
		status = 1;
	pthread_join(w.thread, NULL);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.mu);
	return status;
}

static int run_live(struct runner *r)
{
	struct console c = {.open = true};
	return runner_has_window(r) ? run_window(r, &c) : run_poll(r, &c);
}

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	if (parse_args(argc, argv, &a) != 0)
		return usage();
	struct kiosk_config cfg;
	struct config_errors errs;
	int rc = config_load(a.config, &cfg, &errs);
	for (unsigned i = 0; i < errs.n; i++)
		fprintf(stderr, "wufei-kiosk: %s\n", errs.msg[i]);
	if (errs.total > errs.n)
		fprintf(stderr, "wufei-kiosk: ... and %u more errors\n", errs.total - errs.n);
	if (rc != WF_OK) {
		fprintf(stderr, "wufei-kiosk: refusing to start: configuration has errors\n");
		return 1;
	}
	if (a.print_config) {
		config_print(&cfg, stdout);
		return 0;
	}
	if (pipe2(g_sigpipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		fprintf(stderr, "wufei-kiosk: pipe: %s\n", strerror(errno));
		return 1;
	}
	if (cfg.wedge.present && !a.window && !a.script)
		fprintf(stderr,
		        "wufei-kiosk: warning: [device.%s] protocol wedge reads the "
		        "window's keyboard: without --window no card can be read\n",
		        cfg.wedge.name);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	/* Days for the daily limit are local days in the kiosk's zone: the time
	 * zone is set here, once, before any thread starts. */
	char tz[80];
	snprintf(tz, sizeof tz, ":%s", cfg.timezone);
	setenv("TZ", tz, 1);
	tzset();

	/* One clock for the run: a scripted run's starts at the real time (or
	 * --clock-start) and then moves only when the script says so. */
	struct wf_clock_virtual script_clock;
	wf_clock_virtual_init(&script_clock, 0,
	                      a.clock_start_ms ? a.clock_start_ms
	                                       : wf_clock_utc_ms(wf_clock_system()));
	const struct wf_clock *clock = a.virtual_clock ? &script_clock.clock : wf_clock_system();
	struct wf_log *log = wf_log_create(stdout, NULL, clock);
	if (!log) {
		fputs("wufei-kiosk: out of memory\n", stderr);
		return 1;
	}
	wf_log_set_kiosk(log, cfg.number); /* WUFEI_KIOSK= of every line */
	struct runner_opts o = {.cfg = &cfg,
	                        .start_devices = !a.no_devices,
	                        .virtual_clock = a.virtual_clock ? &script_clock : NULL,
	                        .log = log,
	                        .screenshot_dir = a.screenshots,
	                        .window = a.window};
	struct runner *r = NULL;
	char err[300];
	rc = runner_open(&o, &r, err, sizeof err);
	if (rc != WF_OK) {
		fprintf(stderr, "wufei-kiosk: out of service: %s\n", err);
		wf_log_destroy(log);
		return 1;
	}
	int status = a.script ? run_script(r, a.script) : run_live(r);
	wf_log_printf(log, WF_LOG_INFO, "run ended: %llu drops recorded",
	              (unsigned long long)runner_drops(r));
	runner_close(r);
	wf_log_destroy(log);
	return status;
}
