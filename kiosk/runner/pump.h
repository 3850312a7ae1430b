/*
 * pump.h — the one effect loop (STYLE 15): events go into one queue; the
 * pump takes the oldest, has the session step on it, and carries out the
 * effects it returned strictly in order. An effect's answer (committed,
 * PIN result, printed ...) goes back into the queue as an event: nothing
 * ever steps the session from inside an effect, so the effects of one step
 * all run, in order, before any answer is stepped, and no effect waits.
 *
 * For: the runner (and its tests). Not for: what the effects do (effects.c)
 * or the session's rules. No I/O, no allocation, no clock (the step
 * callback stamps the time).
 */
#ifndef WUFEI_PUMP_H
#define WUFEI_PUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"

#define PUMP_EVENTS_MAX 256 /* waiting events; every effect answers at most once */

struct pump_ops {
	/* feed ev to the session (stamp ev->now_ms first); its effects into out */
	int (*step)(void *ctx, struct session_event *ev, struct session_effects *out);
	/* after each step, before its effects (log the view); may be NULL */
	void (*stepped)(void *ctx);
	/* carry out one effect; post its answer, if any, with pump_post */
	void (*effect)(void *ctx, const struct session_effect *fx);
};

/* Fields private; a plain value. */
struct pump {
	const struct pump_ops *ops;
	void *ctx;
	struct session_event q[PUMP_EVENTS_MAX];
	unsigned head, count;
	bool running;
	uint64_t dropped; /* events refused because the queue was full */
};

void pump_init(struct pump *p, const struct pump_ops *ops, void *ctx);

/*
 * pump_post — queue ev (copied). Outside the loop, runs it until the queue
 * is empty; inside (from an effect), only queues it. Returns WF_OK, or
 * WF_EFULL when the queue is full (the event is dropped and counted: a bug,
 * never expected).
 */
int pump_post(struct pump *p, const struct session_event *ev);

#endif
