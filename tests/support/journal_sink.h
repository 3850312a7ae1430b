/*
 * journal_sink.h — a real journal receiver for tests (header-only): in a
 * private mount namespace (root: unshare), a tmpfs over /run/systemd holds
 * our own AF_UNIX datagram socket at /run/systemd/journal/socket, where
 * libsystemd's sd_journal_send delivers; entries are parsed from the native
 * protocol (KEY=value\n, and KEY\n + 64-bit little-endian length + value +
 * \n for values with newlines). Not a mock: the programs' own libsystemd
 * sends. Used by tests/common/test_log_journal.c and
 * tests/central/test_central_journal.c.
 */
#ifndef WUFEI_TESTS_JOURNAL_SINK_H
#define WUFEI_TESTS_JOURNAL_SINK_H

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define JOURNAL_SINK_PATH "/run/systemd/journal/socket"

/* One entry received: its fields, in order. */
struct journal_entry {
	int n;
	char key[16][32];
	char val[16][4200];
};

/* The socket bound where journald's would be (non-blocking), or -1. */
static inline int journal_sink_bind(void)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "%s", JOURNAL_SINK_PATH);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int big = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	return fd;
}

/* A private mount namespace with our journal socket: its fd; -2 when not
 * root or namespaces are refused (the caller skips, saying so); -1 on a
 * failure after that. */
static inline int journal_sink_open(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNS) != 0) {
		fprintf(stderr, "journal sink: needs root for a private mount namespace\n");
		return -2;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", "/run/systemd", "tmpfs", 0, "mode=0755") != 0 ||
	    mkdir("/run/systemd/journal", 0755) != 0) {
		fprintf(stderr, "journal sink: mount: %s\n", strerror(errno));
		return -1;
	}
	return journal_sink_bind();
}

/* The next datagram on fd parsed into e: 1, or 0 when none is waiting. */
static inline int journal_sink_next(int fd, struct journal_entry *e)
{
	static char buf[65536];
	ssize_t n = recv(fd, buf, sizeof buf, 0);
	if (n < 0)
		return 0;
	memset(e, 0, sizeof *e);
	size_t i = 0;
	while (i < (size_t)n && e->n < 16) {
		char *nl = memchr(buf + i, '\n', (size_t)n - i);
		if (!nl)
			break;
		char *eq = memchr(buf + i, '=', (size_t)(nl - (buf + i)));
		if (eq) {
			snprintf(e->key[e->n], sizeof e->key[0], "%.*s", (int)(eq - (buf + i)),
			         buf + i);
			snprintf(e->val[e->n], sizeof e->val[0], "%.*s", (int)(nl - eq - 1),
			         eq + 1);
			i = (size_t)(nl - buf) + 1;
		} else { /* KEY\n, 64-bit little-endian length, value, \n */
			snprintf(e->key[e->n], sizeof e->key[0], "%.*s", (int)(nl - (buf + i)),
			         buf + i);
			i = (size_t)(nl - buf) + 1;
			uint64_t len = 0;
			for (int b = 7; b >= 0; b--)
				len = len << 8 | (unsigned char)buf[i + (size_t)b];
			i += 8;
			snprintf(e->val[e->n], sizeof e->val[0], "%.*s", (int)len, buf + i);
			i += len + 1;
		}
		e->n++;
	}
	return 1;
}

/* The value of key in e, NULL when absent; *twice set when it is there more
 * than once (a forged field). */
static inline const char *journal_get(const struct journal_entry *e, const char *key, int *twice)
{
	const char *v = NULL;
	for (int i = 0; i < e->n; i++)
		if (!strcmp(e->key[i], key)) {
			if (v && twice)
				*twice = 1;
			v = e->val[i];
		}
	return v;
}

/* Sets JOURNAL_STREAM to the device and inode of fd: output to fd is the
 * journal's stream, as systemd says for StandardOutput=journal. 0 or -1. */
static inline int journal_stream_is(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1;
	char v[64];
	snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino);
	return setenv("JOURNAL_STREAM", v, 1);
}

#endif
