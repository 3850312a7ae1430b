/*
 * test_device.c — device threads against wufei-devsim over the real
 * libserialport path: unplug/replug cycles per device kind. Each cycle checks
 * that DOWN is reported before the replug and UP after it, that a reading,
 * card or print made after the replug gets through, and over all cycles that
 * the process used less than 5% CPU while the device was unplugged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devsim_child.h"
#include "device.h"
#include "escpos.h"
#include "wf.h"
#include "wf_test.h"

#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 10000 /* only a guard against hanging; no test asserts on time */

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

static void ms_sleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void cmd_ok(struct devsim *ds, const char *cmd)
{
	char ans[4096];
	if (devsim_cmd(ds, cmd, ans, sizeof(ans)) != 0)
		fail_msg("devsim '%s' -> '%s'", cmd, ans);
}

struct seen {
	int up, down, cards_same, print_done, print_failed;
};

/* Pop events until one matches; count the others. false if none came. */
static bool wait_for(struct device_queue *q, enum device_event_kind kind, int64_t grams,
                     const char *card, struct seen *seen, struct device_event *out)
{
	int64_t until = mono_us() + (int64_t)WAIT_MS * 1000;
	struct device_event e;
	for (;;) {
		while (device_queue_pop(q, &e)) {
			if (e.kind == DEVICE_EVENT_UP)
				seen->up++;
			if (e.kind == DEVICE_EVENT_DOWN)
				seen->down++;
			if (e.kind == DEVICE_EVENT_PRINT_DONE)
				seen->print_done++;
			if (e.kind == DEVICE_EVENT_PRINT_FAILED)
				seen->print_failed++;
			if (e.kind == DEVICE_EVENT_CARD && card && !strcmp(e.u.card.number, card))
				seen->cards_same++;
			if (e.kind != kind)
				continue;
			if (kind == DEVICE_EVENT_READING &&
			    (e.u.reading.grams != grams || !e.u.reading.stable))
				continue;
			if (kind == DEVICE_EVENT_CARD && (!card || strcmp(e.u.card.number, card)))
				continue;
			if (out)
				*out = e;
			return true;
		}
		int64_t left = (until - mono_us()) / 1000;
		if (left <= 0)
			return false;
		struct pollfd p = {.fd = device_queue_fd(q), .events = POLLIN};
		poll(&p, 1, (int)left);
	}
}

/* Drain without blocking; counts what was there. */
static void drain(struct device_queue *q, struct seen *seen, const char *card)
{
	struct device_event e;
	while (device_queue_pop(q, &e)) {
		seen->up += e.kind == DEVICE_EVENT_UP;
		seen->down += e.kind == DEVICE_EVENT_DOWN;
		seen->print_done += e.kind == DEVICE_EVENT_PRINT_DONE;
		if (e.kind == DEVICE_EVENT_CARD && card && !strcmp(e.u.card.number, card))
			seen->cards_same++;
	}
}

static size_t job_native(uint8_t *buf, const char *token)
{
	size_t n = 0, k = strlen(token) + 3;
	const uint8_t head[] = {0x1b, 0x40, 0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, 0x05};
	memcpy(buf + n, head, sizeof(head)), n += sizeof(head);
	uint8_t hdr[8] = {0x1d, 0x28, 0x6b, (uint8_t)(k & 0xff), (uint8_t)(k >> 8),
	                  0x31, 0x50, 0x30};
	memcpy(buf + n, hdr, 8), n += 8;
	memcpy(buf + n, token, strlen(token)), n += strlen(token);
	memcpy(buf + n, "\x1d(k\x03\x00\x31\x51\x30\n\x1dV\x41\x00", 13), n += 13;
	return n;
}

static int receipts(struct devsim *ds, char *png, size_t len)
{
	char ans[4096];
	assert_int_equal(devsim_cmd(ds, "status printer", ans, sizeof(ans)), 0);
	json_t *o = json_loads(ans + 3, 0, NULL);
	assert_non_null(o);
	int n = (int)json_integer_value(json_object_get(o, "receipts"));
	if (png)
		snprintf(png, len, "%s", json_string_value(json_object_get(o, "png")));
	json_decref(o);
	return n;
}

static void zbar_expect(const char *png, const char *token)
{
	char cmd[600], out[512];
	snprintf(cmd, sizeof(cmd), "zbarimg --raw -q '%s' 2>/dev/null", png);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	assert_int_equal(pclose(f), 0);
	assert_string_equal(out, token);
}

enum kind { K_SCALE, K_CARD, K_PRINTER };

/* After UP: make the device produce something and check it arrives. */
static void after_up(struct devsim *ds, struct device *dev, struct device_queue *q, enum kind k,
                     long i, struct seen *seen, long loops)
{
	char cmd[128], hex[16];
	if (k == K_SCALE) {
		snprintf(cmd, sizeof(cmd), "weight %ld", 1000 + i);
		cmd_ok(ds, cmd);
		assert_true(wait_for(q, DEVICE_EVENT_READING, 1000 + i, NULL, seen, NULL));
	} else if (k == K_CARD) {
		snprintf(hex, sizeof(hex), "04%08lX", 0xE2E1F500L + i);
		snprintf(cmd, sizeof(cmd), "card %s 250", hex);
		seen->cards_same = 0;
		cmd_ok(ds, cmd);
		struct device_event e;
		assert_true(wait_for(q, DEVICE_EVENT_CARD, 0, hex, seen, &e));
		char id[48]; /* the number printed on the card: low 32 bits, 10 digits */
		snprintf(id, sizeof(id), "em4100:%010lu", (unsigned long)(0xE2E1F500L + i));
		assert_string_equal(e.u.card.id, id);
		/* the frames of this tap that are still coming add no second event */
		ms_sleep(300);
		drain(q, seen, hex);
		assert_int_equal(seen->cards_same, 1);
	} else {
		char token[64], png[512];
		uint8_t job[256];
		uint32_t id;
		snprintf(token, sizeof(token), "HTTPS://WUFEI.EXAMPLE/R/CYCLE%ld", i);
		int before = receipts(ds, NULL, 0);
		assert_int_equal(device_print(dev, job, job_native(job, token), &id), WF_OK);
		struct device_event e;
		assert_true(wait_for(q, DEVICE_EVENT_PRINT_DONE, 0, NULL, seen, &e));
		assert_int_equal(e.u.job_id, id);
		int r = 0;
		for (int t = 0; t < 1000 && (r = receipts(ds, png, sizeof(png))) == before; t++)
			ms_sleep(5);
		assert_int_equal(r, before + 1);
		if (i == 0 || i == loops - 1)
			zbar_expect(png, token);
	}
}

static void cycles(enum kind k, const char *const *args, const char *name, const char *proto,
                   const char *line)
{
	struct devsim ds;
	struct device_queue *q = device_queue_create(256);
	struct device *dev = NULL;
	struct device_config cfg = {0};
	struct seen seen = {0};
	long loops = wf_test_loops(50);
	int64_t idle_cpu = 0, idle_wall = 0;
	char cmd[96];

	assert_non_null(q);
	assert_int_equal(devsim_start(&ds, args), 0);
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	cfg.role = k == K_SCALE  ? DEVICE_ROLE_SCALE
	           : k == K_CARD ? DEVICE_ROLE_CARD
	                         : DEVICE_ROLE_PRINTER;
	devsim_transport(&ds, name, cfg.transport, sizeof(cfg.transport));
	snprintf(cfg.protocol, sizeof(cfg.protocol), "%s", proto);
	assert_int_equal(transport_line_parse(line, &cfg.line), WF_OK);
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	printf("# %s (%s): %ld unplug/replug cycles\n", name, proto, loops);

	for (long i = 0; i < loops; i++) {
		after_up(&ds, dev, q, k, i, &seen, loops);
		seen.up = seen.down = 0;

		snprintf(cmd, sizeof(cmd), "unplug %s", name);
		int64_t w0 = mono_us(), c0 = cpu_us();
		cmd_ok(&ds, cmd);
		assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, NULL));
		struct device_health h;
		device_health(dev, &h);
		assert_int_equal(h.state, DEVICE_STATE_DOWN);
		if (k == K_PRINTER) {
			uint8_t b = 0x0a;
			assert_int_equal(device_print(dev, &b, 1, NULL), WF_ESTATE);
		}
		ms_sleep(150); /* the device stays away a while */
		drain(q, &seen, NULL);
		assert_int_equal(seen.up, 0); /* nothing claims it is back */
		snprintf(cmd, sizeof(cmd), "replug %s", name);
		idle_cpu += cpu_us() - c0;
		idle_wall += mono_us() - w0;
		cmd_ok(&ds, cmd);
		assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
		assert_int_equal(seen.down, 1);
	}
	after_up(&ds, dev, q, k, loops, &seen, loops);

	struct device_health h;
	device_health(dev, &h);
	assert_int_equal(h.state, DEVICE_STATE_UP);
	assert_int_equal(h.reconnects, (uint64_t)loops);
	assert_true(h.frames > 0 || k == K_PRINTER);
	assert_true(h.bytes_in > 0);
	assert_int_equal(device_queue_dropped(q), 0);
	printf("# %s: CPU while unplugged %.2f%% of %.1f s\n", name,
	       100.0 * (double)idle_cpu / (double)idle_wall, (double)idle_wall / 1e6);
	assert_true(idle_cpu * 100 < idle_wall * 5);
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

static void test_scale_cycles(void **state)
{
	(void)state;
	const char *args[] = {"--scale", "mt8217", NULL};
	cycles(K_SCALE, args, "scale", "mt8217", "9600 7E1");
}

static void test_stream_scale_cycles(void **state)
{
	(void)state;
	const char *args[] = {"--scale", "cas-ci200", NULL};
	cycles(K_SCALE, args, "scale", "cas-ci200", "9600 8N1");
}

static void test_card_cycles(void **state)
{
	(void)state;
	const char *args[] = {"--card", "em4100", NULL};
	cycles(K_CARD, args, "card", "em4100", "9600 8N1");
}

static void test_printer_cycles(void **state)
{
	(void)state;
	const char *args[] = {"--printer", "escpos", NULL};
	cycles(K_PRINTER, args, "printer", "escpos", "115200 8N1");
}

/* A device that is not there at start: DOWN with a reason, then UP when it
 * appears; a bad config is refused before any thread starts. */
static void test_absent_then_present(void **state)
{
	(void)state;
	struct devsim ds;
	struct device_queue *q = device_queue_create(16);
	struct device *dev = NULL;
	struct seen seen = {0};
	struct device_event e;
	const char *args[] = {"--scale", "mt-sics", NULL};
	struct device_config cfg = {
	    .name = "scale", .role = DEVICE_ROLE_SCALE, .protocol = "mt-sics"};
	assert_int_equal(devsim_start(&ds, args), 0);
	cmd_ok(&ds, "unplug scale");
	devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, &e));
	assert_true(strlen(e.reason) > 0);
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_ZERO), WF_ESTATE);
	cmd_ok(&ds, "replug scale");
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	cmd_ok(&ds, "weight 2500");
	assert_true(wait_for(q, DEVICE_EVENT_READING, 2500, NULL, &seen, NULL));
	/* zero through the device thread: the scale says it did, then reads 0 */
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_ZERO), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_SCALE_ANSWER, 0, NULL, &seen, &e));
	assert_int_equal(e.u.answer.cmd, DEVICE_SCALE_ZERO);
	assert_true(e.u.answer.accepted);
	assert_true(wait_for(q, DEVICE_EVENT_READING, 0, NULL, &seen, NULL));
	/* a scale that refuses (platform moving, outside the zero range): said so */
	cmd_ok(&ds, "refuse scale on");
	cmd_ok(&ds, "weight 900");
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_ZERO), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_SCALE_ANSWER, 0, NULL, &seen, &e));
	assert_false(e.u.answer.accepted);
	assert_string_equal(e.u.answer.code, "ZI");
	device_stop(dev);

	struct device *bad = (struct device *)1;
	struct device_config c2 = cfg;
	snprintf(c2.protocol, sizeof(c2.protocol), "%s", "em4100");
	assert_int_equal(device_start(&c2, q, NULL, NULL, &bad), WF_EINVAL);
	assert_null(bad);
	snprintf(c2.protocol, sizeof(c2.protocol), "%s", "mt8217");
	snprintf(c2.unit, sizeof(c2.unit), "%s", "oz");
	assert_int_equal(device_start(&c2, q, NULL, NULL, &bad), WF_EINVAL);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* A network printer (tcp:HOST:PORT, as on port 9100): prints, notices the
 * peer going away, reconnects when it listens again. */
static void test_tcp_printer(void **state)
{
	(void)state;
	struct devsim ds;
	struct device_queue *q = device_queue_create(64);
	struct device *dev = NULL;
	struct seen seen = {0};
	const char *args[] = {"--printer", "escpos", "--tcp", NULL};
	struct device_config cfg = {
	    .name = "printer", .role = DEVICE_ROLE_PRINTER, .protocol = "escpos"};
	assert_int_equal(devsim_start(&ds, args), 0);
	json_t *o = json_loads(ds.json, 0, NULL);
	const char *tcp = json_string_value(
	    json_object_get(json_object_get(json_object_get(o, "devices"), "printer"), "tcp"));
	assert_non_null(tcp);
	snprintf(cfg.transport, sizeof(cfg.transport), "%s", tcp);
	json_decref(o);
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	after_up(&ds, dev, q, K_PRINTER, 0, &seen, 2);
	cmd_ok(&ds, "unplug printer");
	assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, NULL));
	cmd_ok(&ds, "replug printer");
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	after_up(&ds, dev, q, K_PRINTER, 1, &seen, 2);
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* Fragmented writes and garbage on the line do not lose the next reading. */
static void test_slow_and_garbage(void **state)
{
	(void)state;
	const char *protos[] = {"mt-sics", "cas-ci200", "xk3190-a9", "xk3190-eq", "mt8217"};
	for (size_t i = 0; i <= sizeof(protos) / sizeof(protos[0]); i++) {
		/* the last round: mt-sics streaming (SIR) instead of polled */
		bool sir = i == sizeof(protos) / sizeof(protos[0]);
		struct devsim ds;
		struct device_queue *q = device_queue_create(64);
		struct device *dev = NULL;
		struct seen seen = {0};
		char scale[16];
		snprintf(scale, sizeof(scale), "%s", sir ? "mt-sics" : protos[i]);
		const char *args[] = {"--scale", scale, NULL};
		struct device_config cfg = {
		    .name = "scale", .role = DEVICE_ROLE_SCALE, .poll_interval_ms = sir ? -1 : 0};
		snprintf(cfg.protocol, sizeof(cfg.protocol), "%s", scale);
		assert_int_equal(devsim_start(&ds, args), 0);
		devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
		assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
		assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
		cmd_ok(&ds, "slow scale on");
		cmd_ok(&ds, "garbage scale 200");
		cmd_ok(&ds, "weight 3210");
		assert_true(wait_for(q, DEVICE_EVENT_READING, 3210, NULL, &seen, NULL));
		cmd_ok(&ds, "garbage scale 50");
		cmd_ok(&ds, "weight 3211");
		assert_true(wait_for(q, DEVICE_EVENT_READING, 3211, NULL, &seen, NULL));
		assert_int_equal(seen.down, 0); /* garbage is not a hang-up */
		struct device_health h;
		device_health(dev, &h);
		/* streaming sends one command after open; polling sends one per poll */
		if (sir)
			assert_int_equal(h.bytes_out, 5);
		else if (!strcmp(scale, "mt8217"))
			assert_true(h.bytes_out >= 2); /* "W" per poll */
		else if (!strcmp(scale, "mt-sics"))
			assert_true(h.bytes_out >= 8); /* "SI\r\n" per poll */
		else
			assert_int_equal(h.bytes_out, 0);
		device_stop(dev);
		device_queue_destroy(q);
		assert_int_equal(devsim_stop(&ds), 0);
	}
}

/* Waits for a status-only reading with the given flag; true if it came. */
static bool wait_status(struct device_queue *q, struct seen *seen, bool overload, bool motion)
{
	for (int tries = 0; tries < 100; tries++) {
		struct device_event e;
		if (!wait_for(q, DEVICE_EVENT_READING, 0, NULL, seen, NULL) &&
		    !device_queue_pop(q, &e))
			ms_sleep(10);
		while (device_queue_pop(q, &e))
			if (e.kind == DEVICE_EVENT_READING && e.u.reading.status_only &&
			    e.u.reading.overload == overload && e.u.reading.motion == motion)
				return true;
	}
	return false;
}

/* Issue 9 through a real device thread and a simulated MT 8217 (bit 6 set
 * in every status, as on real scales): a stable weight, then "over
 * capacity" and "in motion" arrive as status readings instead of being
 * dropped as refusals; zero is answered done or refused by its status. */
static void test_8217_status_and_answers(void **state)
{
	(void)state;
	struct devsim ds;
	struct device_queue *q = device_queue_create(64);
	struct device *dev = NULL;
	struct seen seen = {0};
	struct device_event e;
	const char *args[] = {"--scale", "mt8217", NULL};
	struct device_config cfg = {.name = "scale",
	                            .role = DEVICE_ROLE_SCALE,
	                            .protocol = "mt8217",
	                            .poll_interval_ms = 50};
	assert_int_equal(devsim_start(&ds, args), 0);
	devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(transport_line_parse("9600 7E1", &cfg.line), WF_OK);
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	cmd_ok(&ds, "weight 14900");
	assert_true(wait_for(q, DEVICE_EVENT_READING, 14900, NULL, &seen, NULL));
	cmd_ok(&ds, "overload scale on");
	assert_true(wait_status(q, &seen, true, false));
	cmd_ok(&ds, "overload scale off");
	cmd_ok(&ds, "motion scale on");
	assert_true(wait_status(q, &seen, false, true));
	cmd_ok(&ds, "motion scale off");
	assert_true(wait_for(q, DEVICE_EVENT_READING, 14900, NULL, &seen, NULL));
	/* zero: done, the status says centre of zero */
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_ZERO), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_SCALE_ANSWER, 0, NULL, &seen, &e));
	assert_int_equal(e.u.answer.cmd, DEVICE_SCALE_ZERO);
	assert_true(e.u.answer.accepted);
	assert_true(wait_for(q, DEVICE_EVENT_READING, 0, NULL, &seen, NULL));
	/* outside the zero-capture range: refused, with the scale's status */
	cmd_ok(&ds, "refuse scale on");
	cmd_ok(&ds, "weight 15800"); /* 900 g over the new zero */
	assert_true(wait_for(q, DEVICE_EVENT_READING, 900, NULL, &seen, NULL));
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_ZERO), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_SCALE_ANSWER, 0, NULL, &seen, &e));
	assert_false(e.u.answer.accepted);
	assert_string_equal(e.u.answer.code, "?H");
	/* tare: done (net) */
	cmd_ok(&ds, "refuse scale off");
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_TARE), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_SCALE_ANSWER, 0, NULL, &seen, &e));
	assert_int_equal(e.u.answer.cmd, DEVICE_SCALE_TARE);
	assert_true(e.u.answer.accepted);
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* A main loop that does not keep up: old readings are dropped, never an
 * up/down event; the eventfd stays readable while events wait. */
static void test_queue_overflow(void **state)
{
	(void)state;
	struct devsim ds;
	struct device_queue *q = device_queue_create(4);
	struct device *dev = NULL;
	struct device_event e;
	const char *args[] = {"--scale", "cas-ci200", NULL};
	struct device_config cfg = {
	    .name = "scale", .role = DEVICE_ROLE_SCALE, .protocol = "cas-ci200"};
	assert_int_equal(devsim_start(&ds, args), 0);
	devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	/* 10 frames a second: far more than 4 in a second */
	for (int i = 0; i < 200 && device_queue_dropped(q) < 5; i++)
		ms_sleep(10);
	assert_true(device_queue_dropped(q) >= 5);
	cmd_ok(&ds, "unplug scale");
	for (int i = 0; i < 500; i++) {
		struct device_health h;
		device_health(dev, &h);
		if (h.state == DEVICE_STATE_DOWN)
			break;
		ms_sleep(10);
	}
	struct pollfd p = {.fd = device_queue_fd(q), .events = POLLIN};
	assert_int_equal(poll(&p, 1, 0), 1);
	int n = 0, up = 0, down = 0;
	while (device_queue_pop(q, &e)) {
		n++;
		up += e.kind == DEVICE_EVENT_UP;
		down += e.kind == DEVICE_EVENT_DOWN;
	}
	assert_true(n <= 4);
	assert_int_equal(up, 1);
	assert_int_equal(down, 1);
	assert_int_equal(poll(&p, 1, 0), 0); /* empty: not readable */
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* A path that exists but is no serial port (a mistyped config): DOWN with
 * the reason, and no busy loop retrying it. */
static void test_present_but_unusable(void **state)
{
	(void)state;
	char dir[] = "/tmp/wufei-dev-notaport.XXXXXX";
	char path[64];
	struct device_queue *q = device_queue_create(16);
	struct device *dev = NULL;
	struct seen seen = {0};
	struct device_event e;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ttyUSB0", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	struct device_config cfg = {.name = "card", .role = DEVICE_ROLE_CARD, .protocol = "em4100"};
	snprintf(cfg.transport, sizeof(cfg.transport), "serial:%s", path);
	int64_t w0 = mono_us(), c0 = cpu_us();
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, &e));
	assert_true(strlen(e.reason) > 0);
	ms_sleep(1000);
	int64_t cpu = cpu_us() - c0, wall = mono_us() - w0;
	struct device_health h;
	device_health(dev, &h);
	assert_int_equal(h.state, DEVICE_STATE_DOWN);
	assert_true(strlen(h.last_error) > 0);
	device_stop(dev);
	printf("# not a port: CPU %.2f%% of %.1f s\n", 100.0 * (double)cpu / (double)wall,
	       (double)wall / 1e6);
	assert_true(cpu * 100 < wall * 5);
	device_queue_destroy(q);
	unlink(path);
	rmdir(dir);
}

/* The kiosk's path end to end: a receipt built by the ESC/POS encoder
 * (devices/proto/escpos.h), printed by the device thread, decodes from the
 * simulated printer's PNG to the token, native and raster; raster bytes
 * corrupted in transit do not. */
static void print_encoded(struct devsim *ds, struct device *dev, struct device_queue *q,
                          bool raster, const char *token, char *png, size_t png_len)
{
	static uint8_t mem[64 * 1024];
	struct escpos_job j;
	struct seen seen = {0};
	struct device_event e;
	uint32_t id;
	escpos_begin(&j, mem, sizeof(mem));
	escpos_align(&j, ESCPOS_CENTER);
	escpos_line(&j, "WUFEI 无废 RECEIPT");
	assert_int_equal(raster ? escpos_qr_raster(&j, token, 5) : escpos_qr_native(&j, token, 5),
	                 0);
	escpos_cut(&j);
	assert_true(escpos_ok(&j));
	int before = receipts(ds, NULL, 0);
	assert_int_equal(device_print(dev, j.data, j.len, &id), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_PRINT_DONE, 0, NULL, &seen, &e));
	assert_int_equal(e.u.job_id, id);
	int r = 0;
	for (int t = 0; t < 1000 && (r = receipts(ds, png, png_len)) == before; t++)
		ms_sleep(5);
	assert_int_equal(r, before + 1);
}

static void test_escpos_encoder_end_to_end(void **state)
{
	(void)state;
	const char *token =
	    "HTTPS://WUFEI.EXAMPLE/R/AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGAZDINRYHI6D4";
	struct devsim ds;
	struct device_queue *q = device_queue_create(64);
	struct device *dev = NULL;
	struct seen seen = {0};
	char png[512], cmd[600], out[512];
	const char *args[] = {"--printer", "escpos", NULL};
	struct device_config cfg = {
	    .name = "printer", .role = DEVICE_ROLE_PRINTER, .protocol = "escpos"};
	assert_int_equal(devsim_start(&ds, args), 0);
	devsim_transport(&ds, "printer", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	print_encoded(&ds, dev, q, false, token, png, sizeof(png));
	zbar_expect(png, token);
	print_encoded(&ds, dev, q, true, token, png, sizeof(png));
	zbar_expect(png, token);
	cmd_ok(&ds, "corrupt printer on");
	print_encoded(&ds, dev, q, true, token, png, sizeof(png));
	snprintf(cmd, sizeof(cmd), "zbarimg --raw -q '%s' 2>/dev/null", png);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	int rc = pclose(f);
	assert_false(rc == 0 && strncmp(out, token, strlen(token)) == 0);
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* Printer status: paper out and offline show in health and as events, and a
 * job is refused with the reason instead of vanishing into a dead printer. */
static void test_printer_status(void **state)
{
	(void)state;
	struct devsim ds;
	struct device_queue *q = device_queue_create(64);
	struct device *dev = NULL;
	struct seen seen = {0};
	struct device_event e;
	struct device_health h;
	uint8_t job[256];
	const char *args[] = {"--printer", "escpos", NULL};
	struct device_config cfg = {.name = "printer",
	                            .role = DEVICE_ROLE_PRINTER,
	                            .protocol = "escpos",
	                            .status_interval_ms = 100};
	assert_int_equal(devsim_start(&ds, args), 0);
	devsim_transport(&ds, "printer", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	assert_true(e.u.printer.known && e.u.printer.online && !e.u.printer.paper_out);

	cmd_ok(&ds, "paper printer out");
	assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	assert_true(e.u.printer.paper_out);
	assert_false(e.u.printer.online);
	device_health(dev, &h);
	assert_true(h.printer.paper_out);
	assert_int_equal(device_print(dev, job, job_native(job, "HTTPS://X/R/1"), NULL), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_PRINT_FAILED, 0, NULL, &seen, &e));
	assert_non_null(strstr(e.reason, "paper"));

	cmd_ok(&ds, "paper printer near");
	assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	assert_true(e.u.printer.paper_low && e.u.printer.online && !e.u.printer.paper_out);
	cmd_ok(&ds, "offline printer on");
	assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	assert_false(e.u.printer.online);
	assert_int_equal(device_print(dev, job, job_native(job, "HTTPS://X/R/2"), NULL), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_PRINT_FAILED, 0, NULL, &seen, &e));
	assert_non_null(strstr(e.reason, "offline"));
	assert_int_equal(receipts(&ds, NULL, 0), 0);

	cmd_ok(&ds, "offline printer off");
	cmd_ok(&ds, "paper printer ok");
	assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	if (!e.u.printer.online || e.u.printer.paper_low) /* the two changes may show apart */
		assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	assert_true(e.u.printer.online && !e.u.printer.paper_low);
	assert_int_equal(device_print(dev, job, job_native(job, "HTTPS://X/R/3"), NULL), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_PRINT_DONE, 0, NULL, &seen, &e));
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* A scale that goes silent with its line still open (switched off behind a
 * device server, cable cut after the adapter) is reported down for "no data"
 * and up again at its next reading; a streaming MT-SICS scale that forgot
 * SIR after a power cycle is asked again. */
static void test_silent_scale(void **state)
{
	(void)state;
	static const char *const protos[] = {"mt8217", "mt-sics"};
	for (int i = 0; i < 3; i++) {
		struct devsim ds;
		struct device_queue *q = device_queue_create(256);
		struct device *dev = NULL;
		struct seen seen = {0};
		struct device_event e;
		char scale[16];
		snprintf(scale, sizeof(scale), "%s", protos[i ? 1 : 0]);
		const char *args[] = {"--scale", scale, NULL};
		struct device_config cfg = {.name = "scale",
		                            .role = DEVICE_ROLE_SCALE,
		                            .reply_timeout_ms = 400,
		                            .poll_interval_ms = i == 2 ? -1 : 100};
		snprintf(cfg.protocol, sizeof(cfg.protocol), "%s", scale);
		assert_int_equal(devsim_start(&ds, args), 0);
		devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
		assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
		cmd_ok(&ds, "weight 700");
		assert_true(wait_for(q, DEVICE_EVENT_READING, 700, NULL, &seen, NULL));
		cmd_ok(&ds, "power scale off");
		assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, &e));
		assert_non_null(strstr(e.reason, "no data"));
		cmd_ok(&ds, "weight 701");
		cmd_ok(&ds, "power scale on");
		assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
		assert_true(wait_for(q, DEVICE_EVENT_READING, 701, NULL, &seen, NULL));
		struct device_health h;
		device_health(dev, &h);
		assert_int_equal(h.state, DEVICE_STATE_UP);
		assert_int_equal(h.reconnects, 0); /* the line never closed */
		device_stop(dev);
		device_queue_destroy(q);
		assert_int_equal(devsim_stop(&ds), 0);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_absent_then_present),
	    cmocka_unit_test(test_8217_status_and_answers),
	    cmocka_unit_test(test_queue_overflow),
	    cmocka_unit_test(test_present_but_unusable),
	    cmocka_unit_test(test_slow_and_garbage),
	    cmocka_unit_test(test_tcp_printer),
	    cmocka_unit_test(test_silent_scale),
	    cmocka_unit_test(test_printer_status),
	    cmocka_unit_test(test_escpos_encoder_end_to_end),
	    cmocka_unit_test(test_scale_cycles),
	    cmocka_unit_test(test_stream_scale_cycles),
	    cmocka_unit_test(test_card_cycles),
	    cmocka_unit_test(test_printer_cycles),
	};
	if (argc > 1) /* one test by name: test_device test_NAME */
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
