/*
 * test_web_pages.c — the office pages as an office clerk gets them: a real
 * wufei-central (tests/central/harness.h) on a store seeded with real
 * signed batches of canonical records (drops of three categories over three
 * of the kiosks' local days, a bin collection, a day close, a conflict and a
 * broken chain at a second kiosk whose name is hostile HTML), then
 * tests/web/pages.mjs in headless Chromium opens every page in both
 * languages, checks the figures against what was seeded (written here into
 * expect.json), runs axe-core (no serious or critical violation), follows the
 * language switch, opens the CSV download and keeps a screenshot of each
 * page in build/tests/web-shots/ (web-shots-pg/: the PostgreSQL twin).
 * Also over plain HTTP: without the test flag every office page sends the
 * browser to the login (none open by default), and hostile values reach the
 * page escaped.
 *
 * Skips (77) where Chromium, Node or the npm packages cannot be had; under
 * CI (CI set) that is a failure.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "catalog.h"
#include "clock.h"
#include "harness.h"
#include "ingest.h"
#include "receipt.h"
#include "record.h"
#include "signing.h"
#include "testdb.h"
#include "web.h"
#include "wf_test.h"

#define SKIP_STATUS 77

static const char hostile_name[] = "Lake <b>8</b> & \"co\"";

struct seed {
	char dir[256], db_url[600], db_path[512];
	uint8_t pk7[32], sk7[64], pk8[32], sk8[64];
	uint32_t today;        /* central's local day, as the dashboard takes it */
	struct wf_record anon; /* kiosk 7's anonymous drop of today, claimed in the browser */
};

static struct seed g;
static bool g_skipped; /* the browser could not run: the program exits SKIP_STATUS */

static void keys(uint8_t first, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(first + i);
	signing_keypair_from_seed(seed, pk, sk);
}

static void cli(const char *const *args)
{
	assert_int_equal(harness_cli(g.db_url, NULL, 0, args), 0);
}

/* Kiosks 7 (a Chinese name) and 8 (hostile HTML), three categories, one resident. */
static void enrol(void)
{
	char pub[600];
	keys(1, g.pk7, g.sk7);
	keys(100, g.pk8, g.sk8);
	harness_write_pub(g.dir, "k7.pub", g.pk7, pub, sizeof pub);
	cli((const char *[]){"kiosk", "add", "7", "--pubkey", pub, "--name", "东湖小区", NULL});
	harness_write_pub(g.dir, "k8.pub", g.pk8, pub, sizeof pub);
	cli((const char *[]){"kiosk", "add", "8", "--pubkey", pub, "--name", hostile_name, NULL});
	cli((const char *[]){"rates", "set", "--id", "1", "--code", "paper", "--name", "纸类",
	                     "--unit", "g", "--rate", "2000", "--min", "50", "--max", "50000",
	                     NULL});
	cli((const char *[]){"rates", "set", "--id", "2", "--code", "plastic", "--name", "塑料瓶",
	                     "--unit", "g", "--rate", "3000", "--min", "50", "--max", "50000",
	                     NULL});
	cli((const char *[]){"rates", "set", "--id", "3", "--code", "batteries", "--name", "电池",
	                     "--unit", "piece", "--rate", "5", "--min", "1", "--max", "100",
	                     "--daily-limit", "4", NULL});
	/* office users: an operator who does the day's work, an admin who adjusts,
	 * a viewer who may only look */
	assert_int_equal(
	    harness_cli_input(g.db_url, "ada password\n", NULL, 0,
	                      (const char *[]){"user", "add", "ada", "--role", "admin", NULL}),
	    0);
	assert_int_equal(
	    harness_cli_input(g.db_url, "oli password\n", NULL, 0,
	                      (const char *[]){"user", "add", "oli", "--role", "operator", NULL}),
	    0);
	assert_int_equal(
	    harness_cli_input(g.db_url, "vic password\n", NULL, 0,
	                      (const char *[]){"user", "add", "vic", "--role", "viewer", NULL}),
	    0);
	cli((const char *[]){"resident", "add", "--id", "1001", "--card-hash",
	                     "abababababababababababababababababababababababababababababababab",
	                     "--name", "王*", NULL});
	cli((const char *[]){"resident", "add", "--id", "1002", "--card", "em4100:0014868981",
	                     "--name", "李*", NULL});
}

/* A drop record (points by the rate, as a kiosk computes them). */
static struct wf_record drop(uint32_t kiosk, uint32_t seq, uint32_t day, uint16_t cat, int64_t qty,
                             uint64_t resident)
{
	static const int64_t rates[] = {0, 2000, 3000, 5};
	struct wf_record r = {.kind = WF_RECORD_DROP, .kiosk = kiosk, .seq = seq};
	r.time_ms = wf_clock_utc_ms(wf_clock_system()) - 3600000;
	r.drop.category_id = cat;
	r.drop.unit = cat == 3 ? WF_UNIT_PIECE : WF_UNIT_GRAM;
	r.drop.flags = resident ? 0 : WF_DROP_ANONYMOUS;
	r.drop.qty = r.drop.credited_qty = qty;
	wf_points(r.drop.unit, rates[cat], qty, &r.drop.points);
	r.drop.rate_version = 1;
	r.drop.resident_id = resident;
	if (resident)
		memset(r.drop.card_hash, 0xab, sizeof r.drop.card_hash);
	r.drop.local_day = day;
	return r;
}

/* Appends r to the batch records with its chain hash after prev (updated). */
static void add(json_t *records, const struct wf_record *r, uint8_t prev[WF_HASH_BYTES])
{
	uint8_t bytes[WF_RECORD_MAX_LEN], h[WF_HASH_BYTES];
	char b64[WF_RECORD_MAX_LEN * 2], hex[WF_HASH_HEX];
	int n = wf_record_encode(r, bytes, sizeof bytes);
	assert_true(n > 0);
	ingest_chain_next(prev, bytes, (size_t)n, h);
	memcpy(prev, h, WF_HASH_BYTES);
	sodium_bin2base64(b64, sizeof b64, bytes, (size_t)n, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2hex(hex, sizeof hex, h, WF_HASH_BYTES);
	json_array_append_new(records, json_pack("{s:i, s:I, s:s, s:s}", "kind", r->kind, "seq",
	                                         (json_int_t)r->seq, "data", b64, "hash", hex));
}

/* POSTs the batch of kiosk (signed with sk) and frees records; 200 expected. */
static void post(int port, uint32_t kiosk, const uint8_t *sk, json_t *records)
{
	json_t *body = json_pack("{s:s, s:I, s:o}", "format", "wufei-batch-1", "kiosk",
	                         (json_int_t)kiosk, "records", records);
	char *text = json_dumps(body, JSON_COMPACT);
	struct http_answer a;
	int64_t now = wf_clock_utc_ms(wf_clock_system()) / 1000;
	assert_int_equal(harness_request(port, "POST", "/api/v1/sync/batch", text, strlen(text), sk,
	                                 kiosk, 1, now, &a),
	                 WF_OK);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	free(text);
	json_decref(body);
}

/* Kiosk 7 says it holds 10 records (central 8: 2 not yet there), 2 waiting,
 * its printer out of paper. */
static void heartbeat(int port)
{
	const char *body = "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":7,\"last_seq\":10,"
	                   "\"outbox_depth\":2,\"software_version\":\"0.1.0\",\"devices\":["
	                   "{\"name\":\"scale\",\"role\":\"scale\",\"state\":\"up\"},"
	                   "{\"name\":\"printer\",\"role\":\"printer\",\"state\":\"down\","
	                   "\"detail\":\"paper out\"}]}";
	struct http_answer a;
	int64_t now = wf_clock_utc_ms(wf_clock_system()) / 1000;
	assert_int_equal(harness_request(port, "POST", "/api/v1/kiosk/heartbeat", body,
	                                 strlen(body), g.sk7, 7, 1, now, &a),
	                 WF_OK);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
}

/*
 * Kiosk 7: day -2 paper 1250 g (2 pts, resident) and plastic 800 g (2,
 * anonymous); day -1 batteries 4 (20), a bin collection of paper 5000 g, the
 * day's close; today paper 2000 g (4), plastic 1500 g (4), batteries 2 (10).
 * Kiosk 8: today paper 3000 g (6); then paper 1000 g (2) whose hash does not
 * continue the chain (chain_break), and seq 1 again with other bytes
 * (conflict). Today: 5 drops, 7.500 kg, 2 pieces, 26 points.
 */
static void seed_records(int port)
{
	uint32_t d0 = g.today, d1 = web_day_add(d0, -1), d2 = web_day_add(d0, -2);
	uint8_t prev[WF_HASH_BYTES] = {0};
	json_t *recs = json_array();
	struct wf_record r[8] = {drop(7, 1, d2, 1, 1250, 1001), drop(7, 2, d2, 2, 800, 0),
	                         drop(7, 3, d1, 3, 4, 1001)};
	r[3] = (struct wf_record){
	    .kind = WF_RECORD_BIN, .kiosk = 7, .seq = 4, .time_ms = r[2].time_ms};
	r[3].bin = (struct wf_record_bin){.category_id = 1, .grams = 5000, .staff_id = 1};
	r[4] = (struct wf_record){
	    .kind = WF_RECORD_DAY_CLOSE, .kiosk = 7, .seq = 5, .time_ms = r[2].time_ms};
	r[4].day_close =
	    (struct wf_record_day_close){.local_day = d1, .drops = 1, .pieces = 4, .points = 20};
	r[5] = drop(7, 6, d0, 1, 2000, 1001);
	r[6] = drop(7, 7, d0, 2, 1500, 0);
	r[7] = drop(7, 8, d0, 3, 2, 1001);
	g.anon = r[6];
	for (int i = 0; i < 8; i++)
		add(recs, &r[i], prev);
	post(port, 7, g.sk7, recs);
	memset(prev, 0, sizeof prev);
	recs = json_array();
	struct wf_record k8 = drop(8, 1, d0, 1, 3000, 0);
	add(recs, &k8, prev);
	prev[0] ^= 1; /* the next hash does not continue the chain */
	k8 = drop(8, 2, d0, 1, 1000, 0);
	add(recs, &k8, prev);
	post(port, 8, g.sk8, recs);
	memset(prev, 0, sizeof prev);
	recs = json_array();
	k8 = drop(8, 1, d0, 1, 3050, 0); /* other bytes for seq 1: a conflict */
	add(recs, &k8, prev);
	post(port, 8, g.sk8, recs);
	heartbeat(port);
}

/* ---- what the pages must show ---- */

static json_t *page(const char *name, const char *path, json_t *zh, json_t *en)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "name", name, "path", path, "zh", zh, "en", en);
}

#define STRS(fmt, ...) json_pack("[" fmt "]", __VA_ARGS__)

/* The reports, the residents' page and the account page. */
static void report_pages(json_t *pages)
{
	json_array_append_new(pages, page("report-daily", "/office/reports/daily",
	                                  STRS("s,s,s,s", "日报", "合计", "9,550", "塑料瓶"),
	                                  STRS("s,s,s,s,s", "Daily report", "Total", "9,550",
	                                       "Points claimed", "Download as CSV")));
	json_array_append_new(
	    pages,
	    page("report-gaps", "/office/reports/gaps",
	         STRS("s,s,s", "缺漏", "中心尚未收到的序号", "失联：超过 2 小时 0 分钟 没有心跳"),
	         STRS("s,s", "Gaps", "Sequence numbers central does not hold")));
	json_array_append_new(pages, page("report-bins", "/office/reports/bins",
	                                  STRS("s,s", "清运记录", "5,000"),
	                                  STRS("s,s,s", "Bin collections", "5,000", "check this")));
	json_array_append_new(pages, page("report-close", "/office/reports/close",
	                                  STRS("s,s", "日结报表", "日结这一天"),
	                                  STRS("s,s", "Day closes", "Close this day")));
	json_array_append_new(
	    pages, page("resident", "/office/residents?id=1001",
	                STRS("s,s,s", "王*", "36 积分", "在回收机获得"),
	                STRS("s,s,s,s", "王*", "36 points", "Earned at a kiosk", "Redeem points")));
	json_array_append_new(pages,
	                      page("resident-card", "/office/residents?card=em4100%3A0014868981",
	                           STRS("s,s", "李*", "#1002"), STRS("s,s", "李*", "#1002")));
	/* 1001: batteries 4 of the limit 4 on day -1, 2 today: near (50 %) on 2 of 3 days */
	json_array_append_new(
	    pages, page("report-residents", "/office/reports/residents?near=50&days=2",
	                STRS("s,s,s,s", "居民积分", "王*", "李*", "接近每日上限的天数"),
	                STRS("s,s,s,s,s", "Residents' points", "王*", "李*", "Near-limit days",
	                     "Residents near a daily limit on many days")));
	json_array_append_new(pages,
	                      page("account", "/office/account", STRS("s,s", "oli", "操作员"),
	                           STRS("s,s", "Logged in as", "operator")));
}

/* What the forms must do: the users, the receipt to claim, the balances. */
static json_t *forms_expect(void)
{
	struct receipt r = {.version = 1,
	                    .flags = RECEIPT_FLAG_ANONYMOUS,
	                    .key_id = 1,
	                    .kiosk = 7,
	                    .seq = g.anon.seq,
	                    .time_min = (uint32_t)(g.anon.time_ms / 60000),
	                    .category = g.anon.drop.category_id,
	                    .qty = (uint32_t)g.anon.drop.qty,
	                    .points = (uint32_t)g.anon.drop.points};
	char token[RECEIPT_TOKEN_LEN + 1];
	assert_int_equal(receipt_make_token(&r, g.sk7, token, sizeof token), RECEIPT_TOKEN_LEN);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "operator",
	                 "oli", "operator_pw", "oli password", "admin", "ada", "admin_pw",
	                 "ada password", "viewer", "vic", "viewer_pw", "vic password", "token",
	                 token, "balance", "36 points", "after_claim", "40 points", "after_redeem",
	                 "25 points", "redeem", "15", "close_kiosk", 8);
}

/* expect.json for pages.mjs: each page, the texts it must show in each language. */
static void write_expect(const char *path)
{
	char d1[16], d1_path[64], csv_path[64], csv_row[160];
	web_fmt_day(web_day_add(g.today, -1), d1, sizeof d1);
	snprintf(d1_path, sizeof d1_path, "/office/kiosks/7?day=%s", d1);
	snprintf(csv_path, sizeof csv_path, "/office/dashboard.csv?day=%u", (unsigned)g.today);
	char d0[16];
	web_fmt_day(g.today, d0, sizeof d0);
	snprintf(csv_row, sizeof csv_row, "%s,8,1,纸类,2,4000,0,8,", d0);
	json_t *pages = json_array();
	json_array_append_new(pages,
	                      page("dashboard", "/office/",
	                           STRS("s,s,s,s,s,s", "总览", "7.500 公斤", "26 积分",
	                                "9.550 公斤", "50 积分", "东湖小区"),
	                           STRS("s,s,s,s,s,s,s", "Dashboard", "7.500 kg", "26 points",
	                                "2 pieces", "9.550 kg", "50 points", hostile_name)));
	json_array_append_new(
	    pages,
	    page("kiosks", "/office/kiosks",
	         STRS("s,s,s,s", "回收机", "东湖小区", "尚无心跳", "打印机: 故障 (paper out)"),
	         STRS("s,s,s,s,s,s", "Kiosks", "东湖小区", hostile_name, "no heartbeat yet",
	              "0.1.0", "Printer: down (paper out)")));
	json_array_append_new(pages, page("kiosk-day", d1_path,
	                                  STRS("s,s,s", "20 积分", "4 件", "5.000 公斤"),
	                                  STRS("s,s,s,s,s,s", "Bin collection", "Day close",
	                                       "20 points", "4 pieces", "5.000 kg", "王* #1001")));
	json_array_append_new(
	    pages, page("kiosk-today", "/office/kiosks/7", STRS("s,s", "2.000 公斤", "1.500 公斤"),
	                STRS("s,s,s,s", "2.000 kg", "1.500 kg", "2 pieces", "anonymous")));
	json_array_append_new(pages, page("record", "/office/records/7/6",
	                                  STRS("s,s", "✓ 与上一条记录相接", "4 积分"),
	                                  STRS("s,s,s,s", "✓ continues from the record before",
	                                       "2.000 kg", "4 points", "#1001")));
	json_array_append_new(pages,
	                      page("record-broken", "/office/records/8/2",
	                           STRS("s,s", "✗ 与上一条记录不相接", "这条记录上的篡改警报"),
	                           STRS("s,s", "✗ does not continue from the record before",
	                                "Tamper alerts on this record")));
	json_array_append_new(
	    pages, page("alerts", "/office/alerts", STRS("s,s", "哈希链断开", "同一记录，内容不同"),
	                STRS("s,s,s", "Broken chain", "Same record, other bytes", "What to do")));
	report_pages(pages);
	json_t *root = json_pack(
	    "{s:o, s:{s:s, s:s, s:s}, s:o}", "pages", pages, "csv", "path", csv_path, "header",
	    "day,kiosk,cat,category,drops,grams,pieces,points issued,claimed,redeemed,close #,"
	    "drops since close,grams since,pieces since,points since",
	    "row", csv_row, "forms", forms_expect());
	assert_int_equal(json_dump_file(root, path, JSON_INDENT(1)), 0);
	json_decref(root);
}

/* ---- the tests ---- */

/* Why the browser cannot run here (NULL: it can): Chromium, Node, the npm packages. */
static const char *browser_missing(char *log, size_t cap)
{
	if (access(getenv("WUFEI_CHROMIUM") ? getenv("WUFEI_CHROMIUM") : "/usr/bin/chromium",
	           X_OK) != 0)
		return "no Chromium (Debian package chromium)";
	if (wf_test_sh(log, cap, "command -v node && command -v npm") != 0)
		return "no node or npm (Debian packages nodejs, npm)";
	if (wf_test_sh(log, cap, "bash %s/tests/web/npm-setup.sh %s", getenv("WUFEI_SOURCE_DIR"),
	               WUFEI_WEB_BUILD_DIR) != 0)
		return "npm ci failed and no packages from before (tests/web/package-lock.json)";
	return NULL;
}

static void test_pages_in_browser(void **state)
{
	(void)state;
	static char log[1 << 16];
	const char *why = browser_missing(log, sizeof log);
	if (why) {
		printf("%s\n%s\n", log, why);
		if (getenv("CI"))
			fail_msg("under CI the browser test must run: %s", why);
		g_skipped = true;
		skip();
	}
	struct central_proc c;
	assert_int_equal(harness_start(&c, g.db_url, 0), WF_OK);
	char expect[600], shots[600];
	snprintf(expect, sizeof expect, "%s/expect.json", g.dir);
	snprintf(shots, sizeof shots, "%s/web-shots%s", WUFEI_TESTS_BUILD_DIR,
	         testdb_is_pg() ? "-pg" : ""); /* the twins may run at once */
	write_expect(expect);
	/* WUFEI_NODE: another node to run it with (e.g. Debian 12's, v18) */
	const char *node = getenv("WUFEI_NODE") ? getenv("WUFEI_NODE") : "node";
	int rc = wf_test_sh(
	    log, sizeof log, "cd %s && %s %s/tests/web/pages.mjs http://127.0.0.1:%d %s %s",
	    WUFEI_WEB_BUILD_DIR, node, getenv("WUFEI_SOURCE_DIR"), c.port, shots, expect);
	printf("%s", log);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	assert_int_equal(rc, 0);
	/* what the operator did is in the audit log with who, and the refusals too */
	static char audit[1 << 16];
	assert_int_equal(
	    harness_cli(g.db_url, audit, sizeof audit, (const char *[]){"audit", "list", NULL}), 0);
	assert_non_null(strstr(audit, "\toli\t127.0.0.1\tclaim\treceipt 7/7 onto resident 1001: "));
	assert_non_null(strstr(audit, "\toli\t127.0.0.1\tredeem\tresident 1001: 15 points"));
	assert_non_null(strstr(audit, "\toli\t127.0.0.1\tday_close\tday "));
	assert_non_null(strstr(audit, "\toli\t127.0.0.1\trefused\tPOST /office/redeem: CSRF"));
	assert_non_null(strstr(audit, "\tvic\t127.0.0.1\trefused\tPOST /office/redeem: role"));
	assert_non_null(strstr(audit, "\tada\t127.0.0.1\tadjust\tresident 1002: +10 points "
	                              "(paper points card brought in): "));
	/* the redemption once, the balance the page showed */
	assert_int_equal(
	    harness_cli(g.db_url, audit, sizeof audit,
	                (const char *[]){"points", "history", "--resident", "1001", NULL}),
	    0);
	const char *red = strstr(audit, "\tredeemed\t-15\t25\t");
	assert_non_null(red);
	assert_null(strstr(red + 1, "\tredeemed\t"));
}

/* Without a session no office page opens: each sends the browser to the
 * login, and a form is refused (403) with nothing done. */
static void test_closed_by_default(void **state)
{
	(void)state;
	struct central_proc c;
	struct http_answer a;
	assert_int_equal(harness_start(&c, g.db_url, 0), WF_OK);
	const char *paths[] = {"/office",
	                       "/office/",
	                       "/office/kiosks",
	                       "/office/kiosks/7",
	                       "/office/records/7/1",
	                       "/office/alerts",
	                       "/office/dashboard.csv",
	                       "/office/no-such-page"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		assert_int_equal(
		    harness_request(c.port, "GET", paths[i], NULL, 0, NULL, 0, 0, 0, &a), WF_OK);
		assert_int_equal(a.status, 303);
		assert_non_null(strstr(a.body, "/office/login?next="));
		assert_null(strstr(a.body, "东湖小区"));
		harness_answer_free(&a);
	}
	const char *forms[] = {"/office/redeem", "/office/claim", "/office/adjust",
	                       "/office/reports/close"};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		static const char body[] =
		    "resident=1001&redeem-points=5&key=k1&close-day=2026-11-28";
		assert_int_equal(harness_request(c.port, "POST", forms[i], body, sizeof body - 1,
		                                 NULL, 0, 0, 0, &a),
		                 WF_OK);
		/* refused before anything: 415 (the harness sends JSON) or 403 */
		assert_true(a.status == 403 || a.status == 415);
		harness_answer_free(&a);
	}
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

static int setup(void **state)
{
	(void)state;
	if (wf_test_tmpdir("web-pages", g.dir, sizeof g.dir) != 0)
		return -1;
	snprintf(g.db_path, sizeof g.db_path, "%s/central.db", g.dir);
	if (testdb_url(g.db_url, sizeof g.db_url, g.db_path) != 0)
		return -1;
	g.today = wf_local_day(wf_clock_utc_ms(wf_clock_system()));
	enrol();
	struct central_proc c;
	if (harness_start(&c, g.db_url, 0) != WF_OK)
		return -1;
	seed_records(c.port);
	return harness_stop(&c, SIGTERM) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	harness_kill_started();
	harness_store_drop(g.db_url);
	wf_test_rmtree(g.dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pages_in_browser),
	    cmocka_unit_test(test_closed_by_default),
	};
	int failed = cmocka_run_group_tests(tests, setup, teardown);
	/* a skipped browser is no pass: ctest shows it as skipped */
	return failed == 0 && g_skipped ? SKIP_STATUS : failed;
}
