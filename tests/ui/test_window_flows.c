/*
 * test_window_flows.c — the kiosk's flows end to end in a real window: one
 * wufei-kiosk in a window on Xvfb, on simulated devices (wufei-devsim's
 * Mettler Toledo 8217 scale, EM4100 reader and ESC/POS printer, over the
 * real libserialport path with the pty shim preloaded) and syncing with a
 * real wufei-central; every tap a real X click (xdotool) where the kiosk's
 * own layout puts the control, in the language the screen must speak (the
 * kiosk logs "tap LABEL" with the label it drew: a Chinese label taken
 * means a Chinese screen). In order, on the one kiosk:
 *   - a whole visit in Chinese (the default), then one in English (the
 *     header's switch tapped at attract): receipt printed in that language,
 *     the drop at central;
 *   - a switch mid-visit (weigh screen): the rest of the visit and the
 *     receipt in English, attract back in Chinese;
 *   - a slow printer: "Done" answered while the receipt still prints;
 *   - staff: card and PIN on the pad, zero, tare, test weight (pass), a bin
 *     collection keyed in on the pad (at central with that weight), out of
 *     service (a resident's card takes no visit) and back;
 *   - the scale pulled mid-drop: the screen says so, nothing recorded,
 *     attract when it returns and a normal visit works;
 *   - the kiosk ends cleanly (leak-checked under ASan), every record at
 *     central byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devsim_child.h"
#include "harness.h"
#include "i18n.h"
#include "ledger.h"
#include "record.h"
#include "ui_layout.h"
#include "wf_test.h"
#include "xwin.h"

#define W 540
#define H 960

#define RESIDENT "0400E2E1F5" /* resident 1001, em4100:0014868981 */
#define STAFF    "0600112233" /* staff 7, em4100:0001122867, PIN 1234 */

static char g_dir[64], g_log[128], g_frames[128], g_db[256], g_central_db[200];
static struct xwin g_x;
static struct devsim g_ds;
static struct central_proc g_c;
static pid_t g_kiosk;
static int g_in = -1; /* the kiosk's console */
static int g_drops;   /* drops the kiosk should have recorded so far */
static int g_printed; /* receipts the printer should have cut so far */

/* What central holds and the layout is told: paper and plastic. */
static struct wf_category g_cats[2] = {
    {.id = 1, .code = "paper", .name = "纸类 Paper", .unit = WF_UNIT_GRAM},
    {.id = 2, .code = "plastic", .name = "塑料 Plastic", .unit = WF_UNIT_GRAM},
};

/* ---- small helpers ---- */

static void sim(const char *cmd)
{
	char ans[2048];
	if (devsim_cmd(&g_ds, cmd, ans, sizeof ans) != 0)
		fail_msg("devsim '%s' -> '%s'", cmd, ans);
}

/* The number after "KEY": in devsim's status of dev. */
static long sim_status(const char *dev, const char *key)
{
	char ans[2048], cmd[64], want[40];
	snprintf(cmd, sizeof cmd, "status %s", dev);
	if (devsim_cmd(&g_ds, cmd, ans, sizeof ans) != 0)
		fail_msg("devsim '%s' -> '%s'", cmd, ans);
	snprintf(want, sizeof want, "\"%s\":", key);
	const char *at = strstr(ans, want);
	if (!at)
		fail_msg("no %s in '%s'", key, ans);
	return strtol(at + strlen(want), NULL, 10);
}

/* Waits (60 s at most: a raster receipt at 9600 baud on a loaded machine)
 * until devsim's status of dev says KEY is value. */
static void sim_wait(const char *dev, const char *key, long value)
{
	for (int i = 0; i < 1200 && sim_status(dev, key) != value; i++)
		usleep(50000);
	if (sim_status(dev, key) != value) {
		xwin_log_print(g_log);
		fail_msg("devsim %s: %s is %ld, not %ld", dev, key, sim_status(dev, key), value);
	}
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The platform emptied (devsim's weight 0) at this time; 0: not empty. */
static int64_t g_empty_since;

static void platform_empty(void)
{
	if (!g_empty_since) {
		sim("weight 0");
		g_empty_since = now_ms();
	}
}

/* The next bag counts only once the kiosk saw the platform empty and still
 * for its stable time (1 s, [session]): what a resident does too. */
static void platform_load(const char *grams)
{
	platform_empty();
	int64_t left = g_empty_since + 1500 - now_ms();
	if (left > 0)
		usleep((useconds_t)left * 1000);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "weight %s", grams);
	sim(cmd);
	g_empty_since = 0;
}

/* A card held to devsim's reader (600 ms of frames). The reader takes the
 * same card again only after half a second of silence (EM4100_RELEASE_MS):
 * a second tap of it waits as a person lifting the card would. */
static void card(const char *hex)
{
	static char last[16];
	static int64_t at;
	int64_t left = at + 600 + 700 - now_ms();
	if (!strcmp(last, hex) && left > 0)
		usleep((useconds_t)left * 1000);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "card %s", hex);
	sim(cmd);
	snprintf(last, sizeof last, "%s", hex);
	at = now_ms();
}

static void console(const char *line)
{
	assert_int_equal(write(g_in, line, strlen(line)), (ssize_t)strlen(line));
}

/* Waits (15 s at most) until the kiosk's log holds needle after byte from. */
static void seen(long from, const char *needle)
{
	if (!xwin_log_wait(g_log, from, needle, 15000, false))
		fail_msg("the kiosk never logged '%s'", needle);
}

static long mark(void)
{
	return xwin_log_size(g_log);
}

/* A real X click on control c of screen (in lang, with the view's other
 * facts from v0 when given) until the kiosk logs "tap LABEL"; the label. */
static const char *tap_in(const struct session_view *v0, enum session_screen screen,
                          enum wf_lang lang, enum session_control c, uint16_t cat, int digit)
{
	static char label[UI_TEXT_MAX];
	struct session_view v = {.timeout_left_ms = 1000};
	if (v0)
		v = *v0;
	v.screen = screen, v.language = lang;
	xwin_tap(&g_x, g_log, &v, g_cats, 2, c, cat, digit, label, sizeof label);
	return label;
}

static const char *tap(enum session_screen screen, enum wf_lang lang, enum session_control c)
{
	return tap_in(NULL, screen, lang, c, 0, 0);
}

/* The sync thread woken until central holds everything (the console's
 * "sync" waits for a round that empties the outbox). */
static void sync_now(void)
{
	long at = mark();
	console("sync\n");
	seen(at, "sync: outbox empty");
}

static int count_drop(void *ctx, const struct ledger_entry *e)
{
	struct wf_record r;
	if (wf_record_decode(e->bytes, e->len, &r, NULL, 0) == WF_OK && r.kind == WF_RECORD_DROP)
		++*(int *)ctx;
	return 0;
}

/* Drops in the kiosk's journal (read while it runs, as a technician would). */
static int drops_in_journal(void)
{
	struct ledger *l = NULL;
	char path[200], err[256];
	snprintf(path, sizeof path, "%s/journal.db", g_dir);
	assert_int_equal(ledger_open(path, &l, err, sizeof err), WF_OK);
	int n = 0;
	assert_int_equal(ledger_each(l, count_drop, &n), 0);
	ledger_close(l);
	return n;
}

/* The printer's newest receipt as text (after waiting for it to be cut). */
static void printed(char *text, size_t cap)
{
	g_printed++;
	sim_wait("printer", "receipts", g_printed);
	char path[256];
	snprintf(path, sizeof path, "%s/printer-%04d.txt", g_ds.dir, g_printed);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, cap - 1, f);
	text[n] = '\0';
	fclose(f);
}

/* The newest printed receipt's QR code (read from the paper) verifies at
 * central. */
static void receipt_verifies(void)
{
	char path[256], url[512], out[4096];
	snprintf(path, sizeof path, "%s/printer-%04d.png", g_ds.dir, g_printed);
	assert_int_equal(wf_test_qr_read(path, url, sizeof url), 0);
	assert_non_null(strstr(url, "/R/"));
	const char *verify[] = {"verify-receipt", url, NULL};
	assert_int_equal(harness_cli(g_db, out, sizeof out, verify), 0);
}

static void assert_receipt_lang(const char *text, enum wf_lang lang)
{
	printf("receipt %d:\n%s\n", g_printed, text);
	if (lang == WF_LANG_ZH) {
		assert_non_null(strstr(text, "积分"));
		assert_non_null(strstr(text, "公斤"));
		assert_null(strstr(text, "Points"));
	} else {
		assert_non_null(strstr(text, "Points"));
		assert_non_null(strstr(text, " kg\n"));
		assert_null(strstr(text, "积分"));
	}
}

/* central's record count of kind for kiosk 9. */
static long at_central(int kind)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM records WHERE kiosk = 9 AND kind = %d",
	         kind);
	return harness_count(g_central_db, sql);
}

/* ---- setup: central, devsim, Xvfb, the kiosk ---- */

static void enrol_central(void)
{
	char pub[256], out[4096];
	snprintf(g_central_db, sizeof g_central_db, "%s/central.db", g_dir);
	snprintf(g_db, sizeof g_db, "sqlite:%s", g_central_db);
	snprintf(pub, sizeof pub, "%s/kiosk.key.pub", g_dir);
	const char *const enrol[][16] = {
	    {"rates", "set", "--id", "1", "--code", "paper", "--name", g_cats[0].name, "--unit",
	     "g", "--rate", "2000", "--min", "100", "--max", "50000"},
	    {"rates", "set", "--id", "2", "--code", "plastic", "--name", g_cats[1].name, "--unit",
	     "g", "--rate", "3000", "--min", "50", "--max", "30000"},
	    {"resident", "add", "--id", "1001", "--card", "em4100:0014868981", "--name", "王*"},
	    {"staff", "add", "--id", "7", "--card", "em4100:0001122867", "--name", "陈*", "--role",
	     "staff"}, /* the PIN on standard input, below */
	    {"kiosk", "add", "9", "--pubkey", pub},
	};
	for (size_t i = 0; i < sizeof enrol / sizeof enrol[0]; i++) {
		const char *args[18] = {0};
		for (int k = 0; k < 16 && enrol[i][k]; k++)
			args[k] = enrol[i][k];
		int rc = harness_cli_input(g_db, strcmp(args[0], "staff") ? NULL : "1234\n", out,
		                           sizeof out, args);
		if (rc != 0)
			printf("%s: %s\n", args[0], out);
		assert_int_equal(rc, 0);
	}
}

static void write_ini(char *path, size_t cap)
{
	char scale[200], card[200], printer[200], ini[3072];
	devsim_transport(&g_ds, "scale", scale, sizeof scale);
	devsim_transport(&g_ds, "card", card, sizeof card);
	devsim_transport(&g_ds, "printer", printer, sizeof printer);
	snprintf(ini, sizeof ini,
	         "[kiosk]\nnumber = 9\nname = Test\ntimezone = Asia/Shanghai\n"
	         "ledger = %s/journal.db\nkey_file = %s/kiosk.key\n"
	         "[central]\nurl = http://127.0.0.1:%d\n"
	         "[screen]\nwidth = %d\nheight = %d\nfullscreen = true\nlanguage = zh\n"
	         "[session]\nstable_time_ms = 1000\ntest_weight_g = 5000\ntest_tolerance_g = 10\n"
	         "[device.scale]\nrole = scale\ntransport = %s\nprotocol = mt8217\nunit = kg\n"
	         "baud = 9600\ndata_bits = 7\nparity = even\nstop_bits = 1\npoll_ms = 100\n"
	         "[device.card]\nrole = card\ntransport = %s\nprotocol = em4100\n"
	         "[device.printer]\nrole = printer\ntransport = %s\nprotocol = escpos\n"
	         "baud = 115200\nflow = xonxoff\nqr = raster\nchinese = gb18030\n",
	         g_dir, g_dir, g_c.port, W, H, scale, card, printer);
	snprintf(path, cap, "%s/kiosk.ini", g_dir);
	assert_int_equal(wf_test_write_file(path, ini), 0);
}

static int group_setup(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(wf_i18n_init(NULL, err, sizeof err), WF_OK);
	const char *bin = getenv("WUFEI_BIN_DIR");
	assert_non_null(bin);
	assert_int_equal(wf_test_tmpdir("window-flows", g_dir, sizeof g_dir), 0);
	snprintf(g_log, sizeof g_log, "%s/kiosk.log", g_dir);
	/* the kiosk logs every frame it presents: its time, screen and weight */
	snprintf(g_frames, sizeof g_frames, "%s/frames.log", g_dir);
	setenv("WUFEI_FRAME_LOG", g_frames, 1);
	assert_int_equal(
	    wf_test_sh(NULL, 0, "%s/wufei-kiosk keygen --out %s/kiosk.key", bin, g_dir), 0);
	assert_int_equal(
	    wf_test_sh(NULL, 0, "%s/wufei-kiosk ledger init %s/journal.db --kiosk 9", bin, g_dir),
	    0);
	enrol_central();
	assert_int_equal(harness_start(&g_c, g_db, 0), 0);
	const char *args[] = {"--scale", "mt8217", "--card", "em4100", "--printer", "escpos", NULL};
	assert_int_equal(devsim_start(&g_ds, args), 0);
	assert_int_equal(xwin_start(&g_x, g_dir, W, H), 0);

	char ini[200], kiosk[300], shim[300];
	write_ini(ini, sizeof ini);
	snprintf(kiosk, sizeof kiosk, "%s/wufei-kiosk", bin);
	/* libserialport refuses ptys: the shim, as scripts/demo.sh preloads it */
	snprintf(shim, sizeof shim, "%s/../lib/libwufei_pty_shim.so", bin);
	char *kargv[] = {kiosk, "run", "--config", ini, "--window", NULL};
	g_kiosk = xwin_spawn(&g_x, kargv, g_log, &g_in, shim);
	seen(0, "device scale up");
	seen(0, "device card up");
	seen(0, "device printer up");
	/* a new journal records nothing before central answered: down-sync
	 * brings the categories, the resident and the staff member */
	seen(0, "screen out-of-service");
	sync_now();
	seen(0, "screen attract");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	xwin_end_child(&g_kiosk, &g_in);
	devsim_stop(&g_ds);
	harness_kill_started();
	xwin_stop(&g_x);
	return wf_test_rmtree(g_dir);
}

/* ---- a visit ---- */

enum switch_at { SWITCH_NONE = 0, SWITCH_ATTRACT, SWITCH_WEIGH };

/*
 * One resident's visit by touch from the attract screen (Chinese): the card
 * from devsim, the paper tile, 1.250 kg from devsim's scale, confirm; the
 * language switched where sw says. Leaves the kiosk on the receipt screen;
 * returns the language the rest of the visit spoke.
 */
static enum wf_lang visit_to_receipt(enum switch_at sw)
{
	enum wf_lang lang = WF_LANG_ZH;
	long at = mark();
	platform_empty();
	if (sw == SWITCH_ATTRACT) {
		assert_string_equal(tap(SESSION_SCREEN_ATTRACT, lang, SESSION_TAP_LANGUAGE),
		                    wf_lang_name(WF_LANG_EN));
		lang = WF_LANG_EN;
	}
	card(RESIDENT);
	seen(at, "screen category\n");
	tap_in(NULL, SESSION_SCREEN_CATEGORY, lang, SESSION_TAP_CATEGORY, 1, 0);
	seen(at, "screen weigh\n");
	if (sw == SWITCH_WEIGH) {
		assert_string_equal(tap(SESSION_SCREEN_WEIGH, lang, SESSION_TAP_LANGUAGE),
		                    wf_lang_name(WF_LANG_EN));
		lang = WF_LANG_EN;
	}
	platform_load("1250");
	seen(at, "screen confirm\n");
	const char *ok = tap(SESSION_SCREEN_CONFIRM, lang, SESSION_TAP_CONFIRM);
	assert_string_equal(ok, wf_tr(lang, "Confirm"));
	if (lang == WF_LANG_ZH) /* a Chinese word, not the English id */
		assert_string_not_equal(ok, "Confirm");
	seen(at, "journal: recorded seq");
	seen(at, "screen receipt\n");
	g_drops++;
	platform_empty(); /* the bag taken off */
	return lang;
}

/* "Done" on the receipt screen, back at attract. */
static void done(enum wf_lang lang)
{
	long at = mark();
	assert_string_equal(tap(SESSION_SCREEN_RECEIPT, lang, SESSION_TAP_DONE),
	                    wf_tr(lang, "Done"));
	seen(at, "screen attract\n");
}

/* The attract screen speaks Chinese: its switch offers English (tapped,
 * the kiosk logs the label it drew), and back. */
static void attract_is_chinese(void)
{
	assert_string_equal(tap(SESSION_SCREEN_ATTRACT, WF_LANG_ZH, SESSION_TAP_LANGUAGE),
	                    wf_lang_name(WF_LANG_EN));
	assert_string_equal(tap(SESSION_SCREEN_ATTRACT, WF_LANG_EN, SESSION_TAP_LANGUAGE),
	                    wf_lang_name(WF_LANG_ZH));
}

/* A whole visit in Chinese and one in English: the window speaks it, the
 * receipt is printed in it, the drops reach central. */
static void test_visit_each_language(void **state)
{
	(void)state;
	char text[8192];
	assert_int_equal(visit_to_receipt(SWITCH_NONE), WF_LANG_ZH);
	printed(text, sizeof text);
	assert_receipt_lang(text, WF_LANG_ZH);
	done(WF_LANG_ZH);

	assert_int_equal(visit_to_receipt(SWITCH_ATTRACT), WF_LANG_EN);
	printed(text, sizeof text);
	assert_receipt_lang(text, WF_LANG_EN);
	done(WF_LANG_EN);
	attract_is_chinese();

	sync_now();
	assert_int_equal(drops_in_journal(), g_drops);
	assert_int_equal(at_central(WF_RECORD_DROP), g_drops);
	receipt_verifies(); /* the English one, as printed */
}

/* Switched on the weigh screen: confirm, receipt screen and paper in
 * English; attract back in Chinese. */
static void test_switch_mid_visit(void **state)
{
	(void)state;
	char text[8192];
	assert_int_equal(visit_to_receipt(SWITCH_WEIGH), WF_LANG_EN);
	printed(text, sizeof text);
	assert_receipt_lang(text, WF_LANG_EN);
	done(WF_LANG_EN);
	attract_is_chinese();
}

/* devsim's slow printer (1,500 bytes a second, XON/XOFF) takes seconds for
 * the receipt's raster QR code: "Done", clicked at once, is answered and
 * attract drawn while the receipt still prints; then it prints whole. */
static void test_slow_printer(void **state)
{
	(void)state;
	sim("slow printer on");
	long at = mark();
	visit_to_receipt(SWITCH_NONE);
	seen(at, "receipt: seq");
	long before = sim_status("printer", "receipts");
	long frames = xwin_log_size(g_frames);
	done(WF_LANG_ZH);
	/* the window presented the attract screen (the kiosk's frame log) */
	if (!xwin_log_wait(g_frames, frames, " attract ", 5000, false))
		fail_msg("no attract frame presented after the tap");
	static char log[1 << 18];
	long n = xwin_log_size(g_log) - at;
	assert_true(n > 0 && n < (long)sizeof log);
	FILE *f = fopen(g_log, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, at, SEEK_SET), 0);
	log[fread(log, 1, (size_t)n, f)] = '\0';
	fclose(f);
	if (strstr(log, "printer: printed"))
		fail_msg("the tap was answered only after the receipt printed:\n%s", log);
	assert_int_equal(sim_status("printer", "receipts"), before); /* not cut yet */
	assert_int_equal(before, g_printed);
	seen(at, "printer: printed");
	char text[8192];
	printed(text, sizeof text);
	assert_receipt_lang(text, WF_LANG_ZH);
	assert_int_equal(sim_status("printer", "overrun"), 0);
	sim("slow printer off");
}

/* ---- staff ---- */

/* The records of kind central holds from kiosk 9, decoded, into out[cap];
 * how many. */
static int central_records(int kind, struct wf_record *out, int cap)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(g_central_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT bytes FROM records WHERE kiosk = 9 AND kind = ?"
	                                    " ORDER BY seq",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_int(st, 1, kind);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW && n < cap) {
		char why[128];
		const void *b = sqlite3_column_blob(st, 0);
		int len = sqlite3_column_bytes(st, 0);
		assert_int_equal(wf_record_decode(b, (size_t)len, &out[n], why, sizeof why), WF_OK);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* The staff action's record at central (value into *value); false if none. */
static bool central_staff(enum wf_staff_action action, int64_t *value)
{
	static struct wf_record r[64];
	int n = central_records(WF_RECORD_STAFF, r, 64);
	for (int i = n - 1; i >= 0; i--)
		if (r[i].staff.action == action && r[i].staff.staff_id == 7) {
			if (value)
				*value = r[i].staff.value;
			return true;
		}
	return false;
}

/* The staff card from devsim, the PIN 1234 clicked on the pad: the menu. */
static void staff_login(void)
{
	long at = mark();
	card(STAFF);
	seen(at, "screen pin\n");
	struct session_view v = {.timeout_left_ms = 1000};
	for (int i = 0; i < 4; i++) {
		char want[4];
		snprintf(want, sizeof want, "%d", i + 1);
		v.pin_len = (unsigned)i;
		assert_string_equal(
		    tap_in(&v, SESSION_SCREEN_PIN, WF_LANG_ZH, SESSION_TAP_DIGIT, 0, i + 1), want);
	}
	v.pin_len = 4;
	assert_string_equal(tap_in(&v, SESSION_SCREEN_PIN, WF_LANG_ZH, SESSION_TAP_CONFIRM, 0, 0),
	                    wf_tr(WF_LANG_ZH, "OK"));
	seen(at, "staff 7: PIN ");
	seen(at, "screen staff\n");
	/* the PIN's digits never reach the log */
	for (int i = 1; i <= 4; i++) {
		char key[16];
		snprintf(key, sizeof key, "tap %d\n", i);
		assert_false(xwin_log_wait(g_log, at, key, 0, true));
	}
}

/* A staff menu item clicked (the menu of a kiosk out of service when oos);
 * the kiosk must have taken it (its label). */
static void staff_tap_oos(enum session_control c, const char *msgid, bool oos)
{
	struct session_view v = {.timeout_left_ms = 1000, .staff_oos = oos};
	assert_string_equal(tap_in(&v, SESSION_SCREEN_STAFF, WF_LANG_ZH, c, 0, 0),
	                    wf_tr(WF_LANG_ZH, msgid));
}

static void staff_tap(enum session_control c, const char *msgid)
{
	staff_tap_oos(c, msgid, false);
}

/* The scale's weight set on devsim, then as long as the kiosk needs to
 * call it stable (1 s, [session]). */
static void scale_settled(const char *grams)
{
	char cmd[64];
	snprintf(cmd, sizeof cmd, "weight %s", grams);
	sim(cmd);
	g_empty_since = 0;
	usleep(1300 * 1000);
}

/* Zero, tare and the test weight from the staff menu, on devsim's scale. */
static void staff_scale_checks(void)
{
	long at = mark();
	sim("weight 40"); /* some dirt on the platform */
	staff_tap(SESSION_TAP_STAFF_ZERO, "Zero");
	seen(at, "scale: scale-zero");
	sim_wait("scale", "net", 0); /* the 8217 took the kiosk's Z */
	sim("weight 540");           /* an empty bin liner: 500 g */
	staff_tap(SESSION_TAP_STAFF_TARE, "Tare");
	seen(at, "scale: scale-tare");
	sim_wait("scale", "tare", 500);
	sim_wait("scale", "net", 0);
	scale_settled("5540"); /* the 5 kg check weight in the liner */
	/* the menu shows PASS; on a machine so loaded that the kiosk had not
	 * yet seen the weight still for its stable time, staff look and try
	 * again, as they would */
	for (int i = 0; i < 3; i++) {
		long tried = mark();
		staff_tap(SESSION_TAP_STAFF_TEST_WEIGHT, "Test weight");
		if (xwin_log_wait(g_log, tried, "screen staff (test-ok)", 3000, true))
			break;
		usleep(1000 * 1000);
	}
	seen(at, "screen staff (test-ok)");
	/* everything off, the scale's own zero key: no tare, nothing on it */
	sim("weight 0");
	sim("zero scale");
	sim_wait("scale", "tare", 0);
}

/* A bin collection of paper with its weight keyed in on the pad: "12.55",
 * one digit deleted, 12.5 kg confirmed. */
static void staff_bin_keyed(void)
{
	long at = mark();
	staff_tap(SESSION_TAP_STAFF_BIN, "Bin collection");
	seen(at, "screen staff-bin-category\n");
	tap_in(NULL, SESSION_SCREEN_STAFF_BIN_CATEGORY, WF_LANG_ZH, SESSION_TAP_CATEGORY, 1, 0);
	seen(at, "screen staff-bin-weigh\n");
	struct session_view v = {.timeout_left_ms = 1000, .category_id = 1, .keyed_grams = -1};
	for (const char *c = "12.55"; *c; c++) {
		enum session_control key = *c == '.' ? SESSION_TAP_POINT : SESSION_TAP_DIGIT;
		char want[2] = {*c, '\0'};
		assert_string_equal(tap_in(&v, SESSION_SCREEN_STAFF_BIN_WEIGH, WF_LANG_ZH, key, 0,
		                           *c == '.' ? 0 : *c - '0'),
		                    want);
		size_t n = strlen(v.keyed);
		v.keyed[n] = *c, v.keyed[n + 1] = '\0';
	}
	assert_string_equal(
	    tap_in(&v, SESSION_SCREEN_STAFF_BIN_WEIGH, WF_LANG_ZH, SESSION_TAP_BACKSPACE, 0, 0),
	    wf_tr(WF_LANG_ZH, "Delete"));
	snprintf(v.keyed, sizeof v.keyed, "12.5");
	v.keyed_grams = 12500;
	assert_string_equal(
	    tap_in(&v, SESSION_SCREEN_STAFF_BIN_WEIGH, WF_LANG_ZH, SESSION_TAP_CONFIRM, 0, 0),
	    wf_tr(WF_LANG_ZH, "Confirm"));
	seen(at, ": bin collection");
	seen(at, "screen staff\n");
}

/* Out of service from the menu: a resident's card then takes no visit;
 * staff put it back in service. */
static void staff_out_of_service(void)
{
	long at = mark();
	staff_tap(SESSION_TAP_STAFF_OOS_ON, "Out of service");
	staff_tap_oos(SESSION_TAP_STAFF_EXIT, "Exit", true);
	seen(at, "screen out-of-service\n");
	long read = mark();
	card(RESIDENT);
	seen(read, "card em4100:******8981: resident");
	staff_login(); /* events in order: the resident's card was stepped first */
	assert_int_equal(xwin_log_count(g_log, read, "screen category"), 0);
	staff_tap_oos(SESSION_TAP_STAFF_OOS_OFF, "Back in service", true);
	at = mark();
	staff_tap(SESSION_TAP_STAFF_EXIT, "Exit");
	seen(at, "screen attract\n");
}

static void test_staff_flow(void **state)
{
	(void)state;
	staff_login();
	staff_scale_checks();
	staff_bin_keyed();
	staff_out_of_service();
	sync_now();
	int64_t v = 0;
	assert_true(central_staff(WF_STAFF_LOGIN, NULL));
	assert_true(central_staff(WF_STAFF_ZERO, NULL));
	assert_true(central_staff(WF_STAFF_TARE, NULL));
	assert_true(central_staff(WF_STAFF_TEST_WEIGHT, &v));
	assert_int_equal(v, 5000);
	assert_true(central_staff(WF_STAFF_OOS_ON, NULL));
	assert_true(central_staff(WF_STAFF_OOS_OFF, NULL));
	/* the bin with the weight keyed in, and that it was keyed in */
	struct wf_record bins[4];
	assert_int_equal(central_records(WF_RECORD_BIN, bins, 4), 1);
	assert_int_equal(bins[0].bin.grams, 12500);
	assert_int_equal(bins[0].bin.category_id, 1);
	assert_int_equal(bins[0].bin.staff_id, 7);
	assert_true(central_staff(WF_STAFF_BIN_KEYED, &v));
	assert_int_equal(v, 12500);
}

/* ---- the scale pulled ---- */

/* devsim pulls the scale while a bag settles on it: the kiosk says the
 * visit was cancelled and is out of service, records nothing; when the
 * scale is back, attract, and a visit works. */
static void test_scale_pulled_mid_drop(void **state)
{
	(void)state;
	int before = drops_in_journal();
	assert_int_equal(before, g_drops);
	long at = mark();
	platform_empty();
	card(RESIDENT);
	seen(at, "screen category\n");
	tap_in(NULL, SESSION_SCREEN_CATEGORY, WF_LANG_ZH, SESSION_TAP_CATEGORY, 1, 0);
	seen(at, "screen weigh\n");
	platform_load("1250");
	seen(at, "scale settling 1250 g");
	long pulled = mark();
	sim("unplug scale");
	seen(pulled, "device scale down");
	seen(pulled, "screen out-of-service (cancelled-device)");
	assert_int_equal(xwin_log_count(g_log, pulled, "journal: recorded"), 0);
	assert_int_equal(drops_in_journal(), before);
	/* with no scale a card takes no visit */
	card(RESIDENT);
	seen(pulled, "card em4100:******8981: resident");

	long back = mark();
	sim("replug scale");
	seen(back, "device scale up");
	seen(back, "screen attract\n");
	assert_int_equal(xwin_log_count(g_log, pulled, "screen category"), 0);
	assert_int_equal(drops_in_journal(), before);
	char text[8192];
	assert_int_equal(visit_to_receipt(SWITCH_NONE), WF_LANG_ZH);
	printed(text, sizeof text);
	assert_receipt_lang(text, WF_LANG_ZH);
	done(WF_LANG_ZH);
	assert_int_equal(drops_in_journal(), before + 1);
}

/* ---- the end ---- */

struct at_central {
	unsigned n, equal;
};

/* Counts journal records central holds with exactly the same bytes. */
static int compare_one(void *ctx, const struct ledger_entry *e)
{
	struct at_central *a = ctx;
	a->n++;
	a->equal += (unsigned)harness_holds_record(g_central_db, 9, e->seq, e->bytes, e->len);
	return 0;
}

/* The kiosk quits cleanly (no leak under ASan); every record it made is
 * at central byte for byte. */
static void test_ends_clean(void **state)
{
	(void)state;
	sync_now();
	console("quit\n");
	int st = 0;
	pid_t got = 0;
	for (int i = 0; i < 400 && (got = waitpid(g_kiosk, &st, WNOHANG)) == 0; i++)
		usleep(50000); /* 20 s: the run's end, the journal closed, leaks checked */
	if (got != g_kiosk)
		xwin_log_print(g_log);
	assert_int_equal(got, g_kiosk);
	g_kiosk = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		xwin_log_print(g_log);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char want[64];
	snprintf(want, sizeof want, "run ended: %d drops recorded", g_drops);
	seen(0, want);
	struct ledger *l = NULL;
	char path[200], err[256];
	snprintf(path, sizeof path, "%s/journal.db", g_dir);
	assert_int_equal(ledger_open(path, &l, err, sizeof err), WF_OK);
	struct at_central a = {0, 0};
	assert_int_equal(ledger_each(l, compare_one, &a), 0);
	ledger_close(l);
	assert_true(a.n > (unsigned)g_drops);
	assert_int_equal(a.equal, a.n);
	assert_int_equal(harness_count(g_central_db, "SELECT count(*) FROM records"), (long)a.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_visit_each_language),   cmocka_unit_test(test_switch_mid_visit),
	    cmocka_unit_test(test_slow_printer),          cmocka_unit_test(test_staff_flow),
	    cmocka_unit_test(test_scale_pulled_mid_drop), cmocka_unit_test(test_ends_clean),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
