/*
 * device_test.c — what the device thread tests share (device_test.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "device_test.h"

#include "clock.h"
#include "wf.h"
#include "wf_test.h"

#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

int64_t mono_us(void)
{
	return wf_clock_mono_ns() / 1000;
}

int64_t cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

void ms_sleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

void cmd_ok(struct devsim *ds, const char *cmd)
{
	char ans[4096];
	if (devsim_cmd(ds, cmd, ans, sizeof(ans)) != 0)
		fail_msg("devsim '%s' -> '%s'", cmd, ans);
}

/* Pop events until one matches; count the others. false if none came. */
bool wait_for(struct device_queue *q, enum device_event_kind kind, int64_t grams, const char *card,
              struct seen *seen, struct device_event *out)
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
void drain(struct device_queue *q, struct seen *seen, const char *card)
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

size_t job_native(uint8_t *buf, const char *token)
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

int receipts(struct devsim *ds, char *png, size_t len)
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

void zbar_expect(const char *png, const char *token)
{
	char out[512];
	assert_int_equal(wf_test_qr_read(png, out, sizeof(out)), 0);
	assert_string_equal(out, token);
}

/* After UP: make the device produce something and check it arrives. */
void after_up(struct devsim *ds, struct device *dev, struct device_queue *q, enum kind k, long i,
              struct seen *seen, long loops)
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
