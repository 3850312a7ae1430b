/*
 * probe.c — compiled with the include path of one library to prove what a
 * file of that library may include (tests/layering/CMakeLists.txt): it
 * includes PROBE_HEADER and nothing else.
 */
#include PROBE_HEADER

int wufei_layering_probe(void);
int wufei_layering_probe(void)
{
	return 0;
}
