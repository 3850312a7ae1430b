/*
 * test_office_store.c — central/office/ on a real store (SQLite, and
 * PostgreSQL in the _pg twin: testdb.h): roles and
 * what they may do, Argon2id passwords (and rehashing an outdated hash),
 * logins slowed after failures (kept in the store: another handle on the
 * same database sees them, and attempts two processes make at once are
 * each counted with the ones before them, never two with the same count;
 * a right password takes its attempt back), sessions with their idle and absolute expiry, CSRF
 * checks, the audit log, API tokens stored only hashed; and the pure form,
 * cookie and escaping pieces of office_form.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "office.h"
#include "office_form.h"
#include "store.h"
#include "testdb.h"
#include "teststore.h"
#include "wf_test.h"

#define T0 INT64_C(1796000000)

static int setup(void **state)
{
	struct test_store *f = calloc(1, sizeof *f);
	test_store_open(f, "office");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	test_store_close(*state);
	free(*state);
	return 0;
}

/* Adds user name with password pw and role. */
static void add_user(struct store *s, const char *name, const char *pw, const char *role)
{
	struct store_user u = {.created_s = T0};
	snprintf(u.name, sizeof u.name, "%s", name);
	snprintf(u.role, sizeof u.role, "%s", role);
	assert_int_equal(office_password_hash(pw, strlen(pw), u.pw_hash), 0);
	assert_int_equal(s->ops->user_add(s, &u), 0);
}

static int count_audit(void *ctx, const struct store_audit *a)
{
	const char *want = ((const char **)ctx)[0];
	if (strcmp(a->action, want) == 0)
		(*(int *)((const char **)ctx)[1])++;
	return 0;
}

/* How many audit lines have action. */
static int audit_count(struct store *s, const char *action)
{
	int n = 0;
	const char *ctx[2] = {action, (const char *)&n};
	assert_int_equal(s->ops->audit_list(s, count_audit, (void *)ctx), 0);
	return n;
}

/* 1 when text is in the database: SQLite, in its files; PostgreSQL, in any
 * column of the office's tables (every column as text, bytea as hex). */
static int stored(struct test_store *f, const char *text)
{
	if (!testdb_is_pg())
		return wf_test_sh(NULL, 0, "grep -q -F '%s' '%s'*", text, f->path) == 0;
	char sql[600];
	snprintf(sql, sizeof sql,
	         "SELECT (SELECT count(*) FROM office_tokens x WHERE strpos(x::text, '%s') > 0) + "
	         "(SELECT count(*) FROM office_audit x WHERE strpos(x::text, '%s') > 0) + "
	         "(SELECT count(*) FROM office_users x WHERE strpos(x::text, '%s') > 0) + "
	         "(SELECT count(*) FROM office_sessions x WHERE strpos(x::text, '%s') > 0)",
	         text, text, text, text);
	long n = testdb_count(f->url, sql);
	assert_true(n >= 0);
	return n > 0;
}

static void test_roles(void **state)
{
	(void)state;
	assert_int_equal(office_role_parse("viewer"), OFFICE_VIEWER);
	assert_int_equal(office_role_parse("admin"), OFFICE_ADMIN);
	assert_true(office_role_parse("root") < 0);
	assert_true(office_role_parse(NULL) < 0);
	assert_true(office_can(OFFICE_VIEWER, OFFICE_VIEW));
	assert_false(office_can(OFFICE_VIEWER, OFFICE_CLAIM));
	assert_false(office_can(OFFICE_VIEWER, OFFICE_REDEEM));
	assert_true(office_can(OFFICE_OPERATOR, OFFICE_REDEEM));
	assert_false(office_can(OFFICE_OPERATOR, OFFICE_MANAGE_USERS));
	assert_false(office_can(OFFICE_OPERATOR, OFFICE_ADJUST_POINTS));
	assert_true(office_can(OFFICE_ADMIN, OFFICE_MANAGE_TOKENS));
	assert_false(office_can(0, OFFICE_VIEW));
	assert_false(office_can(99, OFFICE_VIEW));
}

static void test_passwords(void **state)
{
	struct test_store *f = *state;
	char h[OFFICE_HASH_MAX];
	bool rehash = true;
	assert_int_equal(office_password_ok("short", 5), WF_EINVAL);
	assert_int_equal(office_password_ok("with\ttab in it", 14), WF_EINVAL);
	assert_int_equal(office_password_ok("\xff\xfe bad utf-8 bytes", 19), WF_EINVAL);
	assert_int_equal(office_password_ok("长城长城长城 ok", 20), WF_OK);
	assert_int_equal(office_password_hash("correct horse", 13, h), 0);
	assert_non_null(strstr(h, "$argon2id$"));
	assert_int_equal(office_password_verify(h, "correct horse", 13, &rehash), 1);
	assert_false(rehash);
	assert_int_equal(office_password_verify(h, "correct horsE", 13, NULL), 0);
	assert_int_equal(office_password_verify("garbage", "x", 1, NULL), 0);

	/* a hash made with weaker parameters is replaced at the next login */
	struct store_user u = {.created_s = T0};
	snprintf(u.name, sizeof u.name, "old");
	snprintf(u.role, sizeof u.role, "viewer");
	assert_int_equal(
	    crypto_pwhash_str_alg(u.pw_hash, "old password 1", 14, crypto_pwhash_OPSLIMIT_MIN,
	                          crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13),
	    0);
	assert_int_equal(office_password_verify(u.pw_hash, "old password 1", 14, &rehash), 1);
	assert_true(rehash);
	assert_int_equal(f->s->ops->user_add(f->s, &u), 0);
	struct office_login res;
	assert_int_equal(office_login(f->s, "old", "old password 1", 14, "10.0.0.1", T0, &res), 0);
	assert_int_equal(res.result, OFFICE_LOGIN_OK);
	struct store_user now;
	assert_int_equal(f->s->ops->user_get(f->s, "old", 0, &now), 1);
	assert_string_not_equal(now.pw_hash, u.pw_hash);
	assert_int_equal(office_password_verify(now.pw_hash, "old password 1", 14, &rehash), 1);
	assert_false(rehash);
}

static void test_sessions(void **state)
{
	struct test_store *f = *state;
	struct office_login res;
	struct office_who who;
	add_user(f->s, "alice", "alice's password", "operator");
	assert_int_equal(office_login(f->s, "alice", "alice's password", 16, "10.0.0.1", T0, &res),
	                 0);
	assert_int_equal(res.result, OFFICE_LOGIN_OK);
	assert_int_equal(strlen(res.cookie), 64);
	assert_int_equal(res.who.role, OFFICE_OPERATOR);
	assert_int_equal(res.who.user.pw_hash[0], '\0');
	/* only the id's hash is stored: the cookie's text is not in the file */
	char sql[300];
	snprintf(sql, sizeof sql,
	         testdb_is_pg()
	             ? "SELECT count(*) FROM office_sessions WHERE encode(id_hash, 'hex') = '%s'"
	             : "SELECT count(*) FROM office_sessions WHERE lower(hex(id_hash)) = '%s'",
	         res.cookie);
	assert_int_equal(testdb_count(f->url, sql), 0);
	assert_int_equal(testdb_count(f->url, "SELECT count(*) FROM office_sessions"), 1);

	assert_int_equal(office_session_find(f->s, res.cookie, T0 + 60, &who), 1);
	assert_string_equal(who.user.name, "alice");
	assert_true(office_csrf_ok(&who, res.who.csrf));
	char wrong[65];
	memcpy(wrong, res.who.csrf, sizeof wrong);
	wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
	assert_false(office_csrf_ok(&who, wrong));
	assert_false(office_csrf_ok(&who, NULL));
	assert_false(office_csrf_ok(&who, ""));
	/* idle: each use restarts the idle clock; 30 min without one ends it */
	int64_t t = T0 + 60;
	for (int i = 0; i < 3; i++) {
		t += OFFICE_SESSION_IDLE_S - 1;
		assert_int_equal(office_session_find(f->s, res.cookie, t, &who), 1);
	}
	assert_int_equal(office_session_find(f->s, res.cookie, t + OFFICE_SESSION_IDLE_S + 1, &who),
	                 0);
	/* absolute: 12 h after the login, however busy */
	assert_int_equal(office_login(f->s, "alice", "alice's password", 16, "10.0.0.1", T0, &res),
	                 0);
	for (t = T0; t < T0 + OFFICE_SESSION_MAX_S; t += OFFICE_SESSION_IDLE_S / 2)
		assert_int_equal(office_session_find(f->s, res.cookie, t, &who), 1);
	assert_int_equal(office_session_find(f->s, res.cookie, T0 + OFFICE_SESSION_MAX_S + 1, &who),
	                 0);
	/* logout ends it; malformed ids are no session */
	assert_int_equal(office_login(f->s, "alice", "alice's password", 16, "10.0.0.1", T0, &res),
	                 0);
	assert_int_equal(office_session_find(f->s, res.cookie, T0, &who), 1);
	assert_int_equal(office_session_end(f->s, &who, T0), 0);
	assert_int_equal(office_session_find(f->s, res.cookie, T0, &who), 0);
	assert_int_equal(office_session_find(f->s, "zz", T0, &who), 0);
	assert_int_equal(office_session_find(f->s, NULL, T0, &who), 0);
	/* a new password or a removal ends the user's sessions */
	assert_int_equal(office_login(f->s, "alice", "alice's password", 16, "10.0.0.1", T0, &res),
	                 0);
	assert_int_equal(f->s->ops->user_update(f->s, "alice", NULL, "admin", T0), 1);
	assert_int_equal(office_session_find(f->s, res.cookie, T0, &who), 1);
	assert_int_equal(who.role, OFFICE_ADMIN);
	assert_int_equal(f->s->ops->user_remove(f->s, "alice"), 1);
	assert_int_equal(office_session_find(f->s, res.cookie, T0, &who), 0);
	assert_int_equal(f->s->ops->user_remove(f->s, "alice"), 0);
}

struct names {
	char text[256];
	int stop_after; /* 0: all */
	int n;
};

static int name_of(void *ctx, const struct store_user *u)
{
	struct names *x = ctx;
	size_t len = strlen(x->text);
	snprintf(x->text + len, sizeof x->text - len, "%s:%s ", u->name, u->role);
	return ++x->n == x->stop_after;
}

/* The store's side of users: a taken name refused, found by name and id,
 * listed by name (a callback may stop it), changes to no one are 0, and a
 * new password ends the user's sessions, however many. */
static void test_user_ops(void **state)
{
	struct test_store *f = *state;
	struct store *s = f->s;
	add_user(s, "zoe", "zoe's password", "viewer");
	add_user(s, "adam", "adam's password", "admin");
	struct store_user u = {.created_s = T0 + 1};
	snprintf(u.name, sizeof u.name, "zoe");
	snprintf(u.role, sizeof u.role, "admin");
	snprintf(u.pw_hash, sizeof u.pw_hash, "x");
	assert_int_equal(s->ops->user_add(s, &u), WF_EEXIST);
	assert_non_null(strstr(s->err, "'zoe'"));
	struct store_user got;
	assert_int_equal(s->ops->user_get(s, "zoe", 0, &got), 1);
	assert_string_equal(got.role, "viewer");
	assert_int_equal(got.created_s, T0);
	assert_int_equal(got.changed_s, T0);
	int64_t zoe = got.id;
	memset(&got, 0, sizeof got);
	assert_int_equal(s->ops->user_get(s, NULL, zoe, &got), 1);
	assert_string_equal(got.name, "zoe");
	assert_int_equal(s->ops->user_get(s, "eve", 0, &got), 0);
	assert_int_equal(s->ops->user_get(s, NULL, zoe + 100, &got), 0);
	struct names all = {0}, first = {.stop_after = 1};
	assert_int_equal(s->ops->user_list(s, name_of, &all), 0);
	assert_string_equal(all.text, "adam:admin zoe:viewer ");
	assert_int_equal(s->ops->user_list(s, name_of, &first), 0);
	assert_string_equal(first.text, "adam:admin ");
	assert_int_equal(s->ops->user_update(s, "eve", NULL, "admin", T0 + 2), 0);
	assert_int_equal(s->ops->user_remove(s, "eve"), 0);
	/* two sessions of zoe's, one of adam's: zoe's new password ends hers only */
	struct office_login a, b, c;
	struct office_who who;
	assert_int_equal(office_login(s, "zoe", "zoe's password", 14, "10.0.0.1", T0, &a), 0);
	assert_int_equal(office_login(s, "zoe", "zoe's password", 14, "10.0.0.2", T0, &b), 0);
	assert_int_equal(office_login(s, "adam", "adam's password", 15, "10.0.0.3", T0, &c), 0);
	assert_int_equal(c.result, OFFICE_LOGIN_OK);
	char hash[OFFICE_HASH_MAX];
	assert_int_equal(office_password_hash("zoe's new one", 13, hash), 0);
	assert_int_equal(s->ops->user_update(s, "zoe", hash, NULL, T0 + 3), 1);
	assert_int_equal(office_session_find(s, a.cookie, T0 + 4, &who), 0);
	assert_int_equal(office_session_find(s, b.cookie, T0 + 4, &who), 0);
	assert_int_equal(office_session_find(s, c.cookie, T0 + 4, &who), 1);
	assert_int_equal(s->ops->user_get(s, "zoe", 0, &got), 1);
	assert_string_equal(got.role, "viewer");
	assert_int_equal(got.changed_s, T0 + 3);
	assert_int_equal(office_password_verify(got.pw_hash, "zoe's new one", 13, NULL), 1);
}

static void test_throttle(void **state)
{
	struct test_store *f = *state;
	struct office_login res;
	add_user(f->s, "bob", "bob's password", "viewer");
	for (int i = 0; i < OFFICE_THROTTLE_FREE; i++) {
		assert_int_equal(office_login(f->s, "bob", "guess", 5, "10.0.0.9", T0 + i, &res),
		                 0);
		assert_int_equal(res.result, OFFICE_LOGIN_WRONG);
	}
	/* the right password is refused too now, and the wait grows with each try */
	int64_t t = T0 + OFFICE_THROTTLE_FREE;
	assert_int_equal(office_login(f->s, "bob", "bob's password", 14, "10.0.0.8", t, &res), 0);
	assert_int_equal(res.result, OFFICE_LOGIN_THROTTLED);
	assert_int_equal(res.retry_after_s, OFFICE_THROTTLE_BASE_S - 1);
	assert_int_equal(office_login(f->s, "bob", "bob's password", 14, "10.0.0.8", t, &res), 0);
	assert_int_equal(res.result, OFFICE_LOGIN_THROTTLED);
	assert_int_equal(res.retry_after_s, 2 * OFFICE_THROTTLE_BASE_S);
	/* held in the store: another handle (another process) sees the same */
	struct store *s2 = NULL;
	char why[200];
	assert_int_equal(store_open(f->url, &s2, why, sizeof why), 0);
	assert_int_equal(office_login(s2, "bob", "bob's password", 14, "10.0.0.7", t + 1, &res), 0);
	assert_int_equal(res.result, OFFICE_LOGIN_THROTTLED);
	store_close(s2);
	/* per address too: the address that failed cannot try another user now */
	add_user(f->s, "carol", "carol's password", "viewer");
	assert_int_equal(
	    office_login(f->s, "carol", "carol's password", 16, "10.0.0.9", t + 2, &res), 0);
	assert_int_equal(res.result, OFFICE_LOGIN_THROTTLED);
	assert_int_equal(
	    office_login(f->s, "carol", "carol's password", 16, "10.0.0.6", t + 2, &res), 0);
	assert_int_equal(res.result, OFFICE_LOGIN_OK);
	/* after the window, bob gets in and his failures are forgotten */
	t += OFFICE_THROTTLE_WINDOW_S + 10;
	assert_int_equal(office_login(f->s, "bob", "bob's password", 14, "10.0.0.5", t, &res), 0);
	assert_int_equal(res.result, OFFICE_LOGIN_OK);
	assert_int_equal(audit_count(f->s, "login_failed"), OFFICE_THROTTLE_FREE);
	assert_int_equal(audit_count(f->s, "login_throttled"), 4);
	assert_int_equal(audit_count(f->s, "login"), 2);
	/* an unknown user is a wrong login, not a different answer */
	assert_int_equal(office_login(f->s, "nobody", "whatever12", 10, "10.0.0.4", t, &res), 0);
	assert_int_equal(res.result, OFFICE_LOGIN_WRONG);
}

/* One login attempt of key at now_s (window: since since_s); its count. */
static int64_t attempt_of(struct store *s, const char *key, int64_t now_s, int64_t since_s,
                          int64_t *last_s)
{
	struct store_login_key k = {.key = key};
	assert_int_equal(s->ops->login_attempt(s, &k, 1, now_s, since_s, since_s), 0);
	assert_true(k.id > 0);
	if (last_s)
		*last_s = k.last_s;
	return k.count;
}

/* A child's attempts for "user:bob"; the counts it saw into seen[]. */
static void attempts_child(const char *url, int go, int64_t *seen, int n, const char *out)
{
	struct store *s = NULL;
	char why[200], c;
	if (store_open(url, &s, why, sizeof why))
		_exit(2);
	if (read(go, &c, 1) != 0) /* both start when the parent closes the pipe */
		_exit(3);
	for (int i = 0; i < n; i++) {
		struct store_login_key k = {.key = "user:bob"};
		if (s->ops->login_attempt(s, &k, 1, T0 + i, T0 - 500, T0 - 500)) {
			fprintf(stderr, "child: %s\n", s->err);
			_exit(1);
		}
		seen[i] = k.count;
	}
	store_close(s);
	FILE *fp = fopen(out, "wb");
	if (!fp || fwrite(seen, sizeof *seen, (size_t)n, fp) != (size_t)n || fclose(fp))
		_exit(4);
	_exit(0);
}

/* Two processes (two centrals) make attempts for one key at once: each
 * attempt is counted with the ones before it in one step, so no two see
 * the same count (every number from 0 up is seen once); the old ones are
 * forgotten, and the user is slowed until a right password clears them. */
static void test_throttle_two_processes(void **state)
{
	struct test_store *f = *state;
	enum { PER_PROCESS = 150 };
	add_user(f->s, "bob", "bob's password", "viewer");
	for (int i = 0; i < 40; i++)
		attempt_of(f->s, "user:old", T0 - 1000 + i, 0, NULL);
	int go[2];
	assert_int_equal(pipe(go), 0);
	pid_t kids[2];
	char out[2][320];
	static int64_t seen[2][PER_PROCESS];
	for (int k = 0; k < 2; k++) {
		snprintf(out[k], sizeof out[k], "%s/seen%d", f->dir, k);
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] > 0)
			continue;
		close(go[1]);
		attempts_child(f->url, go[0], seen[k], PER_PROCESS, out[k]);
	}
	close(go[0]);
	close(go[1]);
	bool got[2 * PER_PROCESS] = {false};
	for (int k = 0; k < 2; k++) {
		int st = -1;
		assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
		FILE *fp = fopen(out[k], "rb");
		assert_non_null(fp);
		assert_int_equal(fread(seen[k], sizeof seen[k][0], PER_PROCESS, fp), PER_PROCESS);
		fclose(fp);
		for (int i = 0; i < PER_PROCESS; i++) {
			assert_in_range(seen[k][i], 0, 2 * PER_PROCESS - 1);
			assert_false(got[seen[k][i]]); /* two attempts never see the same count */
			got[seen[k][i]] = true;
		}
	}
	int64_t last = 0;
	assert_int_equal(attempt_of(f->s, "user:bob", T0 + PER_PROCESS, T0 - 10, &last),
	                 2 * PER_PROCESS);
	assert_int_equal(last, T0 + PER_PROCESS - 1);
	assert_int_equal(attempt_of(f->s, "user:old", T0 + PER_PROCESS, 0, &last), 0);
	assert_int_equal(last, 0);
	struct office_login res;
	assert_int_equal(
	    office_login(f->s, "bob", "bob's password", 14, "10.0.0.3", T0 + PER_PROCESS, &res), 0);
	assert_int_equal(res.result, OFFICE_LOGIN_THROTTLED);
	/* cleared by the next good login, for every central */
	assert_int_equal(f->s->ops->login_failures_clear(f->s, "user:bob"), 0);
	assert_int_equal(attempt_of(f->s, "user:bob", T0 + PER_PROCESS, 0, NULL), 0);
}

/* A right password takes its attempt back: the user's failures are cleared
 * and the address keeps only its failures, so an office behind one address
 * may log in any number of times. */
static void test_success_takes_back(void **state)
{
	struct test_store *f = *state;
	struct office_login res;
	add_user(f->s, "dan", "dan's password", "viewer");
	add_user(f->s, "eve", "eve's password", "viewer");
	for (int i = 0; i < OFFICE_THROTTLE_FREE - 1; i++) {
		assert_int_equal(office_login(f->s, "dan", "guess", 5, "10.0.3.1", T0 + i, &res),
		                 0);
		assert_int_equal(res.result, OFFICE_LOGIN_WRONG);
	}
	for (int i = 0; i < 3 * OFFICE_THROTTLE_FREE; i++) {
		const char *who = i % 2 ? "dan" : "eve",
		           *pw = i % 2 ? "dan's password" : "eve's password";
		assert_int_equal(office_login(f->s, who, pw, 14, "10.0.3.1", T0 + 10 + i, &res), 0);
		assert_int_equal(res.result, OFFICE_LOGIN_OK);
	}
	/* dan's count starts again; the address's failures are still there */
	int64_t last = 0;
	assert_int_equal(attempt_of(f->s, "user:dan", T0 + 40, T0 - 1, &last), 0);
	assert_int_equal(attempt_of(f->s, "addr:10.0.3.1", T0 + 40, T0 - 1, &last),
	                 OFFICE_THROTTLE_FREE - 1);
	assert_int_equal(last, T0 + OFFICE_THROTTLE_FREE - 2);
}

/* A name cut inside a character (the store's keys keep 63 bytes of it) is
 * throttled like any other, and its audit lines are kept. */
static void test_throttle_long_name(void **state)
{
	struct test_store *f = *state;
	char name[128] = "a";
	for (int i = 0; i < 30; i++)
		memcpy(name + 1 + 3 * i, "长", 4); /* 3 bytes and the NUL */
	struct office_login res;
	char addr[32];
	for (int i = 0; i < OFFICE_THROTTLE_FREE; i++) {
		snprintf(addr, sizeof addr, "10.0.1.%d", i);
		assert_int_equal(office_login(f->s, name, "guess", 5, addr, T0 + i, &res), 0);
		assert_int_equal(res.result, OFFICE_LOGIN_WRONG);
	}
	assert_int_equal(office_login(f->s, name, "guess", 5, "10.0.2.1", T0 + 10, &res), 0);
	assert_int_equal(res.result, OFFICE_LOGIN_THROTTLED);
	assert_int_equal(audit_count(f->s, "login_failed"), OFFICE_THROTTLE_FREE);
	assert_int_equal(audit_count(f->s, "login_throttled"), 1);
}

static void test_tokens(void **state)
{
	struct test_store *f = *state;
	char tok[OFFICE_TOKEN_TEXT], hdr[100], scope[16];
	int64_t id = 0, got = 0;
	assert_int_equal(office_token_add(f->s, "Shop A", T0, tok, &id), 0);
	assert_int_equal(strlen(tok), OFFICE_TOKEN_TEXT - 1);
	assert_memory_equal(tok, "wft_", 4);
	snprintf(hdr, sizeof hdr, "Bearer %s", tok);
	assert_int_equal(office_token_check(f->s, hdr, &got, scope), 1);
	assert_int_equal(got, id);
	assert_string_equal(scope, "redeem");
	/* the raw token is nowhere in the database (its name is) */
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(stored(f, "Shop A"), 1);
	assert_int_equal(stored(f, tok + 4), 0);
	char why[200];
	assert_int_equal(store_open(f->url, &f->s, why, sizeof why), 0);
	/* refusals */
	assert_int_equal(office_token_check(f->s, NULL, &got, scope), 0);
	assert_int_equal(office_token_check(f->s, tok, &got, scope), 0); /* no scheme */
	hdr[strlen(hdr) - 1] = hdr[strlen(hdr) - 1] == '0' ? '1' : '0';
	assert_int_equal(office_token_check(f->s, hdr, &got, scope), 0);
	assert_int_equal(office_token_check(f->s, "Bearer wft_xyz", &got, scope), 0);
	snprintf(hdr, sizeof hdr, "Bearer %s", tok);
	assert_int_equal(f->s->ops->token_revoke(f->s, id, T0 + 5), 1);
	assert_int_equal(f->s->ops->token_revoke(f->s, id, T0 + 6), 0);
	assert_int_equal(office_token_check(f->s, hdr, &got, scope), 0);
}

static void test_form(void **state)
{
	(void)state;
	struct office_form f;
	const char body[] = "user=%E7%8E%8B+li&password=a%26b%3Dc&csrf=&empty";
	assert_int_equal(office_form_parse(body, strlen(body), &f), 0);
	assert_string_equal(office_form_get(&f, "user"), "王 li");
	assert_string_equal(office_form_get(&f, "password"), "a&b=c");
	assert_string_equal(office_form_get(&f, "csrf"), "");
	assert_string_equal(office_form_get(&f, "empty"), "");
	assert_null(office_form_get(&f, "nope"));
	assert_int_equal(office_form_parse("", 0, &f), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(office_form_parse("a=%zz", 5, &f), WF_EINVAL);
	assert_int_equal(office_form_parse("a=%4", 4, &f), WF_EINVAL);
	assert_int_equal(office_form_parse("a=%00", 5, &f), WF_EINVAL);
	assert_int_equal(office_form_parse("a=%C0%AF", 8, &f), WF_EINVAL);     /* overlong */
	assert_int_equal(office_form_parse("a=%ED%A0%80", 11, &f), WF_EINVAL); /* surrogate */
	assert_int_equal(office_form_parse("a=1&a=2", 7, &f), WF_EINVAL);
	assert_int_equal(office_form_parse("=1", 2, &f), WF_EINVAL);
	char *big = malloc(OFFICE_FORM_MAX_BYTES + 2);
	memset(big, 'x', OFFICE_FORM_MAX_BYTES + 1);
	big[0] = 'a';
	big[1] = '=';
	assert_int_equal(office_form_parse(big, OFFICE_FORM_MAX_BYTES + 1, &f), WF_ENOMEM);
	free(big);
	char many[400] = "";
	for (int i = 0; i <= OFFICE_FORM_MAX_FIELDS; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "f%d=&", i);
	assert_int_equal(office_form_parse(many, strlen(many), &f), WF_ENOMEM);
}

static void test_cookie_and_escape(void **state)
{
	(void)state;
	char v[80], c[256];
	assert_int_equal(
	    office_cookie_get("a=1; wufei_office=abc ; b=2", "wufei_office", v, sizeof v), 1);
	assert_string_equal(v, "abc");
	assert_int_equal(office_cookie_get("xwufei_office=abc", "wufei_office", v, sizeof v), 0);
	assert_int_equal(office_cookie_get(NULL, "wufei_office", v, sizeof v), 0);
	assert_int_equal(office_cookie_get("wufei_office=0123456789", "wufei_office", v, 5), 0);
	assert_int_equal(office_cookie_build(c, sizeof c, "wufei_office", "abc", -1, false), 0);
	assert_string_equal(c, "wufei_office=abc; Path=/; HttpOnly; SameSite=Strict");
	assert_int_equal(office_cookie_build(c, sizeof c, "wufei_office", "", 0, true), 0);
	assert_string_equal(c,
	                    "wufei_office=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure");
	assert_int_equal(office_cookie_build(c, sizeof c, "n", "a;b", -1, false), WF_EINVAL);
	assert_int_equal(office_cookie_build(c, 10, "n", "abc", -1, false), WF_ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test_setup_teardown(test_passwords, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_throttle_two_processes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_success_takes_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_throttle_long_name, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
	    cmocka_unit_test(test_form),
	    cmocka_unit_test(test_cookie_and_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
