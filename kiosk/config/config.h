/*
 * config.h — the kiosk's own configuration: kiosk.ini plus drop-ins.
 *
 * For: what belongs to the machine (DESIGN "Who owns what"): kiosk number
 * and name, time zone, journal path, central URL and CA file, key file,
 * devices, screen, sound, session tolerances and timeouts. Categories, rates,
 * residents and staff are central's and do not live here.
 *
 * Loading: FILE, then every FILE.d/NAME.ini in name order (a later file
 * overrides a key an earlier one set). The default FILE is
 * /etc/wufei/kiosk.ini. Every key is validated; unknown sections and keys
 * are errors too. All errors are collected, each naming file, line and key,
 * and loading fails if there is any.
 *
 * Not for: applying anything (the caller opens devices, the journal, ...).
 */
#ifndef WUFEI_CONFIG_H
#define WUFEI_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "device.h"
#include "session.h"

#define CONFIG_DEFAULT_PATH "/etc/wufei/kiosk.ini"
#define CONFIG_PATH_MAX     512
#define CONFIG_TEXT_MAX     128
#define CONFIG_DEVICES_MAX  4
#define CONFIG_ERRORS_MAX   32
#define CONFIG_ERROR_LEN    256

enum config_qr { CONFIG_QR_NATIVE = 0, CONFIG_QR_RASTER = 1 };

/* ---- the receipt printer's keys, in its [device.NAME] section ---- */
/* How a Chinese receipt's text is printed: the whole text as a raster image
 * (the default: any printer prints it; needs the kiosk built with SDL, else
 * Chinese receipts print in English) or GB18030 in the printer's Chinese
 * mode (printers with a Chinese font ROM). */
enum config_chinese { CONFIG_CHINESE_RASTER = 0, CONFIG_CHINESE_GB18030 = 1 };
/* The cut command: GS V 66 3 (default), GS V 0 (full), GS V 1 (partial). */
enum config_cut { CONFIG_CUT_GS_V_66 = 0, CONFIG_CUT_GS_V_0 = 1, CONFIG_CUT_GS_V_1 = 2 };

struct config_printer {
	enum config_qr qr;           /* qr = native|raster, default native */
	enum config_chinese chinese; /* chinese = raster|gb18030, default raster */
	int paper_mm;                /* paper_mm = 58|80, default 58 (384 or 576 dots) */
	enum config_cut cut;         /* cut = gs-v-66|gs-v-0|gs-v-1, default gs-v-66 */
};

/* A keyboard-wedge card reader (HID: read through SDL key events, no port). */
struct config_wedge {
	bool present;
	char name[DEVICE_NAME_MAX];
	char technology[16]; /* canonical id prefix: "em4100", "mifare", ... */
	bool hex;            /* the reader types hex (else decimal) */
	unsigned digits;     /* digits in one card number, 4..20 */
};

struct kiosk_config {
	/* [kiosk] */
	uint32_t number;                    /* required, >= 1 */
	char name[CONFIG_TEXT_MAX];         /* required */
	char timezone[64];                  /* IANA name, default "UTC" */
	char ledger_path[CONFIG_PATH_MAX];  /* required */
	char fixture_path[CONFIG_PATH_MAX]; /* down-sync file to load at start; "" = none */
	char key_file[CONFIG_PATH_MAX];     /* Ed25519 secret key; "" = receipts unsigned */
	uint8_t key_id;                     /* which kiosk key signs, 1..255, default 1 */

	/* [central] */
	char central_url[CONFIG_PATH_MAX]; /* "" = no sync */
	char ca_file[CONFIG_PATH_MAX];
	char receipt_base_url[40]; /* <= 32 characters, upper case */
	int backoff_cap_s;         /* sync retry back-off cap, default 300 */
	int64_t keep_records;      /* acknowledged records kept before pruning; 0 (the
	                              default) = the sync client's (SYNC_KEEP_RECORDS) */

	/* [screen] */
	int width, height;          /* pixels, default 1080 x 1920 */
	bool fullscreen;            /* default true */
	char language[8];           /* "zh" or "en", default "zh" */
	char font[CONFIG_PATH_MAX]; /* "" = ask fontconfig */
	int dpi;                    /* the panel's dots per inch, default 102 (21.5" 1080p) */
	char help_nearest[96];      /* out of service: "the kiosk at ..." ("" = none) */
	char help_phone[32];        /* out of service: a number to call ("" = none) */

	/* [sound] */
#define CONFIG_VOLUME_DEFAULT 60
	unsigned volume; /* feedback tones 0..100, default 60; 0 = silent */

	/* [metrics] (config_metrics.c) */
#define CONFIG_METRICS_INTERVAL_DEFAULT 15
	char metrics_textfile[CONFIG_PATH_MAX]; /* Prometheus text file; "" (default) = off */
	int metrics_interval_s;                 /* written at most this often, 1..15, default 15 */

	/* [session] */
	struct session_config session; /* categories are filled from the journal */

	/* [device.NAME] */
	unsigned ndevices;
	struct device_config devices[CONFIG_DEVICES_MAX];
	struct config_printer printer; /* the printer's qr, chinese, paper_mm, cut keys */
	struct config_wedge wedge;
};

struct config_errors {
	unsigned n;     /* errors kept (at most CONFIG_ERRORS_MAX) */
	unsigned total; /* errors found */
	char msg[CONFIG_ERRORS_MAX][CONFIG_ERROR_LEN];
};

/*
 * config_load — loads path (NULL = CONFIG_DEFAULT_PATH) and path.d/NAME.ini
 * into *cfg (which it first fills with defaults). Returns WF_OK, or
 * WF_ENOENT if path cannot be read, or WF_EINVAL if any key is wrong; the
 * messages are in *errs either way. Does not block beyond reading files.
 */
int config_load(const char *path, struct kiosk_config *cfg, struct config_errors *errs);

/* config_defaults — every optional key at its default; required ones empty. */
void config_defaults(struct kiosk_config *cfg);

/* config_print — the effective configuration as INI text (secrets: paths only). */
void config_print(const struct kiosk_config *cfg, FILE *out);

/* The device with this role, or NULL. */
const struct device_config *config_device(const struct kiosk_config *cfg, enum device_role role);

#endif
