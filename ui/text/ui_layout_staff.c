/* ui_layout_staff.c — the staff's screens (PIN pad, staff menu) and the
 * out-of-service screen; see ui_layout.h. Pure. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ui_layout_private.h"

void lay_screen_pin(struct lay *k)
{
	const struct session_view *v = k->v;
	bool check = v->screen == SESSION_SCREEN_PIN_CHECK;
	if (!check)
		lay_actions(k, wf_tr(k->lang, "Cancel"), SESSION_TAP_CANCEL, wf_tr(k->lang, "OK"),
		            SESSION_TAP_CONFIRM, v->pin_len >= 4);
	lay_banner(k);
	struct ui_rect l, r;
	lay_columns(k, &l, &r, 45);
	lay_title(k, &l,
	          check ? wf_tr(k->lang, "Checking…") : wf_tr(k->lang, "Staff: enter your PIN"));
	static const char dot[] = "● "; /* 4 bytes of UTF-8 */
	char dots[4 * SESSION_PIN_MAX + 1];
	size_t n = 0;
	for (unsigned i = 0; i < v->pin_len && i < SESSION_PIN_MAX; i++, n += 4)
		memcpy(dots + n, dot, 4);
	dots[n] = '\0';
	struct ui_rect d = lay_take(k, &l, lay_line_h(k, UI_FONT_TITLE) + lay_px(k, 20));
	lay_box(k, d, UI_C_SURFACE, UI_C_LINE, lay_px(k, 3), lay_px(k, 20));
	lay_text(k, d, UI_FONT_TITLE, UI_C_TEXT, UI_C_SURFACE, UI_ALIGN_CENTRE, "%s", dots);
	if (v->locked_ms > 0) {
		char t[UI_LINE_MAX];
		unsigned long s = (unsigned long)((v->locked_ms + 999) / 1000);
		snprintf(t, sizeof t, wf_ntr(k->lang, "Wait %lu second", "Wait %lu seconds", s), s);
		lay_para(k, &l, UI_FONT_BODY, UI_C_ERROR, 1, t);
	}
	if (check)
		return;
	struct ui_rect pad = k->land ? r : l;
	int kh = lay_px(k, 170), kw = lay_px(k, 280);
	if (pad.h > 4 * kh + 3 * k->gap)
		pad.h = 4 * kh + 3 * k->gap;
	if (pad.w > 3 * kw + 2 * k->gap)
		pad.x += (pad.w - 3 * kw - 2 * k->gap) / 2, pad.w = 3 * kw + 2 * k->gap;
	for (int i = 0; i < 11; i++) {
		static const char *const keys[] = {"1", "2", "3", "4", "5", "6",
		                                   "7", "8", "9", "",  "0"};
		struct ui_rect c = lay_cell(pad, 3, 4, k->gap, i);
		struct ui_ctl *b = i == 9 ? lay_ctl(k, c, SESSION_TAP_BACKSPACE, UI_STYLE_KEY,
		                                    wf_tr(k->lang, "Delete"))
		                          : lay_ctl(k, c, SESSION_TAP_DIGIT, UI_STYLE_KEY, keys[i]);
		b->b.digit = i == 10 ? 0 : i + 1;
		b->font = i == 9                                ? UI_FONT_BODY
		          : c.h >= lay_line_h(k, UI_FONT_TITLE) ? UI_FONT_TITLE
		                                                : UI_FONT_LARGE;
	}
}

/* The test weight's check: reading, expected, pass or fail in words. */
static void test_weight(struct lay *k, struct ui_rect *a)
{
	const struct session_view *v = k->v;
	if (!v->test_grams)
		return;
	char got[48], want[48], t[UI_LINE_MAX];
	ui_format_qty(v->test_grams, WF_UNIT_GRAM, k->lang, got, sizeof got);
	ui_format_qty(k->facts->test_weight_g, WF_UNIT_GRAM, k->lang, want, sizeof want);
	bool ok = v->message != SESSION_MSG_TEST_FAILED;
	snprintf(t, sizeof t, wf_tr(k->lang, "Test weight: read %s, expected %s: %s"), got, want,
	         ok ? wf_tr(k->lang, "PASS") : wf_tr(k->lang, "FAIL"));
	struct ui_rect r = lay_take(k, a, lay_line_h(k, UI_FONT_BODY) * 2);
	int ic = lay_line_h(k, UI_FONT_BODY);
	lay_icon(k, lay_rect(r.x, r.y + (r.h - ic) / 2, ic, ic), ok ? UI_ICON_CHECK : UI_ICON_ALERT,
	         ok ? UI_C_OK : UI_C_ERROR);
	lay_text(k, lay_rect(r.x + ic + k->gap / 2, r.y, r.w - ic - k->gap / 2, r.h), UI_FONT_BODY,
	         ok ? UI_C_OK_TEXT : UI_C_ERROR, UI_C_BG, UI_ALIGN_LEFT, "%s", t);
}

void lay_screen_staff(struct lay *k)
{
	const struct session_view *v = k->v;
	lay_actions(k, wf_tr(k->lang, "Exit"), SESSION_TAP_STAFF_EXIT, NULL, 0, false);
	struct ui_rect l, r;
	lay_columns(k, &l, &r, 50);
	char t[UI_LINE_MAX];
	snprintf(t, sizeof t, wf_tr(k->lang, "Staff menu · %s"),
	         v->name[0] ? v->name : wf_tr(k->lang, "staff"));
	lay_title(k, &l, t);
	if (k->in->health) {
		char sync[UI_LINE_MAX], devs[UI_LINE_MAX];
		ui_health_lines(k->in->health, k->lang, sync, devs);
		lay_para(k, &l, UI_FONT_SMALL, UI_C_TEXT, 2, sync);
		lay_para(k, &l, UI_FONT_SMALL, UI_C_TEXT, 1, devs);
	}
	char w[48] = "– – –";
	if (v->live_has_weight)
		ui_format_qty(v->live_grams, WF_UNIT_GRAM, k->lang, w, sizeof w);
	snprintf(t, sizeof t, wf_tr(k->lang, "Scale: %s · %s"), w, ui_scale_text(v->live, k->lang));
	lay_para(k, &l, UI_FONT_BODY, UI_C_TEXT, 1, t);
	test_weight(k, &l);
	if (v->message != SESSION_MSG_TEST_OK && v->message != SESSION_MSG_TEST_FAILED)
		lay_para(k, &l, UI_FONT_BODY, UI_C_ERROR, 1, ui_message_text(v->message, k->lang));
	static const struct {
		const char *label;
		enum session_control c;
		enum ui_style style;
	} items[] = {
	    {N_("Zero"), SESSION_TAP_STAFF_ZERO, UI_STYLE_SECONDARY},
	    {N_("Tare"), SESSION_TAP_STAFF_TARE, UI_STYLE_SECONDARY},
	    {N_("Test weight"), SESSION_TAP_STAFF_TEST_WEIGHT, UI_STYLE_SECONDARY},
	    {N_("Bin collection"), SESSION_TAP_STAFF_BIN, UI_STYLE_SECONDARY},
	    {N_("Reprint"), SESSION_TAP_STAFF_REPRINT, UI_STYLE_SECONDARY},
	    /* one of the two: what staff can change the kiosk to */
	    {N_("Back in service"), SESSION_TAP_STAFF_OOS_OFF, UI_STYLE_PRIMARY},
	    {N_("Out of service"), SESSION_TAP_STAFF_OOS_ON, UI_STYLE_DANGER},
	};
	int n = (int)(sizeof items / sizeof items[0]) - 1, cols = 2, rows = (n + cols - 1) / cols;
	struct ui_rect g = k->land ? r : l;
	int cap = lay_px(k, 150);
	if (g.h > rows * cap + (rows - 1) * k->gap)
		g.y += g.h - (rows * cap + (rows - 1) * k->gap),
		    g.h = rows * cap + (rows - 1) * k->gap;
	unsigned first = k->L->nctl;
	for (int i = 0; i < n; i++) {
		int j = i < n - 1 ? i : v->staff_oos ? n - 1 : n;
		lay_ctl(k, lay_cell(g, cols, rows, k->gap, i), items[j].c, items[j].style,
		        wf_tr(k->lang, items[j].label));
	}
	lay_same_font(k, first);
}

/* The bin weight's keypad: 1-9, the point, 0, delete; in pad. */
static void keypad(struct lay *k, struct ui_rect pad)
{
	static const char *const keys[] = {"1", "2", "3", "4", "5", "6",
	                                   "7", "8", "9", ".", "0", ""};
	int kh = lay_px(k, 150), kw = lay_px(k, 260);
	if (pad.h > 4 * kh + 3 * k->gap)
		pad.h = 4 * kh + 3 * k->gap;
	if (pad.w > 3 * kw + 2 * k->gap)
		pad.x += (pad.w - 3 * kw - 2 * k->gap) / 2, pad.w = 3 * kw + 2 * k->gap;
	for (int i = 0; i < 12; i++) {
		struct ui_rect c = lay_cell(pad, 3, 4, k->gap, i);
		struct ui_ctl *b;
		if (i == 11)
			b = lay_ctl(k, c, SESSION_TAP_BACKSPACE, UI_STYLE_KEY,
			            wf_tr(k->lang, "Delete"));
		else if (i == 9)
			b = lay_ctl(k, c, SESSION_TAP_POINT, UI_STYLE_KEY, keys[i]);
		else
			b = lay_ctl(k, c, SESSION_TAP_DIGIT, UI_STYLE_KEY, keys[i]);
		b->b.digit = i == 10 ? 0 : i < 9 ? i + 1 : 0;
		b->enabled = i != 11 || k->v->keyed[0] != '\0';
		b->font = i == 11                               ? UI_FONT_BODY
		          : c.h >= lay_line_h(k, UI_FONT_TITLE) ? UI_FONT_TITLE
		                                                : UI_FONT_LARGE;
	}
}

/* A staff member weighs the collected bag on the scale, or keys its weight
 * in (a bin too big for the platform): what is keyed in is what counts. */
void lay_screen_bin_weigh(struct lay *k)
{
	const struct session_view *v = k->v;
	bool keyed = v->keyed[0] != '\0';
	bool can =
	    keyed ? v->keyed_grams > 0 : v->live == SESSION_SCALE_STABLE && v->live_grams > 0;
	lay_actions(k, wf_tr(k->lang, "Cancel"), SESSION_TAP_CANCEL, wf_tr(k->lang, "Confirm"),
	            SESSION_TAP_CONFIRM, can);
	lay_banner(k);
	struct ui_rect l, r;
	lay_columns(k, &l, &r, 50);
	/* portrait: one column; landscape: the scale left, the keypad right */
	if (!k->small)
		lay_title(k, &l, wf_tr(k->lang, "Weigh the collected bag"));
	lay_category_chip(k, k->land ? &r : &l);
	/* the scale's weight: staff need it read, not seen from afar */
	int wh = lay_line_h(k, UI_FONT_TITLE) + lay_px(k, 32);
	struct ui_rect w = lay_take(k, &l, wh);
	lay_live_weight_line(k, w);
	if (k->land)
		lay_hint(
		    k, &l,
		    keyed ? wf_tr(k->lang, "Confirm records the weight keyed in, not the scale's")
		          : wf_tr(k->lang, "Confirm when the weight is stable, or key the "
		                           "weight in when the bag does not fit the scale"));
	struct ui_rect *p = k->land ? &r : &l;
	/* what is keyed in: the number as typed, in kg */
	char t[UI_LINE_MAX];
	if (keyed)
		snprintf(t, sizeof t, wf_tr(k->lang, "Keyed in: %s kg"), v->keyed);
	else
		snprintf(t, sizeof t, "%s", wf_tr(k->lang, "Or key the weight in (kg):"));
	struct ui_rect d = lay_take(k, p, lay_line_h(k, UI_FONT_LARGE) + lay_px(k, 24));
	lay_box(k, d, UI_C_SURFACE, keyed ? UI_C_BRAND : UI_C_LINE, lay_px(k, 3), lay_px(k, 16));
	lay_text(k, d, UI_FONT_LARGE, UI_C_TEXT, UI_C_SURFACE, UI_ALIGN_CENTRE, "%s", t);
	keypad(k, *p);
}

void lay_screen_out_of_service(struct lay *k)
{
	const struct ui_facts *f = k->facts;
	struct ui_rect a = k->body;
	/* for a technician: why, and the devices and the sync when known */
	char sync[UI_LINE_MAX] = "", devs[UI_LINE_MAX] = "";
	if (k->in->health)
		ui_health_lines(k->in->health, k->lang, sync, devs);
	int lines = k->in->health ? 3 : 1;
	int tech = lay_line_h(k, UI_FONT_SMALL) * lines + lay_px(k, 40);
	struct ui_rect t = lay_rect(a.x, a.y + a.h - tech, a.w, tech);
	a.h -= tech + k->gap;
	lay_hero_split(k, &a, UI_ICON_WRENCH, UI_C_ERROR);
	lay_title(k, &a, wf_tr(k->lang, "Out of service"));
	lay_para(k, &a, UI_FONT_LARGE, UI_C_TEXT, 2,
	         wf_tr(k->lang, "Sorry, this kiosk cannot take recyclables right now"));
	char s[UI_LINE_MAX + 64];
	if (f->help_nearest[0]) {
		snprintf(s, sizeof s, wf_tr(k->lang, "Please use %s"), f->help_nearest);
		lay_para(k, &a, UI_FONT_LARGE, UI_C_TEXT, 2, s);
	} else {
		lay_para(k, &a, UI_FONT_LARGE, UI_C_TEXT, 1,
		         wf_tr(k->lang, "Please come back later"));
	}
	if (f->help_phone[0]) {
		snprintf(s, sizeof s, wf_tr(k->lang, "Questions? Call %s"), f->help_phone);
		lay_para(k, &a, UI_FONT_LARGE, UI_C_BRAND, 1, s);
	}
	lay_box(k, t, UI_C_SURFACE, UI_C_LINE, lay_px(k, 2), lay_px(k, 16));
	snprintf(s, sizeof s, wf_tr(k->lang, "For the technician: %s"),
	         ui_oos_text(k->v->oos, k->lang));
	int lh = lay_line_h(k, UI_FONT_SMALL);
	struct ui_rect in =
	    lay_rect(t.x + lay_px(k, 20), t.y + lay_px(k, 20), t.w - lay_px(k, 40), lh);
	const char *const rows[] = {s, devs, sync};
	for (int i = 0; i < lines; i++, in.y += lh)
		lay_text(k, in, UI_FONT_SMALL, UI_C_TEXT, UI_C_SURFACE, UI_ALIGN_LEFT, "%s",
		         rows[i]);
}
