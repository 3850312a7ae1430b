/*
 * replay.c — the replay memory of signed requests that change something
 * (docs/SYNC-API.md "Replays"): a request replayed byte for byte inside the
 * time window gets the answer the first one got, and nothing is stored
 * again. Keyed by the hash of the signed string (auth.c), kept in the store
 * in the same transaction as what the request changed, so a crash or a
 * concurrent replay cannot do it twice. See server_private.h.
 */
#include "server_private.h"

#include <stdlib.h>
#include <string.h>

#define REPLAY_ANSWER_MAX                                                                          \
	4096 /* bytes of a kept answer (epoch and heartbeat answers are small)                     \
	      */

int replay_recall(struct server *srv, const struct request *rq, struct answer *a)
{
	struct store *s = rq->store;
	char *text = malloc(REPLAY_ANSWER_MAX);
	if (!text)
		return WF_ENOMEM;
	unsigned status = 0;
	int rc = s->ops->reply_get(s, rq->kiosk, rq->request_id, &status, text, REPLAY_ANSWER_MAX);
	if (rc == 1) {
		json_t *j = json_loads(text, 0, NULL);
		if (json_is_object(j)) {
			json_decref(a->json);
			a->json = j;
			a->status = status;
		} else {
			json_decref(j);
			store_set_err(s, "kept answer of kiosk %u is not a JSON object", rq->kiosk);
			rc = WF_ECORRUPT;
		}
	}
	free(text);
	return rc;
}

int replay_keep(struct server *srv, const struct request *rq, const struct answer *a)
{
	struct store *s = rq->store;
	char *text = json_dumps(a->json, JSON_COMPACT);
	if (!text)
		return WF_ENOMEM;
	int rc = WF_ENOMEM;
	/* Twice the window: a replay is refused once its time is more than the
	 * window from central's clock; the margin covers central's clock
	 * stepping back. */
	if (strlen(text) < REPLAY_ANSWER_MAX)
		rc = s->ops->reply_put(s, rq->kiosk, rq->request_id, rq->signed_s, a->status, text,
		                       server_now(srv) - 2 * SERVER_WINDOW_S);
	free(text);
	return rc;
}
