/*
 * test_devsim.c — wufei-devsim as a child process: its control socket
 * (answers and error lines), its devices over the real libserialport path
 * (pty shim linked in), and its printer: the receipt PNG decodes with zbarimg
 * to exactly the token printed, on the native QR and the raster path, and
 * raster bytes corrupted in transit do not decode to the token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devsim_child.h"
#include "transport.h"
#include "wf.h"
#include "wf_test.h"

#include <jansson.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "HTTPS://WUFEI.EXAMPLE/R/AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGAZDINRYHI6D4"

static void ms_sleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void cmd_ok(struct devsim *ds, const char *cmd)
{
	char ans[4096];
	int rc = devsim_cmd(ds, cmd, ans, sizeof(ans));
	if (rc != 0)
		fail_msg("devsim '%s' -> '%s'", cmd, ans);
}

static struct transport *open_dev(struct devsim *ds, const char *name, const char *line)
{
	char spec[400], err[TRANSPORT_ERR_MAX];
	struct transport_line l;
	struct transport *t = NULL;
	devsim_transport(ds, name, spec, sizeof(spec));
	assert_int_equal(transport_line_parse(line, &l), WF_OK);
	int rc = transport_open(spec, &l, 0, NULL, &t, err, sizeof(err));
	if (rc)
		fail_msg("open %s: %s", spec, err);
	return t;
}

/* Read until `want` bytes arrived or `until` is seen; bounded by attempts. */
static size_t read_until(struct transport *t, uint8_t *buf, size_t cap, const char *until)
{
	size_t got = 0;
	for (int i = 0; i < 200 && got < cap; i++) {
		int r = transport_wait(t, -1, 50);
		assert_true(r >= 0);
		if (r != TRANSPORT_READABLE)
			continue;
		int n = transport_read(t, buf + got, cap - got);
		assert_true(n >= 0);
		got += (size_t)n;
		if (until && memmem(buf, got, until, strlen(until)))
			break;
	}
	return got;
}

/* ---- control socket ------------------------------------------------------ */

static void test_control_socket(void **state)
{
	(void)state;
	struct devsim ds;
	char ans[4096];
	assert_int_equal(devsim_start(&ds, NULL), 0);
	/* the startup JSON names the default devices with their stable links */
	json_error_t jerr;
	json_t *o = json_loads(ds.json, 0, &jerr);
	assert_non_null(o);
	json_t *devs = json_object_get(o, "devices");
	assert_non_null(json_object_get(devs, "scale"));
	assert_non_null(json_object_get(devs, "card"));
	assert_non_null(json_object_get(devs, "printer"));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(devs, "scale"), "protocol")),
	    "mt8217");
	char link[400];
	devsim_path(&ds, "scale", link, sizeof(link));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(devs, "scale"), "link")), link);
	json_decref(o);

	assert_int_equal(devsim_cmd(&ds, "help", ans, sizeof(ans)), 0);
	assert_non_null(strstr(ans, "unplug"));
	assert_non_null(strstr(ans, "card"));
	assert_int_equal(devsim_cmd(&ds, "weight 1250", ans, sizeof(ans)), 0);
	assert_int_equal(devsim_cmd(&ds, "status scale", ans, sizeof(ans)), 0);
	assert_non_null(strstr(ans, "\"load\":1250"));
	/* bad commands answer one error line and change nothing */
	assert_int_equal(devsim_cmd(&ds, "frobnicate", ans, sizeof(ans)), 1);
	assert_true(strncmp(ans, "error: ", 7) == 0);
	assert_int_equal(devsim_cmd(&ds, "weight lots", ans, sizeof(ans)), 1);
	assert_int_equal(devsim_cmd(&ds, "weight 12x", ans, sizeof(ans)), 1);
	assert_int_equal(devsim_cmd(&ds, "card 0400E2E1", ans, sizeof(ans)), 1);
	assert_int_equal(devsim_cmd(&ds, "card 0400E2E1GG", ans, sizeof(ans)), 1);
	assert_int_equal(devsim_cmd(&ds, "unplug nosuch", ans, sizeof(ans)), 1);
	assert_int_equal(devsim_cmd(&ds, "motion sideways", ans, sizeof(ans)), 1);
	assert_int_equal(devsim_cmd(&ds, "slow scale maybe", ans, sizeof(ans)), 1);
	assert_int_equal(devsim_cmd(&ds, "paper printer soggy", ans, sizeof(ans)), 1);
	assert_int_equal(devsim_cmd(&ds, "", ans, sizeof(ans)), 1);
	assert_int_equal(devsim_cmd(&ds, "status scale", ans, sizeof(ans)), 0);
	assert_non_null(strstr(ans, "\"load\":1250"));
	/* unplug twice is an error the second time; the link is gone meanwhile */
	assert_int_equal(devsim_cmd(&ds, "unplug card", ans, sizeof(ans)), 0);
	devsim_path(&ds, "card", link, sizeof(link));
	assert_int_equal(access(link, F_OK), -1);
	assert_int_equal(devsim_cmd(&ds, "unplug card", ans, sizeof(ans)), 1);
	assert_int_equal(devsim_cmd(&ds, "replug card", ans, sizeof(ans)), 0);
	assert_int_equal(access(link, F_OK), 0);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* ---- scales over the real serial path ------------------------------------ */

/* The MT 8217 named "scale" of ds (weight 1250 g): W, Z, T, C and the
 * statuses, as the DIVA manual and real scales answer them. */
static void check_mt8217(struct devsim *ds)
{
	uint8_t buf[256];
	struct transport *t = open_dev(ds, "scale", "9600 7E1");
	assert_int_equal(transport_write(t, (const uint8_t *)"W", 1, 500), 1);
	size_t n = read_until(t, buf, sizeof(buf), "\r");
	assert_int_equal(n, 10);
	assert_memory_equal(buf, "\002   1.250\r", 10);
	cmd_ok(ds, "motion scale on");
	assert_int_equal(transport_write(t, (const uint8_t *)"W", 1, 500), 1);
	n = read_until(t, buf, sizeof(buf), "\r");
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "\002?A\r", 4); /* motion; bit 6 set as on real scales */
	/* Z, T and C are answered with the status after the command */
	static const struct {
		const char *sim, *cmd, *reply;
	} answers[] = {
	    {"motion scale off", "Z", "\002?P\r"},   /* zeroed: centre of zero */
	    {"weight scale 2250", "T", "\002?`\r"},  /* tared: net */
	    {"weight scale 2250", "C", "\002?@\r"},  /* tare cleared */
	    {"refuse scale on", "Z", "\002?H\r"},    /* outside the zero-capture range */
	    {"overload scale on", "W", "\002?B\r"},  /* over capacity */
	    {"overload scale off", "?", "\002?@\r"}, /* an unknown command: the status */
	};
	for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
		cmd_ok(ds, answers[i].sim);
		assert_int_equal(transport_write(t, (const uint8_t *)answers[i].cmd, 1, 500), 1);
		n = read_until(t, buf, sizeof(buf), "\r");
		if (n != 4 || memcmp(buf, answers[i].reply, 4))
			fail_msg("8217 %s after '%s': %zu bytes %02x %02x %02x", answers[i].cmd,
			         answers[i].sim, n, buf[0], buf[1], n > 2 ? buf[2] : 0);
	}
	transport_close(t);
}

static void test_scales_serial(void **state)
{
	(void)state;
	struct devsim ds;
	const char *args[] = {"--scale", "mt8217",
	                      "--scale", "mt-sics,name=sics",
	                      "--scale", "cas-ci200,name=cas",
	                      "--scale", "xk3190-a9,name=xk",
	                      NULL};
	uint8_t buf[256];
	size_t n;
	assert_int_equal(devsim_start(&ds, args), 0);
	cmd_ok(&ds, "weight scale 1250");
	cmd_ok(&ds, "weight sics 1250");
	cmd_ok(&ds, "weight cas 1650");
	cmd_ok(&ds, "weight xk 1650");
	check_mt8217(&ds);

	struct transport *t = open_dev(&ds, "sics", "9600 8N1");
	assert_int_equal(transport_write(t, (const uint8_t *)"SI\r\n", 4, 500), 4);
	n = read_until(t, buf, sizeof(buf) - 1, "\r\n");
	buf[n] = 0;
	assert_string_equal((char *)buf, "S S      1.250 kg\r\n");
	assert_int_equal(transport_write(t, (const uint8_t *)"XYZ\r\n", 5, 500), 5);
	n = read_until(t, buf, sizeof(buf) - 1, "\r\n");
	buf[n] = 0;
	assert_string_equal((char *)buf, "ES\r\n");
	transport_close(t);

	/* CAS 22 bytes: device id '1', lamp 0xC4 (bit 7, stable, gross) */
	t = open_dev(&ds, "cas", "9600 8N1");
	n = read_until(t, buf, 66, NULL);
	assert_non_null(memmem(buf, n, "ST,GS,1\xc4,0001.650 kg\r\n", 22));
	transport_close(t);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* Scales that send without being asked: the documented XK3190-A9 frame, the
 * Yaohua '=' format in both digit orders, CAS set to 18 bytes. */
static void test_scale_streams(void **state)
{
	(void)state;
	uint8_t buf[256];
	size_t n;
	struct transport *t;
	/* the documented XK3190-A9 example frame: +1650, no decimals, check "19" */
	const char *xk_args[] = {"--scale", "xk3190-a9,unit=g", NULL};
	struct devsim ds2;
	assert_int_equal(devsim_start(&ds2, xk_args), 0);
	cmd_ok(&ds2, "weight 1650");
	t = open_dev(&ds2, "scale", "9600 8N1");
	n = read_until(t, buf, 36, NULL);
	assert_true(n >= 24);
	static const uint8_t frame[12] = {0x02, 0x2B, 0x30, 0x30, 0x31, 0x36,
	                                  0x35, 0x30, 0x30, 0x31, 0x39, 0x03};
	assert_non_null(memmem(buf, n, frame, sizeof(frame)));
	transport_close(t);
	assert_int_equal(devsim_stop(&ds2), 0);

	/* the Yaohua '=' format in both digit orders, and CAS set to 18 bytes */
	const char *eq_args[] = {"--scale", "xk3190-eq,name=rev",
	                         "--scale", "xk3190-eq,name=nor,digit_order=normal",
	                         "--scale", "cas-ci200,name=cas18,format=18",
	                         NULL};
	assert_int_equal(devsim_start(&ds2, eq_args), 0);
	cmd_ok(&ds2, "weight rev 3000");
	cmd_ok(&ds2, "weight nor -1000");
	cmd_ok(&ds2, "weight cas18 4876");
	static const struct {
		const char *dev, *frame;
	} streams[] = {
	    {"rev", "=000.3000"}, /* A26 manual, format 1 */
	    {"nor", "=-001.000"}, /* sign first, reading order */
	    {"cas18", "ST,GS,0004.876kg\r\n"},
	};
	for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
		t = open_dev(&ds2, streams[i].dev, "9600 8N1");
		n = read_until(t, buf, 60, NULL);
		if (!memmem(buf, n, streams[i].frame, strlen(streams[i].frame)))
			fail_msg("%s: no '%s' in %zu bytes", streams[i].dev, streams[i].frame, n);
		transport_close(t);
	}
	assert_int_equal(devsim_stop(&ds2), 0);
}

static void test_card_repeats_then_stops(void **state)
{
	(void)state;
	struct devsim ds;
	uint8_t buf[512];
	assert_int_equal(devsim_start(&ds, NULL), 0);
	struct transport *t = open_dev(&ds, "card", "9600 8N1");
	cmd_ok(&ds, "card 0400E2E1F5 300");
	size_t n = read_until(t, buf, sizeof(buf), NULL);
	/* STX "0400E2E1F5" "F2" ETX, several times while held, then silence */
	static const char frame[] = "\0020400E2E1F5F2\003";
	assert_true(n >= 28);
	assert_int_equal(n % 14, 0);
	for (size_t i = 0; i < n; i += 14)
		assert_memory_equal(buf + i, frame, 14);
	assert_int_equal(transport_wait(t, -1, 200), TRANSPORT_TIMEOUT);
	transport_close(t);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* ---- printer ------------------------------------------------------------- */

static size_t put(uint8_t *buf, size_t at, const void *src, size_t n)
{
	memcpy(buf + at, src, n);
	return at + n;
}

static size_t job_native(uint8_t *buf, const char *token)
{
	size_t n = 0, k = strlen(token) + 3;
	n = put(buf, n, "\x1b@", 2);
	n = put(buf, n, "WUFEI RECEIPT\n", 14);
	n = put(buf, n, "\x1d(k\x04\x00\x31\x41\x32\x00", 9);
	n = put(buf, n, "\x1d(k\x03\x00\x31\x43\x06", 8);
	n = put(buf, n, "\x1d(k\x03\x00\x31\x45\x31", 8);
	uint8_t hdr[8] = {0x1d, 0x28, 0x6b, (uint8_t)(k & 0xff), (uint8_t)(k >> 8),
	                  0x31, 0x50, 0x30};
	n = put(buf, n, hdr, 8);
	n = put(buf, n, token, strlen(token));
	n = put(buf, n, "\x1d(k\x03\x00\x31\x51\x30", 8);
	n = put(buf, n, "\n\n\x1dV\x41\x00", 6);
	return n;
}

/* Raster: the QR drawn by libqrencode, 5 dots a module, slices of <= 255 rows. */
static size_t job_raster(uint8_t *buf, size_t cap, const char *token)
{
	QRcode *q = QRcode_encodeString(token, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(q);
	const int m = 5, quiet = 4;
	int dots = (q->width + 2 * quiet) * m;
	int wb = (dots + 7) / 8;
	size_t n = put(buf, 0, "\x1b@TOKEN RECEIPT\n", 16);
	for (int y0 = 0; y0 < dots; y0 += 255) {
		int rows = dots - y0 > 255 ? 255 : dots - y0;
		uint8_t hdr[8] = {0x1d,          0x76, 0x30, 0, (uint8_t)wb, (uint8_t)(wb >> 8),
		                  (uint8_t)rows, 0};
		n = put(buf, n, hdr, 8);
		assert_true(n + (size_t)(wb * rows) < cap);
		for (int y = y0; y < y0 + rows; y++) {
			for (int xb = 0; xb < wb; xb++) {
				uint8_t b = 0;
				for (int bit = 0; bit < 8; bit++) {
					int x = xb * 8 + bit;
					int mx = x / m - quiet, my = y / m - quiet;
					if (mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
					    (q->data[my * q->width + mx] & 1))
						b |= (uint8_t)(0x80 >> bit);
				}
				buf[n++] = b;
			}
		}
	}
	n = put(buf, n, "\n\x1dV\x00", 4);
	QRcode_free(q);
	return n;
}

/* Print a job and return the PNG path of the receipt it made. */
static void print_and_wait(struct devsim *ds, const uint8_t *job, size_t len, int receipt,
                           char *png, size_t png_len)
{
	struct transport *t = open_dev(ds, "printer", "115200 8N1");
	char ans[4096], want[64];
	assert_int_equal(transport_write(t, job, len, 5000), (int)len);
	snprintf(want, sizeof(want), "\"receipts\":%d", receipt);
	int i;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(devsim_cmd(ds, "status printer", ans, sizeof(ans)), 0);
		if (strstr(ans, want))
			break;
		ms_sleep(10);
	}
	assert_true(i < 1000);
	transport_close(t);
	json_t *o = json_loads(ans + 3, 0, NULL);
	assert_non_null(o);
	snprintf(png, png_len, "%s", json_string_value(json_object_get(o, "png")));
	json_decref(o);
}

static void test_printer_native_qr(void **state)
{
	(void)state;
	struct devsim ds;
	uint8_t job[1024];
	char png[512], out[512], txt[600];
	assert_int_equal(devsim_start(&ds, NULL), 0);
	print_and_wait(&ds, job, job_native(job, TOKEN), 1, png, sizeof(png));
	assert_int_equal(wf_test_qr_read(png, out, sizeof(out)), 0);
	assert_string_equal(out, TOKEN);
	/* the text file has the text and the QR data */
	snprintf(txt, sizeof(txt), "%.*s.txt", (int)(strlen(png) - 4), png);
	FILE *f = fopen(txt, "r");
	assert_non_null(f);
	char body[2048];
	size_t n = fread(body, 1, sizeof(body) - 1, f);
	body[n] = 0;
	fclose(f);
	assert_non_null(strstr(body, "WUFEI RECEIPT"));
	assert_non_null(strstr(body, TOKEN));
	assert_int_equal(devsim_stop(&ds), 0);
}

static void test_printer_raster_and_corruption(void **state)
{
	(void)state;
	struct devsim ds;
	static uint8_t job[256 * 1024];
	char png[512], out[512];
	assert_int_equal(devsim_start(&ds, NULL), 0);
	size_t n = job_raster(job, sizeof(job), TOKEN);
	print_and_wait(&ds, job, n, 1, png, sizeof(png));
	assert_int_equal(wf_test_qr_read(png, out, sizeof(out)), 0);
	assert_string_equal(out, TOKEN);

	/* the same bytes, corrupted in transit: no longer the token */
	cmd_ok(&ds, "corrupt printer on");
	print_and_wait(&ds, job, n, 2, png, sizeof(png));
	int rc = wf_test_qr_read(png, out, sizeof(out));
	assert_false(rc == 0 && strcmp(out, TOKEN) == 0);
	cmd_ok(&ds, "corrupt printer off");

	/* and clean again after: the corruption was the only cause */
	print_and_wait(&ds, job, n, 3, png, sizeof(png));
	assert_int_equal(wf_test_qr_read(png, out, sizeof(out)), 0);
	assert_string_equal(out, TOKEN);
	assert_int_equal(devsim_stop(&ds), 0);
}

static void test_printer_status(void **state)
{
	(void)state;
	struct devsim ds;
	uint8_t buf[8];
	assert_int_equal(devsim_start(&ds, NULL), 0);
	struct transport *t = open_dev(&ds, "printer", "115200 8N1");
	assert_int_equal(transport_write(t, (const uint8_t *)"\x10\x04\x04", 3, 500), 3);
	assert_int_equal(read_until(t, buf, 1, NULL), 1);
	assert_int_equal(buf[0], 0x12);
	cmd_ok(&ds, "paper printer out");
	assert_int_equal(transport_write(t, (const uint8_t *)"\x10\x04\x04", 3, 500), 3);
	assert_int_equal(read_until(t, buf, 1, NULL), 1);
	assert_int_equal(buf[0] & 0x60, 0x60);
	transport_close(t);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* ---- parse ---------------------------------------------------------------- */

/* `wufei-devsim parse P < P.bin` prints exactly the readings or cards in
 * P.expect, in order: garbage, torn frames and bad checks yield nothing, a
 * held card yields one event. */
static void parse_capture(const char *proto)
{
	const char *src = getenv("WUFEI_SOURCE_DIR"), *bin = getenv("WUFEI_BIN_DIR");
	char path[600], cmd[1400], want[256], got[512];
	assert_non_null(src);
	assert_non_null(bin);
	snprintf(path, sizeof(path), "%s/tests/devices/captures/%s.expect", src, proto);
	FILE *ex = fopen(path, "r");
	assert_non_null(ex);
	char unit[8] = "";
	snprintf(cmd, sizeof(cmd), "%s/wufei-devsim parse %s < %s/tests/devices/captures/%s.bin",
	         bin, proto, src, proto);
	long pos = ftell(ex);
	if (fgets(want, sizeof(want), ex) && sscanf(want, "# unit %7s", unit) == 1) {
		size_t n = strlen(cmd);
		snprintf(cmd + n, sizeof(cmd) - n, " --unit %s", unit);
	} else {
		fseek(ex, pos, SEEK_SET);
	}
	FILE *out = popen(cmd, "r");
	assert_non_null(out);
	int lines = 0;
	while (fgets(want, sizeof(want), ex)) {
		want[strcspn(want, "\n")] = '\0';
		if (!fgets(got, sizeof(got), out))
			fail_msg("%s: missing line for '%s'", proto, want);
		json_t *o = json_loads(got, 0, NULL);
		assert_non_null(o);
		char have[256];
		if (json_object_get(o, "card"))
			snprintf(have, sizeof(have), "card=%s id=%s",
			         json_string_value(json_object_get(o, "card")),
			         json_string_value(json_object_get(o, "id")));
		else if (json_is_true(json_object_get(o, "status_only")))
			snprintf(have, sizeof(have), "status%s%s%s",
			         json_is_true(json_object_get(o, "overload")) ? " overload" : "",
			         json_is_true(json_object_get(o, "underload")) ? " underload" : "",
			         json_is_true(json_object_get(o, "motion")) ? " motion" : "");
		else
			snprintf(have, sizeof(have), "grams=%lld stable=%s",
			         (long long)json_integer_value(json_object_get(o, "grams")),
			         json_is_true(json_object_get(o, "stable")) ? "true" : "false");
		json_decref(o);
		if (strcmp(have, want))
			fail_msg("%s line %d: want '%s' got '%s'", proto, lines + 1, want, have);
		lines++;
	}
	if (fgets(got, sizeof(got), out))
		fail_msg("%s: unexpected extra line %s", proto, got);
	assert_int_equal(pclose(out), 0);
	fclose(ex);
	assert_true(lines >= 2);
}

static void test_parse_captures(void **state)
{
	(void)state;
	parse_capture("mt8217");
	parse_capture("mt-sics");
	parse_capture("cas-ci200");
	parse_capture("xk3190-a9");
	parse_capture("xk3190-eq");
	parse_capture("em4100");
}

static void test_parse_bad_usage(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "%s/wufei-devsim parse nosuch </dev/null 2>/dev/null",
	         getenv("WUFEI_BIN_DIR"));
	int st = system(cmd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	snprintf(cmd, sizeof(cmd), "%s/wufei-devsim parse mt8217 --unit oz </dev/null 2>/dev/null",
	         getenv("WUFEI_BIN_DIR"));
	st = system(cmd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_control_socket),
	    cmocka_unit_test(test_scales_serial),
	    cmocka_unit_test(test_scale_streams),
	    cmocka_unit_test(test_card_repeats_then_stops),
	    cmocka_unit_test(test_printer_native_qr),
	    cmocka_unit_test(test_printer_raster_and_corruption),
	    cmocka_unit_test(test_printer_status),
	    cmocka_unit_test(test_parse_captures),
	    cmocka_unit_test(test_parse_bad_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
