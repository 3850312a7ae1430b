/*
 * fuzz_ingest.c — libFuzzer target for central's batch ingest: any body a
 * signed kiosk could send goes through ingest_batch into a real SQLite store
 * (in a temporary folder, removed at exit). An accepted body must answer an
 * array of results; a refused one must answer nothing. Seeds:
 * tests/fuzz/corpus/ingest/ (SYNC-API worked example 2, kiosk 12).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ingest.h"
#include "store.h"
#include "wf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *g_store;
static char g_dir[64], g_db[128];

static void cleanup(void)
{
	store_close(g_store);
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char p[160];
		snprintf(p, sizeof p, "%s%s", g_db, suffix[i]);
		unlink(p);
	}
	rmdir(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* tmpfs when there is one: the store commits with synchronous=FULL */
	snprintf(g_dir, sizeof g_dir, "%s/wufei-fuzz-ingest.XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	char url[160], why[256];
	if (!mkdtemp(g_dir))
		abort();
	snprintf(g_db, sizeof g_db, "%s/central.db", g_dir);
	snprintf(url, sizeof url, "sqlite:%s", g_db);
	if (store_open(url, &g_store, why, sizeof why) != WF_OK ||
	    g_store->ops->kiosk_add(g_store, 12, "fuzz", 1) != WF_OK) {
		fprintf(stderr, "fuzz_ingest: %s\n", why);
		abort();
	}
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *results = NULL;
	uint32_t highest = 0;
	char why[512];
	int rc = ingest_batch(g_store, 12, (const char *)data, size, 1795867200, &results, &highest,
	                      why, sizeof why);
	if (rc == WF_OK ? !json_is_array(results) : results != NULL)
		__builtin_trap();
	json_decref(results);
	return 0;
}
