/*
 * harness.h — starts a real wufei-central over loopback and talks to it with
 * libcurl, signing requests like a kiosk. For tests/central and
 * bench/central_ingest only.
 */
#ifndef WUFEI_TESTS_CENTRAL_HARNESS_H
#define WUFEI_TESTS_CENTRAL_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct central_proc {
	pid_t pid;
	int port;
	char db_url[600];
};

/* Path of a program in WUFEI_BIN_DIR (or build/bin). */
void harness_bin(const char *name, char *out, size_t cap);

/*
 * harness_start — runs `wufei-central serve --db DB --listen 127.0.0.1:0
 * [--time-offset OFFSET]` and waits for its "listening" line. Returns 0.
 */
int harness_start(struct central_proc *p, const char *db_url, int64_t time_offset_s);

/* harness_start with extra serve arguments (NULL-terminated list, may be NULL). */
int harness_start_args(struct central_proc *p, const char *db_url, int64_t time_offset_s,
                       const char *const *extra);

/*
 * Sends sig (SIGKILL or SIGTERM) and reaps the process. Returns its exit
 * code (0 after a clean SIGTERM stop; non-zero if a sanitizer found leaks),
 * or 128 + signal.
 */
int harness_stop(struct central_proc *p, int sig);

/*
 * harness_kill_started — SIGKILLs and reaps every central harness_start
 * started in this process that is still running. For teardown: a failed
 * assertion skips harness_stop, and an orphan would hold ctest's pipe open.
 */
void harness_kill_started(void);

/*
 * harness_cli — runs `wufei-central ARGS... --db DB`; returns its exit code;
 * stdout (capped) into out[cap] if out is not NULL.
 */
int harness_cli(const char *db_url, char *out, size_t cap, const char *const *args);

struct http_answer {
	long status;
	char *body; /* NUL-terminated, malloc'd */
	size_t len;
	char central_time[32]; /* X-Wufei-Central-Time header value */
};

/*
 * harness_request — one HTTP request to the central on port. If sk is
 * non-NULL the request is signed for kiosk/key_id at time_s. extra_header
 * may be NULL. Returns 0 when an answer arrived (any status).
 */
int harness_request(int port, const char *method, const char *path, const void *body,
                    size_t body_len, const uint8_t *sk, uint32_t kiosk, uint32_t key_id,
                    int64_t time_s, struct http_answer *ans);

void harness_answer_free(struct http_answer *ans);

/* Writes a public key file for pk into dir/name and returns its path in out. */
void harness_write_pub(const char *dir, const char *name, const uint8_t pk[32], char *out,
                       size_t cap);

/*
 * harness_batch_json — a wufei-batch-1 body for records seq first..first+n-1
 * of kiosk, each with canonical bytes from harness_record_bytes(variant) and
 * chain hashes continuing from prev (updated). Returns malloc'd text.
 */
char *harness_batch_json(uint32_t kiosk, uint32_t first, uint32_t n, uint8_t prev[32], int variant);

/*
 * Canonical bytes of a test record: with record.h a paper drop (category 1,
 * rate version 1 = 2000 points/t, resident 1001); variant 1 weighs 50 g
 * more, 2 claims one point too many, 3 names rate version 9.
 */
size_t harness_record_bytes(uint32_t kiosk, uint32_t seq, int variant, uint8_t *out, size_t cap);

/* The receipt minute (UTC minutes) of the record harness_record_bytes makes for seq. */
uint32_t harness_record_time_min(uint32_t seq);

/* Number of rows of `SELECT COUNT(*) FROM <table>` in the SQLite file path. */
long harness_count(const char *db_path, const char *sql);

#endif
