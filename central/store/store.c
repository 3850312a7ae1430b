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
	struct store *s = NULL;
	int rc;
	if (strncmp(url, "sqlite:", 7) == 0 && url[7] != '\0') {
		rc = store_sqlite_open(url + 7, &s, why, why_len);
	} else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		rc = store_pg_open(url, &s, why, why_len);
	} else {
		snprintf(why, why_len,
		         "unsupported database URL (want sqlite:PATH or postgresql://...)");
		return WF_EINVAL;
	}
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

const char *store_points_kind_name(enum store_points_kind k)
{
	switch (k) {
	case STORE_POINTS_EARNED: return "earned";
	case STORE_POINTS_CLAIMED: return "claimed";
	case STORE_POINTS_REDEEMED: return "redeemed";
	case STORE_POINTS_ADJUSTED: return "adjusted";
	}
	return "unknown";
}

void store_record_facts(struct store_record *r, const struct wf_record *rec)
{
	r->time_s = rec->time_ms / 1000 - (rec->time_ms % 1000 < 0); /* floor */
	r->resident = 0;
	r->points = 0;
	r->category = 0;
	r->unit = 0;
	r->drop_flags = 0;
	r->qty = 0;
	r->credited = 0;
	r->local_day = 0;
	if (rec->kind == WF_RECORD_DROP) {
		const struct wf_record_drop *d = &rec->drop;
		r->resident = (int64_t)d->resident_id;
		r->points = d->points;
		r->category = d->category_id;
		r->unit = d->unit;
		r->drop_flags = d->flags;
		r->qty = d->qty;
		r->credited = d->credited_qty;
		r->local_day = d->local_day;
	} else if (rec->kind == WF_RECORD_BIN) {
		r->category = rec->bin.category_id;
		r->unit = WF_UNIT_GRAM;
		r->qty = rec->bin.grams;
	} else if (rec->kind == WF_RECORD_DAY_CLOSE) {
		r->local_day = rec->day_close.local_day;
	}
}
