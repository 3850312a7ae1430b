/*
 * config.c — wufei-central's config file through inih; see config.h.
 *
 * inih as Debian builds it does not pass line numbers to the handler, so
 * the file goes through ini_parse_stream with a line reader that counts
 * (as kiosk/config/config.c does): the handler runs right after its line
 * was read, so the count is that key's line.
 *
 * The integer keys' ranges are serve's options' too (central_config_int):
 * one table for the file and the command line.
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wf.h"

enum kind { K_DB, K_LISTEN, K_PATH, K_INT };

static const struct key {
	const char *key, *option;
	enum kind kind;
	int64_t min, max;
} KEYS[CENTRAL_CONFIG_KEYS] = {
    {"db", "db", K_DB, 0, 0},
    {"listen", "listen", K_LISTEN, 0, 0},
    {"threads", "threads", K_INT, 1, 64},
    {"tls_cert", "tls-cert", K_PATH, 0, 0},
    {"tls_key", "tls-key", K_PATH, 0, 0},
    {"head_timeout", "head-timeout", K_INT, 1, 3600},
    {"body_timeout", "body-timeout", K_INT, 1, 86400},
    {"max_connections", "max-connections", K_INT, 1, 100000},
    {"per_ip_connections", "per-ip-connections", K_INT, 0, 100000},
    {"silent_after", "silent-after", K_INT, 60, INT64_C(366) * 86400},
    {"db_connections", "db-connections", K_INT, 1, CENTRAL_DB_CONNECTIONS_MAX},
};

struct loader {
	struct central_config *c;
	FILE *fp;
	int line, errors;
};

const char *central_config_key(int i)
{
	return i >= 0 && i < CENTRAL_CONFIG_KEYS ? KEYS[i].key : NULL;
}

int central_config_int(const struct cli_opts *o, const char *option, int64_t *out)
{
	for (int i = 0; i < CENTRAL_CONFIG_KEYS; i++)
		if (KEYS[i].kind == K_INT && strcmp(KEYS[i].option, option) == 0)
			return cli_opt_int(o, option, KEYS[i].min, KEYS[i].max, out, false);
	fprintf(stderr, "wufei-central: --%s is not an integer option of serve\n", option);
	return WF_EINVAL;
}

const char *central_config_path(const struct cli_opts *o, const char *def)
{
	const char *p = cli_opt(o, "config");
	if (p)
		return p;
	if (!cli_opt(o, "db") && def && access(def, F_OK) == 0)
		return def;
	return NULL;
}

/* Why v is no value for k, or NULL when it is one. */
static const char *refusal(const struct key *k, const char *v)
{
	char *end = NULL;
	long long x = 0;
	switch (k->kind) {
	case K_DB:
		return strncmp(v, "sqlite:", 7) && strncmp(v, "postgresql://", 13) &&
		               strncmp(v, "postgres://", 11)
		           ? "wants sqlite:PATH or postgresql://USER@HOST/DATABASE"
		           : NULL;
	case K_LISTEN:
		return !strchr(v, ':') || strchr(v, ':')[1] == '\0' ? "wants ADDR:PORT" : NULL;
	case K_PATH: return v[0] != '/' ? "wants an absolute path to a PEM file" : NULL;
	case K_INT:
		errno = 0;
		x = strtoll(v, &end, 10);
		return !*v || errno || *end || x < k->min || x > k->max ? "out of range" : NULL;
	}
	return "unknown kind";
}

static void refuse(struct loader *L, const char *key, const char *v, const char *why)
{
	L->errors++;
	fprintf(stderr, "wufei-central: %s:%d: %s = '%.60s': %s\n", L->c->path, L->line, key, v,
	        why);
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
	struct loader *L = user;
	if (strcmp(section, "serve") != 0) {
		refuse(L, key, value, "not in section [serve] (the only section)");
		return 1;
	}
	for (int i = 0; i < CENTRAL_CONFIG_KEYS; i++) {
		const struct key *k = &KEYS[i];
		if (strcmp(key, k->key) != 0)
			continue;
		const char *why = refusal(k, value);
		char range[96];
		if (why && k->kind == K_INT) {
			snprintf(range, sizeof range, "wants an integer in [%lld, %lld]",
			         (long long)k->min, (long long)k->max);
			why = range;
		}
		if (!why && L->c->set[i])
			why = "given twice";
		if (!why && strlen(value) >= CENTRAL_CONFIG_VALUE)
			why = "too long";
		if (why) {
			refuse(L, key, value, why);
			return 1;
		}
		memcpy(L->c->value[i], value, strlen(value) + 1);
		L->c->set[i] = true;
		return 1;
	}
	refuse(L, key, value,
	       "unknown key (db, listen, threads, tls_cert, tls_key, head_timeout, "
	       "body_timeout, max_connections, per_ip_connections, silent_after, "
	       "db_connections)");
	return 1;
}

static char *read_line(char *str, int num, void *stream)
{
	struct loader *L = stream;
	char *r = fgets(str, num, L->fp);
	if (r)
		L->line++;
	return r;
}

int central_config_load(const char *path, struct central_config *c)
{
	memset(c, 0, sizeof *c);
	if (strlen(path) >= sizeof c->path) {
		fputs("wufei-central: --config: path too long\n", stderr);
		return WF_EINVAL;
	}
	memcpy(c->path, path, strlen(path) + 1);
	struct loader L = {.c = c};
	L.fp = fopen(path, "r");
	if (!L.fp) {
		fprintf(stderr, "wufei-central: config %s: %s\n", path, strerror(errno));
		return WF_ENOENT;
	}
	int rc = ini_parse_stream(read_line, &L, on_key, &L);
	fclose(L.fp);
	if (rc > 0) {
		fprintf(stderr,
		        "wufei-central: %s:%d: not an INI line (expected [serve] or key = value)\n",
		        path, rc);
		L.errors++;
	} else if (rc < 0) {
		fprintf(stderr, "wufei-central: %s: cannot be parsed (error %d)\n", path, rc);
		L.errors++;
	}
	return L.errors ? WF_EINVAL : WF_OK;
}

int central_config_merge(struct cli_opts *o, const struct central_config *c)
{
	for (int i = 0; i < CENTRAL_CONFIG_KEYS; i++) {
		if (!c->set[i] || cli_opt(o, KEYS[i].option))
			continue;
		if (o->n >= CLI_MAX_OPTS) {
			fputs("wufei-central: too many options with the config file's\n", stderr);
			return WF_EINVAL;
		}
		o->name[o->n] = KEYS[i].option;
		o->value[o->n++] = c->value[i];
	}
	return WF_OK;
}

int central_config_apply(struct cli_opts *o, struct central_config *c)
{
	const char *path = central_config_path(o, CENTRAL_CONFIG_DEFAULT);
	if (!path)
		return WF_OK;
	int rc = central_config_load(path, c);
	return rc == WF_OK ? central_config_merge(o, c) : rc;
}

int central_config_db(const struct cli_opts *o, char *out, size_t cap)
{
	const char *path = central_config_path(o, CENTRAL_CONFIG_DEFAULT);
	if (!path)
		return WF_ENOENT;
	struct central_config *c = malloc(sizeof *c);
	int rc = c ? central_config_load(path, c) : WF_ENOMEM;
	if (rc == WF_OK && (!c->set[0] || strlen(c->value[0]) >= cap)) {
		fprintf(stderr,
		        "wufei-central: %s has no db key in [serve]: add one or give --db\n", path);
		rc = WF_EINVAL;
	}
	if (rc == WF_OK)
		memcpy(out, c->value[0], strlen(c->value[0]) + 1);
	free(c);
	return rc == WF_ENOENT || rc == WF_ENOMEM ? WF_EINVAL : rc;
}
