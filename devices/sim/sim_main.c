/*
 * sim_main.c — wufei-devsim: simulated scales, card readers and receipt
 * printers on pseudo-terminals (and optionally TCP), for tests, benchmarks
 * and the demo on a laptop.
 *
 *   wufei-devsim [--dir DIR] [--control PATH] [--tcp] [--seed N] [--no-stdin]
 *                [--scale PROTO[,name=N][,unit=kg|g|lb|t][,digit_order=normal|reversed]
 *                 [,format=22|18|10]]... [--card em4100[,name=N]]...
 *                [--printer escpos[,name=N]]...
 *   wufei-devsim parse PROTOCOL [--unit kg|g|lb|t] [--digit-order normal|reversed]
 *
 * Each device gets a pty and a stable symlink DIR/NAME. "unplug NAME" removes
 * the link and closes the pty master, which hangs the line up for whoever has
 * it open (like pulling a USB adapter); "replug NAME" makes a new pty and
 * renames a new link over DIR/NAME in one step. The devices are printed as
 * one JSON object on stdout; then commands are read one per line from stdin
 * and from the control socket, each answered with one line: "ok ..." or
 * "error: ...". `help` lists them.
 *
 * One thread, one poll() loop: a device never blocks another.
 */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

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
	char control[108];
	int ctl_listen;
	struct ctl_client ctl[CTL_CLIENTS];
	bool use_stdin;
	char in_buf[LINE_MAX_B];
	size_t in_len;
	bool quit;
};

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

int64_t sim_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint32_t sim_rand(struct sim *s)
{
	/* xorshift64*: reproducible from --seed */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (uint32_t)((s->rng * 2685821657736338717ull) >> 32);
}

/* ---- output towards the host -------------------------------------------- */

static void dev_write_now(struct sim_dev *d, const uint8_t *buf, size_t len)
{
	if (d->master >= 0) {
		ssize_t n = write(d->master, buf, len);
		if (n < (ssize_t)len)
			d->dropped += len - (n > 0 ? (size_t)n : 0);
	}
	if (d->tcp_client >= 0) {
		ssize_t n = send(d->tcp_client, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < (ssize_t)len)
			d->dropped += len - (n > 0 ? (size_t)n : 0);
	}
}

void sim_dev_send(struct sim_dev *d, const void *buf, size_t len)
{
	if (!d->plugged || d->powered_off)
		return;
	if (!d->slow) {
		dev_write_now(d, buf, len);
		return;
	}
	if (d->out_len + len > sizeof(d->out)) {
		d->dropped += len;
		return;
	}
	memcpy(d->out + d->out_len, buf, len);
	d->out_len += len;
}

/* Slow mode: 1-3 bytes at a time, 2-7 ms apart: fragments a frame the way a
 * slow line or a device server's packetising does. */
static void dev_slow_tick(struct sim *s, struct sim_dev *d, int64_t now)
{
	if (!d->out_len || now < d->next_out_ms)
		return;
	size_t n = 1 + sim_rand(s) % 3;
	if (n > d->out_len)
		n = d->out_len;
	dev_write_now(d, d->out, n);
	memmove(d->out, d->out + n, d->out_len - n);
	d->out_len -= n;
	d->next_out_ms = now + 2 + sim_rand(s) % 6;
}

/* ---- plug / unplug ------------------------------------------------------ */

static int tcp_listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int dev_plug(struct sim_dev *d, char *err, size_t err_len)
{
	struct termios t;
	char tmp[SIM_PATH_MAX + 8];
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, d->pts, sizeof(d->pts))) {
		snprintf(err, err_len, "cannot create a pty: %s", strerror(errno));
		if (m >= 0)
			close(m);
		return -1;
	}
	int sl = open(d->pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sl < 0 || tcgetattr(sl, &t) < 0) {
		snprintf(err, err_len, "cannot open %s: %s", d->pts, strerror(errno));
		close(m);
		if (sl >= 0)
			close(sl);
		return -1;
	}
	/* Raw from the start: no echo of what the device sends back to it. */
	cfmakeraw(&t);
	tcsetattr(sl, TCSANOW, &t);
	snprintf(tmp, sizeof(tmp), "%s.new", d->link);
	unlink(tmp);
	if (symlink(d->pts, tmp) < 0 || rename(tmp, d->link) < 0) {
		snprintf(err, err_len, "cannot link %s: %s", d->link, strerror(errno));
		close(m);
		close(sl);
		return -1;
	}
	d->master = m;
	d->slave_keep = sl;
	if (d->want_tcp) {
		d->tcp_listen = tcp_listen_on(d->tcp_port);
		if (d->tcp_listen >= 0 && d->tcp_port == 0) {
			struct sockaddr_in a;
			socklen_t al = sizeof(a);
			getsockname(d->tcp_listen, (struct sockaddr *)&a, &al);
			d->tcp_port = ntohs(a.sin_port);
		}
	}
	d->plugged = true;
	d->in_len = 0;
	d->out_len = 0;
	d->sir = false;
	if (d->printer)
		sim_printer_reset(d->printer);
	return 0;
}

static void dev_unplug(struct sim_dev *d)
{
	/* The link goes first, as udev removes it: a client that reacts to the
	 * hang-up at once must not find the old name. */
	unlink(d->link);
	/* Likewise the listener closes before the connection: a client that
	 * reconnects at once must be refused, not accepted and then reset. */
	if (d->tcp_listen >= 0)
		close(d->tcp_listen);
	if (d->tcp_client >= 0)
		close(d->tcp_client);
	if (d->master >= 0)
		close(d->master);
	if (d->slave_keep >= 0)
		close(d->slave_keep);
	d->master = d->slave_keep = d->tcp_client = d->tcp_listen = -1;
	d->plugged = false;
	d->out_len = 0;
	d->card[0] = '\0';
}

/* ---- devices from the command line -------------------------------------- */

static const struct {
	const char *name;
	enum sim_proto proto;
	enum sim_role role;
	const char *line;
} g_protos[] = {
    {"mt8217", SIM_MT8217, SIM_SCALE, "9600 7E1"},
    {"mt-sics", SIM_MTSICS, SIM_SCALE, "9600 8N1"},
    {"cas-ci200", SIM_CAS, SIM_SCALE, "9600 8N1"},
    {"xk3190-a9", SIM_XK3190, SIM_SCALE, "9600 8N1"},
    {"xk3190-eq", SIM_XK3190_EQ, SIM_SCALE, "9600 8N1"},
    {"em4100", SIM_EM4100, SIM_CARD, "9600 8N1"},
    {"escpos", SIM_ESCPOS, SIM_PRINTER, "115200 8N1"},
};

static const char *role_name(enum sim_role r)
{
	return r == SIM_SCALE ? "scale" : r == SIM_CARD ? "card" : "printer";
}

static int proto_index(enum sim_proto p)
{
	for (size_t i = 0; i < sizeof(g_protos) / sizeof(g_protos[0]); i++)
		if (g_protos[i].proto == p)
			return (int)i;
	return 0;
}

static struct sim_dev *dev_find(struct sim *s, const char *name)
{
	for (size_t i = 0; i < s->ndevs; i++)
		if (!strcmp(s->devs[i]->name, name))
			return s->devs[i];
	return NULL;
}

/* One ",key=value" option of a scale; false if it is not one. */
static bool scale_option(const char *w, enum sim_unit *unit, bool *normal, enum sim_cas_format *fmt)
{
	static const struct {
		const char *opt;
		int unit, normal, fmt; /* -1: not this one */
	} opts[] = {
	    {"unit=kg", SIM_UNIT_KG, -1, -1},  {"unit=g", SIM_UNIT_G, -1, -1},
	    {"unit=lb", SIM_UNIT_LB, -1, -1},  {"unit=t", SIM_UNIT_T, -1, -1},
	    {"digit_order=normal", -1, 1, -1}, {"digit_order=reversed", -1, 0, -1},
	    {"format=22", -1, -1, SIM_CAS_22}, {"format=18", -1, -1, SIM_CAS_18},
	    {"format=10", -1, -1, SIM_CAS_10},
	};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		if (strcmp(w, opts[i].opt))
			continue;
		if (opts[i].unit >= 0)
			*unit = (enum sim_unit)opts[i].unit;
		if (opts[i].normal >= 0)
			*normal = opts[i].normal;
		if (opts[i].fmt >= 0)
			*fmt = (enum sim_cas_format)opts[i].fmt;
		return true;
	}
	return false;
}

/* "PROTO[,name=N][,unit=U][,digit_order=O][,format=F]" for a role */
static int dev_add(struct sim *s, enum sim_role role, const char *spec, bool tcp)
{
	char buf[128], name[SIM_NAME_MAX] = "";
	enum sim_unit unit = SIM_UNIT_KG;
	bool normal = false;
	enum sim_cas_format fmt = SIM_CAS_22;
	int pi = -1;
	if (strlen(spec) >= sizeof(buf) || s->ndevs >= sizeof(s->devs) / sizeof(s->devs[0]))
		return -1;
	memcpy(buf, spec, strlen(spec) + 1);
	char *save = NULL;
	char *w = strtok_r(buf, ",", &save);
	for (size_t i = 0; w && i < sizeof(g_protos) / sizeof(g_protos[0]); i++)
		if (!strcmp(w, g_protos[i].name) && g_protos[i].role == role)
			pi = (int)i;
	if (pi < 0) {
		fprintf(stderr, "wufei-devsim: unknown %s protocol '%s'\n", role_name(role),
		        w ? w : "");
		return -1;
	}
	while ((w = strtok_r(NULL, ",", &save))) {
		if (!strncmp(w, "name=", 5) && strlen(w + 5) > 0 && strlen(w + 5) < sizeof(name) &&
		    !strchr(w + 5, '/')) {
			snprintf(name, sizeof(name), "%s", w + 5);
		} else if (role == SIM_SCALE && scale_option(w, &unit, &normal, &fmt)) {
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
			snprintf(name, sizeof(name), "%s%d", role_name(role), k + 1);
		else
			snprintf(name, sizeof(name), "%s", role_name(role));
	}
	if (dev_find(s, name)) {
		fprintf(stderr, "wufei-devsim: two devices named '%s'\n", name);
		return -1;
	}
	struct sim_dev *d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->role = role;
	d->proto = g_protos[pi].proto;
	d->unit = unit;
	d->digits_normal = normal;
	d->cas_format = fmt;
	d->master = d->slave_keep = d->tcp_listen = d->tcp_client = -1;
	d->want_tcp = tcp;
	d->jitter = (uint32_t)s->ndevs * 7919u + 1;
	s->devs[s->ndevs++] = d;
	return 0;
}

static json_t *dev_json(const struct sim *s, const struct sim_dev *d)
{
	const char *unit = d->role == SIM_SCALE ? sim_unit_name(d->unit) : NULL;
	char transport[SIM_PATH_MAX + 8], tcp[64];
	snprintf(transport, sizeof(transport), "serial:%s", d->link);
	snprintf(tcp, sizeof(tcp), "tcp:127.0.0.1:%d", d->tcp_port);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "role", role_name(d->role),
	                      "protocol", g_protos[proto_index(d->proto)].name, "link", d->link,
	                      "transport", transport, "line", g_protos[proto_index(d->proto)].line,
	                      "pty", d->pts, "plugged", d->plugged);
	if (o && unit)
		json_object_set_new(o, "unit", json_string(unit));
	if (o && d->want_tcp)
		json_object_set_new(o, "tcp", json_string(tcp));
	(void)s;
	return o;
}

static char *devices_json(const struct loop *l)
{
	json_t *devs = json_object();
	for (size_t i = 0; i < l->sim.ndevs; i++)
		json_object_set_new(devs, l->sim.devs[i]->name, dev_json(&l->sim, l->sim.devs[i]));
	json_t *o = json_pack("{s:s, s:s?, s:I, s:o}", "dir", l->sim.dir, "control",
	                      l->control[0] ? l->control : NULL, "seed", (json_int_t)l->sim.seed,
	                      "devices", devs);
	char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return txt;
}

/* ---- commands ----------------------------------------------------------- */

static const char g_help[] =
    "ok commands: weight [DEV] GRAMS | motion [DEV] on|off | overload [DEV] [on|off] | "
    "zero [DEV] | tare [DEV] [clear] | refuse [DEV] on|off (scale refuses zero/tare) | "
    "card [DEV] HEX10 [HOLD_MS] | paper [DEV] ok|near|out | offline [DEV] on|off | "
    "corrupt [DEV] on|off (raster bytes in transit) | unplug DEV | replug DEV | "
    "garbage DEV [COUNT] | slow DEV on|off | power DEV on|off (line stays open) | "
    "status [DEV] | list | help | quit";

static int parse_onoff(const char *w, bool *out)
{
	if (w && !strcmp(w, "on"))
		*out = true;
	else if (w && !strcmp(w, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

/* The device a command is for: argv[1] if it names one, else the only (first)
 * device of the role. *argi is where the command's own arguments start. */
static struct sim_dev *target(struct sim *s, int role, char **argv, int argc, int *argi)
{
	*argi = 1;
	if (argc > 1) {
		struct sim_dev *d = dev_find(s, argv[1]);
		if (d) {
			*argi = 2;
			return d;
		}
	}
	for (size_t i = 0; role >= 0 && i < s->ndevs; i++)
		if ((int)s->devs[i]->role == role)
			return s->devs[i];
	return NULL;
}

static bool parse_i64(const char *w, int64_t lo, int64_t hi, int64_t *out)
{
	if (!w || !*w)
		return false;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(w, &end, 10);
	if (errno || !end || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static void cmd_status(struct loop *l, struct sim_dev *d, char *ans, size_t len)
{
	json_t *o = dev_json(&l->sim, d);
	json_object_set_new(o, "name", json_string(d->name));
	json_object_set_new(o, "dropped", json_integer((json_int_t)d->dropped));
	json_object_set_new(o, "power", json_boolean(!d->powered_off));
	if (d->role == SIM_SCALE) {
		json_object_set_new(o, "load", json_integer(d->load_g));
		json_object_set_new(o, "net", json_integer(sim_scale_net_g(d)));
		json_object_set_new(o, "tare", json_integer(d->tare_g));
		json_object_set_new(o, "motion", json_boolean(d->motion));
		json_object_set_new(o, "overload", json_boolean(d->overload));
	} else if (d->role == SIM_PRINTER) {
		const char *png, *txt;
		int n = sim_printer_receipts(d->printer, &png, &txt);
		json_object_set_new(o, "receipts", json_integer(n));
		json_object_set_new(o, "png", json_string(png));
		json_object_set_new(o, "txt", json_string(txt));
	}
	char *t = json_dumps(o, JSON_COMPACT);
	snprintf(ans, len, "ok %s", t ? t : "{}");
	free(t);
	json_decref(o);
}

static void cmd_scale(struct sim_dev *d, const char *cmd, char **argv, int argc, int ai, char *ans,
                      size_t len)
{
	bool on = true;
	int64_t v;
	if (!strcmp(cmd, "weight")) {
		if (argc != ai + 1 || !parse_i64(argv[ai], -1000000000, 1000000000, &v)) {
			snprintf(ans, len, "error: usage: weight [DEV] GRAMS");
			return;
		}
		d->load_g = v;
		d->overload = false;
	} else if (!strcmp(cmd, "motion") || !strcmp(cmd, "refuse") || !strcmp(cmd, "overload")) {
		if ((argc > ai || strcmp(cmd, "overload")) &&
		    (argc != ai + 1 || parse_onoff(argv[ai], &on))) {
			snprintf(ans, len, "error: usage: %s [DEV] on|off", cmd);
			return;
		}
		if (cmd[0] == 'm')
			d->motion = on;
		else if (cmd[0] == 'r')
			d->refuse = on;
		else
			d->overload = on;
	} else if (!strcmp(cmd, "zero")) {
		d->zero_g = d->load_g;
		d->tare_g = 0;
	} else if (!strcmp(cmd, "tare")) {
		if (argc > ai && strcmp(argv[ai], "clear")) {
			snprintf(ans, len, "error: usage: tare [DEV] [clear]");
			return;
		}
		d->tare_g = argc > ai ? 0 : d->load_g - d->zero_g;
	}
	snprintf(ans, len, "ok");
}

static void cmd_printer(struct sim_dev *d, const char *cmd, char **argv, int argc, int ai,
                        char *ans, size_t len)
{
	bool on;
	if (!strcmp(cmd, "paper")) {
		if (argc != ai + 1 || sim_printer_set_paper(d->printer, argv[ai])) {
			snprintf(ans, len, "error: usage: paper [DEV] ok|near|out");
			return;
		}
	} else if (argc != ai + 1 || parse_onoff(argv[ai], &on)) {
		snprintf(ans, len, "error: usage: %s [DEV] on|off", cmd);
		return;
	} else if (!strcmp(cmd, "corrupt")) {
		sim_printer_set_corrupt(d->printer, on);
	} else {
		sim_printer_set_offline(d->printer, on);
	}
	snprintf(ans, len, "ok");
}

static void cmd_plumbing(struct loop *l, struct sim_dev *d, const char *cmd, char **argv, int argc,
                         int ai, char *ans, size_t len)
{
	char err[SIM_PATH_MAX + 128];
	bool on;
	int64_t n = 16;
	if (!strcmp(cmd, "unplug")) {
		if (!d->plugged) {
			snprintf(ans, len, "error: %s is not plugged in", d->name);
			return;
		}
		dev_unplug(d);
	} else if (!strcmp(cmd, "replug")) {
		if (d->plugged)
			dev_unplug(d);
		if (dev_plug(d, err, sizeof(err))) {
			snprintf(ans, len, "error: %s", err);
			return;
		}
		snprintf(ans, len, "ok %s", d->pts);
		return;
	} else if (!strcmp(cmd, "garbage")) {
		if (argc > ai && (argc != ai + 1 || !parse_i64(argv[ai], 1, 4096, &n))) {
			snprintf(ans, len, "error: usage: garbage DEV [COUNT]");
			return;
		}
		uint8_t g[4096];
		for (int64_t i = 0; i < n; i++)
			g[i] = (uint8_t)sim_rand(&l->sim);
		sim_dev_send(d, g, (size_t)n);
	} else if (!strcmp(cmd, "power")) {
		if (argc != ai + 1 || parse_onoff(argv[ai], &on)) {
			snprintf(ans, len, "error: usage: power DEV on|off");
			return;
		}
		if (on && d->powered_off) {
			/* power-on: the device forgets what it was asked (SIR, input) */
			d->sir = false;
			d->in_len = 0;
			d->out_len = 0;
			d->card[0] = '\0';
			if (d->printer)
				sim_printer_reset(d->printer);
		}
		d->powered_off = !on;
	} else if (!strcmp(cmd, "slow")) {
		if (argc != ai + 1 || parse_onoff(argv[ai], &on)) {
			snprintf(ans, len, "error: usage: slow DEV on|off");
			return;
		}
		if (!on && d->out_len)
			dev_write_now(d, d->out, d->out_len);
		d->out_len = 0;
		d->slow = on;
	}
	snprintf(ans, len, "ok");
}

static int split_words(char *line, char **argv, int max)
{
	int argc = 0;
	char *save = NULL;
	for (char *w = strtok_r(line, " \t\r\n", &save); w && argc < max;
	     w = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = w;
	return argc;
}

static void run_command(struct loop *l, char *line, char *ans, size_t len)
{
	char *argv[8];
	int argc = split_words(line, argv, 8), ai;
	struct sim *s = &l->sim;
	int64_t now = sim_now_ms();
	if (argc == 0) {
		snprintf(ans, len, "error: empty command (try help)");
		return;
	}
	const char *c = argv[0];
	int role = -1;
	if (!strcmp(c, "weight") || !strcmp(c, "motion") || !strcmp(c, "overload") ||
	    !strcmp(c, "zero") || !strcmp(c, "tare") || !strcmp(c, "refuse"))
		role = SIM_SCALE;
	else if (!strcmp(c, "card"))
		role = SIM_CARD;
	else if (!strcmp(c, "paper") || !strcmp(c, "offline") || !strcmp(c, "corrupt"))
		role = SIM_PRINTER;
	if (!strcmp(c, "help")) {
		snprintf(ans, len, "%s", g_help);
	} else if (!strcmp(c, "quit")) {
		l->quit = true;
		snprintf(ans, len, "ok");
	} else if (!strcmp(c, "list")) {
		char *t = devices_json(l);
		snprintf(ans, len, "ok %s", t ? t : "{}");
		free(t);
	} else if (role >= 0) {
		struct sim_dev *d = target(s, role, argv, argc, &ai);
		if (!d || (int)d->role != role) {
			snprintf(ans, len, "error: no %s device%s%s",
			         role_name((enum sim_role)role), argc > 1 ? " named " : "",
			         argc > 1 ? argv[1] : "");
		} else if (role == SIM_SCALE) {
			cmd_scale(d, c, argv, argc, ai, ans, len);
		} else if (role == SIM_PRINTER) {
			cmd_printer(d, c, argv, argc, ai, ans, len);
		} else {
			int64_t hold = SIM_CARD_HOLD;
			if (argc < ai + 1 || argc > ai + 2 ||
			    (argc == ai + 2 && !parse_i64(argv[ai + 1], 1, 600000, &hold)) ||
			    sim_card_start(d, argv[ai], (int)hold, now))
				snprintf(ans, len, "error: usage: card [DEV] HEX10 [HOLD_MS]");
			else
				snprintf(ans, len, "ok");
		}
	} else if (!strcmp(c, "unplug") || !strcmp(c, "replug") || !strcmp(c, "garbage") ||
	           !strcmp(c, "slow") || !strcmp(c, "power") || !strcmp(c, "status")) {
		struct sim_dev *d = argc > 1 ? dev_find(s, argv[1]) : NULL;
		if (!d && !strcmp(c, "status") && argc == 1 && s->ndevs)
			d = s->devs[0];
		if (!d)
			snprintf(ans, len, "error: %s needs a device name (one of the list)", c);
		else if (!strcmp(c, "status"))
			cmd_status(l, d, ans, len);
		else
			cmd_plumbing(l, d, c, argv, argc, 2, ans, len);
	} else {
		snprintf(ans, len, "error: unknown command '%.64s' (try help)", c);
	}
}

/* ---- the loop ----------------------------------------------------------- */

/* Feed complete lines of buf to run_command; answers go to out_fd. */
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
		run_command(l, buf, ans, sizeof(ans) - 1);
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
	if (d->role == SIM_SCALE)
		sim_scale_input(d, b, n, now);
	else if (d->role == SIM_PRINTER)
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
		int64_t a = d->role == SIM_SCALE  ? sim_scale_next_ms(d)
		            : d->role == SIM_CARD ? sim_card_next_ms(d)
		                                  : INT64_MAX;
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
		if (d->role == SIM_SCALE)
			sim_scale_tick(d, now);
		else if (d->role == SIM_CARD)
			sim_card_tick(d, now);
		dev_slow_tick(&l->sim, d, now);
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
			l->quit = true; /* whoever started us is gone */
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
	while (!l->quit && !g_stop) {
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
		for (int i = 0; r > 0 && i < n && !l->quit; i++) {
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
	if (strlen(l->control) >= sizeof(a.sun_path)) {
		fprintf(stderr, "wufei-devsim: control path too long\n");
		return -1;
	}
	memcpy(a.sun_path, l->control, strlen(l->control) + 1);
	unlink(l->control);
	l->ctl_listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->ctl_listen < 0 || bind(l->ctl_listen, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(l->ctl_listen, 8) < 0) {
		fprintf(stderr, "wufei-devsim: cannot listen on %s: %s\n", l->control,
		        strerror(errno));
		return -1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
	        "usage: wufei-devsim [--dir DIR] [--control PATH] [--tcp] [--seed N] [--no-stdin]\n"
	        "                    [--scale "
	        "mt8217|mt-sics|cas-ci200|xk3190-a9|xk3190-eq[,name=N][,unit=kg|g|lb|t]"
	        "[,digit_order=normal|reversed][,format=22|18|10]]...\n"
	        "                    [--card em4100[,name=N]]... [--printer escpos[,name=N]]...\n"
	        "       wufei-devsim parse PROTOCOL [--unit kg|g|lb|t] [--digit-order "
	        "normal|reversed]   (raw bytes on stdin)\n");
	return 2;
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
			if (strlen(v) >= sizeof(l->control)) {
				fprintf(stderr, "wufei-devsim: --control path too long\n");
				return 2;
			}
			snprintf(l->control, sizeof(l->control), "%s", v);
		} else if (!strcmp(a, "--seed") && parse_i64(v, 0, INT64_MAX, &seed)) {
			s->seed = seed;
			s->rng = (uint64_t)seed * 0x9e3779b97f4a7c15ull + 1;
		} else if (!strcmp(a, "--scale") || !strcmp(a, "--card") ||
		           !strcmp(a, "--printer")) {
			enum sim_role r = a[2] == 's'   ? SIM_SCALE
			                  : a[2] == 'c' ? SIM_CARD
			                                : SIM_PRINTER;
			if (dev_add(s, r, v, tcp))
				return 2;
		} else {
			return usage();
		}
	}
	if (s->ndevs == 0 &&
	    (dev_add(s, SIM_SCALE, "mt8217", tcp) || dev_add(s, SIM_CARD, "em4100", tcp) ||
	     dev_add(s, SIM_PRINTER, "escpos", tcp)))
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
		if (d->role == SIM_PRINTER && !(d->printer = sim_printer_create(s->dir, d->name))) {
			fprintf(stderr, "wufei-devsim: out of memory\n");
			return 1;
		}
		if (dev_plug(d, err, sizeof(err))) {
			fprintf(stderr, "wufei-devsim: %s: %s\n", d->name, err);
			return 1;
		}
	}
	if (l->control[0] && ctl_open(l))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "parse"))
		return sim_parse_main(argc - 1, argv + 1);
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
	char *txt = devices_json(&l);
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
			dev_unplug(d);
		sim_printer_destroy(d->printer);
		free(d);
	}
	if (l.ctl_listen >= 0) {
		close(l.ctl_listen);
		unlink(l.control);
	}
	for (int i = 0; i < CTL_CLIENTS; i++)
		if (l.ctl[i].fd >= 0)
			close(l.ctl[i].fd);
	return rc;
}
