/* office_http.c — the office pages' HTTP plumbing; see office_http.h. */
#include "office_http.h"

#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

int office_http_who(struct server *srv, const struct request *rq, struct office_who *who)
{
	char id[OFFICE_SESSION_ID_HEX];
	memset(who, 0, sizeof *who);
	if (!office_cookie_get(rq->cookie, OFFICE_COOKIE, id, sizeof id))
		return 0;
	return office_session_find(rq->store, id, server_now(srv), who);
}

/* Whether the request's Content-Type is a urlencoded form (parameters allowed). */
static bool is_form(const char *type)
{
	static const char form[] = "application/x-www-form-urlencoded";
	size_t n = sizeof form - 1;
	if (!type || strncasecmp(type, form, n) != 0)
		return false;
	return type[n] == '\0' || type[n] == ';' || type[n] == ' ';
}

int office_http_form(const struct request *rq, struct answer *a, struct office_form *f)
{
	/* A browser says when another site sends the form: refused before anything,
	 * the login too (which has no session, hence no CSRF token, to check). */
	if (rq->fetch_site && strcmp(rq->fetch_site, "cross-site") == 0) {
		office_http_refuse(a, 403, "This form cannot be sent from another site.");
		return WF_EINVAL;
	}
	if (!is_form(rq->content_type)) {
		office_http_refuse(a, 415,
		                   "This form must be sent as "
		                   "application/x-www-form-urlencoded.");
		return WF_EINVAL;
	}
	int rc = office_form_parse(rq->body ? rq->body : "", rq->len, f);
	if (rc == WF_ENOMEM)
		office_http_refuse(a, 413, "The form is too large.");
	else if (rc)
		office_http_refuse(a, 400, "The form is malformed (encoding or repeated fields).");
	return rc;
}

int office_http_guard(struct server *srv, const struct request *rq, struct answer *a,
                      enum office_action action, struct office_who *who, struct office_form *f)
{
	int rc = office_http_form(rq, a, f);
	if (rc)
		return rc;
	rc = office_http_who(srv, rq, who);
	if (rc < 0) {
		office_http_refuse(a, answer_store_status(a, rc),
		                   "Storage failed; nothing was changed.");
		return rc;
	}
	if (rc == 0) {
		office_http_refuse(a, 403, "Not logged in (or the session ended): log in again.");
		return WF_ESTATE;
	}
	const char *why = NULL;
	if (!office_csrf_ok(who, office_form_get(f, "csrf")))
		why = "csrf";
	else if (!office_can(who->role, action))
		why = "role";
	if (!why)
		return WF_OK;
	office_audit(rq->store, server_now(srv), who->user.name, rq->client_addr, "refused",
	             "%s %s: %s", rq->method, rq->path,
	             why[0] == 'c' ? "CSRF token missing or wrong" : "role may not");
	office_http_refuse(a, 403,
	                   why[0] == 'c' ? "The form's security token is missing or wrong: "
	                                   "open the page again and resend."
	                                 : "Your role may not do this.");
	return WF_EINVAL;
}

void office_http_cookie(const struct request *rq, struct answer *a, const char *id)
{
	/* a session cookie (no Max-Age): it ends with the browser or the session */
	if (office_cookie_build(a->set_cookie, sizeof a->set_cookie, OFFICE_COOKIE, id ? id : "",
	                        id ? -1 : 0, rq->tls) != WF_OK)
		a->set_cookie[0] = '\0';
}

void office_http_redirect(struct answer *a, const char *location)
{
	struct web_buf b;
	snprintf(a->location, sizeof a->location, "%s", location);
	web_buf_init(&b, 4096);
	web_raw(&b, "<p><a href=\"");
	web_attr(&b, location);
	web_raw(&b, "\">Continue · <span lang=zh-CN>继续</span></a></p>");
	char *body = web_buf_take(&b);
	office_http_page(a, 303, "See other", body ? body : "");
	free(body);
}

void office_http_page(struct answer *a, unsigned status, const char *title, const char *body)
{
	struct web_buf b;
	web_buf_init(&b, strlen(body) + 4096);
	web_raw(&b, "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
	            "<meta name=viewport content=\"width=device-width, initial-scale=1\"><title>");
	web_text(&b, title);
	web_raw(&b, " · Wufei office</title><style>body{font-family:sans-serif;"
	            "margin:1em auto;max-width:32em;padding:0 1em;line-height:1.5}"
	            ".err{color:#b42318;font-weight:bold}</style></head><body><main>");
	web_raw(&b, body);
	web_raw(&b, "</main></body></html>\n");
	json_decref(a->json);
	a->json = NULL;
	free(a->html);
	a->html = web_buf_take(&b);
	if (!a->html) {
		answer_error(a, 500, "internal", "out of memory");
		return;
	}
	a->status = status;
	a->page_guard = true;
}

void office_http_refuse(struct answer *a, unsigned status, const char *message)
{
	struct web_buf b;
	web_buf_init(&b, 8192);
	web_raw(&b, "<h1>Refused · <span lang=zh-CN>拒绝</span></h1><p class=err role=alert>");
	web_text(&b, message);
	web_raw(&b, "</p><p><a href=\"/office/\">Office · <span lang=zh-CN>办公室</span></a></p>");
	char *body = web_buf_take(&b);
	office_http_page(a, status, "Refused", body ? body : "");
	free(body);
}
