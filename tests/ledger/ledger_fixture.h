/*
 * ledger_fixture.h — helpers the ledger tests share (header-only; include
 * after <cmocka.h>): temporary directories, records, real signed receipt
 * tokens under a fixed test key, a journal that knows that key, raw SQL on
 * a journal file, the wufei-kiosk CLI, and collecting verify's problems.
 */
#ifndef WUFEI_LEDGER_FIXTURE_H
#define WUFEI_LEDGER_FIXTURE_H

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ledger.h"
#include "receipt.h"
#include "record.h"
#include "signing.h"
#include "wf_test.h"

#define FX_KEY_ID   1
#define FX_BASE_URL "HTTPS://C.EXAMPLE"

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

/* A test's own directory with a journal path in it (cmocka state). */
struct fx {
	char dir[256];
	char path[300]; /* DIR/journal.db, not created */
};

static inline int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	fx_tempdir(f->dir, sizeof f->dir);
	snprintf(f->path, sizeof f->path, "%s/journal.db", f->dir);
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	fx_rmdir(f->dir);
	free(f);
	return 0;
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

/* The test kiosk's key pair (fixed seed), or a second one (other = true). */
static inline void fx_keys(bool other, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[SIGNING_SEED_BYTES];
	memset(seed, other ? 0x66 : 0x5a, sizeof seed);
	signing_keypair_from_seed(seed, pk, sk);
}

/* The receipt URL of rec as the kiosk makes it, signed with key id and sk,
 * with the quantity qty_delta off (0: the record's own). */
static inline int fx_token_with(const struct wf_record *rec, uint8_t key_id, const uint8_t sk[64],
                                int64_t qty_delta, char *token, size_t cap)
{
	const struct wf_record_drop *d = &rec->drop;
	struct receipt r = {
	    .version = RECEIPT_FORMAT_V1,
	    .flags = (uint8_t)((d->flags & WF_DROP_ANONYMOUS ? RECEIPT_FLAG_ANONYMOUS : 0) |
	                       (d->flags & WF_DROP_CAPPED ? RECEIPT_FLAG_CAPPED : 0) |
	                       (d->unit == WF_UNIT_PIECE ? RECEIPT_FLAG_PIECES : 0)),
	    .key_id = key_id,
	    .kiosk = rec->kiosk,
	    .seq = (uint32_t)rec->seq,
	    .time_min = (uint32_t)(rec->time_ms / 60000),
	    .category = d->category_id,
	    .qty = (uint32_t)(d->qty + qty_delta),
	    .points = (uint32_t)d->points,
	};
	char t[RECEIPT_TOKEN_LEN + 1];
	if (receipt_make_token(&r, sk, t, sizeof t) < 0)
		return WF_ECRYPTO;
	return receipt_format_url(FX_BASE_URL, t, token, cap) < 0 ? WF_EINVAL : 0;
}

/* Receipt callback: the real signed receipt URL of rec under the test key. */
static inline int fx_receipt(void *ctx, const struct wf_record *rec, const uint8_t hash[32],
                             char *token, size_t cap)
{
	(void)ctx;
	(void)hash;
	uint8_t pk[32], sk[64];
	fx_keys(false, pk, sk);
	return fx_token_with(rec, FX_KEY_ID, sk, 0, token, cap);
}

/* The token fx_receipt makes for rec (kiosk and seq as appended), in a
 * static buffer. */
static inline const char *fx_expect_token(const struct wf_record *rec)
{
	static char token[LEDGER_TOKEN_MAX];
	if (fx_receipt(NULL, rec, NULL, token, sizeof token) != 0)
		snprintf(token, sizeof token, "(no token)");
	return token;
}

/* Options that store the test key in the journal (verify checks signatures). */
static inline struct ledger_options fx_options(void)
{
	static uint8_t pk[32], sk[64];
	fx_keys(false, pk, sk);
	struct ledger_options o = {.receipt_public_key = pk, .receipt_key_id = FX_KEY_ID};
	return o;
}

/* Opens path knowing the test key; fails the test on error. */
static inline struct ledger *fx_open(const char *path)
{
	struct ledger *l = NULL;
	char err[256] = "";
	struct ledger_options o = fx_options();
	int r = ledger_open_with(path, &o, &l, err, sizeof err);
	if (r)
		fail_msg("ledger_open(%s): %d %s", path, r, err);
	return l;
}

/* A journal of kiosk 12 with drops drops (cards 1 and 2, real receipts). */
static inline void fx_make_journal(const char *path, int drops)
{
	char err[256];
	assert_int_equal(ledger_init(path, 12, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(path);
	for (int i = 0; i < drops; i++) {
		struct wf_record d = fx_drop(1, 1000 + i, 1 + (unsigned)i % 2, 20261128);
		assert_int_equal(ledger_append(l, &d, fx_receipt, NULL, NULL), WF_OK);
	}
	ledger_close(l);
}

/* Two categories (paper by weight, batteries by the piece), cursor "r1". */
static inline void fx_put_catalog(struct ledger *l)
{
	assert_int_equal(ledger_sync_begin(l, true), WF_OK);
	struct wf_category c = {.id = 1,
	                        .code = "paper",
	                        .name = "纸类 Paper",
	                        .unit = WF_UNIT_GRAM,
	                        .rate_version = 3,
	                        .rate = 2000,
	                        .min_qty = 50,
	                        .max_qty = 50000,
	                        .daily_limit_qty = 20000};
	assert_int_equal(ledger_sync_put_category(l, &c), WF_OK);
	struct wf_category b = {.id = 2,
	                        .code = "batteries",
	                        .name = "电池 Batteries",
	                        .unit = WF_UNIT_PIECE,
	                        .rate_version = 1,
	                        .rate = 5,
	                        .min_qty = 1,
	                        .max_qty = 100,
	                        .daily_limit_qty = 0};
	assert_int_equal(ledger_sync_put_category(l, &b), WF_OK);
	assert_int_equal(ledger_sync_commit(l, "r1"), WF_OK);
}

/* Column 0 of the first row of sql, a blob, into out; returns its length. */
static inline size_t fx_raw_blob(const char *path, const char *sql, uint8_t *out, size_t cap)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	size_t n = (size_t)sqlite3_column_bytes(st, 0);
	assert_true(n <= cap);
	memcpy(out, sqlite3_column_blob(st, 0), n);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static inline void fx_raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static inline int64_t fx_raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static inline void fx_copy_file(const char *from, const char *to)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

/* Runs `wufei-kiosk ARGS` (stderr too) into out; returns its exit status. */
static inline int fx_run_cli(const char *args, char *out, size_t cap)
{
	const char *bin = getenv("WUFEI_BIN_DIR");
	assert_non_null(bin);
	return wf_test_sh(out, cap, "'%s/wufei-kiosk' %s", bin, args);
}

/* The problems a verify reported (the first 16 kept). */
struct fx_problems {
	int n;
	char text[16][256];
};

static inline void fx_collect(void *ctx, const char *text)
{
	struct fx_problems *p = ctx;
	if (p->n < 16)
		snprintf(p->text[p->n], sizeof p->text[0], "%s", text);
	p->n++;
}

static inline bool fx_has_problem(const struct fx_problems *p, const char *part)
{
	for (int i = 0; i < p->n && i < 16; i++)
		if (strstr(p->text[i], part))
			return true;
	return false;
}

#endif
