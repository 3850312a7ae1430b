/*
 * wf.h — things every Wufei module shares: the one error enum and a log hook.
 *
 * Not for: anything with I/O or state. Lower layers never print and never
 * exit; they return a negative wf_err and keep the detail on their handle
 * (like sqlite3_errmsg), or report through a wf_log_fn the caller passes in.
 */
#ifndef WUFEI_WF_H
#define WUFEI_WF_H

#include <stdarg.h>

/* Negative is failure; zero is success; a positive return may be a count. */
enum wf_err {
	WF_OK = 0,
	WF_EINVAL = -1,     /* bad argument or bad input from the world */
	WF_EIO = -2,        /* an operating-system or device I/O error */
	WF_ENOMEM = -3,     /* allocation failed or a cap was reached */
	WF_EBUSY = -4,      /* resource busy; retrying may succeed */
	WF_ENOENT = -5,     /* file, record or key not found */
	WF_ECORRUPT = -6,   /* stored data failed an integrity check */
	WF_EFULL = -7,      /* disk or queue full */
	WF_EROFS = -8,      /* storage is read-only */
	WF_ETIMEDOUT = -9,  /* a wait ran out */
	WF_ECRYPTO = -10,   /* signature, hash or key failure */
	WF_EPROTO = -11,    /* a peer broke the protocol */
	WF_ECONFLICT = -12, /* same identity, different content */
	WF_EEXIST = -13,    /* refused to overwrite something that exists */
	WF_ESTATE = -14,    /* call not allowed in the current state */
};

/* The one hash size: BLAKE2b-256 (the record chain, card hashes, request
 * hashes), in bytes and as lower-case hex with its NUL. */
#define WF_HASH_BYTES 32
#define WF_HASH_HEX   65

/* Static English text for an error code; never NULL. */
const char *wf_strerror(int err);

enum wf_log_level { WF_LOG_DEBUG, WF_LOG_INFO, WF_LOG_WARN, WF_LOG_ERROR };

/* A log hook. ctx is the caller's; msg is a complete line without newline. */
typedef void (*wf_log_fn)(void *ctx, enum wf_log_level level, const char *msg);

/* The languages a person can be shown (common/i18n/i18n.h translates). */
enum wf_lang {
	WF_LANG_ZH = 0, /* 简体中文 (zh_CN) */
	WF_LANG_EN = 1, /* English */
	WF_LANG_COUNT
};

#endif
