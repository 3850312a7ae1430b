/* ledger_fixture.h — helpers the ledger tests share (header-only). */
#ifndef WUFEI_LEDGER_FIXTURE_H
#define WUFEI_LEDGER_FIXTURE_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "record.h"

/* A fresh private directory for one test; its path is written into dir. */
static inline void fx_tempdir(char *dir, size_t cap)
{
	const char *base = getenv("TMPDIR");
	snprintf(dir, cap, "%s/wufei-ledger-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
}

static inline void fx_rmdir(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* A card hash made from a small number (0 = no card). */
static inline void fx_card(uint8_t h[32], unsigned n)
{
	memset(h, 0, 32);
	if (n) {
		memset(h, 0xc0, 32);
		h[0] = (uint8_t)n;
		h[1] = (uint8_t)(n >> 8);
	}
}

/* A valid drop record (resident = card number, anonymous when 0). */
static inline struct wf_record fx_drop(uint16_t category, int64_t qty, unsigned card, uint32_t day)
{
	struct wf_record r = {.kind = WF_RECORD_DROP, .time_ms = 1795867200000};
	r.drop.category_id = category;
	r.drop.unit = 1;
	r.drop.qty = qty;
	r.drop.credited_qty = qty;
	r.drop.points = qty * 2000 / 1000000;
	r.drop.rate_version = 3;
	r.drop.resident_id = card;
	r.drop.flags = card ? 0 : WF_DROP_ANONYMOUS;
	fx_card(r.drop.card_hash, card);
	r.drop.local_day = day;
	return r;
}

/* Receipt callback: token "HTTPS://C.EXAMPLE/R/<kiosk>-<seq>". */
static inline int fx_receipt(void *ctx, const struct wf_record *rec, const uint8_t hash[32],
                             char *token, size_t cap)
{
	(void)ctx;
	(void)hash;
	snprintf(token, cap, "HTTPS://C.EXAMPLE/R/%" PRIu32 "-%" PRIu64, rec->kiosk, rec->seq);
	return 0;
}

#endif
