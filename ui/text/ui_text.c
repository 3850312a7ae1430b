/* ui_text.c — the words of the screens; see ui_text.h. Pure. */
#include "ui_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"

void ui_format_kg(int64_t grams, char *out, size_t cap)
{
	int64_t a = grams < 0 ? -grams : grams;
	snprintf(out, cap, "%s%" PRId64 ".%03" PRId64, grams < 0 ? "-" : "", a / 1000, a % 1000);
}

void ui_format_qty(int64_t qty, enum wf_unit unit, enum wf_lang lang, char *out, size_t cap)
{
	if (unit == WF_UNIT_PIECE) {
		unsigned long n = qty < 0 ? 0 : (unsigned long)qty;
		snprintf(out, cap, wf_ntr(lang, "%lu piece", "%lu pieces", n), n);
		return;
	}
	char kg[32];
	ui_format_kg(qty, kg, sizeof kg);
	snprintf(out, cap, "%s kg", kg);
}

/* thousandths as a short decimal: 800 -> "0.8", 1250 -> "1.25", 2000 -> "2" */
static void milli(int64_t v, char *out, size_t cap)
{
	char frac[8];
	snprintf(frac, sizeof frac, "%03" PRId64, v % 1000);
	for (int i = 2; i >= 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	snprintf(out, cap, "%" PRId64 "%s%s", v / 1000, frac[0] ? "." : "", frac);
}

void ui_format_rate(const struct wf_category *c, enum wf_lang lang, char *out, size_t cap)
{
	char n[32];
	if (c->unit == WF_UNIT_PIECE) {
		snprintf(n, sizeof n, "%" PRId64, c->rate);
		/* the measure word for batteries is 节 */
		snprintf(out, cap,
		         strcmp(c->code, "batteries") == 0 ? wf_tr(lang, "%s pts/battery")
		                                           : wf_tr(lang, "%s pts/piece"),
		         n);
		return;
	}
	milli(c->rate, n, sizeof n); /* points per tonne = thousandths of a point per kg */
	snprintf(out, cap, wf_tr(lang, "%s pts/kg"), n);
}

void ui_format_points(int64_t points, enum wf_lang lang, char *out, size_t cap)
{
	unsigned long n = points < 0 ? 0 : (unsigned long)points;
	snprintf(out, cap, wf_ntr(lang, "%lu point", "%lu points", n), n);
}

const char *ui_message_text(enum session_message m, enum wf_lang lang)
{
	switch (m) {
	case SESSION_MSG_NONE: return "";
	case SESSION_MSG_BLOCKED: return wf_tr(lang, "This card is blocked");
	case SESSION_MSG_UNKNOWN_CARD: return wf_tr(lang, "This card is not registered");
	case SESSION_MSG_TOO_LIGHT: return wf_tr(lang, "Too light: add some more");
	case SESSION_MSG_TOO_HEAVY: return wf_tr(lang, "Too heavy: drop it in parts");
	case SESSION_MSG_OVERLOAD: return wf_tr(lang, "Too heavy for the scale: take some off");
	case SESSION_MSG_CLEAR_PLATFORM: return wf_tr(lang, "Clear the scale first");
	case SESSION_MSG_LIMIT_REACHED:
		return wf_tr(lang, "Daily limit reached: recorded, points capped");
	case SESSION_MSG_PRINTER_FAILED:
		return wf_tr(lang, "Printer failed: keep the QR code on screen");
	case SESSION_MSG_PIN_WRONG: return wf_tr(lang, "Wrong PIN");
	case SESSION_MSG_LOCKED_OUT: return wf_tr(lang, "Too many tries: please wait");
	case SESSION_MSG_CANCELLED_DEVICE:
		return wf_tr(lang, "A device was lost: nothing recorded");
	case SESSION_MSG_TEST_OK: return wf_tr(lang, "Test weight OK");
	case SESSION_MSG_TEST_FAILED: return wf_tr(lang, "Test weight out of tolerance");
	}
	return "";
}

const char *ui_oos_text(enum session_oos_reason r, enum wf_lang lang)
{
	switch (r) {
	case SESSION_OOS_STAFF: return wf_tr(lang, "Closed by staff");
	case SESSION_OOS_SCALE: return wf_tr(lang, "The scale is not connected");
	case SESSION_OOS_CARD_READER: return wf_tr(lang, "The card reader is not connected");
	case SESSION_OOS_LEDGER: return wf_tr(lang, "The journal cannot record");
	case SESSION_OOS_NONE: break;
	}
	return "";
}

const char *ui_scale_text(enum session_scale s, enum wf_lang lang)
{
	switch (s) {
	case SESSION_SCALE_NONE: return wf_tr(lang, "Waiting for the scale");
	case SESSION_SCALE_SETTLING: return wf_tr(lang, "Settling: hold still");
	case SESSION_SCALE_STABLE: return wf_tr(lang, "Stable");
	case SESSION_SCALE_MOVING: return wf_tr(lang, "Moving: please wait");
	case SESSION_SCALE_OVERLOAD: return wf_tr(lang, "Over capacity");
	case SESSION_SCALE_UNDERLOAD: return wf_tr(lang, "Below zero: please call staff");
	}
	return "";
}

void ui_health_lines(const struct ui_health *h, enum wf_lang lang, char sync[UI_LINE_MAX],
                     char devices[UI_LINE_MAX])
{
	char ago[48];
	if (h->since_ok_s < 0)
		snprintf(ago, sizeof ago, "%s", wf_tr(lang, "never"));
	else
		snprintf(ago, sizeof ago, wf_tr(lang, "%lld s ago"), (long long)h->since_ok_s);
	/* a count not known yet (the journal not read) is a dash, not -1 */
	char queue[24] = "–", conflicts[24] = "–";
	if (h->queue >= 0)
		snprintf(queue, sizeof queue, "%lld", (long long)h->queue);
	if (h->conflicts >= 0)
		snprintf(conflicts, sizeof conflicts, "%lld", (long long)h->conflicts);
	if (!h->sync)
		snprintf(sync, UI_LINE_MAX, wf_tr(lang, "No central · queue %s"), queue);
	else
		snprintf(sync, UI_LINE_MAX, wf_tr(lang, "Sync: %s · queue %s · conflicts %s%s"),
		         ago, queue, conflicts,
		         h->sync_refused   ? wf_tr(lang, " · refused: call the office")
		         : h->sync_failing ? wf_tr(lang, " · retrying")
		                           : "");
	static const char *const names[] = {N_("Scale"), N_("Card reader"), N_("Printer")};
	size_t n = 0;
	devices[0] = '\0';
	for (int i = 0; i < 3; i++) {
		const char *state = !h->dev[i].configured ? wf_tr(lang, "none")
		                    : h->dev[i].up        ? wf_tr(lang, "up")
		                                          : wf_tr(lang, "DOWN");
		int k = snprintf(devices + n, UI_LINE_MAX - n, "%s%s %s", i ? " · " : "",
		                 wf_tr(lang, names[i]), state);
		if (k > 0 && (size_t)k < UI_LINE_MAX - n)
			n += (size_t)k;
	}
}
