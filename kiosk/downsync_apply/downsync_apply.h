/*
 * downsync_apply.h — a parsed down-sync document (downsync.h) into the
 * journal. Its own library (wufei_downsync_apply, which links the journal) so
 * that the parser stays free of SQLite.
 */
#ifndef WUFEI_DOWNSYNC_APPLY_H
#define WUFEI_DOWNSYNC_APPLY_H

#include "downsync.h"
#include "ledger.h"

/*
 * downsync_apply — applies d to the journal in one transaction
 * (ledger_sync_begin .. ledger_sync_commit with d->cursor): everything or
 * nothing. Returns WF_OK or the ledger's error (ledger_errmsg says why).
 */
int downsync_apply(const struct downsync *d, struct ledger *l);

#endif
