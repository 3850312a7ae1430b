/*
 * pool.c — the server's store handles (server_private.h): which handle a
 * request uses. Each handle is one database connection serving one
 * transaction at a time (store_lock); with several, a process runs that
 * many transactions at once. What must not interleave between handles
 * (and between processes) takes store_ops.lock in the transaction.
 */
#include "server_private.h"

struct store *server_store_take(struct server *srv)
{
	pthread_mutex_lock(&srv->pool_mu);
	size_t best = srv->next % srv->nstores;
	for (size_t k = 1; k < srv->nstores; k++) {
		size_t i = (srv->next + k) % srv->nstores;
		if (srv->users[i] < srv->users[best])
			best = i;
	}
	srv->users[best]++;
	srv->next = best + 1;
	pthread_mutex_unlock(&srv->pool_mu);
	return srv->stores[best];
}

void server_store_give(struct server *srv, struct store *s)
{
	pthread_mutex_lock(&srv->pool_mu);
	for (size_t i = 0; i < srv->nstores; i++)
		if (srv->stores[i] == s && srv->users[i] > 0) {
			srv->users[i]--;
			break;
		}
	pthread_mutex_unlock(&srv->pool_mu);
}
