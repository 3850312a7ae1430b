/*
 * sim_parse.c — `wufei-devsim parse PROTOCOL [--unit kg|g|lb|t]
 * [--digit-order normal|reversed]`: raw bytes
 * captured from a real device on stdin, one JSON line per reading or card
 * event on stdout. The tool a technician runs on an installation
 * (e.g. `cat /dev/ttyUSB0 | wufei-devsim parse mt-sics`), and one the tests use.
 *
 * It goes through the same protocol adapter as the device threads, so what it
 * prints is what the kiosk would see. Time for the card de-duplication ("one
 * tap, one event") is the byte time at 9600 baud, as a capture has no clock.
 */
#include "device_codec.h"
#include "sim.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void print_event(const struct device_event *e)
{
	json_t *o = NULL;
	if (e->kind == DEVICE_EVENT_READING) {
		const struct device_reading *r = &e->u.reading;
		o = json_pack("{s:I, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "grams",
		              (json_int_t)r->grams, "stable", r->stable, "motion", r->motion, "net",
		              r->net, "overload", r->overload, "underload", r->underload, "zero",
		              r->zero, "status_only", r->status_only);
	} else if (e->kind == DEVICE_EVENT_CARD) {
		o = json_pack("{s:s, s:s}", "card", e->u.card.number, "id", e->u.card.id);
	} else if (e->kind == DEVICE_EVENT_NOTICE) {
		o = json_pack("{s:s}", "notice", e->reason);
	} else if (e->kind == DEVICE_EVENT_PRINTER_STATUS) {
		const struct device_printer_status *p = &e->u.printer;
		o = json_pack("{s:{s:b, s:b, s:b}}", "printer", "online", p->online, "paper_out",
		              p->paper_out, "paper_low", p->paper_low);
	}
	char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (t)
		printf("%s\n", t);
	free(t);
	json_decref(o);
}

/* "unknown protocol (mt8217 mt-sics ... escpos)": those with a port. */
static void unknown_protocol(void)
{
	fprintf(stderr, "wufei-devsim parse: unknown protocol (");
	const struct protocol *p;
	const char *sep = "";
	for (size_t i = 0; (p = protocol_at(i)); i++) {
		if (p->line) {
			fprintf(stderr, "%s%s", sep, p->name);
			sep = " ";
		}
	}
	fprintf(stderr, ")\n");
}

static int parse_usage(void)
{
	fprintf(stderr, "usage: wufei-devsim parse PROTOCOL [--unit kg|g|lb|t] [--digit-order "
	                "normal|reversed] < capture\n");
	return 2;
}

int sim_parse_main(int argc, char **argv)
{
	struct device_config cfg = {0};
	struct device_codec *c = NULL;
	char err[160];
	if (argc < 2)
		return parse_usage();
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			return parse_usage();
		if (!strcmp(argv[i], "--unit") && strlen(argv[i + 1]) < sizeof(cfg.unit))
			snprintf(cfg.unit, sizeof(cfg.unit), "%s", argv[i + 1]);
		else if (!strcmp(argv[i], "--digit-order") &&
		         (!strcmp(argv[i + 1], "normal") || !strcmp(argv[i + 1], "reversed")))
			cfg.digits_normal = !strcmp(argv[i + 1], "normal");
		else
			return parse_usage();
	}
	const struct protocol *p = protocol_find(argv[1]);
	if (!p || !p->line) {
		unknown_protocol();
		return 2;
	}
	snprintf(cfg.protocol, sizeof(cfg.protocol), "%s", p->name);
	cfg.role = p->role;
	if (device_codec_create(&cfg, &c, err, sizeof(err)) != WF_OK) {
		fprintf(stderr, "wufei-devsim parse: %s\n", err);
		return 2;
	}
	uint8_t buf[4096];
	uint64_t total = 0;
	for (;;) {
		ssize_t n = read(0, buf, sizeof(buf));
		if (n <= 0)
			break;
		/* byte by byte so the byte clock is exact for each frame */
		for (ssize_t i = 0; i < n; i++) {
			struct device_event e;
			total++;
			device_codec_feed(c, buf + i, 1, (int64_t)(total * 10000 / 9600));
			while (device_codec_next(c, &e))
				print_event(&e);
		}
	}
	fflush(stdout);
	device_codec_destroy(c);
	return 0;
}
