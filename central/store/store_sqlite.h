/*
 * store_sqlite.h — inside the SQLite backend of store.h (private to this
 * folder). The backend is one file per side:
 *
 *   store_sqlite_open.c       open, schema migrations, close, the ops table
 *   store_sqlite_journal.c    what kiosks send: kiosks, keys, records,
 *                             tamper alerts, epochs, heartbeats
 *   store_sqlite_catalogue.c  what the office sets and kiosks down-sync:
 *                             rates, residents, staff, blocklist, card key
 *   store_sqlite_claims.c     receipt claims
 *   store_sqlite_points.c     the points ledger: entries, running totals
 *   store_sqlite_anoncap.c    the anonymous daily cap: what a kiosk's
 *                             anonymous drops earned on a day
 *   store_sqlite_office.c     the office: users, sessions, audit log, login
 *                             failures, API tokens
 *   store_sqlite_summary.c    the reports' summaries, kept as records arrive
 *   store_sqlite_report.c     the office's reports and day closes
 *   store_sqlite_residents.c  the residents report: points per resident,
 *                             days near a daily limit
 *   store_sqlite_web.c        what the office pages read: day totals,
 *                             a kiosk's day, one record
 *
 * and store_sqlite_rows.c, the few helpers they share. SQLite's results
 * become wf_err through common/sql (sql.h), with the message in s->err.
 */
#ifndef WUFEI_CENTRAL_STORE_SQLITE_H
#define WUFEI_CENTRAL_STORE_SQLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "sql.h"
#include "store.h"
#include "wf.h"

struct store_sqlite {
	struct store base; /* first: the generic handle */
	sqlite3 *db;
	/* hot statements, kept prepared (batch ingest) */
	sqlite3_stmt *ins_record;
	sqlite3_stmt *get_record;
	sqlite3_stmt *get_rate;
	/* the points ledger's, prepared on first use (store_sqlite_points.c) */
	sqlite3_stmt *ins_points;
	sqlite3_stmt *add_total;
	struct sq_summary *summary; /* the reports' upkeep statements (store_sqlite_summary.c) */
};

#define SQ(s) ((struct store_sqlite *)(s))

/* The handle's message buffer, for the sql.h calls: sql_exec(db, x, SQ_ERR(s)). */
#define SQ_ERR(s) (s)->err, sizeof(s)->err

/* ---- shared helpers (store_sqlite_rows.c) ---- */

/* Text column col into out[cap] ("" for NULL), cut to fit. */
void sq_text(sqlite3_stmt *st, int col, char *out, size_t cap);

/*
 * sq_each — runs sql (?1 bound to param when sql has a parameter) and calls
 * row(st, ctx) for each row; a non-zero return stops early (not an error).
 */
int sq_each(struct store *s, const char *sql, int64_t param,
            int (*row)(sqlite3_stmt *st, void *ctx), void *ctx);

/*
 * sq_bind_facts — binds r's column facts (time_s, category, unit, dflags,
 * qty, credited, local_day: seven parameters from first), NULL where the
 * record's kind has none.
 */
void sq_bind_facts(sqlite3_stmt *st, int first, const struct store_record *r);

/* sq_value — the first column of the one row sql gives (an error if none). */
int sq_value(struct store *s, const char *sql, int64_t *out);

/*
 * A write that must be one transaction: sq_tx_begin opens one unless the
 * caller already holds one (*own says which); sq_tx_end commits what it
 * opened when rc is WF_OK, else rolls it back, and returns the result.
 */
int sq_tx_begin(struct store *s, bool *own);
int sq_tx_end(struct store *s, bool own, int rc);

/* ---- the ops, by side ---- */

int sq_begin(struct store *s);
int sq_commit(struct store *s);
int sq_rollback(struct store *s);

/* store_sqlite_journal.c */
int sq_kiosk_add(struct store *s, uint32_t kiosk, const char *name, int64_t now_s);
int sq_kiosk_exists(struct store *s, uint32_t kiosk);
int sq_kiosk_list(struct store *s, int (*fn)(void *ctx, const struct store_kiosk_info *k),
                  void *ctx);
int sq_key_add(struct store *s, uint32_t kiosk, uint32_t key_id, const uint8_t pk[32],
               int64_t now_s);
int sq_key_get(struct store *s, uint32_t kiosk, uint32_t key_id, struct store_key *out);
int sq_key_revoke(struct store *s, uint32_t kiosk, uint32_t key_id, int64_t now_s);
int sq_record_insert(struct store *s, const struct store_record *r);
int sq_records_held(struct store *s, uint32_t kiosk, const uint32_t *seqs, size_t n,
                    int (*fn)(void *ctx, uint32_t seq, const uint8_t *bytes, size_t len,
                              const uint8_t hash[WF_HASH_BYTES]),
                    void *ctx);
int sq_records_insert(struct store *s, const struct store_record *r, size_t n, uint8_t *stored);
int sq_record_get(struct store *s, uint32_t kiosk, uint32_t seq, uint8_t *buf, size_t cap,
                  size_t *len, uint8_t hash[WF_HASH_BYTES]);
int sq_record_highest(struct store *s, uint32_t kiosk, uint32_t *seq, uint8_t hash[WF_HASH_BYTES]);
int sq_record_count(struct store *s, int64_t *count);
int sq_alert_add(struct store *s, uint32_t kiosk, uint32_t seq, const char *reason,
                 const uint8_t *bytes, size_t len, const char *detail, int64_t now_s);
int sq_alert_count(struct store *s, int64_t *count);
int sq_alert_list(struct store *s, int (*fn)(void *ctx, const struct store_alert *a), void *ctx);
int sq_epoch_open(struct store *s, uint32_t kiosk, uint32_t start_seq, const char *reason,
                  uint32_t local_last_seq, int64_t now_s, uint32_t *epoch);
int sq_heartbeat_put(struct store *s, uint32_t kiosk, uint32_t last_seq, uint32_t outbox_depth,
                     const char *software_version, const char *devices_json, int64_t now_s);

/* store_sqlite_catalogue.c */
int sq_rate_set(struct store *s, struct wf_category *c, int64_t now_s);
int sq_rate_get(struct store *s, uint16_t category, uint32_t version, struct store_rate *out);
int sq_resident_put(struct store *s, const struct store_resident *r);
int sq_resident_block(struct store *s, int64_t id, const char *reason);
int sq_resident_remove(struct store *s, int64_t id);
int sq_resident_touch(struct store *s, int64_t id);
int sq_staff_put(struct store *s, const struct store_staff *r);
int sq_staff_remove(struct store *s, int64_t id);
int sq_block_put(struct store *s, const struct store_block *b);
int sq_card_key_get(struct store *s, uint32_t *version, uint8_t key[32]);
int sq_catalog_read(struct store *s, int64_t since_rev, const struct store_catalog_fns *f,
                    int64_t *rev_now);

/* store_sqlite_claims.c */
int sq_claim(struct store *s, const struct store_claim *c, struct store_claim *first);
int sq_claim_get(struct store *s, uint32_t kiosk, uint32_t seq, int64_t *claimed_s);
/* store_sqlite_replies.c */
int sq_reply_get(struct store *s, uint32_t kiosk, const uint8_t request_id[WF_HASH_BYTES],
                 unsigned *status, char *answer, size_t cap);
int sq_reply_put(struct store *s, uint32_t kiosk, const uint8_t request_id[WF_HASH_BYTES],
                 int64_t time_s, unsigned status, const char *answer, int64_t forget_before_s);

/* store_sqlite_health.c */
int sq_ping(struct store *s);
int sq_kiosk_silence(struct store *s, int64_t before_s, int64_t *enrolled, int64_t *silent);
int sq_alert_reasons(struct store *s, int (*fn)(void *ctx, const char *reason, int64_t n),
                     void *ctx);
int sq_kiosk_place(struct store *s, uint32_t kiosk, struct store_kiosk_place *out);
int sq_kiosk_tz_set(struct store *s, uint32_t kiosk, const char *tz);
int sq_claim_read(struct store *s, uint32_t kiosk, uint32_t seq, struct store_claim *out);

/* store_sqlite_points.c */
int sq_points_append(struct store *s, struct store_points_entry *e, int64_t *balance_after);
int sq_points_earn(struct store *s, const struct store_points_entry *e, size_t n);
int sq_points_balance(struct store *s, int64_t resident, int64_t *balance);
int sq_points_by_key(struct store *s, const char *key, struct store_points_entry *out);
int sq_points_history(struct store *s, int64_t resident,
                      int (*fn)(void *ctx, const struct store_points_entry *e), void *ctx);
int sq_points_check(struct store *s,
                    int (*fn)(void *ctx, int64_t resident, int64_t total, int64_t sum), void *ctx,
                    int64_t *residents);
int sq_points_day_used(struct store *s, int64_t resident, uint16_t category, uint32_t local_day,
                       int64_t *qty);
int sq_resident_status(struct store *s, int64_t id, char status[16]);
int sq_category_limit(struct store *s, uint16_t category, int64_t *daily_limit);

/* store_sqlite_anoncap.c */
int sq_anon_day(struct store *s, uint32_t kiosk, uint16_t category, uint32_t local_day,
                uint32_t before_seq, int64_t *credited);

/* store_sqlite_office.c */
int sq_user_add(struct store *s, struct store_user *u);
int sq_user_get(struct store *s, const char *name, int64_t id, struct store_user *out);
int sq_user_update(struct store *s, const char *name, const char *pw_hash, const char *role,
                   int64_t now_s);
int sq_user_remove(struct store *s, const char *name);
int sq_user_list(struct store *s, int (*fn)(void *ctx, const struct store_user *u), void *ctx);
int sq_session_add(struct store *s, const struct store_session *se);
int sq_session_get(struct store *s, const uint8_t id_hash[32], struct store_session *out);
int sq_session_touch(struct store *s, const uint8_t id_hash[32], int64_t now_s);
int sq_session_remove(struct store *s, const uint8_t id_hash[32], int64_t idle_before_s,
                      int64_t created_before_s);
int sq_audit_add(struct store *s, struct store_audit *a);
int sq_audit_list(struct store *s, int (*fn)(void *ctx, const struct store_audit *a), void *ctx);
int sq_login_attempt(struct store *s, struct store_login_key *k, size_t n, int64_t now_s,
                     int64_t since_s, int64_t forget_before_s);
int sq_login_attempt_remove(struct store *s, const int64_t *ids, size_t n);
int sq_login_failures_clear(struct store *s, const char *key);
int sq_token_add(struct store *s, struct store_token *t);
int sq_token_find(struct store *s, const uint8_t hash[32], struct store_token *out);
int sq_token_list(struct store *s, int (*fn)(void *ctx, const struct store_token *t), void *ctx);
int sq_token_revoke(struct store *s, int64_t id, int64_t now_s);

/* store_sqlite_summary.c: the reports' summary tables, kept in the record's
 * transaction (daily totals, held seq runs, late records). */
int sq_summary_prepare(struct store *s);
void sq_summary_close(struct store *s);
/* sq_summary_record — r was just inserted (never for a duplicate or conflict). */
int sq_summary_record(struct store *s, const struct store_record *r);
/* sq_summary_rebuild — every summary computed again from the records' columns. */
int sq_summary_rebuild(struct store *s);

/* store_sqlite_report.c */
int sq_report_daily(struct store *s, const struct store_report_filter *f,
                    int (*fn)(void *ctx, const struct store_daily_row *r), void *ctx);
int sq_report_ledger_flows(struct store *s, const struct store_report_filter *f,
                           int (*fn)(void *ctx, const struct store_ledger_flow *r), void *ctx);
int sq_report_kiosks(struct store *s, const struct store_report_filter *f,
                     int (*fn)(void *ctx, const struct store_kiosk_beat *k), void *ctx);
int sq_report_seq_ranges(struct store *s, const struct store_report_filter *f,
                         int (*fn)(void *ctx, const struct store_seq_range *r), void *ctx);
int sq_report_late(struct store *s, const struct store_report_filter *f, int64_t late_after_s,
                   int (*fn)(void *ctx, const struct store_late_record *r), void *ctx);
int sq_report_bins(struct store *s, const struct store_report_filter *f,
                   int (*fn)(void *ctx, const struct store_bin_row *r), void *ctx);
int sq_report_closes(struct store *s, const struct store_report_filter *f,
                     int (*fn)(void *ctx, const struct store_close_row *r), void *ctx);
int sq_report_drops(struct store *s, uint32_t kiosk, uint32_t local_day, uint16_t category,
                    int (*fn)(void *ctx, const struct store_drop_row *r), void *ctx);
/* store_sqlite_residents.c */
int sq_report_residents(struct store *s, const struct store_report_filter *f, int64_t near_pct,
                        int (*fn)(void *ctx, const struct store_resident_row *r), void *ctx);
int sq_day_close(struct store *s, uint32_t local_day, uint32_t kiosk, int again, int64_t now_s,
                 int (*fn)(void *ctx, uint32_t kiosk, int64_t close_no, int fresh), void *ctx);
int sq_bulk_load(struct store *s, int on);
/* store_sqlite_web.c */
int sq_web_day_records(struct store *s, uint32_t kiosk, uint32_t local_day,
                       int (*fn)(void *ctx, const struct store_web_record *r), void *ctx);
int sq_web_record_get(struct store *s, uint32_t kiosk, uint32_t seq, struct store_web_record *out,
                      uint8_t *buf, size_t cap);
int sq_web_resident_get(struct store *s, int64_t id, const char *card_hash,
                        struct store_resident *out);
/* store_sqlite_backup.c */
int sq_backup(struct store *s, const char *path);

#endif
