/*
 * record.h — the one canonical binary encoding of every journal record
 * (DESIGN "Decisions": one journal per kiosk, canonical encoding).
 *
 * For: turning a struct wf_record into its canonical bytes and back. These
 * bytes are what the kiosk hashes into its chain (common/chain.h), stores in
 * its journal and sends to central, and what central compares byte for byte.
 * The kiosk (ledger) and central (ingest) both use this code, so there is
 * exactly one layout.
 *
 * Not for: storage, hashing, JSON (JSON only carries these bytes in base64),
 * receipts (common/receipt.h). Pure and libc-only: no allocation, no I/O.
 *
 * Layout (all integers fixed-width little-endian, fields in this order):
 *
 *   header, 22 bytes, every kind:
 *     u8  format version (WF_RECORD_FORMAT = 1)
 *     u8  kind (enum wf_record_kind)
 *     u32 kiosk number (>= 1)
 *     u64 seq (>= 1, <= INT64_MAX)
 *     i64 time_ms (corrected UTC, milliseconds since 1970; informative only:
 *         never used for order or identity)
 *   DROP, 76 bytes:
 *     u16 category id (>= 1), u8 unit (1 g, 2 piece), u8 flags (bit 0
 *     anonymous, bit 1 capped; other bits zero), i64 qty, i64 credited qty,
 *     i64 points, u32 rate version, u64 resident id (0 when anonymous),
 *     32 bytes card hash, u32 local day (yyyymmdd)
 *   BIN (bin collection), 18 bytes:
 *     u16 category id (>= 1), i64 grams (>= 0), u64 staff id (>= 1)
 *   STAFF (staff action), 20 + n bytes:
 *     u64 staff id (0 = unknown card / nobody), u16 action code, i64 value,
 *     u16 n, n bytes UTF-8 text (n <= WF_RECORD_TEXT_MAX - 1, no NUL or
 *     control characters)
 *   DAY_CLOSE, 32 bytes:
 *     u32 local day, u32 drop count, i64 grams, i64 pieces, i64 points
 *   CHECKPOINT, 40 bytes:
 *     u64 upto_seq (records 1..upto_seq are acknowledged by central and may
 *     be pruned; < this record's seq), 32 bytes chain hash after upto_seq
 *   EPOCH (a new or restored journal), 45 bytes:
 *     u32 epoch (central's number; 0 = not yet known), u8 reason (1 new
 *     journal, 2 restored), u64 after_seq (the journal continues after this
 *     seq; 0 for a brand-new journal), 32 bytes chain hash after after_seq
 *     (zeros when after_seq is 0)
 *
 * A decoder accepts exactly these lengths: trailing bytes, unknown versions,
 * unknown kinds, unknown flag bits, out-of-range values and bad text are all
 * rejected. Encoding then decoding is the identity, and decoding then
 * encoding reproduces the input bytes exactly.
 */
#ifndef WUFEI_RECORD_H
#define WUFEI_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wf.h"

#define WF_RECORD_FORMAT     1
#define WF_RECORD_HEADER_LEN 22
#define WF_RECORD_TEXT_MAX   65  /* staff-action text incl. NUL: 64 bytes of UTF-8 */
#define WF_RECORD_MAX_LEN    128 /* no canonical record is longer */

/* Record kinds: the number is on the wire (canonical bytes, sync JSON "kind"). */
enum wf_record_kind {
	WF_RECORD_DROP = 1,
	WF_RECORD_BIN = 2,
	WF_RECORD_STAFF = 3,
	WF_RECORD_DAY_CLOSE = 4,
	WF_RECORD_CHECKPOINT = 5,
	WF_RECORD_EPOCH = 6,
};

#define WF_DROP_ANONYMOUS 0x01u /* no resident account */
#define WF_DROP_CAPPED    0x02u /* credited_qty < qty because of the daily limit */

/* Staff action codes (same numbers as enum session_staff_action). */
enum wf_staff_action {
	WF_STAFF_LOGIN = 1,
	WF_STAFF_LOCKOUT = 2,    /* value: failures */
	WF_STAFF_PIN_FAILED = 3, /* value: failures so far */
	WF_STAFF_ZERO = 4,
	WF_STAFF_TARE = 5,
	WF_STAFF_TEST_WEIGHT = 6, /* value: grams read */
	WF_STAFF_OOS_ON = 7,
	WF_STAFF_OOS_OFF = 8,
	WF_STAFF_REPRINT = 9, /* value: seq reprinted */
	WF_STAFF_LOGOUT = 10,
	WF_STAFF_BIN_KEYED = 11,  /* value: grams keyed in for the bin collection just recorded */
	WF_STAFF_ACTION_MAX = 11, /* highest known code */
};

enum wf_epoch_reason {
	WF_EPOCH_NEW = 1,
	WF_EPOCH_RESTORED = 2,
};

struct wf_record_drop {
	uint16_t category_id;
	uint8_t unit;                     /* enum wf_unit: 1 gram, 2 piece */
	uint8_t flags;                    /* WF_DROP_* */
	int64_t qty;                      /* grams or pieces, 1..WF_QTY_MAX */
	int64_t credited_qty;             /* 0..qty; == qty unless capped */
	int64_t points;                   /* >= 0 */
	uint32_t rate_version;            /* rate table version the points come from */
	uint64_t resident_id;             /* 0 when anonymous, else 1..INT64_MAX */
	uint8_t card_hash[WF_HASH_BYTES]; /* keyed card hash; zeros when no card */
	uint32_t local_day;               /* yyyymmdd in the kiosk's time zone */
};

struct wf_record_bin {
	uint16_t category_id;
	int64_t grams;     /* 0..WF_QTY_MAX */
	uint64_t staff_id; /* 1..INT64_MAX */
};

struct wf_record_staff {
	uint64_t staff_id;             /* 0..INT64_MAX (0 = not identified) */
	uint16_t action;               /* enum wf_staff_action, 1..WF_STAFF_ACTION_MAX */
	int64_t value;                 /* meaning depends on the action */
	char text[WF_RECORD_TEXT_MAX]; /* NUL-terminated UTF-8, may be empty */
};

struct wf_record_day_close {
	uint32_t local_day; /* yyyymmdd */
	uint32_t drops;
	int64_t grams;  /* >= 0 */
	int64_t pieces; /* >= 0 */
	int64_t points; /* >= 0 */
};

struct wf_record_checkpoint {
	uint64_t upto_seq; /* 1..seq-1 */
	uint8_t hash[WF_HASH_BYTES];
};

struct wf_record_epoch {
	uint32_t epoch;
	uint8_t reason;     /* enum wf_epoch_reason */
	uint64_t after_seq; /* 0..seq-1 */
	uint8_t hash[WF_HASH_BYTES];
};

struct wf_record {
	uint8_t kind;    /* enum wf_record_kind */
	uint32_t kiosk;  /* >= 1 */
	uint64_t seq;    /* >= 1 */
	int64_t time_ms; /* corrected UTC ms; any value */
	union {
		struct wf_record_drop drop;
		struct wf_record_bin bin;
		struct wf_record_staff staff;
		struct wf_record_day_close day_close;
		struct wf_record_checkpoint checkpoint;
		struct wf_record_epoch epoch;
	};
};

/*
 * wf_record_check — validates every field of r as the decoder would.
 * Returns 0 (WF_OK) or WF_EINVAL and a short reason in why[why_len] (why
 * may be NULL). Pure.
 */
int wf_record_check(const struct wf_record *r, char *why, size_t why_len);

/*
 * wf_record_encode — writes r's canonical bytes into buf[0..cap).
 * Returns the number of bytes written (> 0), WF_EINVAL if r does not pass
 * wf_record_check (nothing useful in buf), or WF_ENOMEM if cap is too small
 * (WF_RECORD_MAX_LEN always suffices). r and buf must not be NULL.
 */
int wf_record_encode(const struct wf_record *r, uint8_t *buf, size_t cap);

/*
 * wf_record_decode — decodes and fully validates buf[0..len) (untrusted:
 * any byte sequence is safe; never reads outside buf). Returns WF_OK and
 * fills *out, or WF_EINVAL with *out zeroed and a short reason in
 * why[why_len] (why may be NULL). buf may be NULL only if len is 0.
 */
int wf_record_decode(const uint8_t *buf, size_t len, struct wf_record *out, char *why,
                     size_t why_len);

/* wf_record_kind_name — "drop", "bin", "staff", "day_close", "checkpoint",
 * "epoch", or "unknown"; static, never NULL. */
const char *wf_record_kind_name(int kind);

/* wf_record_day_valid — true if day is a plausible yyyymmdd (2000..9999,
 * month 1..12, day within the month). */
bool wf_record_day_valid(uint32_t day);

#endif
