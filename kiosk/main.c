/*
 * main.c — wufei-kiosk entry point: dispatches to a subcommand.
 * With no subcommand it runs the kiosk (same as "run").
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "commands.h"
#include "i18n.h"

static void usage(FILE *f)
{
	fputs("usage: wufei-kiosk [run] [--config FILE] [options]\n"
	      "       wufei-kiosk ledger init|verify|dump PATH\n"
	      "       wufei-kiosk keygen --out FILE\n"
	      "       wufei-kiosk help\n",
	      f);
}

int main(int argc, char **argv)
{
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
	if (argc < 2 || argv[1][0] == '-')
		return cmd_run(argc, argv);
	const char *cmd = argv[1];
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "ledger") == 0)
		return cmd_ledger(argc - 1, argv + 1);
	if (strcmp(cmd, "keygen") == 0)
		return cmd_keygen(argc - 1, argv + 1);
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "wufei-kiosk: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
