/* wf_test.h — small helpers every test may use. Header-only. */
#ifndef WUFEI_WF_TEST_H
#define WUFEI_WF_TEST_H

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * wf_test_loops — scale a loop count for the build: the full count in the
 * normal build, WUFEI_LOOP_PERCENT percent of it under sanitizers (ctest sets
 * the variable). Never returns less than 1.
 */
static inline long wf_test_loops(long full)
{
	const char *p = getenv("WUFEI_LOOP_PERCENT");
	long pct = 100;
	if (p && *p) {
		char *end = NULL;
		long v = strtol(p, &end, 10);
		if (end && *end == '\0' && v > 0 && v <= 100)
			pct = v;
	}
	long n = full * pct / 100;
	return n < 1 ? 1 : n;
}

/*
 * wf_test_qr_read — the text of the QR code in the image at path, read with
 * zbarimg (zbar-tools), first line only, into out. Returns zbarimg's exit
 * status (0 when a code was read).
 */
static inline int wf_test_qr_read(const char *path, char *out, size_t cap)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", path);
	out[0] = '\0';
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	int st = pclose(p);
	return st == -1 ? -1 : (st >> 8) & 0xff;
}

/* wf_test_write_file — text into a new or emptied file at path; 0 or -1. */
static inline int wf_test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/*
 * wf_test_tmpdir — a fresh directory /tmp/wufei-<name>.XXXXXX into out
 * (cap >= 64). Returns 0, or -1 (out "").
 */
static inline int wf_test_tmpdir(const char *name, char *out, size_t cap)
{
	if (snprintf(out, cap, "/tmp/wufei-%s.XXXXXX", name) >= (int)cap || !mkdtemp(out)) {
		if (cap)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

static inline int wf_test_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* wf_test_rmtree — removes dir and everything below it (no shell); 0 or -1. */
static inline int wf_test_rmtree(const char *dir)
{
	if (!dir || !dir[0])
		return -1;
	return nftw(dir, wf_test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * wf_test_sh — runs a shell command line (printf-style), stdout and stderr
 * together into out[cap] (out may be NULL: the output is dropped). Returns
 * the command's exit status, or -1.
 */
static inline int wf_test_sh(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int wf_test_sh(char *out, size_t cap, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(cmd, sizeof cmd - 8, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof cmd - 8)
		return -1;
	memcpy(cmd + n, " 2>&1", 6); /* room kept above */
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char sink[4096];
	size_t got = 0;
	for (;;) {
		char *dst = out && got + 1 < cap ? out + got : sink;
		size_t room = out && got + 1 < cap ? cap - 1 - got : sizeof sink;
		size_t r = fread(dst, 1, room, p);
		if (r == 0)
			break;
		if (dst != sink)
			got += r;
	}
	if (out && cap)
		out[got] = '\0';
	int st = pclose(p);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
