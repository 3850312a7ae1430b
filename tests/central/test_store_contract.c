/*
 * test_store_contract — the journal, health and replies ops of store.h, as
 * every backend must keep them: run on SQLite (central_store_contract) and
 * on PostgreSQL (central_store_contract_pg) from this one source, each test
 * on a fresh store. Records and their bytes exactly once, alerts with the
 * newcomer's bytes, kiosks with their heartbeats, epochs, keys and their
 * revocation, the replay memory, silence, places and time zones, claims as
 * read back, the readiness ping (and a lost database), and `wufei-central
 * migrate` as an operator runs it.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "record.h"
#include "store.h"
#include "testdb.h"
#include "teststore.h"
#include "wf_test.h"

#define T0 INT64_C(1796000000)

static int setup(void **state)
{
	struct test_store *f = calloc(1, sizeof *f);
	test_store_open(f, "contract");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	test_store_close(*state);
	free(*state);
	return 0;
}

/* A record of kiosk/seq: bytes every value 0..255 can take (a NUL first),
 * the chain hash a function of (kiosk, seq). kind: drop or bin. */
static void make_record(struct store_record *r, uint8_t *bytes, uint32_t kiosk, uint32_t seq,
                        uint32_t kind)
{
	memset(r, 0, sizeof *r);
	for (int i = 0; i < 128; i++)
		bytes[i] = (uint8_t)(i * 7 + seq);
	bytes[0] = 0;
	bytes[1] = 0xff;
	r->kiosk = kiosk;
	r->seq = seq;
	r->kind = kind;
	r->bytes = bytes;
	r->len = 128;
	for (int i = 0; i < WF_HASH_BYTES; i++)
		r->hash[i] = (uint8_t)(kiosk + seq * 3 + (uint32_t)i);
	r->received_s = T0 + seq;
	r->time_s = T0 + seq - 60;
	r->category = 1;
	r->unit = WF_UNIT_GRAM;
	r->qty = 500;
	if (kind == WF_RECORD_DROP) {
		r->resident = 1001;
		r->points = 1;
		r->credited = 500;
		r->local_day = 20261130;
	}
}

static void insert(struct store *s, uint32_t kiosk, uint32_t seq, uint32_t kind, int want)
{
	struct store_record r;
	uint8_t bytes[128];
	make_record(&r, bytes, kiosk, seq, kind);
	assert_int_equal(s->ops->record_insert(s, &r), want);
}

/* Records are kept once, byte for byte; the first copy wins. */
static void test_records(void **state)
{
	struct test_store *f = *state;
	struct store *s = f->s;
	struct store_record r;
	uint8_t bytes[128], buf[256], hash[WF_HASH_BYTES];
	size_t len = 0;
	int64_t n = -1;
	uint32_t seq = 9;
	assert_int_equal(s->ops->record_highest(s, 7, &seq, hash), WF_OK);
	assert_int_equal(seq, 0);
	assert_true(hash[0] == 0 && hash[WF_HASH_BYTES - 1] == 0);
	make_record(&r, bytes, 7, 1, WF_RECORD_DROP);
	assert_int_equal(s->ops->record_insert(s, &r), 1);
	bytes[5] ^= 1; /* a different record under the same (kiosk, seq): nothing changes */
	assert_int_equal(s->ops->record_insert(s, &r), 0);
	bytes[5] ^= 1;
	assert_int_equal(s->ops->record_get(s, 7, 1, buf, sizeof buf, &len, hash), 1);
	assert_int_equal(len, 128);
	assert_memory_equal(buf, bytes, 128);
	assert_memory_equal(hash, r.hash, WF_HASH_BYTES);
	assert_int_equal(s->ops->record_get(s, 7, 1, buf, 127, &len, hash), WF_ENOMEM);
	assert_int_equal(s->ops->record_get(s, 7, 2, buf, sizeof buf, &len, hash), 0);
	assert_int_equal(s->ops->record_get(s, 8, 1, buf, sizeof buf, &len, hash), 0);
	insert(s, 7, 5, WF_RECORD_BIN, 1);
	insert(s, 7, 2, WF_RECORD_DROP, 1);
	insert(s, 8, UINT32_MAX, WF_RECORD_DROP, 1); /* the last seq there is */
	assert_int_equal(s->ops->record_highest(s, 7, &seq, hash), WF_OK);
	assert_int_equal(seq, 5);
	make_record(&r, bytes, 7, 5, WF_RECORD_BIN);
	assert_memory_equal(hash, r.hash, WF_HASH_BYTES);
	assert_int_equal(s->ops->record_highest(s, 8, &seq, hash), WF_OK);
	assert_int_equal(seq, UINT32_MAX);
	assert_int_equal(s->ops->record_count(s, &n), WF_OK);
	assert_int_equal(n, 4);
	/* the facts in columns: a drop's, a bin's (no resident, no credit, no day) */
	assert_int_equal(testdb_count(f->url, "SELECT count(*) FROM records WHERE kiosk = 7 AND "
	                                      "seq = 1 AND resident = 1001 AND category = 1 AND "
	                                      "qty = 500 AND credited = 500 AND local_day = "
	                                      "20261130 AND dflags = 0 AND time_s = 1795999941"),
	                 1);
	assert_int_equal(testdb_count(f->url, "SELECT count(*) FROM records WHERE kiosk = 7 AND "
	                                      "seq = 5 AND resident IS NULL AND category = 1 AND "
	                                      "qty = 500 AND credited IS NULL AND local_day IS "
	                                      "NULL AND dflags IS NULL"),
	                 1);
}

struct alerts_seen {
	struct store_alert a[8];
	int n;
	int stop_after; /* 0: never */
};

static int on_alert(void *ctx, const struct store_alert *a)
{
	struct alerts_seen *w = ctx;
	w->a[w->n++] = *a;
	return w->stop_after && w->n >= w->stop_after;
}

struct reasons_seen {
	char reason[4][32];
	int64_t count[4];
	int n;
};

static int on_reason(void *ctx, const char *reason, int64_t n)
{
	struct reasons_seen *w = ctx;
	snprintf(w->reason[w->n], sizeof w->reason[w->n], "%s", reason);
	w->count[w->n++] = n;
	return 0;
}

/* Alerts: kept oldest first, with the newcomer's bytes; counted by reason. */
static void test_alerts(void **state)
{
	struct store *s = ((struct test_store *)*state)->s;
	const uint8_t newcomer[5] = {0x01, 0x00, 0xfe, 0x5c, 0x78}; /* a NUL, a "\x" */
	int64_t n = -1;
	assert_int_equal(s->ops->alert_count(s, &n), WF_OK);
	assert_int_equal(n, 0);
	assert_int_equal(s->ops->alert_add(s, 7, 3, "conflict", newcomer, sizeof newcomer,
	                                   "seq 3 sent twice, \"différent\"", T0),
	                 WF_OK);
	assert_int_equal(s->ops->alert_add(s, 7, 4, "unknown_rate", NULL, 0, NULL, T0 + 1), WF_OK);
	assert_int_equal(s->ops->alert_add(s, 8, 9, "chain_break", NULL, 0, "gap", T0 + 2), WF_OK);
	assert_int_equal(s->ops->alert_add(s, 7, 5, "conflict", newcomer, 2, "again", T0 + 3),
	                 WF_OK);
	assert_int_equal(s->ops->alert_count(s, &n), WF_OK);
	assert_int_equal(n, 4);
	struct alerts_seen w = {0};
	assert_int_equal(s->ops->alert_list(s, on_alert, &w), WF_OK);
	assert_int_equal(w.n, 4);
	assert_int_equal(w.a[0].kiosk, 7);
	assert_int_equal(w.a[0].seq, 3);
	assert_string_equal(w.a[0].reason, "conflict");
	assert_string_equal(w.a[0].detail, "seq 3 sent twice, \"différent\"");
	assert_int_equal(w.a[0].bytes_len, 5);
	assert_int_equal(w.a[0].received_s, T0);
	assert_string_equal(w.a[1].detail, "");
	assert_int_equal(w.a[1].bytes_len, 0);
	assert_int_equal(w.a[2].kiosk, 8);
	assert_int_equal(w.a[3].bytes_len, 2);
	assert_true(w.a[0].id < w.a[1].id && w.a[1].id < w.a[2].id && w.a[2].id < w.a[3].id);
	struct alerts_seen one = {.stop_after = 1};
	assert_int_equal(s->ops->alert_list(s, on_alert, &one), WF_OK);
	assert_int_equal(one.n, 1);
	struct reasons_seen rs = {0};
	assert_int_equal(s->ops->alert_reasons(s, on_reason, &rs), WF_OK);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.reason[0], "chain_break");
	assert_int_equal(rs.count[0], 1);
	assert_string_equal(rs.reason[1], "conflict");
	assert_int_equal(rs.count[1], 2);
	assert_string_equal(rs.reason[2], "unknown_rate");
	assert_int_equal(rs.count[2], 1);
}

struct kiosks_seen {
	struct store_kiosk_info k[4];
	int n;
};

static int on_kiosk(void *ctx, const struct store_kiosk_info *k)
{
	struct kiosks_seen *w = ctx;
	w->k[w->n++] = *k;
	return 0;
}

/* Kiosks by number with their journal and their latest heartbeat; silence. */
static void test_kiosks(void **state)
{
	struct store *s = ((struct test_store *)*state)->s;
	const char *devs = "[{\"name\":\"scale\",\"state\":\"ok\"}]";
	assert_int_equal(s->ops->kiosk_add(s, 9, "Back gate", T0), WF_OK);
	assert_int_equal(s->ops->kiosk_add(s, 3, NULL, T0), WF_OK);
	assert_int_equal(s->ops->kiosk_add(s, 7, "东门", T0), WF_OK);
	assert_int_equal(s->ops->kiosk_add(s, 7, "again", T0), WF_EEXIST);
	assert_int_equal(s->ops->kiosk_exists(s, 7), 1);
	assert_int_equal(s->ops->kiosk_exists(s, 8), 0);
	insert(s, 7, 1, WF_RECORD_DROP, 1);
	insert(s, 7, 2, WF_RECORD_DROP, 1);
	insert(s, 7, 4, WF_RECORD_BIN, 1);
	assert_int_equal(s->ops->heartbeat_put(s, 7, 3, 9, "0.9", "[]", T0 + 50), WF_OK);
	assert_int_equal(s->ops->heartbeat_put(s, 7, 4, 1, "1.2.3", devs, T0 + 100), WF_OK);
	struct kiosks_seen w = {0};
	assert_int_equal(s->ops->kiosk_list(s, on_kiosk, &w), WF_OK);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.k[0].kiosk, 3);
	assert_string_equal(w.k[0].name, "");
	assert_int_equal(w.k[0].highest_seq, 0);
	assert_int_equal(w.k[0].records, 0);
	assert_int_equal(w.k[0].heartbeat_s, 0);
	assert_string_equal(w.k[0].software_version, "");
	assert_int_equal(w.k[1].kiosk, 7);
	assert_string_equal(w.k[1].name, "东门");
	assert_int_equal(w.k[1].highest_seq, 4);
	assert_int_equal(w.k[1].records, 3);
	assert_int_equal(w.k[1].heartbeat_s, T0 + 100);
	assert_int_equal(w.k[1].last_seq, 4);
	assert_int_equal(w.k[1].outbox_depth, 1);
	assert_string_equal(w.k[1].software_version, "1.2.3");
	assert_string_equal(w.k[1].devices, devs);
	assert_int_equal(w.k[2].kiosk, 9);
	assert_string_equal(w.k[2].name, "Back gate");
	int64_t enrolled = -1, silent = -1;
	assert_int_equal(s->ops->kiosk_silence(s, T0 + 50, &enrolled, &silent), WF_OK);
	assert_int_equal(enrolled, 3);
	assert_int_equal(silent, 2); /* 3 and 9 never beat since T0; 7 beat at T0 + 100 */
	assert_int_equal(s->ops->kiosk_silence(s, T0, &enrolled, &silent), WF_OK);
	assert_int_equal(silent, 0);
	assert_int_equal(s->ops->kiosk_silence(s, T0 + 101, &enrolled, &silent), WF_OK);
	assert_int_equal(silent, 3);
}

/* Keys: added once, read back, revoked once after the highest seq held. */
static void test_keys(void **state)
{
	struct store *s = ((struct test_store *)*state)->s;
	uint8_t pk[32], pk2[32];
	struct store_key k;
	for (int i = 0; i < 32; i++) {
		pk[i] = (uint8_t)(255 - i);
		pk2[i] = (uint8_t)i;
	}
	pk[3] = 0;
	assert_int_equal(s->ops->kiosk_add(s, 7, "Gate", T0), WF_OK);
	assert_int_equal(s->ops->key_add(s, 7, 1, pk, T0 + 1), WF_OK);
	assert_int_equal(s->ops->key_add(s, 7, 1, pk2, T0 + 2), WF_EEXIST);
	assert_int_not_equal(s->ops->key_add(s, 99, 1, pk2, T0), WF_OK); /* no such kiosk */
	assert_int_equal(s->ops->key_add(s, 7, 2, pk2, T0 + 3), WF_OK);
	assert_int_equal(s->ops->key_get(s, 7, 1, &k), WF_OK);
	assert_memory_equal(k.public_key, pk, 32);
	assert_int_equal(k.added_s, T0 + 1);
	assert_int_equal(k.revoked_s, 0);
	assert_int_equal(k.revoked_after_seq, 0);
	assert_int_equal(s->ops->key_get(s, 7, 3, &k), WF_ENOENT);
	assert_int_equal(s->ops->key_get(s, 8, 1, &k), WF_ENOENT);
	insert(s, 7, 1, WF_RECORD_DROP, 1);
	insert(s, 7, 6, WF_RECORD_DROP, 1);
	insert(s, 8, 40, WF_RECORD_DROP, 1); /* another kiosk's journal does not count */
	assert_int_equal(s->ops->key_revoke(s, 7, 1, T0 + 10), WF_OK);
	assert_int_equal(s->ops->key_get(s, 7, 1, &k), WF_OK);
	assert_int_equal(k.revoked_s, T0 + 10);
	assert_int_equal(k.revoked_after_seq, 6);
	assert_int_equal(s->ops->key_revoke(s, 7, 1, T0 + 20), WF_ENOENT); /* once */
	assert_int_equal(s->ops->key_get(s, 7, 1, &k), WF_OK);
	assert_int_equal(k.revoked_s, T0 + 10);
	assert_int_equal(s->ops->key_revoke(s, 7, 5, T0 + 20), WF_ENOENT);
	assert_int_equal(s->ops->key_get(s, 7, 2, &k), WF_OK); /* the other key lives on */
	assert_memory_equal(k.public_key, pk2, 32);
	assert_int_equal(k.revoked_s, 0);
}

/* PostgreSQL: a session on this database waits for a lock. */
#define WAITING                                                                                    \
	"SELECT count(*) FROM pg_locks WHERE NOT granted AND pid IN (SELECT pid FROM "             \
	"pg_stat_activity WHERE datname = current_database())"

struct epoch_racer {
	const char *url;
	int rc;
	uint32_t epoch;
};

/* Another central opens an epoch for kiosk 7 in its own transaction. */
static void *open_epoch(void *arg)
{
	struct epoch_racer *e = arg;
	struct store *s = NULL;
	char why[256];
	e->rc = store_open(e->url, &s, why, sizeof why);
	if (!e->rc)
		e->rc = s->ops->begin(s);
	if (!e->rc)
		e->rc = s->ops->epoch_open(s, 7, 50, "reinstalled", 12, T0 + 9, &e->epoch);
	if (!e->rc)
		e->rc = s->ops->commit(s);
	else if (s)
		s->ops->rollback(s);
	store_close(s);
	return NULL;
}

/* Epochs numbered 1, 2, ... per kiosk; one rolled back is not kept; two
 * centrals opening one at once get the next two numbers. */
static void test_epochs(void **state)
{
	struct test_store *f = *state;
	struct store *s = f->s;
	uint32_t e = 0;
	assert_int_equal(s->ops->epoch_open(s, 7, 1, "first", 0, T0, &e), WF_OK);
	assert_int_equal(e, 1);
	assert_int_equal(s->ops->epoch_open(s, 7, 41, "reset", 40, T0 + 1, &e), WF_OK);
	assert_int_equal(e, 2);
	assert_int_equal(s->ops->epoch_open(s, 8, 1, NULL, 0, T0 + 2, &e), WF_OK);
	assert_int_equal(e, 1);
	assert_int_equal(testdb_count(f->url, "SELECT count(*) FROM epochs WHERE kiosk = 7 AND "
	                                      "epoch = 2 AND start_seq = 41 AND reason = 'reset' "
	                                      "AND local_last_seq = 40 AND opened_s = 1796000001"),
	                 1);
	assert_int_equal(s->ops->begin(s), WF_OK);
	assert_int_equal(s->ops->epoch_open(s, 7, 42, "undone", 41, T0 + 3, &e), WF_OK);
	assert_int_equal(e, 3);
	assert_int_equal(s->ops->rollback(s), WF_OK);
	/* a transaction holds epoch 3 while another central asks for one */
	assert_int_equal(s->ops->begin(s), WF_OK);
	assert_int_equal(s->ops->epoch_open(s, 7, 42, "moved", 41, T0 + 4, &e), WF_OK);
	assert_int_equal(e, 3);
	struct epoch_racer other = {.url = f->url, .rc = -1};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, open_epoch, &other), 0);
	if (testdb_is_pg()) /* it waits for us: let it queue up before we commit */
		while (testdb_count(f->url, WAITING) < 1)
			usleep(2000);
	assert_int_equal(s->ops->commit(s), WF_OK);
	pthread_join(t, NULL);
	assert_int_equal(other.rc, WF_OK);
	assert_int_equal(other.epoch, 4);
	assert_int_equal(testdb_count(f->url, "SELECT count(*) FROM epochs WHERE kiosk = 7"), 4);
}

/* The replay memory: an answer per (kiosk, request), forgotten once old. */
static void test_replies(void **state)
{
	struct store *s = ((struct test_store *)*state)->s;
	uint8_t id1[WF_HASH_BYTES], id2[WF_HASH_BYTES];
	const char *a1 = "{\"format\":\"wufei-heartbeat-answer-1\",\"ok\":true,\"note\":\"好\"}";
	char answer[128];
	unsigned status = 0;
	memset(id1, 0xab, sizeof id1);
	memset(id2, 0x00, sizeof id2);
	assert_int_equal(s->ops->reply_get(s, 7, id1, &status, answer, sizeof answer), 0);
	assert_int_equal(s->ops->reply_put(s, 7, id1, T0, 200, a1, T0 - 600), WF_OK);
	assert_int_equal(s->ops->reply_get(s, 7, id1, &status, answer, sizeof answer), 1);
	assert_int_equal(status, 200);
	assert_string_equal(answer, a1);
	assert_int_equal(s->ops->reply_get(s, 8, id1, &status, answer, sizeof answer), 0);
	assert_int_equal(s->ops->reply_get(s, 7, id2, &status, answer, sizeof answer), 0);
	assert_int_equal(s->ops->reply_get(s, 7, id1, &status, answer, strlen(a1)), WF_ENOMEM);
	assert_int_equal(s->ops->reply_put(s, 7, id1, T0, 200, a1, T0 - 600), WF_EEXIST);
	assert_int_equal(s->ops->reply_put(s, 8, id1, T0 + 5, 409, "{}", T0 - 600), WF_OK);
	/* a request signed later: those signed before T0 + 1 are forgotten */
	assert_int_equal(s->ops->reply_put(s, 7, id2, T0 + 700, 201, "{\"e\":2}", T0 + 1), WF_OK);
	assert_int_equal(s->ops->reply_get(s, 7, id1, &status, answer, sizeof answer), 0);
	assert_int_equal(s->ops->reply_get(s, 8, id1, &status, answer, sizeof answer), 1);
	assert_int_equal(status, 409);
	assert_string_equal(answer, "{}");
	assert_int_equal(s->ops->reply_get(s, 7, id2, &status, answer, sizeof answer), 1);
	assert_int_equal(status, 201);
	assert_string_equal(answer, "{\"e\":2}");
}

/* A kiosk's name and time zone; the zone set again; claims as read back. */
static void test_places_and_claims(void **state)
{
	struct test_store *f = *state;
	struct store *s = f->s;
	struct store_kiosk_place pl;
	struct store_claim c;
	assert_int_equal(s->ops->kiosk_add(s, 7, "东门 \"A\"", T0), WF_OK);
	assert_int_equal(s->ops->kiosk_place(s, 7, &pl), 1);
	assert_string_equal(pl.name, "东门 \"A\"");
	assert_string_equal(pl.time_zone, STORE_TZ_DEFAULT);
	assert_int_equal(s->ops->kiosk_tz_set(s, 7, "Europe/Paris"), WF_OK);
	assert_int_equal(s->ops->kiosk_place(s, 7, &pl), 1);
	assert_string_equal(pl.time_zone, "Europe/Paris");
	assert_int_equal(s->ops->kiosk_tz_set(s, 99, "Europe/Paris"), WF_ENOENT);
	memset(&pl, 'x', sizeof pl);
	assert_int_equal(s->ops->kiosk_place(s, 99, &pl), 0);
	assert_int_equal(pl.name[0], 'x'); /* untouched */
	assert_int_equal(s->ops->claim_read(s, 7, 3, &c), 0);
	assert_int_equal(testdb_exec(f->url, "INSERT INTO claims(kiosk, seq, claimed_s, resident, "
	                                     "category, local_day, qty, points, actor) VALUES(7, "
	                                     "3, 1796000100, 1001, 2, 20261130, 750, 15, "
	                                     "'office:li'), (7, 4, 1796000200, NULL, NULL, NULL, "
	                                     "NULL, NULL, NULL)"),
	                 0);
	assert_int_equal(s->ops->claim_read(s, 7, 3, &c), 1);
	assert_int_equal(c.kiosk, 7);
	assert_int_equal(c.seq, 3);
	assert_int_equal(c.claimed_s, T0 + 100);
	assert_int_equal(c.resident, 1001);
	assert_int_equal(c.category, 2);
	assert_int_equal(c.local_day, 20261130);
	assert_int_equal(c.qty, 750);
	assert_int_equal(c.points, 15);
	assert_string_equal(c.actor, "office:li");
	assert_int_equal(s->ops->claim_read(s, 7, 4, &c),
	                 1); /* from before claims named residents */
	assert_int_equal(c.claimed_s, T0 + 200);
	assert_int_equal(c.resident, 0);
	assert_string_equal(c.actor, "");
	assert_int_equal(s->ops->claim_read(s, 8, 3, &c), 0);
}

/* The readiness ping asks the database: a lost one fails with a reason. */
static void test_ping(void **state)
{
	struct test_store *f = *state;
	struct store *s = f->s;
	assert_int_equal(s->ops->ping(s), WF_OK);
	if (testdb_is_pg()) {
		static const char cut[] = "SELECT pg_terminate_backend(pid, 60000) FROM "
		                          "pg_stat_activity WHERE datname = '%s' AND pid <> "
		                          "pg_backend_pid()";
		char name[128], admin[1024], sql[512];
		assert_int_equal(harness_pg_admin(f->url, name, sizeof name, admin, sizeof admin),
		                 WF_OK);
		snprintf(sql, sizeof sql, cut, name);
		/* the server ends our idle connection (as a restart would): the
		 * next call sees it ended and connects again before asking */
		assert_int_equal(testdb_exec(admin, sql), 0);
		assert_int_equal(s->ops->ping(s), WF_OK);
		/* the database refuses connections: the ping fails with a reason */
		snprintf(sql, sizeof sql, "ALTER DATABASE %s ALLOW_CONNECTIONS false", name);
		assert_int_equal(testdb_exec(admin, sql), 0);
		snprintf(sql, sizeof sql, cut, name);
		assert_int_equal(testdb_exec(admin, sql), 0);
		assert_int_equal(s->ops->ping(s), WF_EBUSY);
		assert_non_null(strstr(store_errmsg(s), "postgresql"));
		snprintf(sql, sizeof sql, "ALTER DATABASE %s ALLOW_CONNECTIONS true", name);
		assert_int_equal(testdb_exec(admin, sql), 0);
		assert_int_equal(s->ops->ping(s), WF_OK); /* back by itself */
	} else {
		char moved[sizeof f->path + 8];
		snprintf(moved, sizeof moved, "%s.moved", f->path);
		assert_int_equal(rename(f->path, moved), 0);
		assert_int_not_equal(s->ops->ping(s), WF_OK);
		assert_non_null(strstr(store_errmsg(s), "moved or deleted"));
	}
}

/* `wufei-central URL migrate`, stdout and stderr together into out; its exit status. */
static int migrate_sh(const char *url, char *out, size_t cap)
{
	char bin[512];
	harness_bin("wufei-central", bin, sizeof bin);
	return wf_test_sh(out, cap, "'%s' migrate --db '%s'", bin, url);
}

/* `wufei-central migrate`: the schema's version said, again and again;
 * refused (exit 1, a reason) for a database too new or out of reach. */
static void test_migrate_cli(void **state)
{
	struct test_store *f = *state;
	char out[512], want[64], err[1024];
	int version = 0;
	const char *args[] = {"migrate", NULL};
	assert_int_equal(f->s->ops->schema_version(f->s, &version), WF_OK);
	assert_true(version >= 1);
	snprintf(want, sizeof want, "schema: %s version %d\n",
	         testdb_is_pg() ? "postgresql" : "sqlite", version);
	assert_int_equal(harness_cli(f->url, out, sizeof out, args), 0);
	assert_string_equal(out, want);
	assert_int_equal(harness_cli(f->url, out, sizeof out, args), 0); /* nothing left to do */
	assert_string_equal(out, want);
	char bin[512], help[8192];
	harness_bin("wufei-central", bin, sizeof bin);
	assert_int_equal(wf_test_sh(help, sizeof help, "'%s' migrate --help", bin), 0);
	assert_non_null(strstr(help, "wufei-central migrate --db URL"));
	const char *extra[] = {"migrate", "now", NULL};
	assert_int_equal(harness_cli(f->url, NULL, 0, extra), 2);
	/* a database left by a newer wufei-central */
	assert_int_equal(testdb_exec(f->url, testdb_is_pg()
	                                         ? "INSERT INTO schema_version(version, applied_s) "
	                                           "VALUES(999, 0)"
	                                         : "PRAGMA user_version = 999"),
	                 0);
	assert_int_equal(migrate_sh(f->url, err, sizeof err), 1);
	assert_non_null(strstr(err, "newer"));
	assert_null(strstr(err, "schema: "));
	/* a database that is not there */
	const char *gone = testdb_is_pg()
	                       ? "postgresql://wufei:sekrit@/wf_none?host=/nonexistent-wf"
	                       : "sqlite:/nonexistent-wf/dir/central.db";
	assert_int_equal(migrate_sh(gone, err, sizeof err), 1);
	assert_non_null(
	    strstr(err, testdb_is_pg() ? "cannot connect to PostgreSQL" : "cannot open"));
	assert_null(strstr(err, "sekrit"));
}

/* A fresh database migrated by the command: a store opens on it as it is. */
static void test_migrate_fresh(void **state)
{
	(void)state;
	char dir[] = "/tmp/wf-contract-XXXXXX", path[96], url[1024], out[256];
	const char *args[] = {"migrate", NULL};
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/fresh.db", dir);
	assert_int_equal(testdb_url(url, sizeof url, path), 0);
	assert_int_equal(harness_cli(url, out, sizeof out, args), 0);
	assert_non_null(strstr(out, "schema: "));
	assert_int_equal(testdb_count(url, "SELECT count(*) FROM meta WHERE key = 'card_key'"), 1);
	assert_int_equal(testdb_count(url, "SELECT count(*) FROM records"), 0);
	wf_test_sh(NULL, 0, "rm -rf '%s'", dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_records, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alerts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kiosks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_epochs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_replies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_places_and_claims, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_cli, setup, teardown),
	    cmocka_unit_test(test_migrate_fresh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
