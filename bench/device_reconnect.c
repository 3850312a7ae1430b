/*
 * device_reconnect.c — how fast a device thread notices an unplug and gets
 * the device back after a replug, over wufei-devsim's ptys and the real
 * libserialport path (pty shim linked in).
 *
 *   device_reconnect [CYCLES] [PROTOCOL]      (defaults: 100, mt8217)
 *
 * Each cycle: unplug (clock starts when the command is sent) -> DOWN
 * event = down-detection time; the device stays away 300 ms, so the thread
 * is asleep in its wait; replug -> UP event, and on to the first reading
 * after it = reconnect time (the scale is usable again). Prints p50/p99;
 * the last line is the figure bench/run reports.
 */
#include "clock.h"
#include "devsim_child.h"
#include "device.h"
#include "wf.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	return (double)wf_clock_mono_ns() / 1e6;
}

static int wait_kind(struct device_queue *q, enum device_event_kind kind, double *at)
{
	double until = now_ms() + 10000;
	struct device_event e;
	for (;;) {
		while (device_queue_pop(q, &e)) {
			if (e.kind == kind) {
				*at = now_ms();
				return 0;
			}
		}
		double left = until - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd p = {.fd = device_queue_fd(q), .events = POLLIN};
		poll(&p, 1, (int)left);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, int p)
{
	int i = (n * p + 99) / 100 - 1;
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

int main(int argc, char **argv)
{
	long cycles = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
	const char *proto = argc > 2 ? argv[2] : "mt8217";
	char ans[4096], scale_arg[64];
	struct devsim ds;
	struct device *dev = NULL;
	struct device_config cfg = {.name = "scale", .role = DEVICE_ROLE_SCALE};
	const struct protocol *p = protocol_find(proto); /* the line it usually runs at */
	if (cycles < 2 || cycles > 100000 || !p || p->role != DEVICE_ROLE_SCALE) {
		fprintf(stderr, "usage: device_reconnect [CYCLES>=2] [SCALE PROTOCOL]\n");
		return 2;
	}
	snprintf(scale_arg, sizeof(scale_arg), "%s", proto);
	const char *args[] = {"--scale", scale_arg, NULL};
	struct device_queue *q = device_queue_create(1024);
	double *down = calloc((size_t)cycles, sizeof(double));
	double *up = calloc((size_t)cycles, sizeof(double));
	double *uptime = calloc((size_t)cycles, sizeof(double));
	if (!q || !down || !up || !uptime || devsim_start(&ds, args))
		return 1;
	devsim_cmd(&ds, "weight 1250", ans, sizeof(ans));
	snprintf(cfg.protocol, sizeof(cfg.protocol), "%s", proto);
	devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
	transport_line_parse(p->line, &cfg.line);
	double t;
	if (device_start(&cfg, q, NULL, NULL, &dev) || wait_kind(q, DEVICE_EVENT_UP, &t)) {
		fprintf(stderr, "device_reconnect: device did not come up\n");
		return 1;
	}
	for (long i = 0; i < cycles; i++) {
		double t0, t1;
		t0 = now_ms();
		devsim_cmd(&ds, "unplug scale", ans, sizeof(ans));
		if (wait_kind(q, DEVICE_EVENT_DOWN, &t1)) {
			fprintf(stderr, "device_reconnect: no DOWN in cycle %ld\n", i);
			return 1;
		}
		down[i] = t1 - t0;
		struct timespec away = {0, 300 * 1000000L};
		nanosleep(&away, NULL);
		t0 = now_ms();
		devsim_cmd(&ds, "replug scale", ans, sizeof(ans));
		if (wait_kind(q, DEVICE_EVENT_UP, &t1)) {
			fprintf(stderr, "device_reconnect: no UP in cycle %ld\n", i);
			return 1;
		}
		uptime[i] = t1 - t0;
		if (wait_kind(q, DEVICE_EVENT_READING, &t1)) {
			fprintf(stderr, "device_reconnect: no reading after replug in cycle %ld\n",
			        i);
			return 1;
		}
		up[i] = t1 - t0;
	}
	device_stop(dev);
	devsim_stop(&ds);
	device_queue_destroy(q);
	qsort(down, (size_t)cycles, sizeof(double), cmp_double);
	qsort(up, (size_t)cycles, sizeof(double), cmp_double);
	qsort(uptime, (size_t)cycles, sizeof(double), cmp_double);
	printf("device_reconnect: %ld cycles of %s over pty + libserialport\n", cycles, proto);
	printf("device_reconnect: down detection p50 %.1f ms p99 %.1f ms (target 1000 ms)\n",
	       pct(down, (int)cycles, 50), pct(down, (int)cycles, 99));
	printf("device_reconnect: replug to up p50 %.1f ms p99 %.1f ms\n",
	       pct(uptime, (int)cycles, 50), pct(uptime, (int)cycles, 99));
	printf("device_reconnect: replug to first reading p50 %.1f ms\n", pct(up, (int)cycles, 50));
	printf("device_reconnect: p99 reconnect %.1f ms (target 2000 ms)\n",
	       pct(up, (int)cycles, 99));
	free(down);
	free(up);
	free(uptime);
	return 0;
}
