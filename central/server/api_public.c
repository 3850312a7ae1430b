/*
 * api_public.c — the unsigned API call anyone may make: GET /api/v1/time
 * (central's clock; docs/SYNC-API.md). The claim moved to api_points.c: it
 * names a resident and needs an office actor.
 */
#include "server_private.h"

void api_time(struct server *srv, const struct request *rq, struct answer *a)
{
	(void)srv;
	(void)rq;
	a->status = 200; /* central_time is added to every JSON answer */
	a->json = json_pack("{s:s}", "format", "wufei-time-1");
}
