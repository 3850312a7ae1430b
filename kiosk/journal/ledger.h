/*
 * ledger.h — the kiosk's journal: one SQLite file per kiosk (DESIGN
 * "Decisions": one journal per kiosk, canonical encoding, hash chain).
 *
 * For: appending records (one record = one transaction: the next seq, the
 * canonical bytes (common/record.h), the chain link (common/chain.h), the
 * outbox row, the daily counters and, for a drop, the receipt token), the
 * lookups a visit needs (card → resident/staff/blocked, today's quantity per
 * category, the category list, the last receipt), applying down-synced data
 * in one transaction, the outbox the sync client drains, and `ledger verify`.
 *
 * Not for: rules (kiosk/session.*), receipt signing (common/receipt.h; the
 * caller passes a callback), JSON, HTTP. Record times come in as arguments;
 * the one clock the journal reads (how long it has waited for a lock) is the
 * handle's struct wf_clock (ledger_options.clock, default the system's).
 *
 * Every connection runs WAL, synchronous=FULL and a busy timeout, read back
 * and checked at open. Writes use BEGIN IMMEDIATE; SQLITE_BUSY is retried for
 * up to LEDGER_BUSY_MAX_MS before a call gives up with WF_EBUSY. All calls
 * block on disk I/O (an fsync per commit). A handle is used by one thread at
 * a time; a second thread (sync) opens its own handle on the same file.
 * Beside the file, PATH.hwm holds the highest seq appended (see
 * ledger_resume_after_mark).
 *
 * Errors: negative enum wf_err (common/wf.h). WF_ENOENT missing file or
 * row, WF_ECORRUPT not a journal / damaged, WF_EROFS read-only storage,
 * WF_EFULL disk full, WF_EIO other I/O, WF_EBUSY locked for too long,
 * WF_EINVAL bad argument, WF_EEXIST init on an existing file. The text of the
 * last error stays on the handle (ledger_errmsg) until the next call.
 * Nothing is ever recorded by a call that returns an error.
 */
#ifndef WUFEI_LEDGER_H
#define WUFEI_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "record.h"

#define LEDGER_SCHEMA_VERSION    4    /* PRAGMA user_version of a current journal */
#define LEDGER_BUSY_TIMEOUT_MS   5000 /* sqlite3_busy_timeout per statement */
#define LEDGER_BUSY_MAX_MS       60000
#define LEDGER_ERRMSG_MAX        256
#define LEDGER_TOKEN_MAX         192 /* receipt URL incl. NUL (RECEIPT_URL_MAX is 176) */
#define LEDGER_NAME_MAX          64  /* masked names incl. NUL */
#define LEDGER_REASON_MAX        96  /* block reasons incl. NUL */
#define LEDGER_PINHASH_MAX       128 /* crypto_pwhash_STRBYTES */
#define LEDGER_CURSOR_MAX        128
#define LEDGER_CHECKPOINT_EVERY  100 /* commits between PASSIVE WAL checkpoints */
#define LEDGER_RECEIPT_KEY_BYTES 32  /* an Ed25519 public key */

struct ledger;
struct wf_clock;

/* Options for ledger_open_with; zero-initialise, then set what you need. */
struct ledger_options {
	const char *vfs;      /* SQLite VFS name; NULL = default (tests inject faults) */
	bool unsafe_sync_off; /* TEST ONLY: synchronous=OFF (proves the power-cut test bites) */
	unsigned checkpoint_every;    /* commits between PASSIVE checkpoints; 0 = default */
	const struct wf_clock *clock; /* times busy retries; NULL = wf_clock_system() */
	/* The kiosk's receipt key, stored at open (ledger_set_receipt_key) so that
	 * verify checks receipt signatures; NULL = none given. */
	const uint8_t *receipt_public_key; /* LEDGER_RECEIPT_KEY_BYTES */
	uint8_t receipt_key_id;            /* 1..255, with receipt_public_key */
};

/*
 * ledger_init — creates a new journal at path for kiosk number kiosk (>= 1)
 * with the current schema. Refuses (WF_EEXIST) if path exists in any form.
 * On failure writes a message into err[err_len] (err may be NULL) and leaves
 * no file behind. Blocks on disk I/O.
 */
int ledger_init(const char *path, uint32_t kiosk, char *err, size_t err_len);

/* ledger_init_version — TEST ONLY: like ledger_init but stops at schema
 * version (1..LEDGER_SCHEMA_VERSION), to test migrations. */
int ledger_init_version(const char *path, uint32_t kiosk, int version, char *err, size_t err_len);

/*
 * ledger_limit_memory — a soft cap on the heap SQLite uses in this process,
 * bytes (0: none). Its page caches give way first; the journal's pages then
 * come from the operating system's page cache (a system call, microseconds
 * against a commit's fsync). A kiosk that runs for months keeps a flat
 * footprint instead of page caches that grow with its journal. Process-wide;
 * call before opening.
 */
void ledger_limit_memory(int64_t bytes);

/*
 * ledger_open — opens an existing journal; never creates one. Checks the
 * file header (a non-SQLite file is refused with WF_ECORRUPT), the pragmas,
 * that the file is a Wufei journal, and migrates an older schema in one
 * transaction. On success *out is a new handle (ledger_close frees it); on
 * failure *out is NULL and err[err_len] (may be NULL) says why.
 */
int ledger_open(const char *path, struct ledger **out, char *err, size_t err_len);
int ledger_open_with(const char *path, const struct ledger_options *opt, struct ledger **out,
                     char *err, size_t err_len);

/* ledger_close — closes the handle; NULL is a no-op. */
void ledger_close(struct ledger *l);

/* ledger_errmsg — text of the last error on l ("" if none); owned by l. */
const char *ledger_errmsg(const struct ledger *l);

/* ledger_kiosk — the kiosk number this journal belongs to. */
uint32_t ledger_kiosk(const struct ledger *l);

/*
 * ledger_set_receipt_key — the public key (LEDGER_RECEIPT_KEY_BYTES) the
 * kiosk signs receipt tokens with under key_id (1..255), kept in the
 * journal's meta ('receipt_key.<id>') so that ledger_verify can check every
 * token's signature without the kiosk's config or key file. A key already
 * held under key_id is replaced (a regenerated key: tokens signed with the
 * old one no longer verify, at central neither). Writes only when the key is
 * new. WF_EINVAL for key id 0.
 */
int ledger_set_receipt_key(struct ledger *l, uint8_t key_id,
                           const uint8_t public_key[LEDGER_RECEIPT_KEY_BYTES]);

/* ledger_last — highest seq (0 if empty) and the chain hash after it
 * (zeros if empty) into *seq and hash (either may be NULL). */
int ledger_last(struct ledger *l, uint64_t *seq, uint8_t hash[WF_HASH_BYTES]);

/*
 * ledger_receipt_fn — called inside a drop's transaction once rec is
 * complete (kiosk, seq, time and every field final; hash is its chain hash).
 * Writes a NUL-terminated token (e.g. the receipt URL) into token[cap] and
 * returns 0, or a negative wf_err to abort the whole record (nothing
 * recorded). Must not call back into the ledger.
 */
typedef int (*ledger_receipt_fn)(void *ctx, const struct wf_record *rec,
                                 const uint8_t hash[WF_HASH_BYTES], char *token, size_t cap);

/* What an append recorded (valid only when it returned WF_OK). */
struct ledger_appended {
	uint64_t seq;
	uint8_t hash[WF_HASH_BYTES];
	char token[LEDGER_TOKEN_MAX]; /* receipt token for a drop with a callback, else "" */
};

/*
 * ledger_append — records rec as one transaction. The caller fills kind,
 * time_ms (corrected UTC ms) and the kind's fields; the ledger sets kiosk
 * and seq (the next one, allocated inside the transaction; for an EPOCH
 * record seq = epoch.after_seq + 1, which must not go back). For a drop with
 * a card hash other than zeros the daily counter (card hash, category,
 * local day) grows by qty. For a drop, receipt (may be NULL: token "") makes
 * the receipt token inside the transaction. On WF_OK the record is durable
 * (COMMIT returned) and *out (may be NULL) says what was recorded; rec's
 * kiosk and seq are updated. On any error nothing was recorded.
 */
int ledger_append(struct ledger *l, struct wf_record *rec, ledger_receipt_fn receipt, void *ctx,
                  struct ledger_appended *out);

/* What a card is to this kiosk. Blocklist beats staff beats resident. */
enum ledger_card_kind {
	LEDGER_CARD_UNKNOWN = 0,
	LEDGER_CARD_RESIDENT = 1, /* active resident */
	LEDGER_CARD_BLOCKED = 2,  /* blocklisted card or blocked resident */
	LEDGER_CARD_STAFF = 3,
};

struct ledger_card {
	enum ledger_card_kind kind;
	uint64_t id;                       /* resident or staff id; 0 if none */
	char name[LEDGER_NAME_MAX];        /* masked name ("" if none) */
	char reason[LEDGER_REASON_MAX];    /* block reason for BLOCKED */
	int64_t balance;                   /* resident's points balance from central */
	bool admin;                        /* staff role admin */
	char pin_hash[LEDGER_PINHASH_MAX]; /* staff Argon2id PIN hash */
	uint32_t pin_failures;             /* staff lock-out counter */
};

/* ledger_card_lookup — resolves a keyed card hash. Returns WF_OK with *out
 * filled (kind UNKNOWN if nothing matches) or a negative error. */
int ledger_card_lookup(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES],
                       struct ledger_card *out);

/* Quantity recorded for one category on one local day. */
struct ledger_today {
	uint16_t category_id;
	int64_t qty; /* grams or pieces */
};

/* ledger_today — per-category quantities of card_hash on local_day into
 * out[0..cap); returns how many (>= 0) or a negative error. Indexed lookup. */
int ledger_today(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES], uint32_t local_day,
                 struct ledger_today *out, unsigned cap);

/* ledger_anon_today — per-category credited quantities of this kiosk's
 * anonymous drops (WF_DROP_ANONYMOUS, with or without a card) on local_day
 * into out[0..cap), what the anonymous daily cap counts; returns how many
 * (>= 0) or a negative error. Indexed (records_anon_day). Drops pruned from
 * the journal no longer count: pruning keeps the newest keep_records
 * records, far more than a kiosk records in a day. */
int ledger_anon_today(struct ledger *l, uint32_t local_day, struct ledger_today *out, unsigned cap);

/* ledger_unsynced_points — into *points the points of resident_id's drops
 * central has not acknowledged yet (what the down-synced balance cannot hold
 * yet; the kiosk shows the balance plus these). Reads the outbox only. */
int ledger_unsynced_points(struct ledger *l, uint64_t resident_id, int64_t *points);

/* Today's totals at this kiosk (the attract screen shows them). */
struct ledger_totals {
	int64_t drops; /* drops recorded */
	int64_t grams; /* their weight, weighed categories only */
};

/* ledger_day_totals — the drops recorded on local_day (yyyymmdd) and the
 * grams of those in weighed categories into *out; WF_OK or a negative
 * error (ledger_totals.c). */
int ledger_day_totals(struct ledger *l, uint32_t local_day, struct ledger_totals *out);

/* ledger_categories — the categories, ordered by id, into out[0..cap);
 * returns how many (>= 0) or a negative error. */
int ledger_categories(struct ledger *l, struct wf_category *out, unsigned cap);

/* A recorded drop with its receipt token. */
struct ledger_receipt {
	struct wf_record rec;
	char token[LEDGER_TOKEN_MAX];
};

/* ledger_last_receipt — the most recent drop with a receipt token (for reprint);
 * WF_ENOENT if there is none. ledger_receipt_get: the one of seq. */
int ledger_last_receipt(struct ledger *l, struct ledger_receipt *out);
int ledger_receipt_get(struct ledger *l, uint64_t seq, struct ledger_receipt *out);

/* ledger_staff_set_pin_failures — stores a staff member's lock-out counter
 * (0 after a good PIN). WF_ENOENT if no such staff id. */
int ledger_staff_set_pin_failures(struct ledger *l, uint64_t staff_id, uint32_t failures);

/* ledger_card_key — the card key (for hashing card ids) and its version;
 * WF_ENOENT before the first down-sync that set one. */
int ledger_card_key(struct ledger *l, uint32_t *version, uint8_t key[32]);

/* ledger_sync_cursor — the down-sync cursor ("" before the first) into buf. */
int ledger_sync_cursor(struct ledger *l, char *buf, size_t cap);

/* Down-synced people (fields as in the down-sync JSON). */
struct ledger_resident {
	uint64_t id; /* >= 1 */
	uint8_t card_hash[WF_HASH_BYTES];
	char name[LEDGER_NAME_MAX];
	bool blocked;
	char block_reason[LEDGER_REASON_MAX];
	int64_t balance;
};

struct ledger_staff {
	uint64_t id; /* >= 1 */
	uint8_t card_hash[WF_HASH_BYTES];
	char name[LEDGER_NAME_MAX];
	bool admin;
	char pin_hash[LEDGER_PINHASH_MAX];
};

/*
 * Down-sync application: ledger_sync_begin opens one write transaction
 * (full = first delete every category, resident, staff member and blocklist
 * entry); the put/delete/set calls work inside it; ledger_sync_commit
 * stores the new cursor and commits, ledger_sync_abort rolls everything
 * back. A failing put leaves the transaction open: call abort. A put
 * replaces the row with the same id (or card hash for the blocklist);
 * a delete of a missing row is not an error. Pin failure counters of
 * staff members that stay are kept.
 */
int ledger_sync_begin(struct ledger *l, bool full);
int ledger_sync_put_category(struct ledger *l, const struct wf_category *c);
int ledger_sync_put_resident(struct ledger *l, const struct ledger_resident *r);
int ledger_sync_put_staff(struct ledger *l, const struct ledger_staff *s);
int ledger_sync_put_block(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES],
                          const char *reason);
int ledger_sync_delete_category(struct ledger *l, uint16_t id);
int ledger_sync_delete_resident(struct ledger *l, uint64_t id);
int ledger_sync_delete_staff(struct ledger *l, uint64_t id);
int ledger_sync_delete_block(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES]);
int ledger_sync_set_card_key(struct ledger *l, uint32_t version, const uint8_t key[32]);
int ledger_sync_commit(struct ledger *l, const char *cursor);
void ledger_sync_abort(struct ledger *l);

/* One outbox entry: a record not yet acknowledged by central. */
struct ledger_outbox_item {
	uint64_t seq;
	uint8_t kind;
	uint8_t bytes[WF_RECORD_MAX_LEN]; /* canonical bytes */
	size_t len;
	uint8_t hash[WF_HASH_BYTES]; /* chain hash after this record */
};

/* ledger_outbox_peek — up to max unacknowledged records in seq order into
 * items; returns how many (>= 0). Reads only. */
int ledger_outbox_peek(struct ledger *l, struct ledger_outbox_item *items, unsigned max);

/* What central answered for a record (records.acked). */
enum ledger_ack {
	LEDGER_ACK_NONE = 0,     /* still in the outbox */
	LEDGER_ACK_STORED = 1,   /* central holds it: stored or duplicate */
	LEDGER_ACK_CONFLICT = 2, /* central holds other bytes at this seq */
};

/*
 * ledger_outbox_ack — removes the outbox rows of seqs[0..n) and marks the
 * records acknowledged, in one transaction. conflict (may be NULL = none)
 * marks those central answered `conflict`: they leave the outbox, stay in
 * the journal for staff (ledger_entry.conflict, `wufei-kiosk ledger
 * conflicts`) and are never pruned. Unknown
 * seqs are ignored.
 */
int ledger_outbox_ack(struct ledger *l, const uint64_t *seqs, const bool *conflict, unsigned n);

/* ledger_conflict_count — records central answered `conflict` into *n. */
int ledger_conflict_count(struct ledger *l, int64_t *n);

/*
 * ledger_resume_after_mark — every append also writes the highest seq and
 * its chain hash to PATH.hwm beside the journal (unsynced, best effort). A
 * journal copied back from a backup is behind that mark: its next numbers
 * were already used, perhaps already sent to central. Then this appends an
 * EPOCH record (reason restored) continuing after the mark's seq and hash,
 * so no number is ever used twice, with or without central. *after is the
 * mark's seq. Returns 1 when it did, 0 when the journal is not behind (or no
 * usable mark of this kiosk exists), or a negative error. Call once at start,
 * before recording.
 */
int ledger_resume_after_mark(struct ledger *l, int64_t time_ms, uint64_t *after);

/* A journal's state at a glance, for `wufei-kiosk ledger status`. */
struct ledger_status {
	uint32_t kiosk;
	uint64_t last_seq;   /* 0 = empty */
	int64_t outbox;      /* records central has not acknowledged */
	int64_t conflicts;   /* records central holds with other bytes */
	int64_t pruned_upto; /* records up to here are pruned (0 = none) */
	uint64_t mark_seq;   /* the high-water mark beside it (0 = none or unusable) */
};

/* ledger_status — fills *out. Reads only. */
int ledger_status(struct ledger *l, struct ledger_status *out);

/* ledger_outbox_depth — number of unacknowledged records into *depth. */
int ledger_outbox_depth(struct ledger *l, int64_t *depth);

/*
 * ledger_prune — drops the records (and their receipts) that a CHECKPOINT
 * record covers, once central acknowledged them: checkpoint_seq must be a
 * CHECKPOINT record that is acknowledged, every record up to its upto_seq
 * must be acknowledged, and the record at upto_seq (if still held) must have
 * the hash the checkpoint names. One transaction; afterwards verify checks
 * contiguity and the chain from upto_seq + 1 on (meta pruned_upto /
 * pruned_hash). Daily counters of days before the oldest drop still held
 * go too (only today's count limits a drop). Returns the number of records
 * removed (>= 0), WF_ESTATE if something is not acknowledged, WF_EINVAL if
 * checkpoint_seq is not a checkpoint, WF_ECONFLICT on a hash mismatch.
 */
int ledger_prune(struct ledger *l, uint64_t checkpoint_seq);

/*
 * ledger_checkpoint_due — whether a new CHECKPOINT record should be
 * appended so that pruning keeps the newest `keep` records. A is the highest
 * seq up to which every record is acknowledged as stored (no outbox row at
 * or below it, and no conflict: those stay for staff). *upto becomes the
 * highest held seq at or below A - keep, *hash its chain hash. Returns 1 when
 * *upto >= pruned_upto + every (every >= 1) and the newest CHECKPOINT record,
 * if any, has already been applied by ledger_prune; 0 when nothing is due;
 * or a negative error. Reads only.
 */
int ledger_checkpoint_due(struct ledger *l, uint64_t keep, uint64_t every, uint64_t *upto,
                          uint8_t hash[WF_HASH_BYTES]);

/*
 * ledger_prune_acked — applies the newest CHECKPOINT record once central has
 * acknowledged it and it covers more than is already pruned (ledger_prune).
 * Returns the number of records removed (0 when nothing to do) or an error
 * (that of ledger_prune: a checkpoint it cannot apply fails the same way at
 * every call; ledger_last_checkpoint names it).
 */
int ledger_prune_acked(struct ledger *l);

/* ledger_last_checkpoint — the newest CHECKPOINT record held: *seq (0 =
 * none), its *upto seq and whether central *acked it. Reads only. */
int ledger_last_checkpoint(struct ledger *l, uint64_t *seq, uint64_t *upto, bool *acked);

/* A problem ledger_verify found; text names it ("seq 42: chain hash ..."). */
typedef void (*ledger_problem_fn)(void *ctx, const char *text);

/*
 * ledger_verify — checks the journal at path without changing it: SQLite's
 * integrity_check; the records: seq contiguity from 1 (or from the last
 * pruning checkpoint; a gap only where an EPOCH record says so), the chain
 * recomputed from the canonical bytes, every canonical record decodes, names
 * the journal's kiosk and its seq, and its kind, time and indexed columns
 * (category_id, qty, credited_qty, points, rate_version, flags, resident_id,
 * staff_id, local_day, card_hash) equal what the bytes say; and every table
 * that restates a record:
 *   - receipts: every drop has its row, every row a drop; each token
 *     decodes, names this kiosk and its record's seq, says the record's
 *     category, quantity, points, minute and flags, and carries a key id
 *     the journal holds (ledger_set_receipt_key) with a valid signature.
 *     A journal that holds no receipt key at all gets every check but the
 *     signature's (ledger_verify_with_stats says so);
 *   - the outbox: every unacknowledged record has its row, and only
 *     existing, unacknowledged records have one;
 *   - the daily counters: each equals the sum of the held drops of its
 *     card, day and category; on days up to the newest pruned drop's (meta
 *     'pruned_day') a counter may also count pruned drops, so there it may
 *     exceed that sum but never fall short of it;
 *   - the prune points: each restates its CHECKPOINT record (while held),
 *     and the newest is meta pruned_upto / pruned_hash.
 * Calls problem (may be NULL) once per problem, with text naming it.
 * Returns the number of problems (0 = ok) or a negative error if the file
 * cannot be opened or read as a journal (err[err_len] says why).
 */
int ledger_verify(const char *path, ledger_problem_fn problem, void *ctx, char *err,
                  size_t err_len);

/* What ledger_verify_with_stats checked, besides the problems it found. */
struct ledger_verify_stats {
	uint64_t records;  /* records walked */
	uint64_t receipts; /* receipt tokens checked */
	bool signatures;   /* false: the journal holds no receipt key, so the
	                      tokens' signatures were not checked */
};

/* ledger_verify_with_stats — ledger_verify, and what it checked into *stats
 * (may be NULL). */
int ledger_verify_with_stats(const char *path, ledger_problem_fn problem, void *ctx,
                             struct ledger_verify_stats *stats, char *err, size_t err_len);

/*
 * ledger_verify_next — the per-record checks of ledger_verify (contiguity,
 * chain, decode, columns, receipt, outbox row) for the records after seq
 * *after only, continuing the chain from hash (the chain hash after *after;
 * *after 0 = from the start of what the journal holds). The whole-table
 * checks are left to ledger_verify. On return *after and hash are the last
 * record checked, ready for the next call. For checking what was written
 * since the last check (a crash loop) in time that does not grow with the
 * journal. Returns the number of problems or a negative error.
 */
int ledger_verify_next(struct ledger *l, uint64_t *after, uint8_t hash[WF_HASH_BYTES],
                       ledger_problem_fn problem, void *ctx);

/* One stored record as ledger_each hands it out. */
struct ledger_entry {
	uint64_t seq;
	const uint8_t *bytes; /* canonical bytes, valid during the callback */
	size_t len;
	uint8_t hash[WF_HASH_BYTES];
	const char *token; /* receipt token or NULL */
	bool acked;        /* acknowledged by central */
	bool conflict;     /* central answered conflict: it holds other bytes here */
};

/* ledger_each — calls fn for every record in seq order; stops early and
 * returns fn's value if fn returns non-zero. */
int ledger_each(struct ledger *l, int (*fn)(void *ctx, const struct ledger_entry *e), void *ctx);

#endif
