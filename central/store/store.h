/*
 * store.h — central's storage behind one small interface.
 *
 * For: everything wufei-central keeps: kiosks and their public keys, the
 * journal records kiosks upload (identity (kiosk, seq), bytes kept exactly),
 * tamper alerts, epochs, heartbeats, categories with versioned rates,
 * residents, staff, the card blocklist, the card key, receipt claims.
 * Not for: HTTP, JSON, signatures or the sync rules (duplicate, conflict,
 * chain and points checks live in ingest.c): a backend only stores.
 *
 * Backends: SQLite now ("sqlite:PATH", store_sqlite_*.c); PostgreSQL later
 * behind the same struct store_ops. No SQL outside a backend.
 *
 * A handle is used by one thread at a time: callers serialise with
 * store_lock()/store_unlock() (the HTTP server does). Every function blocks
 * on disk I/O. Negative returns are enum wf_err; store_errmsg() has detail.
 * Times are UTC seconds; points, grams and pieces are integers.
 */
#ifndef WUFEI_CENTRAL_STORE_H
#define WUFEI_CENTRAL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "record.h"
#include "wf.h"

struct store;

/* One journal record as central keeps it. */
struct store_record {
	uint32_t kiosk;
	uint32_t seq;
	uint32_t kind;               /* record.h kind number */
	const uint8_t *bytes;        /* canonical bytes (borrowed) */
	size_t len;                  /* bytes */
	uint8_t hash[WF_HASH_BYTES]; /* chain hash after this record */
	int64_t received_s;          /* central's receive time */
	int64_t resident;            /* resident id, 0 = none / not a drop */
	int64_t points;              /* points the record claims */
	uint32_t flags;              /* STORE_FLAG_* central noticed */
	/* What central reads from the bytes at ingest, kept in columns so the
	 * office's reports and the claim limits never decode bytes at query
	 * time. 0 where the kind has no such field. */
	int64_t time_s;     /* the record's own time (corrected UTC), seconds */
	uint16_t category;  /* drops and bin collections */
	uint8_t unit;       /* drops: enum wf_unit; bins: WF_UNIT_GRAM */
	uint8_t drop_flags; /* drops: WF_DROP_* */
	int64_t qty;        /* drops: grams or pieces; bins: grams */
	int64_t credited;   /* drops: the quantity that earned points */
	uint32_t local_day; /* drops and day closes: yyyymmdd, the kiosk's local day */
};

/* The time zone of a kiosk enrolled without one (and of every kiosk enrolled
 * before central knew time zones); at most STORE_TZ_MAX bytes. */
#define STORE_TZ_DEFAULT "Asia/Shanghai"
#define STORE_TZ_MAX     64

#define STORE_FLAG_CHAIN_BREAK     0x1u
#define STORE_FLAG_POINTS_MISMATCH 0x2u
#define STORE_FLAG_UNKNOWN_RATE    0x4u

struct store_key {
	uint8_t public_key[32];
	int64_t added_s;
	int64_t revoked_s;          /* 0 = not revoked */
	uint32_t revoked_after_seq; /* highest seq central held when it was revoked */
};

struct store_resident {
	int64_t id;
	char card_hash[WF_HASH_HEX];
	char name[64];   /* masked, e.g. "王*" */
	char status[16]; /* "active" | "blocked" */
	char block_reason[128];
	int64_t points_balance; /* base + points of stored drops */
};

struct store_staff {
	int64_t id;
	char card_hash[WF_HASH_HEX];
	char name[64];
	char role[16];      /* "staff" | "admin" */
	char pin_hash[192]; /* crypto_pwhash_str */
};

struct store_block {
	char card_hash[WF_HASH_HEX];
	char reason[128];
};

struct store_rate {
	uint16_t category;
	uint32_t version;
	enum wf_unit unit;
	int64_t rate;
	int64_t created_s;
};

/* One kiosk as the office sees it: enrolment, journal and last heartbeat. */
struct store_kiosk_info {
	uint32_t kiosk;
	char name[64];
	uint32_t highest_seq;  /* highest seq central holds (0 = none) */
	int64_t records;       /* records central holds */
	int64_t heartbeat_s;   /* central time of the last heartbeat; 0 = never */
	uint32_t last_seq;     /* the kiosk's own last seq at that heartbeat */
	uint32_t outbox_depth; /* records waiting on the kiosk at that heartbeat */
	char software_version[40];
	char devices[512]; /* the heartbeat's devices JSON (truncated) */
};

struct store_alert {
	int64_t id;
	uint32_t kiosk;
	uint32_t seq;
	char reason[32]; /* "conflict", "chain_break", "points_mismatch", "unknown_rate" */
	char detail[256];
	size_t bytes_len; /* length of the kept newcomer bytes (conflicts), else 0 */
	int64_t received_s;
};

/* Where a kiosk is, for the pages residents see. */
struct store_kiosk_place {
	char name[64]; /* as enrolled (--name), may be "" */
	char time_zone[STORE_TZ_MAX +
	               1]; /* IANA zone ("Asia/Shanghai"); STORE_TZ_DEFAULT unless set */
};

/* The office pages' dashboard: drops of one local day at one kiosk in one
 * category, summed (web pages; the report module's daily totals may
 * replace it). */
struct store_web_total {
	uint32_t local_day; /* yyyymmdd, the kiosk's local day */
	uint32_t kiosk;
	uint16_t category;
	uint8_t unit;   /* enum wf_unit */
	int64_t drops;  /* records */
	int64_t qty;    /* grams or pieces */
	int64_t points; /* points the drops earned */
};

/* One record as the office pages show it: its row (bytes NULL unless the
 * call copies them) and the resident's masked name ("" when none). */
struct store_web_record {
	struct store_record r;
	char resident_name[64];
};

/* Callbacks for store_read_catalog; any may be NULL; non-zero return stops. */
struct store_catalog_fns {
	void *ctx;
	int (*category)(void *ctx, const struct wf_category *c);
	int (*resident)(void *ctx, const struct store_resident *r);
	int (*staff)(void *ctx, const struct store_staff *s);
	int (*block)(void *ctx, const struct store_block *b);
	int (*deleted)(void *ctx, const char *table, const char *key);
	int (*rate)(void *ctx, const struct store_rate *r); /* every version (rates list) */
};

/* Backend table. Every function returns enum wf_err unless said otherwise. */
struct store_ops {
	void (*close)(struct store *s);
	int (*begin)(struct store *s);
	int (*commit)(struct store *s);
	int (*rollback)(struct store *s);
	int (*kiosk_add)(struct store *s, uint32_t kiosk, const char *name, int64_t now_s);
	int (*kiosk_exists)(struct store *s, uint32_t kiosk); /* 1, 0 or error */
	int (*key_add)(struct store *s, uint32_t kiosk, uint32_t key_id, const uint8_t pk[32],
	               int64_t now_s);
	int (*key_get)(struct store *s, uint32_t kiosk, uint32_t key_id, struct store_key *out);
	int (*key_revoke)(struct store *s, uint32_t kiosk, uint32_t key_id, int64_t now_s);
	/* 1 inserted, 0 (kiosk, seq) already there (nothing changed), or error */
	int (*record_insert)(struct store *s, const struct store_record *r);
	/* 1 found (bytes copied into buf[cap], *len set, hash filled), 0 absent, or error */
	int (*record_get)(struct store *s, uint32_t kiosk, uint32_t seq, uint8_t *buf, size_t cap,
	                  size_t *len, uint8_t hash[WF_HASH_BYTES]);
	/* highest stored seq (0 if none) and its hash (zeros if none) */
	int (*record_highest)(struct store *s, uint32_t kiosk, uint32_t *seq,
	                      uint8_t hash[WF_HASH_BYTES]);
	int (*record_count)(struct store *s, int64_t *count);
	int (*alert_add)(struct store *s, uint32_t kiosk, uint32_t seq, const char *reason,
	                 const uint8_t *bytes, size_t len, const char *detail, int64_t now_s);
	int (*alert_count)(struct store *s, int64_t *count);
	/* every kiosk by number; fn returning non-zero stops */
	int (*kiosk_list)(struct store *s, int (*fn)(void *ctx, const struct store_kiosk_info *k),
	                  void *ctx);
	/* every alert, oldest first; fn returning non-zero stops */
	int (*alert_list)(struct store *s, int (*fn)(void *ctx, const struct store_alert *a),
	                  void *ctx);
	int (*epoch_open)(struct store *s, uint32_t kiosk, uint32_t start_seq, const char *reason,
	                  uint32_t local_last_seq, int64_t now_s, uint32_t *epoch);
	int (*heartbeat_put)(struct store *s, uint32_t kiosk, uint32_t last_seq,
	                     uint32_t outbox_depth, const char *software_version,
	                     const char *devices_json, int64_t now_s);
	/* new rate version for c (c->rate_version is set on success) */
	int (*rate_set)(struct store *s, struct wf_category *c, int64_t now_s);
	int (*rate_get)(struct store *s, uint16_t category, uint32_t version,
	                struct store_rate *out);
	int (*resident_put)(struct store *s, const struct store_resident *r);
	int (*resident_block)(struct store *s, int64_t id, const char *reason);
	int (*resident_remove)(struct store *s, int64_t id);
	/* marks a resident changed for down-sync (its balance moved); unknown id is not an error */
	int (*resident_touch)(struct store *s, int64_t id);
	int (*staff_put)(struct store *s, const struct store_staff *st);
	int (*staff_remove)(struct store *s, int64_t id);
	int (*block_put)(struct store *s, const struct store_block *b);
	int (*card_key_get)(struct store *s, uint32_t *version, uint8_t key[32]);
	/* since_rev < 0: everything; else changes after since_rev incl. deletions */
	int (*catalog_read)(struct store *s, int64_t since_rev, const struct store_catalog_fns *fns,
	                    int64_t *rev_now);
	/* 1 claimed now, 0 claimed before (*claimed_s = first claim), or error */
	int (*claim)(struct store *s, uint32_t kiosk, uint32_t seq, int64_t now_s,
	             int64_t *claimed_s);
	/* 1 claimed (*claimed_s set), 0 not claimed */
	int (*claim_get)(struct store *s, uint32_t kiosk, uint32_t seq, int64_t *claimed_s);
	/*
	 * Replay memory of signed requests that change something (docs/SYNC-API.md
	 * "Replays"): request_id is the BLAKE2b-256 of the signed string (one
	 * request, byte for byte). reply_get: 1 found (*status and the answer's
	 * JSON text into answer[cap], NUL-terminated), 0 absent, or error
	 * (WF_ENOMEM: it does not fit). reply_put: keeps the answer of a request
	 * signed at time_s, in the caller's transaction, and forgets every answer
	 * of a request signed before forget_before_s (out of the time window: no
	 * replay of it passes the signature check any more).
	 */
	int (*reply_get)(struct store *s, uint32_t kiosk, const uint8_t request_id[WF_HASH_BYTES],
	                 unsigned *status, char *answer, size_t cap);
	int (*reply_put)(struct store *s, uint32_t kiosk, const uint8_t request_id[WF_HASH_BYTES],
	                 int64_t time_s, unsigned status, const char *answer,
	                 int64_t forget_before_s);
	/* ---- health and kiosk time zones (store_sqlite_health.c) ---- */
	/* a real query on the storage (readiness): WF_OK, or why it failed in store_errmsg
	 * (a database file moved or deleted under the running process is a failure) */
	int (*ping)(struct store *s);
	/* kiosks enrolled, and those whose last heartbeat (else enrolment) is before before_s */
	int (*kiosk_silence)(struct store *s, int64_t before_s, int64_t *enrolled, int64_t *silent);
	/* tamper alerts held, per reason (ascending); fn returning non-zero stops */
	int (*alert_reasons)(struct store *s, int (*fn)(void *ctx, const char *reason, int64_t n),
	                     void *ctx);
	/* the kiosk's name and time zone; 1 found, 0 no such kiosk (out untouched) */
	int (*kiosk_place)(struct store *s, uint32_t kiosk, struct store_kiosk_place *out);
	/* sets it (the caller checked it is a zone the system knows); WF_ENOENT no such kiosk */
	int (*kiosk_tz_set)(struct store *s, uint32_t kiosk, const char *tz);
	/* ---- the office pages (store_sqlite_web.c) ---- */
	/* drops of local days [from_day, to_day] (kiosk 0: every kiosk), summed
	 * by day, kiosk and category in that order; fn returning non-zero stops */
	int (*web_drop_totals)(struct store *s, uint32_t from_day, uint32_t to_day, uint32_t kiosk,
	                       int (*fn)(void *ctx, const struct store_web_total *t), void *ctx);
	/* kiosk's records from its first to its last record of local_day, by
	 * seq, those of other kinds (bins, staff actions) between them included;
	 * r.bytes is NULL; fn returning non-zero stops */
	int (*web_day_records)(struct store *s, uint32_t kiosk, uint32_t local_day,
	                       int (*fn)(void *ctx, const struct store_web_record *r), void *ctx);
	/* 1 found (*out filled, its bytes copied into buf[cap] and out->r.bytes
	 * pointing there), 0 absent, or error */
	int (*web_record_get)(struct store *s, uint32_t kiosk, uint32_t seq,
	                      struct store_web_record *out, uint8_t *buf, size_t cap);
};

/* Common head of every backend's handle. Backends embed it first. */
struct store {
	const struct store_ops *ops;
	char err[256]; /* detail of the last failure */
	void *lock;    /* pthread mutex, owned by store.c */
};

/*
 * store_open — opens (creating and migrating if needed) the store at url.
 * "sqlite:PATH" only, for now. *out is NULL on failure and why[why_len]
 * says why. Blocking.
 */
int store_open(const char *url, struct store **out, char *why, size_t why_len);

/*
 * store_record_facts — fills r's column facts (time_s .. local_day, and
 * resident and points for a drop) from the decoded record rec; the other
 * fields of r are left as they are. Pure.
 */
void store_record_facts(struct store_record *r, const struct wf_record *rec);

/* store_close — closes; NULL is a no-op. */
void store_close(struct store *s);

/* Detail of the last failure on s; never NULL. */
const char *store_errmsg(const struct store *s);

/* Serialise use between threads. */
void store_lock(struct store *s);
void store_unlock(struct store *s);

/* store_set_err — for backends: printf-style detail into s->err. */
void store_set_err(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Backend constructors (store.c dispatches on the URL scheme). */
int store_sqlite_open(const char *path, struct store **out, char *why, size_t why_len);

#endif
