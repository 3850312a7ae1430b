/*
 * store.h — central's storage behind one small interface.
 *
 * For: everything wufei-central keeps: kiosks and their public keys, the
 * journal records kiosks upload (identity (kiosk, seq), bytes kept exactly),
 * tamper alerts, epochs, heartbeats, categories with versioned rates,
 * residents, staff, the card blocklist, the card key, receipt claims, the
 * points ledger (entries never updated in place, with a running total per
 * resident kept in the same transaction as each entry); the office's users,
 * sessions, audit log, login failures and API tokens; the summaries the
 * office's reports read (kept at ingest) and day closes.
 * Not for: HTTP, JSON, signatures or the sync rules (duplicate, conflict,
 * chain and points checks live in ingest.c): a backend only stores.
 *
 * Backends: SQLite ("sqlite:PATH", store_sqlite_*.c) and PostgreSQL
 * ("postgresql://..." or "postgres://...", a libpq URL; store_pg_*.c),
 * behind the same struct store_ops. No SQL outside a backend.
 *
 * A handle is used by one thread at a time: callers serialise with
 * store_lock()/store_unlock() (the HTTP server does). Several handles, in
 * one process or several, may share one database: what must not
 * interleave between them takes store_ops.lock. Every function blocks on
 * disk or network I/O; WF_EBUSY means the database is away or busy and a
 * retry later may succeed. Negative returns are enum wf_err; store_errmsg() has detail.
 * Times are UTC seconds; points, grams and pieces are integers.
 */
#ifndef WUFEI_CENTRAL_STORE_H
#define WUFEI_CENTRAL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "record.h"
#include "store_office.h"
#include "store_report.h"
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
#define STORE_FLAG_ANON_CAP        0x8u /* anonymous drops earned over their day's cap */

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
	int64_t points_balance; /* read: the sum of the resident's points entries;
	                         * resident_put of a new resident: its opening balance */
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
	bool has_anon_cap;    /* the version's anonymous daily cap (wf_category) */
	int64_t anon_cap_qty; /* g or pieces per kiosk per local day, if has_anon_cap */
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

/* One entry of the points ledger (DESIGN "Points are a ledger"). */
enum store_points_kind {
	STORE_POINTS_EARNED = 1,   /* a resident's drop, written at ingest */
	STORE_POINTS_CLAIMED = 2,  /* a receipt claimed onto the resident */
	STORE_POINTS_REDEEMED = 3, /* spent (negative points), with an idempotency key */
	STORE_POINTS_ADJUSTED = 4, /* by an admin with a reason; also the opening balance */
};

#define STORE_POINTS_ACTOR_MAX  64  /* bytes with the NUL */
#define STORE_POINTS_REASON_MAX 160 /* bytes with the NUL */
#define STORE_POINTS_KEY_MAX    72  /* bytes with the NUL: an idempotency key */

struct store_points_entry {
	int64_t id; /* set by points_append */
	int64_t resident;
	enum store_points_kind kind;
	int64_t points; /* signed: redeemed entries are negative */
	uint32_t kiosk; /* earned and claimed: the record (kiosk, seq); else 0 */
	uint32_t seq;
	int64_t at_s;                         /* central's time */
	char actor[STORE_POINTS_ACTOR_MAX];   /* "kiosk", an office user, a partner token */
	char reason[STORE_POINTS_REASON_MAX]; /* adjustments: why; else "" */
	char key[STORE_POINTS_KEY_MAX];       /* redemptions: the idempotency key; else "" */
	int64_t balance_after; /* history only: the running balance after this entry */
};

/* A receipt claimed onto a resident (claims table). */
struct store_claim {
	uint32_t kiosk;
	uint32_t seq;
	int64_t resident; /* 0: a claim from before claims named a resident */
	uint16_t category;
	uint32_t local_day; /* the drop's local day, yyyymmdd */
	int64_t qty;        /* grams or pieces the claim credited (within the daily limit) */
	int64_t points;     /* points it moved to the resident */
	char actor[STORE_POINTS_ACTOR_MAX];
	int64_t claimed_s;
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

/* What store_ops.lock serialises. */
enum store_lock_scope {
	STORE_LOCK_KIOSK = 1,    /* a kiosk's batches (id: the kiosk number) */
	STORE_LOCK_RESIDENT = 2, /* a resident's balance and daily limits (id: resident) */
	STORE_LOCK_CLOSE = 3,    /* day closes (id: the local day) */
};

/* Backend table. Every function returns enum wf_err unless said otherwise. */
struct store_ops {
	void (*close)(struct store *s);
	int (*begin)(struct store *s);
	int (*commit)(struct store *s);
	int (*rollback)(struct store *s);
	/*
	 * lock — inside a transaction: serialises it with every other
	 * transaction, through any handle in any process, that locks the same
	 * (scope, id), until it commits or rolls back. Take it right after
	 * begin, before reading what the transaction decides on. SQLite: its
	 * writers are serialised already (BEGIN IMMEDIATE); nothing to do.
	 */
	int (*lock)(struct store *s, enum store_lock_scope scope, int64_t id);
	int (*kiosk_add)(struct store *s, uint32_t kiosk, const char *name, int64_t now_s);
	int (*kiosk_exists)(struct store *s, uint32_t kiosk); /* 1, 0 or error */
	int (*key_add)(struct store *s, uint32_t kiosk, uint32_t key_id, const uint8_t pk[32],
	               int64_t now_s);
	int (*key_get)(struct store *s, uint32_t kiosk, uint32_t key_id, struct store_key *out);
	int (*key_revoke)(struct store *s, uint32_t kiosk, uint32_t key_id, int64_t now_s);
	/* 1 inserted, 0 (kiosk, seq) already there (nothing changed), or error */
	int (*record_insert)(struct store *s, const struct store_record *r);
	/* 1 found (bytes copied into buf[cap], *len set, hash filled), 0 absent, or error
	 */
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
	/*
	 * Marks a resident changed for down-sync (its balance moved), in the
	 * caller's transaction or its own; an unknown id is not an error. The
	 * contract, both backends: no catalog_read ever returns a cursor
	 * (*rev_now) from which a later read would skip a committed touch it
	 * did not carry (with the balance committed with it); and once the
	 * touching transaction has committed, the next catalog_read outside a
	 * transaction (any handle, any central) from an older cursor carries
	 * the resident, unless another transaction still running has touched
	 * it too (then the first read after that one ends). A touch may take
	 * its revision late: SQLite writes one at once (one writer);
	 * PostgreSQL only marks the resident (no row shared by every batch)
	 * and catalog_read stamps the marks first (store_pg_catalogue.c,
	 * "Touches"). Several touches in one transaction: in ascending id
	 * (rows locked in one order, no deadlock between batches).
	 */
	int (*resident_touch)(struct store *s, int64_t id);
	int (*staff_put)(struct store *s, const struct store_staff *st);
	int (*staff_remove)(struct store *s, int64_t id);
	int (*block_put)(struct store *s, const struct store_block *b);
	int (*card_key_get)(struct store *s, uint32_t *version, uint8_t key[32]);
	/* since_rev < 0: everything; else changes after since_rev incl. deletions */
	int (*catalog_read)(struct store *s, int64_t since_rev, const struct store_catalog_fns *fns,
	                    int64_t *rev_now);
	/* The claim row c (kiosk, seq once): 1 written now, 0 claimed before
	 * (*first filled with that claim; may be NULL), or error. Writes no
	 * points: rcheck_claim appends the entry in the same transaction. */
	int (*claim)(struct store *s, const struct store_claim *c, struct store_claim *first);
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
	/* kiosks enrolled, and those whose last heartbeat (else enrolment) is before
	 * before_s */
	int (*kiosk_silence)(struct store *s, int64_t before_s, int64_t *enrolled, int64_t *silent);
	/* tamper alerts held, per reason (ascending); fn returning non-zero stops */
	int (*alert_reasons)(struct store *s, int (*fn)(void *ctx, const char *reason, int64_t n),
	                     void *ctx);
	/* the kiosk's name and time zone; 1 found, 0 no such kiosk (out untouched) */
	int (*kiosk_place)(struct store *s, uint32_t kiosk, struct store_kiosk_place *out);
	/* sets it (the caller checked it is a zone the system knows); WF_ENOENT no such
	 * kiosk */
	int (*kiosk_tz_set)(struct store *s, uint32_t kiosk, const char *tz);
	/* 1 claimed (*out filled), 0 not claimed, or error */
	int (*claim_read)(struct store *s, uint32_t kiosk, uint32_t seq, struct store_claim *out);

	/* ---- the points ledger (store_sqlite_points.c) ---- */
	/*
	 * Appends entry e (e->id set) and moves the resident's running total by
	 * e->points, in the caller's transaction or its own; *balance_after (may
	 * be NULL) is the total after it. Never updates an entry. WF_EEXIST: an
	 * entry with e->key, or an earned/claimed entry for e's (kiosk, seq),
	 * exists (nothing written).
	 */
	int (*points_append)(struct store *s, struct store_points_entry *e, int64_t *balance_after);
	/*
	 * Appends the n earned entries e[0..n) (ingest: a batch's drops) in the
	 * caller's transaction, moving each resident's running total once by
	 * the sum of its entries. WF_EEXIST as points_append.
	 */
	int (*points_earn)(struct store *s, const struct store_points_entry *e, size_t n);
	/* The resident's balance (its running total; 0 without entries). */
	int (*points_balance)(struct store *s, int64_t resident, int64_t *balance);
	/* 1 an entry with idempotency key key (*out filled), 0 none, or error */
	int (*points_by_key)(struct store *s, const char *key, struct store_points_entry *out);
	/* the resident's entries oldest first (balance_after filled); fn non-zero stops */
	int (*points_history)(struct store *s, int64_t resident,
	                      int (*fn)(void *ctx, const struct store_points_entry *e), void *ctx);
	/*
	 * Every resident with entries or a running total: fn(ctx, resident,
	 * total, sum of entries) for each whose running total differs from the
	 * sum; *residents = how many were checked. One read transaction.
	 */
	int (*points_check)(struct store *s,
	                    int (*fn)(void *ctx, int64_t resident, int64_t total, int64_t sum),
	                    void *ctx, int64_t *residents);
	/* What the resident already has of the category's daily limit on local_day:
	 * the credited quantity of its drops plus what its claims credited. */
	int (*points_day_used)(struct store *s, int64_t resident, uint16_t category,
	                       uint32_t local_day, int64_t *qty);
	/* 1 the resident is enrolled (*status "active" | "blocked"), 0 not, or error */
	int (*resident_status)(struct store *s, int64_t id, char status[16]);
	/* the category's current daily limit (0 = none); WF_ENOENT no such category */
	int (*category_limit)(struct store *s, uint16_t category, int64_t *daily_limit);
	/*
	 * anon_day — for the anonymous daily cap's check (DESIGN "Anonymous
	 * drops"): into *credited the credited quantity of the anonymous drops
	 * (WF_DROP_ANONYMOUS) of category at kiosk on local_day that central
	 * holds with a seq below before_seq (what the kiosk had counted when it
	 * recorded drop before_seq, as far as central knows). Indexed; reads.
	 */
	int (*anon_day)(struct store *s, uint32_t kiosk, uint16_t category, uint32_t local_day,
	                uint32_t before_seq, int64_t *credited);

	/* ---- the office: users, sessions, audit, login failures, API tokens ---- */
	/* adds u (id, created_s, changed_s set); WF_EEXIST when the name is taken */
	int (*user_add)(struct store *s, struct store_user *u);
	/* 1 found (*out filled), 0 no such user, or error; by name, or by id when name is NULL */
	int (*user_get)(struct store *s, const char *name, int64_t id, struct store_user *out);
	/* new password hash and/or role (NULL: unchanged); ends the user's sessions when the
	 * password changes; 1 changed, 0 no such user */
	int (*user_update)(struct store *s, const char *name, const char *pw_hash, const char *role,
	                   int64_t now_s);
	/* removes the user and their sessions; 1 removed, 0 no such user */
	int (*user_remove)(struct store *s, const char *name);
	/* every user by name; fn returning non-zero stops */
	int (*user_list)(struct store *s, int (*fn)(void *ctx, const struct store_user *u),
	                 void *ctx);
	int (*session_add)(struct store *s, const struct store_session *se);
	/* 1 found, 0 absent, or error */
	int (*session_get)(struct store *s, const uint8_t id_hash[32], struct store_session *out);
	int (*session_touch)(struct store *s, const uint8_t id_hash[32], int64_t now_s);
	/* removes one session (absent is not an error), and every session seen before
	 * idle_before_s or created before created_before_s (expired) */
	int (*session_remove)(struct store *s, const uint8_t id_hash[32], int64_t idle_before_s,
	                      int64_t created_before_s);
	/* a->id is set */
	int (*audit_add)(struct store *s, struct store_audit *a);
	/* every line, oldest first; fn returning non-zero stops */
	int (*audit_list)(struct store *s, int (*fn)(void *ctx, const struct store_audit *a),
	                  void *ctx);
	/* a failed login for key ("user:NAME" or "addr:ADDR") at now_s; forgets failures
	 * older than forget_before_s (all keys) */
	int (*login_failure_add)(struct store *s, const char *key, int64_t now_s,
	                         int64_t forget_before_s);
	/* failures of key since since_s: how many and the latest time (0 if none) */
	int (*login_failures)(struct store *s, const char *key, int64_t since_s, int64_t *count,
	                      int64_t *last_s);
	int (*login_failures_clear)(struct store *s, const char *key);
	/* adds t (id set); the hash is unique */
	int (*token_add)(struct store *s, struct store_token *t);
	/* 1 found by hash (revoked ones too: look at revoked_s), 0 absent, or error */
	int (*token_find)(struct store *s, const uint8_t hash[32], struct store_token *out);
	/* every token by id; fn returning non-zero stops */
	int (*token_list)(struct store *s, int (*fn)(void *ctx, const struct store_token *t),
	                  void *ctx);
	/* 1 revoked now, 0 no such live token */
	int (*token_revoke)(struct store *s, int64_t id, int64_t now_s);

	/* ---- reports (store_sqlite_report.c); fn returning non-zero stops ---- */
	/* daily rows in f, by local day, kiosk, category */
	int (*report_daily)(struct store *s, const struct store_report_filter *f,
	                    int (*fn)(void *ctx, const struct store_daily_row *r), void *ctx);
	/*
	 * report_ledger_flows — points claimed per (kiosk, local day, category)
	 * of the claimed receipts' drops in f; and, when f names no kiosk and no
	 * category, points redeemed per UTC day of central in rows with kiosk
	 * and category 0 (a redemption is a resident's, not a kiosk's).
	 */
	int (*report_ledger_flows)(struct store *s, const struct store_report_filter *f,
	                           int (*fn)(void *ctx, const struct store_ledger_flow *r),
	                           void *ctx);
	/* every kiosk (or f->kiosk) with its last heartbeat, by number */
	int (*report_kiosks)(struct store *s, const struct store_report_filter *f,
	                     int (*fn)(void *ctx, const struct store_kiosk_beat *k), void *ctx);
	/* the runs of seq central holds, by kiosk and seq (kept at ingest) */
	int (*report_seq_ranges)(struct store *s, const struct store_report_filter *f,
	                         int (*fn)(void *ctx, const struct store_seq_range *r), void *ctx);
	/* records received more than late_after_s (>= STORE_LATE_MIN_S) after their
	 * time, by kiosk and seq */
	int (*report_late)(struct store *s, const struct store_report_filter *f,
	                   int64_t late_after_s,
	                   int (*fn)(void *ctx, const struct store_late_record *r), void *ctx);
	/* bin collections in f (from/to: the collection's UTC day), by kiosk and seq */
	int (*report_bins)(struct store *s, const struct store_report_filter *f,
	                   int (*fn)(void *ctx, const struct store_bin_row *r), void *ctx);
	/* (kiosk, day) pairs in f with a kiosk DAY_CLOSE record or a central close */
	int (*report_closes)(struct store *s, const struct store_report_filter *f,
	                     int (*fn)(void *ctx, const struct store_close_row *r), void *ctx);
	/*
	 * report_residents — every resident (enrolled, or with points entries)
	 * by id, with what moved in f's days (f->kiosk and f->category are not
	 * used) and the days they were at or over near_pct (1..100) percent of
	 * a daily limit (store_resident_row). Reads the points ledger, the
	 * claims and the records' fact columns (store_sqlite_residents.c).
	 */
	int (*report_residents)(struct store *s, const struct store_report_filter *f,
	                        int64_t near_pct,
	                        int (*fn)(void *ctx, const struct store_resident_row *r),
	                        void *ctx);
	/* the drops behind (kiosk, local_day[, category]), by seq */
	int (*report_drops)(struct store *s, uint32_t kiosk, uint32_t local_day, uint16_t category,
	                    int (*fn)(void *ctx, const struct store_drop_row *r), void *ctx);
	/*
	 * day_close — the office closes local_day at kiosk (0: every kiosk): the
	 * day's totals frozen under a new running number, in one transaction. A
	 * kiosk whose day is closed already is left as it is unless again. fn
	 * (may be NULL) hears of each kiosk: its close number and whether it is
	 * new (1) or the earlier one (0). WF_ENOENT: no such kiosk.
	 */
	int (*day_close)(struct store *s, uint32_t local_day, uint32_t kiosk, int again,
	                 int64_t now_s,
	                 int (*fn)(void *ctx, uint32_t kiosk, int64_t close_no, int fresh),
	                 void *ctx);
	/* bulk_load — benchmarks only: on, the store stops waiting for the disk
	 * (synchronous=OFF) until it is turned off again */
	int (*bulk_load)(struct store *s, int on);
	/* ---- the office pages (store_sqlite_web.c) ---- */
	/* kiosk's records from its first to its last record of local_day, by
	 * seq, those of other kinds (bins, staff actions) between them included;
	 * r.bytes is NULL; fn returning non-zero stops */
	int (*web_day_records)(struct store *s, uint32_t kiosk, uint32_t local_day,
	                       int (*fn)(void *ctx, const struct store_web_record *r), void *ctx);
	/* 1 found (*out filled, its bytes copied into buf[cap] and out->r.bytes
	 * pointing there), 0 absent, or error */
	int (*web_record_get)(struct store *s, uint32_t kiosk, uint32_t seq,
	                      struct store_web_record *out, uint8_t *buf, size_t cap);
	/* web_resident_get — the resident with id (> 0), else the one whose
	 * card_hash (64 hex, lower case) it is: 1 found (*out filled, its balance
	 * from the points ledger's running total), 0 none, or error */
	int (*web_resident_get)(struct store *s, int64_t id, const char *card_hash,
	                        struct store_resident *out);
	/* ---- the schema (wufei-central migrate) ---- */
	/* the schema version the database is at (store_open migrated it to the
	 * newest this program knows): SQLite's user_version, PostgreSQL's highest
	 * applied migration; read from the database */
	int (*schema_version)(struct store *s, int *version);

	/* ---- backup (store_sqlite_backup.c, store_pg_backup.c) ---- */
	/* a consistent copy of the whole store, as it was at one moment, into a
	 * new file at path, safe while other handles and processes write:
	 * WF_OK; WF_EEXIST path exists (never overwritten); WF_ESTATE the
	 * backend has its own tools for it (PostgreSQL: pg_dump; the message
	 * says so); else an error, and nothing is left at path */
	int (*backup)(struct store *s, const char *path);

	/* ---- batch ingest (store_sqlite_journal.c, store_pg_ingest.c) ---- */
	/*
	 * records_held — the records central holds among kiosk's seqs[0..n) (any
	 * order): fn(ctx, seq, bytes, len, hash) for each held (a seq asked for
	 * twice may be heard twice), in no set order (bytes valid during the call
	 * only); fn returning non-zero stops and is returned. PostgreSQL: one
	 * round trip.
	 */
	int (*records_held)(struct store *s, uint32_t kiosk, const uint32_t *seqs, size_t n,
	                    int (*fn)(void *ctx, uint32_t seq, const uint8_t *bytes, size_t len,
	                              const uint8_t hash[WF_HASH_BYTES]),
	                    void *ctx);
	/*
	 * records_insert — r[0..n) of one kiosk in ascending seq, each as
	 * record_insert (summaries kept alike), in one transaction (the caller's,
	 * or its own): stored[i] 1 inserted, 0 (kiosk, seq) already there.
	 * PostgreSQL: one round trip.
	 */
	int (*records_insert)(struct store *s, const struct store_record *r, size_t n,
	                      uint8_t *stored);
};

/* Common head of every backend's handle. Backends embed it first. */
struct store {
	const struct store_ops *ops;
	char err[256]; /* detail of the last failure */
	void *lock;    /* pthread mutex, owned by store.c */
};

/*
 * store_open — opens (creating and migrating if needed) the store at url:
 * "sqlite:PATH", or "postgresql://..." / "postgres://..." (libpq's URL; the
 * database must exist). *out is NULL on failure and why[why_len] says why
 * (never the URL's password). Blocking.
 */
int store_open(const char *url, struct store **out, char *why, size_t why_len);

/*
 * store_record_facts — fills r's column facts (time_s .. local_day, and
 * resident and points for a drop) from the decoded record rec; the other
 * fields of r are left as they are. Pure.
 */
void store_record_facts(struct store_record *r, const struct wf_record *rec);

/* The kind's name ("earned", "claimed", "redeemed", "adjusted"); never NULL. */
const char *store_points_kind_name(enum store_points_kind k);

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
int store_pg_open(const char *url, struct store **out, char *why, size_t why_len);

/* The PostgreSQL backend's ops table (tests check it is complete). */
const struct store_ops *store_pg_ops(void);

#endif
