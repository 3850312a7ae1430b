/*
 * main.c — wufei-central: starts libsodium, the translations and the log, then dispatches to
 * a command (commands.h): `serve`, or one of the office's commands. The
 * commands wire the store, the HTTP server and the receipt checks.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "commands.h"
#include "i18n.h"
#include "log.h"

static int dispatch(const char *cmd, const struct cli_opts *o, struct wf_log *log)
{
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(o, log);
	if (strcmp(cmd, "kiosk") == 0)
		return cmd_kiosk(o);
	if (strcmp(cmd, "verify-receipt") == 0)
		return cmd_verify_receipt(o);
	if (strcmp(cmd, "resident") == 0)
		return cmd_resident(o);
	if (strcmp(cmd, "rates") == 0)
		return cmd_rates(o);
	if (strcmp(cmd, "staff") == 0)
		return cmd_staff(o);
	if (strcmp(cmd, "blocklist") == 0)
		return cmd_blocklist(o);
	if (strcmp(cmd, "alerts") == 0)
		return cmd_alerts(o);
	if (strcmp(cmd, "receipt") == 0)
		return cmd_receipt(o);
	if (strcmp(cmd, "points") == 0)
		return cmd_points(o);
	if (strcmp(cmd, "user") == 0)
		return cmd_user(o);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(o);
	if (strcmp(cmd, "token") == 0)
		return cmd_token(o);
	if (strcmp(cmd, "report") == 0)
		return cmd_report(o);
	if (strcmp(cmd, "day") == 0)
		return cmd_day(o);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(o);
	if (strcmp(cmd, "backup") == 0)
		return cmd_backup(o);
	fprintf(stderr, "wufei-central: unknown command '%s'\n", cmd);
	cli_usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct cli_opts o;
	if (argc < 2) {
		cli_usage(stderr);
		return 2;
	}
	/* Libraries are initialised here, once, before any thread starts. */
	if (sodium_init() < 0) {
		fputs("wufei-central: libsodium failed to initialise\n", stderr);
		return 1;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
		cli_usage(stdout);
		return 0;
	}
	if (cli_parse(argc - 2, argv + 2, &o) != WF_OK)
		return 2;
	/* The pages residents and the office read speak their language (common/i18n); serve
	 * refuses to start without the catalogues, the office's commands need none. */
	char why[256];
	if (wf_i18n_init(NULL, why, sizeof why) != WF_OK && strcmp(cmd, "serve") == 0) {
		fprintf(stderr, "wufei-central: translations: %s\n", why);
		return 1;
	}
	/* The one log: escaped, rate-limited lines on standard error (common/log/log.h). */
	struct wf_log *log = wf_log_create(stderr, "wufei-central", NULL);
	if (!log) {
		fputs("wufei-central: out of memory\n", stderr);
		return 1;
	}
	int rc = dispatch(cmd, &o, log);
	wf_log_destroy(log);
	return rc;
}
