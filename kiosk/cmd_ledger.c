/* cmd_ledger.c — placeholder until its part lands: refuses clearly. */
#include <stdio.h>

#include "commands.h"

int cmd_ledger(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("wufei-kiosk: 'ledger' is not built yet\n", stderr);
	return 2;
}
