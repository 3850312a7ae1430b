/*
 * cmd_migrate.c — `wufei-central migrate --db URL`: brings the store's
 * schema to the newest this program knows (opening a store migrates it;
 * several centrals may do so at once) and says which version it is at.
 * Run it before starting the new version's `serve` processes, so none of
 * them waits on a long migration. Refused (exit 1) when the database is
 * unreachable or its schema is newer than this program.
 */
#include <string.h>

#include "commands.h"

int cmd_migrate(const struct cli_opts *o)
{
	if (o->npos != 0) {
		cli_usage(stderr);
		return 2;
	}
	struct store *s = cli_store_open(o); /* migrates, or says why not */
	if (!s)
		return 1;
	int version = 0;
	int rc = s->ops->schema_version(s, &version);
	if (rc == WF_OK) {
		const char *db = cli_opt(o, "db");
		printf("schema: %s version %d\n",
		       strncmp(db, "sqlite:", 7) == 0 ? "sqlite" : "postgresql", version);
	}
	return cli_finish(s, rc, "migrate");
}
