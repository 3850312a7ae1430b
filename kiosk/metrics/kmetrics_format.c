/* kmetrics_format.c — the kiosk's metrics as Prometheus text (kmetrics.h). Pure. */
#include "kmetrics.h"
#include "promtext.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void kmetrics_count_drop(struct kmetrics_counts *c, uint16_t category, int64_t grams,
                         int64_t points)
{
	unsigned i = 0;
	while (i < c->n && c->cat[i].id != category)
		i++;
	if (i == c->n) {
		if (c->n == KMETRICS_CATEGORIES_MAX)
			return;
		memset(&c->cat[i], 0, sizeof c->cat[i]);
		c->cat[i].id = category;
		c->n++;
	}
	c->cat[i].drops++;
	c->cat[i].grams += grams > 0 ? grams : 0;
	c->cat[i].points += points > 0 ? points : 0;
}

static const char *code_of(const struct kmetrics_snapshot *m, uint16_t id)
{
	for (unsigned i = 0; i < m->ncats; i++)
		if (m->cats[i].id == id)
			return m->cats[i].code;
	return "";
}

static void format_drops(struct promtext *o, const struct kmetrics_snapshot *m)
{
	static const char *const names[3] = {"wufei_kiosk_drops_total", "wufei_kiosk_grams_total",
	                                     "wufei_kiosk_points_total"};
	static const char *const helps[3] = {
	    "Drops recorded in the journal since the kiosk started, per category.",
	    "Grams of those drops (weighed categories), since the kiosk started.",
	    "Points credited for those drops, since the kiosk started."};
	unsigned n = m->counts ? m->counts->n : 0;
	for (int f = 0; f < 3; f++) {
		promtext_family(o, names[f], "counter", helps[f]);
		for (unsigned i = 0; i < n; i++) {
			const struct kmetrics_category_count *c = &m->counts->cat[i];
			char code[3 * 64];
			promtext_label(code_of(m, c->id), code, sizeof code);
			int64_t v = f == 0 ? (int64_t)c->drops : f == 1 ? c->grams : c->points;
			promtext_put(o,
			             "%s{kiosk=\"%" PRIu32
			             "\",category_id=\"%u\",category=\"%s\"} %" PRId64 "\n",
			             names[f], m->kiosk, c->id, code, v);
		}
	}
}

static void gauge(struct promtext *o, const struct kmetrics_snapshot *m, const char *name,
                  const char *help, int64_t v)
{
	if (v < 0)
		return;
	promtext_family(o, name, "gauge", help);
	promtext_put(o, "%s{kiosk=\"%" PRIu32 "\"} %" PRId64 "\n", name, m->kiosk, v);
}

static void format_devices(struct promtext *o, const struct kmetrics_snapshot *m)
{
	static const char *const roles[KMETRICS_DEVICES] = {"scale", "card", "printer"};
	promtext_family(o, "wufei_kiosk_device_up", "gauge",
	                "1 while the device answers, 0 while it is down; configured devices only.");
	for (int i = 0; i < KMETRICS_DEVICES; i++)
		if (m->device_up[i] >= 0)
			promtext_put(
			    o, "wufei_kiosk_device_up{kiosk=\"%" PRIu32 "\",device=\"%s\"} %d\n",
			    m->kiosk, roles[i], m->device_up[i] ? 1 : 0);
}

int kmetrics_format(const struct kmetrics_snapshot *m, char *buf, size_t cap)
{
	struct promtext o;
	promtext_init(&o, buf, cap);
	if (cap == 0)
		return -1;
	buf[0] = '\0';
	char name[3 * 128];
	promtext_label(m->name, name, sizeof name);
	promtext_family(&o, "wufei_kiosk_info", "gauge", "The kiosk's number and name (always 1).");
	promtext_put(&o, "wufei_kiosk_info{kiosk=\"%" PRIu32 "\",name=\"%s\"} 1\n", m->kiosk, name);
	format_drops(&o, m);
	gauge(&o, m, "wufei_kiosk_outbox_records",
	      "Journal records not yet acknowledged by central.", m->outbox);
	gauge(&o, m, "wufei_kiosk_conflicts_held",
	      "Records central holds differently, kept for staff (wufei-kiosk ledger conflicts).",
	      m->conflicts);
	gauge(&o, m, "wufei_kiosk_sync_enabled", "1 when [central] url is set.",
	      m->sync_enabled ? 1 : 0);
	gauge(&o, m, "wufei_kiosk_sync_last_success_age_seconds",
	      "Seconds since the last sync with central succeeded (absent: none since start).",
	      m->sync_enabled ? m->since_sync_ok_s : -1);
	format_devices(&o, m);
	gauge(&o, m, "wufei_kiosk_journal_bytes", "Size of the journal file and its WAL.",
	      m->journal_bytes);
	gauge(&o, m, "wufei_kiosk_metrics_timestamp_seconds",
	      "When the kiosk wrote this file (UTC seconds); stale: the kiosk is not running.",
	      m->now_s);
	return o.full ? -1 : (int)o.len;
}
