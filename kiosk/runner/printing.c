/*
 * printing.c — the receipt as the printer prints it (the layout) and the
 * printer's jobs. Printing is asynchronous: the print effect hands the job
 * to the printer's thread and returns at once; the thread's done/failed
 * event, or the job's deadline checked on every tick, becomes PRINTED or
 * PRINT_FAILED. The screen keeps drawing and taking taps meanwhile.
 */
#include "runner_private.h"

#include <string.h>
#include <time.h>

#include "escpos.h"
#include "wf.h"

static const char *category_code(const struct runner *r, uint16_t id)
{
	for (unsigned i = 0; i < r->scfg.ncategories; i++)
		if (r->scfg.categories[i].id == id)
			return r->scfg.categories[i].code;
	return "?";
}

/* The receipt's lines above the QR code. */
static void receipt_text(struct runner *r, struct escpos_job *j, const struct session_receipt *rc)
{
	char line[80], when[32];
	escpos_align(j, ESCPOS_CENTER);
	escpos_bold(j, true);
	escpos_size(j, 2, 2);
	escpos_line(j, "WUFEI");
	escpos_size(j, 1, 1);
	escpos_line(j, "Zero-waste recycling");
	escpos_bold(j, false);
	snprintf(line, sizeof line, "Kiosk %u  No. %llu", r->cfg.number,
	         (unsigned long long)rc->seq);
	escpos_line(j, line);
	time_t t = (time_t)(runner_utc_at(r, rc->drop.at_ms) / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	escpos_line(j, when);
	escpos_align(j, ESCPOS_LEFT);
	if (rc->drop.unit == WF_UNIT_PIECE)
		snprintf(line, sizeof line, "%-12s %lld pcs",
		         category_code(r, rc->drop.category_id), (long long)rc->drop.qty);
	else
		snprintf(line, sizeof line, "%-12s %lld.%03lld kg",
		         category_code(r, rc->drop.category_id), (long long)(rc->drop.qty / 1000),
		         (long long)(rc->drop.qty % 1000));
	escpos_line(j, line);
	snprintf(line, sizeof line, "Points       %lld%s", (long long)rc->drop.points,
	         rc->drop.capped ? " (daily limit)" : "");
	escpos_line(j, line);
	if (rc->drop.anonymous)
		escpos_line(j, "Scan to claim your points");
}

/* Builds the ESC/POS job for a receipt into r->job; returns its length or 0. */
static size_t receipt_job(struct runner *r, const struct session_receipt *rc)
{
	struct escpos_job j;
	escpos_begin(&j, r->job, sizeof r->job);
	receipt_text(r, &j, rc);
	escpos_align(&j, ESCPOS_CENTER);
	int q = r->cfg.printer_qr == CONFIG_QR_RASTER ? escpos_qr_raster(&j, rc->token, 4)
	                                              : escpos_qr_native(&j, rc->token, 4);
	escpos_feed(&j, 1);
	escpos_cut(&j);
	return q == 0 && escpos_ok(&j) ? j.len : 0;
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
	r->waits[r->nwaits].deadline_ms = runner_now(r) + PRINT_WAIT_MS;
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
		runner_logf(r, "printer: FAILED: no answer within %d s", PRINT_WAIT_MS / 1000);
		forget(r, i);
		runner_post_simple(r, SESSION_EV_PRINT_FAILED);
	}
}
