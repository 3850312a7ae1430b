/*
 * server.h — wufei-central's HTTP API (docs/SYNC-API.md) on libmicrohttpd.
 *
 * For: `wufei-central serve`: signed kiosk calls (batch, epoch, heartbeat,
 * down-sync), the receipt page /r/<TOKEN> and /R/<TOKEN>, the claim API,
 * central's clock, and the operator's /livez, /readyz and /metrics. Thread
 * pool + epoll; request bodies are read here with a hard cap (no
 * MHD_PostProcessor) and a deadline for the head and for the body, besides a
 * per-address and a total connection cap, so slow clients cannot lock others
 * out. Every answer of 400 or more is logged, one line ("POST
 * /api/v1/sync/batch -> 401"), through the log it is given.
 * Not for: storage details (store.h), sync rules (ingest.h), receipt checks
 * (rcheck.h).
 *
 * Files: server.c (the daemon, reading requests, writing answers), routes.c
 * (the route table: method, path, signed, handler), auth.c (request
 * signatures), api_kiosk.c, api_downsync.c, api_public.c (the handlers),
 * receipt_page.c (the receipt page), answer.c (answers and JSON helpers),
 * replay.c (replayed signed requests), pool.c (which store handle a request
 * uses), deadline.c (head and body deadlines),
 * api_health.c and metrics.c (health probes, the Prometheus metrics),
 * web_*.c (the office pages, on central/web/web.h).
 */
#ifndef WUFEI_CENTRAL_SERVER_H
#define WUFEI_CENTRAL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "wf.h"

#define SERVER_BODY_MAX    (512u * 1024u) /* bytes */
#define SERVER_WINDOW_S    300            /* accepted |kiosk time - central time| */
#define SERVER_THREADS_DEF 4
/* Slow clients (docs/SYNC-API.md "Slow clients"): the defaults of `serve`. */
#define SERVER_HEAD_S_DEF  10   /* accept (or the previous answer) to the end of the head */
#define SERVER_BODY_S_DEF  120  /* end of the head to the end of the body */
#define SERVER_CONNS_DEF   1024 /* connections at once, in all */
#define SERVER_PER_IP_DEF  32   /* connections at once from one address */
#define SERVER_IDLE_S      30   /* no byte either way for this long: closed */
#define SERVER_SILENT_DEF  7200 /* s: a kiosk silent longer counts as silent in /metrics */

struct wf_log;

struct server_config {
	const char *listen;    /* "ADDR:PORT" (IPv4; port 0 = any free port) */
	unsigned threads;      /* thread pool size; 0 = SERVER_THREADS_DEF */
	int64_t time_offset_s; /* added to the system clock (tests only) */
	/* Slow clients: seconds for a request's head and for its body (0 =
	 * SERVER_HEAD_S_DEF, SERVER_BODY_S_DEF); connections at once (0 =
	 * SERVER_CONNS_DEF); per address (0 = SERVER_PER_IP_DEF, -1 = no cap:
	 * behind a proxy every client has the proxy's address). */
	unsigned head_timeout_s;
	unsigned body_timeout_s;
	unsigned max_connections;
	int per_ip_connections;
	int64_t silent_after_s; /* /metrics: kiosks silent longer; 0 = SERVER_SILENT_DEF */
	/* HTTPS: PEM text of the certificate (chain) and its private key, both
	 * or neither (NULL = plain HTTP, e.g. behind a TLS-terminating proxy).
	 * Copied by server_start. */
	const char *tls_cert_pem;
	const char *tls_key_pem;
	struct wf_log *log; /* common/log.h; borrowed, outlives the server; may be NULL */
};

struct server;

/*
 * server_start — listens and serves on its own threads until server_stop.
 * stores[0..nstores-1] (nstores >= 1) are handles to ONE database (the
 * same URL), borrowed, outliving the server: each request uses one of them
 * for all of its store work, so up to nstores requests have a transaction
 * open at once. *out NULL on failure, with why[why_len] filled.
 */
int server_start(struct store *const *stores, size_t nstores, const struct server_config *cfg,
                 struct server **out, char *why, size_t why_len);

/* The bound port (useful with port 0). */
uint16_t server_port(const struct server *srv);

/* server_stop — stops, waits for in-flight requests; NULL is a no-op. */
void server_stop(struct server *srv);

/* server_now — central's clock: UTC seconds plus the configured offset. */
int64_t server_now(const struct server *srv);

#endif
