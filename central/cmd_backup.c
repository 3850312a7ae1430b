/*
 * cmd_backup.c — `wufei-central backup --out FILE --db URL`: a consistent
 * copy of a SQLite store into the new file FILE, safe while centrals serve
 * from it (store_ops.backup: SQLite's online backup API). FILE is never
 * overwritten. A PostgreSQL store is refused with what to use instead
 * (pg_dump; docs/OPERATIONS-CENTRAL.md).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"

int cmd_backup(const struct cli_opts *o)
{
	const char *out = cli_opt(o, "out");
	if (o->npos != 0 || !out || !*out) {
		fputs("wufei-central: backup needs --out FILE (a new file) and --db URL\n", stderr);
		return 2;
	}
	struct store *s = cli_store_open(o);
	if (!s)
		return 1;
	int rc = s->ops->backup(s, out);
	if (rc == WF_ESTATE) { /* the backend's own tools do it: its message says which */
		fprintf(stderr, "wufei-central: backup: %s\n", store_errmsg(s));
		store_close(s);
		return 1;
	}
	if (cli_finish(s, rc, "backup"))
		return 1;
	struct stat st;
	long long size = stat(out, &st) == 0 ? (long long)st.st_size : -1;
	printf("backed up to %s (%lld bytes)\n", out, size);
	return 0;
}
