/*
 * ledger_private.h — what the journal's files share and nobody outside
 * kiosk/journal/ sees: the handle, its cached statements, transactions with
 * busy retries, meta values and the record's indexed columns. The contract
 * is ledger.h; this header only splits its implementation into files:
 *
 *   ledger_db.c      handle, statements, transactions, meta, error text
 *   ledger_open.c    schema and migrations, init, open, close
 *   ledger_append.c  ledger_append: the one transaction per record
 *   ledger_mark.c    the high-water mark beside the journal (PATH.hwm)
 *   ledger_query.c   lookups a visit needs, receipts, status, ledger_each
 *   ledger_totals.c  today's totals at this kiosk (the attract screen)
 *   ledger_catalog.c the down-synced catalogue (ledger_sync_*)
 *   ledger_outbox.c  outbox, acknowledgements, checkpoints and pruning
 *   ledger_verify.c  ledger_verify: the records walk
 *   ledger_verify_tables.c  ledger_verify: every table that restates a record
 */
#ifndef WUFEI_LEDGER_PRIVATE_H
#define WUFEI_LEDGER_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "clock.h"
#include "ledger.h"
#include "wf.h"

/* Cached prepared statements of the hot paths (ledger_db_stmt). */
enum ledger_stmt {
	LEDGER_ST_BEGIN,
	LEDGER_ST_COMMIT,
	LEDGER_ST_ROLLBACK,
	LEDGER_ST_LAST,
	LEDGER_ST_INSERT_RECORD,
	LEDGER_ST_INSERT_OUTBOX,
	LEDGER_ST_COUNTER_ADD,
	LEDGER_ST_INSERT_RECEIPT,
	LEDGER_ST_TODAY,
	LEDGER_ST_COUNT
};

struct ledger {
	sqlite3 *db;
	const struct wf_clock *clock; /* busy retries; never NULL */
	uint32_t kiosk;
	unsigned checkpoint_every; /* commits between PASSIVE WAL checkpoints */
	unsigned commits;
	bool in_sync; /* between ledger_sync_begin and commit/abort */
	bool sync_full;
	sqlite3_stmt *st[LEDGER_ST_COUNT];
	char *mark_path; /* PATH.hwm (read-write handles only), see ledger_mark.c */
	int mark_fd;     /* opened on the first append; -1 until then or if it failed */
	char err[LEDGER_ERRMSG_MAX];
};

/* ---- ledger_db.c ---- */

/* ledger_db_say — formats the handle's error text (ledger_errmsg). */
void ledger_db_say(struct ledger *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ledger_db_fail — an SQLite failure as the handle's text and its wf_err. */
int ledger_db_fail(struct ledger *l, int rc, const char *what);

/* ledger_db_stmt — the cached statement id, reset and unbound. */
int ledger_db_stmt(struct ledger *l, enum ledger_stmt id, sqlite3_stmt **out);

/* ledger_db_prepare — a one-off statement (finalize it yourself). */
int ledger_db_prepare(struct ledger *l, const char *sql, sqlite3_stmt **out);

/* ledger_db_done — steps a write statement to completion and resets it. */
int ledger_db_done(struct ledger *l, sqlite3_stmt *st, const char *what);

/* ledger_db_done_finalize — ledger_db_done, then finalizes st. */
int ledger_db_done_finalize(struct ledger *l, sqlite3_stmt *st, const char *what);

/* ledger_db_exec — runs sql (no rows wanted). */
int ledger_db_exec(struct ledger *l, const char *sql, const char *what);

/* ledger_db_int — a one-row, one-integer query into *n. */
int ledger_db_int(struct ledger *l, const char *sql, const char *what, int64_t *n);

/* ledger_db_with_int — runs sql with ?1 bound to v; *changes (may be NULL)
 * gets the rows it changed. */
int ledger_db_with_int(struct ledger *l, const char *sql, int64_t v, const char *what,
                       int *changes);

/* Transactions: BEGIN IMMEDIATE with busy retries for up to
 * LEDGER_BUSY_MAX_MS on the handle's clock; COMMIT (also retried; rolls back
 * when it fails; a PASSIVE checkpoint every checkpoint_every commits);
 * ROLLBACK, which never fails from the caller's view. */
int ledger_db_begin(struct ledger *l);
int ledger_db_commit(struct ledger *l);
void ledger_db_rollback(struct ledger *l);

/* Meta values: an integer (WF_ENOENT when missing or not an integer), a
 * blob of exactly n bytes (WF_ENOENT otherwise), and setters. */
int ledger_db_meta_int(struct ledger *l, const char *key, int64_t *out);
int ledger_db_meta_blob(struct ledger *l, const char *key, uint8_t *out, size_t n);
int ledger_db_meta_set_int(struct ledger *l, const char *key, int64_t v);
int ledger_db_meta_set_text(struct ledger *l, const char *key, const char *text);
int ledger_db_meta_set_blob(struct ledger *l, const char *key, const uint8_t *b, size_t n);

/* ledger_db_text — column col as text into dst[cap] ("" for NULL). */
void ledger_db_text(sqlite3_stmt *st, int col, char *dst, size_t cap);

/* ledger_db_close — finalizes, closes and frees the handle (no abort). */
void ledger_db_close(struct ledger *l);

/* ---- ledger_open.c ---- */

/* ledger_open_handle — opens path (must exist), checks pragmas and schema.
 * readonly: read-only (verify on read-only storage), no pragma written, no
 * migration. */
int ledger_open_handle(const char *path, const struct ledger_options *opt, bool readonly,
                       struct ledger **out, char *err, size_t err_len);

/* ---- ledger_append.c: the indexed columns of a record ---- */

enum ledger_col {
	LEDGER_COL_CATEGORY,
	LEDGER_COL_QTY,
	LEDGER_COL_CREDITED,
	LEDGER_COL_POINTS,
	LEDGER_COL_RATE_VERSION,
	LEDGER_COL_FLAGS,
	LEDGER_COL_RESIDENT,
	LEDGER_COL_STAFF,
	LEDGER_COL_LOCAL_DAY,
	LEDGER_COL_COUNT
};

extern const char *const ledger_col_names[LEDGER_COL_COUNT];

/* What the indexed columns of records hold for a record (NULL when !has). */
struct ledger_cols {
	bool has[LEDGER_COL_COUNT];
	int64_t v[LEDGER_COL_COUNT];
	const uint8_t *card_hash; /* NULL = column NULL */
};

void ledger_cols_of(const struct wf_record *r, struct ledger_cols *c);

/* ---- ledger_mark.c ---- */

/* ledger_mark_note — after a commit: seq and its hash into PATH.hwm (best
 * effort, unsynced). */
void ledger_mark_note(struct ledger *l, uint64_t seq, const uint8_t hash[WF_HASH_BYTES]);

/* ledger_mark_read — true if PATH.hwm is a usable mark of this kiosk. */
bool ledger_mark_read(struct ledger *l, uint64_t *seq, uint8_t hash[WF_HASH_BYTES]);

/* ---- ledger_verify_tables.c ---- */

/* The state of one verify run, shared by its two files. */
struct ledger_verify_run {
	struct ledger *l;
	ledger_problem_fn problem;
	void *ctx;
	int count;
	struct ledger_verify_stats *stats; /* never NULL */
	bool have_keys;                    /* the journal holds a receipt key */
	/* receipt keys by key id, read from meta when first needed */
	uint8_t key_state[256]; /* 0 not read yet, 1 held, 2 none */
	uint8_t keys[256][LEDGER_RECEIPT_KEY_BYTES];
};

/* ledger_verify_say — one problem (counted, handed to the callback). */
void ledger_verify_say(struct ledger_verify_run *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ledger_verify_receipt — checks the receipt token of the drop rec (seq). */
void ledger_verify_receipt(struct ledger_verify_run *v, const struct wf_record *rec,
                           const char *token);

/* ledger_verify_tables — every whole-table check: orphans, acknowledgement
 * states, the outbox, the daily counters, the prune points. */
void ledger_verify_tables(struct ledger_verify_run *v);

#endif
