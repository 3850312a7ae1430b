/*
 * test_device_print.c — a printer's device thread (device_print.c) against
 * wufei-devsim: receipts built by the ESC/POS encoder decode from the
 * simulated printer's PNG (native and raster QR), paper and online status
 * refuse jobs with the reason, and a network printer (tcp:) reconnects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "device_test.h"
#include "escpos.h"
#include "wf.h"
#include "wf_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The kiosk's path end to end: a receipt built by the ESC/POS encoder
 * (devices/proto/escpos.h), printed by the device thread, decodes from the
 * simulated printer's PNG to the token, native and raster; raster bytes
 * corrupted in transit do not. */
static void print_encoded(struct devsim *ds, struct device *dev, struct device_queue *q,
                          bool raster, const char *token, char *png, size_t png_len)
{
	static uint8_t mem[64 * 1024];
	struct escpos_job j;
	struct seen seen = {0};
	struct device_event e;
	uint32_t id;
	escpos_begin(&j, mem, sizeof(mem));
	escpos_align(&j, ESCPOS_CENTER);
	escpos_line(&j, "WUFEI 无废 RECEIPT");
	assert_int_equal(raster ? escpos_qr_raster(&j, token, 5) : escpos_qr_native(&j, token, 5),
	                 0);
	escpos_cut(&j);
	assert_true(escpos_ok(&j));
	int before = receipts(ds, NULL, 0);
	assert_int_equal(device_print(dev, j.data, j.len, &id), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_PRINT_DONE, 0, NULL, &seen, &e));
	assert_int_equal(e.u.job_id, id);
	int r = 0;
	for (int t = 0; t < 1000 && (r = receipts(ds, png, png_len)) == before; t++)
		ms_sleep(5);
	assert_int_equal(r, before + 1);
}

static void test_escpos_encoder_end_to_end(void **state)
{
	(void)state;
	const char *token =
	    "HTTPS://WUFEI.EXAMPLE/R/AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYUCULBOGAZDINRYHI6D4";
	struct devsim ds;
	struct device_queue *q = device_queue_create(64);
	struct device *dev = NULL;
	struct seen seen = {0};
	char png[512], out[512];
	const char *args[] = {"--printer", "escpos", NULL};
	struct device_config cfg = {
	    .name = "printer", .role = DEVICE_ROLE_PRINTER, .protocol = "escpos"};
	assert_int_equal(devsim_start(&ds, args), 0);
	devsim_transport(&ds, "printer", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	print_encoded(&ds, dev, q, false, token, png, sizeof(png));
	zbar_expect(png, token);
	print_encoded(&ds, dev, q, true, token, png, sizeof(png));
	zbar_expect(png, token);
	cmd_ok(&ds, "corrupt printer on");
	print_encoded(&ds, dev, q, true, token, png, sizeof(png));
	int rc = wf_test_qr_read(png, out, sizeof(out));
	assert_false(rc == 0 && strncmp(out, token, strlen(token)) == 0);
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* Printer status: paper out and offline show in health and as events, and a
 * job is refused with the reason instead of vanishing into a dead printer. */
static void test_printer_status(void **state)
{
	(void)state;
	struct devsim ds;
	struct device_queue *q = device_queue_create(64);
	struct device *dev = NULL;
	struct seen seen = {0};
	struct device_event e;
	struct device_health h;
	uint8_t job[256];
	const char *args[] = {"--printer", "escpos", NULL};
	struct device_config cfg = {.name = "printer",
	                            .role = DEVICE_ROLE_PRINTER,
	                            .protocol = "escpos",
	                            .status_interval_ms = 100};
	assert_int_equal(devsim_start(&ds, args), 0);
	devsim_transport(&ds, "printer", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	assert_true(e.u.printer.known && e.u.printer.online && !e.u.printer.paper_out);

	cmd_ok(&ds, "paper printer out");
	assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	assert_true(e.u.printer.paper_out);
	assert_false(e.u.printer.online);
	device_health(dev, &h);
	assert_true(h.printer.paper_out);
	assert_int_equal(device_print(dev, job, job_native(job, "HTTPS://X/R/1"), NULL), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_PRINT_FAILED, 0, NULL, &seen, &e));
	assert_non_null(strstr(e.reason, "paper"));

	cmd_ok(&ds, "paper printer near");
	assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	assert_true(e.u.printer.paper_low && e.u.printer.online && !e.u.printer.paper_out);
	cmd_ok(&ds, "offline printer on");
	assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	assert_false(e.u.printer.online);
	assert_int_equal(device_print(dev, job, job_native(job, "HTTPS://X/R/2"), NULL), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_PRINT_FAILED, 0, NULL, &seen, &e));
	assert_non_null(strstr(e.reason, "offline"));
	assert_int_equal(receipts(&ds, NULL, 0), 0);

	cmd_ok(&ds, "offline printer off");
	cmd_ok(&ds, "paper printer ok");
	assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	if (!e.u.printer.online || e.u.printer.paper_low) /* the two changes may show apart */
		assert_true(wait_for(q, DEVICE_EVENT_PRINTER_STATUS, 0, NULL, &seen, &e));
	assert_true(e.u.printer.online && !e.u.printer.paper_low);
	assert_int_equal(device_print(dev, job, job_native(job, "HTTPS://X/R/3"), NULL), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_PRINT_DONE, 0, NULL, &seen, &e));
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* A network printer (tcp:HOST:PORT, as on port 9100): prints, notices the
 * peer going away, reconnects when it listens again. */
static void test_tcp_printer(void **state)
{
	(void)state;
	struct devsim ds;
	struct device_queue *q = device_queue_create(64);
	struct device *dev = NULL;
	struct seen seen = {0};
	const char *args[] = {"--printer", "escpos", "--tcp", NULL};
	struct device_config cfg = {
	    .name = "printer", .role = DEVICE_ROLE_PRINTER, .protocol = "escpos"};
	assert_int_equal(devsim_start(&ds, args), 0);
	json_t *o = json_loads(ds.json, 0, NULL);
	const char *tcp = json_string_value(
	    json_object_get(json_object_get(json_object_get(o, "devices"), "printer"), "tcp"));
	assert_non_null(tcp);
	snprintf(cfg.transport, sizeof(cfg.transport), "%s", tcp);
	json_decref(o);
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	after_up(&ds, dev, q, K_PRINTER, 0, &seen, 2);
	cmd_ok(&ds, "unplug printer");
	assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, NULL));
	cmd_ok(&ds, "replug printer");
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	after_up(&ds, dev, q, K_PRINTER, 1, &seen, 2);
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tcp_printer),
	    cmocka_unit_test(test_printer_status),
	    cmocka_unit_test(test_escpos_encoder_end_to_end),
	};
	if (argc > 1) /* one test by name: test_device_print test_NAME */
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
