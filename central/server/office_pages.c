/*
 * office_pages.c — the office's first pages: the login form (GET and POST
 * /office/login), the start page /office/ ("logged in as", logout and
 * password forms), logout, one's own password, and an admin's change of a
 * user's role. Plain HTML forms that work without JavaScript, labelled in
 * English and Chinese side by side (no gettext catalogue entries yet).
 * Every state-changing form passes office_http_guard (session, CSRF token,
 * role); every change is in the audit log.
 */
#include "office_http.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#define ZH(text) "<span lang=zh-CN>" text "</span>"

/* The login form, with message (plain text, may be NULL) above it. */
static void login_form(struct answer *a, unsigned status, const char *message)
{
	char m[400] = "", body[2048];
	if (message) {
		char esc[300];
		snprintf(m, sizeof m, "<p class=err role=alert>%s</p>",
		         office_html_escape(message, esc, sizeof esc));
	}
	snprintf(
	    body, sizeof body,
	    "<h1>Office login · " ZH(
	        "办公室登录") "</h1>%s"
	                      "<form method=post action=\"/office/login\">"
	                      "<label for=user>User name · " ZH(
	                          "用户名") "</label>"
	                                    "<input id=user name=user autocomplete=username "
	                                    "required maxlength=63>"
	                                    "<label for=password>Password · " ZH(
	                                        "密码") "</label>"
	                                                "<input id=password name=password "
	                                                "type=password "
	                                                "autocomplete=current-password "
	                                                "required maxlength=128>"
	                                                "<div><button type=submit>Log in · " ZH(
	                                                    "登录") "</button></div></form>",
	    m);
	office_http_page(a, status, "Log in", body);
}

static void login_post(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_form f;
	struct office_login res;
	char msg[160];
	if (office_http_form(rq, a, &f) != WF_OK)
		return;
	const char *user = office_form_get(&f, "user");
	const char *pw = office_form_get(&f, "password");
	if (!user || !pw || !user[0]) {
		login_form(a, 400, "Give a user name and a password. 请输入用户名和密码。");
		return;
	}
	int rc =
	    office_login(srv->store, user, pw, strlen(pw), rq->client_addr, server_now(srv), &res);
	sodium_memzero(&f, sizeof f);
	if (rc) {
		office_http_refuse(a, 500, "Storage failed; try again later.");
		return;
	}
	if (res.result == OFFICE_LOGIN_OK) {
		office_http_cookie(rq, a, res.cookie);
		office_http_redirect(a, "/office/");
	} else if (res.result == OFFICE_LOGIN_THROTTLED) {
		snprintf(msg, sizeof msg,
		         "Too many failed logins: try again in %lld s. 登录失败次数过多，请 %lld "
		         "秒后再试。",
		         (long long)res.retry_after_s, (long long)res.retry_after_s);
		login_form(a, 429, msg);
		a->retry_after_s = (unsigned)res.retry_after_s;
	} else
		login_form(a, 401, "Wrong user name or password. 用户名或密码错误。");
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
		office_http_refuse(a, 500, "Storage failed; try again later.");
	else if (rc == 1)
		office_http_redirect(a, "/office/");
	else
		login_form(a, 200, NULL);
}

void office_home(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	char name[400], body[4096];
	if (strcmp(rq->path, "/office/account") != 0) {
		office_http_refuse(a, 404, "No such page.");
		return;
	}
	int rc = office_http_who(srv, rq, &who);
	if (rc < 0) {
		office_http_refuse(a, 500, "Storage failed; try again later.");
		return;
	}
	if (rc == 0) {
		office_http_redirect(a, "/office/login");
		return;
	}
	office_html_escape(who.user.name, name, sizeof name);
	snprintf(
	    body, sizeof body,
	    "<h1>Wufei office · " ZH(
	        "无废办公室") "</h1>"
	                      "<p id=who>Logged in as <strong>%s</strong> (%s) · " ZH(
	                          "已登录") "</p>"
	                                    "<form method=post action=\"/office/logout\">"
	                                    "<input type=hidden name=csrf value=\"%s\">"
	                                    "<button type=submit>Log out · " ZH(
	                                        "退出") "</button></form>"
	                                                "<h2>Change my password · " ZH(
	                                                    "修改密码") "</h2>"
	                                                                "<form method=post "
	                                                                "action=\"/office/"
	                                                                "password\">"
	                                                                "<input type=hidden "
	                                                                "name=csrf value=\"%s\">"
	                                                                "<label "
	                                                                "for=current>Current "
	                                                                "password · " ZH(
	                                                                    "当前密码") "</label>"
	                                                                                "<input "
	                                                                                "id="
	                                                                                "current "
	                                                                                "name="
	                                                                                "current "
	                                                                                "type="
	                                                                                "password "
	                                                                                "autocomple"
	                                                                                "te="
	                                                                                "current-"
	                                                                                "password "
	                                                                                "required>"
	                                                                                "<label "
	                                                                                "for=new>"
	                                                                                "New "
	                                                                                "password "
	                                                                                "(at least "
	                                                                                "%d "
	                                                                                "characters"
	                                                                                ") · " ZH(
	                                                                                    "新密"
	                                                                                    "码") "</label>"
	                                                                                          "<input id=new name=new type=password autocomplete=new-password required "
	                                                                                          "minlength=%d maxlength=%d>"
	                                                                                          "<div><button type=submit>Change · " ZH(
	                                                                                              "修改") "</button></div></form>",
	    name, office_role_name(who.role), who.csrf, who.csrf, OFFICE_PASSWORD_MIN,
	    OFFICE_PASSWORD_MIN, OFFICE_PASSWORD_MAX);
	office_http_page(a, 200, "Office", body);
}

void office_logout(struct server *srv, const struct request *rq, struct answer *a)
{
	struct office_who who;
	struct office_form f;
	int64_t now = server_now(srv);
	if (office_http_guard(srv, rq, a, OFFICE_VIEW, &who, &f) != WF_OK)
		return;
	if (office_session_end(srv->store, &who, now) != WF_OK) {
		office_http_refuse(a, 500, "Storage failed; try again later.");
		return;
	}
	office_audit(srv->store, now, who.user.name, rq->client_addr, "logout", "session ended");
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
	int rc = office_reauth(srv->store, who.user.name, current ? current : "",
	                       current ? strlen(current) : 0, rq->client_addr, now, &re);
	if (rc)
		office_http_refuse(a, 500, "Storage failed; nothing was changed.");
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
		store_lock(srv->store);
		rc = srv->store->ops->user_update(srv->store, who.user.name, hash, NULL, now);
		store_unlock(srv->store);
		sodium_memzero(hash, sizeof hash);
		if (rc != 1) {
			office_http_refuse(a, 500, "Storage failed; nothing was changed.");
		} else {
			office_audit(srv->store, now, who.user.name, rq->client_addr, "passwd",
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
	store_lock(srv->store);
	int rc = srv->store->ops->user_update(srv->store, user, NULL, office_role_name(role), now);
	store_unlock(srv->store);
	if (rc < 0)
		office_http_refuse(a, 500, "Storage failed; nothing was changed.");
	else if (rc == 0)
		office_http_refuse(a, 404, "No such user.");
	else {
		office_audit(srv->store, now, who.user.name, rq->client_addr, "user_role",
		             "%s to %s", user, office_role_name(role));
		office_http_redirect(a, "/office/");
	}
}
