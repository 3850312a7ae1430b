/*
 * main.c — wufei-kiosk entry point: dispatches to a subcommand through one
 * table (commands[]), which is also what `--help` lists, so the list cannot
 * drift from what dispatches. With no subcommand, or one that starts with
 * '-', it runs the kiosk (same as "run").
 *
 *   wufei-kiosk --help | help         every command, one line each; exit 0
 *   wufei-kiosk COMMAND --help        that command's usage; exit 0
 *   wufei-kiosk UNKNOWN               message and the list on stderr; exit 2
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "commands.h"
#include "i18n.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command's name */
	const char *summary;               /* one line for --help */
	const char *usage;                 /* COMMAND --help */
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    {"run", cmd_run, "run the kiosk (the default when no command is given)",
     "usage: wufei-kiosk [run] [--config FILE] [--script FILE|-] [--no-devices]\n"
     "                        [--virtual-clock] [--clock-start YYYY-MM-DDTHH:MM:SSZ]\n"
     "                        [--print-config] [--screenshots DIR] [--window]\n"
     "  --config FILE     the configuration (default /etc/wufei/kiosk.ini and\n"
     "                    /etc/wufei/kiosk.ini.d/*.ini)\n"
     "  --print-config    print the configuration as read, then exit\n"
     "  --script FILE|-   carry out the command language's lines in order, then exit\n"
     "                    (0 when every expect held, 1 when one did not)\n"
     "  --no-devices      open no device (weights and cards come from the script)\n"
     "  --virtual-clock   time passes only by wait lines (default with --script\n"
     "                    and --no-devices)\n"
     "  --clock-start T   start the virtual clock at T (UTC); implies --virtual-clock\n"
     "  --window          open the touch screen's window (a wedge card reader types\n"
     "                    into it)\n"
     "  --screenshots DIR write a picture of each screen shown into DIR\n"},
    {"ledger", cmd_ledger, "create, verify and inspect the kiosk's journal",
     "usage: wufei-kiosk ledger init PATH --kiosk N   (a new, empty journal)\n"
     "       wufei-kiosk ledger verify PATH   (records, chain and tables; ok or problems)\n"
     "       wufei-kiosk ledger dump PATH     (the records)\n"
     "       wufei-kiosk ledger conflicts PATH   (records central holds with other bytes)\n"
     "       wufei-kiosk ledger status PATH   (last seq, outbox, conflicts, high-water mark)\n"
     "exit status: 0 ok, 1 failure or problems found, 2 usage error\n"},
    {"keygen", cmd_keygen, "make the kiosk's receipt signing key (FILE and FILE.pub)",
     "usage: wufei-kiosk keygen --out FILE   (writes FILE, mode 0600, and FILE.pub;\n"
     "       never overwrites; enrol FILE.pub: wufei-central kiosk add NUMBER --pubkey "
     "FILE.pub)\n"},
    {"help", cmd_help, "list the commands (also --help); COMMAND --help: its usage",
     "usage: wufei-kiosk help | --help | COMMAND --help\n"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void list_commands(FILE *f)
{
	fputs("usage: wufei-kiosk [COMMAND] [ARGS]   (no COMMAND: run)\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("wufei-kiosk COMMAND --help shows a command's usage; see also wufei-kiosk(8)\n", f);
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	list_commands(stdout);
	return 0;
}

static bool is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* COMMAND --help (or -h) anywhere among its arguments. */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (is_help(argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && is_help(argv[1]))
		return cmd_help(argc - 1, argv + 1);
	const struct command *c = &commands[0]; /* run */
	int skip = 0;
	if (argc >= 2 && argv[1][0] != '-') {
		c = NULL;
		for (size_t i = 0; i < NCOMMANDS && !c; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				c = &commands[i];
		if (!c) {
			fprintf(stderr, "wufei-kiosk: unknown command '%s'\n", argv[1]);
			list_commands(stderr);
			return 2;
		}
		skip = 1;
	}
	if (wants_help(argc - skip, argv + skip)) {
		fputs(c->usage, stdout);
		return 0;
	}
	/* Libraries are initialised here, once, before any thread starts. */
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("wufei-kiosk: libsodium or libcurl failed to start\n", stderr);
		return 1;
	}
	char why[400];
	if (wf_i18n_init(NULL, why, sizeof why) != 0) {
		fprintf(stderr, "wufei-kiosk: %s\n", why);
		return 1;
	}
	return c->run(argc - skip, argv + skip);
}
