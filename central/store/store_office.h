/*
 * store_office.h — what the store keeps for the office's access: users, sessions,
 * audit lines and partner tokens (store_sqlite_office.c).
 * Part of store.h (which includes it); include store.h, not this.
 */
#ifndef WUFEI_CENTRAL_STORE_OFFICE_H
#define WUFEI_CENTRAL_STORE_OFFICE_H

#include <stdint.h>

/* ---- the office (store_sqlite_office.c) ---- */

/* An office user (the web pages' people). */
struct store_user {
	int64_t id;
	char name[64];     /* login name, unique */
	char pw_hash[192]; /* crypto_pwhash_str (Argon2id) */
	char role[16];     /* "viewer" | "operator" | "admin" */
	int64_t created_s;
	int64_t changed_s; /* password or role last changed */
};

/* An office session. Central keeps only the hash of the cookie's id. */
struct store_session {
	uint8_t id_hash[32]; /* BLAKE2b-256 of the random id the cookie carries */
	int64_t user;        /* store_user id */
	char csrf[65];       /* the session's CSRF token, hex */
	int64_t created_s;   /* for the absolute expiry */
	int64_t seen_s;      /* last request, for the idle expiry */
};

/* One line of the office's audit log. */
struct store_audit {
	int64_t id;
	int64_t at_s;
	char who[64];     /* user name, or "cli:<login>" for the command line */
	char action[32];  /* e.g. "login", "login_failed", "user_add" */
	char detail[256]; /* free text, as given (escape it when shown) */
	char addr[48];    /* client address, or "" */
};

/* One key of a login attempt (store_ops.login_attempt). */
#define STORE_LOGIN_KEYS_MAX 4
struct store_login_key {
	const char *key; /* "user:NAME" or "addr:ADDR" (borrowed) */
	int64_t count;   /* out: the key's attempts in the window before this one */
	int64_t last_s;  /* out: the latest of them, 0 when none */
	int64_t id;      /* out: this attempt's row (login_attempt_remove) */
};

/* A partner shop's API token. Central keeps only its hash. */
struct store_token {
	int64_t id;
	char name[64];
	uint8_t hash[32]; /* BLAKE2b-256 of the token text */
	char scope[16];   /* "redeem" */
	int64_t created_s;
	int64_t revoked_s; /* 0 = live */
};

#endif
