/*
 * events.c — what the devices and the card reader say, as session events:
 * a card id is hashed at once with the down-synced card key and looked up
 * in the journal (only the hash goes further); readings, device states and
 * the printer's status become events; print answers go to printing.c.
 */
#include "runner_private.h"

#include <string.h>

#include "wf.h"

static const char *const g_card_kinds[] = {"unknown", "resident", "blocked", "staff"};

/* The journal's card into the session's identity (staff: the PIN hash is
 * kept for the PIN check; residents: what they dropped today). */
static void identity_of(struct runner *r, const struct ledger_card *lc, struct session_identity *id)
{
	static const enum session_card_kind kinds[] = {
	    [LEDGER_CARD_UNKNOWN] = SESSION_CARD_UNKNOWN,
	    [LEDGER_CARD_RESIDENT] = SESSION_CARD_RESIDENT,
	    [LEDGER_CARD_BLOCKED] = SESSION_CARD_BLOCKED,
	    [LEDGER_CARD_STAFF] = SESSION_CARD_STAFF,
	};
	id->kind = kinds[lc->kind];
	id->id = lc->id;
	snprintf(id->name, sizeof id->name, "%s", lc->name);
	snprintf(id->reason, sizeof id->reason, "%s", lc->reason);
	id->admin = lc->admin;
	id->pin_failures = lc->pin_failures;
	if (lc->kind == LEDGER_CARD_STAFF) {
		r->staff_id = lc->id;
		snprintf(r->staff_pin_hash, sizeof r->staff_pin_hash, "%s", lc->pin_hash);
		return;
	}
	/* the daily limit counts the local day, in the kiosk's zone, of now */
	uint32_t day = wf_local_day(runner_utc_at(r, runner_now(r)));
	struct ledger_today today[WF_MAX_CATEGORIES];
	int n = ledger_today(r->ledger, id->card_hash, day, today, WF_MAX_CATEGORIES);
	for (int i = 0; i < n; i++) {
		id->today[i].category_id = today[i].category_id;
		id->today[i].qty = today[i].qty;
	}
	id->ntoday = n > 0 ? (unsigned)n : 0;
	/* the balance: what central last said plus what it has not seen yet */
	int64_t unsynced = 0;
	if (lc->kind == LEDGER_CARD_RESIDENT &&
	    ledger_unsynced_points(r->ledger, lc->id, &unsynced) == WF_OK) {
		id->has_balance = true;
		id->balance = lc->balance + unsynced;
	}
}

void event_anon_today(struct runner *r, struct session_event *ev)
{
	if (ev->kind != SESSION_EV_TAP || ev->u.tap.control != SESSION_TAP_ANONYMOUS)
		return;
	/* the same local day as the daily limit's: the kiosk's zone, of now */
	uint32_t day = wf_local_day(runner_utc_at(r, runner_now(r)));
	struct ledger_today today[WF_MAX_CATEGORIES];
	int n = ledger_anon_today(r->ledger, day, today, WF_MAX_CATEGORIES);
	if (n < 0) {
		/* what today's anonymous drops earned is not known: a capped
		 * category counts as used up rather than paying twice */
		runner_logf(r, "anonymous day totals: %s (capped categories earn nothing)",
		            ledger_errmsg(r->ledger));
		n = 0;
		for (unsigned i = 0; i < r->scfg.ncategories; i++) {
			const struct wf_category *c = &r->scfg.categories[i];
			if (c->has_anon_cap) {
				today[n].category_id = c->id;
				today[n++].qty = c->anon_cap_qty;
			}
		}
	}
	for (int i = 0; i < n; i++) {
		ev->u.tap.anon_today[i].category_id = today[i].category_id;
		ev->u.tap.anon_today[i].qty = today[i].qty;
	}
	ev->u.tap.nanon_today = n > 0 ? (unsigned)n : 0;
}

/* A card id as the log may show it: the reader's prefix and the last four
 * characters ("em4100:******8981"); the whole number is personal data. */
static void card_masked(const char *card_id, char *out, size_t cap)
{
	size_t n = strlen(card_id), keep = strcspn(card_id, ":");
	keep = keep < n ? keep + 1 : 0;
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < cap; i++) {
		bool shown = i < keep || i + 4 >= n;
		unsigned char c = (unsigned char)card_id[i];
		out[j++] = shown && c >= 0x21 && c < 0x7f ? (char)c : '*';
	}
	out[j] = '\0';
}

void event_card(struct runner *r, const char *card_id)
{
	char shown[48];
	card_masked(card_id, shown, sizeof shown);
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = SESSION_EV_CARD;
	if (!r->has_card_key) {
		runner_logf(r, "card %s ignored: no card key yet (no down-sync)", shown);
		return;
	}
	if (cardid_hash(r->card_key, card_id, ev.u.card.card_hash) != WF_OK) {
		runner_logf(r, "card %s ignored: not a canonical card id", shown);
		return;
	}
	struct ledger_card lc;
	if (ledger_card_lookup(r->ledger, ev.u.card.card_hash, &lc) != WF_OK) {
		runner_logf(r, "card lookup failed: %s", ledger_errmsg(r->ledger));
		return;
	}
	identity_of(r, &lc, &ev.u.card);
	runner_logf(r, "card %s: %s %s", shown, g_card_kinds[lc.kind], lc.name);
	runner_post(r, &ev);
}

static enum session_device session_device_of(enum device_role role)
{
	return role == DEVICE_ROLE_SCALE  ? SESSION_DEV_SCALE
	       : role == DEVICE_ROLE_CARD ? SESSION_DEV_CARD
	                                  : SESSION_DEV_PRINTER;
}

static void reading(struct runner *r, const struct device_reading *dr)
{
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = SESSION_EV_READING;
	ev.u.reading.grams = dr->grams;
	ev.u.reading.has_stable = dr->has_stable_flag;
	ev.u.reading.stable = dr->stable;
	/* A status without a weight (motion, busy, overload) is never a weight
	 * to keep: the session ends stability on it at once. */
	ev.u.reading.no_weight = dr->status_only;
	ev.u.reading.motion = dr->motion;
	ev.u.reading.overload = dr->overload;
	ev.u.reading.underload = dr->underload;
	runner_post(r, &ev);
}

static void scale_answer(struct runner *r, const struct device_scale_answer *a)
{
	/* for staff: the platform must be empty and still for a zero */
	const char *cmd = a->cmd == DEVICE_SCALE_ZERO   ? "zero"
	                  : a->cmd == DEVICE_SCALE_TARE ? "tare"
	                                                : "clear tare";
	runner_logf(r, "scale: %s %s%s%s%s", cmd,
	            a->accepted ? "done" : "refused by the scale (empty and still?)",
	            a->code[0] ? " [" : "", a->code, a->code[0] ? "]" : "");
}

void event_device(struct runner *r, const struct device_event *de)
{
	/* the lines of a device carry WUFEI_DEVICE= (its role) */
	const struct wf_log_ctx dev = {.device = de->role == DEVICE_ROLE_SCALE  ? "scale"
	                                         : de->role == DEVICE_ROLE_CARD ? "card"
	                                                                        : "printer"};
	switch (de->kind) {
	case DEVICE_EVENT_UP:
	case DEVICE_EVENT_DOWN:
		wf_log_fields(r->log, WF_LOG_INFO, &dev, "device %s %s%s%s", de->device,
		              de->kind == DEVICE_EVENT_UP ? "up" : "down", *de->reason ? ": " : "",
		              de->reason);
		runner_post_device(r, session_device_of(de->role), de->kind == DEVICE_EVENT_UP);
		break;
	case DEVICE_EVENT_READING: reading(r, &de->u.reading); break;
	case DEVICE_EVENT_CARD: event_card(r, de->u.card.id); break;
	case DEVICE_EVENT_PRINTER_STATUS:
		runner_post_device(r, SESSION_DEV_PRINTER,
		                   !de->u.printer.known ||
		                       (de->u.printer.online && !de->u.printer.paper_out));
		break;
	case DEVICE_EVENT_PRINT_DONE:
	case DEVICE_EVENT_PRINT_FAILED: print_answer(r, de); break;
	case DEVICE_EVENT_NOTICE:
		wf_log_fields(r->log, WF_LOG_INFO, &dev, "device %s: %s", de->device, de->reason);
		break;
	case DEVICE_EVENT_SCALE_ANSWER: scale_answer(r, &de->u.answer); break;
	}
}
