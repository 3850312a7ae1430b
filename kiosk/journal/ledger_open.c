/*
 * ledger_open.c — the journal's schema and its migrations, ledger_init,
 * ledger_open (header, pragmas read back, schema, kiosk number) and
 * ledger_close. Opening never creates a journal.
 */
#include "ledger_private.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    /* 4: the anonymous daily cap (NULL = none) and the day's anonymous drops
     * by index (ledger_anon_today; the WHERE is spelt as the query spells it) */
    "ALTER TABLE categories ADD COLUMN anon_daily_cap INTEGER;"
    "CREATE INDEX records_anon_day ON records(local_day, category_id, credited_qty)"
    " WHERE kind = 1 AND flags & 1;",
};

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

/* Refuses a path that is not there or not readable before SQLite sees it.
 * Without open(): closing any descriptor of the journal drops every POSIX
 * lock this process holds on it, another connection's too (the sync
 * thread's opens while the kiosk's is open); a connection in another
 * process (`wufei-kiosk ledger dump`) would then think itself the last one
 * and remove the WAL the kiosk still writes to. */
static int check_path(const char *path, char *err, size_t err_len)
{
	if (access(path, R_OK) == 0)
		return WF_OK;
	int e = errno;
	if (e == ENOENT) /* a new kiosk's first start: say exactly what to run */
		set_err(err, err_len,
		        "%s: %s: no journal yet; create it once, as the user the kiosk "
		        "runs as: wufei-kiosk ledger init %s --kiosk NUMBER",
		        path, strerror(e), path);
	else
		set_err(err, err_len, "%s: %s", path, strerror(e));
	return e == ENOENT ? WF_ENOENT : e == EACCES ? WF_EROFS : WF_EIO;
}

/* Refuses what is not an SQLite 3 file before SQL runs on it: the header
 * read through SQLite's own descriptor (see check_path). */
static int check_header(struct ledger *l, const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	sqlite3_file *f = NULL;
	if (sqlite3_file_control(l->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f ||
	    !f->pMethods || f->pMethods->xRead(f, head, sizeof head, 0) != SQLITE_OK ||
	    memcmp(head, magic, sizeof magic) != 0) {
		ledger_db_say(l, "%s: not an SQLite journal file (wrong header)", path);
		return WF_ECORRUPT;
	}
	return WF_OK;
}

/* Sets and reads back the pragmas every connection must run with. */
static int set_pragmas(struct ledger *l, bool sync_off)
{
	sqlite3_busy_timeout(l->db, LEDGER_BUSY_TIMEOUT_MS);
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l, "PRAGMA journal_mode=WAL", &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	bool wal = rc == SQLITE_ROW &&
	           sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return ledger_db_fail(l, rc, "set WAL mode");
	if (!wal) {
		ledger_db_say(l, "journal refused WAL mode (read-only storage?)");
		return WF_EROFS;
	}
	r = ledger_db_exec(l, sync_off ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=FULL",
	                   "set synchronous");
	if (r == WF_OK)
		r = ledger_db_exec(l, "PRAGMA wal_autocheckpoint=0", "set wal_autocheckpoint");
	if (r)
		return r;
	/* Read them back: a pragma SQLite ignores silently must not go unnoticed. */
	int64_t sync = -1, busy = -1;
	r = ledger_db_int(l, "PRAGMA synchronous", "read synchronous", &sync);
	if (r == WF_OK)
		r = ledger_db_int(l, "PRAGMA busy_timeout", "read busy_timeout", &busy);
	if (r)
		return r;
	if (sync != (sync_off ? 0 : 2) || busy != LEDGER_BUSY_TIMEOUT_MS) {
		ledger_db_say(l,
		              "journal pragmas not in effect (synchronous=%" PRId64
		              ", busy_timeout=%" PRId64 ")",
		              sync, busy);
		return WF_EIO;
	}
	return WF_OK;
}

/* Runs migrations from..to-1 (to = target version) in one transaction. */
static int migrate(struct ledger *l, int64_t from, int64_t to)
{
	int r = ledger_db_begin(l);
	if (r)
		return r;
	for (int64_t v = from; v < to && r == WF_OK; v++)
		r = ledger_db_exec(l, migrations[v], "migrate schema");
	if (r == WF_OK) {
		char sql[48];
		snprintf(sql, sizeof sql, "PRAGMA user_version=%" PRId64, to);
		r = ledger_db_exec(l, sql, "set schema version");
	}
	if (r == WF_OK)
		return ledger_db_commit(l);
	ledger_db_rollback(l);
	return r;
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

/* A handle with its options applied and no database yet. */
static struct ledger *handle_new(const char *path, const struct ledger_options *opt, bool readonly)
{
	struct ledger *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->checkpoint_every =
	    opt && opt->checkpoint_every ? opt->checkpoint_every : LEDGER_CHECKPOINT_EVERY;
	l->clock = opt && opt->clock ? opt->clock : wf_clock_system();
	l->mark_fd = -1;
	if (readonly || !path)
		return l;
	size_t n = strlen(path) + sizeof ".hwm";
	l->mark_path = malloc(n);
	if (!l->mark_path) {
		free(l);
		return NULL;
	}
	snprintf(l->mark_path, n, "%s.hwm", path);
	return l;
}

/* Opens the SQLite connection of l on path. */
static int open_db(struct ledger *l, const char *path, const struct ledger_options *opt,
                   bool readonly)
{
	int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
	char uri[4200];
	const char *name = path;
	if (readonly && readonly_uri(path, uri, sizeof uri)) {
		name = uri;
		flags |= SQLITE_OPEN_URI;
	}
	int rc = sqlite3_open_v2(name, &l->db, flags, opt ? opt->vfs : NULL);
	if (rc != SQLITE_OK)
		return l->db ? ledger_db_fail(l, rc, "open") : WF_ENOMEM;
	sqlite3_extended_result_codes(l->db, 1);
	int r = check_header(l, path);
	if (r)
		return r;
	if (!readonly && sqlite3_db_readonly(l->db, "main") == 1) {
		ledger_db_say(l, "%s: journal storage is read-only", path);
		return WF_EROFS;
	}
	if (readonly) {
		sqlite3_busy_timeout(l->db, LEDGER_BUSY_TIMEOUT_MS);
		return WF_OK;
	}
	return set_pragmas(l, opt && opt->unsafe_sync_off);
}

/* Checks the schema version (migrating an older one unless readonly) and
 * reads the kiosk number. */
static int check_schema(struct ledger *l, const char *path, bool readonly)
{
	int64_t v = 0;
	int r = ledger_db_int(l, "PRAGMA user_version", "read schema version", &v);
	if (r)
		return r;
	if (v <= 0) {
		ledger_db_say(l, "%s: an SQLite file but not a Wufei journal", path);
		return WF_ECORRUPT;
	}
	if (v > LEDGER_SCHEMA_VERSION) {
		ledger_db_say(l, "%s: journal schema %" PRId64 " is newer than this program's (%d)",
		              path, v, LEDGER_SCHEMA_VERSION);
		return WF_ECORRUPT;
	}
	if (v < LEDGER_SCHEMA_VERSION && !readonly) {
		r = migrate(l, v, LEDGER_SCHEMA_VERSION);
		if (r)
			return r;
	}
	int64_t kiosk = 0;
	r = ledger_db_meta_int(l, "kiosk", &kiosk);
	if (r == WF_ENOENT)
		return WF_ECORRUPT;
	if (r)
		return r;
	if (kiosk < 1 || kiosk > UINT32_MAX) {
		ledger_db_say(l, "journal names kiosk %" PRId64, kiosk);
		return WF_ECORRUPT;
	}
	l->kiosk = (uint32_t)kiosk;
	return WF_OK;
}

int ledger_open_handle(const char *path, const struct ledger_options *opt, bool readonly,
                       struct ledger **out, char *err, size_t err_len)
{
	*out = NULL;
	int r = check_path(path, err, err_len);
	if (r)
		return r;
	struct ledger *l = handle_new(path, opt, readonly);
	if (!l) {
		set_err(err, err_len, "out of memory");
		return WF_ENOMEM;
	}
	r = open_db(l, path, opt, readonly);
	if (r == WF_OK)
		r = check_schema(l, path, readonly);
	if (r == WF_OK && !readonly && opt && opt->receipt_public_key)
		r = ledger_set_receipt_key(l, opt->receipt_key_id, opt->receipt_public_key);
	if (r) {
		set_err(err, err_len, "%s", l->err);
		ledger_db_close(l);
		return r;
	}
	*out = l;
	return WF_OK;
}

int ledger_open_with(const char *path, const struct ledger_options *opt, struct ledger **out,
                     char *err, size_t err_len)
{
	assert(path && out);
	return ledger_open_handle(path, opt, false, out, err, err_len);
}

int ledger_open(const char *path, struct ledger **out, char *err, size_t err_len)
{
	return ledger_open_with(path, NULL, out, err, err_len);
}

void ledger_close(struct ledger *l)
{
	if (l && l->in_sync)
		ledger_sync_abort(l);
	ledger_db_close(l);
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

/* O_EXCL: refuse an existing file atomically, even one created just now. */
static int create_exclusive(const char *path, char *err, size_t err_len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd >= 0) {
		close(fd);
		return WF_OK;
	}
	int e = errno;
	set_err(err, err_len, "%s: %s", path,
	        e == EEXIST ? "already exists; refusing to overwrite a journal" : strerror(e));
	return e == EEXIST                 ? WF_EEXIST
	       : e == EROFS || e == EACCES ? WF_EROFS
	       : e == ENOSPC               ? WF_EFULL
	       : e == ENOENT               ? WF_ENOENT
	                                   : WF_EIO;
}

/* Schema up to version, the kiosk number and an empty cursor, checkpointed
 * into the main file. */
static int init_schema(struct ledger *l, uint32_t kiosk, int version)
{
	int r = set_pragmas(l, false);
	if (r == WF_OK)
		r = migrate(l, 0, version);
	if (r == WF_OK)
		r = ledger_db_begin(l);
	if (r)
		return r;
	r = ledger_db_meta_set_int(l, "kiosk", kiosk);
	if (r == WF_OK)
		r = ledger_db_meta_set_text(l, "cursor", "");
	if (r) {
		ledger_db_rollback(l);
		return r;
	}
	r = ledger_db_commit(l);
	if (r == WF_OK && sqlite3_wal_checkpoint_v2(l->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
	                                            NULL) != SQLITE_OK)
		r = ledger_db_fail(l, sqlite3_errcode(l->db), "checkpoint");
	return r;
}

int ledger_init_version(const char *path, uint32_t kiosk, int version, char *err, size_t err_len)
{
	assert(path);
	if (kiosk == 0 || version < 1 || version > LEDGER_SCHEMA_VERSION) {
		set_err(err, err_len, "kiosk number must be >= 1 (schema version 1..%d)",
		        LEDGER_SCHEMA_VERSION);
		return WF_EINVAL;
	}
	int r = create_exclusive(path, err, err_len);
	if (r)
		return r;
	struct ledger *l = handle_new(NULL, NULL, false);
	if (!l) {
		set_err(err, err_len, "out of memory");
		r = WF_ENOMEM;
		goto out;
	}
	int rc = sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		r = l->db ? ledger_db_fail(l, rc, "open") : WF_ENOMEM;
		set_err(err, err_len, "%s", l->err);
		goto out;
	}
	sqlite3_extended_result_codes(l->db, 1);
	r = init_schema(l, kiosk, version);
	if (r)
		set_err(err, err_len, "%s", l->err);
out:
	ledger_db_close(l);
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

void ledger_limit_memory(int64_t bytes)
{
	sqlite3_soft_heap_limit64(bytes);
}
