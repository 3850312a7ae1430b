/*
 * ops_support.h — what the operations tests share (issue 13: PostgreSQL
 * restarts, several centrals on one database, idle connections, backups):
 *
 *   - a PostgreSQL cluster of the test's own (tests/pg/pg-cluster.sh with a
 *     state folder of its own): these tests stop and restart their server,
 *     which the other _pg tests, on the shared "pg" fixture, must not see;
 *   - a store on any URL with kiosks 7 and 8 enrolled and paper rated, as
 *     the central fixture's (fixture.h), but without a central running;
 *   - a kiosk's journal sent batch by batch, each batch sent again, the same
 *     bytes, until it is answered 200 (as the kiosk's sync does);
 *   - one request over HTTP with the answer's Retry-After header.
 *
 * The helpers assert with cmocka: cmocka tests only.
 */
#ifndef WUFEI_TESTS_CENTRAL_OPS_SUPPORT_H
#define WUFEI_TESTS_CENTRAL_OPS_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wf.h"

/* `tests/pg/pg-cluster.sh cmd state` (start, stop, stop-server,
 * start-server): its exit status. */
int ops_cluster(const char *cmd, const char *state);

/* A new cluster in state; WUFEI_TEST_PG names it from now on, so that
 * testdb_url makes its databases there. Asserts it started. */
void ops_cluster_start(const char *state);

/* ops_store — kiosk 7 (key ops_sk(7)) and kiosk 8 (ops_sk(8)) enrolled
 * with key 1, category 1 paper rated 2000 points per tonne, on the store at
 * url (through `wufei-central`); dir receives the public key files. */
void ops_store(const char *url, const char *dir);

/* The secret key of kiosk 7 or 8 (fixture.h's keys). */
const uint8_t *ops_sk(uint32_t kiosk);

/* One kiosk's journal: records next.. are yet to be sent; prev is the chain
 * hash of record next - 1. */
struct ops_kiosk {
	uint32_t kiosk;
	uint32_t next;
	uint8_t prev[WF_HASH_BYTES];
};

/* What the answers to a kiosk's batches said, record by record. */
struct ops_tally {
	unsigned stored, duplicate, conflict, other;
	unsigned answered[600]; /* answers by HTTP status (0: none came) */
};

/*
 * ops_send — records k->next .. k->next + n - 1 as one batch to the central
 * on port: its HTTP status (0: no answer). On 200 k moves past them and
 * their results are counted in t; otherwise k stays (send again).
 * retry_after (may be NULL) receives the Retry-After header ("" if none).
 */
long ops_send(int port, struct ops_kiosk *k, uint32_t n, struct ops_tally *t, char retry_after[16]);

/*
 * ops_post — the batch body (as harness_batch_json makes it) of kiosk 7 or
 * 8 to port: its HTTP status (0: no answer), the results of a 200 counted
 * in t, Retry-After into retry_after (may be NULL). No asserts: for
 * threads (each with a t of its own).
 */
long ops_post(int port, uint32_t kiosk, const char *body, struct ops_tally *t,
              char retry_after[16]);

/*
 * ops_request — one HTTP request (signed as kiosk with key 1 when kiosk is
 * 7 or 8; 0: unsigned) to port: the status (0: no answer), the Retry-After
 * header into retry_after[16] ("" if none), and the body's "error" into
 * error[64] ("" if none).
 */
long ops_request(int port, const char *method, const char *path, const char *body, uint32_t kiosk,
                 char retry_after[16], char error[64]);
/* ops_request with one more header line ("Name: value"; NULL: none). */
long ops_request_with(int port, const char *method, const char *path, const char *body,
                      uint32_t kiosk, const char *header, char retry_after[16], char error[64]);

/* `wufei-central report daily --format csv --db url` into out[cap]; asserts it exits 0. */
void ops_report(const char *url, char *out, size_t cap);

/* ops_shell — runs the shell command line cmd (`bash -c`), its standard
 * output and error into out[cap]: its exit status. $PG_BIN in it is the
 * newest installed PostgreSQL's programs folder; $CENTRAL is wufei-central. */
int ops_shell(const char *cmd, char *out, size_t cap);

/* Removes the folder dir and what it holds. */
void ops_rmdir(const char *dir);

#endif
