/*
 * store_sqlite_office.c — the office's side of the SQLite backend: office
 * users (Argon2id hashes, roles), sessions (only the hash of a cookie's id),
 * the audit log, failed logins (so throttling holds across threads and
 * restarts) and partner shops' API tokens (only their hash). Tables
 * office_*; the rules (what a role may do, when a login is slowed) live in
 * central/office/, not here.
 */
#include "store_sqlite.h"

#include <string.h>

/* Prepares sql on s's database; *st NULL on failure. */
static int prep(struct store *s, const char *sql, sqlite3_stmt **st)
{
	return sql_prepare(SQ(s)->db, sql, st, SQ_ERR(s));
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Steps st (no row wanted), finalizes it; 1 when it changed a row, 0 when none. */
static int done_changed(struct store *s, sqlite3_stmt *st)
{
	int rc = sql_done(SQ(s)->db, st, SQ_ERR(s));
	if (rc)
		return rc;
	return sqlite3_changes(SQ(s)->db) > 0 ? 1 : 0;
}

/* Runs st (owned) and calls row for each row; row returning non-zero stops. */
static int each_row(struct store *s, sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, void *ctx),
                    void *ctx)
{
	int rc;
	for (;;) {
		rc = sql_step_row(SQ(s)->db, st, SQ_ERR(s));
		if (rc <= 0)
			break;
		if (row(st, ctx)) {
			rc = WF_OK;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- users ---- */

#define USER_COLS "id, name, pw_hash, role, created_s, changed_s"

static void user_row(sqlite3_stmt *st, struct store_user *u)
{
	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(st, 0);
	sq_text(st, 1, u->name, sizeof u->name);
	sq_text(st, 2, u->pw_hash, sizeof u->pw_hash);
	sq_text(st, 3, u->role, sizeof u->role);
	u->created_s = sqlite3_column_int64(st, 4);
	u->changed_s = sqlite3_column_int64(st, 5);
}

int sq_user_add(struct store *s, struct store_user *u)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(s,
	              "INSERT INTO office_users(name, pw_hash, role, created_s, changed_s) "
	              "VALUES(?,?,?,?,?)",
	              &st);
	if (rc)
		return rc;
	bind_text(st, 1, u->name);
	bind_text(st, 2, u->pw_hash);
	bind_text(st, 3, u->role);
	sqlite3_bind_int64(st, 4, u->created_s);
	sqlite3_bind_int64(st, 5, u->created_s);
	rc = sql_done(SQ(s)->db, st, SQ_ERR(s));
	if (rc == WF_EEXIST)
		store_set_err(s, "an office user named '%s' exists", u->name);
	if (!rc) {
		u->id = sqlite3_last_insert_rowid(SQ(s)->db);
		u->changed_s = u->created_s;
	}
	return rc;
}

int sq_user_get(struct store *s, const char *name, int64_t id, struct store_user *out)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(s,
	              name ? "SELECT " USER_COLS " FROM office_users WHERE name = ?"
	                   : "SELECT " USER_COLS " FROM office_users WHERE id = ?",
	              &st);
	if (rc)
		return rc;
	if (name)
		bind_text(st, 1, name);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sql_step_row(SQ(s)->db, st, SQ_ERR(s));
	if (rc == 1)
		user_row(st, out);
	sqlite3_finalize(st);
	return rc;
}

/* The user's sessions end (a new password, a removal). */
static int sessions_end(struct store *s, const char *name)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(s,
	              "DELETE FROM office_sessions WHERE user IN (SELECT id FROM office_users "
	              "WHERE name = ?)",
	              &st);
	if (rc)
		return rc;
	bind_text(st, 1, name);
	return sql_done(SQ(s)->db, st, SQ_ERR(s));
}

int sq_user_update(struct store *s, const char *name, const char *pw_hash, const char *role,
                   int64_t now_s)
{
	bool own = false;
	sqlite3_stmt *st = NULL;
	int rc = sq_tx_begin(s, &own);
	if (rc)
		return rc;
	if (pw_hash)
		rc = sessions_end(s, name);
	if (!rc)
		rc = prep(s,
		          "UPDATE office_users SET pw_hash = coalesce(?1, pw_hash), role = "
		          "coalesce(?2, role), changed_s = ?3 WHERE name = ?4",
		          &st);
	if (!rc) {
		if (pw_hash)
			bind_text(st, 1, pw_hash);
		if (role)
			bind_text(st, 2, role);
		sqlite3_bind_int64(st, 3, now_s);
		bind_text(st, 4, name);
		rc = done_changed(s, st);
	}
	int changed = rc == 1;
	rc = sq_tx_end(s, own, rc < 0 ? rc : WF_OK);
	return rc ? rc : changed;
}

int sq_user_remove(struct store *s, const char *name)
{
	bool own = false;
	sqlite3_stmt *st = NULL;
	int rc = sq_tx_begin(s, &own);
	if (rc)
		return rc;
	rc = sessions_end(s, name);
	if (!rc)
		rc = prep(s, "DELETE FROM office_users WHERE name = ?", &st);
	if (!rc) {
		bind_text(st, 1, name);
		rc = done_changed(s, st);
	}
	int removed = rc == 1;
	rc = sq_tx_end(s, own, rc < 0 ? rc : WF_OK);
	return rc ? rc : removed;
}

struct user_each {
	int (*fn)(void *ctx, const struct store_user *u);
	void *ctx;
};

static int user_each_row(sqlite3_stmt *st, void *ctx)
{
	struct user_each *e = ctx;
	struct store_user u;
	user_row(st, &u);
	return e->fn(e->ctx, &u);
}

int sq_user_list(struct store *s, int (*fn)(void *ctx, const struct store_user *u), void *ctx)
{
	struct user_each e = {fn, ctx};
	sqlite3_stmt *st = NULL;
	int rc = prep(s, "SELECT " USER_COLS " FROM office_users ORDER BY name", &st);
	return rc ? rc : each_row(s, st, user_each_row, &e);
}

/* ---- sessions ---- */

int sq_session_add(struct store *s, const struct store_session *se)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(s,
	              "INSERT INTO office_sessions(id_hash, user, csrf, created_s, seen_s) "
	              "VALUES(?,?,?,?,?)",
	              &st);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, se->id_hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, se->user);
	bind_text(st, 3, se->csrf);
	sqlite3_bind_int64(st, 4, se->created_s);
	sqlite3_bind_int64(st, 5, se->seen_s);
	return sql_done(SQ(s)->db, st, SQ_ERR(s));
}

int sq_session_get(struct store *s, const uint8_t id_hash[32], struct store_session *out)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(
	    s, "SELECT user, csrf, created_s, seen_s FROM office_sessions WHERE id_hash = ?", &st);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_TRANSIENT);
	rc = sql_step_row(SQ(s)->db, st, SQ_ERR(s));
	if (rc == 1) {
		memset(out, 0, sizeof *out);
		memcpy(out->id_hash, id_hash, 32);
		out->user = sqlite3_column_int64(st, 0);
		sq_text(st, 1, out->csrf, sizeof out->csrf);
		out->created_s = sqlite3_column_int64(st, 2);
		out->seen_s = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc;
}

int sq_session_touch(struct store *s, const uint8_t id_hash[32], int64_t now_s)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(s, "UPDATE office_sessions SET seen_s = ? WHERE id_hash = ?", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now_s);
	sqlite3_bind_blob(st, 2, id_hash, 32, SQLITE_TRANSIENT);
	return sql_done(SQ(s)->db, st, SQ_ERR(s));
}

int sq_session_remove(struct store *s, const uint8_t id_hash[32], int64_t idle_before_s,
                      int64_t created_before_s)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(s,
	              "DELETE FROM office_sessions WHERE id_hash = ? OR seen_s < ? OR "
	              "created_s < ?",
	              &st);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, idle_before_s);
	sqlite3_bind_int64(st, 3, created_before_s);
	return sql_done(SQ(s)->db, st, SQ_ERR(s));
}

/* ---- the audit log ---- */

int sq_audit_add(struct store *s, struct store_audit *a)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(
	    s, "INSERT INTO office_audit(at_s, who, action, detail, addr) VALUES(?,?,?,?,?)", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, a->at_s);
	bind_text(st, 2, a->who);
	bind_text(st, 3, a->action);
	bind_text(st, 4, a->detail);
	bind_text(st, 5, a->addr);
	rc = sql_done(SQ(s)->db, st, SQ_ERR(s));
	if (!rc)
		a->id = sqlite3_last_insert_rowid(SQ(s)->db);
	return rc;
}

struct audit_each {
	int (*fn)(void *ctx, const struct store_audit *a);
	void *ctx;
};

static int audit_each_row(sqlite3_stmt *st, void *ctx)
{
	struct audit_each *e = ctx;
	struct store_audit a;
	memset(&a, 0, sizeof a);
	a.id = sqlite3_column_int64(st, 0);
	a.at_s = sqlite3_column_int64(st, 1);
	sq_text(st, 2, a.who, sizeof a.who);
	sq_text(st, 3, a.action, sizeof a.action);
	sq_text(st, 4, a.detail, sizeof a.detail);
	sq_text(st, 5, a.addr, sizeof a.addr);
	return e->fn(e->ctx, &a);
}

int sq_audit_list(struct store *s, int (*fn)(void *ctx, const struct store_audit *a), void *ctx)
{
	struct audit_each e = {fn, ctx};
	sqlite3_stmt *st = NULL;
	int rc = prep(s, "SELECT id, at_s, who, action, detail, addr FROM office_audit ORDER BY id",
	              &st);
	return rc ? rc : each_row(s, st, audit_each_row, &e);
}

/* ---- failed logins ---- */

/* Key k's attempts since since_s into k->count and k->last_s. */
static int attempts_of(struct store *s, struct store_login_key *k, int64_t since_s)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(s,
	              "SELECT count(*), coalesce(max(at_s), 0) FROM office_login_failures WHERE "
	              "key = ? AND at_s >= ?",
	              &st);
	if (rc)
		return rc;
	bind_text(st, 1, k->key);
	sqlite3_bind_int64(st, 2, since_s);
	rc = sql_step_row(SQ(s)->db, st, SQ_ERR(s));
	if (rc == 1) {
		k->count = sqlite3_column_int64(st, 0);
		k->last_s = sqlite3_column_int64(st, 1);
		rc = WF_OK;
	} else if (rc == 0)
		rc = WF_EIO; /* an aggregate always gives a row */
	sqlite3_finalize(st);
	return rc;
}

/* An attempt of k at now_s; k->id its row. */
static int attempt_add(struct store *s, struct store_login_key *k, int64_t now_s)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(s, "INSERT INTO office_login_failures(key, at_s) VALUES(?,?)", &st);
	if (rc)
		return rc;
	bind_text(st, 1, k->key);
	sqlite3_bind_int64(st, 2, now_s);
	rc = sql_done(SQ(s)->db, st, SQ_ERR(s));
	if (!rc)
		k->id = sqlite3_last_insert_rowid(SQ(s)->db);
	return rc;
}

/* One BEGIN IMMEDIATE transaction (SQLite's writers are serialised): no
 * other handle counts or adds between this count and this add. */
int sq_login_attempt(struct store *s, struct store_login_key *k, size_t n, int64_t now_s,
                     int64_t since_s, int64_t forget_before_s)
{
	bool own = false;
	sqlite3_stmt *st = NULL;
	if (n > STORE_LOGIN_KEYS_MAX)
		return WF_EINVAL;
	int rc = sq_tx_begin(s, &own);
	if (rc)
		return rc;
	rc = prep(s, "DELETE FROM office_login_failures WHERE at_s < ?", &st);
	if (!rc) {
		sqlite3_bind_int64(st, 1, forget_before_s);
		rc = sql_done(SQ(s)->db, st, SQ_ERR(s));
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = attempts_of(s, &k[i], since_s);
	for (size_t i = 0; i < n && !rc; i++)
		rc = attempt_add(s, &k[i], now_s);
	return sq_tx_end(s, own, rc);
}

int sq_login_attempt_remove(struct store *s, const int64_t *ids, size_t n)
{
	int rc = WF_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		sqlite3_stmt *st = NULL;
		rc = prep(s, "DELETE FROM office_login_failures WHERE id = ?", &st);
		if (!rc) {
			sqlite3_bind_int64(st, 1, ids[i]);
			rc = sql_done(SQ(s)->db, st, SQ_ERR(s));
		}
	}
	return rc;
}

int sq_login_failures_clear(struct store *s, const char *key)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(s, "DELETE FROM office_login_failures WHERE key = ?", &st);
	if (rc)
		return rc;
	bind_text(st, 1, key);
	return sql_done(SQ(s)->db, st, SQ_ERR(s));
}

/* ---- API tokens ---- */

#define TOKEN_COLS "id, name, hash, scope, created_s, coalesce(revoked_s, 0)"

static void token_row(sqlite3_stmt *st, struct store_token *t)
{
	memset(t, 0, sizeof *t);
	t->id = sqlite3_column_int64(st, 0);
	sq_text(st, 1, t->name, sizeof t->name);
	if (sqlite3_column_bytes(st, 2) == 32)
		memcpy(t->hash, sqlite3_column_blob(st, 2), 32);
	sq_text(st, 3, t->scope, sizeof t->scope);
	t->created_s = sqlite3_column_int64(st, 4);
	t->revoked_s = sqlite3_column_int64(st, 5);
}

int sq_token_add(struct store *s, struct store_token *t)
{
	sqlite3_stmt *st = NULL;
	int rc =
	    prep(s, "INSERT INTO office_tokens(name, hash, scope, created_s) VALUES(?,?,?,?)", &st);
	if (rc)
		return rc;
	bind_text(st, 1, t->name);
	sqlite3_bind_blob(st, 2, t->hash, 32, SQLITE_TRANSIENT);
	bind_text(st, 3, t->scope);
	sqlite3_bind_int64(st, 4, t->created_s);
	rc = sql_done(SQ(s)->db, st, SQ_ERR(s));
	if (!rc)
		t->id = sqlite3_last_insert_rowid(SQ(s)->db);
	return rc;
}

int sq_token_find(struct store *s, const uint8_t hash[32], struct store_token *out)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(s, "SELECT " TOKEN_COLS " FROM office_tokens WHERE hash = ?", &st);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
	rc = sql_step_row(SQ(s)->db, st, SQ_ERR(s));
	if (rc == 1)
		token_row(st, out);
	sqlite3_finalize(st);
	return rc;
}

struct token_each {
	int (*fn)(void *ctx, const struct store_token *t);
	void *ctx;
};

static int token_each_row(sqlite3_stmt *st, void *ctx)
{
	struct token_each *e = ctx;
	struct store_token t;
	token_row(st, &t);
	return e->fn(e->ctx, &t);
}

int sq_token_list(struct store *s, int (*fn)(void *ctx, const struct store_token *t), void *ctx)
{
	struct token_each e = {fn, ctx};
	sqlite3_stmt *st = NULL;
	int rc = prep(s, "SELECT " TOKEN_COLS " FROM office_tokens ORDER BY id", &st);
	return rc ? rc : each_row(s, st, token_each_row, &e);
}

int sq_token_revoke(struct store *s, int64_t id, int64_t now_s)
{
	sqlite3_stmt *st = NULL;
	int rc = prep(
	    s, "UPDATE office_tokens SET revoked_s = ? WHERE id = ? AND revoked_s IS NULL", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now_s);
	sqlite3_bind_int64(st, 2, id);
	return done_changed(s, st);
}
