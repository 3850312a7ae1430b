/*
 * office_pages.c — the office's first pages: the login form (GET and POST
 * /office/login, then the page asked for in ?next=), the account page
 * /office/account ("logged in as", the password form; the logout button is
 * in every page's header), logout, one's own password, and an admin's change of a
 * user's role. Plain HTML forms that work without JavaScript, in the page
 * kit's shell (central/web/) and the visit's language (web_lang_of).
 * Every state-changing form passes office_http_guard (session, CSRF token,
 * role); every change is in the audit log.
 */
#include "office_http.h"
#include "web_private.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "i18n.h"

/* A page of the kit's shell in rq's language into a (status); body: fills b. */
struct plain_page {
	struct web_buf b;
	struct web_page p;
};

/* title: an N_ message id, shown in the page's language */
static void plain_begin(struct plain_page *pg, const struct request *rq, const char *title,
                        const struct office_who *who)
{
	memset(pg, 0, sizeof *pg);
	pg->p.lang = web_lang_of(rq);
	pg->p.title = wf_tr(pg->p.lang, title);
	pg->p.self = rq->path;
	pg->p.user = who ? who->user.name : NULL;
	pg->p.csrf = who ? who->csrf : NULL;
	web_buf_init(&pg->b, 64 * 1024);
	web_page_begin(&pg->b, &pg->p);
}

static void plain_end(struct plain_page *pg, struct answer *a, unsigned status)
{
	web_page_end(&pg->b, &pg->p);
	free(a->html);
	a->html = web_buf_take(&pg->b);
	if (!a->html) {
		answer_error(a, 500, "internal", "out of memory");
		return;
	}
	a->status = status;
	a->page_guard = true;
}

/* A page to go to after the login: a path of the office's own ("/office"
 * and what follows, letters, digits and / . _ - only), else "/office/". */
static const char *safe_next(const char *next)
{
	if (!next || strncmp(next, "/office", 7) != 0 || strstr(next, "//") ||
	    !strcmp(next, "/office/logout") || strlen(next) > 150)
		return "/office/";
	for (const char *p = next; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("/._-", *p)))
			return "/office/";
	return next;
}

/* The login form, with message (already in the page's language, may be NULL) above it. */
static void login_form(const struct request *rq, struct answer *a, unsigned status,
                       const char *message, const char *next)
{
	struct plain_page pg;
	plain_begin(&pg, rq, N_("Office login"), NULL);
	struct web_buf *b = &pg.b;
	enum wf_lang l = pg.p.lang;
	if (message) {
		web_raw(b, "<p class=bad role=alert>");
		web_text(b, message);
		web_raw(b, "</p>");
	}
	web_raw(b, "<section class=panel><form class=stack method=post action=\"/office/login\">"
	           "<input type=hidden name=next value=\"");
	web_attr(b, safe_next(next));
	web_raw(b, "\"><label for=\"user\">");
	web_text(b, wf_tr(l, "User name"));
	web_raw(b, "</label><input id=\"user\" name=\"user\" autocomplete=username required "
	           "maxlength=63><label for=\"password\">");
	web_text(b, wf_tr(l, "Password"));
	web_raw(b, "</label><input id=\"password\" name=\"password\" type=\"password\" "
	           "autocomplete=current-password required maxlength=128><div><button "
	           "type=submit>");
	web_text(b, wf_tr(l, "Log in"));
	web_raw(b, "</button></div></form></section>");
	plain_end(&pg, a, status);
}

static void login_post(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_form f;
	struct office_login res;
	char msg[300];
	enum wf_lang l = web_lang_of(rq);
	if (office_http_form(rq, a, &f) != WF_OK)
		return;
	const char *user = office_form_get(&f, "user");
	const char *pw = office_form_get(&f, "password");
	char next[160];
	snprintf(next, sizeof next, "%s", safe_next(office_form_get(&f, "next")));
	if (!user || !pw || !user[0]) {
		login_form(rq, a, 400, wf_tr(l, "Give a user name and a password."), next);
		return;
	}
	int rc =
	    office_login(rq->store, user, pw, strlen(pw), rq->client_addr, server_now(srv), &res);
	sodium_memzero(&f, sizeof f);
	if (rc) {
		office_http_refuse(a, answer_store_status(a, rc),
		                   "Storage failed; try again later.");
		return;
	}
	if (res.result == OFFICE_LOGIN_OK) {
		office_http_cookie(rq, a, res.cookie);
		office_http_redirect(a, next);
	} else if (res.result == OFFICE_LOGIN_THROTTLED) {
		snprintf(msg, sizeof msg, wf_tr(l, "Too many failed logins: try again in %lld s."),
		         (long long)res.retry_after_s);
		login_form(rq, a, 429, msg, next);
		a->retry_after_s = (unsigned)res.retry_after_s;
	} else
		login_form(rq, a, 401, wf_tr(l, "Wrong user name or password."), next);
	sodium_memzero(&res, sizeof res);
}

void office_login_page(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	if (strcmp(rq->method, "POST") == 0) {
		login_post(srv, rq, a);
		return;
	}
	int rc = office_http_who(srv, rq, &who);
	if (rc < 0)
		office_http_refuse(a, answer_store_status(a, rc),
		                   "Storage failed; try again later.");
	else if (rc == 1)
		office_http_redirect(a, "/office/");
	else
		login_form(rq, a, 200, NULL, server_query(rq, "next"));
}

static const char *role_label(enum wf_lang l, int role)
{
	switch (role) {
	case OFFICE_VIEWER: return wf_tr(l, "viewer");
	case OFFICE_OPERATOR: return wf_tr(l, "operator");
	case OFFICE_ADMIN: return wf_tr(l, "admin");
	default: return "?";
	}
}

/* The password form of the account page. */
static void password_form(struct web_buf *b, enum wf_lang l, const char *csrf)
{
	char label[160];
	web_raw(b, "<section class=panel aria-labelledby=pw-h><h2 id=pw-h>");
	web_text(b, wf_tr(l, "Change my password"));
	web_raw(b, "</h2><form class=stack method=post action=\"/office/password\">"
	           "<input type=hidden name=\"" WEB_CSRF_FIELD "\" value=\"");
	web_attr(b, csrf);
	web_raw(b, "\"><label for=\"current\">");
	web_text(b, wf_tr(l, "Current password"));
	web_raw(b, "</label><input id=\"current\" name=\"current\" type=\"password\" "
	           "autocomplete=current-password required><label for=\"new\">");
	snprintf(label, sizeof label, wf_tr(l, "New password (at least %d characters)"),
	         OFFICE_PASSWORD_MIN);
	web_text(b, label);
	web_rawf(b,
	         "</label><input id=\"new\" name=\"new\" type=\"password\" "
	         "autocomplete=new-password required minlength=%d maxlength=%d><div><button "
	         "type=submit>",
	         OFFICE_PASSWORD_MIN, OFFICE_PASSWORD_MAX);
	web_text(b, wf_tr(l, "Change"));
	web_raw(b, "</button></div></form></section>");
}

void office_home(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	struct plain_page pg;
	if (strcmp(rq->path, "/office/account") != 0) {
		office_http_refuse(a, 404, "No such page.");
		return;
	}
	int rc = office_http_who(srv, rq, &who);
	if (rc < 0) {
		office_http_refuse(a, answer_store_status(a, rc),
		                   "Storage failed; try again later.");
		return;
	}
	if (rc == 0) {
		office_http_redirect(a, "/office/login");
		return;
	}
	plain_begin(&pg, rq, N_("My account"), &who);
	enum wf_lang l = pg.p.lang;
	web_raw(&pg.b, "<p id=who>");
	web_text(&pg.b, wf_tr(l, "Logged in as"));
	web_raw(&pg.b, " <strong>");
	web_text(&pg.b, who.user.name);
	web_raw(&pg.b, "</strong> (");
	web_text(&pg.b, role_label(l, who.role));
	web_raw(&pg.b, ")</p>");
	password_form(&pg.b, l, who.csrf);
	plain_end(&pg, a, 200);
	enum wf_lang chosen;
	if (rq->lang && wf_lang_parse(rq->lang, &chosen))
		web_lang_cookie(chosen, a->lang_cookie, sizeof a->lang_cookie);
}

void office_logout(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	struct office_form f;
	int64_t now = server_now(srv);
	if (office_http_guard(srv, rq, a, OFFICE_VIEW, &who, &f) != WF_OK)
		return;
	if (office_session_end(rq->store, &who, now) != WF_OK) {
		office_http_refuse(a, 500, "Storage failed; try again later.");
		return;
	}
	office_audit(rq->store, now, who.user.name, rq->client_addr, "logout", "session ended");
	office_http_cookie(rq, a, NULL);
	office_http_redirect(a, "/office/login");
}

void office_password(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	struct office_form f;
	char hash[OFFICE_HASH_MAX];
	int64_t now = server_now(srv);
	if (office_http_guard(srv, rq, a, OFFICE_OWN_PASSWORD, &who, &f) != WF_OK)
		return;
	const char *current = office_form_get(&f, "current");
	const char *pw = office_form_get(&f, "new");
	struct office_login re;
	/* the current password again, slowed after failures like a login */
	int rc = office_reauth(rq->store, who.user.name, current ? current : "",
	                       current ? strlen(current) : 0, rq->client_addr, now, &re);
	if (rc)
		office_http_refuse(a, answer_store_status(a, rc),
		                   "Storage failed; nothing was changed.");
	else if (re.result == OFFICE_LOGIN_THROTTLED) {
		office_http_refuse(a, 429, "Too many wrong passwords: try again later.");
		a->retry_after_s = (unsigned)re.retry_after_s;
	} else if (re.result != OFFICE_LOGIN_OK)
		office_http_refuse(a, 403, "The current password is wrong.");
	else if (!pw || office_password_ok(pw, strlen(pw)) != WF_OK)
		office_http_refuse(a, 400, "The new password must be 10 to 128 characters.");
	else if (office_password_hash(pw, strlen(pw), hash) != WF_OK)
		office_http_refuse(a, 500, "Out of memory; try again later.");
	else {
		store_lock(rq->store);
		rc = rq->store->ops->user_update(rq->store, who.user.name, hash, NULL, now);
		store_unlock(rq->store);
		sodium_memzero(hash, sizeof hash);
		if (rc != 1) {
			office_http_refuse(a, answer_store_status(a, rc),
			                   "Storage failed; nothing was changed.");
		} else {
			office_audit(rq->store, now, who.user.name, rq->client_addr, "passwd",
			             "own password changed (sessions ended)");
			office_http_cookie(rq, a, NULL);
			office_http_redirect(a, "/office/login");
		}
	}
	sodium_memzero(&f, sizeof f);
}

void office_user_role(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	struct office_form f;
	int64_t now = server_now(srv);
	if (office_http_guard(srv, rq, a, OFFICE_MANAGE_USERS, &who, &f) != WF_OK)
		return;
	const char *user = office_form_get(&f, "user");
	int role = office_role_parse(office_form_get(&f, "role"));
	if (!user || !office_user_name_ok(user) || role < 0) {
		office_http_refuse(a, 400, "Give a user and a role (viewer, operator, admin).");
		return;
	}
	store_lock(rq->store);
	int rc = rq->store->ops->user_update(rq->store, user, NULL, office_role_name(role), now);
	store_unlock(rq->store);
	if (rc < 0)
		office_http_refuse(a, answer_store_status(a, rc),
		                   "Storage failed; nothing was changed.");
	else if (rc == 0)
		office_http_refuse(a, 404, "No such user.");
	else {
		office_audit(rq->store, now, who.user.name, rq->client_addr, "user_role",
		             "%s to %s", user, office_role_name(role));
		office_http_redirect(a, "/office/");
	}
}
