/*
 * printing.c — the receipt as the printer prints it (the layout) and the
 * printer's jobs. Printing is asynchronous: the print effect hands the job
 * to the printer's thread and returns at once; the thread's done/failed
 * event, or the job's deadline checked on every tick, becomes PRINTED or
 * PRINT_FAILED. The screen keeps drawing and taking taps meanwhile.
 *
 * The receipt speaks the resident's language (session_receipt.language;
 * reprints keep it): every line through wf_tr. English goes as ESC/POS
 * text; Chinese as GB18030 in the printer's Chinese mode or as one image of
 * all the text, per printer (config.h, struct config_printer).
 */
#include "runner_private.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escpos.h"
#include "i18n.h"
#include "print_raster.h"
#include "wf.h"

/* The category as the receipt names it: its code in English (as receipts
 * always did), its display name from central in Chinese. */
static const char *category_word(const struct runner *r, uint16_t id, enum wf_lang lang)
{
	for (unsigned i = 0; i < r->scfg.ncategories; i++)
		if (r->scfg.categories[i].id == id)
			return lang == WF_LANG_EN || !*r->scfg.categories[i].name
			           ? r->scfg.categories[i].code
			           : r->scfg.categories[i].name;
	return "?";
}

struct layout {
	struct print_line line[PRINT_LINES_MAX];
	size_t n;
};

static struct print_line *add(struct layout *l, enum escpos_align a, bool bold, bool big)
{
	assert(l->n < PRINT_LINES_MAX);
	struct print_line *pl = &l->line[l->n++];
	memset(pl, 0, sizeof *pl);
	pl->align = a;
	pl->bold = bold;
	pl->big = big;
	return pl;
}

/* The receipt's lines above the QR code, in the receipt's language. */
static void receipt_lines(struct runner *r, const struct session_receipt *rc, struct layout *l)
{
	enum wf_lang lang = rc->language;
	const struct session_drop *d = &rc->drop;
	const size_t cap = PRINT_LINE_MAX;
	snprintf(add(l, ESCPOS_CENTER, true, true)->text, cap, "%s", wf_tr(lang, "WUFEI"));
	snprintf(add(l, ESCPOS_CENTER, true, false)->text, cap, "%s",
	         wf_tr(lang, "Zero-waste recycling"));
	snprintf(add(l, ESCPOS_CENTER, false, false)->text, cap, wf_tr(lang, "Kiosk %u  No. %llu"),
	         r->cfg.number, (unsigned long long)rc->seq);
	time_t t = (time_t)(runner_utc_at(r, d->at_ms) / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(add(l, ESCPOS_CENTER, false, false)->text, cap, "%Y-%m-%d %H:%M", &tm);
	const char *cat = category_word(r, d->category_id, lang);
	struct print_line *q = add(l, ESCPOS_LEFT, false, false);
	if (d->unit == WF_UNIT_PIECE)
		snprintf(q->text, cap, wf_tr(lang, "%-12s %lld pcs"), cat, (long long)d->qty);
	else
		snprintf(q->text, cap, wf_tr(lang, "%-12s %lld.%03lld kg"), cat,
		         (long long)(d->qty / 1000), (long long)(d->qty % 1000));
	const char *why = d->anon_capped ? wf_tr(lang, " (anonymous cap)")
	                  : d->capped    ? wf_tr(lang, " (daily limit)")
	                                 : "";
	snprintf(add(l, ESCPOS_LEFT, false, false)->text, cap, wf_tr(lang, "Points       %lld%s"),
	         (long long)d->points, why);
	if (d->anonymous && d->points > 0) /* nothing to claim otherwise */
		snprintf(add(l, ESCPOS_LEFT, false, false)->text, cap, "%s",
		         wf_tr(lang, "Scan to claim your points"));
}

/* How the lines are printed: as text, in the printer's Chinese mode, or
 * drawn into an image. */
enum text_mode { TEXT_ASCII, TEXT_GB18030, TEXT_RASTER };

/* The lines as ESC/POS text; each attribute sent only when it changes. */
static int lines_as_text(struct escpos_job *j, const struct layout *l, enum text_mode mode)
{
	struct print_line now = {.align = ESCPOS_LEFT}; /* after ESC @ */
	for (size_t i = 0; i < l->n; i++) {
		const struct print_line *pl = &l->line[i];
		if (pl->align != now.align)
			escpos_align(j, pl->align);
		if (pl->bold != now.bold)
			escpos_bold(j, pl->bold);
		if (pl->big != now.big)
			escpos_size(j, pl->big ? 2 : 1, pl->big ? 2 : 1);
		now = *pl;
		if (mode == TEXT_GB18030) {
			if (escpos_line_gb18030(j, pl->text) != WF_OK)
				return WF_EINVAL;
		} else {
			escpos_line(j, pl->text);
		}
	}
	return WF_OK;
}

static int paper_dots(const struct runner *r)
{
	return r->cfg.printer.paper_mm == 80 ? ESCPOS_DOTS_80MM : ESCPOS_DOTS_58MM;
}

/* The lines drawn into one image as wide as the paper. */
static int lines_as_raster(struct runner *r, struct escpos_job *j, const struct layout *l)
{
	uint8_t *bits = NULL;
	int rows = 0;
	char err[256];
	int rc = print_raster_text(l->line, l->n, r->cfg.font, paper_dots(r), &bits, &rows, err,
	                           sizeof err);
	if (rc != WF_OK)
		runner_logf(r, "printer: receipt text as an image: %s", err);
	else
		rc = escpos_raster(j, bits, paper_dots(r), rows);
	free(bits);
	return rc;
}

static enum text_mode text_mode(const struct runner *r, enum wf_lang lang)
{
	if (lang == WF_LANG_EN)
		return TEXT_ASCII;
	if (r->cfg.printer.chinese == CONFIG_CHINESE_GB18030)
		return TEXT_GB18030;
	return print_raster_available() ? TEXT_RASTER : TEXT_ASCII;
}

/* Builds the ESC/POS job for a receipt in mode into r->job; its length or 0. */
static size_t receipt_job_in(struct runner *r, const struct session_receipt *rc,
                             enum text_mode mode)
{
	static const enum escpos_cut cuts[] = {
	    [CONFIG_CUT_GS_V_66] = ESCPOS_CUT_GS_V_66,
	    [CONFIG_CUT_GS_V_0] = ESCPOS_CUT_GS_V_0,
	    [CONFIG_CUT_GS_V_1] = ESCPOS_CUT_GS_V_1,
	};
	struct session_receipt in = *rc;
	if (mode == TEXT_ASCII)
		in.language = WF_LANG_EN; /* what a printer without Chinese can print */
	struct layout l = {.n = 0};
	receipt_lines(r, &in, &l);
	struct escpos_job j;
	escpos_begin(&j, r->job, sizeof r->job);
	escpos_printer(&j, paper_dots(r), cuts[r->cfg.printer.cut]);
	int q = mode == TEXT_RASTER ? lines_as_raster(r, &j, &l) : lines_as_text(&j, &l, mode);
	if (q != WF_OK)
		return 0;
	escpos_align(&j, ESCPOS_CENTER);
	q = r->cfg.printer.qr == CONFIG_QR_RASTER ? escpos_qr_raster(&j, rc->token, 4)
	                                          : escpos_qr_native(&j, rc->token, 4);
	if (q != WF_OK)
		runner_logf(r, "printer: the QR code: %s (paper_mm = %d)", wf_strerror(q),
		            r->cfg.printer.paper_mm);
	else if (!escpos_ok(&j))
		runner_logf(r, "printer: the receipt is larger than %d bytes", PRINT_JOB_MAX);
	escpos_feed(&j, 1);
	escpos_cut(&j);
	return q == 0 && escpos_ok(&j) ? j.len : 0;
}

/* The receipt's job; a Chinese one the printer cannot take as set up
 * (the text could not be drawn) is printed in English rather than not at
 * all, and the log says so. */
static size_t receipt_job(struct runner *r, const struct session_receipt *rc)
{
	enum text_mode mode = text_mode(r, rc->language);
	if (rc->language != WF_LANG_EN && mode == TEXT_ASCII)
		runner_logf(r, "printer: chinese = raster needs a wufei-kiosk built with SDL2: "
		               "the receipt is printed in English");
	size_t len = receipt_job_in(r, rc, mode);
	if (len == 0 && mode != TEXT_ASCII) {
		runner_logf(r, "printer: the Chinese receipt failed: printed in English");
		len = receipt_job_in(r, rc, TEXT_ASCII);
	}
	return len;
}

/* How long the printer may take for len bytes: PRINT_WAIT_MS, plus the
 * time the bytes take on a serial line (10 bits a byte). */
static int64_t print_wait_ms(const struct runner *r, size_t len)
{
	const struct device_config *d = config_device(&r->cfg, DEVICE_ROLE_PRINTER);
	int baud = d && d->line.baud > 0 ? d->line.baud : 0;
	return PRINT_WAIT_MS + (baud ? (int64_t)len * 10 * 1000 / baud : 0);
}

void print_receipt(struct runner *r, const struct session_receipt *rc)
{
	runner_logf(r, "receipt: seq %llu %s", (unsigned long long)rc->seq, rc->token);
	if (!r->printer) {
		runner_post_simple(r, SESSION_EV_PRINT_FAILED); /* no printer: on screen only */
		return;
	}
	size_t len = receipt_job(r, rc);
	uint32_t job_id = 0;
	if (len == 0 || r->nwaits == PRINT_JOBS_MAX ||
	    device_print(r->printer, r->job, len, &job_id) != WF_OK) {
		runner_logf(r, "printer: job refused");
		runner_post_simple(r, SESSION_EV_PRINT_FAILED);
		return;
	}
	r->waits[r->nwaits].job_id = job_id;
	r->waits[r->nwaits].deadline_ms = runner_now(r) + print_wait_ms(r, len);
	r->nwaits++;
}

/* Forgets wait i; the others keep their order. */
static void forget(struct runner *r, unsigned i)
{
	memmove(r->waits + i, r->waits + i + 1, (r->nwaits - i - 1) * sizeof r->waits[0]);
	r->nwaits--;
}

void print_answer(struct runner *r, const struct device_event *de)
{
	for (unsigned i = 0; i < r->nwaits; i++) {
		if (r->waits[i].job_id != de->u.job_id)
			continue;
		forget(r, i);
		bool done = de->kind == DEVICE_EVENT_PRINT_DONE;
		runner_logf(r, "printer: %s%s%s", done ? "printed" : "FAILED",
		            *de->reason ? ": " : "", de->reason);
		runner_post_simple(r, done ? SESSION_EV_PRINTED : SESSION_EV_PRINT_FAILED);
		return;
	}
	/* an answer after its deadline: the job was already reported failed */
}

void print_deadlines(struct runner *r)
{
	int64_t now = runner_now(r);
	for (unsigned i = 0; i < r->nwaits;) {
		if (now < r->waits[i].deadline_ms) {
			i++;
			continue;
		}
		runner_logf(r, "printer: FAILED: no answer in time");
		forget(r, i);
		runner_post_simple(r, SESSION_EV_PRINT_FAILED);
	}
}
