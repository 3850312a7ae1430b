/* ui_layout_screens.c — one layout per screen; see ui_layout.h. Pure. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ui_layout_private.h"

static void totals_panel(struct lay *k, struct ui_rect r)
{
	const struct ui_facts *f = k->facts;
	lay_box(k, r, UI_C_BRAND_SOFT, UI_C_BRAND_SOFT, 0, lay_px(k, 28));
	int pad = lay_px(k, 24);
	struct ui_rect in = lay_rect(r.x + pad, r.y + pad, r.w - 2 * pad, r.h - 2 * pad);
	lay_text(k, lay_take(k, &in, lay_line_h(k, UI_FONT_BODY)), UI_FONT_BODY, UI_C_TEXT,
	         UI_C_BRAND_SOFT, UI_ALIGN_CENTRE, "%s", wf_tr(k->lang, "Recycled here today"));
	char kg[32], drops[64];
	ui_format_kg(f->today_grams, kg, sizeof kg);
	unsigned long n = f->today_drops < 0 ? 0 : (unsigned long)f->today_drops;
	snprintf(drops, sizeof drops, wf_ntr(k->lang, "%lu drop", "%lu drops", n), n);
	/* side by side in portrait; one above the other in landscape's column */
	int rows = k->land ? 2 : 1;
	struct ui_rect row =
	    lay_take(k, &in, lay_line_h(k, UI_FONT_TITLE) * rows + k->gap * (rows - 1));
	struct ui_rect a = lay_cell(row, 3 - rows, rows, k->gap, 0);
	struct ui_rect b = lay_cell(row, 3 - rows, rows, k->gap, 1);
	lay_text(k, a, UI_FONT_TITLE, UI_C_OK_TEXT, UI_C_BRAND_SOFT, UI_ALIGN_CENTRE, "%s kg", kg);
	lay_text(k, b, UI_FONT_TITLE, UI_C_OK_TEXT, UI_C_BRAND_SOFT, UI_ALIGN_CENTRE, "%s", drops);
}

/* How a visit goes, in three cards: icon and words. */
static void steps(struct lay *k, struct ui_rect r)
{
	static const struct {
		enum ui_icon icon;
		const char *text;
	} st[] = {
	    {UI_ICON_CARD, N_("1. Tap your card")},
	    {UI_ICON_OTHER, N_("2. Pick a category")},
	    {UI_ICON_SCALE, N_("3. Put it on the scale")},
	};
	for (int i = 0; i < 3; i++) {
		struct ui_rect c = lay_cell(r, 3, 1, k->gap, i);
		lay_box(k, c, UI_C_SURFACE, UI_C_LINE, lay_px(k, 2), lay_px(k, 20));
		int pad = lay_px(k, 16), th = 2 * lay_line_h(k, UI_FONT_SMALL);
		int ic = c.h - th - 3 * pad;
		lay_icon(k, lay_rect(c.x + pad, c.y + pad, c.w - 2 * pad, ic), st[i].icon,
		         UI_C_BRAND);
		lay_text(k, lay_rect(c.x + pad, c.y + c.h - th - pad, c.w - 2 * pad, th),
		         UI_FONT_SMALL, UI_C_TEXT, UI_C_SURFACE, UI_ALIGN_CENTRE, "%s",
		         wf_tr(k->lang, st[i].text));
	}
}

static void screen_attract(struct lay *k)
{
	bool anon = k->v->allow_anonymous;
	if (anon)
		lay_actions(k, NULL, 0, wf_tr(k->lang, "Start without a card"),
		            SESSION_TAP_ANONYMOUS, true);
	lay_banner(k);
	struct ui_rect l, r;
	lay_columns(k, &l, &r, 55);
	int rows = k->land ? 2 : 1;
	int th = lay_line_h(k, UI_FONT_BODY) + lay_line_h(k, UI_FONT_TITLE) * rows + lay_px(k, 48) +
	         k->gap * rows;
	int sh = lay_px(k, k->land ? 300 : 340);
	struct ui_rect tot, stp;
	if (!k->land) { /* one column: the steps and today's totals at the bottom */
		tot = lay_rect(l.x, l.y + l.h - th, l.w, th);
		stp = lay_rect(l.x, tot.y - k->gap - sh, l.w, sh);
		l.h = stp.y - k->gap - l.y;
	} else {
		tot = lay_take(k, &r, th);
		stp = lay_take(k, &r, sh < r.h ? sh : r.h);
	}
	lay_title(k, &l, wf_tr(k->lang, "Tap your card to start"));
	lay_para(k, &l, UI_FONT_BODY, UI_C_MUTED, 2,
	         anon ? wf_tr(k->lang,
	                      "Hold your resident card on the reader below the screen, or start "
	                      "without a card")
	              : wf_tr(k->lang, "Hold your resident card on the reader below the screen"));
	lay_hero(k, &l, l.h, UI_ICON_CARD, UI_C_BRAND);
	steps(k, stp);
	if (k->facts->has_today)
		totals_panel(k, tot);
}

static void screen_refused(struct lay *k)
{
	lay_actions(k, NULL, 0, wf_tr(k->lang, "Done"), SESSION_TAP_DONE, true);
	struct ui_rect a = k->body;
	unsigned e0 = k->L->nel, c0 = k->L->nctl;
	lay_hero_split(k, &a, UI_ICON_ALERT, UI_C_ERROR);
	lay_title(k, &a, wf_tr(k->lang, "This card cannot be used"));
	if (k->v->reason[0])
		lay_para(k, &a, UI_FONT_BODY, UI_C_TEXT, 2, k->v->reason);
	lay_para(k, &a, UI_FONT_BODY, UI_C_MUTED, 2,
	         wf_tr(k->lang, "Please ask the property office or the recycling staff for help"));
	if (!k->land)
		lay_shift(k, e0, c0, a.h / 2);
}

static void screen_unknown(struct lay *k)
{
	lay_actions(k, wf_tr(k->lang, "Cancel"), SESSION_TAP_CANCEL,
	            wf_tr(k->lang, "Drop anonymously"), SESSION_TAP_ANONYMOUS, true);
	lay_banner(k);
	struct ui_rect a = k->body;
	unsigned e0 = k->L->nel, c0 = k->L->nctl;
	lay_hero_split(k, &a, UI_ICON_CARD, UI_C_MUTED);
	lay_title(k, &a, wf_tr(k->lang, "Card not registered"));
	lay_para(
	    k, &a, UI_FONT_BODY, UI_C_TEXT, 3,
	    wf_tr(k->lang,
	          "You can still drop anonymously: the points are printed on the receipt, to claim "
	          "later"));
	if (!k->land)
		lay_shift(k, e0, c0, a.h / 2);
}

/* Who is visiting and what they have: "Hello, 王*" and the balance. */
static void visitor(struct lay *k, struct ui_rect *area)
{
	const struct session_view *v = k->v;
	char who[UI_LINE_MAX], pts[64] = "";
	if (v->anonymous || !v->name[0])
		snprintf(who, sizeof who, "%s", wf_tr(k->lang, "Anonymous drop"));
	else
		snprintf(who, sizeof who, wf_tr(k->lang, "Hello, %s"), v->name);
	if (v->has_balance) {
		char b[48];
		ui_format_points(v->balance, k->lang, b, sizeof b);
		snprintf(pts, sizeof pts, wf_tr(k->lang, "Balance: %s"), b);
	}
	struct ui_rect r = lay_take(k, area, lay_line_h(k, UI_FONT_BODY));
	if (k->land) { /* a narrow column: one under the other */
		lay_text(k, r, UI_FONT_BODY, UI_C_TEXT, UI_C_BG, UI_ALIGN_CENTRE, "%s", who);
		if (pts[0])
			lay_para(k, area, UI_FONT_BODY, UI_C_OK_TEXT, 1, pts);
		return;
	}
	lay_text(k, r, UI_FONT_BODY, UI_C_TEXT, UI_C_BG, pts[0] ? UI_ALIGN_LEFT : UI_ALIGN_CENTRE,
	         "%s", who);
	if (pts[0])
		lay_text(k, r, UI_FONT_BODY, UI_C_OK_TEXT, UI_C_BG, UI_ALIGN_RIGHT, "%s", pts);
}

static void screen_category(struct lay *k)
{
	bool staff = k->v->screen == SESSION_SCREEN_STAFF_BIN_CATEGORY;
	if (staff)
		lay_actions(k, wf_tr(k->lang, "Cancel"), SESSION_TAP_CANCEL, NULL, 0, false);
	else
		lay_actions(k, wf_tr(k->lang, "Finish"), SESSION_TAP_DONE, NULL, 0, false);
	lay_banner(k);
	/* landscape: who and what on the left, the tiles on the right */
	struct ui_rect a = k->body, tiles = k->body;
	if (!k->small)
		lay_columns(k, &a, &tiles, 30);
	const char *t0 = staff ? wf_tr(k->lang, "Which bin is collected?")
	                       : wf_tr(k->lang, "What are you recycling?");
	if (k->small) { /* one row: the task left, who right */
		struct ui_rect r = lay_take(k, &a, lay_line_h(k, UI_FONT_TITLE));
		lay_text(k, r, UI_FONT_TITLE, UI_C_TEXT, UI_C_BG, UI_ALIGN_LEFT, "%s", t0);
		if (!staff)
			lay_text(k, r, UI_FONT_BODY, UI_C_MUTED, UI_C_BG, UI_ALIGN_RIGHT, "%s",
			         k->v->anonymous || !k->v->name[0]
			             ? wf_tr(k->lang, "Anonymous drop")
			             : k->v->name);
		lay_tiles(k, a);
		return;
	}
	lay_title(k, &a, t0);
	if (!staff)
		visitor(k, &a);
	if (!staff && k->v->session_points) {
		char p[48], t[UI_LINE_MAX];
		ui_format_points(k->v->session_points, k->lang, p, sizeof p);
		snprintf(t, sizeof t, wf_tr(k->lang, "This visit: +%s"), p);
		lay_para(k, &a, UI_FONT_BODY, UI_C_OK_TEXT, 1, t);
	}
	lay_tiles(k, k->land && !k->small ? tiles : a);
}

/* The selected category: icon, name and rate, on one line. */
void lay_category_chip(struct lay *k, struct ui_rect *area)
{
	if (!k->cat)
		return;
	int h = lay_line_h(k, UI_FONT_LARGE);
	struct ui_rect r = lay_take(k, area, h);
	lay_icon(k, lay_rect(r.x, r.y, h, h), ui_category_icon(k->cat->code), UI_C_BRAND);
	char rate[64];
	ui_format_rate(k->cat, k->lang, rate, sizeof rate);
	lay_text(k, lay_rect(r.x + h + k->gap / 2, r.y, r.w - h - k->gap / 2, h), UI_FONT_LARGE,
	         UI_C_TEXT, UI_C_BG, UI_ALIGN_LEFT, "%s", k->cat->name);
	lay_text(k, r, UI_FONT_BODY, UI_C_MUTED, UI_C_BG, UI_ALIGN_RIGHT, "%s", rate);
}

/* The category's minimum, maximum and daily limit. */
static void limits(struct lay *k, struct ui_rect *area)
{
	if (!k->cat)
		return;
	char lo[48], hi[48], t[UI_LINE_MAX];
	ui_format_qty(k->cat->min_qty, k->cat->unit, k->lang, lo, sizeof lo);
	ui_format_qty(k->cat->max_qty, k->cat->unit, k->lang, hi, sizeof hi);
	snprintf(t, sizeof t, wf_tr(k->lang, "Accepted: %s to %s"), lo, hi);
	if (k->cat->daily_limit_qty > 0) {
		char d[48];
		size_t n = strlen(t);
		ui_format_qty(k->cat->daily_limit_qty, k->cat->unit, k->lang, d, sizeof d);
		snprintf(t + n, sizeof t - n, wf_tr(k->lang, " · points for up to %s a day"), d);
	}
	lay_para(k, area, UI_FONT_BODY, UI_C_MUTED, 2, t);
}

static void screen_weigh(struct lay *k)
{
	/* the kiosk goes on by itself once the weight is stable: confirm is
	 * shown where it will be, not yet enabled */
	lay_actions(k, wf_tr(k->lang, "Cancel"), SESSION_TAP_CANCEL, wf_tr(k->lang, "Confirm"),
	            SESSION_TAP_CONFIRM, false);
	lay_banner(k);
	struct ui_rect l, r;
	lay_columns(k, &l, &r, 58);
	struct ui_rect *info = k->land ? &r : &l;
	lay_title(k, k->land ? &r : &l, wf_tr(k->lang, "Put it on the scale"));
	lay_category_chip(k, info);
	int wh = lay_line_h(k, UI_FONT_HUGE) + lay_line_h(k, UI_FONT_LARGE) + lay_px(k, 160);
	struct ui_rect w = k->land ? l : lay_take(k, &l, wh);
	if (k->land && w.h > wh)
		w.y += (w.h - wh) / 2, w.h = wh;
	lay_live_weight(k, w);
	limits(k, info);
	lay_hint(k, info, wf_tr(k->lang, "Wait until it says Stable: the kiosk goes on by itself"));
}

/* What will be credited: the points, and plainly when the daily limit or
 * the kiosk's anonymous daily cap cut them. */
static void credit(struct lay *k, struct ui_rect *area)
{
	const struct session_view *v = k->v;
	char p[48], t[UI_LINE_MAX];
	ui_format_points(v->points, k->lang, p, sizeof p);
	snprintf(t, sizeof t, wf_tr(k->lang, "You get %s"), p);
	char cut[UI_LINE_MAX] = "";
	if (v->capped) {
		int64_t full = 0;
		if (k->cat)
			wf_points(k->cat->unit, k->cat->rate, v->qty, &full);
		char f[48];
		ui_format_points(full, k->lang, f, sizeof f);
		snprintf(
		    cut, sizeof cut,
		    v->anon_capped
		        ? wf_tr(k->lang, "Anonymous limit for today reached: %s, not %s. "
		                         "All of it is recorded.")
		        : wf_tr(k->lang, "Daily limit reached: %s, not %s. All of it is recorded."),
		    p, f);
	}
	int cut_h =
	    lay_line_h(k, UI_FONT_BODY) * lay_lines(k, UI_FONT_BODY, area->w - lay_px(k, 40), cut);
	int h = lay_line_h(k, UI_FONT_TITLE) + (v->capped ? cut_h + k->gap : 0) + lay_px(k, 40);
	struct ui_rect r = lay_take(k, area, h);
	lay_box(k, r, UI_C_BRAND_SOFT, UI_C_BRAND_SOFT, 0, lay_px(k, 28));
	struct ui_rect in = lay_rect(r.x + lay_px(k, 20), r.y + lay_px(k, 20), r.w - lay_px(k, 40),
	                             r.h - lay_px(k, 40));
	lay_text(k, lay_take(k, &in, lay_line_h(k, UI_FONT_TITLE)), UI_FONT_TITLE, UI_C_OK_TEXT,
	         UI_C_BRAND_SOFT, UI_ALIGN_CENTRE, "%s", t);
	if (v->capped)
		lay_text(k, in, UI_FONT_BODY, UI_C_TEXT, UI_C_BRAND_SOFT, UI_ALIGN_CENTRE, "%s",
		         cut);
}

static void screen_count(struct lay *k)
{
	const struct session_view *v = k->v;
	lay_actions(k, wf_tr(k->lang, "Cancel"), SESSION_TAP_CANCEL, wf_tr(k->lang, "Confirm"),
	            SESSION_TAP_CONFIRM, v->qty > 0);
	lay_banner(k);
	struct ui_rect l, r;
	lay_columns(k, &l, &r, 55);
	struct ui_rect *info = k->land ? &r : &l;
	unsigned e0 = k->L->nel, c0 = k->L->nctl;
	lay_title(k, info, wf_tr(k->lang, "How many pieces?"));
	lay_category_chip(k, info);
	int rowh = lay_line_h(k, UI_FONT_HUGE);
	struct ui_rect row = k->land ? l : lay_take(k, &l, rowh);
	if (row.h > rowh)
		row.y += (row.h - rowh) / 2, row.h = rowh;
	int bw = row.h < row.w / 3 ? row.h : row.w / 3;
	struct ui_ctl *c = lay_ctl(k, lay_rect(row.x, row.y, bw, row.h), SESSION_TAP_PIECE_LESS,
	                           UI_STYLE_KEY, "−");
	c->icon = UI_ICON_MINUS;
	c->enabled = v->qty > 0;
	c = lay_ctl(k, lay_rect(row.x + row.w - bw, row.y, bw, row.h), SESSION_TAP_PIECE_MORE,
	            UI_STYLE_KEY, "+");
	c->icon = UI_ICON_PLUS;
	lay_text(k, lay_rect(row.x + bw, row.y, row.w - 2 * bw, row.h), UI_FONT_HUGE, UI_C_TEXT,
	         UI_C_BG, UI_ALIGN_CENTRE, "%" PRId64, v->qty);
	limits(k, info);
	if (v->qty > 0)
		credit(k, info);
	if (!k->land)
		lay_shift(k, e0, c0, l.h / 2);
}

static void screen_confirm(struct lay *k)
{
	const struct session_view *v = k->v;
	lay_actions(k, wf_tr(k->lang, "Cancel"), SESSION_TAP_CANCEL, wf_tr(k->lang, "Confirm"),
	            SESSION_TAP_CONFIRM, true);
	lay_banner(k);
	struct ui_rect l, r;
	lay_columns(k, &l, &r, 55);
	struct ui_rect *info = k->land ? &r : &l;
	unsigned e0 = k->L->nel, c0 = k->L->nctl;
	lay_title(k, info, wf_tr(k->lang, "Is this right?"));
	lay_category_chip(k, info);
	/* what will be recorded, as large as the live weight was */
	int pad = lay_px(k, 24), qh = lay_line_h(k, UI_FONT_HUGE) + 2 * pad;
	struct ui_rect qr = k->land ? l : lay_take(k, &l, qh);
	if (qr.h > qh)
		qr.y += (qr.h - qh) / 2, qr.h = qh;
	lay_box(k, qr, UI_C_SURFACE, UI_C_LINE, lay_px(k, 3), lay_px(k, 28));
	struct ui_rect in = lay_rect(qr.x + pad, qr.y + pad, qr.w - 2 * pad, qr.h - 2 * pad);
	if (k->cat && k->cat->unit == WF_UNIT_PIECE) {
		char q[48];
		ui_format_qty(v->qty, WF_UNIT_PIECE, k->lang, q, sizeof q);
		lay_text(k, in, UI_FONT_TITLE, UI_C_TEXT, UI_C_SURFACE, UI_ALIGN_CENTRE, "%s", q);
	} else {
		lay_weight_digits(k, in, v->qty, true, UI_C_SURFACE);
	}
	credit(k, info);
	lay_hint(k, info, wf_tr(k->lang, "Tap Confirm to record it"));
	if (!k->land)
		lay_shift(k, e0, c0, l.h / 2);
}

static void screen_wait(struct lay *k, const char *what)
{
	struct ui_rect a = k->body;
	lay_take(k, &a, a.h / 5);
	lay_hero(k, &a, a.h / 2, UI_ICON_WAIT, UI_C_BRAND);
	lay_title(k, &a, what);
	lay_para(k, &a, UI_FONT_BODY, UI_C_MUTED, 1, wf_tr(k->lang, "Please wait a moment"));
}

static void receipt_facts(struct lay *k, struct ui_rect *a)
{
	const struct session_view *v = k->v;
	const struct session_drop *d = &v->receipt.drop;
	char p[48], t[UI_LINE_MAX], q[48];
	ui_format_points(d->points, k->lang, p, sizeof p);
	snprintf(t, sizeof t, "+%s", p);
	lay_text(k, lay_take(k, a, lay_line_h(k, UI_FONT_TITLE)), UI_FONT_TITLE, UI_C_OK_TEXT,
	         UI_C_BG, UI_ALIGN_CENTRE, "%s", t);
	const char *name = "";
	for (unsigned i = 0; i < k->ncats; i++)
		if (k->cats[i].id == d->category_id)
			name = k->cats[i].name;
	ui_format_qty(d->qty, d->unit, k->lang, q, sizeof q);
	snprintf(t, sizeof t, "%s · %s", name, q);
	lay_para(k, a, UI_FONT_BODY, UI_C_TEXT, 1, t);
	if (v->has_balance) {
		ui_format_points(v->balance, k->lang, p, sizeof p);
		snprintf(t, sizeof t, wf_tr(k->lang, "Your balance: %s"), p);
		lay_para(k, a, UI_FONT_LARGE, UI_C_TEXT, 1, t);
	} else if (d->anonymous && d->points == 0 && d->anon_capped) {
		/* nothing to claim: say why rather than "claim the points" */
		lay_hint(k, a,
		         wf_tr(k->lang, "No points: anonymous drops here have used up today's "
		                        "points. Use a registered card to earn points."));
	} else if (d->anonymous) {
		lay_hint(k, a,
		         wf_tr(k->lang, "Keep the receipt: scan its code to claim the points"));
	}
}

static void screen_receipt(struct lay *k)
{
	const struct session_view *v = k->v;
	lay_actions(k, wf_tr(k->lang, "Another category"), SESSION_TAP_ANOTHER,
	            wf_tr(k->lang, "Done"), SESSION_TAP_DONE, true);
	lay_banner(k);
	struct ui_rect l, r;
	lay_columns(k, &l, &r, 50);
	struct ui_rect *qa = k->land ? &r : &l;
	int ic = lay_line_h(k, k->land ? UI_FONT_BODY : UI_FONT_TITLE);
	struct ui_rect t = lay_take(k, &l, ic);
	lay_icon(k, lay_rect(t.x + t.w / 2 - ic / 2, t.y, ic, ic), UI_ICON_CHECK, UI_C_OK);
	lay_title(k, &l, wf_tr(k->lang, "Thank you! Recorded"));
	if (v->has_receipt)
		receipt_facts(k, &l);
	if (!v->has_receipt)
		return;
	int lh = lay_line_h(k, UI_FONT_BODY);
	int side = qa->h - 2 * lh - k->gap;
	if (side > qa->w)
		side = qa->w;
	if (side > lay_px(k, 600))
		side = lay_px(k, 600);
	struct ui_rect q = lay_take(k, qa, side);
	q = lay_rect(q.x + (q.w - side) / 2, q.y, side, side);
	struct ui_el *e = lay_box(k, q, UI_C_QR_LIGHT, UI_C_QR_LIGHT, 0, 0);
	e->kind = UI_EL_QR;
	snprintf(k->L->qr, sizeof k->L->qr, "%s", v->receipt.token);
	bool printing = v->printer_ok && v->message != SESSION_MSG_PRINTER_FAILED;
	struct ui_rect pr = lay_take(k, qa, lh);
	lay_icon(k, lay_rect(pr.x, pr.y, lh, lh), UI_ICON_PRINTER,
	         printing ? UI_C_BRAND : UI_C_ERROR);
	lay_text(k, lay_rect(pr.x + lh + k->gap / 2, pr.y, pr.w - lh - k->gap / 2, lh),
	         UI_FONT_BODY, printing ? UI_C_TEXT : UI_C_ERROR, UI_C_BG, UI_ALIGN_LEFT, "%s",
	         printing ? wf_tr(k->lang, "Take your receipt from the printer")
	                  : wf_tr(k->lang, "No printed receipt: keep this code (photo)"));
}

static void screen_recording(struct lay *k)
{
	screen_wait(k, wf_tr(k->lang, "Recording…"));
}

void lay_screen(struct lay *k)
{
	static void (*const screens[])(struct lay *) = {
	    [SESSION_SCREEN_ATTRACT] = screen_attract,
	    [SESSION_SCREEN_REFUSED] = screen_refused,
	    [SESSION_SCREEN_UNKNOWN] = screen_unknown,
	    [SESSION_SCREEN_CATEGORY] = screen_category,
	    [SESSION_SCREEN_WEIGH] = screen_weigh,
	    [SESSION_SCREEN_COUNT] = screen_count,
	    [SESSION_SCREEN_CONFIRM] = screen_confirm,
	    [SESSION_SCREEN_RECORDING] = screen_recording,
	    [SESSION_SCREEN_RECEIPT] = screen_receipt,
	    [SESSION_SCREEN_PIN] = lay_screen_pin,
	    [SESSION_SCREEN_PIN_CHECK] = lay_screen_pin,
	    [SESSION_SCREEN_STAFF] = lay_screen_staff,
	    [SESSION_SCREEN_STAFF_BIN_CATEGORY] = screen_category,
	    [SESSION_SCREEN_STAFF_BIN_WEIGH] = lay_screen_bin_weigh,
	    [SESSION_SCREEN_OUT_OF_SERVICE] = lay_screen_out_of_service,
	};
	unsigned s = (unsigned)k->v->screen;
	if (s < sizeof screens / sizeof screens[0] && screens[s])
		screens[s](k);
}
