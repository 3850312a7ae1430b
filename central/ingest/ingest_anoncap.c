/*
 * ingest_anoncap.c — the anonymous daily cap checked at central (DESIGN
 * "Anonymous drops"). When a kiosk records an anonymous drop under a rate
 * version with a cap, the drop's credited quantity plus what the kiosk's
 * earlier anonymous drops (lower seq) of that category earned that local
 * day is at most the cap: the kiosk counts its journal's day at the visit's
 * start and the visit's own drops after. Central holds at most those
 * earlier drops, so if what it holds of them plus this drop is over the
 * cap, the kiosk gave points the cap did not allow, whatever order the
 * records arrive in: such a record is flagged ("anon_cap") and an alert
 * kept; it is stored either way. (A drop whose earlier drops arrive only
 * after it is checked without them: a miss, never a false alert.)
 */
#include <inttypes.h>
#include <stdio.h>

#include "ingest_items.h"
#include "record.h"

/* The cap of it's rate version (*has false: none, or no such version). */
static int version_cap(struct store *s, const struct ingest_item *it, bool *has, int64_t *cap)
{
	struct store_rate r;
	*has = false;
	*cap = 0;
	int rc = s->ops->rate_get(s, it->f.category, it->f.rate_version, &r);
	if (rc == WF_ENOENT)
		return WF_OK; /* flagged unknown_rate already */
	if (rc)
		return rc;
	*has = r.has_anon_cap;
	*cap = r.anon_cap_qty;
	return WF_OK;
}

int ingest_anoncap_flag(struct store *s, uint32_t kiosk, const struct ingest_item *it,
                        int64_t pending, uint32_t *flags)
{
	/* only an anonymous drop that earned something can go over */
	if (!it->decoded || !it->f.is_drop || !(it->f.rec.drop.flags & WF_DROP_ANONYMOUS) ||
	    it->f.credited_qty <= 0)
		return WF_OK;
	bool has = false;
	int64_t cap = 0, before = 0;
	int rc = version_cap(s, it, &has, &cap);
	if (rc || !has)
		return rc;
	rc = s->ops->anon_day(s, kiosk, it->f.category, it->f.rec.drop.local_day, it->seq, &before);
	before += pending;
	if (!rc && before + it->f.credited_qty > cap)
		*flags |= STORE_FLAG_ANON_CAP;
	return rc;
}

int ingest_anoncap_alert(struct store *s, uint32_t kiosk, const struct ingest_item *it,
                         int64_t pending, int64_t now_s)
{
	bool has = false;
	int64_t cap = 0, before = 0;
	uint32_t day = it->f.rec.drop.local_day;
	int rc = version_cap(s, it, &has, &cap);
	if (!rc)
		rc = s->ops->anon_day(s, kiosk, it->f.category, day, it->seq, &before);
	if (rc)
		return rc;
	before += pending;
	char detail[240];
	snprintf(detail, sizeof detail,
	         "anonymous drop of category %u on day %" PRIu32 " earned points for %" PRId64
	         " after %" PRId64 " earlier that day: over the anonymous daily cap %" PRId64
	         " of rate version %" PRIu32,
	         (unsigned)it->f.category, day, it->f.credited_qty, before, cap,
	         it->f.rate_version);
	return s->ops->alert_add(s, kiosk, it->seq, "anon_cap", NULL, 0, detail, now_s);
}
