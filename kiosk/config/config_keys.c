/*
 * config_keys.c — the keys of [kiosk], [central], [screen] and [session],
 * each validated (config_private.h).
 */
#include "config_private.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "receipt.h"
#include "wf.h"

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

#define SK(field) offsetof(struct session_config, field)
const struct config_num_key config_session_keys[] = {
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
const size_t config_nsession_keys = sizeof config_session_keys / sizeof config_session_keys[0];

void config_on_session(struct loader *L, const char *key, const char *v)
{
	struct session_config *s = &L->cfg->session;
	int64_t x;
	for (size_t i = 0; i < config_nsession_keys; i++) {
		const struct config_num_key *k = &config_session_keys[i];
		if (strcmp(key, k->name))
			continue;
		if (!config_parse_i64(v, k->lo, k->hi, &x)) {
			char why[80];
			snprintf(why, sizeof why, "must be a whole number %lld..%lld",
			         (long long)k->lo, (long long)k->hi);
			config_bad(L, "session", key, v, why);
			return;
		}
		*(int64_t *)((char *)s + k->off) = x * k->scale;
		return;
	}
	if (!strcmp(key, "max_pin_attempts")) {
		if (!config_parse_i64(v, 1, 20, &x))
			config_bad(L, "session", key, v, "must be a whole number 1..20");
		else
			s->max_pin_attempts = (unsigned)x;
	} else if (!strcmp(key, "allow_anonymous")) {
		if (!config_parse_bool(v, &s->allow_anonymous))
			config_bad(L, "session", key, v, "must be true or false");
	} else {
		config_bad(L, "session", key, v, "unknown key");
	}
}

void config_on_kiosk(struct loader *L, const char *key, const char *v)
{
	struct kiosk_config *c = L->cfg;
	int64_t x;
	if (!strcmp(key, "number")) {
		if (!config_parse_i64(v, 1, RECEIPT_KIOSK_MAX, &x))
			config_bad(L, "kiosk", key, v, "must be a whole number 1..16777215");
		else
			c->number = (uint32_t)x;
		L->seen_number = true;
	} else if (!strcmp(key, "name")) {
		if (!config_copy_text(c->name, sizeof c->name, v))
			config_bad(L, "kiosk", key, v, "must be 1..127 bytes");
		L->seen_name = true;
	} else if (!strcmp(key, "timezone")) {
		if (strlen(v) >= sizeof c->timezone || !timezone_ok(v))
			config_bad(L, "kiosk", key, v, "not a time zone under /usr/share/zoneinfo");
		else
			config_copy_text(c->timezone, sizeof c->timezone, v);
	} else if (!strcmp(key, "ledger")) {
		if (!config_copy_text(c->ledger_path, sizeof c->ledger_path, v))
			config_bad(L, "kiosk", key, v, "must be a path of 1..511 bytes");
		L->seen_ledger = true;
	} else if (!strcmp(key, "fixture")) {
		if (*v && !config_copy_text(c->fixture_path, sizeof c->fixture_path, v))
			config_bad(L, "kiosk", key, v, "path too long");
	} else if (!strcmp(key, "key_file")) {
		if (*v && !config_copy_text(c->key_file, sizeof c->key_file, v))
			config_bad(L, "kiosk", key, v, "path too long");
	} else if (!strcmp(key, "key_id")) {
		if (!config_parse_i64(v, 1, 255, &x))
			config_bad(L, "kiosk", key, v, "must be a whole number 1..255");
		else
			c->key_id = (uint8_t)x;
	} else {
		config_bad(L, "kiosk", key, v, "unknown key");
	}
}

void config_on_central(struct loader *L, const char *key, const char *v)
{
	struct kiosk_config *c = L->cfg;
	int64_t x;
	char why[128];
	if (!strcmp(key, "url")) {
		if (*v && strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			config_bad(L, "central", key, v, "must start with http:// or https://");
		else if (*v && !config_copy_text(c->central_url, sizeof c->central_url, v))
			config_bad(L, "central", key, v, "too long");
	} else if (!strcmp(key, "ca_file")) {
		if (*v && !config_copy_text(c->ca_file, sizeof c->ca_file, v))
			config_bad(L, "central", key, v, "path too long");
	} else if (!strcmp(key, "receipt_base_url")) {
		if (receipt_check_base_url(v, why, sizeof why) != WF_OK)
			config_bad(L, "central", key, v, why);
		else
			config_copy_text(c->receipt_base_url, sizeof c->receipt_base_url, v);
	} else if (!strcmp(key, "backoff_cap_s")) {
		if (!config_parse_i64(v, 1, 86400, &x))
			config_bad(L, "central", key, v, "must be a whole number 1..86400");
		else
			c->backoff_cap_s = (int)x;
	} else if (!strcmp(key, "keep_records")) {
		if (!config_parse_i64(v, 100, 100000000, &x))
			config_bad(L, "central", key, v, "must be a whole number 100..100000000");
		else
			c->keep_records = x;
	} else {
		config_bad(L, "central", key, v, "unknown key");
	}
}

void config_on_screen(struct loader *L, const char *key, const char *v)
{
	struct kiosk_config *c = L->cfg;
	int64_t x;
	if (!strcmp(key, "width") || !strcmp(key, "height")) {
		if (!config_parse_i64(v, 240, 8192, &x))
			config_bad(L, "screen", key, v, "must be a whole number 240..8192");
		else if (key[0] == 'w')
			c->width = (int)x;
		else
			c->height = (int)x;
	} else if (!strcmp(key, "fullscreen")) {
		if (!config_parse_bool(v, &c->fullscreen))
			config_bad(L, "screen", key, v, "must be true or false");
	} else if (!strcmp(key, "language")) {
		if (strcmp(v, "zh") && strcmp(v, "en"))
			config_bad(L, "screen", key, v, "must be zh or en");
		else if (config_copy_text(c->language, sizeof c->language, v))
			c->session.language = strcmp(v, "en") ? WF_LANG_ZH : WF_LANG_EN;
	} else if (!strcmp(key, "font")) {
		if (*v && !config_copy_text(c->font, sizeof c->font, v))
			config_bad(L, "screen", key, v, "path too long");
	} else if (!strcmp(key, "dpi")) {
		if (!config_parse_i64(v, 40, 600, &x))
			config_bad(L, "screen", key, v, "must be a whole number 40..600");
		else
			c->dpi = (int)x;
	} else if (!strcmp(key, "help_nearest")) {
		if (!config_copy_text(c->help_nearest, sizeof c->help_nearest, v))
			config_bad(L, "screen", key, v, "too long");
	} else if (!strcmp(key, "help_phone")) {
		if (!config_copy_text(c->help_phone, sizeof c->help_phone, v))
			config_bad(L, "screen", key, v, "too long");
	} else {
		config_bad(L, "screen", key, v, "unknown key");
	}
}
