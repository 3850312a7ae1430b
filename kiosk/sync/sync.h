/*
 * sync.h — the kiosk's sync client (docs/SYNC-API.md): uploads the journal's
 * outbox to central, pulls down-sync data, opens a new epoch for a new or
 * restored journal, sends heartbeats, and keeps the offset to central's
 * clock.
 *
 * For: the kiosk (a thread of its own, with its own journal connection) and
 * tests (sync_round, one blocking round). Never holds a journal transaction
 * across network I/O: it reads the outbox, lets go, talks to central, then
 * acknowledges in a new transaction — and only for an answer whose
 * body_hash is the hash of the body it sent (a captive portal's "200 OK"
 * empties nothing). An unanswered batch is sent again; central answers
 * `duplicate`, so every record is stored exactly once.
 *
 * Not for: the journal's contents (ledger.h), rules, or the UI.
 */
#ifndef WUFEI_SYNC_H
#define WUFEI_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wf.h"

#define SYNC_BATCH_MAX    500 /* records per batch (SYNC-API limit) */
#define SYNC_ERROR_MAX    200
#define SYNC_URL_MAX      512
/* Acknowledged records the journal keeps: the one default of [central]
 * keep_records (a config that leaves it 0 gets this; kiosk/config should
 * take its default from here rather than repeat the number). */
#define SYNC_KEEP_RECORDS 100000

struct wf_clock;

struct sync_config {
	const char *url;     /* "http://127.0.0.1:8080" or https (no trailing /) */
	const char *ca_file; /* CA bundle for https; NULL = the system's */
	const char *ledger_path;
	uint32_t kiosk;
	uint8_t key_id;
	const uint8_t *secret_key; /* 64 bytes, copied */
	unsigned batch_max;        /* 1..SYNC_BATCH_MAX; 0 = SYNC_BATCH_MAX */
	int timeout_ms;            /* per HTTP request; 0 = 10000 */
	int backoff_min_ms;        /* first retry delay; 0 = 500 */
	int backoff_cap_ms;        /* longest retry delay; 0 = 300000 */
	int heartbeat_every_ms;    /* 0 = 60000 */
	int downsync_every_ms;     /* 0 = 60000 */
	/* The kiosk's IANA time zone (kiosk.ini [kiosk] timezone), reported in
	 * every heartbeat so central shows times in it; NULL = not reported. */
	const char *time_zone;
	/* Pruning: once more than keep_records records are acknowledged, a
	 * CHECKPOINT record is appended behind which the oldest (at least
	 * prune_every of them) may go; once central acknowledges the checkpoint
	 * they are removed from the journal. */
	uint64_t keep_records; /* 0 = SYNC_KEEP_RECORDS */
	uint64_t prune_every;  /* 0 = keep_records / 10 + 1 */
	/* The kiosk's clock (common/clock.h): its UTC time signs requests and
	 * dates EPOCH and CHECKPOINT records (corrected by central's offset);
	 * its monotonic time schedules heartbeats and down-syncs. It also times
	 * the journal's busy retries. NULL = wf_clock_system(). Tests move it. */
	const struct wf_clock *clock;
	wf_log_fn log; /* may be NULL */
	void *log_ctx;
};

/* What staff and metrics see. */
struct sync_status {
	int64_t last_success_ms; /* kiosk clock of the last answered round; 0 = never */
	int64_t outbox_depth;    /* records not yet acknowledged, -1 unknown */
	int64_t offset_ms;       /* central's clock minus ours */
	uint64_t stored, duplicates, conflicts; /* answers counted since start */
	uint64_t rounds_ok, rounds_failed;      /* rounds ended since start */
	uint64_t pruned;                        /* records pruned from the journal since start */
	/* records in the journal central answered `conflict` (it holds other
	 * bytes there), for staff: `wufei-kiosk ledger conflicts`; -1 unknown */
	int64_t conflicts_held;
	uint64_t catalog_version; /* grows each time a down-sync was applied */
	bool epoch_done;          /* central confirmed where this journal continues */
	/* central refused for good (an answer to our request whose error
	 * retrying cannot cure, e.g. 409 seq_exhausted): last_error says which
	 * and that the office must act; rounds are then retried only every
	 * backoff_cap_ms. Cleared by the next round that succeeds. */
	bool refused;
	char last_error[SYNC_ERROR_MAX];
};

struct sync;

/* sync_create — checks the config and opens its own journal handle. */
int sync_create(const struct sync_config *cfg, struct sync **out, char *err, size_t err_len);
void sync_destroy(struct sync *s); /* stops the thread first; NULL is a no-op */

/*
 * sync_epoch — asks central where this journal continues (POST
 * /api/v1/kiosk/epoch). If central holds higher sequence numbers than the
 * journal (a restored or replacement journal), appends an EPOCH record so
 * the next record continues after them. Returns WF_OK or an error.
 */
int sync_epoch(struct sync *s, const char *reason);

/*
 * sync_round — one blocking round: upload batches until the outbox is empty
 * (or a batch fails), then a down-sync and a heartbeat when due (force =
 * now). Returns WF_OK when every step was answered, else the first error
 * (the status says which).
 */
int sync_round(struct sync *s, bool force);

/* sync_start / sync_stop — the background thread: rounds with exponential
 * back-off and jitter on failure, woken early by sync_kick. */
int sync_start(struct sync *s);
void sync_stop(struct sync *s);
void sync_kick(struct sync *s); /* a record was appended: upload soon */

/* sync_status — thread-safe copy. */
void sync_get_status(struct sync *s, struct sync_status *out);

/* sync_backoff_ms — the delay before retry number attempt (1, 2, ...):
 * uniform in [min, min(cap, min * 2^(attempt-1))] from rnd (0..2^32-1). Pure. */
int64_t sync_backoff_ms(int attempt, int64_t min_ms, int64_t cap_ms, uint32_t rnd);

#endif
