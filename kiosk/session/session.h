/*
 * session.h — the kiosk's session core: a pure state machine that holds
 * every rule of a visit to the kiosk.
 *
 * Events go in (a card was read and resolved, a scale reading, a tap on a
 * named control, a tick, a device going up or down, and the caller's answers
 * to earlier effects); the new state and a short list of effects come out
 * (record a drop, verify a PIN, print a receipt, zero the scale, ...). The
 * caller (cmd_run.c) carries the effects out and feeds their results back as
 * events.
 *
 * Not for: I/O of any kind. No clock reads (time comes in every event as
 * now_ms, a monotonic millisecond count), no SQLite, no SDL, no devices, no
 * allocation after session_create, no file-scope mutable state. Links only
 * wufei_core.
 *
 * Units: grams and pieces are int64 integers; points are int64; times are
 * milliseconds.
 */
#ifndef WUFEI_SESSION_H
#define WUFEI_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"
#include "wf.h"

#define SESSION_NAME_MAX    64      /* masked display name, UTF-8, incl. NUL */
#define SESSION_REASON_MAX  96      /* block reason, incl. NUL */
#define SESSION_TOKEN_MAX   192     /* receipt URL, incl. NUL (RECEIPT_URL_MAX is 176) */
#define SESSION_PIN_MAX     8       /* PIN digits */
#define SESSION_EFFECTS_MAX 8       /* effects one event can produce */
#define SESSION_LOCKS_MAX   8       /* staff members tracked for PIN lock-out */
#define SESSION_KEYED_MAX   8       /* a keyed-in weight in kg ("1234.567"), incl. NUL */
#define SESSION_KEYED_MAX_G 1000000 /* the heaviest bin weight that may be keyed in */

/* What the caller found for a card (it hashes the card id and asks the journal). */
enum session_card_kind {
	SESSION_CARD_RESIDENT = 1, /* an active resident */
	SESSION_CARD_UNKNOWN,      /* no resident, staff or blocklist entry */
	SESSION_CARD_BLOCKED,      /* a blocked resident or a blocklisted card */
	SESSION_CARD_STAFF,        /* a staff member (PIN follows) */
};

/* Quantity the card already dropped today, per category (for the daily limit). */
struct session_today {
	uint16_t category_id;
	int64_t qty; /* grams or pieces recorded today, >= 0 */
};

struct session_identity {
	enum session_card_kind kind;
	uint64_t id;                      /* resident id or staff id; 0 if none */
	uint8_t card_hash[WF_HASH_BYTES]; /* keyed hash of the canonical card id */
	char name[SESSION_NAME_MAX];      /* masked display name ("王*") */
	char reason[SESSION_REASON_MAX];  /* block reason for BLOCKED */
	bool admin;                       /* staff role admin (else staff) */
	uint32_t pin_failures;            /* staff: failures already on record */
	bool has_balance;                 /* residents: balance below is known */
	int64_t balance;                  /* points before this visit (down-synced + since) */
	unsigned ntoday;                  /* entries used in today[] */
	struct session_today today[WF_MAX_CATEGORIES];
};

/* A scale reading as the device thread hands it over. A reading that is not
 * a stable weight (motion, overload, underload, no weight at all) ends
 * stability at once: a weight is offered again only after stable readings
 * for the configured time. */
struct session_reading {
	int64_t grams;   /* may be negative (below zero); meaningless if no_weight */
	bool has_stable; /* the protocol reports stability at all */
	bool stable;     /* the scale's own stable flag (if has_stable) */
	bool motion;     /* the scale says it is in motion */
	bool overload;   /* over capacity */
	bool underload;  /* under zero / below range */
	bool no_weight;  /* a status without a weight (8217 "?" reply, MT-SICS "S I"):
	                    the scale is busy or moving, grams is not a weight */
};

/* What the live weight on screen is doing (session_view.live). */
enum session_scale {
	SESSION_SCALE_NONE = 0,  /* no reading since the scale came up */
	SESSION_SCALE_SETTLING,  /* a weight, not yet stable for the configured time */
	SESSION_SCALE_STABLE,    /* a weight, stable for the configured time */
	SESSION_SCALE_MOVING,    /* the scale says it is moving or busy */
	SESSION_SCALE_OVERLOAD,  /* over capacity */
	SESSION_SCALE_UNDERLOAD, /* under zero: staff must zero the scale */
};

enum session_device {
	SESSION_DEV_SCALE = 0,
	SESSION_DEV_CARD = 1,
	SESSION_DEV_PRINTER = 2,
	SESSION_DEV_LEDGER = 3,
	SESSION_DEV_COUNT = 4,
};

/* Named controls on the screens. */
enum session_control {
	SESSION_TAP_CATEGORY = 1, /* with category_id */
	SESSION_TAP_CONFIRM,
	SESSION_TAP_CANCEL,
	SESSION_TAP_ANOTHER,   /* receipt screen: another category */
	SESSION_TAP_DONE,      /* receipt screen: finished */
	SESSION_TAP_ANONYMOUS, /* attract or unknown-card screen: drop anonymously */
	SESSION_TAP_DIGIT,     /* with digit 0..9 (PIN) */
	SESSION_TAP_BACKSPACE,
	SESSION_TAP_PIECE_MORE, /* counted categories: one more piece */
	SESSION_TAP_PIECE_LESS,
	SESSION_TAP_STAFF_ZERO,
	SESSION_TAP_STAFF_TARE,
	SESSION_TAP_STAFF_TEST_WEIGHT,
	SESSION_TAP_STAFF_BIN,     /* start a bin collection; category follows */
	SESSION_TAP_STAFF_REPRINT, /* reprint the last receipt */
	SESSION_TAP_STAFF_OOS_ON,  /* take the kiosk out of service */
	SESSION_TAP_STAFF_OOS_OFF, /* put it back in service */
	SESSION_TAP_STAFF_EXIT,
	SESSION_TAP_LANGUAGE, /* the other language, for the rest of the visit */
	SESSION_TAP_POINT,    /* the decimal point of a keyed-in weight */
};

enum session_event_kind {
	SESSION_EV_TICK = 1,
	SESSION_EV_CARD,          /* u.card */
	SESSION_EV_READING,       /* u.reading */
	SESSION_EV_TAP,           /* u.tap */
	SESSION_EV_DEVICE,        /* u.device */
	SESSION_EV_COMMITTED,     /* u.committed: the drop effect was recorded */
	SESSION_EV_COMMIT_FAILED, /* the journal refused the record */
	SESSION_EV_PIN_RESULT,    /* u.pin_ok */
	SESSION_EV_PRINTED,       /* the receipt left the printer */
	SESSION_EV_PRINT_FAILED,  /* the printer failed after commit */
};

struct session_event {
	enum session_event_kind kind;
	int64_t now_ms; /* monotonic milliseconds; never goes back */
	union {
		struct session_identity card;
		struct session_reading reading;
		struct {
			enum session_control control;
			uint16_t category_id; /* SESSION_TAP_CATEGORY */
			int digit;            /* SESSION_TAP_DIGIT */
			/* SESSION_TAP_ANONYMOUS: the credited quantity this kiosk's
			 * anonymous drops earned today, per category (the journal's
			 * ledger_anon_today), which the anonymous daily cap counts */
			unsigned nanon_today;
			struct session_today anon_today[WF_MAX_CATEGORIES];
		} tap;
		struct {
			enum session_device device;
			bool up;
		} device;
		struct {
			uint64_t seq;                  /* journal sequence number */
			char token[SESSION_TOKEN_MAX]; /* receipt URL for the QR code */
		} committed;
		bool pin_ok;
	} u;
};

/* What a drop record says; the journal adds kiosk number, seq and time. */
struct session_drop {
	uint16_t category_id;
	enum wf_unit unit;
	int64_t qty;          /* grams or pieces, as weighed/counted */
	int64_t credited_qty; /* the part under the daily limit (and the anonymous cap) */
	int64_t points;       /* points for credited_qty at the rate */
	uint32_t rate_version;
	bool anonymous;       /* no resident account (no card or unknown card) */
	bool capped;          /* credited_qty < qty: the daily limit or the anonymous cap */
	bool anon_capped;     /* ... and the anonymous daily cap is what cut it */
	uint64_t resident_id; /* 0 when anonymous */
	uint8_t card_hash[WF_HASH_BYTES]; /* zeros when no card was used */
	int64_t at_ms;                    /* the event time of the confirmation */
};

struct session_receipt {
	uint64_t seq;
	enum wf_lang language; /* the resident's language when it was recorded */
	struct session_drop drop;
	char token[SESSION_TOKEN_MAX];
};

enum session_staff_action {
	SESSION_STAFF_LOGIN = 1,
	SESSION_STAFF_LOCKOUT,    /* value: failures */
	SESSION_STAFF_PIN_FAILED, /* value: failures so far */
	SESSION_STAFF_ZERO,
	SESSION_STAFF_TARE,
	SESSION_STAFF_TEST_WEIGHT, /* value: grams read; ok in test_ok */
	SESSION_STAFF_OOS_ON,
	SESSION_STAFF_OOS_OFF,
	SESSION_STAFF_REPRINT,
	SESSION_STAFF_LOGOUT,
	SESSION_STAFF_BIN_KEYED, /* value: grams keyed in (the scale was not used) */
};

enum session_effect_kind {
	SESSION_FX_RECORD_DROP = 1, /* u.drop: record it, answer COMMITTED or COMMIT_FAILED */
	SESSION_FX_VERIFY_PIN,      /* u.pin: check it, answer PIN_RESULT */
	SESSION_FX_PRINT_RECEIPT,   /* u.receipt: print it, answer PRINTED or PRINT_FAILED */
	SESSION_FX_SCALE_ZERO,
	SESSION_FX_SCALE_TARE,
	SESSION_FX_RECORD_BIN,   /* u.bin: record a bin collection */
	SESSION_FX_RECORD_STAFF, /* u.staff: record a staff action */
	SESSION_FX_BEEP_OK,
	SESSION_FX_BEEP_ERROR,
};

struct session_effect {
	enum session_effect_kind kind;
	union {
		struct session_drop drop;
		struct {
			uint64_t staff_id;
			char digits[SESSION_PIN_MAX + 1];
		} pin;
		struct session_receipt receipt;
		struct {
			uint64_t staff_id;
			uint16_t category_id;
			int64_t grams;
		} bin;
		struct {
			uint64_t staff_id;
			enum session_staff_action action;
			int64_t value;
			bool test_ok;
		} staff;
	} u;
};

struct session_effects {
	unsigned n;
	struct session_effect fx[SESSION_EFFECTS_MAX];
};

enum session_screen {
	SESSION_SCREEN_ATTRACT = 1,        /* idle: tap a card */
	SESSION_SCREEN_REFUSED,            /* blocked or unknown card; message then attract */
	SESSION_SCREEN_UNKNOWN,            /* unknown card: offer an anonymous drop */
	SESSION_SCREEN_CATEGORY,           /* pick a category */
	SESSION_SCREEN_WEIGH,              /* put it on the scale; waiting for a stable weight */
	SESSION_SCREEN_COUNT,              /* counted category: choose the number of pieces */
	SESSION_SCREEN_CONFIRM,            /* weight/pieces and points shown: confirm */
	SESSION_SCREEN_RECORDING,          /* waiting for the journal's commit */
	SESSION_SCREEN_RECEIPT,            /* receipt shown (and printed) */
	SESSION_SCREEN_PIN,                /* staff: enter PIN */
	SESSION_SCREEN_PIN_CHECK,          /* staff: PIN being verified */
	SESSION_SCREEN_STAFF,              /* staff menu */
	SESSION_SCREEN_STAFF_BIN_CATEGORY, /* staff: which bin is collected */
	SESSION_SCREEN_STAFF_BIN_WEIGH,    /* staff: weigh the collected bag */
	SESSION_SCREEN_OUT_OF_SERVICE,
};

/* Why a message is on screen; the UI turns it into words. */
enum session_message {
	SESSION_MSG_NONE = 0,
	SESSION_MSG_BLOCKED,        /* card blocked: reason in view.reason */
	SESSION_MSG_UNKNOWN_CARD,   /* card not registered (and no anonymous drops) */
	SESSION_MSG_TOO_LIGHT,      /* stable but under the category minimum */
	SESSION_MSG_TOO_HEAVY,      /* over the category maximum */
	SESSION_MSG_OVERLOAD,       /* the scale reports overload */
	SESSION_MSG_CLEAR_PLATFORM, /* remove the last bag first (not back at zero) */
	SESSION_MSG_LIMIT_REACHED,  /* daily limit: recorded, points capped */
	SESSION_MSG_PRINTER_FAILED, /* receipt on screen only; staff can reprint */
	SESSION_MSG_PIN_WRONG,
	SESSION_MSG_LOCKED_OUT,       /* too many wrong PINs: wait */
	SESSION_MSG_CANCELLED_DEVICE, /* a device was lost: nothing recorded */
	SESSION_MSG_TEST_OK,
	SESSION_MSG_TEST_FAILED,
	SESSION_MSG_ANON_CAP_REACHED, /* anonymous daily cap: recorded, points capped */
};

enum session_oos_reason {
	SESSION_OOS_NONE = 0,
	SESSION_OOS_STAFF,       /* a staff member took it out of service */
	SESSION_OOS_SCALE,       /* the scale is down */
	SESSION_OOS_CARD_READER, /* the card reader is down */
	SESSION_OOS_LEDGER,      /* the journal cannot record */
};

/* Everything the UI needs to draw; a plain value. */
struct session_view {
	enum session_screen screen;
	enum session_message message;
	enum session_oos_reason oos;
	char name[SESSION_NAME_MAX];     /* who is at the kiosk (masked) */
	char reason[SESSION_REASON_MAX]; /* block reason */
	bool anonymous;
	bool staff_admin;
	uint16_t category_id;    /* selected category, 0 if none */
	int64_t live_grams;      /* the latest weight (valid if live_has_weight) */
	bool live_has_weight;    /* the latest reading carried a weight */
	enum session_scale live; /* what the scale is doing now */
	bool live_stable;        /* the latest reading is stable by our rule */
	unsigned stable_pct;     /* 0..100 progress towards "stable" */
	int64_t qty;             /* weighed grams or counted pieces on CONFIRM/COUNT */
	int64_t points;          /* points for qty (after the daily limit) */
	bool capped;             /* points capped by the daily limit or the anonymous cap */
	bool anon_capped;        /* ... by the anonymous daily cap */
	int64_t session_points;  /* points earned in this visit so far */
	unsigned pin_len;        /* digits typed so far */
	int64_t locked_ms;       /* lock-out left, ms */
	int64_t timeout_left_ms; /* until this screen gives up; 0 if none */
	bool printer_ok;
	bool has_receipt; /* receipt below is valid */
	struct session_receipt receipt;
	int64_t test_grams;            /* last test-weight reading */
	int64_t test_expected_g;       /* the check weight staff put on */
	int64_t test_tolerance_g;      /* ... and the error it may show */
	char keyed[SESSION_KEYED_MAX]; /* staff bin weight keyed in, kg ("12.5"); "" none */
	int64_t keyed_grams;           /* keyed as grams; -1 when not a weight */
	enum wf_lang language;         /* what the screen speaks now */
	bool allow_anonymous;          /* a visit may start without a card */
	bool staff_oos;   /* staff took the kiosk out of service (other reasons may too) */
	bool has_balance; /* balance below is known (a resident's visit) */
	int64_t balance;  /* the resident's points now: before the visit + earned */
};

struct session_config {
	int64_t stable_tolerance_g;  /* readings within this band count as the same */
	int64_t stable_time_ms;      /* ... for at least this long */
	int64_t zero_band_g;         /* |grams| <= this is "platform empty" */
	int64_t test_weight_g;       /* the staff's check weight */
	int64_t test_tolerance_g;    /* allowed error of the check */
	int64_t timeout_identify_ms; /* refused/unknown-card screens */
	int64_t timeout_category_ms;
	int64_t timeout_weigh_ms;
	int64_t timeout_confirm_ms;
	int64_t timeout_receipt_ms;
	int64_t timeout_pin_ms;
	int64_t timeout_staff_ms;
	unsigned max_pin_attempts; /* wrong PINs before a lock-out, >= 1 */
	int64_t lockout_ms;
	bool allow_anonymous;
	enum wf_lang language; /* the default language; each visit starts in it */
	unsigned ncategories;
	struct wf_category categories[WF_MAX_CATEGORIES];
};

struct session;

/* Sensible defaults for every number (tests and the demo start here). */
void session_config_defaults(struct session_config *cfg);

/*
 * session_create — a new session in ATTRACT, every device assumed up until
 * the caller reports one down (the runner reports what fails to open).
 * Copies cfg. Returns NULL if cfg is invalid (a bad category, a weighed
 * category whose minimum lies in the zero band, a non-positive time) or
 * memory is short; the reason goes to why[why_len] when why is not NULL.
 * The printer is the one device whose loss takes nothing out of service:
 * receipts then stay on screen and staff can reprint them.
 */
struct session *session_create(const struct session_config *cfg, int64_t now_ms, char *why,
                               unsigned why_len);
void session_destroy(struct session *s); /* NULL is a no-op */

/*
 * session_step — feed one event; out receives the effects in the order the
 * caller must carry them out (out->n == 0 is common). Events with a now_ms
 * earlier than the last one are treated as happening at the last time.
 * Returns WF_OK, or WF_EINVAL for an event that is malformed (unknown kind,
 * unknown control); a malformed event changes nothing.
 */
int session_step(struct session *s, const struct session_event *ev, struct session_effects *out);

/*
 * session_set_catalog — new categories from down-sync. Only between visits
 * (ATTRACT or OUT_OF_SERVICE): returns WF_ESTATE otherwise, so a visit never
 * changes rates half-way; WF_EINVAL (nothing changed) for an invalid list.
 */
int session_set_catalog(struct session *s, const struct wf_category *cats, unsigned n);

/* session_view — what the UI draws now. */
struct session_view session_view(const struct session *s);

/* Names for logs and the demo ("attract", "weigh", ...). */
const char *session_screen_name(enum session_screen screen);
const char *session_message_name(enum session_message message);
const char *session_effect_name(enum session_effect_kind kind);
const char *session_scale_name(enum session_scale scale); /* "moving", "stable", ... */

/* session_keyed_grams — a keyed-in weight in kilograms ("12", "12.5",
 * "0.125") as grams; -1 for "" or anything that is not a weight from 1 g
 * to SESSION_KEYED_MAX_G with at most three decimals. */
int64_t session_keyed_grams(const char *kg);

/* The category with this id, or NULL. */
const struct wf_category *session_category(const struct session *s, uint16_t category_id);

#endif
