/*
 * ui_text.h — what each kiosk screen says, in Chinese or English: the pure
 * half of the touch-screen UI (no SDL, no I/O). ui.h draws it.
 *
 * For: turning a session_view (session.h) and the category list into
 * a title, body lines, a message, button labels and, on the receipt screen,
 * the receipt URL for the QR code. Weights are shown as kilograms with three
 * decimals ("1.250 kg"), pieces as a count.
 */
#ifndef WUFEI_UI_TEXT_H
#define WUFEI_UI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "session.h"

#define UI_LINE_MAX    128 /* bytes of one line incl. NUL (UTF-8) */
#define UI_LINES_MAX   6
#define UI_BUTTONS_MAX 14

/* A button: its label and the tap it sends to the session. */
struct ui_button {
	char label[UI_LINE_MAX / 2];
	enum session_control control;
	uint16_t category_id; /* SESSION_TAP_CATEGORY */
	int digit;            /* SESSION_TAP_DIGIT */
};

struct ui_text {
	char title[UI_LINE_MAX];
	char lines[UI_LINES_MAX][UI_LINE_MAX];
	unsigned nlines;
	char message[UI_LINE_MAX]; /* "" when none */
	bool message_is_error;     /* drawn in the warning colour */
	struct ui_button buttons[UI_BUTTONS_MAX];
	unsigned nbuttons;
	char qr[SESSION_TOKEN_MAX]; /* receipt URL to draw as a QR code; "" when none */
};

/* The kiosk's health, shown to staff on the staff menu. */
struct ui_health {
	bool sync;          /* a central is configured */
	int64_t since_ok_s; /* seconds since the last successful sync; -1 never */
	int64_t queue;      /* records central has not acknowledged */
	int64_t conflicts;  /* records central holds with other bytes */
	bool sync_failing;  /* the last sync round failed */
	struct {
		bool configured, up;
	} dev[3]; /* scale, card reader, printer */
};

/* ui_health_lines — appends the health lines (sync; devices) to t. */
void ui_health_lines(const struct ui_health *h, bool zh, struct ui_text *t);

/* ui_text_make — fills *out for view v; zh chooses Chinese (else English). */
void ui_text_make(const struct session_view *v, const struct wf_category *cats, unsigned ncats,
                  bool zh, struct ui_text *out);

/*
 * ui_button_rect — where button i of n lies on a w x h screen: out = {x, y,
 * width, height}. Two columns, three when there are more than eight (the PIN
 * pad), at the bottom of the screen. Pure; ui.c draws by it and tests click
 * by it.
 */
void ui_button_rect(int w, int h, unsigned n, unsigned i, int out[4]);

/* ui_format_qty — "1.250 kg" for grams, "4 件" / "4 pcs" for pieces. */
void ui_format_qty(int64_t qty, enum wf_unit unit, bool zh, char *out, size_t cap);

#endif
