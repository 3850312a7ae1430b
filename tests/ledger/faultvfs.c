/* faultvfs.c — power-cut SQLite VFS for tests; see faultvfs.h. */
#include "faultvfs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#define MAX_TRACKED 16

struct tracked {
	char path[1024];
	bool used;
	bool exists;        /* in the synced image */
	unsigned char *img; /* synced bytes */
	size_t len;
};

/* Process-wide by nature: SQLite's VFS registry is process-wide too. */
static struct {
	sqlite3_vfs vfs;
	sqlite3_vfs *real;
	struct tracked t[MAX_TRACKED];
	long arm; /* ops left until the cut; < 0 = never */
	long ops;
	bool dead;
	bool registered;
} G;

struct ffile {
	sqlite3_file base;
	struct tracked *t; /* NULL = not tracked (temp files) */
	sqlite3_file *real;
};

static bool read_all(const char *path, unsigned char **img, size_t *len)
{
	*img = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return false;
	}
	size_t n = (size_t)st.st_size;
	unsigned char *b = malloc(n ? n : 1);
	size_t got = 0;
	while (b && got < n) {
		ssize_t r = pread(fd, b + got, n - got, (off_t)got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*img = b;
	*len = got;
	return true;
}

static void snapshot(struct tracked *t)
{
	free(t->img);
	t->exists = read_all(t->path, &t->img, &t->len);
}

static struct tracked *track(const char *path)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (G.t[i].used && strcmp(G.t[i].path, path) == 0)
			return &G.t[i];
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (!G.t[i].used) {
			struct tracked *t = &G.t[i];
			memset(t, 0, sizeof *t);
			t->used = true;
			snprintf(t->path, sizeof t->path, "%s", path);
			snapshot(t); /* what the disk held before we touched it */
			return t;
		}
	}
	abort(); /* more files than a test uses */
}

/* Counts one mutating operation; false if the power is (now) off. */
static bool power_on(void)
{
	if (G.dead)
		return false;
	G.ops++;
	if (G.arm >= 0) {
		if (G.arm <= 1) {
			G.dead = true;
			return false;
		}
		G.arm--;
	}
	return true;
}

#define REAL(f) (((struct ffile *)(f))->real)

static int f_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
	return rc;
}

static int f_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	if (G.dead)
		return SQLITE_IOERR_READ;
	return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int f_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	if (!power_on())
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (!power_on())
		return SQLITE_IOERR_TRUNCATE;
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
	if (!power_on())
		return SQLITE_IOERR_FSYNC;
	int rc = REAL(f)->pMethods->xSync(REAL(f), flags);
	struct tracked *t = ((struct ffile *)f)->t;
	if (rc == SQLITE_OK && t)
		snapshot(t); /* now durable */
	return rc;
}

static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int f_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_devchar(sqlite3_file *f)
{
	/* No "safe append"/"powersafe overwrite" promises: the worst case. */
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)) &
	       ~(SQLITE_IOCAP_POWERSAFE_OVERWRITE | SQLITE_IOCAP_SAFE_APPEND |
	         SQLITE_IOCAP_SEQUENTIAL);
}

static int f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
	(void)f, (void)off, (void)amt;
	*pp = NULL; /* no memory-mapped I/O: every write goes through f_write */
	return SQLITE_OK;
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	(void)f, (void)off, (void)p;
	return SQLITE_OK;
}

static const sqlite3_io_methods methods = {
    .iVersion = 3,
    .xClose = f_close,
    .xRead = f_read,
    .xWrite = f_write,
    .xTruncate = f_truncate,
    .xSync = f_sync,
    .xFileSize = f_size,
    .xLock = f_lock,
    .xUnlock = f_unlock,
    .xCheckReservedLock = f_check_lock,
    .xFileControl = f_fcntl,
    .xSectorSize = f_sector,
    .xDeviceCharacteristics = f_devchar,
    .xShmMap = f_shm_map,
    .xShmLock = f_shm_lock,
    .xShmBarrier = f_shm_barrier,
    .xShmUnmap = f_shm_unmap,
    .xFetch = f_fetch,
    .xUnfetch = f_unfetch,
};

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	(void)vfs;
	struct ffile *ff = (struct ffile *)f;
	ff->real = (sqlite3_file *)(ff + 1);
	ff->t = NULL;
	ff->base.pMethods = NULL;
	if (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)))
		ff->t = track(name);
	int rc = G.real->xOpen(G.real, name, ff->real, flags, out_flags);
	if (rc == SQLITE_OK)
		ff->base.pMethods = &methods;
	return rc;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	if (!power_on())
		return SQLITE_IOERR_DELETE;
	int rc = G.real->xDelete(G.real, name, sync_dir);
	for (int i = 0; i < MAX_TRACKED; i++)
		if (rc == SQLITE_OK && G.t[i].used && strcmp(G.t[i].path, name) == 0)
			snapshot(&G.t[i]); /* deleted: the image is "no file" */
	return rc;
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return G.real->xAccess(G.real, name, flags, out);
}

static int v_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return G.real->xFullPathname(G.real, name, n, out);
}

static int v_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return G.real->xRandomness(G.real, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return G.real->xSleep(G.real, us);
}

static int v_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return G.real->xCurrentTime(G.real, out);
}

static int v_lasterr(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return G.real->xGetLastError ? G.real->xGetLastError(G.real, n, out) : 0;
}

static int v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return G.real->xCurrentTimeInt64(G.real, out);
}

int faultvfs_register(void)
{
	if (G.registered)
		return SQLITE_OK;
	G.real = sqlite3_vfs_find(NULL);
	if (!G.real)
		return SQLITE_ERROR;
	G.arm = -1;
	G.vfs = (sqlite3_vfs){
	    .iVersion = 2,
	    .szOsFile = (int)sizeof(struct ffile) + G.real->szOsFile,
	    .mxPathname = G.real->mxPathname,
	    .zName = FAULTVFS_NAME,
	    .xOpen = v_open,
	    .xDelete = v_delete,
	    .xAccess = v_access,
	    .xFullPathname = v_fullpath,
	    .xRandomness = v_random,
	    .xSleep = v_sleep,
	    .xCurrentTime = v_time,
	    .xGetLastError = v_lasterr,
	    .xCurrentTimeInt64 = v_time64,
	};
	int rc = sqlite3_vfs_register(&G.vfs, 0);
	G.registered = rc == SQLITE_OK;
	return rc;
}

void faultvfs_arm(long n)
{
	G.arm = n < 0 ? -1 : n;
	if (n == 0)
		G.dead = true;
}

bool faultvfs_is_dead(void)
{
	return G.dead;
}

long faultvfs_ops(void)
{
	return G.ops;
}

void faultvfs_power_restore(void)
{
	for (int i = 0; i < MAX_TRACKED; i++) {
		struct tracked *t = &G.t[i];
		if (!t->used)
			continue;
		if (!t->exists) {
			unlink(t->path);
		} else {
			int fd = open(t->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
			if (fd < 0)
				abort();
			size_t off = 0;
			while (off < t->len) {
				ssize_t w = write(fd, t->img + off, t->len - off);
				if (w <= 0)
					abort();
				off += (size_t)w;
			}
			close(fd);
		}
		size_t n = strlen(t->path);
		if (n > 4 && strcmp(t->path + n - 4, "-wal") != 0) {
			char shm[1100];
			snprintf(shm, sizeof shm, "%s-shm", t->path);
			unlink(shm); /* shared memory does not survive a power cut */
		}
	}
}

void faultvfs_reset(void)
{
	for (int i = 0; i < MAX_TRACKED; i++) {
		free(G.t[i].img);
		memset(&G.t[i], 0, sizeof G.t[i]);
	}
	G.arm = -1;
	G.ops = 0;
	G.dead = false;
}
