/*
 * store_sqlite_summary.c — the summaries the office's reports read, kept
 * by the SQLite backend in the same transaction as each new record
 * (sq_record_insert calls sq_summary_record only for a record it inserted:
 * a duplicate or a conflict never moves a total):
 *
 *   report_daily   drops, grams, pieces and points per (kiosk, local day,
 *                  category): the daily report reads rows, not records
 *   seq_ranges     the runs of seq central holds per kiosk: the gaps report
 *                  reads the holes between runs, not every record
 *   late_records   records received more than STORE_LATE_MIN_S after their
 *                  own time
 *   bin_spans      each bin collection's weighed drops of its category since
 *                  the collection before: the bins report reads rows, not
 *                  the records in between
 *
 * sq_summary_rebuild computes all three again from the records' fact
 * columns (a store from before them; tests compare the two).
 */
#include "store_sqlite.h"

#include <stdio.h>
#include <stdlib.h>

struct sq_summary {
	sqlite3_stmt *daily;        /* upsert one drop into report_daily */
	sqlite3_stmt *extend;       /* the run ending at seq - 1 now ends at seq */
	sqlite3_stmt *extend_alone; /* the same when no run starts at seq + 1 (in order) */
	sqlite3_stmt *next;         /* the run starting at seq + 1, if any */
	sqlite3_stmt *drop_next;    /* that run removed (it joins the one before) */
	sqlite3_stmt *set_last;     /* the run before now ends at the next one's end */
	sqlite3_stmt *move_first;   /* the run starting at seq + 1 starts at seq */
	sqlite3_stmt *add_run;      /* a run of one */
	sqlite3_stmt *late;         /* a late record */
	sqlite3_stmt *span_drop;    /* a weighed drop into the span of the next collection */
	sqlite3_stmt *bin_prev;     /* the collection before, same kiosk and category */
	sqlite3_stmt *bin_sum;      /* the weighed drops held between the two */
	sqlite3_stmt *span_add;     /* a collection's span */
	sqlite3_stmt *span_split;   /* the next collection's span now starts here */
};

static const char *const summary_sql[] = {
    "INSERT INTO report_daily(kiosk, local_day, category, drops, grams, pieces, points) "
    "VALUES(?1, ?2, ?3, 1, ?4, ?5, ?6) ON CONFLICT(local_day, kiosk, category) DO UPDATE SET "
    "drops = drops + 1, grams = grams + ?4, pieces = pieces + ?5, points = points + ?6",
    /* the run with the largest first_seq below seq, if it ends just before seq */
    "UPDATE seq_ranges SET last_seq = ?2 WHERE kiosk = ?1 AND last_seq = ?2 - 1 AND first_seq "
    "= (SELECT first_seq FROM seq_ranges WHERE kiosk = ?1 AND first_seq < ?2 ORDER BY "
    "first_seq DESC LIMIT 1)",
    "UPDATE seq_ranges SET last_seq = ?2 WHERE kiosk = ?1 AND last_seq = ?2 - 1 AND first_seq "
    "= (SELECT first_seq FROM seq_ranges WHERE kiosk = ?1 AND first_seq < ?2 ORDER BY "
    "first_seq DESC LIMIT 1) AND NOT EXISTS (SELECT 1 FROM seq_ranges WHERE kiosk = ?1 AND "
    "first_seq = ?2 + 1)",
    "SELECT last_seq FROM seq_ranges WHERE kiosk = ?1 AND first_seq = ?2 + 1",
    "DELETE FROM seq_ranges WHERE kiosk = ?1 AND first_seq = ?2 + 1",
    "UPDATE seq_ranges SET last_seq = ?3 WHERE kiosk = ?1 AND last_seq = ?2",
    "UPDATE seq_ranges SET first_seq = ?2 WHERE kiosk = ?1 AND first_seq = ?2 + 1",
    "INSERT INTO seq_ranges(kiosk, first_seq, last_seq) VALUES(?1, ?2, ?2)",
    "INSERT OR IGNORE INTO late_records(kiosk, seq, kind, time_s, received_s) "
    "VALUES(?1, ?2, ?3, ?4, ?5)",
    /* bins: ?1 kiosk, ?2 seq, ?3 category, then values; the next collection of
     * a category is found on the partial index records_bin */
    "UPDATE bin_spans SET drops = drops + 1, grams = grams + ?4 WHERE kiosk = ?1 AND seq = "
    "(SELECT MIN(seq) FROM records WHERE kind = 2 AND kiosk = ?1 AND category = ?3 AND seq > "
    "?2)",
    "SELECT COALESCE(MAX(seq), 0) FROM records WHERE kind = 2 AND kiosk = ?1 AND category = ?3 "
    "AND seq < ?2",
    "SELECT COUNT(*), COALESCE(SUM(qty), 0) FROM records WHERE kiosk = ?1 AND seq > ?4 AND seq "
    "< ?2 AND kind = 1 AND category = ?3 AND unit = 1",
    "INSERT INTO bin_spans(kiosk, seq, category, prev_seq, drops, grams) VALUES(?1, ?2, ?3, "
    "?4, ?5, ?6)",
    "UPDATE bin_spans SET prev_seq = ?2, drops = drops - ?5, grams = grams - ?6 WHERE kiosk = "
    "?1 AND seq = (SELECT MIN(seq) FROM records WHERE kind = 2 AND kiosk = ?1 AND category = "
    "?3 AND seq > ?2)",
};

#define SUMMARY_STMTS (sizeof summary_sql / sizeof summary_sql[0])

static sqlite3_stmt **summary_slots(struct sq_summary *m)
{
	return &m->daily; /* the struct is SUMMARY_STMTS statements in summary_sql's order */
}

int sq_summary_prepare(struct store *s)
{
	struct store_sqlite *q = SQ(s);
	_Static_assert(sizeof(struct sq_summary) == SUMMARY_STMTS * sizeof(sqlite3_stmt *),
	               "one statement per summary_sql line");
	q->summary = calloc(1, sizeof *q->summary);
	if (!q->summary) {
		store_set_err(s, "out of memory");
		return WF_ENOMEM;
	}
	sqlite3_stmt **slot = summary_slots(q->summary);
	for (size_t i = 0; i < SUMMARY_STMTS; i++) {
		int rc = sql_prepare(q->db, summary_sql[i], &slot[i], SQ_ERR(s));
		if (rc)
			return rc;
	}
	return WF_OK;
}

void sq_summary_close(struct store *s)
{
	struct store_sqlite *q = SQ(s);
	if (!q->summary)
		return;
	sqlite3_stmt **slot = summary_slots(q->summary);
	for (size_t i = 0; i < SUMMARY_STMTS; i++)
		sqlite3_finalize(slot[i]);
	free(q->summary);
	q->summary = NULL;
}

/* Runs st with (kiosk, seq[, third]) bound; 1 for a row (column 0 in *out), 0 done. */
static int run(struct store *s, sqlite3_stmt *st, int64_t kiosk, int64_t seq, int64_t third,
               int64_t *out)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, third);
	int rc = sql_step_row(SQ(s)->db, st, SQ_ERR(s));
	if (rc == 1 && out)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

/* seq joins the runs of its kiosk: extends the one before, joins the one
 * after, or starts one of its own. In order (the usual case): one UPDATE. */
static int keep_range(struct store *s, const struct store_record *r)
{
	struct sq_summary *m = SQ(s)->summary;
	sqlite3 *db = SQ(s)->db;
	int64_t next_last = 0;
	int rc = run(s, m->extend_alone, r->kiosk, r->seq, 0, NULL);
	if (rc < 0 || sqlite3_changes(db) == 1)
		return rc < 0 ? rc : WF_OK;
	int has_next = run(s, m->next, r->kiosk, r->seq, 0, &next_last);
	if (has_next < 0)
		return has_next;
	if (!has_next)
		rc = run(s, m->add_run, r->kiosk, r->seq, 0, NULL);
	else {
		rc = run(s, m->extend, r->kiosk, r->seq, 0, NULL);
		if (rc >= 0 && sqlite3_changes(db) == 1) { /* it joins the runs before and after */
			rc = run(s, m->drop_next, r->kiosk, r->seq, 0, NULL);
			if (rc >= 0)
				rc = run(s, m->set_last, r->kiosk, r->seq, next_last, NULL);
		} else if (rc >= 0)
			rc = run(s, m->move_first, r->kiosk, r->seq, 0, NULL);
	}
	return rc < 0 ? rc : WF_OK;
}

static int keep_daily(struct store *s, const struct store_record *r)
{
	sqlite3_stmt *st = SQ(s)->summary->daily;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->kiosk);
	sqlite3_bind_int64(st, 2, r->local_day);
	sqlite3_bind_int64(st, 3, r->category);
	sqlite3_bind_int64(st, 4, r->unit == WF_UNIT_GRAM ? r->qty : 0);
	sqlite3_bind_int64(st, 5, r->unit == WF_UNIT_PIECE ? r->qty : 0);
	sqlite3_bind_int64(st, 6, r->points);
	int rc = sql_step_row(SQ(s)->db, st, SQ_ERR(s));
	sqlite3_reset(st);
	return rc < 0 ? rc : WF_OK;
}

static int keep_late(struct store *s, const struct store_record *r)
{
	sqlite3_stmt *st = SQ(s)->summary->late;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->kiosk);
	sqlite3_bind_int64(st, 2, r->seq);
	sqlite3_bind_int64(st, 3, r->kind);
	sqlite3_bind_int64(st, 4, r->time_s);
	sqlite3_bind_int64(st, 5, r->received_s);
	int rc = sql_step_row(SQ(s)->db, st, SQ_ERR(s));
	sqlite3_reset(st);
	return rc < 0 ? rc : WF_OK;
}

/* Runs st with v[0..n) bound as ?1..?n; 1 for a row (columns 0 and 1 into out[2]), 0 done. */
static int run_v(struct store *s, sqlite3_stmt *st, const int64_t *v, int n, int64_t *out)
{
	sqlite3_reset(st);
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(st, i + 1, v[i]);
	int rc = sql_step_row(SQ(s)->db, st, SQ_ERR(s));
	if (rc == 1 && out) {
		out[0] = sqlite3_column_int64(st, 0);
		out[1] = sqlite3_column_count(st) > 1 ? sqlite3_column_int64(st, 1) : 0;
	}
	sqlite3_reset(st);
	return rc;
}

/*
 * Each bin collection's span: the weighed drops of its category at its
 * kiosk since the collection before. A drop joins the span of the next
 * collection already held (none yet: nothing to do, the span is summed when
 * that collection arrives); a collection sums the drops held since the one
 * before, and a later collection held already gives those up.
 */
static int keep_bins(struct store *s, const struct store_record *r)
{
	struct sq_summary *m = SQ(s)->summary;
	int64_t v[6] = {r->kiosk, r->seq, r->category, r->qty, 0, 0}, got[2] = {0, 0};
	int rc = WF_OK;
	if (r->kind == WF_RECORD_DROP && r->unit == WF_UNIT_GRAM) {
		rc = run_v(s, m->span_drop, v, 4, NULL);
		return rc < 0 ? rc : WF_OK;
	}
	if (r->kind != WF_RECORD_BIN)
		return WF_OK;
	rc = run_v(s, m->bin_prev, v, 3, got);
	v[3] = got[0];
	if (rc >= 0)
		rc = run_v(s, m->bin_sum, v, 4, got);
	v[4] = got[0];
	v[5] = got[1];
	if (rc >= 0)
		rc = run_v(s, m->span_add, v, 6, NULL);
	if (rc >= 0)
		rc = run_v(s, m->span_split, v, 6, NULL);
	return rc < 0 ? rc : WF_OK;
}

int sq_summary_record(struct store *s, const struct store_record *r)
{
	int rc = WF_OK;
	if (r->kind == WF_RECORD_DROP)
		rc = keep_daily(s, r);
	if (!rc)
		rc = keep_bins(s, r);
	if (!rc)
		rc = keep_range(s, r);
	/* time_s 0: a record central could not read (no time to compare) */
	if (!rc && r->time_s != 0 && r->received_s - r->time_s > STORE_LATE_MIN_S)
		rc = keep_late(s, r);
	return rc;
}

int sq_summary_rebuild(struct store *s)
{
	char sql[2400];
	snprintf(
	    sql, sizeof sql,
	    "DELETE FROM report_daily; DELETE FROM seq_ranges; DELETE FROM late_records;"
	    "DELETE FROM bin_spans;"
	    "INSERT INTO report_daily(kiosk, local_day, category, drops, grams, pieces, "
	    "points) SELECT kiosk, local_day, category, COUNT(*), SUM(CASE WHEN unit = %d "
	    "THEN qty ELSE 0 END), SUM(CASE WHEN unit = %d THEN qty ELSE 0 END), "
	    "SUM(points) FROM records WHERE kind = %d GROUP BY kiosk, local_day, category;"
	    /* runs: seq minus its rank is the same all along a run without a hole */
	    "INSERT INTO seq_ranges(kiosk, first_seq, last_seq) SELECT kiosk, MIN(seq), "
	    "MAX(seq) FROM (SELECT kiosk, seq, seq - ROW_NUMBER() OVER (PARTITION BY kiosk "
	    "ORDER BY seq) AS run FROM records) GROUP BY kiosk, run;"
	    "INSERT INTO late_records(kiosk, seq, kind, time_s, received_s) SELECT kiosk, "
	    "seq, kind, time_s, received_s FROM records WHERE time_s IS NOT NULL AND time_s "
	    "<> 0 AND received_s - time_s > %d;"
	    "INSERT INTO bin_spans(kiosk, seq, category, prev_seq, drops, grams) SELECT "
	    "kiosk, seq, category, prev, (SELECT COUNT(*) FROM records d WHERE d.kiosk = "
	    "b.kiosk AND d.seq > b.prev AND d.seq < b.seq AND d.kind = 1 AND d.category = "
	    "b.category AND d.unit = 1), (SELECT COALESCE(SUM(qty), 0) FROM records d WHERE "
	    "d.kiosk = b.kiosk AND d.seq > b.prev AND d.seq < b.seq AND d.kind = 1 AND "
	    "d.category = b.category AND d.unit = 1) FROM (SELECT r.kiosk, r.seq, r.category, "
	    "COALESCE((SELECT MAX(p.seq) FROM records p WHERE p.kind = 2 AND p.kiosk = "
	    "r.kiosk AND p.category = r.category AND p.seq < r.seq), 0) AS prev FROM records r "
	    "WHERE r.kind = 2) b;",
	    WF_UNIT_GRAM, WF_UNIT_PIECE, WF_RECORD_DROP, STORE_LATE_MIN_S);
	return sql_exec(SQ(s)->db, sql, SQ_ERR(s));
}
