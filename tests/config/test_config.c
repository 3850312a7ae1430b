/* test_config.c — kiosk.ini loading: every key checked, errors name file:line:key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "wf.h"
#include "wf_test.h"

static char g_dir[256];

static void write_file(const char *path, const char *text)
{
	assert_int_equal(wf_test_write_file(path, text), 0);
}

static const char *minimal = "[kiosk]\n"
                             "number = 17\n"
                             "name = Test kiosk\n"
                             "ledger = /tmp/x.db\n";

static int setup(void **state)
{
	(void)state;
	return wf_test_tmpdir("config", g_dir, sizeof g_dir);
}

static int teardown(void **state)
{
	(void)state;
	return wf_test_rmtree(g_dir);
}

/* Loads text as DIR/kiosk.ini; returns config_load's result. */
static int load(const char *text, struct kiosk_config *cfg, struct config_errors *errs)
{
	char path[300];
	snprintf(path, sizeof path, "%s/kiosk.ini", g_dir);
	write_file(path, text);
	return config_load(path, cfg, errs);
}

static bool has_error(const struct config_errors *e, const char *needle)
{
	for (unsigned i = 0; i < e->n; i++)
		if (strstr(e->msg[i], needle))
			return true;
	return false;
}

static void print_errors(const struct config_errors *e)
{
	for (unsigned i = 0; i < e->n; i++)
		printf("  %s\n", e->msg[i]);
}

static void test_example_config_loads(void **state)
{
	(void)state;
	struct kiosk_config cfg;
	struct config_errors errs;
	char path[512];
	snprintf(path, sizeof path, "%s/packaging/kiosk.ini", getenv("WUFEI_SOURCE_DIR"));
	int rc = config_load(path, &cfg, &errs);
	print_errors(&errs);
	assert_int_equal(rc, WF_OK);
	assert_int_equal(cfg.number, 17);
	assert_string_equal(cfg.timezone, "Asia/Shanghai");
	assert_int_equal(cfg.session.stable_time_ms, 1500);
	assert_int_equal(cfg.session.timeout_weigh_ms, 60000);
	assert_int_equal(cfg.session.lockout_ms, 300000);
	assert_true(cfg.session.allow_anonymous);
	assert_int_equal(cfg.ndevices, 3);
	const struct device_config *scale = config_device(&cfg, DEVICE_ROLE_SCALE);
	assert_non_null(scale);
	assert_string_equal(scale->protocol, "xk3190-a9");
	assert_string_equal(scale->unit, "kg");
	assert_int_equal(scale->line.baud, 9600);
	assert_int_equal(scale->line.parity, 'N');
	assert_non_null(config_device(&cfg, DEVICE_ROLE_PRINTER));
	assert_int_equal(cfg.printer.qr, CONFIG_QR_NATIVE);
	assert_int_equal(cfg.printer.chinese, CONFIG_CHINESE_RASTER);
	assert_int_equal(cfg.printer.paper_mm, 80);
	assert_int_equal(cfg.printer.cut, CONFIG_CUT_GS_V_66);
	assert_false(cfg.wedge.present);
}

static void test_demo_config_loads(void **state)
{
	(void)state;
	struct kiosk_config cfg;
	struct config_errors errs;
	char path[512];
	snprintf(path, sizeof path, "%s/packaging/demo/kiosk.ini", getenv("WUFEI_SOURCE_DIR"));
	int rc = config_load(path, &cfg, &errs);
	print_errors(&errs);
	assert_int_equal(rc, WF_OK);
}

static void test_minimal_defaults(void **state)
{
	(void)state;
	struct kiosk_config cfg;
	struct config_errors errs;
	assert_int_equal(load(minimal, &cfg, &errs), WF_OK);
	assert_int_equal(errs.total, 0);
	assert_string_equal(cfg.timezone, "UTC");
	assert_string_equal(cfg.language, "zh");
	assert_int_equal(cfg.width, 1080);
	assert_int_equal(cfg.session.max_pin_attempts, 3);
	assert_string_equal(cfg.receipt_base_url, "HTTPS://R.WUFEI.CN");
	assert_int_equal(cfg.keep_records, 0); /* the sync client's default */
	assert_int_equal(cfg.ndevices, 0);
	assert_int_equal(cfg.printer.qr, CONFIG_QR_NATIVE);
	assert_int_equal(cfg.printer.chinese, CONFIG_CHINESE_RASTER);
	assert_int_equal(cfg.printer.paper_mm, 58);
	assert_int_equal(cfg.printer.cut, CONFIG_CUT_GS_V_66);
}

/* The receipt printer's keys, and what --print-config says of them. */
static void test_printer_keys(void **state)
{
	(void)state;
	struct kiosk_config cfg;
	struct config_errors errs;
	char text[1024];
	snprintf(text, sizeof text,
	         "%s[device.printer]\nrole = printer\ntransport = tcp:h:9100\nprotocol = escpos\n"
	         "qr = raster\nchinese = gb18030\npaper_mm = 80\ncut = gs-v-1\n",
	         minimal);
	assert_int_equal(load(text, &cfg, &errs), WF_OK);
	assert_int_equal(cfg.printer.qr, CONFIG_QR_RASTER);
	assert_int_equal(cfg.printer.chinese, CONFIG_CHINESE_GB18030);
	assert_int_equal(cfg.printer.paper_mm, 80);
	assert_int_equal(cfg.printer.cut, CONFIG_CUT_GS_V_1);
	char out[4096] = "";
	FILE *f = fmemopen(out, sizeof out - 1, "w");
	assert_non_null(f);
	config_print(&cfg, f);
	fclose(f);
	assert_non_null(
	    strstr(out, "qr = raster\nchinese = gb18030\npaper_mm = 80\ncut = gs-v-1\n"));
}

/* A device's line defaults to what its protocol usually runs at, key by
 * key: a Mettler Toledo 8217 talks 7E1, and commands sent 8N1 would reach
 * it with the wrong parity bit. A key kiosk.ini sets wins. */
static void test_device_line_from_protocol(void **state)
{
	(void)state;
	struct kiosk_config cfg;
	struct config_errors errs;
	char text[1024];
	snprintf(text, sizeof text,
	         "%s[device.scale]\nrole = scale\ntransport = serial:/dev/ttyS0\n"
	         "protocol = mt8217\n"
	         "[device.cards]\nrole = card\ntransport = serial:/dev/ttyS1\n"
	         "protocol = em4100\nbaud = 19200\nparity = odd\n",
	         minimal);
	assert_int_equal(load(text, &cfg, &errs), WF_OK);
	const struct device_config *scale = config_device(&cfg, DEVICE_ROLE_SCALE);
	assert_non_null(scale);
	assert_int_equal(scale->line.baud, 9600);
	assert_int_equal(scale->line.data_bits, 7);
	assert_int_equal(scale->line.parity, 'E');
	assert_int_equal(scale->line.stop_bits, 1);
	const struct device_config *cards = config_device(&cfg, DEVICE_ROLE_CARD);
	assert_non_null(cards);
	assert_int_equal(cards->line.baud, 19200);
	assert_int_equal(cards->line.data_bits, 8);
	assert_int_equal(cards->line.parity, 'O');
}

static void test_missing_file(void **state)
{
	(void)state;
	struct kiosk_config cfg;
	struct config_errors errs;
	assert_int_equal(config_load("/nonexistent/kiosk.ini", &cfg, &errs), WF_ENOENT);
	assert_true(has_error(&errs, "/nonexistent/kiosk.ini: cannot read"));
}

struct bad_case {
	const char *text;   /* appended to the minimal config */
	const char *needle; /* expected in one error message */
};

/* Each bad value is on line 5 (after the 4 minimal lines) unless it opens a section. */
static const struct bad_case bad_cases[] = {
    {"number = 12x\n", ":5: [kiosk] number = '12x': must be a whole number"},
    {"number = 0\n", ":5: [kiosk] number = '0'"},
    {"number = 99999999999\n", ":5: [kiosk] number = '99999999999'"},
    {"colour = red\n", ":5: [kiosk] colour = 'red': unknown key"},
    {"timezone = Mars/Olympus\n", ":5: [kiosk] timezone = 'Mars/Olympus': not a time zone"},
    {"timezone = ../../etc/passwd\n", ":5: [kiosk] timezone"},
    {"[weather]\nsunny = yes\n", ":6: [weather] sunny = 'yes': unknown section"},
    {"[central]\nreceipt_base_url = HTTPS://A-VERY-LONG-HOST-NAME.EXAMPLE.CN\n",
     ":6: [central] receipt_base_url"},
    {"[central]\nreceipt_base_url = https://lower.case\n", ":6: [central] receipt_base_url"},
    {"[central]\nurl = ftp://x\n", ":6: [central] url = 'ftp://x': must start with http"},
    {"[central]\nkeep_records = 10\n", ":6: [central] keep_records = '10': must be a whole"},
    {"[screen]\nlanguage = fr\n", ":6: [screen] language = 'fr': must be zh or en"},
    {"[screen]\nfullscreen = perhaps\n", ":6: [screen] fullscreen = 'perhaps'"},
    {"[session]\nstable_time_ms = 5\n", ":6: [session] stable_time_ms = '5'"},
    {"[session]\nweigh_s = -1\n", ":6: [session] weigh_s = '-1'"},
    {"[session]\nmax_pin_attempts = 0\n", ":6: [session] max_pin_attempts = '0'"},
    {"[session]\nallow_anonymous = 2\n", ":6: [session] allow_anonymous = '2'"},
    {"[device.scale]\nrole = scale\ntransport = serial:/dev/ttyS0\nprotocol = acme\n",
     ":8: [device.scale] protocol = 'acme'"},
    {"[device.scale]\nrole = blender\n", ":6: [device.scale] role = 'blender'"},
    {"[device.scale]\nrole = scale\ntransport = /dev/ttyS0\nprotocol = mt8217\n",
     ":7: [device.scale] transport = '/dev/ttyS0'"},
    {"[device.scale]\nrole = scale\ntransport = serial:/dev/ttyS0\nprotocol = mt8217\n"
     "baud = 9601\n",
     ":9: [device.scale] baud = '9601'"},
    {"[device.scale]\nrole = scale\ntransport = serial:/dev/ttyS0\nprotocol = mt8217\n"
     "parity = maybe\n",
     ":9: [device.scale] parity = 'maybe'"},
    {"[device.scale]\nrole = scale\ntransport = serial:/dev/ttyS0\nprotocol = mt8217\n"
     "unit = stone\n",
     ":9: [device.scale] unit = 'stone'"},
    {"[device.scale]\nrole = scale\nprotocol = mt8217\n", "[device.scale]: role, transport and "
                                                          "protocol are required"},
    {"[device.scale]\nrole = printer\ntransport = tcp:h:9100\nprotocol = mt8217\n",
     "[device.scale] protocol mt8217 does not fit role"},
    {"[device.a]\nrole = scale\ntransport = tcp:h:1\nprotocol = mt8217\n"
     "[device.b]\nrole = scale\ntransport = tcp:h:2\nprotocol = mt-sics\n",
     "only one scale per kiosk"},
    {"[device.w]\nrole = card\nprotocol = wedge\ndigits = 99\n", ":8: [device.w] digits = '99'"},
    {"[device.s]\nrole = card\ntransport = tcp:h:1\nprotocol = em4100\ndigits = 10\n",
     "technology, base and digits are for protocol wedge only"},
    {"[device.p]\nchinese = big5\n", ":6: [device.p] chinese = 'big5': must be raster or gb18030"},
    {"[device.p]\npaper_mm = 76\n", ":6: [device.p] paper_mm = '76': must be 58 or 80"},
    {"[device.p]\ncut = gs-v-65\n", ":6: [device.p] cut = 'gs-v-65': must be gs-v-66, gs-v-0"},
    {"[device.s]\nrole = scale\ntransport = tcp:h:1\nprotocol = mt8217\npaper_mm = 80\n",
     "[device.s]: qr, chinese, paper_mm and cut are for the printer only"},
    {"this line is not ini\n", ":5: not an INI line"},
};

static void test_bad_values_named(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		char text[1024];
		snprintf(text, sizeof text, "%s%s", minimal, bad_cases[i].text);
		struct kiosk_config cfg;
		struct config_errors errs;
		int rc = load(text, &cfg, &errs);
		if (rc != WF_EINVAL || !has_error(&errs, bad_cases[i].needle)) {
			printf("case %zu: expected '%s', got rc %d:\n", i, bad_cases[i].needle, rc);
			print_errors(&errs);
			fail();
		}
		/* The file name is in the message too. */
		assert_true(has_error(&errs, "/kiosk.ini"));
	}
}

static void test_required_keys(void **state)
{
	(void)state;
	struct kiosk_config cfg;
	struct config_errors errs;
	assert_int_equal(load("[kiosk]\nname = x\n", &cfg, &errs), WF_EINVAL);
	assert_true(has_error(&errs, "[kiosk] number: required key missing"));
	assert_true(has_error(&errs, "[kiosk] ledger: required key missing"));
	assert_false(has_error(&errs, "[kiosk] name: required"));
}

static void test_all_errors_collected(void **state)
{
	(void)state;
	struct kiosk_config cfg;
	struct config_errors errs;
	const char *text = "[kiosk]\nnumber = x\nname = n\nledger = /l\n[screen]\nwidth = 1\n"
	                   "language = de\n";
	assert_int_equal(load(text, &cfg, &errs), WF_EINVAL);
	assert_int_equal(errs.total, 3);
	assert_true(has_error(&errs, ":2: [kiosk] number"));
	assert_true(has_error(&errs, ":6: [screen] width"));
	assert_true(has_error(&errs, ":7: [screen] language"));
}

static void test_dropins_override_in_order(void **state)
{
	(void)state;
	char d[320], p[400];
	snprintf(d, sizeof d, "%s/kiosk.ini.d", g_dir);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(p, sizeof p, "%s/20-late.ini", d);
	write_file(p, "[kiosk]\nname = late\n[session]\nweigh_s = 45\n");
	snprintf(p, sizeof p, "%s/10-early.ini", d);
	write_file(p, "[kiosk]\nname = early\ntimezone = Asia/Shanghai\n");
	snprintf(p, sizeof p, "%s/ignored.txt", d);
	write_file(p, "[nonsense]\n");
	struct kiosk_config cfg;
	struct config_errors errs;
	assert_int_equal(load(minimal, &cfg, &errs), WF_OK);
	assert_string_equal(cfg.name, "late");
	assert_string_equal(cfg.timezone, "Asia/Shanghai");
	assert_int_equal(cfg.session.timeout_weigh_ms, 45000);

	/* An error in a drop-in names the drop-in file and its line. */
	snprintf(p, sizeof p, "%s/30-bad.ini", d);
	write_file(p, "\n[kiosk]\nkey_id = 300\n");
	assert_int_equal(load(minimal, &cfg, &errs), WF_EINVAL);
	assert_true(has_error(&errs, "kiosk.ini.d/30-bad.ini:3: [kiosk] key_id = '300'"));
}

static void test_wedge_reader(void **state)
{
	(void)state;
	char text[512];
	snprintf(text, sizeof text,
	         "%s[device.reader]\ndigits = 8\nrole = card\nprotocol = wedge\nbase = hex\n"
	         "technology = mifare\n[device.scale]\nrole = scale\ntransport = tcp:h:4001\n"
	         "protocol = cas-ci200\n",
	         minimal);
	struct kiosk_config cfg;
	struct config_errors errs;
	int rc = load(text, &cfg, &errs);
	print_errors(&errs);
	assert_int_equal(rc, WF_OK);
	assert_true(cfg.wedge.present);
	assert_string_equal(cfg.wedge.name, "reader");
	assert_string_equal(cfg.wedge.technology, "mifare");
	assert_true(cfg.wedge.hex);
	assert_int_equal(cfg.wedge.digits, 8);
	assert_int_equal(cfg.ndevices, 1); /* the wedge has no port */
	assert_string_equal(cfg.devices[0].protocol, "cas-ci200");
	assert_null(config_device(&cfg, DEVICE_ROLE_CARD));
}

static void test_print_round_trip(void **state)
{
	(void)state;
	struct kiosk_config a, b;
	struct config_errors errs;
	char src[512], out[320];
	snprintf(src, sizeof src, "%s/packaging/kiosk.ini", getenv("WUFEI_SOURCE_DIR"));
	assert_int_equal(config_load(src, &a, &errs), WF_OK);
	snprintf(out, sizeof out, "%s/printed.ini", g_dir);
	FILE *f = fopen(out, "w");
	assert_non_null(f);
	config_print(&a, f);
	fclose(f);
	int rc = config_load(out, &b, &errs);
	print_errors(&errs);
	assert_int_equal(rc, WF_OK);
	assert_memory_equal(&a.session, &b.session, sizeof a.session);
	assert_int_equal(a.ndevices, b.ndevices);
	assert_string_equal(a.devices[0].transport, b.devices[0].transport);
	assert_string_equal(a.name, b.name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_example_config_loads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_demo_config_loads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_minimal_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_printer_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_device_line_from_protocol, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_values_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_required_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_all_errors_collected, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dropins_override_in_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wedge_reader, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_print_round_trip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
