/*
 * office_http.h — the HTTP plumbing of the office pages (private to
 * central/server/): who a request comes from (its session cookie), the
 * guard every state-changing form passes (form body parsed, logged in, CSRF
 * token, role), the session cookie set and cleared, redirects, and the
 * pages' HTML frame. The rules themselves are central/office/'s (office.h).
 *
 * Every function here takes the store lock itself (through office.h) and
 * must be called without it.
 */
#ifndef WUFEI_CENTRAL_OFFICE_HTTP_H
#define WUFEI_CENTRAL_OFFICE_HTTP_H

#include "office.h"
#include "office_form.h"
#include "server_private.h"

/*
 * office_http_who — the logged-in user of rq (its OFFICE_COOKIE): 1 yes
 * (*who filled), 0 not logged in (no cookie, unknown or expired session),
 * or a storage error.
 */
int office_http_who(struct server *srv, const struct request *rq, struct office_who *who);

/*
 * office_http_form — rq's body as a form (Content-Type
 * application/x-www-form-urlencoded). WF_OK, or a refusal page in a (403
 * sent from another site by the browser's Sec-Fetch-Site, 415 another
 * type, 413 too large, 400 malformed) and a negative wf_err.
 */
int office_http_form(const struct request *rq, struct answer *a, struct office_form *f);

/*
 * office_http_guard — what every state-changing office form passes: its
 * body parsed into *f, a session (*who), the form's "csrf" field equal to
 * the session's token, and a role that may do action. WF_OK, or a refusal
 * in a (403 not logged in, CSRF token missing or wrong, role may not; 4xx a
 * bad body; 500 storage) and nothing done. Refusals of a logged-in user are
 * written to the audit log.
 */
int office_http_guard(struct server *srv, const struct request *rq, struct answer *a,
                      enum office_action action, struct office_who *who, struct office_form *f);

/* office_http_cookie — a's Set-Cookie for the session id (NULL: clears the
 * cookie); HttpOnly, SameSite=Strict, Path=/, and Secure under TLS. */
void office_http_cookie(const struct request *rq, struct answer *a, const char *id);

/* office_http_redirect — a 303 to location (a path of ours). */
void office_http_redirect(struct answer *a, const char *location);

/*
 * office_http_page — a's status and an HTML page: title (plain text,
 * escaped here) and body (HTML the caller made, every outside text in it
 * escaped with web_text, central/web/web.h). 500 when memory is short.
 */
void office_http_page(struct answer *a, unsigned status, const char *title, const char *body);

/* office_http_refuse — a short page with status and message (plain text). */
void office_http_refuse(struct answer *a, unsigned status, const char *message);

#endif
