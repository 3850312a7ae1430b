/* test_config_sound.c — kiosk.ini's [sound]: the volume, its bounds, printed back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "wf.h"
#include "wf_test.h"

static char g_dir[256];

static const char *minimal = "[kiosk]\nnumber = 17\nname = Test kiosk\nledger = /tmp/x.db\n";

static int setup(void **state)
{
	(void)state;
	return wf_test_tmpdir("config-sound", g_dir, sizeof g_dir);
}

static int teardown(void **state)
{
	(void)state;
	return wf_test_rmtree(g_dir);
}

/* minimal + more as DIR/kiosk.ini, loaded. */
static int load(const char *more, struct kiosk_config *cfg, struct config_errors *errs)
{
	char path[300], text[512];
	snprintf(path, sizeof path, "%s/kiosk.ini", g_dir);
	snprintf(text, sizeof text, "%s%s", minimal, more);
	assert_int_equal(wf_test_write_file(path, text), 0);
	return config_load(path, cfg, errs);
}

static bool has_error(const struct config_errors *e, const char *needle)
{
	for (unsigned i = 0; i < e->n; i++)
		if (strstr(e->msg[i], needle))
			return true;
	return false;
}

static void test_volume(void **state)
{
	(void)state;
	struct kiosk_config cfg;
	struct config_errors errs;
	assert_int_equal(load("", &cfg, &errs), WF_OK);
	assert_int_equal(cfg.volume, CONFIG_VOLUME_DEFAULT);
	assert_int_equal(load("[sound]\nvolume = 0\n", &cfg, &errs), WF_OK);
	assert_int_equal(cfg.volume, 0);
	assert_int_equal(load("[sound]\nvolume = 100\n", &cfg, &errs), WF_OK);
	assert_int_equal(cfg.volume, 100);
	assert_int_equal(load("[sound]\nvolume = 101\n", &cfg, &errs), WF_EINVAL);
	assert_true(has_error(&errs, ":6: [sound] volume = '101': must be a whole number 0..100"));
	assert_int_equal(load("[sound]\nvolume = loud\n", &cfg, &errs), WF_EINVAL);
	assert_true(has_error(&errs, "[sound] volume = 'loud'"));
	assert_int_equal(load("[sound]\nbass = 3\n", &cfg, &errs), WF_EINVAL);
	assert_true(has_error(&errs, "[sound] bass = '3': unknown key"));
}

/* The printed configuration says the volume and loads back to it. */
static void test_printed(void **state)
{
	(void)state;
	struct kiosk_config a, b;
	struct config_errors errs;
	assert_int_equal(load("[sound]\nvolume = 35\n", &a, &errs), WF_OK);
	char path[300];
	snprintf(path, sizeof path, "%s/printed.ini", g_dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	config_print(&a, f);
	fclose(f);
	assert_int_equal(config_load(path, &b, &errs), WF_OK);
	assert_int_equal(b.volume, 35);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_volume, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_printed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
