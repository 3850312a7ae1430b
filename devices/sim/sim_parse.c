/* sim_parse.c — `wufei-devsim parse`: placeholder until the parsers land. */
#include "sim.h"

#include <stdio.h>

int sim_parse_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "wufei-devsim parse: not built yet\n");
	return 2;
}
