/*
 * device_queue.c — the capped, thread-safe event queue of device.h: device
 * threads push, the main loop pops; an eventfd is readable while events
 * wait. When it is full a scale reading makes room (a newer one supersedes
 * it).
 */
#include "device_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct device_queue {
	pthread_mutex_t mu;
	struct device_event *ev;
	size_t cap, head, len;
	uint64_t dropped;
	int efd;
};

struct device_queue *device_queue_create(size_t cap)
{
	struct device_queue *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cap = cap < 4 ? 4 : cap;
	q->ev = calloc(q->cap, sizeof(*q->ev));
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!q->ev || q->efd < 0) {
		if (q->efd >= 0)
			close(q->efd);
		free(q->ev);
		free(q);
		return NULL;
	}
	pthread_mutex_init(&q->mu, NULL);
	return q;
}

void device_queue_destroy(struct device_queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->mu);
	close(q->efd);
	free(q->ev);
	free(q);
}

int device_queue_fd(const struct device_queue *q)
{
	assert(q);
	return q->efd;
}

uint64_t device_queue_dropped(const struct device_queue *q)
{
	assert(q);
	pthread_mutex_lock((pthread_mutex_t *)&q->mu);
	uint64_t n = q->dropped;
	pthread_mutex_unlock((pthread_mutex_t *)&q->mu);
	return n;
}

/* Remove the oldest reading to make room; false if there is none. */
static bool queue_drop_reading(struct device_queue *q)
{
	for (size_t i = 0; i < q->len; i++) {
		size_t at = (q->head + i) % q->cap;
		if (q->ev[at].kind != DEVICE_EVENT_READING)
			continue;
		for (size_t j = i; j + 1 < q->len; j++)
			q->ev[(q->head + j) % q->cap] = q->ev[(q->head + j + 1) % q->cap];
		q->len--;
		return true;
	}
	return false;
}

void device_queue_push(struct device_queue *q, const struct device_event *e)
{
	uint64_t one = 1;
	pthread_mutex_lock(&q->mu);
	if (q->len == q->cap && (e->kind == DEVICE_EVENT_READING || !queue_drop_reading(q))) {
		q->dropped++;
		pthread_mutex_unlock(&q->mu);
		return;
	}
	q->ev[(q->head + q->len) % q->cap] = *e;
	q->len++;
	/* Under the lock, so a pop that empties the queue and resets the counter
	 * cannot race with this push and lose a wake-up. */
	if (write(q->efd, &one, sizeof(one)) < 0) {
		/* counter overflow cannot happen with a capped queue */
	}
	pthread_mutex_unlock(&q->mu);
}

bool device_queue_pop(struct device_queue *q, struct device_event *out)
{
	assert(q && out);
	uint64_t v;
	bool got = false;
	pthread_mutex_lock(&q->mu);
	if (q->len) {
		*out = q->ev[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		got = true;
	}
	if (q->len == 0 && read(q->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: already reset */
	}
	pthread_mutex_unlock(&q->mu);
	return got;
}
