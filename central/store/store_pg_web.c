/* store_pg_web.c — the PostgreSQL backend: what the office pages read (store.h). */
#include "store_pg.h"

void store_pg_fill_web(struct store_ops *ops)
{
	(void)ops; /* not yet: issue 13 */
}
