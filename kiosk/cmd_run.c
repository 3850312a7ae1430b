/*
 * cmd_run.c — `wufei-kiosk run`: the kiosk.
 *
 *   wufei-kiosk run [--config FILE] [--script FILE|-] [--no-devices]
 *                   [--virtual-clock] [--print-config]
 *
 * Without --script it runs live: device threads feed the session, and lines
 * of the command language (kiosk/script.h) on standard input act as taps
 * (the headless console until the touch screen UI lands). With --script it
 * carries out the file's lines in order and exits 0 when every "expect"
 * held, 1 when one did not. --virtual-clock (default with --script and
 * --no-devices) makes time pass only by "wait" lines, so a script is exact.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
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
	bool print_config;
	const char *screenshots;
	bool window;
};

static int usage(void)
{
	fputs("usage: wufei-kiosk run [--config FILE] [--script FILE|-] [--no-devices]\n"
	      "                       [--virtual-clock] [--print-config] [--screenshots DIR]\n"
	      "                       [--window]\n",
	      stderr);
	return 2;
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
		else if (!strcmp(argv[i], "--print-config"))
			a->print_config = true;
		else
			return -1;
	}
	if (a->script && a->no_devices)
		a->virtual_clock = true;
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

	struct runner_opts o = {.cfg = &cfg,
	                        .start_devices = !a.no_devices,
	                        .virtual_clock = a.virtual_clock,
	                        .log = stdout,
	                        .screenshot_dir = a.screenshots,
	                        .window = a.window};
	struct runner *r = NULL;
	char err[300];
	rc = runner_open(&o, &r, err, sizeof err);
	if (rc != WF_OK) {
		fprintf(stderr, "wufei-kiosk: out of service: %s\n", err);
		return 1;
	}
	int status = a.script ? run_script(r, a.script) : run_live(r);
	printf("run ended: %llu drops recorded\n", (unsigned long long)runner_drops(r));
	runner_close(r);
	return status;
}
