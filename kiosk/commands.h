/*
 * commands.h — the subcommands of wufei-kiosk. main.c only dispatches; each
 * command lives in its own cmd_*.c. Every command takes argv after its own
 * name (argv[0] is the command name), prints its own errors to stderr and
 * returns the process exit status (0 ok, 1 failure found, 2 usage error).
 */
#ifndef WUFEI_COMMANDS_H
#define WUFEI_COMMANDS_H

/* wufei-kiosk ledger init|verify|dump PATH ... (cmd_ledger.c) */
int cmd_ledger(int argc, char **argv);
/* wufei-kiosk keygen --out FILE (cmd_keygen.c) */
int cmd_keygen(int argc, char **argv);
/* wufei-kiosk run [--config FILE] [--script FILE] ... (cmd_run.c) */
int cmd_run(int argc, char **argv);

#endif
