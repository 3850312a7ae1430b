/*
 * store_pg_backup.c — store_ops.backup on PostgreSQL: refused. A database
 * server is backed up with its own tools, which copy one consistent
 * snapshot while centrals keep writing: pg_dump -Fc (a logical dump,
 * restored with pg_restore), or a base backup with WAL archiving
 * (pg_basebackup, for a point in time). docs/OPERATIONS-CENTRAL.md says how.
 */
#include "store_pg.h"

static int pg_backup(struct store *s, const char *path)
{
	(void)path;
	store_set_err(s, "a PostgreSQL store is backed up with PostgreSQL's own tools: "
	                 "pg_dump -Fc --file FILE DATABASE_URL (restore with pg_restore), or "
	                 "pg_basebackup with WAL archiving; see docs/OPERATIONS-CENTRAL.md");
	return WF_ESTATE;
}

void store_pg_fill_backup(struct store_ops *ops)
{
	ops->backup = pg_backup;
}
