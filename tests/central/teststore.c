/*
 * teststore.c — the fresh store of a storage test; see teststore.h.
 */
#include "teststore.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testdb.h"
#include "wf_test.h"

void test_store_open(struct test_store *t, const char *tag)
{
	char why[512];
	memset(t, 0, sizeof *t);
	snprintf(t->dir, sizeof t->dir, "/tmp/wufei-%.24s-XXXXXX", tag);
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof t->path, "%s/central.db", t->dir);
	assert_int_equal(testdb_url(t->url, sizeof t->url, t->path), 0);
	int rc = store_open(t->url, &t->s, why, sizeof why);
	if (rc)
		fprintf(stderr, "store_open %s: %s\n", t->url, why);
	assert_int_equal(rc, WF_OK);
}

void test_store_kiosk(struct store *s, uint32_t kiosk, const char *name, const uint8_t pk[32])
{
	assert_int_equal(s->ops->kiosk_add(s, kiosk, name, 1), WF_OK);
	if (pk)
		assert_int_equal(s->ops->key_add(s, kiosk, 1, pk, 1), WF_OK);
}

void test_store_close(struct test_store *t)
{
	store_close(t->s);
	t->s = NULL;
	if (t->dir[0])
		wf_test_sh(NULL, 0, "rm -rf '%s'", t->dir);
}
