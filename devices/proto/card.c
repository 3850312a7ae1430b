/* card.c — the small fixed queue of card events. */
#include "card.h"

void card_queue_clear(struct card_queue *q)
{
	q->head = 0;
	q->count = 0;
}

void card_queue_push(struct card_queue *q, const struct card_event *ev)
{
	if (q->count == CARD_QUEUE_MAX) {
		q->head = (q->head + 1) % CARD_QUEUE_MAX;
		q->count--;
		q->dropped++;
	}
	q->ev[(q->head + q->count) % CARD_QUEUE_MAX] = *ev;
	q->count++;
}

bool card_queue_pop(struct card_queue *q, struct card_event *out)
{
	if (!q->count)
		return false;
	*out = q->ev[q->head];
	q->head = (q->head + 1) % CARD_QUEUE_MAX;
	q->count--;
	return true;
}
