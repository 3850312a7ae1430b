/*
 * web_report_words.c — a report's words on a page in the page's language:
 * column titles and table captions by the report's keys, the fixed words in
 * cells (the report's N_() texts), durations from their seconds, record
 * kinds, the close status's parts and the notes under the tables
 * (report_table's note_msg). The report module keeps writing English for
 * the terminal, JSON and CSV; only the pages translate. See web_private.h.
 */
#include "web_private.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "record.h"
#include "report.h"

/* Column titles on the pages, by the report's JSON key; others show the report's title. */
static const struct {
	const char *key, *label;
} col_labels[] = {
    {"day", N_("Day")},
    {"kiosk", N_("Kiosk")},
    {"category", N_("Category #")},
    {"category_name", N_("Category")},
    {"drops", N_("Drops")},
    {"grams", N_("Grams")},
    {"pieces", N_("Pieces")},
    {"points", N_("Points issued")},
    {"points_claimed", N_("Points claimed")},
    {"points_redeemed", N_("Points redeemed")},
    {"close_no", N_("Close #")},
    {"late_drops", N_("Drops since close")},
    {"late_grams", N_("Grams since close")},
    {"late_pieces", N_("Pieces since close")},
    {"late_points", N_("Points since close")},
    {"from_seq", N_("From seq")},
    {"to_seq", N_("To seq")},
    {"count", N_("Records")},
    {"why", N_("What")},
    {"name", N_("Name")},
    {"last_heartbeat", N_("Last heard")},
    {"silent", N_("Silent for")},
    {"silent_s", N_("Seconds")},
    {"seq", N_("Seq")},
    {"kind", N_("Kind")},
    {"time", N_("Recorded")},
    {"received", N_("Received")},
    {"late", N_("Late by")},
    {"late_s", N_("Seconds")},
    {"collected", N_("Collected")},
    {"bin_grams", N_("Bin grams")},
    {"since_seq", N_("Since seq")},
    {"drop_grams", N_("Drop grams")},
    {"diff_grams", N_("Difference (g)")},
    {"diff_percent", N_("Difference (%)")},
    {"check", N_("Check")},
    {"kiosk_seq", N_("Kiosk close seq")},
    {"kiosk_drops", N_("Kiosk: drops")},
    {"kiosk_grams", N_("Kiosk: grams")},
    {"kiosk_pieces", N_("Kiosk: pieces")},
    {"kiosk_points", N_("Kiosk: points")},
    {"central_drops", N_("Central: drops")},
    {"central_grams", N_("Central: grams")},
    {"central_pieces", N_("Central: pieces")},
    {"central_points", N_("Central: points")},
    {"closed", N_("Closed")},
    {"frozen_drops", N_("Frozen: drops")},
    {"frozen_grams", N_("Frozen: grams")},
    {"frozen_pieces", N_("Frozen: pieces")},
    {"frozen_points", N_("Frozen: points")},
    {"status", N_("Status")},
    {"resident", N_("Resident")},
    {"balance", N_("Balance now")},
    {"earned", N_("Earned")},
    {"claimed", N_("Claimed")},
    {"redeemed", N_("Redeemed")},
    {"adjusted", N_("Adjusted")},
    {"days", N_("Days")},
    {"near_days", N_("Near-limit days")},
    {"every_day", N_("Every day")},
};

/* The tables' captions by table name, and the report's fixed words in cells. */
static const struct {
	const char *key, *label;
} table_labels[] =
    {
        {"rows", N_("Daily totals by local day, kiosk and category")},
        {"missing", N_("Sequence numbers central does not hold")},
        {"silent", N_("Kiosks not heard from")},
        {"late", N_("Records that arrived late")},
        {"bins", N_("Bin collections against the drops weighed since the previous one")},
        {"closes", N_("Day closes: the kiosk's own, central's totals now, the office's close")},
        {"residents", N_("Points per resident (names masked)")},
        {"near_limit", N_("Residents near a daily limit on many days")},
},
  cell_words[] = {
      {"TOTAL", N_("Total")},
      {"ok", N_("ok")},
      {"CHECK", N_("check this")},
      {"agrees", N_("agrees")},
      {"yes", N_("yes")},
      {"no", N_("no")},
      {"active", N_("active")},
      {"blocked", N_("blocked")},
      {"never", N_("not heard yet")},
      {"not held: records after it are", N_("not held: records after them are")},
      {"used by the kiosk (its heartbeat), not received yet",
       N_("used by the kiosk (its heartbeat), not received yet")},
};

const char *web_report_table_label(enum wf_lang lang, const struct report_table *t)
{
	for (size_t i = 0; i < sizeof table_labels / sizeof table_labels[0]; i++)
		if (!strcmp(table_labels[i].key, t->name))
			return wf_tr(lang, table_labels[i].label);
	return t->title;
}

const char *web_report_col_label(enum wf_lang lang, const struct report_col *c)
{
	for (size_t i = 0; i < sizeof col_labels / sizeof col_labels[0]; i++)
		if (!strcmp(col_labels[i].key, c->key))
			return wf_tr(lang, col_labels[i].label);
	return c->title;
}

/* A fixed word of a report in lang: the page's own wording, else the
 * report's N_() text translated (a name that is no msgid stays itself). */
static const char *cell_word(enum wf_lang lang, const struct report_col *col, const char *text)
{
	for (size_t i = 0; i < sizeof cell_words / sizeof cell_words[0]; i++)
		if (!strcmp(cell_words[i].key, text))
			return wf_tr(lang, cell_words[i].label);
	/* columns whose texts are all the report's own words */
	if (!strcmp(col->key, "why") || !strcmp(col->key, "advice"))
		return wf_tr(lang, text);
	return text;
}

static int col_of(const struct report_table *t, const char *key)
{
	for (int c = 0; c < t->ncols; c++)
		if (!strcmp(t->cols[c].key, key))
			return c;
	return -1;
}

/* s seconds as the reports write a duration, in lang ("2 h 0 min"). */
static void duration_text(enum wf_lang lang, int64_t s, char *out, size_t cap)
{
	long long a[2] = {0, 0};
	const char *fmt = report_duration_fmt(s, a); /* before a is read */
	snprintf(out, cap, wf_tr(lang, fmt), a[0], a[1]);
}

/* The close status (report.h's parts joined by "; ") in lang. */
static void close_status_text(struct web_ctx *w, const struct report_table *t, size_t row,
                              const char *text, char *out, size_t cap)
{
	const char *changed = report_close_changed;
	size_t prefix = (size_t)(strchr(changed, '%') - changed), n = 0;
	int cn = col_of(t, "close_no");
	int64_t close_no = 0;
	if (cn >= 0)
		report_cell_int(t, row, cn, &close_no);
	out[0] = '\0';
	while (*text && n < cap) {
		char part[160];
		size_t len = strcspn(text, ";");
		snprintf(part, sizeof part, "%.*s", (int)len, text);
		if (n)
			n += (size_t)snprintf(out + n, cap - n, "%s", wf_tr(w->lang, "; "));
		if (n < cap && !strncmp(part, changed, prefix))
			n += (size_t)snprintf(out + n, cap - n, wf_tr(w->lang, changed),
			                      (long long)close_no);
		else if (n < cap)
			n += (size_t)snprintf(out + n, cap - n, "%s", wf_tr(w->lang, part));
		text += len;
		while (*text == ';' || *text == ' ')
			text++;
	}
}

void web_report_text_cell(struct web_ctx *w, const struct report_table *t, size_t row, int c)
{
	const struct report_col *col = &t->cols[c];
	const char *text = report_cell_text(t, row, c);
	char buf[400], key[32];
	int64_t v = 0;
	bool flag = text && !strcmp(text, "CHECK"); /* bins beyond the tolerance */
	snprintf(key, sizeof key, "%s_s", col->key);
	int cs = col_of(t, key);
	if (!text)
		text = "";
	else if (cs >= 0 && report_cell_int(t, row, cs, &v)) { /* silent, late: "2 h 0 min" */
		duration_text(w->lang, v, buf, sizeof buf);
		text = buf;
	} else if (!strcmp(col->key, "kind")) {
		for (uint32_t k = 1; k < 32; k++)
			if (!strcmp(wf_record_kind_name((int)k), text)) {
				text = web_kind_label(w->lang, k);
				break;
			}
	} else if (!strcmp(col->key, "status") && !strcmp(t->name, "closes")) {
		close_status_text(w, t, row, text, buf, sizeof buf);
		text = buf;
	} else
		text = cell_word(w->lang, col, text);
	/* a sentence wraps (a table fits the page); a name or a time stays whole */
	bool wrap = strlen(text) > 20;
	web_raw(&w->b, flag ? "<td class=bad>" : wrap ? "<td class=wrap>" : "<td>");
	web_text(&w->b, text);
	web_raw(&w->b, "</td>");
}

void web_report_note(struct web_ctx *w, const struct report_table *t)
{
	char dur[64] = "", text[sizeof t->note + 256];
	const struct report_msg *m = &t->note_msg;
	if (!t->note[0])
		return;
	if (m->fmt) {
		if (m->dur_s >= 0)
			duration_text(w->lang, m->dur_s, dur, sizeof dur);
		report_msg_format(m, wf_tr(w->lang, m->fmt), dur, text, sizeof text);
	} else
		snprintf(text, sizeof text, "%s", t->note);
	web_raw(&w->b, "<p class=note>");
	web_text(&w->b, text);
	web_raw(&w->b, "</p>");
}

/* Columns the pages leave to "All columns": (table, column) pairs; with
 * "?" before the column: only when every row has it empty or 0. */
static const struct {
	const char *table, *col;
} page_hidden[] = {
    {"rows", "category"},        {"rows", "?close_no"},        {"rows", "?late_drops"},
    {"rows", "late_grams"},      {"rows", "late_pieces"},      {"rows", "?late_points"},
    {"silent", "silent_s"},      {"late", "late_s"},           {"bins", "category"},
    {"closes", "kiosk_seq"},     {"closes", "kiosk_grams"},    {"closes", "kiosk_pieces"},
    {"closes", "central_grams"}, {"closes", "central_pieces"}, {"closes", "frozen_grams"},
    {"closes", "frozen_pieces"}, {"closes", "closed"},
};

static bool col_all_zero(const struct report_table *t, int c)
{
	int64_t v = 0;
	for (size_t r = 0; r < t->nrows; r++)
		if (report_cell_int(t, r, c, &v) && v != 0)
			return false;
	return true;
}

bool web_report_col_shown(const struct report_table *t, int c)
{
	const char *key = t->cols[c].key;
	for (size_t i = 0; i < sizeof page_hidden / sizeof page_hidden[0]; i++) {
		const char *col = page_hidden[i].col;
		bool if_zero = col[0] == '?';
		if (strcmp(page_hidden[i].table, t->name) || strcmp(col + if_zero, key))
			continue;
		return if_zero && !col_all_zero(t, c);
	}
	return true;
}
