/*
 * commands.h — the commands of wufei-central. main.c only dispatches; each
 * command lives in its own cmd_*.c. Every command takes the options after
 * its name (cli.h), prints its own errors to stderr and returns the process
 * exit status (0 ok, 1 failure, 2 usage error; verify-receipt has more).
 */
#ifndef WUFEI_CENTRAL_COMMANDS_H
#define WUFEI_CENTRAL_COMMANDS_H

#include "cli.h"

struct wf_log;

/* serve --db URL --listen ADDR:PORT ... (cmd_serve.c); logs to log */
int cmd_serve(const struct cli_opts *o, struct wf_log *log);
/* kiosk add|add-key|revoke-key|list (cmd_kiosk.c) */
int cmd_kiosk(const struct cli_opts *o);
/* verify-receipt TOKEN_OR_URL, receipt claim TOKEN_OR_URL --resident ID (cmd_receipt.c) */
int cmd_verify_receipt(const struct cli_opts *o);
int cmd_receipt(const struct cli_opts *o);
/* points redeem|adjust|history|check (cmd_points.c) */
int cmd_points(const struct cli_opts *o);
/* resident add|list|block|remove, staff add|list|remove, blocklist add (cmd_people.c) */
int cmd_resident(const struct cli_opts *o);
int cmd_staff(const struct cli_opts *o);
int cmd_blocklist(const struct cli_opts *o);
/* rates set|list (cmd_rates.c) */
int cmd_rates(const struct cli_opts *o);
/* alerts list (cmd_alerts.c) */
int cmd_alerts(const struct cli_opts *o);
/* user add|passwd|role|remove|list, audit list, token add|list|revoke (cmd_user.c) */
int cmd_user(const struct cli_opts *o);
int cmd_audit(const struct cli_opts *o);
int cmd_token(const struct cli_opts *o);
/* report daily|records|gaps|alerts|bins|close, day close|reclose (cmd_report.c) */
int cmd_report(const struct cli_opts *o);
int cmd_day(const struct cli_opts *o);
/* migrate --db URL: the schema brought up to date, its version said (cmd_migrate.c) */
int cmd_migrate(const struct cli_opts *o);
/* backup --out FILE (cmd_backup.c) */
int cmd_backup(const struct cli_opts *o);

#endif
