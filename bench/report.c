/*
 * report.c — benchmark: the office's reports on a year of a city's drops.
 * Fills a SQLite store through the store interface (store.h record_insert,
 * so the summaries are kept as ingest keeps them) with DROPS drops from
 * KIOSKS kiosks over 365 days (real canonical records, chained; a bin
 * collection every 200 records; some records late; a few holes, and
 * heartbeats naming seq central does not hold), in large transactions with
 * synchronous=OFF for the fill only. Then, on the store opened again with
 * its real settings, times `report daily` for one day, for 30 days and
 * `report gaps`, each built and written as a table to /dev/null, median of
 * three runs, and checks the 30 days' total against the drops it made.
 * Also `report residents` for the 30 days (RESIDENTS enrolled, each listed),
 * on its own line, outside the target.
 * Last line: "report: sqlite <slowest> s (target 1 s)".
 * With WUFEI_BENCH_PG set to the URL of a new PostgreSQL database, the same
 * records go there by COPY instead (report_pg.c) and the last line says
 * "report: postgresql".
 *
 * usage: wufei-bench-report [DROPS [KIOSKS]]   (default 10000000 2000)
 * WUFEI_BENCH_DIR: where the store goes (default /var/tmp); WUFEI_BENCH_KEEP=1
 * keeps it and uses it again for the same DROPS and KIOSKS.
 */
#define _XOPEN_SOURCE 700
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "chain.h"
#include "clock.h"
#include "record.h"
#include "report.h"
#include "report_bench.h"
#include "store.h"
#include "wf.h"

#define TX_ROWS   50000
#define RUNS      3
#define DROPS_COL 4 /* the daily report's drops column */

const int64_t bench_cat_rates[NCAT + 1] = {0, 2000, 1500, 1000, 5};

static double now_s(void)
{
	return (double)wf_clock_mono_ns() / 1e9;
}

uint32_t bench_local_day(int day)
{
	struct tm tm;
	time_t t = (time_t)(DAY0_S + (int64_t)day * 86400);
	gmtime_r(&t, &tm);
	return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

static int rated(struct store *s)
{
	static const char *const names[NCAT + 1] = {"", "废纸 paper", "塑料 plastic", "玻璃 glass",
	                                            "电池 batteries"};
	for (uint16_t c = 1; c <= NCAT; c++) {
		struct wf_category cat = {.id = c,
		                          .unit = c == 4 ? WF_UNIT_PIECE : WF_UNIT_GRAM,
		                          .rate = bench_cat_rates[c],
		                          .min_qty = 1,
		                          .max_qty = 1000000};
		snprintf(cat.code, sizeof cat.code, "c%u", (unsigned)c);
		snprintf(cat.name, sizeof cat.name, "%s", names[c]);
		if (s->ops->rate_set(s, &cat, DAY0_S))
			return -1;
	}
	return 0;
}

void bench_make(uint32_t kiosk, uint32_t seq, long i, long per_kiosk, uint32_t *rnd,
                struct wf_record *r, int *day)
{
	*rnd = *rnd * 1103515245u + 12345u;
	uint32_t v = *rnd >> 8;
	*day = (int)(i * DAYS / per_kiosk);
	memset(r, 0, sizeof *r);
	r->kiosk = kiosk;
	r->seq = seq;
	r->time_ms = (DAY0_S + (int64_t)*day * 86400 - TZ_S + 8 * 3600 + v % 36000) * 1000;
	if (seq % 200 == 0) {
		r->kind = WF_RECORD_BIN;
		r->bin.category_id = (uint16_t)(1 + v % 3);
		r->bin.grams = 50000 + v % 100000;
		r->bin.staff_id = 1;
		return;
	}
	uint16_t c = (uint16_t)(1 + v % NCAT);
	r->kind = WF_RECORD_DROP;
	r->drop.category_id = c;
	r->drop.unit = c == 4 ? WF_UNIT_PIECE : WF_UNIT_GRAM;
	r->drop.qty = c == 4 ? 1 + v % 20 : 100 + v % 8000;
	r->drop.credited_qty = r->drop.qty;
	wf_points(r->drop.unit, bench_cat_rates[c], r->drop.qty, &r->drop.points);
	r->drop.rate_version = 1;
	r->drop.resident_id = 1 + v % RESIDENTS;
	memset(r->drop.card_hash, 0x5a, sizeof r->drop.card_hash);
	r->drop.local_day = bench_local_day(*day);
}

/* The drops' residents enrolled, in one transaction. */
static int enrol(struct store *s)
{
	int rc = s->ops->begin(s);
	for (int64_t id = 1; !rc && id <= RESIDENTS; id++) {
		struct store_resident r = {.id = id, .name = "R*", .status = "active"};
		snprintf(r.card_hash, sizeof r.card_hash, "%064llx", (unsigned long long)id);
		rc = s->ops->resident_put(s, &r);
	}
	if (!rc)
		rc = s->ops->commit(s);
	return rc ? -1 : 0;
}

/* One kiosk's year into s: records, a hole now and then, a heartbeat. */
static int fill_kiosk(struct store *s, uint32_t kiosk, long per_kiosk, struct fill *fl)
{
	uint8_t prev[WF_HASH_BYTES] = {0}, bytes[WF_RECORD_MAX_LEN];
	uint32_t rnd = kiosk * 2654435761u, seq = 0;
	for (long i = 0; i < per_kiosk; i++) {
		struct wf_record rec;
		int day = 0;
		bench_make(kiosk, ++seq, i, per_kiosk, &rnd, &rec, &day);
		int len = wf_record_encode(&rec, bytes, sizeof bytes);
		if (len <= 0)
			return -1;
		struct store_record r = {.kiosk = kiosk, .seq = seq, .kind = rec.kind};
		r.bytes = bytes;
		r.len = (size_t)len;
		wf_chain_next(prev, bytes, r.len, r.hash);
		memcpy(prev, r.hash, WF_HASH_BYTES);
		store_record_facts(&r, &rec);
		r.received_s = BENCH_RECEIVED(r.time_s, rnd);
		if (BENCH_LOST(kiosk, i))
			continue;
		int rc = s->ops->record_insert(s, &r);
		if (rc != 1)
			return -1;
		fl->records++;
		if (rec.kind == WF_RECORD_DROP && day >= ONE_DAY && day < ONE_DAY + 30)
			fl->drops_window++;
	}
	return s->ops->heartbeat_put(s, kiosk, BENCH_BEAT_SEQ(kiosk, seq), 0, "bench", "{}",
	                             BENCH_BEAT_S(kiosk));
}

static int fill(const char *url, long drops, long kiosks, struct fill *fl)
{
	char why[512];
	struct store *s = NULL;
	if (store_open(url, &s, why, sizeof why)) {
		fprintf(stderr, "report: %s\n", why);
		return -1;
	}
	long per_kiosk = drops / kiosks;
	double t0 = now_s();
	int rc = s->ops->bulk_load(s, 1) || rated(s) ? -1 : 0;
	long in_tx = 0;
	for (long k = 1; !rc && k <= kiosks; k++) {
		if (in_tx == 0 && s->ops->begin(s))
			rc = -1;
		if (!rc && s->ops->kiosk_add(s, (uint32_t)k, "bench", DAY0_S))
			rc = -1;
		if (!rc && fill_kiosk(s, (uint32_t)k, per_kiosk, fl))
			rc = -1;
		in_tx += per_kiosk;
		if (!rc && (in_tx >= TX_ROWS || k == kiosks)) {
			rc = s->ops->commit(s) ? -1 : 0;
			in_tx = 0;
		}
		if (k % 200 == 0)
			fprintf(stderr, "  filled %ld kiosks, %ld records, %.0f s\n", k,
			        fl->records, now_s() - t0);
	}
	if (!rc)
		rc = enrol(s);
	if (rc)
		fprintf(stderr, "report: fill failed: %s\n", store_errmsg(s));
	if (!rc)
		rc = s->ops->bulk_load(s, 0) ? -1 : 0;
	store_close(s);
	printf("filled %ld records (%ld kiosks, %d days) in %.0f s\n", fl->records, kiosks, DAYS,
	       now_s() - t0);
	return rc;
}

/* Seconds to build report fn with o and write it as a table to /dev/null;
 * the built report's total drops into *total (daily) when total is not NULL. */
static double timed(struct store *s,
                    int (*fn)(struct store *, const struct report_opts *, struct report *),
                    const struct report_opts *o, FILE *devnull, int64_t *total)
{
	struct report rep;
	double t0 = now_s();
	int rc = fn(s, o, &rep);
	if (!rc)
		rc = report_write(devnull, REPORT_FORMAT_TABLE, &rep);
	double t = now_s() - t0;
	if (!rc && total) {
		const struct report_table *tb = &rep.tables[0];
		report_cell_int(tb, tb->nrows - 1, DROPS_COL, total); /* TOTAL's drops */
	}
	if (rc)
		fprintf(stderr, "report: %s\n", store_errmsg(s));
	report_free(&rep);
	return rc ? -1 : t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The median of RUNS runs. */
static double median(struct store *s,
                     int (*fn)(struct store *, const struct report_opts *, struct report *),
                     const struct report_opts *o, FILE *devnull, int64_t *total)
{
	double t[RUNS];
	for (int i = 0; i < RUNS; i++) {
		t[i] = timed(s, fn, o, devnull, total);
		if (t[i] < 0)
			return -1;
	}
	qsort(t, RUNS, sizeof t[0], cmp_double);
	return t[RUNS / 2];
}

static int measure(const char *url, const char *backend, const struct fill *fl)
{
	char why[512];
	struct store *s = NULL;
	FILE *devnull = fopen("/dev/null", "w");
	if (!devnull || store_open(url, &s, why, sizeof why)) {
		fprintf(stderr, "report: cannot open the store: %s\n", why);
		return 1;
	}
	struct report_opts o;
	int64_t total = -1;
	report_opts_default(&o, DAY0_S + DAYS * 86400);
	o.filter.from_day = o.filter.to_day = bench_local_day(ONE_DAY);
	double one = median(s, report_daily, &o, devnull, NULL);
	o.filter.to_day = bench_local_day(ONE_DAY + 29);
	double month = median(s, report_daily, &o, devnull, &total);
	double residents = median(s, report_residents, &o, devnull, NULL);
	o.filter = (struct store_report_filter){0};
	double gaps = median(s, report_gaps, &o, devnull, NULL);
	store_close(s);
	fclose(devnull);
	if (one < 0 || month < 0 || gaps < 0 || residents < 0)
		return 1;
	printf("daily, one day:  %.3f s\n", one);
	printf("daily, 30 days:  %.3f s (%" PRId64 " drops; made %ld)\n", month, total,
	       fl->drops_window);
	printf("gaps:            %.3f s\n", gaps);
	printf("residents, 30 days: %.3f s (%d residents; not in the target)\n", residents,
	       RESIDENTS);
	if (total != fl->drops_window) {
		fprintf(stderr, "report: the 30 days' total is not the drops made\n");
		return 1;
	}
	double worst = one > month ? one : month;
	worst = gaps > worst ? gaps : worst;
	printf("report: %s %.2f s (target 1 s)\n", backend, worst);
	return 0;
}

int main(int argc, char **argv)
{
	long drops = argc > 1 ? atol(argv[1]) : 10000000L;
	long kiosks = argc > 2 ? atol(argv[2]) : 2000L;
	const char *dir = getenv("WUFEI_BENCH_DIR");
	bool keep = getenv("WUFEI_BENCH_KEEP") && strcmp(getenv("WUFEI_BENCH_KEEP"), "1") == 0;
	char db[512], url[600], side[600];
	if (drops < kiosks || kiosks < 1 || kiosks > 100000) {
		fputs("usage: wufei-bench-report [DROPS [KIOSKS]]\n", stderr);
		return 2;
	}
	const char *pg = getenv("WUFEI_BENCH_PG");
	if (pg && *pg) { /* a new database of a throwaway cluster (report.sh starts it) */
		struct fill fl = {0};
		return bench_fill_pg(pg, drops, kiosks, &fl) ? 1 : measure(pg, "postgresql", &fl);
	}
	snprintf(db, sizeof db, "%s/wufei-bench-report-%ld-%ld.db", dir && *dir ? dir : "/var/tmp",
	         drops, kiosks);
	snprintf(url, sizeof url, "sqlite:%s", db);
	snprintf(side, sizeof side, "%s.filled", db);
	struct fill fl = {0};
	FILE *f = keep ? fopen(side, "r") : NULL;
	if (f && fscanf(f, "%ld %ld", &fl.drops_window, &fl.records) == 2)
		printf("using the store filled before: %s\n", db);
	else {
		const char *const sfx[] = {"", "-wal", "-shm", ".filled"};
		for (size_t i = 0; i < 4; i++) {
			snprintf(side, sizeof side, "%s%s", db, sfx[i]);
			unlink(side);
		}
		if (fill(url, drops, kiosks, &fl))
			return 1;
		f = keep ? fopen(side, "w") : NULL;
		if (f)
			fprintf(f, "%ld %ld\n", fl.drops_window, fl.records);
	}
	if (f)
		fclose(f);
	int rc = measure(url, "sqlite", &fl);
	if (!keep) {
		const char *const sfx[] = {"", "-wal", "-shm"};
		for (size_t i = 0; i < 3; i++) {
			snprintf(side, sizeof side, "%s%s", db, sfx[i]);
			unlink(side);
		}
	}
	return rc;
}
