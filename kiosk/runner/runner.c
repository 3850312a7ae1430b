/*
 * runner.c — the kiosk's parts wired together for one run.
 *
 * Why here and not in the session: everything with I/O (journal, devices,
 * clocks, keys, Argon2id) happens here; the session only decides. Effects
 * are carried out in the order the session returned them, and each result
 * is fed back as an event before the next effect runs.
 */
#include "runner.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cardid_hash.h"
#ifdef WUFEI_HAVE_UI
#include "ui.h"
#endif
#include "downsync_apply.h"
#include "escpos.h"
#include "ledger.h"
#include "receipt.h"
#include "record.h"
#include "signing.h"
#include "sync.h"
#include "wf.h"

#define PRINT_JOB_MAX   (96 * 1024)
#define PRINT_WAIT_MS   8000
#define READING_STEP_MS 100

struct runner {
	struct kiosk_config cfg;
	struct session_config scfg;
	FILE *log;
	bool virtual_clock;
	struct ledger *ledger;
	struct session *session;
	uint8_t card_key[32];
	bool has_card_key;
	uint8_t sign_key[SIGNING_SECRET_BYTES];
	bool has_sign_key;

	/* clocks: session time is monotonic ms; records carry corrected UTC ms */
	int64_t now_ms;        /* session clock (virtual or monotonic) */
	int64_t utc_base_ms;   /* virtual clock: UTC at now_ms == 0 */
	int64_t utc_offset_ms; /* central's time minus ours (from sync; 0 until then) */

	struct device_queue *queue;
	struct device *scale, *card, *printer;
	enum session_screen last_screen;
	enum session_message last_message;
	enum session_scale last_live; /* logged on the weighing screens */
	uint64_t drops;
	bool quit;
	struct sync *sync;                       /* NULL without [central] url */
	uint64_t catalog_version;                /* sync's down-sync count already loaded */
	bool awaiting_epoch;                     /* new journal: nothing before central answers */
	bool journal_new;                        /* the journal held no record at start */
	uint64_t staff_id;                       /* the staff card seen last */
	char staff_pin_hash[LEDGER_PINHASH_MAX]; /* its Argon2id PIN hash */
	uint8_t job[PRINT_JOB_MAX];
	struct ui *ui;      /* NULL without --screenshots or --window */
	char shot_dir[512]; /* "" without --screenshots */
	unsigned shots;
	bool window;
	struct session_view drawn; /* what the window shows */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t now_session(struct runner *r)
{
	if (!r->virtual_clock) {
		int64_t m = mono_ms();
		if (m > r->now_ms)
			r->now_ms = m;
	}
	return r->now_ms;
}

/* Corrected UTC ms for a record made at session time t. */
static int64_t utc_at(const struct runner *r, int64_t t)
{
	int64_t base = r->virtual_clock ? r->utc_base_ms + t : real_ms();
	return base + r->utc_offset_ms;
}

/* yyyymmdd of a UTC ms time in the kiosk's time zone (TZ set at open). */
static uint32_t local_day(int64_t utc_ms)
{
	time_t t = (time_t)(utc_ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return 19700101;
	return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

static void logf_(struct runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(struct runner *r, const char *fmt, ...)
{
	if (!r->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(r->log, fmt, ap);
	va_end(ap);
	fputc('\n', r->log);
	fflush(r->log);
}

static const char *const DEVICE_ROLES[3] = {"scale", "card reader", "printer"};

/* What staff are shown of the kiosk's health, gathered once for the log
 * line and the staff menu on screen. */
struct health {
	bool sync;          /* a central is configured */
	int64_t since_ok_s; /* since the last successful sync round; -1 never */
	int64_t queue, conflicts;
	char sync_error[SYNC_ERROR_MAX]; /* "" when the last round succeeded */
	const struct device *dev[3];     /* scale, card reader, printer; NULL if none */
	struct device_health dh[3];
};

static void gather_health(struct runner *r, struct health *h)
{
	memset(h, 0, sizeof *h);
	h->sync = r->sync != NULL;
	h->since_ok_s = -1;
	if (r->sync) {
		struct sync_status st;
		sync_get_status(r->sync, &st);
		if (st.last_success_ms)
			h->since_ok_s = (real_ms() - st.last_success_ms) / 1000;
		h->queue = st.outbox_depth;
		h->conflicts = st.conflicts_held;
		snprintf(h->sync_error, sizeof h->sync_error, "%s", st.last_error);
	} else {
		h->queue = h->conflicts = -1;
		ledger_outbox_depth(r->ledger, &h->queue);
		ledger_conflict_count(r->ledger, &h->conflicts);
	}
	const struct device *devs[3] = {r->scale, r->card, r->printer};
	for (int i = 0; i < 3; i++) {
		h->dev[i] = devs[i];
		if (devs[i])
			device_health(devs[i], &h->dh[i]);
	}
}

/* The staff menu's health in the log, with the details the screen leaves out. */
static void log_staff_health(struct runner *r)
{
	struct health h;
	gather_health(r, &h);
	if (h.sync) {
		char ago[48] = "never";
		if (h.since_ok_s >= 0)
			snprintf(ago, sizeof ago, "%" PRId64 " s ago", h.since_ok_s);
		logf_(r,
		      "staff: sync: last success %s, queue %" PRId64 ", conflicts %" PRId64
		      "%s%s%s, last error: %s",
		      ago, h.queue, h.conflicts,
		      h.conflicts > 0 ? " (wufei-kiosk ledger conflicts " : "",
		      h.conflicts > 0 ? r->cfg.ledger_path : "", h.conflicts > 0 ? ")" : "",
		      h.sync_error[0] ? h.sync_error : "none");
	} else {
		logf_(r,
		      "staff: sync: off (no [central] url), queue %" PRId64 ", conflicts %" PRId64,
		      h.queue, h.conflicts);
	}
	int64_t now = mono_ms();
	for (int i = 0; i < 3; i++) {
		const struct device_health *d = &h.dh[i];
		if (!h.dev[i]) {
			logf_(r, "staff: %s: not configured", DEVICE_ROLES[i]);
			continue;
		}
		char data[40] = "never";
		if (d->last_data_ms)
			snprintf(data, sizeof data, "%" PRId64 " s ago",
			         (now - d->last_data_ms) / 1000);
		logf_(r,
		      "staff: %s: %s for %" PRId64 " s, last data %s, %" PRIu64 " frames, %" PRIu64
		      " errors, %" PRIu64 " reconnects%s%s",
		      DEVICE_ROLES[i], device_state_name(d->state),
		      (now - d->state_since_ms) / 1000, data, d->frames, d->errors, d->reconnects,
		      d->last_error[0] ? ", last error: " : "", d->last_error);
	}
}

#ifdef WUFEI_HAVE_UI
/* The staff menu's health on screen (none on other screens). */
static void set_health(struct runner *r, const struct session_view *v)
{
	if (v->screen != SESSION_SCREEN_STAFF) {
		ui_set_health(r->ui, NULL);
		return;
	}
	struct health h;
	gather_health(r, &h);
	struct ui_health u = {.sync = h.sync,
	                      .since_ok_s = h.since_ok_s,
	                      .queue = h.queue,
	                      .conflicts = h.conflicts,
	                      .sync_failing = h.sync_error[0] != '\0'};
	for (int i = 0; i < 3; i++) {
		u.dev[i].configured = h.dev[i] != NULL;
		u.dev[i].up = h.dev[i] && h.dh[i].state == DEVICE_STATE_UP;
	}
	ui_set_health(r->ui, &u);
}
#endif

/* Draws the screen now shown to shot_dir/NNN-SCREEN.png (with --screenshots). */
static void screenshot(struct runner *r, const struct session_view *v)
{
#ifdef WUFEI_HAVE_UI
	if (!r->ui || !r->shot_dir[0])
		return;
	char path[700], err[300] = "drawing failed";
	snprintf(path, sizeof path, "%s/%03u-%s.png", r->shot_dir, ++r->shots,
	         session_screen_name(v->screen));
	set_health(r, v);
	r->drawn = *v; /* the window, if any, shows this now too */
	if (ui_draw(r->ui, v, r->scfg.categories, r->scfg.ncategories) != WF_OK ||
	    ui_save_png(r->ui, path, err, sizeof err) != WF_OK)
		logf_(r, "screenshot %s: %s", path, err);
#else
	(void)r;
	(void)v;
#endif
}

/* Whether the window must be drawn again: what it shows of v changed. */
static bool view_changed(const struct session_view *a, const struct session_view *b)
{
	return a->screen != b->screen || a->message != b->message || a->oos != b->oos ||
	       a->live_grams != b->live_grams || a->live != b->live ||
	       a->stable_pct != b->stable_pct || a->live_stable != b->live_stable ||
	       a->qty != b->qty || a->points != b->points || a->pin_len != b->pin_len ||
	       a->locked_ms / 1000 != b->locked_ms / 1000 || a->has_receipt != b->has_receipt ||
	       a->receipt.seq != b->receipt.seq || a->test_grams != b->test_grams ||
	       a->session_points != b->session_points || a->category_id != b->category_id ||
	       strcmp(a->name, b->name) != 0;
}

static void step(struct runner *r, struct session_event *ev);

/* The window follows the session; a tap on one of its buttons is a tap. */
static void window_tick(struct runner *r)
{
#ifdef WUFEI_HAVE_UI
	if (!r->ui || !r->window)
		return;
	/* draw first: a tap hits what the window shows */
	struct session_view v = session_view(r->session);
	if (view_changed(&v, &r->drawn)) {
		r->drawn = v;
		set_health(r, &v);
		ui_draw(r->ui, &v, r->scfg.categories, r->scfg.ncategories);
	}
	struct ui_button b;
	int p = ui_poll(r->ui, &b);
	if (p < 0)
		r->quit = true;
	if (p > 0) {
		struct session_event ev = {.kind = SESSION_EV_TAP};
		ev.u.tap.control = b.control;
		ev.u.tap.category_id = b.category_id;
		ev.u.tap.digit = b.digit;
		logf_(r, "tap %s", b.label);
		step(r, &ev);
	}
#else
	(void)r;
#endif
}

/* --screenshots DIR (created if missing) and/or --window: the UI. */
static int open_ui(struct runner *r, const char *dir, bool window, char *err, size_t err_len)
{
#ifdef WUFEI_HAVE_UI
	if (dir && mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, err_len, "--screenshots %s: %s", dir, strerror(errno));
		return WF_EIO;
	}
	snprintf(r->shot_dir, sizeof r->shot_dir, "%s", dir ? dir : "");
	r->window = window;
	r->drawn.screen = 0; /* nothing drawn yet */
	struct ui_config uc = {.width = r->cfg.width,
	                       .height = r->cfg.height,
	                       .font_path = r->cfg.font,
	                       .zh = strcmp(r->cfg.language, "en") != 0,
	                       .kiosk_name = r->cfg.name,
	                       .window = window,
	                       .fullscreen = r->cfg.fullscreen};
	char why[300];
	int rc = ui_open(&uc, &r->ui, why, sizeof why);
	if (rc != WF_OK)
		snprintf(err, err_len, "screen: %s", why);
	return rc;
#else
	(void)r;
	(void)dir;
	(void)window;
	snprintf(err, err_len, "this wufei-kiosk was built without SDL2: no screen");
	return WF_EINVAL;
#endif
}

static void log_view(struct runner *r)
{
	struct session_view v = session_view(r->session);
	bool weighing = v.screen == SESSION_SCREEN_WEIGH || v.screen == SESSION_SCREEN_CONFIRM ||
	                v.screen == SESSION_SCREEN_STAFF_BIN_WEIGH;
	bool live_changed = weighing && v.live != r->last_live;
	r->last_live = v.live;
	if (live_changed && v.live_has_weight)
		logf_(r, "scale %s %" PRId64 " g", session_scale_name(v.live), v.live_grams);
	else if (live_changed)
		logf_(r, "scale %s", session_scale_name(v.live));
	if (v.screen == r->last_screen && v.message == r->last_message) {
		if (live_changed && v.live != SESSION_SCALE_SETTLING)
			screenshot(r, &v); /* what the weight on screen says changed */
		return;
	}
	bool staff_opened = v.screen == SESSION_SCREEN_STAFF && r->last_screen != v.screen;
	r->last_screen = v.screen;
	r->last_message = v.message;
	if (v.message != SESSION_MSG_NONE)
		logf_(r, "screen %s (%s)", session_screen_name(v.screen),
		      session_message_name(v.message));
	else
		logf_(r, "screen %s", session_screen_name(v.screen));
	if (staff_opened)
		log_staff_health(r);
	screenshot(r, &v);
}

/* ---- effects ---- */

static void step(struct runner *r, struct session_event *ev);
static void device_event_to_session(struct runner *r, const struct device_event *de);

struct receipt_ctx {
	struct runner *r;
	char url[RECEIPT_URL_MAX + 1];
};

/* Inside the drop's transaction: sign the receipt for the final record. */
static int make_receipt(void *ctx, const struct wf_record *rec, const uint8_t hash[32], char *token,
                        size_t cap)
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
	rec.time_ms = utc_at(r, d->at_ms);
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
	rec.drop.local_day = local_day(rec.time_ms);

	struct receipt_ctx ctx = {.r = r};
	struct ledger_appended out;
	int rc = ledger_append(r->ledger, &rec, make_receipt, &ctx, &out);
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	if (rc != WF_OK) {
		logf_(r, "journal: drop NOT recorded: %s (%s)", ledger_errmsg(r->ledger),
		      wf_strerror(rc));
		ev.kind = SESSION_EV_COMMIT_FAILED;
		step(r, &ev);
		return;
	}
	r->drops++;
	if (r->sync)
		sync_kick(r->sync);
	logf_(r, "journal: recorded seq %llu: drop category %u qty %lld points %lld",
	      (unsigned long long)out.seq, d->category_id, (long long)d->qty, (long long)d->points);
	ev.kind = SESSION_EV_COMMITTED;
	ev.u.committed.seq = out.seq;
	snprintf(ev.u.committed.token, sizeof ev.u.committed.token, "%s", out.token);
	step(r, &ev);
}

static void record_simple(struct runner *r, struct wf_record *rec, const char *what)
{
	rec->time_ms = utc_at(r, now_session(r));
	struct ledger_appended out;
	int rc = ledger_append(r->ledger, rec, NULL, NULL, &out);
	if (rc != WF_OK) {
		logf_(r, "journal: %s NOT recorded: %s", what, ledger_errmsg(r->ledger));
		struct session_event ev = {.kind = SESSION_EV_DEVICE};
		ev.u.device.device = SESSION_DEV_LEDGER;
		ev.u.device.up = false;
		step(r, &ev);
		return;
	}
	logf_(r, "journal: recorded seq %llu: %s", (unsigned long long)out.seq, what);
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
	struct session_event ev = {.kind = SESSION_EV_PIN_RESULT};
	ev.u.pin_ok = false;
	if (fx->u.pin.staff_id == r->staff_id && r->staff_pin_hash[0])
		ev.u.pin_ok = crypto_pwhash_str_verify(r->staff_pin_hash, fx->u.pin.digits,
		                                       strlen(fx->u.pin.digits)) == 0;
	logf_(r, "staff %llu: PIN %s", (unsigned long long)fx->u.pin.staff_id,
	      ev.u.pin_ok ? "accepted" : "refused");
	step(r, &ev);
}

static const char *category_code(const struct runner *r, uint16_t id)
{
	for (unsigned i = 0; i < r->scfg.ncategories; i++)
		if (r->scfg.categories[i].id == id)
			return r->scfg.categories[i].code;
	return "?";
}

/* Builds the ESC/POS job for a receipt; returns its length or 0. */
static size_t receipt_job(struct runner *r, const struct session_receipt *rc)
{
	struct escpos_job j;
	char line[80], when[32];
	escpos_begin(&j, r->job, sizeof r->job);
	escpos_align(&j, ESCPOS_CENTER);
	escpos_bold(&j, true);
	escpos_size(&j, 2, 2);
	escpos_line(&j, "WUFEI");
	escpos_size(&j, 1, 1);
	escpos_line(&j, "Zero-waste recycling");
	escpos_bold(&j, false);
	snprintf(line, sizeof line, "Kiosk %u  No. %llu", r->cfg.number,
	         (unsigned long long)rc->seq);
	escpos_line(&j, line);
	time_t t = (time_t)(utc_at(r, rc->drop.at_ms) / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	escpos_line(&j, when);
	escpos_align(&j, ESCPOS_LEFT);
	if (rc->drop.unit == WF_UNIT_PIECE)
		snprintf(line, sizeof line, "%-12s %lld pcs",
		         category_code(r, rc->drop.category_id), (long long)rc->drop.qty);
	else
		snprintf(line, sizeof line, "%-12s %lld.%03lld kg",
		         category_code(r, rc->drop.category_id), (long long)(rc->drop.qty / 1000),
		         (long long)(rc->drop.qty % 1000));
	escpos_line(&j, line);
	snprintf(line, sizeof line, "Points       %lld%s", (long long)rc->drop.points,
	         rc->drop.capped ? " (daily limit)" : "");
	escpos_line(&j, line);
	if (rc->drop.anonymous)
		escpos_line(&j, "Scan to claim your points");
	escpos_align(&j, ESCPOS_CENTER);
	int q = r->cfg.printer_qr == CONFIG_QR_RASTER ? escpos_qr_raster(&j, rc->token, 4)
	                                              : escpos_qr_native(&j, rc->token, 4);
	escpos_feed(&j, 1);
	escpos_cut(&j);
	return q == 0 && escpos_ok(&j) ? j.len : 0;
}

/* Waits (live) for the printer's answer to job_id; feeds it to the session. */
static void await_print(struct runner *r, uint32_t job_id)
{
	int64_t until = mono_ms() + PRINT_WAIT_MS;
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = SESSION_EV_PRINT_FAILED;
	while (mono_ms() < until) {
		struct device_event de;
		if (!device_queue_pop(r->queue, &de)) {
			struct timespec ts = {0, 5 * 1000 * 1000};
			nanosleep(&ts, NULL);
			continue;
		}
		if ((de.kind == DEVICE_EVENT_PRINT_DONE || de.kind == DEVICE_EVENT_PRINT_FAILED) &&
		    de.u.job_id == job_id) {
			ev.kind = de.kind == DEVICE_EVENT_PRINT_DONE ? SESSION_EV_PRINTED
			                                             : SESSION_EV_PRINT_FAILED;
			logf_(r, "printer: %s%s%s",
			      de.kind == DEVICE_EVENT_PRINT_DONE ? "printed" : "FAILED",
			      *de.reason ? ": " : "", de.reason);
			break;
		}
		device_event_to_session(r, &de);
	}
	step(r, &ev);
}

static void fx_print(struct runner *r, const struct session_receipt *rc)
{
	logf_(r, "receipt: seq %llu %s", (unsigned long long)rc->seq, rc->token);
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	if (!r->printer) {
		ev.kind = SESSION_EV_PRINT_FAILED; /* no printer: on screen only */
		step(r, &ev);
		return;
	}
	size_t len = receipt_job(r, rc);
	uint32_t job_id = 0;
	if (len == 0 || device_print(r->printer, r->job, len, &job_id) != WF_OK) {
		logf_(r, "printer: job refused");
		ev.kind = SESSION_EV_PRINT_FAILED;
		step(r, &ev);
		return;
	}
	await_print(r, job_id);
}

static void apply_effects(struct runner *r, const struct session_effects *out)
{
	struct session_effects fx = *out; /* step() below reuses nothing of out */
	for (unsigned i = 0; i < fx.n; i++) {
		const struct session_effect *e = &fx.fx[i];
		switch (e->kind) {
		case SESSION_FX_RECORD_DROP: fx_drop(r, &e->u.drop); break;
		case SESSION_FX_VERIFY_PIN: fx_pin(r, e); break;
		case SESSION_FX_PRINT_RECEIPT: fx_print(r, &e->u.receipt); break;
		case SESSION_FX_SCALE_ZERO:
		case SESSION_FX_SCALE_TARE:
			logf_(r, "scale: %s", session_effect_name(e->kind));
			if (r->scale) {
				int rc = device_scale_command(
				    r->scale, e->kind == SESSION_FX_SCALE_ZERO ? DEVICE_SCALE_ZERO
				                                               : DEVICE_SCALE_TARE);
				if (rc == WF_EINVAL)
					logf_(r,
					      "scale: protocol %s takes no such command: use the "
					      "scale's own key",
					      config_device(&r->cfg, DEVICE_ROLE_SCALE)->protocol);
				else if (rc != WF_OK)
					logf_(r, "scale: command not sent: %s",
					      rc == WF_ESTATE ? "the scale is down"
					                      : wf_strerror(rc));
			}
			break;
		case SESSION_FX_RECORD_BIN: fx_bin(r, e); break;
		case SESSION_FX_RECORD_STAFF: fx_staff(r, e); break;
		case SESSION_FX_BEEP_OK:
		case SESSION_FX_BEEP_ERROR: break;
		}
	}
}

static void step(struct runner *r, struct session_event *ev)
{
	struct session_effects out;
	ev->now_ms = now_session(r);
	if (session_step(r->session, ev, &out) != WF_OK)
		return;
	log_view(r);
	apply_effects(r, &out);
}

/* ---- cards ---- */

/* Canonical card id -> identity for the session, from the journal. */
static void on_card(struct runner *r, const char *card_id)
{
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = SESSION_EV_CARD;
	struct session_identity *id = &ev.u.card;
	if (!r->has_card_key) {
		logf_(r, "card %s ignored: no card key yet (no down-sync)", card_id);
		return;
	}
	if (cardid_hash(r->card_key, card_id, id->card_hash) != WF_OK) {
		logf_(r, "card %s ignored: not a canonical card id", card_id);
		return;
	}
	struct ledger_card lc;
	if (ledger_card_lookup(r->ledger, id->card_hash, &lc) != WF_OK) {
		logf_(r, "card lookup failed: %s", ledger_errmsg(r->ledger));
		return;
	}
	static const enum session_card_kind kinds[] = {
	    [LEDGER_CARD_UNKNOWN] = SESSION_CARD_UNKNOWN,
	    [LEDGER_CARD_RESIDENT] = SESSION_CARD_RESIDENT,
	    [LEDGER_CARD_BLOCKED] = SESSION_CARD_BLOCKED,
	    [LEDGER_CARD_STAFF] = SESSION_CARD_STAFF,
	};
	id->kind = kinds[lc.kind];
	id->id = lc.id;
	snprintf(id->name, sizeof id->name, "%s", lc.name);
	snprintf(id->reason, sizeof id->reason, "%s", lc.reason);
	id->admin = lc.admin;
	id->pin_failures = lc.pin_failures;
	if (lc.kind == LEDGER_CARD_STAFF) {
		r->staff_id = lc.id;
		snprintf(r->staff_pin_hash, sizeof r->staff_pin_hash, "%s", lc.pin_hash);
	} else {
		struct ledger_today today[WF_MAX_CATEGORIES];
		int n = ledger_today(r->ledger, id->card_hash, local_day(utc_at(r, now_session(r))),
		                     today, WF_MAX_CATEGORIES);
		for (int i = 0; i < n; i++) {
			id->today[i].category_id = today[i].category_id;
			id->today[i].qty = today[i].qty;
		}
		id->ntoday = n > 0 ? (unsigned)n : 0;
	}
	static const char *const names[] = {"unknown", "resident", "blocked", "staff"};
	logf_(r, "card %s: %s %s", card_id, names[lc.kind], lc.name);
	step(r, &ev);
}

/* ---- devices ---- */

static enum session_device session_device_of(enum device_role role)
{
	return role == DEVICE_ROLE_SCALE  ? SESSION_DEV_SCALE
	       : role == DEVICE_ROLE_CARD ? SESSION_DEV_CARD
	                                  : SESSION_DEV_PRINTER;
}

static void device_event_to_session(struct runner *r, const struct device_event *de)
{
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	switch (de->kind) {
	case DEVICE_EVENT_UP:
	case DEVICE_EVENT_DOWN:
		logf_(r, "device %s %s%s%s", de->device,
		      de->kind == DEVICE_EVENT_UP ? "up" : "down", *de->reason ? ": " : "",
		      de->reason);
		ev.kind = SESSION_EV_DEVICE;
		ev.u.device.device = session_device_of(de->role);
		ev.u.device.up = de->kind == DEVICE_EVENT_UP;
		step(r, &ev);
		break;
	case DEVICE_EVENT_READING:
		ev.kind = SESSION_EV_READING;
		ev.u.reading.grams = de->u.reading.grams;
		ev.u.reading.has_stable = de->u.reading.has_stable_flag;
		ev.u.reading.stable = de->u.reading.stable;
		/* A status without a weight (motion, busy, overload) is never a
		 * weight to keep: the session ends stability on it at once. */
		ev.u.reading.no_weight = de->u.reading.status_only;
		ev.u.reading.motion = de->u.reading.motion;
		ev.u.reading.overload = de->u.reading.overload;
		ev.u.reading.underload = de->u.reading.underload;
		step(r, &ev);
		break;
	case DEVICE_EVENT_CARD: on_card(r, de->u.card.id); break;
	case DEVICE_EVENT_PRINTER_STATUS:
		ev.kind = SESSION_EV_DEVICE;
		ev.u.device.device = SESSION_DEV_PRINTER;
		ev.u.device.up =
		    !de->u.printer.known || (de->u.printer.online && !de->u.printer.paper_out);
		step(r, &ev);
		break;
	case DEVICE_EVENT_PRINT_DONE:
	case DEVICE_EVENT_PRINT_FAILED: break; /* answered in await_print */
	case DEVICE_EVENT_NOTICE: logf_(r, "device %s: %s", de->device, de->reason); break;
	case DEVICE_EVENT_SCALE_ANSWER:
		/* for staff: the platform must be empty and still for a zero */
		logf_(r, "scale: %s %s%s%s%s",
		      de->u.answer.cmd == DEVICE_SCALE_ZERO   ? "zero"
		      : de->u.answer.cmd == DEVICE_SCALE_TARE ? "tare"
		                                              : "clear tare",
		      de->u.answer.accepted ? "done" : "refused by the scale (empty and still?)",
		      de->u.answer.code[0] ? " [" : "", de->u.answer.code,
		      de->u.answer.code[0] ? "]" : "");
		break;
	}
}

void runner_poll_devices(struct runner *r)
{
	struct device_event de;
	while (r->queue && device_queue_pop(r->queue, &de))
		device_event_to_session(r, &de);
}

int runner_device_fd(const struct runner *r)
{
	return r->queue ? device_queue_fd(r->queue) : -1;
}

static int load_catalog(struct runner *r, char *err, size_t err_len);

/* What the sync thread learnt: central's clock, new categories, the epoch. */
static void follow_sync(struct runner *r)
{
	struct sync_status st;
	sync_get_status(r->sync, &st);
	r->utc_offset_ms = st.offset_ms;
	if (r->awaiting_epoch && st.epoch_done) {
		r->awaiting_epoch = false;
		logf_(r, "central confirmed where the journal continues");
		struct session_event ev = {.kind = SESSION_EV_DEVICE};
		ev.u.device.device = SESSION_DEV_LEDGER;
		ev.u.device.up = true;
		step(r, &ev);
	}
	if (st.catalog_version != r->catalog_version) {
		char err[200];
		struct session_config before = r->scfg;
		if (load_catalog(r, err, sizeof err) != WF_OK ||
		    session_set_catalog(r->session, r->scfg.categories, r->scfg.ncategories) !=
		        WF_OK) {
			r->scfg = before; /* mid-visit or invalid: try again next tick */
			return;
		}
		r->catalog_version = st.catalog_version;
		logf_(r, "down-sync: %u categories loaded", r->scfg.ncategories);
	}
}

void runner_tick(struct runner *r)
{
	if (r->sync)
		follow_sync(r);
	struct session_event ev = {.kind = SESSION_EV_TICK};
	step(r, &ev);
	window_tick(r);
}

bool runner_quit_requested(const struct runner *r)
{
	return r->quit;
}

struct session_view runner_view(const struct runner *r)
{
	return session_view(r->session);
}

uint64_t runner_drops(const struct runner *r)
{
	return r->drops;
}

/* ---- script ---- */

static void advance(struct runner *r, int64_t ms)
{
	int64_t end = r->now_ms + ms;
	while (r->now_ms < end) {
		int64_t next = r->now_ms + READING_STEP_MS;
		r->now_ms = next < end ? next : end;
		runner_poll_devices(r);
		runner_tick(r);
	}
}

static void script_weight(struct runner *r, const struct script_cmd *c)
{
	int64_t end = r->now_ms + c->ms;
	for (;;) {
		struct session_event ev = {.kind = SESSION_EV_READING};
		ev.u.reading = c->reading;
		step(r, &ev);
		if (r->now_ms + READING_STEP_MS > end)
			break;
		if (r->virtual_clock)
			r->now_ms += READING_STEP_MS;
		else {
			struct timespec ts = {0, READING_STEP_MS * 1000 * 1000};
			nanosleep(&ts, NULL);
			now_session(r);
		}
	}
}

static int script_tap(struct runner *r, const struct script_cmd *c, char *err, size_t err_len)
{
	struct session_event ev = {.kind = SESSION_EV_TAP};
	ev.u.tap.control = c->control;
	ev.u.tap.digit = (int)c->number;
	if (c->control == SESSION_TAP_CATEGORY) {
		for (unsigned i = 0; i < r->scfg.ncategories; i++)
			if (!strcmp(r->scfg.categories[i].code, c->arg))
				ev.u.tap.category_id = r->scfg.categories[i].id;
		if (!ev.u.tap.category_id) {
			snprintf(err, err_len, "no category '%s'", c->arg);
			return WF_EINVAL;
		}
	}
	step(r, &ev);
	return WF_OK;
}

static int expect(struct runner *r, const struct script_cmd *c, char *err, size_t err_len)
{
	struct session_view v = session_view(r->session);
	const char *got = NULL;
	if (c->kind == SCRIPT_EXPECT_SCREEN)
		got = session_screen_name(v.screen);
	else if (c->kind == SCRIPT_EXPECT_MESSAGE)
		got = v.message == SESSION_MSG_NONE ? "none" : session_message_name(v.message);
	else if (c->kind == SCRIPT_EXPECT_SCALE)
		got = session_scale_name(v.live);
	if (got && strcmp(got, c->arg)) {
		snprintf(err, err_len, "expected %s %s, but it is %s",
		         c->kind == SCRIPT_EXPECT_SCREEN  ? "screen"
		         : c->kind == SCRIPT_EXPECT_SCALE ? "scale"
		                                          : "message",
		         c->arg, got);
		return WF_EINVAL;
	}
	if (c->kind == SCRIPT_EXPECT_POINTS &&
	    (!v.has_receipt || v.receipt.drop.points != c->number)) {
		snprintf(err, err_len, "expected %lld points on the receipt, got %lld",
		         (long long)c->number,
		         v.has_receipt ? (long long)v.receipt.drop.points : -1LL);
		return WF_EINVAL;
	}
	return WF_OK;
}

/* `sync [MS]`: wake the sync thread, wait for a round ending with an empty outbox. */
static int script_sync(struct runner *r, const struct script_cmd *c, char *err, size_t err_len)
{
	if (!r->sync) {
		snprintf(err, err_len, "sync: no [central] url configured");
		return WF_EINVAL;
	}
	struct sync_status st;
	sync_get_status(r->sync, &st);
	uint64_t before = st.rounds_ok;
	sync_kick(r->sync);
	int64_t end = mono_ms() + c->ms;
	for (;;) {
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
		sync_get_status(r->sync, &st);
		if (st.rounds_ok > before && st.outbox_depth == 0)
			break;
		if (st.rounds_ok > before) {
			before = st.rounds_ok; /* records came in meanwhile: one more round */
			sync_kick(r->sync);
		}
		if (mono_ms() >= end) {
			snprintf(err, err_len,
			         "sync: no round emptied the outbox within %" PRId64
			         " ms (queue %" PRId64 ", last error: %s)",
			         c->ms, st.outbox_depth, st.last_error[0] ? st.last_error : "none");
			return WF_ETIMEDOUT;
		}
	}
	runner_tick(r); /* the epoch answer and a new catalogue take effect now */
	logf_(r, "sync: outbox empty, conflicts %" PRId64, st.conflicts_held);
	return WF_OK;
}

int runner_script(struct runner *r, const struct script_cmd *c, char *err, size_t err_len)
{
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	runner_poll_devices(r);
	switch (c->kind) {
	case SCRIPT_NONE: return WF_OK;
	case SCRIPT_CARD: on_card(r, c->arg); return WF_OK;
	case SCRIPT_WEIGHT: script_weight(r, c); return WF_OK;
	case SCRIPT_TAP: return script_tap(r, c, err, err_len);
	case SCRIPT_PIN:
		for (const char *p = c->arg; *p; p++) {
			struct script_cmd d = {.kind = SCRIPT_TAP, .control = SESSION_TAP_DIGIT};
			d.number = *p - '0';
			script_tap(r, &d, err, err_len);
		}
		ev.kind = SESSION_EV_TAP;
		ev.u.tap.control = SESSION_TAP_CONFIRM;
		step(r, &ev);
		return WF_OK;
	case SCRIPT_WAIT:
		if (r->virtual_clock) {
			advance(r, c->ms);
		} else {
			struct timespec ts = {(time_t)(c->ms / 1000),
			                      (long)(c->ms % 1000) * 1000000};
			nanosleep(&ts, NULL);
			runner_poll_devices(r);
			runner_tick(r);
		}
		return WF_OK;
	case SCRIPT_DEVICE:
		ev.kind = SESSION_EV_DEVICE;
		ev.u.device.device = c->device;
		ev.u.device.up = c->up;
		step(r, &ev);
		return WF_OK;
	case SCRIPT_EXPECT_SCREEN:
	case SCRIPT_EXPECT_MESSAGE:
	case SCRIPT_EXPECT_SCALE:
	case SCRIPT_EXPECT_POINTS: return expect(r, c, err, err_len);
	case SCRIPT_SYNC: return script_sync(r, c, err, err_len);
	case SCRIPT_QUIT: r->quit = true; return WF_ESTATE;
	}
	return WF_EINVAL;
}

/* ---- open / close ---- */

static int load_catalog(struct runner *r, char *err, size_t err_len)
{
	r->scfg = r->cfg.session;
	int n = ledger_categories(r->ledger, r->scfg.categories, WF_MAX_CATEGORIES);
	if (n < 0) {
		snprintf(err, err_len, "journal: %s", ledger_errmsg(r->ledger));
		return n;
	}
	r->scfg.ncategories = (unsigned)n;
	uint32_t version;
	r->has_card_key = ledger_card_key(r->ledger, &version, r->card_key) == WF_OK;
	return WF_OK;
}

static int load_fixture(struct runner *r, char *err, size_t err_len)
{
	if (!r->cfg.fixture_path[0])
		return WF_OK;
	struct downsync d;
	char why[256];
	int rc = downsync_load_file(r->cfg.fixture_path, &d, why, sizeof why);
	if (rc != WF_OK) {
		snprintf(err, err_len, "fixture %s", why);
		return rc;
	}
	rc = downsync_apply(&d, r->ledger);
	if (rc != WF_OK)
		snprintf(err, err_len, "fixture %s: journal: %s", r->cfg.fixture_path,
		         ledger_errmsg(r->ledger));
	else
		logf_(r, "fixture %s: %zu categories, %zu residents, %zu staff, %zu blocked cards",
		      r->cfg.fixture_path, d.ncategories, d.nresidents, d.nstaff, d.nblocks);
	downsync_free(&d);
	return rc;
}

static int start_devices(struct runner *r, char *err, size_t err_len)
{
	r->queue = device_queue_create(1024);
	if (!r->queue) {
		snprintf(err, err_len, "out of memory");
		return WF_ENOMEM;
	}
	for (unsigned i = 0; i < r->cfg.ndevices; i++) {
		const struct device_config *dc = &r->cfg.devices[i];
		struct device *d = NULL;
		int rc = device_start(dc, r->queue, NULL, NULL, &d);
		if (rc != WF_OK) {
			snprintf(err, err_len, "device %s: cannot start: %s", dc->name,
			         wf_strerror(rc));
			return rc;
		}
		if (dc->role == DEVICE_ROLE_SCALE) {
			r->scale = d;
		} else if (dc->role == DEVICE_ROLE_CARD) {
			r->card = d;
		} else {
			r->printer = d;
		}
	}
	return WF_OK;
}

static void sync_log(void *ctx, enum wf_log_level level, const char *msg)
{
	struct runner *r = ctx;
	(void)level;
	logf_(r, "sync: %s", msg); /* stdio is thread-safe per call */
}

/* Notes whether the journal is new, and continues a journal restored from a
 * backup after the numbers it already used (ledger_resume_after_mark). */
static int resume_journal(struct runner *r, char *err, size_t err_len)
{
	uint64_t last = 0, after = 0;
	int rc = ledger_last(r->ledger, &last, NULL);
	r->journal_new = rc == WF_OK && last == 0;
	if (rc == WF_OK)
		rc = ledger_resume_after_mark(r->ledger, utc_at(r, now_session(r)), &after);
	if (rc < 0) {
		snprintf(err, err_len, "journal: %s", ledger_errmsg(r->ledger));
		return rc;
	}
	if (rc == 1)
		logf_(r,
		      "journal ends at seq %" PRIu64 " but this kiosk already used seq %" PRIu64
		      " (restored from a backup?): it continues after %" PRIu64,
		      last, after, after);
	return WF_OK;
}

static int start_sync(struct runner *r, char *err, size_t err_len)
{
	struct sync_config sc = {
	    .url = r->cfg.central_url,
	    .ca_file = r->cfg.ca_file[0] ? r->cfg.ca_file : NULL,
	    .ledger_path = r->cfg.ledger_path,
	    .kiosk = r->cfg.number,
	    .key_id = r->cfg.key_id,
	    .secret_key = r->sign_key,
	    .backoff_cap_ms = r->cfg.backoff_cap_s * 1000,
	    .keep_records = (uint64_t)r->cfg.keep_records,
	    .log = sync_log,
	    .log_ctx = r,
	};
	int rc = sync_create(&sc, &r->sync, err, err_len);
	if (rc != WF_OK)
		return rc;
	if (r->journal_new) {
		/* A new journal on a kiosk central may know: nothing before the epoch answer. */
		r->awaiting_epoch = true;
		struct session_event ev = {.kind = SESSION_EV_DEVICE};
		ev.u.device.device = SESSION_DEV_LEDGER;
		ev.u.device.up = false;
		step(r, &ev);
		logf_(r, "new journal: waiting for central before recording");
	}
	return sync_start(r->sync);
}

int runner_open(const struct runner_opts *o, struct runner **out, char *err, size_t err_len)
{
	*out = NULL;
	struct runner *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, err_len, "out of memory");
		return WF_ENOMEM;
	}
	r->cfg = *o->cfg;
	r->log = o->log;
	r->virtual_clock = o->virtual_clock;
	r->now_ms = o->virtual_clock ? 0 : mono_ms();
	r->utc_base_ms = real_ms();
	/* Days for the daily limit are local days in the kiosk's zone. */
	char tz[80];
	snprintf(tz, sizeof tz, ":%s", r->cfg.timezone);
	setenv("TZ", tz, 1);
	tzset();

	int rc = ledger_open(r->cfg.ledger_path, &r->ledger, err, err_len);
	if (rc == WF_OK)
		rc = resume_journal(r, err, err_len);
	if (rc == WF_OK)
		rc = load_fixture(r, err, err_len);
	if (rc == WF_OK)
		rc = load_catalog(r, err, err_len);
	if (rc == WF_OK && r->cfg.key_file[0]) {
		char why[200];
		rc = signing_keyfile_read_secret(r->cfg.key_file, r->sign_key, why, sizeof why);
		if (rc != WF_OK)
			snprintf(err, err_len, "key_file %s", why);
		r->has_sign_key = rc == WF_OK;
	}
	if (rc == WF_OK && !r->has_sign_key) {
		snprintf(err, err_len,
		         "[kiosk] key_file is required to sign receipts "
		         "(make one with: wufei-kiosk keygen --out FILE)");
		rc = WF_EINVAL;
	}
	if (rc == WF_OK) {
		char why[160];
		r->session = session_create(&r->scfg, now_session(r), why, sizeof why);
		if (!r->session) {
			snprintf(err, err_len, "session: %s", why);
			rc = WF_EINVAL;
		}
	}
	if (rc == WF_OK && (o->screenshot_dir || o->window))
		rc = open_ui(r, o->screenshot_dir, o->window, err, err_len);
	if (rc == WF_OK && o->start_devices)
		rc = start_devices(r, err, err_len);
	if (rc == WF_OK && r->cfg.central_url[0])
		rc = start_sync(r, err, err_len);
	if (rc != WF_OK) {
		runner_close(r);
		return rc;
	}
	if (r->scfg.ncategories == 0)
		logf_(r, "warning: no categories yet: residents cannot drop until down-sync");
	log_view(r);
	*out = r;
	return WF_OK;
}

void runner_close(struct runner *r)
{
	if (!r)
		return;
	sync_destroy(r->sync);
	device_stop(r->scale);
	device_stop(r->card);
	device_stop(r->printer);
	device_queue_destroy(r->queue);
	session_destroy(r->session);
	ledger_close(r->ledger);
#ifdef WUFEI_HAVE_UI
	ui_close(r->ui);
#endif
	sodium_memzero(r->sign_key, sizeof r->sign_key);
	free(r);
}
