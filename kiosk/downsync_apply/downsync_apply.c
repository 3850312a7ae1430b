/* downsync_apply.c — a parsed down-sync document into the journal, all or nothing. */
#include <string.h>

#include "downsync_apply.h"
#include "wf.h"

static int put_all(const struct downsync *d, struct ledger *l)
{
	int rc = WF_OK;
	for (size_t i = 0; rc == WF_OK && i < d->ndel_categories; i++)
		rc = ledger_sync_delete_category(l, d->del_categories[i]);
	for (size_t i = 0; rc == WF_OK && i < d->ndel_residents; i++)
		rc = ledger_sync_delete_resident(l, d->del_residents[i]);
	for (size_t i = 0; rc == WF_OK && i < d->ndel_staff; i++)
		rc = ledger_sync_delete_staff(l, d->del_staff[i]);
	for (size_t i = 0; rc == WF_OK && i < d->ndel_blocks; i++)
		rc = ledger_sync_delete_block(l, d->del_blocks[i]);
	if (rc == WF_OK && d->has_card_key)
		rc = ledger_sync_set_card_key(l, d->card_key_version, d->card_key);
	for (size_t i = 0; rc == WF_OK && i < d->ncategories; i++)
		rc = ledger_sync_put_category(l, &d->categories[i]);
	for (size_t i = 0; rc == WF_OK && i < d->nresidents; i++) {
		const struct downsync_resident *src = &d->residents[i];
		struct ledger_resident r;
		memset(&r, 0, sizeof r);
		r.id = src->id;
		memcpy(r.card_hash, src->card_hash, sizeof r.card_hash);
		memcpy(r.name, src->name, sizeof r.name);
		r.blocked = src->status == DOWNSYNC_BLOCKED;
		memcpy(r.block_reason, src->block_reason, sizeof r.block_reason);
		r.balance = src->points_balance;
		rc = ledger_sync_put_resident(l, &r);
	}
	for (size_t i = 0; rc == WF_OK && i < d->nstaff; i++) {
		const struct downsync_staff *src = &d->staff[i];
		struct ledger_staff s;
		memset(&s, 0, sizeof s);
		s.id = src->id;
		memcpy(s.card_hash, src->card_hash, sizeof s.card_hash);
		memcpy(s.name, src->name, sizeof s.name);
		s.admin = src->role == DOWNSYNC_ROLE_ADMIN;
		memcpy(s.pin_hash, src->pin_hash, sizeof s.pin_hash);
		rc = ledger_sync_put_staff(l, &s);
	}
	for (size_t i = 0; rc == WF_OK && i < d->nblocks; i++)
		rc = ledger_sync_put_block(l, d->blocks[i].card_hash, d->blocks[i].reason);
	return rc;
}

int downsync_apply(const struct downsync *d, struct ledger *l)
{
	int rc = ledger_sync_begin(l, d->full);
	if (rc != WF_OK)
		return rc;
	rc = put_all(d, l);
	if (rc == WF_OK)
		rc = ledger_sync_commit(l, d->cursor);
	if (rc != WF_OK)
		ledger_sync_abort(l);
	return rc;
}
