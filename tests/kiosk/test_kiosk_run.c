/*
 * test_kiosk_run.c — wufei-kiosk as a resident and staff would use it,
 * driven by scripts: what they were shown is what the journal holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "ledger.h"
#include "receipt.h"
#include "record.h"
#include "testdb.h"
#include "wf.h"
#include "wf_test.h"

static char g_dir[128];
static char g_out[8192];

static void write_file(const char *path, const char *text)
{
	assert_int_equal(wf_test_write_file(path, text), 0);
}

/* Runs a shell command; returns its exit status and keeps its output in g_out. */
#define sh(...) wf_test_sh(g_out, sizeof g_out, __VA_ARGS__)

static const char *bin(void)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/wufei-kiosk", getenv("WUFEI_BIN_DIR"));
	return path;
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(wf_test_tmpdir("kiosk-run", g_dir, sizeof g_dir), 0);
	assert_int_equal(sh("%s keygen --out %s/kiosk.key", bin(), g_dir), 0);
	assert_int_equal(sh("%s ledger init %s/journal.db --kiosk 9", bin(), g_dir), 0);
	char path[256], ini[1024];
	snprintf(path, sizeof path, "%s/kiosk.ini", g_dir);
	snprintf(ini, sizeof ini,
	         "[kiosk]\nnumber = 9\nname = Test\ntimezone = Asia/Shanghai\n"
	         "ledger = %s/journal.db\nfixture = %s/packaging/demo/fixture.json\n"
	         "key_file = %s/kiosk.key\n[session]\nstable_time_ms = 1000\n"
	         "allow_anonymous = true\n",
	         g_dir, getenv("WUFEI_SOURCE_DIR"), g_dir);
	write_file(path, ini);
	return 0;
}

/* The central store this test made (enrol_central), dropped at teardown. */
static char g_store[300];

static int teardown(void **state)
{
	(void)state;
	harness_kill_started();
	if (g_store[0])
		harness_store_drop(g_store);
	g_store[0] = '\0';
	return wf_test_rmtree(g_dir);
}

/* Runs a script on the kiosk configured by g_dir/INI. */
static int run_script_with(const char *ini, const char *script)
{
	char path[256];
	snprintf(path, sizeof path, "%s/visit.script", g_dir);
	write_file(path, script);
	int rc = sh("%s run --config %s/%s --no-devices --script %s", bin(), g_dir, ini, path);
	printf("%s", g_out);
	return rc;
}

static int run_script(const char *script)
{
	return run_script_with("kiosk.ini", script);
}

struct collect {
	unsigned n;
	struct wf_record rec[32];
	char token[32][LEDGER_TOKEN_MAX];
};

static int collect_one(void *ctx, const struct ledger_entry *e)
{
	struct collect *c = ctx;
	if (c->n >= 32)
		return 1;
	char why[128];
	assert_int_equal(wf_record_decode(e->bytes, e->len, &c->rec[c->n], why, sizeof why), WF_OK);
	snprintf(c->token[c->n], LEDGER_TOKEN_MAX, "%s", e->token ? e->token : "");
	c->n++;
	return 0;
}

/* ledger_each over g_dir/journal.db. */
static void each_record(int (*fn)(void *ctx, const struct ledger_entry *e), void *ctx)
{
	char path[256], err[256];
	snprintf(path, sizeof path, "%s/journal.db", g_dir);
	struct ledger *l = NULL;
	assert_int_equal(ledger_open(path, &l, err, sizeof err), WF_OK);
	assert_int_equal(ledger_each(l, fn, ctx), 0);
	ledger_close(l);
}

static void read_journal(struct collect *c)
{
	memset(c, 0, sizeof *c);
	each_record(collect_one, c);
}

static void test_resident_visit(void **state)
{
	(void)state;
	int rc = run_script("weight 0 for 1500\n"
	                    "card em4100:0014868981\n"
	                    "expect screen category\n"
	                    "tap category paper\n"
	                    "weight 1250 for 1200\n"
	                    "expect screen confirm\n"
	                    "tap confirm\n"
	                    "expect screen receipt\n"
	                    "expect points 2\n"
	                    "tap another\n"
	                    "tap category batteries\n"
	                    "tap more\ntap more\ntap more\n"
	                    "tap confirm\n"
	                    "expect points 6\n"
	                    "tap done\n"
	                    "expect screen attract\n");
	assert_int_equal(rc, 0);
	assert_non_null(strstr(g_out, "2 drops recorded"));
	/* the log names the card without its number (personal data) */
	assert_non_null(strstr(g_out, "card em4100:******8981: resident"));
	assert_null(strstr(g_out, "0014868981"));
	struct collect c;
	read_journal(&c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.rec[0].kind, WF_RECORD_DROP);
	assert_int_equal(c.rec[0].seq, 1);
	assert_int_equal(c.rec[0].kiosk, 9);
	assert_int_equal(c.rec[0].drop.qty, 1250);
	assert_int_equal(c.rec[0].drop.points, 2);
	assert_int_equal(c.rec[0].drop.resident_id, 1001);
	assert_int_equal(c.rec[1].drop.qty, 3);
	assert_int_equal(c.rec[1].drop.unit, WF_UNIT_PIECE);
	assert_int_equal(c.rec[1].drop.points, 6);
	/* Each drop's receipt is a signed URL for exactly that record. */
	struct receipt r;
	uint8_t payload[RECEIPT_PAYLOAD_LEN], sig[RECEIPT_SIG_LEN];
	assert_int_equal(receipt_parse(c.token[0], &r, payload, sig), WF_OK);
	assert_int_equal(r.kiosk, 9);
	assert_int_equal(r.seq, 1);
	assert_int_equal(r.qty, 1250);
	assert_int_equal(r.points, 2);
	assert_int_equal(strncmp(c.token[0], "HTTPS://R.WUFEI.CN/R/", 21), 0);
	/* The journal checks out, receipt signatures included: the kiosk
	 * keeps its public key in the journal. */
	assert_int_equal(sh("%s ledger verify %s/journal.db", bin(), g_dir), 0);
	assert_non_null(strstr(g_out, "ok"));
	assert_null(strstr(g_out, "not checked"));
}

/* One plastic drop of GRAMS by resident 1001 on a kiosk whose virtual clock
 * starts at START (UTC), expecting POINTS; the kiosk's zone is
 * Asia/Shanghai (UTC+8). */
static int plastic_drop_at(const char *start, int grams, int points)
{
	char path[256], script[512];
	snprintf(path, sizeof path, "%s/visit.script", g_dir);
	snprintf(script, sizeof script,
	         "weight 0 for 1500\n"
	         "card em4100:0014868981\n"
	         "tap category plastic\n"
	         "weight %d for 1200\n"
	         "tap confirm\n"
	         "expect screen receipt\n"
	         "expect points %d\n"
	         "tap done\n",
	         grams, points);
	write_file(path, script);
	int rc = sh("%s run --config %s/kiosk.ini --no-devices --clock-start %s --script %s", bin(),
	            g_dir, start, path);
	printf("%s", g_out);
	return rc;
}

/* The daily limit through the real kiosk: plastic's is 10 kg a resident a
 * day at 3000 points a tonne. What a resident dropped earlier today comes
 * from the journal (each drop is its own run of the kiosk), and "today" is
 * the local day in the kiosk's zone: 16:05 UTC is already tomorrow in
 * Shanghai, though the same UTC day. */
static void test_daily_limit_by_local_day(void **state)
{
	(void)state;
	/* 23:50 in Shanghai: 8 kg, all credited */
	assert_int_equal(plastic_drop_at("2026-11-30T15:50:00Z", 8000, 24), 0);
	/* 23:55: 5 kg more, only 2 kg left under the limit */
	assert_int_equal(plastic_drop_at("2026-11-30T15:55:00Z", 5000, 6), 0);
	/* 00:05 on 1 December in Shanghai: a new day, all credited again */
	assert_int_equal(plastic_drop_at("2026-11-30T16:05:00Z", 5000, 15), 0);
	struct collect c;
	read_journal(&c);
	assert_int_equal(c.n, 3);
	int64_t credited[] = {8000, 2000, 5000};
	uint32_t day[] = {20261130, 20261130, 20261201};
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(c.rec[i].drop.credited_qty, credited[i]);
		assert_int_equal(c.rec[i].drop.local_day, day[i]);
	}
	assert_int_equal(c.rec[1].drop.qty, 5000); /* the full weight is recorded */
	/* a start time that is no time is refused, and nothing runs */
	assert_int_equal(plastic_drop_at("2026-02-30T10:00:00Z", 1000, 3), 2);
	assert_non_null(strstr(g_out, "--clock-start: not a UTC time"));
}

static void test_refusals_record_nothing(void **state)
{
	(void)state;
	int rc = run_script("card em4100:0010435873\n"
	                    "expect screen refused\n"
	                    "expect message blocked\n"
	                    "wait 9000\n"
	                    "card em4100:0185339150\n"
	                    "expect screen refused\n"
	                    "tap done\n"
	                    "weight 0 for 1500\n"
	                    "card em4100:0014868981\n"
	                    "tap category paper\n"
	                    "weight 30 for 2000\n"
	                    "expect message too-light\n"
	                    "weight 1250 motion for 3000\n"
	                    "expect screen weigh\n"
	                    "tap cancel\n"
	                    "tap done\n"
	                    "expect screen attract\n");
	assert_int_equal(rc, 0);
	struct collect c;
	read_journal(&c);
	assert_int_equal(c.n, 0);
}

static void test_failed_expect_fails_the_run(void **state)
{
	(void)state;
	assert_int_equal(run_script("expect screen confirm\n"), 1);
	assert_non_null(strstr(g_out, "expected screen confirm, but it is attract"));
	assert_int_equal(run_script("tap sideways\n"), 1);
	assert_non_null(strstr(g_out, "unknown control"));
	/* an over-long script line stops the run instead of being split in two */
	char line[400];
	memset(line, ' ', sizeof line);
	memcpy(line + sizeof line - 20, "tap confirm\n", 13);
	assert_int_equal(run_script(line), 1);
	assert_non_null(strstr(g_out, "visit.script:1: line longer than 254 bytes"));
	/* on the live console it is ignored to its end, said so, and the kiosk goes on */
	assert_int_equal(sh("(printf '%%0600d\\n' 0; echo quit) | %s run --config %s/kiosk.ini "
	                    "--no-devices",
	                    bin(), g_dir),
	                 0);
	assert_non_null(strstr(g_out, "stdin:1: line longer than 510 bytes: ignored"));
	assert_null(strstr(g_out, "unknown command"));
	assert_non_null(strstr(g_out, "run ended: 0 drops recorded"));
}

static void test_staff_and_lockout(void **state)
{
	(void)state;
	int rc = run_script("card em4100:0001122867\n"
	                    "expect screen pin\n"
	                    "pin 1234\n"
	                    "expect screen staff\n"
	                    "tap zero\n"
	                    "tap exit\n"
	                    "card em4100:0001122867\n"
	                    "pin 1111\npin 2222\npin 3333\n"
	                    "expect message locked-out\n");
	assert_int_equal(rc, 0);
	struct collect c;
	read_journal(&c);
	/* login, zero, logout, 3 failures, lock-out */
	assert_true(c.n >= 7);
	assert_int_equal(c.rec[0].kind, WF_RECORD_STAFF);
	assert_int_equal(c.rec[0].staff.action, WF_STAFF_LOGIN);
	assert_int_equal(c.rec[0].staff.staff_id, 7);
	assert_int_equal(c.rec[1].staff.action, WF_STAFF_ZERO);
	assert_int_equal(c.rec[c.n - 1].staff.action, WF_STAFF_LOCKOUT);
	/* The lock-out survives a restart: the counter is in the journal. */
	rc = run_script("card em4100:0001122867\nexpect message locked-out\n");
	assert_int_equal(rc, 0);
}

static void test_never_creates_a_journal(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/journal.db", g_dir);
	assert_int_equal(unlink(path), 0);
	assert_int_not_equal(run_script("quit\n"), 0);
	assert_non_null(strstr(g_out, "out of service"));
	struct stat st;
	assert_int_not_equal(stat(path, &st), 0); /* still no journal */
}

static void test_bad_config_refuses_to_start(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/bad.ini", g_dir);
	write_file(path, "[kiosk]\nnumber = seventeen\nname = x\nledger = /x\n");
	assert_int_equal(sh("%s run --config %s --no-devices --script /dev/null", bin(), path), 1);
	assert_non_null(strstr(g_out, "bad.ini:2: [kiosk] number = 'seventeen'"));
	assert_non_null(strstr(g_out, "refusing to start"));
	/* screenshots into a folder that cannot be made: said so, nothing runs */
	assert_int_equal(sh("%s run --config %s/kiosk.ini --no-devices --script /dev/null "
	                    "--screenshots /proc/wufei-no/shots",
	                    bin(), g_dir),
	                 1);
	assert_non_null(strstr(g_out, "--screenshots /proc/wufei-no/shots: No such file"));
}

/* ---- with a real wufei-central ---- */

struct at_central {
	const char *db;
	unsigned n, equal;
};

/* Counts journal records central holds with exactly the same canonical bytes. */
static int compare_one(void *ctx, const struct ledger_entry *e)
{
	struct at_central *a = ctx;
	a->n++;
	a->equal += (unsigned)harness_holds_record(a->db, 9, e->seq, e->bytes, e->len);
	return 0;
}

/* Every journal record is at central byte for byte; returns how many there are. */
static unsigned journal_equals_central(const char *central_db)
{
	struct at_central a = {central_db, 0, 0};
	each_record(compare_one, &a);
	assert_int_equal(a.equal, a.n);
	return a.n;
}

/*
 * The kiosk against a real central: a new journal records nothing until
 * central has answered; categories, residents and staff arrive by down-sync;
 * the staff screen shows sync and device health; every record reaches
 * central byte for byte; a receipt verifies there.
 */
/* Enrols paper, resident 1001, staff 7 and kiosk 9 into a fresh central
 * store (g_dir/central.db, or a PostgreSQL database in the _pg twin): its
 * URL into db, and again into central_db (what harness_count reads). */
static void enrol_central(char *db, size_t db_cap, char *central_db, size_t cdb_cap)
{
	char out[8192], pub[256];
	snprintf(central_db, cdb_cap, "%s/central.db", g_dir);
	assert_int_equal(testdb_url(db, db_cap, central_db), 0);
	snprintf(central_db, cdb_cap, "%s", db);
	snprintf(g_store, sizeof g_store, "%s", db);
	snprintf(pub, sizeof pub, "%s/kiosk.key.pub", g_dir);
	const char *const enrol[][16] = {
	    {"rates", "set", "--id", "1", "--code", "paper", "--name", "纸类 Paper", "--unit", "g",
	     "--rate", "2000", "--min", "100", "--max", "50000"},
	    {"resident", "add", "--id", "1001", "--card", "em4100:0014868981", "--name", "王*"},
	    {"staff", "add", "--id", "7", "--card", "em4100:0001122867", "--name", "陈*", "--role",
	     "staff"}, /* the PIN on standard input, below */
	    {"kiosk", "add", "9", "--pubkey", pub},
	};
	for (size_t i = 0; i < sizeof enrol / sizeof enrol[0]; i++) {
		const char *args[18] = {0};
		for (int k = 0; k < 16 && enrol[i][k]; k++)
			args[k] = enrol[i][k];
		int rc = harness_cli_input(db, strcmp(args[0], "staff") ? NULL : "1234\n", out,
		                           sizeof out, args);
		if (rc != 0)
			printf("%s: %s\n", args[0], out);
		assert_int_equal(rc, 0);
	}
}

/* Writes g_dir/central.ini: kiosk 9 syncing with the central on port. */
static void write_central_ini(int port)
{
	char path[256], ini[1024];
	snprintf(path, sizeof path, "%s/central.ini", g_dir);
	snprintf(ini, sizeof ini,
	         "[kiosk]\nnumber = 9\nname = Test\ntimezone = Asia/Shanghai\n"
	         "ledger = %s/journal.db\nkey_file = %s/kiosk.key\n"
	         "[central]\nurl = http://127.0.0.1:%d\n"
	         "[session]\nstable_time_ms = 1000\n",
	         g_dir, g_dir, port);
	write_file(path, ini);
}

static void test_with_central(void **state)
{
	(void)state;
	char db[300], central_db[256], out[8192];
	enrol_central(db, sizeof db, central_db, sizeof central_db);
	struct central_proc c;
	assert_int_equal(harness_start(&c, db, 0), 0);
	write_central_ini(c.port);
	int rc = run_script_with("central.ini", "expect screen out-of-service\n" /* new journal */
	                                        "card em4100:0014868981\n"
	                                        "expect screen out-of-service\n"
	                                        "sync\n"
	                                        "expect screen attract\n"
	                                        "weight 0 for 1500\n"
	                                        "card em4100:0014868981\n"
	                                        "expect screen category\n"
	                                        "tap category paper\n"
	                                        "weight 1250 for 1200\n"
	                                        "tap confirm\n"
	                                        "expect screen receipt\n"
	                                        "expect points 2\n"
	                                        "tap done\n"
	                                        "card em4100:0001122867\n"
	                                        "pin 1234\n"
	                                        "expect screen staff\n"
	                                        "tap exit\n"
	                                        "sync\n");
	assert_int_equal(rc, 0);
	assert_non_null(strstr(g_out, "1 drops recorded"));
	/* the staff screen's health lines */
	assert_non_null(strstr(g_out, "staff: sync: last success "));
	assert_non_null(strstr(g_out, ", conflicts 0, last error: none"));
	assert_non_null(strstr(g_out, "staff: scale: not configured"));
	assert_non_null(strstr(g_out, "sync: outbox empty, conflicts 0"));
	/* drop, staff login, staff logout: all at central, byte for byte */
	assert_int_equal(journal_equals_central(central_db), 3);
	assert_int_equal(harness_count(central_db, "SELECT count(*) FROM records"), 3);
	assert_int_equal(harness_count(central_db, "SELECT count(*) FROM tamper_alerts"), 0);
	/* the receipt the resident was shown verifies at central */
	struct collect col;
	read_journal(&col);
	assert_int_equal(col.rec[0].kind, WF_RECORD_DROP);
	const char *verify[] = {"verify-receipt", col.token[0], NULL};
	assert_int_equal(harness_cli(db, out, sizeof out, verify), 0);
	/* the conflicts listing is empty */
	assert_int_equal(sh("%s ledger conflicts %s/journal.db", bin(), g_dir), 0);
	assert_non_null(strstr(g_out, "0 record(s) central holds with other bytes"));
	/* `sync` with central gone: an error naming the queue, not a hang */
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	rc = run_script_with("central.ini", "card em4100:0014868981\nsync 1500\n");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(g_out, "no round emptied the outbox within 1500 ms"));
	assert_non_null(strstr(g_out, "last error: POST /api/v1/kiosk/epoch: Couldn't connect"));
}

/* One resident drop, then (optionally) a sync. */
static const char drop_script[] = "weight 0 for 1500\n"
                                  "card em4100:0014868981\n"
                                  "tap category paper\n"
                                  "weight 1250 for 1200\n"
                                  "tap confirm\n"
                                  "expect screen receipt\n"
                                  "tap done\n";

/*
 * With central: drop 1 (synced), a backup of the journal (and, for a
 * whole-disk image, of its mark), drop 2 (synced), central stopped, the
 * backup copied back. Leaves central's database names in db/central_db and
 * central stopped in *c.
 */
static void restore_after_two_drops(struct central_proc *c, char *db, size_t db_cap,
                                    char *central_db, size_t cdb_cap, bool with_mark)
{
	char script[1024];
	enrol_central(db, db_cap, central_db, cdb_cap);
	assert_int_equal(harness_start(c, db, 0), 0);
	write_central_ini(c->port);
	snprintf(script, sizeof script, "sync\n%ssync\n", drop_script);
	assert_int_equal(run_script_with("central.ini", script), 0); /* seq 1 */
	assert_int_equal(sh("cp %s/journal.db %s/backup.db && cp %s/journal.db.hwm %s/backup.hwm",
	                    g_dir, g_dir, g_dir, g_dir),
	                 0);
	assert_int_equal(run_script_with("central.ini", script), 0); /* seq 2, at central */
	assert_int_equal(harness_count(central_db, "SELECT count(*) FROM records"), 2);
	assert_int_equal(harness_stop(c, SIGTERM), 0);
	assert_int_equal(sh("rm -f %s/journal.db-wal %s/journal.db-shm && cp %s/backup.db "
	                    "%s/journal.db",
	                    g_dir, g_dir, g_dir, g_dir),
	                 0);
	if (with_mark)
		assert_int_equal(sh("cp %s/backup.hwm %s/journal.db.hwm", g_dir, g_dir), 0);
}

/*
 * The journal is restored from last night's backup and the network is down:
 * the kiosk must not hand out numbers central already holds. It continues
 * after the numbers it used; once central is back everything arrives, with
 * no conflict and no chain break.
 */
static void test_restored_journal_offline(void **state)
{
	(void)state;
	char db[300], central_db[256];
	struct central_proc c;
	restore_after_two_drops(&c, db, sizeof db, central_db, sizeof central_db, false);
	assert_int_equal(run_script_with("central.ini", drop_script), 0);
	assert_non_null(strstr(g_out, "this kiosk already used seq 2 (restored from a backup?)"));
	assert_non_null(strstr(g_out, "recorded seq 4: drop")); /* 3 is the EPOCH record */

	/* central is back: the new records arrive, nothing conflicts */
	assert_int_equal(harness_start(&c, db, 0), 0);
	write_central_ini(c.port);
	assert_int_equal(run_script_with("central.ini", "sync\n"), 0);
	assert_non_null(strstr(g_out, "sync: outbox empty, conflicts 0"));
	assert_int_equal(harness_count(central_db, "SELECT count(*) FROM records"), 4);
	assert_int_equal(harness_count(central_db, "SELECT count(*) FROM tamper_alerts"), 0);
	assert_int_equal(journal_equals_central(central_db), 3); /* 1, 3 and 4 */
	assert_int_equal(sh("%s ledger verify %s/journal.db", bin(), g_dir), 0);
}

/*
 * A whole-disk restore brings back the old mark too: the kiosk cannot know,
 * reuses seq 2 offline, and central answers conflict. The original stays at
 * central, the kiosk keeps its copy, and staff are shown where to look.
 */
static void test_whole_disk_restore_shows_conflict(void **state)
{
	(void)state;
	char db[300], central_db[256];
	struct central_proc c;
	restore_after_two_drops(&c, db, sizeof db, central_db, sizeof central_db, true);
	assert_int_equal(run_script_with("central.ini", drop_script), 0);
	assert_non_null(strstr(g_out, "recorded seq 2: drop")); /* reused: nothing could tell */

	assert_int_equal(harness_start(&c, db, 0), 0);
	write_central_ini(c.port);
	assert_int_equal(run_script_with("central.ini", "sync\n"
	                                                "card em4100:0001122867\n"
	                                                "pin 1234\n"
	                                                "expect screen staff\n"
	                                                "tap exit\n"
	                                                "sync\n"),
	                 0);
	char want[400];
	snprintf(want, sizeof want, "conflicts 1 (wufei-kiosk ledger conflicts %s/journal.db)",
	         g_dir);
	assert_non_null(strstr(g_out, want));
	/* the newcomer kept aside at central, and the fork after it flagged */
	assert_int_equal(
	    harness_count(central_db,
	                  "SELECT count(*) FROM tamper_alerts WHERE seq = 2 AND bytes IS NOT NULL"),
	    1);
	assert_int_equal(
	    harness_count(central_db,
	                  "SELECT count(*) FROM tamper_alerts WHERE reason = 'chain_break'"),
	    1);
	assert_int_equal(sh("%s ledger conflicts %s/journal.db", bin(), g_dir), 0);
	assert_non_null(strstr(g_out, "{\"seq\":2,\"kind\":\"drop\""));
	assert_non_null(strstr(g_out, "1 record(s) central holds with other bytes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_resident_visit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_daily_limit_by_local_day, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals_record_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_expect_fails_the_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_staff_and_lockout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_never_creates_a_journal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_config_refuses_to_start, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_with_central, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restored_journal_offline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_whole_disk_restore_shows_conflict, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
