/* ledger.c — the kiosk journal on SQLite; see ledger.h for the contract. */
#include "ledger.h"
#include "hex.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "chain.h"
#include "wf.h"

/* Cached prepared statements of the hot paths. */
enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_LAST,
	ST_INSERT_RECORD,
	ST_INSERT_OUTBOX,
	ST_COUNTER_ADD,
	ST_INSERT_RECEIPT,
	ST_TODAY,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_LAST] = "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1",
    [ST_INSERT_RECORD] =
        "INSERT INTO records(seq, kind, time_ms, bytes, hash, category_id, qty, credited_qty,"
        " points, rate_version, flags, resident_id, staff_id, local_day, card_hash)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
    [ST_INSERT_OUTBOX] = "INSERT INTO outbox(seq) VALUES(?1)",
    [ST_COUNTER_ADD] = "INSERT INTO counters(card_hash, local_day, category_id, qty)"
                       " VALUES(?1,?2,?3,?4) ON CONFLICT(card_hash, local_day, category_id)"
                       " DO UPDATE SET qty = qty + excluded.qty",
    [ST_INSERT_RECEIPT] = "INSERT INTO receipts(seq, token) VALUES(?1,?2)",
    [ST_TODAY] = "SELECT category_id, qty FROM counters WHERE card_hash = ?1 AND local_day = ?2"
                 " ORDER BY category_id",
};

struct ledger {
	sqlite3 *db;
	uint32_t kiosk;
	unsigned checkpoint_every;
	unsigned commits;
	bool in_sync; /* between ledger_sync_begin and commit/abort */
	bool sync_full;
	sqlite3_stmt *st[ST_COUNT];
	char *mark_path; /* PATH.hwm (read-write handles only), see ledger_resume_after_mark */
	int mark_fd;     /* opened on the first append; -1 until then or if it failed */
	char err[LEDGER_ERRMSG_MAX];
};

/* ---- schema ---------------------------------------------------------- */

/* Migration N takes a journal from user_version N-1 to N. Never edit one
 * that has shipped: add the next. */
static const char *const migrations[LEDGER_SCHEMA_VERSION] = {
    /* 1: the journal and the down-synced tables */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value);"
    "CREATE TABLE categories(id INTEGER PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL,"
    " unit INTEGER NOT NULL, rate_version INTEGER NOT NULL, rate INTEGER NOT NULL,"
    " min_qty INTEGER NOT NULL, max_qty INTEGER NOT NULL, daily_limit_qty INTEGER NOT NULL);"
    "CREATE TABLE residents(id INTEGER PRIMARY KEY, card_hash BLOB NOT NULL, name TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK(status IN ('active','blocked')),"
    " block_reason TEXT NOT NULL DEFAULT '', balance INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX residents_card ON residents(card_hash);"
    "CREATE TABLE staff(id INTEGER PRIMARY KEY, card_hash BLOB NOT NULL, name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK(role IN ('staff','admin')), pin_hash TEXT NOT NULL,"
    " pin_failures INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX staff_card ON staff(card_hash);"
    "CREATE TABLE blocklist(card_hash BLOB PRIMARY KEY, reason TEXT NOT NULL);"
    "CREATE TABLE card_key(one INTEGER PRIMARY KEY CHECK(one = 1), version INTEGER NOT NULL,"
    " key BLOB NOT NULL);"
    "CREATE TABLE records(seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL,"
    " time_ms INTEGER NOT NULL, bytes BLOB NOT NULL, hash BLOB NOT NULL,"
    " acked INTEGER NOT NULL DEFAULT 0,"
    " category_id INTEGER, qty INTEGER, credited_qty INTEGER, points INTEGER,"
    " rate_version INTEGER, flags INTEGER, resident_id INTEGER, staff_id INTEGER,"
    " local_day INTEGER, card_hash BLOB);"
    "CREATE TABLE receipts(seq INTEGER PRIMARY KEY, token TEXT NOT NULL);"
    "CREATE TABLE outbox(seq INTEGER PRIMARY KEY);"
    "CREATE TABLE counters(card_hash BLOB NOT NULL, local_day INTEGER NOT NULL,"
    " category_id INTEGER NOT NULL, qty INTEGER NOT NULL,"
    " PRIMARY KEY(card_hash, local_day, category_id)) WITHOUT ROWID;",
    /* 2: pruning scaffolding: checkpoints central acknowledged; records at or
     * below meta 'pruned_upto' may be gone (chain resumes at 'pruned_hash'). */
    "CREATE TABLE prune_points(checkpoint_seq INTEGER PRIMARY KEY, upto_seq INTEGER NOT NULL,"
    " hash BLOB NOT NULL, acked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX records_kind ON records(kind, seq);"
    "INSERT OR IGNORE INTO meta(key, value) VALUES('pruned_upto', 0);",
    /* 3: records central answered `conflict` (acked = 2), found without a scan */
    "CREATE INDEX records_conflict ON records(seq) WHERE acked = 2;",
};

/* ---- errors ------------------------------------------------------------ */

static void set_err(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *buf, size_t len, const char *fmt, ...)
{
	if (!buf || !len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Maps an SQLite result (and the OS errno behind it) to a wf_err. */
static int map_rc(sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE: return WF_OK;
	case SQLITE_FULL: return WF_EFULL;
	case SQLITE_READONLY: return WF_EROFS;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: return WF_ECORRUPT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return WF_EBUSY;
	case SQLITE_NOMEM: return WF_ENOMEM;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE: return WF_EINVAL;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
	default:
		if (sys == ENOSPC || sys == EDQUOT)
			return WF_EFULL;
		if (sys == EROFS || sys == EACCES || sys == EPERM)
			return WF_EROFS;
		if (sys == ENOENT)
			return WF_ENOENT;
		return WF_EIO;
	}
}

/* Records an SQLite failure on l and returns its wf_err. */
static int fail_sql(struct ledger *l, int rc, const char *what)
{
	int e = map_rc(l->db, rc);
	if (e == WF_OK)
		e = WF_EIO;
	int sys = sqlite3_system_errno(l->db);
	const char *hint = e == WF_EFULL      ? "disk full: "
	                   : e == WF_EROFS    ? "journal storage is read-only: "
	                   : e == WF_ECORRUPT ? "journal is damaged: "
	                                      : "";
	set_err(l->err, sizeof l->err, "%s%s: %s%s%s", hint, what, sqlite3_errmsg(l->db),
	        sys ? " / " : "", sys ? strerror(sys) : "");
	return e;
}

const char *ledger_errmsg(const struct ledger *l)
{
	return l ? l->err : "no journal handle";
}

uint32_t ledger_kiosk(const struct ledger *l)
{
	assert(l);
	return l->kiosk;
}

/* ---- small SQL helpers --------------------------------------------------- */

static int64_t now_ms_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stmt_get(struct ledger *l, enum stmt_id id, sqlite3_stmt **out)
{
	if (!l->st[id]) {
		int rc = sqlite3_prepare_v3(l->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		                            &l->st[id], NULL);
		if (rc != SQLITE_OK)
			return fail_sql(l, rc, "prepare");
	}
	sqlite3_reset(l->st[id]);
	sqlite3_clear_bindings(l->st[id]);
	*out = l->st[id];
	return WF_OK;
}

/* Prepares a one-off statement. */
static int prep(struct ledger *l, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v2(l->db, sql, -1, out, NULL);
	if (rc != SQLITE_OK) {
		*out = NULL;
		return fail_sql(l, rc, "prepare");
	}
	return WF_OK;
}

/* Steps a write statement to completion. */
static int step_done(struct ledger *l, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_DONE ? WF_OK : fail_sql(l, rc, what);
	sqlite3_reset(st);
	return r;
}

static int exec_sql(struct ledger *l, const char *sql, const char *what)
{
	int rc = sqlite3_exec(l->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? WF_OK : fail_sql(l, rc, what);
}

/* BEGIN IMMEDIATE; busy is waited out (busy_timeout, then our own retries). */
static int txn_begin(struct ledger *l)
{
	sqlite3_stmt *st = NULL;
	int r = stmt_get(l, ST_BEGIN, &st);
	if (r)
		return r;
	int64_t start = now_ms_mono();
	for (;;) {
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return WF_OK;
		if ((rc & 0xff) != SQLITE_BUSY || now_ms_mono() - start > LEDGER_BUSY_MAX_MS)
			return fail_sql(l, rc, "begin transaction");
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static void txn_rollback(struct ledger *l)
{
	if (sqlite3_get_autocommit(l->db))
		return; /* SQLite already rolled back (e.g. after SQLITE_FULL) */
	sqlite3_stmt *st = NULL;
	if (stmt_get(l, ST_ROLLBACK, &st) == WF_OK) {
		sqlite3_step(st);
		sqlite3_reset(st);
	}
}

static int txn_commit(struct ledger *l)
{
	sqlite3_stmt *st = NULL;
	int r = stmt_get(l, ST_COMMIT, &st);
	if (r)
		return r;
	int64_t start = now_ms_mono();
	for (;;) {
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			break;
		if ((rc & 0xff) != SQLITE_BUSY || now_ms_mono() - start > LEDGER_BUSY_MAX_MS) {
			r = fail_sql(l, rc, "commit");
			txn_rollback(l);
			return r;
		}
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (++l->commits % l->checkpoint_every == 0) /* a checkpoint that fails is harmless */
		sqlite3_wal_checkpoint_v2(l->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return WF_OK;
}

static int meta_get_int(struct ledger *l, const char *key, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int r = prep(l, "SELECT value FROM meta WHERE key = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
		*out = sqlite3_column_int64(st, 0);
		r = WF_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		set_err(l->err, sizeof l->err, "journal has no meta '%s'", key);
		r = WF_ENOENT;
	} else {
		r = fail_sql(l, rc, "read meta");
	}
	sqlite3_finalize(st);
	return r;
}

static int meta_set(struct ledger *l, const char *key, const char *text, int64_t num, bool is_text)
{
	sqlite3_stmt *st = NULL;
	int r = prep(l,
	             "INSERT INTO meta(key, value) VALUES(?1, ?2)"
	             " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	             &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (is_text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, num);
	r = step_done(l, st, "write meta");
	sqlite3_finalize(st);
	return r;
}

/* ---- open / init ---------------------------------------------------------- */

/* Refuses what is not an SQLite 3 file before SQLite sees it. */
static int check_header(const char *path, char *err, size_t err_len)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		set_err(err, err_len, "%s: %s%s", path, strerror(e),
		        e == ENOENT ? " (create a journal with `wufei-kiosk ledger init`)" : "");
		return e == ENOENT ? WF_ENOENT : e == EACCES ? WF_EROFS : WF_EIO;
	}
	ssize_t n = read(fd, head, sizeof head);
	close(fd);
	if (n != (ssize_t)sizeof head || memcmp(head, magic, sizeof magic) != 0) {
		set_err(err, err_len, "%s: not an SQLite journal file (wrong header)", path);
		return WF_ECORRUPT;
	}
	return WF_OK;
}

/* Sets and reads back the pragmas every connection must run with. */
static int set_pragmas(struct ledger *l, bool sync_off)
{
	sqlite3_busy_timeout(l->db, LEDGER_BUSY_TIMEOUT_MS);
	sqlite3_stmt *st = NULL;
	int r = prep(l, "PRAGMA journal_mode=WAL", &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	bool wal = rc == SQLITE_ROW &&
	           sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail_sql(l, rc, "set WAL mode");
	if (!wal) {
		set_err(l->err, sizeof l->err, "journal refused WAL mode (read-only storage?)");
		return WF_EROFS;
	}
	r = exec_sql(l, sync_off ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=FULL",
	             "set synchronous");
	if (r == WF_OK)
		r = exec_sql(l, "PRAGMA wal_autocheckpoint=0", "set wal_autocheckpoint");
	if (r)
		return r;
	/* Read them back: a pragma SQLite ignores silently must not go unnoticed. */
	int64_t sync = -1, busy = -1;
	if (prep(l, "PRAGMA synchronous", &st) == WF_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			sync = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (prep(l, "PRAGMA busy_timeout", &st) == WF_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			busy = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (sync != (sync_off ? 0 : 2) || busy != LEDGER_BUSY_TIMEOUT_MS) {
		set_err(l->err, sizeof l->err,
		        "journal pragmas not in effect (synchronous=%" PRId64
		        ", busy_timeout=%" PRId64 ")",
		        sync, busy);
		return WF_EIO;
	}
	return WF_OK;
}

static int user_version(struct ledger *l, int64_t *v)
{
	sqlite3_stmt *st = NULL;
	int r = prep(l, "PRAGMA user_version", &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		r = WF_OK;
	} else {
		r = fail_sql(l, rc, "read schema version");
	}
	sqlite3_finalize(st);
	return r;
}

/* Runs migrations from..to-1 (to = target version) in one transaction. */
static int migrate(struct ledger *l, int64_t from, int64_t to)
{
	int r = txn_begin(l);
	if (r)
		return r;
	for (int64_t v = from; v < to && r == WF_OK; v++)
		r = exec_sql(l, migrations[v], "migrate schema");
	if (r == WF_OK) {
		char sql[48];
		snprintf(sql, sizeof sql, "PRAGMA user_version=%" PRId64, to);
		r = exec_sql(l, sql, "set schema version");
	}
	if (r == WF_OK)
		return txn_commit(l);
	txn_rollback(l);
	return r;
}

static void handle_free(struct ledger *l)
{
	if (!l)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(l->st[i]);
	sqlite3_close_v2(l->db);
	if (l->mark_fd >= 0)
		close(l->mark_fd);
	free(l->mark_path);
	free(l);
}

/* On read-only storage SQLite cannot create the -shm of a WAL journal. When
 * no -wal file exists the database file alone is the whole journal, so it
 * can be opened as immutable. Writes that URI into uri; false otherwise. */
static bool readonly_uri(const char *path, char *uri, size_t cap)
{
	char wal[4200];
	struct stat st;
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (stat(wal, &st) == 0 && st.st_size > 0)
		return false;
	size_t n = (size_t)snprintf(uri, cap, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p && n + 4 < cap; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		             (*p >= '0' && *p <= '9') || strchr("/._-~", *p);
		n += (size_t)snprintf(uri + n, cap - n, plain ? "%c" : "%%%02X", *p);
	}
	return n + 13 < cap && snprintf(uri + n, cap - n, "?immutable=1") == 12;
}

/* Opens path (must exist) and checks pragmas and schema. readonly: open
 * read-only (verify on a read-only copy), no pragmas written, no migration. */
static int open_handle(const char *path, const struct ledger_options *opt, bool readonly,
                       struct ledger **out, char *err, size_t err_len)
{
	*out = NULL;
	int r = check_header(path, err, err_len);
	if (r)
		return r;
	struct ledger *l = calloc(1, sizeof *l);
	if (!l) {
		set_err(err, err_len, "out of memory");
		return WF_ENOMEM;
	}
	l->checkpoint_every =
	    opt && opt->checkpoint_every ? opt->checkpoint_every : LEDGER_CHECKPOINT_EVERY;
	l->mark_fd = -1;
	if (!readonly) {
		size_t n = strlen(path) + sizeof ".hwm";
		l->mark_path = malloc(n);
		if (!l->mark_path) {
			free(l);
			set_err(err, err_len, "out of memory");
			return WF_ENOMEM;
		}
		snprintf(l->mark_path, n, "%s.hwm", path);
	}
	int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
	char uri[4200];
	const char *name = path;
	if (readonly && readonly_uri(path, uri, sizeof uri)) {
		name = uri;
		flags |= SQLITE_OPEN_URI;
	}
	int rc = sqlite3_open_v2(name, &l->db, flags, opt ? opt->vfs : NULL);
	if (rc != SQLITE_OK) {
		r = l->db ? fail_sql(l, rc, "open") : WF_ENOMEM;
		goto out;
	}
	sqlite3_extended_result_codes(l->db, 1);
	if (!readonly && sqlite3_db_readonly(l->db, "main") == 1) {
		set_err(l->err, sizeof l->err, "%s: journal storage is read-only", path);
		r = WF_EROFS;
		goto out;
	}
	if (readonly)
		sqlite3_busy_timeout(l->db, LEDGER_BUSY_TIMEOUT_MS);
	else
		r = set_pragmas(l, opt && opt->unsafe_sync_off);
	if (r)
		goto out;
	int64_t v = 0;
	r = user_version(l, &v);
	if (r)
		goto out;
	if (v <= 0) {
		set_err(l->err, sizeof l->err, "%s: an SQLite file but not a Wufei journal", path);
		r = WF_ECORRUPT;
		goto out;
	}
	if (v > LEDGER_SCHEMA_VERSION) {
		set_err(l->err, sizeof l->err,
		        "%s: journal schema %" PRId64 " is newer than this program's (%d)", path, v,
		        LEDGER_SCHEMA_VERSION);
		r = WF_ECORRUPT;
		goto out;
	}
	if (v < LEDGER_SCHEMA_VERSION && !readonly) {
		r = migrate(l, v, LEDGER_SCHEMA_VERSION);
		if (r)
			goto out;
	}
	int64_t kiosk = 0;
	r = meta_get_int(l, "kiosk", &kiosk);
	if (r == WF_OK && (kiosk < 1 || kiosk > UINT32_MAX)) {
		set_err(l->err, sizeof l->err, "journal names kiosk %" PRId64, kiosk);
		r = WF_ECORRUPT;
	} else if (r == WF_ENOENT) {
		r = WF_ECORRUPT;
	}
	if (r)
		goto out;
	l->kiosk = (uint32_t)kiosk;
	*out = l;
out:
	if (r) {
		set_err(err, err_len, "%s", l->err);
		handle_free(l);
	}
	return r;
}

int ledger_open_with(const char *path, const struct ledger_options *opt, struct ledger **out,
                     char *err, size_t err_len)
{
	assert(path && out);
	return open_handle(path, opt, false, out, err, err_len);
}

int ledger_open(const char *path, struct ledger **out, char *err, size_t err_len)
{
	return ledger_open_with(path, NULL, out, err, err_len);
}

void ledger_close(struct ledger *l)
{
	if (l && l->in_sync)
		ledger_sync_abort(l);
	handle_free(l);
}

static void remove_journal(const char *path)
{
	char p[4096];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

/* fsync the directory holding path, so the new file's name survives a power cut. */
static void sync_parent_dir(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int ledger_init_version(const char *path, uint32_t kiosk, int version, char *err, size_t err_len)
{
	assert(path);
	if (kiosk == 0 || version < 1 || version > LEDGER_SCHEMA_VERSION) {
		set_err(err, err_len, "kiosk number must be >= 1 (schema version 1..%d)",
		        LEDGER_SCHEMA_VERSION);
		return WF_EINVAL;
	}
	/* O_EXCL: refuse an existing file atomically, even one created just now. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		int e = errno;
		set_err(err, err_len, "%s: %s", path,
		        e == EEXIST ? "already exists; refusing to overwrite a journal"
		                    : strerror(e));
		return e == EEXIST                 ? WF_EEXIST
		       : e == EROFS || e == EACCES ? WF_EROFS
		       : e == ENOSPC               ? WF_EFULL
		       : e == ENOENT               ? WF_ENOENT
		                                   : WF_EIO;
	}
	close(fd);
	struct ledger *l = calloc(1, sizeof *l);
	int r = WF_ENOMEM;
	if (!l) {
		set_err(err, err_len, "out of memory");
		goto out;
	}
	l->checkpoint_every = LEDGER_CHECKPOINT_EVERY;
	int rc = sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		r = l->db ? fail_sql(l, rc, "open") : WF_ENOMEM;
		goto out;
	}
	sqlite3_extended_result_codes(l->db, 1);
	r = set_pragmas(l, false);
	if (r == WF_OK)
		r = migrate(l, 0, version);
	if (r == WF_OK)
		r = txn_begin(l);
	if (r == WF_OK) {
		r = meta_set(l, "kiosk", NULL, kiosk, false);
		if (r == WF_OK)
			r = meta_set(l, "cursor", "", 0, true);
		if (r == WF_OK)
			r = txn_commit(l);
		else
			txn_rollback(l);
	}
	if (r == WF_OK)
		r = sqlite3_wal_checkpoint_v2(l->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
		                              NULL) == SQLITE_OK
		        ? WF_OK
		        : fail_sql(l, sqlite3_errcode(l->db), "checkpoint");
	if (r)
		set_err(err, err_len, "%s", l->err);
out:
	handle_free(l);
	if (r)
		remove_journal(path);
	else
		sync_parent_dir(path);
	return r;
}

int ledger_init(const char *path, uint32_t kiosk, char *err, size_t err_len)
{
	return ledger_init_version(path, kiosk, LEDGER_SCHEMA_VERSION, err, err_len);
}

/* ---- records --------------------------------------------------------------- */

/* The queryable columns of a record, as ledger verify re-derives them. */
enum col_id {
	COL_CATEGORY,
	COL_QTY,
	COL_CREDITED,
	COL_POINTS,
	COL_RATE_VERSION,
	COL_FLAGS,
	COL_RESIDENT,
	COL_STAFF,
	COL_LOCAL_DAY,
	COL_COUNT
};

static const char *const col_names[COL_COUNT] = {
    "category_id", "qty",         "credited_qty", "points",    "rate_version",
    "flags",       "resident_id", "staff_id",     "local_day",
};

struct cols {
	bool has[COL_COUNT];
	int64_t v[COL_COUNT];
	const uint8_t *card_hash; /* NULL = column NULL */
};

static void col_set(struct cols *c, enum col_id id, int64_t v)
{
	c->has[id] = true;
	c->v[id] = v;
}

static void cols_of(const struct wf_record *r, struct cols *c)
{
	memset(c, 0, sizeof *c);
	switch (r->kind) {
	case WF_RECORD_DROP:
		col_set(c, COL_CATEGORY, r->drop.category_id);
		col_set(c, COL_QTY, r->drop.qty);
		col_set(c, COL_CREDITED, r->drop.credited_qty);
		col_set(c, COL_POINTS, r->drop.points);
		col_set(c, COL_RATE_VERSION, r->drop.rate_version);
		col_set(c, COL_FLAGS, r->drop.flags);
		col_set(c, COL_RESIDENT, (int64_t)r->drop.resident_id);
		col_set(c, COL_LOCAL_DAY, r->drop.local_day);
		c->card_hash = r->drop.card_hash;
		break;
	case WF_RECORD_BIN:
		col_set(c, COL_CATEGORY, r->bin.category_id);
		col_set(c, COL_QTY, r->bin.grams);
		col_set(c, COL_STAFF, (int64_t)r->bin.staff_id);
		break;
	case WF_RECORD_STAFF: col_set(c, COL_STAFF, (int64_t)r->staff.staff_id); break;
	case WF_RECORD_DAY_CLOSE:
		col_set(c, COL_LOCAL_DAY, r->day_close.local_day);
		col_set(c, COL_POINTS, r->day_close.points);
		break;
	default: break;
	}
}

static bool hash_is_zero(const uint8_t h[32])
{
	uint8_t acc = 0;
	for (int i = 0; i < 32; i++)
		acc |= h[i];
	return acc == 0;
}

int ledger_last(struct ledger *l, uint64_t *seq, uint8_t hash[WF_HASH_BYTES])
{
	assert(l);
	sqlite3_stmt *st = NULL;
	int r = stmt_get(l, ST_LAST, &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != WF_HASH_BYTES) {
			set_err(l->err, sizeof l->err, "last record has a hash of the wrong size");
			r = WF_ECORRUPT;
		} else {
			if (seq)
				*seq = (uint64_t)sqlite3_column_int64(st, 0);
			if (hash)
				memcpy(hash, sqlite3_column_blob(st, 1), WF_HASH_BYTES);
		}
	} else if (rc == SQLITE_DONE) {
		if (seq)
			*seq = 0;
		if (hash)
			memset(hash, 0, WF_HASH_BYTES);
	} else {
		r = fail_sql(l, rc, "read last record");
	}
	sqlite3_reset(st);
	return r;
}

static int insert_record(struct ledger *l, const struct wf_record *rec, const uint8_t *bytes,
                         int len, const uint8_t hash[32])
{
	sqlite3_stmt *st = NULL;
	int r = stmt_get(l, ST_INSERT_RECORD, &st);
	if (r)
		return r;
	struct cols c;
	cols_of(rec, &c);
	sqlite3_bind_int64(st, 1, (int64_t)rec->seq);
	sqlite3_bind_int(st, 2, rec->kind);
	sqlite3_bind_int64(st, 3, rec->time_ms);
	sqlite3_bind_blob(st, 4, bytes, len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, hash, 32, SQLITE_STATIC);
	for (int i = 0; i < COL_COUNT; i++)
		if (c.has[i])
			sqlite3_bind_int64(st, 6 + i, c.v[i]);
	if (c.card_hash)
		sqlite3_bind_blob(st, 15, c.card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	r = step_done(l, st, "insert record");
	if (r)
		return r;
	r = stmt_get(l, ST_INSERT_OUTBOX, &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)rec->seq);
	return step_done(l, st, "insert outbox row");
}

static int drop_extras(struct ledger *l, const struct wf_record *rec, const uint8_t hash[32],
                       ledger_receipt_fn receipt, void *ctx, char *token, size_t token_cap)
{
	sqlite3_stmt *st = NULL;
	int r;
	const struct wf_record_drop *d = &rec->drop;
	if (!hash_is_zero(d->card_hash)) {
		r = stmt_get(l, ST_COUNTER_ADD, &st);
		if (r)
			return r;
		sqlite3_bind_blob(st, 1, d->card_hash, WF_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, d->local_day);
		sqlite3_bind_int(st, 3, d->category_id);
		sqlite3_bind_int64(st, 4, d->qty);
		r = step_done(l, st, "update daily counter");
		if (r)
			return r;
	}
	token[0] = '\0';
	if (receipt) {
		r = receipt(ctx, rec, hash, token, token_cap);
		if (r) {
			set_err(l->err, sizeof l->err, "receipt token failed: %s", wf_strerror(r));
			return r < 0 ? r : WF_EINVAL;
		}
		if (!memchr(token, '\0', token_cap)) {
			set_err(l->err, sizeof l->err, "receipt token not terminated");
			return WF_EINVAL;
		}
	}
	r = stmt_get(l, ST_INSERT_RECEIPT, &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)rec->seq);
	sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
	return step_done(l, st, "insert receipt");
}

/* Seq and previous hash for rec given the journal's last record. */
static int place_record(struct ledger *l, struct wf_record *rec, uint8_t prev[32])
{
	uint64_t last = 0;
	int r = ledger_last(l, &last, prev);
	if (r)
		return r;
	if (rec->kind != WF_RECORD_EPOCH) {
		rec->seq = last + 1;
		return WF_OK;
	}
	if (rec->epoch.after_seq < last) {
		set_err(l->err, sizeof l->err,
		        "epoch continues after seq %" PRIu64 " but the journal is at %" PRIu64,
		        rec->epoch.after_seq, last);
		return WF_EINVAL;
	}
	if (rec->epoch.after_seq == last && memcmp(rec->epoch.hash, prev, 32) != 0) {
		set_err(l->err, sizeof l->err,
		        "epoch hash differs from the journal's hash after seq %" PRIu64, last);
		return WF_ECONFLICT;
	}
	rec->seq = rec->epoch.after_seq + 1;
	memcpy(prev, rec->epoch.hash, 32);
	return WF_OK;
}

/* ---- the high-water mark beside the journal (PATH.hwm) ---------------- */

#define MARK_LEN 109 /* "wufei-hwm-1 " + 10 + " " + 20 + " " + 64 + "\n" */

static int mark_format(uint32_t kiosk, uint64_t seq, const uint8_t hash[32], char *out)
{
	char hex[WF_HASH_HEX];
	hex_encode(hash, WF_HASH_BYTES, hex, WF_HASH_HEX);
	return snprintf(out, MARK_LEN + 1, "wufei-hwm-1 %010" PRIu32 " %020" PRIu64 " %s\n", kiosk,
	                seq, hex);
}

/* Parses a mark; false if it is not exactly one well-formed line. */
static bool mark_parse(const char *text, size_t len, uint32_t *kiosk, uint64_t *seq,
                       uint8_t hash[32])
{
	if (len != MARK_LEN || memcmp(text, "wufei-hwm-1 ", 12) != 0 || text[22] != ' ' ||
	    text[43] != ' ' || text[MARK_LEN - 1] != '\n')
		return false;
	uint64_t k = 0, q = 0;
	for (int i = 12; i < 22; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		k = k * 10 + (uint64_t)(text[i] - '0');
	}
	for (int i = 23; i < 43; i++) {
		if (text[i] < '0' || text[i] > '9' || q > (UINT64_MAX - 9) / 10)
			return false;
		q = q * 10 + (uint64_t)(text[i] - '0');
	}
	if (k == 0 || k > UINT32_MAX || q == 0 ||
	    hex_decode(text + 44, 64, hash, WF_HASH_BYTES) != WF_OK)
		return false;
	*kiosk = (uint32_t)k;
	*seq = q;
	return true;
}

/* After a commit: the highest seq this journal file has seen, outside the
 * file, so that a copy restored from a backup can tell it is behind. Best
 * effort and unsynced: a mark that lags behind the journal is harmless. */
static void mark_note(struct ledger *l, uint64_t seq, const uint8_t hash[32])
{
	if (!l->mark_path)
		return;
	if (l->mark_fd < 0)
		l->mark_fd = open(l->mark_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	char text[MARK_LEN + 1];
	if (l->mark_fd >= 0 && mark_format(l->kiosk, seq, hash, text) == MARK_LEN &&
	    pwrite(l->mark_fd, text, MARK_LEN, 0) != MARK_LEN) {
		close(l->mark_fd); /* try again with a fresh descriptor next time */
		l->mark_fd = -1;
	}
}

/* Reads the mark beside the journal: true if there is a usable one of this kiosk. */
static bool mark_read(struct ledger *l, uint64_t *seq, uint8_t hash[32])
{
	char text[MARK_LEN + 2];
	int fd = l->mark_path ? open(l->mark_path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return false; /* no mark yet: nothing known beyond the journal */
	ssize_t n = pread(fd, text, sizeof text, 0);
	close(fd);
	uint32_t kiosk;
	/* torn, foreign or another kiosk's: no evidence */
	return n > 0 && mark_parse(text, (size_t)n, &kiosk, seq, hash) && kiosk == l->kiosk;
}

int ledger_resume_after_mark(struct ledger *l, int64_t time_ms, uint64_t *after)
{
	assert(l && after);
	*after = 0;
	uint64_t seq, last = 0;
	uint8_t hash[32];
	if (!mark_read(l, &seq, hash))
		return 0;
	int r = ledger_last(l, &last, NULL);
	if (r)
		return r;
	if (seq <= last)
		return 0;
	struct wf_record e;
	memset(&e, 0, sizeof e);
	e.kind = WF_RECORD_EPOCH;
	e.time_ms = time_ms;
	e.epoch.reason = WF_EPOCH_RESTORED;
	e.epoch.after_seq = seq;
	memcpy(e.epoch.hash, hash, 32);
	r = ledger_append(l, &e, NULL, NULL, NULL);
	if (r)
		return r;
	*after = seq;
	return 1;
}

int ledger_append(struct ledger *l, struct wf_record *rec, ledger_receipt_fn receipt, void *ctx,
                  struct ledger_appended *out)
{
	assert(l && rec);
	l->err[0] = '\0';
	if (l->in_sync) {
		set_err(l->err, sizeof l->err, "a down-sync transaction is open");
		return WF_ESTATE;
	}
	struct wf_record w = *rec;
	w.kiosk = l->kiosk;
	w.seq = 1; /* placeholder so the check below validates the body */
	if (w.kind == WF_RECORD_EPOCH)
		w.seq = w.epoch.after_seq + 1;
	char why[96];
	if (wf_record_check(&w, why, sizeof why) != WF_OK && w.kind != WF_RECORD_CHECKPOINT) {
		set_err(l->err, sizeof l->err, "invalid record: %s", why);
		return WF_EINVAL;
	}
	uint8_t bytes[WF_RECORD_MAX_LEN], prev[32], hash[32];
	char token[LEDGER_TOKEN_MAX] = "";
	int r = txn_begin(l);
	if (r)
		return r;
	r = place_record(l, &w, prev);
	if (r)
		goto out;
	int len = wf_record_encode(&w, bytes, sizeof bytes);
	if (len < 0) {
		wf_record_check(&w, why, sizeof why);
		set_err(l->err, sizeof l->err, "invalid record: %s", why);
		r = WF_EINVAL;
		goto out;
	}
	wf_chain_next(prev, bytes, (size_t)len, hash);
	r = insert_record(l, &w, bytes, len, hash);
	if (r == WF_OK && w.kind == WF_RECORD_DROP)
		r = drop_extras(l, &w, hash, receipt, ctx, token, sizeof token);
	if (r == WF_OK)
		r = txn_commit(l);
out:
	if (r) {
		txn_rollback(l);
		return r;
	}
	rec->kiosk = w.kiosk;
	rec->seq = w.seq;
	mark_note(l, w.seq, hash);
	if (out) {
		out->seq = w.seq;
		memcpy(out->hash, hash, sizeof hash);
		memcpy(out->token, token, sizeof token);
	}
	return WF_OK;
}

/* ---- lookups ----------------------------------------------------------------- */

static void copy_col_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

int ledger_card_lookup(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES],
                       struct ledger_card *out)
{
	assert(l && card_hash && out);
	memset(out, 0, sizeof *out);
	out->kind = LEDGER_CARD_UNKNOWN;
	sqlite3_stmt *st = NULL;
	/* Blocklist first: a card reported lost is refused whoever holds it. */
	int r = prep(l, "SELECT reason FROM blocklist WHERE card_hash = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->kind = LEDGER_CARD_BLOCKED;
		copy_col_text(st, 0, out->reason, sizeof out->reason);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail_sql(l, rc, "look up blocklist");
	if (out->kind == LEDGER_CARD_UNKNOWN) {
		r = prep(l,
		         "SELECT id, name, role, pin_hash, pin_failures FROM staff"
		         " WHERE card_hash = ?1 ORDER BY id LIMIT 1",
		         &st);
		if (r)
			return r;
		sqlite3_bind_blob(st, 1, card_hash, WF_HASH_BYTES, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			out->kind = LEDGER_CARD_STAFF;
			out->id = (uint64_t)sqlite3_column_int64(st, 0);
			copy_col_text(st, 1, out->name, sizeof out->name);
			const unsigned char *role = sqlite3_column_text(st, 2);
			out->admin = role && strcmp((const char *)role, "admin") == 0;
			copy_col_text(st, 3, out->pin_hash, sizeof out->pin_hash);
			out->pin_failures = (uint32_t)sqlite3_column_int64(st, 4);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return fail_sql(l, rc, "look up staff");
		if (out->kind == LEDGER_CARD_STAFF)
			return WF_OK;
	}
	r = prep(l,
	         "SELECT id, name, status, block_reason, balance FROM residents"
	         " WHERE card_hash = ?1 ORDER BY id LIMIT 1",
	         &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = (uint64_t)sqlite3_column_int64(st, 0);
		copy_col_text(st, 1, out->name, sizeof out->name);
		out->balance = sqlite3_column_int64(st, 4);
		const unsigned char *status = sqlite3_column_text(st, 2);
		if (out->kind == LEDGER_CARD_UNKNOWN) {
			bool blocked = status && strcmp((const char *)status, "blocked") == 0;
			out->kind = blocked ? LEDGER_CARD_BLOCKED : LEDGER_CARD_RESIDENT;
			if (blocked)
				copy_col_text(st, 3, out->reason, sizeof out->reason);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail_sql(l, rc, "look up resident");
	return WF_OK;
}

int ledger_today(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES], uint32_t local_day,
                 struct ledger_today *out, unsigned cap)
{
	assert(l && card_hash && (out || cap == 0));
	sqlite3_stmt *st = NULL;
	int r = stmt_get(l, ST_TODAY, &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, local_day);
	unsigned n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
		out[n].category_id = (uint16_t)sqlite3_column_int(st, 0);
		out[n].qty = sqlite3_column_int64(st, 1);
		n++;
	}
	r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? (int)n : fail_sql(l, rc, "read counters");
	sqlite3_reset(st);
	return r;
}

int ledger_categories(struct ledger *l, struct wf_category *out, unsigned cap)
{
	assert(l && (out || cap == 0));
	sqlite3_stmt *st = NULL;
	int r = prep(l,
	             "SELECT id, code, name, unit, rate_version, rate, min_qty, max_qty,"
	             " daily_limit_qty FROM categories ORDER BY id",
	             &st);
	if (r)
		return r;
	unsigned n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
		struct wf_category *c = &out[n++];
		memset(c, 0, sizeof *c);
		c->id = (uint16_t)sqlite3_column_int(st, 0);
		copy_col_text(st, 1, c->code, sizeof c->code);
		copy_col_text(st, 2, c->name, sizeof c->name);
		c->unit = sqlite3_column_int(st, 3) == WF_UNIT_PIECE ? WF_UNIT_PIECE : WF_UNIT_GRAM;
		c->rate_version = (uint32_t)sqlite3_column_int64(st, 4);
		c->rate = sqlite3_column_int64(st, 5);
		c->min_qty = sqlite3_column_int64(st, 6);
		c->max_qty = sqlite3_column_int64(st, 7);
		c->daily_limit_qty = sqlite3_column_int64(st, 8);
	}
	r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? (int)n : fail_sql(l, rc, "read categories");
	sqlite3_finalize(st);
	return r;
}

static int receipt_query(struct ledger *l, const char *sql, uint64_t seq,
                         struct ledger_receipt *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = NULL;
	int r = prep(l, sql, &st);
	if (r)
		return r;
	if (seq)
		sqlite3_bind_int64(st, 1, (int64_t)seq);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char why[96];
		const void *b = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		copy_col_text(st, 1, out->token, sizeof out->token);
		if (!b || wf_record_decode(b, (size_t)n, &out->rec, why, sizeof why) != WF_OK) {
			set_err(l->err, sizeof l->err, "stored record does not decode");
			r = WF_ECORRUPT;
		}
	} else if (rc == SQLITE_DONE) {
		set_err(l->err, sizeof l->err, "no receipt recorded");
		r = WF_ENOENT;
	} else {
		r = fail_sql(l, rc, "read receipt");
	}
	sqlite3_finalize(st);
	if (r)
		memset(out, 0, sizeof *out);
	return r;
}

int ledger_last_receipt(struct ledger *l, struct ledger_receipt *out)
{
	assert(l && out);
	return receipt_query(l,
	                     "SELECT r.bytes, p.token FROM receipts p JOIN records r USING(seq)"
	                     " WHERE p.token != '' ORDER BY p.seq DESC LIMIT 1",
	                     0, out);
}

int ledger_receipt_get(struct ledger *l, uint64_t seq, struct ledger_receipt *out)
{
	assert(l && out);
	if (seq == 0 || seq > INT64_MAX)
		return WF_ENOENT;
	return receipt_query(l,
	                     "SELECT r.bytes, p.token FROM receipts p JOIN records r USING(seq)"
	                     " WHERE p.seq = ?1",
	                     seq, out);
}

/* Runs one write statement in its own IMMEDIATE transaction. */
static int write_one(struct ledger *l, sqlite3_stmt *st, const char *what, int *changes)
{
	int r = txn_begin(l);
	if (r == WF_OK)
		r = step_done(l, st, what);
	if (changes)
		*changes = sqlite3_changes(l->db);
	if (r == WF_OK)
		return txn_commit(l);
	txn_rollback(l);
	return r;
}

int ledger_staff_set_pin_failures(struct ledger *l, uint64_t staff_id, uint32_t failures)
{
	assert(l);
	sqlite3_stmt *st = NULL;
	int r = prep(l, "UPDATE staff SET pin_failures = ?2 WHERE id = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)staff_id);
	sqlite3_bind_int64(st, 2, failures);
	int changes = 0;
	r = write_one(l, st, "update PIN failures", &changes);
	sqlite3_finalize(st);
	if (r == WF_OK && changes == 0) {
		set_err(l->err, sizeof l->err, "no staff member %" PRIu64, staff_id);
		r = WF_ENOENT;
	}
	return r;
}

int ledger_card_key(struct ledger *l, uint32_t *version, uint8_t key[32])
{
	assert(l && version && key);
	sqlite3_stmt *st = NULL;
	int r = prep(l, "SELECT version, key FROM card_key WHERE one = 1", &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
		*version = (uint32_t)sqlite3_column_int64(st, 0);
		memcpy(key, sqlite3_column_blob(st, 1), 32);
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		set_err(l->err, sizeof l->err, "no card key yet (down-sync first)");
		r = WF_ENOENT;
	} else {
		r = fail_sql(l, rc, "read card key");
	}
	sqlite3_finalize(st);
	return r;
}

int ledger_sync_cursor(struct ledger *l, char *buf, size_t cap)
{
	assert(l && buf && cap);
	buf[0] = '\0';
	sqlite3_stmt *st = NULL;
	int r = prep(l, "SELECT value FROM meta WHERE key = 'cursor'", &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		copy_col_text(st, 0, buf, cap);
	else if (rc != SQLITE_DONE)
		r = fail_sql(l, rc, "read cursor");
	sqlite3_finalize(st);
	return r;
}

/* ---- down-sync ----------------------------------------------------------------- */

static int sync_state(struct ledger *l)
{
	if (!l->in_sync) {
		set_err(l->err, sizeof l->err, "no down-sync transaction open");
		return WF_ESTATE;
	}
	return WF_OK;
}

int ledger_sync_begin(struct ledger *l, bool full)
{
	assert(l);
	if (l->in_sync) {
		set_err(l->err, sizeof l->err, "a down-sync transaction is already open");
		return WF_ESTATE;
	}
	int r = txn_begin(l);
	if (r)
		return r;
	if (full)
		r = exec_sql(
		    l,
		    "DELETE FROM categories; DELETE FROM residents; DELETE FROM blocklist;"
		    "CREATE TEMP TABLE IF NOT EXISTS sync_staff_seen(id INTEGER PRIMARY KEY);"
		    "DELETE FROM temp.sync_staff_seen;",
		    "clear for a full down-sync");
	if (r) {
		txn_rollback(l);
		return r;
	}
	l->in_sync = true;
	l->sync_full = full;
	return WF_OK;
}

/* Steps a statement made by prep and finalizes it. */
static int run_finalize(struct ledger *l, sqlite3_stmt *st, const char *what)
{
	int r = step_done(l, st, what);
	sqlite3_finalize(st);
	return r;
}

int ledger_sync_put_category(struct ledger *l, const struct wf_category *c)
{
	assert(l && c);
	char why[96];
	int r = sync_state(l);
	if (r)
		return r;
	if (!wf_category_check(c, why, sizeof why)) {
		set_err(l->err, sizeof l->err, "category %u: %s", c->id, why);
		return WF_EINVAL;
	}
	sqlite3_stmt *st = NULL;
	r = prep(l,
	         "INSERT OR REPLACE INTO categories(id, code, name, unit, rate_version, rate,"
	         " min_qty, max_qty, daily_limit_qty) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
	         &st);
	if (r)
		return r;
	sqlite3_bind_int(st, 1, c->id);
	sqlite3_bind_text(st, 2, c->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)c->unit);
	sqlite3_bind_int64(st, 5, c->rate_version);
	sqlite3_bind_int64(st, 6, c->rate);
	sqlite3_bind_int64(st, 7, c->min_qty);
	sqlite3_bind_int64(st, 8, c->max_qty);
	sqlite3_bind_int64(st, 9, c->daily_limit_qty);
	return run_finalize(l, st, "store category");
}

static bool text_fits(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

int ledger_sync_put_resident(struct ledger *l, const struct ledger_resident *p)
{
	assert(l && p);
	int r = sync_state(l);
	if (r)
		return r;
	if (p->id == 0 || p->id > INT64_MAX || !text_fits(p->name, sizeof p->name) ||
	    !text_fits(p->block_reason, sizeof p->block_reason)) {
		set_err(l->err, sizeof l->err, "resident %" PRIu64 ": bad id or text", p->id);
		return WF_EINVAL;
	}
	sqlite3_stmt *st = NULL;
	r = prep(l,
	         "INSERT OR REPLACE INTO residents(id, card_hash, name, status, block_reason,"
	         " balance) VALUES(?1,?2,?3,?4,?5,?6)",
	         &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)p->id);
	sqlite3_bind_blob(st, 2, p->card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->blocked ? "blocked" : "active", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->block_reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, p->balance);
	return run_finalize(l, st, "store resident");
}

int ledger_sync_put_staff(struct ledger *l, const struct ledger_staff *s)
{
	assert(l && s);
	int r = sync_state(l);
	if (r)
		return r;
	if (s->id == 0 || s->id > INT64_MAX || !text_fits(s->name, sizeof s->name) ||
	    !text_fits(s->pin_hash, sizeof s->pin_hash)) {
		set_err(l->err, sizeof l->err, "staff %" PRIu64 ": bad id or text", s->id);
		return WF_EINVAL;
	}
	sqlite3_stmt *st = NULL;
	/* Upsert, not replace: the lock-out counter of a staff member stays. */
	r = prep(l,
	         "INSERT INTO staff(id, card_hash, name, role, pin_hash) VALUES(?1,?2,?3,?4,?5)"
	         " ON CONFLICT(id) DO UPDATE SET card_hash = excluded.card_hash,"
	         " name = excluded.name, role = excluded.role, pin_hash = excluded.pin_hash,"
	         " pin_failures = CASE WHEN pin_hash = excluded.pin_hash THEN pin_failures"
	         " ELSE 0 END",
	         &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)s->id);
	sqlite3_bind_blob(st, 2, s->card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, s->admin ? "admin" : "staff", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, s->pin_hash, -1, SQLITE_STATIC);
	r = run_finalize(l, st, "store staff");
	if (r == WF_OK && l->sync_full) {
		r = prep(l, "INSERT OR IGNORE INTO temp.sync_staff_seen(id) VALUES(?1)", &st);
		if (r == WF_OK) {
			sqlite3_bind_int64(st, 1, (int64_t)s->id);
			r = run_finalize(l, st, "note staff");
		}
	}
	return r;
}

int ledger_sync_put_block(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES],
                          const char *reason)
{
	assert(l && card_hash && reason);
	int r = sync_state(l);
	if (r)
		return r;
	if (strlen(reason) >= LEDGER_REASON_MAX) {
		set_err(l->err, sizeof l->err, "block reason longer than %d bytes",
		        LEDGER_REASON_MAX - 1);
		return WF_EINVAL;
	}
	sqlite3_stmt *st = NULL;
	r = prep(l, "INSERT OR REPLACE INTO blocklist(card_hash, reason) VALUES(?1,?2)", &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	return run_finalize(l, st, "store blocklist entry");
}

static int sync_delete(struct ledger *l, const char *sql, int64_t id, const uint8_t *hash)
{
	int r = sync_state(l);
	if (r)
		return r;
	sqlite3_stmt *st = NULL;
	r = prep(l, sql, &st);
	if (r)
		return r;
	if (hash)
		sqlite3_bind_blob(st, 1, hash, WF_HASH_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	return run_finalize(l, st, "delete");
}

int ledger_sync_delete_category(struct ledger *l, uint16_t id)
{
	assert(l);
	return sync_delete(l, "DELETE FROM categories WHERE id = ?1", id, NULL);
}

int ledger_sync_delete_resident(struct ledger *l, uint64_t id)
{
	assert(l);
	return sync_delete(l, "DELETE FROM residents WHERE id = ?1", (int64_t)id, NULL);
}

int ledger_sync_delete_staff(struct ledger *l, uint64_t id)
{
	assert(l);
	return sync_delete(l, "DELETE FROM staff WHERE id = ?1", (int64_t)id, NULL);
}

int ledger_sync_delete_block(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES])
{
	assert(l && card_hash);
	return sync_delete(l, "DELETE FROM blocklist WHERE card_hash = ?1", 0, card_hash);
}

int ledger_sync_set_card_key(struct ledger *l, uint32_t version, const uint8_t key[32])
{
	assert(l && key);
	int r = sync_state(l);
	if (r)
		return r;
	sqlite3_stmt *st = NULL;
	r = prep(l, "INSERT OR REPLACE INTO card_key(one, version, key) VALUES(1, ?1, ?2)", &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, version);
	sqlite3_bind_blob(st, 2, key, 32, SQLITE_STATIC);
	return run_finalize(l, st, "store card key");
}

int ledger_sync_commit(struct ledger *l, const char *cursor)
{
	assert(l && cursor);
	int r = sync_state(l);
	if (r)
		return r;
	if (strlen(cursor) >= LEDGER_CURSOR_MAX) {
		set_err(l->err, sizeof l->err, "cursor longer than %d bytes",
		        LEDGER_CURSOR_MAX - 1);
		return WF_EINVAL;
	}
	if (l->sync_full)
		r = exec_sql(
		    l, "DELETE FROM staff WHERE id NOT IN (SELECT id FROM temp.sync_staff_seen)",
		    "drop staff not in the snapshot");
	if (r == WF_OK)
		r = meta_set(l, "cursor", cursor, 0, true);
	if (r == WF_OK)
		r = txn_commit(l);
	if (r) {
		ledger_sync_abort(l);
		return r;
	}
	l->in_sync = false;
	return WF_OK;
}

void ledger_sync_abort(struct ledger *l)
{
	assert(l);
	txn_rollback(l);
	l->in_sync = false;
}

/* ---- outbox ----------------------------------------------------------------------- */

int ledger_outbox_peek(struct ledger *l, struct ledger_outbox_item *items, unsigned max)
{
	assert(l && (items || max == 0));
	sqlite3_stmt *st = NULL;
	int r = prep(l,
	             "SELECT r.seq, r.kind, r.bytes, r.hash FROM outbox o JOIN records r"
	             " USING(seq) ORDER BY o.seq LIMIT ?1",
	             &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, max);
	unsigned n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		struct ledger_outbox_item *it = &items[n];
		int len = sqlite3_column_bytes(st, 2);
		if (len <= 0 || len > WF_RECORD_MAX_LEN || sqlite3_column_bytes(st, 3) != 32) {
			set_err(l->err, sizeof l->err, "outbox record %" PRId64 " is damaged",
			        (int64_t)sqlite3_column_int64(st, 0));
			sqlite3_finalize(st);
			return WF_ECORRUPT;
		}
		it->seq = (uint64_t)sqlite3_column_int64(st, 0);
		it->kind = (uint8_t)sqlite3_column_int(st, 1);
		memcpy(it->bytes, sqlite3_column_blob(st, 2), (size_t)len);
		it->len = (size_t)len;
		memcpy(it->hash, sqlite3_column_blob(st, 3), 32);
		n++;
	}
	r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? (int)n : fail_sql(l, rc, "read outbox");
	sqlite3_finalize(st);
	return r;
}

int ledger_outbox_ack(struct ledger *l, const uint64_t *seqs, const bool *conflict, unsigned n)
{
	assert(l && (seqs || n == 0));
	sqlite3_stmt *del = NULL, *upd = NULL;
	int r = prep(l, "DELETE FROM outbox WHERE seq = ?1", &del);
	if (r == WF_OK)
		r = prep(l, "UPDATE records SET acked = ?2 WHERE seq = ?1", &upd);
	if (r == WF_OK)
		r = txn_begin(l);
	if (r)
		goto out;
	for (unsigned i = 0; i < n && r == WF_OK; i++) {
		sqlite3_bind_int64(del, 1, (int64_t)seqs[i]);
		sqlite3_bind_int64(upd, 1, (int64_t)seqs[i]);
		sqlite3_bind_int(upd, 2,
		                 conflict && conflict[i] ? LEDGER_ACK_CONFLICT : LEDGER_ACK_STORED);
		r = step_done(l, del, "delete outbox row");
		if (r == WF_OK)
			r = step_done(l, upd, "mark acknowledged");
	}
	if (r == WF_OK)
		r = txn_commit(l);
	else
		txn_rollback(l);
out:
	sqlite3_finalize(del);
	sqlite3_finalize(upd);
	return r;
}

/* Runs a one-row, one-integer query into *n. */
static int query_int(struct ledger *l, const char *sql, const char *what, int64_t *n)
{
	sqlite3_stmt *st = NULL;
	int r = prep(l, sql, &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		r = fail_sql(l, rc, what);
	sqlite3_finalize(st);
	return r;
}

int ledger_conflict_count(struct ledger *l, int64_t *n)
{
	assert(l && n);
	/* the literal 2 (LEDGER_ACK_CONFLICT) lets SQLite use the partial index */
	return query_int(l, "SELECT count(*) FROM records WHERE acked = 2", "count conflicts", n);
}

/* Reads the checkpoint record at seq (must be acknowledged) into *cp. */
static int prune_load(struct ledger *l, uint64_t seq, struct wf_record *cp)
{
	sqlite3_stmt *st = NULL;
	int r = prep(l, "SELECT bytes, acked FROM records WHERE seq = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)seq);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		if (!b || wf_record_decode(b, (size_t)n, cp, NULL, 0) != WF_OK ||
		    cp->kind != WF_RECORD_CHECKPOINT) {
			set_err(l->err, sizeof l->err, "seq %" PRIu64 " is not a checkpoint record",
			        seq);
			r = WF_EINVAL;
		} else if (!sqlite3_column_int(st, 1)) {
			set_err(l->err, sizeof l->err,
			        "checkpoint %" PRIu64 " not acknowledged yet", seq);
			r = WF_ESTATE;
		}
	} else if (rc == SQLITE_DONE) {
		set_err(l->err, sizeof l->err, "no record %" PRIu64, seq);
		r = WF_EINVAL;
	} else {
		r = fail_sql(l, rc, "read checkpoint");
	}
	sqlite3_finalize(st);
	return r;
}

/* Checks that everything up to upto is acknowledged and upto's hash matches. */
static int prune_check(struct ledger *l, uint64_t upto, const uint8_t hash[32])
{
	sqlite3_stmt *st = NULL;
	int r = prep(l,
	             "SELECT (SELECT count(*) FROM records WHERE seq <= ?1 AND acked <> 1),"
	             " (SELECT hash FROM records WHERE seq = ?1)",
	             &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)upto);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		r = fail_sql(l, rc, "check prune");
	} else if (sqlite3_column_int64(st, 0) > 0) {
		set_err(l->err, sizeof l->err,
		        "records up to %" PRIu64 " not all acknowledged as stored", upto);
		r = WF_ESTATE;
	} else if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
	           (sqlite3_column_bytes(st, 1) != 32 ||
	            memcmp(sqlite3_column_blob(st, 1), hash, 32) != 0)) {
		set_err(l->err, sizeof l->err,
		        "checkpoint hash differs from the journal's hash after seq %" PRIu64, upto);
		r = WF_ECONFLICT;
	}
	sqlite3_finalize(st);
	return r;
}

/* Runs sql with ?1 bound to v; *changes (may be NULL) gets the rows it changed. */
static int run_with_int(struct ledger *l, const char *sql, int64_t v, const char *what,
                        int *changes)
{
	sqlite3_stmt *st = NULL;
	int r = prep(l, sql, &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, v);
	r = run_finalize(l, st, what);
	if (!r && changes)
		*changes = sqlite3_changes(l->db);
	return r;
}

int ledger_prune(struct ledger *l, uint64_t checkpoint_seq)
{
	assert(l);
	struct wf_record cp;
	sqlite3_stmt *st = NULL;
	int removed = 0;
	int r = txn_begin(l);
	if (r)
		return r;
	r = prune_load(l, checkpoint_seq, &cp);
	if (r == WF_OK)
		r = prune_check(l, cp.checkpoint.upto_seq, cp.checkpoint.hash);
	int64_t upto = (int64_t)cp.checkpoint.upto_seq;
	if (r == WF_OK)
		r = run_with_int(l, "DELETE FROM receipts WHERE seq <= ?1", upto, "prune receipts",
		                 NULL);
	if (r == WF_OK)
		r = run_with_int(l, "DELETE FROM records WHERE seq <= ?1", upto, "prune records",
		                 &removed);
	/* Daily counters of days older than every drop still held: only today's
	 * count matters for the limit, so the table does not grow for ever. */
	if (r == WF_OK)
		r = run_with_int(l,
		                 "DELETE FROM counters WHERE local_day < (SELECT min(local_day)"
		                 " FROM records WHERE kind = 1 AND seq > ?1)",
		                 upto, "prune daily counters", NULL);
	if (r == WF_OK)
		r = meta_set(l, "pruned_upto", NULL, (int64_t)cp.checkpoint.upto_seq, false);
	if (r == WF_OK)
		r = prep(l,
		         "INSERT INTO meta(key, value) VALUES('pruned_hash', ?1)"
		         " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		         &st);
	if (r == WF_OK) {
		sqlite3_bind_blob(st, 1, cp.checkpoint.hash, 32, SQLITE_STATIC);
		r = run_finalize(l, st, "note pruned hash");
	}
	if (r == WF_OK)
		r = prep(
		    l,
		    "INSERT OR REPLACE INTO prune_points(checkpoint_seq, upto_seq, hash, acked)"
		    " VALUES(?1, ?2, ?3, 1)",
		    &st);
	if (r == WF_OK) {
		sqlite3_bind_int64(st, 1, (int64_t)checkpoint_seq);
		sqlite3_bind_int64(st, 2, (int64_t)cp.checkpoint.upto_seq);
		sqlite3_bind_blob(st, 3, cp.checkpoint.hash, 32, SQLITE_STATIC);
		r = run_finalize(l, st, "note prune point");
	}
	if (r == WF_OK)
		r = txn_commit(l);
	if (r) {
		txn_rollback(l);
		return r;
	}
	return removed;
}

/* The newest CHECKPOINT record: *seq (0 = none), its upto_seq, acknowledged or not. */
static int newest_checkpoint(struct ledger *l, uint64_t *seq, uint64_t *upto, bool *acked)
{
	sqlite3_stmt *st = NULL;
	*seq = *upto = 0;
	*acked = false;
	int r = prep(l,
	             "SELECT seq, bytes, acked FROM records WHERE kind = ?1"
	             " ORDER BY seq DESC LIMIT 1",
	             &st);
	if (r)
		return r;
	sqlite3_bind_int(st, 1, WF_RECORD_CHECKPOINT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct wf_record cp;
		const void *b = sqlite3_column_blob(st, 1);
		if (!b || wf_record_decode(b, (size_t)sqlite3_column_bytes(st, 1), &cp, NULL, 0) ||
		    cp.kind != WF_RECORD_CHECKPOINT) {
			set_err(l->err, sizeof l->err, "checkpoint record %lld does not decode",
			        (long long)sqlite3_column_int64(st, 0));
			r = WF_ECORRUPT;
		} else {
			*seq = (uint64_t)sqlite3_column_int64(st, 0);
			*upto = cp.checkpoint.upto_seq;
			*acked = sqlite3_column_int(st, 2) != 0;
		}
	} else if (rc != SQLITE_DONE) {
		r = fail_sql(l, rc, "find checkpoint");
	}
	sqlite3_finalize(st);
	return r;
}

/* The newest checkpoint (newest_checkpoint) and how far the journal is pruned. */
static int prune_state(struct ledger *l, uint64_t *cp_seq, uint64_t *cp_upto, bool *cp_acked,
                       int64_t *pruned)
{
	int r = newest_checkpoint(l, cp_seq, cp_upto, cp_acked);
	return r ? r : meta_get_int(l, "pruned_upto", pruned);
}

int ledger_checkpoint_due(struct ledger *l, uint64_t keep, uint64_t every, uint64_t *upto,
                          uint8_t hash[WF_HASH_BYTES])
{
	assert(l && upto && hash && every >= 1);
	*upto = 0;
	uint64_t cp_seq, cp_upto;
	bool cp_acked;
	int64_t pruned = 0;
	int r = prune_state(l, &cp_seq, &cp_upto, &cp_acked, &pruned);
	if (r)
		return r;
	if (cp_seq && (!cp_acked || cp_upto > (uint64_t)pruned))
		return 0; /* one is on its way or waits to be applied */
	/* A: every record at or below it is acknowledged. */
	sqlite3_stmt *st = NULL;
	r = prep(l,
	         "SELECT coalesce(min((SELECT min(seq) FROM outbox),"
	         " (SELECT min(seq) FROM records WHERE acked = 2)) - 1,"
	         " (SELECT min(seq) - 1 FROM outbox),"
	         " (SELECT min(seq) - 1 FROM records WHERE acked = 2),"
	         " (SELECT max(seq) FROM records), 0)",
	         &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	int64_t a = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW)
		r = fail_sql(l, rc, "find acknowledged prefix");
	sqlite3_finalize(st);
	if (r || a <= 0 || (uint64_t)a <= keep)
		return r;
	r = prep(l, "SELECT seq, hash FROM records WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1", &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, a - (int64_t)keep);
	rc = sqlite3_step(st);
	int due = 0;
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == WF_HASH_BYTES) {
		uint64_t at = (uint64_t)sqlite3_column_int64(st, 0);
		if (at > (uint64_t)pruned && at - (uint64_t)pruned >= every) {
			*upto = at;
			memcpy(hash, sqlite3_column_blob(st, 1), WF_HASH_BYTES);
			due = 1;
		}
	} else if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		r = fail_sql(l, rc, "find checkpoint target");
	}
	sqlite3_finalize(st);
	return r ? r : due;
}

int ledger_prune_acked(struct ledger *l)
{
	assert(l);
	uint64_t cp_seq, cp_upto;
	bool cp_acked;
	int64_t pruned = 0;
	int r = prune_state(l, &cp_seq, &cp_upto, &cp_acked, &pruned);
	if (r)
		return r;
	if (!cp_seq || !cp_acked || cp_upto <= (uint64_t)pruned)
		return 0;
	return ledger_prune(l, cp_seq);
}

int ledger_status(struct ledger *l, struct ledger_status *out)
{
	assert(l && out);
	memset(out, 0, sizeof *out);
	out->kiosk = l->kiosk;
	uint8_t hash[32];
	int r = ledger_last(l, &out->last_seq, NULL);
	if (!r)
		r = ledger_outbox_depth(l, &out->outbox);
	if (!r)
		r = ledger_conflict_count(l, &out->conflicts);
	if (!r)
		r = meta_get_int(l, "pruned_upto", &out->pruned_upto);
	if (!r && !mark_read(l, &out->mark_seq, hash))
		out->mark_seq = 0;
	return r;
}

int ledger_outbox_depth(struct ledger *l, int64_t *depth)
{
	assert(l && depth);
	return query_int(l, "SELECT count(*) FROM outbox", "count outbox", depth);
}

/* ---- iteration and verify ----------------------------------------------------------- */

int ledger_each(struct ledger *l, int (*fn)(void *ctx, const struct ledger_entry *e), void *ctx)
{
	assert(l && fn);
	sqlite3_stmt *st = NULL;
	int r = prep(l,
	             "SELECT r.seq, r.bytes, r.hash, p.token, r.acked FROM records r"
	             " LEFT JOIN receipts p USING(seq) ORDER BY r.seq",
	             &st);
	if (r)
		return r;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ledger_entry e = {0};
		e.seq = (uint64_t)sqlite3_column_int64(st, 0);
		e.bytes = sqlite3_column_blob(st, 1);
		e.len = (size_t)sqlite3_column_bytes(st, 1);
		if (sqlite3_column_bytes(st, 2) == 32)
			memcpy(e.hash, sqlite3_column_blob(st, 2), 32);
		e.token = (const char *)sqlite3_column_text(st, 3);
		e.acked = sqlite3_column_int(st, 4) != LEDGER_ACK_NONE;
		e.conflict = sqlite3_column_int(st, 4) == LEDGER_ACK_CONFLICT;
		r = fn(ctx, &e);
		if (r)
			break;
	}
	if (r == WF_OK && rc != SQLITE_DONE)
		r = fail_sql(l, rc, "read records");
	sqlite3_finalize(st);
	return r;
}

struct verify {
	struct ledger *l;
	ledger_problem_fn problem;
	void *ctx;
	int count;
};

static void problem(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct verify *v, const char *fmt, ...)
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

static void verify_integrity(struct verify *v)
{
	sqlite3_stmt *st = NULL;
	if (prep(v->l, "PRAGMA integrity_check", &st))
		return problem(v, "integrity_check cannot run: %s", v->l->err);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (t && strcmp(t, "ok") != 0)
			problem(v, "integrity_check: %s", t);
	}
	if (rc != SQLITE_DONE)
		problem(v, "integrity_check failed: %s", sqlite3_errmsg(v->l->db));
	sqlite3_finalize(st);
}

/* Compares the queryable columns (starting at column first) with rec's. */
static void verify_columns(struct verify *v, sqlite3_stmt *st, int first, uint64_t seq,
                           const struct wf_record *rec)
{
	struct cols c;
	cols_of(rec, &c);
	for (int i = 0; i < COL_COUNT; i++) {
		bool null = sqlite3_column_type(st, first + i) == SQLITE_NULL;
		int64_t x = sqlite3_column_int64(st, first + i);
		if (null != !c.has[i] || (c.has[i] && x != c.v[i]))
			problem(v,
			        "seq %" PRIu64 ": column %s is %s%" PRId64
			        " but the canonical record says %s%" PRId64,
			        seq, col_names[i], null ? "NULL " : "", null ? 0 : x,
			        c.has[i] ? "" : "NULL ", c.has[i] ? c.v[i] : 0);
	}
	int hc = first + COL_COUNT;
	bool null = sqlite3_column_type(st, hc) == SQLITE_NULL;
	if (null != !c.card_hash ||
	    (c.card_hash && (sqlite3_column_bytes(st, hc) != WF_HASH_BYTES ||
	                     memcmp(sqlite3_column_blob(st, hc), c.card_hash, WF_HASH_BYTES))))
		problem(v, "seq %" PRIu64 ": column card_hash differs from the canonical record",
		        seq);
}

/* State carried from one record to the next. */
struct walk {
	uint64_t expect;  /* next seq expected */
	uint8_t prev[32]; /* chain hash after the previous record */
};

static void verify_row(struct verify *v, sqlite3_stmt *st, struct walk *w)
{
	uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
	int kind = sqlite3_column_int(st, 1);
	int64_t time_ms = sqlite3_column_int64(st, 2);
	const uint8_t *bytes = sqlite3_column_blob(st, 3);
	int len = sqlite3_column_bytes(st, 3);
	const uint8_t *hash = sqlite3_column_blob(st, 4);
	bool hash_ok = sqlite3_column_bytes(st, 4) == 32;
	bool acked = sqlite3_column_int(st, 5) != 0;
	bool in_outbox = sqlite3_column_int(st, 6) != 0;
	bool has_receipt = sqlite3_column_int(st, 7) != 0;
	struct wf_record rec;
	char why[96] = "";
	bool decoded = bytes && wf_record_decode(bytes, (size_t)len, &rec, why, sizeof why) == 0;
	bool linked = true;
	if (seq != w->expect) {
		if (decoded && kind == WF_RECORD_EPOCH && rec.epoch.after_seq + 1 == seq &&
		    seq > w->expect) {
			memcpy(w->prev, rec.epoch.hash,
			       32); /* a new epoch resumes central's chain */
		} else if (seq > w->expect) {
			problem(v, "seq %" PRIu64 "..%" PRIu64 " missing (records deleted?)",
			        w->expect, seq - 1);
			linked = false;
		} else {
			problem(v, "seq %" PRIu64 " out of order", seq);
		}
	}
	if (!decoded) {
		problem(v, "seq %" PRIu64 ": canonical bytes do not decode (%s)", seq, why);
	} else {
		if (rec.seq != seq)
			problem(v, "seq %" PRIu64 ": canonical record says seq %" PRIu64, seq,
			        rec.seq);
		if (rec.kiosk != v->l->kiosk)
			problem(v,
			        "seq %" PRIu64 ": canonical record names kiosk %" PRIu32
			        ", journal is %" PRIu32,
			        seq, rec.kiosk, v->l->kiosk);
		if (rec.kind != kind || rec.time_ms != time_ms)
			problem(v,
			        "seq %" PRIu64
			        ": kind/time columns differ from the canonical record",
			        seq);
		verify_columns(v, st, 8, seq, &rec);
		if (rec.kind == WF_RECORD_DROP && !has_receipt)
			problem(v, "seq %" PRIu64 ": drop without its receipt row", seq);
	}
	if (!hash_ok) {
		problem(v, "seq %" PRIu64 ": stored chain hash has the wrong size", seq);
	} else {
		uint8_t h[32];
		wf_chain_next(w->prev, bytes ? bytes : (const uint8_t *)"", bytes ? (size_t)len : 0,
		              h);
		if (linked && memcmp(h, hash, 32) != 0)
			problem(v,
			        "seq %" PRIu64
			        ": chain hash does not match its bytes and the previous "
			        "record (edited, replaced or reordered)",
			        seq);
		memcpy(w->prev, hash, 32); /* report each break once, not every later record */
	}
	if (!acked && !in_outbox)
		problem(v,
		        "seq %" PRIu64 ": not acknowledged by central but missing from the outbox",
		        seq);
	if (seq >= w->expect)
		w->expect = seq + 1;
}

static void verify_records(struct verify *v)
{
	struct walk w = {.expect = 1};
	int64_t pruned = 0;
	if (meta_get_int(v->l, "pruned_upto", &pruned) == WF_OK && pruned > 0) {
		w.expect = (uint64_t)pruned + 1;
		sqlite3_stmt *h = NULL;
		if (prep(v->l, "SELECT value FROM meta WHERE key = 'pruned_hash'", &h) == WF_OK) {
			if (sqlite3_step(h) == SQLITE_ROW && sqlite3_column_bytes(h, 0) == 32)
				memcpy(w.prev, sqlite3_column_blob(h, 0), 32);
			else
				problem(v,
				        "journal pruned up to %" PRId64 " but has no pruned_hash",
				        pruned);
			sqlite3_finalize(h);
		}
	}
	sqlite3_stmt *st = NULL;
	if (prep(v->l,
	         "SELECT r.seq, r.kind, r.time_ms, r.bytes, r.hash, r.acked,"
	         " o.seq IS NOT NULL, p.seq IS NOT NULL, r.category_id, r.qty, r.credited_qty,"
	         " r.points, r.rate_version, r.flags, r.resident_id, r.staff_id, r.local_day,"
	         " r.card_hash FROM records r LEFT JOIN outbox o USING(seq)"
	         " LEFT JOIN receipts p USING(seq) ORDER BY r.seq",
	         &st))
		return problem(v, "cannot read records: %s", v->l->err);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		verify_row(v, st, &w);
	if (rc != SQLITE_DONE)
		problem(v, "reading records failed: %s", sqlite3_errmsg(v->l->db));
	sqlite3_finalize(st);
}

/* Runs a query whose every row is a problem described by column 0. */
static void verify_query(struct verify *v, const char *sql, const char *fmt)
{
	sqlite3_stmt *st = NULL;
	if (prep(v->l, sql, &st))
		return problem(v, "check failed: %s", v->l->err);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char text[256];
		snprintf(text, sizeof text, fmt, (const char *)sqlite3_column_text(st, 0));
		problem(v, "%s", text);
	}
	if (rc != SQLITE_DONE)
		problem(v, "check failed: %s", sqlite3_errmsg(v->l->db));
	sqlite3_finalize(st);
}

static void verify_tables(struct verify *v)
{
	verify_query(v, "SELECT seq FROM outbox WHERE seq NOT IN (SELECT seq FROM records)",
	             "outbox row for seq %s has no record");
	verify_query(v, "SELECT seq FROM receipts WHERE seq NOT IN (SELECT seq FROM records)",
	             "receipt for seq %s has no record");
	verify_query(v, "SELECT seq FROM records WHERE acked NOT IN (0, 1, 2)",
	             "seq %s: acknowledgement state is neither queued, stored nor conflict");
	int64_t pruned = 0;
	if (meta_get_int(v->l, "pruned_upto", &pruned) == WF_OK && pruned > 0)
		return; /* pruned drops no longer add up to the counters */
	verify_query(
	    v,
	    "SELECT 'card ' || hex(substr(card_hash, 1, 4)) || '.. day ' || local_day ||"
	    " ' category ' || category_id FROM (SELECT card_hash, local_day, category_id,"
	    " qty FROM counters EXCEPT SELECT card_hash, local_day, category_id, sum(qty)"
	    " FROM records WHERE kind = 1 AND card_hash != zeroblob(32)"
	    " GROUP BY 1, 2, 3) UNION SELECT 'card ' || hex(substr(card_hash, 1, 4)) ||"
	    " '.. day ' || local_day || ' category ' || category_id FROM (SELECT card_hash,"
	    " local_day, category_id, sum(qty) FROM records WHERE kind = 1 AND"
	    " card_hash != zeroblob(32) GROUP BY 1, 2, 3 EXCEPT SELECT card_hash,"
	    " local_day, category_id, qty FROM counters)",
	    "daily counter of %s does not equal the sum of its drops");
}

int ledger_verify(const char *path, ledger_problem_fn problem_fn, void *ctx, char *err,
                  size_t err_len)
{
	assert(path);
	struct ledger *l = NULL;
	int r = open_handle(path, NULL, false, &l, err, err_len);
	if (r == WF_EROFS)
		r = open_handle(path, NULL, true, &l, err, err_len);
	if (r)
		return r;
	struct verify v = {.l = l, .problem = problem_fn, .ctx = ctx};
	verify_integrity(&v);
	verify_records(&v);
	verify_tables(&v);
	ledger_close(l);
	return v.count;
}
