/*
 * store_pg_office.c — the office's side of the PostgreSQL backend: office
 * users, sessions (only the hash of a cookie's id), the audit log, failed
 * logins and partner shops' API tokens (only their hash), as
 * store_sqlite_office.c does on SQLite (same results and return codes).
 *
 * Login attempts are rows, one per attempt (kept as a failure unless the
 * password was right), so the throttle holds across every central on one
 * database: an attempt is counted and added under one advisory lock, so
 * simultaneous attempts each see the ones before them. The
 * session's user column is user_id here ("user" is reserved).
 */
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs,
 * surrogates or code points past U+10FFFF), or 0 when there is none. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n = c >= 0xc2 && c <= 0xdf   ? 2
	           : c >= 0xe0 && c <= 0xef ? 3
	           : c >= 0xf0 && c <= 0xf4 ? 4
	                                    : 0;
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n == 0 || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

static bool utf8_valid(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c;) {
		size_t n = utf8_seq(c);
		if (!n)
			return false;
		c += n;
	}
	return true;
}

/*
 * text_of — s as text PostgreSQL takes: s itself when it is UTF-8, else a
 * copy in buf[cap] with each byte that is not written "\xNN" (the line is
 * kept, its odd bytes readable; cut at cap). SQLite keeps such bytes raw.
 */
static const char *text_of(const char *s, char *buf, size_t cap)
{
	if (!s || utf8_valid(s))
		return s;
	size_t o = 0;
	for (const unsigned char *c = (const unsigned char *)s; *c && o + 5 < cap;) {
		size_t n = utf8_seq(c);
		if (n) {
			if (o + n >= cap)
				break;
			memcpy(buf + o, c, n);
			o += n;
			c += n;
		} else {
			snprintf(buf + o, cap - o, "\\x%02x", *c++);
			o += 4;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* Room for any text of the office's structs written as text_of does. */
#define TEXT_CAP (4 * 256 + 1)

/* Rows a statement changed (UPDATE, DELETE), from its result (cleared). */
static int changed(PGresult *r)
{
	long n = strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return n > 0 ? 1 : 0;
}

/* Runs sql and returns 1 when it changed a row, 0 when none, or an error. */
static int run_changed(struct pg_store *p, const char *sql, const struct pg_params *pp)
{
	PGresult *r = NULL;
	int rc = pg_run(p, sql, pp, &r);
	return rc ? rc : changed(r);
}

/* Runs an INSERT ... RETURNING id; *id set. */
static int run_insert_id(struct pg_store *p, const char *sql, const struct pg_params *pp,
                         int64_t *id)
{
	PGresult *r = NULL;
	int rc = pg_run(p, sql, pp, &r);
	if (rc)
		return rc;
	if (PQntuples(r) == 1)
		*id = pg_i64(r, 0, 0);
	else {
		store_set_err(&p->base, "postgresql: an insert gave no id");
		rc = WF_EIO;
	}
	PQclear(r);
	return rc;
}

/* ---- users ---- */

#define USER_COLS "id, name, pw_hash, role, created_s, changed_s"

static void user_row(const PGresult *r, int i, struct store_user *u)
{
	memset(u, 0, sizeof *u);
	u->id = pg_i64(r, i, 0);
	pg_text(r, i, 1, u->name, sizeof u->name);
	pg_text(r, i, 2, u->pw_hash, sizeof u->pw_hash);
	pg_text(r, i, 3, u->role, sizeof u->role);
	u->created_s = pg_i64(r, i, 4);
	u->changed_s = pg_i64(r, i, 5);
}

static int pg_user_add(struct store *s, struct store_user *u)
{
	static const char sql[] = "INSERT INTO office_users(name, pw_hash, role, created_s, "
	                          "changed_s) VALUES($1, $2, $3, $4, $4) RETURNING id";
	char name[TEXT_CAP];
	struct pg_params pp = {0};
	pg_p_text(&pp, text_of(u->name, name, sizeof name));
	pg_p_text(&pp, u->pw_hash);
	pg_p_text(&pp, u->role);
	pg_p_i64(&pp, u->created_s);
	int64_t id = 0;
	int rc = run_insert_id(PGS(s), sql, &pp, &id);
	if (rc == WF_EEXIST)
		store_set_err(s, "an office user named '%s' exists", u->name);
	if (!rc) {
		u->id = id;
		u->changed_s = u->created_s;
	}
	return rc;
}

static int pg_user_get(struct store *s, const char *name, int64_t id, struct store_user *out)
{
	static const char by_name[] = "SELECT " USER_COLS " FROM office_users WHERE name = $1";
	static const char by_id[] = "SELECT " USER_COLS " FROM office_users WHERE id = $1";
	char buf[TEXT_CAP];
	struct pg_params pp = {0};
	if (name)
		pg_p_text(&pp, text_of(name, buf, sizeof buf));
	else
		pg_p_i64(&pp, id);
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), name ? by_name : by_id, &pp, &r);
	if (rc)
		return rc;
	int found = PQntuples(r) > 0;
	if (found)
		user_row(r, 0, out);
	PQclear(r);
	return found;
}

/* The user's sessions end (a new password, a removal). */
static int sessions_end(struct pg_store *p, const char *name)
{
	static const char sql[] = "DELETE FROM office_sessions WHERE user_id IN (SELECT id FROM "
	                          "office_users WHERE name = $1)";
	char buf[TEXT_CAP];
	struct pg_params pp = {0};
	pg_p_text(&pp, text_of(name, buf, sizeof buf));
	return pg_run(p, sql, &pp, NULL);
}

static int pg_user_update(struct store *s, const char *name, const char *pw_hash, const char *role,
                          int64_t now_s)
{
	static const char sql[] = "UPDATE office_users SET pw_hash = coalesce($1, pw_hash), role = "
	                          "coalesce($2, role), changed_s = $3 WHERE name = $4";
	struct pg_store *p = PGS(s);
	bool own = false;
	int rc = pg_tx_begin(p, &own);
	if (rc)
		return rc;
	if (pw_hash)
		rc = sessions_end(p, name);
	if (!rc) {
		char buf[TEXT_CAP];
		struct pg_params pp = {0};
		pg_p_text(&pp, pw_hash);
		pg_p_text(&pp, role);
		pg_p_i64(&pp, now_s);
		pg_p_text(&pp, text_of(name, buf, sizeof buf));
		rc = run_changed(p, sql, &pp);
	}
	int done = rc == 1;
	rc = pg_tx_end(p, own, rc < 0 ? rc : WF_OK);
	return rc ? rc : done;
}

static int pg_user_remove(struct store *s, const char *name)
{
	static const char sql[] = "DELETE FROM office_users WHERE name = $1";
	struct pg_store *p = PGS(s);
	bool own = false;
	int rc = pg_tx_begin(p, &own);
	if (rc)
		return rc;
	rc = sessions_end(p, name);
	if (!rc) {
		char buf[TEXT_CAP];
		struct pg_params pp = {0};
		pg_p_text(&pp, text_of(name, buf, sizeof buf));
		rc = run_changed(p, sql, &pp);
	}
	int removed = rc == 1;
	rc = pg_tx_end(p, own, rc < 0 ? rc : WF_OK);
	return rc ? rc : removed;
}

struct user_each {
	int (*fn)(void *ctx, const struct store_user *u);
	void *ctx;
};

static int user_each_row(const PGresult *r, int i, void *ctx)
{
	struct user_each *e = ctx;
	struct store_user u;
	user_row(r, i, &u);
	return e->fn(e->ctx, &u);
}

static int pg_user_list(struct store *s, int (*fn)(void *ctx, const struct store_user *u),
                        void *ctx)
{
	static const char sql[] = "SELECT " USER_COLS " FROM office_users ORDER BY name";
	struct user_each e = {fn, ctx};
	return pg_each(s, sql, NULL, user_each_row, &e);
}

/* ---- sessions ---- */

static int pg_session_add(struct store *s, const struct store_session *se)
{
	static const char sql[] = "INSERT INTO office_sessions(id_hash, user_id, csrf, created_s, "
	                          "seen_s) VALUES($1, $2, $3, $4, $5)";
	struct pg_params pp = {0};
	pg_p_bytes(&pp, se->id_hash, 32);
	pg_p_i64(&pp, se->user);
	pg_p_text(&pp, se->csrf);
	pg_p_i64(&pp, se->created_s);
	pg_p_i64(&pp, se->seen_s);
	return pg_run(PGS(s), sql, &pp, NULL);
}

static int pg_session_get(struct store *s, const uint8_t id_hash[32], struct store_session *out)
{
	static const char sql[] = "SELECT user_id, csrf, created_s, seen_s FROM office_sessions "
	                          "WHERE id_hash = $1";
	struct pg_params pp = {0};
	pg_p_bytes(&pp, id_hash, 32);
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	int found = PQntuples(r) > 0;
	if (found) {
		memset(out, 0, sizeof *out);
		memcpy(out->id_hash, id_hash, 32);
		out->user = pg_i64(r, 0, 0);
		pg_text(r, 0, 1, out->csrf, sizeof out->csrf);
		out->created_s = pg_i64(r, 0, 2);
		out->seen_s = pg_i64(r, 0, 3);
	}
	PQclear(r);
	return found;
}

static int pg_session_touch(struct store *s, const uint8_t id_hash[32], int64_t now_s)
{
	static const char sql[] = "UPDATE office_sessions SET seen_s = $1 WHERE id_hash = $2";
	struct pg_params pp = {0};
	pg_p_i64(&pp, now_s);
	pg_p_bytes(&pp, id_hash, 32);
	return pg_run(PGS(s), sql, &pp, NULL);
}

static int pg_session_remove(struct store *s, const uint8_t id_hash[32], int64_t idle_before_s,
                             int64_t created_before_s)
{
	static const char sql[] = "DELETE FROM office_sessions WHERE id_hash = $1 OR seen_s < $2 "
	                          "OR created_s < $3";
	struct pg_params pp = {0};
	pg_p_bytes(&pp, id_hash, 32);
	pg_p_i64(&pp, idle_before_s);
	pg_p_i64(&pp, created_before_s);
	return pg_run(PGS(s), sql, &pp, NULL);
}

/* ---- the audit log ---- */

static int pg_audit_add(struct store *s, struct store_audit *a)
{
	static const char sql[] = "INSERT INTO office_audit(at_s, who, action, detail, addr) "
	                          "VALUES($1, $2, $3, $4, $5) RETURNING id";
	char who[TEXT_CAP], action[TEXT_CAP], detail[TEXT_CAP], addr[TEXT_CAP];
	struct pg_params pp = {0};
	pg_p_i64(&pp, a->at_s);
	pg_p_text(&pp, text_of(a->who, who, sizeof who));
	pg_p_text(&pp, text_of(a->action, action, sizeof action));
	pg_p_text(&pp, text_of(a->detail, detail, sizeof detail));
	pg_p_text(&pp, text_of(a->addr, addr, sizeof addr));
	return run_insert_id(PGS(s), sql, &pp, &a->id);
}

struct audit_each {
	int (*fn)(void *ctx, const struct store_audit *a);
	void *ctx;
};

static int audit_each_row(const PGresult *r, int i, void *ctx)
{
	struct audit_each *e = ctx;
	struct store_audit a;
	memset(&a, 0, sizeof a);
	a.id = pg_i64(r, i, 0);
	a.at_s = pg_i64(r, i, 1);
	pg_text(r, i, 2, a.who, sizeof a.who);
	pg_text(r, i, 3, a.action, sizeof a.action);
	pg_text(r, i, 4, a.detail, sizeof a.detail);
	pg_text(r, i, 5, a.addr, sizeof a.addr);
	return e->fn(e->ctx, &a);
}

static int pg_audit_list(struct store *s, int (*fn)(void *ctx, const struct store_audit *a),
                         void *ctx)
{
	static const char sql[] = "SELECT id, at_s, who, action, detail, addr FROM office_audit "
	                          "ORDER BY id";
	struct audit_each e = {fn, ctx};
	return pg_each(s, sql, NULL, audit_each_row, &e);
}

/* ---- failed logins ---- */

/* Key k's attempts since since_s into k->count and k->last_s. */
static int pg_attempts_of(struct pg_store *p, struct store_login_key *k, int64_t since_s)
{
	static const char sql[] = "SELECT count(*), coalesce(max(at_s), 0) FROM "
	                          "office_login_failures WHERE key = $1 AND at_s >= $2";
	char buf[TEXT_CAP];
	struct pg_params pp = {0};
	pg_p_text(&pp, text_of(k->key, buf, sizeof buf));
	pg_p_i64(&pp, since_s);
	PGresult *r = NULL;
	int rc = pg_run(p, sql, &pp, &r);
	if (rc)
		return rc;
	if (PQntuples(r) == 1) {
		k->count = pg_i64(r, 0, 0);
		k->last_s = pg_i64(r, 0, 1);
	} else {
		store_set_err(&p->base, "postgresql: a count gave no row");
		rc = WF_EIO; /* an aggregate always gives a row */
	}
	PQclear(r);
	return rc;
}

/* An attempt of k at now_s; k->id its row. */
static int pg_attempt_add(struct pg_store *p, struct store_login_key *k, int64_t now_s)
{
	static const char sql[] = "INSERT INTO office_login_failures(key, at_s) VALUES($1, $2) "
	                          "RETURNING id";
	char buf[TEXT_CAP];
	struct pg_params pp = {0};
	pg_p_text(&pp, text_of(k->key, buf, sizeof buf));
	pg_p_i64(&pp, now_s);
	return pg_value(p, sql, &pp, &k->id);
}

/* The advisory lock every login_attempt takes (one for all keys: logins are
 * few, and one lock cannot deadlock with another); its class is outside
 * enum store_lock_scope's. */
#define LOGIN_LOCK_CLASS 101

static int pg_login_attempt(struct store *s, struct store_login_key *k, size_t n, int64_t now_s,
                            int64_t since_s, int64_t forget_before_s)
{
	static const char lock[] = "SELECT pg_advisory_xact_lock($1::int4, 0)";
	/* rows another central is forgetting right now are skipped, not waited
	 * for: two logins never wait on (or deadlock over) each other's old rows */
	static const char forget[] = "DELETE FROM office_login_failures WHERE id IN (SELECT id "
	                             "FROM office_login_failures WHERE at_s < $1 FOR UPDATE SKIP "
	                             "LOCKED)";
	struct pg_store *p = PGS(s);
	bool own = false;
	if (n > STORE_LOGIN_KEYS_MAX)
		return WF_EINVAL;
	int rc = pg_tx_begin(p, &own);
	if (rc)
		return rc;
	struct pg_params pl = {0}, pf = {0};
	pg_p_i64(&pl, LOGIN_LOCK_CLASS);
	rc = pg_run(p, lock, &pl, NULL);
	pg_p_i64(&pf, forget_before_s);
	if (!rc)
		rc = pg_run(p, forget, &pf, NULL);
	for (size_t i = 0; i < n && !rc; i++)
		rc = pg_attempts_of(p, &k[i], since_s);
	for (size_t i = 0; i < n && !rc; i++)
		rc = pg_attempt_add(p, &k[i], now_s);
	return pg_tx_end(p, own, rc);
}

static int pg_login_attempt_remove(struct store *s, const int64_t *ids, size_t n)
{
	static const char sql[] = "DELETE FROM office_login_failures WHERE id = $1";
	int rc = WF_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		struct pg_params pp = {0};
		pg_p_i64(&pp, ids[i]);
		rc = pg_run(PGS(s), sql, &pp, NULL);
	}
	return rc;
}

static int pg_login_failures_clear(struct store *s, const char *key)
{
	static const char sql[] = "DELETE FROM office_login_failures WHERE key = $1";
	char buf[TEXT_CAP];
	struct pg_params pp = {0};
	pg_p_text(&pp, text_of(key, buf, sizeof buf));
	return pg_run(PGS(s), sql, &pp, NULL);
}

/* ---- API tokens ---- */

#define TOKEN_COLS "id, name, hash, scope, created_s, coalesce(revoked_s, 0)"

static void token_row(const PGresult *r, int i, struct store_token *t)
{
	memset(t, 0, sizeof *t);
	t->id = pg_i64(r, i, 0);
	pg_text(r, i, 1, t->name, sizeof t->name);
	uint8_t hash[32];
	size_t len = 0;
	if (pg_bytes(r, i, 2, hash, sizeof hash, &len) == WF_OK && len == sizeof hash)
		memcpy(t->hash, hash, sizeof hash);
	pg_text(r, i, 3, t->scope, sizeof t->scope);
	t->created_s = pg_i64(r, i, 4);
	t->revoked_s = pg_i64(r, i, 5);
}

static int pg_token_add(struct store *s, struct store_token *t)
{
	static const char sql[] = "INSERT INTO office_tokens(name, hash, scope, created_s) "
	                          "VALUES($1, $2, $3, $4) RETURNING id";
	char name[TEXT_CAP];
	struct pg_params pp = {0};
	pg_p_text(&pp, text_of(t->name, name, sizeof name));
	pg_p_bytes(&pp, t->hash, 32);
	pg_p_text(&pp, t->scope);
	pg_p_i64(&pp, t->created_s);
	return run_insert_id(PGS(s), sql, &pp, &t->id);
}

static int pg_token_find(struct store *s, const uint8_t hash[32], struct store_token *out)
{
	static const char sql[] = "SELECT " TOKEN_COLS " FROM office_tokens WHERE hash = $1";
	struct pg_params pp = {0};
	pg_p_bytes(&pp, hash, 32);
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	int found = PQntuples(r) > 0;
	if (found)
		token_row(r, 0, out);
	PQclear(r);
	return found;
}

struct token_each {
	int (*fn)(void *ctx, const struct store_token *t);
	void *ctx;
};

static int token_each_row(const PGresult *r, int i, void *ctx)
{
	struct token_each *e = ctx;
	struct store_token t;
	token_row(r, i, &t);
	return e->fn(e->ctx, &t);
}

static int pg_token_list(struct store *s, int (*fn)(void *ctx, const struct store_token *t),
                         void *ctx)
{
	static const char sql[] = "SELECT " TOKEN_COLS " FROM office_tokens ORDER BY id";
	struct token_each e = {fn, ctx};
	return pg_each(s, sql, NULL, token_each_row, &e);
}

static int pg_token_revoke(struct store *s, int64_t id, int64_t now_s)
{
	static const char sql[] = "UPDATE office_tokens SET revoked_s = $1 WHERE id = $2 AND "
	                          "revoked_s IS NULL";
	struct pg_params pp = {0};
	pg_p_i64(&pp, now_s);
	pg_p_i64(&pp, id);
	return run_changed(PGS(s), sql, &pp);
}

void store_pg_fill_office(struct store_ops *ops)
{
	ops->user_add = pg_user_add;
	ops->user_get = pg_user_get;
	ops->user_update = pg_user_update;
	ops->user_remove = pg_user_remove;
	ops->user_list = pg_user_list;
	ops->session_add = pg_session_add;
	ops->session_get = pg_session_get;
	ops->session_touch = pg_session_touch;
	ops->session_remove = pg_session_remove;
	ops->audit_add = pg_audit_add;
	ops->audit_list = pg_audit_list;
	ops->login_failures_clear = pg_login_failures_clear;
	ops->login_attempt = pg_login_attempt;
	ops->login_attempt_remove = pg_login_attempt_remove;
	ops->token_add = pg_token_add;
	ops->token_find = pg_token_find;
	ops->token_list = pg_token_list;
	ops->token_revoke = pg_token_revoke;
}
