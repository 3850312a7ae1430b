/* store_pg_health.c — the PostgreSQL backend: ping, silence, alert reasons, kiosk places and zones,
 * claim_read, signed replies (store.h). */
#include "store_pg.h"

void store_pg_fill_health(struct store_ops *ops)
{
	(void)ops; /* not yet: issue 13 */
}
