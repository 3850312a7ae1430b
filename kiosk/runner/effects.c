/*
 * effects.c — carrying out the session's effects, one at a time, in the
 * order the session returned them (pump.h). An effect's answer is posted
 * back as an event; an effect never steps the session and never waits
 * (printing is asynchronous: printing.c).
 *
 * The rule kept here: a receipt is signed inside the drop's transaction
 * (ledger_append's callback), so it exists only for a drop the journal
 * holds, and it is shown or printed only after the COMMIT returned.
 */
#include "runner_private.h"

#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "receipt.h"
#include "record.h"
#include "wf.h"

struct receipt_ctx {
	struct runner *r;
	char url[RECEIPT_URL_MAX + 1];
};

/* Inside the drop's transaction: sign the receipt for the final record. */
static int make_receipt(void *ctx, const struct wf_record *rec, const uint8_t hash[WF_HASH_BYTES],
                        char *token, size_t cap)
{
	(void)hash;
	struct receipt_ctx *c = ctx;
	struct runner *r = c->r;
	const struct wf_record_drop *d = &rec->drop;
	if (!r->has_sign_key || rec->kiosk > RECEIPT_KIOSK_MAX || rec->seq > UINT32_MAX ||
	    d->qty > UINT32_MAX || d->points > UINT32_MAX)
		return WF_EINVAL;
	struct receipt rc = {
	    .version = RECEIPT_FORMAT_V1,
	    .flags = (uint8_t)((d->flags & WF_DROP_ANONYMOUS ? RECEIPT_FLAG_ANONYMOUS : 0) |
	                       (d->flags & WF_DROP_CAPPED ? RECEIPT_FLAG_CAPPED : 0) |
	                       (d->unit == WF_UNIT_PIECE ? RECEIPT_FLAG_PIECES : 0)),
	    .key_id = r->cfg.key_id,
	    .kiosk = rec->kiosk,
	    .seq = (uint32_t)rec->seq,
	    .time_min = (uint32_t)(rec->time_ms / 60000),
	    .category = d->category_id,
	    .qty = (uint32_t)d->qty,
	    .points = (uint32_t)d->points,
	};
	char tok[RECEIPT_TOKEN_LEN + 1];
	if (receipt_make_token(&rc, r->sign_key, tok, sizeof tok) < 0)
		return WF_ECRYPTO;
	if (receipt_format_url(r->cfg.receipt_base_url, tok, c->url, sizeof c->url) < 0)
		return WF_EINVAL;
	if (strlen(c->url) >= cap)
		return WF_EINVAL;
	snprintf(token, cap, "%s", c->url);
	return WF_OK;
}

static void fx_drop(struct runner *r, const struct session_drop *d)
{
	struct wf_record rec;
	memset(&rec, 0, sizeof rec);
	rec.kind = WF_RECORD_DROP;
	rec.time_ms = runner_utc_at(r, d->at_ms);
	rec.drop.category_id = d->category_id;
	rec.drop.unit = (uint8_t)d->unit;
	rec.drop.flags =
	    (uint8_t)((d->anonymous ? WF_DROP_ANONYMOUS : 0) | (d->capped ? WF_DROP_CAPPED : 0));
	rec.drop.qty = d->qty;
	rec.drop.credited_qty = d->credited_qty;
	rec.drop.points = d->points;
	rec.drop.rate_version = d->rate_version;
	rec.drop.resident_id = d->resident_id;
	memcpy(rec.drop.card_hash, d->card_hash, sizeof rec.drop.card_hash);
	rec.drop.local_day = wf_local_day(rec.time_ms);

	struct receipt_ctx ctx = {.r = r};
	struct ledger_appended out;
	int rc = ledger_append(r->ledger, &rec, make_receipt, &ctx, &out);
	r->journal_write_failed = rc != WF_OK; /* watch.c */
	if (rc != WF_OK) {
		runner_logf(r, "journal: drop NOT recorded: %s (%s)", ledger_errmsg(r->ledger),
		            wf_strerror(rc));
		runner_post_simple(r, SESSION_EV_COMMIT_FAILED);
		return;
	}
	r->drops++;
	if (r->sync)
		sync_kick(r->sync);
	kmetrics_count_drop(&r->counts, d->category_id, d->unit == WF_UNIT_GRAM ? d->qty : 0,
	                    d->points);
	wf_log_fields(r->log, WF_LOG_INFO, &(struct wf_log_ctx){.seq = out.seq},
	              "journal: recorded seq %llu: drop category %u qty %lld points %lld",
	              (unsigned long long)out.seq, d->category_id, (long long)d->qty,
	              (long long)d->points);
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = SESSION_EV_COMMITTED;
	ev.u.committed.seq = out.seq;
	snprintf(ev.u.committed.token, sizeof ev.u.committed.token, "%s", out.token);
	runner_post(r, &ev);
}

static void record_simple(struct runner *r, struct wf_record *rec, const char *what)
{
	rec->time_ms = runner_utc_at(r, runner_now(r));
	struct ledger_appended out;
	int rc = ledger_append(r->ledger, rec, NULL, NULL, &out);
	r->journal_write_failed = rc != WF_OK; /* watch.c */
	if (rc != WF_OK) {
		runner_logf(r, "journal: %s NOT recorded: %s", what, ledger_errmsg(r->ledger));
		runner_post_device(r, SESSION_DEV_LEDGER, false);
		return;
	}
	runner_logf(r, "journal: recorded seq %llu: %s", (unsigned long long)out.seq, what);
	if (r->sync)
		sync_kick(r->sync);
}

static void fx_staff(struct runner *r, const struct session_effect *fx)
{
	struct wf_record rec;
	memset(&rec, 0, sizeof rec);
	rec.kind = WF_RECORD_STAFF;
	rec.staff.staff_id = fx->u.staff.staff_id;
	rec.staff.action = (uint16_t)fx->u.staff.action; /* same codes as wf_staff_action */
	rec.staff.value = fx->u.staff.value;
	if (fx->u.staff.action == SESSION_STAFF_TEST_WEIGHT)
		snprintf(rec.staff.text, sizeof rec.staff.text, "%s",
		         fx->u.staff.test_ok ? "ok" : "out of tolerance");
	if (fx->u.staff.action == SESSION_STAFF_PIN_FAILED ||
	    fx->u.staff.action == SESSION_STAFF_LOCKOUT)
		ledger_staff_set_pin_failures(r->ledger, fx->u.staff.staff_id,
		                              (uint32_t)fx->u.staff.value);
	else if (fx->u.staff.action == SESSION_STAFF_LOGIN)
		ledger_staff_set_pin_failures(r->ledger, fx->u.staff.staff_id, 0);
	char what[64];
	snprintf(what, sizeof what, "staff action %d", fx->u.staff.action);
	record_simple(r, &rec, what);
}

static void fx_bin(struct runner *r, const struct session_effect *fx)
{
	struct wf_record rec;
	memset(&rec, 0, sizeof rec);
	rec.kind = WF_RECORD_BIN;
	rec.bin.category_id = fx->u.bin.category_id;
	rec.bin.grams = fx->u.bin.grams;
	rec.bin.staff_id = fx->u.bin.staff_id;
	record_simple(r, &rec, "bin collection");
}

static void fx_pin(struct runner *r, const struct session_effect *fx)
{
	/* The PIN hash was cached when the staff card was resolved. */
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = SESSION_EV_PIN_RESULT;
	if (fx->u.pin.staff_id == r->staff_id && r->staff_pin_hash[0])
		ev.u.pin_ok = crypto_pwhash_str_verify(r->staff_pin_hash, fx->u.pin.digits,
		                                       strlen(fx->u.pin.digits)) == 0;
	runner_logf(r, "staff %llu: PIN %s", (unsigned long long)fx->u.pin.staff_id,
	            ev.u.pin_ok ? "accepted" : "refused");
	runner_post(r, &ev);
}

static void fx_scale(struct runner *r, enum session_effect_kind kind)
{
	runner_logf(r, "scale: %s", session_effect_name(kind));
	if (!r->scale)
		return;
	int rc = device_scale_command(r->scale, kind == SESSION_FX_SCALE_ZERO ? DEVICE_SCALE_ZERO
	                                                                      : DEVICE_SCALE_TARE);
	if (rc == WF_EINVAL)
		runner_logf(r, "scale: protocol %s takes no such command: use the scale's own key",
		            config_device(&r->cfg, DEVICE_ROLE_SCALE)->protocol);
	else if (rc != WF_OK)
		runner_logf(r, "scale: command not sent: %s",
		            rc == WF_ESTATE ? "the scale is down" : wf_strerror(rc));
}

/* The session says only "good" or "refused"; the screen the step led to
 * tells a card read (a visit starts, the staff menu opens) from a drop
 * recorded (the receipt is shown), which get different tones. */
static void fx_beep(struct runner *r, enum session_effect_kind kind)
{
	if (kind == SESSION_FX_BEEP_ERROR) {
		beep_play(r, BEEP_REFUSED);
		return;
	}
	struct session_view v = session_view(r->session);
	beep_play(r, v.screen == SESSION_SCREEN_RECEIPT ? BEEP_RECORDED : BEEP_CARD_READ);
}

void effect_apply(struct runner *r, const struct session_effect *fx)
{
	switch (fx->kind) {
	case SESSION_FX_RECORD_DROP: fx_drop(r, &fx->u.drop); break;
	case SESSION_FX_VERIFY_PIN: fx_pin(r, fx); break;
	case SESSION_FX_PRINT_RECEIPT: print_receipt(r, &fx->u.receipt); break;
	case SESSION_FX_SCALE_ZERO:
	case SESSION_FX_SCALE_TARE: fx_scale(r, fx->kind); break;
	case SESSION_FX_RECORD_BIN: fx_bin(r, fx); break;
	case SESSION_FX_RECORD_STAFF: fx_staff(r, fx); break;
	case SESSION_FX_BEEP_OK:
	case SESSION_FX_BEEP_ERROR: fx_beep(r, fx->kind); break;
	}
}
