/*
 * config.h — wufei-central's config file (/etc/wufei/central.ini): INI,
 * one section [serve], one key per `serve` option with its dashes as
 * underscores (db, listen, threads, tls_cert, tls_key, head_timeout,
 * body_timeout, max_connections, per_ip_connections, silent_after,
 * db_connections). Every key is checked like its option; an unknown
 * section or key, a key given twice or a bad value is refused with a
 * message naming file, line and key. Options given on the command line win
 * over the file (central_config_merge adds only what the line lacks).
 */
#ifndef WUFEI_CENTRAL_CONFIG_H
#define WUFEI_CENTRAL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* The file used when neither --config nor --db is given (an installed server). */
#define CENTRAL_CONFIG_DEFAULT "/etc/wufei/central.ini"

#define CENTRAL_CONFIG_KEYS        11
#define CENTRAL_CONFIG_VALUE       1024
#define CENTRAL_DB_CONNECTIONS_MAX 64 /* serve's store handles at most */

struct central_config {
	char path[1024];
	/* value[i] of key i (central_config_key), "" when the file lacks it */
	char value[CENTRAL_CONFIG_KEYS][CENTRAL_CONFIG_VALUE];
	bool set[CENTRAL_CONFIG_KEYS];
};

/* central_config_key — the file's name of key i (< CENTRAL_CONFIG_KEYS), e.g. "tls_cert". */
const char *central_config_key(int i);

/*
 * central_config_int — serve's integer option (its name without "--", e.g.
 * "threads") from o into *out, checked against the one range the file's key
 * and the option share (absent: WF_OK, *out unchanged). WF_EINVAL: not an
 * integer in range, or no such integer option (said on stderr).
 */
int central_config_int(const struct cli_opts *o, const char *option, int64_t *out);

/*
 * central_config_path — the config file o asks for: --config FILE; else,
 * when o has no --db and `def` exists, def (CENTRAL_CONFIG_DEFAULT in the
 * program; tests pass their own); else NULL (no file).
 */
const char *central_config_path(const struct cli_opts *o, const char *def);

/*
 * central_config_load — reads and checks path into *c. WF_OK; WF_ENOENT
 * when it cannot be read; WF_EINVAL when a line is refused. Says every
 * refusal on stderr as "wufei-central: FILE:LINE: key: why".
 */
int central_config_load(const char *path, struct central_config *c);

/*
 * central_config_merge — every key c sets and o lacks added to o as its
 * option (--tls-cert for tls_cert ...); o's values stay (the command line
 * wins). o points into c afterwards: c must outlive o. WF_EINVAL (said)
 * when o would hold more than CLI_MAX_OPTS options.
 */
int central_config_merge(struct cli_opts *o, const struct central_config *c);

/*
 * central_config_db — the db of o's config file (central_config_path with
 * the default file) into out[cap]: WF_OK; WF_ENOENT (silent) when no file
 * applies; WF_EINVAL (said) when the file is refused or has no db key.
 */
int central_config_db(const struct cli_opts *o, char *out, size_t cap);

/*
 * central_config_apply — central_config_path with the default file, then
 * load and merge into o; WF_OK also when no file applies. c holds the
 * file's values for as long as o is used.
 */
int central_config_apply(struct cli_opts *o, struct central_config *c);

#endif
