/*
 * mono_exec.c — `wufei-bench-mono-exec FILE CMD [ARG...]`: writes the
 * CLOCK_MONOTONIC time in ns to FILE, then becomes CMD (execvp). For
 * bench/startup: the process's start on the clock the kiosk's frame log
 * (WUFEI_FRAME_LOG) uses.
 */
#include <stdio.h>
#include <unistd.h>

#include "clock.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: wufei-bench-mono-exec FILE CMD [ARG...]\n", stderr);
		return 2;
	}
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fprintf(f, "%lld\n", (long long)wf_clock_mono_ns());
	if (fclose(f) != 0)
		return 1;
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
