/* ui_text.c — the words of each screen; see ui_text.h. Pure. */
#include "ui_text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Chinese first, English second: one table, no lookup by key. */
#define T(zh_, en_) (zh ? (zh_) : (en_))

static void line(struct ui_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(struct ui_text *t, const char *fmt, ...)
{
	if (t->nlines >= UI_LINES_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->lines[t->nlines++], UI_LINE_MAX, fmt, ap);
	va_end(ap);
}

static struct ui_button *button(struct ui_text *t, const char *label, enum session_control c)
{
	static struct ui_button spare; /* when full: written, never shown */
	struct ui_button *b = t->nbuttons < UI_BUTTONS_MAX ? &t->buttons[t->nbuttons++] : &spare;
	memset(b, 0, sizeof *b);
	snprintf(b->label, sizeof b->label, "%s", label);
	b->control = c;
	return b;
}

static void category_buttons(struct ui_text *t, const struct wf_category *cats, unsigned n)
{
	for (unsigned i = 0; i < n && t->nbuttons + 1 < UI_BUTTONS_MAX; i++)
		button(t, cats[i].name, SESSION_TAP_CATEGORY)->category_id = cats[i].id;
}

void ui_button_rect(int w, int h, unsigned n, unsigned i, int out[4])
{
	int s1000 = w * 1000 / 1080; /* scale in thousandths */
	int gap = 36 * s1000 / 1000, bh = 130 * s1000 / 1000, cols = n > 8 ? 3 : 2;
	int bw = (w - gap * (cols + 1)) / cols;
	int rows = ((int)n + cols - 1) / cols;
	int y0 = h - rows * (bh + gap);
	out[0] = gap + (int)(i % (unsigned)cols) * (bw + gap);
	out[1] = y0 + (int)(i / (unsigned)cols) * (bh + gap);
	out[2] = bw;
	out[3] = bh;
}

void ui_format_qty(int64_t qty, enum wf_unit unit, bool zh, char *out, size_t cap)
{
	if (unit == WF_UNIT_PIECE) {
		snprintf(out, cap, "%" PRId64 " %s", qty, T("件", "pcs"));
		return;
	}
	int64_t a = qty < 0 ? -qty : qty;
	snprintf(out, cap, "%s%" PRId64 ".%03" PRId64 " kg", qty < 0 ? "-" : "", a / 1000,
	         a % 1000);
}

static const struct wf_category *find(const struct wf_category *cats, unsigned n, uint16_t id)
{
	for (unsigned i = 0; i < n; i++)
		if (cats[i].id == id)
			return &cats[i];
	return NULL;
}

static const char *message_text(enum session_message m, bool zh)
{
	switch (m) {
	case SESSION_MSG_NONE: return "";
	case SESSION_MSG_BLOCKED: return T("此卡已停用", "This card is blocked");
	case SESSION_MSG_UNKNOWN_CARD: return T("此卡未登记", "This card is not registered");
	case SESSION_MSG_TOO_LIGHT: return T("太轻了，请再加一些", "Too light: add some more");
	case SESSION_MSG_TOO_HEAVY: return T("太重了，请分开投放", "Too heavy: drop it in parts");
	case SESSION_MSG_OVERLOAD:
		return T("太重了：请取下一部分，分开投放",
		         "Too heavy for the scale: take some off");
	case SESSION_MSG_CLEAR_PLATFORM: return T("请先取下秤上的物品", "Clear the scale first");
	case SESSION_MSG_LIMIT_REACHED:
		return T("已达今日上限：已记录，积分封顶",
		         "Daily limit reached: recorded, points capped");
	case SESSION_MSG_PRINTER_FAILED:
		return T("打印失败：请保存屏幕上的二维码",
		         "Printer failed: keep the QR code on screen");
	case SESSION_MSG_PIN_WRONG: return T("密码错误", "Wrong PIN");
	case SESSION_MSG_LOCKED_OUT: return T("尝试次数过多，请稍后再试", "Too many tries: wait");
	case SESSION_MSG_CANCELLED_DEVICE:
		return T("设备断开：本次未记录", "A device was lost: nothing recorded");
	case SESSION_MSG_TEST_OK: return T("校验砝码正确", "Test weight OK");
	case SESSION_MSG_TEST_FAILED: return T("校验砝码不符", "Test weight out of tolerance");
	}
	return "";
}

static const char *oos_text(enum session_oos_reason r, bool zh)
{
	switch (r) {
	case SESSION_OOS_STAFF: return T("工作人员维护中", "Closed by staff");
	case SESSION_OOS_SCALE: return T("秤未连接", "The scale is not connected");
	case SESSION_OOS_CARD_READER: return T("读卡器未连接", "The card reader is not connected");
	case SESSION_OOS_LEDGER: return T("记录暂不可用", "Recording is not possible");
	case SESSION_OOS_NONE: break;
	}
	return "";
}

static void qty_line(struct ui_text *t, const struct session_view *v, const struct wf_category *c,
                     bool zh)
{
	char q[48];
	ui_format_qty(v->qty, c ? c->unit : WF_UNIT_GRAM, zh, q, sizeof q);
	line(t, "%s  %s", c ? c->name : "", q);
	line(t, "%s %" PRId64 "%s", T("积分", "Points"), v->points,
	     v->capped ? T("（今日上限）", " (daily limit)") : "");
}

/* What the live weight is doing, in words (colour alone never says it). */
static void scale_line(struct ui_text *t, const struct session_view *v, bool zh)
{
	switch (v->live) {
	case SESSION_SCALE_NONE: line(t, "%s", T("等待秤的读数", "Waiting for the scale")); break;
	case SESSION_SCALE_SETTLING:
		line(t, "%s %u%%", T("稳定中", "Settling"), v->stable_pct);
		break;
	case SESSION_SCALE_STABLE: line(t, "%s", T("已稳定", "Stable")); break;
	case SESSION_SCALE_MOVING:
		line(t, "%s", T("秤在晃动，请稍候", "Moving: please wait"));
		break;
	case SESSION_SCALE_OVERLOAD: line(t, "%s", T("超出秤的量程", "Over capacity")); break;
	case SESSION_SCALE_UNDERLOAD:
		line(t, "%s", T("低于零点：请联系工作人员", "Below zero: please call staff"));
		break;
	}
}

/* What one screen's words are made from. */
struct words {
	const struct session_view *v;
	const struct wf_category *cats;
	unsigned ncats;
	const struct wf_category *cat; /* the selected category, or NULL */
	bool zh;
};

static void title(struct ui_text *t, const char *s)
{
	snprintf(t->title, sizeof t->title, "%s", s);
}

static void screen_attract(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	title(t, T("请刷卡投放", "Tap your card to start"));
	line(t, "%s",
	     T("纸类 · 塑料 · 金属 · 玻璃 · 纺织物 · 电池",
	       "Paper · plastic · metal · glass · textiles · batteries"));
}

static void screen_refused(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	title(t, T("此卡不能使用", "This card cannot be used"));
	if (w->v->reason[0])
		line(t, "%s", w->v->reason);
	button(t, T("完成", "Done"), SESSION_TAP_DONE);
}

static void screen_unknown(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	title(t, T("此卡未登记", "Card not registered"));
	line(t, "%s",
	     T("可以匿名投放：积分印在小票上，稍后领取",
	       "Drop anonymously: the points are on the receipt, to claim later"));
	button(t, T("匿名投放", "Drop anonymously"), SESSION_TAP_ANONYMOUS);
	button(t, T("取消", "Cancel"), SESSION_TAP_CANCEL);
}

static void screen_category(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	const struct session_view *v = w->v;
	title(t, T("请选择类别", "Choose a category"));
	if (v->anonymous)
		line(t, "%s", T("匿名投放", "Anonymous drop"));
	else if (v->name[0])
		line(t, "%s%s", T("您好，", "Hello, "), v->name);
	if (v->session_points)
		line(t, "%s %" PRId64, T("本次积分", "Points this visit"), v->session_points);
	category_buttons(t, w->cats, w->ncats);
	button(t, T("完成", "Done"), SESSION_TAP_DONE);
}

static void screen_weigh(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	const struct session_view *v = w->v;
	char q[48];
	title(t, v->screen == SESSION_SCREEN_WEIGH
	             ? T("请把物品放在秤上", "Put your recyclables on the scale")
	             : T("称量回收袋", "Weigh the collected bag"));
	if (v->live_has_weight)
		ui_format_qty(v->live_grams, WF_UNIT_GRAM, zh, q, sizeof q);
	else
		snprintf(q, sizeof q, "%s", "—");
	line(t, "%s", w->cat ? w->cat->name : "");
	line(t, "%s", q);
	scale_line(t, v, zh);
	if (v->screen == SESSION_SCREEN_STAFF_BIN_WEIGH)
		button(t, T("确认", "Confirm"), SESSION_TAP_CONFIRM);
	button(t, T("取消", "Cancel"), SESSION_TAP_CANCEL);
}

static void screen_count(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	char q[48];
	title(t, T("有几件？", "How many pieces?"));
	ui_format_qty(w->v->qty, WF_UNIT_PIECE, zh, q, sizeof q);
	line(t, "%s", w->cat ? w->cat->name : "");
	line(t, "%s", q);
	button(t, "−", SESSION_TAP_PIECE_LESS);
	button(t, "+", SESSION_TAP_PIECE_MORE);
	button(t, T("确认", "Confirm"), SESSION_TAP_CONFIRM);
	button(t, T("取消", "Cancel"), SESSION_TAP_CANCEL);
}

static void screen_confirm(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	title(t, T("请确认", "Please confirm"));
	qty_line(t, w->v, w->cat, zh);
	button(t, T("确认", "Confirm"), SESSION_TAP_CONFIRM);
	button(t, T("取消", "Cancel"), SESSION_TAP_CANCEL);
}

static void screen_recording(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	title(t, T("正在记录…", "Recording…"));
}

static void screen_receipt(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	const struct session_view *v = w->v;
	title(t, T("谢谢！", "Thank you!"));
	if (v->has_receipt) {
		char q[48];
		const struct wf_category *rc = find(w->cats, w->ncats, v->receipt.drop.category_id);
		ui_format_qty(v->receipt.drop.qty, v->receipt.drop.unit, zh, q, sizeof q);
		line(t, "%s  %s", rc ? rc->name : "", q);
		line(t, "%s %" PRId64, T("积分", "Points"), v->receipt.drop.points);
		line(t, "%s %" PRIu64, T("小票号", "Receipt no."), v->receipt.seq);
		snprintf(t->qr, sizeof t->qr, "%s", v->receipt.token);
	}
	button(t, T("继续投放", "Another category"), SESSION_TAP_ANOTHER);
	button(t, T("完成", "Done"), SESSION_TAP_DONE);
}

static void pin_keypad(struct ui_text *t, bool zh)
{
	static const char *const keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0"};
	for (int k = 0; k < 11; k++) {
		/* the font has no ⌫: the delete key says what it does */
		struct ui_button *b = k == 9 ? button(t, T("删除", "Delete"), SESSION_TAP_BACKSPACE)
		                             : button(t, keys[k], SESSION_TAP_DIGIT);
		b->digit = k == 10 ? 0 : k + 1;
	}
	button(t, T("确定", "OK"), SESSION_TAP_CONFIRM);
}

static void screen_pin(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	const struct session_view *v = w->v;
	title(t, v->screen == SESSION_SCREEN_PIN ? T("请输入密码", "Enter your PIN")
	                                         : T("正在验证…", "Checking…"));
	static const char dot[] = "●"; /* 3 bytes of UTF-8 */
	char dots[3 * SESSION_PIN_MAX + 1];
	size_t n = 0;
	for (unsigned i = 0; i < v->pin_len && i < SESSION_PIN_MAX; i++, n += 3)
		memcpy(dots + n, dot, 3);
	dots[n] = '\0';
	line(t, "%s", dots);
	if (v->locked_ms > 0)
		line(t, "%s %" PRId64 " s", T("请等待", "Wait"), (v->locked_ms + 999) / 1000);
	if (v->screen == SESSION_SCREEN_PIN)
		pin_keypad(t, zh);
}

static void screen_staff(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	const struct session_view *v = w->v;
	title(t, T("工作人员菜单", "Staff menu"));
	if (v->name[0])
		line(t, "%s", v->name);
	if (v->test_grams) {
		char q[48];
		ui_format_qty(v->test_grams, WF_UNIT_GRAM, zh, q, sizeof q);
		line(t, "%s %s", T("校验砝码", "Test weight"), q);
	}
	button(t, T("归零", "Zero"), SESSION_TAP_STAFF_ZERO);
	button(t, T("去皮", "Tare"), SESSION_TAP_STAFF_TARE);
	button(t, T("校验砝码", "Test weight"), SESSION_TAP_STAFF_TEST_WEIGHT);
	button(t, T("清运回收箱", "Bin collection"), SESSION_TAP_STAFF_BIN);
	button(t, T("补打小票", "Reprint"), SESSION_TAP_STAFF_REPRINT);
	button(t, T("暂停服务", "Out of service"), SESSION_TAP_STAFF_OOS_ON);
	button(t, T("恢复服务", "Back in service"), SESSION_TAP_STAFF_OOS_OFF);
	button(t, T("退出", "Exit"), SESSION_TAP_STAFF_EXIT);
}

static void screen_bin_category(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	title(t, T("清运哪个回收箱？", "Which bin is collected?"));
	category_buttons(t, w->cats, w->ncats);
	button(t, T("取消", "Cancel"), SESSION_TAP_CANCEL);
}

static void screen_out_of_service(struct ui_text *t, const struct words *w)
{
	bool zh = w->zh;
	title(t, T("暂停服务", "Out of service"));
	line(t, "%s", oos_text(w->v->oos, zh));
}

void ui_text_make(const struct session_view *v, const struct wf_category *cats, unsigned ncats,
                  bool zh, struct ui_text *out)
{
	static void (*const screens[])(struct ui_text *, const struct words *) = {
	    [SESSION_SCREEN_ATTRACT] = screen_attract,
	    [SESSION_SCREEN_REFUSED] = screen_refused,
	    [SESSION_SCREEN_UNKNOWN] = screen_unknown,
	    [SESSION_SCREEN_CATEGORY] = screen_category,
	    [SESSION_SCREEN_WEIGH] = screen_weigh,
	    [SESSION_SCREEN_COUNT] = screen_count,
	    [SESSION_SCREEN_CONFIRM] = screen_confirm,
	    [SESSION_SCREEN_RECORDING] = screen_recording,
	    [SESSION_SCREEN_RECEIPT] = screen_receipt,
	    [SESSION_SCREEN_PIN] = screen_pin,
	    [SESSION_SCREEN_PIN_CHECK] = screen_pin,
	    [SESSION_SCREEN_STAFF] = screen_staff,
	    [SESSION_SCREEN_STAFF_BIN_CATEGORY] = screen_bin_category,
	    [SESSION_SCREEN_STAFF_BIN_WEIGH] = screen_weigh,
	    [SESSION_SCREEN_OUT_OF_SERVICE] = screen_out_of_service,
	};
	memset(out, 0, sizeof *out);
	struct words w = {v, cats, ncats, find(cats, ncats, v->category_id), zh};
	if ((unsigned)v->screen < sizeof screens / sizeof screens[0] && screens[v->screen])
		screens[v->screen](out, &w);
	snprintf(out->message, sizeof out->message, "%s", message_text(v->message, zh));
	out->message_is_error = v->message != SESSION_MSG_NONE && v->message != SESSION_MSG_TEST_OK;
	if (v->message == SESSION_MSG_BLOCKED && v->reason[0] &&
	    v->screen != SESSION_SCREEN_REFUSED)
		line(out, "%s", v->reason);
}

void ui_health_lines(const struct ui_health *h, bool zh, struct ui_text *t)
{
	char ago[48];
	if (h->since_ok_s < 0)
		snprintf(ago, sizeof ago, "%s", T("从未成功", "never"));
	else
		snprintf(ago, sizeof ago, "%" PRId64 "%s", h->since_ok_s, T(" 秒前", " s ago"));
	if (!h->sync)
		line(t, "%s %" PRId64, T("未连接中心 · 待上传", "No central · queue"), h->queue);
	else
		line(t, "%s%s · %s %" PRId64 " · %s %" PRId64 "%s", T("同步：", "Sync: "), ago,
		     T("待上传", "queue"), h->queue, T("冲突", "conflicts"), h->conflicts,
		     h->sync_failing ? T(" · 正在重试", " · retrying") : "");
	static const char *const zh_names[] = {"秤", "读卡器", "打印机"};
	static const char *const en_names[] = {"Scale", "Card reader", "Printer"};
	char devs[UI_LINE_MAX] = "";
	size_t n = 0;
	for (int i = 0; i < 3; i++) {
		const char *state = !h->dev[i].configured ? T("未配置", "none")
		                    : h->dev[i].up        ? T("正常", "up")
		                                          : T("断开", "down");
		int k = snprintf(devs + n, sizeof devs - n, "%s%s %s", i ? " · " : "",
		                 zh ? zh_names[i] : en_names[i], state);
		if (k > 0 && (size_t)k < sizeof devs - n)
			n += (size_t)k;
	}
	line(t, "%s", devs);
}
