/* store_pg_points.c — the PostgreSQL backend: the points ledger, claims, the anonymous cap's day
 * (store.h). */
#include "store_pg.h"

void store_pg_fill_points(struct store_ops *ops)
{
	(void)ops; /* not yet: issue 13 */
}
