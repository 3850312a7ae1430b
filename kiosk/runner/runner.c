/*
 * runner.c — the kiosk's parts wired together for one run: open and close,
 * the pump's step (the session steps on one event at a time, pump.h), the
 * tick, and following the sync thread.
 *
 * Why here and not in the session: everything with I/O (journal, devices,
 * clocks, keys, Argon2id) happens in the runner; the session only decides.
 */
#include "runner_private.h"

#include <inttypes.h>
#include <malloc.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "downsync_apply.h"
#include "wf.h"

/* A line that starts "warning: " or "error: " has that level (the journal's
 * PRIORITY); without the journal the log writes the same prefix back. */
void runner_logf(struct runner *r, const char *fmt, ...)
{
	char msg[WF_LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	enum wf_log_level lv = WF_LOG_INFO;
	const char *text = msg;
	if (!strncmp(msg, "warning: ", 9))
		lv = WF_LOG_WARN, text = msg + 9;
	else if (!strncmp(msg, "error: ", 7))
		lv = WF_LOG_ERROR, text = msg + 7;
	wf_log_printf(r->log, lv, "%s", text);
}

int64_t runner_now(const struct runner *r)
{
	return wf_clock_mono_ms(r->clock);
}

int64_t runner_utc_at(const struct runner *r, int64_t at_ms)
{
	/* a time at_ms of the session happened now - (now - at_ms) */
	int64_t utc = wf_clock_utc_ms(r->clock) - (runner_now(r) - at_ms);
	return utc + r->utc_offset_ms;
}

const struct wf_clock *runner_wait_clock(const struct runner *r)
{
	return r->vclock ? wf_clock_system() : r->clock;
}

/* Back at attract, the visit is over: what it freed (texts evicted from
 * the screen's cache, the visit's buffers) goes back to the system, so the
 * kiosk's resident memory stays flat from day to day (bench/run startup).
 * glibc keeps freed memory inside its heap otherwise. */
static void give_back_memory(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* ---- the pump's callbacks ---- */

static void log_view(struct runner *r)
{
	struct session_view v = session_view(r->session);
	bool weighing = v.screen == SESSION_SCREEN_WEIGH || v.screen == SESSION_SCREEN_CONFIRM ||
	                v.screen == SESSION_SCREEN_STAFF_BIN_WEIGH;
	bool live_changed = weighing && v.live != r->last_live;
	r->last_live = v.live;
	if (live_changed && v.live_has_weight)
		runner_logf(r, "scale %s %" PRId64 " g", session_scale_name(v.live), v.live_grams);
	else if (live_changed)
		runner_logf(r, "scale %s", session_scale_name(v.live));
	if (v.screen == r->last_screen && v.message == r->last_message) {
		if (live_changed && v.live != SESSION_SCALE_SETTLING)
			screen_shot(r, &v); /* what the weight on screen says changed */
		return;
	}
	bool staff_opened = v.screen == SESSION_SCREEN_STAFF && r->last_screen != v.screen;
	r->last_screen = v.screen;
	r->last_message = v.message;
	if (v.message != SESSION_MSG_NONE)
		runner_logf(r, "screen %s (%s)", session_screen_name(v.screen),
		            session_message_name(v.message));
	else
		runner_logf(r, "screen %s", session_screen_name(v.screen));
	if (staff_opened)
		health_log(r);
	screen_shot(r, &v);
	if (v.screen == SESSION_SCREEN_ATTRACT)
		give_back_memory();
}

static int pump_step(void *ctx, struct session_event *ev, struct session_effects *out)
{
	struct runner *r = ctx;
	ev->now_ms = runner_now(r);
	event_anon_today(r, ev);
	return session_step(r->session, ev, out);
}

static void pump_stepped(void *ctx)
{
	log_view(ctx);
}

static void pump_effect(void *ctx, const struct session_effect *fx)
{
	effect_apply(ctx, fx);
}

static const struct pump_ops g_pump_ops = {pump_step, pump_stepped, pump_effect};

void runner_post(struct runner *r, const struct session_event *ev)
{
	if (pump_post(&r->pump, ev) != WF_OK)
		runner_logf(r, "error: event queue full: an event was dropped");
}

void runner_post_simple(struct runner *r, enum session_event_kind kind)
{
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	runner_post(r, &ev);
}

void runner_post_device(struct runner *r, enum session_device dev, bool up)
{
	struct session_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = SESSION_EV_DEVICE;
	ev.u.device.device = dev;
	ev.u.device.up = up;
	runner_post(r, &ev);
}

/* ---- the catalogue, the sync thread, the tick ---- */

int runner_load_catalog(struct runner *r, char *err, size_t err_len)
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

/* What the sync thread learnt: central's clock, new categories, the epoch. */
static void follow_sync(struct runner *r)
{
	struct sync_status st;
	sync_get_status(r->sync, &st);
	r->utc_offset_ms = st.offset_ms;
	if (r->awaiting_epoch && st.epoch_done) {
		r->awaiting_epoch = false;
		runner_logf(r, "central confirmed where the journal continues");
		runner_post_device(r, SESSION_DEV_LEDGER, true);
	}
	if (st.catalog_version != r->catalog_version) {
		char err[200];
		struct session_config before = r->scfg;
		if (runner_load_catalog(r, err, sizeof err) != WF_OK ||
		    session_set_catalog(r->session, r->scfg.categories, r->scfg.ncategories) !=
		        WF_OK) {
			r->scfg = before; /* mid-visit or invalid: try again next tick */
			return;
		}
		r->catalog_version = st.catalog_version;
		runner_logf(r, "down-sync: %u categories loaded", r->scfg.ncategories);
	}
}

void runner_tick(struct runner *r)
{
	if (r->sync)
		follow_sync(r);
	print_deadlines(r);
	metrics_run_tick(r);
	runner_post_simple(r, SESSION_EV_TICK);
	screen_tick(r);
	watch_tick(r);
}

void runner_poll_devices(struct runner *r)
{
	struct device_event de;
	while (r->queue && device_queue_pop(r->queue, &de))
		event_device(r, &de);
}

int runner_device_fd(const struct runner *r)
{
	return r->queue ? device_queue_fd(r->queue) : -1;
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

/* ---- open / close ---- */

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
		runner_logf(
		    r, "fixture %s: %zu categories, %zu residents, %zu staff, %zu blocked cards",
		    r->cfg.fixture_path, d.ncategories, d.nresidents, d.nstaff, d.nblocks);
	downsync_free(&d);
	return rc;
}

/* A device thread's line, with WUFEI_DEVICE= (ctx: a struct runner_devlog). */
static void device_log(void *ctx, enum wf_log_level level, const char *msg)
{
	const struct runner_devlog *dl = ctx;
	wf_log_fields(dl->log, level, &(struct wf_log_ctx){.device = dl->device}, "%s", msg);
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
		/* a device's lines carry WUFEI_DEVICE= (device_log) */
		static const char *const roles[] = {"scale", "card", "printer"};
		struct runner_devlog *dl = &r->devlog[i];
		dl->log = r->log;
		dl->device = roles[dc->role == DEVICE_ROLE_SCALE  ? 0
		                   : dc->role == DEVICE_ROLE_CARD ? 1
		                                                  : 2];
		int rc = device_start_with_clock(dc, r->queue, r->clock, device_log, dl, &d);
		if (rc != WF_OK) {
			snprintf(err, err_len, "device %s: cannot start: %s", dc->name,
			         wf_strerror(rc));
			return rc;
		}
		if (dc->role == DEVICE_ROLE_SCALE)
			r->scale = d;
		else if (dc->role == DEVICE_ROLE_CARD)
			r->card = d;
		else
			r->printer = d;
	}
	return WF_OK;
}

static void sync_log(void *ctx, enum wf_log_level level, const char *msg)
{
	struct runner *r = ctx;
	wf_log_printf(r->log, level, "sync: %s", msg);
}

/* Notes whether the journal is new, and continues a journal restored from a
 * backup after the numbers it already used (ledger_resume_after_mark). */
static int resume_journal(struct runner *r, char *err, size_t err_len)
{
	uint64_t last = 0, after = 0;
	int rc = ledger_last(r->ledger, &last, NULL);
	r->journal_new = rc == WF_OK && last == 0;
	if (rc == WF_OK)
		rc = ledger_resume_after_mark(r->ledger, runner_utc_at(r, runner_now(r)), &after);
	if (rc < 0) {
		snprintf(err, err_len, "journal: %s", ledger_errmsg(r->ledger));
		return rc;
	}
	if (rc == 1)
		runner_logf(r,
		            "journal ends at seq %" PRIu64
		            " but this kiosk already used seq %" PRIu64
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
	    .time_zone = r->cfg.timezone,
	    .clock = runner_wait_clock(r),
	    .log = sync_log,
	    .log_ctx = r,
	};
	int rc = sync_create(&sc, &r->sync, err, err_len);
	if (rc != WF_OK)
		return rc;
	if (r->journal_new) {
		/* A new journal on a kiosk central may know: nothing before the epoch answer. */
		r->awaiting_epoch = true;
		runner_post_device(r, SESSION_DEV_LEDGER, false);
		runner_logf(r, "new journal: waiting for central before recording");
	}
	return sync_start(r->sync);
}

static int load_key(struct runner *r, char *err, size_t err_len)
{
	if (!r->cfg.key_file[0]) {
		snprintf(err, err_len,
		         "[kiosk] key_file is required to sign receipts "
		         "(make one with: wufei-kiosk keygen --out FILE)");
		return WF_EINVAL;
	}
	char why[200];
	int rc = signing_keyfile_read_secret(r->cfg.key_file, r->sign_key, why, sizeof why);
	if (rc != WF_OK) {
		snprintf(err, err_len, "key_file %s", why);
		return rc;
	}
	r->has_sign_key = true;
	/* the public half goes into the journal, so that `ledger verify`
	 * checks every receipt's signature without the kiosk's config */
	rc = ledger_set_receipt_key(r->ledger, r->cfg.key_id,
	                            r->sign_key + SIGNING_SECRET_BYTES - SIGNING_PUBLIC_BYTES);
	if (rc != WF_OK)
		snprintf(err, err_len, "journal: %s", ledger_errmsg(r->ledger));
	return rc;
}

static int create_session(struct runner *r, char *err, size_t err_len)
{
	char why[160];
	r->session = session_create(&r->scfg, runner_now(r), why, sizeof why);
	if (!r->session) {
		snprintf(err, err_len, "session: %s", why);
		return WF_EINVAL;
	}
	pump_init(&r->pump, &g_pump_ops, r);
	return WF_OK;
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
	r->virtual_clock = o->virtual_clock != NULL;
	r->vclock = o->virtual_clock;
	r->clock = o->virtual_clock ? &o->virtual_clock->clock
	           : o->clock       ? o->clock
	                            : wf_clock_system();
	struct ledger_options lo = {.clock = runner_wait_clock(r)};
	ledger_limit_memory(RUNNER_SQLITE_HEAP);
	int rc = ledger_open_with(r->cfg.ledger_path, &lo, &r->ledger, err, err_len);
	if (rc == WF_OK)
		rc = resume_journal(r, err, err_len);
	if (rc == WF_OK)
		rc = load_fixture(r, err, err_len);
	if (rc == WF_OK)
		rc = runner_load_catalog(r, err, err_len);
	if (rc == WF_OK)
		rc = load_key(r, err, err_len);
	if (rc == WF_OK)
		rc = create_session(r, err, err_len);
	if (rc == WF_OK && (o->screenshot_dir || o->window))
		rc = screen_open(r, o->screenshot_dir, o->window, err, err_len);
	if (rc == WF_OK && o->start_devices)
		rc = start_devices(r, err, err_len);
	if (rc == WF_OK && r->cfg.central_url[0])
		rc = start_sync(r, err, err_len);
	if (rc != WF_OK) {
		runner_close(r);
		return rc;
	}
	metrics_run_start(r);
	if (r->scfg.ncategories == 0)
		runner_logf(r, "warning: no categories yet: residents cannot drop until down-sync");
	log_view(r);
	watch_open(r);
	*out = r;
	return WF_OK;
}

void runner_close(struct runner *r)
{
	if (!r)
		return;
	watch_close(r);
	metrics_run_stop(r);
	sync_destroy(r->sync);
	device_stop(r->scale);
	device_stop(r->card);
	device_stop(r->printer);
	device_queue_destroy(r->queue);
	session_destroy(r->session);
	ledger_close(r->ledger);
	beep_close(r);
	screen_close(r);
	sodium_memzero(r->sign_key, sizeof r->sign_key);
	free(r);
}
