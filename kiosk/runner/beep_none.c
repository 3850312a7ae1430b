/*
 * beep_none.c — the runner's feedback tones for a wufei-kiosk built without
 * SDL2 (cmake -DWUFEI_UI=OFF): silent. CMake builds this file or beep.c.
 */
#include "runner_private.h"

void beep_open(struct runner *r)
{
	(void)r;
}

void beep_play(struct runner *r, enum beep_tone tone)
{
	(void)r;
	(void)tone;
}

void beep_close(struct runner *r)
{
	(void)r;
}
