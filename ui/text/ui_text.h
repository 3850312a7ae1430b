/*
 * ui_text.h — the words of the kiosk's screens in the visit's language: the
 * pure half of the touch-screen UI's wording (no SDL, no I/O). Every string
 * goes through gettext (i18n.h: wf_tr, wf_ntr).
 *
 * For: ui_layout.c, which places these words, and the tests. Weights are
 * kilograms with three decimals ("1.250 kg"), pieces a count, rates points
 * per kilogram or per piece ("0.8 分/公斤", "2 pts/piece").
 */
#ifndef WUFEI_UI_TEXT_H
#define WUFEI_UI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "session.h"
#include "wf.h"

#define UI_LINE_MAX 128 /* bytes of one line incl. NUL (UTF-8) */

/* A control's label and the tap it sends to the session. */
struct ui_button {
	char label[UI_LINE_MAX / 2];
	enum session_control control;
	uint16_t category_id; /* SESSION_TAP_CATEGORY */
	int digit;            /* SESSION_TAP_DIGIT */
};

/* The kiosk's health, shown to staff on the staff menu. */
struct ui_health {
	bool sync;          /* a central is configured */
	int64_t since_ok_s; /* seconds since the last successful sync; -1 never */
	int64_t queue;      /* records central has not acknowledged; -1 not known yet */
	int64_t conflicts;  /* records central holds with other bytes; -1 not known yet */
	bool sync_failing;  /* the last sync round failed */
	bool sync_refused;  /* central refused for good: retrying will not help, call the office */
	struct {
		bool configured, up;
	} dev[3]; /* scale, card reader, printer */
};

/* ui_health_lines — the health in two lines: sync, then the devices. */
void ui_health_lines(const struct ui_health *h, enum wf_lang lang, char sync[UI_LINE_MAX],
                     char devices[UI_LINE_MAX]);

/* ui_format_qty — "1.250 kg" for grams, "4 件" / "4 pieces" for pieces. */
void ui_format_qty(int64_t qty, enum wf_unit unit, enum wf_lang lang, char *out, size_t cap);

/* ui_format_kg — grams as kilograms with three decimals, no unit ("1.250"). */
void ui_format_kg(int64_t grams, char *out, size_t cap);

/* ui_format_rate — a category's rate: "0.8 分/公斤", "2 pts/piece". */
void ui_format_rate(const struct wf_category *c, enum wf_lang lang, char *out, size_t cap);

/* ui_format_points — "12 积分" / "12 points" (plural right). */
void ui_format_points(int64_t points, enum wf_lang lang, char *out, size_t cap);

/* ui_message_text — a session message in words ("" for none). */
const char *ui_message_text(enum session_message m, enum wf_lang lang);

/* ui_oos_text — why the kiosk is out of service, for a technician. */
const char *ui_oos_text(enum session_oos_reason r, enum wf_lang lang);

/* ui_scale_text — what the live weight is doing, in words ("Stable"). */
const char *ui_scale_text(enum session_scale s, enum wf_lang lang);

#endif
