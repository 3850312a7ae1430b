/* sync_fixture.c — the shared setup of the sync tests (sync_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ledger.h"
#include "signing.h"
#include "sync_fixture.h"
#include "testdb.h"
#include "wf_test.h"

void sync_fx_setup(struct sync_fx *f, const char *name, uint32_t kiosk)
{
	memset(f, 0, sizeof *f);
	assert_int_equal(wf_test_tmpdir(name, f->dir, sizeof f->dir), 0);
	snprintf(f->ledger, sizeof f->ledger, "%s/journal.db", f->dir);
	snprintf(f->dbpath, sizeof f->dbpath, "%s/central.db", f->dir);
	assert_int_equal(testdb_url(f->db, sizeof f->db, f->dbpath), 0);
	char err[256];
	assert_int_equal(ledger_init(f->ledger, kiosk, err, sizeof err), WF_OK);
	assert_int_equal(signing_keypair_generate(f->pk, f->sk), WF_OK);
	char pub[300], out[4096], number[16];
	char file[32];
	snprintf(file, sizeof file, "k%u.pub", kiosk);
	snprintf(number, sizeof number, "%u", kiosk);
	harness_write_pub(f->dir, file, f->pk, pub, sizeof pub);
	const char *args[] = {"kiosk", "add", number, "--pubkey", pub, NULL};
	assert_int_equal(harness_cli(f->db, out, sizeof out, args), 0);
}

int sync_fx_teardown(struct sync_fx *f)
{
	harness_kill_started();
	harness_store_drop(f->db);
	return wf_test_rmtree(f->dir);
}

static int64_t skewed_utc(void *ctx)
{
	const struct sync_fx_clock *c = ctx;
	return wf_clock_utc_ms(wf_clock_system()) + c->skew_ms;
}

static int64_t system_mono(void *ctx)
{
	(void)ctx;
	return wf_clock_mono_ms(wf_clock_system());
}

void sync_fx_clock_init(struct sync_fx_clock *c, int64_t skew_ms)
{
	c->clock.mono_ms = system_mono;
	c->clock.utc_ms = skewed_utc;
	c->clock.ctx = c;
	c->skew_ms = skew_ms;
}
