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
 *
 * sq_summary_rebuild computes all three again from the records' fact
 * columns (a store from before them; tests compare the two).
 */
#include "store_sqlite.h"

#include <stdio.h>
#include <stdlib.h>

struct sq_summary {
	sqlite3_stmt *daily;      /* upsert one drop into report_daily */
	sqlite3_stmt *extend;     /* the run ending at seq - 1 now ends at seq */
	sqlite3_stmt *next;       /* the run starting at seq + 1, if any */
	sqlite3_stmt *drop_next;  /* that run removed (it joins the one before) */
	sqlite3_stmt *set_last;   /* the run before now ends at the next one's end */
	sqlite3_stmt *move_first; /* the run starting at seq + 1 starts at seq */
	sqlite3_stmt *add_run;    /* a run of one */
	sqlite3_stmt *late;       /* a late record */
};

static const char *const summary_sql[] = {
    "INSERT INTO report_daily(kiosk, local_day, category, drops, grams, pieces, points) "
    "VALUES(?1, ?2, ?3, 1, ?4, ?5, ?6) ON CONFLICT(local_day, kiosk, category) DO UPDATE SET "
    "drops = drops + 1, grams = grams + ?4, pieces = pieces + ?5, points = points + ?6",
    /* the run with the largest first_seq below seq, if it ends just before seq */
    "UPDATE seq_ranges SET last_seq = ?2 WHERE kiosk = ?1 AND last_seq = ?2 - 1 AND first_seq "
    "= (SELECT first_seq FROM seq_ranges WHERE kiosk = ?1 AND first_seq < ?2 ORDER BY "
    "first_seq DESC LIMIT 1)",
    "SELECT last_seq FROM seq_ranges WHERE kiosk = ?1 AND first_seq = ?2 + 1",
    "DELETE FROM seq_ranges WHERE kiosk = ?1 AND first_seq = ?2 + 1",
    "UPDATE seq_ranges SET last_seq = ?3 WHERE kiosk = ?1 AND last_seq = ?2",
    "UPDATE seq_ranges SET first_seq = ?2 WHERE kiosk = ?1 AND first_seq = ?2 + 1",
    "INSERT INTO seq_ranges(kiosk, first_seq, last_seq) VALUES(?1, ?2, ?2)",
    "INSERT OR IGNORE INTO late_records(kiosk, seq, kind, time_s, received_s) "
    "VALUES(?1, ?2, ?3, ?4, ?5)",
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
 * after, or starts one of its own. Usually one UPDATE and one lookup. */
static int keep_range(struct store *s, const struct store_record *r)
{
	struct sq_summary *m = SQ(s)->summary;
	int64_t next_last = 0;
	int rc = run(s, m->extend, r->kiosk, r->seq, 0, NULL);
	if (rc < 0)
		return rc;
	int extended = sqlite3_changes(SQ(s)->db) == 1;
	int has_next = run(s, m->next, r->kiosk, r->seq, 0, &next_last);
	if (has_next < 0)
		return has_next;
	if (extended && has_next) {
		rc = run(s, m->drop_next, r->kiosk, r->seq, 0, NULL);
		if (rc >= 0)
			rc = run(s, m->set_last, r->kiosk, r->seq, next_last, NULL);
	} else if (has_next)
		rc = run(s, m->move_first, r->kiosk, r->seq, 0, NULL);
	else if (!extended)
		rc = run(s, m->add_run, r->kiosk, r->seq, 0, NULL);
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

int sq_summary_record(struct store *s, const struct store_record *r)
{
	int rc = WF_OK;
	if (r->kind == WF_RECORD_DROP)
		rc = keep_daily(s, r);
	if (!rc)
		rc = keep_range(s, r);
	/* time_s 0: a record central could not read (no time to compare) */
	if (!rc && r->time_s != 0 && r->received_s - r->time_s > STORE_LATE_MIN_S)
		rc = keep_late(s, r);
	return rc;
}

int sq_summary_rebuild(struct store *s)
{
	char sql[1200];
	snprintf(sql, sizeof sql,
	         "DELETE FROM report_daily; DELETE FROM seq_ranges; DELETE FROM late_records;"
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
	         "<> 0 AND received_s - time_s > %d;",
	         WF_UNIT_GRAM, WF_UNIT_PIECE, WF_RECORD_DROP, STORE_LATE_MIN_S);
	return sql_exec(SQ(s)->db, sql, SQ_ERR(s));
}
