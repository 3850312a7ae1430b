/*
 * sync_check.c — what the sync fault tests append, count and compare
 * (sync_check.h): bin records into a journal, the outbox, central's rows,
 * and "central holds every journal record exactly once".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "record.h"
#include "sync_check.h"

static const struct sync_fx *g_check; /* the test's fixture (sync_check_init) */
static uint32_t g_kiosk;

void sync_check_init(const struct sync_fx *f, uint32_t kiosk)
{
	g_check = f;
	g_kiosk = kiosk;
}

static int64_t now_ms(void)
{
	return wf_clock_utc_ms(wf_clock_system());
}

struct ledger *open_ledger(const char *path)
{
	struct ledger *l = NULL;
	char err[256];
	assert_int_equal(ledger_open(path, &l, err, sizeof err), WF_OK);
	return l;
}

/* Appends n bin collections with kiosk-clock time t_ms (0 = now); grams vary with salt. */
void append_bins_to(struct ledger *l, int n, int64_t t_ms, int64_t salt)
{
	for (int i = 0; i < n; i++) {
		struct wf_record r;
		memset(&r, 0, sizeof r);
		r.kind = WF_RECORD_BIN;
		r.time_ms = t_ms ? t_ms : now_ms();
		r.bin.category_id = (uint16_t)(1 + i % 3);
		r.bin.grams = 1000 + salt + i;
		r.bin.staff_id = 7;
		assert_int_equal(ledger_append(l, &r, NULL, NULL, NULL), WF_OK);
	}
}

void append_bins(const char *path, int n, int64_t t_ms, int64_t salt)
{
	struct ledger *l = open_ledger(path);
	append_bins_to(l, n, t_ms, salt);
	ledger_close(l);
}

int64_t depth_of(const char *path)
{
	struct ledger *l = open_ledger(path);
	int64_t d = -1;
	assert_int_equal(ledger_outbox_depth(l, &d), WF_OK);
	ledger_close(l);
	return d;
}

uint64_t last_of(const char *path)
{
	struct ledger *l = open_ledger(path);
	uint64_t last = 0;
	assert_int_equal(ledger_last(l, &last, NULL), WF_OK);
	ledger_close(l);
	return last;
}

long central_count(const char *where)
{
	char sql[300];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM records WHERE kiosk=%" PRIu32 "%s%s",
	         g_kiosk, where ? " AND " : "", where ? where : "");
	return harness_count(g_check->db, sql);
}

long alert_count(const char *where)
{
	char sql[300];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM tamper_alerts%s%s", where ? " WHERE " : "",
	         where ? where : "");
	return harness_count(g_check->db, sql);
}

/* ---- comparing the journal with central ---- */

/* Journal records waiting to be compared, a chunk a query (ledger_each's
 * bytes live only during its callback: copied). */
#define CMP_CHUNK    64
#define CMP_COND_MAX (2 * (WF_RECORD_MAX_LEN + WF_HASH_BYTES) + 128)
struct cmp_rec {
	uint64_t seq;
	size_t len;
	uint8_t bytes[WF_RECORD_MAX_LEN];
	uint8_t hash[WF_HASH_BYTES];
};
static struct cmp_rec g_chunk[CMP_CHUNK];
static size_t g_nchunk;

/* How many of r[0..n) central holds byte-equal with the same chain hash. */
static long held_equal(const char *db, const struct cmp_rec *r, size_t n)
{
	static char sql[CMP_CHUNK * (CMP_COND_MAX + 8) + 128];
	char bytes[2 * WF_RECORD_MAX_LEN + 16], hash[2 * WF_HASH_BYTES + 16];
	size_t at = (size_t)snprintf(sql, sizeof sql,
	                             "SELECT COUNT(*) FROM records WHERE kiosk = %" PRIu32 " AND (",
	                             g_kiosk);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(harness_blob_sql(db, r[i].bytes, r[i].len, bytes, sizeof bytes),
		                 WF_OK);
		assert_int_equal(harness_blob_sql(db, r[i].hash, WF_HASH_BYTES, hash, sizeof hash),
		                 WF_OK);
		at += (size_t)snprintf(sql + at, sizeof sql - at,
		                       "%s(seq = %" PRIu64 " AND bytes = %s AND hash = %s)",
		                       i ? " OR " : "", r[i].seq, bytes, hash);
		assert_true(at < sizeof sql);
	}
	snprintf(sql + at, sizeof sql - at, ")");
	long v = harness_count(db, sql);
	assert_true(v >= 0);
	return v;
}

/* One record that is not held byte-equal: missing, or other bytes. */
static void classify_one(struct cmp *c, const struct cmp_rec *r)
{
	if (held_equal(c->db, r, 1) == 1) {
		c->equal++;
		return;
	}
	char sql[128];
	snprintf(sql, sizeof sql,
	         "SELECT COUNT(*) FROM records WHERE kiosk = %" PRIu32 " AND seq = %" PRIu64,
	         g_kiosk, r->seq);
	if (harness_count(c->db, sql) == 0)
		c->missing++;
	else
		c->differ++;
	if (!c->first_bad)
		c->first_bad = r->seq;
}

/* The chunk compared: one query when all are held, else record by record. */
static void cmp_flush(struct cmp *c)
{
	if (g_nchunk && held_equal(c->db, g_chunk, g_nchunk) == (long)g_nchunk)
		c->equal += (long)g_nchunk;
	else
		for (size_t i = 0; i < g_nchunk; i++)
			classify_one(c, &g_chunk[i]);
	g_nchunk = 0;
}

static int cmp_one(void *ctx, const struct ledger_entry *e)
{
	struct cmp *c = ctx;
	if (e->seq < c->from || e->seq > c->to)
		return 0;
	c->journal++;
	assert_true(e->len <= WF_RECORD_MAX_LEN);
	struct cmp_rec *r = &g_chunk[g_nchunk++];
	r->seq = e->seq;
	r->len = e->len;
	memcpy(r->bytes, e->bytes, e->len);
	memcpy(r->hash, e->hash, WF_HASH_BYTES);
	if (g_nchunk == CMP_CHUNK)
		cmp_flush(c);
	return 0;
}

/* Compares the journal's records with seq in [from, to] with central's. */
struct cmp compare_range(const char *ledger_path, uint64_t from, uint64_t to)
{
	struct cmp c;
	memset(&c, 0, sizeof c);
	c.from = from;
	c.to = to;
	c.db = g_check->db;
	struct ledger *l = open_ledger(ledger_path);
	g_nchunk = 0;
	assert_int_equal(ledger_each(l, cmp_one, &c), 0);
	cmp_flush(&c);
	ledger_close(l);
	return c;
}

/*
 * The end of every test: central holds every journal record exactly once
 * ((kiosk, seq) is its primary key, so "once" = its row count equals the
 * journal's), byte-equal, with the same chain hash; the outbox is empty.
 */
void assert_exactly_once(const char *ledger_path)
{
	struct cmp c = compare_range(ledger_path, 0, UINT64_MAX);
	if (c.missing || c.differ)
		print_error(
		    "journal %ld records: %ld equal, %ld differ, %ld missing (first seq %" PRIu64
		    ")\n",
		    c.journal, c.equal, c.differ, c.missing, c.first_bad);
	assert_true(c.journal > 0);
	assert_int_equal(c.missing, 0);
	assert_int_equal(c.differ, 0);
	assert_int_equal(c.equal, c.journal);
	assert_int_equal(central_count(NULL), c.journal);
	assert_int_equal(depth_of(ledger_path), 0);
}

void make_sync_at(int port, const char *ledger_path, struct sync **s, const struct wf_clock *clock,
                  unsigned batch_max)
{
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = ledger_path,
	                          .kiosk = g_kiosk,
	                          .key_id = 1,
	                          .secret_key = g_check->sk,
	                          .batch_max = batch_max,
	                          .timeout_ms = 20000,
	                          .backoff_min_ms = 10,
	                          .backoff_cap_ms = 100,
	                          .clock = clock};
	assert_int_equal(sync_create(&cfg, s, err, sizeof err), WF_OK);
}

struct sync_status status_of(struct sync *s)
{
	struct sync_status st;
	sync_get_status(s, &st);
	return st;
}
