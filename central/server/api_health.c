/*
 * api_health.c — GET /livez (the process answers), GET /readyz (the store
 * answers a real query: 200, else 503 with the reason) and GET /metrics
 * (metrics.h's counters and the store's facts in the Prometheus text
 * format). Unsigned, no personal data; for the operator's probes and
 * scraper.
 */
#include "server_private.h"

#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* s answers a real query (store lock held). A handle of the pool may have
 * lost its connection while idle (the database restarted) without knowing
 * it yet: its first ping finds out (WF_EBUSY), a second one reconnects. */
static int ping_now(struct store *s)
{
	int rc = s->ops->ping(s);
	return rc == WF_EBUSY ? s->ops->ping(s) : rc;
}

void api_livez(struct server *srv, const struct request *rq, struct answer *a)
{
	(void)srv;
	(void)rq;
	a->status = 200;
	a->json = json_pack("{s:s, s:s}", "format", "wufei-health-1", "status", "live");
}

void api_readyz(struct server *srv, const struct request *rq, struct answer *a)
{
	(void)srv;
	char why[sizeof rq->store->err];
	store_lock(rq->store);
	int rc = ping_now(rq->store);
	memcpy(why, store_errmsg(rq->store), sizeof why);
	store_unlock(rq->store);
	why[sizeof why - 1] = '\0';
	if (rc) {
		answer_error(a, 503, "not_ready", "storage: %s", why);
		if (rc == WF_EBUSY)
			a->retry_after_s = ANSWER_RETRY_S;
		return;
	}
	a->status = 200;
	a->json = json_pack("{s:s, s:s}", "format", "wufei-health-1", "status", "ready");
}

static int add_reason(void *ctx, const char *reason, int64_t n)
{
	struct metrics_store_facts *f = ctx;
	if (f->nalerts >= sizeof f->alerts / sizeof f->alerts[0])
		return 1; /* more reasons than central raises: the rest left out */
	snprintf(f->alerts[f->nalerts].reason, sizeof f->alerts[0].reason, "%s", reason);
	f->alerts[f->nalerts++].count = n;
	return 0;
}

/* The store's side of the scrape; a store that fails is up = 0, its figures left out. */
static void store_facts(struct server *srv, struct store *s, struct metrics_store_facts *f)
{
	*f = (struct metrics_store_facts){
	    .kiosks = -1, .silent = -1, .silent_after_s = srv->silent_after_s};
	store_lock(s);
	int rc = ping_now(s);
	if (!rc)
		rc = s->ops->kiosk_silence(s, server_now(srv) - srv->silent_after_s, &f->kiosks,
		                           &f->silent);
	if (!rc)
		rc = s->ops->alert_reasons(s, add_reason, f);
	store_unlock(s);
	f->up = rc == WF_OK;
	if (rc) {
		f->kiosks = f->silent = -1;
		f->nalerts = 0;
	}
}

void api_metrics(struct server *srv, const struct request *rq, struct answer *a)
{
	enum { METRICS_TEXT_MAX = 64 * 1024 };
	struct metrics_snapshot snap;
	struct metrics_store_facts facts;
	store_facts(srv, rq->store, &facts);
	metrics_snapshot(srv->metrics, &snap);
	char *text = malloc(METRICS_TEXT_MAX);
	if (!text || metrics_format(&snap, &facts, text, METRICS_TEXT_MAX) < 0) {
		free(text);
		answer_error(a, 500, "internal", "metrics text too large or out of memory");
		return;
	}
	a->status = 200;
	a->html = text;
	a->type = "text/plain; version=0.0.4; charset=utf-8";
}
