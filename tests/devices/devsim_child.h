/*
 * devsim_child.h — tests start wufei-devsim as a child process and drive it
 * through its control socket.
 *
 * For: tests/devices and bench/device_reconnect.c. Paths come from the
 * environment (WUFEI_BIN_DIR, set by ctest). Every function either succeeds
 * or returns an error the caller asserts on; none prints except
 * devsim_start's diagnostics on stderr.
 */
#ifndef WUFEI_DEVSIM_CHILD_H
#define WUFEI_DEVSIM_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct devsim {
	pid_t pid;
	int in_fd;  /* the child's stdin; closing it ends the child */
	int ctl_fd; /* connected control socket */
	char dir[64];
	char ctl_path[96];
	char json[8192]; /* the first line the child printed */
};

/*
 * devsim_start — run `wufei-devsim --dir <fresh temp dir> --control <dir>/ctl
 * ARGS...` (args NULL-terminated, may be just NULL for the default devices),
 * read its JSON line and connect to the control socket.
 * Returns 0, or -1 with a message on stderr.
 */
int devsim_start(struct devsim *ds, const char *const *args);

/*
 * devsim_cmd — send one command line (no newline) and read the one-line
 * answer into ans (without the newline). Returns 0 if the answer starts with
 * "ok", 1 if it is an error line, -1 on an I/O failure.
 */
int devsim_cmd(struct devsim *ds, const char *cmd, char *ans, size_t ans_len);

/* devsim_path — "DIR/NAME", the stable link of a device, into buf. */
void devsim_path(const struct devsim *ds, const char *name, char *buf, size_t len);

/* devsim_transport — "serial:DIR/NAME" into buf. */
void devsim_transport(const struct devsim *ds, const char *name, char *buf, size_t len);

/* devsim_stop — quit the child, wait for it, remove its directory.
 * Returns 0 if the child exited cleanly (status 0; under ASan also no leak
 * report), else -1. */
int devsim_stop(struct devsim *ds);

#endif
