/*
 * central_ingest.h — the central_ingest benchmark's parts shared by its
 * SQLite run (central_ingest.c) and its PostgreSQL run (central_ingest_pg.c).
 */
#ifndef WUFEI_BENCH_CENTRAL_INGEST_H
#define WUFEI_BENCH_CENTRAL_INGEST_H

#include <stdint.h>

#include "harness.h"

#define BATCH 500

double bench_now_ms(void);

/* Signed BATCH-record bodies for kiosk 1, seq 1..batches*BATCH, chained. */
char **make_bodies(long batches);

/* The real path: kiosk 1 and paper enrolled through the CLI on url_a, then
 * signed batches over HTTP into one wufei-central serving url_a. Returns
 * the ms it took without the benchmark's own signing, or -1. */
double http_ms(const char *dir, const char *url_a, char **bodies, long batches,
               const uint8_t pk[32], const uint8_t sk[64]);

/* The real path in parts, so a run can alternate it with its baseline:
 * http_open enrols kiosk 1 and paper through the CLI on url_a and starts
 * one wufei-central serving it (0, or 1 with a message); http_send sends
 * bodies[from..to) signed over HTTP, counts what was acknowledged as
 * stored in acked, and returns the ms it took without the benchmark's own
 * signing; http_close stops the central. */
struct http_run {
	struct central_proc c;
	long acked;
};
int http_open(struct http_run *h, const char *dir, const char *url_a, const uint8_t pk[32]);
double http_send(struct http_run *h, char **bodies, long from, long to, const uint8_t sk[64]);
void http_close(struct http_run *h);

/* usage: --pg URL_HTTP URL_COPY URL_COPY_LEDGER RECORDS; prints central_ingest_pg's lines. */
int central_ingest_pg(int argc, char **argv);

#endif
