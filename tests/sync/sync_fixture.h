/*
 * sync_fixture.h — what every sync test starts from: a fresh directory, a
 * kiosk journal in it, a fresh key pair, and a central store (either
 * backend, tests/support/testdb.h) that knows
 * the kiosk's public key (central itself is started by each test, through
 * tests/central/harness.h). Also a kiosk clock whose wall time is off by a
 * settable amount. Asserts with cmocka; use from setup/teardown.
 */
#ifndef WUFEI_SYNC_FIXTURE_H
#define WUFEI_SYNC_FIXTURE_H

#include <stdint.h>

#include "clock.h"

struct sync_fx {
	char dir[128];    /* /tmp/wufei-<name>.XXXXXX */
	char ledger[256]; /* DIR/journal.db, initialised for the kiosk */
	char dbpath[300]; /* DIR/central.db (the SQLite file, on SQLite only) */
	char db[600];     /* central's store URL (testdb.h: "sqlite:DIR/central.db", or a
	                   * fresh PostgreSQL database in the _pg twin) */
	uint8_t pk[32];   /* the kiosk's key pair, known to central under key id 1 */
	uint8_t sk[64];
};

/* sync_fx_setup — the directory, the journal of kiosk and central's key. */
void sync_fx_setup(struct sync_fx *f, const char *name, uint32_t kiosk);

/* sync_fx_teardown — kills any central still running, removes the
 * directory. Returns 0 (cmocka's teardown value) or non-zero. */
int sync_fx_teardown(struct sync_fx *f);

/* A kiosk clock: the system's monotonic time, and its UTC time plus
 * skew_ms (which a test may change at any time). */
struct sync_fx_clock {
	struct wf_clock clock; /* pass &c->clock as the sync client's clock */
	int64_t skew_ms;
};

void sync_fx_clock_init(struct sync_fx_clock *c, int64_t skew_ms);

#endif
