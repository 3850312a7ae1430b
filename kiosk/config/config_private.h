/*
 * config_private.h — what the files of kiosk/config share: the loader's
 * state while files are read, error collection and the value parsers.
 *
 *   config.c          loading: files, drop-ins, sections, completeness, defaults
 *   config_keys.c     [kiosk], [central], [screen], [session]
 *   config_devices.c  [device.NAME]: keys, the protocol's usual line, checks
 *   config_print.c    the effective configuration as INI text
 *   config_sound.c    [sound]
 */
#ifndef WUFEI_CONFIG_PRIVATE_H
#define WUFEI_CONFIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

/* The state of one config_load: where we are, and what was seen. */
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
	bool dev_printer_key[CONFIG_DEVICES_MAX]; /* set qr, chinese, paper_mm or cut */
	struct config_wedge dev_wedge[CONFIG_DEVICES_MAX];
};

/* One error into e ("FILE:LINE: ..." composed by the caller). */
void config_err(struct config_errors *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One wrong key at the current file and line, with why it is wrong. */
void config_bad(struct loader *L, const char *section, const char *key, const char *value,
                const char *why);

/* Value parsers: true when v is one (*out set), false otherwise. */
bool config_parse_i64(const char *v, int64_t lo, int64_t hi, int64_t *out);
bool config_parse_bool(const char *v, bool *out);
/* v into dst[cap]; false when v is empty or does not fit. */
bool config_copy_text(char *dst, size_t cap, const char *v);

/* config_keys.c: one key of a section */
void config_on_kiosk(struct loader *L, const char *key, const char *v);
void config_on_central(struct loader *L, const char *key, const char *v);
void config_on_screen(struct loader *L, const char *key, const char *v);
void config_on_session(struct loader *L, const char *key, const char *v);

/* A number key into an int64 field: one line per key keeps the table readable. */
struct config_num_key {
	const char *name;
	int64_t lo, hi;
	int64_t scale; /* value * scale is stored (seconds -> ms) */
	size_t off;    /* offset of an int64_t in struct session_config */
};

/* [session]'s number keys, for loading and printing */
extern const struct config_num_key config_session_keys[];
extern const size_t config_nsession_keys;

/* config_sound.c: [sound]'s keys, and the section printed */
void config_on_sound(struct loader *L, const char *key, const char *v);
void config_print_sound(const struct kiosk_config *c, FILE *out);

/* config_metrics.c: [metrics]'s keys, and the section printed */
void config_on_metrics(struct loader *L, const char *key, const char *v);
void config_print_metrics(const struct kiosk_config *c, FILE *out);

/* config_devices.c */
void config_on_device(struct loader *L, const char *sec, const char *name, const char *key,
                      const char *v);
/* After every file: each device complete and fitting its role, its line
 * filled from its protocol's usual one, the wedge reader taken out of
 * devices[] into cfg->wedge. */
void config_check_devices(struct loader *L, const char *path);
/* A protocol with no port (wedge). */
bool config_portless(const char *protocol);

#endif
