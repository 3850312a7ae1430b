/*
 * sync_proxy.h — a small loopback HTTP proxy for the sync fault tests: it sits
 * between the kiosk's sync client and a real wufei-central and misbehaves on
 * purpose (sends a batch twice, drops central's answer, kills central at a
 * chosen point of a request, or plays a captive portal).
 *
 * For: tests/sync only. Not a general HTTP proxy: one request per client
 * connection (every answer it relays says "Connection: close", so libcurl
 * never reuses a connection and never silently re-sends on a reused one),
 * bodies by Content-Length only, requests of at most 1 MiB, answers of at
 * most 16 MiB. Connections are served one at a time by one thread. Its
 * sockets are close-on-exec, so a central started later does not inherit
 * (and keep open) a connection the proxy closed.
 */
#ifndef WUFEI_TESTS_SYNC_PROXY_H
#define WUFEI_TESTS_SYNC_PROXY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

/* What the proxy does with POST /api/v1/sync/batch (every other request is
 * forwarded once, unchanged). */
enum proxy_mode {
	PROXY_FORWARD = 0,      /* forward once, relay the answer */
	PROXY_TWICE_SECOND = 1, /* forward twice, relay the second answer */
	PROXY_TWICE_FIRST = 2,  /* forward, relay the answer, then replay the request */
	PROXY_DROP_ANSWER = 3,  /* forward, wait for central's answer, close without answering */
	PROXY_PORTAL = 4,       /* never forward: answer 200 itself (see portal_variant) */
};

/* Captive-portal answers (PROXY_PORTAL). All say status 200, and all claim a
 * clock ten years ahead (header and JSON): the kiosk must not take it. */
#define PORTAL_CLOCK_AHEAD_S (10LL * 365 * 24 * 3600)
enum proxy_portal {
	PORTAL_NO_HASH = 0,    /* batch-answer JSON, every seq "stored", no body_hash */
	PORTAL_WRONG_HASH = 1, /* the same with the hash of another body */
	PORTAL_HTML = 2,       /* a login page */
};

/* Where PROXY kill points are (kill_stage): SIGKILL kill_pid there, once. */
enum proxy_kill {
	KILL_NONE = 0,
	KILL_BEFORE_FORWARD = 1, /* request read, nothing sent to central yet */
	KILL_MID_BODY = 2,       /* headers and kill_bytes of the body sent */
	KILL_AFTER_SEND = 3,     /* whole request sent, answer not yet read */
	KILL_AFTER_ANSWER = 4,   /* central answered (committed); answer not relayed */
};

struct proxy {
	int listen_fd;
	int port;
	pthread_t thread;
	atomic_int upstream_port; /* central's current port; 0 = nobody there */
	atomic_int mode;          /* enum proxy_mode */
	atomic_int portal_variant;
	atomic_int kill_stage; /* enum proxy_kill; reset to KILL_NONE once done */
	atomic_int kill_pid;
	atomic_long kill_bytes;
	atomic_bool stop;
	atomic_long batches; /* batch requests seen */
	atomic_long kills;   /* kills the proxy carried out */
	atomic_long failed;  /* requests answered by closing (central away or died) */
};

/* proxy_start — listens on 127.0.0.1:0 (p->port) and serves in a thread. 0 on success. */
int proxy_start(struct proxy *p, int upstream_port);

/* proxy_stop — stops the thread and closes everything. */
void proxy_stop(struct proxy *p);

#endif
