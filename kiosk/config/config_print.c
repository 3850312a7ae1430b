/* config_print.c — the effective configuration as INI text (config.h). */
#include "config_private.h"

#include <inttypes.h>
#include <string.h>

#include "protocol.h"

/* A device's serial line, as the keys that set it. */
static void print_line(const struct transport_line *l, FILE *out)
{
	static const char *const flows[] = {"none", "rtscts", "xonxoff"};
	if (l->baud)
		fprintf(out, "baud = %d\n", l->baud);
	if (l->data_bits)
		fprintf(out, "data_bits = %d\n", l->data_bits);
	if (l->parity)
		fprintf(out, "parity = %s\n",
		        l->parity == 'E'   ? "even"
		        : l->parity == 'O' ? "odd"
		                           : "none");
	if (l->stop_bits)
		fprintf(out, "stop_bits = %d\n", l->stop_bits);
	if ((unsigned)l->flow < sizeof flows / sizeof flows[0] && l->flow)
		fprintf(out, "flow = %s\n", flows[l->flow]);
}

/* The printer's keys (config.h, struct config_printer). */
static void print_printer(const struct config_printer *p, FILE *out)
{
	static const char *const cuts[] = {"gs-v-66", "gs-v-0", "gs-v-1"};
	fprintf(out, "qr = %s\nchinese = %s\npaper_mm = %d\ncut = %s\n",
	        p->qr == CONFIG_QR_RASTER ? "raster" : "native",
	        p->chinese == CONFIG_CHINESE_GB18030 ? "gb18030" : "raster", p->paper_mm,
	        cuts[p->cut]);
}

void config_print(const struct kiosk_config *c, FILE *out)
{
	const struct session_config *s = &c->session;
	fprintf(out, "[kiosk]\nnumber = %u\nname = %s\ntimezone = %s\nledger = %s\n", c->number,
	        c->name, c->timezone, c->ledger_path);
	if (*c->fixture_path)
		fprintf(out, "fixture = %s\n", c->fixture_path);
	if (*c->key_file)
		fprintf(out, "key_file = %s\n", c->key_file);
	fprintf(out, "key_id = %u\n\n[central]\n", c->key_id);
	if (*c->central_url)
		fprintf(out, "url = %s\n", c->central_url);
	if (*c->ca_file)
		fprintf(out, "ca_file = %s\n", c->ca_file);
	fprintf(out, "receipt_base_url = %s\nbackoff_cap_s = %d\n", c->receipt_base_url,
	        c->backoff_cap_s);
	if (c->keep_records)
		fprintf(out, "keep_records = %" PRId64 "\n", c->keep_records);
	else
		fputs("# keep_records: the sync client's default\n", out);
	fputs("\n", out);
	fprintf(out, "[screen]\nwidth = %d\nheight = %d\nfullscreen = %s\nlanguage = %s\n",
	        c->width, c->height, c->fullscreen ? "true" : "false", c->language);
	if (*c->font)
		fprintf(out, "font = %s\n", c->font);
	fprintf(out, "dpi = %d\n", c->dpi);
	if (*c->help_nearest)
		fprintf(out, "help_nearest = %s\n", c->help_nearest);
	if (*c->help_phone)
		fprintf(out, "help_phone = %s\n", c->help_phone);
	fprintf(out, "\n[session]\n");
	for (size_t i = 0; i < config_nsession_keys; i++) {
		const struct config_num_key *k = &config_session_keys[i];
		int64_t v = *(const int64_t *)((const char *)s + k->off);
		fprintf(out, "%s = %lld\n", k->name, (long long)(v / k->scale));
	}
	fprintf(out, "max_pin_attempts = %u\nallow_anonymous = %s\n", s->max_pin_attempts,
	        s->allow_anonymous ? "true" : "false");
	config_print_sound(c, out);
	config_print_metrics(c, out);
	for (unsigned i = 0; i < c->ndevices; i++) {
		const struct device_config *d = &c->devices[i];
		fprintf(out, "\n[device.%s]\nrole = %s\ntransport = %s\nprotocol = %s\n", d->name,
		        protocol_role_name(d->role), d->transport, d->protocol);
		if (*d->unit)
			fprintf(out, "unit = %s\n", d->unit);
		if (!strcmp(d->protocol, "xk3190-eq"))
			fprintf(out, "digit_order = %s\n",
			        d->digits_normal ? "normal" : "reversed");
		print_line(&d->line, out);
		if (d->role == DEVICE_ROLE_PRINTER)
			print_printer(&c->printer, out);
	}
	if (c->wedge.present)
		fprintf(out,
		        "\n[device.%s]\nrole = card\nprotocol = wedge\ntechnology = %s\n"
		        "base = %s\ndigits = %u\n",
		        c->wedge.name, c->wedge.technology, c->wedge.hex ? "hex" : "decimal",
		        c->wedge.digits);
}
