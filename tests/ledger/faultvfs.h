/*
 * faultvfs.h — a power-cut SQLite VFS for tests.
 *
 * Wraps the default (unix) VFS. Every main database, WAL and rollback
 * journal it opens is tracked with an image of its bytes as of the last
 * xSync (or as it was when first opened). After faultvfs_arm(n) the n-th
 * write/truncate/sync/delete from now is where "the power is cut": that
 * operation and every later one fails with SQLITE_IOERR and changes
 * nothing. faultvfs_power_restore() then puts every tracked file back to
 * its last synced image (files created and never synced vanish) and drops
 * the -shm files, which is what a disk holds after a power cut that lost
 * the page cache. Test-only: process-wide state, one user at a time.
 */
#ifndef WUFEI_FAULTVFS_H
#define WUFEI_FAULTVFS_H

#include <stdbool.h>

#define FAULTVFS_NAME "faultvfs"

/* Registers the VFS (not as default). Returns 0 or an SQLite error. */
int faultvfs_register(void);
/* Cut the power at the n-th mutating operation from now (n >= 1); 0 = now;
 * negative = never. */
void faultvfs_arm(long n);
/* True once the power was cut. */
bool faultvfs_is_dead(void);
/* Mutating operations seen since the last faultvfs_reset. */
long faultvfs_ops(void);
/* Rewrites every tracked file to its last synced image and removes -shm
 * files. Call after closing the connections that used the VFS. */
void faultvfs_power_restore(void);
/* Forgets every tracked file and disarms. */
void faultvfs_reset(void);

#endif
