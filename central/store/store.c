/* store.c — backend dispatch and the lock; see store.h. */
#include "store.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf.h"

int store_open(const char *url, struct store **out, char *why, size_t why_len)
{
	*out = NULL;
	if (strncmp(url, "sqlite:", 7) != 0 || url[7] == '\0') {
		snprintf(why, why_len, "unsupported database URL '%s' (want sqlite:PATH)", url);
		return WF_EINVAL;
	}
	struct store *s = NULL;
	int rc = store_sqlite_open(url + 7, &s, why, why_len);
	if (rc)
		return rc;
	pthread_mutex_t *m = calloc(1, sizeof *m);
	if (!m) {
		s->ops->close(s);
		snprintf(why, why_len, "out of memory");
		return WF_ENOMEM;
	}
	pthread_mutex_init(m, NULL);
	s->lock = m;
	*out = s;
	return WF_OK;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	pthread_mutex_t *m = s->lock;
	s->ops->close(s);
	if (m) {
		pthread_mutex_destroy(m);
		free(m);
	}
}

const char *store_errmsg(const struct store *s)
{
	return s->err;
}

void store_lock(struct store *s)
{
	pthread_mutex_lock((pthread_mutex_t *)s->lock);
}

void store_unlock(struct store *s)
{
	pthread_mutex_unlock((pthread_mutex_t *)s->lock);
}

void store_set_err(struct store *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
}
