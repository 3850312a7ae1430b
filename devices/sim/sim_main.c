/*
 * sim_main.c — wufei-devsim: simulated scales, card readers and receipt
 * printers on pseudo-terminals (and optionally TCP), for tests, benchmarks
 * and the demo on a laptop.
 *
 *   wufei-devsim [OPTIONS] | parse PROTOCOL ... | --help   (g_sim_usage, commands[])
 *
 * Each device gets a pty and a stable symlink DIR/NAME. "unplug NAME" removes
 * the link and closes the pty master, which hangs the line up for whoever has
 * it open (like pulling a USB adapter); "replug NAME" makes a new pty and
 * renames a new link over DIR/NAME in one step. The devices are printed as
 * one JSON object on stdout; then commands are read one per line from stdin
 * and from the control socket, each answered with one line: "ok ..." or
 * "error: ...". `help` lists them.
 *
 * One thread, one poll() loop: a device never blocks another. This file is
 * the program: its arguments, the loop and its timers; the plumbing of a
 * device is sim_port.c's, the commands sim_command.c's.
 */
#include "clock.h"
#include "sim.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_CLIENTS 8
#define LINE_MAX_B  1024
#define ANSWER_MAX  4096

struct ctl_client {
	int fd;
	char buf[LINE_MAX_B];
	size_t len;
};

struct loop {
	struct sim sim;
	int ctl_listen;
	struct ctl_client ctl[CTL_CLIENTS];
	bool use_stdin;
	char in_buf[LINE_MAX_B];
	size_t in_len;
	FILE *frame_log; /* --frame-log: one line per scale frame sent (bench) */
};

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

int64_t sim_now_ms(void)
{
	return wf_clock_mono_ms(wf_clock_system());
}

uint32_t sim_rand(struct sim *s)
{
	/* xorshift64*: reproducible from --seed */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (uint32_t)((s->rng * 2685821657736338717ull) >> 32);
}

/* ---- devices from the command line -------------------------------------- */

/* One ",key=value" option of a scale; false if it is not one. */
static bool scale_option(const char *w, enum scale_unit *unit, bool *normal,
                         enum sim_cas_format *fmt)
{
	static const struct {
		const char *opt;
		int unit, normal, fmt; /* -1: not this one */
	} opts[] = {
	    {"unit=kg", SCALE_UNIT_KG, -1, -1}, {"unit=g", SCALE_UNIT_G, -1, -1},
	    {"unit=lb", SCALE_UNIT_LB, -1, -1}, {"unit=t", SCALE_UNIT_T, -1, -1},
	    {"digit_order=normal", -1, 1, -1},  {"digit_order=reversed", -1, 0, -1},
	    {"format=22", -1, -1, SIM_CAS_22},  {"format=18", -1, -1, SIM_CAS_18},
	    {"format=10", -1, -1, SIM_CAS_10},
	};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		if (strcmp(w, opts[i].opt))
			continue;
		if (opts[i].unit >= 0)
			*unit = (enum scale_unit)opts[i].unit;
		if (opts[i].normal >= 0)
			*normal = opts[i].normal;
		if (opts[i].fmt >= 0)
			*fmt = (enum sim_cas_format)opts[i].fmt;
		return true;
	}
	return false;
}

/* "PROTO[,name=N][,unit=U][,digit_order=O][,format=F]" for a role */
static int dev_add(struct sim *s, enum device_role role, const char *spec, bool tcp)
{
	char buf[128], name[SIM_NAME_MAX] = "";
	enum scale_unit unit = SCALE_UNIT_KG;
	bool normal = false;
	enum sim_cas_format fmt = SIM_CAS_22;
	if (strlen(spec) >= sizeof(buf) || s->ndevs >= sizeof(s->devs) / sizeof(s->devs[0]))
		return -1;
	memcpy(buf, spec, strlen(spec) + 1);
	char *save = NULL;
	char *w = strtok_r(buf, ",", &save);
	const struct protocol *proto = protocol_find(w);
	if (!proto || proto->role != role || !proto->line) {
		fprintf(stderr, "wufei-devsim: unknown %s protocol '%s'\n",
		        protocol_role_name(role), w ? w : "");
		return -1;
	}
	while ((w = strtok_r(NULL, ",", &save))) {
		if (!strncmp(w, "name=", 5) && strlen(w + 5) > 0 && strlen(w + 5) < sizeof(name) &&
		    !strchr(w + 5, '/')) {
			snprintf(name, sizeof(name), "%s", w + 5);
		} else if (role == DEVICE_ROLE_SCALE && scale_option(w, &unit, &normal, &fmt)) {
			continue;
		} else {
			fprintf(stderr, "wufei-devsim: bad device option '%s'\n", w);
			return -1;
		}
	}
	if (!name[0]) {
		int k = 0;
		for (size_t i = 0; i < s->ndevs; i++)
			k += s->devs[i]->role == role;
		if (k)
			snprintf(name, sizeof(name), "%s%d", protocol_role_name(role), k + 1);
		else
			snprintf(name, sizeof(name), "%s", protocol_role_name(role));
	}
	if (sim_dev_find(s, name)) {
		fprintf(stderr, "wufei-devsim: two devices named '%s'\n", name);
		return -1;
	}
	struct sim_dev *d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->role = role;
	d->proto = proto;
	d->unit = unit;
	d->digits_normal = normal;
	d->cas_format = fmt;
	d->master = d->slave_keep = d->tcp_listen = d->tcp_client = -1;
	d->want_tcp = tcp;
	d->jitter = (uint32_t)s->ndevs * 7919u + 1;
	s->devs[s->ndevs++] = d;
	return 0;
}

/* ---- the loop ----------------------------------------------------------- */

/* Feed complete lines of buf to sim_command_run; answers go to out_fd. */
static void lines_feed(struct loop *l, char *buf, size_t *len, int out_fd)
{
	char ans[ANSWER_MAX];
	for (;;) {
		char *nl = memchr(buf, '\n', *len);
		if (!nl) {
			if (*len >= LINE_MAX_B - 1) {
				*len = 0; /* over-long line: drop it and say so */
				const char e[] = "error: line too long\n";
				if (write(out_fd, e, sizeof(e) - 1) < 0)
					return;
			}
			return;
		}
		*nl = '\0';
		sim_command_run(&l->sim, buf, ans, sizeof(ans) - 1);
		size_t al = strlen(ans);
		ans[al++] = '\n';
		if (write(out_fd, ans, al) < 0)
			return;
		size_t used = (size_t)(nl - buf) + 1;
		memmove(buf, nl + 1, *len - used);
		*len -= used;
	}
}

static void on_host_bytes(struct loop *l, struct sim_dev *d, const uint8_t *b, size_t n)
{
	int64_t now = sim_now_ms();
	if (d->powered_off)
		return;
	if (d->role == DEVICE_ROLE_SCALE)
		sim_scale_input(d, b, n, now);
	else if (d->role == DEVICE_ROLE_PRINTER && d->slow)
		sim_pace_input(d, b, n, now);
	else if (d->role == DEVICE_ROLE_PRINTER)
		sim_printer_input(d, b, n, &l->sim);
	/* a card reader only transmits */
}

static int64_t next_timer(struct loop *l, int64_t now)
{
	int64_t t = INT64_MAX;
	for (size_t i = 0; i < l->sim.ndevs; i++) {
		struct sim_dev *d = l->sim.devs[i];
		if (!d->plugged)
			continue;
		int64_t a = d->role == DEVICE_ROLE_SCALE  ? sim_scale_next_ms(d)
		            : d->role == DEVICE_ROLE_CARD ? sim_card_next_ms(d)
		                                          : sim_pace_next_ms(d);
		if (a < t)
			t = a;
		if (d->out_len && d->next_out_ms < t)
			t = d->next_out_ms;
	}
	if (t == INT64_MAX)
		return -1;
	return t <= now ? 0 : t - now;
}

static void run_timers(struct loop *l, int64_t now)
{
	for (size_t i = 0; i < l->sim.ndevs; i++) {
		struct sim_dev *d = l->sim.devs[i];
		if (!d->plugged || d->powered_off)
			continue;
		if (d->role == DEVICE_ROLE_SCALE) {
			int64_t due = d->next_stream_ms;
			sim_scale_tick(d, now);
			if (l->frame_log && d->next_stream_ms != due)
				/* a frame went out: when (CLOCK_MONOTONIC ns) and what */
				fprintf(l->frame_log, "%lld %s %lld\n",
				        (long long)wf_clock_mono_ns(), d->name,
				        (long long)sim_scale_net_g(d));
		} else if (d->role == DEVICE_ROLE_CARD)
			sim_card_tick(d, now);
		else
			sim_pace_tick(&l->sim, d, now);
		sim_port_tick(&l->sim, d, now);
	}
}

enum pfd_kind { PK_STDIN, PK_CTL_LISTEN, PK_CTL, PK_MASTER, PK_TCP_LISTEN, PK_TCP };

struct pfd_tag {
	enum pfd_kind kind;
	int idx;
};

static void handle_ready(struct loop *l, struct pollfd *p, struct pfd_tag tag)
{
	uint8_t buf[4096];
	if (tag.kind == PK_STDIN) {
		ssize_t n = read(0, l->in_buf + l->in_len, sizeof(l->in_buf) - l->in_len - 1);
		if (n <= 0) {
			l->sim.quit = true; /* whoever started us is gone */
			return;
		}
		l->in_len += (size_t)n;
		lines_feed(l, l->in_buf, &l->in_len, 1);
	} else if (tag.kind == PK_CTL_LISTEN) {
		int fd = accept4(l->ctl_listen, NULL, NULL, SOCK_CLOEXEC);
		for (int i = 0; fd >= 0 && i < CTL_CLIENTS; i++) {
			if (l->ctl[i].fd < 0) {
				l->ctl[i].fd = fd;
				l->ctl[i].len = 0;
				return;
			}
		}
		if (fd >= 0)
			close(fd); /* too many clients */
	} else if (tag.kind == PK_CTL) {
		struct ctl_client *c = &l->ctl[tag.idx];
		ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len - 1);
		if (n <= 0) {
			close(c->fd);
			c->fd = -1;
			return;
		}
		c->len += (size_t)n;
		lines_feed(l, c->buf, &c->len, c->fd);
	} else {
		struct sim_dev *d = l->sim.devs[tag.idx];
		if (tag.kind == PK_TCP_LISTEN) {
			int fd = accept4(d->tcp_listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (fd >= 0) {
				if (d->tcp_client >= 0)
					close(d->tcp_client);
				d->tcp_client = fd;
			}
			return;
		}
		int fd = tag.kind == PK_MASTER ? d->master : d->tcp_client;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			on_host_bytes(l, d, buf, (size_t)n);
		} else if (tag.kind == PK_TCP && (n == 0 || errno != EAGAIN)) {
			close(d->tcp_client);
			d->tcp_client = -1;
		}
		(void)p;
	}
}

static int loop_run(struct loop *l)
{
	struct pollfd p[64];
	struct pfd_tag tags[64];
	while (!l->sim.quit && !g_stop) {
		int n = 0;
		if (l->use_stdin)
			p[n] = (struct pollfd){.fd = 0, .events = POLLIN},
			tags[n++] = (struct pfd_tag){PK_STDIN, 0};
		if (l->ctl_listen >= 0)
			p[n] = (struct pollfd){.fd = l->ctl_listen, .events = POLLIN},
			tags[n++] = (struct pfd_tag){PK_CTL_LISTEN, 0};
		for (int i = 0; i < CTL_CLIENTS; i++)
			if (l->ctl[i].fd >= 0)
				p[n] = (struct pollfd){.fd = l->ctl[i].fd, .events = POLLIN},
				tags[n++] = (struct pfd_tag){PK_CTL, i};
		for (size_t i = 0; i < l->sim.ndevs; i++) {
			struct sim_dev *d = l->sim.devs[i];
			if (d->master >= 0)
				p[n] = (struct pollfd){.fd = d->master, .events = POLLIN},
				tags[n++] = (struct pfd_tag){PK_MASTER, (int)i};
			if (d->tcp_listen >= 0)
				p[n] = (struct pollfd){.fd = d->tcp_listen, .events = POLLIN},
				tags[n++] = (struct pfd_tag){PK_TCP_LISTEN, (int)i};
			if (d->tcp_client >= 0)
				p[n] = (struct pollfd){.fd = d->tcp_client, .events = POLLIN},
				tags[n++] = (struct pfd_tag){PK_TCP, (int)i};
		}
		int64_t now = sim_now_ms();
		int64_t wait = next_timer(l, now);
		int r = poll(p, (nfds_t)n, wait > 60000 ? 60000 : (int)wait);
		if (r < 0 && errno != EINTR)
			return 1;
		for (int i = 0; r > 0 && i < n && !l->sim.quit; i++) {
			/* a master without a client reports nothing; only POLLIN matters */
			if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
				handle_ready(l, &p[i], tags[i]);
		}
		run_timers(l, sim_now_ms());
	}
	return 0;
}

static int ctl_open(struct loop *l)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(l->sim.control) >= sizeof(a.sun_path)) {
		fprintf(stderr, "wufei-devsim: control path too long\n");
		return -1;
	}
	memcpy(a.sun_path, l->sim.control, strlen(l->sim.control) + 1);
	unlink(l->sim.control);
	l->ctl_listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->ctl_listen < 0 || bind(l->ctl_listen, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(l->ctl_listen, 8) < 0) {
		fprintf(stderr, "wufei-devsim: cannot listen on %s: %s\n", l->sim.control,
		        strerror(errno));
		return -1;
	}
	return 0;
}

/* The simulator's usage: --help's (stdout), a bad option's (stderr). */
static const char g_sim_usage[] =
    "usage: wufei-devsim [--dir DIR] [--control PATH] [--tcp] [--seed N] [--no-stdin]\n"
    "                    [--frame-log FILE]\n"
    "                    [--scale "
    "mt8217|mt-sics|cas-ci200|xk3190-a9|xk3190-eq[,name=N][,unit=kg|g|lb|t]"
    "[,digit_order=normal|reversed][,format=22|18|10]]...\n"
    "                    [--card em4100[,name=N]]... [--printer escpos[,name=N]]...\n"
    "  a pty and a link DIR/NAME per device (none given: one of each); then commands\n"
    "  one a line on stdin and --control's socket (help lists them)\n";

static int usage(void)
{
	fputs(g_sim_usage, stderr);
	return 2;
}

/* One table: what dispatches and what --help lists. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command's name */
	const char *summary;               /* one line for --help */
	const char *usage;                 /* COMMAND --help */
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    {"parse", sim_parse_main, "decode bytes captured from a real device (stdin) into JSON lines",
     "usage: wufei-devsim parse PROTOCOL [--unit kg|g|lb|t] [--digit-order normal|reversed]"
     " < capture\n"
     "  PROTOCOL: mt8217 mt-sics cas-ci200 xk3190-a9 xk3190-eq em4100 escpos; one JSON\n"
     "  line per reading or card event, as the kiosk would see them\n"},
    {"help", cmd_help, "list the commands (also --help); COMMAND --help: its usage",
     "usage: wufei-devsim help | --help | COMMAND --help\n"},
};

static void list_commands(FILE *f)
{
	fputs("usage: wufei-devsim [OPTIONS]   (no command: run the simulated devices)\n"
	      "       wufei-devsim COMMAND [ARGS]\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-6s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "COMMAND --help: its usage; see also wufei-devsim(1)\n\n%s", g_sim_usage);
}

static int cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	list_commands(stdout);
	return 0;
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/* The command argv[1] names (its exit status in *rc), or false: run the simulator. */
static bool dispatch(int argc, char **argv, int *rc)
{
	if (argc < 2)
		return false;
	if (is_help(argv[1])) {
		*rc = cmd_help(argc - 1, argv + 1);
		return true;
	}
	if (argv[1][0] == '-')
		return false;
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		bool help = false; /* COMMAND ... --help */
		for (int a = 2; a < argc; a++)
			help = help || is_help(argv[a]);
		if (help)
			fputs(commands[i].usage, stdout);
		*rc = help ? 0 : commands[i].run(argc - 1, argv + 1);
		return true;
	}
	fprintf(stderr, "wufei-devsim: unknown command '%s'\n", argv[1]);
	list_commands(stderr);
	*rc = 2;
	return true;
}

static int parse_args(struct loop *l, int argc, char **argv)
{
	struct sim *s = &l->sim;
	bool tcp = false;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--tcp"))
			tcp = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int64_t seed;
		if (!strcmp(a, "--tcp")) {
			continue;
		} else if (!strcmp(a, "--no-stdin")) {
			l->use_stdin = false;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--dir")) {
			if (strlen(v) >= sizeof(s->dir)) {
				fprintf(stderr, "wufei-devsim: --dir path too long\n");
				return 2;
			}
			snprintf(s->dir, sizeof(s->dir), "%s", v);
		} else if (!strcmp(a, "--control")) {
			if (strlen(v) >= sizeof(l->sim.control)) {
				fprintf(stderr, "wufei-devsim: --control path too long\n");
				return 2;
			}
			snprintf(l->sim.control, sizeof(l->sim.control), "%s", v);
		} else if (!strcmp(a, "--frame-log") && !l->frame_log) {
			l->frame_log = fopen(v, "w");
			if (!l->frame_log) {
				fprintf(stderr, "wufei-devsim: --frame-log %s: %s\n", v,
				        strerror(errno));
				return 2;
			}
			setvbuf(l->frame_log, NULL, _IOLBF, 0);
		} else if (!strcmp(a, "--seed") && sim_parse_i64(v, 0, INT64_MAX, &seed)) {
			s->seed = seed;
			s->rng = (uint64_t)seed * 0x9e3779b97f4a7c15ull + 1;
		} else if (!strcmp(a, "--scale") || !strcmp(a, "--card") ||
		           !strcmp(a, "--printer")) {
			enum device_role r = a[2] == 's'   ? DEVICE_ROLE_SCALE
			                     : a[2] == 'c' ? DEVICE_ROLE_CARD
			                                   : DEVICE_ROLE_PRINTER;
			if (dev_add(s, r, v, tcp))
				return 2;
		} else {
			return usage();
		}
	}
	if (s->ndevs == 0 && (dev_add(s, DEVICE_ROLE_SCALE, "mt8217", tcp) ||
	                      dev_add(s, DEVICE_ROLE_CARD, "em4100", tcp) ||
	                      dev_add(s, DEVICE_ROLE_PRINTER, "escpos", tcp)))
		return 2;
	return 0;
}

static int sim_setup(struct loop *l)
{
	struct sim *s = &l->sim;
	char err[SIM_PATH_MAX + 128];
	if (!s->dir[0]) {
		snprintf(s->dir, sizeof(s->dir), "%s/wufei-devsim.XXXXXX",
		         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(s->dir)) {
			fprintf(stderr, "wufei-devsim: mkdtemp: %s\n", strerror(errno));
			return 1;
		}
	} else if (mkdir(s->dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "wufei-devsim: mkdir %s: %s\n", s->dir, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < s->ndevs; i++) {
		struct sim_dev *d = s->devs[i];
		snprintf(d->link, sizeof(d->link), "%s/%s", s->dir, d->name);
		if (d->role == DEVICE_ROLE_PRINTER &&
		    !(d->printer = sim_printer_create(s->dir, d->name))) {
			fprintf(stderr, "wufei-devsim: out of memory\n");
			return 1;
		}
		if (sim_port_plug(d, err, sizeof(err))) {
			fprintf(stderr, "wufei-devsim: %s: %s\n", d->name, err);
			return 1;
		}
	}
	if (l->sim.control[0] && ctl_open(l))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int cmd_rc;
	if (dispatch(argc, argv, &cmd_rc))
		return cmd_rc;
	static struct loop l;
	int rc = 1;
	l.ctl_listen = -1;
	l.use_stdin = true;
	l.sim.rng = 0x9e3779b97f4a7c15ull + 1;
	for (int i = 0; i < CTL_CLIENTS; i++)
		l.ctl[i].fd = -1;
	if (parse_args(&l, argc, argv))
		return 2;
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sim_setup(&l))
		goto out;
	char *txt = sim_devices_json(&l.sim);
	if (!txt)
		goto out;
	printf("%s\n", txt);
	fflush(stdout);
	free(txt);
	rc = loop_run(&l);
out:
	for (size_t i = 0; i < l.sim.ndevs; i++) {
		struct sim_dev *d = l.sim.devs[i];
		if (d->plugged)
			sim_port_unplug(d);
		sim_printer_destroy(d->printer);
		free(d);
	}
	if (l.ctl_listen >= 0) {
		close(l.ctl_listen);
		unlink(l.sim.control);
	}
	for (int i = 0; i < CTL_CLIENTS; i++)
		if (l.ctl[i].fd >= 0)
			close(l.ctl[i].fd);
	if (l.frame_log)
		fclose(l.frame_log);
	return rc;
}
