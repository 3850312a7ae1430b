/*
 * device_test.h — what the device thread tests share (test_device.c,
 * test_device_events.c, test_device_print.c): wufei-devsim commands, waiting
 * for an event while counting the others, receipts read back from the
 * simulated printer, and "make the device produce something after UP".
 *
 * For: tests/devices only. Every helper asserts (cmocka) instead of
 * returning an error, except wait_for, which says whether the event came.
 */
#ifndef WUFEI_DEVICE_TEST_H
#define WUFEI_DEVICE_TEST_H

#include "device.h"
#include "devsim_child.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WAIT_MS 10000 /* only a guard against hanging; no test asserts on time */

/* What wait_for and drain saw besides the event waited for. */
struct seen {
	int up, down, cards_same, print_done, print_failed;
};

enum kind { K_SCALE, K_CARD, K_PRINTER };

int64_t mono_us(void); /* CLOCK_MONOTONIC microseconds */
int64_t cpu_us(void);  /* this process's CPU time, user + system */
void ms_sleep(int ms);

/* Send a devsim command; fail the test unless it answers "ok". */
void cmd_ok(struct devsim *ds, const char *cmd);

/* Pop events until one of kind matches (a stable reading of grams; the
 * card numbered card) within WAIT_MS, counting the others in seen; *out
 * (may be NULL) gets it. false if none came. */
bool wait_for(struct device_queue *q, enum device_event_kind kind, int64_t grams, const char *card,
              struct seen *seen, struct device_event *out);

/* Pop what waits without blocking, counting it in seen. */
void drain(struct device_queue *q, struct seen *seen, const char *card);

/* A minimal ESC/POS job printing token as a native QR code; its length. */
size_t job_native(uint8_t *buf, const char *token);

/* Receipts the simulated printer cut so far; png (may be NULL) gets the
 * path of the last one. */
int receipts(struct devsim *ds, char *png, size_t len);

/* zbarimg reads exactly token from the PNG. */
void zbar_expect(const char *png, const char *token);

/* After UP: make the device produce something (a weight, a card, a
 * receipt; number i of loops) and check it arrives. */
void after_up(struct devsim *ds, struct device *dev, struct device_queue *q, enum kind k, long i,
              struct seen *seen, long loops);

#endif
