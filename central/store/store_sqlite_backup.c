/*
 * store_sqlite_backup.c — store_ops.backup on SQLite: SQLite's online
 * backup API copies every page of the store in one step, which reads one
 * snapshot (WAL: writers go on meanwhile, in this process or another), into
 * a new file beside the target; the copy is checked (quick_check), synced,
 * and only then linked at the target's name, which is never overwritten.
 * See store.h.
 */
#include "store_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKUP_TRIES 600 /* of 50 ms: half a minute */

/* The file or folder at path to disk. */
static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return WF_EIO;
	int rc = fsync(fd) == 0 ? WF_OK : WF_EIO;
	close(fd);
	return rc;
}

/* The folder path lies in to disk (its new name is then durable). */
static int sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return sync_path(dir);
}

/* The whole store copied into the open (empty) database dst, and checked. */
static int copy_into(struct store *s, sqlite3 *dst)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", SQ(s)->db, "main");
	if (!b) {
		store_set_err(s, "backup: %s", sqlite3_errmsg(dst));
		return WF_EIO;
	}
	int rc, tries = 0;
	/* all pages in one step: one read snapshot (a writer in between would
	 * restart a copy made in pieces); busy (rare in WAL: recovery, a
	 * checkpoint) is waited out, up to BACKUP_TRIES times */
	while (((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
	       ++tries < BACKUP_TRIES)
		sqlite3_sleep(50);
	sqlite3_backup_finish(b);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		store_set_err(s, "backup: the store stayed busy; try again");
		return WF_EBUSY;
	}
	if (rc != SQLITE_DONE) {
		store_set_err(s, "backup: %s", sqlite3_errstr(rc));
		return rc == SQLITE_FULL ? WF_EFULL : WF_EIO;
	}
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &st, NULL);
	bool ok = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	          strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	if (!ok) {
		store_set_err(s, "backup: the copy fails its check: %s", sqlite3_errmsg(dst));
		return WF_ECORRUPT;
	}
	return WF_OK;
}

/* The copy into the new file tmp, created here exclusively (*made then true). */
static int copy_to_file(struct store *s, const char *tmp, bool *made)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		store_set_err(s, "backup: cannot create %s: %s", tmp, strerror(errno));
		return errno == EEXIST ? WF_EEXIST : WF_EIO;
	}
	close(fd);
	*made = true;
	sqlite3 *dst = NULL;
	int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		store_set_err(s, "backup: cannot open %s: %s", tmp,
		              dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return WF_EIO;
	}
	rc = copy_into(s, dst);
	if (sqlite3_close(dst) != SQLITE_OK && !rc) {
		store_set_err(s, "backup: closing the copy failed");
		rc = WF_EIO;
	}
	if (!rc && sync_path(tmp) != WF_OK) {
		store_set_err(s, "backup: cannot sync %s: %s", tmp, strerror(errno));
		rc = WF_EIO;
	}
	return rc;
}

int sq_backup(struct store *s, const char *path)
{
	char tmp[PATH_MAX];
	struct stat st;
	if (!path || !*path ||
	    snprintf(tmp, sizeof tmp, "%s.partial-%ld", path, (long)getpid()) >= (int)sizeof tmp) {
		store_set_err(s, "backup: the file name is empty or too long");
		return WF_EINVAL;
	}
	if (lstat(path, &st) == 0) {
		store_set_err(s, "backup: %s exists; it is never overwritten", path);
		return WF_EEXIST;
	}
	bool made = false;
	int rc = copy_to_file(s, tmp, &made);
	/* link: the finished copy appears at path at once, or not at all if
	 * something took the name meanwhile */
	if (!rc && link(tmp, path) != 0) {
		store_set_err(s, "backup: cannot name the copy %s: %s", path, strerror(errno));
		rc = errno == EEXIST ? WF_EEXIST : WF_EIO;
	}
	if (made)
		unlink(tmp);
	if (!rc && sync_dir_of(path) != WF_OK) {
		store_set_err(s, "backup: cannot sync the folder of %s", path);
		rc = WF_EIO;
	}
	return rc;
}
