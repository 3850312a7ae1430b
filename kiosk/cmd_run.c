/* cmd_run.c — placeholder until its part lands: refuses clearly. */
#include <stdio.h>

#include "commands.h"

int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("wufei-kiosk: 'run' is not built yet\n", stderr);
	return 2;
}
