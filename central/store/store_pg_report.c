/* store_pg_report.c — the PostgreSQL backend: the office's reports, their summaries, day closes,
 * bulk_load (store.h). */
#include "store_pg.h"

void store_pg_fill_report(struct store_ops *ops)
{
	(void)ops; /* not yet: issue 13 */
}
