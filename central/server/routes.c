/*
 * routes.c — central's route table: each path once, with the methods it
 * takes, whether kiosks sign it, and its handler (docs/SYNC-API.md). A known
 * path asked with another method is answered 405 with an Allow header; an
 * unknown path 404. See server_private.h.
 */
#include "server_private.h"

#include <string.h>

#include "metrics.h"

static const struct route routes[] = {
    {"POST", "/api/v1/sync/batch", true, api_batch},
    {"POST", "/api/v1/kiosk/epoch", true, api_epoch},
    {"POST", "/api/v1/kiosk/heartbeat", true, api_heartbeat},
    {"GET", "/api/v1/sync/down", true, api_downsync},
    {"GET, HEAD", "/api/v1/time", false, api_time},
    {"POST", "/api/v1/receipts/claim", false, api_claim}, /* an office actor (api_points.c) */
    {"POST", "/api/v1/redeem", false, api_redeem},        /* an office actor (api_points.c) */
    {"GET, HEAD", "/r/", false, receipt_page},            /* /r/<TOKEN>: the QR code's URL */
    {"GET, HEAD", "/R/", false, receipt_page},
    {"GET, HEAD", "/livez", false, api_livez}, /* the operator's probes and scraper */
    {"GET, HEAD", "/readyz", false, api_readyz},
    {"GET, HEAD", "/metrics", false, api_metrics},
    /* the office: login and account (office_pages.c), and its pages
     * (web_office.c, each behind web_require); an exact route wins over the
     * "/office/" prefix wherever it stands */
    {"GET, HEAD, POST", "/office/login", false, office_login_page},
    {"POST", "/office/logout", false, office_logout},
    {"POST", "/office/password", false, office_password},
    {"POST", "/office/users/role", false, office_user_role},
    {"GET, HEAD", "/office/account", false, office_home},
    {"GET, HEAD", "/office", false, web_office},
    {"GET, HEAD, POST", "/office/", false, web_office}, /* POST: web_office.c's forms */
};

/* Whether path is the route's (a route path ending in '/' takes every path it starts). */
static bool path_matches(const struct route *r, const char *path)
{
	size_t n = strlen(r->path);
	if (r->path[n - 1] == '/')
		return strncmp(path, r->path, n) == 0;
	return strcmp(path, r->path) == 0;
}

/* Whether method is one of the route's ("GET, HEAD" holds GET and HEAD). */
static bool method_matches(const struct route *r, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = r->methods; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, method, n) == 0)
			return true;
		p += len;
		p += strspn(p, ", ");
	}
	return false;
}

/* The route of path: an exact path first, else the first prefix route that
 * takes it (so /office/login is its own route whatever the order here). */
static const struct route *route_find(const char *path)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (strcmp(routes[i].path, path) == 0)
			return &routes[i];
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (path_matches(&routes[i], path))
			return &routes[i];
	return NULL;
}

int routes_class(const char *path)
{
	return (int)metrics_class_of(path, route_find(path) != NULL);
}

void routes_dispatch(struct server *srv, struct request *rq, struct answer *a)
{
	const struct route *r = route_find(rq->path);
	if (!r) {
		answer_error(a, 404, "not_found", "no such path");
		return;
	}
	if (!method_matches(r, rq->method)) {
		answer_error(a, 405, "method_not_allowed", "use %s", r->methods);
		a->allow = r->methods;
		return;
	}
	if (r->is_signed && auth_check(srv, rq, a) != WF_OK)
		return;
	r->handler(srv, rq, a);
}
