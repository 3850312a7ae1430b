/*
 * test_kiosk_devices.c — wufei-kiosk on a simulated Mettler Toledo 8217,
 * EM4100 reader and ESC/POS printer (wufei-devsim), over the real
 * libserialport path (the pty shim preloaded, as the demo does):
 *   - a polled scale that answers "in motion" after a stable weight leaves
 *     nothing to confirm, and the weight on screen says it is moving; once
 *     the platform is still again for the configured time, the weight on it
 *     is what gets recorded;
 *   - a slow printer (XON/XOFF) does not freeze the kiosk: while the
 *     receipt is still printing, the next screen is drawn and a tap is
 *     answered (the receipt is Chinese, the kiosk's default language, sent
 *     in the printer's Chinese mode: `chinese = gb18030`);
 *   - the staff menu's health follows the devices while it is open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devsim_child.h"
#include "wf_test.h"

static char g_dir[64];
static struct devsim g_ds;
static bool g_ds_up;
static pid_t g_kiosk;
static int g_in = -1; /* the kiosk's console */

#define sh wf_test_sh

static void sim(const char *cmd)
{
	char ans[512];
	if (devsim_cmd(&g_ds, cmd, ans, sizeof ans) != 0)
		fail_msg("devsim '%s' -> '%s'", cmd, ans);
}

/* The number after "KEY": in the printer's devsim status. */
static long printer_status(const char *key)
{
	char ans[2048], want[40];
	if (devsim_cmd(&g_ds, "status printer", ans, sizeof ans) != 0)
		fail_msg("devsim status printer -> '%s'", ans);
	snprintf(want, sizeof want, "\"%s\":", key);
	const char *at = strstr(ans, want);
	if (!at)
		fail_msg("no %s in '%s'", key, ans);
	return strtol(at + strlen(want), NULL, 10);
}

static void console(const char *line)
{
	assert_int_equal(write(g_in, line, strlen(line)), (ssize_t)strlen(line));
}

/* The kiosk's log from byte `from` on. */
static void read_log(long from, char *buf, size_t cap)
{
	char path[128];
	snprintf(path, sizeof path, "%s/kiosk.log", g_dir);
	FILE *f = fopen(path, "r");
	size_t n = 0;
	if (f && fseek(f, from, SEEK_SET) == 0)
		n = fread(buf, 1, cap - 1, f);
	if (f)
		fclose(f);
	buf[n] = '\0';
}

static long log_size(void)
{
	static char buf[1 << 18];
	read_log(0, buf, sizeof buf);
	return (long)strlen(buf);
}

/* Waits (10 s at most) until the log, from `from` on, holds needle. */
static void seen(long from, const char *needle)
{
	static char buf[1 << 18];
	for (int i = 0; i < 100; i++) {
		read_log(from, buf, sizeof buf);
		if (strstr(buf, needle))
			return;
		usleep(100000);
	}
	read_log(0, buf, sizeof buf);
	printf("kiosk log:\n%s\n", buf);
	fail_msg("the kiosk never logged '%s'", needle);
}

static int drops_in_journal(void)
{
	char out[8192];
	assert_int_equal(sh(out, sizeof out, "%s/wufei-kiosk ledger dump %s/journal.db",
	                    getenv("WUFEI_BIN_DIR"), g_dir),
	                 0);
	int n = 0;
	for (const char *p = out; (p = strstr(p, "\"kind\":\"drop\"")) != NULL; p++)
		n++;
	return n;
}

static int setup(void **state)
{
	(void)state;
	const char *bin = getenv("WUFEI_BIN_DIR"), *src = getenv("WUFEI_SOURCE_DIR");
	assert_non_null(bin);
	assert_non_null(src);
	assert_int_equal(wf_test_tmpdir("kiosk-devices", g_dir, sizeof g_dir), 0);
	const char *args[] = {"--scale", "mt8217", "--card", "em4100", "--printer", "escpos", NULL};
	assert_int_equal(devsim_start(&g_ds, args), 0);
	g_ds_up = true;
	assert_int_equal(sh(NULL, 0, "%s/wufei-kiosk keygen --out %s/kiosk.key", bin, g_dir), 0);
	assert_int_equal(
	    sh(NULL, 0, "%s/wufei-kiosk ledger init %s/journal.db --kiosk 9", bin, g_dir), 0);
	char scale[200], card[200], printer[200], path[128], ini[2048];
	devsim_transport(&g_ds, "scale", scale, sizeof scale);
	devsim_transport(&g_ds, "card", card, sizeof card);
	devsim_transport(&g_ds, "printer", printer, sizeof printer);
	snprintf(ini, sizeof ini,
	         "[kiosk]\nnumber = 9\nname = Test\ntimezone = Asia/Shanghai\n"
	         "ledger = %s/journal.db\nfixture = %s/packaging/demo/fixture.json\n"
	         "key_file = %s/kiosk.key\n[session]\nstable_time_ms = 1000\n"
	         "[device.scale]\nrole = scale\ntransport = %s\nprotocol = mt8217\nunit = kg\n"
	         "baud = 9600\ndata_bits = 7\nparity = even\nstop_bits = 1\npoll_ms = 100\n"
	         "[device.card]\nrole = card\ntransport = %s\nprotocol = em4100\n"
	         "[device.printer]\nrole = printer\ntransport = %s\nprotocol = escpos\n"
	         "baud = 19200\nflow = xonxoff\nqr = raster\nchinese = gb18030\n",
	         g_dir, src, g_dir, scale, card, printer);
	snprintf(path, sizeof path, "%s/kiosk.ini", g_dir);
	assert_int_equal(wf_test_write_file(path, ini), 0);

	/* libserialport refuses ptys: preload the shim, after the ASan runtime
	 * in a sanitizer build, exactly as scripts/demo.sh does */
	char cmd[1600];
	snprintf(cmd, sizeof cmd,
	         "k=%s/wufei-kiosk; asan=$(ldd \"$k\" | awk '/libasan/ {print $3}'); "
	         "LD_PRELOAD=${asan:+$asan:}%s/../lib/libwufei_pty_shim.so exec \"$k\" run "
	         "--config %s/kiosk.ini --screenshots %s/screens >%s/kiosk.log 2>&1",
	         bin, bin, g_dir, g_dir, g_dir);
	int p[2];
	assert_int_equal(pipe(p), 0);
	g_kiosk = fork();
	assert_true(g_kiosk >= 0);
	if (g_kiosk == 0) {
		dup2(p[0], 0);
		closefrom(3);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	g_in = p[1];
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (g_in >= 0)
		close(g_in);
	g_in = -1;
	if (g_kiosk > 0) {
		kill(g_kiosk, SIGTERM);
		waitpid(g_kiosk, NULL, 0);
	}
	g_kiosk = 0;
	if (g_ds_up)
		devsim_stop(&g_ds);
	g_ds_up = false;
	return wf_test_rmtree(g_dir);
}

static void test_motion_after_stable_weight(void **state)
{
	(void)state;
	seen(0, "device scale up");
	seen(0, "device card up");
	sim("weight 0");
	usleep(1500 * 1000); /* the platform seen empty and still: the next bag counts */

	long at = log_size();
	sim("card 0400E2E1F5"); /* resident 1001, em4100:0014868981 */
	seen(at, "screen category");
	at = log_size();
	console("tap category paper\n");
	seen(at, "screen weigh");

	/* a stable 1.250 kg: the confirm screen offers it */
	at = log_size();
	sim("weight 1250");
	seen(at, "screen confirm");

	/* the resident lifts the bag: the 8217 answers W with "in motion" */
	at = log_size();
	sim("motion scale on");
	seen(at, "scale moving");
	seen(at, "screen weigh");
	console("expect scale moving\nexpect screen weigh\ntap confirm\nexpect screen weigh\n"
	        "expect scale moving\n");
	usleep(1000 * 1000); /* a while in motion: still nothing to confirm */
	console("expect screen weigh\n");

	/* still again: after the configured time the weight on it is offered */
	at = log_size();
	sim("weight 900");
	sim("motion scale off");
	seen(at, "screen confirm");
	console("tap confirm\nquit\n");
	int st = 0;
	assert_int_equal(waitpid(g_kiosk, &st, 0), g_kiosk);
	g_kiosk = 0;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	static char log[1 << 18];
	read_log(0, log, sizeof log);
	if (strstr(log, "stdin:")) /* a console line failed: an expect did not hold */
		fail_msg("the console refused a line:\n%s", log);
	assert_non_null(strstr(log, "run ended: 1 drops recorded"));
	assert_non_null(strstr(log, "drop category 1 qty 900"));
	assert_null(strstr(log, "qty 1250"));
	assert_int_equal(drops_in_journal(), 1);

	/* the weigh screen was drawn while the scale said it was moving */
	char out[4096];
	assert_int_equal(sh(out, sizeof out, "ls %s/screens", g_dir), 0);
	assert_non_null(strstr(out, "-weigh.png"));
}

/* Printing is asynchronous: with a printer that takes a few seconds for a
 * receipt (devsim's slow printer prints 1,500 bytes a second and sends XOFF
 * when its 512-byte buffer fills; the receipt's QR code goes as a raster
 * image of some 4 KB, on a 19200-baud line), the resident's "Done" is
 * answered and the next screen drawn while the job is still being sent, and
 * the print still ends well. A kiosk that waited for the printer inside the
 * effect would answer the tap only after the job was out. */
static void test_screen_lives_while_printing(void **state)
{
	(void)state;
	seen(0, "device printer up");
	seen(0, "device scale up");
	seen(0, "device card up");
	sim("slow printer on");
	sim("weight 0");
	usleep(1500 * 1000);
	long at = log_size();
	sim("card 0400E2E1F5");
	seen(at, "screen category");
	console("tap category paper\n");
	seen(at, "screen weigh");
	sim("weight 1250");
	seen(at, "screen confirm");
	console("tap confirm\n");
	seen(at, "receipt: seq 1");
	seen(at, "screen receipt");

	/* the receipt is printing: the resident is done */
	long tap = log_size();
	console("tap done\n");
	seen(tap, "screen attract");
	long printed_then = printer_status("receipts");
	static char log[1 << 18];
	read_log(at, log, sizeof log);
	char *attract = strstr(log, "screen attract");
	char *printed = strstr(log, "printer: printed");
	assert_non_null(attract);
	if (printed && printed < attract)
		fail_msg("the tap was answered only after the receipt printed:\n%s", log);
	assert_int_equal(printed_then, 0); /* the printer had not cut it yet */
	char out[4096];
	assert_int_equal(sh(out, sizeof out, "ls %s/screens", g_dir), 0);
	assert_non_null(strstr(out, "-attract.png")); /* and the screen was drawn */

	/* the job ends well, paced by flow control: nothing lost */
	seen(tap, "printer: printed");
	for (int i = 0; i < 100 && printer_status("receipts") < 1; i++)
		usleep(100000);
	assert_int_equal(printer_status("receipts"), 1);
	assert_int_equal(printer_status("overrun"), 0);
	console("quit\n");
	int st = 0;
	assert_int_equal(waitpid(g_kiosk, &st, 0), g_kiosk);
	g_kiosk = 0;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* How many screenshots of screen NAME the kiosk has saved. */
static int shots_of(const char *name)
{
	char out[64];
	assert_int_equal(sh(out, sizeof out, "ls %s/screens | grep -c -- '-%s.png$'", g_dir, name),
	                 0);
	return (int)strtol(out, NULL, 10);
}

/* A printer that goes away while staff look at the menu shows as down there
 * within a second or two: the menu's health is looked at again while it is
 * open, not only when it opened (the session's view does not change when
 * the printer goes: receipts still show on screen). */
static void test_staff_health_follows_devices(void **state)
{
	(void)state;
	seen(0, "device printer up");
	long at = log_size();
	sim("card 0600112233"); /* staff 7, em4100:0001122867 */
	seen(at, "screen pin");
	console("pin 1234\n");
	seen(at, "screen staff");
	/* the staff login's own record joins the queue after the menu was
	 * drawn: the next look shows it (a second screenshot); then all is still */
	usleep(2500 * 1000);
	int before = shots_of("staff");
	assert_in_range(before, 1, 2);
	at = log_size();
	sim("unplug printer");
	seen(at, "device printer down");
	for (int i = 0; i < 50 && shots_of("staff") == before; i++)
		usleep(100000);
	assert_int_equal(shots_of("staff"), before + 1); /* drawn again, once */
	console("quit\n");
	int st = 0;
	assert_int_equal(waitpid(g_kiosk, &st, 0), g_kiosk);
	g_kiosk = 0;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_motion_after_stable_weight, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_screen_lives_while_printing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_staff_health_follows_devices, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
