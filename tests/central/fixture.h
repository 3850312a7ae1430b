/*
 * fixture.h — the central tests' shared fixture (tests/central/fixture.c):
 * fx_setup starts a real wufei-central (harness.h) on a fresh store in a
 * temporary folder (a SQLite file, or a PostgreSQL database in the _pg twin:
 * testdb.h), with kiosk 7 (key f->sk) and kiosk 8 (key f->sk2)
 * enrolled and category 1 "paper" rated 2000 points per tonne; fx_teardown
 * stops it (a clean stop must exit 0) and removes the folder. The helpers
 * assert with cmocka, so they belong in cmocka tests only.
 */
#ifndef WUFEI_TESTS_CENTRAL_FIXTURE_H
#define WUFEI_TESTS_CENTRAL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "harness.h"

struct fx {
	char dir[256];
	char db_path[512];        /* the SQLite file (only on SQLite: see testdb_is_pg) */
	char db_url[600];         /* the store, either backend: harness_count(f->db_url, ...) */
	uint8_t pk[32], sk[64];   /* kiosk 7, key 1 */
	uint8_t pk2[32], sk2[64]; /* kiosk 8, key 1 */
	struct central_proc c;
};

/* cmocka setup and teardown: *state is the struct fx. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* The key pair of seed first, first+1, ... first+31. */
void fx_keys(uint8_t first, uint8_t pk[32], uint8_t sk[64]);

/* `wufei-central ARGS... --db` the fixture's store; stdout into out (may be NULL). */
int fx_cli(struct fx *f, char *out, size_t cap, const char *const *args);

/* `wufei-central ARGS --db ...` through the shell, stdout and stderr into out; exit status. */
int fx_cli_all(struct fx *f, char *out, size_t cap, const char *args);
/* fx_cli_all with line (no quote characters) and a newline on standard input
 * (a PIN or password: commands never take them as arguments). */
int fx_cli_all_input(struct fx *f, const char *line, char *out, size_t cap, const char *args);

/* The system's UTC seconds. */
int64_t fx_now_s(void);

/* The answer's JSON body; asserts it carries central's time (body and header). */
json_t *fx_answer_json(const struct http_answer *a);

/*
 * fx_store_away — the running central's store becomes unreachable (away 1)
 * or comes back (0): on SQLite its file is moved away and back; on
 * PostgreSQL its database refuses connections and central's are cut.
 */
void fx_store_away(struct fx *f, int away);

/* Records central holds. */
long fx_records(struct fx *f);

/* POST /api/v1/sync/batch of body, signed by kiosk with key 1 (sk) now. */
int fx_post_batch(struct fx *f, const uint8_t *sk, uint32_t kiosk, const char *body,
                  struct http_answer *a);

/* results[i].status of a batch answer. */
const char *fx_status_of(json_t *j, size_t i);

/* a is refused with status and error, with a message; nothing was stored. Frees a. */
void fx_expect_refusal(struct fx *f, struct http_answer *a, long status, const char *error);

/* A receipt token of a paper drop (1250 g, 2 points) signed with sk. */
void fx_make_token(const uint8_t *sk, uint32_t kiosk, uint32_t seq, uint32_t time_min, char *token);

/* `wufei-central verify-receipt token`: its exit status, stdout into out. */
int fx_verify(struct fx *f, const char *token, char *out, size_t cap);

#endif
