/*
 * server.h — wufei-central's HTTP API (docs/SYNC-API.md) on libmicrohttpd.
 *
 * For: `wufei-central serve`: signed kiosk calls (batch, epoch, heartbeat,
 * down-sync), the receipt page /r/<TOKEN> and /R/<TOKEN>, the claim API.
 * Thread pool + epoll; request bodies are read here with a hard cap (no
 * MHD_PostProcessor). Not for: storage details (store.h), sync rules
 * (ingest.h), receipt checks (rcheck.h).
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

struct server_config {
	const char *listen;    /* "ADDR:PORT" (IPv4; port 0 = any free port) */
	unsigned threads;      /* thread pool size; 0 = SERVER_THREADS_DEF */
	int64_t time_offset_s; /* added to the system clock (tests only) */
	/* HTTPS: PEM text of the certificate (chain) and its private key, both
	 * or neither (NULL = plain HTTP, e.g. behind a TLS-terminating proxy).
	 * Copied by server_start. */
	const char *tls_cert_pem;
	const char *tls_key_pem;
	/* Tests only: SIGKILL itself on the crash_every-th batch (0 = never),
	 * just before COMMIT (crash_after_commit 0) or after COMMIT but before
	 * the answer is sent (1). */
	unsigned crash_every;
	int crash_after_commit;
	wf_log_fn log; /* may be NULL */
	void *log_ctx;
};

struct server;

/*
 * server_start — listens and serves on its own threads until server_stop.
 * store is borrowed and must outlive the server. *out NULL on failure, with
 * why[why_len] filled.
 */
int server_start(struct store *store, const struct server_config *cfg, struct server **out,
                 char *why, size_t why_len);

/* The bound port (useful with port 0). */
uint16_t server_port(const struct server *srv);

/* server_stop — stops, waits for in-flight requests; NULL is a no-op. */
void server_stop(struct server *srv);

/* central_now — central's clock: UTC seconds plus the configured offset. */
int64_t server_now(const struct server *srv);

#endif
