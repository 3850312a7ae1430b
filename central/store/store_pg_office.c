/* store_pg_office.c — the PostgreSQL backend: office users, sessions, audit, login failures, API
 * tokens (store.h). */
#include "store_pg.h"

void store_pg_fill_office(struct store_ops *ops)
{
	(void)ops; /* not yet: issue 13 */
}
