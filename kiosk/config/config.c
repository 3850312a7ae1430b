/*
 * config.c — kiosk.ini through inih, every key validated: the files, their
 * sections, what must be there, and the defaults. The keys themselves are
 * in config_keys.c and config_devices.c (config_private.h).
 *
 * inih as Debian builds it does not pass line numbers to the handler, so we
 * feed it through ini_parse_stream with our own line reader that counts
 * lines: the handler runs right after its line was read, so the count is
 * that key's line.
 */
#include "config_private.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "wf.h"

void config_err(struct config_errors *e, const char *fmt, ...)
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

void config_bad(struct loader *L, const char *section, const char *key, const char *value,
                const char *why)
{
	config_err(L->errs, "%s:%d: [%s] %s = '%.60s': %s", L->file, L->line, section, key, value,
	           why);
}

/* ---- value parsers ---- */

bool config_parse_i64(const char *v, int64_t lo, int64_t hi, int64_t *out)
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

bool config_parse_bool(const char *v, bool *out)
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

bool config_copy_text(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n >= cap)
		return false;
	memcpy(dst, v, n + 1);
	return true;
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
	struct loader *L = user;
	if (!strcmp(section, "kiosk"))
		config_on_kiosk(L, key, value);
	else if (!strcmp(section, "central"))
		config_on_central(L, key, value);
	else if (!strcmp(section, "screen"))
		config_on_screen(L, key, value);
	else if (!strcmp(section, "sound"))
		config_on_sound(L, key, value);
	else if (!strcmp(section, "metrics"))
		config_on_metrics(L, key, value);
	else if (!strcmp(section, "session"))
		config_on_session(L, key, value);
	else if (!strncmp(section, "device.", 7))
		config_on_device(L, section, section + 7, key, value);
	else
		config_bad(L, section, key, value, "unknown section");
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
		config_err(L->errs, "%s: cannot read: %s", path, strerror(errno));
		return WF_ENOENT;
	}
	L->file = path;
	L->fp = fp;
	L->line = 0;
	int rc = ini_parse_stream(read_line, L, on_key, L);
	fclose(fp);
	if (rc > 0)
		config_err(L->errs, "%s:%d: not an INI line (expected [section] or key = value)",
		           path, rc);
	else if (rc < 0)
		config_err(L->errs, "%s: cannot parse (error %d)", path, rc);
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
			config_err(L->errs, "%s/%s: path too long", dir, names[i]);
		free(names[i]);
	}
}

static void check_complete(struct loader *L, const char *path)
{
	if (!L->seen_number)
		config_err(L->errs, "%s: [kiosk] number: required key missing", path);
	if (!L->seen_name)
		config_err(L->errs, "%s: [kiosk] name: required key missing", path);
	if (!L->seen_ledger)
		config_err(L->errs, "%s: [kiosk] ledger: required key missing", path);
	config_check_devices(L, path);
}

void config_defaults(struct kiosk_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->timezone, sizeof cfg->timezone, "UTC");
	cfg->key_id = 1;
	snprintf(cfg->receipt_base_url, sizeof cfg->receipt_base_url, "HTTPS://R.WUFEI.CN");
	cfg->backoff_cap_s = 300;
	cfg->keep_records = 0; /* the sync client's default (SYNC_KEEP_RECORDS) */
	cfg->width = 1080;
	cfg->height = 1920;
	cfg->fullscreen = true;
	cfg->dpi = 102;
	snprintf(cfg->language, sizeof cfg->language, "zh");
	cfg->volume = CONFIG_VOLUME_DEFAULT;
	cfg->metrics_interval_s = CONFIG_METRICS_INTERVAL_DEFAULT;
	session_config_defaults(&cfg->session);
	cfg->wedge.hex = false;
	cfg->wedge.digits = 10;
	snprintf(cfg->wedge.technology, sizeof cfg->wedge.technology, "em4100");
	cfg->printer.paper_mm = 58; /* the receipt printer: raster checked against 384 dots */
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
		config_err(errs, "%s: out of memory", path);
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
