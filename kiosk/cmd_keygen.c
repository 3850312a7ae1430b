/* cmd_keygen.c — placeholder until its part lands: refuses clearly. */
#include <stdio.h>

#include "commands.h"

int cmd_keygen(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("wufei-kiosk: 'keygen' is not built yet\n", stderr);
	return 2;
}
