/* pump.c — the one effect loop (pump.h). */
#include "pump.h"

#include <assert.h>
#include <string.h>

#include "wf.h"

void pump_init(struct pump *p, const struct pump_ops *ops, void *ctx)
{
	assert(p && ops && ops->step && ops->effect);
	memset(p, 0, sizeof *p);
	p->ops = ops;
	p->ctx = ctx;
}

static void run(struct pump *p)
{
	p->running = true;
	while (p->count) {
		struct session_event ev = p->q[p->head];
		p->head = (p->head + 1) % PUMP_EVENTS_MAX;
		p->count--;
		struct session_effects out;
		if (p->ops->step(p->ctx, &ev, &out) != WF_OK)
			continue; /* a malformed event changes nothing */
		if (p->ops->stepped)
			p->ops->stepped(p->ctx);
		for (unsigned i = 0; i < out.n; i++)
			p->ops->effect(p->ctx, &out.fx[i]);
	}
	p->running = false;
}

int pump_post(struct pump *p, const struct session_event *ev)
{
	assert(p && ev);
	if (p->count == PUMP_EVENTS_MAX) {
		p->dropped++;
		return WF_EFULL;
	}
	p->q[(p->head + p->count) % PUMP_EVENTS_MAX] = *ev;
	p->count++;
	if (!p->running)
		run(p);
	return WF_OK;
}
