/*
 * downsync.h — the down-sync format (docs/SYNC-API.md "Down-sync"), parsed
 * and validated.
 *
 * For: the kiosk. Central's answer to a down-sync request, and the fixture
 * file a kiosk loads before sync exists, are the same JSON document. This
 * module turns it into plain structs with every field checked, and names
 * the JSON path of the first problem (`categories[2].rate: must be
 * 0..1000000000`). Applying it to the journal is ledger code's business
 * (ledger_apply_downsync), in one transaction.
 *
 * Not for: I/O beyond reading the given file, HTTP, or storage.
 */
#ifndef WUFEI_DOWNSYNC_H
#define WUFEI_DOWNSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "wf.h"

#define DOWNSYNC_FORMAT      "wufei-downsync-1"
#define DOWNSYNC_CURSOR_MAX  128 /* bytes incl. NUL */
#define DOWNSYNC_NAME_MAX    64  /* masked names, bytes incl. NUL */
#define DOWNSYNC_REASON_MAX  96
#define DOWNSYNC_PINHASH_MAX 128    /* crypto_pwhash_STRBYTES */
#define DOWNSYNC_ITEMS_MAX   200000 /* residents/staff/blocklist entries in one document */
#define DOWNSYNC_BYTES_MAX   (64u * 1024u * 1024u)

enum downsync_status { DOWNSYNC_ACTIVE = 1, DOWNSYNC_BLOCKED = 2 };
enum downsync_role { DOWNSYNC_ROLE_STAFF = 1, DOWNSYNC_ROLE_ADMIN = 2 };

struct downsync_resident {
	uint64_t id;
	uint8_t card_hash[WF_HASH_BYTES];
	char name[DOWNSYNC_NAME_MAX];
	enum downsync_status status;
	char block_reason[DOWNSYNC_REASON_MAX];
	int64_t points_balance;
};

struct downsync_staff {
	uint64_t id;
	uint8_t card_hash[WF_HASH_BYTES];
	char name[DOWNSYNC_NAME_MAX];
	enum downsync_role role;
	char pin_hash[DOWNSYNC_PINHASH_MAX]; /* "$argon2id$..." */
};

struct downsync_block {
	uint8_t card_hash[WF_HASH_BYTES];
	char reason[DOWNSYNC_REASON_MAX];
};

struct downsync {
	char cursor[DOWNSYNC_CURSOR_MAX];
	bool full; /* replace everything (else: changes since the previous cursor) */
	bool has_card_key;
	uint32_t card_key_version;
	uint8_t card_key[32];
	size_t ncategories;
	struct wf_category categories[WF_MAX_CATEGORIES];
	size_t nresidents, nstaff, nblocks;
	struct downsync_resident *residents; /* owned */
	struct downsync_staff *staff;        /* owned */
	struct downsync_block *blocks;       /* owned */
	/* deletions (incremental documents) */
	size_t ndel_categories, ndel_residents, ndel_staff, ndel_blocks;
	uint16_t *del_categories;
	uint64_t *del_residents;
	uint64_t *del_staff;
	uint8_t (*del_blocks)[WF_HASH_BYTES];
};

/*
 * downsync_parse — parses len bytes of JSON into *out (zeroed first).
 * Returns WF_OK, WF_EINVAL with "path: problem" in why[why_len] for any
 * malformed or out-of-range field, or WF_ENOMEM. On failure *out holds
 * nothing that needs freeing. Free a success with downsync_free.
 */
int downsync_parse(const char *json, size_t len, struct downsync *out, char *why, size_t why_len);

/* downsync_load_file — reads path (at most DOWNSYNC_BYTES_MAX) and parses it. */
int downsync_load_file(const char *path, struct downsync *out, char *why, size_t why_len);

/* downsync_free — frees what downsync_parse allocated; NULL is a no-op. */
void downsync_free(struct downsync *d);

#endif
