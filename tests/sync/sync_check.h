/*
 * sync_check.h — helpers the sync fault tests share: bin records appended
 * to a journal, the outbox and last seq of a journal file, central's rows
 * for the kiosk, the journal compared record by record with central, and a
 * sync client with the tests' short timeouts. Every check asserts (cmocka).
 * sync_check_init names the fixture (sync_fixture.h) and kiosk they use.
 */
#ifndef WUFEI_SYNC_CHECK_H
#define WUFEI_SYNC_CHECK_H

#include <stdint.h>

#include "clock.h"
#include "ledger.h"
#include "sync.h"
#include "sync_fixture.h"

void sync_check_init(const struct sync_fx *f, uint32_t kiosk);

/* The journal at path, open (fails the test otherwise). */
struct ledger *open_ledger(const char *path);

/* Appends n bin collections with kiosk-clock time t_ms (0 = now); grams
 * vary with salt. append_bins opens and closes path around it. */
void append_bins_to(struct ledger *l, int n, int64_t t_ms, int64_t salt);
void append_bins(const char *path, int n, int64_t t_ms, int64_t salt);

/* The journal's outbox depth and last seq. */
int64_t depth_of(const char *path);
uint64_t last_of(const char *path);

/* Central's records of the kiosk, and its tamper alerts, matching where
 * (an SQL condition, NULL = all). */
long central_count(const char *where);
long alert_count(const char *where);

/* The journal's records compared with central's. */
struct cmp {
	const char *db;    /* central's store URL */
	uint64_t from, to; /* only seqs in [from, to] */
	long journal, equal, differ, missing;
	uint64_t first_bad;
};

/* Compares the journal's records with seq in [from, to] with central's. */
struct cmp compare_range(const char *ledger_path, uint64_t from, uint64_t to);

/* Central holds every journal record exactly once, byte-equal with the
 * same chain hash, and the outbox is empty. */
void assert_exactly_once(const char *ledger_path);

/* A sync client for the kiosk on port (clock NULL = the system's). */
void make_sync_at(int port, const char *ledger_path, struct sync **s, const struct wf_clock *clock,
                  unsigned batch_max);

/* A copy of the client's status. */
struct sync_status status_of(struct sync *s);

#endif
