/*
 * config.c — kiosk.ini through inih, every key validated.
 *
 * inih as Debian builds it does not pass line numbers to the handler, so we
 * feed it through ini_parse_stream with our own line reader that counts
 * lines: the handler runs right after its line was read, so the count is
 * that key's line.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "receipt.h"
#include "wf.h"

struct loader {
	struct kiosk_config *cfg;
	struct config_errors *errs;
	const char *file;
	FILE *fp;
	int line;
	/* what was seen, for "required" and per-device checks */
	bool seen_number, seen_name, seen_ledger;
	bool dev_seen_role[CONFIG_DEVICES_MAX], dev_seen_transport[CONFIG_DEVICES_MAX];
	bool dev_seen_protocol[CONFIG_DEVICES_MAX];
	const char *dev_file[CONFIG_DEVICES_MAX];
	int dev_line[CONFIG_DEVICES_MAX];
	bool dev_wedge_key[CONFIG_DEVICES_MAX];   /* set a wedge-only key */
	bool dev_digit_order[CONFIG_DEVICES_MAX]; /* set digit_order (xk3190-eq only) */
	struct config_wedge dev_wedge[CONFIG_DEVICES_MAX];
};

static void err_add(struct config_errors *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void err_add(struct config_errors *e, const char *fmt, ...)
{
	e->total++;
	if (e->n >= CONFIG_ERRORS_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg[e->n], CONFIG_ERROR_LEN, fmt, ap);
	va_end(ap);
	e->n++;
}

static void bad(struct loader *L, const char *section, const char *key, const char *value,
                const char *why)
{
	err_add(L->errs, "%s:%d: [%s] %s = '%.60s': %s", L->file, L->line, section, key, value,
	        why);
}

/* ---- value parsers ---- */

static bool parse_i64(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (!*v)
		return false;
	char *end = NULL;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || !end || *end != '\0' || x < lo || x > hi)
		return false;
	*out = x;
	return true;
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (unsigned i = 0; i < 4; i++) {
		if (!strcmp(v, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcmp(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool copy_text(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n >= cap)
		return false;
	memcpy(dst, v, n + 1);
	return true;
}

static bool timezone_ok(const char *tz)
{
	if (!*tz || tz[0] == '/' || strstr(tz, ".."))
		return false;
	for (const char *p = tz; *p; p++) {
		char c = *p;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '-' || c == '+'))
			return false;
	}
	if (!strcmp(tz, "UTC"))
		return true;
	char path[160];
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A number key into an int64 field: one line per key keeps the table readable. */
struct num_key {
	const char *name;
	int64_t lo, hi;
	int64_t scale; /* value * scale is stored (seconds -> ms) */
	size_t off;    /* offset of an int64_t in struct session_config */
};

#define SK(field) offsetof(struct session_config, field)
static const struct num_key session_keys[] = {
    {"stable_tolerance_g", 0, 10000, 1, SK(stable_tolerance_g)},
    {"stable_time_ms", 100, 60000, 1, SK(stable_time_ms)},
    {"zero_band_g", 0, 10000, 1, SK(zero_band_g)},
    {"test_weight_g", 1, 1000000, 1, SK(test_weight_g)},
    {"test_tolerance_g", 0, 100000, 1, SK(test_tolerance_g)},
    {"identify_s", 1, 3600, 1000, SK(timeout_identify_ms)},
    {"category_s", 1, 3600, 1000, SK(timeout_category_ms)},
    {"weigh_s", 1, 3600, 1000, SK(timeout_weigh_ms)},
    {"confirm_s", 1, 3600, 1000, SK(timeout_confirm_ms)},
    {"receipt_s", 1, 3600, 1000, SK(timeout_receipt_ms)},
    {"pin_s", 1, 3600, 1000, SK(timeout_pin_ms)},
    {"staff_s", 1, 7200, 1000, SK(timeout_staff_ms)},
    {"lockout_s", 1, 86400, 1000, SK(lockout_ms)},
};

static void on_session(struct loader *L, const char *key, const char *v)
{
	struct session_config *s = &L->cfg->session;
	int64_t x;
	for (size_t i = 0; i < sizeof session_keys / sizeof session_keys[0]; i++) {
		const struct num_key *k = &session_keys[i];
		if (strcmp(key, k->name))
			continue;
		if (!parse_i64(v, k->lo, k->hi, &x)) {
			char why[80];
			snprintf(why, sizeof why, "must be a whole number %lld..%lld",
			         (long long)k->lo, (long long)k->hi);
			bad(L, "session", key, v, why);
			return;
		}
		*(int64_t *)((char *)s + k->off) = x * k->scale;
		return;
	}
	if (!strcmp(key, "max_pin_attempts")) {
		if (!parse_i64(v, 1, 20, &x))
			bad(L, "session", key, v, "must be a whole number 1..20");
		else
			s->max_pin_attempts = (unsigned)x;
	} else if (!strcmp(key, "allow_anonymous")) {
		if (!parse_bool(v, &s->allow_anonymous))
			bad(L, "session", key, v, "must be true or false");
	} else {
		bad(L, "session", key, v, "unknown key");
	}
}

static void on_kiosk(struct loader *L, const char *key, const char *v)
{
	struct kiosk_config *c = L->cfg;
	int64_t x;
	if (!strcmp(key, "number")) {
		if (!parse_i64(v, 1, RECEIPT_KIOSK_MAX, &x))
			bad(L, "kiosk", key, v, "must be a whole number 1..16777215");
		else
			c->number = (uint32_t)x;
		L->seen_number = true;
	} else if (!strcmp(key, "name")) {
		if (!copy_text(c->name, sizeof c->name, v))
			bad(L, "kiosk", key, v, "must be 1..127 bytes");
		L->seen_name = true;
	} else if (!strcmp(key, "timezone")) {
		if (strlen(v) >= sizeof c->timezone || !timezone_ok(v))
			bad(L, "kiosk", key, v, "not a time zone under /usr/share/zoneinfo");
		else
			copy_text(c->timezone, sizeof c->timezone, v);
	} else if (!strcmp(key, "ledger")) {
		if (!copy_text(c->ledger_path, sizeof c->ledger_path, v))
			bad(L, "kiosk", key, v, "must be a path of 1..511 bytes");
		L->seen_ledger = true;
	} else if (!strcmp(key, "fixture")) {
		if (*v && !copy_text(c->fixture_path, sizeof c->fixture_path, v))
			bad(L, "kiosk", key, v, "path too long");
	} else if (!strcmp(key, "key_file")) {
		if (*v && !copy_text(c->key_file, sizeof c->key_file, v))
			bad(L, "kiosk", key, v, "path too long");
	} else if (!strcmp(key, "key_id")) {
		if (!parse_i64(v, 1, 255, &x))
			bad(L, "kiosk", key, v, "must be a whole number 1..255");
		else
			c->key_id = (uint8_t)x;
	} else {
		bad(L, "kiosk", key, v, "unknown key");
	}
}

static void on_central(struct loader *L, const char *key, const char *v)
{
	struct kiosk_config *c = L->cfg;
	int64_t x;
	char why[128];
	if (!strcmp(key, "url")) {
		if (*v && strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			bad(L, "central", key, v, "must start with http:// or https://");
		else if (*v && !copy_text(c->central_url, sizeof c->central_url, v))
			bad(L, "central", key, v, "too long");
	} else if (!strcmp(key, "ca_file")) {
		if (*v && !copy_text(c->ca_file, sizeof c->ca_file, v))
			bad(L, "central", key, v, "path too long");
	} else if (!strcmp(key, "receipt_base_url")) {
		if (receipt_check_base_url(v, why, sizeof why) != WF_OK)
			bad(L, "central", key, v, why);
		else
			copy_text(c->receipt_base_url, sizeof c->receipt_base_url, v);
	} else if (!strcmp(key, "backoff_cap_s")) {
		if (!parse_i64(v, 1, 86400, &x))
			bad(L, "central", key, v, "must be a whole number 1..86400");
		else
			c->backoff_cap_s = (int)x;
	} else if (!strcmp(key, "keep_records")) {
		if (!parse_i64(v, 100, 100000000, &x))
			bad(L, "central", key, v, "must be a whole number 100..100000000");
		else
			c->keep_records = x;
	} else {
		bad(L, "central", key, v, "unknown key");
	}
}

static void on_screen(struct loader *L, const char *key, const char *v)
{
	struct kiosk_config *c = L->cfg;
	int64_t x;
	if (!strcmp(key, "width") || !strcmp(key, "height")) {
		if (!parse_i64(v, 240, 8192, &x))
			bad(L, "screen", key, v, "must be a whole number 240..8192");
		else if (key[0] == 'w')
			c->width = (int)x;
		else
			c->height = (int)x;
	} else if (!strcmp(key, "fullscreen")) {
		if (!parse_bool(v, &c->fullscreen))
			bad(L, "screen", key, v, "must be true or false");
	} else if (!strcmp(key, "language")) {
		if (strcmp(v, "zh") && strcmp(v, "en"))
			bad(L, "screen", key, v, "must be zh or en");
		else
			copy_text(c->language, sizeof c->language, v);
	} else if (!strcmp(key, "font")) {
		if (*v && !copy_text(c->font, sizeof c->font, v))
			bad(L, "screen", key, v, "path too long");
	} else {
		bad(L, "screen", key, v, "unknown key");
	}
}

/* ---- devices ---- */

static const char *const scale_protocols[] = {"mt8217", "mt-sics", "cas-ci200", "xk3190-a9",
                                              "xk3190-eq"};
#define NSCALE_PROTOCOLS (sizeof scale_protocols / sizeof scale_protocols[0])

static bool in_list(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, list[i]))
			return true;
	return false;
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
			bad(L, sec, key, v, "must be 1..15 characters a-z 0-9");
		else
			copy_text(w->technology, sizeof w->technology, v);
	} else if (!strcmp(key, "base")) {
		if (strcmp(v, "decimal") && strcmp(v, "hex"))
			bad(L, sec, key, v, "must be decimal or hex");
		else
			w->hex = !strcmp(v, "hex");
	} else if (!strcmp(key, "digits")) {
		if (!parse_i64(v, 4, 20, &x))
			bad(L, sec, key, v, "must be a whole number 4..20");
		else
			w->digits = (unsigned)x;
	} else {
		return false;
	}
	L->dev_wedge_key[i] = true;
	return true;
}

static void on_line_key(struct loader *L, const char *sec, struct device_config *d, const char *key,
                        const char *v)
{
	int64_t x;
	if (!strcmp(key, "baud")) {
		static const int64_t ok[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
		bool found = parse_i64(v, 1, 1000000, &x);
		bool std = false;
		for (unsigned i = 0; found && i < sizeof ok / sizeof ok[0]; i++)
			std = std || ok[i] == x;
		if (!std)
			bad(L, sec, key, v,
			    "must be one of 1200 2400 4800 9600 19200 38400 57600 115200");
		else
			d->line.baud = (int)x;
	} else if (!strcmp(key, "data_bits")) {
		if (!parse_i64(v, 5, 8, &x))
			bad(L, sec, key, v, "must be 5..8");
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
			bad(L, sec, key, v, "must be none, even or odd");
	} else if (!strcmp(key, "stop_bits")) {
		if (!parse_i64(v, 1, 2, &x))
			bad(L, sec, key, v, "must be 1 or 2");
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
			bad(L, sec, key, v, "must be none, rtscts or xonxoff");
	} else {
		bad(L, sec, key, v, "unknown key");
	}
}

static void on_device(struct loader *L, const char *sec, const char *name, const char *key,
                      const char *v)
{
	struct kiosk_config *c = L->cfg;
	size_t nlen = strlen(name);
	bool name_ok = nlen > 0 && nlen < DEVICE_NAME_MAX;
	for (const char *p = name; name_ok && *p; p++)
		name_ok =
		    (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
	if (!name_ok) {
		bad(L, sec, key, v, "device name must be 1..31 characters a-z 0-9 _ -");
		return;
	}
	int i = device_slot(L, name);
	if (i < 0) {
		bad(L, sec, key, v, "too many devices (at most 4)");
		return;
	}
	struct device_config *d = &c->devices[i];
	int64_t x;
	if (!strcmp(key, "role")) {
		L->dev_seen_role[i] = true;
		if (!strcmp(v, "scale"))
			d->role = DEVICE_ROLE_SCALE;
		else if (!strcmp(v, "card"))
			d->role = DEVICE_ROLE_CARD;
		else if (!strcmp(v, "printer"))
			d->role = DEVICE_ROLE_PRINTER;
		else
			bad(L, sec, key, v, "must be scale, card or printer");
	} else if (!strcmp(key, "transport")) {
		L->dev_seen_transport[i] = true;
		bool ok = (!strncmp(v, "serial:/", 8) || !strncmp(v, "tcp:", 4)) &&
		          strlen(v) < sizeof d->transport;
		if (!ok)
			bad(L, sec, key, v, "must be serial:/dev/... or tcp:HOST:PORT");
		else
			copy_text(d->transport, sizeof d->transport, v);
	} else if (!strcmp(key, "protocol")) {
		L->dev_seen_protocol[i] = true;
		if (!in_list(v, scale_protocols, NSCALE_PROTOCOLS) && strcmp(v, "em4100") &&
		    strcmp(v, "escpos") && strcmp(v, "wedge"))
			bad(L, sec, key, v,
			    "must be mt8217, mt-sics, cas-ci200, xk3190-a9, xk3190-eq, em4100, "
			    "wedge or escpos");
		else
			copy_text(d->protocol, sizeof d->protocol, v);
	} else if (!strcmp(key, "unit")) {
		if (strcmp(v, "g") && strcmp(v, "kg") && strcmp(v, "lb") && strcmp(v, "t"))
			bad(L, sec, key, v, "must be g, kg, lb or t");
		else
			copy_text(d->unit, sizeof d->unit, v);
	} else if (!strcmp(key, "digit_order")) {
		L->dev_digit_order[i] = true;
		if (strcmp(v, "reversed") && strcmp(v, "normal"))
			bad(L, sec, key, v, "must be reversed (lowest digit first) or normal");
		else
			d->digits_normal = !strcmp(v, "normal");
	} else if (!strcmp(key, "qr")) {
		if (strcmp(v, "native") && strcmp(v, "raster"))
			bad(L, sec, key, v, "must be native or raster");
		else
			c->printer_qr = !strcmp(v, "raster") ? CONFIG_QR_RASTER : CONFIG_QR_NATIVE;
	} else if (!strcmp(key, "poll_ms")) {
		if (!parse_i64(v, 20, 10000, &x))
			bad(L, sec, key, v, "must be a whole number 20..10000");
		else
			d->poll_interval_ms = (int)x;
	} else if (!strcmp(key, "reply_timeout_ms")) {
		if (!parse_i64(v, 100, 60000, &x))
			bad(L, sec, key, v, "must be a whole number 100..60000");
		else
			d->reply_timeout_ms = (int)x;
	} else if (!on_wedge_key(L, i, sec, key, v)) {
		on_line_key(L, sec, d, key, v);
	}
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
	struct loader *L = user;
	if (!strcmp(section, "kiosk"))
		on_kiosk(L, key, value);
	else if (!strcmp(section, "central"))
		on_central(L, key, value);
	else if (!strcmp(section, "screen"))
		on_screen(L, key, value);
	else if (!strcmp(section, "session"))
		on_session(L, key, value);
	else if (!strncmp(section, "device.", 7))
		on_device(L, section, section + 7, key, value);
	else
		bad(L, section, key, value, "unknown section");
	return 1; /* keep going: we collect every error */
}

static char *read_line(char *str, int num, void *stream)
{
	struct loader *L = stream;
	char *r = fgets(str, num, L->fp);
	if (r)
		L->line++;
	return r;
}

static int load_file(struct loader *L, const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		err_add(L->errs, "%s: cannot read: %s", path, strerror(errno));
		return WF_ENOENT;
	}
	L->file = path;
	L->fp = fp;
	L->line = 0;
	int rc = ini_parse_stream(read_line, L, on_key, L);
	fclose(fp);
	if (rc > 0)
		err_add(L->errs, "%s:%d: not an INI line (expected [section] or key = value)", path,
		        rc);
	else if (rc < 0)
		err_add(L->errs, "%s: cannot parse (error %d)", path, rc);
	return WF_OK;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME.ini in dir, sorted; paths are kept alive in *store for messages. */
static void load_dropins(struct loader *L, const char *base, char store[][CONFIG_PATH_MAX],
                         unsigned cap)
{
	char dir[CONFIG_PATH_MAX];
	if ((size_t)snprintf(dir, sizeof dir, "%s.d", base) >= sizeof dir)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	char *names[64];
	unsigned n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 64 && n < cap) {
		size_t len = strlen(e->d_name);
		if (len < 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".ini"))
			continue;
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_names);
	for (unsigned i = 0; i < n; i++) {
		int len = snprintf(store[i], CONFIG_PATH_MAX, "%s/%s", dir, names[i]);
		if (len > 0 && len < CONFIG_PATH_MAX)
			load_file(L, store[i]);
		else
			err_add(L->errs, "%s/%s: path too long", dir, names[i]);
		free(names[i]);
	}
}

static void check_complete(struct loader *L, const char *path)
{
	struct kiosk_config *c = L->cfg;
	if (!L->seen_number)
		err_add(L->errs, "%s: [kiosk] number: required key missing", path);
	if (!L->seen_name)
		err_add(L->errs, "%s: [kiosk] name: required key missing", path);
	if (!L->seen_ledger)
		err_add(L->errs, "%s: [kiosk] ledger: required key missing", path);
	unsigned roles[4] = {0};
	for (unsigned i = 0; i < c->ndevices; i++) {
		struct device_config *d = &c->devices[i];
		const char *f = L->dev_file[i] ? L->dev_file[i] : path;
		bool wedge = !strcmp(d->protocol, "wedge");
		if (wedge) {
			/* A keyboard-wedge reader has no port: it types through SDL. */
			if (L->dev_seen_role[i] && d->role != DEVICE_ROLE_CARD)
				err_add(L->errs,
				        "%s:%d: [device.%s] protocol wedge needs role card", f,
				        L->dev_line[i], d->name);
			if (c->wedge.present || roles[DEVICE_ROLE_CARD])
				err_add(L->errs,
				        "%s:%d: [device.%s]: only one card reader per kiosk", f,
				        L->dev_line[i], d->name);
			c->wedge = L->dev_wedge[i];
			c->wedge.present = true;
			snprintf(c->wedge.name, sizeof c->wedge.name, "%s", d->name);
			roles[DEVICE_ROLE_CARD]++;
			continue;
		}
		if (L->dev_wedge_key[i])
			err_add(L->errs,
			        "%s:%d: [device.%s]: technology, base and digits are for "
			        "protocol wedge only",
			        f, L->dev_line[i], d->name);
		if (!L->dev_seen_role[i] || !L->dev_seen_transport[i] || !L->dev_seen_protocol[i]) {
			err_add(L->errs,
			        "%s:%d: [device.%s]: role, transport and protocol are required", f,
			        L->dev_line[i], d->name);
			continue;
		}
		bool fit = (d->role == DEVICE_ROLE_SCALE &&
		            in_list(d->protocol, scale_protocols, NSCALE_PROTOCOLS)) ||
		           (d->role == DEVICE_ROLE_CARD && !strcmp(d->protocol, "em4100")) ||
		           (d->role == DEVICE_ROLE_PRINTER && !strcmp(d->protocol, "escpos"));
		if (!fit)
			err_add(L->errs, "%s:%d: [device.%s] protocol %s does not fit role", f,
			        L->dev_line[i], d->name, d->protocol);
		if (L->dev_digit_order[i] && strcmp(d->protocol, "xk3190-eq"))
			err_add(L->errs,
			        "%s:%d: [device.%s]: digit_order is for protocol xk3190-eq only", f,
			        L->dev_line[i], d->name);
		if (d->role >= 1 && d->role <= 3 && ++roles[d->role] > 1)
			err_add(L->errs, "%s:%d: [device.%s]: only one %s per kiosk", f,
			        L->dev_line[i], d->name,
			        d->role == DEVICE_ROLE_SCALE  ? "scale"
			        : d->role == DEVICE_ROLE_CARD ? "card reader"
			                                      : "printer");
	}
	/* Keep only devices with a port in devices[]. */
	unsigned k = 0;
	for (unsigned i = 0; i < c->ndevices; i++)
		if (strcmp(c->devices[i].protocol, "wedge"))
			c->devices[k++] = c->devices[i];
	c->ndevices = k;
}

void config_defaults(struct kiosk_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->timezone, sizeof cfg->timezone, "UTC");
	cfg->key_id = 1;
	snprintf(cfg->receipt_base_url, sizeof cfg->receipt_base_url, "HTTPS://R.WUFEI.CN");
	cfg->backoff_cap_s = 300;
	cfg->keep_records = 100000;
	cfg->width = 1080;
	cfg->height = 1920;
	cfg->fullscreen = true;
	snprintf(cfg->language, sizeof cfg->language, "zh");
	session_config_defaults(&cfg->session);
	cfg->wedge.hex = false;
	cfg->wedge.digits = 10;
	snprintf(cfg->wedge.technology, sizeof cfg->wedge.technology, "em4100");
}

int config_load(const char *path, struct kiosk_config *cfg, struct config_errors *errs)
{
	struct loader L;
	memset(&L, 0, sizeof L);
	memset(errs, 0, sizeof *errs);
	config_defaults(cfg);
	L.cfg = cfg;
	L.errs = errs;
	if (!path)
		path = CONFIG_DEFAULT_PATH;
	int rc = load_file(&L, path);
	if (rc != WF_OK)
		return rc;
	/* Drop-in paths live until the messages that name them are written. */
	char(*dropins)[CONFIG_PATH_MAX] = calloc(64, CONFIG_PATH_MAX);
	if (!dropins) {
		err_add(errs, "%s: out of memory", path);
		return WF_ENOMEM;
	}
	load_dropins(&L, path, dropins, 64);
	check_complete(&L, path);
	free(dropins);
	return errs->total ? WF_EINVAL : WF_OK;
}

const struct device_config *config_device(const struct kiosk_config *cfg, enum device_role role)
{
	for (unsigned i = 0; i < cfg->ndevices; i++)
		if (cfg->devices[i].role == role)
			return &cfg->devices[i];
	return NULL;
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
	fprintf(out, "receipt_base_url = %s\nbackoff_cap_s = %d\nkeep_records = %" PRId64 "\n\n",
	        c->receipt_base_url, c->backoff_cap_s, c->keep_records);
	fprintf(out, "[screen]\nwidth = %d\nheight = %d\nfullscreen = %s\nlanguage = %s\n",
	        c->width, c->height, c->fullscreen ? "true" : "false", c->language);
	if (*c->font)
		fprintf(out, "font = %s\n", c->font);
	fprintf(out, "\n[session]\n");
	for (size_t i = 0; i < sizeof session_keys / sizeof session_keys[0]; i++) {
		const struct num_key *k = &session_keys[i];
		int64_t v = *(const int64_t *)((const char *)s + k->off);
		fprintf(out, "%s = %lld\n", k->name, (long long)(v / k->scale));
	}
	fprintf(out, "max_pin_attempts = %u\nallow_anonymous = %s\n", s->max_pin_attempts,
	        s->allow_anonymous ? "true" : "false");
	static const char *const roles[] = {"?", "scale", "card", "printer"};
	for (unsigned i = 0; i < c->ndevices; i++) {
		const struct device_config *d = &c->devices[i];
		fprintf(out, "\n[device.%s]\nrole = %s\ntransport = %s\nprotocol = %s\n", d->name,
		        roles[d->role <= 3 ? d->role : 0], d->transport, d->protocol);
		if (*d->unit)
			fprintf(out, "unit = %s\n", d->unit);
		if (!strcmp(d->protocol, "xk3190-eq"))
			fprintf(out, "digit_order = %s\n",
			        d->digits_normal ? "normal" : "reversed");
		if (d->line.baud)
			fprintf(out, "baud = %d\n", d->line.baud);
		if (d->role == DEVICE_ROLE_PRINTER)
			fprintf(out, "qr = %s\n",
			        c->printer_qr == CONFIG_QR_RASTER ? "raster" : "native");
	}
	if (c->wedge.present)
		fprintf(out,
		        "\n[device.%s]\nrole = card\nprotocol = wedge\ntechnology = %s\n"
		        "base = %s\ndigits = %u\n",
		        c->wedge.name, c->wedge.technology, c->wedge.hex ? "hex" : "decimal",
		        c->wedge.digits);
}
