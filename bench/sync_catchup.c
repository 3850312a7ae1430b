/*
 * sync_catchup.c — bench/run sync_catchup: N queued drops on one kiosk
 * (default 100,000) to fully acknowledged through a real wufei-central on
 * loopback, with the kiosk's real sync client (kiosk/sync/: signed batches
 * of 500, acknowledgement transactions in the journal) and central's SQLite
 * backend on the same disk. Prints records per second and where the time
 * went, ending with `sync_catchup: <N> records/s (target <T>)`.
 *
 * The journal is prepared before timing with synchronous=OFF (a test-only
 * ledger option) so preparing 100,000 records does not take 100,000 fsyncs;
 * the sync client then opens it normally (synchronous=FULL), as a kiosk
 * does. Both files live in a fresh directory under $WUFEI_BENCH_DIR (default:
 * the current directory), so the numbers are those of a real disk, not tmpfs.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "harness.h"
#include "ledger.h"
#include "record.h"
#include "signing.h"
#include "sync.h"
#include "wf_test.h"
#include "wf.h"

#define TARGET_PER_S 5000 /* 100,000 queued records (weeks of a busy kiosk) back in 20 s */

static double mono_s(void)
{
	return (double)wf_clock_mono_ns() / 1e9;
}

static int fail(const char *what, const char *detail)
{
	fprintf(stderr, "sync_catchup: %s: %s\n", what, detail ? detail : "");
	return 1;
}

/* The kiosk's journal with n drops in its outbox (synchronous=OFF). */
static int fill_journal(const char *path, long n, char *err, size_t err_len)
{
	if (ledger_init(path, 9, err, err_len) != WF_OK)
		return fail("ledger init", err);
	struct ledger_options opt = {.unsafe_sync_off = true};
	struct ledger *l = NULL;
	if (ledger_open_with(path, &opt, &l, err, err_len) != WF_OK)
		return fail("ledger open", err);
	int64_t base_ms = (int64_t)time(NULL) * 1000;
	for (long i = 0; i < n; i++) {
		struct wf_record r;
		memset(&r, 0, sizeof r);
		r.kind = WF_RECORD_DROP;
		r.time_ms = base_ms + i;
		r.drop.category_id = 1;
		r.drop.unit = WF_UNIT_GRAM;
		r.drop.qty = 500 + i % 4000;
		r.drop.credited_qty = r.drop.qty;
		r.drop.rate_version = 1;
		r.drop.points = r.drop.qty * 2000 / 1000000;
		r.drop.resident_id = 1001 + (uint64_t)(i % 500);
		memset(r.drop.card_hash, (int)(i % 251) + 1, sizeof r.drop.card_hash);
		r.drop.local_day = 20261128;
		if (ledger_append(l, &r, NULL, NULL, NULL) != WF_OK) {
			int rc = fail("append", ledger_errmsg(l));
			ledger_close(l);
			return rc;
		}
	}
	ledger_close(l);
	return 0;
}

/* One sync round against central on port: *took its seconds, *st the status. */
static int catch_up(const char *ledger_path, int port, const uint8_t sk[64], double *took,
                    struct sync_status *st)
{
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = ledger_path,
	                          .kiosk = 9,
	                          .key_id = 1,
	                          .secret_key = sk,
	                          .timeout_ms = 60000};
	struct sync *s = NULL;
	if (sync_create(&cfg, &s, err, sizeof err) != WF_OK)
		return fail("sync create", err);
	double t1 = mono_s();
	int rc = sync_round(s, true);
	*took = mono_s() - t1;
	sync_get_status(s, st);
	sync_destroy(s);
	return rc;
}

static void report(long n, double prep, double took)
{
	double batches = (double)((n + SYNC_BATCH_MAX - 1) / SYNC_BATCH_MAX);
	printf("sync_catchup: %ld drops queued in %.1f s (not timed; synchronous=OFF)\n", n, prep);
	printf("sync_catchup: %ld records acknowledged in %.2f s through %.0f batches of <= %d "
	       "(one round incl. epoch, down-sync, heartbeat)\n",
	       n, took, batches, SYNC_BATCH_MAX);
	printf("sync_catchup: %.1f ms per 500-record batch (kiosk: peek, JSON, sign, ack "
	       "commit; central: verify, decode, chain, commit)\n",
	       took * 1000.0 / batches);
}

int main(int argc, char **argv)
{
	long n = 100000;
	if (argc > 1) {
		char *end = NULL;
		n = strtol(argv[1], &end, 10);
		if (!end || *end || n < 1 || n > 10000000)
			return fail("usage", "sync_catchup [RECORDS]");
	}
	const char *base = getenv("WUFEI_BENCH_DIR");
	char dir[512], ledger_path[600], db_path[600], db_url[620], pub[700], err[256];
	snprintf(dir, sizeof dir, "%s/wufei-sync-catchup.XXXXXX", base && *base ? base : ".");
	if (!mkdtemp(dir))
		return fail("mkdtemp", dir);
	snprintf(ledger_path, sizeof ledger_path, "%s/journal.db", dir);
	snprintf(db_path, sizeof db_path, "%s/central.db", dir);
	snprintf(db_url, sizeof db_url, "sqlite:%s", db_path);

	/* 1. the kiosk's journal with n drops in its outbox */
	uint8_t pk[32], sk[64];
	signing_keypair_generate(pk, sk);
	double t0 = mono_s();
	if (fill_journal(ledger_path, n, err, sizeof err) != 0)
		return 1;
	double prep = mono_s() - t0;

	/* 2. central, fresh, with this kiosk enrolled */
	char out[4096];
	harness_write_pub(dir, "k9.pub", pk, pub, sizeof pub);
	const char *add[] = {"kiosk", "add", "9", "--pubkey", pub, NULL};
	if (harness_cli(db_url, out, sizeof out, add) != 0)
		return fail("kiosk add", out);
	struct central_proc c;
	if (harness_start(&c, db_url, 0) != 0)
		return fail("start central", db_url);

	/* 3. catch up: timed from the first request to the last acknowledgement */
	double took = 0;
	struct sync_status st;
	memset(&st, 0, sizeof st);
	int rc = catch_up(ledger_path, c.port, sk, &took, &st);
	long held = harness_count(db_path, "SELECT COUNT(*) FROM records WHERE kiosk=9");
	harness_stop(&c, SIGTERM);
	if (rc != WF_OK || st.outbox_depth != 0 || held != n || (long)st.stored != n) {
		char why[300];
		snprintf(why, sizeof why,
		         "round %d, outbox %" PRId64 ", central holds %ld of %ld, stored %" PRIu64
		         ": %s",
		         rc, st.outbox_depth, held, n, st.stored, st.last_error);
		return fail("not caught up", why);
	}
	report(n, prep, took);
	if (wf_test_rmtree(dir) != 0)
		fprintf(stderr, "sync_catchup: could not remove %s\n", dir);
	printf("sync_catchup: %.0f records/s (target %d)\n", (double)n / took, TARGET_PER_S);
	return 0;
}
