/*
 * cli.h — what wufei-central's commands share: the command line split into
 * --name value pairs and positionals, checked numbers and texts, the store
 * of --db, the card hash of --card or --card-hash, and the usage text.
 * Every function here prints its own message to stderr when it refuses.
 */
#ifndef WUFEI_CENTRAL_CLI_H
#define WUFEI_CENTRAL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"
#include "wf.h"

#define CLI_MAX_OPTS 32 /* room for a full command line and central.ini's keys (config.h) */

struct cli_opts {
	const char *name[CLI_MAX_OPTS]; /* without the leading "--" */
	const char *value[CLI_MAX_OPTS];
	int n;
	const char *pos[CLI_MAX_OPTS];
	int npos;
};

/* cli_usage — into f, the usage of the command being run, or the list of every
 * command before one is chosen (main.c, from its command table). */
void cli_usage(FILE *f);

/* cli_parse — argv[0..argc) into o. WF_EINVAL: an option without a value, or too many. */
int cli_parse(int argc, char **argv, struct cli_opts *o);

/* cli_opt — the value of --name, or NULL. */
const char *cli_opt(const struct cli_opts *o, const char *name);

/* cli_opt_int — --name as an integer in [min, max] into *out (absent and not
 * required: WF_OK, *out unchanged). WF_EINVAL: missing when required, or bad. */
int cli_opt_int(const struct cli_opts *o, const char *name, int64_t min, int64_t max, int64_t *out,
                bool required);

/* cli_pos_int — positional text v as an integer in [min, max]. WF_EINVAL: not. */
int cli_pos_int(const char *v, int64_t min, int64_t max, int64_t *out);

/* cli_opt_text — --name copied into out[cap] ("" when absent and not
 * required). WF_EINVAL: missing when required, or too long. */
int cli_opt_text(const struct cli_opts *o, const char *name, char *out, size_t cap, bool required);

/* cli_store_open — the store of --db, or NULL (said why). */
struct store *cli_store_open(const struct cli_opts *o);

/*
 * cli_card_hash — the card hash (lower-case hex) of --card-hash, or of
 * --card (a canonical card id, hashed with the store's card key). WF_EINVAL
 * when neither is usable (said why, with the id to use for an EM4100 card
 * read as a reader's hex), or the store's error.
 */
int cli_card_hash(struct store *s, const struct cli_opts *o, char out[WF_HASH_HEX]);

/* cli_finish — closes s; says what failed when err; the exit status (0 or 1). */
int cli_finish(struct store *s, int err, const char *what);

/* cli_term_escape — in for a terminal into out[cap] (cut to fit): control
 * characters, backslashes and bytes that are not UTF-8 as \xHH, so text a
 * kiosk or a form sent cannot move the cursor or retitle the window. */
void cli_term_escape(const char *in, char *out, size_t cap);

/* cli_who — who runs this command, for the audit log: "cli:<login>" (or
 * "cli:uid<N>" when the login is no user name) into out[cap]. */
void cli_who(char *out, size_t cap);

/*
 * cli_finish_audited — cli_finish for a command that changed something:
 * when err is 0, first one line in the office's audit log (who: cli_who,
 * action, a printf-style detail). The line is written after the change
 * committed, not in its transaction: a failure to write it is said and
 * exits 1, the change stays.
 */
int cli_finish_audited(struct store *s, int err, const char *what, const char *action,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
