/*
 * office_session.c — logins (slowed after failures), sessions and their
 * CSRF tokens; see office.h. The cookie carries 32 random bytes; the store
 * keeps only their BLAKE2b-256 hash, so a copy of the database opens no
 * session. Attempts are kept in the store, so the slowing holds across the
 * server's threads, its store handles, other centrals and restarts.
 */
#include "office.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "hex.h"

/* Verified instead of a real hash when the user does not exist, so that an
 * unknown name costs the same time as a wrong password. Its password is
 * random and was thrown away. */
static const char dummy_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$AAMNKjtaTcIQrX3IA0TtgA$"
                                 "SKqmA3EuzVYiC/uD3EV0vy57jbO+lkJ5+1jjcDw0MkY";

/* The wait after count failures (count > FREE: 30 s, 60 s, ... at most the window). */
static int64_t throttle_wait_s(int64_t count)
{
	int64_t wait = OFFICE_THROTTLE_BASE_S;
	for (int64_t i = OFFICE_THROTTLE_FREE; i < count && wait < OFFICE_THROTTLE_WINDOW_S; i++)
		wait *= 2;
	return wait < OFFICE_THROTTLE_WINDOW_S ? wait : OFFICE_THROTTLE_WINDOW_S;
}

/* Seconds before key may try again (0: now), from its attempts in the window
 * before this one. */
static int64_t throttle_left(const struct store_login_key *k, int64_t now_s)
{
	if (k->count < OFFICE_THROTTLE_FREE)
		return 0;
	int64_t until = k->last_s + throttle_wait_s(k->count);
	return until > now_s ? until - now_s : 0;
}

/* Under the lock: the attempt recorded for both keys BEFORE the password is
 * checked (counted with it in one store step, so simultaneous attempts each
 * see the ones before them); whether name or addr must wait (*wait_s > 0:
 * the attempt stays as a failure), else the user (found: 1) whose hash to
 * check. k[1].id is the address's attempt, taken back after a right password. */
static int login_begin(struct store *s, struct store_login_key k[2], const char *name,
                       int64_t now_s, int64_t *wait_s, struct store_user *u)
{
	int64_t window = now_s - OFFICE_THROTTLE_WINDOW_S;
	int rc = s->ops->login_attempt(s, k, 2, now_s, window, window);
	if (rc)
		return rc;
	int64_t a = throttle_left(&k[0], now_s), b = throttle_left(&k[1], now_s);
	*wait_s = a > b ? a : b;
	if (*wait_s > 0)
		return 0;
	return s->ops->user_get(s, name, 0, u);
}

static int session_create(struct store *s, const struct store_user *u, int64_t now_s,
                          struct office_login *out)
{
	uint8_t id[32], csrf[32];
	struct store_session se;
	memset(&se, 0, sizeof se);
	randombytes_buf(id, sizeof id);
	randombytes_buf(csrf, sizeof csrf);
	crypto_generichash(se.id_hash, sizeof se.id_hash, id, sizeof id, NULL, 0);
	hex_encode(id, sizeof id, out->cookie, sizeof out->cookie);
	hex_encode(csrf, sizeof csrf, se.csrf, sizeof se.csrf);
	sodium_memzero(id, sizeof id);
	se.user = u->id;
	se.created_s = se.seen_s = now_s;
	out->who.user = *u;
	memset(out->who.user.pw_hash, 0, sizeof out->who.user.pw_hash);
	out->who.role = office_role_parse(u->role);
	memcpy(out->who.csrf, se.csrf, sizeof se.csrf);
	memcpy(out->who.id_hash, se.id_hash, sizeof se.id_hash);
	/* each login also clears the sessions that ran out (no id hashes to zeros) */
	static const uint8_t none[32];
	int rc = s->ops->session_remove(s, none, now_s - OFFICE_SESSION_IDLE_S,
	                                now_s - OFFICE_SESSION_MAX_S);
	return rc ? rc : s->ops->session_add(s, &se);
}

/* Under the lock, after a right password: the user's failures cleared, the
 * address's attempt taken back (its earlier failures stay), the session made. */
static int login_finish(struct store *s, const struct store_login_key k[2],
                        const struct store_user *u, const char *new_hash, int64_t now_s,
                        bool session, struct office_login *out)
{
	int rc = s->ops->login_failures_clear(s, k[0].key);
	if (!rc)
		rc = s->ops->login_attempt_remove(s, &k[1].id, 1);
	if (!rc && new_hash[0])
		rc = s->ops->user_update(s, u->name, new_hash, NULL, now_s) < 0 ? WF_EIO : WF_OK;
	if (!rc && session)
		rc = session_create(s, u, now_s, out);
	return rc;
}

/* what: "login" or "reauth" (a logged-in user's password asked again). */
static void login_audit(struct store *s, const char *what, const char *name, const char *addr,
                        int64_t now_s, const struct office_login *out)
{
	char action[32];
	if (out->result == OFFICE_LOGIN_OK && out->who.user.role[0])
		office_audit(s, now_s, name, addr, what, "role %s", out->who.user.role);
	else if (out->result == OFFICE_LOGIN_OK)
		office_audit(s, now_s, name, addr, what, "password confirmed");
	snprintf(action, sizeof action, "%s_throttled", what);
	if (out->result == OFFICE_LOGIN_THROTTLED)
		office_audit(s, now_s, name, addr, action, "retry after %lld s",
		             (long long)out->retry_after_s);
	snprintf(action, sizeof action, "%s_failed", what);
	if (out->result == OFFICE_LOGIN_WRONG)
		office_audit(s, now_s, name, addr, action, "wrong user name or password");
}

/* A login (session: a session is made) or a re-authentication. */
static int attempt(struct store *s, const char *name, const char *pw, size_t len, const char *addr,
                   int64_t now_s, bool session, struct office_login *out)
{
	char user_key[80], addr_key[64], new_hash[OFFICE_HASH_MAX] = "";
	struct store_user u;
	int64_t wait_s = 0;
	memset(out, 0, sizeof *out);
	memset(&u, 0, sizeof u);
	snprintf(user_key, sizeof user_key, "user:%.63s", name);
	snprintf(addr_key, sizeof addr_key, "addr:%.47s", addr ? addr : "");
	struct store_login_key k[2] = {{.key = user_key}, {.key = addr_key}};
	store_lock(s);
	int found = login_begin(s, k, name, now_s, &wait_s, &u);
	store_unlock(s);
	if (found < 0)
		return found;
	out->result = OFFICE_LOGIN_WRONG;
	if (wait_s > 0) {
		out->result = OFFICE_LOGIN_THROTTLED;
		out->retry_after_s = wait_s;
	} else {
		bool rehash = false;
		int ok = office_password_verify(found ? u.pw_hash : dummy_hash, pw, len, &rehash);
		if (ok && found)
			out->result = OFFICE_LOGIN_OK;
		if (ok && found && rehash && office_password_hash(pw, len, new_hash) != WF_OK)
			new_hash[0] = '\0'; /* keep the old hash; try again next time */
	}
	int rc = WF_OK;
	if (out->result == OFFICE_LOGIN_OK) {
		store_lock(s);
		rc = login_finish(s, k, &u, new_hash, now_s, session, out);
		store_unlock(s);
	}
	sodium_memzero(&u, sizeof u);
	if (rc)
		return rc;
	login_audit(s, session ? "login" : "reauth", name, addr, now_s, out);
	return WF_OK;
}

int office_login(struct store *s, const char *name, const char *pw, size_t len, const char *addr,
                 int64_t now_s, struct office_login *out)
{
	return attempt(s, name, pw, len, addr, now_s, true, out);
}

int office_reauth(struct store *s, const char *name, const char *pw, size_t len, const char *addr,
                  int64_t now_s, struct office_login *out)
{
	return attempt(s, name, pw, len, addr, now_s, false, out);
}

/* The hash of a cookie's session id (64 hex); WF_EINVAL for anything else. */
static int id_hash_of(const char *id, uint8_t out[32])
{
	uint8_t raw[32];
	if (!id || strlen(id) != 64 || hex_decode(id, 64, raw, sizeof raw) != WF_OK)
		return WF_EINVAL;
	crypto_generichash(out, 32, raw, sizeof raw, NULL, 0);
	sodium_memzero(raw, sizeof raw);
	return WF_OK;
}

/* Under the lock: the session of h, if live, with its user. */
static int session_find_locked(struct store *s, const uint8_t h[32], int64_t now_s,
                               struct office_who *out)
{
	struct store_session se;
	int rc = s->ops->session_get(s, h, &se);
	if (rc != 1)
		return rc;
	if (now_s - se.seen_s > OFFICE_SESSION_IDLE_S ||
	    now_s - se.created_s > OFFICE_SESSION_MAX_S)
		return 0;
	rc = s->ops->user_get(s, NULL, se.user, &out->user);
	if (rc != 1)
		return rc;
	memset(out->user.pw_hash, 0, sizeof out->user.pw_hash);
	out->role = office_role_parse(out->user.role);
	memcpy(out->csrf, se.csrf, sizeof out->csrf);
	memcpy(out->id_hash, h, 32);
	/* the idle clock moves by the minute: not a disk write for every page */
	if (now_s - se.seen_s >= OFFICE_SESSION_TOUCH_S)
		rc = s->ops->session_touch(s, h, now_s);
	else
		rc = WF_OK;
	return rc ? rc : 1;
}

int office_session_find(struct store *s, const char *id, int64_t now_s, struct office_who *out)
{
	uint8_t h[32];
	memset(out, 0, sizeof *out);
	if (id_hash_of(id, h) != WF_OK)
		return 0;
	store_lock(s);
	int rc = session_find_locked(s, h, now_s, out);
	store_unlock(s);
	if (rc != 1)
		memset(out, 0, sizeof *out);
	return rc;
}

int office_session_end(struct store *s, const struct office_who *who, int64_t now_s)
{
	store_lock(s);
	int rc = s->ops->session_remove(s, who->id_hash, now_s - OFFICE_SESSION_IDLE_S,
	                                now_s - OFFICE_SESSION_MAX_S);
	store_unlock(s);
	return rc;
}

bool office_csrf_ok(const struct office_who *who, const char *given)
{
	size_t n = strlen(who->csrf);
	if (!given || n != 64 || strlen(given) != n)
		return false;
	return sodium_memcmp(who->csrf, given, n) == 0;
}
