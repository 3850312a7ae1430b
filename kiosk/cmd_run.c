/*
 * cmd_run.c — `wufei-kiosk run`: the kiosk.
 *
 *   wufei-kiosk run [--config FILE] [--script FILE|-] [--no-devices]
 *                   [--virtual-clock] [--clock-start TIME] [--print-config]
 *
 * Without --script it runs live: device threads feed the session, and lines
 * of the command language (kiosk/script.h) on standard input act as taps
 * (the headless console until the touch screen UI lands). With --script it
 * carries out the file's lines in order and exits 0 when every "expect"
 * held, 1 when one did not. --virtual-clock (default with --script and
 * --no-devices) makes time pass only by "wait" lines, so a script is exact;
 * it starts at the real time, or at --clock-start TIME (UTC,
 * YYYY-MM-DDTHH:MM:SSZ; implies --virtual-clock), so that a test can put a
 * visit just before a local midnight.
 */
#include <errno.h>
#include <poll.h>
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

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
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

/* Live: device events, console lines on stdin, and a tick every 100 ms. */
static int run_live(struct runner *r)
{
	char buf[512];
	size_t have = 0;
	int lineno = 0;
	bool stdin_open = true, skipping = false;
	while (!g_stop) {
		struct pollfd p[2] = {{runner_device_fd(r), POLLIN, 0},
		                      {stdin_open ? 0 : -1, POLLIN, 0}};
		int n = poll(p, 2, 100);
		if (n < 0 && errno != EINTR)
			return 1;
		runner_poll_devices(r);
		if (n > 0 && (p[1].revents & (POLLIN | POLLHUP))) {
			ssize_t got = read(0, buf + have, sizeof buf - 1 - have);
			if (got <= 0) {
				stdin_open = false;
			} else {
				have += (size_t)got;
				buf[have] = '\0';
				char *nl;
				while ((nl = strchr(buf, '\n')) != NULL) {
					*nl = '\0';
					if (skipping) /* the end of an over-long line */
						skipping = false;
					else if (do_line(r, "stdin", ++lineno, buf) == 2)
						return 0;
					size_t rest = have - (size_t)(nl + 1 - buf);
					memmove(buf, nl + 1, rest + 1);
					have = rest;
				}
				if (have == sizeof buf - 1) {
					/* an over-long line is dropped to its end, and said so */
					if (!skipping)
						fprintf(stderr,
						        "stdin:%d: line longer than %zu bytes: "
						        "ignored\n",
						        ++lineno, sizeof buf - 2);
					skipping = true;
					have = 0;
				}
			}
		}
		runner_tick(r);
		if (runner_quit_requested(r))
			return 0;
	}
	return 0;
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
