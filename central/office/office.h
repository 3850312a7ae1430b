/*
 * office.h — who may use the central office's pages and API, and how they
 * prove it: office users (Argon2id password hashes, roles viewer / operator
 * / admin and what each may do), logins slowed after failures, sessions (a
 * random id in a cookie, only its hash stored, idle and absolute expiry),
 * per-session CSRF tokens, the audit log, and partner shops' API tokens
 * (redeem only, stored hashed).
 *
 * For: the office web pages (central/server/office_*.c) and the commands
 * `wufei-central user|audit|token`. Not for: HTTP parsing (office_form.h),
 * reading secrets from a terminal (office_secret.h), SQL (store.h).
 *
 * Functions that take a store take its lock themselves (store_lock) around
 * each use and never hold it while hashing a password (Argon2id takes ~0.1 s
 * and 64 MiB). They block on disk I/O. Negative returns are enum wf_err, with
 * detail in store_errmsg(s). Times are UTC seconds. Library wufei_office.
 */
#ifndef WUFEI_CENTRAL_OFFICE_H
#define WUFEI_CENTRAL_OFFICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "wf.h"

/* ---- roles and what they may do ---- */

enum office_role {
	OFFICE_VIEWER = 1,   /* reads reports and pages */
	OFFICE_OPERATOR = 2, /* + claims, redemptions, day closes */
	OFFICE_ADMIN = 3,    /* + points adjustments, users, API tokens */
};

enum office_action {
	OFFICE_VIEW,          /* dashboards, reports, downloads */
	OFFICE_OWN_PASSWORD,  /* change one's own password */
	OFFICE_CLAIM,         /* claim a receipt onto a resident */
	OFFICE_REDEEM,        /* redeem a resident's points */
	OFFICE_CLOSE_DAY,     /* close a kiosk's day */
	OFFICE_ADJUST_POINTS, /* an admin's points adjustment */
	OFFICE_MANAGE_USERS,  /* add, remove, change others' roles and passwords */
	OFFICE_MANAGE_TOKENS, /* partner shops' API tokens */
};

/* office_role_parse — "viewer", "operator", "admin" to a role; WF_EINVAL otherwise. */
int office_role_parse(const char *text);

/* office_role_name — the role's name ("viewer", ...); "?" for a value that is no role. */
const char *office_role_name(int role);

/* office_can — whether role may do action (false for anything unknown). Pure. */
bool office_can(int role, enum office_action action);

/* ---- passwords ---- */

#define OFFICE_PASSWORD_MIN 10  /* bytes */
#define OFFICE_PASSWORD_MAX 128 /* bytes */
#define OFFICE_HASH_MAX     128 /* crypto_pwhash_STRBYTES */

/* office_password_ok — a password of MIN..MAX bytes, valid UTF-8 without
 * control characters; WF_OK or WF_EINVAL. Pure. */
int office_password_ok(const char *pw, size_t len);

/* office_password_hash — Argon2id (crypto_pwhash_str_alg, INTERACTIVE limits)
 * of pw into out[OFFICE_HASH_MAX]. WF_ENOMEM when the memory is not there. */
int office_password_hash(const char *pw, size_t len, char out[OFFICE_HASH_MAX]);

/* office_password_verify — 1 pw matches hash, 0 not (also for a malformed
 * hash). *rehash (may be NULL) is set when the hash was made with other
 * parameters or another algorithm and should be replaced. */
int office_password_verify(const char *hash, const char *pw, size_t len, bool *rehash);

/* ---- users ---- */

/* office_user_name_ok — 1..63 bytes of a-z A-Z 0-9 . _ - @; pure. */
bool office_user_name_ok(const char *name);

/* ---- the audit log ---- */

/*
 * office_audit — one audit line: who ("alice", "cli:root"), from which
 * address (may be NULL), what action ("login", "user_add", ...) and a
 * printf-style detail. Takes the store lock.
 */
int office_audit(struct store *s, int64_t now_s, const char *who, const char *addr,
                 const char *action, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* ---- logins and sessions ---- */

#define OFFICE_THROTTLE_WINDOW_S 900   /* failures counted over the last 15 min */
#define OFFICE_THROTTLE_FREE     5     /* failures before logins are slowed */
#define OFFICE_THROTTLE_BASE_S   30    /* first wait; doubles with each further failure */
#define OFFICE_SESSION_IDLE_S    1800  /* a session ends after 30 min unused */
#define OFFICE_SESSION_MAX_S     43200 /* and 12 h after the login in any case */
#define OFFICE_SESSION_TOUCH_S   60    /* the idle clock is restarted at most once a minute */
#define OFFICE_COOKIE            "wufei_office"
#define OFFICE_SESSION_ID_HEX    65 /* 32 random bytes as hex, with the NUL */

enum office_login_result {
	OFFICE_LOGIN_OK = 1,
	OFFICE_LOGIN_WRONG = 2,     /* no such user or a wrong password (not said which) */
	OFFICE_LOGIN_THROTTLED = 3, /* too many failures: retry_after_s */
};

/* Who a request comes from once logged in. */
struct office_who {
	struct store_user user; /* pw_hash cleared */
	int role;               /* enum office_role */
	char csrf[65];          /* the session's CSRF token (hex) */
	uint8_t id_hash[32];    /* the session's key in the store */
};

struct office_login {
	enum office_login_result result;
	int64_t retry_after_s;              /* THROTTLED: seconds until a try is taken */
	char cookie[OFFICE_SESSION_ID_HEX]; /* OK: the session id for the cookie */
	struct office_who who;              /* OK: the user, role and CSRF token */
};

/*
 * office_login — a login attempt by name with password pw[len] from client
 * address addr: refused (THROTTLED) while name or addr has had
 * OFFICE_THROTTLE_FREE or more failures in the window and the last is
 * younger than the wait (30 s, doubling per further failure, at most the
 * window); else the password is checked (against a dummy hash for an
 * unknown name, so the time does not tell). A refusal counts as a failure.
 * OK creates a session (and rehashes an outdated hash). Every outcome is in
 * the audit log. Returns WF_OK with *out filled, or a storage error.
 * The attempt is recorded and counted in one store step before the hash is
 * checked, and taken back after a right password, so attempts at the same
 * moment (any thread, handle or central) are never more than the limit.
 * (So attempts still being checked count for those made at the same moment:
 * a sixth login from one address while five are being checked waits.)
 */
int office_login(struct store *s, const char *name, const char *pw, size_t len, const char *addr,
                 int64_t now_s, struct office_login *out);

/*
 * office_reauth — a logged-in user's password asked again (before it is
 * changed): office_login's checks, throttling and audit ("reauth",
 * "reauth_failed", "reauth_throttled"), without a new session.
 */
int office_reauth(struct store *s, const char *name, const char *pw, size_t len, const char *addr,
                  int64_t now_s, struct office_login *out);

/*
 * office_session_find — the session of cookie value id (hex): 1 logged in
 * (*out filled, the session's idle clock restarted when it is a minute or
 * more old), 0 not (no such session,
 * expired, malformed id, user gone), or a storage error.
 */
int office_session_find(struct store *s, const char *id, int64_t now_s, struct office_who *out);

/* office_session_end — the session of who ends (logout); expired ones go too. */
int office_session_end(struct store *s, const struct office_who *who, int64_t now_s);

/* office_csrf_ok — whether given (NULL: absent) is who's CSRF token,
 * compared in constant time. Pure. */
bool office_csrf_ok(const struct office_who *who, const char *given);

/* ---- API tokens for partner shops ---- */

#define OFFICE_TOKEN_PREFIX "wft_"
#define OFFICE_TOKEN_TEXT   69 /* "wft_" + 64 hex + NUL */

/*
 * office_token_add — a new redeem-only token for shop name: the text into
 * out (shown once: central keeps only its hash) and its id. Takes the lock.
 */
int office_token_add(struct store *s, const char *name, int64_t now_s, char out[OFFICE_TOKEN_TEXT],
                     int64_t *id);

/*
 * office_token_check — an Authorization header value ("Bearer wft_...";
 * NULL: absent): 1 a live token (*id and scope[16], "redeem", set), 0
 * refused (absent, malformed, unknown, revoked), or a storage error. Takes
 * the lock.
 */
int office_token_check(struct store *s, const char *authorization, int64_t *id, char scope[16]);

#endif
