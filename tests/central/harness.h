/*
 * harness.h — starts a real wufei-central over loopback and talks to it with
 * libcurl, signing requests like a kiosk; builds signed batches of test
 * records. Library wufei_central_harness (tests/central/CMakeLists.txt), for
 * any test folder that needs a central (tests/central, tests/sync,
 * tests/kiosk) and the benchmarks. Linking it also builds wufei-central and
 * wufei-central-crashtest first.
 */
#ifndef WUFEI_TESTS_CENTRAL_HARNESS_H
#define WUFEI_TESTS_CENTRAL_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wf.h"

struct central_proc {
	pid_t pid;
	int port;
	char db_url[600];
};

/* Path of a program in WUFEI_BIN_DIR (or build/bin). */
void harness_bin(const char *name, char *out, size_t cap);

/*
 * harness_start — runs `wufei-central serve --db DB --listen 127.0.0.1:0
 * [--time-offset OFFSET]` and waits for its "listening" line. Returns WF_OK
 * (p->port set), or WF_EIO when it did not start.
 */
int harness_start(struct central_proc *p, const char *db_url, int64_t time_offset_s);

/*
 * harness_start with extra serve arguments (NULL-terminated list, may be
 * NULL). With --crash-at or --crash-every among them it runs the crash-point
 * test build, wufei-central-crashtest, instead (wufei-central has no crash
 * points). WUFEI_TEST_SERVER_STDERR, when set, names a file central's
 * standard error (its log) is appended to.
 */
int harness_start_args(struct central_proc *p, const char *db_url, int64_t time_offset_s,
                       const char *const *extra);

/*
 * Sends sig (SIGKILL or SIGTERM) and reaps the process. Returns its exit
 * code (0 after a clean SIGTERM stop; non-zero if a sanitizer found leaks),
 * or 128 + signal; WF_ESTATE when p runs nothing.
 */
int harness_stop(struct central_proc *p, int sig);

/*
 * harness_kill_started — SIGKILLs and reaps every central harness_start
 * started in this process that is still running. For teardown: a failed
 * assertion skips harness_stop, and an orphan would hold ctest's pipe open.
 */
void harness_kill_started(void);

/*
 * harness_cli — runs `wufei-central ARGS... --db DB`; returns its exit code
 * (128 + signal if it was killed; WF_EIO if it could not run); stdout
 * (capped) into out[cap] if out is not NULL.
 */
int harness_cli(const char *db_url, char *out, size_t cap, const char *const *args);

/* harness_cli with input (NULL: ours inherited) as the command's standard
 * input: a password or PIN, which commands never take as an argument. */
int harness_cli_input(const char *db_url, const char *input, char *out, size_t cap,
                      const char *const *args);

struct http_answer {
	long status;
	char *body; /* NUL-terminated, malloc'd */
	size_t len;
	char central_time[32]; /* X-Wufei-Central-Time header value */
	char allow[64];        /* Allow header value ("" when absent) */
};

/*
 * harness_request — one HTTP request to the central on port: GET, POST (with
 * body), HEAD, or any other method (sent as it is, with body when given).
 * If sk is non-NULL the request is signed for kiosk/key_id at time_s.
 * Returns WF_OK when an answer arrived (any status), else WF_EIO.
 */
int harness_request(int port, const char *method, const char *path, const void *body,
                    size_t body_len, const uint8_t *sk, uint32_t kiosk, uint32_t key_id,
                    int64_t time_s, struct http_answer *ans);

void harness_answer_free(struct http_answer *ans);

/*
 * harness_raw — sends req[0..len) as it is over a new loopback connection to
 * port (bytes curl would refuse: control characters in the target) and
 * reads the reply until the server closes. Returns the reply's status code,
 * or WF_EIO when none came.
 */
int harness_raw(int port, const char *req, size_t len);

/* Writes a public key file for pk into dir/name and returns its path in out. */
void harness_write_pub(const char *dir, const char *name, const uint8_t pk[32], char *out,
                       size_t cap);

/*
 * harness_batch_json — a wufei-batch-1 body for records seq first..first+n-1
 * of kiosk, each with canonical bytes from harness_record_bytes(variant) and
 * chain hashes continuing from prev (updated). Returns malloc'd text.
 */
char *harness_batch_json(uint32_t kiosk, uint32_t first, uint32_t n, uint8_t prev[WF_HASH_BYTES],
                         int variant);

/*
 * Canonical bytes of a test record: with record.h a paper drop (category 1,
 * rate version 1 = 2000 points/t, resident 1001); variant 1 weighs 50 g
 * more, 2 claims one point too many, 3 names rate version 9.
 */
size_t harness_record_bytes(uint32_t kiosk, uint32_t seq, int variant, uint8_t *out, size_t cap);

/* One record of a made-up journal: its canonical bytes and chain hash. */
struct harness_rec {
	uint32_t kiosk;
	uint32_t seq;
	uint8_t kind;
	uint8_t bytes[128]; /* WF_RECORD_MAX_LEN */
	size_t len;
	uint8_t hash[WF_HASH_BYTES];
};

struct wf_record;

/*
 * harness_chain — recs[0..n) (one kiosk, ascending seq) encoded into out[]
 * with chain hashes continuing from prev (updated). WF_EINVAL if a record
 * does not encode.
 */
int harness_chain(const struct wf_record *recs, size_t n, uint8_t prev[WF_HASH_BYTES],
                  struct harness_rec *out);

/* harness_batch_of — a wufei-batch-1 body for recs[0..n) of kiosk (any
 * subset of a chain, ascending seq); malloc'd text. */
char *harness_batch_of(uint32_t kiosk, const struct harness_rec *recs, size_t n);

/* The receipt minute (UTC minutes) of the record harness_record_bytes makes for seq. */
uint32_t harness_record_time_min(uint32_t seq);

/*
 * Looking under the store, on either backend (testdb.h): db is the store's
 * URL ("sqlite:PATH" or "postgresql://..."), or a bare path naming a SQLite
 * file.
 */

/* Runs the SQL text in the file sql_path (e.g. a `sqlite3 .dump` fixture)
 * on db (a SQLite file is created if needed): 0, or WF_EIO (it says why on
 * stderr). */
int harness_exec_file(const char *db, const char *sql_path);

/* The first column of the first row sql gives on db (a count; NULL counts
 * as 0, as SQLite reads it), or WF_EIO. */
long harness_count(const char *db, const char *sql);

/*
 * harness_blob_sql — bytes[0..len) as a SQL literal for db's backend, to
 * compare a BLOB/bytea column with: x'0a1b' on SQLite, '\x0a1b'::bytea on
 * PostgreSQL. WF_OK, or WF_EINVAL when out[cap] is too small.
 */
int harness_blob_sql(const char *db, const uint8_t *bytes, size_t len, char *out, size_t cap);

/*
 * harness_pg_admin — for a PostgreSQL store URL (postgresql://user@/NAME?..):
 * NAME into name, and the same URL naming the cluster's "postgres"
 * database (to act on NAME from outside) into admin. WF_OK, or WF_EINVAL
 * (not such a URL, or too long).
 */
int harness_pg_admin(const char *url, char *name, size_t name_cap, char *admin, size_t cap);

/*
 * harness_store_drop — a test's PostgreSQL database dropped (connections
 * cut) once it is done with it: a suite makes hundreds. Nothing to do on
 * SQLite (the caller removes its folder). Housekeeping, so teardowns ignore
 * its result (a test may have stopped its own cluster first; a failure is
 * said on stderr): WF_OK, WF_EINVAL, WF_EIO.
 */
int harness_store_drop(const char *db);

/* Whether central's store db holds record (kiosk, seq) with exactly these
 * canonical bytes: 1 yes, 0 no (other bytes or none). */
int harness_holds_record(const char *db, unsigned kiosk, uint64_t seq, const uint8_t *bytes,
                         size_t len);

#endif
