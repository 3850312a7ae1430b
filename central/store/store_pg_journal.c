/* store_pg_journal.c — the PostgreSQL backend: kiosks, keys, records, alerts, epochs, heartbeats
 * (store.h). */
#include "store_pg.h"

void store_pg_fill_journal(struct store_ops *ops)
{
	(void)ops; /* not yet: issue 13 */
}
