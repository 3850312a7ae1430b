/*
 * config_devices.c — [device.NAME] sections: each key validated; after all
 * files, each device complete, fitting its role, and its serial line filled
 * key by key from the line its protocol usually runs at (protocol.h: a
 * Mettler Toledo 8217 is 7E1), so kiosk.ini names only what differs.
 */
#include "config_private.h"

#include <string.h>

#include "protocol.h"
#include "wf.h"

/* Protocols, their roles and which have no port: protocol.h's one list. */
bool config_portless(const char *name)
{
	const struct protocol *p = protocol_find(name);
	return p && !p->line; /* wedge: a keyboard-wedge reader types through SDL */
}

static int device_slot(struct loader *L, const char *name)
{
	struct kiosk_config *c = L->cfg;
	for (unsigned i = 0; i < c->ndevices; i++)
		if (!strcmp(c->devices[i].name, name))
			return (int)i;
	if (c->ndevices >= CONFIG_DEVICES_MAX)
		return -1;
	int i = (int)c->ndevices++;
	snprintf(c->devices[i].name, sizeof c->devices[i].name, "%s", name);
	L->dev_file[i] = L->file;
	L->dev_line[i] = L->line;
	L->dev_wedge[i] = L->cfg->wedge; /* defaults */
	return i;
}

/* Keys only a keyboard-wedge reader has; returns false if key is not one. */
static bool on_wedge_key(struct loader *L, int i, const char *sec, const char *key, const char *v)
{
	struct config_wedge *w = &L->dev_wedge[i];
	int64_t x;
	if (!strcmp(key, "technology")) {
		bool ok = *v && strlen(v) < sizeof w->technology;
		for (const char *p = v; ok && *p; p++)
			ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
		if (!ok)
			config_bad(L, sec, key, v, "must be 1..15 characters a-z 0-9");
		else
			config_copy_text(w->technology, sizeof w->technology, v);
	} else if (!strcmp(key, "base")) {
		if (strcmp(v, "decimal") && strcmp(v, "hex"))
			config_bad(L, sec, key, v, "must be decimal or hex");
		else
			w->hex = !strcmp(v, "hex");
	} else if (!strcmp(key, "digits")) {
		if (!config_parse_i64(v, 4, 20, &x))
			config_bad(L, sec, key, v, "must be a whole number 4..20");
		else
			w->digits = (unsigned)x;
	} else {
		return false;
	}
	L->dev_wedge_key[i] = true;
	return true;
}

/* The printer's keys (config.h, struct config_printer); returns false if key
 * is not one. */
static bool on_printer_key(struct loader *L, const char *sec, const char *key, const char *v)
{
	struct config_printer *p = &L->cfg->printer;
	if (!strcmp(key, "qr")) {
		if (strcmp(v, "native") && strcmp(v, "raster"))
			config_bad(L, sec, key, v, "must be native or raster");
		else
			p->qr = !strcmp(v, "raster") ? CONFIG_QR_RASTER : CONFIG_QR_NATIVE;
	} else if (!strcmp(key, "chinese")) {
		if (strcmp(v, "raster") && strcmp(v, "gb18030"))
			config_bad(L, sec, key, v, "must be raster or gb18030");
		else
			p->chinese =
			    !strcmp(v, "gb18030") ? CONFIG_CHINESE_GB18030 : CONFIG_CHINESE_RASTER;
	} else if (!strcmp(key, "paper_mm")) {
		if (strcmp(v, "58") && strcmp(v, "80"))
			config_bad(L, sec, key, v, "must be 58 or 80");
		else
			p->paper_mm = !strcmp(v, "80") ? 80 : 58;
	} else if (!strcmp(key, "cut")) {
		if (!strcmp(v, "gs-v-66"))
			p->cut = CONFIG_CUT_GS_V_66;
		else if (!strcmp(v, "gs-v-0"))
			p->cut = CONFIG_CUT_GS_V_0;
		else if (!strcmp(v, "gs-v-1"))
			p->cut = CONFIG_CUT_GS_V_1;
		else
			config_bad(L, sec, key, v, "must be gs-v-66, gs-v-0 or gs-v-1");
	} else {
		return false;
	}
	return true;
}

static void on_line_key(struct loader *L, const char *sec, struct device_config *d, const char *key,
                        const char *v)
{
	int64_t x;
	if (!strcmp(key, "baud")) {
		static const int64_t ok[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
		bool found = config_parse_i64(v, 1, 1000000, &x);
		bool std = false;
		for (unsigned i = 0; found && i < sizeof ok / sizeof ok[0]; i++)
			std = std || ok[i] == x;
		if (!std)
			config_bad(L, sec, key, v,
			           "must be one of 1200 2400 4800 9600 19200 38400 57600 115200");
		else
			d->line.baud = (int)x;
	} else if (!strcmp(key, "data_bits")) {
		if (!config_parse_i64(v, 5, 8, &x))
			config_bad(L, sec, key, v, "must be 5..8");
		else
			d->line.data_bits = (int)x;
	} else if (!strcmp(key, "parity")) {
		if (!strcmp(v, "none"))
			d->line.parity = 'N';
		else if (!strcmp(v, "even"))
			d->line.parity = 'E';
		else if (!strcmp(v, "odd"))
			d->line.parity = 'O';
		else
			config_bad(L, sec, key, v, "must be none, even or odd");
	} else if (!strcmp(key, "stop_bits")) {
		if (!config_parse_i64(v, 1, 2, &x))
			config_bad(L, sec, key, v, "must be 1 or 2");
		else
			d->line.stop_bits = (int)x;
	} else if (!strcmp(key, "flow")) {
		if (!strcmp(v, "none"))
			d->line.flow = TRANSPORT_FLOW_NONE;
		else if (!strcmp(v, "rtscts"))
			d->line.flow = TRANSPORT_FLOW_RTSCTS;
		else if (!strcmp(v, "xonxoff"))
			d->line.flow = TRANSPORT_FLOW_XONXOFF;
		else
			config_bad(L, sec, key, v, "must be none, rtscts or xonxoff");
	} else {
		config_bad(L, sec, key, v, "unknown key");
	}
}

void config_on_device(struct loader *L, const char *sec, const char *name, const char *key,
                      const char *v)
{
	struct kiosk_config *c = L->cfg;
	size_t nlen = strlen(name);
	bool name_ok = nlen > 0 && nlen < DEVICE_NAME_MAX;
	for (const char *p = name; name_ok && *p; p++)
		name_ok =
		    (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
	if (!name_ok) {
		config_bad(L, sec, key, v, "device name must be 1..31 characters a-z 0-9 _ -");
		return;
	}
	int i = device_slot(L, name);
	if (i < 0) {
		config_bad(L, sec, key, v, "too many devices (at most 4)");
		return;
	}
	struct device_config *d = &c->devices[i];
	int64_t x;
	if (!strcmp(key, "role")) {
		L->dev_seen_role[i] = true;
		enum device_role roles[] = {DEVICE_ROLE_SCALE, DEVICE_ROLE_CARD,
		                            DEVICE_ROLE_PRINTER};
		d->role = 0;
		for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++)
			if (!strcmp(v, protocol_role_name(roles[r])))
				d->role = roles[r];
		if (!d->role)
			config_bad(L, sec, key, v, "must be scale, card or printer");
	} else if (!strcmp(key, "transport")) {
		L->dev_seen_transport[i] = true;
		bool ok = (!strncmp(v, "serial:/", 8) || !strncmp(v, "tcp:", 4)) &&
		          strlen(v) < sizeof d->transport;
		if (!ok)
			config_bad(L, sec, key, v, "must be serial:/dev/... or tcp:HOST:PORT");
		else
			config_copy_text(d->transport, sizeof d->transport, v);
	} else if (!strcmp(key, "protocol")) {
		L->dev_seen_protocol[i] = true;
		char why[160] = "must be ";
		protocol_names(0, why + strlen(why), sizeof why - strlen(why));
		if (!protocol_find(v))
			config_bad(L, sec, key, v, why);
		else
			config_copy_text(d->protocol, sizeof d->protocol, v);
	} else if (!strcmp(key, "unit")) {
		if (strcmp(v, "g") && strcmp(v, "kg") && strcmp(v, "lb") && strcmp(v, "t"))
			config_bad(L, sec, key, v, "must be g, kg, lb or t");
		else
			config_copy_text(d->unit, sizeof d->unit, v);
	} else if (!strcmp(key, "digit_order")) {
		L->dev_digit_order[i] = true;
		if (strcmp(v, "reversed") && strcmp(v, "normal"))
			config_bad(L, sec, key, v,
			           "must be reversed (lowest digit first) or normal");
		else
			d->digits_normal = !strcmp(v, "normal");
	} else if (on_printer_key(L, sec, key, v)) {
		L->dev_printer_key[i] = true;
	} else if (!strcmp(key, "poll_ms")) {
		if (!config_parse_i64(v, 20, 10000, &x))
			config_bad(L, sec, key, v, "must be a whole number 20..10000");
		else
			d->poll_interval_ms = (int)x;
	} else if (!strcmp(key, "reply_timeout_ms")) {
		if (!config_parse_i64(v, 100, 60000, &x))
			config_bad(L, sec, key, v, "must be a whole number 100..60000");
		else
			d->reply_timeout_ms = (int)x;
	} else if (!on_wedge_key(L, i, sec, key, v)) {
		on_line_key(L, sec, d, key, v);
	}
}

/* Line settings kiosk.ini left out take the protocol's usual values. */
static void fill_line(struct device_config *d)
{
	const struct protocol *p = protocol_find(d->protocol);
	struct transport_line usual = {0};
	if (!p || !p->line || transport_line_parse(p->line, &usual) != WF_OK)
		return;
	if (!d->line.baud)
		d->line.baud = usual.baud;
	if (!d->line.data_bits)
		d->line.data_bits = usual.data_bits;
	if (!d->line.parity)
		d->line.parity = usual.parity;
	if (!d->line.stop_bits)
		d->line.stop_bits = usual.stop_bits;
}

void config_check_devices(struct loader *L, const char *path)
{
	struct kiosk_config *c = L->cfg;
	unsigned roles[4] = {0};
	for (unsigned i = 0; i < c->ndevices; i++) {
		struct device_config *d = &c->devices[i];
		const char *f = L->dev_file[i] ? L->dev_file[i] : path;
		if (config_portless(d->protocol)) {
			/* A keyboard-wedge reader has no port: it types through SDL. */
			if (L->dev_seen_role[i] && d->role != DEVICE_ROLE_CARD)
				config_err(L->errs,
				           "%s:%d: [device.%s] protocol wedge needs role card", f,
				           L->dev_line[i], d->name);
			if (c->wedge.present || roles[DEVICE_ROLE_CARD])
				config_err(L->errs,
				           "%s:%d: [device.%s]: only one card reader per kiosk", f,
				           L->dev_line[i], d->name);
			c->wedge = L->dev_wedge[i];
			c->wedge.present = true;
			snprintf(c->wedge.name, sizeof c->wedge.name, "%s", d->name);
			roles[DEVICE_ROLE_CARD]++;
			continue;
		}
		if (L->dev_wedge_key[i])
			config_err(L->errs,
			           "%s:%d: [device.%s]: technology, base and digits are for "
			           "protocol wedge only",
			           f, L->dev_line[i], d->name);
		if (!L->dev_seen_role[i] || !L->dev_seen_transport[i] || !L->dev_seen_protocol[i]) {
			config_err(L->errs,
			           "%s:%d: [device.%s]: role, transport and protocol are required",
			           f, L->dev_line[i], d->name);
			continue;
		}
		const struct protocol *proto = protocol_find(d->protocol);
		if (!proto || proto->role != d->role)
			config_err(L->errs, "%s:%d: [device.%s] protocol %s does not fit role", f,
			           L->dev_line[i], d->name, d->protocol);
		if (L->dev_printer_key[i] && d->role != DEVICE_ROLE_PRINTER)
			config_err(L->errs,
			           "%s:%d: [device.%s]: qr, chinese, paper_mm and cut are for "
			           "the printer only",
			           f, L->dev_line[i], d->name);
		if (L->dev_digit_order[i] && strcmp(d->protocol, "xk3190-eq"))
			config_err(L->errs,
			           "%s:%d: [device.%s]: digit_order is for protocol xk3190-eq only",
			           f, L->dev_line[i], d->name);
		if (d->role >= 1 && d->role <= 3 && ++roles[d->role] > 1)
			config_err(L->errs, "%s:%d: [device.%s]: only one %s per kiosk", f,
			           L->dev_line[i], d->name,
			           d->role == DEVICE_ROLE_SCALE  ? "scale"
			           : d->role == DEVICE_ROLE_CARD ? "card reader"
			                                         : "printer");
	}
	/* Keep only devices with a port in devices[]. */
	unsigned k = 0;
	for (unsigned i = 0; i < c->ndevices; i++)
		if (!config_portless(c->devices[i].protocol)) {
			fill_line(&c->devices[i]);
			c->devices[k++] = c->devices[i];
		}
	c->ndevices = k;
}
