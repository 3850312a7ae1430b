/* store_pg_catalogue.c — the PostgreSQL backend: rates, residents, staff, blocklist, card key, the
 * down-sync catalogue (store.h). */
#include "store_pg.h"

void store_pg_fill_catalogue(struct store_ops *ops)
{
	(void)ops; /* not yet: issue 13 */
}
