/* points.c — redeeming and adjusting a resident's points; see points.h. */
#include "points.h"

#include <stdio.h>
#include <string.h>

#include "wf.h"

bool points_text_ok(const char *text, size_t cap, bool empty_ok)
{
	if (!text)
		return false;
	size_t n = strlen(text);
	if (n >= cap || (n == 0 && !empty_ok))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f)
			return false; /* control characters never reach a log or a page */
	}
	return true;
}

bool points_key_ok(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
		if (!ok)
			return false;
	}
	return true;
}

const char *points_outcome_text(enum points_outcome o)
{
	switch (o) {
	case POINTS_DONE: return "done";
	case POINTS_REPEAT: return "done before with this idempotency key";
	case POINTS_KEY_REUSED: return "this idempotency key was used for another request";
	case POINTS_INSUFFICIENT: return "the balance is too small";
	case POINTS_UNKNOWN_RESIDENT: return "no such resident";
	}
	return "unknown";
}

/* Appends e if the balance stays at zero or above; the resident touched for down-sync. */
static int append_covered(struct store *s, struct store_points_entry *e, struct points_result *out)
{
	char status[16];
	int rc = s->ops->resident_status(s, e->resident, status);
	if (rc <= 0) {
		out->outcome = POINTS_UNKNOWN_RESIDENT;
		return rc;
	}
	rc = s->ops->points_balance(s, e->resident, &out->balance);
	if (rc)
		return rc;
	if (out->balance + e->points < 0) {
		out->outcome = POINTS_INSUFFICIENT;
		return WF_OK;
	}
	rc = s->ops->points_append(s, e, &out->balance);
	if (!rc)
		rc = s->ops->resident_touch(s, e->resident);
	out->entry = *e;
	out->entry.balance_after = out->balance;
	out->outcome = POINTS_DONE;
	return rc;
}

/* One write in one immediate transaction; kept only when it was DONE. */
static int in_tx(struct store *s, struct store_points_entry *e, struct points_result *out)
{
	int rc = s->ops->begin(s);
	/* the resident's balance, read and then spent, by one central at a time
	 * (a no-op on SQLite, whose writers are serialised already) */
	if (!rc)
		rc = s->ops->lock(s, STORE_LOCK_RESIDENT, e->resident);
	if (rc) {
		s->ops->rollback(s);
		return rc;
	}
	if (e->key[0]) {
		int got = s->ops->points_by_key(s, e->key, &out->entry);
		if (got == 1) {
			bool same = out->entry.resident == e->resident &&
			            out->entry.points == e->points && out->entry.kind == e->kind;
			out->outcome = same ? POINTS_REPEAT : POINTS_KEY_REUSED;
			out->balance = out->entry.balance_after;
		}
		rc = got < 0 ? got : WF_OK;
		if (rc || got == 1) {
			s->ops->rollback(s);
			return rc;
		}
	}
	rc = append_covered(s, e, out);
	if (!rc && out->outcome == POINTS_DONE)
		return s->ops->commit(s);
	s->ops->rollback(s);
	return rc;
}

int points_redeem(struct store *s, int64_t resident, int64_t points, const char *key,
                  const char *actor, int64_t now_s, struct points_result *out)
{
	memset(out, 0, sizeof *out);
	if (resident <= 0 || points < 1 || points > POINTS_MAX || !points_key_ok(key) ||
	    !points_text_ok(actor, STORE_POINTS_ACTOR_MAX, false))
		return WF_EINVAL;
	struct store_points_entry e = {
	    .resident = resident, .kind = STORE_POINTS_REDEEMED, .points = -points, .at_s = now_s};
	snprintf(e.actor, sizeof e.actor, "%s", actor);
	snprintf(e.key, sizeof e.key, "%s", key);
	return in_tx(s, &e, out);
}

int points_adjust(struct store *s, int64_t resident, int64_t points, const char *reason,
                  const char *actor, int64_t now_s, struct points_result *out)
{
	memset(out, 0, sizeof *out);
	if (resident <= 0 || points == 0 || points > POINTS_MAX || points < -POINTS_MAX ||
	    !points_text_ok(reason, STORE_POINTS_REASON_MAX, false) ||
	    !points_text_ok(actor, STORE_POINTS_ACTOR_MAX, false))
		return WF_EINVAL;
	struct store_points_entry e = {
	    .resident = resident, .kind = STORE_POINTS_ADJUSTED, .points = points, .at_s = now_s};
	snprintf(e.actor, sizeof e.actor, "%s", actor);
	snprintf(e.reason, sizeof e.reason, "%s", reason);
	return in_tx(s, &e, out);
}
