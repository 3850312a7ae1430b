/*
 * crash_point.c — the fixed crash points of the exactly-once tests (see
 * crash_point.h). Compiled only into the test build of the server
 * (WUFEI_CRASH_HOOKS); wufei-central has none of it.
 */
#include "server_private.h"

#include <signal.h>
#include <unistd.h>

#include "ingest.h"

#ifndef WUFEI_CRASH_HOOKS
#error "crash_point.c belongs to the test build only (WUFEI_CRASH_HOOKS)"
#endif

static void crash_now(void *ctx)
{
	(void)ctx;
	kill(getpid(), SIGKILL);
}

void server_crash_at(struct server *srv, unsigned every, bool after_commit)
{
	srv->crash = (struct crash_point){.every = every, .after_commit = after_commit};
}

int crash_point_ingest(struct server *srv, const struct request *rq, int64_t now_s,
                       json_t **results, uint32_t *highest, char *why, size_t why_len)
{
	struct crash_point *cp = &srv->crash;
	bool crash =
	    cp->every && __atomic_add_fetch(&cp->batches, 1, __ATOMIC_RELAXED) % cp->every == 0;
	int rc =
	    ingest_batch_hooked(rq->store, rq->kiosk, rq->body, rq->len, now_s, results, highest,
	                        why, why_len, crash && !cp->after_commit ? crash_now : NULL, NULL);
	if (crash && cp->after_commit && rc == WF_OK)
		crash_now(NULL); /* committed, answer never sent */
	return rc;
}
