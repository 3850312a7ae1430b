/*
 * cmd_serve.c — `wufei-central serve`: opens the store, starts the HTTP
 * server (server.h), says where it listens on stdout, and serves until
 * SIGINT or SIGTERM. Refusals are logged through the log main gives it.
 * Slow clients meet the limits server.h names (--head-timeout,
 * --body-timeout, --max-connections, --per-ip-connections).
 * --db-connections N: the store handles (database connections) the server
 * shares between its requests; see SERVE_DB_CONNS_PG.
 * --config FILE: the options from an INI file (config.h); the command line wins.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <sodium.h>
#include <systemd/sd-daemon.h>

#include "commands.h"
#include "config.h"
#include "server.h"

#ifdef WUFEI_CRASH_HOOKS
#include "crash_point.h"
#endif

/* --db-connections defaults. PostgreSQL: several transactions of one
 * process run at once (the server waits on round trips, not on the disk).
 * SQLite: one writer at a time anyway (BEGIN IMMEDIATE), so more
 * connections only queue on its file lock; N > 1 works (WAL) but rarely
 * helps. */
#define SERVE_DB_CONNS_PG     4
#define SERVE_DB_CONNS_SQLITE 1

/* Reads a PEM file of at most 64 KiB into a NUL-terminated string; NULL with a message. */
static char *read_pem(const char *what, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "wufei-central: %s %s: %s\n", what, path, strerror(errno));
		return NULL;
	}
	enum { PEM_MAX = 65536 };
	char *buf = malloc(PEM_MAX + 1);
	size_t n = buf ? fread(buf, 1, PEM_MAX + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	const char *why = !buf                           ? "out of memory"
	                  : bad                          ? "cannot be read"
	                  : n > PEM_MAX                  ? "is larger than 64 KiB"
	                  : n == 0                       ? "is empty"
	                  : memchr(buf, '\0', n) != NULL ? "is not PEM text"
	                                                 : NULL;
	if (!why) {
		buf[n] = '\0';
		if (!strstr(buf, "-----BEGIN "))
			why = "is not PEM (no -----BEGIN line)";
	}
	if (why) {
		fprintf(stderr, "wufei-central: %s %s %s\n", what, path, why);
		if (buf)
			sodium_memzero(buf, PEM_MAX + 1);
		free(buf);
		return NULL;
	}
	return buf;
}

static void free_secret(char *p)
{
	if (p)
		sodium_memzero(p, strlen(p));
	free(p);
}

/* --tls-cert and --tls-key read (both or neither). WF_EINVAL: usage; WF_EIO: unreadable. */
static int read_tls(const struct cli_opts *o, char **cert, char **key)
{
	const char *cert_path = cli_opt(o, "tls-cert"), *key_path = cli_opt(o, "tls-key");
	*cert = *key = NULL;
	if (!cert_path != !key_path) {
		fputs("wufei-central: --tls-cert and --tls-key go together\n", stderr);
		return WF_EINVAL;
	}
	if (!cert_path)
		return WF_OK;
	*cert = read_pem("--tls-cert", cert_path);
	*key = *cert ? read_pem("--tls-key", key_path) : NULL;
	if (!*key) {
		free(*cert);
		*cert = NULL;
		return WF_EIO;
	}
	return WF_OK;
}

/*
 * The crash points of the test build (`--crash-at`, crash_point.h): checked
 * (srv NULL), then armed on the running srv. wufei-central has no crash
 * points and refuses the options.
 */
static int test_build_options(const struct cli_opts *o, struct server *srv)
{
	const char *crash_at = cli_opt(o, "crash-at");
#ifdef WUFEI_CRASH_HOOKS
	int64_t every = 0;
	if (cli_opt_int(o, "crash-every", 1, 1000000, &every, false) != WF_OK ||
	    (crash_at && strcmp(crash_at, "before-commit") && strcmp(crash_at, "after-commit"))) {
		fputs("wufei-central: --crash-at before-commit|after-commit [--crash-every N]\n",
		      stderr);
		return WF_EINVAL;
	}
	if (srv && crash_at)
		server_crash_at(srv, every ? (unsigned)every : 1,
		                strcmp(crash_at, "after-commit") == 0);
	return WF_OK;
#else
	(void)srv;
	if (!crash_at && !cli_opt(o, "crash-every"))
		return WF_OK;
	fputs("wufei-central: --crash-at and --crash-every are only in the crash-point test "
	      "build (wufei-central-crashtest)\n",
	      stderr);
	return WF_EINVAL;
#endif
}

/* The options checked before anything starts into cfg; 0, or the exit status 2. */
static int serve_usage(const struct cli_opts *o, struct server_config *cfg)
{
	if (!cli_opt(o, "listen")) {
		fputs("wufei-central: serve needs --listen ADDR:PORT\n", stderr);
		return 2;
	}
	int64_t threads = 0, head = 0, body = 0, conns = 0, per_ip = SERVER_PER_IP_DEF, silent = 0;
	if (test_build_options(o, NULL) != WF_OK ||
	    central_config_int(o, "threads", &threads) != WF_OK ||
	    central_config_int(o, "silent-after", &silent) != WF_OK ||
	    cli_opt_int(o, "time-offset", -(INT64_C(1) << 40), INT64_C(1) << 40,
	                &cfg->time_offset_s, false) != WF_OK ||
	    central_config_int(o, "head-timeout", &head) != WF_OK ||
	    central_config_int(o, "body-timeout", &body) != WF_OK ||
	    central_config_int(o, "max-connections", &conns) != WF_OK ||
	    central_config_int(o, "per-ip-connections", &per_ip) != WF_OK)
		return 2;
	cfg->listen = cli_opt(o, "listen");
	cfg->threads = (unsigned)threads;
	cfg->silent_after_s = silent;
	cfg->head_timeout_s = (unsigned)head;
	cfg->body_timeout_s = (unsigned)body;
	cfg->max_connections = (unsigned)conns;
	cfg->per_ip_connections = per_ip == 0 ? -1 : (int)per_ip; /* 0: no cap (a proxy) */
	return 0;
}

/* Every connection is a descriptor: raise the soft limit towards the hard
 * one so that the connection cap, not EMFILE, is what a flood meets. */
static void raise_fd_limit(unsigned conns, size_t db_conns)
{
	struct rlimit rl;
	/* the store's connections, the log, the listening socket */
	rlim_t want = (rlim_t)conns + 64 + (rlim_t)db_conns;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want)
		fprintf(stderr,
		        "wufei-central: warning: %llu file descriptors allowed, %u connections "
		        "asked: lower --max-connections or raise the limit\n",
		        (unsigned long long)rl.rlim_cur, conns);
}

/*
 * Under systemd (Type=notify): READY=1 once listening, then until SIGINT or
 * SIGTERM (blocked in set) WATCHDOG=1 every half of WatchdogSec when the
 * unit sets one (sd_watchdog_enabled), from this thread: a process that
 * stopped turning is restarted. Whether the store answers is /readyz's
 * business, not a reason to restart. Not under systemd: sd_notify does
 * nothing and this only waits for the signal.
 */
static void notify_until_signal(sigset_t *set, const char *scheme, unsigned port)
{
	uint64_t usec = 0;
	bool dog = sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000;
	sd_notifyf(0, "READY=1\nSTATUS=serving %s on port %u", scheme, port);
	struct timespec every = {(time_t)(usec / 2000000), (long)(usec / 2 % 1000000) * 1000};
	for (;;) {
		int sig = dog ? sigtimedwait(set, NULL, &every) : 0;
		if (!dog && sigwait(set, &sig) != 0)
			continue;
		if (sig > 0)
			break;
		if (sig < 0 && errno == EAGAIN)
			sd_notify(0, "WATCHDOG=1");
	}
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

/* Serves s until SIGINT or SIGTERM (blocked in set); frees cfg's PEM texts
 * (they are cert and key) as soon as the server has its copies. Returns the
 * exit status. */
static int serve_until_signal(struct store *const *s, size_t n, const struct server_config *cfg,
                              char *cert, char *key, sigset_t *set, const struct cli_opts *o)
{
	char why[512];
	struct server *srv = NULL;
	bool tls = cert != NULL;
	int rc = server_start(s, n, cfg, &srv, why, sizeof why);
	free(cert);
	free_secret(key);
	if (rc != WF_OK) {
		fprintf(stderr, "wufei-central: %s\n", why);
		return 1;
	}
	test_build_options(o, srv);
	const char *colon = strrchr(cfg->listen, ':');
	printf("wufei-central: listening on %s%.*s:%u\n", tls ? "https://" : "",
	       (int)(colon - cfg->listen), cfg->listen, (unsigned)server_port(srv));
	fflush(stdout);
	notify_until_signal(set, tls ? "https" : "http", server_port(srv));
	server_stop(srv);
	return 0;
}

/* --db-connections into *n (the default of the --db's backend); 0, or 2. */
static int db_connections(const struct cli_opts *o, size_t *n)
{
	const char *db = cli_opt(o, "db");
	int64_t v =
	    db && strncmp(db, "sqlite:", 7) == 0 ? SERVE_DB_CONNS_SQLITE : SERVE_DB_CONNS_PG;
	if (central_config_int(o, "db-connections", &v) != WF_OK)
		return 2;
	*n = (size_t)v;
	return 0;
}

static int serve_with(const struct cli_opts *o, struct wf_log *log);

/* n handles to --db (the first creates and migrates it); on failure none stays open. */
static int open_stores(const struct cli_opts *o, struct store **s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s[i] = cli_store_open(o);
		if (!s[i]) {
			for (size_t k = 0; k < i; k++)
				store_close(s[k]);
			return WF_EIO;
		}
	}
	return WF_OK;
}

int cmd_serve(const struct cli_opts *given, struct wf_log *log)
{
	/* --config FILE (or /etc/wufei/central.ini without --db): the file's keys
	 * join the options the command line lacks (config.h). */
	struct central_config *file = malloc(sizeof *file);
	struct cli_opts merged = *given;
	if (!file || central_config_apply(&merged, file) != WF_OK) {
		free(file);
		return 2;
	}
	int rc = serve_with(&merged, log);
	free(file);
	return rc;
}

static int serve_with(const struct cli_opts *o, struct wf_log *log)
{
	struct server_config cfg = {.log = log};
	size_t n = 0;
	int rc = serve_usage(o, &cfg);
	if (!rc)
		rc = db_connections(o, &n);
	if (rc)
		return rc;
	raise_fd_limit(cfg.max_connections ? cfg.max_connections : SERVER_CONNS_DEF, n);
	/* Block the signals first so every server thread inherits the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	char *cert = NULL, *key = NULL;
	rc = read_tls(o, &cert, &key);
	if (rc)
		return rc == WF_EINVAL ? 2 : 1;
	struct store *s[CENTRAL_DB_CONNECTIONS_MAX];
	if (open_stores(o, s, n) != WF_OK) {
		free(cert);
		free_secret(key);
		return 1;
	}
	cfg.tls_cert_pem = cert;
	cfg.tls_key_pem = key;
	rc = serve_until_signal(s, n, &cfg, cert, key, &set, o);
	for (size_t i = 0; i < n; i++)
		store_close(s[i]);
	return rc;
}
