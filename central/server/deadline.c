/*
 * deadline.c — deadlines for the slow parts of a request that
 * libmicrohttpd has no option for: its connection timeout is an inactivity
 * timeout, which a client sending one byte every few seconds restarts for
 * ever (slowloris). Each connection is watched from accept: its request
 * head must be in within one deadline, its body within another; a
 * connection past its deadline is shut down (shutdown(2), never close(2):
 * libmicrohttpd still owns the descriptor, sees end of file and closes it
 * itself). One thread for all connections; server.c tells it what phase
 * each connection is in. No libmicrohttpd here. See server_private.h.
 */
#include "server_private.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "log.h"

#define DEADLINE_TICK_MS 100 /* how often the watcher looks */

struct deadline_conn {
	int fd;
	int64_t due_ms; /* monotonic ms; 0 = no deadline now */
	bool cut;       /* shut down already */
	struct deadline_conn *prev, *next;
};

struct deadlines {
	pthread_mutex_t lock; /* guards the list and stop */
	pthread_cond_t cond;
	struct deadline_conn *head;
	bool stop;
	pthread_t thread;
	struct wf_log *log;
};

int64_t deadline_now_ms(void)
{
	return wf_clock_mono_ms(wf_clock_system());
}

/* Shuts down every connection past its deadline; how many. Lock held. */
static unsigned cut_late(struct deadlines *d, int64_t now_ms)
{
	unsigned n = 0;
	for (struct deadline_conn *c = d->head; c; c = c->next) {
		if (c->cut || !c->due_ms || c->due_ms > now_ms)
			continue;
		/* The descriptor is still libmicrohttpd's (it closes it only after
		 * telling us, under this lock): shutdown wakes it with end of file. */
		shutdown(c->fd, SHUT_RDWR);
		c->cut = true;
		n++;
	}
	return n;
}

static void *watch(void *arg)
{
	struct deadlines *d = arg;
	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		unsigned n = cut_late(d, deadline_now_ms());
		if (n)
			wf_log_printf(d->log, WF_LOG_WARN,
			              "closed %u connection(s) whose request head or body was not "
			              "in by its deadline",
			              n);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += DEADLINE_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&d->cond, &d->lock, &until);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

int deadlines_start(struct wf_log *log, struct deadlines **out)
{
	*out = NULL;
	struct deadlines *d = calloc(1, sizeof *d);
	if (!d)
		return WF_ENOMEM;
	d->log = log;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&d->lock, NULL);
	if (pthread_create(&d->thread, NULL, watch, d) != 0) {
		pthread_cond_destroy(&d->cond);
		pthread_mutex_destroy(&d->lock);
		free(d);
		return WF_EIO;
	}
	*out = d;
	return WF_OK;
}

void deadlines_stop(struct deadlines *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = true;
	pthread_cond_signal(&d->cond);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	/* the daemon is stopped: every connection told us it closed */
	while (d->head) {
		struct deadline_conn *c = d->head;
		d->head = c->next;
		free(c);
	}
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

struct deadline_conn *deadlines_add(struct deadlines *d, int fd, int64_t due_ms)
{
	struct deadline_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->fd = fd;
	c->due_ms = due_ms;
	pthread_mutex_lock(&d->lock);
	c->next = d->head;
	if (d->head)
		d->head->prev = c;
	d->head = c;
	pthread_mutex_unlock(&d->lock);
	return c;
}

void deadlines_set(struct deadlines *d, struct deadline_conn *c, int64_t due_ms)
{
	if (!c)
		return;
	pthread_mutex_lock(&d->lock);
	c->due_ms = due_ms;
	pthread_mutex_unlock(&d->lock);
}

void deadlines_remove(struct deadlines *d, struct deadline_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&d->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		d->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&d->lock);
	free(c);
}
