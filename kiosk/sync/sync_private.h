/*
 * sync_private.h — what the sync client's files share; the contract is
 * sync.h. One file per part of docs/SYNC-API.md:
 *
 *   sync.c        create / destroy, the thread, status, one round
 *   sync_http.c   one signed request, its answer, central's clock
 *   sync_batch.c  POST /api/v1/sync/batch: the outbox up, acknowledgements,
 *                 and the CHECKPOINT records that let the journal prune
 *   sync_down.c   GET /api/v1/sync/down: the catalogue into the journal
 *   sync_kiosk.c  POST /api/v1/kiosk/epoch and /api/v1/kiosk/heartbeat
 */
#ifndef WUFEI_SYNC_PRIVATE_H
#define WUFEI_SYNC_PRIVATE_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "clock.h"
#include "ledger.h"
#include "signing.h"
#include "sync.h"

#define SYNC_BODY_MAX (512u * 1024u) /* one request body */

struct sync {
	char url[SYNC_URL_MAX];
	char ca_file[SYNC_URL_MAX];
	struct sync_config cfg;
	const struct wf_clock *clock; /* cfg.clock or the system's; never NULL */
	uint8_t secret_key[SIGNING_SECRET_BYTES];
	struct ledger *ledger;
	CURL *curl;
	char *body; /* SYNC_BODY_MAX bytes */
	struct ledger_outbox_item *items;

	pthread_mutex_t lock; /* guards st, stop, kicked */
	pthread_cond_t cond;
	struct sync_status st;
	bool running, stop, kicked;
	pthread_t thread;
	int64_t next_heartbeat_ms, next_downsync_ms; /* the clock's monotonic ms */
	uint64_t prune_refused; /* the checkpoint whose refusal was logged (0 = none) */
};

/* A request's answer. */
struct sync_answer {
	char *data; /* the body, NUL-terminated; free it */
	size_t len;
	bool too_big;
	int64_t central_time; /* from X-Wufei-Central-Time; 0 = none */
	int64_t sent_ms;      /* kiosk clock (UTC ms) when the request left */
};

/* ---- sync_http.c ---- */

/* sync_say — a log line (cfg.log); WARN and ERROR also become last_error. */
void sync_say(struct sync *s, enum wf_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* sync_now_ms — the kiosk's UTC ms corrected by central's clock. */
int64_t sync_now_ms(struct sync *s);

/*
 * sync_request — one signed request; body may be NULL (GET). On return *a
 * holds the answer (free a->data) and the HTTP status is returned, or a
 * negative error for a transport failure (logged). hash_hex: the hash of
 * the body sent, which a genuine answer echoes.
 */
int sync_request(struct sync *s, const char *method, const char *path, const char *body,
                 size_t body_len, struct sync_answer *a, char hash_hex[SIGNING_HASH_HEX_LEN + 1]);

/*
 * sync_answer_json — the parsed answer when it is a 200 that carries our
 * body_hash (and only then is its central_time taken; a 401 clock_skew
 * that echoes our hash corrects the offset too). NULL, logged, otherwise.
 */
json_t *sync_answer_json(struct sync *s, const char *what, int status, const struct sync_answer *a,
                         const char *hash_hex);

/*
 * sync_post_json — serializes body (compact, in insertion order) into
 * s->body, POSTs it to path and returns the parsed genuine answer as
 * sync_answer_json does, or NULL with *status the HTTP status or a negative
 * error. Does not take body.
 */
json_t *sync_post_json(struct sync *s, const char *what, const char *path, const json_t *body,
                       int *status);

/* ---- sync_batch.c ---- */

/* sync_upload_batch — one batch from the outbox: the number of records
 * acknowledged (0 = outbox empty) or an error. */
int sync_upload_batch(struct sync *s);

/* sync_maintain — pruning, both halves: applies a checkpoint central
 * acknowledged, and appends the next one when due. */
int sync_maintain(struct sync *s);

/* ---- sync_down.c ---- */

int sync_downsync(struct sync *s);

/* ---- sync_kiosk.c ---- */

int sync_heartbeat(struct sync *s);

#endif
