/*
 * sync_down.c — GET /api/v1/sync/down: what central changed in the
 * catalogue (categories, residents, staff, blocklist, card key) since the
 * journal's cursor, parsed (kiosk/downsync) and applied to the journal in
 * one transaction (downsync_apply).
 */
#include "sync_private.h"

#include <stdio.h>
#include <stdlib.h>

#include "downsync_apply.h"

int sync_downsync(struct sync *s)
{
	char cursor[LEDGER_CURSOR_MAX], path[SIGNING_PATH_MAX];
	int rc = ledger_sync_cursor(s->ledger, cursor, sizeof cursor);
	if (rc != WF_OK)
		return rc;
	if (cursor[0])
		snprintf(path, sizeof path, "/api/v1/sync/down?cursor=%s", cursor);
	else
		snprintf(path, sizeof path, "/api/v1/sync/down");
	struct sync_answer a;
	char hash[SIGNING_HASH_HEX_LEN + 1];
	int status = sync_request(s, "GET", path, NULL, 0, &a, hash);
	if (status < 0)
		return status;
	json_t *root = sync_answer_json(s, "down-sync", status, &a, hash);
	json_decref(root);
	if (!root) {
		free(a.data);
		return WF_EPROTO;
	}
	struct downsync d;
	char why[256];
	rc = downsync_parse(a.data, a.len, &d, why, sizeof why);
	free(a.data);
	if (rc != WF_OK) {
		sync_say(s, WF_LOG_WARN, "down-sync: refused: %s", why);
		return rc;
	}
	bool changed = d.full || d.ncategories || d.nresidents || d.nstaff || d.nblocks ||
	               d.ndel_categories || d.ndel_residents || d.ndel_staff || d.ndel_blocks;
	rc = downsync_apply(&d, s->ledger);
	downsync_free(&d);
	if (rc != WF_OK) {
		sync_say(s, WF_LOG_ERROR, "down-sync: journal: %s", ledger_errmsg(s->ledger));
		return rc;
	}
	if (changed) {
		pthread_mutex_lock(&s->lock);
		s->st.catalog_version++;
		pthread_mutex_unlock(&s->lock);
	}
	return WF_OK;
}
