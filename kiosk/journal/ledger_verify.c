/*
 * ledger_verify.c — ledger_verify and ledger_verify_next: SQLite's
 * integrity check, then a walk over the records in seq order (contiguity,
 * the chain recomputed from the canonical bytes, each record's decode, its
 * kiosk and indexed columns, its outbox row and its receipt), then the
 * whole-table checks of ledger_verify_tables.c. Nothing is changed.
 */
#include "ledger_private.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chain.h"

/* Columns of the walk's query (WALK_SQL). */
enum walk_col {
	W_SEQ,
	W_KIND,
	W_TIME,
	W_BYTES,
	W_HASH,
	W_ACKED,
	W_IN_OUTBOX,
	W_HAS_RECEIPT,
	W_TOKEN,
	W_FIRST_INDEXED /* LEDGER_COL_COUNT indexed columns, then card_hash */
};

#define WALK_SQL                                                                                   \
	"SELECT r.seq, r.kind, r.time_ms, r.bytes, r.hash, r.acked, o.seq IS NOT NULL,"            \
	" p.seq IS NOT NULL, p.token, r.category_id, r.qty, r.credited_qty, r.points,"             \
	" r.rate_version, r.flags, r.resident_id, r.staff_id, r.local_day, r.card_hash"            \
	" FROM records r LEFT JOIN outbox o USING(seq) LEFT JOIN receipts p USING(seq)"            \
	" WHERE r.seq > ?1 ORDER BY r.seq"

/* State carried from one record to the next. */
struct walk {
	uint64_t expect;             /* next seq expected */
	uint8_t prev[WF_HASH_BYTES]; /* chain hash after the previous record */
	uint64_t last;               /* the last seq seen (0 = none) */
	uint8_t last_hash[WF_HASH_BYTES];
};

void ledger_verify_say(struct ledger_verify_run *v, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	v->count++;
	if (v->problem)
		v->problem(v->ctx, text);
}

static void verify_integrity(struct ledger_verify_run *v)
{
	sqlite3_stmt *st = NULL;
	if (ledger_db_prepare(v->l, "PRAGMA integrity_check", &st))
		return ledger_verify_say(v, "integrity_check cannot run: %s", v->l->err);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (t && strcmp(t, "ok") != 0)
			ledger_verify_say(v, "integrity_check: %s", t);
	}
	if (rc != SQLITE_DONE)
		ledger_verify_say(v, "integrity_check failed: %s", sqlite3_errmsg(v->l->db));
	sqlite3_finalize(st);
}

/* Compares the indexed columns of the row with what rec says. */
static void verify_columns(struct ledger_verify_run *v, sqlite3_stmt *st, uint64_t seq,
                           const struct wf_record *rec)
{
	struct ledger_cols c;
	ledger_cols_of(rec, &c);
	for (int i = 0; i < LEDGER_COL_COUNT; i++) {
		int col = W_FIRST_INDEXED + i;
		bool null = sqlite3_column_type(st, col) == SQLITE_NULL;
		int64_t x = sqlite3_column_int64(st, col);
		if (null != !c.has[i] || (c.has[i] && x != c.v[i]))
			ledger_verify_say(v,
			                  "seq %" PRIu64 ": column %s is %s%" PRId64
			                  " but the canonical record says %s%" PRId64,
			                  seq, ledger_col_names[i], null ? "NULL " : "",
			                  null ? 0 : x, c.has[i] ? "" : "NULL ",
			                  c.has[i] ? c.v[i] : 0);
	}
	int hc = W_FIRST_INDEXED + LEDGER_COL_COUNT;
	bool null = sqlite3_column_type(st, hc) == SQLITE_NULL;
	if (null != !c.card_hash ||
	    (c.card_hash && (sqlite3_column_bytes(st, hc) != WF_HASH_BYTES ||
	                     memcmp(sqlite3_column_blob(st, hc), c.card_hash, WF_HASH_BYTES))))
		ledger_verify_say(
		    v, "seq %" PRIu64 ": column card_hash differs from the canonical record", seq);
}

/* What a decoded record must agree with: its place, kiosk, columns, receipt. */
static void verify_content(struct ledger_verify_run *v, sqlite3_stmt *st, uint64_t seq,
                           const struct wf_record *rec)
{
	if (rec->seq != seq)
		ledger_verify_say(v, "seq %" PRIu64 ": canonical record says seq %" PRIu64, seq,
		                  rec->seq);
	if (rec->kiosk != v->l->kiosk)
		ledger_verify_say(v,
		                  "seq %" PRIu64 ": canonical record names kiosk %" PRIu32
		                  ", journal is %" PRIu32,
		                  seq, rec->kiosk, v->l->kiosk);
	if (rec->kind != sqlite3_column_int(st, W_KIND) ||
	    rec->time_ms != sqlite3_column_int64(st, W_TIME))
		ledger_verify_say(
		    v, "seq %" PRIu64 ": kind/time columns differ from the canonical record", seq);
	verify_columns(v, st, seq, rec);
	if (rec->kind != WF_RECORD_DROP)
		return;
	if (!sqlite3_column_int(st, W_HAS_RECEIPT))
		ledger_verify_say(v, "seq %" PRIu64 ": drop without its receipt row", seq);
	else
		ledger_verify_receipt(v, rec, (const char *)sqlite3_column_text(st, W_TOKEN));
}

/* Contiguity: false if the chain cannot be checked here (records missing). */
static bool verify_place(struct ledger_verify_run *v, struct walk *w, uint64_t seq, bool decoded,
                         const struct wf_record *rec)
{
	if (seq == w->expect)
		return true;
	if (decoded && rec->kind == WF_RECORD_EPOCH && rec->epoch.after_seq + 1 == seq &&
	    seq > w->expect) {
		memcpy(w->prev, rec->epoch.hash, WF_HASH_BYTES); /* a new epoch resumes the chain */
		return true;
	}
	if (seq > w->expect) {
		ledger_verify_say(v, "seq %" PRIu64 "..%" PRIu64 " missing (records deleted?)",
		                  w->expect, seq - 1);
		return false;
	}
	ledger_verify_say(v, "seq %" PRIu64 " out of order", seq);
	return true;
}

static void verify_link(struct ledger_verify_run *v, sqlite3_stmt *st, struct walk *w, uint64_t seq,
                        bool linked)
{
	const uint8_t *bytes = sqlite3_column_blob(st, W_BYTES);
	int len = sqlite3_column_bytes(st, W_BYTES);
	const uint8_t *hash = sqlite3_column_blob(st, W_HASH);
	if (sqlite3_column_bytes(st, W_HASH) != WF_HASH_BYTES) {
		ledger_verify_say(v, "seq %" PRIu64 ": stored chain hash has the wrong size", seq);
		return;
	}
	uint8_t h[WF_HASH_BYTES];
	wf_chain_next(w->prev, bytes ? bytes : (const uint8_t *)"", bytes ? (size_t)len : 0, h);
	if (linked && memcmp(h, hash, WF_HASH_BYTES) != 0)
		ledger_verify_say(v,
		                  "seq %" PRIu64 ": chain hash does not match its bytes and the"
		                  " previous record (edited, replaced or reordered)",
		                  seq);
	memcpy(w->prev, hash, WF_HASH_BYTES); /* report each break once, not every later record */
}

static void verify_row(struct ledger_verify_run *v, sqlite3_stmt *st, struct walk *w)
{
	uint64_t seq = (uint64_t)sqlite3_column_int64(st, W_SEQ);
	const uint8_t *bytes = sqlite3_column_blob(st, W_BYTES);
	int len = sqlite3_column_bytes(st, W_BYTES);
	struct wf_record rec;
	char why[96] = "";
	bool decoded = bytes && wf_record_decode(bytes, (size_t)len, &rec, why, sizeof why) == 0;
	bool linked = verify_place(v, w, seq, decoded, &rec);
	if (decoded)
		verify_content(v, st, seq, &rec);
	else
		ledger_verify_say(v, "seq %" PRIu64 ": canonical bytes do not decode (%s)", seq,
		                  why);
	verify_link(v, st, w, seq, linked);
	if (!sqlite3_column_int(st, W_ACKED) && !sqlite3_column_int(st, W_IN_OUTBOX))
		ledger_verify_say(
		    v, "seq %" PRIu64 ": not acknowledged by central but missing from the outbox",
		    seq);
	if (seq >= w->expect)
		w->expect = seq + 1;
	w->last = seq;
	memcpy(w->last_hash, w->prev, WF_HASH_BYTES);
	v->stats->records++;
}

/* Where a walk from the start begins: after the pruned records, if any. */
static void walk_start(struct ledger_verify_run *v, struct walk *w)
{
	memset(w, 0, sizeof *w);
	w->expect = 1;
	int64_t pruned = 0;
	if (ledger_db_meta_int(v->l, "pruned_upto", &pruned) != WF_OK || pruned <= 0)
		return;
	w->expect = (uint64_t)pruned + 1;
	if (ledger_db_meta_blob(v->l, "pruned_hash", w->prev, WF_HASH_BYTES) != WF_OK)
		ledger_verify_say(v, "journal pruned up to %" PRId64 " but has no pruned_hash",
		                  pruned);
}

/* Walks the records after seq after (w set up by the caller). */
static void walk_records(struct ledger_verify_run *v, struct walk *w, uint64_t after)
{
	sqlite3_stmt *st = NULL;
	if (ledger_db_prepare(v->l, WALK_SQL, &st))
		return ledger_verify_say(v, "cannot read records: %s", v->l->err);
	sqlite3_bind_int64(st, 1, (int64_t)after);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		verify_row(v, st, w);
	if (rc != SQLITE_DONE)
		ledger_verify_say(v, "reading records failed: %s", sqlite3_errmsg(v->l->db));
	sqlite3_finalize(st);
}

/* Notes whether the journal holds any receipt key (signatures checked). */
static void run_init(struct ledger_verify_run *v, struct ledger *l, ledger_problem_fn problem,
                     void *ctx, struct ledger_verify_stats *stats)
{
	memset(v, 0, sizeof *v);
	memset(stats, 0, sizeof *stats);
	v->l = l;
	v->problem = problem;
	v->ctx = ctx;
	v->stats = stats;
	int64_t n = 0;
	v->have_keys = ledger_db_int(l, "SELECT count(*) FROM meta WHERE key GLOB 'receipt_key.*'",
	                             "look for receipt keys", &n) == WF_OK &&
	               n > 0;
	stats->signatures = v->have_keys;
}

int ledger_verify_with_stats(const char *path, ledger_problem_fn problem, void *ctx,
                             struct ledger_verify_stats *stats, char *err, size_t err_len)
{
	assert(path);
	struct ledger *l = NULL;
	int r = ledger_open_handle(path, NULL, false, &l, err, err_len);
	if (r == WF_EROFS)
		r = ledger_open_handle(path, NULL, true, &l, err, err_len);
	if (r)
		return r;
	struct ledger_verify_stats none;
	struct ledger_verify_run v;
	run_init(&v, l, problem, ctx, stats ? stats : &none);
	verify_integrity(&v);
	struct walk w;
	walk_start(&v, &w);
	walk_records(&v, &w, 0);
	ledger_verify_tables(&v);
	ledger_close(l);
	return v.count;
}

int ledger_verify(const char *path, ledger_problem_fn problem, void *ctx, char *err, size_t err_len)
{
	return ledger_verify_with_stats(path, problem, ctx, NULL, err, err_len);
}

int ledger_verify_next(struct ledger *l, uint64_t *after, uint8_t hash[WF_HASH_BYTES],
                       ledger_problem_fn problem, void *ctx)
{
	assert(l && after && hash);
	struct ledger_verify_stats stats;
	struct ledger_verify_run v;
	run_init(&v, l, problem, ctx, &stats);
	struct walk w;
	if (*after == 0) {
		walk_start(&v, &w);
	} else {
		memset(&w, 0, sizeof w);
		w.expect = *after + 1;
		memcpy(w.prev, hash, WF_HASH_BYTES);
	}
	walk_records(&v, &w, *after);
	if (w.last) {
		*after = w.last;
		memcpy(hash, w.last_hash, WF_HASH_BYTES);
	}
	return v.count;
}
