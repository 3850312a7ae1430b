/*
 * server_private.h — inside central's HTTP server (private to this folder):
 * the server handle, one request as the handlers see it, the answer they
 * fill, the route table's shape, and the handlers. No libmicrohttpd here:
 * server.c is the only file that talks to it.
 */
#ifndef WUFEI_CENTRAL_SERVER_PRIVATE_H
#define WUFEI_CENTRAL_SERVER_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

#include <jansson.h>

#include "server.h"
#include "signing.h"

#ifdef WUFEI_CRASH_HOOKS
#include "crash_point.h"

/* The test build's crash points (crash_point.c): every and after_commit are
 * set before the server says where it listens; batches is counted atomically
 * (requests on different store handles run at once). */
struct crash_point {
	unsigned every;    /* SIGKILL on every every-th batch; 0 = never */
	bool after_commit; /* false: just before COMMIT; true: just after it */
	unsigned batches;  /* batches seen (__atomic) */
};
#endif

struct server {
	struct MHD_Daemon *d;
	/* The pool of store handles (pool.c): one database, nstores connections.
	 * A request takes one handle for all of its store work (request.store). */
	struct store **stores; /* borrowed, nstores of them */
	unsigned *users;       /* requests holding each handle now (under pool_mu) */
	size_t nstores, next;  /* next: where the round robin looks first */
	pthread_mutex_t pool_mu;
	int64_t offset_s;
	struct wf_log *log;
	uint16_t port;
	char *tls_cert, *tls_key;    /* PEM copies for HTTPS, or NULL */
	struct deadlines *deadlines; /* deadline.c: request head and body deadlines */
	int64_t head_ms, body_ms;    /* those deadlines */
	struct metrics *metrics;     /* metrics.h: requests, latency, records (owned) */
	int64_t silent_after_s;      /* a kiosk silent longer than this counts in /metrics */
#ifdef WUFEI_CRASH_HOOKS
	struct crash_point crash; /* the test build's crash points (crash_point.h) */
#endif
};

/* The signing headers of a request, as sent (NULL when absent). */
struct signed_headers {
	const char *kiosk;     /* X-Wufei-Kiosk */
	const char *key_id;    /* X-Wufei-Key-Id */
	const char *time;      /* X-Wufei-Time */
	const char *signature; /* X-Wufei-Signature */
};

/* One request as the routes and handlers see it. */
struct request {
	const char *method;
	const char *path;            /* decoded path, without the query (what routes match) */
	const char *target;          /* raw request target, with "?query": what was signed */
	bool target_too_long;        /* over SIGNING_PATH_MAX: target is "" */
	const char *cursor;          /* the "cursor" query argument, or NULL */
	const char *lang;            /* the "lang" query argument (pages), or NULL */
	const char *accept_language; /* the Accept-Language header, or NULL */
	const char *body;            /* may be NULL when len is 0 */
	size_t len;                  /* bytes */
	const char *body_hash;       /* hex of the body's hash (signing_hash_body) */
	struct signed_headers headers;
	uint32_t kiosk; /* signed routes: the kiosk that signed (set by auth) */
	/* signed routes (set by auth): BLAKE2b-256 of the signed string, which
	 * names this request byte for byte (the replay memory's key), and the
	 * X-Wufei-Time it was signed at (UTC seconds) */
	uint8_t request_id[WF_HASH_BYTES];
	int64_t signed_s;
	/* for the office pages (office_http.c); NULL when absent */
	const char *cookie;        /* Cookie header */
	const char *content_type;  /* Content-Type header */
	const char *authorization; /* Authorization header (API tokens) */
	const char *fetch_site;    /* Sec-Fetch-Site header ("cross-site": another site's form) */
	const char *client_addr;   /* the peer's IP address as text ("" when unknown) */
	bool tls;   /* HTTPS: served by us, or by a proxy saying X-Forwarded-Proto: https
	             * (cookies get Secure) */
	void *conn; /* the connection, for server_query/header/cookie (server.c) */
	/* The store handle of this request (server_store_take): every store call
	 * the request makes goes to it, under store_lock as before; never
	 * another handle in the same request. */
	struct store *store;
};

/* ---- pool.c: the store handles ---- */

/*
 * server_store_take — the handle a request uses for all of its store work:
 * the one fewest requests hold now (ties: round robin), counted as held
 * until server_store_give. Never NULL. The caller still locks it
 * (store_lock) around each use, as with a single handle: a handle serves
 * one transaction at a time.
 */
struct store *server_store_take(struct server *srv);

/* server_store_give — s (from server_store_take) no longer held by the request. */
void server_store_give(struct server *srv, struct store *s);

/* ---- server.c: more of a request, for the pages (NULL when absent) ---- */

/* The query argument name (?name=value), decoded. */
const char *server_query(const struct request *rq, const char *name);
/* The cookie name's value. */
const char *server_cookie(const struct request *rq, const char *name);

/* What a handler answers. */
struct answer {
	unsigned status;
	json_t *json;      /* JSON body (owned), or NULL with html */
	char *html;        /* malloc'd HTML body, or NULL */
	const char *type;  /* html's Content-Type (static text) when not HTML, else NULL */
	const char *allow; /* 405: the Allow header (static text), else NULL */
	/* the office pages' headers ("" / 0 / false: none) */
	char set_cookie[256];   /* Set-Cookie value of the session (office_form.h builds it) */
	char lang_cookie[160];  /* a second Set-Cookie: the pages' language (web_office.c) */
	char location[256];     /* Location of a 303 */
	char disposition[96];   /* Content-Disposition (a download's file name) */
	unsigned retry_after_s; /* Retry-After of a 429 or 503 */
	bool page_guard;        /* an office page: CSP, no framing, no sniffing, no referrer */
};

/* ---- routes.c ---- */

typedef void (*route_fn)(struct server *srv, const struct request *rq, struct answer *a);

/*
 * One route. methods is the list the Allow header carries ("GET, HEAD");
 * a path ending in '/' matches every path it starts (the receipt pages).
 * A signed route's handler runs only after auth_check accepted the request
 * (rq->kiosk is then the signer).
 */
struct route {
	const char *methods;
	const char *path;
	bool is_signed;
	route_fn handler;
};

/* routes_dispatch — finds the route of rq and runs it: 404 no such path,
 * 405 (with Allow) a method the path does not take. */
void routes_dispatch(struct server *srv, struct request *rq, struct answer *a);

/* routes_class — the metrics class (metrics.h) of a request to path. */
int routes_class(const char *path);

/* ---- auth.c ---- */

/*
 * auth_check — headers, kiosk, key, time window, signature of rq. Returns
 * WF_OK with rq->kiosk set, or fills a's refusal (401, 403, 400, 500) and
 * returns a negative wf_err. Takes the store lock.
 */
int auth_check(struct server *srv, struct request *rq, struct answer *a);

/* ---- deadline.c ---- */

struct deadlines;     /* the watched connections and the thread that watches */
struct deadline_conn; /* one connection */

/* deadline_now_ms — the monotonic clock deadlines are on (ms). */
int64_t deadline_now_ms(void);

/* deadlines_start — the watcher thread; *out NULL on failure. log may be NULL. */
int deadlines_start(struct wf_log *log, struct deadlines **out);

/* deadlines_stop — after the daemon stopped; frees everything; NULL is a no-op. */
void deadlines_stop(struct deadlines *d);

/*
 * deadlines_add — watches socket fd (borrowed: the daemon's) from now: past
 * due_ms (deadline_now_ms; 0 = none) it is shut down (shutdown(2), never
 * closed). NULL when memory is short (the connection is then not watched).
 * deadlines_remove must come before the daemon closes fd.
 */
struct deadline_conn *deadlines_add(struct deadlines *d, int fd, int64_t due_ms);

/* deadlines_set — c's next deadline (0 = none); c NULL is a no-op. */
void deadlines_set(struct deadlines *d, struct deadline_conn *c, int64_t due_ms);

/* deadlines_remove — stops watching c and frees it; NULL is a no-op. */
void deadlines_remove(struct deadlines *d, struct deadline_conn *c);

/* ---- replay.c ---- */

/*
 * replay_recall — whether the signed request rq was answered before (the
 * same bytes, signed at the same time): 1 with that answer in a, 0 not, or
 * a negative wf_err. Call with the store lock held, inside the transaction
 * that would make the change.
 */
int replay_recall(struct server *srv, const struct request *rq, struct answer *a);

/* replay_keep — keeps a (status and JSON) as rq's answer, in the caller's
 * transaction; forgets answers whose requests are out of the window. */
int replay_keep(struct server *srv, const struct request *rq, const struct answer *a);

/* ---- answer.c ---- */

/* answer_error — a's status and a wufei-error-1 body with error and message. */
void answer_error(struct answer *a, unsigned status, const char *error, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * answer_store_failed — a's refusal after the store failed with rc (what:
 * what was not done, e.g. "nothing was committed"): WF_EBUSY (the database
 * is away or restarting) is 503 "unavailable" with Retry-After
 * ANSWER_RETRY_S, which clients retry; anything else 500 "internal".
 */
#define ANSWER_RETRY_S 5
void answer_store_failed(struct answer *a, int rc, const char *what);

/* answer_store_status — the status of a store failure rc for a handler
 * that writes its own body (a page): 503 with a's Retry-After set for
 * WF_EBUSY, else 500. */
unsigned answer_store_status(struct answer *a, int rc);

/* answer_parse_body — rq's body as a JSON object (new reference), or NULL
 * with a 400 malformed_json refusal in a. */
json_t *answer_parse_body(const struct request *rq, struct answer *a);

/* answer_body_kiosk — whether the body's "kiosk" is the signer; else a refusal in a. */
bool answer_body_kiosk(const json_t *j, uint32_t kiosk, struct answer *a);

/* json_text_ok — v is a string of at most max bytes (absent: optional). */
bool json_text_ok(const json_t *v, size_t max, bool optional);

/* json_get_u32 — o[key] as a uint32_t; false when absent or out of range. */
bool json_get_u32(const json_t *o, const char *key, uint32_t *out);

/* parse_u64 — decimal digits only (no sign, no space), at most max. */
int parse_u64(const char *s, uint64_t max, uint64_t *out);

/* ---- page_lang.c ---- */

/*
 * page_lang — the language of a page for a person: query_lang ("zh"|"en",
 * the page's switch) when valid, else the best of Accept-Language by
 * q-value (zh-* Chinese, en-* English, "*" either; equal weights: the one
 * listed first). Nothing to choose by: English when the header asked for
 * other languages ("fr", "fr, *;q=0.1"), else (none, nothing valid, only
 * "*") Chinese. Either may be NULL.
 */
enum wf_lang page_lang(const char *query_lang, const char *accept_language);

/* ---- the handlers ---- */

void api_batch(struct server *srv, const struct request *rq, struct answer *a); /* api_kiosk.c */
void api_epoch(struct server *srv, const struct request *rq, struct answer *a); /* api_kiosk.c */
void api_heartbeat(struct server *srv, const struct request *rq,
                   struct answer *a); /* api_kiosk.c */
void api_downsync(struct server *srv, const struct request *rq,
                  struct answer *a);                                           /* api_downsync.c */
void api_time(struct server *srv, const struct request *rq, struct answer *a); /* api_public.c */

/* ---- api_points.c: the office's points calls ---- */

/* Who makes an office call (authenticated by the caller of the _as handlers). */
struct office_actor {
	char
	    name[64]; /* the office user's or partner token's name: printable, kept in the ledger */
	bool may_claim; /* office operators; a partner token may only redeem */
};

/* POST /api/v1/receipts/claim {token, resident} and POST /api/v1/redeem
 * {resident, points, idempotency_key} for an authenticated actor; body is
 * the parsed request body. They take the store lock. */
void api_claim_as(struct server *srv, const struct request *rq, const json_t *body,
                  const struct office_actor *actor, struct answer *a);
void api_redeem_as(struct server *srv, const struct request *rq, const json_t *body,
                   const struct office_actor *actor, struct answer *a);
/* The routes' handlers: the actor from the request (office_actor_of), then the above. */
void api_claim(struct server *srv, const struct request *rq, struct answer *a);
void api_redeem(struct server *srv, const struct request *rq, struct answer *a);
void receipt_page(struct server *srv, const struct request *rq,
                  struct answer *a);                                            /* receipt_page.c */
void api_livez(struct server *srv, const struct request *rq, struct answer *a); /* api_health.c */
void api_readyz(struct server *srv, const struct request *rq, struct answer *a);  /* api_health.c */
void api_metrics(struct server *srv, const struct request *rq, struct answer *a); /* api_health.c */
void web_office(struct server *srv, const struct request *rq,
                struct answer *a); /* web_office.c: every /office page but login */

/* ---- the office pages (office_pages.c; plumbing in office_http.c, office_http.h) ---- */
void office_login_page(struct server *srv, const struct request *rq, struct answer *a);
void office_home(struct server *srv, const struct request *rq, struct answer *a);
void office_logout(struct server *srv, const struct request *rq, struct answer *a);
void office_password(struct server *srv, const struct request *rq, struct answer *a);
void office_user_role(struct server *srv, const struct request *rq, struct answer *a);

#ifdef WUFEI_CRASH_HOOKS
/* crash_point_ingest — ingest_batch with srv's crash points; the store lock is held. */
int crash_point_ingest(struct server *srv, const struct request *rq, int64_t now_s,
                       json_t **results, uint32_t *highest, char *why, size_t why_len);
#endif

#endif
