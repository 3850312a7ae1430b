/*
 * main.c — wufei-central: starts libsodium, the translations and the log, then dispatches to
 * a command (commands.h): `serve`, or one of the office's commands. The
 * commands wire the store, the HTTP server and the receipt checks.
 *
 * One table (commands[]) is both the dispatch and what `--help` lists, so the
 * list cannot drift from what runs:
 *   wufei-central --help | help      every command, one line each; exit 0
 *   wufei-central COMMAND --help     that command's usage; exit 0
 *   wufei-central UNKNOWN            message and the list on stderr; exit 2
 * cli_usage (cli.h) prints the usage of the command being run, from the table.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "commands.h"
#include "i18n.h"
#include "log.h"

struct command {
	const char *name;
	int (*run)(const struct cli_opts *o);
	const char *summary; /* one line for --help */
	const char *usage;   /* COMMAND --help */
};

static struct wf_log *g_log; /* the one log, for serve */
static void list_commands(FILE *f);

static int run_serve(const struct cli_opts *o)
{
	return cmd_serve(o, g_log);
}

static int run_help(const struct cli_opts *o)
{
	(void)o;
	list_commands(stdout);
	return 0;
}

static const struct command commands[] = {
    {"serve", run_serve, "run the server: kiosk sync, receipt pages, office pages, /metrics",
     "usage: wufei-central serve [--config FILE] --db URL --listen ADDR:PORT [--threads N]\n"
     "         [--tls-cert PEM --tls-key PEM]   (HTTPS; else plain HTTP)\n"
     "         [--head-timeout S (10)] [--body-timeout S (120)] [--max-connections N (1024)]\n"
     "         [--per-ip-connections N (32; 0 = no cap, behind a proxy)]\n"
     "         [--silent-after S]   (/metrics: kiosks silent longer; default 7200)\n"
     "         [--db-connections N (1..64; 4 for PostgreSQL: requests run their\n"
     "          transactions at once; 1 for SQLite: one writer at a time anyway)]\n"
     "         tests only: [--time-offset S]\n"
#ifdef WUFEI_CRASH_HOOKS
     "         crash-point test build only: [--crash-at before-commit|after-commit"
     " [--crash-every N]]\n"
#endif
     "  --config FILE: INI, section [serve], one key per option with dashes as\n"
     "  underscores (db, listen, threads, ...); options on the command line win.\n"
     "  URL: sqlite:PATH or postgresql://USER@HOST/DATABASE\n"},
    {"kiosk", cmd_kiosk, "enrol kiosks, set their time zone, add and revoke their keys, list",
     "usage: wufei-central kiosk add NUMBER --pubkey FILE [--key-id N] [--name NAME]"
     " [--tz ZONE] --db URL\n"
     "       wufei-central kiosk tz NUMBER ZONE --db URL   (receipt pages' times; default "
     "Asia/Shanghai)\n"
     "       wufei-central kiosk add-key NUMBER --pubkey FILE --key-id N --db URL\n"
     "       wufei-central kiosk revoke-key NUMBER --key-id N --db URL\n"
     "       wufei-central kiosk list --db URL   (time zone, journal held, last heartbeat, "
     "devices)\n"},
    {"verify-receipt", cmd_verify_receipt, "check a receipt against the kiosk's key and journal",
     "usage: wufei-central verify-receipt TOKEN_OR_URL --db URL\n"
     "exits 0 for a genuine receipt, 1 forged/tampered/malformed,\n"
     "3 unknown kiosk or key, 4 signed by a revoked key after its revocation,\n"
     "5 genuine signature but different from the kiosk's journal record.\n"},
    {"resident", cmd_resident, "add, list, block and remove residents",
     "usage: wufei-central resident add --id N (--card ID | --card-hash HEX) --name MASKED"
     " [--points N] --db URL\n"
     "       wufei-central resident list|block ID --reason TEXT|remove ID --db URL\n"},
    {"rates", cmd_rates, "set and list the categories and their points",
     "usage: wufei-central rates set --id N --code CODE --name NAME --unit g|piece --rate R"
     " --min G --max G [--daily-limit G] [--anon-cap none|G] --db URL\n"
     "       wufei-central rates list --db URL\n"},
    {"staff", cmd_staff, "add, list and remove staff cards (the kiosk's staff menu)",
     "usage: wufei-central staff add --id N (--card ID | --card-hash HEX) --name MASKED"
     " --role staff|admin --db URL   (the PIN: typed when asked, or one line on stdin)\n"
     "       wufei-central staff list|remove ID --db URL\n"},
    {"blocklist", cmd_blocklist, "refuse a card at every kiosk",
     "usage: wufei-central blocklist add (--card ID | --card-hash HEX) --reason TEXT --db "
     "URL\n"},
    {"alerts", cmd_alerts, "list the alerts (e.g. a kiosk's record that differs from ours)",
     "usage: wufei-central alerts list --db URL\n"},
    {"receipt", cmd_receipt, "claim an anonymous receipt's points for a resident",
     "usage: wufei-central receipt claim TOKEN_OR_URL --resident ID [--by NAME] --db URL\n"},
    {"points", cmd_points, "redeem, adjust, show and check residents' points",
     "usage: wufei-central points redeem --resident ID --points N --key KEY --by NAME --db "
     "URL\n"
     "       wufei-central points adjust --resident ID --points +-N --reason TEXT [--by NAME]"
     " --db URL\n"
     "       wufei-central points history --resident ID --db URL\n"
     "       wufei-central points check --db URL   (running totals = sums of entries)\n"},
    {"user", cmd_user, "add and look after the office's web users",
     "usage: wufei-central user add NAME --role viewer|operator|admin --db URL\n"
     "       wufei-central user passwd NAME|role NAME --role R|remove NAME|list --db URL\n"
     "         (passwords: typed when asked, or one line on stdin; never an option)\n"},
    {"audit", cmd_audit, "list who changed what", "usage: wufei-central audit list --db URL\n"},
    {"token", cmd_token, "add, list and revoke redeem-only API tokens (a shop's till)",
     "usage: wufei-central token add --name SHOP|list|revoke ID --db URL   (redeem only)\n"},
    {"report", cmd_report, "the office's reports: daily, gaps, alerts, bins, records, residents",
     "usage: wufei-central report daily|gaps|alerts|bins|close [--from DAY] [--to DAY]"
     " [--kiosk N] [--category N] [--format table|json|csv] --db URL\n"
     "         gaps: [--silent-after 2h] [--late-after 24h] [--late-limit N (0: all)];"
     " bins: [--tolerance PERCENT]\n"
     "       wufei-central report records --kiosk N --day DAY [--category N] --db URL"
     "   (the drops behind a daily row)\n"
     "       wufei-central report residents [--from DAY] [--to DAY] [--near PERCENT (90)]"
     " [--days N (3)] [--format ...] --db URL\n"
     "         (points per resident; who was near a daily limit on N days or more)\n"},
    {"day", cmd_day, "close (freeze) or reclose a day's totals",
     "usage: wufei-central day close|reclose --day DAY [--kiosk N] --db URL"
     "   (freeze a day's totals)\n"},
    {"migrate", cmd_migrate, "bring the store's schema up to date and say its version",
     "usage: wufei-central migrate --db URL   (brings the schema up to date, says its "
     "version;\n"
     "         URL: sqlite:PATH or postgresql://USER@HOST/DATABASE)\n"},
    {"backup", cmd_backup, "a consistent copy of an SQLite store, safe while serving",
     "usage: wufei-central backup --out FILE --db sqlite:PATH   (a consistent copy, safe"
     " while serving;\n"
     "         a new FILE; PostgreSQL: pg_dump -Fc, see docs/OPERATIONS-CENTRAL.md)\n"},
    {"help", run_help, "list the commands (also --help); COMMAND --help: its usage",
     "usage: wufei-central help | --help | COMMAND --help\n"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *g_running; /* the command being run, for cli_usage */

static void list_commands(FILE *f)
{
	fputs("usage: wufei-central COMMAND [ARGS] --db URL\ncommands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-15s %s\n", commands[i].name, commands[i].summary);
	fputs("wufei-central COMMAND --help shows a command's usage; see also wufei-central(8)\n",
	      f);
}

void cli_usage(FILE *f)
{
	if (!g_running) {
		list_commands(f);
		return;
	}
	fputs(g_running->usage, f);
	fputs("(wufei-central --help lists every command)\n", f);
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

static bool is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		list_commands(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (is_help(cmd)) {
		list_commands(stdout);
		return 0;
	}
	const struct command *c = find(cmd);
	if (!c) {
		fprintf(stderr, "wufei-central: unknown command '%s'\n", cmd);
		list_commands(stderr);
		return 2;
	}
	for (int i = 2; i < argc; i++)
		if (is_help(argv[i])) {
			fputs(c->usage, stdout);
			return 0;
		}
	g_running = c;
	struct cli_opts o;
	if (cli_parse(argc - 2, argv + 2, &o) != WF_OK)
		return 2;
	/* Libraries are initialised here, once, before any thread starts. */
	if (sodium_init() < 0) {
		fputs("wufei-central: libsodium failed to initialise\n", stderr);
		return 1;
	}
	/* The pages residents and the office read speak their language (common/i18n); serve
	 * refuses to start without the catalogues, the office's commands need none. */
	char why[256];
	if (wf_i18n_init(NULL, why, sizeof why) != WF_OK && c->run == run_serve) {
		fprintf(stderr, "wufei-central: translations: %s\n", why);
		return 1;
	}
	/* The one log: escaped, rate-limited lines on standard error (common/log/log.h). */
	g_log = wf_log_create(stderr, "wufei-central", NULL);
	if (!g_log) {
		fputs("wufei-central: out of memory\n", stderr);
		return 1;
	}
	int rc = c->run(&o);
	wf_log_destroy(g_log);
	return rc;
}
