/*
 * test_office_http.c — the office's login, sessions and forms through a real
 * wufei-central over real HTTP (and HTTPS for the Secure cookie): a login
 * with a right and a wrong password, the cookie's flags, the session
 * working and logout ending it, a form without its CSRF token or with a
 * wrong one refused (403) with nothing changed, a viewer and an operator
 * refused an admin's action, failed logins slowed (429 with a growing
 * Retry-After) and all of it in the audit log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "harness.h"
#include "office_client.h"
#include "office.h"
#include "store.h"
#include "testdb.h"
#include "wf_test.h"

struct fx {
	char dir[256], url[300], cert[320], key[320];
	struct central_proc c;
	bool tls;
};

/* An extra request header for the next http() ("" none). */
static char g_extra[128];

/* One request: GET (form NULL) or POST of a urlencoded form, with the
 * session cookie id (NULL: none) and g_extra (then cleared). */
static void http(struct fx *f, const char *path, const char *form, const char *cookie,
                 struct office_resp *r)
{
	const char *extra[] = {g_extra, NULL};
	office_request(f->c.port, f->tls ? f->cert : NULL, path, NULL, form, cookie,
	               g_extra[0] ? extra : NULL, r);
	g_extra[0] = '\0';
}

/* Adds office user name (password "<name> password") with role. */
static void add_user(struct fx *f, const char *name, const char *role)
{
	char pw[80];
	snprintf(pw, sizeof pw, "%s password\n", name);
	assert_int_equal(
	    harness_cli_input(f->url, pw, NULL, 0,
	                      (const char *[]){"user", "add", name, "--role", role, NULL}),
	    0);
}

static int setup_with(void **state, bool tls)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/wufei-office-http-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char db[300];
	snprintf(db, sizeof db, "%s/central.db", f->dir);
	assert_int_equal(testdb_url(f->url, sizeof f->url, db), 0);
	add_user(f, "ada", "admin");
	add_user(f, "oli", "operator");
	add_user(f, "vic", "viewer");
	f->tls = tls;
	if (!tls) {
		assert_int_equal(harness_start(&f->c, f->url, 0), 0);
	} else {
		snprintf(f->cert, sizeof f->cert, "%s/cert.pem", f->dir);
		snprintf(f->key, sizeof f->key, "%s/key.pem", f->dir);
		assert_int_equal(
		    wf_test_sh(NULL, 0,
		               "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
		               "-nodes -keyout '%s' -out '%s' -days 30 -subj /CN=127.0.0.1 "
		               "-addext subjectAltName=IP:127.0.0.1",
		               f->key, f->cert),
		    0);
		const char *extra[] = {"--tls-cert", f->cert, "--tls-key", f->key, NULL};
		assert_int_equal(harness_start_args(&f->c, f->url, 0, extra), 0);
	}
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, false);
}

static int setup_tls(void **state)
{
	return setup_with(state, true);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int rc = harness_stop(&f->c, SIGTERM);
	harness_store_drop(f->url);
	wf_test_sh(NULL, 0, "rm -rf '%s'", f->dir);
	free(f);
	assert_int_equal(rc, 0);
	return 0;
}

/* Logs name in with its password; the session id into id[65]. */
static void login(struct fx *f, const char *name, char id[65])
{
	struct office_resp r;
	char form[160];
	snprintf(form, sizeof form, "user=%s&password=%s+password", name, name);
	http(f, "/office/login", form, NULL, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/office/");
	assert_int_equal(sscanf(r.set_cookie, OFFICE_COOKIE "=%64[0-9a-f];", id), 1);
	assert_int_equal(strlen(id), 64);
}

/* The CSRF token on the start page of session id into csrf[65]. */
static void csrf_of(struct fx *f, const char *id, char csrf[65])
{
	struct office_resp r;
	http(f, "/office/account", NULL, id, &r);
	assert_int_equal(r.status, 200);
	const char *p = strstr(r.body, "name=\"csrf\" value=\"");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "name=\"csrf\" value=\"%64[0-9a-f]\"", csrf), 1);
}

/* wufei-central audit list into out. */
static void audit(struct fx *f, char *out, size_t cap)
{
	assert_int_equal(harness_cli(f->url, out, cap, (const char *[]){"audit", "list", NULL}), 0);
}

/* How many times needle is in hay. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_login_logout(void **state)
{
	struct fx *f = *state;
	struct office_resp r;
	char id[65], csrf[65], form[200], out[8192];
	http(f, "/office/account", NULL, NULL, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/office/login");
	http(f, "/office/login", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<label for=\"user\">"));
	assert_non_null(strstr(r.body, "name=\"password\" type=\"password\""));
	assert_non_null(strstr(r.body, "用户名")); /* no Accept-Language: Chinese */
	assert_non_null(strstr(r.csp, "frame-ancestors 'none'"));
	/* a wrong password: no cookie */
	http(f, "/office/login?lang=en", "user=vic&password=wrong+password", NULL, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.set_cookie, "");
	assert_non_null(strstr(r.body, "Wrong user name or password"));
	/* the right one: a session cookie with its flags, no Secure over plain HTTP */
	http(f, "/office/login", "user=vic&password=vic+password", NULL, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.set_cookie, "; HttpOnly"));
	assert_non_null(strstr(r.set_cookie, "; SameSite=Strict"));
	assert_non_null(strstr(r.set_cookie, "; Path=/"));
	assert_null(strstr(r.set_cookie, "Secure"));
	/* behind a TLS-terminating proxy that says so: Secure */
	snprintf(g_extra, sizeof g_extra, "X-Forwarded-Proto: https");
	http(f, "/office/login", "user=vic&password=vic+password", NULL, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.set_cookie, "; Secure"));
	login(f, "vic", id);
	http(f, "/office/account?lang=en", NULL, id, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Logged in as <strong>vic</strong> (viewer)"));
	http(f, "/office/login", NULL, id, &r);
	assert_int_equal(r.status, 303); /* already logged in */
	/* logout without its token, or a wrong one: refused, still logged in */
	csrf_of(f, id, csrf);
	http(f, "/office/logout", "", id, &r);
	assert_int_equal(r.status, 403);
	http(f, "/office/logout", "csrf=0123", id, &r);
	assert_int_equal(r.status, 403);
	http(f, "/office/account", NULL, id, &r);
	assert_int_equal(r.status, 200);
	/* with it: the cookie is cleared and the session is over at central */
	snprintf(form, sizeof form, "csrf=%s", csrf);
	http(f, "/office/logout", form, id, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
	http(f, "/office/account", NULL, id, &r);
	assert_int_equal(r.status, 303);
	http(f, "/office/logout", form, id, &r);
	assert_int_equal(r.status, 403);
	/* a made-up session id is no session */
	http(f, "/office/account", NULL,
	     "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", &r);
	assert_int_equal(r.status, 303);
	audit(f, out, sizeof out);
	assert_int_equal(count_of(out, "\tvic\t127.0.0.1\tlogin\t"), 3);
	assert_int_equal(count_of(out, "\tvic\t127.0.0.1\tlogin_failed\t"), 1);
	assert_int_equal(count_of(out, "\tvic\t127.0.0.1\trefused\tPOST /office/logout"), 2);
	assert_int_equal(count_of(out, "\tvic\t127.0.0.1\tlogout\t"), 1);
}

/* The stored hash of name verifies pw: 1 yes, 0 no. */
static int password_is(struct fx *f, const char *name, const char *pw)
{
	struct store *s = NULL;
	struct store_user u;
	char why[200];
	assert_int_equal(store_open(f->url, &s, why, sizeof why), 0);
	assert_int_equal(s->ops->user_get(s, name, 0, &u), 1);
	store_close(s);
	return office_password_verify(u.pw_hash, pw, strlen(pw), NULL);
}

static void test_csrf(void **state)
{
	struct fx *f = *state;
	struct office_resp r;
	char id[65], csrf[65], form[300];
	login(f, "vic", id);
	csrf_of(f, id, csrf);
	/* without the token, or with another session's: 403 and the password stays */
	http(f, "/office/password", "current=vic+password&new=a+new+password", id, &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "security token"));
	char other_id[65], other_csrf[65];
	login(f, "oli", other_id);
	csrf_of(f, other_id, other_csrf);
	snprintf(form, sizeof form, "current=vic+password&new=a+new+password&csrf=%s", other_csrf);
	http(f, "/office/password", form, id, &r);
	assert_int_equal(r.status, 403);
	assert_int_equal(password_is(f, "vic", "vic password"), 1);
	/* a malformed form: refused too */
	http(f, "/office/password", "csrf=%zz", id, &r);
	assert_int_equal(r.status, 400);
	/* with it but the wrong current password: refused, and counted like a failed login */
	snprintf(form, sizeof form, "current=not+my+password&new=a+new+password&csrf=%s", csrf);
	http(f, "/office/password", form, id, &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "current password is wrong"));
	assert_int_equal(password_is(f, "vic", "vic password"), 1);
	char out[8192];
	audit(f, out, sizeof out);
	assert_int_equal(count_of(out, "\tvic\t127.0.0.1\treauth_failed\t"), 1);
	/* with it: changed, and the sessions of vic are over */
	snprintf(form, sizeof form, "current=vic+password&new=a+new+password&csrf=%s", csrf);
	http(f, "/office/password", form, id, &r);
	assert_int_equal(r.status, 303);
	assert_int_equal(password_is(f, "vic", "a new password"), 1);
	http(f, "/office/account", NULL, id, &r);
	assert_int_equal(r.status, 303);
	http(f, "/office/account", NULL, other_id, &r);
	assert_int_equal(r.status, 200);
}

/* name's role by `user list`. */
static bool role_is(struct fx *f, const char *name, const char *role)
{
	char out[2048], want[100];
	assert_int_equal(
	    harness_cli(f->url, out, sizeof out, (const char *[]){"user", "list", NULL}), 0);
	snprintf(want, sizeof want, "%s\t%s\t", name, role);
	return strstr(out, want) != NULL;
}

static void test_roles(void **state)
{
	struct fx *f = *state;
	struct office_resp r;
	char id[65], csrf[65], form[300], out[8192];
	const char *who[] = {"vic", "oli"};
	for (int i = 0; i < 2; i++) {
		login(f, who[i], id);
		csrf_of(f, id, csrf);
		snprintf(form, sizeof form, "user=vic&role=admin&csrf=%s", csrf);
		http(f, "/office/users/role", form, id, &r);
		assert_int_equal(r.status, 403);
		assert_non_null(strstr(r.body, "role may not"));
		assert_true(role_is(f, "vic", "viewer"));
	}
	login(f, "ada", id);
	csrf_of(f, id, csrf);
	snprintf(form, sizeof form, "user=vic&role=operator&csrf=%s", csrf);
	http(f, "/office/users/role", form, id, &r);
	assert_int_equal(r.status, 303);
	assert_true(role_is(f, "vic", "operator"));
	audit(f, out, sizeof out);
	assert_int_equal(count_of(out, "refused\tPOST /office/users/role: role may not"), 2);
	assert_non_null(strstr(out, "\tada\t127.0.0.1\tuser_role\tvic to operator"));
}

static void test_throttle(void **state)
{
	struct fx *f = *state;
	struct office_resp r;
	char out[8192];
	for (int i = 0; i < OFFICE_THROTTLE_FREE; i++) {
		http(f, "/office/login", "user=oli&password=guess+number+x", NULL, &r);
		assert_int_equal(r.status, 401);
	}
	/* the right password is refused now, for a while that grows with each try */
	http(f, "/office/login", "user=oli&password=oli+password", NULL, &r);
	assert_int_equal(r.status, 429);
	assert_string_equal(r.set_cookie, "");
	assert_true(r.retry_after > 0 && r.retry_after <= OFFICE_THROTTLE_BASE_S);
	long first = r.retry_after;
	http(f, "/office/login", "user=oli&password=oli+password", NULL, &r);
	assert_int_equal(r.status, 429);
	assert_true(r.retry_after > first);
	/* from the same address, another user's login waits too */
	http(f, "/office/login", "user=ada&password=ada+password", NULL, &r);
	assert_int_equal(r.status, 429);
	/* and it holds after a restart */
	assert_int_equal(harness_stop(&f->c, SIGTERM), 0);
	assert_int_equal(harness_start(&f->c, f->url, 0), 0);
	http(f, "/office/login", "user=oli&password=oli+password", NULL, &r);
	assert_int_equal(r.status, 429);
	audit(f, out, sizeof out);
	assert_int_equal(count_of(out, "\toli\t127.0.0.1\tlogin_failed\t"), OFFICE_THROTTLE_FREE);
	assert_int_equal(count_of(out, "\toli\t127.0.0.1\tlogin_throttled\t"), 3);
	assert_int_equal(count_of(out, "\tada\t127.0.0.1\tlogin_throttled\t"), 1);
	assert_int_equal(count_of(out, "\tlogin\t"), 0);
}

static void test_forms_refused(void **state)
{
	struct fx *f = *state;
	struct office_resp r;
	char big[OFFICE_PASSWORD_MAX * 80];
	http(f, "/office/login", "user=vic&user=ada&password=x", NULL, &r);
	assert_int_equal(r.status, 400);
	http(f, "/office/login", "user=%ff&password=x", NULL, &r);
	assert_int_equal(r.status, 400);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "user=", 5);
	http(f, "/office/login", big, NULL, &r);
	assert_int_equal(r.status, 413);
	http(f, "/office/nothing-here", NULL, NULL, &r);
	assert_int_equal(r.status, 303); /* every office page wants a login first */
	/* another site's form (the browser says so): refused, the login too */
	snprintf(g_extra, sizeof g_extra, "Sec-Fetch-Site: cross-site");
	http(f, "/office/login", "user=ada&password=ada+password", NULL, &r);
	assert_int_equal(r.status, 403);
	assert_string_equal(r.set_cookie, "");
	snprintf(g_extra, sizeof g_extra, "Sec-Fetch-Site: same-origin");
	http(f, "/office/login", "user=ada&password=ada+password", NULL, &r);
	assert_int_equal(r.status, 303);
	http(f, "/office/login", "user=ada&password=x", NULL, &r);
	assert_int_equal(r.status, 401); /* (no header: not a browser, or an old one) */
}

static void test_tls_cookie(void **state)
{
	struct fx *f = *state;
	struct office_resp r;
	http(f, "/office/login", "user=ada&password=ada+password", NULL, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.set_cookie, "; HttpOnly"));
	assert_non_null(strstr(r.set_cookie, "; SameSite=Strict"));
	assert_non_null(strstr(r.set_cookie, "; Secure"));
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_login_logout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csrf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_forms_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tls_cookie, setup_tls, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_kill_started();
	return rc;
}
